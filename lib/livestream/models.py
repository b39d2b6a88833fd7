"""The normalized, provider-independent view of a live stream.

Providers parse their own JSON (TP Streams' snake_case asset, FastPix's camelCase
``data``) and return these models; nothing outside ``livestream.providers`` looks at
a provider's wire format. Secrets (stream key, SRT passphrase) are ``SecretStr``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, SecretStr

from . import secrets


class StreamStatus(str, enum.Enum):
    """A status every provider's words map onto.

    TP Streams' words ("Not Started", "Streaming", "Disconnected", "Recording",
    "Stopped", "Completed", "Error", legacy "Available") and FastPix's ("idle",
    "preparing", "active", "disabled") are mapped by each provider module; the raw
    word is kept in ``LiveStream.provider_status``.
    """

    NOT_STARTED = "not_started"  # created, no encoder yet (TP Not Started/Available, FastPix idle)
    CONNECTING = "connecting"  # encoder connected, media not flowing yet (FastPix preparing)
    LIVE = "live"  # receiving the encoder (TP Streaming, FastPix active)
    DISCONNECTED = "disconnected"  # encoder dropped, may reconnect (TP Disconnected)
    RECORDING = "recording"  # ended, recording being processed (TP Recording)
    ENDED = "ended"  # ended for good (TP Stopped, Completed)
    DISABLED = "disabled"  # refuses encoders until re-enabled (FastPix disabled)
    ERROR = "error"  # provider-side failure, create a new stream (TP Error)
    UNKNOWN = "unknown"  # a word the docs do not list

    @property
    def is_terminal(self) -> bool:
        """True when this stream can never take an encoder again."""
        return self in (StreamStatus.RECORDING, StreamStatus.ENDED, StreamStatus.ERROR)


Protocol = Literal["rtmp", "rtmps", "srt"]


class Ingest(BaseModel):
    """Where OBS must publish: server URL and the secrets that go with it."""

    model_config = ConfigDict(frozen=True)

    protocol: Protocol
    server: str
    stream_key: Optional[SecretStr] = None
    srt_stream_id: Optional[str] = None  # FastPix uses the public stream ID: not a secret
    srt_passphrase: Optional[SecretStr] = None

    def model_post_init(self, __context: object) -> None:
        secrets.register_stream(self.stream_key, self.srt_passphrase)

    def obs_service_settings(self) -> dict[str, Any]:
        """OBS ``rtmp_custom`` settings with the secrets in clear, for OBS only.

        RTMP(S): server plus key. SRT: the URL with its public ``streamid`` in "server",
        an empty key, and the passphrase as the service's password (``use_auth``), never
        in the URL: OBS logs the whole server URL when an SRT connection fails ("Connection
        to srt://... failed", plugins/obs-ffmpeg/obs-ffmpeg-srt.h, OBS 29.0 to 32), but
        hands the password to libsrt as SRTO_PASSPHRASE without logging it (29.0:
        obs_service_get_password; 29.1+: CONNECT_INFO_ENCRYPT_PASSPHRASE, which
        rtmp-custom answers with the password for srt:// servers).
        https://github.com/obsproject/obs-studio/blob/29.0.2/plugins/obs-ffmpeg/obs-ffmpeg-mpegts.c
        """
        if self.protocol == "srt":
            settings: dict[str, Any] = {"server": self.srt_url(with_passphrase=False), "key": ""}
            if self.srt_passphrase is not None:
                settings.update(use_auth=True, username="", password=self.srt_passphrase.get_secret_value())
            return settings
        key = self.stream_key.get_secret_value() if self.stream_key else ""
        return {"server": self.server, "key": key}

    def srt_url(self, *, reveal: bool = False, with_passphrase: bool = True) -> str:
        """The SRT URL with ``streamid`` and ``passphrase`` (masked unless ``reveal``;
        left out with ``with_passphrase=False``)."""
        params = []
        if self.srt_stream_id is not None:
            params.append("streamid=" + self.srt_stream_id)
        if self.srt_passphrase is not None and with_passphrase:
            params.append("passphrase=" + secrets.mask(self.srt_passphrase, show=reveal))
        return self.server + ("?" + "&".join(params) if params else "")

    def display(self, *, reveal: bool = False) -> dict[str, str]:
        """A printable summary; secrets masked unless ``reveal``."""
        if self.protocol == "srt":
            return {"protocol": self.protocol, "server": self.srt_url(reveal=reveal)}
        return {
            "protocol": self.protocol,
            "server": self.server,
            "stream_key": secrets.mask(self.stream_key, show=reveal),
        }


class LiveStream(BaseModel):
    """One provider live stream, normalized."""

    provider: str
    id: str
    title: Optional[str] = None
    status: StreamStatus = StreamStatus.UNKNOWN
    provider_status: Optional[str] = None
    ingest: Optional[Ingest] = None
    playback_url: Optional[str] = None
    chat_url: Optional[str] = None
    recording_url: Optional[str] = None
    scheduled_start: Optional[datetime] = None
    created_at: Optional[datetime] = None
    #: The marker obs-livestream put on the stream at create, where the provider keeps one.
    reference: Optional[str] = None

    @property
    def ingest_ready(self) -> bool:
        """True when OBS has everything it needs to publish."""
        return self.ingest is not None

    def display(self, *, reveal: bool = False) -> dict[str, object]:
        """A JSON-able summary for the CLI; secrets masked unless ``reveal``."""
        return {
            "provider": self.provider,
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "provider_status": self.provider_status,
            "ingest_ready": self.ingest_ready,
            "ingest": self.ingest.display(reveal=reveal) if self.ingest else None,
            "playback_url": self.playback_url,
            "chat_url": self.chat_url,
            "recording_url": self.recording_url,
            "scheduled_start": self.scheduled_start.strftime("%Y-%m-%d %H:%M:%S")
            if self.scheduled_start
            else None,
        }


class EndResult(BaseModel):
    """What ending a provider stream did."""

    ended: bool  # True if this call ended it; False if there was nothing to end
    message: str = ""
