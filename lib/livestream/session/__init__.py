"""The go-live session: state machine, controller, persisted record, OBS port.

Free of OBS and HTTP: the script and the remote CLI each plug in their own ``ObsPort``.
"""

from .controller import Controller
from .ports import ObsPort, StreamService
from .record import RecordStore, SessionRecord
from .request import GoLiveRequest, Policies
from .snapshot import Snapshot
from .states import State

__all__ = [
    "Controller", "GoLiveRequest", "ObsPort", "Policies", "RecordStore", "SessionRecord",
    "Snapshot", "State", "StreamService",
]
