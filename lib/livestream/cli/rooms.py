"""``status --hosts FILE``: every studio at once, one line per room.

The file names each room's obs-websocket URL and the *name* of the environment variable
holding its password (never the password itself), as JSON::

    [{"name": "room-a", "url": "ws://10.0.0.5:4455", "password_env": "ROOM_A_PASSWORD", "timeout": 5}]

or as lines ``NAME URL [PASSWORD_ENV]`` (``#`` starts a comment). Every room is asked in
parallel on its own daemon thread with its own deadline, so one room that hangs neither
delays the others beyond its timeout nor keeps the command from exiting; a room that does
not answer is a line that says so. ``--watch`` redraws every second, ``--json`` prints
the rooms as a list.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from .. import secrets
from ..dock.feed import HealthMeter
from ..errors import ConfigurationError, LivestreamError
from ..session import bridge, localtime
from ..session.states import State
from .schedule_commands import summary as schedule_summary

DEFAULT_TIMEOUT = 5.0
INTERVAL = 1.0


@dataclass(frozen=True)
class Room:
    name: str
    url: str
    password_env: Optional[str] = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def password(self) -> Optional[str]:
        value = os.environ.get(self.password_env) if self.password_env else None
        secrets.register(value)
        return value


def load_rooms(path: Path, default_timeout: float = DEFAULT_TIMEOUT) -> list[Room]:
    """The rooms of a hosts file, or ConfigurationError saying what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"Cannot read the hosts file {path}: {exc.strerror or exc}") from None
    if text.lstrip().startswith(("[", "{")):
        rooms = _from_json(path, text, default_timeout)
    else:
        rooms = _from_lines(path, text, default_timeout)
    if not rooms:
        raise ConfigurationError(f"The hosts file {path} names no room",
                                 hint="one line per room: NAME ws://HOST:PORT [PASSWORD_ENV_VAR]")
    names = [room.name for room in rooms]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigurationError(f"The hosts file {path} names {', '.join(twice)} more than once")
    for room in rooms:
        if room.password_env and room.password_env not in os.environ:
            raise ConfigurationError(f"Room {room.name}: the environment variable {room.password_env} is not set",
                                     hint=f"export {room.password_env}=<its obs-websocket password>")
    return rooms


def _from_json(path: Path, text: str, default_timeout: float) -> list[Room]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigurationError(f"The hosts file {path} is not valid JSON: {exc}") from None
    items = data.get("hosts") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ConfigurationError(f"The hosts file {path} must hold a list of rooms (or {{\"hosts\": [...]}})")
    rooms = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not item.get("url"):
            raise ConfigurationError(f"The hosts file {path}, room {i}: needs at least a \"url\"")
        try:
            timeout = float(item.get("timeout", default_timeout))
        except (TypeError, ValueError):
            raise ConfigurationError(f"The hosts file {path}, room {i}: \"timeout\" must be seconds") from None
        rooms.append(Room(str(item.get("name") or item["url"]), str(item["url"]),
                          item.get("password_env") or None, timeout))
    return rooms


def _from_lines(path: Path, text: str, default_timeout: float) -> list[Room]:
    rooms = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) not in (2, 3) or "://" not in fields[1]:
            raise ConfigurationError(f"{path}, line {number}: expected NAME ws://HOST:PORT [PASSWORD_ENV_VAR]")
        rooms.append(Room(fields[0], fields[1], fields[2] if len(fields) == 3 else None, default_timeout))
    return rooms


# --- asking the rooms ---------------------------------------------------------------

def connect_room(room: Room) -> Any:
    from ..remote.client import ObsClient

    return ObsClient(room.url, room.password, timeout=room.timeout).connect()


def in_parallel(rooms: list[Room], ask: Callable[[Room], None],
                budget: Callable[[Room], float]) -> dict[str, threading.Thread]:
    """``ask(room)`` for every room at once, each on a daemon thread, waiting for each at most
    ``budget(room)`` (plus a second) from the start; returns the threads still running then
    (a room that hangs cannot keep the command from exiting)."""
    threads = {}
    for room in rooms:
        t = threading.Thread(target=ask, args=(room,), daemon=True, name=f"room-{room.name}")
        threads[room.name] = t
        t.start()
    start, stuck = time.monotonic(), {}
    for room in rooms:
        t = threads[room.name]
        t.join(max(0.0, budget(room) + 1.0 - (time.monotonic() - start)))
        if t.is_alive():
            stuck[room.name] = t
    return stuck


