"""What the script's timer reads about the studio once a second, for whoever needs it.

``StudioReader`` reads OBS's stream output health (bitrate, dropped frames, reconnecting)
with obspython's output getters and asks its ``open_streams`` source (the provider streams
pending ends still holds, from memory) for the list. Both the status dock and the alerts
(dropped frames, a stream left open) use the one reading, so the alerts keep working when
the dock's server could not start (no free port), and OBS is asked once, not twice.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Iterable, Optional

import obspython as obs

from ..dock import HealthMeter

READ_EVERY = 1.0  # seconds between reads (OBS's counters move per second)

log = logging.getLogger("livestream.obs")


class StudioReader:
    """OBS's output health and the open streams, read on the timer at most once per ``READ_EVERY``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        #: A callable returning the provider streams still open from earlier sessions (objects or
        #: mappings with ``provider, stream_id, title, state, last_error``), or None for "not known".
        self.open_streams_source: Optional[Callable[[], Iterable[Any]]] = None
        self._meter = HealthMeter()
        self._read_at = float("-inf")
        self.health: Optional[dict[str, Any]] = None  # None when OBS is not streaming
        self.open_streams: Optional[tuple[Any, ...]] = None
        self.reads = 0  # grows with each reading: a reader of its own sees "new data" by it

    def tick(self) -> bool:
        """From the timer: read again if ``READ_EVERY`` has passed; True when it did."""
        now = self._clock()
        if now - self._read_at < READ_EVERY:
            return False
        self._read_at = now
        self.health = self._read_health(now)
        self.open_streams = self._list_open()
        self.reads += 1
        return True

    def _list_open(self) -> Optional[tuple[Any, ...]]:
        if self.open_streams_source is None:
            return None
        try:
            return tuple(self.open_streams_source())
        except Exception:  # reading must never break the timer
            log.exception("Could not list the open streams")
            return None

    def _read_health(self, now: float) -> Optional[dict[str, Any]]:
        output = obs.obs_frontend_get_streaming_output()
        if output is None:
            return self._meter.sample(now, active=False, total_bytes=0, dropped_frames=0, total_frames=0,
                                      reconnecting=False)
        try:
            return self._meter.sample(
                now,
                active=bool(obs.obs_output_active(output)),
                total_bytes=int(obs.obs_output_get_total_bytes(output)),
                dropped_frames=int(obs.obs_output_get_frames_dropped(output)),
                total_frames=int(obs.obs_output_get_total_frames(output)),
                reconnecting=bool(obs.obs_output_reconnecting(output)),
            )
        finally:
            obs.obs_output_release(output)
