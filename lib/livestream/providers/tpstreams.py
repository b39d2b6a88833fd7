"""TP Streams live streams (the server API at https://developer.tpstreams.com/docs/server-api/,
source: https://github.com/testpress/streams-docs under ``docs/server-api/``).

A Django REST framework API under ``<origin>/api/v1/<organization_id>/``:
``POST assets/live_streams/`` creates (or, with ``start``, schedules) a live stream,
``POST assets/<id>/start_server/`` boots a scheduled one, ``GET assets/<id>/`` reads it,
``POST assets/<id>/stop_live_stream/`` ends it for good, ``DELETE assets/<id>/`` deletes
it. Auth is ``Authorization: Token <token>``: an API token, or one obtained once from
``POST /api/auth/login/`` and cached (``livestream.tokencache``), because an
organization may hold at most 20 tokens (https://developer.tpstreams.com/docs/server-api/authentication/).

The RTMP server and stream key arrive 20-30 s after create/start_server; the ingest
is ready when BOTH ``rtmp_url`` and ``stream_key`` are non-empty, whatever the status
word says (a documented example of the live-stream API has "Not Started" with both set).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Optional
from urllib.parse import quote

import requests
from pydantic import BeforeValidator, Field, SecretStr, field_validator

from .. import secrets
from ..errors import InvalidRequestError, LivestreamError
from ..http import Service
from ..models import EndResult, LiveStream, StreamStatus
from ..tokencache import TokenCache
from . import register, wire
from .base import OptionsInput
from .declare import Capabilities, CredentialField, StreamOption
from .http_base import MAX_PAGES
from .kit import OptionsModel
from .kit_errors import ErrorShape
from .kit_login import ANY_REFUSAL, LoginProvider, TokenOrLogin, token_in

ORG_ENV = "TPSTREAMS_ORG_ID"
TOKEN_ENV = "TPSTREAMS_API_TOKEN"
USERNAME_ENV = "TPSTREAMS_USERNAME"
PASSWORD_ENV = "TPSTREAMS_PASSWORD"

#: On the origin, not under /api/v1/<org>/ (https://developer.tpstreams.com/docs/server-api/authentication/).
LOGIN_PATH = "/api/auth/login/"
START_FORMAT = "%Y-%m-%d %H:%M:%S"  # the live-stream API's "Schedule" example

#: A Django REST framework API's error body: ``{"detail": "..."}``, ``{"non_field_errors": [...]}``
#: or serializer errors ``{"<field>": ["msg", ...]}`` (nested for nested objects, e.g. ``live_stream.start``).
parse_error_body = ErrorShape(messages=("detail", "message", "non_field_errors"), other_keys_are_fields=True,
                              not_fields=("code", "status"))


SERVICE = Service(
    name="TP Streams",
    credential="API token",
    auth_hint=f"check the organization ID and token ({ORG_ENV}, {TOKEN_ENV})",
    permission_hint="the token's user needs rights to manage live streams in this organization",
    not_found_hint=f"check the stream ID and the organization ID ({ORG_ENV})",
    base_url_env="TPSTREAMS_API_BASE_URL",
    parse_error=parse_error_body,
)

# The wording varies by docs page (the live-stream API, its events and webhooks pages):
# compared lower-case, "_"/"-" as spaces.
_STATUSES = {
    "not started": StreamStatus.NOT_STARTED,
    "available": StreamStatus.NOT_STARTED,  # legacy (2023 docs): server up, key available
    "streaming": StreamStatus.LIVE,
    "disconnected": StreamStatus.DISCONNECTED,
    "recording": StreamStatus.RECORDING,
    "stopped": StreamStatus.ENDED,
    "completed": StreamStatus.ENDED,
    "error": StreamStatus.ERROR,
}

_LATENCIES = {**dict.fromkeys(("low", "low latency", "ll"), "Low Latency"),
              **dict.fromkeys(("normal", "normal latency", "standard"), "Normal Latency")}


def _words(value: str) -> str:
    return " ".join(value.replace("_", " ").replace("-", " ").lower().split())


def map_status(word: Any) -> StreamStatus:
    """A TP Streams status word ("Not Started", ``NOT_STARTED``...) as a ``StreamStatus``."""
    return wire.status_of(_words(word) if isinstance(word, str) else None, _STATUSES, StreamStatus.UNKNOWN)


class TPStreamsCredentials(TokenOrLogin):
    """An organization and either an API token or a username and password."""

    # The token travels in the Authorization header; the organization ID in the URL
    # path (quoted) and the login in a JSON body, which carry any character but a
    # control character is always a paste error.
    header_fields = frozenset({"api_token"})

    organization_id: str = Field(title="organization ID")
    api_token: Optional[SecretStr] = Field(None, title="API token")
    username: Optional[str] = None
    password: Optional[SecretStr] = None


class TPStreamsOptions(OptionsModel):
    """Per-stream options of ``POST assets/live_streams/`` (the live-stream API's create)."""

    latency: Optional[Literal["Low Latency", "Normal Latency"]] = None
    enable_drm_for_recording: Optional[bool] = None

    @field_validator("latency", mode="before")
    @classmethod
    def _latency_alias(cls, value: Any) -> Any:
        return (_LATENCIES.get(_words(value), value) or None) if isinstance(value, str) else value


def _asset_id(value: Any) -> Optional[str]:
    """An asset ID: a string or an integer, as text; None when it is neither or empty."""
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) else None


