"""The provider kit: the credential bases and the HTTP auths every provider shares.

A provider's credentials subclass ``CredentialModel`` (or ``BasicCredentials``, an
ID and a secret sent as HTTP Basic, which FastPix and Mux both use under other
names) and declare only their fields, each with its ``title`` (how messages name
it). The base checks every field once (a pasted line break, a character a header
cannot carry, an empty secret) and registers every secret for redaction.

``OptionsModel`` is the base of every provider's per-stream options: unknown names are
refused, and a choice among lower-case words is read case-insensitively.

``HeaderAuth`` is the one ``Authorization: <scheme> <token>`` auth (TP Streams'
``Token``, Cloudflare's and api.video's ``Bearer``); ``basic_auth`` registers the
encoded Basic header value as a secret too. ``RefreshingAuth`` (over ``LoginTokens``) is
the one "log in, cache, log in again once on a 401" flow that TP Streams' login and
api.video's token exchange share, and ``login_refused`` the one error a refused login becomes.
"""

from __future__ import annotations

import base64
import logging
import threading
from typing import Any, Callable, ClassVar, Literal, Optional, Union, get_args, get_origin

import requests
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator, model_validator

from .. import secrets
from ..errors import AuthenticationError, LivestreamError
from .base import check_credential_text

log = logging.getLogger(__name__)


class CredentialModel(BaseModel):
    """Credentials: every field checked as sendable and every secret registered, here once."""

    # hide_input_in_errors: pydantic's error text would otherwise quote the value.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True)

    #: Fields that travel in an HTTP header (Latin-1 only); the others go in a path or a body.
    header_fields: ClassVar[frozenset[str]] = frozenset()
    #: Plain-text fields registered as secrets too (an ID that is half of a Basic pair).
    also_secret: ClassVar[frozenset[str]] = frozenset()

    def model_post_init(self, __context: object) -> None:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) or name in self.also_secret:
                secrets.register(value)

    @field_validator("*")
    @classmethod
    def _sendable(cls, value: Any, info: Any) -> Any:
        field = cls.model_fields[info.field_name]
        label = field.title or info.field_name.replace("_", " ")
        if isinstance(value, SecretStr):
            stripped = value.get_secret_value().strip()
            if not stripped and not field.is_required():
                return None  # an optional secret left empty (a token beside a login) is not given
            if not stripped:
                raise ValueError(f"the {label} is empty")
            value = SecretStr(stripped)
        return check_credential_text(value, label, header=info.field_name in cls.header_fields)


class OptionsModel(BaseModel):
    """Per-stream options: a name the model lacks is refused (a typo must not be dropped
    silently), and a field whose choices are lower-case words (a ``Literal``) takes any
    case and stray spaces ("RTMPS " is "rtmps")."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _lower_choices(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, field in cls.model_fields.items():
            choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else ()
            value = data.get(name)
            if isinstance(value, str) and choices and all(isinstance(c, str) and c == c.lower() for c in choices):
                data[name] = value.strip().lower()
        return data


class BasicCredentials(CredentialModel):
    """An ID (the Basic username) and a secret (the Basic password): the first two fields."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = [n for n in cls.__annotations__ if not n.startswith("_")]
        if len(names) >= 2:
            # Both halves travel in the Authorization header; the ID is half of the secret.
            cls.header_fields = frozenset(names[:2])
            cls.also_secret = frozenset(names[:1])

    def basic_pair(self) -> tuple[str, str]:
        """(ID, secret) as sent."""
        id_name, secret_name = list(type(self).model_fields)[:2]
        secret = getattr(self, secret_name)
        return getattr(self, id_name), secret.get_secret_value()


def basic_auth(credentials: BasicCredentials) -> requests.auth.AuthBase:
    """HTTP Basic from ``credentials``; the encoded header value is registered as a secret."""
    user, password = credentials.basic_pair()
    encoded = base64.b64encode(f"{user}:{password}".encode("latin-1", "replace")).decode("ascii")
    secrets.register(user, encoded)
    return requests.auth.HTTPBasicAuth(user, password)


