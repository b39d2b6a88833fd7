"""A scheduled class that recovery by itself moves to a new provider stream still ends at its set end."""

from __future__ import annotations

import pytest

from livestream.session.schedule import Scheduler, ScheduleStore
from tests.session.test_schedule import Clock, epoch, kinds, run


def test_a_new_stream_made_by_recovery_keeps_the_scheduled_end(tmp_path):
    clock = Clock(epoch("2026-12-01 09:59:00"))
    scheduler = Scheduler(ScheduleStore(tmp_path / "schedule.json"), clock=clock)
    at = epoch("2026-12-01 10:00:00")
    scheduler.set(at, end_after=30 * 60)
    run(scheduler, clock, 60, lead=5.0)
    for state in ("creating", "waiting_for_ingest", "ready"):
        scheduler.observe(state, "s1", "fastpix")
    run(scheduler, clock, 5, state="ready")
    scheduler.observe("starting", "s1", "fastpix")
    scheduler.observe("live", "s1", "fastpix")
    planned = scheduler.end.end_at
    assert planned == pytest.approx(at + 30 * 60, abs=6)

    clock.advance(600)  # the ingest dies for good; recovery ends s1 and makes s2
    scheduler.observe("ending", "s1", "fastpix", recovering=True)
    scheduler.observe("ended", "s1", "fastpix", recovering=True)
    for state in ("creating", "waiting_for_ingest", "ready", "starting", "live"):
        scheduler.observe(state, "s2", "fastpix")
    assert scheduler.end.stream_id == "s2" and scheduler.end.end_at == planned
    assert "end" in kinds(run(scheduler, clock, 20 * 60 + 10, state="live"))


def test_without_recovery_an_ended_go_live_drops_its_end(tmp_path):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(ScheduleStore(tmp_path / "schedule.json"), clock=clock)
    scheduler.observe("live", "s1", "fastpix", end_after=600)
    scheduler.observe("ended", "s1", "fastpix")
    assert scheduler.end is None
