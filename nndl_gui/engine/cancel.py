"""Abandoning a long computation on request: the ``cancel`` hook of the engine's long passes.

A pass over a whole data set (an epoch-end evaluation, the test-set verdict, the learning speed, loading a
network file) can take seconds, or minutes for a large network.  Each such function takes an optional
``cancel``: a zero-argument callable, checked between chunks, that returns True when the caller no longer
wants the result (the app's worker passes ``ctx.cancelled``, true once the window is closing).  The pass then
raises ``Interrupted`` instead of finishing.  Chunks are sized by arithmetic (``rows_per_chunk``), so a check
comes every ~0.1 s whatever the size of the network.  No Qt here: any caller can pass any callable.
"""

from __future__ import annotations

from typing import Callable

Cancel = Callable[[], bool] | None

# Multiply-adds per chunk: ~0.02-0.1 s of one BLAS thread (5-25 GMAC/s), so a cancel check at least
# every ~0.1 s; small networks still get the whole default chunk (e.g. 5,000 images of [784, 30, 10]).
CHUNK_MACS = 500_000_000


class Interrupted(Exception):
    """The caller's ``cancel()`` said to stop; the work was abandoned and its result does not exist."""

    def __init__(self, message: str = "Interrupted: the app is closing."):
        super().__init__(message)


def check(cancel: Cancel) -> None:
    """Raise ``Interrupted`` when ``cancel`` is given and returns True."""
    if cancel is not None and cancel():
        raise Interrupted()


def rows_per_chunk(macs_per_row: float, default: int, budget: float = CHUNK_MACS) -> int:
    """How many examples to pass at once: at most ``default``, at most ``budget`` multiply-adds, at least 1."""
    return int(max(1, min(default, budget // max(1.0, float(macs_per_row)))))
