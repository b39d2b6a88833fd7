"""Cloudflare Stream live inputs.

A live input is an ingest endpoint that Cloudflare keeps until it is deleted; each time an
encoder connects to it, it broadcasts (https://developers.cloudflare.com/stream/stream-live/).
The API (https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/):

* ``POST /client/v4/accounts/{account_id}/stream/live_inputs`` creates one and answers
  its RTMPS URL and stream key and its SRT URL, stream ID and passphrase at once
  (https://developers.cloudflare.com/stream/stream-live/start-stream-live/);
* ``GET .../live_inputs/{uid}`` reads one (credentials and ``status`` included);
  ``GET .../live_inputs`` lists them WITHOUT credentials ("to get the credentials needed
  to stream to a specific live input, request a single live input");
* ``PUT .../live_inputs/{uid}`` updates one (``{"enabled": false}`` makes it refuse
  encoders), ``DELETE .../live_inputs/{uid}`` deletes it.

Auth is ``Authorization: Bearer <API token>`` (a token with the Stream Edit permission,
https://developers.cloudflare.com/fundamentals/api/get-started/create-token/). Every answer
is the v4 envelope ``{"success", "errors": [{"code", "message"}], "messages", "result"}``
(https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/); ``kit_codes``
reads its ``errors[]``, and ``ERROR_CODES`` says what the codes mean.

A live input cannot be "stopped": the broadcast ends when the encoder disconnects (OBS
stops streaming, which the go-live flow does first); ``end`` then disables the input
(``PUT {"enabled": false}``) or deletes it, as the stream option "After the stream" says.

The HLS playback URL is the live input's ``playback.hls`` where the answer carries it
(``playback_from``); otherwise it is
``https://customer-<code>.cloudflarestream.com/<uid>/manifest/video.m3u8`` and the customer
code is not in the API's answer, so the "Playback URL template" setting supplies it
(https://developers.cloudflare.com/stream/stream-live/watch-live-stream/).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Collection, Literal, Optional
from urllib.parse import quote, urlsplit

import requests
from pydantic import Field, SecretStr, field_validator

from .. import secrets
from ..errors import NotFoundError
from ..http import Service
from ..models import EndResult, LiveStream, StreamStatus
from ..simulcast import SimulcastSupport, SimulcastTarget, TargetState
from . import register, wire
from .base import OptionsInput
from .declare import Capabilities, CredentialField, Setting, StreamOption
from .kit import CredentialModel, HeaderAuth, OptionsModel
from .kit_codes import CodedEnvelope, CodeTable
from .kit_simulcast import TargetsProvider, enabled_target, made_target, target_body
from .kit_streams import StreamsProvider
from .kit_wire import REFERENCE_KEY, filled, flagged_status, ingest_of, nested_secrets, web_url, with_reference, word_of
from .wire import lower as _lower
from .wire import text as _text

log = logging.getLogger(__name__)

ACCOUNT_ENV = "CLOUDFLARE_ACCOUNT_ID"
TOKEN_ENV = "CLOUDFLARE_API_TOKEN"
BASE_URL_ENV = "CLOUDFLARE_API_BASE_URL"
PLAYBACK_TEMPLATE_ENV = "CLOUDFLARE_PLAYBACK_URL_TEMPLATE"

API_PREFIX = "/client/v4"
#: The ``meta`` entries that find a live input again when the create's answer was lost
#: (the kit's ``REFERENCE_KEY``), and that remember what ``end`` does with it ("a user
#: modifiable key-value store used to reference other systems of record", the live input's ``meta``).
AFTER_KEY = "obs_livestream_after"
AFTER_DISABLE, AFTER_DELETE = "disable", "delete"
#: ``deleteRecordingAfterDays``: "minimum 30, maximum 1096" (the live input's create body in
#: https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/methods/create/).
MIN_RECORDING_DAYS, MAX_RECORDING_DAYS = 30, 1096
#: An account ID: "Identifier" of 32 characters (the API reference's ``account_id``, e.g.
#: ``023e105f4ecef8ad9ca31a8372d0c353``), as the dashboard shows it: lower-case hex.
ACCOUNT_ID = re.compile(r"[0-9a-fA-F]{32}")
#: "Could not route to /client/v4/accounts/..., perhaps your object identifier is invalid?":
#: what the v4 API answers for an account ID it does not know (or that the token cannot see).
ACCOUNT_ID_CODE = 7003
#: Error codes of a refused Authorization header ("Invalid request headers" with "Invalid
#: format for Authorization header" in its ``error_chain``): the token is unusable, which is
#: an authentication problem even though Cloudflare answers 400. UNVERIFIED: the codes are
#: seen in public reports of the v4 API, not in its reference.
BAD_AUTH_HEADER_CODES = frozenset({6003, 6111})
#: What the codes mean beyond the status: a malformed Authorization header is the token's
#: fault, and 7003 means the account ID in the path is not one the token can reach.
ERROR_CODES = CodeTable(credentials={400: BAD_AUTH_HEADER_CODES}, explained={ACCOUNT_ID_CODE: (
    "Cloudflare Stream: the account ID is not right ({said})",
    f"check {ACCOUNT_ENV}: the 32-character Account ID of the account the API token belongs to")})
#: This client's own ceiling for ``recording.timeoutSeconds`` (the API documents none;
#: "0 is recommended for most use cases and indicates the platform default").
MAX_RECORDING_TIMEOUT = 3600

SERVICE = Service(
    name="Cloudflare Stream",
    credential="API token",
    auth_hint=f"check the account ID and API token ({ACCOUNT_ENV}, {TOKEN_ENV})",
    permission_hint=(f"check the API token ({TOKEN_ENV}) and give it the Stream Edit permission "
                     f"on this account ({ACCOUNT_ENV})"),
    not_found_hint=f"check the live input ID, and that it belongs to the account ({ACCOUNT_ENV})",
    base_url_env=BASE_URL_ENV,
    **ERROR_CODES.hooks(),  # parse_error, rejects_credentials and explain
)

# ``status`` of a live input ("the connection status of a live input", null when no
# encoder ever connected; the enum of the API reference and the official SDKs'
# ``LiveInput.status``). The words name the last connection event, not the input: after
# a disconnect the input takes a new broadcast, so only ``ttl_exceeded`` ends one.
# UNVERIFIED: the reference lists the words without defining them; these readings are
# from their names (``ttl_exceeded``: the broadcast outlived Cloudflare's maximum).
_STATUSES = {
    "connected": StreamStatus.LIVE,
    "reconnected": StreamStatus.LIVE,
    "new_configuration_accepted": StreamStatus.LIVE,  # the encoder changed its settings mid-stream
    "reconnecting": StreamStatus.DISCONNECTED,
    # ``status.current.state`` of the object form says "connected" or "disconnected"
    # (cloudflare-typescript's live input status object; the string form has no "disconnected").
    "disconnected": StreamStatus.DISCONNECTED,
    "client_disconnect": StreamStatus.DISCONNECTED,
    "failed_to_connect": StreamStatus.DISCONNECTED,
    "failed_to_reconnect": StreamStatus.DISCONNECTED,
    "ttl_exceeded": StreamStatus.ENDED,  # Cloudflare ended the broadcast (its maximum duration)
}


def map_status(word: Any, *, enabled: Optional[bool] = True) -> StreamStatus:
    """A live input's ``status`` (and ``enabled``) as a ``StreamStatus``.

    A disabled input refuses every encoder until it is enabled again: for the go-live
    flow that broadcast is over, so it is terminal (``ENDED``). ``None`` (no encoder ever
    connected) is ``NOT_STARTED``. The API reference gives ``status`` as a string; some
    public client code reads ``status.current.state`` instead, so that shape is read too
    (UNVERIFIED).
    """
    return flagged_status(status_word(word), _STATUSES, enabled=enabled, disabled=StreamStatus.ENDED,
                          never=StreamStatus.NOT_STARTED, unknown=StreamStatus.UNKNOWN)


def status_word(value: Any) -> Optional[str]:
    """The status word of ``status`` as a string or as ``{"current": {"state": ...}}``."""
    return word_of(value, "current", ("state", "reason"))


# ----------------------------------------------------------------------------- input models


class CloudflareCredentials(CredentialModel):
    """An account ID (in the URL path) and an API token (Bearer)."""

    header_fields = frozenset({"api_token"})

    account_id: str = Field(min_length=1, title="account ID")
    api_token: SecretStr = Field(title="API token")

    @field_validator("account_id")
    @classmethod
    def _hex_account(cls, value: str) -> str:
        # Checked before any request: a wrong one answers only a puzzling 7003 (see ACCOUNT_ID_CODE).
        if not ACCOUNT_ID.fullmatch(value):
            raise ValueError("the account ID is 32 hexadecimal characters (0-9, a-f): copy the Account ID "
                             "from the Cloudflare dashboard")
        return value


class CloudflareOptions(OptionsModel):
    """Per-stream options: the create body's ``recording`` and ``deleteRecordingAfterDays``,
    the ingest protocol OBS uses, and what ``end`` does with the input afterwards."""

    enable_recording: bool = True  # recording.mode "automatic" (also what makes it play live) or "off"
    recording_timeout: int = Field(0, ge=0, le=MAX_RECORDING_TIMEOUT)  # recording.timeoutSeconds
    delete_recording_after_days: int = Field(0, ge=0, le=MAX_RECORDING_DAYS)  # 0: not sent (recordings are kept)
    protocol: Literal["rtmps", "srt"] = "rtmps"  # not sent: picks the ingest from the answer
    after_stream: Literal["disable", "delete"] = AFTER_DISABLE  # not sent as such: kept in meta

    @field_validator("delete_recording_after_days")
    @classmethod
    def _at_least_30(cls, value: int) -> int:
        if 0 < value < MIN_RECORDING_DAYS:
            raise ValueError(f"Cloudflare keeps recordings at least {MIN_RECORDING_DAYS} days "
                             f"(at most {MAX_RECORDING_DAYS}): give {MIN_RECORDING_DAYS} days or more, "
                             "or 0 to keep them")
        return value


# ----------------------------------------------------------------------------- wire models


_Wire = wire.WireModel


class RtmpsInput(_Wire):
    url: Optional[str] = None
    stream_key: Optional[str] = Field(None, alias="streamKey")


class SrtInput(_Wire):
    url: Optional[str] = None
    stream_id: Optional[str] = Field(None, alias="streamId")
    passphrase: Optional[str] = None


class LiveInputWire(_Wire):
    """The live input object (the API reference's ``LiveInput``; the list's items carry
    only ``uid``, ``created``, ``modified``, ``meta`` and ``deleteRecordingAfterDays``)."""

    uid: str = Field(min_length=1)
    created: wire.Time = None
    modified: wire.Time = None
    meta: Annotated[Optional[dict[str, Any]], wire.ObjectOnly] = None  # free-form: a non-object is ignored
    enabled: Optional[bool] = None
    recording: Optional[dict[str, Any]] = None
    rtmps: Optional[RtmpsInput] = None
    srt: Optional[SrtInput] = None
    status: Any = None


class LiveInputList(_Wire):
    live_inputs: list[dict[str, Any]] = Field(alias="liveInputs")
    range: Optional[int] = None
    total: Optional[int] = None


class LiveInputOutput(_Wire):
    """An output of a live input: "used to simulcast or restream live video to other RTMP or
    SRT destinations" (https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/subresources/outputs/)."""

    uid: str = Field(min_length=1)
    url: Optional[str] = None
    enabled: Optional[bool] = None


