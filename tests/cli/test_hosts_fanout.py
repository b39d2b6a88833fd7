"""``trigger --hosts`` and ``schedule add --hosts``: every room at once, one line each, with fake rooms.

Each fake room is a stand-in for the script inside an OBS: it answers the hotkey list,
reacts to a hotkey by publishing a new session, and answers a schedule request in its
published schedule. A room that cannot be reached, hangs or fails is its line, and the
exit code follows the rules in docs/remote-and-cli.md.
"""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path
from typing import Any, Optional

import pytest

from livestream import secrets
from livestream.cli import hosts, main
from livestream.cli.remote_commands import HOTKEYS, follow_trigger
from livestream.cli.rooms import Room
from livestream.cli.schedule_commands import ask
from livestream.errors import ObsUnreachableError
from livestream.session.schedule import REQUEST_SLOT
from tests.cli.test_status_watch import published


class FakeRoom:
    """The script in one OBS: ``reaction`` is the session a hotkey leads to (None: no reaction)."""

    host, port = "room.invalid", 4455

    def __init__(self, reaction: Optional[dict[str, Any]] = None, *, loaded: bool = True,
                 schedule_ok: bool = True, hang: Optional[threading.Event] = None) -> None:
        self.session = published("idle", seq=1)
        self.reaction, self.loaded, self.schedule_ok, self.hang = reaction, loaded, schedule_ok, hang
        self.pressed: list[str] = []
        self.requests: list[dict] = []
        self.closed = False

    def call(self, request: str, **data: Any) -> dict:
        if self.hang is not None:
            self.hang.wait(10)
        if request == "GetHotkeyList":
            return {"hotkeys": list(HOTKEYS.values()) if self.loaded else ["OBSBasic.StartStreaming"]}
        if request == "GetPersistentData":
            return {"slotValue": self.session}
        assert request == "SetPersistentData" and data["slotName"] == REQUEST_SLOT
        self.requests.append(data["slotValue"])
        answer = {"id": data["slotValue"]["id"], "ok": self.schedule_ok,
                  "message": "Added entry e1" if self.schedule_ok else "It overlaps entry e0"}
        self.session = {**self.session, "seq": self.session["seq"] + 1, "schedule": {"request": answer}}
        return {}

    def trigger_hotkey(self, name: str) -> None:
        self.pressed.append(name)
        if self.reaction is not None:
            self.session = {**self.reaction, "seq": self.session["seq"] + 1}

    def close(self) -> None:
        self.closed = True


def room_list(*names: str, timeout: float = 2.0) -> list[Room]:
    return [Room(name, f"ws://{name}.invalid:4455", timeout=timeout) for name in names]


def connector(clients: dict[str, Any]):
    def connect(room):
        client = clients[room.name]
        if isinstance(client, Exception):
            raise client
        return client
    return connect


def run(clients: dict[str, Any], task, *, wait: float = 3.0, as_json: bool = False, timeout: float = 2.0):
    out = io.StringIO()
    code = hosts.run(room_list(*clients, timeout=timeout), task, wait=wait, as_json=as_json, out=out,
                     connect=connector(clients))
    return code, out.getvalue()


def trigger(action: str, wait: float = 3.0):
    return lambda client: follow_trigger(client, action, wait, show=False)


def test_trigger_go_live_in_every_room_prints_one_line_each_and_a_dead_room_is_a_line():
    a = FakeRoom(published("live", seq=2, status_line="Live for 0:04"))
    b = FakeRoom(published("live", seq=2, status_line="Live for 0:02", playback_url="https://play.example/b"))
    code, text = run({"room-a": a, "room-b": b,
                      "room-c": ObsUnreachableError("no answer from ws://room-c.invalid:4455 within 2 s")},
                     trigger("go-live"))
    lines = text.splitlines()
    assert lines[0].startswith("room-a  ok  live: Live for 0:04")
    assert lines[1] == "room-b  ok  live: Live for 0:02  https://play.example/b"
    assert lines[2] == "room-c  NOT ANSWERING: no answer from ws://room-c.invalid:4455 within 2 s"
    assert code == 5  # the only failure: a room that did not answer
    assert a.pressed == b.pressed == ["obs_livestream.go_live"] and a.closed and b.closed


