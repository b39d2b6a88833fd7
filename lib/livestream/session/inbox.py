"""What reaches the controller's inbox: commands, OBS events and worker results.

Everything is posted here from any thread and applied by ``Controller.tick`` on the
thread that owns OBS calls; each kind names its handler in one of the controller's
dispatch tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .golive import GoLive
from .request import GoLiveRequest


@dataclass(frozen=True)
class Command:
    name: str
    request: Optional[GoLiveRequest] = None


@dataclass(frozen=True)
class ObsEvent:
    name: str  # started | stopped | reconnecting | reconnected
    error: Optional[str] = None


@dataclass(frozen=True)
class JobDone:
    #: The go-live the job was submitted for: applied only while it is still the current one.
    go: GoLive
    kind: str
    result: Any
    error: Optional[BaseException]
