"""Whether to retry an HTTP call, and how long to wait first: small pure functions.

The HTTP layer (``livestream.http``) asks ``should_retry`` after every failed
attempt and sleeps ``backoff_delay`` seconds (through an injectable sleeper) before
the next one. Nothing here does I/O, reads the clock or draws random numbers on its
own, so the policy is tested exhaustively and instantly (``tests/test_retry.py``).

The rules (stripe-python style: never retry a non-idempotent create blindly):

* A request that provably never left this machine (``CONNECT``: DNS failure,
  connection refused, connect timeout) is retried whatever its method: the server
  cannot have acted on it.
* A request that may have reached the server (``READ_TIMEOUT``, ``CONNECTION_LOST``,
  or any HTTP status) is retried only when it is *idempotent*: GET, HEAD, OPTIONS,
  PUT and DELETE by method, or a POST the caller marks idempotent because repeating
  it cannot create a second resource (see ``livestream.providers.tpstreams`` for
  ``start_server`` and ``stop_live_stream``). A POST that creates a live stream, or
  logs in (each TP Streams login mints a token, at most 20 per organization), is
  never retried once it may have been sent.
* Retried statuses: 429 (rate limited) and 500/502/503/504 (the provider or its
  gateway failed). 500 is included because repeating an idempotent request is
  harmless, and providers answer 500 for transient database hiccups.
* TLS failures are not retried: a bad certificate does not fix itself in a second.
* At most ``max_retries`` retries (3 by default: 4 attempts in all).

Backoff is exponential with "equal jitter" (half fixed, half random), capped at
``cap`` seconds, so concurrent clients do not retry in lockstep. A ``Retry-After``
the provider sent is honoured as is (FastPix's rate limiter sends one: FastPix's WordPress plugin honours it,
https://github.com/FastPix/wordpress/blob/947c38f0b762bc2b79428bc201674e18e0d93bbe/includes/class-fastpix-api-client.php);
the HTTP layer refuses to sleep a ``Retry-After`` above ``max_retry_after`` and
raises ``RateLimitedError`` instead, so an OBS worker never sleeps for minutes.
"""

from __future__ import annotations

import email.utils
import enum
import math
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class ExcKind(str, enum.Enum):
    """What kind of transport failure happened, as far as retrying is concerned."""

    CONNECT = "connect"  # nothing was sent: DNS, refused, connect timeout
    TLS = "tls"  # the TLS handshake failed (certificate, protocol): nothing sent, not transient
    READ_TIMEOUT = "read_timeout"  # sent, no answer in time: the server may have acted
    CONNECTION_LOST = "connection_lost"  # reset/closed mid-exchange: the server may have acted
    TOO_SLOW = "too_slow"  # the whole request outlived its deadline (a drip): not retried, it was spent
    OTHER = "other"  # a bad URL, too many redirects...: retrying will not help


@dataclass(frozen=True)
class RetryPolicy:
    """The knobs of the retry policy; the defaults are the product's."""

    max_retries: int = 3
    base_delay: float = 0.5
    cap: float = 8.0
    max_retry_after: float = 30.0


DEFAULT_POLICY = RetryPolicy()


def is_idempotent(method: str) -> bool:
    """True for the methods HTTP defines as idempotent (RFC 9110 9.2.2)."""
    return method.upper() in IDEMPOTENT_METHODS


def should_retry(
    method: str,
    status: Optional[int],
    exc_kind: Optional[ExcKind],
    attempt: int,
    idempotent: bool,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> bool:
    """Whether to send the request again after attempt number ``attempt`` (0-based) failed.

    ``status`` is the HTTP status of the answer, or None if there was none; then
    ``exc_kind`` says why. ``method`` is informational (``idempotent`` decides), kept
    so the call reads like the log line it explains.
    """
    del method  # the caller has already folded the method into ``idempotent``
    if attempt >= policy.max_retries:
        return False
    if status is None:
        if exc_kind is ExcKind.CONNECT:
            return True  # never left this machine: safe even for a create
        if exc_kind in (ExcKind.READ_TIMEOUT, ExcKind.CONNECTION_LOST):
            return idempotent
        return False  # TLS, OTHER, or unknown
    if status == 429:
        # "Too Many Requests" is a refusal before any work (RFC 6585): nothing was
        # created, so even a create may be sent again, after the Retry-After wait.
        return True
    return idempotent and status in RETRY_STATUSES


def backoff_delay(
    attempt: int,
    retry_after: Optional[float],
    rng: random.Random,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (``attempt`` is 0-based).

    With a ``retry_after`` from the provider, exactly that (never negative). Without,
    ``min(cap, base * 2**attempt)``, half of it fixed and half drawn from ``rng``.
    """
    if retry_after is not None:
        return max(0.0, float(retry_after))
    ceiling = min(policy.cap, policy.base_delay * (2 ** max(0, attempt)))
    return ceiling / 2 + rng.random() * ceiling / 2


def parse_retry_after(value: Optional[str], *, now: Optional[datetime] = None) -> Optional[float]:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP-date (RFC 9110 10.2.3).

    None when the header is absent or unreadable; 0 for a date in the past.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isnan(seconds) or math.isinf(seconds):
            return None
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())
