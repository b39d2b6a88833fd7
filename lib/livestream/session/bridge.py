"""How the script's session reaches remote clients: obs-websocket persistent data.

The script inside OBS writes its current ``Snapshot`` (no secrets: state, message,
stream id, URLs) into the slot ``obs_livestream_session`` of obs-websocket's profile
persistent data (``<profile>/obsWebSocketPersistentData.json``) on every change. Any
obs-websocket client, on this machine or another, reads it with
``GetPersistentData {realm: OBS_WEBSOCKET_DATA_REALM_PROFILE, slotName: ...}``, which
obs-websocket 5 answers from that file, read afresh each time. So
``obs_livestream.py status`` and ``trigger`` can follow a go-live the script runs.

Why this: the script needs no websocket connection of its own (hence no copy of the
obs-websocket password), a late client still reads the current state instead of
waiting for the next event, and OBS 29's Python cannot write OBS's config objects.
"""

from __future__ import annotations

import json
import time
from typing import Any, Optional

from .snapshot import Snapshot

REALM = "OBS_WEBSOCKET_DATA_REALM_PROFILE"
SLOT = "obs_livestream_session"
FORMAT = 1


def encode(snapshot: Snapshot, *, seq: int, monotonic_now: float, wall_now: Optional[float] = None) -> dict:
    """The JSON the script publishes; ``seq`` grows with every change."""
    wall = time.time() if wall_now is None else wall_now
    data: dict[str, Any] = snapshot.to_dict(monotonic_now)
    data.update(
        format=FORMAT,
        seq=seq,
        updated_at=wall,
        # Wall-clock start of the current state, so a reader can show the elapsed time.
        state_since=wall - max(0.0, monotonic_now - snapshot.since),
        message=snapshot.message,
        error_type=type(snapshot.error).__name__ if snapshot.error else None,
    )
    return data


def read(client: Any) -> Optional[dict[str, Any]]:
    """The script's published session, read through an ``ObsClient``."""
    return decode(client.call("GetPersistentData", realm=REALM, slotName=SLOT).get("slotValue"))


def decode(value: Any) -> Optional[dict[str, Any]]:
    """The published session (a slot value, or its JSON text), or None if absent or not ours."""
    data = value
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except ValueError:
            return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data
