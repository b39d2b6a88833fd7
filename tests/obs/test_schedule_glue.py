"""The scheduled go-live in the script, as a user meets it in the panel: Schedule, the
go-live at the time, the end after the set minutes, reloads, a time missed while OBS
was closed, and the pre-flight check. The scheduler's wall clock is moved forward
instead of waiting (``OffsetClock``); OBS and the worker are the harness's own."""

from __future__ import annotations

import time
from datetime import datetime

from fake_obspython import FakeObsStudio
from script_harness import ORIGINAL_SERVICE, Script

from livestream.errors import AuthenticationError


class OffsetClock:
    """The wall clock, moved forward by ``offset`` seconds."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def local_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def with_clock(script: Script) -> OffsetClock:
    clock = OffsetClock()
    script.app.schedule.scheduler.clock = clock
    return clock


def test_schedule_button_goes_live_at_the_time_and_ends_after_the_set_minutes(script: Script, studio: FakeObsStudio,
                                                                              backend):
    at = time.time() + 120
    script.load(schedule_at=local_text(at), schedule_end_after=1)
    clock = with_clock(script)
    panel = script.panel()
    label = panel.prop("schedule_at").description
    assert "Go live at (YYYY-MM-DD HH:MM" in label and "UTC" in label  # the local zone is shown

    assert panel.click("schedule_set") is True
    assert script.status.startswith("Scheduled. Go live at "), script.status
    assert "end after 1 min" in script.status
    script.ticks(20)
    assert backend.count("create") == 0  # nothing before its time

    clock.offset = 116  # 4 s before: a provider whose key comes with the create is prepared now
    script.tick_until(lambda: script.state == "ready", what="the prepared stream")
    assert backend.count("create") == 1
    script.ticks(20)
    assert "start" not in studio.pending  # not live before the time

    clock.offset = 120
    script.wait_for_start_request()
    studio.start_and_connect()
    script.tick_until(lambda: script.state == "live", what="live")
    assert script.app.schedule.view()["state"] == "done"
    assert "Ending in" in script.status  # a minute before the end: the notice

    clock.offset = 181
    script.tick_until(lambda: "stop" in studio.pending, what="the end at the set time")
    studio.stop()
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
    assert backend.calls.count(("end", "s1")) == 1
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert "Ending in" in studio.log_text() and "Ending at the set time" in studio.log_text()


def test_a_schedule_survives_a_script_reload(script: Script, studio: FakeObsStudio, backend):
    at = time.time() + 120
    script.load(schedule_at=local_text(at))
    script.panel().click("schedule_set")

    script.host.reload()
    clock = with_clock(script)
    script.ticks(5)
    assert script.app.schedule.line().startswith("Go live at ")
    clock.offset = 120
    script.wait_for_start_request()
    assert backend.count("create") == 1


def test_a_time_missed_while_obs_was_closed_is_skipped_unless_a_late_start_is_allowed(script: Script,
                                                                                     studio: FakeObsStudio, backend):
    at = time.time() + 60
    script.load(schedule_at=local_text(at))
    script.panel().click("schedule_set")
    script.host.unload()  # OBS closed...

    script.host.load()  # ...and opened ten minutes after the time
    clock = with_clock(script)
    clock.offset = 60 + 600
    script.tick_until(lambda: "Skipped the go-live scheduled at" in script.status, what="the skipped notice")
    script.ticks(20)
    assert backend.count("create") == 0

    script.configure(schedule_late_minutes=15)
    script.panel().click("schedule_set")  # the time has passed: refused with what to do
    assert "has already passed" in script.status and "pick a later time" in script.status


def test_a_late_start_within_the_allowed_minutes_goes_live(script: Script, studio: FakeObsStudio, backend):
    at = time.time() + 60
    script.load(schedule_at=local_text(at), schedule_late_minutes=15)
    script.panel().click("schedule_set")
    script.host.unload()
    script.host.load()
    with_clock(script).offset = 60 + 300
    script.wait_for_start_request()
    assert "late" in studio.log_text()


def test_preflight_reports_refused_credentials_minutes_ahead(script: Script, studio: FakeObsStudio, backend):
    backend.fail["check_credentials"] = AuthenticationError("The provider refused the credentials")
    script.load(schedule_at=local_text(time.time() + 600))
    clock = with_clock(script)
    script.panel().click("schedule_set")
    clock.offset = 330  # 4.5 minutes ahead
    script.tick_until(lambda: "Pre-flight check:" in script.status, what="the pre-flight warning")
    assert "refused the credentials" in script.status
    assert "refused the credentials" in script.app.schedule.line()
    assert backend.count("create") == 0
    assert [thread for op, thread in backend.threads if op == "check_credentials"] == ["obs-livestream-worker"]


def test_cancel_button_drops_the_schedule(script: Script, studio: FakeObsStudio, backend):
    script.load(schedule_at=local_text(time.time() + 60))
    clock = with_clock(script)
    script.panel().click("schedule_set")
    script.panel().click("schedule_cancel")
    assert script.status == "Cancelled the scheduled go-live"
    clock.offset = 120
    script.ticks(30)
    assert backend.count("create") == 0
    assert script.app.schedule.line() == "Nothing scheduled"


def test_preflight_reports_enhanced_broadcasting_minutes_ahead(script: Script, studio: FakeObsStudio, backend):
    studio.version = (30 << 24) | (2 << 16) | 3  # OBS 30.2: the first with multitrack video
    studio.profile.sections["Stream1"] = {"EnableMultitrackVideo": "true"}
    script.load(schedule_at=local_text(time.time() + 600))
    clock = with_clock(script)
    script.panel().click("schedule_set")
    clock.offset = 330  # 4.5 minutes ahead
    script.tick_until(lambda: "Pre-flight check:" in script.status, what="the pre-flight warning")
    assert "Enhanced Broadcasting" in script.status and "untick it" in script.status
    assert "Enhanced Broadcasting" in script.app.schedule.line()
    assert backend.count("create") == 0


def test_a_saved_end_after_outside_its_range_is_refused_with_the_range_and_no_timer_raises(
        script: Script, studio: FakeObsStudio):
    """An edited settings file (OBS keeps these as 64-bit integers) with 10**15 minutes would
    overflow the end time on every tick; 5 s for the ingest is below what the panel allows."""
    script.load(schedule_at=local_text(time.time() + 120), schedule_end_after=10**15, ingest_timeout=5)
    assert script.panel().click("schedule_set") is True
    assert "End after" in script.status and "up to 1440 minutes" in script.status, script.status
    assert script.app.schedule.scheduler.schedule is None  # nothing scheduled with a wrong end
    script.ticks(20)
    assert "Traceback" not in studio.log_text()
    assert "Setting ingest_timeout" in studio.log_text() and "up to 900 seconds" in studio.log_text()


def test_a_timetable_entry_goes_live_with_its_own_title(script: Script, studio: FakeObsStudio, backend):
    script.load()
    clock = with_clock(script)
    start = datetime.fromtimestamp(time.time() + 180).replace(second=0, microsecond=0)
    scheduler = script.app.schedule.scheduler
    answer = scheduler.handle_request({"id": "r1", "action": "add", "entry": {
        "start": start.strftime("%Y-%m-%d %H:%M"), "duration": 60,
        "preset": {"provider": "fake", "title": "Class {n}: {weekday} {date:%d %b}"}}})
    assert answer["ok"], answer
    script.ticks(5)
    assert script.app.schedule.line().startswith("Go live at ")
    clock.offset = start.timestamp() - time.time()
    script.wait_for_start_request()
    (stream,) = backend.streams.values()
    weekday = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][start.weekday()]
    assert stream["title"] == f"Class 1: {weekday} {start:%d %b}"


def test_the_panel_shows_the_next_three_and_skips_one_or_removes_its_entry(script: Script, studio: FakeObsStudio,
                                                                           backend):
    script.load()
    scheduler = script.app.schedule.scheduler
    first = datetime.fromtimestamp(time.time() + 3600).replace(second=0, microsecond=0)
    answer = scheduler.handle_request({"id": "r1", "action": "add", "entry": {
        "start": first.strftime("%Y-%m-%d %H:%M"), "duration": 600, "days": list(range(7)),
        "preset": {"title": "Daily {n}"}}})
    assert answer["ok"], answer
    script.ticks(3)
    panel = script.panel()
    items = panel.list_items("timetable_pick")
    assert [text.split(": ")[-1] for text, _ in items] == ["Daily 1", "Daily 2", "Daily 3"]
    assert panel.text("timetable_next").count("Daily") == 3

    panel.change("timetable_pick", items[0][1])
    assert panel.click("timetable_skip") is True
    assert "Skipping entry" in script.status
    assert [text.split(": ")[-1] for text, _ in panel.list_items("timetable_pick")] == ["Daily 2", "Daily 3", "Daily 4"]
    panel.change("timetable_pick", panel.list_items("timetable_pick")[0][1])
    panel.click("timetable_remove")
    assert "Removed entry" in script.status
    assert panel.list_items("timetable_pick") == [("(nothing in the timetable)", "")]
    script.ticks(3)
    assert script.app.schedule.line() == "Nothing scheduled"
