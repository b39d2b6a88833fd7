"""The scheduler with an injected clock: when it prepares, starts and ends a go-live,
across time zones, a daylight-saving change, reloads, missed times and cancels."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from livestream.errors import ConfigurationError
from livestream.session import localtime
from livestream.session.schedule import Scheduler, ScheduleStore

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def epoch(text: str, tz=BERLIN) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz).timestamp()


@pytest.fixture
def store(tmp_path):
    return ScheduleStore(tmp_path / "schedule.json")


def kinds(actions):
    """The kinds of actions (or of ``(time, action)`` pairs from ``run``)."""
    return [(a[1] if isinstance(a, tuple) else a).kind for a in actions]


def run(scheduler, clock, seconds, state="idle", *, lead=5.0, step=0.5):
    """Tick for ``seconds`` in ``state``; every action with the time it came."""
    seen = []
    end = clock.now + seconds
    while clock.now < end:
        clock.advance(step)
        seen += [(clock.now, a) for a in scheduler.tick(state, lead=lead)]
    return seen


def test_fastpix_like_schedule_prepares_shortly_before_and_starts_at_the_time(store):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    at = localtime.parse("2026-12-01 10:00", BERLIN)
    scheduler.set(at, end_after=90 * 60)
    assert "Go live at 2026-12-01 10:00:00 CET (in 1 h 00 min), end after 90 min" in scheduler.line()

    lead = scheduler.lead("fastpix", boots_server=False)
    seen = run(scheduler, clock, 3600 - 60, lead=lead)
    assert [a.kind for _, a in seen] == ["preflight"]
    assert seen[0][0] == pytest.approx(at - 300, abs=0.5)  # five minutes ahead

    seen = run(scheduler, clock, 55, lead=lead)
    assert [a.kind for _, a in seen] == ["prepare"]
    assert seen[0][0] == pytest.approx(at - lead, abs=0.5)
    for state in ("creating", "waiting_for_ingest", "ready"):
        scheduler.observe(state, "s1", "fastpix")
    seen = run(scheduler, clock, 4.9, state="ready", lead=lead, step=0.05)
    assert [a.kind for _, a in seen] == ["start"]
    assert at - 1 < seen[0][0] <= at  # early by OBS's connect time only
    scheduler.observe("starting", "s1", "fastpix")
    clock.advance(0.3)
    scheduler.observe("live", "s1", "fastpix")
    assert scheduler.view()["state"] == "done"

    # Ends 90 minutes after the scheduled time, with a notice a minute before.
    seen = run(scheduler, clock, 90 * 60 + 5, state="live", lead=lead)
    assert [a.kind for _, a in seen] == ["notice", "end"]
    assert seen[0][0] == pytest.approx(at + 89 * 60, abs=0.5)
    assert "Ending in 1 min" in seen[0][1].text
    assert seen[1][0] == pytest.approx(at + 90 * 60, abs=0.5)


def test_tpstreams_prepares_a_measured_boot_time_ahead(store):
    clock = Clock(1_800_000_000.0)
    scheduler = Scheduler(store, clock=clock)
    assert scheduler.lead("tpstreams", boots_server=True, configured_boot=30) == 30 + 3 + 5
    # A go-live where the server took 22 s from the start request to its stream key.
    for state, took in (("creating", 0), ("waiting_for_ingest", 2), ("ready", 20)):
        clock.advance(took)
        scheduler.observe(state, "t1", "tpstreams")
    assert scheduler.lead("tpstreams", boots_server=True, configured_boot=30) == pytest.approx(22 + 3 + 5)
    # and it is remembered by the next load
    assert Scheduler(store, clock=clock).lead("tpstreams", boots_server=True) == pytest.approx(30)


def test_the_instant_is_kept_across_a_daylight_saving_change(store):
    # Set on Saturday noon for Sunday 10:00 in Berlin: the clocks go forward that night.
    clock = Clock(epoch("2026-03-28 12:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    at = localtime.parse("2026-03-29 10:00", BERLIN)
    assert at - clock.now == 21 * 3600  # not 22: an hour is skipped
    scheduler.set(at)
    assert scheduler.view()["at_local"] == "2026-03-29 10:00:00 CEST"
    seen = run(scheduler, clock, 21 * 3600, step=5.0)
    prepare = [t for t, a in seen if a.kind == "prepare"]
    assert prepare and prepare[0] == pytest.approx(at - 5, abs=5)


def test_a_time_skipped_by_daylight_saving_is_refused_and_a_repeated_one_is_the_first():
    with pytest.raises(ConfigurationError, match="does not exist"):
        localtime.parse("2026-03-29 02:30", BERLIN)
    first = localtime.parse("2026-11-01 01:30", NEW_YORK)  # 01:30 happens twice in New York
    assert localtime.show(first, NEW_YORK) == "2026-11-01 01:30:00 EDT"
    assert localtime.zone_name(first, NEW_YORK) == "EDT, UTC-04:00"


def test_the_same_text_is_a_different_instant_in_another_zone():
    assert localtime.parse("2026-12-01 10:00", NEW_YORK) - localtime.parse("2026-12-01 10:00", BERLIN) == 6 * 3600


def test_bad_text_and_a_time_in_the_past_are_refused_with_what_to_do(store):
    clock = Clock(epoch("2026-12-01 10:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    with pytest.raises(ConfigurationError, match="YYYY-MM-DD HH:MM"):
        localtime.parse("tomorrow at ten", BERLIN)
    with pytest.raises(ConfigurationError, match="has already passed.*pick a later time"):
        scheduler.set(localtime.parse("2026-12-01 09:59", BERLIN))
    assert scheduler.schedule is None and scheduler.line() == "Nothing scheduled"


def test_a_reload_while_waiting_keeps_the_schedule_and_its_time(store):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    at = epoch("2026-12-01 09:30:00")
    Scheduler(store, clock=clock, tz=BERLIN).set(at, end_after=600)
    clock.advance(600)
    reloaded = Scheduler(store, clock=clock, tz=BERLIN)
    assert reloaded.loaded(late_allowed=0) == []
    seen = run(reloaded, clock, 1200)
    assert [a.kind for _, a in seen] == ["preflight", "prepare"]
    assert seen[1][0] == pytest.approx(at - 5, abs=0.5)


def test_a_reload_while_preparing_prepares_again(store):
    clock = Clock(epoch("2026-12-01 09:29:00"))
    at = epoch("2026-12-01 09:30:00")
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    scheduler.set(at)
    assert "prepare" in kinds(run(scheduler, clock, 57, lead=10))
    scheduler.observe("creating", None, "fastpix")
    reloaded = Scheduler(store, clock=clock, tz=BERLIN)
    reloaded.loaded()
    assert kinds(reloaded.tick("ready", lead=10)) == ["prepare"]  # resumes the recovered stream
    reloaded.observe("ready", "s1", "fastpix")
    assert "start" in kinds(run(reloaded, clock, 3, state="ready"))


def test_missed_while_obs_was_closed_is_skipped_unless_a_late_start_is_allowed(store):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    at = epoch("2026-12-01 09:30:00")
    Scheduler(store, clock=clock, tz=BERLIN).set(at)
    clock.now = at + 8 * 60  # OBS was started eight minutes after the time

    skipped = Scheduler(store, clock=clock, tz=BERLIN)
    notices = skipped.loaded(late_allowed=5 * 60)
    assert "Skipped the go-live scheduled at 2026-12-01 09:30:00 CET" in notices[0].text
    assert skipped.view()["state"] == "missed"
    assert "prepare" not in kinds(run(skipped, clock, 60))

    Scheduler(store, clock=clock, tz=BERLIN).set(clock.now + 60)  # a new schedule replaces the missed one
    clock.now += 60 + 4 * 60
    late = Scheduler(store, clock=clock, tz=BERLIN)
    notices = late.loaded(late_allowed=5 * 60)
    assert "Starting 4 min 00 s late" in notices[0].text
    assert kinds(late.tick("idle")) == ["preflight", "prepare"]


def test_cancel_before_the_time_does_nothing_later_and_while_preparing_ends_the_stream(store):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    scheduler.set(epoch("2026-12-01 09:10:00"))
    assert scheduler.cancel() == []
    assert run(scheduler, clock, 900) == []
    assert Scheduler(store, clock=clock).schedule is None  # the cancel is saved

    scheduler.set(clock.now + 30)
    assert "prepare" in kinds(run(scheduler, clock, 30))
    scheduler.observe("creating", None, "fastpix")
    assert kinds(scheduler.cancel()) == ["end"]


def test_a_remote_request_is_carried_out_once_and_answers_errors(store):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    request = {"id": "r1", "action": "set", "at": epoch("2026-12-01 10:00:00"), "end_after": 1800}
    answer = scheduler.handle_request(request)
    assert answer["ok"] and "Go live at 2026-12-01 10:00:00 CET" in answer["message"]
    scheduler.cancel()
    # The same request read again (the file changed for another reason, or after a reload): ignored.
    assert Scheduler(store, clock=clock, tz=BERLIN).handle_request(request) is None
    answer = scheduler.handle_request({"id": "r2", "action": "set", "at": epoch("2026-12-01 08:00:00")})
    assert not answer["ok"] and "already passed" in answer["message"]
    assert scheduler.view()["request"]["id"] == "r2"


def test_preflight_problems_are_shown_while_there_is_time(store):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    scheduler.set(epoch("2026-12-01 09:20:00"))
    assert kinds(run(scheduler, clock, 15 * 60 + 1)) == ["preflight"]
    notice = scheduler.preflight_result(["FastPix refused the credentials", "OBS is already streaming"])
    assert notice[0].level == "warning"
    assert "OBS is already streaming" in scheduler.line()
    assert scheduler.view()["problems"] == ["FastPix refused the credentials", "OBS is already streaming"]


def test_a_go_live_by_hand_ends_after_the_panels_duration_and_stop_disarms_it(store):
    clock = Clock(1_800_000_000.0)
    scheduler = Scheduler(store, clock=clock)
    scheduler.observe("live", "s1", "fastpix", end_after=120)
    seen = run(scheduler, clock, 121, state="live")
    assert [(round(t - 1_800_000_000), a.kind) for t, a in seen] == [(60, "notice"), (120, "end")]

    scheduler.observe("live", "s2", "fastpix", end_after=120)
    scheduler.observe("ended", "s2", "fastpix")  # Stop Streaming in OBS: ended at once
    assert run(scheduler, clock, 200, state="idle") == []


def test_a_go_live_busy_at_the_time_fails_the_schedule_instead_of_stacking(store):
    clock = Clock(1_800_000_000.0)
    scheduler = Scheduler(store, clock=clock)
    scheduler.set(clock.now + 60)
    seen = run(scheduler, clock, 90, state="live")
    assert [a.kind for _, a in seen] == ["preflight", "notice"]
    assert "another go-live was under way" in seen[1][1].text


@pytest.mark.parametrize("request_fields, needle", [
    ({"end_after": 1e20 * 60}, "up to 604800 seconds"),
    ({"end_after": "nan"}, "up to 604800 seconds"),
    ({"end_after": "inf"}, "up to 604800 seconds"),
    ({"at": float("nan")}, "within 366 days"),
    ({"at": 1e18}, "within 366 days"),
    ({"end_at": float("inf")}, "within 366 days"),
])
def test_a_remote_request_with_a_number_out_of_range_is_refused_and_the_timer_keeps_ticking(
        store, request_fields, needle):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    request = {"id": "r1", "action": "set", "at": epoch("2026-12-01 10:00:00"), **request_fields}
    answer = scheduler.handle_request(request)
    assert not answer["ok"] and needle in answer["message"], answer
    assert scheduler.schedule is None
    run(scheduler, clock, 5)  # once raised OverflowError on every tick; now nothing is scheduled


def test_a_far_end_after_that_fits_the_range_still_ends(store):
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    answer = scheduler.handle_request({"id": "r1", "action": "set", "at": epoch("2026-12-01 10:00:00"),
                                       "end_after": 7 * 24 * 3600})
    assert answer["ok"] and "end after 10080 min" in answer["message"], answer


def test_a_forward_clock_jump_while_running_skips_the_go_live_instead_of_starting_hours_late(store):
    """Sleep and resume, or an NTP step of 5 h, while OBS runs: the late-start limit applies
    as at load time, and the schedule fires once or not at all."""
    clock = Clock(epoch("2026-12-01 09:00:00"))
    scheduler = Scheduler(store, clock=clock, tz=BERLIN)
    scheduler.loaded(late_allowed=10 * 60)
    scheduler.set(epoch("2026-12-01 09:30:00"))
    assert "prepare" not in kinds(run(scheduler, clock, 60))
    clock.advance(5 * 3600)  # the wall clock steps five hours
    actions = run(scheduler, clock, 60)
    assert "prepare" not in kinds(actions)
    assert any("the clock jumped past it (4 h 31 min late)" in a.text for _, a in actions), [a.text for _, a in actions]
    assert scheduler.view()["state"] == "missed"

    scheduler.set(clock.now + 600)
    clock.advance(600 + 5 * 60)  # a smaller jump, within the allowed late start: it starts, once
    assert kinds(run(scheduler, clock, 60)).count("prepare") == 1
    clock.advance(-3600)  # and a step back does not prepare it again
    assert "prepare" not in kinds(run(scheduler, clock, 60))