Text, Time, ObjectOnly, _Wire = wire.Text, wire.Time, wire.ObjectOnly, wire.WireModel


class WireLiveStream(_Wire):
    """The asset's ``live_stream`` object."""

    status: Text = None
    rtmp_url: Text = None
    stream_key: Text = None
    hls_url: Text = None
    chat_embed_url: Text = None
    start: Time = None


class WireVideo(_Wire):
    playback_url: Text = None


class WireAsset(_Wire):
    """A live-stream asset, read leniently: a field of the wrong type counts as absent."""

    id: Annotated[Optional[str], BeforeValidator(_asset_id)] = None  # noqa: A003 - the API's field
    title: Text = None
    live_stream: Annotated[Optional[WireLiveStream], ObjectOnly] = None
    video: Annotated[Optional[WireVideo], ObjectOnly] = None
    created: Time = None
    created_at: Time = None


def parse_asset(body: Any) -> LiveStream:
    """A live-stream asset (the create/get/list/start_server/webhook JSON of the live-stream API).

    ``ValueError`` (naming fields, never values) when the body is not a live stream.
    """
    asset = wire.read(WireAsset, body, "asset")  # every field optional: only a non-object fails
    if asset.id is None:
        raise ValueError("the asset has no 'id'")
    live = asset.live_stream
    if live is None:
        raise ValueError(f"asset {asset.id} has no 'live_stream' object (is it a live stream?)")
    ingest = None
    if live.rtmp_url and live.stream_key:  # never trust the status word (see the module docstring)
        ingest = wire.rtmp_ingest(live.rtmp_url, live.stream_key)
    return LiveStream(
        provider=TPStreams.name,
        id=asset.id,
        title=asset.title,
        status=map_status(live.status),
        provider_status=live.status,
        ingest=ingest,
        playback_url=live.hls_url,
        chat_url=live.chat_embed_url,
        recording_url=asset.video.playback_url if asset.video else None,
        scheduled_start=live.start,
        created_at=asset.created or asset.created_at,
    )


