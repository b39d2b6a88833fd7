"""Mux Video live streams: everything obs-livestream knows about Mux, in one file.

API reference: https://www.mux.com/docs/api-reference/video/live-streams (the official
SDK, https://github.com/muxinc/mux-python, is generated from the same OpenAPI spec).

``<origin>/video/v1/live-streams`` with HTTP Basic auth (access token ID : token
secret, https://www.mux.com/docs/core/make-api-requests), snake_case JSON in a
``{"data": ...}`` envelope. The stream key (and SRT passphrase) come back at once in
the create answer; the API never returns an ingest URL, so the servers are the
constants of https://www.mux.com/docs/guides/configure-broadcast-software and
https://www.mux.com/docs/guides/use-srt-to-live-stream, overridable for the sandbox.

A Mux live stream is reusable: it goes ``idle`` -> ``active`` while an encoder
publishes and back to ``idle`` when the broadcast ends (after ``reconnect_window``
seconds, or at once on ``PUT .../complete``); ``disabled`` refuses encoders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Optional

import requests
from pydantic import AliasChoices, Field, SecretStr

from ..errors import UnexpectedResponseError
from ..http import Service
from ..models import EndResult, LiveStream, StreamStatus
from ..simulcast import SimulcastSupport, SimulcastTarget, TargetState, TargetStatus
from . import register, wire
from .base import OptionsInput
from .declare import SRT_ID_IS_KEY, Capabilities, CredentialField, Setting, StreamOption
from .kit import BasicCredentials, OptionsModel
from .kit_codes import typed_error
from .kit_simulcast import TargetsProvider, target_body
from .kit_streams import ConstantIngests
from .kit_wire import Data, UnixTime, check_length, filled, ingest_of
from .wire import text as _text

NAME = "mux"
TOKEN_ID_ENV = "MUX_TOKEN_ID"  # the official SDKs' names
TOKEN_SECRET_ENV = "MUX_TOKEN_SECRET"
BASE_URL_ENV = "MUX_API_BASE_URL"
INGEST_RTMP_ENV = "MUX_INGEST_RTMP_URL"
INGEST_SRT_ENV = "MUX_INGEST_SRT_URL"
PLAYBACK_TEMPLATE_ENV = "MUX_PLAYBACK_URL_TEMPLATE"

# https://www.mux.com/docs/guides/configure-broadcast-software: not in any API answer.
RTMPS_SERVER = "rtmps://global-live.mux.com:443/app"
RTMP_SERVER = "rtmp://global-live.mux.com:5222/app"
# https://www.mux.com/docs/guides/use-srt-to-live-stream:
# srt://global-live.mux.com:6001?streamid={stream_key}&passphrase={srt_passphrase}
SRT_SERVER = "srt://global-live.mux.com:6001"
# https://www.mux.com/docs/guides/play-your-videos (public playback IDs).
PLAYBACK_URL_TEMPLATE = "https://stream.mux.com/{playback_id}.m3u8"

STREAMS_PATH = "/video/v1/live-streams"
#: List page size. The documented default is 25; UNVERIFIED: 100 as the maximum
#: ``limit`` (the reference states no maximum).
PAGE_SIZE = 100
#: "Max: 1800s (30 minutes)" (LiveStream.reconnect_window in the API reference).
MAX_RECONNECT_WINDOW = 1800
#: ``passthrough``: "Max 255 characters"; ``meta.title``: "Max 512 code points".
MAX_PASSTHROUGH = 255
MAX_TITLE = 512

SERVICE = Service(
    name="Mux",
    credential="access token",
    auth_hint=f"check the access token ID and secret ({TOKEN_ID_ENV}, {TOKEN_SECRET_ENV}), "
    "and that the token belongs to the environment you mean",
    permission_hint="give the access token the Mux Video Read and Write permissions",
    not_found_hint="check the live stream ID, and that the access token belongs to the stream's environment",
    base_url_env=BASE_URL_ENV,
    parse_error=lambda body: typed_error(body, _BODY_FIELDS),  # the fields: defined below, with the wire models
)

_STATUSES = {
    # "idle indicates that there is no active broadcast": also after a broadcast ended,
    # Mux does not tell a new stream and a finished one apart (the stream is reusable).
    "idle": StreamStatus.NOT_STARTED,
    "active": StreamStatus.LIVE,
    "disabled": StreamStatus.DISABLED,
}
#: A Mux status word (``idle``, ``active``, ``disabled``) as a ``StreamStatus``.
map_status = wire.status_reader(_STATUSES, StreamStatus.UNKNOWN)


#: A simulcast target's ``status``: "idle" until the parent stream connects, "starting",
#: "broadcasting" once it pushes to the destination, "errored" (and it may recover).
_TARGET_STATUSES = {
    "idle": TargetStatus.IDLE,
    "starting": TargetStatus.CONNECTING,
    "broadcasting": TargetStatus.LIVE,
    "errored": TargetStatus.FAILED,
}


# ---------------------------------------------------------------------- inputs


class MuxCredentials(BasicCredentials):
    """An access token: its ID (Basic username) and secret (Basic password)."""

    token_id: str = Field(min_length=1, title="token ID")
    token_secret: SecretStr = Field(title="token secret")


class MuxOptions(OptionsModel):
    """Per-stream options, sent as the create body's snake_case fields."""

    latency_mode: Literal["standard", "reduced", "low"] = "standard"
    # Always sent: Mux's own default is 60 s for standard latency but 0 (none) for
    # reduced and low latency, which would end a broadcast on the first network hiccup.
    reconnect_window: int = Field(60, ge=0, le=MAX_RECONNECT_WINDOW)
    playback_policy: Literal["public", "signed"] = "public"
    #: Give each broadcast's recording the stream's playback policy (``new_asset_settings``).
    #: Mux records every broadcast as an asset whatever this says ("Every live stream on Mux
    #: is automatically recorded as an asset",
    #: https://www.mux.com/docs/guides/stream-recordings-of-live-streams); without it the
    #: asset has no playback ID. ``record`` is the option's earlier name, still accepted.
    recording_playback: bool = Field(True, validation_alias=AliasChoices("recording_playback", "record"))
    #: A free test stream: watermarked, limited to 5 minutes, deleted after 24 h.
    test: bool = False
    protocol: Literal["rtmps", "rtmp", "srt"] = "rtmps"  # not sent: picks the ingest


