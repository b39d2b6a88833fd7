"""The OBS port: everything the go-live controller needs from OBS, and nothing more.

Two adapters implement it: ``livestream.obs.port`` (in-process, through obspython,
called only from the script's timer) and ``livestream.remote.port`` (over
obs-websocket). Tests use ``livestream_fakes.FakeObs``.

Starting and stopping are asynchronous in OBS (``obs_frontend_streaming_start`` only
queues the start; obs-websocket's ``StartStream`` answers before the output
connects), so the port only *asks*; the outcome reaches the controller as
``StreamingStarted`` / ``StreamingStopped`` events posted by the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Protocol

from .. import secrets

# OBS's own service type for "Custom..." in Settings > Stream.
CUSTOM_SERVICE = "rtmp_custom"
# Settings of a stream service that hold secrets.
_SECRET_FIELDS = ("key", "password", "bearer_token")


@dataclass(frozen=True)
class StreamService:
    """OBS stream service settings: a type (``rtmp_custom``, ``rtmp_common``...) and its settings.

    The settings hold the user's stream key in clear, as OBS does; the repr masks it.
    """

    service_type: str
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        secrets.register_stream(*self.secret_values())

    def secret_values(self) -> tuple[str, ...]:
        """The key, password or token these settings hold."""
        return tuple(v for v in (self.settings.get(f) for f in _SECRET_FIELDS) if isinstance(v, str))

    def __repr__(self) -> str:
        shown = {k: ("***" if k in _SECRET_FIELDS and v else v) for k, v in self.settings.items()}
        return f"StreamService({self.service_type!r}, {shown!r})"

    __str__ = __repr__

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.service_type, "settings": dict(self.settings)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StreamService:
        return cls(str(data.get("type") or CUSTOM_SERVICE), dict(data.get("settings") or {}))

    @classmethod
    def custom(cls, server: str, key: str, **extra: Any) -> StreamService:
        """OBS's "Custom..." service with a server URL, a stream key and any other of its
        settings (``use_auth``/``password``: where an SRT passphrase goes)."""
        return cls(CUSTOM_SERVICE, {"server": server, "key": key, **extra})


class ObsPort(Protocol):
    """What the controller asks of OBS. Calls are quick and never block on the network
    for long (the remote adapter has its own deadlines)."""

    def get_stream_service(self) -> StreamService:
        """The current stream service, as OBS would use it on the next start."""

    def set_stream_service(self, service: StreamService) -> None:
        """Replace the stream service and save it to the profile."""

    def start_streaming(self) -> None:
        """Ask OBS to start streaming; the result arrives as an event."""

    def stop_streaming(self) -> None:
        """Ask OBS to stop streaming; the result arrives as an event."""

    def is_streaming(self) -> bool:
        """True while OBS's stream output is active (or reconnecting)."""

    def linked_account(self) -> Optional[str]:
        """The name of a linked streaming account (Twitch, YouTube, Restream...) or None.

        OBS overwrites the key of whatever service is set with a linked Twitch or
        Restream account's key (``OAuthStreamKey::OnStreamConfig`` in
        https://github.com/obsproject/obs-studio/blob/29.0.2/UI/auth-oauth.cpp), and opens its broadcast
        dialog for YouTube (``auth->broadcastFlow()`` in UI/window-basic-main.cpp; users hit it in
        https://github.com/obsproject/obs-studio/issues/5236), so the controller refuses.
        """

    def multitrack_video(self) -> bool:
        """True if Enhanced Broadcasting (multitrack video, OBS 30.2+) is on in the profile.

        OBS then builds its own multitrack output and service at the start instead of
        streaming to the server and key that were set, so the controller refuses.
        """
