"""The provider kit: the credential bases and the HTTP auths every provider shares.

A provider's credentials subclass ``CredentialModel`` (or ``BasicCredentials``, an
ID and a secret sent as HTTP Basic, which FastPix and Mux both use under other
names) and declare only their fields, each with its ``title`` (how messages name
it). The base checks every field once (a pasted line break, a character a header
cannot carry, an empty secret) and registers every secret for redaction.

``HeaderAuth`` is the one ``Authorization: <scheme> <token>`` auth (TP Streams'
``Token``, Cloudflare's and api.video's ``Bearer``); ``basic_auth`` registers the
encoded Basic header value as a secret too.
"""

from __future__ import annotations

import base64
from typing import Any, Callable, ClassVar, Union

import requests
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from .. import secrets
from .base import check_credential_text


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
            if not stripped:
                raise ValueError(f"the {label} is empty")
            value = SecretStr(stripped)
        return check_credential_text(value, label, header=info.field_name in cls.header_fields)


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
