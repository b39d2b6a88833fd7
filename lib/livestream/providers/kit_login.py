"""Logging in for a token: the plumbing TP Streams' login and api.video's API-key exchange share.

``LoginProvider`` is an ``HttpProvider`` whose requests carry a token got by logging in
(``kit.RefreshingAuth`` over ``kit.LoginTokens``, so a 401 logs in again once):

- ``_log_in_with(tokens)`` sends every request through the tokens' current one;
- ``_login_service()``: the service as a login's errors name it (``login_credential``,
  ``login_hint``: its 401 means "wrong password" or "wrong API key", not "wrong token"),
  and ``_login_client()`` a client on the same session whose errors say so;
- ``_cached_login(login, cache)``: a login's tokens kept in a ``TokenCache``;
- ``_post_login`` sends one login (or token exchange) and turns its refusal into
  ``kit.login_refused``; ``token_in`` reads the token from the first of several fields;
- ``close`` forgets the token;
- ``credentials_from_env`` of ``TokenOrLogin`` credentials (a token, or a username and a
  password that log in for one) names exactly what is missing.

``OAuthTokens`` keeps an OAuth 2.0 access token (the token answer of
https://www.rfc-editor.org/rfc/rfc6749#section-5.1: ``access_token``, ``refresh_token``,
``expires_in``) and renews it with its refresh token shortly before it expires.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import time
from typing import Any, Callable, ClassVar, Mapping, Optional, Sequence

import requests
from pydantic import Field, SecretStr, model_validator

from .. import secrets
from ..errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    LivestreamError,
    PermissionDeniedError,
)
from ..http import HttpClient, Service, coerce_model
from ..tokencache import TokenCache
from . import wire
from .http_base import HttpProvider
from .kit import CredentialModel, HeaderAuth, LoginTokens, RefreshingAuth, login_refused

log = logging.getLogger(__name__)

#: What a refused login is answered with: any 4xx means the credentials (``login_refused``).
ANY_REFUSAL = (InvalidRequestError, AuthenticationError, PermissionDeniedError)


class TokenOrLogin(CredentialModel):
    """Credentials with a token, or with a username and a password that log in for one
    (``login_fields``: the three fields' names); every other required field must be given."""

    login_fields: ClassVar[tuple[str, str, str]] = ("api_token", "username", "password")

    @model_validator(mode="after")
    def _token_or_login(self) -> TokenOrLogin:
        token, user, password = self.login_fields
        for name, field in type(self).model_fields.items():
            if field.is_required() and not getattr(self, name):
                raise ValueError(f"{name} is required")
        if not (self._given(token) or (getattr(self, user) and self._given(password))):
            raise ValueError(f"give an {token}, or a {user} and a {password}")
        return self

    def _given(self, name: str) -> bool:
        value = getattr(self, name)
        return bool(value and value.get_secret_value())

    @property
    def uses_login(self) -> bool:
        return not self._given(self.login_fields[0])


class LoginProvider(HttpProvider):
    """An ``HttpProvider`` whose token comes from a login (``_log_in_with``)."""

    #: The ``Authorization`` scheme the login's token is sent with ("Token", "Bearer").
    login_scheme: ClassVar[str] = "Bearer"
    #: What a login's refusal rejected ("API key"), and what to check then (None: the service's hint).
    login_credential: ClassVar[str] = "login"
    login_hint: ClassVar[Optional[str]] = None
    _tokens: Optional[LoginTokens] = None

    def _log_in_with(self, tokens: LoginTokens) -> None:
        """Send every request with ``tokens``' current token; after a 401, once with a new one."""
        self._tokens = tokens
        self._refreshing = RefreshingAuth(self.login_scheme, tokens.current, tokens.forget, service=self.service.name)

    def auth(self) -> Optional[requests.auth.AuthBase]:
        """``TokenOrLogin`` credentials' own token, on every request, unless they log in
        (a login's token is sent by ``_refreshing``)."""
        creds = self.credentials
        if isinstance(creds, TokenOrLogin) and not creds.uses_login:
            return HeaderAuth(self.login_scheme, getattr(creds, creds.login_fields[0]))
        return super().auth()

    def _login_service(self) -> Service:
        """The service as a login's errors name it."""
        return dataclasses.replace(self.service, credential=self.login_credential,
                                   auth_hint=self.login_hint or self.service.auth_hint)

    def _login_client(self) -> HttpClient:
        """The API's client (session, base URL, timeouts, retries) with errors worded for the login."""
        client = copy.copy(self._http)
        client.service, client.auth = self._login_service(), None
        return client

    def _cached_login(self, login: Callable[[], str], cache: TokenCache) -> LoginTokens:
        """``login``'s tokens, kept in ``cache`` under this login's key: the origin, the other
        credentials, the username and the password's fingerprint. The key is made on first
        use (a worker thread), not here: the fingerprint is deliberately slow, and the panel
        builds clients on OBS's UI thread."""
        creds = self.credentials
        _, user, password = creds.login_fields  # type: ignore[attr-defined]
        account = "|".join(str(getattr(creds, n)) for n in type(creds).model_fields if n not in creds.login_fields)
        key = functools.lru_cache(maxsize=None)(lambda: cache.key_for(
            self._http.origin, account, getattr(creds, user) or "", getattr(creds, password).get_secret_value()))
        return LoginTokens(login, cache=cache, cache_key=key)

    def _post_login(self, path: str, body: dict[str, Any], *, what: str, refused_message: str, hint: str,
                    refused: tuple[type[LivestreamError], ...] = (InvalidRequestError,),
                    idempotent: bool = False, http: Optional[HttpClient] = None) -> requests.Response:
        """``POST path`` with the credentials in ``body``; an error of the ``refused`` kinds
        means the credentials (``login_refused``: ``refused_message`` with the provider's words)."""
        try:
            return (http or self._http).request("POST", path, json=body, idempotent=idempotent, what=what)
        except refused as refusal:
            raise login_refused(refusal, refused_message, hint=hint, service=self.service.name) from None

    @classmethod
    def credentials_from_env(cls, environ: Mapping[str, str]) -> Any:
        """For ``TokenOrLogin`` credentials, a token OR a login: names exactly what is missing
        (the password of a username, another required field...); others as ``Provider``'s."""
        if not issubclass(cls.Credentials, TokenOrLogin):
            return super().credentials_from_env(environ)
        env = {f.name: f.env for f in cls.credential_fields}
        token, user, password = cls.Credentials.login_fields
        read = {name: (environ.get(var) or "").strip() for name, var in env.items()}
        others = [name for name in env if name not in (token, user, password)]
        missing = [env[name] for name in others if not read[name]]
        if not read[token]:
            if read[user] and not read[password]:
                missing.append(env[password])
            elif read[password] and not read[user]:
                missing.append(env[user])
            elif not read[user]:
                missing.append(f"{env[token]} ({cls.credentials_note})")
        if missing:
            raise ConfigurationError(f"{cls.display_name} credentials are missing", hint="set " + ", ".join(missing))
        given = {name: read[name] for name in (*others, *((token,) if read[token] else (user, password)))}
        return coerce_model(cls.Credentials, given, what=f"{cls.display_name} credentials", field_names=env)

    def close(self) -> None:
        if self._tokens is not None:
            self._tokens.forget()
        super().close()


def token_in(http: HttpClient, response: requests.Response, names: Sequence[str]) -> str:
    """The token of a login answer: the first of the fields ``names`` that holds text;
    the unexpected-answer error (naming ``names[0]``) when none does."""
    data = http.json_of(response)
    token = next((data[name] for name in names if isinstance(data.get(name), str) and data[name]), None) \
        if isinstance(data, dict) else None
    if not token:
        raise http.unexpected(response, f"no '{names[0]}' in the login answer")
    return token


class AccessToken(wire.WireModel):
    """An OAuth 2.0 token answer (RFC 6749, section 5.1)."""

    access_token: str = Field(min_length=1)
    refresh_token: Optional[str] = None
    token_type: str = "Bearer"
    expires_in: Optional[float] = None


class OAuthTokens(LoginTokens):
    """An access token from ``login()`` (a token answer), renewed ``margin`` seconds before
    it expires with ``refresh(refresh_token)``; a refused refresh logs in again. ``lifetime``:
    the seconds an answer without ``expires_in`` lasts. Tokens stay in memory, as secrets."""

    def __init__(self, http: HttpClient, *, login: Callable[[], requests.Response],
                 refresh: Callable[[str], requests.Response], lifetime: float, margin: float,
                 clock: Optional[Callable[[], float]] = None) -> None:
        super().__init__(lambda: self._take(login()), renew=self._renewed,
                         stale=lambda: self._clock() >= self._expires_at - margin)
        self._http, self._refresh_with, self._lifetime = http, refresh, lifetime
        self._clock = clock or time.monotonic
        self._refresh: Optional[SecretStr] = None
        self._expires_at = 0.0

    def _renewed(self) -> SecretStr:
        if self._refresh is not None:
            try:
                return self._take(self._refresh_with(self._refresh.get_secret_value()))
            except (AuthenticationError, InvalidRequestError) as refused:
                log.info("%s refused the refresh token (%s); logging in again", self._http.service.name,
                         refused.status_code)
        return self.login()

    def _take(self, response: requests.Response) -> SecretStr:
        """The access token of a token answer (the refresh token and the expiry kept)."""
        token = self._http.model_of(response, AccessToken)
        secrets.register(token.access_token, token.refresh_token)
        self._refresh = SecretStr(token.refresh_token) if token.refresh_token else None
        lifetime = token.expires_in if token.expires_in and token.expires_in > 0 else self._lifetime
        self._expires_at = self._clock() + lifetime
        return SecretStr(token.access_token)

    def forget(self, token: Any = None) -> None:
        """The access token and its refresh token dropped: the next request logs in."""
        super().forget(token)
        self._refresh = None
