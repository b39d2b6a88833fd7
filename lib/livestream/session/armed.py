"""Armed: a start of OBS streaming from idle that obs-livestream did not ask for goes live
through the provider, as the Go live button does.

Why the stream settings hold a placeholder while armed: OBS emits
``OBS_FRONTEND_EVENT_STREAMING_STARTING`` from ``OBSBasic::StartStreaming`` after it has set
the output up and right before ``outputHandler->StartStreaming(service)``
(UI/window-basic-main.cpp in https://github.com/obsproject/obs-studio/tree/29.1.3), and the
event only notifies: nothing a script does can hold the start back, and the RTMP output
reads the server and key when it connects. A start from OBS's button, an obs-websocket
``StartStream`` or a Stream Deck therefore connects with whatever the settings hold at that
moment. So while armed and idle they hold ``PLACEHOLDER``, a loopback port where nothing
listens: the connect is refused at once and nothing leaves the machine. The user's own
settings wait in a state file (``armed.json``) and come back when the setting is turned off
or the script unloads; a crash in between leaves them in that file for the next load.

The rules are here, with the OBS port and a clock: ``obs.app`` feeds the frontend events in
(``starting``/``started``/``stopped``, from OBS's UI thread) and calls ``tick`` from its timer,
which says when to go live. Only a start seen while the controller is idle counts, so the
go-live's own start (made while it is STARTING) never triggers another: no loop.
"""

from __future__ import annotations

import logging
import queue
import time
from pathlib import Path
from typing import Any, Callable, Optional

from .. import paths
from ..errors import ObsError
from ..statefile import StateFile
from .ports import CUSTOM_SERVICE, ObsPort, StreamService

log = logging.getLogger("livestream.armed")

#: Port 1 on loopback: nothing listens there (tcpmux, never served), so the connect is refused.
PLACEHOLDER_SERVER = "rtmp://127.0.0.1:1/obs-livestream-armed"
PLACEHOLDER = StreamService.custom(server=PLACEHOLDER_SERVER, key="armed-by-obs-livestream")
#: How often, while armed and idle, the settings are checked (the user may edit them).
CHECK_EVERY = 1.0
#: A foreign start that neither fails nor connects in this long is forgotten (said in the log).
FOREIGN_TIMEOUT = 30.0


def is_placeholder(service: StreamService) -> bool:
    return service.service_type == CUSTOM_SERVICE and service.settings.get("server") == PLACEHOLDER_SERVER


