"""The controller's side of the claim on OBS's stream (``session.claim``).

A go-live (or the resume of a prepared or recovered one) first takes the claim; the
command waits, a few ticks, for the claim to settle and then runs; a refusal fails the
go-live at once with who holds OBS's stream, before anything is created or set. The
claim is renewed while the go-live is under way and released once it settled. Without a
claim (``claim`` None: tests, a front end alone on its OBS) nothing changes.

``ClaimGate`` is a collaborator of the ``Controller``: it holds the claim and the one
command waiting for it, so the controller keeps neither.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from .. import secrets
from ..errors import LivestreamError
from .claim import StreamClaim
from .inbox import Command
from .states import State

if TYPE_CHECKING:
    from .controller import Controller

log = logging.getLogger("livestream.session")

#: The commands that may replace OBS's stream service and start it.
CLAIMED = ("go_live", "resume")


class ClaimGate:
    """``admits`` before a command, ``tick`` each tick, ``cancel`` when End is pressed."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        #: Set by the front end (through ``Controller.claim``).
        self.claim: Optional[StreamClaim] = None
        #: The go-live or resume that waits for the claim to settle.
        self.waiting: Optional[Command] = None

    def admits(self, item: Command) -> bool:
        """True if ``item`` may run now; else it waits for the claim (``tick``)."""
        claim, state = self.claim, self.controller.state
        if claim is None or claim.held or item.name not in CLAIMED:
            return True
        if state.is_active and state is not State.READY:
            return True  # the controller answers "Already busy" itself
        self.waiting = item
        if self._step():
            return True
        if self.waiting is not None and state is not State.READY:
            self.controller._message("Checking that no other go-live is under way on this OBS")
        return False

    def _step(self) -> bool:
        assert self.claim is not None
        try:
            if not self.claim.step():
                return False
        except LivestreamError as exc:
            self.waiting = None
            self._refused(exc)
            return False
        self.waiting = None
        return True

    def _refused(self, error: LivestreamError) -> None:
        if self.controller.state is State.READY:
            self.controller._message(f"{error.message}: not resumed", level="error")  # the stream stays offered
        else:
            self.controller._fail(error)

    def tick(self) -> None:
        """A command waiting for the claim runs once it is held; the claim is renewed or released."""
        if self.claim is None:
            return
        waiting = self.waiting
        if waiting is not None:
            if self._step():
                self.controller._handle(waiting)
            return
        controller = self.controller
        try:
            # Held across a recovery's wait for its new stream too (idle, but not over):
            # that go-live starts without asking again, so nobody else may take OBS meanwhile.
            self.claim.keep(controller.state.is_active or controller.recovering)
        except Exception as exc:  # a renewal is best effort: it never stops a live go-live
            log.warning("Could not renew the claim on OBS's stream: %s", secrets.redact(exc))

    def cancel(self) -> None:
        """End pressed while a go-live waits for the claim: it never starts."""
        if self.waiting is not None and self.claim is not None:
            self.waiting = None
            self.claim.release()
