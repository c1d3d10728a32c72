"""nndl-gui: a desktop companion to Michael Nielsen's *Neural Networks and Deep Learning*.

http://neuralnetworksanddeeplearning.com/
"""

__version__ = "0.1.0"
BOOK_URL = "http://neuralnetworksanddeeplearning.com/"


def chapter_url(n: int) -> str:
    """Link to chapter n of the book."""
    return f"{BOOK_URL}chap{n}.html"