class OutputEnvelope(CodedEnvelope):
    result: LiveInputOutput


class OutputsEnvelope(CodedEnvelope):
    result: list[LiveInputOutput]


# ----------------------------------------------------------------------------- parsing


def playback_from(raw: dict[str, Any]) -> Optional[str]:
    """The live input's HLS URL: ``playback.hls``, else an HLS URL among its ``*Playback`` objects.

    ``playback: {hls, dash}`` is the live input's playback object in the newer official
    SDKs (cloudflare-python 5.9, cloudflare-typescript 7.3: ``LiveInput.playback``).
    UNVERIFIED here: the SDK releases this was checked against (cloudflare-python 4.3,
    ``src/cloudflare/types/stream/live_input.py``) do not have it yet. Without it the
    playback URL template decides (the ``*Playback`` objects are RTMPS/SRT/WebRTC).
    """
    playback = raw.get("playback")
    urls = [web_url(playback.get("hls"))] if isinstance(playback, dict) else []
    urls += [web_url(value.get("url"), hls=True) for key, value in raw.items()
             if key.endswith("Playback") and isinstance(value, dict)]
    return next((url for url in urls if url), None)


def parse_live_input(raw: Any, *, protocol: str = "rtmps", playback_template: Optional[str] = None) -> LiveStream:
    """A live input object (create/get/update ``result``, or a list item) as a ``LiveStream``.

    ``ValueError`` (naming fields, never values) when it is not a live input.
    """
    got = wire.read(LiveInputWire, raw, "live input")
    meta = got.meta or {}
    # Every key and passphrase of the answer is secret, the unused protocol's and the
    # playback ones too: an error message could echo any of them later.
    secrets.register_stream(*nested_secrets(raw, ("streamKey", "passphrase")))
    srt, rtmps = got.srt or SrtInput(), got.rtmps or RtmpsInput()
    ingest = (ingest_of("srt", srt.url, srt_id=_text(srt.stream_id) or got.uid, passphrase=srt.passphrase)
              if protocol == "srt" else ingest_of(protocol, rtmps.url, rtmps.stream_key))
    # "status" absent (a list item) says nothing; present and null means never connected.
    if "status" in got.model_fields_set or got.enabled is False:
        status = map_status(got.status, enabled=got.enabled)
    else:
        status = StreamStatus.UNKNOWN
    word = "disabled" if got.enabled is False else status_word(got.status)
    playback = playback_from(raw) or filled(playback_template, "uid", got.uid)
    return LiveStream(
        provider=Cloudflare.name,
        id=got.uid,
        title=_text(meta.get("name")),
        reference=_text(meta.get(REFERENCE_KEY)),
        status=status,
        provider_status=word,
        ingest=ingest,
        playback_url=playback,
        # The recording is a Stream video with its own uid (the videos API), not in this object.
        recording_url=None,
        created_at=got.created,
    )