# ---------------------------------------------------------------------- wire shapes


_Wire = wire.WireModel


class MuxPlaybackId(_Wire):
    id: str = Field(min_length=1)
    policy: Optional[str] = None


class MuxMeta(_Wire):
    title: Optional[str] = None


class MuxLiveStream(_Wire):
    """The ``LiveStream`` object (https://www.mux.com/docs/api-reference/video/live-streams/get-live-stream)."""

    id: str = Field(min_length=1)
    stream_key: Optional[str] = None
    srt_passphrase: Optional[str] = None
    status: Optional[str] = None
    #: "a Unix timestamp (seconds since epoch)", sent as a string (an ISO 8601 time read too).
    created_at: UnixTime = None
    playback_ids: list[MuxPlaybackId] = Field(default_factory=list)
    passthrough: Optional[str] = None
    meta: Optional[MuxMeta] = None
    simulcast_targets: list[MuxSimulcastTarget] = Field(default_factory=list)


class MuxSimulcastTarget(_Wire):
    """A ``SimulcastTarget`` (https://www.mux.com/docs/api-reference/video/live-streams/create-live-stream-simulcast-target)."""

    id: str = Field(min_length=1)
    passthrough: Optional[str] = None
    status: Optional[str] = None
    url: Optional[str] = None
    error_severity: Optional[str] = None


