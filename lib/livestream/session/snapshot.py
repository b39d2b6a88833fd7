"""``Snapshot``: what a front end shows of the go-live (state, message, URLs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Optional

from ..errors import LivestreamError
from .states import State

Level = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Snapshot:
    """What a front end shows: the state, a message and the useful URLs."""

    state: State
    since: float
    message: str = ""
    level: Level = "info"
    provider: Optional[str] = None
    stream_id: Optional[str] = None
    title: Optional[str] = None
    provider_status: Optional[str] = None
    #: When the provider's status was last read (the controller's clock), for its age.
    status_read_at: Optional[float] = None
    playback_url: Optional[str] = None
    chat_url: Optional[str] = None
    recording_url: Optional[str] = None
    error: Optional[LivestreamError] = None
    reconnecting: bool = False
    #: Earlier streams still open (ledger entries being ended), as ``LedgerEntry.public_view``.
    open_streams: tuple[dict[str, Any], ...] = ()
    #: e.g. "1 earlier stream still open on TP Streams: ending it (retrying in 30 s)".
    pending_line: str = ""
    #: The provider's status in the product's words (``models.StreamStatus`` value, e.g.
    #: "disconnected"), beside its own word in ``provider_status``: what notifications watch.
    stream_status: Optional[str] = None
    #: The go-live's simulcast targets (``TargetState.to_dict``: name, status, reason, host).
    targets: tuple[dict[str, Any], ...] = ()

    def status_line(self, now: float) -> str:
        """e.g. "Waiting for the ingest server... 12 s"."""
        text = self.message or self.state.label
        if self.state.is_active and self.state is not State.LIVE:
            return f"{text}... {int(max(0.0, now - self.since))} s"
        if self.state is State.LIVE:
            return f"{text} for {duration_text(now - self.since)}"
        return text

    def provider_status_line(self, now: float) -> str:
        """The provider's status and how old it is, e.g. "Streaming, 3 s ago"; "" if unknown."""
        if not self.provider_status:
            return ""
        if self.status_read_at is None:
            return self.provider_status
        return f"{self.provider_status}, {_age(now - self.status_read_at)} ago"

    def to_dict(self, now: float) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "status_line": self.status_line(now),
            "level": self.level,
            "provider": self.provider,
            "stream_id": self.stream_id,
            "title": self.title,
            "provider_status": self.provider_status,
            "provider_status_age": (None if self.status_read_at is None
                                    else round(max(0.0, now - self.status_read_at), 1)),
            "provider_status_line": self.provider_status_line(now),
            "playback_url": self.playback_url,
            "chat_url": self.chat_url,
            "recording_url": self.recording_url,
            "reconnecting": self.reconnecting,
            "open_streams": [dict(e) for e in self.open_streams],
            "pending_line": self.pending_line,
            "targets": [dict(t) for t in self.targets],
            "elapsed": round(max(0.0, now - self.since), 1),
        }


def duration_text(seconds: float) -> str:
    """A duration as a clock reads it: "4:05", "1:02:03" (whole seconds, never negative)."""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _age(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds < 120:
        return f"{seconds} s"
    return f"{seconds // 60} min"
