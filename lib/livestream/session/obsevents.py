"""What OBS tells the controller about its main stream: started, stopped, reconnecting,
reconnected.

Part of the ``Controller`` (its base class, as ``flow.Flow``): the front end posts each
event from whatever thread OBS reported it on (``streaming_started`` ...); ``tick`` hands
it, on the thread that owns OBS calls, to its handler in ``OBS_EVENTS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from ..errors import ObsRefusedError
from .inbox import ObsEvent
from .recovery import UNASKED_STOP
from .states import State

if TYPE_CHECKING:
    from .controller import Controller as _Base
else:
    _Base = object


class ObsEvents(_Base):
    """Posting OBS's events (any thread) and applying them (the owner's thread)."""

    # --- posting (any thread) ---------------------------------------------

    def streaming_started(self) -> None:
        self._inbox.put(ObsEvent("started"))

    def streaming_stopped(self, error: Optional[str] = None) -> None:
        self._inbox.put(ObsEvent("stopped", error))

    def streaming_reconnecting(self) -> None:
        self._inbox.put(ObsEvent("reconnecting"))

    def streaming_reconnected(self) -> None:
        self._inbox.put(ObsEvent("reconnected"))

    # --- the owner's thread ----------------------------------------------

    def _obs_started(self, _error: Optional[str]) -> None:
        go = self._go
        if go is not None and self.state in (State.STARTING, State.READY):
            go.recovered = False
            if go.recovery is not None:
                go.recovery.back_live()
            self._enter(State.LIVE, "Live")
            go.watch.reset()
            self._save(go)
            # Read the provider's status now: what the user sees must not wait a whole interval
            # (TP Streams showed "Not Started" 12 s into being live). Never faster than the
            # provider's pace, though: right after an ingest poll, one poll interval after it.
            now = self.clock()
            go.next_status_at = max(now, go.last_poll_at + go.poll_interval())
            if go.next_status_at <= now:
                self._read_status(go)
                go.next_status_at = now + self.policies.status_interval
            self._start_obs_targets(go)

    def _obs_stopped(self, error: Optional[str]) -> None:
        self._snapshot_update(reconnecting=False)
        go, state = self._go, self.state
        if go is None:
            return
        self._stop_obs_targets(go)  # OBS stopped the main stream: the extras must not go on alone
        if state is State.ENDING and go.waiting_for_obs_stop:
            go.waiting_for_obs_stop = False
            self._end_provider_stream(go)
        elif state is State.STARTING and error and self._try_recovery(go, self._stop_words("OBS could not connect",
                                                                                           error)):
            return
        elif state is State.STARTING:
            go.failure = ObsRefusedError(
                f"OBS could not connect to the {go.name} ingest server "
                f"({error if error and error != UNASKED_STOP else 'OBS stopped before it was connected'})",
                hint="check the network and that the stream is still open; the provider stream was ended",
            )
            self._begin_ending(go, "OBS could not connect: ending the provider stream")
        elif state is State.LIVE and error and self._try_recovery(go, self._stop_words("OBS gave up reconnecting",
                                                                                       error)):
            return
        elif state is State.LIVE and self.policies.end_on_stop:
            self._begin_ending(go, "OBS stopped streaming: ending the live stream")
        elif state is State.LIVE:
            self._enter(State.READY, "OBS stopped; the provider stream is still open: press Go live to continue "
                        "or End stream", level="warning")

    def _obs_reconnecting(self, _error: Optional[str]) -> None:
        # OBS retries by itself; the provider stream must stay up meanwhile.
        self._snapshot_update(reconnecting=True)
        if self._go is not None and self._go.recovery is not None and self._go.recovery.lost_since is None:
            self._go.recovery.lost_since = self.clock()  # the provider's reconnect window starts now
        self._message("OBS lost the connection and is reconnecting", level="warning")

    def _obs_reconnected(self, _error: Optional[str]) -> None:
        self._snapshot_update(reconnecting=False)
        if self.state is State.LIVE:
            self._message("Live", level="info")


#: Each OBS event's handler (``inbox.ObsEvent.name``).
OBS_EVENTS: dict[str, Callable[[ObsEvents, Optional[str]], None]] = {
    "started": ObsEvents._obs_started,
    "stopped": ObsEvents._obs_stopped,
    "reconnecting": ObsEvents._obs_reconnecting,
    "reconnected": ObsEvents._obs_reconnected,
}