class OwnSettings:
    """The user's own stream settings while armed, per OBS profile (the stream service belongs
    to the profile: a profile switch loads that profile's), in a private state file (they hold
    the key in clear, as OBS's own service.json does)."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.file = StateFile(path or paths.state_dir() / "armed.json", "your own stream settings")

    def load(self) -> dict[str, StreamService]:
        data = self.file.read("they are not known")
        kept = data.get("own") if isinstance(data, dict) else None
        own = {str(p): StreamService.from_dict(s) for p, s in (kept or {}).items() if isinstance(s, dict)}
        return {p: s for p, s in own.items() if not is_placeholder(s)}

    def save(self, own: dict[str, StreamService]) -> bool:
        """Keep ``own`` on disk (none: remove the file); False if the disk refused them."""
        if not own:
            self.file.remove()
            return True
        return self.file.write({"format": 1, "own": {p: s.to_dict() for p, s in own.items()}}, indent=2)


class RecordingPort:
    """The controller's OBS port, remembering the last stream service the controller set, so a
    provider's ingest left in the settings (restore turned off) is never taken as the user's own."""

    def __init__(self, inner: ObsPort) -> None:
        self.inner = inner
        self.last_set: Optional[StreamService] = None

    def set_stream_service(self, service: StreamService) -> None:
        self.inner.set_stream_service(service)
        self.last_set = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Armed:
    """Holds the placeholder while armed and idle, and tells when a foreign start should go live."""

    def __init__(self, obs: ObsPort, *, store: Optional[OwnSettings] = None,
                 clock: Callable[[], float] = time.monotonic, profile: Callable[[], str] = lambda: "") -> None:
        """``profile``: the name of OBS's current profile (its own settings are kept per profile)."""
        self.port = RecordingPort(obs)  # give this one to the controller
        self.obs = obs
        self.store = store or OwnSettings()
        self.clock = clock
        self.profile = profile
        self.enabled = False
        self._own: dict[str, StreamService] = self.store.load()
        self._events: queue.SimpleQueue = queue.SimpleQueue()  # (name, controller was active)
        self._foreign_at: Optional[float] = None
        self._foreign_connected = False
        self._stop_asked = False
        self._next_check = 0.0

    @property
    def own(self) -> Optional[StreamService]:
        """The user's own settings of the current profile, while they are kept aside."""
        return self._own.get(self.profile())

    # --- OBS's frontend events (its UI thread): only queued ------------------------

    def starting(self, *, active: bool) -> None:
        self._events.put(("starting", active))

    def started(self) -> None:
        self._events.put(("started", False))

    def stopped(self) -> None:
        self._events.put(("stopped", False))

    # --- the timer --------------------------------------------------------------------

    def tick(self, *, active: bool) -> bool:
        """Call on the timer before the controller's tick; ``active``: a go-live is under way.
        True: OBS was started from outside and that attempt is over: go live now."""
        go = self._drain()
        if go:
            return self.enabled and not active
        if self._foreign_at is not None:
            if self._foreign_connected and not self._stop_asked:
                # Connected somewhere though the settings held the placeholder: stop it now.
                self._stop_asked = True
                log.warning("Armed: a start not made by obs-livestream connected; stopping it")
                self.obs.stop_streaming()
            elif self.clock() - self._foreign_at > FOREIGN_TIMEOUT:
                log.warning("Armed: OBS neither connected nor stopped %.0f s after a start; not going live",
                            FOREIGN_TIMEOUT)
                self._foreign_at = None
            return False
        now = self.clock()
        if active or now < self._next_check:
            return False
        self._next_check = now + CHECK_EVERY
        if self.obs.is_streaming():
            return False
        if self.enabled:
            self._hold_placeholder()
        elif self.own is not None:
            self.release()
        return False

    def _drain(self) -> bool:
        go = False
        while True:
            try:
                name, active = self._events.get_nowait()
            except queue.Empty:
                return go
            if name == "starting":
                if self.enabled and not active and self._foreign_at is None:
                    self._foreign_at, self._foreign_connected, self._stop_asked = self.clock(), False, False
                    log.info("Armed: OBS is starting to stream, not asked by obs-livestream; its settings hold "
                             "the placeholder, so it connects nowhere; going live through the provider next")
            elif self._foreign_at is not None and name == "started":
                self._foreign_connected = True
            elif self._foreign_at is not None and name == "stopped":
                self._foreign_at = None
                go = True

    # --- the user's own settings ------------------------------------------------------

    def _hold_placeholder(self) -> None:
        current = self.obs.get_stream_service()
        if is_placeholder(current):
            return
        if current == self.port.last_set:
            log.warning("Armed: OBS's stream settings still hold the last go-live's ingest (restoring is "
                        "turned off); replacing them with the placeholder, your own stay as kept before")
        else:
            self._own[self.profile()] = current
            if not self.store.save(self._own):
                return  # not replaced while they are only in memory: tried again at the next idle check
            log.info("Armed: your stream settings (%s) are kept aside and OBS's point at a local placeholder "
                     "until 'Go live ... when OBS starts streaming' is turned off", current.service_type)
        self._set(PLACEHOLDER)

    def release(self) -> None:
        """Disarmed or unloading: put the user's own settings of this profile back (unless OBS is
        streaming: the next idle check does it then; another profile's, when it is current)."""
        own = self.own
        if own is None:
            return
        if self.obs.is_streaming():
            log.warning("Armed: OBS is streaming; your own stream settings come back after it stops")
            return
        if is_placeholder(self.obs.get_stream_service()):
            if not self._set(own):
                return  # kept (memory and file): tried again at the next idle check
            log.info("Armed: your own stream settings (%s) are back", own.service_type)
        # else someone set new settings meanwhile: those are the user's now, left alone
        self._own.pop(self.profile(), None)
        self.store.save(self._own)

    def _set(self, service: StreamService) -> bool:
        try:
            self.obs.set_stream_service(service)
            return True
        except ObsError as exc:
            log.warning("Armed: OBS refused the stream settings: %s", exc)
            return False
