"""api.video live streams (https://docs.api.video/live-streaming).

JSON over HTTPS at ``https://ws.api.video`` (their test environment:
``https://sandbox.api.video``, whose streams stop after 30 minutes). Auth is a token
exchange (https://docs.api.video/reference/authentication-guide): ``POST /auth/api-key
{"apiKey"}`` answers ``{access_token, refresh_token, token_type, expires_in}``; every
other call sends ``Authorization: Bearer <access_token>``. The access token lasts an
hour: it is refreshed (``POST /auth/refresh {"refreshToken"}``) a minute before it
expires, and on a 401 the client logs in again with the API key once. Tokens live in
memory only and are registered as secrets, like the API key.

Live streams (https://docs.api.video/reference/api/Live-Streams), camelCase:
``POST /live-streams {name, public, playerId}``, ``GET /live-streams/{liveStreamId}``,
``GET /live-streams?currentPage=&pageSize=`` (``{data, pagination}``), ``PUT
/live-streams/{liveStreamId}/complete`` (202: ends the broadcast within seconds) and
``DELETE /live-streams/{liveStreamId}`` (204). A stream answers ``liveStreamId``,
``streamKey``, ``name``, ``public``, ``broadcasting`` (true while an encoder is live),
``createdAt`` and ``assets.hls`` (the playback URL). The key is in the create answer,
so the ingest is ready at once; the ingest servers are constants, not in any answer
(https://docs.api.video/live-streaming/live-stream-best-practices), overridable for the
sandbox. Live streams have no metadata field: ``find_created`` finds a stream whose
create answer was lost by its name and ``createdAt`` (the contract's default).

Errors are problem objects ``{type, title, status, detail?, name?, problems?}``
(examples: https://github.com/apivideo/api.video-python-client/tree/main/test/payloads/live_streams);
rate limits send ``X-RateLimit-Retry-After`` (read like ``Retry-After``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Literal, Optional
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from .. import secrets
from ..http import Service
from ..models import EndResult, LiveStream, StreamStatus
from ..simulcast import SimulcastSupport, SimulcastTarget, TargetState
from . import register, wire
from .base import OptionsInput
from .declare import SRT_ID_IS_KEY, Capabilities, CredentialField, Setting, StreamOption
from .kit import CredentialModel, OptionsModel
from .kit_errors import ErrorShape
from .kit_login import LoginProvider, OAuthTokens
from .kit_streams import StreamsProvider, retry_after_header

API_KEY_ENV = "APIVIDEO_API_KEY"
BASE_URL_ENV = "APIVIDEO_API_BASE_URL"
INGEST_RTMPS_ENV = "APIVIDEO_INGEST_RTMPS_URL"
INGEST_RTMP_ENV = "APIVIDEO_INGEST_RTMP_URL"
INGEST_SRT_ENV = "APIVIDEO_INGEST_SRT_URL"

PRODUCTION_URL = "https://ws.api.video"
SANDBOX_URL = "https://sandbox.api.video"  # api.video's own test environment (sandbox API keys)

# "Streaming servers" in https://docs.api.video/live-streaming/live-stream-best-practices:
# RTMPS on port 1936, RTMP, and SRT with ?streamid={stream_key} (no passphrase).
RTMPS_SERVER = "rtmps://broadcast.api.video:1936/s"
RTMP_SERVER = "rtmp://broadcast.api.video/s"
SRT_SERVER = "srt://broadcast.api.video:6200"
PROTOCOLS = ("rtmps", "rtmp", "srt")
#: Each protocol's server override: (setting, environment variable, default, schemes it takes).
INGESTS = {"rtmps": ("ingest_rtmps_url", INGEST_RTMPS_ENV, RTMPS_SERVER, ("rtmps", "rtmp")),
           "rtmp": ("ingest_rtmp_url", INGEST_RTMP_ENV, RTMP_SERVER, ("rtmp", "rtmps")),
           "srt": ("ingest_srt_url", INGEST_SRT_ENV, SRT_SERVER, ("srt",))}

AUTH_PATH = "/auth/api-key"
REFRESH_PATH = "/auth/refresh"
STREAMS_PATH = "/live-streams"
#: ``pageSize`` is 1 to 100, default 25 (https://docs.api.video/reference/api/Live-Streams#list-all-live-streams).
PAGE_SIZE = 100
#: Seconds before the access token's expiry at which it is refreshed (the SDK uses 10;
#: a minute also covers a slow request started just before the deadline).
REFRESH_MARGIN = 60.0
#: The documented lifetime of an access token, used when an answer omits ``expires_in``.
TOKEN_LIFETIME = 3600.0

SERVICE = Service(
    name="api.video",
    credential="access token",
    auth_hint=f"check the API key ({API_KEY_ENV}); a sandbox API key only works with "
              f"{BASE_URL_ENV}={SANDBOX_URL}",
    permission_hint="check that the API key's project may manage live streams",
    not_found_hint="check the live stream ID (liveStreamId, li...) and that the API key belongs to its "
                   "project and environment (production or sandbox)",
    base_url_env=BASE_URL_ENV,
    # A problem object ``{type, title, status, detail?, name?, problems?}``: its title and
    # detail, and a message per named attribute (the problem itself and its ``problems``).
    parse_error=ErrorShape(messages=("title", "detail"), items=(".", "problems"), field="name",
                           text=("detail", "title"), no_text="is invalid", requires=("title", "detail", "type")),
)


# ---------------------------------------------------------------------------- wire shapes


_Wire = wire.WireModel


class StreamAssets(_Wire):
    hls: wire.Text = None  # also iframe, player and thumbnail, unused here


class WireLiveStream(_Wire):
    """A live stream as api.video sends it (create, get, list items)."""

    live_stream_id: str = Field(alias="liveStreamId", min_length=1)
    stream_key: wire.Text = Field(None, alias="streamKey")
    name: wire.Text = None
    broadcasting: Optional[bool] = None
    created_at: wire.Time = Field(None, alias="createdAt")
    assets: Optional[StreamAssets] = None


class Pagination(_Wire):
    pages_total: Optional[int] = Field(None, alias="pagesTotal")  # also currentPage, pageSize, itemsTotal


class StreamPage(_Wire):
    data: list[Any]
    pagination: Optional[Pagination] = None


class Restream(_Wire):
    """One of a live stream's ``restreams`` (``RestreamsResponseObject`` in the official clients)."""

    name: str = ""
    serverUrl: Optional[str] = None  # noqa: N815 - the wire name
    streamKey: Optional[str] = None  # noqa: N815 - the wire name


