"""Importing a class calendar (.ics): a weekly RRULE with an EXDATE becomes one-off
timetable entries in the studio's zone; a clash refuses the whole file."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from livestream.errors import ConfigurationError
from livestream.session.ical import import_calendar
from livestream.session.timetable import Entry, Preset, Timetable

BERLIN = ZoneInfo("Europe/Berlin")

CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//timetable//EN\r
BEGIN:VEVENT\r
UID:yoga-1@example.org\r
DTSTAMP:20270101T000000Z\r
SUMMARY:Yoga {basics}\r
DTSTART;TZID=Europe/Berlin:20270316T180000\r
DTEND;TZID=Europe/Berlin:20270316T193000\r
RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4\r
EXDATE;TZID=Europe/Berlin:20270323T180000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:holiday@example.org\r
DTSTAMP:20270101T000000Z\r
SUMMARY:Holiday\r
DTSTART;VALUE=DATE:20270325\r
END:VEVENT\r
END:VCALENDAR\r
"""


def epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN).timestamp()


NOW = epoch("2027-03-01 09:00")


def test_rrule_with_exdate_becomes_entries_across_the_spring_change():
    table = Timetable(tz=BERLIN)
    added = import_calendar(table, CALENDAR, NOW, preset=Preset("mux", {"latency": "low"}))
    assert [(e.start, e.duration) for e in added] == [
        ("2027-03-16 18:00", 5400), ("2027-03-30 18:00", 5400), ("2027-04-06 18:00", 5400)]
    assert [o.title for o in table.upcoming(NOW)] == ["Yoga {basics}"] * 3
    assert {e.preset.provider for e in table.entries} == {"mux"}


def test_a_clash_refuses_the_whole_calendar_and_adds_nothing():
    table = Timetable(tz=BERLIN)
    mine = table.add(Entry(start="2027-03-30 19:00", duration=600), NOW)
    with pytest.raises(ConfigurationError, match=f"overlaps entry {mine.entry_id}"):
        import_calendar(table, CALENDAR, NOW)
    assert table.entries == [mine]


def test_a_file_that_is_no_calendar_says_so():
    with pytest.raises(ConfigurationError, match="Cannot read the calendar"):
        import_calendar(Timetable(tz=BERLIN), "hello", NOW)
