"""The contract every provider implements, streamlink-plugin style.

A provider is one small module that builds requests and parses replies; it knows
its paths, auth scheme, field names and status words (``reference/providers.md``)
and nothing about OBS or the go-live flow. It returns ``livestream.models`` objects
and raises only ``livestream.errors`` classes.

All methods block (they do HTTP); callers inside OBS run them on a worker thread.
"""

from __future__ import annotations

import abc
from datetime import datetime
from typing import Any, ClassVar, Mapping, Optional, Union

from pydantic import BaseModel

from ..models import EndResult, LiveStream

OptionsInput = Union[Mapping[str, Any], BaseModel, None]


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

    def poll_delay(self, waited: float) -> float:
        """Seconds until the next status poll, ``waited`` seconds into the wait for the ingest."""
        return self.poll_interval

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
