"""The alerts of ``livestream.notify.alerts``: what triggers each, what does not, and its payload.

Each watcher is driven with plain snapshots, health samples and open-stream views on a
fake clock; the payloads go through ``formats.build_request`` for all four formats and
must carry no registered secret.
"""

from __future__ import annotations

import json

import pytest

from livestream import bounds, secrets
from livestream.errors import ConfigurationError
from livestream.notify import alerts
from livestream.notify.formats import Kind, build_request
from livestream.session.schedule import Scheduler, ScheduleStore, Timing
from livestream.session.snapshot import Snapshot
from livestream.session.states import State

LIMITS = alerts.Thresholds(reconnect_seconds=30, open_minutes=10, dropped_percent=5)
SECRET = "sk-live-4242424242-SECRET"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def live(**changes) -> Snapshot:
    base = dict(state=State.LIVE, since=0.0, provider="TP Streams", stream_id="s-1", title="Maths",
                playback_url="https://play.example/s-1")
    return Snapshot(**{**base, **changes})


def every_format(event: dict) -> dict[Kind, tuple[bytes, dict]]:
    return {kind: build_request(kind, event) for kind in Kind}


def assert_no_secret(event: dict) -> None:
    for body, headers in every_format(event).values():
        assert SECRET.encode() not in body and all(SECRET not in v for v in headers.values())


@pytest.fixture(autouse=True)
def registered_secret():
    secrets.register(SECRET)


# --- OBS reconnecting ---------------------------------------------------------------------

def test_reconnecting_alerts_once_after_the_set_seconds_and_again_after_a_recovery() -> None:
    clock = Clock()
    watch = alerts.ReconnectWatch(clock)
    assert watch(live(reconnecting=True), LIMITS, "obs") == []
    clock.now += 29
    assert watch(live(reconnecting=True), LIMITS, "obs") == []  # not yet 30 s
    clock.now += 1
    [event] = watch(live(reconnecting=True), LIMITS, "obs")
    clock.now += 5
    assert watch(live(reconnecting=True), LIMITS, "obs") == []  # once per episode
    assert watch(live(reconnecting=False), LIMITS, "obs") == []
    assert watch(live(reconnecting=True), LIMITS, "obs") == []  # a new episode starts its own count
    clock.now += 30
    assert len(watch(live(reconnecting=True), LIMITS, "obs")) == 1

    assert event["event"] == "reconnecting" and event["reconnecting_s"] == 30
    assert event["text"].startswith('OBS lost the connection to TP Streams while streaming "Maths"')
    assert "for 0:30" in event["text"] and "What to do:" in event["text"]
    generic = json.loads(every_format(event)[Kind.GENERIC][0])
    assert generic["event"] == "reconnecting" and generic["stream_id"] == "s-1" and generic["reconnecting_s"] == 30
    assert every_format(event)[Kind.NTFY][1]["Title"] == "OBS is reconnecting"
    assert json.loads(every_format(event)[Kind.DISCORD][0])["content"] == event["text"]


def test_a_short_reconnect_or_one_outside_a_live_session_says_nothing() -> None:
    clock = Clock()
    watch = alerts.ReconnectWatch(clock)
    watch(live(reconnecting=True), LIMITS, "obs")
    clock.now += 20
    assert watch(live(reconnecting=False), LIMITS, "obs") == []
    clock.now += 60
    assert watch(live(state=State.ENDING, reconnecting=True), LIMITS, "obs") == []


# --- the provider's status --------------------------------------------------------------

def test_the_provider_reporting_disconnected_alerts_once_until_it_streams_again() -> None:
    watch = alerts.ProviderWatch()
    assert watch(live(stream_status="live", provider_status="Streaming"), LIMITS, "obs") == []
    [event] = watch(live(stream_status="disconnected", provider_status="Disconnected"), LIMITS, "obs")
    assert watch(live(stream_status="disconnected", provider_status="Disconnected"), LIMITS, "obs") == []
    assert watch(live(stream_status="live", provider_status="Streaming"), LIMITS, "obs") == []
    assert len(watch(live(stream_status="disconnected", provider_status="Disconnected"), LIMITS, "obs")) == 1

    assert event["event"] == "provider_disconnected" and event["provider_status"] == "Disconnected"
    assert event["text"].startswith('TP Streams reports "Maths" as Disconnected')
    assert json.loads(every_format(event)[Kind.SLACK][0])["text"] == event["text"]
    assert json.loads(every_format(event)[Kind.GENERIC][0])["provider_status"] == "Disconnected"


