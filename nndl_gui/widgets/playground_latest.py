"""Coalesced worker requests for the playground: only the newest request matters.

A slider or a drag can ask for a new evaluation 60 times a second.  ``LatestTask`` keeps at most one task
in flight on the worker; a request made meanwhile replaces any earlier waiting one, and a result that
arrives after a newer request was made is stale and dropped (the newest request is sent instead).
"""

from __future__ import annotations

from typing import Callable


class LatestTask:
    """One coalescing channel of ``client.run_task`` requests.  Use from the GUI thread only."""

    def __init__(self, client, on_result: Callable, on_error: Callable | None = None):
        self._client = client
        self._on_result = on_result
        self._on_error = on_error
        self._pending: tuple | None = None  # (fn, args) waiting for the in-flight task to come back
        self._inflight: int | None = None  # task id
        self._closed = False
        self.sent = 0  # tasks actually sent (for tests and curiosity)
        self.dropped = 0  # stale results dropped

    @property
    def idle(self) -> bool:
        return self._inflight is None and self._pending is None

    def request(self, fn: Callable, *args) -> None:
        if self._closed:
            return
        self._pending = (fn, args)
        if self._inflight is None:
            self._send()

    def _send(self) -> None:
        fn, args = self._pending
        self._pending = None
        self.sent += 1
        self._inflight = self._client.run_task(fn, *args, on_result=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        self._inflight = None
        if self._closed:
            return
        if self._pending is not None:  # a newer request exists: this result is stale
            self.dropped += 1
            self._send()
            return
        self._on_result(result)

    def _failed(self, message: str) -> None:
        self._inflight = None
        if self._closed:
            return
        if self._pending is not None:
            self._send()
            return
        if self._on_error is not None:
            self._on_error(message)

    def close(self) -> None:
        """Forget everything: later results are dropped."""
        self._closed = True
        self._pending = None
        if self._inflight is not None:
            self._client.cancel_task(self._inflight)
            self._inflight = None
