"""FastPix live streams (https://docs.fastpix.io/docs/get-started-with-live-streaming and the API
reference https://docs.fastpix.io/reference/create-new-stream; FastPix's OpenAPI spec is
``fastpix_python/fastpix.yaml`` in https://github.com/FastPix/fastpix-python).

``<origin>/v1/live/streams`` with HTTP Basic auth (access token ID : secret key),
camelCase JSON in a ``{"success": true, "data": ...}`` envelope. The stream key
(and SRT secret) come back at once in the 201 create answer, so the ingest is ready
immediately; the API never returns an ingest URL, so the servers are constants
(FastPix's own clients hard-code them), overridable for the sandbox.

``DELETE /v1/live/streams/{streamId}`` is irreversible and disconnects a live encoder.
Extra methods beyond the ``Provider`` contract: ``enable(id)`` and ``disable(id)``
(``PUT .../live-enable`` / ``.../live-disable``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Optional

import requests
from pydantic import BaseModel, BeforeValidator, Field, SecretStr, field_validator

from .. import secrets
from ..http import Service
from ..models import EndResult, LiveStream, StreamStatus
from ..simulcast import SimulcastSupport, SimulcastTarget, TargetState
from . import register, wire
from .base import OptionsInput
from .declare import Capabilities, CredentialField, Setting, StreamOption
from .kit import BasicCredentials, OptionsModel
from .kit_errors import ErrorShape
from .kit_simulcast import TargetsProvider, enabled_target, made_target, target_body
from .kit_streams import ConstantIngests, check_metadata, more_than_read
from .kit_wire import REFERENCE_KEY, filled, ingest_of, with_reference
from .wire import text as _text

TOKEN_ID_ENV = "FASTPIX_ACCESS_TOKEN_ID"
SECRET_KEY_ENV = "FASTPIX_SECRET_KEY"
INGEST_RTMPS_ENV = "FASTPIX_INGEST_RTMPS_URL"
INGEST_SRT_ENV = "FASTPIX_INGEST_SRT_URL"
PLAYBACK_TEMPLATE_ENV = "FASTPIX_PLAYBACK_URL_TEMPLATE"

# Not in any API answer; hard-coded by FastPix's own WordPress plugin
# (https://github.com/FastPix/wordpress) and confirmed by its iOS demo's README
# (https://github.com/FastPix/fastpix-iOS-live-streaming-demo-application).
RTMPS_SERVER = "rtmps://live.fastpix.com:443/live"
SRT_SERVER = "srt://live.fastpix.com:778"
# UNVERIFIED (undocumented so far): the SRT query is most likely
# ?streamid=<streamId>&passphrase=<srtSecret>, with the stream ID (not the key) as
# streamid. Check https://docs.fastpix.io/docs/using-srt-to-live-stream.
SRT_STREAMID_FIELD = "streamId"
# https://docs.fastpix.io/docs/start-live-stream-1 (the stream's playback ID)
PLAYBACK_URL_TEMPLATE = "https://stream.fastpix.com/{playback_id}.m3u8"

STREAMS_PATH = "/v1/live/streams"
RECONNECT_WINDOW = (60, 1800)
#: ``metadata``: up to 10 string entries (https://docs.fastpix.io/reference/create-new-stream),
#: the kit's ``REFERENCE_KEY`` among them (it finds a stream whose create's answer was lost).
PAGE_SIZE = 50  # what FastPix's WordPress plugin asks for (assumed to be the maximum)


class Envelope(wire.WireModel):
    """Every answer: ``{"success": true, "data": ...}`` (lists add ``pagination``)."""

    success: Optional[bool] = None
    data: Any = None
    pagination: Optional[dict[str, Any]] = None


#: ``{"success": false, "error": {"code", "message", "description", "fields": [{"field",
#: "message"}]}}`` (``fields`` on a 422); older answers: ``{"errors": [{"field", "message"}]}``.
parse_error_body = ErrorShape(messages=("error", "error.message", "error.description"),
                              items=("error.fields", "errors"), unnamed="request")


SERVICE = Service(
    name="FastPix",
    credential="access token",
    auth_hint=f"check the access token ID and secret key ({TOKEN_ID_ENV}, {SECRET_KEY_ENV})",
    permission_hint="give the access token the FastPix Video Read and Write permissions",
    not_found_hint="check the stream ID, and that the access token belongs to the stream's workspace",
    base_url_env="FASTPIX_API_BASE_URL",
    parse_error=parse_error_body,
)

_STATUSES = {  # https://docs.fastpix.io/docs/live-events (lower-case on the wire)
    "idle": StreamStatus.NOT_STARTED,  # also after a broadcast ended: FastPix does not tell them apart
    "preparing": StreamStatus.CONNECTING,
    "active": StreamStatus.LIVE,
    "disabled": StreamStatus.DISABLED,
}
#: A FastPix status word as a ``StreamStatus``.
map_status = wire.status_reader(_STATUSES, StreamStatus.UNKNOWN)


#: The ``metadata`` entry that keeps a simulcast target's name.
TARGET_NAME_KEY = "obs_livestream_target"


class Simulcast(wire.WireModel):
    """A simulcast target as FastPix answers it."""

    simulcastId: str = Field(min_length=1)  # noqa: N815 - the wire name
    url: Optional[str] = None
    isEnabled: Optional[bool] = None  # noqa: N815 - the wire name
    metadata: Optional[dict[str, Any]] = None


class FastPixCredentials(BasicCredentials):
    """An access token: its ID (Basic username) and secret key (Basic password)."""

    access_token_id: str = Field(min_length=1, title="access token ID")
    secret_key: SecretStr = Field(title="secret key")


class FastPixOptions(OptionsModel):
    """Per-stream options; sent camelCase (https://docs.fastpix.io/reference/create-new-stream)."""

    access_policy: Literal["public", "private"] = "public"
    max_resolution: Literal["1080p", "720p", "480p"] = "1080p"
    #: Seconds FastPix waits for the encoder to come back; the API refuses 0-59
    #: (FastPix's OpenAPI spec: minimum 60, maximum 1800).
    reconnect_window: int = 60
    media_policy: Literal["public", "private"] = "public"
    enable_dvr: bool = False
    enable_recording: bool = True  # always sent: recording is on unless an explicit false is sent
    livestream_name: Optional[str] = None  # metadata.livestream_name; defaults to the title
    metadata: dict[str, str] = Field(default_factory=dict)
    protocol: Literal["rtmps", "srt"] = "rtmps"  # not sent: picks the ingest

    @field_validator("reconnect_window")
    @classmethod
    def _reconnect_range(cls, value: int) -> int:
        low, high = RECONNECT_WINDOW
        if not low <= value <= high:
            raise ValueError(f"the reconnect window must be {low} to {high} seconds (FastPix refuses {value})")
        return value


Text = wire.Text


class WirePlaybackId(wire.WireModel):
    id: Text = None  # noqa: A003 - the API's field (also accessPolicy, unused here)


class WireStream(BaseModel):
    """FastPix's stream object (the ``data`` of create/get/list), read leniently: a field
    of the wrong type counts as absent, so only what the client needs can fail it."""

    streamId: Text = None  # noqa: N815 - the API's camelCase
    status: Text = None
    streamKey: Text = None  # noqa: N815
    srtSecret: Text = None  # noqa: N815
    srtSecert: Text = None  # noqa: N815 - sic: the webhook docs' spelling
    playbackIds: Annotated[list[WirePlaybackId], BeforeValidator(wire.objects)] = Field(  # noqa: N815
        default_factory=list)
    metadata: Annotated[Optional[dict[str, Any]], wire.ObjectOnly] = None
    createdAt: wire.Time = None  # noqa: N815


def parse_stream(data: Any, *, protocol: str = "rtmps", rtmps_server: str = RTMPS_SERVER,
                 srt_server: str = SRT_SERVER, playback_template: str = PLAYBACK_URL_TEMPLATE) -> LiveStream:
    """The ``data`` object of create/get/list (FastPix's stream object) as a ``LiveStream``.

    ``ValueError`` (naming fields, never values) when it is not a stream object.
    """
    got = wire.read(WireStream, data, "stream")  # every field optional: only a non-object fails
    if not got.streamId:
        raise ValueError("the stream has no 'streamId'")
    # The stream key is secret whichever protocol OBS uses: an SRT go-live does not put
    # it in an Ingest (which would register it), yet an error body may echo it.
    secrets.register_stream(got.streamKey, got.srtSecret, got.srtSecert)
    passphrase = got.srtSecret or got.srtSecert  # the webhook docs misspell it
    if protocol == "srt" and not passphrase:
        raise ValueError("the stream has no 'srtSecret' for SRT")
    ingest = ingest_of(protocol, srt_server if protocol == "srt" else rtmps_server, got.streamKey,
                       srt_id=getattr(got, SRT_STREAMID_FIELD), passphrase=passphrase)
    playback_url = filled(playback_template, "playback_id", next((p.id for p in got.playbackIds if p.id), None))
    word, metadata = got.status, got.metadata or {}
    return LiveStream(
        provider=FastPix.name,
        id=got.streamId,
        title=_text(metadata.get("livestream_name")),
        reference=_text(metadata.get(REFERENCE_KEY)),
        status=map_status(word),
        provider_status=word if isinstance(word, str) else None,
        ingest=ingest,
        playback_url=playback_url,
        # FastPix records into VOD media (``mediaIds``, newest last); their playback URL
        # needs another API (media playback IDs), so no recording URL here.
        recording_url=None,
        created_at=got.createdAt,
    )


@register
class FastPix(TargetsProvider, ConstantIngests):
    """FastPix: create (ready at once), get, list, finish, delete, enable/disable."""

    name = "fastpix"
    display_name = "FastPix"
    Credentials = FastPixCredentials
    Options = FastPixOptions
    service = SERVICE
    streams_path = STREAMS_PATH
    id_field = "streamId"
    targets_path = target_noun = "simulcast"
    parse_stream = staticmethod(parse_stream)
    account_word = "workspace"
    first_page = {"limit": 1, "offset": 1, "orderBy": "desc"}
    stream_id_hint = "give the streamId of the live stream"
    default_base_url = "https://api.fastpix.com"
    ingest_overrides = {"ingest_rtmps_url": ("rtmps_server", INGEST_RTMPS_ENV, RTMPS_SERVER, ("rtmps", "rtmp")),
                        "ingest_srt_url": ("srt_server", INGEST_SRT_ENV, SRT_SERVER, ("srt",))}
    playback_override = (PLAYBACK_TEMPLATE_ENV, PLAYBACK_URL_TEMPLATE)

    # --- the declaration the panel and the CLI are generated from; the settings keys
    # ("fp_token_id", "fp_reconnect_window"...) are the ones saved in users' scene collections.
    settings_prefix = "fp"
    credential_fields = (
        CredentialField("access_token_id", "Access token ID", env=TOKEN_ID_ENV, key="token_id"),
        CredentialField("secret_key", "Secret key", env=SECRET_KEY_ENV, secret=True),
    )
    stream_options = (
        StreamOption("access_policy", "Playback access", "choice", default="public",
                     choices=(("public", "Public"), ("private", "Private")), help="playback access (default public)"),
        StreamOption("max_resolution", "Max resolution", "choice", default="1080p",
                     choices=(("1080p", "1080p"), ("720p", "720p"), ("480p", "480p")),
                     help="the highest rendition (default 1080p)"),
        StreamOption("enable_dvr", "DVR mode", "bool", default=False, key="dvr", flag="dvr", help="enable DVR mode"),
        StreamOption("enable_recording", "Record the stream", "bool", default=True, key="recording",
                     flag="recording",
                     help="FastPix keeps the broadcast as a video on demand"),
        StreamOption("reconnect_window", "Reconnect window (s)", "int", default=60,
                     minimum=RECONNECT_WINDOW[0], maximum=RECONNECT_WINDOW[1], step=10,
                     help=f"seconds FastPix waits for the encoder to come back, "
                     f"{RECONNECT_WINDOW[0]}-{RECONNECT_WINDOW[1]} (default 60)"),
        StreamOption("media_policy", "Recording access", "choice", default="public",
                     choices=(("public", "Public"), ("private", "Private")), help="access to the recording",
                     panel=False),
        StreamOption("protocol", "Ingest protocol", "choice", default="rtmps",
                     choices=(("rtmps", "RTMPS"), ("srt", "SRT (unstable networks)")),
                     help="ingest protocol (default rtmps)"),
    )
    settings = (
        Setting("ingest_rtmps_url", "FastPix ingest server override", env=INGEST_RTMPS_ENV, key="ingest_url",
                help="an rtmps:// (or rtmp://) server to publish to instead of FastPix's"),
    )
    capabilities = Capabilities(
        reuse=True, protocols=("rtmps", "srt"), ending="finishes the broadcast",
        # "a simulcast can only be created when the parent live stream is in idle state",
        # one target per call, to an RTMP(S) URL (SimulcastStream in the official SDK,
        # https://github.com/FastPix/python-server-sdk); no limit is documented.
        simulcast=SimulcastSupport(max_targets=None, schemes=("rtmp", "rtmps"), only_while_idle=True),
        reconnect_window_option="reconnect_window",  # reconnectWindow, sent at create
    )

    # ------------------------------------------------------------------ operations

    def create(self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
               reference: Optional[str] = None) -> LiveStream:
        """``POST /v1/live/streams`` (201) (https://docs.fastpix.io/reference/create-new-stream).

        Never retried once it may have reached FastPix (a second stream would exist).
        ``reference`` goes into the stream's metadata (``obs_livestream_ref``), where
        ``find_created`` looks for it if the answer is lost.
        """
        title, opts = self._prelude(title, options, start)
        name = opts.livestream_name or opts.metadata.get("livestream_name") or title
        metadata = with_reference({**opts.metadata, "livestream_name": name}, reference)
        check_metadata(metadata, service="FastPix", most=10, longest=255)  # the create reference's limits
        body = {
            "playbackSettings": {"accessPolicy": opts.access_policy},
            "inputMediaSettings": {
                "maxResolution": opts.max_resolution,
                "reconnectWindow": opts.reconnect_window,
                "mediaPolicy": opts.media_policy,
                "metadata": metadata,
                "enableDvrMode": opts.enable_dvr,
                "enableRecording": opts.enable_recording,
            },
        }
        return self._create(body, opts.protocol)

    def start(self, stream_id: str) -> LiveStream:
        """FastPix streams need no start: the stream is read back, and enabled first if it
        was disabled (``PUT .../live-enable``)."""
        return self._enabled_first(stream_id, self.enable)

    def list(self) -> list[LiveStream]:  # noqa: A003 - the API's own word
        """``GET /v1/live/streams?limit=50&offset=<page>&orderBy=desc`` over every page
        (``offset`` is a 1-based page number in FastPix's OpenAPI spec), until
        ``pagination.totalRecords`` are read (or, without it, a page is short)."""
        def page_of(page: int, have: int) -> tuple[list[LiveStream], Optional[bool]]:
            response = self._send("GET", STREAMS_PATH, what="workspace",
                                  params={"limit": PAGE_SIZE, "offset": page, "orderBy": "desc"})
            items = self._list_page(response, self._answer(response, want=list))
            pagination = Envelope.model_validate(self._http.json_of(response)).pagination
            return items, more_than_read(have, items, (pagination or {}).get("totalRecords"))
        return self._paged(page_of, PAGE_SIZE)

    def end(self, stream_id: str) -> EndResult:
        """``PUT /v1/live/streams/{streamId}/finish``: ``active`` -> ``idle``, recording processed.

        FastPix answers 400 ("stream cannot be completed") unless the stream is active
        ("Only active streams can be marked as completed."): that is
        ``EndResult(ended=False)``, nothing to end, not an
        error. (A finish retried after a lost answer also lands here, harmlessly.)
        """
        return self._end_by("PUT", stream_id, "finish", done="FastPix finished the live stream",
                            idle="the stream is not active")

    def enable(self, stream_id: str) -> None:
        """``PUT .../live-enable``: ``disabled`` -> ``idle`` (not on the trial plan)."""
        self._on("PUT", stream_id, "live-enable")

    def disable(self, stream_id: str) -> None:
        """``PUT .../live-disable``: the stream refuses encoders until enabled again."""
        self._on("PUT", stream_id, "live-disable")

    # ------------------------------------------------------------------ simulcast

    def _target_body(self, target: SimulcastTarget) -> dict[str, Any]:
        """``POST .../simulcast`` with ``url``, ``streamKey`` and the target's name in
        ``metadata`` (201 ``{simulcastId, url, streamKey, isEnabled}``)."""
        return target_body(target, "streamKey", metadata={TARGET_NAME_KEY: target.name})

    def _target_made(self, response: requests.Response, target: SimulcastTarget) -> TargetState:
        return made_target(target, self._http.validated(response, Simulcast, self._answer(response)).simulcastId)

    def simulcast_targets(self, stream_id: str) -> list[TargetState]:
        """The stream's ``simulcastResponses``; a disabled one is reported as removed."""
        response = self._on("GET", stream_id)
        listed = wire.objects(self._answer(response).get("simulcastResponses"))
        held = [self._http.validated(response, Simulcast, item) for item in listed]
        return [enabled_target((t.metadata or {}).get(TARGET_NAME_KEY) or t.simulcastId, t.simulcastId, t.isEnabled)
                for t in held]

    # ------------------------------------------------------------------ plumbing

    def _answer(self, response: requests.Response, want: type = dict) -> Any:
        """``data`` of the ``{"success": true, "data": ...}`` envelope."""
        return self._http.unwrap(response, Envelope, "data", shape="success", failed="no success envelope", want=want)