def test_the_provider_reporting_an_error_is_its_own_kind_with_what_to_do() -> None:
    [event] = alerts.ProviderWatch()(live(stream_status="error", provider_status="Error"), LIMITS, "cli")
    assert event["event"] == "provider_error" and event["origin"] == "cli"
    assert "What to do: end it and go live again" in event["text"]
    assert every_format(event)[Kind.NTFY][1]["Title"] == "The provider reports the stream in error"


def test_a_disconnected_status_outside_live_says_nothing() -> None:
    # Waiting for the ingest, "Disconnected" is what a stream that never had an encoder may say.
    watch = alerts.ProviderWatch()
    assert watch(live(state=State.WAITING_FOR_INGEST, stream_status="disconnected"), LIMITS, "obs") == []
    assert watch(live(stream_status="unknown"), LIMITS, "obs") == []


# --- a stream left open -----------------------------------------------------------------

def open_stream(entry_id: str = "e1", **changes) -> dict:
    return {"entry_id": entry_id, "provider": "TP Streams", "stream_id": f"s-{entry_id}", "title": "Old class",
            "state": "end-failed", "last_error": f"HTTP 503 from https://api.invalid/?token={SECRET}", **changes}


def test_a_stream_still_open_after_the_set_minutes_alerts_once_naming_it_without_secrets() -> None:
    clock = Clock()
    watch = alerts.OpenStreamWatch(clock)
    assert watch([open_stream()], LIMITS, "obs") == []
    clock.now += 9 * 60
    assert watch([open_stream()], LIMITS, "obs") == []
    clock.now += 60
    [event] = watch([open_stream()], LIMITS, "obs")
    clock.now += 600
    assert watch([open_stream()], LIMITS, "obs") == []

    assert event["event"] == "stream_left_open" and event["stream_ids"] == "s-e1"
    assert "TP Streams stream s-e1 'Old class' (HTTP 503" in event["text"]
    assert "End all open streams" in event["text"]
    assert SECRET not in event["text"]
    assert_no_secret(event)


def test_a_stream_ended_before_the_minutes_are_up_says_nothing() -> None:
    clock = Clock()
    watch = alerts.OpenStreamWatch(clock)
    watch([open_stream()], LIMITS, "obs")
    clock.now += 9 * 60
    assert watch([], LIMITS, "obs") == []  # pending ends ended it
    clock.now += 5 * 60
    assert watch([open_stream("e2")], LIMITS, "obs") == []  # another one starts its own count


# --- dropped frames ----------------------------------------------------------------------

def health(dropped: int, total: int) -> dict:
    return {"active": True, "bitrate_kbps": 2500, "dropped_frames": dropped, "total_frames": total,
            "dropped_percent": 0.0, "reconnecting": False}


def feed(watch: alerts.DroppedFramesWatch, clock: Clock, samples: list[tuple[int, int]]) -> list[dict]:
    events: list[dict] = []
    for dropped, total in samples:
        events += watch(health(dropped, total), LIMITS, "obs", live())
        clock.now += 1
    return events


def test_dropping_more_than_the_threshold_over_the_window_alerts_once() -> None:
    clock = Clock()
    watch = alerts.DroppedFramesWatch(clock)
    # 30 fps, 3 frames a second dropped: 10%.
    [event] = feed(watch, clock, [(3 * i, 30 * i) for i in range(12)])
    assert event["event"] == "dropped_frames" and event["dropped_percent"] == 10.0
    assert event["text"].startswith("OBS dropped 10.0% of the frames in the last")
    assert "the limit is 5%" in event["text"] and event["stream_id"] == "s-1"
    assert feed(watch, clock, [(3 * i, 30 * i) for i in range(12, 20)]) == []  # still dropping: once


def test_a_rate_under_the_threshold_or_too_few_frames_say_nothing() -> None:
    clock = Clock()
    assert feed(alerts.DroppedFramesWatch(clock), clock, [(i, 30 * i) for i in range(40)]) == []  # 3.3%
    few = alerts.DroppedFramesWatch(Clock())
    assert few(health(0, 0), LIMITS, "obs") == [] and few(health(100, 140), LIMITS, "obs") == []  # < 150 frames


def test_a_burst_alerts_once_then_is_forgotten_after_the_window_and_a_new_burst_alerts_again() -> None:
    clock = Clock()
    watch = alerts.DroppedFramesWatch(clock)
    burst = [(0, 0), (100, 30)] + [(100, 30 * i) for i in range(2, 8)]
    assert len(feed(watch, clock, burst)) == 1
    quiet = [(100, 30 * i) for i in range(8, 8 + int(alerts.WINDOW) + 5)]
    assert feed(watch, clock, quiet) == []  # the old burst left the window
    last = quiet[-1][1]
    assert len(feed(watch, clock, [(200, last + 30)] + [(200, last + 30 * i) for i in range(2, 8)])) == 1


