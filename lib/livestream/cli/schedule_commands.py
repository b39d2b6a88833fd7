"""``schedule``: set, show or cancel the script's scheduled go-live, over obs-websocket.

    python obs_livestream.py schedule set --at "2026-12-01 10:00" [--end-after 90] [--tz Europe/Berlin]
    python obs_livestream.py schedule show [--json]
    python obs_livestream.py schedule cancel
    python obs_livestream.py schedule add --start "2027-03-02 18:00" --minutes 90 [--days tue,thu] [--until 2027-06-30]
                                          [--provider mux] [--title "Yoga {n}: {date:%d %b}"] [--option key=value]
    python obs_livestream.py schedule import classes.ics [--provider mux]
    python obs_livestream.py schedule list|next [--json]
    python obs_livestream.py schedule remove ENTRY_ID
    python obs_livestream.py schedule skip ENTRY_ID --at "2027-03-09 18:00"

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
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from .. import bounds
from ..errors import ConfigurationError, ObsRefusedError
from ..session import bridge, localtime
from ..session.schedule import REQUEST_SLOT
from .common import bounded
from .connection import add_obs_arguments, connect
from .output import emit

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
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
    for command in (p, s, c, w, *register_timetable(actions)):
        add_obs_arguments(command)
        command.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_show)


def register_timetable(actions: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    """The timetable's commands: entries in the studio's time zone (the one OBS's machine is in)."""
    a = actions.add_parser("add", help="add a timetable entry (one-off, or weekly with --days)",
                           description="Add a go-live to the script's timetable. Times are wall-clock times in "
                           "the studio's time zone (the OBS machine's); an entry overlapping another is refused.")
    a.add_argument("--start", required=True, metavar='"YYYY-MM-DD HH:MM"', help="the first (or only) go-live")
    a.add_argument("--minutes", required=True, type=float, help="how long each go-live lasts")
    a.add_argument("--days", metavar="mon,thu", help="repeat weekly on these days, from --start on")
    a.add_argument("--until", metavar="YYYY-MM-DD", help="the last day of a weekly entry (included)")
    _add_preset_arguments(a)
    a.add_argument("--hosts", metavar="FILE", type=Path,
                   help="add it in every room in FILE at once, one line each (see docs/remote-and-cli.md)")
    a.set_defaults(func=cmd_add)
    i = actions.add_parser("import", help="add the go-lives of an iCalendar (.ics) file",
                           description="Add each event of an .ics file in the next --days-ahead days as a one-off "
                           "entry (repeats and their exceptions expanded), its summary the title unless --title.")
    i.add_argument("file", help="the .ics file")
    i.add_argument("--days-ahead", type=int, default=90, help="how far ahead to import (default 90 days)")
    _add_preset_arguments(i)
    i.set_defaults(func=cmd_import)
    r = actions.add_parser("remove", help="remove a timetable entry")
    r.add_argument("entry_id")
    r.set_defaults(func=cmd_remove)
    k = actions.add_parser("skip", help="skip one go-live of an entry, keeping the entry")
    k.add_argument("entry_id")
    k.add_argument("--at", required=True, metavar='"YYYY-MM-DD HH:MM"', help="the go-live to skip (studio time)")
    k.set_defaults(func=cmd_skip)
    li = actions.add_parser("list", help="the timetable's entries")
    li.set_defaults(func=cmd_list)
    n = actions.add_parser("next", help="the next three go-lives of the timetable")
    n.set_defaults(func=cmd_next)
    for command in (a, i, r, k):
        command.add_argument("--wait", type=float, default=15.0, metavar="SECONDS",
                             help="wait for the answer (default 15)")
    return [a, i, r, k, li, n]


def _add_preset_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--provider", default="", help="the provider to go live with (default: the panel's)")
    p.add_argument("--title", default="", help="title template: {date:%%d %%b}, {weekday}, {n} (the class number)")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="a provider option")
    p.add_argument("--safety-recording", choices=("on", "off"), default=None,
                   help="record locally while live for this entry (default: the panel's setting)")


def _preset(args: argparse.Namespace) -> dict[str, Any]:
    from ..session.timetable import check_title

    check_title(args.title)
    options = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigurationError(f"Cannot read the option {item!r}", hint="write it as KEY=VALUE")
        options[key] = value
    recording = {"on": True, "off": False}.get(args.safety_recording or "")
    return {"provider": args.provider, "options": options, "title": args.title, "safety_recording": recording}


def _wall(text: str, flag: str, form: str = "%Y-%m-%d %H:%M") -> str:
    try:
        return datetime.strptime(text.strip(), form).strftime(form)
    except ValueError:
        raise ConfigurationError(f"Cannot read {flag} {text!r}",
                                 hint=f'use the form "{form.replace("%", "")}", studio time') from None


def cmd_add(args: argparse.Namespace) -> int:
    days = []
    for name in (args.days or "").split(","):
        if name.strip():
            if name.strip()[:3].lower() not in DAY_NAMES:
                raise ConfigurationError(f"Unknown day {name!r}", hint="use mon, tue, wed, thu, fri, sat, sun")
            days.append(DAY_NAMES.index(name.strip()[:3].lower()))
    if args.minutes <= 0:
        raise ConfigurationError("--minutes must be more than 0")
    entry = {"start": _wall(args.start, "--start"), "duration": args.minutes * 60, "days": days,
             "until": _wall(args.until, "--until", "%Y-%m-%d") if args.until else None, "preset": _preset(args)}
    return _request(args, {"id": uuid.uuid4().hex[:12], "action": "add", "entry": entry})


def cmd_import(args: argparse.Namespace) -> int:
    try:
        text = open(args.file, encoding="utf-8").read()
    except OSError as exc:
        raise ConfigurationError(f"Cannot read {args.file} ({exc.strerror})", hint="check the path") from None
    return _request(args, {"id": uuid.uuid4().hex[:12], "action": "import", "text": text,
                           "days": args.days_ahead, "preset": _preset(args)})


def cmd_remove(args: argparse.Namespace) -> int:
    return _request(args, {"id": uuid.uuid4().hex[:12], "action": "remove", "entry_id": args.entry_id})


def cmd_skip(args: argparse.Namespace) -> int:
    return _request(args, {"id": uuid.uuid4().hex[:12], "action": "skip", "entry_id": args.entry_id,
                           "at_wall": _wall(args.at, "--at")})


def cmd_list(args: argparse.Namespace) -> int:
    entries = (_published_schedule(args).get("timetable") or {}).get("entries") or []
    emit({"entries": entries} if args.json else
         {e["entry_id"]: e["describe"] + (f", title {e['preset']['title']!r}" if e["preset"]["title"] else "")
          for e in entries} or {"message": "The timetable is empty"}, as_json=args.json)
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    upcoming = (_published_schedule(args).get("timetable") or {}).get("next") or []
    emit({"next": upcoming} if args.json else
         {o["at_local"]: f"{o['entry_id']} until {o['end_local']}" + (f": {o['title']}" if o["title"] else "")
          for o in upcoming} or {"message": "Nothing in the timetable"}, as_json=args.json)
    return 0


def _published_schedule(args: argparse.Namespace) -> dict[str, Any]:
    client = connect(args)
    try:
        published = bridge.read(client)
    finally:
        client.close()
    if published is None:
        raise ObsRefusedError("The obs-livestream script has published nothing in this OBS profile",
                              hint="add obs_livestream.py in OBS under Tools > Scripts")
    return published.get("schedule") or {}


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
    emit(summary(_published_schedule(args)) or {"message": "Nothing scheduled"}, as_json=args.json)
    return 0


def _request(args: argparse.Namespace, request: dict[str, Any]) -> int:
    if getattr(args, "hosts", None) is not None:
        from . import hosts, rooms

        return hosts.run(rooms.load_rooms(args.hosts, args.obs_timeout),
                         lambda client: ask(client, dict(request), args.wait), wait=args.wait, as_json=args.json)
    client = connect(args)
    try:
        code, result = ask(client, request, args.wait)
    finally:
        client.close()
    emit(result, as_json=args.json)
    return code


def ask(client: Any, request: dict[str, Any], wait: float) -> tuple[int, dict[str, Any]]:
    """Send one request to the script and read its answer: (0 or 2 when refused, the answer)."""
    view = _send(client, request, wait).get("schedule") or {}
    answer = view.get("request") or {}
    result = {"ok": bool(answer.get("ok")), "message": answer.get("message"), "schedule": summary(view)}
    return (0 if answer.get("ok") else ConfigurationError.exit_code), result


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
