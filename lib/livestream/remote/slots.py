"""obs-websocket's profile persistent data as a ``ClaimStore``, and the remote CLI's claim.

``GetPersistentData`` re-reads the profile's ``obsWebSocketPersistentData.json`` on every
request and ``SetPersistentData`` rewrites it, so the CLI and the script inside OBS (which
writes that file itself, ``obs.profile``) see one slot (``session.claim``).
"""

from __future__ import annotations

import socket
from typing import Any

from ..session import bridge, claim
from ..session.claim import ClaimRefusedError, StreamClaim
from ..session.states import State


class PersistentSlot:
    """One slot of the profile persistent data, over an ``ObsClient``."""

    def __init__(self, client: Any, slot: str) -> None:
        self.client, self.slot = client, slot

    def read(self) -> Any:
        return self.client.call("GetPersistentData", realm=bridge.REALM, slotName=self.slot).get("slotValue")

    def write(self, value: Any) -> bool:
        # obs-websocket refuses a null slotValue: an empty object clears the slot for every reader.
        self.client.call("SetPersistentData", realm=bridge.REALM, slotName=self.slot,
                         slotValue={} if value is None else value)
        return True


def cli_claim(client: Any) -> StreamClaim:
    """The claim on OBS's stream for a go-live the CLI runs on this machine."""
    return StreamClaim(PersistentSlot(client, claim.SLOT), "cli", socket.gethostname())


def refuse_if_panel_busy(client: Any) -> None:
    """Refuse at once while the script inside OBS has a go-live under way (its published
    session), even if its claim was lost with a write of another slot."""
    published = bridge.read(client)
    if published and State(published.get("state") or "idle").is_active:
        raise ClaimRefusedError("A go-live started from the panel is under way",
                                hint="wait until it is live (or ended), or end it with 'obs_livestream.py end'")
