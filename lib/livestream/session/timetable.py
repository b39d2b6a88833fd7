"""The timetable: many scheduled go-lives, one-off or weekly, as plain rules.

No OBS, no threads, no network: the caller passes the current time (epoch seconds)
and the studio's time zone (a ``zoneinfo.ZoneInfo``; None means the machine's zone).

An entry is kept as *wall-clock* time in the studio's zone ("Tuesdays and Thursdays at
18:00 for 90 minutes until 2027-06-30"), not as instants, so a weekly class stays at
18:00 across a daylight-saving change. Each occurrence is turned into an instant when
it is needed. A wall time skipped by the spring change (02:30 on the last Sunday of
March in Europe/Berlin) is read with the offset before the gap, so it happens at 03:30
local time, as RFC 5545 (iCalendar, section 3.3.5) prescribes; a wall time that exists
twice in autumn is its first occurrence, like ``localtime.parse``.

Each entry carries a preset (provider, provider options, a title template). The
template may use ``{date:%d %b}`` (the occurrence's local date, any strftime format),
``{weekday}`` (English day name) and ``{n}`` (the class number: 1 for the entry's
first occurrence, skipped ones included, so numbers do not shift when one is skipped).

Entries that overlap are refused when added, naming the entry and the occurrence they
clash with. The go-live of each occurrence (pre-flight, boot lead, missed start) is
the ``Scheduler``'s: ``Timetable.next_schedule`` gives it the next occurrence.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from string import Formatter
from typing import Any, Iterator, Optional

from ..errors import ConfigurationError
from . import localtime

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TITLE_FIELDS = {"date", "weekday", "n"}
#: How far ahead overlaps are checked for entries that repeat without an end date.
HORIZON_DAYS = 370
#: Refuse a duration shorter than this (a typo such as "0:00"); tests may lower it.
MIN_DURATION = 1.0
#: The length assumed for a go-live set without an end, when checking overlaps.
UNENDED_SPAN = 3600.0


@dataclass
class Preset:
    provider: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    #: Record locally while live (``livestream.session.recording``); None: the panel's setting.
    safety_recording: Optional[bool] = None


@dataclass
class Entry:
    """One line of the timetable.

    ``start`` is "YYYY-MM-DD HH:MM" (the first, or only, occurrence, in the studio's
    zone); ``days`` (0 = Monday) makes it weekly from that date on, up to and including
    ``until`` ("YYYY-MM-DD", optional). ``skipped`` holds occurrence starts (epoch
    seconds) the user skipped once.
    """

    start: str
    duration: float
    days: list[int] = field(default_factory=list)
    until: Optional[str] = None
    preset: Preset = field(default_factory=Preset)
    entry_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    skipped: list[float] = field(default_factory=list)

    @property
    def weekly(self) -> bool:
        return bool(self.days)

    def describe(self) -> str:
        if not self.weekly:
            return f"{self.start} for {_minutes(self.duration)}"
        days = ", ".join(WEEKDAYS[d][:3] for d in sorted(self.days))
        until = f" until {self.until}" if self.until else ""
        return f"{days} at {self.start[11:]} for {_minutes(self.duration)} from {self.start[:10]}{until}"


@dataclass
class Occurrence:
    entry_id: str
    at: float
    end: float
    n: int
    title: str
    skipped: bool = False


class Timetable:
    """The entries, and what happens when, in one time zone."""

    def __init__(self, entries: Optional[list[Entry]] = None, tz: Optional[tzinfo] = None) -> None:
        self.entries: list[Entry] = list(entries or [])
        self.tz = tz

    # --- changing it ---------------------------------------------------------------

    def add(self, entry: Entry, now: float) -> Entry:
        """Add ``entry`` after checking it; raises ``ConfigurationError`` saying what to fix."""
        self._check(entry, now)
        clash = self._clash(entry, now)
        if clash is not None:
            other, mine, theirs = clash
            raise self._overlap_error(f"This entry ({entry.describe()})", mine.at, other, theirs)
        self.entries.append(entry)
        return entry

    def check_free(self, at: float, end: float, now: float, what: str = "This go-live") -> None:
        """Refuse a single go-live from ``at`` to ``end`` that overlaps an entry's occurrence
        (a skipped one does not count: it will not go live), naming the clash like ``add``."""
        for other in self.entries:
            for theirs in self._occurrences(other, max(now, at), end):
                if not theirs.skipped and at < theirs.end and theirs.at < end:
                    raise self._overlap_error(
                        f"{what} ({localtime.show(at, self.tz, seconds=False)} for {_minutes(end - at)})",
                        at, other, theirs)

    def _overlap_error(self, mine: str, at: float, other: Entry, theirs: Occurrence) -> ConfigurationError:
        return ConfigurationError(
            f"{mine} overlaps entry {other.entry_id} ({other.describe()}): "
            f"{localtime.show(at, self.tz, seconds=False)} clashes with "
            f"{localtime.show(theirs.at, self.tz, seconds=False)}-"
            f"{localtime.show(theirs.end, self.tz, seconds=False)}",
            hint=f"move one of them, or remove entry {other.entry_id} first")

    def remove(self, entry_id: str) -> Entry:
        entry = self.find(entry_id)
        self.entries.remove(entry)
        return entry

    def skip(self, entry_id: str, at: float) -> Occurrence:
        """Skip one occurrence (``at``, its start) of an entry, keeping the entry."""
        entry = self.find(entry_id)
        for occ in self._occurrences(entry, at - 1, at + 1):
            if occ.at == at:
                entry.skipped.append(at)
                occ.skipped = True
                return occ
        raise ConfigurationError(f"Entry {entry_id} has no go-live at {localtime.show(at, self.tz)}",
                                 hint="use `schedule next` to see the coming go-lives")

    def find(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.entry_id == entry_id:
                return entry
        raise ConfigurationError(f"No timetable entry {entry_id!r}", hint="use `schedule list` to see the entries")

    # --- reading it ------------------------------------------------------------------

    def upcoming(self, now: float, count: int = 3) -> list[Occurrence]:
        """The next ``count`` occurrences not yet ended (one under way comes first), skipped ones left out."""
        found: list[Occurrence] = []
        horizon = now + HORIZON_DAYS * 86400
        for entry in self.entries:
            for occ in self._occurrences(entry, now, horizon):
                if not occ.skipped:
                    found.append(occ)
                    if sum(1 for f in found if f.entry_id == entry.entry_id) >= count:
                        break
        return sorted(found, key=lambda o: o.at)[:count]

    def next_after(self, now: float) -> Optional[Occurrence]:
        """The next occurrence starting after ``now`` (what the scheduler arms next)."""
        later = [o for o in self.upcoming(now, count=len(self.entries) * 2 + 2) if o.at > now]
        return later[0] if later else None

    def missed(self, since: float, now: float, grace: float = 15.0) -> list[Occurrence]:
        """Occurrences that should have started between ``since`` and ``now - grace`` (OBS was
        closed, or the script stopped): the missed-start policy decides if one still goes live."""
        out = [o for e in self.entries for o in self._occurrences(e, since, now)
               if since <= o.at < now - grace and not o.skipped]
        return sorted(out, key=lambda o: o.at)

    # --- saving and the old single schedule -----------------------------------------

    def to_dict(self) -> list[dict[str, Any]]:
        return [asdict(e) for e in self.entries]

    @classmethod
    def from_dict(cls, data: Any, tz: Optional[tzinfo] = None) -> Timetable:
        entries = []
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict):
                item = dict(item)
                item["preset"] = Preset(**(item.get("preset") or {}))
                entries.append(Entry(**item))
        return cls(entries, tz)

    def migrate(self, at: float, end_after: Optional[float], end_at: Optional[float],
                default_duration: float = UNENDED_SPAN) -> Entry:
        """The old single scheduled go-live (``schedule.json``'s ``schedule``) as a one-off entry.

        An old schedule without an end keeps no end: the duration is only used to check
        overlaps, so the default hour keeps later entries from being added on top of it.
        """
        duration = end_after or ((end_at - at) if end_at else None) or default_duration
        start = localtime.aware(at, self.tz).strftime("%Y-%m-%d %H:%M")
        entry = Entry(start=start, duration=float(duration), entry_id="migrated")
        self.entries.append(entry)
        return entry

    # --- the rules -------------------------------------------------------------------

    def _check(self, entry: Entry, now: float) -> None:
        first = _first_day(entry)  # raises on a bad start
        if entry.duration < MIN_DURATION:
            raise ConfigurationError(f"The duration {entry.duration:g} s is too short",
                                     hint="give the length of the go-live, e.g. 90 minutes")
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in entry.days):
            raise ConfigurationError(f"Bad weekdays {entry.days!r}", hint="use 0 (Monday) to 6 (Sunday)")
        if entry.until is not None:
            if not entry.weekly:
                raise ConfigurationError("An end date only applies to a weekly entry", hint="add the days")
            if _date(entry.until) < first:
                raise ConfigurationError(f"The end date {entry.until} is before the first go-live {entry.start}",
                                         hint="pick a later end date")
        if entry.weekly and entry.duration > 7 * 86400:
            raise ConfigurationError("A weekly entry cannot last longer than a week")
        check_title(entry.preset.title)
        if next(iter(self._occurrences(entry, now, now + HORIZON_DAYS * 86400)), None) is None:
            raise ConfigurationError(f"{entry.describe()} has no go-live after now "
                                     f"({localtime.show(now, self.tz, seconds=False)})",
                                     hint="pick a later time or a later end date")

    def _clash(self, entry: Entry, now: float) -> Optional[tuple[Entry, Occurrence, Occurrence]]:
        mine = list(self._occurrences(entry, now, self._horizon(entry, now)))
        for other in self.entries:
            theirs = list(self._occurrences(other, now, self._horizon(entry, now)))
            for a in mine:
                for b in theirs:
                    if a.at < b.end and b.at < a.end:
                        return other, a, b
        return None

    def _horizon(self, entry: Entry, now: float) -> float:
        return now + HORIZON_DAYS * 86400 if entry.weekly else _epoch_of(entry.start, self.tz) + entry.duration + 1

    def _occurrences(self, entry: Entry, since: float, until: float) -> Iterator[Occurrence]:
        """The entry's occurrences that end after ``since`` and start before ``until``."""
        wall = datetime.strptime(entry.start, "%Y-%m-%d %H:%M")
        last = _date(entry.until) if entry.until else None
        days = sorted(set(entry.days))
        day, n = wall.date(), 0
        while True:
            if last is not None and day > last:
                return
            if not days or day.weekday() in days:
                n += 1
                at = _instant(datetime.combine(day, wall.time()), self.tz)
                if at >= until:
                    return
                end = at + entry.duration
                if end > since:
                    yield Occurrence(entry.entry_id, at, end, n, self._title(entry, at, n),
                                     skipped=at in entry.skipped)
            if not days:
                return
            day += timedelta(days=1)

    def _title(self, entry: Entry, at: float, n: int) -> str:
        if not entry.preset.title:
            return ""
        moment = localtime.aware(at, self.tz)
        return entry.preset.title.format(date=moment, weekday=WEEKDAYS[moment.weekday()], n=n)


def check_title(template: str) -> None:
    """Refuse a title template with an unknown field or a broken brace, naming the fields allowed."""
    try:
        names = {name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(template or "")
                 if name is not None}
        if names - TITLE_FIELDS or "" in names:
            raise ValueError(", ".join(sorted(names - TITLE_FIELDS)) or "{}")
        template.format(date=datetime(2026, 1, 1), weekday="Thursday", n=1) if template else None
    except (ValueError, IndexError, KeyError) as exc:
        raise ConfigurationError(f"Cannot use the title {template!r} ({exc})",
                                 hint="use {date:%d %b}, {weekday} and {n}; write {{ and }} for braces") from None


def _first_day(entry: Entry) -> date:
    try:
        return datetime.strptime(entry.start, "%Y-%m-%d %H:%M").date()
    except (TypeError, ValueError):
        raise ConfigurationError(f"Cannot read the start {entry.start!r}",
                                 hint=f'use the form "YYYY-MM-DD HH:MM", e.g. "{localtime.EXAMPLE}"') from None


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        raise ConfigurationError(f"Cannot read the date {text!r}", hint='use the form "YYYY-MM-DD"') from None


def _instant(wall: datetime, tz: Optional[tzinfo]) -> float:
    # fold=0: a skipped wall time takes the offset before the gap (RFC 5545 3.3.5), a
    # repeated one its first occurrence.
    if tz is None:
        return wall.astimezone().timestamp()
    return wall.replace(tzinfo=tz, fold=0).timestamp()


def _epoch_of(start: str, tz: Optional[tzinfo]) -> float:
    return _instant(datetime.strptime(start, "%Y-%m-%d %H:%M"), tz)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min"


__all__ = ["Entry", "Occurrence", "Preset", "Timetable", "check_title"]
