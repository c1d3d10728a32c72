""""Newest request wins": one coalescing channel of worker tasks, used by the Draw, Inspector and
Playground tabs.

A stroke, a slider or a drag can ask for a new computation 60 times a second.  ``LatestTask`` keeps at
most one task in flight on the worker; a request made meanwhile replaces any earlier waiting one and is
sent when the task in flight comes back.  A result that arrives after a newer request was made is
*superseded*: it is dropped (or, with ``show_superseded=True``, still shown as live feedback — the Draw
tab's bars follow a growing stroke) and the newest request is sent.  ``discard()`` forgets the waiting
request and any result on its way (a cleared canvas); ``close()`` does that for good.  GUI thread only.
"""

from __future__ import annotations

from typing import Callable


class LatestTask:
    """One coalescing channel of ``client.run_task`` requests.  Use from the GUI thread only."""

    def __init__(self, client, on_result: Callable, on_error: Callable | None = None, *,
                 show_superseded: bool = False):
        self._client = client
        self._on_result = on_result
        self._on_error = on_error
        self._show_superseded = show_superseded
        self._pending: tuple | None = None  # (fn, args) waiting for the in-flight task to come back
        self._inflight: int | None = None  # task id
        self._inflight_wanted = False  # False once discard() was called after it was sent
        self._closed = False
        self.sent = 0  # tasks actually sent (for tests and curiosity)
        self.dropped = 0  # superseded or discarded results not shown

    @property
    def idle(self) -> bool:
        """Nothing in flight and nothing waiting."""
        return self._inflight is None and self._pending is None

    def request(self, fn: Callable, *args) -> None:
        """Ask for ``fn(ctx, *args)`` on the worker; replaces any request not yet sent."""
        if self._closed:
            return
        self._pending = (fn, args)
        if self._inflight is None:
            self._send()

    def discard(self) -> None:
        """Forget the waiting request and drop the result of the one in flight (the channel stays open)."""
        self._pending = None
        self._inflight_wanted = False

    def close(self) -> None:
        """Forget everything for good: later requests are ignored and later results dropped."""
        self._closed = True
        self._pending = None
        if self._inflight is not None:
            self._client.cancel_task(self._inflight)
            self._inflight = None

    def _send(self) -> None:
        fn, args = self._pending
        self._pending = None
        self.sent += 1
        self._inflight_wanted = True
        self._inflight = self._client.run_task(fn, *args, on_result=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        self._inflight = None
        if self._closed:
            return
        wanted = self._inflight_wanted and (self._pending is None or self._show_superseded)
        if wanted:
            self._on_result(result)
        else:
            self.dropped += 1
        if self._pending is not None and not self._closed:
            self._send()

    def _failed(self, message: str) -> None:
        self._inflight = None
        if self._closed:
            return
        if self._pending is not None:
            self._send()
            return
        if self._inflight_wanted and self._on_error is not None:
            self._on_error(message)
