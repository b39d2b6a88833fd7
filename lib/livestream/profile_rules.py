"""The OBS profile rules the go-live checks, read the same way in OBS and over obs-websocket.

Both readers (``obs/profile.py`` reads ``basic.ini`` itself, ``remote/client.py`` asks
obs-websocket's ``GetProfileParameter``) get the raw ``basic.ini`` string and hand it
here, so a value such as ``-1`` has one answer everywhere:

* ``[Auth] Type``: the linked streaming account (frontend ``Auth::Save``/``Auth::Load``);
  old OBS versions wrote ``None`` for no account.
* ``[Stream1] EnableMultitrackVideo``: Enhanced Broadcasting, read by OBS with
  ``config_get_bool`` (libobs/util/config-file.c): "true" in any case, or a number
  ``strtoull`` turns non-zero; ``-1`` wraps to the largest value, so it is on.
"""

from __future__ import annotations

import re
from typing import Optional

MULTITRACK_SINCE = (30, 2)  # OBS 30.2 added Enhanced Broadcasting


def config_bool(value: Optional[str]) -> bool:
    """libobs ``config_get_bool`` on a stored string (None or missing is False)."""
    value = (value or "").strip()
    if value.lower() == "true":
        return True
    # strtoull: leading digits with an optional sign; "-1" wraps to non-zero.
    match = re.match(r"[+-]?(\d+)", value)
    return bool(match) and int(match.group(1)) != 0


def linked_account(value: Optional[str]) -> Optional[str]:
    """The linked account's service name from ``[Auth] Type``, or None for no account."""
    value = (value or "").strip()
    return None if not value or value.lower() == "none" else value


def multitrack_video(value: Optional[str], version: tuple[int, int]) -> bool:
    """Enhanced Broadcasting is on: ``EnableMultitrackVideo`` set, on OBS ``version`` 30.2+."""
    return tuple(version) >= MULTITRACK_SINCE and config_bool(value)


__all__ = ["MULTITRACK_SINCE", "config_bool", "linked_account", "multitrack_video"]
