"""The scheduled go-live and the end after a duration: what to do when, as plain Python.

No OBS, no threads, no network: an injected wall clock (epoch seconds) and time zone.
The script's timer feeds ``Scheduler`` every snapshot of the go-live (``observe``) and
calls ``tick`` with the current state; both return ``Action``s for the script to carry
out (a pre-flight check, prepare, start, end, a notice). Everything is saved to a small
JSON file in the state folder (``schedule.json``, next to the ledger) on every change,
so a schedule survives a script reload and an OBS restart.

The timeline of a schedule at ``T``:

* ``T - 5 min``: pre-flight (credentials, OBS not streaming, no linked account); the
  problems are shown while there is still time to fix them;
* ``T - lead``: *prepare* (create or start the provider stream, wait for its ingest,
  fill in OBS's settings, do not start): the lead is the provider's boot time for
  TP Streams (measured by earlier go-lives, or configured), a few seconds otherwise;
* ``T - connect``: start OBS streaming (the measured time OBS takes to connect), so OBS
  publishes at ``T``; later only if the ingest is not ready yet;
* live: the end is armed (``T + end after``, or an end time); a notice a minute before,
  then *end*. Stop Streaming in OBS still ends at once (the controller does that).

A schedule whose time passed while OBS was closed is not started late unless the user
allowed it (``loaded(late_allowed=...)``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, Callable, Optional

from .. import bounds, paths
from ..errors import ConfigurationError
from . import localtime
from .timetable import UNENDED_SPAN, Entry, Preset, Timetable

log = logging.getLogger("livestream.schedule")

FILE_NAME = "schedule.json"
FORMAT = 1
#: The obs-websocket persistent-data slot a remote client writes a request into.
REQUEST_SLOT = "obs_livestream_schedule_request"
ACTIVE = {"creating", "waiting_for_ingest", "ready", "starting", "live", "ending"}


@dataclass
class Timing:
    preflight_before: float = 300.0
    #: Providers whose stream key comes with the create: create this long before.
    create_lead: float = 5.0
    #: Added to a booting provider's boot time (its status polls, a slower boot).
    boot_margin: float = 5.0
    #: OBS's connect time until one is measured.
    default_connect: float = 0.3
    #: At load, a schedule this late still counts as on time.
    grace: float = 15.0
    notice_before: float = 60.0
    #: If the end was asked and the stream is still live after this, ask again.
    end_retry: float = 30.0


@dataclass
class Action:
    kind: str  # preflight | prepare | start | end | notice
    text: str = ""
    level: str = "info"
    #: A notice worth a notification (``notify.alerts``): schedule_problem | schedule_missed |
    #: failed (the go-live was refused at its time before the session started: no session
    #: failure tells of it). ``hint`` says what to do (shown after ``text``).
    alert: str = ""
    hint: str = ""


@dataclass
class Schedule:
    at: float
    end_after: Optional[float] = None  # seconds after ``at``
    end_at: Optional[float] = None  # or an absolute end
    origin: str = "panel"
    schedule_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    created_at: float = 0.0
    #: waiting | preparing | starting | done | missed | failed | cancelled
    phase: str = "waiting"
    checked: bool = False
    problems: list[str] = field(default_factory=list)
    message: str = ""
    seen_session: bool = False
    live_at: Optional[float] = None
    #: A timetable occurrence: its entry's preset (provider, options, the title filled in).
    preset: Optional[dict[str, Any]] = None

    def planned_end(self) -> Optional[float]:
        if self.end_at is not None:
            return self.end_at
        return self.at + self.end_after if self.end_after else None


@dataclass
class EndTimer:
    stream_id: str
    end_at: Optional[float]  # None: this go-live has no set end
    noticed: bool = False
    asked_at: Optional[float] = None


class ScheduleStore:
    """``schedule.json`` in the state folder, written atomically (0600)."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = path or paths.state_dir() / FILE_NAME

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Could not read the schedule (%s): starting without one", exc)
            return {}
        return data if isinstance(data, dict) and data.get("format") == FORMAT else {}

    def save(self, data: dict[str, Any]) -> None:
        paths.write_private(self.path, json.dumps({**data, "format": FORMAT}, indent=1))


