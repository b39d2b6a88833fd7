"""``schedule``: bad times are refused before OBS is reached, and the published schedule
reads as a person expects (the end-to-end tests drive it against a real OBS)."""

from __future__ import annotations

from livestream.cli import main
from livestream.cli.schedule_commands import summary
from livestream.session import localtime


def test_a_time_in_the_past_is_refused_with_what_to_do(capsys):
    code = main(["schedule", "set", "--at", "2020-01-01 10:00", "--obs-url", "ws://127.0.0.1:9"])
    assert code == 2
    assert "has already passed: pick a later time" in capsys.readouterr().err


def test_a_time_skipped_by_daylight_saving_and_an_unknown_zone_are_refused(capsys):
    assert main(["schedule", "set", "--at", "2030-03-31 02:30", "--tz", "Europe/Berlin"]) == 2
    assert "does not exist in" in capsys.readouterr().err
    assert main(["schedule", "set", "--at", "2030-03-31 10:30", "--tz", "Mars/Olympus"]) == 2
    assert "Unknown time zone 'Mars/Olympus'" in capsys.readouterr().err


def test_unreadable_time_says_the_form(capsys):
    assert main(["schedule", "set", "--at", "10am tomorrow"]) == 2
    assert 'use the form "YYYY-MM-DD HH:MM"' in capsys.readouterr().err


def test_the_published_schedule_reads_with_a_countdown_and_how_late_it_went_live():
    at = 2_000_000_000.0
    waiting = {"state": "waiting", "at": at, "at_local": localtime.show(at), "time_zone": "UTC",
               "end_after_minutes": 90, "end_at_local": localtime.show(at + 5400), "origin": "remote"}
    shown = summary(waiting, now=at - 3725)
    assert shown["starts_in"] == "1 h 02 min" and shown["end_after_minutes"] == 90
    done = {**waiting, "state": "done", "live_at": at + 0.4, "current_end_at": at + 5400,
            "current_end_at_local": localtime.show(at + 5400)}
    shown = summary(done, now=at + 5340)
    assert "starts_in" not in shown
    assert shown["late_by_seconds"] == 0.4
    assert shown["current_stream_ends_in"] == "1 min 00 s"
    assert summary({"request": {"id": "r1"}}) is None
