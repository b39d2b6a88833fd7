"""Timetable entries from an iCalendar file (a teacher's class calendar exported as .ics).

``icalendar`` reads the file and ``recurring-ical-events`` expands its repeats
(RRULE, RDATE, EXDATE, moved occurrences with RECURRENCE-ID), both from PyPI
(https://pypi.org/project/icalendar/, https://pypi.org/project/recurring-ical-events/).
Each occurrence in the coming ``days`` becomes a one-off entry in the studio's zone, its
SUMMARY the title, so a calendar's own exceptions survive as they are. The import is
all or nothing: a clash with an entry already there (or within the file) refuses the
whole file with the clash named, and nothing is added.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Optional

from ..errors import ConfigurationError
from . import localtime
from .timetable import Entry, Preset, Timetable

DEFAULT_DAYS = 90


def import_calendar(table: Timetable, text: str, now: float, *, preset: Optional[Preset] = None,
                    days: int = DEFAULT_DAYS) -> list[Entry]:
    """Add every timed event of ``text`` starting within ``days`` of ``now``; returns the entries added."""
    try:
        import icalendar
        import recurring_ical_events
    except ImportError:  # an OBS Python without the script's requirements
        raise ConfigurationError("Importing a calendar needs the icalendar and recurring-ical-events packages",
                                 hint="install requirements.txt into OBS's Python (see the README)") from None
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ConfigurationError(f"Cannot read the calendar ({exc})", hint="export it again as an .ics file") from None
    start = localtime.aware(now, table.tz)
    events = recurring_ical_events.of(calendar).between(start, start + timedelta(days=days))
    trial = Timetable(copy.deepcopy(table.entries), table.tz)
    added: list[Entry] = []
    for event in sorted(events, key=lambda e: _aware(e["DTSTART"].dt, table.tz)):
        begin = _aware(event["DTSTART"].dt, table.tz)
        if begin.timestamp() <= now:
            continue  # under way or over: not a go-live any more
        if not isinstance(event["DTSTART"].dt, datetime):
            continue  # an all-day event (a holiday) is no class
        end = _aware(event["DTEND"].dt, table.tz) if "DTEND" in event else None
        duration = (end - begin).total_seconds() if end else event.get("DURATION").dt.total_seconds()
        base = preset or Preset()
        title = base.title or _escape(str(event.get("SUMMARY", "")))
        entry = Entry(start=localtime.aware(begin.timestamp(), table.tz).strftime("%Y-%m-%d %H:%M"),
                      duration=duration, preset=replace(base, options=dict(base.options), title=title))
        added.append(trial.add(entry, now))
    table.entries[:] = trial.entries
    return added


def _aware(value: date, tz: Optional[tzinfo]) -> datetime:
    """An event time in the studio's zone; a floating time (no zone) is read as studio time."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz, fold=0) if tz else value.astimezone()
    return value.astimezone(tz) if tz else value.astimezone()


def _escape(summary: str) -> str:
    # A SUMMARY is plain text: its braces must not be read as template fields.
    return summary.replace("{", "{{").replace("}", "}}")


__all__ = ["import_calendar", "DEFAULT_DAYS"]
