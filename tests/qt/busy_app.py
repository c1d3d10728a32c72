"""Drive the real app (``nndl_gui.app.main``) into one busy phase of the worker, then close its window.

Used by tests/qt/test_close_busy.py in a subprocess: ``python busy_app.py PHASE [FILE] [sigterm]``.  PHASE is one of

* ``evaluation``  — train a [784, 12000, 10] network one epoch on tiny data whose validation and test sets
  have 10,000 images each: the close arrives during the epoch-end evaluation (~10 s of BLAS in one call
  per 5,000 images without chunking);
* ``open``        — start the app with ``--network FILE`` (File ▸ Open at start): the close arrives while
  the worker reads and checks the file;
* ``stuck``       — a task inside one call of 30 s that checks nothing (as one huge matrix product would):
  the engine thread cannot end in time, so the app must leave without destroying it;
* ``conv-epoch``  — a job that trains a chapter-6 ConvNet with ``engine.convnet.sgd`` on tiny data with
  large validation and test sets: the close arrives during its epoch-end evaluation.

With a last argument ``sigterm`` the app is sent SIGTERM instead of a click on its close button.
The engine function of the phase is wrapped (not changed: it still does all its work) so that it prints
``phase <name>`` when the worker enters it.  The GUI thread then closes the window CLOSE_AFTER seconds
later, printing ``closing <monotonic time>``, exactly as a click on the window's close button does.  A
heartbeat timer on the GUI thread records the longest gap between its ticks while the worker is busy:
``gap <seconds>`` is printed just before the close (a frozen window shows as a long gap).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import numpy as np

CLOSE_AFTER = 0.4  # seconds between the worker entering the phase and the close
reached = threading.Event()


def say(*words) -> None:
    print(*words, flush=True)


def announce(name, fn, when=lambda *a, **k: True):
    """``fn`` that first prints ``phase name`` (once) when ``when(*args, **kwargs)``."""

    def wrapped(*args, **kwargs):
        if when(*args, **kwargs) and not reached.is_set():
            say("phase", name)
            reached.set()
        return fn(*args, **kwargs)

    return wrapped


def fake_mnist(n_train: int, n_eval: int):
    from nndl_gui.data.mnist import Dataset, Mnist

    rng = np.random.default_rng(0)

    def make(n, name):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        return Dataset(rng.integers(0, 256, (n, 784)).astype(np.uint8), labels, name)

    return Mnist(make(n_train, "training"), make(n_eval, "validation"), make(n_eval, "test"), "fake", True)


def conv_job(ctx, mnist):
    """A chapter-6 epoch on the worker, as the Training tab's chapter-6 runs do."""
    import inspect

    from nndl_gui.engine import convnet
    from nndl_gui.engine.training import TrainingConfig

    net = convnet.ConvNet(convnet.parse_layers("conv20x5-pool2,fc100,softmax10"), rng=np.random.default_rng(0))
    ctx.set_network(net)
    config = TrainingConfig(epochs=1, mini_batch_size=10, eta=0.1)
    cancel = {"cancel": ctx.cancelled} if "cancel" in inspect.signature(convnet.sgd).parameters else {}
    for record in convnet.sgd(net, mnist.training, config, rng=np.random.default_rng(1),
                              validation_data=mnist.validation, test_data=mnist.test,
                              should_stop=ctx.should_stop, **cancel):
        yield record


def start(phase: str) -> None:
    from PySide6.QtWidgets import QApplication

    from nndl_gui.app import MainWindow

    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    if phase == "evaluation":
        from nndl_gui.engine.training import TrainingConfig
        from nndl_gui.jobs.training import TrainingRequest, training_job

        req = TrainingRequest(sizes=(784, 12000, 10), seed=0, limit=20,
                              config=TrainingConfig(epochs=1, mini_batch_size=10, eta=0.1))
        window.client.start_job("training", training_job, req, fake_mnist(20, 10_000))
    elif phase == "conv-epoch":
        window.client.start_job("chapter-6 training", conv_job, fake_mnist(20, 10_000))
    elif phase == "stuck":
        window.client.run_task(stuck_task)


def stuck_task(ctx):
    say("phase", "stuck")
    reached.set()
    time.sleep(30)


def main() -> int:
    phase = sys.argv[1]
    import nndl_gui.engine.convnet as convnet
    import nndl_gui.engine.io as io
    import nndl_gui.engine.training as training

    if phase == "evaluation":  # the epoch-end pass over a whole set (a live point passes no n_train)
        training.evaluate = announce(phase, training.evaluate, lambda *a, **k: "n_train" in k)
    elif phase == "conv-epoch":
        convnet.evaluate = announce(phase, convnet.evaluate)
    elif phase == "open":
        io.load_network = announce(phase, io.load_network)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nndl_gui.app import main as app_main

    app = QApplication([sys.argv[0]])
    state = {"last": None, "gap": 0.0, "closed": False}

    def tick():
        now = time.monotonic()
        if reached.is_set() and state["last"] is not None:
            state["gap"] = max(state["gap"], now - state["last"])
        state["last"] = now
        if reached.is_set() and not state["closed"]:
            state["closed"] = True
            QTimer.singleShot(int(CLOSE_AFTER * 1000), close)

    def close():
        window = next(w for w in QApplication.topLevelWidgets() if w.isWindow() and w.isVisible())
        say("gap", state["gap"])
        say("closing", time.monotonic())
        if "sigterm" in sys.argv[2:]:  # as a logout or `kill` would
            os.kill(os.getpid(), signal.SIGTERM)
            return
        window.close()
        say("closed", time.monotonic())  # closeEvent done: settings saved, engine thread ended or left

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(tick)
    heartbeat.start()
    QTimer.singleShot(0, lambda: start(phase))
    argv = ["--network", sys.argv[2]] if phase == "open" else []  # then, optionally, "sigterm"
    code = app_main(argv)
    say("returned", time.monotonic())
    return code


if __name__ == "__main__":
    sys.exit(main())
