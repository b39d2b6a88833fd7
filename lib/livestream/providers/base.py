"""The contract every provider implements, streamlink-plugin style.

A provider is one small module that builds requests and parses replies; it knows
its paths, auth scheme, field names and status words (from the provider's public
documentation, linked in its module) and nothing about OBS or the go-live flow. It returns ``livestream.models`` objects
and raises only ``livestream.errors`` classes.

All methods block (they do HTTP); callers inside OBS run them on a worker thread.
"""

from __future__ import annotations

import abc
import dataclasses
import unicodedata
from datetime import datetime, timezone
from typing import Any, ClassVar, Collection, Mapping, Optional, Union

from pydantic import BaseModel, SecretStr

from ..errors import ConfigurationError
from ..models import EndResult, LiveStream, StreamStatus
from ..simulcast import SimulcastTarget, TargetState
from .declare import Capabilities, CredentialField, Declaration, Setting, StreamOption

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


class _FromCapabilities:
    """A class attribute that reads one field of the class's ``capabilities``."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, obj: Any, owner: type) -> bool:
        return bool(getattr(owner.capabilities, self.field))


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
    #: The service's origin; the documented paths are appended to it.
    default_base_url: ClassVar[str]
    #: Environment variable that overrides the origin (the sandbox and tests use it).
    base_url_env: ClassVar[str]
    #: Seconds between polls while waiting for the ingest or watching the status.
    poll_interval: ClassVar[float] = 3.0
    #: Read-only views of ``capabilities`` (``scheduling``, ``boots_server``) for the callers
    #: that read these older names; a provider states its capabilities once, there.
    supports_scheduling = _FromCapabilities("scheduling")
    boots_server = _FromCapabilities("boots_server")

    # --- the declaration the panel and the CLI are generated from (``declare``) ---
    #: The panel's settings keys start with ``<settings_prefix>_`` ("tp_api_token").
    settings_prefix: ClassVar[str] = ""
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    stream_options: ClassVar[tuple[StreamOption, ...]] = ()
    settings: ClassVar[tuple[Setting, ...]] = ()
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: Extra words for the credentials help (alternatives the fields alone do not say).
    credentials_note: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass written against the older names (``supports_scheduling = True``, a
        test double) has them folded into ``capabilities``, which stays the one statement."""
        super().__init_subclass__(**kwargs)
        legacy = {attr: cls.__dict__[name] for name, attr in (("supports_scheduling", "scheduling"),
                                                               ("boots_server", "boots_server"))
                  if name in cls.__dict__ and not isinstance(cls.__dict__[name], _FromCapabilities)}
        if legacy:
            cls.capabilities = dataclasses.replace(cls.capabilities, **legacy)
            for name in ("supports_scheduling", "boots_server"):
                if name in cls.__dict__:
                    delattr(cls, name)

    @classmethod
    def declaration(cls) -> Declaration:
        """What the front ends render for this provider."""
        return Declaration(
            name=cls.name, display_name=cls.display_name, settings_prefix=cls.settings_prefix or cls.name,
            credential_fields=cls.credential_fields, stream_options=cls.stream_options, settings=cls.settings,
            capabilities=cls.capabilities, base_url_env=cls.base_url_env, default_base_url=cls.default_base_url,
            credentials_note=cls.credentials_note,
        )

    def poll_delay(self, waited: float) -> float:
        """Seconds until the next status poll, ``waited`` seconds into the wait for the ingest."""
        return self.poll_interval

    @classmethod
    def credentials_from_env(cls, environ: Mapping[str, str]) -> BaseModel:
        """Read the declared credentials from their environment variables.

        ``ConfigurationError`` names the variables: all of them when none is set,
        otherwise the model's own complaint (a missing or malformed one) under the
        variable's name, never its value.
        """
        from ..http import coerce_model  # the contract stays importable without requests

        given = {f.name: (environ.get(f.env) or "").strip() for f in cls.credential_fields}
        given = {name: value for name, value in given.items() if value}
        if not given:
            names = " and ".join(f.env for f in cls.credential_fields)
            note = f" ({cls.credentials_note})" if cls.credentials_note else ""
            raise ConfigurationError(f"{cls.display_name} credentials are missing", hint=f"set {names}{note}")
        return coerce_model(cls.Credentials, given, what=f"{cls.display_name} credentials",
                            field_names={f.name: f.env for f in cls.credential_fields})

    @abc.abstractmethod
    def create(
        self, title: str, *, options: OptionsInput = None, start: Optional[datetime] = None,
        reference: Optional[str] = None,
    ) -> LiveStream:
        """Create a live stream; with ``start`` (if supported), schedule it instead.

        ``reference`` is a short token the provider stores with the stream where it
        can (FastPix: a metadata entry), so ``find_created`` finds the stream again
        if the create's answer is lost. Never retried once the request may have
        reached the provider.
        """

    def find_created(
        self, *, reference: Optional[str], title: Optional[str], sent_at: float, exclude: Collection[str] = ()
    ) -> Optional[LiveStream]:
        """The stream a create made whose answer was lost, or None if the provider has none.

        By ``reference`` where the provider keeps it (``LiveStream.reference``);
        otherwise by the same title, not one of the ``exclude`` ids (streams already
        known), and fresh: created within minutes of ``sent_at`` (wall-clock seconds),
        or, where the provider gives no creation time (TP Streams), never published to
        yet, so that an older stream of the same title is never taken for it.
        """
        streams = [s for s in self.list() if s.id not in exclude]
        if reference:
            tagged = [s for s in streams if s.reference == reference]
            if tagged:
                return tagged[0]
        if not title:
            return None
        candidates = [
            s for s in streams
            if s.title == title and not s.status.is_terminal and _fresh(s, sent_at)
        ]
        # Several twins: the one created closest to the lost request.
        candidates.sort(key=lambda s: _distance(s.created_at or s.scheduled_start, sent_at))
        return candidates[0] if candidates else None

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

    # --- simulcast: only providers whose ``capabilities.simulcast`` is set override these ---

    def add_simulcast_target(self, stream_id: str, target: SimulcastTarget) -> TargetState:
        """Have the provider restream ``stream_id`` to ``target``; the state names the
        provider's id for it (what ``remove_simulcast_target`` takes)."""
        raise self._no_simulcast()

    def remove_simulcast_target(self, stream_id: str, target: TargetState) -> None:
        """Stop restreaming to ``target`` (deleted on the provider); a target already gone is no error."""
        raise self._no_simulcast()

    def simulcast_targets(self, stream_id: str) -> list[TargetState]:
        """The targets the provider holds for ``stream_id``, with their status where it reports one."""
        raise self._no_simulcast()

    @classmethod
    def _no_simulcast(cls) -> ConfigurationError:
        return ConfigurationError(f"{cls.display_name} does not restream to other destinations",
                                  hint="remove the simulcast targets")

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release the HTTP session."""

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: How far from the lost create a stream's creation time may be and still be taken for it.
_CREATE_WINDOW = (-120.0, 600.0)


def _offsets(when: Optional[datetime], sent_at: float) -> list[float]:
    """Seconds from ``sent_at`` to ``when``. A time without a zone is read both as UTC and
    as local time (TP Streams does not document which it sends); no time: no offsets."""
    if when is None:
        return []
    if when.tzinfo is not None:
        return [when.timestamp() - sent_at]
    return [when.replace(tzinfo=timezone.utc).timestamp() - sent_at, when.timestamp() - sent_at]


def _fresh(stream: LiveStream, sent_at: float) -> bool:
    offsets = _offsets(stream.created_at or stream.scheduled_start, sent_at)
    if not offsets:
        # No time given: only a stream no encoder has published to can be the new one.
        return stream.status is StreamStatus.NOT_STARTED
    low, high = _CREATE_WINDOW
    return any(low <= off <= high for off in offsets)


def _distance(when: Optional[datetime], sent_at: float) -> float:
    offsets = _offsets(when, sent_at)
    return min((abs(o) for o in offsets), default=float("inf"))
