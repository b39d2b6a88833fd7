"""The worker thread that runs every blocking provider call.

Inside OBS no OBS thread may block on the network (timers run on the render thread,
buttons on the UI thread), and a worker must never call obspython. So provider calls
are submitted here; each result (or exception) is handed to a callback *on the
worker thread*, and that callback only puts it into the controller's queue, which
the script's timer drains.

Jobs run one at a time, in order: an "end" submitted after a "create" runs after it.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, Optional

from .. import secrets
from ..errors import LivestreamError

log = logging.getLogger(__name__)

Done = Callable[[Any, Optional[BaseException]], None]


class Worker:
    """One daemon thread draining a job queue."""

    def __init__(self, name: str = "obs-livestream-worker") -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[[], Any], done: Done) -> None:
        with self._lock:
            if not self._started:
                self._thread.start()
                self._started = True
        self._jobs.put((fn, done))

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, done = job
            try:
                result, error = fn(), None
            except BaseException as exc:  # noqa: BLE001 - handed to the controller
                result, error = None, exc
            try:
                done(result, error)
            except Exception:  # pragma: no cover - a bug in a callback must not kill the worker
                log.exception("worker callback failed")

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the thread to finish after the running job; wait up to ``timeout``."""
        if self._started:
            self._jobs.put(None)
            self._thread.join(timeout)


class InlineWorker:
    """Runs each job at once on the caller's thread: deterministic tests and CLI use."""

    def submit(self, fn: Callable[[], Any], done: Done) -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:  # noqa: BLE001
            result, error = None, exc
        done(result, error)

    def stop(self, timeout: float = 0.0) -> None:
        pass


def as_error(error: BaseException) -> LivestreamError:
    """A worker's exception as one of ours (a bug's text redacted)."""
    if isinstance(error, LivestreamError):
        return error
    return LivestreamError(f"Unexpected error: {secrets.redact(error)}")


def call_with_deadline(fn: Callable[[], Any], timeout: float) -> Any:
    """Run ``fn`` on a daemon thread; its result, or None after ``timeout`` seconds."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    thread = threading.Thread(target=run, name="obs-livestream-exit", daemon=True)
    thread.start()
    thread.join(timeout)
    if "error" in box:
        raise as_error(box["error"])
    return box.get("result")