class Poller:
    """Asks every room in parallel; keeps each room's connection and health meter between rounds."""

    def __init__(self, rooms: list[Room], connect: Optional[Callable[[Room], Any]] = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.rooms = rooms
        self._connect = connect or connect_room
        self._clock = clock
        self._clients: dict[str, Any] = {}
        self._meters = {room.name: HealthMeter() for room in rooms}
        self._busy: dict[str, threading.Thread] = {}

    def poll(self) -> list[dict[str, Any]]:
        """One result per room, in file order, within the longest room timeout (plus a little)."""
        results: dict[str, dict[str, Any]] = {}
        # A room still stuck in the last round is not asked again: threads do not pile up.
        ready = [room for room in self.rooms if not (room.name in self._busy and self._busy[room.name].is_alive())]
        self._busy.update(in_parallel(ready, lambda room: self._ask(room, results), lambda room: room.timeout))
        out = []
        for room in self.rooms:
            out.append(results.get(room.name) or {"room": room.name, "url": room.url, "reachable": False,
                                                  "problem": f"no answer within {room.timeout:g} s"})
        return out

    def close(self) -> None:
        for client in list(self._clients.values()):
            try:
                client.close()
            except Exception:  # closing is best effort
                pass
        self._clients.clear()

    def _ask(self, room: Room, results: dict[str, dict[str, Any]]) -> None:
        try:
            client = self._clients.get(room.name)
            if client is None:
                client = self._clients[room.name] = self._connect(room)
            obs_status = client.stream_status()
            published = bridge.read(client)
        except Exception as exc:  # noqa: BLE001 - any failure of one room is that room's line, not a crash
            if not isinstance(exc, (LivestreamError, OSError)):
                exc = LivestreamError(f"unexpected answer ({type(exc).__name__}: {exc})")
            self._drop(room.name)
            results[room.name] = {"room": room.name, "url": room.url, "reachable": False,
                                  "problem": secrets.redact(str(exc))}
            return
        results[room.name] = room_view(room, obs_status, published, self._meters[room.name], self._clock())

    def _drop(self, name: str) -> None:
        client = self._clients.pop(name, None)
        if client is not None:
            try:
                client.close()
            except Exception:  # already gone
                pass


def room_view(room: Room, obs_status: dict[str, Any], published: Optional[dict[str, Any]], meter: HealthMeter,
              now: float) -> dict[str, Any]:
    """What one room shows: its session, OBS's output health, next class and open streams."""
    health = meter.sample_stream_status(now, obs_status)
    data = published or {}
    state = data.get("state") or None
    since = data.get("state_since")
    live_for = (round(max(0.0, now - since), 1) if state == State.LIVE.value and isinstance(since, (int, float))
                else None)
    schedule = schedule_summary(data.get("schedule"), now) or {}
    return {
        "room": room.name, "url": room.url, "reachable": True,
        "script_loaded": published is not None,
        "state": state, "provider": data.get("provider"), "provider_status": data.get("provider_status"),
        "live_for_seconds": live_for,
        "health": health,
        "next_go_live": schedule.get("go_live_at") if schedule.get("starts_in") else None,
        "open_streams": len(data.get("open_streams") or ()),
    }


def room_line(view: dict[str, Any]) -> str:
    """e.g. "room-a  live  Mux (active)  live for 12 min 03 s  2500 kb/s, 0.1% dropped  next -  open 0"."""
    name = view["room"]
    if not view.get("reachable"):
        return f"{name}  NOT ANSWERING: {view.get('problem')}"
    if not view.get("script_loaded"):
        state = "script not loaded"
    else:
        state = view.get("state") or "unknown"
    provider = view.get("provider") or "-"
    if view.get("provider_status"):
        provider += f" ({view['provider_status']})"
    live = f"live for {localtime.countdown(view['live_for_seconds'])}" if view.get("live_for_seconds") is not None \
        else "not live"
    health = view.get("health")
    if not health:
        health_text = "OBS not streaming"
    else:
        rate = "measuring" if health.get("bitrate_kbps") is None else f"{health['bitrate_kbps']} kb/s"
        health_text = f"{rate}, {health['dropped_percent']}% dropped" + (
            ", reconnecting" if health.get("reconnecting") else "")
    return (f"{name}  {state}  {provider}  {live}  {health_text}  next {view.get('next_go_live') or '-'}"
            f"  open {view.get('open_streams', 0)}")


def run(rooms: list[Room], *, as_json: bool, watch: bool, out: Optional[TextIO] = None,
        sleep: Callable[[float], None] = time.sleep, poller: Optional[Poller] = None) -> int:
    """Print the rooms once (exit 1 if one did not answer), or until Ctrl-C with ``watch`` (then 0)."""
    out = out or sys.stdout
    poller = poller or Poller(rooms)
    try:
        while True:
            views = poller.poll()
            if as_json:
                text = json.dumps(views, default=str)
            else:
                text = "\n".join(room_line(v) for v in views)
            if watch and not as_json and out.isatty():
                out.write("\033[H\033[2J")
            if watch and not as_json:
                out.write(f"obs-livestream rooms  {time.strftime('%H:%M:%S')}  (Ctrl-C to stop)\n")
            out.write(secrets.redact(text) + "\n")
            out.flush()
            if not watch:
                return 0 if all(v.get("reachable") for v in views) else 1
            sleep(INTERVAL)
    except KeyboardInterrupt:
        out.write("\n")
        return 0
    finally:
        poller.close()