class RestreamList(_Wire):
    restreams: list[Restream] = Field(default_factory=list)


# ---------------------------------------------------------------------------- user input


class ApiVideoCredentials(CredentialModel):
    """An api.video API key (production, or sandbox with the sandbox base URL); it travels
    in a JSON body (the token exchange), not in a header."""

    api_key: SecretStr = Field(title="API key")


class ApiVideoOptions(OptionsModel):
    """Per-stream options; ``public`` and ``player_id`` are sent camelCase."""

    public: bool = True
    player_id: Optional[str] = Field(None, serialization_alias="playerId")
    protocol: Literal["rtmps", "rtmp", "srt"] = "rtmps"  # not sent: picks the ingest server

    @field_validator("player_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value


# ---------------------------------------------------------------------------- parsing


def map_status(broadcasting: Any) -> StreamStatus:
    """api.video's only status is ``broadcasting``: true is LIVE, false NOT_STARTED (a
    stream takes an encoder again after a broadcast: nothing is terminal)."""
    return StreamStatus.LIVE if broadcasting is True else StreamStatus.NOT_STARTED if broadcasting is False \
        else StreamStatus.UNKNOWN


def parse_stream(data: Any, *, protocol: str = "rtmps", servers: Optional[dict] = None) -> LiveStream:
    """A live stream object as a ``LiveStream``; ``ValueError`` naming fields (never values)."""
    got = wire.read(WireLiveStream, data, "live stream")
    servers = servers or {"rtmps": RTMPS_SERVER, "rtmp": RTMP_SERVER, "srt": SRT_SERVER}
    key = got.stream_key
    ingest = None
    if key:
        secrets.register_stream(key)
        if protocol == "srt":
            # SRT: the stream key is the streamid; api.video documents no passphrase.
            ingest = wire.srt_ingest(servers["srt"], key)
        else:
            ingest = wire.rtmp_ingest(servers[protocol], key)
    return LiveStream(
        provider=ApiVideo.name,
        id=got.live_stream_id,
        title=got.name,
        status=map_status(got.broadcasting),
        provider_status=None if got.broadcasting is None
        else ("broadcasting" if got.broadcasting else "not broadcasting"),
        ingest=ingest,
        playback_url=got.assets.hls if got.assets else None,
        # A broadcast is recorded into a video of the Videos API; not a live-stream field.
        recording_url=None,
        created_at=got.created_at,
    )


# ---------------------------------------------------------------------------- the provider


@register
class ApiVideo(LoginProvider, StreamsProvider):
    """api.video: token exchange with refresh; create (ready at once), get, list, complete, delete."""

    name = "apivideo"
    display_name = "api.video"
    streams_path = STREAMS_PATH
    id_field = "liveStreamId"
    stream_id_hint = "give the liveStreamId of the live stream (li...)"
    title_word = "name"
    settings_prefix = "apivideo"
    Credentials = ApiVideoCredentials
    Options = ApiVideoOptions
    default_base_url = PRODUCTION_URL
    service = SERVICE
    login_credential = "API key"  # what the token exchange rejects
    parse_stream = staticmethod(parse_stream)
    account_word = "project"
    first_page = {"currentPage": 1, "pageSize": 1}

    credential_fields = (
        CredentialField("api_key", "API key", env=API_KEY_ENV, secret=True,
                        help="The API key from the api.video dashboard (https://dashboard.api.video). A sandbox "
                             f"key works against api.video's test environment: set the base URL to {SANDBOX_URL} "
                             "(its live streams stop after 30 minutes)."),
    )
    stream_options = (
        StreamOption("public", "Public playback", "bool", default=True,
                     help="Off: the stream is private and every view needs a private token from the API "
                          "(https://docs.api.video/delivery/video-privacy-access-management)."),
        StreamOption("player_id", "Player ID", "text", default=None,
                     help="An api.video player (pl...) whose theme the stream's player uses; empty: the default "
                          "player."),
        StreamOption("protocol", "Ingest protocol", "choice", default="rtmps",
                     choices=(("rtmps", "RTMPS (encrypted)"), ("rtmp", "RTMP"), ("srt", "SRT")),
                     help=f"How OBS sends the video: RTMPS to {RTMPS_SERVER}, RTMP to {RTMP_SERVER}, or SRT to "
                          f"{SRT_SERVER} with the stream key as streamid.", warnings=(("srt", SRT_ID_IS_KEY),)),
    )
    settings = tuple(Setting(name=name, label=f"{p.upper()} ingest URL", env=env,
                             help=f"Where OBS publishes over {p.upper()}; empty: {server}.")
                     for p, (name, env, server, _) in INGESTS.items())
    capabilities = Capabilities(
        reuse=True, protocols=PROTOCOLS,
        ending="completes the broadcast within seconds; the stream can be used again",
        # "Currently api.video supports up to 5 restreams", to RTMPS and RTMP destinations
        # (https://docs.api.video/live-streaming/restreams); no status per restream.
        simulcast=SimulcastSupport(max_targets=5, schemes=("rtmp", "rtmps")),
    )
    credentials_note = f"a sandbox key also needs {BASE_URL_ENV}={SANDBOX_URL}"

    def setup(self, *, ingest_rtmps_url: Optional[str] = None, ingest_rtmp_url: Optional[str] = None,
              ingest_srt_url: Optional[str] = None, protocol: Optional[str] = None,
              clock: Optional[Callable[[], float]] = None) -> None:
        given = {"rtmps": ingest_rtmps_url, "rtmp": ingest_rtmp_url, "srt": ingest_srt_url}
        self.servers = {p: self._ingest_setting(given[p], env, server, schemes)
                        for p, (_, env, server, schemes) in INGESTS.items()}
        self._choose_protocol(protocol)
        retry_after_header(self._http.session, "X-RateLimit-Retry-After")  # api.video's own name
        # The token exchange, whose 401 means "wrong API key"; UNVERIFIED: the docs do not say
        # whether a wrong key is answered 400 or 401: both are reported as a wrong API key.
        auth = self._login_client()
        key = self.credentials.api_key  # type: ignore[attr-defined]
        self._log_in_with(OAuthTokens(
            auth, lifetime=TOKEN_LIFETIME, margin=REFRESH_MARGIN, clock=clock,
            login=lambda: self._post_login(AUTH_PATH, {"apiKey": key.get_secret_value()}, what="API key",
                                           idempotent=True, http=auth, hint=SERVICE.auth_hint,
                                           refused_message="api.video rejected the API key"),
            refresh=lambda token: auth.request("POST", REFRESH_PATH, json={"refreshToken": token},
                                               idempotent=True, what="refresh token")))

    # ------------------------------------------------------------------ operations

    def create(self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
               reference: Optional[str] = None) -> LiveStream:
        """``POST /live-streams {"name", "public", "playerId"?}``; the key is in the answer.

        Never retried once it may have reached api.video (a second stream would
        exist). ``reference`` is not stored: live streams have no metadata field, so
        ``find_created`` matches the name and ``createdAt``.
        """
        title, opts = self._prelude(title, options, start)
        sent = opts.model_dump(by_alias=True, exclude_none=True, exclude={"protocol"})  # public, playerId
        return self._create({"name": title, **sent}, opts.protocol)

    def list(self) -> list[LiveStream]:  # noqa: A003 - the API's own word
        """``GET /live-streams?currentPage=N&pageSize=100`` over every page, oldest first
        (``sortBy=createdAt``), so a stream created meanwhile lands on the last page
        instead of shifting the pages still to read."""
        def page_of(page: int, have: int) -> tuple[list[LiveStream], Optional[bool]]:
            response = self._send("GET", STREAMS_PATH, what="project", params={
                "currentPage": page, "pageSize": PAGE_SIZE, "sortBy": "createdAt", "sortOrder": "asc"})
            body = self._http.model_of(response, StreamPage)
            pages = body.pagination.pages_total if body.pagination else None
            return self._list_page(response, body.data), (page < pages if pages is not None else None)
        return self._paged(page_of, PAGE_SIZE)

    def end(self, stream_id: str) -> EndResult:
        """``PUT /live-streams/{liveStreamId}/complete`` (202): api.video ends the broadcast
        and its recording within seconds; the stream can be broadcast to again.

        ``complete`` is documented for a running (broadcasting) stream only (the Live
        Streams reference, https://docs.api.video/reference/api/Live-Streams), so
        ``broadcasting`` is read first, as Mux's client reads its status: a stream that
        is not broadcasting has nothing to end (``EndResult(ended=False)``). A 400/409 from
        ``complete`` (the broadcast stopped meanwhile) is the same.
        """
        return self._end_if_live(stream_id, "complete", live=lambda s: s.status is not StreamStatus.NOT_STARTED,
                                 refused=(400, 409), idle="the stream is not broadcasting",
                                 done="api.video is completing the live stream (it ends within seconds)")

    # ------------------------------------------------------------------ simulcast

    def add_simulcast_target(self, stream_id: str, target: SimulcastTarget) -> TargetState:
        """The stream's ``restreams`` list with this one added, sent whole with ``PATCH``
        (a restream has no ID or endpoint of its own: the list is replaced). The target's
        name, unique per go-live, stands for its ID."""
        held = [r for r in self._restreams(stream_id) if r.name != target.name]
        mine = Restream(name=target.name, serverUrl=target.url, streamKey=target.stream_key.get_secret_value())
        self._set_restreams(stream_id, [*held, mine])
        return TargetState(name=target.name, target_id=target.name, host=target.host)

    def remove_simulcast_target(self, stream_id: str, target: TargetState) -> None:
        """The ``restreams`` list without the target's name, sent whole; gone already: nothing sent."""
        held = self._restreams(stream_id)
        kept = [r for r in held if r.name != target.target_id]
        if len(kept) != len(held):
            self._set_restreams(stream_id, kept)

    def simulcast_targets(self, stream_id: str) -> list[TargetState]:
        return [TargetState(name=r.name, target_id=r.name, host=urlsplit(r.serverUrl or "").hostname or "")
                for r in self._restreams(stream_id)]

    def _restreams(self, stream_id: str) -> list[Restream]:
        return self._http.model_of(self._on("GET", stream_id), RestreamList).restreams

    def _set_restreams(self, stream_id: str, restreams: list[Restream]) -> None:
        """``PATCH /live-streams/{liveStreamId} {"restreams": [...]}``: idempotent, the whole list."""
        self._on("PATCH", stream_id, json={"restreams": [r.model_dump() for r in restreams]}, idempotent=True)

    def _parse_settings(self) -> dict[str, Any]:
        return {"servers": self.servers}
