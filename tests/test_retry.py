"""The retry policy: when to send a request again, and how long to wait first."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from livestream.retry import (
    DEFAULT_POLICY,
    ExcKind,
    RetryPolicy,
    backoff_delay,
    is_idempotent,
    parse_retry_after,
    should_retry,
)


class FixedRandom(random.Random):
    """``random()`` always returns ``value``."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "get", "put"])
def test_it_treats_safe_and_replaceable_methods_as_idempotent(method):
    assert is_idempotent(method)


@pytest.mark.parametrize("method", ["POST", "PATCH", "post"])
def test_it_treats_post_and_patch_as_not_idempotent(method):
    assert not is_idempotent(method)


@pytest.mark.parametrize("idempotent", [True, False])
def test_it_retries_any_request_that_never_left_the_machine(idempotent):
    assert should_retry("POST", None, ExcKind.CONNECT, 0, idempotent)


@pytest.mark.parametrize("kind", [ExcKind.READ_TIMEOUT, ExcKind.CONNECTION_LOST])
def test_it_never_retries_a_create_that_may_have_reached_the_server(kind):
    assert not should_retry("POST", None, kind, 0, idempotent=False)


@pytest.mark.parametrize("kind", [ExcKind.READ_TIMEOUT, ExcKind.CONNECTION_LOST])
def test_it_retries_an_idempotent_call_after_a_timeout_or_a_lost_connection(kind):
    assert should_retry("GET", None, kind, 0, idempotent=True)


@pytest.mark.parametrize("kind", [ExcKind.TLS, ExcKind.OTHER])
def test_it_does_not_retry_failures_that_a_retry_cannot_fix(kind):
    assert not should_retry("GET", None, kind, 0, idempotent=True)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_it_retries_an_idempotent_call_after_429_and_5xx(status):
    assert should_retry("GET", status, None, 0, idempotent=True)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_it_never_retries_a_create_after_a_server_error(status):
    assert not should_retry("POST", status, None, 0, idempotent=False)


def test_it_retries_a_create_refused_with_429_because_nothing_was_created():
    assert should_retry("POST", 429, None, 0, idempotent=False)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 501])
def test_it_does_not_retry_answers_that_will_not_change(status):
    assert not should_retry("GET", status, None, 0, idempotent=True)


def test_it_gives_up_after_the_maximum_number_of_retries():
    policy = RetryPolicy(max_retries=3)
    assert [should_retry("GET", 503, None, a, True, policy=policy) for a in range(5)] == [
        True, True, True, False, False]
    assert not should_retry("POST", None, ExcKind.CONNECT, 3, False, policy=policy)


def test_the_backoff_doubles_and_is_capped():
    top = FixedRandom(1.0)  # the jitter at its maximum: the ceiling itself
    delays = [backoff_delay(a, None, top) for a in range(8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert max(delays) == DEFAULT_POLICY.cap


def test_the_backoff_jitter_keeps_at_least_half_the_delay():
    assert backoff_delay(2, None, FixedRandom(0.0)) == 1.0
    rng = random.Random(42)
    for attempt in range(6):
        ceiling = min(8.0, 0.5 * 2**attempt)
        for _ in range(50):
            assert ceiling / 2 <= backoff_delay(attempt, None, rng) <= ceiling


def test_the_backoff_honours_retry_after_exactly():
    assert backoff_delay(0, 12.5, FixedRandom(0.7)) == 12.5
    assert backoff_delay(5, 0.0, FixedRandom(0.7)) == 0.0
    assert backoff_delay(0, -3.0, FixedRandom(0.7)) == 0.0


@pytest.mark.parametrize("header, seconds", [("7", 7.0), (" 2.5 ", 2.5), ("0", 0.0), ("-4", 0.0)])
def test_it_reads_retry_after_in_seconds(header, seconds):
    assert parse_retry_after(header) == seconds


def test_it_reads_retry_after_as_an_http_date():
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = "Sat, 01 Mar 2025 12:00:45 GMT"
    assert parse_retry_after(later, now=now) == 45.0
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", now=now) == 0.0


def test_an_http_date_retry_after_is_relative_to_the_clock():
    soon = datetime.now(timezone.utc) + timedelta(seconds=90)
    header = soon.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 85 <= parse_retry_after(header) <= 91


@pytest.mark.parametrize("header", [None, "", "soon", "nan", "inf"])
def test_it_ignores_an_unreadable_retry_after(header):
    assert parse_retry_after(header) is None
