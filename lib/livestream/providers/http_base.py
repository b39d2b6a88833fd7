"""The shared base of providers that speak JSON over HTTP.

It owns what every such provider did alike: validating the credentials into the
provider's ``Credentials`` model and registering the secret ones for redaction (once,
here), the base URL (explicit, else ``<PROVIDER>_API_BASE_URL``, else the real
service), the ``requests`` session with its timeouts, retries and error mapping
(``livestream.http.HttpClient``), ``close`` and a repr that never shows a secret.

A provider subclass sets ``service`` (how messages name it) and ``streams_path``,
may override ``auth()`` (the default: HTTP Basic for ``BasicCredentials``) and
``setup()`` (its own settings), and builds its paths with ``_path``. A provider that
does not declare scheduling gets ``start()`` and the refusal of ``create(start=...)``
from here. The rest of the plumbing the providers had each written is here once too:
settings read from the environment (``_setting``, ``_ingest_setting``,
``_template_setting``), one request on one stream (``_on``, through a refreshing login
where ``_refreshing`` is set), the protocol each create chose (``_remember``,
``_protocol_for``), every page of a list (``_paged``) and an end call whose refusal
means "nothing to end" (``_end_by``). Parsing error bodies (the ``parse_error`` of its
``service``; ``http`` has only a generic reader) and wire objects (pydantic models)
stays in the provider's own module.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, Callable, ClassVar, Mapping, Optional
from urllib.parse import quote

import requests
from pydantic import BaseModel, SecretStr

from .. import secrets
from ..errors import ConfigurationError, InvalidRequestError, NotFoundError
from ..http import HttpClient, Service, coerce_model, resolve_base_url
from ..models import EndResult, LiveStream
from . import wire
from .base import Provider
from .kit import BasicCredentials, RefreshingAuth, basic_auth

#: The most pages a list reads: a runaway ``next`` link or page count cannot loop for ever.
MAX_PAGES = 200


class HttpProvider(Provider):
    """A provider over ``HttpClient``: subclasses add the API's operations."""

    #: How error messages name the service and what they tell the user to check.
    service: ClassVar[Service]
    #: The documented collection path ("/video/v1/live-streams"); ``_path`` appends an ID.
    streams_path: ClassVar[str] = ""
    #: How the user finds the ID ``_path`` needs ("give the live stream's ID").
    stream_id_hint: ClassVar[str] = "give the live stream's ID"
    #: What the API calls one stream (Cloudflare: "live input"); messages use it.
    stream_noun: ClassVar[str] = "live stream"
    #: What the API calls a stream's title (api.video: "name"); messages use it.
    title_word: ClassVar[str] = "title"
    #: What "No ... ID given" calls the ID (TP Streams: "stream"); empty: ``stream_noun``.
    id_noun: ClassVar[str] = ""
    #: The field of a stream object that holds its ID (the key ``_remember`` keeps).
    id_field: ClassVar[str] = "id"
    #: A plain (not secret) credential the repr shows beside the base URL ("account_id").
    repr_field: ClassVar[str] = ""
    #: A login that refreshes its token (TP Streams, api.video): ``_send`` goes through it.
    _refreshing: Optional[RefreshingAuth] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The base URL's environment variable is the ``service``'s, unless the class names its own."""
        super().__init_subclass__(**kwargs)
        if "service" in cls.__dict__ and "base_url_env" not in cls.__dict__ and cls.service.base_url_env:
            cls.base_url_env = cls.service.base_url_env

    def __init__(
        self,
        credentials: Any,
        *,
        base_url: Optional[str] = None,
        session: Optional[requests.Session] = None,
        timeout: Any = None,
        deadline: Optional[float] = None,
        sleep: Any = None,
        rng: Any = None,
        environ: Optional[Mapping[str, str]] = None,
        **settings: Any,
    ) -> None:
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.credentials: BaseModel = coerce_model(
            self.Credentials, credentials, what=f"{self.display_name} credentials")
        secrets.register(*self._secret_values())
        url = resolve_base_url(base_url, env_name=self.base_url_env, default=self.default_base_url,
                               environ=self.environ, service=self.display_name)
        extra = {"deadline": deadline} if deadline is not None else {}
        self._http = HttpClient(self.service, url, session=session, timeout=timeout, sleep=sleep, rng=rng,
                                auth=self.auth(), **extra)
        self.setup(**settings)

    def _secret_values(self) -> list[Any]:
        """The values of the declared secret credentials (and any SecretStr field)."""
        values = []
        secret_names = {f.name for f in self.credential_fields if f.secret}
        for name in type(self.credentials).model_fields:
            value = getattr(self.credentials, name, None)
            if name in secret_names or isinstance(value, SecretStr):
                values.append(value)
        return values

    def auth(self) -> Optional[requests.auth.AuthBase]:
        """The ``requests`` auth for every request: HTTP Basic for ``BasicCredentials``
        (None: the subclass adds headers itself)."""
        if isinstance(self.credentials, BasicCredentials):
            return basic_auth(self.credentials)
        return None

    def _collection(self) -> str:
        """The path of the streams collection (Cloudflare's holds the account ID)."""
        return self.streams_path

    def _quoted_id(self, stream_id: str) -> str:
        """The stream ID as a path segment; a blank ID is a clear error, not a list call."""
        text = str(stream_id or "").strip()
        if not text:
            noun = self.id_noun or self.stream_noun
            raise ConfigurationError(f"No {self.service.name} {noun} ID given", hint=self.stream_id_hint)
        return quote(text, safe="")

    def _path(self, stream_id: str, action: Optional[str] = None) -> str:
        """``<collection>/<quoted id>[/<action>]``."""
        return f"{self._collection()}/{self._quoted_id(stream_id)}" + (f"/{action}" if action else "")

    def _what(self, stream_id: str) -> str:
        """How a 404 names the stream ("live stream 4PtERT9d9uK")."""
        return f"{self.stream_noun} {stream_id}"

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One API request (``HttpClient.request``); with a refreshing login, with its
        current token, and once more with a new one after a 401."""
        if self._refreshing is None:
            return self._http.request(method, path, **kwargs)
        return self._refreshing.send(lambda auth: self._http.request(method, path, auth=auth, **kwargs))

    def _on(self, method: str, stream_id: str, action: Optional[str] = None, **kwargs: Any) -> requests.Response:
        """One request on one stream (``_path``), its 404 naming the stream."""
        kwargs.setdefault("what", self._what(stream_id))
        return self._send(method, self._path(stream_id, action), **kwargs)

    # --- settings: each given, else from the environment, else the default

    def _setting(self, value: Optional[str], env_name: str, default: Optional[str] = None) -> Optional[str]:
        return value or self.environ.get(env_name) or default

    def _ingest_setting(self, value: Optional[str], env_name: str, default: Optional[str],
                        schemes: tuple[str, ...]) -> Optional[str]:
        """An ingest server override (checked: one of ``schemes``), else ``default``."""
        url = self._setting(value, env_name, default)
        return wire.ingest_url(url, schemes, env_name, service=self.service.name) if url else None

    def _template_setting(self, value: Optional[str], env_name: str, default: str) -> str:
        """A playback URL template with ``{playback_id}``, else ``default``."""
        return wire.playback_template(self._setting(value, env_name, default), env_name, service=self.service.name)

    # --- what the create chose, per stream

    def _id_in(self, data: Any) -> Optional[str]:
        """The stream ID in an answer's stream object (a dict, or a model read from one)."""
        return wire.text(data.get(self.id_field) if isinstance(data, dict) else getattr(data, self.id_field, None))

    def _remember(self, data: Any, protocol: str) -> None:
        """Keep the protocol a create chose for the stream ``data`` describes (an answer or its ID)."""
        stream_id = data if isinstance(data, str) else self._id_in(data)
        if stream_id:
            self._protocols[stream_id] = protocol

    def _protocol_for(self, data: Any) -> str:
        """The protocol chosen at create for the stream ``data`` describes; else the default."""
        stream_id = data if isinstance(data, str) else self._id_in(data)
        return self._protocols.get(stream_id or "", self.protocol)

    # --- lists and ends

    @staticmethod
    def _paged(fetch: Callable[[int, int], tuple[list[LiveStream], Optional[bool]]],
               page_size: int) -> list[LiveStream]:
        """Every page of a list. ``fetch(page, have)`` (``page`` 1-based, ``have`` the streams
        read so far) gives the page's streams and whether more follow (None: more when the
        page is full). A stream on two pages (created meanwhile) is kept once."""
        streams: list[LiveStream] = []
        seen: set[str] = set()
        for page in range(1, MAX_PAGES + 1):
            items, more = fetch(page, len(streams))
            for stream in items:
                if stream.id not in seen:
                    seen.add(stream.id)
                    streams.append(stream)
            if not items or not (len(items) >= page_size if more is None else more):
                break
        return streams

    def _end_by(self, method: str, stream_id: str, action: str, *, done: str, idle: str,
                refused: tuple[int, ...] = (400,)) -> EndResult:
        """The request that ends a broadcast (``PUT .../finish``): ``done`` when it did; a
        refusal with one of the ``refused`` statuses means there was none (``idle`` says why)."""
        try:
            self._on(method, stream_id, action)
        except InvalidRequestError as refusal:
            if refusal.status_code not in refused:
                raise
            said = f": {self.service.name} says {refusal.provider_message}" if refusal.provider_message else ""
            return EndResult(ended=False, message=f"nothing to end ({idle}){said}")
        return EndResult(ended=True, message=done)

    def _prelude(self, title: str, options: Any, start: Optional[datetime]) -> tuple[str, Any]:
        """What every ``create`` checks first: scheduling (if not declared), a non-blank
        title, and the options validated into ``Options``. Returns (title, options)."""
        self._refuse_schedule(start)
        title = (title or "").strip()
        if not title:
            article = "An" if self.service.name[0].lower() in "aeiou" else "A"
            raise ConfigurationError(f"{article} {self.service.name} {self.stream_noun} needs a {self.title_word}",
                                     hint="give a non-empty title")
        return title, coerce_model(self.Options, options, what=f"{self.service.name} options")

    def _choose_protocol(self, protocol: Optional[str]) -> None:
        """The default ingest protocol (``setup``'s ``protocol``: one of the declared
        ``capabilities.protocols``, RTMPS when not given), and the per-stream memory of
        the protocol each ``create`` chose (other streams get the default)."""
        chosen = (protocol or "").strip().lower() or "rtmps"
        names = self.capabilities.protocols
        if chosen not in names:
            raise ConfigurationError(f"Unknown {self.service.name} ingest protocol {protocol!r}",
                                     hint=f"use {', '.join(names[:-1])} or {names[-1]}")
        self.protocol = chosen
        self._protocols: dict[str, str] = {}

    def _remove(self, path: str, *, what: str, method: str = "DELETE", json: Any = None) -> None:
        """Remove a sub-resource (a simulcast target): one already gone (404) is no error,
        so a retried removal after a lost answer ends quietly."""
        try:
            self._http.request(method, path, json=json, what=what)
        except NotFoundError:
            pass

    def _refuse_schedule(self, start: Optional[datetime]) -> None:
        """``create(start=...)`` of a provider that does not declare scheduling."""
        if start is not None and not self.capabilities.scheduling:
            raise ConfigurationError(f"{self.service.name} cannot schedule live streams",
                                     hint="create the stream when you are ready to go live")

    def start(self, stream_id: str) -> LiveStream:
        """Nothing to start where streams cannot be scheduled (the default); providers
        that schedule, or enable a disabled stream first, override it."""
        raise ConfigurationError(
            f"{self.service.name} live streams cannot be scheduled, so there is nothing to start",
            hint="reuse the stream by its ID instead, or create a new one")

    def setup(self, **settings: Any) -> None:
        """The provider's own settings (declared in ``settings``); unknown ones are refused."""
        if settings:
            raise TypeError(f"{type(self).__name__} takes no setting {sorted(settings)[0]!r}")

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:
        shown = f"{self.repr_field}={getattr(self.credentials, self.repr_field)!r}, " if self.repr_field else ""
        return f"{type(self).__name__}({shown}base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()
