"""How the script's session reaches remote clients: a profile parameter.

The script inside OBS writes its current ``Snapshot`` (no secrets: state, message,
stream id, URLs) as JSON into OBS's in-memory profile config, section
``[obs_livestream]``, key ``session``, on every change. Any obs-websocket client, on
this machine or another, reads it with ``GetProfileParameter`` (obs-websocket 5.0+),
so ``obs_livestream.py status`` and ``trigger`` can follow a go-live the script runs.

Why this and not a CustomEvent: the script needs no websocket connection of its
own, hence no copy of the obs-websocket password, and a late client still reads the
current state instead of waiting for the next event.
"""

from __future__ import annotations

import json
import time
from typing import Any, Optional

from .snapshot import Snapshot

CATEGORY = "obs_livestream"
NAME = "session"
FORMAT = 1


def encode(snapshot: Snapshot, *, seq: int, monotonic_now: float, wall_now: Optional[float] = None) -> str:
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
    return json.dumps(data, separators=(",", ":"))


def decode(text: Optional[str]) -> Optional[dict[str, Any]]:
    """The published session, or None if there is none or it is not ours."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data
