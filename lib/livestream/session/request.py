"""What to go live with (``GoLiveRequest``) and how to behave (``Policies``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from ..providers.base import Provider
from ..simulcast import SimulcastTarget

Mode = Literal["new", "scheduled", "existing"]


@dataclass
class Policies:
    """User-facing behaviour switches (panel toggles, CLI flags)."""

    start_when_ready: bool = True
    end_on_stop: bool = True
    restore_previous: bool = True
    ingest_timeout: float = 180.0
    #: How long OBS may take from "start" to "started" before the go-live is abandoned.
    start_timeout: float = 60.0
    #: Seconds between provider status checks while live.
    status_interval: float = 15.0
    #: Attempts at ending the provider stream before giving up and telling the user.
    end_attempts: int = 3
    #: How long a stream found open at start-up is offered for resume before it is ended
    #: (nobody may be at an unattended machine to press anything); at most ``MAX_RESUME_OFFER``.
    resume_offer: float = 120.0
    #: Recovery by itself (``session.recovery``): tries in all, and new provider streams, per go-live.
    recovery_tries: int = 6
    recovery_streams: int = 3


#: The longest a resume offer lasts, whatever the setting: the stream is billed meanwhile.
MAX_RESUME_OFFER = 300.0


@dataclass
class GoLiveRequest:
    """What to go live with."""

    provider: Provider
    mode: Mode = "new"
    title: str = ""
    stream_id: Optional[str] = None
    options: dict[str, Any] = field(default_factory=dict)
    #: None: follow ``Policies.start_when_ready``; False: "Prepare" (fill in OBS only).
    start_streaming: Optional[bool] = None
    #: Who asked (kept in the ledger): "panel", "hotkey", "remote", "schedule".
    origin: str = "panel"
    #: Other destinations the provider restreams this go-live to (added before OBS publishes).
    simulcast: list[SimulcastTarget] = field(default_factory=list)
    #: Send the targets from OBS itself even though the provider could restream them (the
    #: panel's "Send these from OBS instead of the provider"): no target on the provider.
    simulcast_from_obs: bool = False
