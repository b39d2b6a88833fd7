"""Wall-clock times as people type and read them: "2026-12-01 10:00" in a time zone.

A schedule is kept as an absolute instant (epoch seconds), so a daylight-saving change
between setting it and its time moves nothing; only reading and showing it go through
a time zone. ``tz=None`` means the machine's own local zone (what the user sees on the
clock in the corner of the screen); tests pass a ``zoneinfo.ZoneInfo``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Optional

from ..errors import ConfigurationError

FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
EXAMPLE = "2026-12-01 10:00"


def parse(text: str, tz: Optional[tzinfo] = None) -> float:
    """``"YYYY-MM-DD HH:MM[:SS]"`` in ``tz`` (None: local) as epoch seconds.

    A time that does not exist (skipped by a daylight-saving change) is refused with a
    message; a time that exists twice (the hour repeated in autumn) is its first
    occurrence, as a calendar would read it.
    """
    value = (text or "").strip().replace("T", " ")
    naive = None
    for fmt in FORMATS:
        try:
            naive = datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if naive is None:
        raise ConfigurationError(f"Cannot read the time {text!r}",
                                 hint=f'use the form "YYYY-MM-DD HH:MM", e.g. "{EXAMPLE}"')
    try:
        epoch = _to_epoch(naive, tz)
        same = _to_naive(epoch, tz) == naive
    except (ValueError, OverflowError, OSError):  # year 1 in a zone east of UTC: year 0
        raise ConfigurationError(f"Cannot use the time {text!r}: it is outside the range this computer can show",
                                 hint=f'use a time within the next year, e.g. "{EXAMPLE}"') from None
    if not same:
        raise ConfigurationError(
            f"{value} does not exist in {zone_name(epoch, tz)}: the clocks skip it for daylight saving time",
            hint="pick a time outside the skipped hour",
        )
    return epoch


def _to_epoch(naive: datetime, tz: Optional[tzinfo]) -> float:
    if tz is None:
        return naive.astimezone().timestamp()  # a naive datetime is read as local time
    return naive.replace(tzinfo=tz, fold=0).timestamp()


def _to_naive(epoch: float, tz: Optional[tzinfo]) -> datetime:
    if tz is None:
        return datetime.fromtimestamp(epoch)
    return datetime.fromtimestamp(epoch, tz).replace(tzinfo=None)


def aware(epoch: float, tz: Optional[tzinfo] = None) -> datetime:
    return datetime.fromtimestamp(epoch, tz) if tz is not None else datetime.fromtimestamp(epoch).astimezone()


def zone_name(epoch: float, tz: Optional[tzinfo] = None) -> str:
    """e.g. "CET, UTC+01:00" (the zone's abbreviation at that instant and its offset)."""
    moment = aware(epoch, tz)
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds() // 60)
    utc = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    name = moment.tzname() or ""
    return f"{name}, {utc}" if name and not name.startswith(("UTC", "+", "-")) else utc


def show(epoch: float, tz: Optional[tzinfo] = None, *, seconds: bool = True) -> str:
    """e.g. "2026-12-01 10:00:00 CET" (the zone's abbreviation, or its UTC offset)."""
    moment = aware(epoch, tz)
    text = moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {zone_name(epoch, tz).split(',')[0]}"


def countdown(seconds: float) -> str:
    """e.g. "2 h 05 min", "4 min 10 s", "12 s"."""
    seconds = int(max(0, round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