class Scheduler:
    """One schedule at a time, the end of the current go-live, and measured lead times."""

    def __init__(self, store: ScheduleStore, *, clock: Callable[[], float] = time.time,
                 tz: Optional[tzinfo] = None, timing: Optional[Timing] = None) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.timing = timing or Timing()
        data = store.load()
        self.schedule = Schedule(**data["schedule"]) if isinstance(data.get("schedule"), dict) else None
        self.end = EndTimer(**data["end"]) if isinstance(data.get("end"), dict) else None
        self.last_request: dict[str, Any] = dict(data.get("last_request") or {})
        self.boot_samples: dict[str, list[float]] = dict(data.get("boot_samples") or {})
        self.connect_samples: list[float] = list(data.get("connect_samples") or [])
        self.timetable = Timetable.from_dict(data.get("timetable"), tz)
        if self.schedule is not None and "timetable" not in data and self.schedule.phase == "waiting":
            # schedule.json from before the timetable: its one go-live becomes an entry too, so
            # later entries cannot be added on top of it (it stays armed as it was).
            self.timetable.migrate(self.schedule.at, self.schedule.end_after, self.schedule.end_at)
            self.schedule.schedule_id = _occurrence_id("migrated", self.schedule.at)
            self.schedule.origin = "timetable"
        self._state = "idle"
        self._state_since = self.clock()
        self._creating_took = 0.0
        self._pending_actions: list[Action] = []
        self.late_allowed = 0.0  # the panel's late-start limit, given to ``loaded``

    # --- the user's commands ---------------------------------------------------------

    def set(self, at: float, *, end_after: Optional[float] = None, end_at: Optional[float] = None,
            origin: str = "panel") -> Schedule:
        """Schedule a go-live at ``at`` (epoch seconds), replacing a schedule not yet under way."""
        now = self.clock()
        if self.schedule is not None and self.schedule.phase in ("preparing", "starting"):
            raise ConfigurationError("A scheduled go-live is already under way",
                                     hint="cancel it first, or end the stream")
        bounds.check_schedule_time(at, now)  # NaN, infinity, year 9999: refused before any timer sees it
        if at <= now + 1:
            raise ConfigurationError(
                f"{localtime.show(at, self.tz)} has already passed (now {localtime.show(now, self.tz)})",
                hint="pick a later time")
        if end_after is not None and end_after <= 0:
            end_after = None
        if end_after is not None:  # 1e20 minutes overflowed datetime on every timer tick
            end_after = bounds.check("end_after_seconds", end_after)
        if end_at is not None:
            bounds.check_schedule_time(end_at, now)
        if end_at is not None and end_at <= at:
            raise ConfigurationError("The end time is not after the go-live time", hint="pick a later end")
        # Without an end, an hour is assumed for the check (as for a migrated schedule).
        span = end_after or ((end_at - at) if end_at else None) or UNENDED_SPAN
        self.timetable.check_free(at, at + span, now, "The scheduled go-live")
        armed = self.schedule
        if armed is not None and armed.origin == "timetable" and armed.phase == "waiting" and armed.at < at:
            # One go-live waits at a time: this one would replace the class armed before it.
            raise ConfigurationError(
                f"The timetable's next go-live ({armed.schedule_id.split('@')[0]} at "
                f"{localtime.show(armed.at, self.tz, seconds=False)}) comes before "
                f"{localtime.show(at, self.tz, seconds=False)}",
                hint="add this go-live to the timetable instead (`schedule add`), or pick a time before it")
        self.schedule = Schedule(at=at, end_after=end_after, end_at=end_at, origin=origin, created_at=now)
        log.info("Scheduled: go live at %s%s", localtime.show(at, self.tz), self._end_words(self.schedule))
        self._save()
        return self.schedule

    def cancel(self) -> list[Action]:
        """Drop the schedule; if it was already preparing a stream, end that stream too."""
        schedule, self.schedule = self.schedule, None
        if schedule is not None and schedule.origin == "timetable":
            # Cancelling a timetable go-live skips that one occurrence; the entry stays.
            entry_id = schedule.schedule_id.split("@")[0]
            if any(e.entry_id == entry_id for e in self.timetable.entries):
                self.timetable.skip(entry_id, schedule.at)
        self._save()
        if schedule is None:
            return []
        log.info("Cancelled the go-live scheduled at %s", localtime.show(schedule.at, self.tz))
        if schedule.phase in ("preparing", "starting") and self._state in ACTIVE:
            return [Action("end", "Cancelled the scheduled go-live: ending the prepared stream")]
        return []

    def handle_request(self, request: Any) -> Optional[dict[str, Any]]:
        """A remote client's request (``REQUEST_SLOT``): ``{"id", "action": "set"|"cancel", "at",
        "end_after", "end_at"}``. Each id is carried out once; the answer is published."""
        if not isinstance(request, dict) or not request.get("id") or request["id"] == self.last_request.get("id"):
            return None
        answer: dict[str, Any] = {"id": str(request["id"]), "ok": True, "message": ""}
        try:
            action = request.get("action")
            if action == "set":
                schedule = self.set(float(request["at"]), end_after=_number(request.get("end_after")),
                                    end_at=_number(request.get("end_at")), origin="remote")
                answer["message"] = self.line()
                answer["schedule_id"] = schedule.schedule_id
            elif action in ("add", "remove", "skip", "import"):
                answer["message"] = self.timetable_request(action, request)
            elif action == "cancel":
                had = self.schedule is not None
                self._pending_actions.extend(self.cancel())
                answer["message"] = "Cancelled the scheduled go-live" if had else "Nothing was scheduled"
            else:
                raise ConfigurationError(f"Unknown schedule request {action!r}")
        except (ConfigurationError, KeyError, TypeError, ValueError) as exc:
            answer.update(ok=False, message=str(exc) if isinstance(exc, ConfigurationError) else f"Bad request: {exc}")
        self.last_request = answer
        self._save()
        return answer

    def preflight_result(self, problems: list[str]) -> list[Action]:
        s = self.schedule
        if s is None:
            return []
        s.problems = list(problems)
        s.message = ("Pre-flight check: " + "; ".join(problems)) if problems else "Pre-flight check passed"
        self._save()
        return [Action("notice", f"Scheduled go-live at {localtime.show(s.at, self.tz)}: {s.message}",
                       "warning" if problems else "info", alert="schedule_problem" if problems else "")]

    def prepare_refused(self, reason: str, hint: str = "") -> list[Action]:
        """The script could not even build the go-live (e.g. no title): the schedule failed."""
        return self._settle("failed", f"Could not go live at the scheduled time: {reason}", "error",
                            alert="failed", hint=hint)

    # --- time and the session -----------------------------------------------------------

    def loaded(self, *, late_allowed: float = 0.0) -> list[Action]:
        """Right after the script loads: a schedule under way goes back to waiting (the
        reloaded script prepares again, resuming the stream it had); one whose time passed
        while OBS was closed starts late only within ``late_allowed`` seconds."""
        self.late_allowed = late_allowed
        s = self.schedule
        if s is None or s.phase not in ("waiting", "preparing", "starting"):
            return []
        s.phase, s.seen_session = "waiting", False
        late = self.clock() - s.at
        if late <= self.timing.grace:
            self._save()
            return []
        when = localtime.show(s.at, self.tz)
        if late <= late_allowed:
            s.message = f"Starting {localtime.countdown(late)} late (OBS was not running at {when})"
            self._save()
            return [Action("notice", s.message, "warning")]
        return self._settle("missed", f"Skipped the go-live scheduled at {when}: OBS was not running then "
                            f"({localtime.countdown(late)} ago). Allow a late start under Schedule to start it "
                            "anyway next time", "warning")

    def lead(self, provider: str, *, boots_server: bool, poll_interval: float = 3.0,
             configured_boot: float = 30.0) -> float:
        """Seconds before the time to prepare: the provider's boot time, or a few seconds."""
        if not boots_server:
            return self.timing.create_lead
        samples = self.boot_samples.get(provider) or []
        boot = max(samples[-5:]) if samples else configured_boot
        return boot + poll_interval + self.timing.boot_margin

    def connect_lead(self) -> float:
        samples = self.connect_samples[-5:]
        return sorted(samples)[len(samples) // 2] if samples else self.timing.default_connect

    def observe(self, state: str, stream_id: Optional[str], provider: Optional[str] = None, *,
                end_after: Optional[float] = None, recovering: bool = False) -> list[Action]:
        """Every snapshot of the go-live. ``end_after``: the duration for a go-live not
        started by the schedule (the panel's setting), armed when it goes live; ``recovering``:
        its stream ended and recovery by itself makes a new one (``session.recovery``), which
        keeps the set end."""
        now, actions = self.clock(), []
        previous, since = self._state, self._state_since
        if state != previous:
            self._state, self._state_since = state, now
            self._measure(previous, state, now - since, provider)
        s = self.schedule
        if s is not None and s.phase in ("preparing", "starting"):
            if state in ACTIVE:
                s.seen_session = True
            if state == "failed":
                actions += self._settle("failed", "The scheduled go-live failed (see the status)", "error")
            elif state in ("idle", "ended") and s.seen_session:
                actions += self._settle("cancelled", "The prepared stream was ended before going live", "warning")
        if state == "live" and stream_id and (self.end is None or self.end.stream_id != stream_id):
            actions += self._went_live(stream_id, now, end_after)
        elif state in ("idle", "ended", "failed") and self.end is not None and not recovering:
            self.end = None
            self._save()
        return actions

    def tick(self, state: str, *, lead: Optional[float] = None) -> list[Action]:
        """Time-based work; ``state`` is the go-live's current state, ``lead`` how long
        before the time to prepare (``lead()``; a few seconds if not given)."""
        now = self.clock()
        actions, self._pending_actions = list(self._pending_actions), []
        actions += self._arm_next(now)
        s = self.schedule
        if s is not None and s.phase == "waiting":
            if not s.checked and now >= s.at - self.timing.preflight_before:
                s.checked = True
                self._save()
                actions.append(Action("preflight"))
            busy = state in ACTIVE and state != "ready"
            if busy and now >= s.at + self.timing.grace:
                actions += self._settle("failed", f"Could not go live at {localtime.show(s.at, self.tz)}: "
                                        f"another go-live was under way ({state.replace('_', ' ')})", "error",
                                        alert="failed", hint="end the other go-live, then go live by hand "
                                        "or schedule again")
            elif not busy and now - s.at > max(self.timing.grace, self.late_allowed):
                # Only a wall-clock jump gets here (sleep and resume, an NTP step): the same
                # late-start limit as at load time, so it never starts hours late.
                actions += self._settle("missed", f"Skipped the go-live scheduled at {localtime.show(s.at, self.tz)}"
                                        f": the clock jumped past it ({localtime.countdown(now - s.at)} late). "
                                        "Allow a late start under Schedule to start it anyway", "warning")
            elif not busy and now >= s.at - (self.timing.create_lead if lead is None else lead):
                s.phase, s.seen_session = "preparing", False
                s.message = f"Preparing the go-live at {localtime.show(s.at, self.tz)}"
                self._save()
                actions.append(Action("prepare", s.message))
        elif s is not None and s.phase == "preparing" and now >= s.at - self.connect_lead() and state == "ready":
            s.phase = "starting"
            self._save()
            actions.append(Action("start", f"Going live as scheduled for {localtime.show(s.at, self.tz)}"))
        e = self.end
        if e is not None and e.end_at is not None and state in ACTIVE:
            if not e.noticed and now >= e.end_at - self.timing.notice_before and now < e.end_at:
                e.noticed = True
                self._save()
                actions.append(Action("notice", f"Ending in {localtime.countdown(e.end_at - now)}, at "
                                      f"{localtime.show(e.end_at, self.tz)} (the set end)", "warning"))
            if now >= e.end_at and state != "ending" and (
                    e.asked_at is None or now - e.asked_at >= self.timing.end_retry):
                e.asked_at = now
                self._save()
                actions.append(Action("end", f"Ending at the set time ({localtime.show(e.end_at, self.tz)})"))
        return actions

    # --- what the user sees ----------------------------------------------------------------

    def line(self) -> str:
        """One line for the panel: "Go live at 2026-12-01 10:00:00 CET (in 2 h 05 min); end after 90 min"."""
        now, parts = self.clock(), []
        s = self.schedule
        if s is not None:
            when = localtime.show(s.at, self.tz)
            if s.phase == "waiting":
                parts.append(f"Go live at {when} (in {localtime.countdown(s.at - now)}){self._end_words(s)}")
            elif s.phase in ("preparing", "starting"):
                parts.append(f"Going live at {when} (in {localtime.countdown(s.at - now)})" if now < s.at
                             else f"Going live (scheduled for {when})")
            elif s.phase == "done" and s.live_at is not None:
                parts.append(f"Went live at {localtime.show(s.live_at, self.tz)} (scheduled {when}, "
                             f"{s.live_at - s.at:+.1f} s)")
            if s.message and s.phase not in ("preparing", "starting", "done"):
                parts.append(s.message)
            elif s.problems:
                parts.append("Pre-flight: " + "; ".join(s.problems))
        if self.end is not None and self.end.end_at is not None and self._state in ACTIVE:
            parts.append(f"Ends at {localtime.show(self.end.end_at, self.tz)} "
                         f"(in {localtime.countdown(self.end.end_at - now)})")
        return " · ".join(parts) if parts else "Nothing scheduled"

    def view(self) -> Optional[dict[str, Any]]:
        """What is published for remote clients (no countdown, so it changes only with the schedule)."""
        s, e = self.schedule, self.end
        if s is None and (e is None or e.end_at is None) and not self.last_request and not self.timetable.entries:
            return None
        data: dict[str, Any] = {"request": dict(self.last_request) if self.last_request else None,
                                "timetable": self.timetable_view()}
        if s is not None:
            planned_end = s.planned_end()
            data.update(
                state=s.phase, at=s.at, at_local=localtime.show(s.at, self.tz),
                time_zone=localtime.zone_name(s.at, self.tz),
                end_after_minutes=round(s.end_after / 60, 2) if s.end_after else None,
                end_at=planned_end, end_at_local=localtime.show(planned_end, self.tz) if planned_end else None,
                origin=s.origin, message=s.message, problems=list(s.problems), live_at=s.live_at,
            )
        if e is not None and e.end_at is not None:
            data["current_end_at"] = e.end_at
            data["current_end_at_local"] = localtime.show(e.end_at, self.tz)
            data["stream_id"] = e.stream_id
        return data

    # --- the timetable -------------------------------------------------------------------

    def _arm_next(self, now: float) -> list[Action]:
        """When no go-live is waiting or under way, arm the timetable's next occurrence as the
        schedule, so the pre-flight, boot lead and missed-start rules above apply to each.
        One whose start passed more than ``grace`` ago (OBS was closed) is missed, not started."""
        s = self.schedule
        if s is not None and s.phase in ("waiting", "preparing", "starting"):
            return []
        actions: list[Action] = []
        for occ in self.timetable.upcoming(now, count=len(self.timetable.entries) + 1):
            key = _occurrence_id(occ.entry_id, occ.at)
            if s is not None and s.origin == "timetable" and s.at >= occ.at:
                continue  # armed already (now done, missed, failed or cancelled)
            entry = self.timetable.find(occ.entry_id)
            self.schedule = Schedule(at=occ.at, end_after=occ.end - occ.at, origin="timetable", schedule_id=key,
                                     created_at=now, preset={**asdict(entry.preset), "title": occ.title})
            if occ.at < now - self.timing.grace:
                actions += self._settle("missed", f"Skipped the go-live of entry {occ.entry_id} at "
                                        f"{localtime.show(occ.at, self.tz)}: it passed while the script was not "
                                        "running", "warning")
                s = self.schedule
                continue
            log.info("Armed the timetable's next go-live: %s", localtime.show(occ.at, self.tz))
            self._save()
            break
        return actions

    def timetable_request(self, action: str, request: dict[str, Any]) -> str:
        """``add`` (``entry``: the fields of ``timetable.Entry``), ``remove`` or ``skip`` (``entry_id``,
        ``at`` for skip): the answer's message. A removed or skipped occurrence already armed is dropped."""
        now = self.clock()
        if action == "add":
            raw = dict(request.get("entry") or {})
            raw["preset"] = Preset(**(raw.get("preset") or {}))
            raw.pop("entry_id", None)
            raw.pop("skipped", None)
            entry = self.timetable.add(Entry(**raw), now)
            message = f"Added entry {entry.entry_id}: {entry.describe()}"
        elif action == "import":
            from .ical import import_calendar  # icalendar is loaded only when a calendar is imported

            added = import_calendar(self.timetable, str(request.get("text") or ""), now,
                                    preset=Preset(**(request.get("preset") or {})),
                                    days=int(request.get("days") or 90))
            message = f"Imported {len(added)} go-live(s) from the calendar"
        elif action == "remove":
            entry = self.timetable.remove(str(request.get("entry_id")))
            message = f"Removed entry {entry.entry_id}: {entry.describe()}"
        else:
            if "at" not in request:  # the CLI names the go-live by its wall time in the studio
                request = {**request, "at": localtime.parse(str(request.get("at_wall")), self.tz)}
            occ = self.timetable.skip(str(request.get("entry_id")), float(request["at"]))
            message = f"Skipping entry {occ.entry_id} once, at {localtime.show(occ.at, self.tz)}"
        s = self.schedule
        if s is not None and s.origin == "timetable" and s.phase == "waiting" and action in ("remove", "skip"):
            entry_id, at = s.schedule_id.split("@")
            if entry_id == str(request.get("entry_id")) and (action == "remove" or float(at) == float(request["at"])):
                self.schedule = None
        self._save()
        return message

    def timetable_view(self, count: int = 3) -> dict[str, Any]:
        now = self.clock()
        return {
            "entries": [{**asdict(e), "describe": e.describe()} for e in self.timetable.entries],
            "next": [{"entry_id": o.entry_id, "at": o.at, "at_local": localtime.show(o.at, self.tz),
                      "end": o.end, "end_local": localtime.show(o.end, self.tz), "n": o.n, "title": o.title}
                     for o in self.timetable.upcoming(now, count)],
        }

    # --- internals ----------------------------------------------------------------------

    def _went_live(self, stream_id: str, now: float, end_after: Optional[float]) -> list[Action]:
        s = self.schedule
        actions: list[Action] = []
        if s is not None and s.phase in ("preparing", "starting"):
            end_at = s.planned_end()
            s.phase, s.live_at, s.message = "done", now, ""
            log.info("Went live %.1f s %s the scheduled time", abs(now - s.at), "after" if now >= s.at else "before")
        elif self.end is not None:  # a new stream of the same go-live (recovery): the same end
            end_at = self.end.end_at
        else:
            end_at = now + end_after if end_after else None
        self.end = EndTimer(stream_id=stream_id, end_at=end_at)
        if end_at is not None:
            actions.append(Action("notice", f"Live; ending at {localtime.show(end_at, self.tz)}", "info"))
        self._save()
        return actions

    def _measure(self, before: str, after: str, seconds: float, provider: Optional[str]) -> None:
        """Learn how long a provider takes from create to ingest ready, and OBS to connect."""
        if after == "ready" and before == "waiting_for_ingest" and provider:
            # From the create (the state before waiting) would be better; waiting is the boot.
            samples = self.boot_samples.setdefault(provider, [])
            samples.append(round(seconds + self._creating_took, 2))
            del samples[:-5]
        elif after == "waiting_for_ingest" and before == "creating":
            self._creating_took = seconds
        elif after == "live" and before == "starting":
            self.connect_samples.append(round(seconds, 3))
            del self.connect_samples[:-5]
        else:
            return
        self._save()

    def _settle(self, phase: str, message: str, level: str, *, alert: str = "", hint: str = "") -> list[Action]:
        assert self.schedule is not None
        self.schedule.phase, self.schedule.message = phase, f"{message}: {hint}" if hint else message
        self._save()
        return [Action("notice", message, level, alert=alert or ("schedule_missed" if phase == "missed" else ""),
                       hint=hint)]

    def _end_words(self, s: Schedule) -> str:
        if s.end_at is not None:
            return f", end at {localtime.show(s.end_at, self.tz)}"
        if s.end_after:
            return f", end after {s.end_after / 60:g} min"
        return ""

    def _save(self) -> None:
        data = {
            "schedule": asdict(self.schedule) if self.schedule else None,
            "end": asdict(self.end) if self.end else None,
            "last_request": self.last_request or None,
            "boot_samples": self.boot_samples,
            "connect_samples": self.connect_samples,
            "timetable": self.timetable.to_dict(),
        }
        try:
            self.store.save(data)
        except OSError as exc:
            log.warning("Could not save the schedule (%s): it will not survive a restart", exc)


def _occurrence_id(entry_id: str, at: float) -> str:
    return f"{entry_id}@{at:.0f}"


def _number(value: Any) -> Optional[float]:
    return None if value in (None, "") else float(value)
