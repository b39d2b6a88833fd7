"""The timetable rules with an injected clock: weekly entries, end dates, daylight saving
both ways in Europe/Berlin, a missed entry, entries a minute apart, overlaps, titles."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from livestream.errors import ConfigurationError
from livestream.session.timetable import Entry, Preset, Timetable

BERLIN = ZoneInfo("Europe/Berlin")
TUE, THU, SUN = 1, 3, 6


def epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN).timestamp()


def local(at: float) -> str:
    return datetime.fromtimestamp(at, BERLIN).strftime("%a %Y-%m-%d %H:%M %Z")


def utc_hour(at: float) -> int:
    return datetime.fromtimestamp(at, timezone.utc).hour


NOW = epoch("2027-03-01 09:00")


def test_weekly_entry_goes_live_on_its_days_until_its_end_date():
    table = Timetable(tz=BERLIN)
    table.add(Entry(start="2027-03-02 18:00", duration=5400, days=[TUE, THU], until="2027-03-11"), NOW)
    got = [local(o.at) for o in table.upcoming(NOW, count=10)]
    assert got == ["Tue 2027-03-02 18:00 CET", "Thu 2027-03-04 18:00 CET", "Tue 2027-03-09 18:00 CET",
                   "Thu 2027-03-11 18:00 CET"]
    assert table.upcoming(epoch("2027-03-11 20:00"), count=3) == []


def test_weekly_time_stays_on_the_wall_clock_across_spring_and_autumn():
    table = Timetable(tz=BERLIN)
    table.add(Entry(start="2027-03-23 18:00", duration=3600, days=[TUE]), NOW)
    spring = table.upcoming(epoch("2027-03-20 00:00"), count=2)
    assert [local(o.at) for o in spring] == ["Tue 2027-03-23 18:00 CET", "Tue 2027-03-30 18:00 CEST"]
    assert [utc_hour(o.at) for o in spring] == [17, 16]
    autumn = table.upcoming(epoch("2027-10-25 00:00"), count=2)
    assert [local(o.at) for o in autumn] == ["Tue 2027-10-26 18:00 CEST", "Tue 2027-11-02 18:00 CET"]
    assert [utc_hour(o.at) for o in autumn] == [16, 17]


def test_a_time_skipped_in_spring_happens_an_hour_later_and_a_repeated_one_once():
    table = Timetable(tz=BERLIN)
    table.add(Entry(start="2027-03-21 02:30", duration=600, days=[SUN], until="2027-04-04"), NOW)
    assert [local(o.at) for o in table.upcoming(NOW, count=3)] == [
        "Sun 2027-03-21 02:30 CET", "Sun 2027-03-28 03:30 CEST", "Sun 2027-04-04 02:30 CEST"]
    october = Timetable(tz=BERLIN)
    october.add(Entry(start="2027-10-31 02:30", duration=600), NOW)
    (only,) = october.upcoming(NOW)
    assert local(only.at) == "Sun 2027-10-31 02:30 CEST"


def test_two_entries_a_minute_apart_are_both_kept_in_order():
    table = Timetable(tz=BERLIN)
    first = table.add(Entry(start="2027-03-05 10:00", duration=60, preset=Preset("mux", title="A")), NOW)
    second = table.add(Entry(start="2027-03-05 10:01", duration=60, preset=Preset("tpstreams", title="B")), NOW)
    assert [(o.entry_id, o.title) for o in table.upcoming(NOW)] == [(first.entry_id, "A"), (second.entry_id, "B")]
    assert table.next_after(epoch("2027-03-05 10:00") + 1).entry_id == second.entry_id


def test_an_overlapping_entry_is_refused_naming_the_clash():
    table = Timetable(tz=BERLIN)
    weekly = table.add(Entry(start="2027-03-02 18:00", duration=5400, days=[TUE]), NOW)
    with pytest.raises(ConfigurationError) as err:
        table.add(Entry(start="2027-03-16 19:00", duration=1800), NOW)
    assert weekly.entry_id in str(err.value)
    assert "2027-03-16 18:00" in str(err.value) and "2027-03-16 19:00" in str(err.value)
    assert len(table.entries) == 1
    table.add(Entry(start="2027-03-16 19:30", duration=1800), NOW)  # starts as the class ends


def test_a_missed_entry_is_reported_and_the_next_one_still_comes():
    table = Timetable(tz=BERLIN)
    entry = table.add(Entry(start="2027-03-02 18:00", duration=3600, days=[TUE]), NOW)
    reopened = epoch("2027-03-02 18:20")  # OBS was closed over the start
    (missed,) = table.missed(since=NOW, now=reopened)
    assert (missed.entry_id, local(missed.at)) == (entry.entry_id, "Tue 2027-03-02 18:00 CET")
    assert local(table.next_after(reopened).at) == "Tue 2027-03-09 18:00 CET"
    assert table.missed(since=NOW, now=epoch("2027-03-02 18:00")) == []


def test_title_template_has_date_weekday_and_class_number_kept_when_one_is_skipped():
    table = Timetable(tz=BERLIN)
    entry = table.add(Entry(start="2027-03-02 18:00", duration=3600, days=[TUE],
                            preset=Preset("mux", {"latency": "low"}, "Yoga {n}: {weekday} {date:%d %b}")), NOW)
    table.skip(entry.entry_id, epoch("2027-03-09 18:00"))
    titles = [o.title for o in table.upcoming(NOW, count=3)]
    assert titles == ["Yoga 1: Tuesday 02 Mar", "Yoga 3: Tuesday 16 Mar", "Yoga 4: Tuesday 23 Mar"]


@pytest.mark.parametrize("entry, words", [
    (Entry(start="2027-03-02 18:00", duration=60, preset=Preset(title="{teacher}")), "teacher"),
    (Entry(start="2027-03-02 18:00", duration=60, preset=Preset(title="Class {n")), "title"),
    (Entry(start="2027-02-02 18:00", duration=60), "no go-live after now"),
    (Entry(start="2027-03-02 18:00", duration=60, days=[TUE], until="2027-02-01"), "before the first"),
    (Entry(start="2027-03-02 18:00", duration=0), "too short"),
    (Entry(start="next tuesday", duration=60), "YYYY-MM-DD HH:MM"),
])
def test_bad_entries_are_refused_with_what_to_do(entry, words):
    table = Timetable(tz=BERLIN)
    with pytest.raises(ConfigurationError) as err:
        table.add(entry, NOW)
    assert words in str(err.value)
    assert table.entries == []


def test_saved_and_loaded_and_the_old_single_schedule_becomes_one_entry():
    table = Timetable(tz=BERLIN)
    table.add(Entry(start="2027-03-02 18:00", duration=3600, days=[TUE], until="2027-04-01",
                    preset=Preset("mux", {"a": 1}, "{n}")), NOW)
    old = table.migrate(epoch("2027-03-03 10:00"), end_after=1800, end_at=None)
    assert (old.start, old.duration) == ("2027-03-03 10:00", 1800)
    again = Timetable.from_dict(table.to_dict(), BERLIN)
    assert [(o.entry_id, o.at, o.title) for o in again.upcoming(NOW, 5)] == \
        [(o.entry_id, o.at, o.title) for o in table.upcoming(NOW, 5)]
    assert again.entries[0].preset.options == {"a": 1}
    with pytest.raises(ConfigurationError, match="overlaps entry migrated"):
        again.add(Entry(start="2027-03-03 10:15", duration=60), NOW)
