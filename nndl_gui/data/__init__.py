"""Data for nndl-gui: MNIST files (IDX format), locating/loading them, and downloading them.

Nothing here imports Qt. The main entry points::

    from nndl_gui.data import load_mnist
    mnist = load_mnist()          # explicit path > $NNDL_DATA_DIR > user cache > offline sample
    x = mnist.training.x(slice(0, 10))   # float32 (10, 784) in [0, 1]

``download_mnist`` (in ``nndl_gui.data.download``) fetches full MNIST into the user cache.
"""

from .idx import IdxError, read_idx, read_idx_shape, write_idx
from .mnist import (
    FILES,
    SAMPLE_DIR,
    Dataset,
    Mnist,
    app_cache_dir,
    load_mnist,
    locate_data,
    user_cache_dir,
)

__all__ = [
    "FILES", "SAMPLE_DIR", "Dataset", "IdxError", "Mnist", "app_cache_dir", "load_mnist",
    "locate_data", "read_idx", "read_idx_shape", "user_cache_dir", "write_idx",
]