def test_a_new_output_session_restarts_the_count() -> None:
    clock = Clock()
    watch = alerts.DroppedFramesWatch(clock)
    feed(watch, clock, [(0, 30 * i) for i in range(40)])
    # OBS restarted its counters (a reconnect): 5% of a fresh session, not a negative share.
    assert feed(watch, clock, [(0, 30)]) == []
    assert len(feed(watch, clock, [(3 * i, 30 * i) for i in range(2, 14)])) == 1


# --- the schedule ------------------------------------------------------------------------

def test_a_pre_flight_problem_and_a_missed_go_live_are_alerts_of_the_scheduler(tmp_path) -> None:
    clock = Clock()
    scheduler = Scheduler(ScheduleStore(tmp_path / "schedule.json"), clock=clock, timing=Timing())
    scheduler.set(clock.now + 3600)
    [ok] = scheduler.preflight_result([])
    assert ok.alert == ""
    [problem] = scheduler.preflight_result(["no title entered"])
    assert problem.alert == "schedule_problem"
    clock.now += 4 * 3600  # the clock jumped past it: missed
    missed = [a for a in scheduler.tick("idle") if a.alert]
    assert [a.alert for a in missed] == ["schedule_missed"]

    event = alerts.schedule_event(problem.alert, problem.text)
    assert event["event"] == "schedule_problem" and "no title entered" in event["text"]
    assert event["text"].endswith("or the go-live fails then.")
    assert event["provider"] is None and event["stream_id"] is None
    generic = json.loads(every_format(event)[Kind.GENERIC][0])
    assert generic["event"] == "schedule_problem" and generic["message"] == event["text"]
    gone = alerts.schedule_event(missed[0].alert, missed[0].text)
    assert gone["text"].startswith("Skipped the go-live scheduled at")
    assert every_format(gone)[Kind.NTFY][1]["Title"] == "A scheduled go-live was missed"


def test_a_go_live_refused_at_its_time_is_a_failed_alert_with_why_and_what_to_do(tmp_path) -> None:
    clock = Clock()
    scheduler = Scheduler(ScheduleStore(tmp_path / "schedule.json"), clock=clock, timing=Timing())
    scheduler.set(clock.now + 3600)
    [refused] = scheduler.prepare_refused(f"The provider refused the credentials {SECRET}", "check the API token")
    assert (refused.alert, refused.hint) == ("failed", "check the API token")
    assert scheduler.schedule.phase == "failed"
    event = alerts.schedule_event(refused.alert, refused.text, hint=refused.hint)
    assert event["event"] == "failed" and event["hint"] == "check the API token"
    assert event["text"].startswith("Going live failed: Could not go live at the scheduled time: The provider")
    assert event["text"].endswith("\nWhat to do: check the API token")
    assert_no_secret(event)
    generic = json.loads(every_format(event)[Kind.GENERIC][0])
    assert generic["event"] == "failed" and generic["hint"] == "check the API token"
    assert every_format(event)[Kind.NTFY][1]["Title"] == "Going live failed"

    busy = Scheduler(ScheduleStore(tmp_path / "busy.json"), clock=clock, timing=Timing())
    busy.set(clock.now + 60)
    clock.now += 90  # another go-live is live at the set time
    [taken] = [a for a in busy.tick("live") if a.alert]
    assert taken.alert == "failed" and "another go-live was under way" in taken.text
    assert "What to do: end the other go-live" in alerts.schedule_event(taken.alert, taken.text,
                                                                         hint=taken.hint)["text"]


# --- the settings ------------------------------------------------------------------------

@pytest.mark.parametrize("key,bad", [("notify_reconnect_seconds", 0), ("notify_open_minutes", "nan"),
                                      ("notify_dropped_percent", 101)])
def test_each_threshold_is_bounded_with_its_range_in_the_message(key: str, bad) -> None:
    with pytest.raises(ConfigurationError) as caught:
        bounds.check(key, bad)
    assert "must be from 1 up to" in str(caught.value.hint)


def test_thresholds_come_from_the_panel_numbers() -> None:
    values = {"notify_reconnect_seconds": 12.0, "notify_open_minutes": 3.0, "notify_dropped_percent": 7.0}
    assert alerts.Thresholds.from_settings(values.__getitem__) == alerts.Thresholds(12, 3, 7)
