"""The status dock inside OBS: reads what only obspython can tell, on the script's timer.

``ScriptDock`` owns the dock's server (``livestream.dock``, its own threads, no
obspython) and, from the timer, hands it plain data: the controller's snapshot, the
panel's notice, the go-live's state history and what the ``StudioReader`` read about
once a second (OBS's stream output health, the open streams). The reader is shared with
the alerts and ticked by the app whether or not this server runs. The buttons call the
same ``ScriptApp`` methods as the panel and the hotkeys, which only post to the
controller's inbox.

``open_streams`` may be set to a callable returning the provider streams still open
from earlier sessions (it sets the reader's source); the dock lists them when it is set.
It is called once a second on the timer: it should answer from memory.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

from ..dock import DockFeed, DockServer, History, session_view
from ..dock.server import BIND_CHOICES
from ..session.snapshot import Snapshot
from .studio_reader import StudioReader

log = logging.getLogger("livestream.obs")


class ScriptDock:
    """The dock's server and the timer-side feeding of it."""

    def __init__(self, actions: Mapping[str, Callable[[], None]], *, state_dir: Optional[Path] = None,
                 reader: Optional[StudioReader] = None) -> None:
        self._actions, self._state_dir = actions, state_dir
        self.feed = DockFeed()
        self.server = DockServer(self.feed, actions, state_dir=state_dir)
        self.reader = reader if reader is not None else StudioReader()
        #: When the next scheduled go-live starts (Unix time) or None, for the metrics.
        self.next_go_live: Optional[Callable[[], Optional[float]]] = None
        self._history = History()
        self._shown: tuple[Any, ...] = ()
        self._reads_shown = -1

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
        """OBS's output health as the reader last read it (None when not streaming)."""
        return self.reader.health

    @property
    def open_streams(self) -> Optional[Callable[[], Iterable[Any]]]:
        return self.reader.open_streams_source

    @open_streams.setter
    def open_streams(self, source: Optional[Callable[[], Iterable[Any]]]) -> None:
        self.reader.open_streams_source = source

    @property
    def url(self) -> Optional[str]:
        return self.server.url if self.server.running else None

    def observe(self, snapshot: Snapshot) -> None:
        """A controller listener: every state of the go-live reaches the timeline, even
        one that lasts less than a timer tick (READY on the way to STARTING)."""
        self._history.observe(snapshot)

    def tick(self, snapshot: Snapshot, notice: tuple[str, str]) -> None:
        """From the timer, after the reader's tick: publish what changed."""
        if not self.server.running:
            return
        now = time.monotonic()
        open_streams = self.reader.open_streams
        next_at = self._next_go_live()
        shown = (snapshot, notice, open_streams, next_at)
        if shown == self._shown and self.reader.reads == self._reads_shown:
            return  # nothing new: keep the timer's work tiny
        self._shown, self._reads_shown = shown, self.reader.reads
        self._history.observe(snapshot)
        view = session_view(snapshot, notice=notice, health=self.reader.health, history=self._history.view(now),
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
