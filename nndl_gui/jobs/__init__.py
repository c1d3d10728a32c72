"""The work each tab sends to the engine worker, one module per tab (no Qt here: tests/test_no_qt.py).

``draw`` (Draw tab), ``training`` (Training tab), ``download`` (the Training tab's MNIST download),
``inspector`` (Backprop inspector), ``playground`` (Approximation playground) and ``neurons`` (Neurons).
Tasks are plain functions ``task(ctx, ...)``; jobs are generators ``job(ctx, ...)`` that yield snapshots.
``ctx`` is the worker's JobContext (``nndl_gui.worker``).
"""