#: Mux's error body is ``{"error": {"type": "invalid_parameters", "messages": [...]}}``
#: (``kit_codes.typed_error``). UNVERIFIED: the shape is the one Mux's API answers in
#: practice and its SDKs print; the API reference documents status codes, not the body.
#: Request fields a Mux validation message may start with ("reconnect_window must be ...").
_BODY_FIELDS = ("playback_policies", "new_asset_settings", "reconnect_window", "latency_mode", "passthrough",
                "test", "meta", "limit", "page")


# ---------------------------------------------------------------------- parsing


def parse_stream(
    got: MuxLiveStream,
    *,
    protocol: str = "rtmps",
    rtmp_server: Optional[str] = None,
    srt_server: str = SRT_SERVER,
    playback_template: str = PLAYBACK_URL_TEMPLATE,
) -> LiveStream:
    """A Mux ``LiveStream`` as the normalized ``LiveStream``.

    ``rtmp_server`` replaces the constant server of ``protocol`` (rtmps or rtmp) when
    set. SRT: the stream key is the ``streamid`` and ``srt_passphrase`` the passphrase.
    """
    # Over SRT the streamid is the stream key itself (kept as the key: redacted from logs).
    server = srt_server if protocol == "srt" else rtmp_server or (RTMP_SERVER if protocol == "rtmp" else RTMPS_SERVER)
    ingest = ingest_of(protocol, server, got.stream_key, passphrase=got.srt_passphrase)
    playable = [p for p in got.playback_ids if (p.policy or "public") == "public"] or got.playback_ids
    # A signed playback ID needs a token (?token=...) the user signs: the bare URL is
    # still the one to hand out, and says which ID it is.
    playback_url = filled(playback_template, "playback_id", playable[0].id if playable else None)
    return LiveStream(
        provider=NAME,
        id=got.id,
        title=_text(got.meta.title) if got.meta else None,
        reference=_text(got.passthrough),
        status=map_status(got.status),
        provider_status=got.status,
        ingest=ingest,
        playback_url=playback_url,
        # Each broadcast is recorded into an asset (``recent_asset_ids``); its playback
        # needs the asset's own playback ID (another API), so no recording URL here.
        recording_url=None,
        created_at=got.created_at,
    )


# ---------------------------------------------------------------------- the provider


