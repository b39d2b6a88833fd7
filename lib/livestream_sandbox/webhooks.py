"""Webhook delivery: a background thread with a queue, bounded retries, never on the API's path.

TP Streams (https://developer.tpstreams.com/docs/server-api/webhooks): the full asset JSON,
header ``x-streams-token: <secret_token>``.
FastPix (https://docs.fastpix.io/docs/live-events): a ``video.live_stream.*`` envelope signed with
header ``FastPix-Signature`` = base64(HMAC-SHA256(raw body, secret))
(https://docs.fastpix.io/docs/webhook-signature-verification).

Each job is tried up to ``attempts`` times (a 2xx answer ends it) with short pauses;
the outcome is reported through ``on_result`` (the sandbox logs it as an event).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import time
import urllib.error
import urllib.request
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Optional

log = logging.getLogger(__name__)

_BACKOFF = (0.2, 0.5, 1.0)


def fastpix_signature(body: bytes, secret: str) -> str:
    """``FastPix-Signature``: base64 of HMAC-SHA256 of the raw body keyed by the secret's UTF-8 bytes."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass
class Delivery:
    url: str
    body: bytes
    headers: dict
    meta: dict = field(default_factory=dict)  # provider, stream_id, type... for the event log


class WebhookDispatcher:
    """Delivers webhooks in order on one background thread (a one-worker pool keeps them in order)."""

    def __init__(self, on_result: Callable[[Delivery, bool, Optional[int], str, int], None], *,
                 attempts: int = 3, timeout: float = 2.0) -> None:
        self._on_result = on_result
        self._attempts = max(1, attempts)
        self._timeout = timeout
        self._pool: Optional[ThreadPoolExecutor] = None
        self._stopping = threading.Event()

    def start(self) -> None:
        self._stopping.clear()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="sandbox-webhooks")

    def stop(self, timeout: float = 2.0) -> None:
        """Deliver what is queued for up to ``timeout`` seconds, then give up."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        futures.wait([pool.submit(lambda: None)], timeout)  # done once all queued before it are
        self._stopping.set()  # what is left stops before its next attempt
        pool.shutdown(wait=False, cancel_futures=True)

    def send(self, delivery: Delivery) -> None:
        if self._pool is not None:
            self._pool.submit(self._deliver, delivery)

    def _deliver(self, job: Delivery) -> None:
        status: Optional[int] = None
        error = ""
        for attempt in range(1, self._attempts + 1):
            if self._stopping.is_set():
                break
            status, error = self._post(job)
            if status is not None and 200 <= status < 300:
                self._on_result(job, True, status, "", attempt)
                return
            if attempt < self._attempts:
                time.sleep(_BACKOFF[min(attempt - 1, len(_BACKOFF) - 1)])
        self._on_result(job, False, status, error, self._attempts)

    def _post(self, job: Delivery) -> tuple[Optional[int], str]:
        headers = {"Content-Type": "application/json", "User-Agent": "obs-livestream-sandbox", **job.headers}
        request = urllib.request.Request(job.url, data=job.body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                answer.read()
                return answer.status, ""
        except urllib.error.HTTPError as exc:
            return exc.code, f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            log.debug("webhook to %s failed: %s", job.url, exc)
            return None, type(exc).__name__
