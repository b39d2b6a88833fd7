"""The ``ObsPort`` over obs-websocket: the same controller, driven from another process
or another machine.

OBS's ``StreamStateChanged`` events arrive on the client's dispatcher thread; they are
only *posted* to the controller, whose ``tick()`` runs on the CLI's main loop.
"""

from __future__ import annotations

from typing import Any, Optional

from ..errors import ObsRefusedError
from ..session.claim import ClaimRefusedError, StreamClaim
from ..session.ports import StreamService
from .client import (
    OUTPUT_RECONNECTED,
    OUTPUT_RECONNECTING,
    OUTPUT_STARTED,
    OUTPUT_STARTING,
    OUTPUT_STOPPED,
    ObsClient,
    ObsEvent,
)


class RemoteObsPort:
    """OBS as seen through obs-websocket."""

    def __init__(self, client: ObsClient) -> None:
        self.client = client
        self._controller: Any = None
        self._unsubscribe = None
        #: The go-live's claim on OBS's stream (``session.claim``); None: not claimed (``end``).
        self.claim: Optional[StreamClaim] = None
        #: OBS's stream output is connecting: OBS 29 starts a second connection on a second
        #: start then, and crashed (docs/development.md, "Two go-lives at once").
        self.output_starting = False

    def attach(self, controller: Any) -> None:
        """Forward OBS's stream events to ``controller`` from now on."""
        self._controller = controller
        if self._unsubscribe is None:
            self._unsubscribe = self.client.subscribe(self._on_stream_state, "StreamStateChanged")

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_stream_state(self, event: ObsEvent) -> None:
        state = event.data.get("outputState")
        self.output_starting = state == OUTPUT_STARTING
        controller = self._controller
        if controller is None:
            return
        if state == OUTPUT_STARTED:
            controller.streaming_started()
        elif state == OUTPUT_STOPPED:
            controller.streaming_stopped(None)
        elif state == OUTPUT_RECONNECTING:
            controller.streaming_reconnecting()
        elif state == OUTPUT_RECONNECTED:
            controller.streaming_reconnected()

    # --- ObsPort ---------------------------------------------------------------

    def get_stream_service(self) -> StreamService:
        return self.client.get_stream_service()

    def set_stream_service(self, service: StreamService) -> None:
        self._refuse_while_busy()
        self.client.set_stream_service(service)

    def start_streaming(self) -> None:
        self._refuse_while_busy()
        self.client.start_stream()

    def _refuse_while_busy(self) -> None:
        """Checked before every SetStreamServiceSettings and StartStream of a claimed go-live."""
        if self.claim is None:
            return
        if not self.claim.held:
            raise ClaimRefusedError("This go-live does not hold OBS's stream", hint="try again")
        if self.output_starting:
            raise ObsRefusedError("OBS's stream output is starting", hint="wait until it is live, then try again")
        if self.client.is_streaming():
            raise ObsRefusedError("OBS is already streaming", hint="stop streaming in OBS first, then try again")

    def stop_streaming(self) -> None:
        try:
            self.client.stop_stream()
        except ObsRefusedError as exc:
            # Right after a stop, GetStreamStatus may still say "active" for a moment and
            # StopStream then answers 501 OutputNotRunning: it is stopped, say so.
            if exc.code != 501:
                raise
            if self._controller is not None:
                self._controller.streaming_stopped(None)

    def is_streaming(self) -> bool:
        return self.client.is_streaming()

    def linked_account(self) -> Optional[str]:
        return self.client.linked_account()

    def multitrack_video(self) -> bool:
        return self.client.multitrack_video()
