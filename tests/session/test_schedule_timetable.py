"""The scheduler runs the timetable: each entry's go-live in turn with the usual
pre-flight, lead and end, added and removed by remote requests; a missed one is
skipped; the old single schedule is migrated."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from livestream.session.schedule import Scheduler, ScheduleStore
from tests.session.test_schedule import Clock, epoch, run  # noqa: F401 (shared helpers)

BERLIN = ZoneInfo("Europe/Berlin")


def add(scheduler, request_id, start, minutes, title=""):
    return scheduler.handle_request({"id": request_id, "action": "add", "entry": {
        "start": start, "duration": minutes * 60, "preset": {"provider": "mux", "title": title}}})


def go_live(scheduler, clock, stream_id):
    for state in ("creating", "waiting_for_ingest", "ready"):
        scheduler.observe(state, stream_id, "mux")
    seen = run(scheduler, clock, 10, state="ready", step=0.1)
    assert "start" in [a.kind for _, a in seen]
    scheduler.observe("starting", stream_id, "mux")
    scheduler.observe("live", stream_id, "mux")


def test_two_entries_a_minute_apart_go_live_and_end_in_turn(tmp_path):
    clock = Clock(epoch("2027-03-05 09:50:00"))
    scheduler = Scheduler(ScheduleStore(tmp_path / "s.json"), clock=clock, tz=BERLIN)
    assert add(scheduler, "r1", "2027-03-05 10:00", 1, "A {n}")["ok"]
    assert add(scheduler, "r2", "2027-03-05 10:01", 1, "B {weekday}")["ok"]
    clash = add(scheduler, "r3", "2027-03-05 10:01", 5)
    assert not clash["ok"] and "overlaps entry" in clash["message"]
    assert [n["title"] for n in scheduler.view()["timetable"]["next"]] == ["A 1", "B Friday"]

    seen = run(scheduler, clock, epoch("2027-03-05 10:00:00") - clock.now - 4)
    assert [a.kind for _, a in seen] == ["preflight", "prepare"]
    assert scheduler.schedule.preset["title"] == "A 1"
    go_live(scheduler, clock, "s1")
    seen = run(scheduler, clock, 60, state="live")
    assert [a.kind for _, a in seen][-1] == "end"
    scheduler.observe("ending", "s1", "mux")
    scheduler.observe("ended", "s1", "mux")
    # the second entry is armed and prepared right away (its start is seconds away)
    seen = run(scheduler, clock, 1, state="ended")
    assert "prepare" in [a.kind for _, a in seen]
    assert scheduler.schedule.preset["title"] == "B Friday"
    go_live(scheduler, clock, "s2")
    seen = run(scheduler, clock, 70, state="live")
    assert [a.kind for _, a in seen][-1] == "end"
    assert seen[-1][0] >= epoch("2027-03-05 10:02:00")


def test_a_missed_entry_is_skipped_with_a_notice_and_the_next_one_armed(tmp_path):
    store = ScheduleStore(tmp_path / "s.json")
    clock = Clock(epoch("2027-03-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    scheduler.handle_request({"id": "r1", "action": "add", "entry": {
        "start": "2027-03-02 18:00", "duration": 3600, "days": [1]}})
    clock.now = epoch("2027-03-02 18:20:00")  # OBS was closed over the start
    reloaded = Scheduler(store, clock=clock, tz=BERLIN)
    reloaded.loaded()
    actions = reloaded.tick("idle")
    assert any(a.kind == "notice" and "Skipped the go-live" in a.text for a in actions)
    assert reloaded.view()["at_local"] == "2027-03-09 18:00:00 CET"
    assert reloaded.view()["state"] == "waiting"


def test_remove_and_skip_once_drop_the_armed_go_live(tmp_path):
    clock = Clock(epoch("2027-03-01 09:00:00"))
    scheduler = Scheduler(ScheduleStore(tmp_path / "s.json"), clock=clock, tz=BERLIN)
    scheduler.handle_request({"id": "r1", "action": "add", "entry": {
        "start": "2027-03-02 18:00", "duration": 3600, "days": [1]}})
    entry_id = scheduler.timetable.entries[0].entry_id
    scheduler.tick("idle")
    answer = scheduler.handle_request({"id": "r2", "action": "skip", "entry_id": entry_id,
                                       "at": epoch("2027-03-02 18:00:00")})
    assert answer["ok"], answer
    scheduler.tick("idle")
    assert scheduler.view()["at_local"] == "2027-03-09 18:00:00 CET"
    assert scheduler.handle_request({"id": "r3", "action": "remove", "entry_id": entry_id})["ok"]
    scheduler.tick("idle")
    assert scheduler.line() == "Nothing scheduled"
    assert not scheduler.handle_request({"id": "r4", "action": "remove", "entry_id": entry_id})["ok"]


def test_the_old_single_schedule_becomes_an_entry(tmp_path):
    store = ScheduleStore(tmp_path / "s.json")
    clock = Clock(epoch("2027-03-01 09:00:00"))
    old = Scheduler(store, clock=clock, tz=BERLIN)
    old.set(epoch("2027-03-01 10:00:00"), end_after=1800)
    data = store.load()
    del data["timetable"]  # as written before the timetable
    store.save(data)
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    assert [e.start for e in scheduler.timetable.entries] == ["2027-03-01 10:00"]
    assert scheduler.view()["at_local"] == "2027-03-01 10:00:00 CET"
    clash = add(scheduler, "r1", "2027-03-01 10:15", 10)
    assert not clash["ok"] and "overlaps entry migrated" in clash["message"]
