"""``schedule``: set, show or cancel the script's scheduled go-live, over obs-websocket.

    python obs_livestream.py schedule set --at "2026-12-01 10:00" [--end-after 90] [--tz Europe/Berlin]
    python obs_livestream.py schedule show [--json]
    python obs_livestream.py schedule cancel

The script inside OBS holds the schedule and goes live with its panel's settings. This
command writes a request into obs-websocket's profile persistent data
(``SetPersistentData``, slot ``REQUEST_SLOT``); the script reads it from its timer and
publishes its answer with its session (``livestream.session.bridge``), which this
command waits for. Times are read in this machine's time zone unless ``--tz`` names one,
and sent as an instant, so the two machines may be in different zones.
"""

from __future__ import annotations

import argparse
import time
import uuid
from typing import Any, Optional

from .. import bounds
from ..errors import ConfigurationError, ObsRefusedError
from ..session import bridge, localtime
from ..session.schedule import REQUEST_SLOT
from .common import bounded
from .connection import add_obs_arguments, connect
from .output import emit

#: Seconds between re-sending an unanswered request (a write of the script's may cross ours).
RESEND_EVERY = 3.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schedule", help="go live at a set time (and end after a duration), held by the script in OBS",
        description="Set, show or cancel the go-live the obs-livestream script inside OBS holds: it prepares "
        "the provider stream early enough (a provider's server boot), starts OBS at the time, and ends after "
        "the set duration. It goes live with the script's panel settings.",
    )
    actions = p.add_subparsers(dest="schedule_action", metavar="ACTION")
    s = actions.add_parser("set", help="schedule the go-live", description="Schedule the go-live at --at (this "
                           "machine's local time unless --tz), replacing a schedule not yet under way.")
    s.add_argument("--at", required=True, metavar='"YYYY-MM-DD HH:MM[:SS]"', help="when to be live")
    end = s.add_mutually_exclusive_group()
    end.add_argument("--end-after", type=bounded("end_after_minutes"), metavar="MINUTES",
                     help="end this long after the set time")
    end.add_argument("--end-at", metavar='"YYYY-MM-DD HH:MM[:SS]"', help="end at this time")
    s.add_argument("--tz", metavar="ZONE", help="read the times in this IANA zone, e.g. Europe/Berlin")
    s.add_argument("--wait", type=bounded("wait_seconds"), default=15.0, metavar="SECONDS",
                   help="how long to wait for the script's answer (default 15)")
    s.set_defaults(func=cmd_set)
    c = actions.add_parser("cancel", help="cancel the scheduled go-live (ends a stream it already prepared)")
    c.add_argument("--wait", type=bounded("wait_seconds"), default=15.0, metavar="SECONDS",
                   help="wait for the answer (default 15)")
    c.set_defaults(func=cmd_cancel)
    w = actions.add_parser("show", help="the scheduled go-live and the set end of the current one")
    w.set_defaults(func=cmd_show)
    for command in (p, s, c, w):
        add_obs_arguments(command)
        command.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_show)


def _zone(name: Optional[str]) -> Any:
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"Unknown time zone {name!r}", hint="use an IANA name such as Europe/Berlin") from None


def cmd_set(args: argparse.Namespace) -> int:
    tz = _zone(args.tz)
    at = localtime.parse(args.at, tz)
    if at <= time.time():
        raise ConfigurationError(f"{localtime.show(at, tz)} has already passed", hint="pick a later time")
    bounds.check_schedule_time(at, time.time())
    request = {"id": uuid.uuid4().hex[:12], "action": "set", "at": at,
               "end_after": args.end_after * 60 if args.end_after else None,
               "end_at": localtime.parse(args.end_at, tz) if args.end_at else None}
    return _request(args, request)


def cmd_cancel(args: argparse.Namespace) -> int:
    return _request(args, {"id": uuid.uuid4().hex[:12], "action": "cancel"})


def cmd_show(args: argparse.Namespace) -> int:
    client = connect(args)
    try:
        published = bridge.read(client)
    finally:
        client.close()
    if published is None:
        raise ObsRefusedError("The obs-livestream script has published nothing in this OBS profile",
                              hint="add obs_livestream.py in OBS under Tools > Scripts")
    emit(summary(published.get("schedule")) or {"message": "Nothing scheduled"}, as_json=args.json)
    return 0


def _request(args: argparse.Namespace, request: dict[str, Any]) -> int:
    client = connect(args)
    try:
        published = _send(client, request, args.wait)
    finally:
        client.close()
    view = published.get("schedule") or {}
    answer = view.get("request") or {}
    result = {"ok": bool(answer.get("ok")), "message": answer.get("message"), "schedule": summary(view)}
    emit(result, as_json=args.json)
    if not answer.get("ok"):
        return ConfigurationError.exit_code
    return 0


def _send(client: Any, request: dict[str, Any], wait: float) -> dict[str, Any]:
    """Write the request, and again every few seconds, until the script publishes its answer."""
    deadline, next_send = time.monotonic() + wait, 0.0
    while time.monotonic() < deadline:
        if time.monotonic() >= next_send:
            client.call("SetPersistentData", realm=bridge.REALM, slotName=REQUEST_SLOT, slotValue=request)
            next_send = time.monotonic() + RESEND_EVERY
        published = bridge.read(client) or {}
        if ((published.get("schedule") or {}).get("request") or {}).get("id") == request["id"]:
            return published
        time.sleep(0.25)
    raise ObsRefusedError(f"The obs-livestream script did not answer within {wait:g} s",
                          hint="check that obs_livestream.py is loaded in OBS (Tools > Scripts) and see its log")


def summary(view: Optional[dict[str, Any]], now: Optional[float] = None) -> Optional[dict[str, Any]]:
    """The published schedule as a user reads it (``status`` and ``schedule show``)."""
    if not view or not (view.get("state") or view.get("current_end_at")):
        return None
    now = time.time() if now is None else now
    out: dict[str, Any] = {}
    if view.get("state"):
        at = float(view["at"])
        out.update(state=view["state"], go_live_at=view.get("at_local"), time_zone=view.get("time_zone"))
        if view["state"] in ("waiting", "preparing", "starting") and at > now:
            out["starts_in"] = localtime.countdown(at - now)
        out.update(end_after_minutes=view.get("end_after_minutes"), end_at=view.get("end_at_local"),
                   origin=view.get("origin"), message=view.get("message") or None,
                   problems=view.get("problems") or None)
        if view.get("live_at"):
            out["went_live_at"] = localtime.show(float(view["live_at"]))
            out["late_by_seconds"] = round(float(view["live_at"]) - at, 2)
    if view.get("current_end_at"):
        out["current_stream_ends_at"] = view.get("current_end_at_local")
        if float(view["current_end_at"]) > now:
            out["current_stream_ends_in"] = localtime.countdown(float(view["current_end_at"]) - now)
    return out
