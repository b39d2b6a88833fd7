"""The allowed range of every number a user types: one table for the CLI and the script.

``float()`` accepts "nan", "inf" and ``1e308``; a NaN never compares true, an infinite
duration never ends and ``1e20`` minutes overflows ``datetime`` on every timer tick. So
each number is checked here, in the CLI (``argparse`` ``type=``) and in the script (the
panel, saved settings and remote requests), with a message that names the allowed range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError

DAY = 24 * 3600.0
SCHEDULE_HORIZON_DAYS = 366  # a go-live scheduled further ahead is surely a typo


@dataclass(frozen=True)
class Bound:
    """``low < value <= high`` (or ``low <= value`` with ``low_inclusive``), in ``unit``."""

    what: str
    low: float
    high: float
    unit: str
    low_inclusive: bool = False

    def words(self) -> str:
        low = "from" if self.low_inclusive else "more than"
        return f"{self.what} must be {low} {self.low:g} up to {self.high:g} {self.unit}"


BOUNDS = {
    "end_after_minutes": Bound("the duration until the set end", 0, 7 * 24 * 60, "minutes"),
    "end_after_seconds": Bound("the duration until the set end", 0, 7 * DAY, "seconds"),
    "wait_seconds": Bound("the wait", 0, 3600, "seconds"),
    "timeout_seconds": Bound("the timeout", 0, 3600, "seconds"),
    # The script's panel settings, keyed by their setting name: the panel's number boxes
    # take their range from here, and a saved value outside it (an edited or older
    # settings file) is refused with the same words.
    "schedule_end_after": Bound("End after", 0, 24 * 60, "minutes", low_inclusive=True),
    "schedule_late_minutes": Bound("Start late up to", 0, 24 * 60, "minutes", low_inclusive=True),
    "schedule_boot_seconds": Bound("The server boot time", 5, 600, "seconds", low_inclusive=True),
    "ingest_timeout": Bound("Give up waiting for the ingest after", 30, 900, "seconds", low_inclusive=True),
    "notify_reconnect_seconds": Bound("Notify when OBS reconnects for", 1, 3600, "seconds", low_inclusive=True),
    "notify_open_minutes": Bound("Notify when a stream is still open after", 1, 24 * 60, "minutes",
                                 low_inclusive=True),
    "notify_dropped_percent": Bound("Notify when dropping more frames than", 1, 100, "percent", low_inclusive=True),
    "recovery_tries": Bound("Recovery tries per class", 1, 50, "tries", low_inclusive=True),
    "recovery_streams": Bound("New streams per class", 0, 10, "streams", low_inclusive=True),
    "safety_recording_keep_days": Bound("Remove safety recordings after", 0, 3650, "days", low_inclusive=True),
}


def check(name: str, value: Any, *, label: str = "") -> float:
    """``value`` as a float inside ``BOUNDS[name]``, or ``ConfigurationError`` saying the range."""
    bound = BOUNDS[name]
    shown = label or bound.what
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{shown} {value!r} is not a number",
                                 hint=bound.words()) from None
    low_ok = number >= bound.low if bound.low_inclusive else number > bound.low
    if not math.isfinite(number) or not low_ok or number > bound.high:
        raise ConfigurationError(f"{shown} {value!r} is out of range", hint=bound.words())
    return number


def check_schedule_time(at: float, now: float) -> float:
    """A scheduled instant that is finite and at most ``SCHEDULE_HORIZON_DAYS`` ahead."""
    if not math.isfinite(at) or at - now > SCHEDULE_HORIZON_DAYS * DAY:
        raise ConfigurationError("The scheduled time is too far ahead",
                                 hint=f"pick a time within {SCHEDULE_HORIZON_DAYS} days")
    return at