@register
class Mux(ConstantIngests, TargetsProvider):
    """Mux Video: create (ready at once), get, list, complete, delete (irreversible, 204)."""

    name = NAME
    display_name = "Mux Video"
    settings_prefix = "mux"
    service = SERVICE
    Credentials = MuxCredentials
    Options = MuxOptions
    streams_path = STREAMS_PATH
    targets_path = "simulcast-targets"
    account_word, first_page = "environment", {"limit": 1, "page": 1}
    default_base_url = "https://api.mux.com"
    parse_stream = staticmethod(parse_stream)
    # One RTMP(S) override for both (None: the constant server of the stream's protocol).
    ingest_overrides = {"ingest_rtmp_url": ("rtmp_server", INGEST_RTMP_ENV, None, ("rtmps", "rtmp")),
                        "ingest_srt_url": ("srt_server", INGEST_SRT_ENV, SRT_SERVER, ("srt",))}
    playback_override = (PLAYBACK_TEMPLATE_ENV, PLAYBACK_URL_TEMPLATE)

    credential_fields = (
        CredentialField("token_id", "Access token ID", TOKEN_ID_ENV,
                        help="Settings > Access Tokens in the Mux dashboard (Mux Video Read and Write)"),
        CredentialField("token_secret", "Token secret", TOKEN_SECRET_ENV, secret=True,
                        help="shown once when the access token is created"),
    )
    stream_options = (
        StreamOption("latency_mode", "Latency", "choice", default="standard",
                     choices=(("standard", "Standard"), ("reduced", "Reduced"), ("low", "Low")),
                     help="lower latency reaches viewers sooner but tolerates less network trouble"),
        StreamOption("reconnect_window", "Reconnect window (s)", "int", default=60, minimum=0,
                     maximum=MAX_RECONNECT_WINDOW,
                     help="seconds Mux waits for the encoder to come back before ending the broadcast"),
        StreamOption("playback_policy", "Playback", "choice", default="public",
                     choices=(("public", "Public"), ("signed", "Signed (needs a token)")),
                     help="public: anyone with the URL can watch; signed: viewers need a signed token"),
        StreamOption("protocol", "Ingest protocol", "choice", default="rtmps",
                     choices=(("rtmps", "RTMPS"), ("rtmp", "RTMP"), ("srt", "SRT")),
                     help="how OBS sends the video to Mux", warnings=(("srt", SRT_ID_IS_KEY),)),
        # The settings key stays "mux_record" (key=), so scene collections saved with the
        # earlier "Record each broadcast" checkbox keep their choice.
        StreamOption("recording_playback", "Recordings playable (same playback policy)", "bool", default=True,
                     key="record", flag="recording-playback",
                     help="Mux records every broadcast as an asset; this gives the recording a playback ID "
                          "with the stream's playback policy (off: recorded, but not playable until you add one)"),
        StreamOption("test", "Test stream (free, 5 minutes, watermarked)", "bool", default=False,
                     help="a free Mux test stream: watermarked, cut after 5 minutes, recording deleted after 24 h"),
    )
    settings = (
        Setting("ingest_rtmp_url", "RTMP(S) ingest URL", env=INGEST_RTMP_ENV,
                help=f"replaces {RTMPS_SERVER} (and the RTMP one); leave empty for Mux's own"),
        Setting("ingest_srt_url", "SRT ingest URL", env=INGEST_SRT_ENV,
                help=f"replaces {SRT_SERVER}; leave empty for Mux's own"),
        Setting("playback_url_template", "Playback URL template", env=PLAYBACK_TEMPLATE_ENV,
                help=f"with {{playback_id}}; default {PLAYBACK_URL_TEMPLATE}"),
    )
    capabilities = Capabilities(reuse=True, protocols=("rtmps", "rtmp", "srt"),
                                ending="signals Mux that the broadcast is complete",
                                # Targets only while the stream is idle; RTMP(S), or SRT when
                                # OBS publishes over SRT (CreateSimulcastTargetRequest.url).
                                # UNVERIFIED: Mux's most targets per stream (not in the reference).
                                simulcast=SimulcastSupport(max_targets=None, schemes=("rtmp", "rtmps", "srt"),
                                                           only_while_idle=True, reports_status=True),
                                reconnect_window_option="reconnect_window")

    # ------------------------------------------------------------------ operations

    def create(self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
               reference: Optional[str] = None) -> LiveStream:
        """``POST /video/v1/live-streams`` (https://www.mux.com/docs/api-reference/video/live-streams/create-live-stream).

        The title goes into ``meta.title``, ``reference`` into ``passthrough`` (where
        ``find_created`` looks for it if the answer is lost). Never retried once it may
        have reached Mux (a second stream would exist).
        """
        title, opts = self._prelude(title, options, start)
        check_length(title, MAX_TITLE, "The title is too long for Mux", "use at most {limit} characters")
        check_length(reference, MAX_PASSTHROUGH, "The stream reference is too long for Mux's passthrough",
                     "at most {limit} characters")
        body: dict[str, Any] = {
            "playback_policies": [opts.playback_policy],
            "latency_mode": opts.latency_mode,
            "reconnect_window": opts.reconnect_window,
            "meta": {"title": title},
            "test": opts.test,
        }
        if opts.recording_playback:
            # Mux records each broadcast either way; this gives the recording a playback ID
            # of the stream's policy ("new_asset_settings": the settings of the assets the
            # live stream creates, https://www.mux.com/docs/guides/stream-recordings-of-live-streams).
            body["new_asset_settings"] = {"playback_policies": [opts.playback_policy]}
        if reference:
            body["passthrough"] = reference
        response, made, _ = self._create_posted(body, opts.protocol)
        return self._parsed(response, made)

    def list(self) -> list[LiveStream]:  # noqa: A003 - the API's own word
        """``GET /video/v1/live-streams?limit=..&page=..`` over every page (``page`` is
        1-based; the last page is the first shorter than ``limit``)."""
        def page_of(page: int, have: int) -> tuple[list[LiveStream], Optional[bool]]:
            items = self._http.request_model("GET", STREAMS_PATH, Data[list[MuxLiveStream]], what=self.account_word,
                                             params={"limit": PAGE_SIZE, "page": page}).data
            return [self._parsed(None, item) for item in items], None
        return self._paged(page_of, PAGE_SIZE)

    def end(self, stream_id: str) -> EndResult:
        """``PUT /video/v1/live-streams/{LIVE_STREAM_ID}/complete`` for an active stream.

        "Signal a live stream is finished": Mux ends the broadcast and completes the
        recorded asset at once instead of waiting out the reconnect window
        (https://www.mux.com/docs/api-reference/video/live-streams/signal-live-stream-complete).
        A stream that is not ``active`` has no broadcast to end: ``EndResult(ended=False)``,
        read from the stream first because the answer of ``complete`` on an idle stream
        is UNVERIFIED; a 400 from ``complete`` (the stream went idle meanwhile) is the same.
        """
        return self._end_if_live(stream_id, "complete", unknown="not active", done="Mux completed the live stream",
                                 idle="the stream is not active")

    # ------------------------------------------------------------------ simulcast

    def _target_body(self, target: SimulcastTarget) -> dict[str, Any]:
        """``POST .../simulcast-targets`` with ``url``, ``stream_key`` and the target's name as
        ``passthrough``; only while the stream is idle."""
        return target_body(target, "stream_key", passthrough=target.name)

    def _target_made(self, response: requests.Response, target: SimulcastTarget) -> TargetState:
        return self._target_state(self._http.model_of(response, Data[MuxSimulcastTarget]).data, target.name,
                                  target.host)

    def simulcast_targets(self, stream_id: str) -> list[TargetState]:
        """The live stream's ``simulcast_targets``, each with its status."""
        held = self._answer(self._on("GET", stream_id)).simulcast_targets
        return [self._target_state(t, _text(t.passthrough) or t.id, "") for t in held]

    @staticmethod
    def _target_state(held: MuxSimulcastTarget, name: str, host: str) -> TargetState:
        status = wire.status_of(held.status, _TARGET_STATUSES, TargetStatus.ADDED)
        reason = f"Mux says {held.status}" + (f" ({held.error_severity})" if held.error_severity else "") \
            if status is TargetStatus.FAILED else None
        return TargetState(name=name, target_id=held.id, status=status, reason=reason, host=host)

    # ------------------------------------------------------------------ plumbing

    def _answer(self, response: requests.Response) -> MuxLiveStream:
        return self._http.model_of(response, Data[MuxLiveStream]).data

    def _parsed(self, response: Optional[requests.Response], got: MuxLiveStream) -> LiveStream:
        """The stream; with the ``response`` of one stream's create or get (not a list's), an SRT stream
        that has a key but no ``srt_passphrase`` is an error at once (waiting for the
        ingest would only run out the timeout: no answer will ever carry one)."""
        stream = super()._parsed(response, got)
        srt_without_passphrase = self._protocol_for(got) == "srt" and stream.ingest is None and _text(got.stream_key)
        if response is not None and srt_without_passphrase:
            raise UnexpectedResponseError(
                "Mux gave the live stream no SRT passphrase (srt_passphrase), so OBS cannot publish over SRT",
                hint="choose RTMPS (or RTMP) for Mux, or check that SRT ingest is available to the environment",
                provider=SERVICE.name, status_code=response.status_code)
        return stream