@register
class TPStreams(LoginProvider):
    """TP Streams: create/schedule, start_server, poll, stop_live_stream, delete."""

    name = "tpstreams"
    display_name = "TP Streams"
    Credentials = TPStreamsCredentials
    Options = TPStreamsOptions
    service = SERVICE
    login_scheme, login_credential = "Token", "login token"
    login_hint = f"check the organization ID, username and password ({ORG_ENV}, {USERNAME_ENV}, {PASSWORD_ENV})"
    id_noun = "stream"
    stream_id_hint = "give the asset ID of the live stream"
    repr_field = "organization_id"
    default_base_url = "https://app.tpstreams.com"
    #: The documented boot: "The live stream server typically takes around 20-30 seconds to
    #: start" (https://developer.tpstreams.com/docs/live-stream-api/create_live_stream_instantly).
    boot_window = (20.0, 30.0)

    # --- the declaration the panel and the CLI are generated from; the settings keys
    # ("tp_org_id", "tp_drm"...) are the ones saved in users' scene collections.
    settings_prefix = "tp"
    credential_fields = (
        CredentialField("organization_id", "Organization ID", env=ORG_ENV, key="org_id"),
        CredentialField("api_token", "API token", env=TOKEN_ENV, secret=True),
        CredentialField("username", "Username (instead of a token)", env=USERNAME_ENV),
        CredentialField("password", "Password", env=PASSWORD_ENV, secret=True),
    )
    credentials_note = f"or {USERNAME_ENV} and {PASSWORD_ENV} instead of the token"
    stream_options = (
        StreamOption("latency", "Latency", "choice",
                     choices=(("Low Latency", "Low latency"), ("Normal Latency", "Normal latency")),
                     cli_values=(("low", "Low Latency"), ("normal", "Normal Latency")),
                     help="'Low Latency' or 'Normal Latency'"),
        StreamOption("enable_drm_for_recording", "DRM for the recording", "bool", default=False,
                     key="drm", flag="drm-recording", help="DRM for the recording"),
    )
    capabilities = Capabilities(scheduling=True, boots_server=True, protocols=("rtmp", "rtmps"),
                                ending="stops the live stream for good")

    def poll_delay(self, waited: float) -> float:
        """Every 0.5 s inside the documented boot window, so the key is noticed about a
        quarter of a second after it appears; once a second for 10 s after it (a late boot);
        every ``poll_interval`` otherwise. The quiet first 20 s pay for the fast window: from
        the create on, never more than one request a second on average (0.95 at most)."""
        start, end = self.boot_window
        if start <= waited < end:
            return 0.5
        if waited < start:
            return max(0.5, min(self.poll_interval, start - waited))
        return 1.0 if waited < end + 10.0 else self.poll_interval

    def setup(self, *, token_cache: Optional[TokenCache] = None) -> None:  # type: ignore[override]
        """The organization's paths, and the login's token cache (with a username)."""
        creds: TPStreamsCredentials = self.credentials  # type: ignore[assignment]
        self._streams, self._org = self._collection() + "/live_streams/", f"organization {creds.organization_id}"
        if creds.uses_login:
            self._http.service = self._login_service()  # a 401 then names the login, not a token
            cache = token_cache if token_cache is not None else TokenCache(environ=self.environ)
            self._log_in_with(self._cached_login(self._login, cache))

    # ------------------------------------------------------------------ operations

    def create(self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
               reference: Optional[str] = None) -> LiveStream:
        """``POST assets/live_streams/``; with ``start``, a scheduled stream.

        TP Streams keeps no free-form field, so ``reference`` is not sent: a stream whose
        create answer was lost is found by its title and creation time (``find_created``).

        ``start`` is sent as the wall-clock time given ("YYYY-MM-DD HH:MM:SS"); the docs
        do not say which time zone TP Streams reads it in. Never retried once it may
        have reached the server: a second POST would create (and bill) a second stream.
        """
        title, opts = self._prelude(title, options, start)
        body: dict[str, Any] = {"title": title, **opts.model_dump(exclude_none=True)}  # the options' wire names
        if start is not None:
            body["start"] = start.strftime(START_FORMAT)
        return self._asset(self._send("POST", self._streams, json=body, idempotent=False, what=self._org))

    def start(self, stream_id: str) -> LiveStream:
        """``POST assets/<id>/start_server/`` (the live-stream API's "Start server").

        Retried like an idempotent call: it acts on one existing asset and cannot
        create a second one; asking a booting server to start again is harmless, and
        giving up on a 503 would fail a scheduled class for nothing.
        """
        response = self._on("POST", stream_id, "start_server", idempotent=True)
        return self._asset(response) if response.content else self.get(stream_id)

    def get(self, stream_id: str) -> LiveStream:
        """``GET assets/<id>/``."""
        return self._asset(self._on("GET", stream_id))

    def list(self) -> list[LiveStream]:  # noqa: A003 - the API's own word
        """``GET assets/live_streams/``, following DRF's absolute ``next`` links on our base URL."""
        streams: list[LiveStream] = []
        url: Optional[str] = self._streams
        seen: set[str] = set()
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            response = self._send("GET", url, what=self._org)
            body = self._http.json_of(response)
            results = body if isinstance(body, list) else body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                raise self._http.unexpected(response, "no 'results' list in the live-stream list")
            streams += [self._http.parsed(response, parse_asset, item) for item in results]
            link = body.get("next") if isinstance(body, dict) else None
            url = self._http.rebase(link) if isinstance(link, str) and link else None
        return streams

    def end(self, stream_id: str) -> EndResult:
        """``POST assets/<id>/stop_live_stream/`` (the live-stream API's "Stop"): terminal.

        Retried like an idempotent call: stopping is the one call that must get through
        (a forgotten stream keeps billing), and stopping twice cannot do more than
        stopping once. If TP Streams refuses (400/409/422), the stream is read back: if
        it has already stopped (Recording, Stopped, Completed, Error), the answer is
        ``EndResult(ended=False)`` ("nothing to end"); otherwise the refusal is raised,
        so the caller knows the stream is still running (e.g. "Not Started" while
        its server boots; the docs do not say whether that can be stopped).
        """
        try:
            response = self._on("POST", stream_id, "stop_live_stream", idempotent=True)
        except InvalidRequestError as refused:
            try:
                current = self.get(stream_id)
            except LivestreamError:
                raise refused from None
            if current.status.is_terminal:
                said = f" ({refused.provider_message})" if refused.provider_message else ""
                return EndResult(ended=False, message=secrets.redact(
                    f"nothing to end: the TP Streams live stream is already {current.provider_status}{said}"))
            raise
        body = self._http.json_of(response) if response.content else {}
        message = body.get("message") if isinstance(body, dict) else None
        return EndResult(ended=True, message=secrets.redact(message or "TP Streams stopped the live stream"))

    def delete(self, stream_id: str) -> None:
        """``DELETE assets/<id>/`` (204); a streaming stream's server is stopped too."""
        self._on("DELETE", stream_id)

    def check_credentials(self) -> None:
        """The first page of ``assets/live_streams/``: cheap, authenticated, org-scoped."""
        self._send("GET", self._streams, what=self._org)

    # ------------------------------------------------------------------ plumbing

    def _collection(self) -> str:
        """``/api/v1/<organization_id>/assets``: the organization's assets."""
        return f"/api/v1/{quote(self.credentials.organization_id, safe='')}/assets"

    def _path(self, stream_id: str, action: Optional[str] = None) -> str:
        """``<assets>/<id>/[<action>/]``: Django REST framework's paths end in "/"."""
        return super()._path(stream_id, action) + "/"

    def _asset(self, response: requests.Response) -> LiveStream:
        return self._http.parsed(response, parse_asset, self._http.json_of(response))

    def _login(self) -> str:
        """``POST /api/auth/login/`` (authentication docs). Never retried once sent: each
        login mints one of the organization's 20 tokens."""
        creds = self.credentials
        body = {"username": creds.username, "password": creds.password.get_secret_value(),
                "organization_id": creds.organization_id}
        response = self._post_login(LOGIN_PATH, body, what="login", hint=self.login_hint,
                                    refused=ANY_REFUSAL,
                                    refused_message="TP Streams refused the login")
        # The docs do not name the field; django-rest-knox, whose marks the API bears (64-hex
        # tokens, a per-organization cap), answers {"expiry", "token"}.
        return token_in(self._http, response, ("token", "auth_token", "key"))
