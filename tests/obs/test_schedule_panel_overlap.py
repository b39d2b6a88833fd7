"""The panel's Schedule refuses a time inside a timetable class, naming the clash, and keeps
the class armed."""

from __future__ import annotations

import time
from datetime import datetime

from fake_obspython import FakeObsStudio
from script_harness import Script


def test_the_panel_schedule_refuses_a_time_inside_a_timetable_class(script: Script, studio: FakeObsStudio, backend):
    start = datetime.fromtimestamp(time.time() + 3 * 3600).replace(second=0, microsecond=0)
    script.load(schedule_at=datetime.fromtimestamp(start.timestamp() + 1800).strftime("%Y-%m-%d %H:%M"),
                schedule_end_after=120)  # half an hour into the class
    scheduler = script.app.schedule.scheduler
    answer = scheduler.handle_request({"id": "r1", "action": "add", "entry": {
        "start": start.strftime("%Y-%m-%d %H:%M"), "duration": 3600, "preset": {"title": "Class {n}"}}})
    assert answer["ok"], answer
    entry_id = scheduler.timetable.entries[0].entry_id
    script.ticks(3)
    armed = script.app.schedule.line()

    assert script.panel().click("schedule_set") is True
    assert "overlaps entry " + entry_id in script.status, script.status
    assert "move one of them" in script.status or "remove entry" in script.status
    assert script.app.schedule.line() == armed  # the class is still the next go-live
    script.ticks(1)
    assert "Could not schedule" in studio.log_text()
