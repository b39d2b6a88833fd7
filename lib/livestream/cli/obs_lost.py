"""The CLI's own go-live when OBS goes away under it (a crash, a kill, a lost network).

OBS tells obs-websocket clients nothing when its process dies: no ``StreamStateChanged``
comes, and a ``go-live --follow`` would wait for ever with a billed provider stream open.
The watch notices the lost connection, gives OBS a few seconds (a short network blip
reconnects), then treats the stream as stopped: the controller ends the provider stream
as on OBS's own Stop, and records in the ledger that the user's stream settings are still
to be restored (``obs_livestream.py end`` puts them back once OBS runs again).
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..errors import LivestreamError
from ..session.states import State

#: Seconds without a connection to OBS before the stream counts as stopped.
GRACE = 5.0
#: The states in which OBS's stream output matters to the go-live.
WATCHED = (State.STARTING, State.LIVE)


class LostObsWatch:
    """Tell the controller OBS stopped streaming once OBS has been unreachable for ``grace`` s."""

    def __init__(self, client: Any, controller: Any, *, grace: float = GRACE,
                 clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = lambda _line: None) -> None:
        self.client, self.controller, self.grace, self.clock, self.say = client, controller, grace, clock, say
        self._lost_since: float | None = None
        self._told = False

    def check(self) -> None:
        """Called on each tick of the CLI's loop; quick unless OBS has been gone ``grace`` s."""
        if self.controller.state not in WATCHED or self.client.connected:
            self._lost_since, self._told = None, False
            return
        now = self.clock()
        if self._lost_since is None:
            self._lost_since = now
        if self._told or now - self._lost_since < self.grace:
            return
        try:
            streaming = self.client.is_streaming()  # reconnects if OBS is back
        except LivestreamError:
            streaming = False
        if streaming:
            self._lost_since = None
            return
        self._told = True
        self.say(f"Lost the connection to OBS for {self.grace:g} s (did OBS crash or quit?): "
                 "ending the provider stream")
        # As OBS's own Stop (no error: a lost OBS is not one of OBS's connection failures to recover from).
        self.controller.streaming_stopped(None)
