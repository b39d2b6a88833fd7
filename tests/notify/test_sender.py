"""Posting to a real loopback receiver: retries, Retry-After, rate limit, no URL in logs."""

from __future__ import annotations

import json
import logging
import random
import time

from livestream.notify.events import EventWatcher, event_for
from livestream.notify.formats import Kind, Target
from livestream.notify.sender import Notifier
from livestream.retry import RetryPolicy
from livestream.session.snapshot import Snapshot
from livestream.session.states import State
from tests.webhook_receiver import Receiver

LIVE = Snapshot(state=State.LIVE, since=0.0, title="Class", playback_url="https://play.example/x")


def _notifier(url: str, kind: Kind = Kind.GENERIC, **kw) -> tuple[Notifier, list[float]]:
    slept: list[float] = []
    n = Notifier([Target(kind, url, f"{kind.label} #1")], sleep=slept.append, rng=random.Random(1),
                 policy=RetryPolicy(max_retries=2, base_delay=0.5, cap=4, max_retry_after=30), **kw)
    return n, slept


def test_a_server_error_is_retried_with_backoff_then_sent() -> None:
    with Receiver(answers=(503, 502)) as rx:
        n, slept = _notifier(rx.url)
        assert n.post(n.targets[0], event_for("live", LIVE)) == "sent"
    assert len(rx.requests) == 3 and len(slept) == 2 and slept[1] > slept[0] / 2


def test_retries_are_bounded() -> None:
    with Receiver(answers=(500,) * 10) as rx:
        n, _ = _notifier(rx.url)
        assert n.post(n.targets[0], event_for("live", LIVE)) == "failed: HTTP 500"
    assert len(rx.requests) == 3  # 1 + max_retries


def test_429_waits_what_retry_after_says() -> None:
    with Receiver(answers=(429,), retry_after="7") as rx:
        n, slept = _notifier(rx.url)
        assert n.post(n.targets[0], event_for("live", LIVE)) == "sent"
    assert slept == [7.0]


def test_a_long_retry_after_is_not_slept() -> None:
    with Receiver(answers=(429,), retry_after="600") as rx:
        n, slept = _notifier(rx.url)
        assert n.post(n.targets[0], event_for("live", LIVE)).startswith("failed: rate limited")
    assert slept == [] and len(rx.requests) == 1


def test_a_client_error_is_not_retried() -> None:
    with Receiver(answers=(404,)) as rx:
        n, _ = _notifier(rx.url)
        assert n.post(n.targets[0], event_for("live", LIVE)) == "failed: HTTP 404"
    assert len(rx.requests) == 1


def test_the_same_kind_is_rate_limited_but_other_kinds_are_not() -> None:
    now = [100.0]
    n, _ = _notifier("http://127.0.0.1:9/unused", min_interval=60, clock=lambda: now[0])
    n._ensure_thread = lambda: None  # only the decision is under test here
    assert n.submit(event_for("live", LIVE))
    assert not n.submit(event_for("live", LIVE))
    assert n.submit(event_for("failed", LIVE))
    now[0] += 61
    assert n.submit(event_for("live", LIVE))


def test_the_worker_thread_posts_and_logs_name_the_target_not_the_url(caplog) -> None:
    with Receiver() as rx:
        url = rx.url + "/api/webhooks/1/TOKEN-abcdef"
        n, _ = _notifier(url, Kind.DISCORD)
        with caplog.at_level(logging.INFO, logger="livestream"):
            assert n.submit(event_for("live", LIVE))
            n.close()
    assert json.loads(rx.requests[0].body)["content"].startswith("Class is live")
    assert rx.requests[0].path.endswith("TOKEN-abcdef")
    assert "Discord webhook #1" in caplog.text and "TOKEN-abcdef" not in caplog.text
    assert list(n.results) == [("Discord webhook #1", "live", "sent")]


def test_a_post_still_retrying_when_the_script_unloads_stops_instead_of_retrying_on() -> None:
    with Receiver(answers=(503,) * 50) as rx:
        n, _ = _notifier(rx.url)
        n._policy = RetryPolicy(max_retries=50, base_delay=0.2, cap=0.2, max_retry_after=30)
        n._sleep = time.sleep  # real waits: close() must cut into them
        assert n.submit(event_for("live", LIVE))
        thread = n._thread
        n.close(timeout=0.5)  # the unload's grace period runs out while the post retries
        thread.join(2)
        assert not thread.is_alive(), "the notify thread kept retrying after close()"
        tried = len(rx.requests)
    assert 1 <= tried < 50
    assert list(n.results) == [(f"{Kind.GENERIC.label} #1", "live", "failed: closed (HTTP 503)")]


def test_an_unreachable_target_fails_without_its_url_in_the_reason() -> None:
    n, _ = _notifier("http://127.0.0.1:9/hook-SECRET")  # port 9 (discard): refused
    outcome = n.post(n.targets[0], event_for("live", LIVE))
    assert outcome.startswith("failed: could not connect") and "SECRET" not in outcome


def test_the_watcher_emits_live_ended_failed_once_each() -> None:
    seen: list[dict] = []
    clock = [0.0]
    w = EventWatcher(seen.append, clock=lambda: clock[0])
    for state in (State.CREATING, State.WAITING_FOR_INGEST, State.LIVE, State.LIVE):
        w(Snapshot(state=state, since=0.0, title="Class", playback_url="https://play.example/x"))
    clock[0] = 90
    w(Snapshot(state=State.ENDING, since=0.0))
    w(Snapshot(state=State.ENDED, since=0.0, recording_url="https://rec.example/x"))
    w(Snapshot(state=State.CREATING, since=0.0))
    w(Snapshot(state=State.FAILED, since=0.0, message="no ingest"))
    assert [e["event"] for e in seen] == ["live", "ended", "failed"]
    assert "1:30" in seen[1]["text"] and "https://rec.example/x" in seen[1]["text"]
    assert seen[1]["playback_url"] == "https://play.example/x"  # kept from the live snapshot


def test_an_end_without_going_live_is_not_announced() -> None:
    seen: list[dict] = []
    w = EventWatcher(seen.append)
    w(Snapshot(state=State.CREATING, since=0.0))
    w(Snapshot(state=State.ENDED, since=0.0))
    assert seen == []


def test_a_session_recovered_while_live_is_not_announced_again_but_its_end_is() -> None:
    seen: list[dict] = []
    w = EventWatcher(seen.append)
    w(Snapshot(state=State.IDLE, since=0.0))
    w(Snapshot(state=State.LIVE, since=0.0, title="Class"))  # a script reload, OBS still streaming
    w(Snapshot(state=State.ENDING, since=0.0))
    w(Snapshot(state=State.ENDED, since=0.0))
    assert [e["event"] for e in seen] == ["ended"]
    assert seen[0]["text"] == "Class has ended."  # no duration: not known after a reload
