"""The controller's side of the claim on OBS's stream (``session.claim``).

A go-live (or the resume of a prepared or recovered one) first takes the claim; the
command waits, a few ticks, for the claim to settle and then runs; a refusal fails the
go-live at once with who holds OBS's stream, before anything is created or set. The
claim is renewed while the go-live is under way and released once it settled. Without a
claim (``claim`` None: tests, a front end alone on its OBS) nothing changes.
"""

from __future__ import annotations

import logging
from typing import Optional

from .. import secrets
from ..errors import LivestreamError
from .claim import StreamClaim
from .inbox import Command
from .states import State

log = logging.getLogger("livestream.session")

#: The commands that may replace OBS's stream service and start it.
CLAIMED = ("go_live", "resume")


class ClaimGate:
    """Mixed into ``Controller``: ``_claim_gate`` before a command, ``_claim_tick`` each tick."""

    claim: Optional[StreamClaim]
    _claim_waiting: Optional[Command]
    recovering: bool  # session.recovery: a new stream is due

    def _claim_gate(self, item: Command) -> bool:
        """True if ``item`` may run now; else it waits for the claim (``_claim_tick``)."""
        claim = self.claim
        if claim is None or claim.held or item.name not in CLAIMED:
            return True
        if self.state.is_active and self.state is not State.READY:
            return True  # the controller answers "Already busy" itself
        self._claim_waiting = item
        if self._claim_step():
            return True
        if self._claim_waiting is not None and self.state is not State.READY:
            self._message("Checking that no other go-live is under way on this OBS")
        return False

    def _claim_step(self) -> bool:
        assert self.claim is not None
        try:
            if not self.claim.step():
                return False
        except LivestreamError as exc:
            self._claim_waiting = None
            self._claim_refused(exc)
            return False
        self._claim_waiting = None
        return True

    def _claim_refused(self, error: LivestreamError) -> None:
        if self.state is State.READY:
            self._message(f"{error.message}: not resumed", level="error")  # the stream stays offered
        else:
            self._fail(error)

    def _claim_tick(self) -> None:
        """A command waiting for the claim runs once it is held; the claim is renewed or released."""
        if self.claim is None:
            return
        waiting = self._claim_waiting
        if waiting is not None:
            if self._claim_step():
                self._handle(waiting)
            return
        try:
            # Held across a recovery's wait for its new stream too (idle, but not over):
            # that go-live starts without asking again, so nobody else may take OBS meanwhile.
            self.claim.keep(self.state.is_active or self.recovering)
        except Exception as exc:  # a renewal is best effort: it never stops a live go-live
            log.warning("Could not renew the claim on OBS's stream: %s", secrets.redact(exc))

    def _claim_cancel(self) -> None:
        """End pressed while a go-live waits for the claim: it never starts."""
        if self._claim_waiting is not None and self.claim is not None:
            self._claim_waiting = None
            self.claim.release()
