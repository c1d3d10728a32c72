"""BLAS thread control for the engine: how many OpenBLAS threads a training run uses (via threadpoolctl).

``sgd`` (``engine/training.py``) caps BLAS with ``BlasThreads`` while it trains, at the number
``blas_threads_for`` picks; the app's worker process caps it once for good (``nndl_gui.client``).
"""

from __future__ import annotations

# BLAS threads.  At small mini-batches every matrix product is tiny, and waking a second OpenBLAS thread
# for each one costs more than it saves: on 2 cores, [784,100,10] at m=10 ran 0.27 s/epoch with one thread
# and 0.51 s with two (the first epoch even 1.8 s).  From about m=100 on MNIST two threads win (1.4x at
# m=1000).  Measured crossover (benchmarks/README.md): m * max(sizes) ≈ 80,000.
BLAS_SINGLE_THREAD_BELOW = 80_000

_controller = None


def blas_controller():
    """One threadpoolctl controller per process (building one scans the loaded libraries, ~0.3 ms)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController  # a dependency; imported when first needed

        _controller = ThreadpoolController()
    return _controller


def blas_threads_for(sizes, m: int) -> int | None:
    """The BLAS thread cap ``sgd`` uses by default: 1 for small per-step matrices, None (all) otherwise."""
    return 1 if m * max(sizes) < BLAS_SINGLE_THREAD_BELOW else None


class BlasThreads:
    """Caps BLAS threads while held.  ``sgd`` holds it only while it trains and releases it before
    every yield and every evaluation, so a paused generator never leaves the process capped."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self._limiter = None

    def hold(self) -> None:
        if self.limit is None or self._limiter is not None:
            return
        controller = blas_controller()
        if controller is not None:
            self._limiter = controller.limit(limits=self.limit, user_api="blas")

    def release(self) -> None:
        if self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None
