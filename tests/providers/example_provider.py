"""A sixth provider written with the kit: the worked example of docs/adding-a-provider.md.

"Example Live" is an imaginary API (``https://api.example-live.test``) in the most common
shape: HTTP Basic with a key ID and secret, ``{"data": ...}`` envelopes, a stream that
answers its RTMPS key at once and ends with ``POST .../end``. It is not shipped and not
in the registry: the tests register it for themselves (``register(ExampleLive)``).

What the kit gives it, so this module does not write it: the credentials' checks and
secret registration (``BasicCredentials``), the Basic auth, the base URL and its
environment variable, retries, timeouts and the whole-request deadline, the
status-to-error table, validated answers (``request_model``), ``_path``, the refusal of
``create(start=...)`` and ``start()`` when scheduling is not declared, ``find_created``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from livestream.errors import ConfigurationError, InvalidRequestError
from livestream.http import Service, coerce_model
from livestream.models import EndResult, Ingest, LiveStream, StreamStatus
from livestream.providers import wire
from livestream.providers.base import OptionsInput
from livestream.providers.declare import Capabilities, CredentialField, StreamOption
from livestream.providers.http_base import HttpProvider
from livestream.providers.kit import BasicCredentials

# ---------------------------------------------------------------------- declarations

RTMPS_SERVER = "rtmps://ingest.example-live.test:443/live"
STATUSES = {"idle": StreamStatus.NOT_STARTED, "live": StreamStatus.LIVE, "ended": StreamStatus.ENDED}

SERVICE = Service(
    name="Example Live", credential="API key",
    auth_hint="check the key ID and secret (EXAMPLE_LIVE_KEY_ID, EXAMPLE_LIVE_KEY_SECRET)",
    permission_hint="give the API key the live-streams permission",
    not_found_hint="check the stream ID", base_url_env="EXAMPLE_LIVE_API_BASE_URL",
)


class ExampleCredentials(BasicCredentials):
    """An API key: its ID (Basic username) and secret (Basic password)."""

    key_id: str = Field(min_length=1, title="key ID")
    key_secret: SecretStr = Field(title="key secret")


class ExampleOptions(BaseModel):
    """Per-stream options, sent as the create body's fields."""

    model_config = ConfigDict(extra="forbid")

    latency: Literal["normal", "low"] = "normal"
    record: bool = True


# ---------------------------------------------------------------------- wire models


class WireStream(wire.WireModel):
    id: str = Field(min_length=1)
    title: wire.Text = None
    status: wire.Text = None
    stream_key: wire.Text = None
    playback_url: wire.Text = None
    reference: wire.Text = None
    created_at: wire.Time = None


class StreamEnvelope(wire.WireModel):
    data: WireStream


class ListEnvelope(wire.WireModel):
    data: list[WireStream]


# ---------------------------------------------------------------------- operations


class ExampleLive(HttpProvider):
    """Example Live: create (ready at once), get, list, end, delete."""

    name = "examplelive"
    display_name = "Example Live"
    service = SERVICE
    Credentials = ExampleCredentials
    Options = ExampleOptions
    default_base_url = "https://api.example-live.test"
    base_url_env = "EXAMPLE_LIVE_API_BASE_URL"
    streams_path = "/v1/streams"
    settings_prefix = "example"
    credential_fields = (
        CredentialField("key_id", "Key ID", "EXAMPLE_LIVE_KEY_ID"),
        CredentialField("key_secret", "Key secret", "EXAMPLE_LIVE_KEY_SECRET", secret=True),
    )
    stream_options = (
        StreamOption("latency", "Latency", "choice", default="normal", choices=(("normal", "Normal"), ("low", "Low"))),
        StreamOption("record", "Record the stream", "bool", default=True, flag="recording"),
    )
    capabilities = Capabilities(reuse=True, protocols=("rtmps",), ending="ends the broadcast")

    def create(self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
               reference: Optional[str] = None) -> LiveStream:
        """``POST /v1/streams``; never retried once it may have reached the service."""
        self._refuse_schedule(start)
        if not (title or "").strip():
            raise ConfigurationError("An Example Live stream needs a title", hint="give a non-empty title")
        opts: ExampleOptions = coerce_model(ExampleOptions, options, what="Example Live options")
        body = {"title": title.strip(), "latency": opts.latency, "record": opts.record, "reference": reference}
        answer = self._http.request_model("POST", self.streams_path, StreamEnvelope, json=body, idempotent=False,
                                          what="account")
        return self._parsed(answer.data)

    def get(self, stream_id: str) -> LiveStream:
        """``GET /v1/streams/{id}``."""
        return self._parsed(self._http.request_model("GET", self._path(stream_id), StreamEnvelope,
                                                     what=f"stream {stream_id}").data)

    def list(self) -> list[LiveStream]:  # noqa: A003 - the API's own word
        """``GET /v1/streams``: one page holds every stream of this API."""
        answer = self._http.request_model("GET", self.streams_path, ListEnvelope, what="account")
        return [self._parsed(item) for item in answer.data]

    def end(self, stream_id: str) -> EndResult:
        """``POST /v1/streams/{id}/end``; a 409 means it was not live: nothing to end."""
        try:
            self._http.request("POST", self._path(stream_id, "end"), what=f"stream {stream_id}")
        except InvalidRequestError as refused:
            if refused.status_code != 409:
                raise
            return EndResult(ended=False, message="nothing to end (the stream is not live)")
        return EndResult(ended=True, message="Example Live ended the stream")

    def delete(self, stream_id: str) -> None:
        """``DELETE /v1/streams/{id}``."""
        self._http.request("DELETE", self._path(stream_id), what=f"stream {stream_id}")

    def check_credentials(self) -> None:
        """The stream list: cheap and authenticated."""
        self._http.request("GET", self.streams_path, what="account")

    def _parsed(self, stream: WireStream) -> LiveStream:
        ingest = Ingest(protocol="rtmps", server=RTMPS_SERVER, stream_key=SecretStr(stream.stream_key)) \
            if stream.stream_key else None
        return LiveStream(provider=self.name, id=stream.id, title=stream.title, reference=stream.reference,
                          status=STATUSES.get((stream.status or "").lower(), StreamStatus.UNKNOWN),
                          provider_status=stream.status, ingest=ingest, playback_url=stream.playback_url,
                          created_at=stream.created_at)
