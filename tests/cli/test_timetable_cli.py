"""``schedule add/import/list/next/remove/skip``: bad input is refused before OBS is
reached; against a stand-in for OBS's persistent data that hands each request to the
script's scheduler, entries are added, listed, refused on overlap and removed."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from livestream.cli import main, schedule_commands
from livestream.session import bridge
from livestream.session.schedule import REQUEST_SLOT, Scheduler, ScheduleStore

BERLIN = ZoneInfo("Europe/Berlin")
ICS = """BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a@example.org\r
DTSTAMP:20270101T000000Z\r\nSUMMARY:Pilates\r\nDTSTART;TZID=Europe/Berlin:20270301T070000\r
DTEND;TZID=Europe/Berlin:20270301T080000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE;TZID=Europe/Berlin:20270302T070000\r
END:VEVENT\r\nEND:VCALENDAR\r\n"""


class FakeObs:
    """OBS's persistent data with the script's timer behind it: a request is answered at once."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler

    def call(self, request: str, **fields):
        if request == "SetPersistentData" and fields["slotName"] == REQUEST_SLOT:
            self.scheduler.handle_request(json.loads(json.dumps(fields["slotValue"])))
            self.scheduler.tick("idle")
            return {}
        assert (request, fields["slotName"]) == ("GetPersistentData", bridge.SLOT)
        return {"slotValue": json.loads(json.dumps({"format": bridge.FORMAT, "schedule": self.scheduler.view()}))}

    def close(self) -> None:
        pass


@pytest.fixture
def obs(tmp_path, monkeypatch):
    now = datetime(2027, 3, 1, 6, 0, tzinfo=BERLIN).timestamp()
    scheduler = Scheduler(ScheduleStore(tmp_path / "s.json"), clock=lambda: now, tz=BERLIN)
    monkeypatch.setattr(schedule_commands, "connect", lambda args: FakeObs(scheduler))
    return scheduler


def cli(capsys, *argv):
    code = main(["schedule", *argv, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def test_add_list_next_overlap_and_remove(obs, capsys):
    code, answer, _ = cli(capsys, "add", "--start", "2027-03-02 18:00", "--minutes", "90", "--days", "tue,thu",
                          "--until", "2027-03-31", "--provider", "mux", "--title", "Yoga {n} {date:%d %b}")
    assert code == 0 and answer["ok"], answer
    code, answer, _ = cli(capsys, "add", "--start", "2027-03-04 19:00", "--minutes", "30")
    assert code == 2 and "overlaps entry" in answer["message"] and "2027-03-04 18:00" in answer["message"]
    code, listed, _ = cli(capsys, "list")
    (entry,) = listed["entries"]
    assert entry["days"] == [1, 3] and entry["preset"]["provider"] == "mux"
    code, upcoming, _ = cli(capsys, "next")
    assert [o["title"] for o in upcoming["next"]] == ["Yoga 1 02 Mar", "Yoga 2 04 Mar", "Yoga 3 09 Mar"]
    assert cli(capsys, "skip", entry["entry_id"], "--at", "2027-03-04 18:00")[0] == 0
    assert [o["title"] for o in cli(capsys, "next")[1]["next"]][1] == "Yoga 3 09 Mar"
    assert cli(capsys, "remove", entry["entry_id"])[0] == 0
    assert cli(capsys, "list")[1] == {"entries": []}


def test_import_a_calendar_file(obs, capsys, tmp_path):
    path = tmp_path / "classes.ics"
    path.write_text(ICS, encoding="utf-8")
    code, answer, _ = cli(capsys, "import", str(path), "--provider", "fastpix")
    assert code == 0 and "Imported 2" in answer["message"], answer
    assert [(o["at_local"], o["title"]) for o in cli(capsys, "next")[1]["next"]] == [
        ("2027-03-01 07:00:00 CET", "Pilates"), ("2027-03-03 07:00:00 CET", "Pilates")]


@pytest.mark.parametrize("argv, words", [
    (["add", "--start", "tomorrow", "--minutes", "5"], "Cannot read --start"),
    (["add", "--start", "2027-03-02 18:00", "--minutes", "5", "--days", "mon,funday"], "Unknown day"),
    (["add", "--start", "2027-03-02 18:00", "--minutes", "5", "--title", "{teacher}"], "{date:%d %b}"),
    (["add", "--start", "2027-03-02 18:00", "--minutes", "5", "--option", "nokey"], "KEY=VALUE"),
    (["import", "/nonexistent/classes.ics"], "Cannot read /nonexistent/classes.ics"),
])
def test_bad_input_is_refused_before_obs_is_reached(capsys, argv, words):
    assert main(["schedule", *argv, "--obs-url", "ws://127.0.0.1:9"]) == 2
    assert words in capsys.readouterr().err
