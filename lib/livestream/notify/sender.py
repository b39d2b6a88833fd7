"""``Notifier``: posts events to every target on its own daemon thread.

Never on an OBS thread and never on the session worker: ``submit`` only puts the event
on a queue. Each post gets bounded retries with the product's backoff (``livestream.retry``:
429 honours ``Retry-After`` up to ``max_retry_after``; 5xx and connection failures are
retried; other 4xx are not, a wrong URL does not fix itself). A rate limit per event kind
drops an event that repeats within ``min_interval`` seconds (a flapping stream must not
flood a channel). Logs name a target ("Discord webhook #1"), never its URL. ``close``
(the script's unload) gives queued events a few seconds to go out; after that the thread
gives up instead of retrying on, unseen, in an OBS that has unloaded the script.
"""

from __future__ import annotations

import collections
import logging
import queue
import random
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Optional

from .. import secrets
from ..retry import DEFAULT_POLICY, RetryPolicy, backoff_delay, parse_retry_after
from .formats import Target, build_request

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Notifier:
    def __init__(self, targets: list[Target], *, policy: RetryPolicy = DEFAULT_POLICY,
                 min_interval: float = 60.0, timeout: float = 10.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 rng: Optional[random.Random] = None) -> None:
        self.targets = list(targets)
        secrets.register(*(t.url for t in self.targets))
        self._policy, self._min_interval, self._timeout = policy, min_interval, timeout
        self._sleep, self._clock, self._rng = sleep, clock, rng or random.Random()
        self._last: dict[str, float] = {}
        self._queue: queue.Queue = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._closed = threading.Event()  # set once close() has waited: no more retries
        #: (target name, event kind, outcome) of the latest posts (bounded: OBS runs for days).
        self.results: collections.deque[tuple[str, str, str]] = collections.deque(maxlen=50)

    def submit(self, event: dict[str, Any], *, force: bool = False) -> bool:
        """Queue ``event`` for every target; False if there are none or it is rate limited."""
        if not self.targets:
            return False
        kind, now = event["event"], self._clock()
        last = self._last.get(kind)
        if not force and last is not None and now - last < self._min_interval:
            log.info("notification %r skipped: another one was sent %.0f s ago", kind, now - last)
            return False
        self._last[kind] = now
        self._ensure_thread()
        self._queue.put(event)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Let queued events go out (up to ``timeout``), then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._closed.set()  # a post still retrying stops at its next attempt
            self._thread = None

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="livestream-notify", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            for target in self.targets:
                outcome = self.post(target, event)
                self.results.append((target.name, event["event"], outcome))

    def post(self, target: Target, event: dict[str, Any]) -> str:
        """Send one event to one target, retrying; returns "sent" or why not (no URL in it)."""
        body, headers = build_request(target.kind, event)
        attempt = 0
        while True:
            status, retry_after, why = self._attempt(target, body, headers)
            if status is not None and 200 <= status < 300:
                log.info("notification %r sent to %s", event["event"], target.name)
                return "sent"
            retryable = status in RETRY_STATUSES or status is None
            if not retryable or attempt >= self._policy.max_retries:
                log.warning("notification %r to %s failed: %s", event["event"], target.name, why)
                return f"failed: {why}"
            if retry_after is not None and retry_after > self._policy.max_retry_after:
                log.warning("notification %r to %s: rate limited for %.0f s, not waiting",
                            event["event"], target.name, retry_after)
                return f"failed: rate limited for {retry_after:.0f} s"
            self._sleep(backoff_delay(attempt, retry_after, self._rng, policy=self._policy))
            attempt += 1
            if self._closed.is_set():  # unloaded while this post waited to retry
                log.warning("notification %r to %s not sent: the script was unloaded (%s)",
                            event["event"], target.name, why)
                return f"failed: closed ({why})"

    def _attempt(self, target: Target, body: bytes, headers: dict[str, str]):
        request = urllib.request.Request(target.url, data=body, method="POST",
                                         headers={"User-Agent": "obs-livestream", **headers})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                return answer.status, None, f"HTTP {answer.status}"
        except urllib.error.HTTPError as exc:
            return exc.code, parse_retry_after(exc.headers.get("Retry-After")), f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            # urllib puts the URL in some messages: keep only the reason's type.
            reason = getattr(exc, "reason", exc)
            return None, None, f"could not connect ({type(reason).__name__})"
