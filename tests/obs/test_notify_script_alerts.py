"""The alerts from the script in the fake OBS, posted to a real receiver on loopback: OBS
reconnecting, dropped frames (from OBS's output counters), a pre-flight problem minutes
ahead, and a go-live missed while OBS was closed."""

from __future__ import annotations

import json
import sys
import time

from script_harness import Script
from test_notify_glue import receiver  # noqa: F401 - the loopback receiver fixture
from test_schedule_glue import local_text, with_clock

from livestream.errors import AuthenticationError


def events(rx) -> list[dict]:
    return [json.loads(r.body) for r in rx.requests]


def live_dropping_frames(script: Script, studio, rx) -> None:
    """Go live, then OBS drops 20% of 300 frames: wait for the dropped_frames post."""
    script.go_live()
    script.tick_until(lambda: "live" in [e["event"] for e in events(rx)], what="the live post")
    output = studio.output
    output.total_frames, output.frames_dropped = 300, 0
    time.sleep(1.1)  # OBS's counters are read once a second: this tick takes the first sample
    script.ticks(3)
    time.sleep(1.1)
    output.total_frames, output.frames_dropped = 600, 60  # 20% of the last 300 frames
    script.tick_until(lambda: "dropped_frames" in [e["event"] for e in events(rx)], what="dropped_frames")


def test_a_pre_flight_problem_is_posted_with_what_to_do(script: Script, backend, receiver):  # noqa: F811
    backend.fail["check_credentials"] = AuthenticationError("The provider refused the credentials")
    script.load(schedule_at=local_text(time.time() + 600), notify_urls=f"{receiver.url}/json/TOKEN-j1")
    clock = with_clock(script)
    script.panel().click("schedule_set")
    clock.offset = 330  # 4.5 minutes ahead: the pre-flight runs
    script.tick_until(lambda: receiver.requests, what="the schedule_problem post")
    [event] = events(receiver)
    assert event["event"] == "schedule_problem"
    assert "Pre-flight check:" in event["message"] and "refused the credentials" in event["message"]
    assert "fix it before the set time" in event["message"]
    assert b"TOKEN-" not in receiver.requests[0].body


def test_a_go_live_missed_while_obs_was_closed_is_posted(script: Script, backend, receiver):  # noqa: F811
    script.load(schedule_at=local_text(time.time() + 60), notify_urls=f"{receiver.url}/json/TOKEN-j1")
    script.panel().click("schedule_set")
    script.host.unload()  # OBS closed...
    script.host.load()  # ...and opened ten minutes after the time
    with_clock(script).offset = 60 + 600
    script.tick_until(lambda: receiver.requests, what="the schedule_missed post")
    [event] = events(receiver)
    assert event["event"] == "schedule_missed"
    assert event["message"].startswith("Skipped the go-live scheduled at")
    assert backend.count("create") == 0


def test_obs_reconnecting_and_dropping_frames_are_posted_while_live(script: Script, studio, receiver):  # noqa: F811
    script.load(notify_urls=f"{receiver.url}/json/TOKEN-j1", notify_reconnect_seconds=1, notify_dropped_percent=5)
    live_dropping_frames(script, studio, receiver)
    studio.lose_connection()
    script.tick_until(lambda: "reconnecting" in [e["event"] for e in events(receiver)], timeout=8,
                      what="the reconnecting post")
    by_kind = {e["event"]: e for e in events(receiver)}
    assert by_kind["dropped_frames"]["dropped_percent"] >= 5
    assert by_kind["dropped_frames"]["stream_id"] == by_kind["live"]["stream_id"]
    assert by_kind["reconnecting"]["message"].startswith("OBS lost the connection to")
    assert all(b"TOKEN-" not in r.body for r in receiver.requests)


class _Later:
    """``time.monotonic`` plus ``offset`` seconds: minutes pass at once for the open-stream alert."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def test_dropped_frames_and_a_stream_left_open_are_posted_with_the_dock_server_down(
        script: Script, studio, backend, receiver, monkeypatch):  # noqa: F811
    import http.server

    def no_free_port(self) -> None:
        raise OSError(98, "Address already in use")

    with monkeypatch.context() as patch:  # only the dock's bind fails: the receiver already listens
        patch.setattr(http.server.HTTPServer, "server_bind", no_free_port)
        script.load(notify_urls=f"{receiver.url}/json/TOKEN-j1", notify_dropped_percent=5, notify_open_minutes=1)
    assert not script.app.dock.server.running and script.app.dock.url is None
    live_dropping_frames(script, studio, receiver)

    unavailable = sys.modules["livestream.errors"].ProviderServerError
    backend.fail["end"] = [unavailable("The provider failed (503)")] * 50  # the end keeps failing
    later = _Later()
    script.app.notifications._open_watch._clock = later
    studio.stop()
    script.tick_until(lambda: script.state == "failed", timeout=15, what="the failed end")
    script.tick_until(lambda: script.app.dock.reader.open_streams, timeout=3, what="the open stream read")
    script.ticks(2)
    time.sleep(1.1)
    later.offset = 61  # a minute after it was handed to pending ends
    script.tick_until(lambda: "stream_left_open" in [e["event"] for e in events(receiver)], timeout=5,
                      what="the stream_left_open post")
    by_kind = {e["event"]: e for e in events(receiver)}
    assert by_kind["dropped_frames"]["dropped_percent"] >= 5
    assert by_kind["stream_left_open"]["stream_ids"] == "s1"
    assert "503" in by_kind["stream_left_open"]["message"]
    assert "End all open streams" in by_kind["stream_left_open"]["message"]
    assert all(b"TOKEN-" not in r.body for r in receiver.requests)


def test_a_scheduled_go_live_refused_at_its_time_posts_failed_with_what_to_do(script: Script, backend,
                                                                               receiver):  # noqa: F811
    script.load(title="", schedule_at=local_text(time.time() + 600), notify_urls=f"{receiver.url}/json/TOKEN-j1")
    clock = with_clock(script)
    script.panel().click("schedule_set")
    clock.offset = 600  # the set time: the go-live cannot even be built (no title)
    script.tick_until(lambda: "failed" in [e["event"] for e in events(receiver)], what="the failed post")
    failed = [e for e in events(receiver) if e["event"] == "failed"][0]
    assert failed["message"].startswith("Going live failed: Could not go live at the scheduled time:")
    assert "title" in failed["message"].lower() and "\nWhat to do: " in failed["message"] and failed["hint"]
    assert backend.count("create") == 0
    assert "title" in script.app.notice[0].lower()  # the panel says so too
    assert all(b"TOKEN-" not in r.body for r in receiver.requests)
