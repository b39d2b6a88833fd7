"""``status --hosts FILE``: every studio at once, each on its own thread and deadline, a dead room a line."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from livestream.cli import main, rooms
from livestream.errors import ConfigurationError, ObsUnreachableError
from tests.cli.test_status_watch import NOW, FakeObs, published, streaming

IDLE_OBS = {"outputActive": False}


def hosts_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rooms.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_line_list_and_a_json_file_give_the_same_rooms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ROOM_A_PW", "pw-a")
    lines = rooms.load_rooms(hosts_file(tmp_path, "# studios\nroom-a ws://10.0.0.5:4455 ROOM_A_PW\n"
                                                  "room-b ws://10.0.0.6:4455  # no password\n"), 3.0)
    as_json = tmp_path / "rooms.json"
    as_json.write_text(json.dumps([{"name": "room-a", "url": "ws://10.0.0.5:4455", "password_env": "ROOM_A_PW",
                                    "timeout": 3}, {"name": "room-b", "url": "ws://10.0.0.6:4455"}]))
    assert rooms.load_rooms(as_json, 3.0) == lines
    assert [r.name for r in lines] == ["room-a", "room-b"] and lines[0].password == "pw-a"


@pytest.mark.parametrize("text, says", [
    ("room-a 10.0.0.5:4455\n", "line 1: expected NAME ws://HOST:PORT"),
    ("room-a ws://a:1 NOT_SET_ANYWHERE\n", "NOT_SET_ANYWHERE is not set"),
    ("room-a ws://a:1\nroom-a ws://b:1\n", "room-a more than once"),
    ("# nothing\n", "names no room"),
    ("[{\"name\": \"x\"}]", "needs at least a \"url\""),
])
def test_a_bad_hosts_file_says_what_is_wrong(tmp_path: Path, text: str, says: str):
    with pytest.raises(ConfigurationError, match=says.replace("(", r"\(")) as caught:
        rooms.load_rooms(hosts_file(tmp_path, text))
    assert caught.value.exit_code != 0


def two_rooms(clients: dict[str, object], timeout: float = 2.0) -> rooms.Poller:
    listed = [rooms.Room("room-a", "ws://a.invalid:4455", timeout=timeout),
              rooms.Room("room-b", "ws://b.invalid:4455", timeout=timeout)]

    def connect(room: rooms.Room):
        client = clients[room.name]
        if isinstance(client, Exception):
            raise client
        return client

    clock = iter(NOW + i for i in range(1000))
    return rooms.Poller(listed, connect=connect, clock=lambda: next(clock))


def test_one_line_per_room_with_state_provider_live_time_health_and_a_dead_room_saying_so():
    schedule = {"state": "waiting", "at": NOW + 3600, "at_local": "2027-01-15 09:00 CET"}
    live = FakeObs([(streaming(1_000_000, skipped=6, frames=600), published(
        "live", open_streams=[{"provider": "mux", "stream_id": "m1"}], schedule=schedule))])
    out = io.StringIO()
    code = rooms.run([], as_json=False, watch=False, out=out, poller=two_rooms(
        {"room-a": live, "room-b": ObsUnreachableError("no answer from ws://b.invalid:4455 within 2 s")}))
    first, second = out.getvalue().splitlines()
    assert first.startswith("room-a  live  TP Streams (Streaming)  live for 1 min 23 s")
    assert "1.0% dropped" in first and "next 2027-01-15 09:00 CET" in first and "open 1" in first
    assert second.startswith("room-b  NOT ANSWERING: no answer from ws://b.invalid:4455")
    assert code == 1  # a script can tell that a room is down
    assert live.closed


def test_a_room_that_hangs_does_not_hold_up_the_others():
    release = threading.Event()

    class Hanging:
        def stream_status(self):
            release.wait(30)
            return IDLE_OBS

        def call(self, *_args, **_kwargs):
            return {"slotValue": None}

        def close(self):
            release.set()

    poller = two_rooms({"room-a": FakeObs([(IDLE_OBS, published("idle"))]), "room-b": Hanging()}, timeout=0.2)
    try:
        views = poller.poll()
    finally:
        release.set()
        poller.close()
    assert views[0]["reachable"] and views[0]["state"] == "idle"
    assert views[1] == {"room": "room-b", "url": "ws://b.invalid:4455", "reachable": False,
                        "problem": "no answer within 0.2 s"}


def test_watch_shows_a_room_that_stops_mid_watch_and_its_return(monkeypatch: pytest.MonkeyPatch):
    gone = ObsUnreachableError("connection to OBS lost")
    flaky = FakeObs([(IDLE_OBS, published("idle")), (IDLE_OBS, published("idle")), gone])
    steady = FakeObs([(streaming(10), published("live"))])
    rounds = iter(range(3))

    def sleep(_: float) -> None:
        if next(rounds) == 2:
            raise KeyboardInterrupt

    out = io.StringIO()
    out.isatty = lambda: False  # type: ignore[method-assign]
    assert rooms.run([], as_json=False, watch=True, out=out, sleep=sleep,
                     poller=two_rooms({"room-a": steady, "room-b": flaky})) == 0
    room_b = [line for line in out.getvalue().splitlines() if line.startswith("room-b")]
    assert room_b[0].startswith("room-b  idle") and room_b[1].startswith("room-b  idle")
    assert room_b[2] == "room-b  NOT ANSWERING: connection to OBS lost"
    assert all(line.startswith("room-a  live") for line in out.getvalue().splitlines() if line.startswith("room-a"))


def test_the_cli_prints_json_and_never_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture):
    monkeypatch.setenv("ROOM_A_PW", "hunter2-room-a-password")
    path = hosts_file(tmp_path, "room-a ws://a.invalid:4455 ROOM_A_PW\n")

    def connect(room: rooms.Room):
        raise ObsUnreachableError(f"refused the password {room.password}")

    monkeypatch.setattr(rooms, "connect_room", connect)
    code = main(["status", "--hosts", str(path), "--json"])
    printed = capsys.readouterr().out
    assert code == 1
    data = json.loads(printed)
    assert data[0]["room"] == "room-a" and data[0]["reachable"] is False
    assert "hunter2" not in printed
