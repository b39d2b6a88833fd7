"""The contract every provider implements, streamlink-plugin style.

A provider is one small module that builds requests and parses replies; it knows
its paths, auth scheme, field names and status words (``reference/providers.md``)
and nothing about OBS or the go-live flow. It returns ``livestream.models`` objects
and raises only ``livestream.errors`` classes.

All methods block (they do HTTP); callers inside OBS run them on a worker thread.
"""

from __future__ import annotations

import abc
import unicodedata
from datetime import datetime
from typing import Any, ClassVar, Mapping, Optional, Union

from pydantic import BaseModel, SecretStr

from ..models import EndResult, LiveStream

OptionsInput = Union[Mapping[str, Any], BaseModel, None]


class CredentialTextError(ValueError):
    """A credential that cannot be sent as typed (a control character, or not Latin-1)."""


def check_credential_text(value: Any, label: str, *, header: bool) -> Any:
    """``value`` (a str or SecretStr) if it can be sent as typed; ``ValueError`` otherwise.

    A credential with a line break, a tab or another control character (a bad paste)
    or, for one that travels in an HTTP header (``header=True``), a character outside
    Latin-1 would otherwise fail deep inside http.client with a traceback that prints
    the header, secret included. The message names the field, never the value; the
    credential models also set ``hide_input_in_errors`` so pydantic does not echo it.
    """
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not isinstance(text, str):
        return value
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text):
        raise CredentialTextError(f"the {label} contains a line break or another control character: "
                         "enter it again on one line, as the provider shows it")
    if header and any(ord(ch) > 0xFF for ch in text):
        raise CredentialTextError(f"the {label} contains a character that cannot be sent to the provider "
                         "(outside Latin-1): copy it again from the provider's dashboard")
    return value


class Provider(abc.ABC):
    """A streaming provider's live-stream API."""

    #: Registry key, used on the command line and in settings ("tpstreams").
    name: ClassVar[str]
    #: How users know it ("TP Streams").
    display_name: ClassVar[str]
    #: pydantic model of the credentials (secrets as SecretStr).
    Credentials: ClassVar[type[BaseModel]]
    #: pydantic model of the per-stream options the provider accepts at create.
    Options: ClassVar[type[BaseModel]]
    #: True if streams can be scheduled and started later (``create(start=...)``, ``start``).
    supports_scheduling: ClassVar[bool] = False
    #: The service's origin; the documented paths are appended to it.
    default_base_url: ClassVar[str]
    #: Environment variable that overrides the origin (the sandbox and tests use it).
    base_url_env: ClassVar[str]
    #: Seconds between polls while waiting for the ingest or watching the status.
    poll_interval: ClassVar[float] = 3.0

    @classmethod
    @abc.abstractmethod
    def credentials_from_env(cls, environ: Mapping[str, str]) -> BaseModel:
        """Read credentials from environment variables; ``ConfigurationError`` names what is missing."""

    @abc.abstractmethod
    def create(
        self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None
    ) -> LiveStream:
        """Create a live stream; with ``start`` (if supported), schedule it instead.

        Never retried once the request may have reached the provider.
        """

    @abc.abstractmethod
    def start(self, stream_id: str) -> LiveStream:
        """Start a scheduled stream's server (TP Streams ``start_server``)."""

    @abc.abstractmethod
    def get(self, stream_id: str) -> LiveStream:
        """The stream as the provider sees it now."""

    @abc.abstractmethod
    def list(self) -> list[LiveStream]:  # noqa: A003 - the API's own word
        """Every live stream of the account (all pages)."""

    @abc.abstractmethod
    def end(self, stream_id: str) -> EndResult:
        """End the broadcast; ``EndResult(ended=False)`` when there was nothing to end."""

    @abc.abstractmethod
    def delete(self, stream_id: str) -> None:
        """Delete the stream for good."""

    @abc.abstractmethod
    def check_credentials(self) -> None:
        """One cheap authenticated call; raises ``AuthenticationError`` and friends."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release the HTTP session."""

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
