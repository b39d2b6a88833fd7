"""The single scheduled go-live (the panel's Schedule, a remote ``set``) is refused when it
overlaps a timetable entry, naming the clash as ``schedule add`` does, and when it would
replace the class the timetable has armed before it; nothing is changed then."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from livestream.errors import ConfigurationError
from livestream.session.schedule import Scheduler, ScheduleStore
from tests.session.test_schedule import Clock, epoch

BERLIN = ZoneInfo("Europe/Berlin")


def weekly_class(tmp_path, clock):
    scheduler = Scheduler(ScheduleStore(tmp_path / "s.json"), clock=clock, tz=BERLIN)
    answer = scheduler.handle_request({"id": "r1", "action": "add", "entry": {
        "start": "2027-03-01 10:00", "duration": 90 * 60, "days": [0, 2], "preset": {"title": "Class {n}"}}})
    assert answer["ok"], answer
    return scheduler, scheduler.timetable.entries[0].entry_id


def test_a_go_live_inside_a_class_is_refused_naming_the_entry_and_its_times(tmp_path):
    clock = Clock(epoch("2027-03-01 08:00:00"))
    scheduler, entry_id = weekly_class(tmp_path, clock)
    with pytest.raises(ConfigurationError) as refused:
        scheduler.set(epoch("2027-03-03 11:00:00"), end_after=30 * 60, origin="panel")  # Wednesday's class
    text = str(refused.value)
    assert f"overlaps entry {entry_id} (Mon, Wed at 10:00 for 90 min" in text
    assert "2027-03-03 11:00" in text and "2027-03-03 10:00" in text and "11:30" in text
    assert f"remove entry {entry_id}" in refused.value.hint
    assert scheduler.schedule is None or scheduler.schedule.origin == "timetable"


def test_a_go_live_without_an_end_counts_as_an_hour(tmp_path):
    clock = Clock(epoch("2027-03-01 08:00:00"))
    scheduler, entry_id = weekly_class(tmp_path, clock)
    scheduler.tick("idle")  # arms Monday 10:00
    with pytest.raises(ConfigurationError, match=f"overlaps entry {entry_id}"):
        scheduler.set(epoch("2027-03-01 09:30:00"), origin="panel")  # no end: 09:30-10:30
    assert scheduler.schedule.origin == "timetable"  # the armed class is still there
    # ending before the class starts is fine
    scheduler.set(epoch("2027-03-01 09:00:00"), end_after=45 * 60, origin="panel")
    assert scheduler.schedule.origin == "panel"


def test_a_skipped_class_leaves_its_time_free(tmp_path):
    clock = Clock(epoch("2027-03-01 08:00:00"))
    scheduler, entry_id = weekly_class(tmp_path, clock)
    assert scheduler.handle_request({"id": "r2", "action": "skip", "entry_id": entry_id,
                                     "at": epoch("2027-03-01 10:00:00")})["ok"]
    scheduler.set(epoch("2027-03-01 10:15:00"), end_after=30 * 60, origin="panel")
    assert scheduler.schedule.origin == "panel"


def test_a_go_live_after_the_armed_class_is_refused_instead_of_dropping_the_class(tmp_path):
    clock = Clock(epoch("2027-03-01 08:00:00"))
    scheduler, entry_id = weekly_class(tmp_path, clock)
    scheduler.tick("idle")
    armed = scheduler.schedule
    with pytest.raises(ConfigurationError, match=f"next go-live \\({entry_id} at 2027-03-01 10:00") as refused:
        scheduler.set(epoch("2027-03-01 14:00:00"), end_after=30 * 60, origin="panel")
    assert "schedule add" in refused.value.hint
    assert scheduler.schedule is armed


def test_a_remote_set_gets_the_same_refusal(tmp_path):
    clock = Clock(epoch("2027-03-01 08:00:00"))
    scheduler, entry_id = weekly_class(tmp_path, clock)
    answer = scheduler.handle_request({"id": "r9", "action": "set", "at": epoch("2027-03-01 10:30:00"),
                                       "end_after": 600})
    assert not answer["ok"] and f"overlaps entry {entry_id}" in answer["message"]
