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
from here. Parsing error bodies (the ``parse_error`` of its
``service``; ``http`` has only a generic reader) and wire objects (pydantic models)
stays in the provider's own module.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, ClassVar, Mapping, Optional
from urllib.parse import quote

import requests
from pydantic import BaseModel, SecretStr

from .. import secrets
from ..errors import ConfigurationError, NotFoundError
from ..http import HttpClient, Service, coerce_model, resolve_base_url
from ..models import LiveStream
from .base import Provider
from .kit import BasicCredentials, basic_auth


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

    def _path(self, stream_id: str, action: Optional[str] = None) -> str:
        """``<collection>/<quoted id>[/<action>]``; a blank ID is a clear error, not a list call."""
        text = str(stream_id or "").strip()
        if not text:
            raise ConfigurationError(f"No {self.service.name} {self.stream_noun} ID given", hint=self.stream_id_hint)
        return f"{self._collection()}/{quote(text, safe='')}" + (f"/{action}" if action else "")

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
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()