def test_every_room_succeeding_is_exit_0_and_the_json_has_each_rooms_session():
    rooms = {"room-a": FakeRoom(published("ready", seq=2)), "room-b": FakeRoom(published("ready", seq=2))}
    code, text = run(rooms, trigger("prepare"), as_json=True)
    views = json.loads(text)
    assert code == 0
    assert [(v["room"], v["ok"], v["exit_code"], v["state"]) for v in views] == [
        ("room-a", True, 0, "ready"), ("room-b", True, 0, "ready")]


def test_a_failed_go_live_a_room_without_the_script_and_one_that_never_reacts_each_say_so():
    failed = FakeRoom(published("failed", seq=2, state_since=time.time(), error_type="IngestTimeoutError",
                                message="the ingest never became ready"))
    code, text = run({"room-a": failed, "room-b": FakeRoom(loaded=False), "room-c": FakeRoom(reaction=None)},
                     trigger("go-live", wait=1.0), wait=1.0)
    first, second, third = text.splitlines()
    assert first == "room-a  FAILED (exit 7): the ingest never became ready"
    assert second == ("room-b  FAILED (exit 6): The obs-livestream script is not loaded in OBS: "
                      "add obs_livestream.py in OBS under Tools > Scripts")
    assert third.startswith("room-c  FAILED (exit 6): The obs-livestream script did not react to the hotkey")
    assert code == 1  # different failures: each line says which


def test_a_room_that_hangs_is_a_line_after_its_own_deadline_and_the_others_are_not_held_up():
    release = threading.Event()
    try:
        started = time.monotonic()
        code, text = run({"room-a": FakeRoom(published("live", seq=2)), "room-b": FakeRoom(hang=release)},
                         trigger("go-live", wait=0.5), wait=0.5, timeout=0.5)
        took = time.monotonic() - started
    finally:
        release.set()
    first, second = text.splitlines()
    assert first.startswith("room-a  ok  live")
    assert second == "room-b  NOT ANSWERING: no answer within 1 s"
    assert code == 5
    print(f"a hanging room returned after {took:.1f} s (its timeout 0.5 s + wait 0.5 s + 1 s grace)")


def test_schedule_add_in_every_room_prints_each_scripts_answer():
    ok, clash = FakeRoom(), FakeRoom(schedule_ok=False)
    request = {"id": "r1", "action": "add", "entry": {"start": "2027-01-15 09:00", "duration": 3600}}
    code, text = run({"room-a": ok, "room-b": clash}, lambda client: ask(client, dict(request), 3.0))
    first, second = text.splitlines()
    assert first == "room-a  ok  Added entry e1"
    assert second == "room-b  FAILED (exit 2): It overlaps entry e0"
    assert code == 2
    assert ok.requests[0]["entry"]["start"] == "2027-01-15 09:00" and clash.requests


@pytest.mark.parametrize("views, code", [
    ([{"ok": True, "exit_code": 0}], 0),
    ([{"ok": True, "exit_code": 0}, {"ok": False, "exit_code": 7}], 7),
    ([{"ok": False, "exit_code": 5}, {"ok": False, "exit_code": 5}], 5),
    ([{"ok": False, "exit_code": 5}, {"ok": False, "exit_code": 7}], 1),
])
def test_the_exit_code_rules(views, code):
    assert hosts.exit_code(views) == code


def test_the_cli_takes_hosts_for_trigger_and_schedule_add_and_never_prints_a_password(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("ROOM_A_PW", "room-a-secret-pw-77")
    path = tmp_path / "rooms.txt"
    path.write_text("room-a ws://127.0.0.1:9 ROOM_A_PW\n", encoding="utf-8")
    seen: list[Optional[str]] = []

    def refuse(room):
        seen.append(room.password)
        raise ObsUnreachableError(f"wrong password {room.password} for {room.url}")

    monkeypatch.setattr(hosts, "connect_room", refuse)
    assert main(["trigger", "go-live", "--hosts", str(path), "--wait", "1"]) == 5
    assert main(["schedule", "add", "--start", "2030-01-15 09:00", "--minutes", "60", "--hosts", str(path),
                 "--wait", "1"]) == 5
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"room-a  NOT ANSWERING: wrong password {secrets.redact('room-a-secret-pw-77')} "
                     "for ws://127.0.0.1:9"] * 2
    assert seen == ["room-a-secret-pw-77"] * 2  # each command connected with the room's own password