# ----------------------------------------------------------------------------- the provider


@register
class Cloudflare(StreamsProvider, TargetsProvider):
    """Cloudflare Stream: create a live input (ready at once), get, list, disable or delete it."""

    name = "cloudflare"
    display_name = "Cloudflare Stream"
    stream_noun = "live input"
    stream_id_hint = "give the live input's ID (uid)"
    id_field = "uid"
    repr_field = "account_id"
    targets_path, target_noun = "outputs", "output"
    settings_prefix = "cloudflare"
    Credentials = CloudflareCredentials
    Options = CloudflareOptions
    service = SERVICE
    default_base_url = "https://api.cloudflare.com"  # the origin: paths carry /client/v4

    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("account_id", "Account ID", ACCOUNT_ENV,
                        help="The 32-character account ID from the Cloudflare dashboard (Stream > Live inputs, "
                             "or any zone's Overview)."),
        CredentialField("api_token", "API token", TOKEN_ENV, secret=True,
                        help="An API token with the Stream Edit permission on this account "
                             "(My Profile > API Tokens)."),
    )
    stream_options: ClassVar[tuple[StreamOption, ...]] = (
        StreamOption("enable_recording", "Record the live stream", "bool", default=True, flag="recording",
                     help="recording.mode automatic: the input is recorded and plays over HLS while live "
                          "(off: not recorded, and no HLS)"),
        StreamOption("recording_timeout", "Reconnect window (s)", "int", default=0, minimum=0,
                     maximum=MAX_RECORDING_TIMEOUT,
                     help="recording.timeoutSeconds: how long the encoder may be away before the recording "
                          "becomes a video; 0 is Cloudflare's default"),
        StreamOption("delete_recording_after_days", "Delete recordings after (days)", "int", default=0,
                     minimum=0, maximum=MAX_RECORDING_DAYS,
                     help=f"deleteRecordingAfterDays: 0 keeps recordings; otherwise "
                          f"{MIN_RECORDING_DAYS}-{MAX_RECORDING_DAYS}"),
        StreamOption("protocol", "Ingest protocol", "choice", default="rtmps",
                     choices=(("rtmps", "RTMPS"), ("srt", "SRT")),
                     help="what OBS publishes with: RTMPS (server and stream key) or SRT (stream ID and "
                          "passphrase)"),
        StreamOption("after_stream", "After the stream", "choice", default=AFTER_DISABLE,
                     choices=((AFTER_DISABLE, "Disable the input"), (AFTER_DELETE, "Delete the input")),
                     help="a live input cannot be stopped: once OBS disconnects it is disabled (it refuses "
                          "encoders until enabled again) or deleted (recordings stay)"),
    )
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("playback_url_template", "Playback URL template", env=PLAYBACK_TEMPLATE_ENV,
                help="Your HLS URL with {uid} for the live input, e.g. "
                     "https://customer-<code>.cloudflarestream.com/{uid}/manifest/video.m3u8 (the code is in "
                     "the dashboard's Stream pages). Empty: no playback URL is shown."),
    )
    # No "reuse an existing stream": every go-live ends by disabling (or deleting) its input,
    # and a disabled input refuses the encoder, so a reused one would work once at most.
    capabilities: ClassVar[Capabilities] = Capabilities(
        reuse=False, protocols=("rtmps", "srt"),
        ending="cannot stop a live input: once OBS disconnects, the input is disabled "
               "(or deleted, with 'After the stream: delete')",
        # Outputs: RTMP(S) or SRT destinations, any number ("one live input can have many
        # outputs"); each only "enabled" or not, no status of its own.
        simulcast=SimulcastSupport(max_targets=None, schemes=("rtmp", "rtmps", "srt")),
    )

    def setup(self, *, playback_url_template: Optional[str] = None, **settings: Any) -> None:
        super().setup(**settings)
        template = _text(playback_url_template) or _text(self.environ.get(PLAYBACK_TEMPLATE_ENV))
        self.playback_template: Optional[str] = wire.playback_template(
            template, PLAYBACK_TEMPLATE_ENV, service=SERVICE.name, placeholder="uid", web=True,
            example="https://customer-<code>.cloudflarestream.com/{uid}/manifest/video.m3u8") if template else None
        account = self.credentials.account_id
        self._inputs = f"{API_PREFIX}/accounts/{quote(account, safe='')}/stream/live_inputs"
        # The choices made at create, per live input; others are read back from its meta.
        self._choose_protocol(None)
        self._after: dict[str, str] = {}

    def auth(self) -> requests.auth.AuthBase:
        return HeaderAuth("Bearer", self.credentials.api_token)

    # ------------------------------------------------------------------ operations

    def create(self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
               reference: Optional[str] = None) -> LiveStream:
        """``POST .../live_inputs`` with ``meta``, ``recording``, ``deleteRecordingAfterDays``
        and ``enabled: true``. Never retried once it may have reached Cloudflare (a second
        input would exist); ``reference`` goes into ``meta``, where ``find_created`` looks."""
        title, opts = self._prelude(title, options, start)
        meta = with_reference({"name": title, AFTER_KEY: opts.after_stream}, reference)
        body: dict[str, Any] = {
            "meta": meta,
            "recording": {"mode": "automatic" if opts.enable_recording else "off",
                          "timeoutSeconds": opts.recording_timeout},
            # Documented on the live input ("whether the live input is enabled and can accept
            # streams"); sent so a default that ever changed could not leave it refusing OBS.
            "enabled": True,
        }
        if opts.delete_recording_after_days:
            body["deleteRecordingAfterDays"] = opts.delete_recording_after_days
        response, result, uid = self._create_posted(body, opts.protocol)
        if uid:
            self._after[uid] = opts.after_stream
        return self._parsed(response, result)

    def find_created(self, *, reference: Optional[str], title: Optional[str], sent_at: float,
                     exclude: Collection[str] = ()) -> Optional[LiveStream]:
        """As ``Provider.find_created`` (by the ``meta`` reference), then read whole: the
        list's items carry no credentials."""
        found = super().find_created(reference=reference, title=title, sent_at=sent_at, exclude=exclude)
        return self.get(found.id) if found is not None and found.ingest is None else found

    def start(self, stream_id: str) -> LiveStream:
        """Live inputs need no start: the input is read back, and enabled first if it was
        disabled (a disabled input refuses the encoder)."""
        return self._enabled_first(stream_id, lambda uid: self._answered("PUT", uid, json={"enabled": True}))

    def list(self) -> list[LiveStream]:  # noqa: A003 - the API's own word
        """``GET .../live_inputs?include_counts=true``: every live input, without credentials.

        The API documents no page parameter (only ``include_counts``; ``range`` is "the
        number of remaining live inputs based on cursor position"), so this is one request;
        a ``total`` larger than what came back is logged.
        """
        response = self._http.request("GET", self._inputs, params={"include_counts": "true"}, what=self._scope())
        result = self._answer(response)
        listing = self._http.validated(response, LiveInputList, result)
        streams = [self._parsed(response, item) for item in listing.live_inputs]
        if listing.total is not None and listing.total > len(streams):
            log.warning("Cloudflare Stream listed %d of %d live inputs (the API documents no further pages)",
                        len(streams), listing.total)
        return streams

    def end(self, stream_id: str) -> EndResult:
        """The encoder has disconnected (OBS stopped first): disable the input
        (``PUT {"enabled": false}``, it refuses encoders until enabled again) or delete it,
        as chosen at create (kept in ``meta``; disable when unknown). A live input that no
        longer exists has nothing to end."""
        try:
            after = self._after.get(str(stream_id).strip()) or self._after_from_meta(stream_id)
            if after == AFTER_DELETE:
                self.delete(stream_id)
                return EndResult(ended=True, message="Cloudflare Stream deleted the live input")
            # PUT is a partial update here: "omit the field to indicate no change".
            self._on("PUT", stream_id, json={"enabled": False})
        except NotFoundError:
            return EndResult(ended=False, message="nothing to end: the live input no longer exists")
        return EndResult(ended=True, message="Cloudflare Stream disabled the live input")

    def delete(self, stream_id: str) -> None:
        """``DELETE .../live_inputs/{uid}``: "prevents a live input from being streamed to and
        makes the live input inaccessible to any future API calls"; recordings stay."""
        super().delete(stream_id)
        self._after.pop(str(stream_id).strip(), None)
        self._protocols.pop(str(stream_id).strip(), None)

    # ------------------------------------------------------------------ simulcast

    def _target_body(self, target: SimulcastTarget) -> dict[str, Any]:
        """``POST .../live_inputs/{uid}/outputs`` with ``url``, ``streamKey`` and ``enabled``."""
        return target_body(target, "streamKey", enabled=True)

    def _target_made(self, response: requests.Response, target: SimulcastTarget) -> TargetState:
        return made_target(target, self._http.model_of(response, OutputEnvelope).result.uid)

    def simulcast_targets(self, stream_id: str) -> list[TargetState]:
        """``GET .../live_inputs/{uid}/outputs``; a disabled output is reported as removed."""
        outputs = self._http.model_of(self._on("GET", stream_id, "outputs"), OutputsEnvelope).result
        return [enabled_target(urlsplit(o.url or "").hostname or o.uid, o.uid, o.enabled) for o in outputs]

    # ------------------------------------------------------------------ plumbing

    def _after_from_meta(self, stream_id: str) -> str:
        """What the create chose for after the stream (``meta``); "disable" when not ours."""
        result = self._answer(self._on("GET", stream_id))
        meta = result.get("meta") if isinstance(result.get("meta"), dict) else {}
        return AFTER_DELETE if _lower(meta.get(AFTER_KEY)) == AFTER_DELETE else AFTER_DISABLE

    def _collection(self) -> str:
        return self._inputs

    def _scope(self) -> str:
        return f"account {self.credentials.account_id}"

    def _answer(self, response: requests.Response) -> dict[str, Any]:
        """``result`` of a successful v4 envelope, as an object."""
        return self._http.unwrap(response, CodedEnvelope, "result", shape="{success, result}",
                                 failed="'success' is false in a 2xx answer")

    def _parsed(self, response: requests.Response, raw: Any) -> LiveStream:
        return self._http.parsed(response, parse_live_input, raw, protocol=self._protocol_for(raw),
                                 playback_template=self.playback_template)
