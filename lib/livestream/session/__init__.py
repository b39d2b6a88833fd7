"""The go-live session: state machine, controller, ledger of provider streams, OBS port.

Free of OBS and HTTP: the script and the remote CLI each plug in their own ``ObsPort``.
"""

from .controller import Controller
from .ledger import Ledger, LedgerEntry
from .ports import ObsPort, StreamService
from .request import GoLiveRequest, Policies
from .snapshot import Snapshot
from .states import State

__all__ = [
    "Controller", "GoLiveRequest", "Ledger", "LedgerEntry", "ObsPort", "Policies",
    "Snapshot", "State", "StreamService",
]