class HeaderAuth(requests.auth.AuthBase):
    """``Authorization: <scheme> <token>``; the token may be read at each request (a
    refreshing auth's current one). Its repr never shows the token."""

    def __init__(self, scheme: str, token: Union[str, SecretStr, Callable[[], str]]) -> None:
        self.scheme = scheme
        self._token = token

    def token(self) -> str:
        token = self._token
        if callable(token):
            token = token()
        return token.get_secret_value() if isinstance(token, SecretStr) else token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"{self.scheme} {self.token()}"
        return request

    def __repr__(self) -> str:
        return f"HeaderAuth({self.scheme!r}, ***)"


class LoginTokens:
    """The token of a login, kept in memory (and in a ``TokenCache`` where given): the
    ``current`` and ``forget`` a ``RefreshingAuth`` runs on, written once for TP Streams'
    login and api.video's API-key exchange.

    ``login()`` mints a token; where ``stale()`` says the one in memory is about to expire,
    ``renew()`` replaces it (api.video's refresh token; default: ``login``). With a
    ``cache``, ``cache_key()`` names this login in it (made on first use: TP Streams' key
    is slow to derive, and clients are built on OBS's UI thread).
    """

    def __init__(self, login: Callable[[], Any], *, cache: Any = None, cache_key: Callable[[], str] = lambda: "",
                 renew: Optional[Callable[[], Any]] = None, stale: Callable[[], bool] = lambda: False) -> None:
        self.login, self.cache, self.cache_key = login, cache, cache_key
        self.renew, self.stale = renew or login, stale
        self._token: Any = None
        self._lock = threading.Lock()

    def current(self) -> tuple[Any, bool]:
        """``(token, fresh)``: the token to send (from memory, the cache or a new login) and
        whether it was minted for this request."""
        with self._lock:
            if self._token is not None and not self.stale():
                return self._token, False
            if self._token is None and self.cache is not None:
                cached = self.cache.get(self.cache_key())
                if cached:
                    self._token = cached
                    return cached, False
            self._token = self.renew() if self._token is not None else self.login()
            if self.cache is not None:
                self.cache.put(self.cache_key(), self._token)
            return self._token, True

    def forget(self, token: Any = None) -> None:
        """Drop a refused (or closed) token from memory, and from the cache."""
        with self._lock:
            self._token = None
        if self.cache is not None and token is not None:
            self.cache.discard(self.cache_key(), token)


class RefreshingAuth:
    """A token got by logging in: sent as ``HeaderAuth``, and on a 401 forgotten and got
    again once, unless it was minted just now (then logging in again cannot help).

    ``current()`` gives ``(token, fresh)``: the token to send (from memory, a cache or a
    new login) and whether it came from a login made for this request; ``forget(token)``
    drops a refused one from memory and any cache (``LoginTokens`` has both).
    """

    def __init__(self, scheme: str, current: Callable[[], tuple[Any, bool]], forget: Callable[[Any], None],
                 *, service: str) -> None:
        self.scheme, self.current, self.forget, self.service = scheme, current, forget, service

    def send(self, request: Callable[[HeaderAuth], requests.Response]) -> requests.Response:
        """``request(auth)`` with the current token; once more with a new one after a 401."""
        token, fresh = self.current()
        try:
            return request(HeaderAuth(self.scheme, token))
        except AuthenticationError:
            if fresh:
                raise
            log.info("%s refused the saved login token; logging in again", self.service)
            self.forget(token)
            token, _ = self.current()
            return request(HeaderAuth(self.scheme, token))


def login_refused(refused: LivestreamError, message: str, *, hint: str, service: str) -> AuthenticationError:
    """The error for a login the provider refused (any 4xx of a login or token exchange
    means the credentials): ``message`` with the status and the provider's words."""
    code = getattr(refused, "status_code", None)
    words = getattr(refused, "provider_message", None)
    said = f"{code}: {words}" if words else str(code)
    return AuthenticationError(secrets.redact(f"{message} ({said})"), hint=hint, provider=service,
                               status_code=code, provider_message=words)
