"""The status dock inside OBS: reads what only obspython can tell, on the script's timer.

``ScriptDock`` owns the dock's server (``livestream.dock``, its own threads, no
obspython) and, from the timer, hands it plain data: the controller's snapshot, the
panel's notice, the go-live's state history and OBS's stream output health (bitrate,
dropped frames, reconnecting), read about once a second with obspython's output
getters. The buttons call the same ``ScriptApp`` methods as the panel and the hotkeys,
which only post to the controller's inbox.

``open_streams`` may be set to a callable returning the provider streams still open
from earlier sessions (objects or mappings with ``provider, stream_id, title, state,
last_error``); the dock lists them when it is set. It is called once a second, with
the health, on the timer: it should answer from memory.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

import obspython as obs

from ..dock import DockFeed, DockServer, HealthMeter, History, session_view
from ..dock.server import BIND_CHOICES
from ..session.snapshot import Snapshot

HEALTH_EVERY = 1.0  # seconds between reads of OBS's output counters

log = logging.getLogger("livestream.obs")


class ScriptDock:
    """The dock's server and the timer-side feeding of it."""

    def __init__(self, actions: Mapping[str, Callable[[], None]], *, state_dir: Optional[Path] = None) -> None:
        self._actions, self._state_dir = actions, state_dir
        self.feed = DockFeed()
        self.server = DockServer(self.feed, actions, state_dir=state_dir)
        self.open_streams: Optional[Callable[[], Iterable[Any]]] = None
        #: When the next scheduled go-live starts (Unix time) or None, for the metrics.
        self.next_go_live: Optional[Callable[[], Optional[float]]] = None
        self._meter = HealthMeter()
        self._history = History()
        self._health: Optional[dict[str, Any]] = None
        self._health_at = float("-inf")
        self._shown: tuple[Any, ...] = ()
        self._health_changed = False
        self._open: Optional[tuple[Any, ...]] = None

    def start(self) -> ScriptDock:
        """Start serving; if it cannot (no free port), the script works without a dock."""
        try:
            self.server.start()
            log.info("Status dock at %s (see the panel for how to add it to OBS)", self.server.url)
        except OSError as exc:
            log.warning("The status dock could not start: %s", exc)
        return self

    def rebind(self, bind: str) -> None:
        """The panel's "Listen on" (``dock_bind``) changed: serve again on that address, with the
        same port and token (kept in the state folder), so the dock URL stays the same."""
        if bind == self.server.bind or bind not in BIND_CHOICES:
            return
        self.server.stop()
        self.feed = DockFeed()
        self.server = DockServer(self.feed, self._actions, state_dir=self._state_dir, bind=bind)
        self._shown = ()  # publish the view to the new feed at the next tick
        self.start()
        if self.server.beyond_loopback:
            log.warning("The status dock listens on every network interface (port %s): anyone who can reach "
                        "this computer and has the token can read the session and /metrics", self.server.port)

    @property
    def beyond_loopback(self) -> bool:
        return self.server.running and self.server.beyond_loopback

    @property
    def health(self) -> Optional[dict[str, Any]]:
        """OBS's output health as last read (about once a second; None when not streaming)."""
        return self._health

    @property
    def url(self) -> Optional[str]:
        return self.server.url if self.server.running else None

    def observe(self, snapshot: Snapshot) -> None:
        """A controller listener: every state of the go-live reaches the timeline, even
        one that lasts less than a timer tick (READY on the way to STARTING)."""
        self._history.observe(snapshot)

    def tick(self, snapshot: Snapshot, notice: tuple[str, str]) -> None:
        """From the timer: refresh the health (and open streams) once a second; publish what changed."""
        if not self.server.running:
            return
        now = time.monotonic()
        if now - self._health_at >= HEALTH_EVERY:
            self._health_at = now
            self._health = self._read_health(now)
            self._open = self._open_streams()
            self._health_changed = True
        open_streams = self._open
        next_at = self._next_go_live()
        shown = (snapshot, notice, open_streams, next_at)
        if shown == self._shown and not self._health_changed:
            return  # nothing new: keep the timer's work tiny
        self._shown, self._health_changed = shown, False
        self._history.observe(snapshot)
        view = session_view(snapshot, notice=notice, health=self._health, history=self._history.view(now),
                            open_streams=open_streams)
        view["next_go_live_at"] = next_at
        self.feed.publish(view, since=snapshot.since)

    def stop(self) -> None:
        self.server.stop()

    def _next_go_live(self) -> Optional[float]:
        try:
            return self.next_go_live() if self.next_go_live is not None else None
        except Exception:  # the dock must never break the timer
            log.exception("Could not read the next scheduled go-live for the status dock")
            return None

    def _open_streams(self) -> Optional[tuple[Any, ...]]:
        if self.open_streams is None:
            return None
        try:
            return tuple(self.open_streams())
        except Exception:  # the dock must never break the timer
            log.exception("Could not list the open streams for the status dock")
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
