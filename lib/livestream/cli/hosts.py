"""``trigger --hosts FILE`` and ``schedule add --hosts FILE``: one command in every room at once.

The rooms are those of ``status --hosts`` (``rooms.load_rooms``). Each room gets its own
connection (its ``timeout``) and runs the command on its own daemon thread
(``rooms.in_parallel``), with the room's timeout plus the command's ``--wait`` as its
deadline. One line per room says its outcome; a room that cannot be reached or does not
finish in time is a line saying so, never a traceback.

Exit code: 0 when every room succeeded; else the code the failing rooms share (a room
that did not answer counts as 5, OBS unreachable); 1 when they failed in different ways
(each line says how).
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, Optional, TextIO

from .. import secrets
from ..errors import LivestreamError, ObsUnreachableError
from .output import printable
from .rooms import Room, connect_room, in_parallel

#: One room's command over its connected client: (exit code, what to show).
Task = Callable[[Any], "tuple[int, dict[str, Any]]"]


def run(rooms: list[Room], task: Task, *, wait: float, as_json: bool, out: Optional[TextIO] = None,
        connect: Optional[Callable[[Room], Any]] = None) -> int:
    """Run ``task`` in every room at once, print one line (or JSON object) per room, return the exit code."""
    out = out or sys.stdout
    results: dict[str, dict[str, Any]] = {}

    def one(room: Room) -> None:
        results[room.name] = outcome(room, task, connect or connect_room)

    in_parallel(rooms, one, lambda room: room.timeout + wait)
    views = [results.get(room.name) or {"room": room.name, "url": room.url, "reachable": False, "ok": False,
                                        "exit_code": ObsUnreachableError.exit_code,
                                        "error": f"no answer within {room.timeout + wait:g} s"}
             for room in rooms]
    text = json.dumps(views, default=str, indent=2) if as_json else "\n".join(line(v) for v in views)
    out.write(secrets.redact(text) + "\n")
    out.flush()
    return exit_code(views)


def outcome(room: Room, task: Task, connect: Callable[[Room], Any]) -> dict[str, Any]:
    """One room's result; any failure is its result, not an exception."""
    base = {"room": room.name, "url": room.url}
    try:
        client = connect(room)
    except Exception as exc:  # noqa: BLE001 - a room that cannot be reached is its line
        return {**base, "reachable": False, "ok": False, "exit_code": _code(exc), "error": _why(exc)}
    try:
        code, result = task(client)
    except Exception as exc:  # noqa: BLE001 - the command failing in one room is that room's line
        return {**base, "reachable": True, "ok": False, "exit_code": _code(exc), "error": _why(exc)}
    finally:
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass
    return {**base, "reachable": True, "ok": code == 0, "exit_code": code, **result}


def line(view: dict[str, Any]) -> str:
    """e.g. "room-a  ok  live: Live for 0:04" or "room-b  NOT ANSWERING: ..."."""
    name = view["room"]
    if not view.get("reachable"):
        return printable(f"{name}  NOT ANSWERING: {view.get('error')}")
    if not view.get("ok"):
        return printable(f"{name}  FAILED (exit {view['exit_code']}): {view.get('error') or view.get('message')}")
    if "state" in view:  # trigger: the session it reached
        detail = f"{view.get('state')}: {view.get('status_line') or ''}".rstrip(": ")
        if view.get("playback_url"):
            detail += f"  {view['playback_url']}"
    else:  # schedule: the script's answer
        detail = str(view.get("message") or "done")
    return printable(f"{name}  ok  {detail}")


def exit_code(views: list[dict[str, Any]]) -> int:
    codes = {int(v["exit_code"]) for v in views if not v.get("ok")}
    if not codes:
        return 0
    return codes.pop() if len(codes) == 1 else 1


def _code(exc: BaseException) -> int:
    if isinstance(exc, LivestreamError):
        return exc.exit_code
    return ObsUnreachableError.exit_code if isinstance(exc, OSError) else 1


def _why(exc: BaseException) -> str:
    known = isinstance(exc, (LivestreamError, OSError))
    text = str(exc) if known else f"unexpected error ({type(exc).__name__}: {exc})"
    return secrets.redact(text)
