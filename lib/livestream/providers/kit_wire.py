"""Readers of wire objects that several providers need, beside ``wire``'s.

- ``Data[Model]``: the ``{"data": ...}`` envelope (Mux, FastPix, api.video's lists) of one model;
- ``flagged_status``: a status word that an ``enabled: false`` overrides (Cloudflare's live
  inputs; FastPix's and Cloudflare's restream targets are only enabled or not);
- ``word_of``: a status word sent as a string or nested in an object;
- ``web_url``: an http(s) URL field (an HLS playlist where asked), else None;
- ``nested_secrets``: the secret fields of an answer's nested objects, to register them;
- ``unix_time`` (``UnixTime`` as a field): Unix seconds sent as a number or text (an ISO
  8601 time read too);
- ``check_length``: a text a provider caps, refused before the request with the cap named;
- ``ingest_of``: OBS's ingest for the chosen protocol, when the answer has all it needs;
- ``filled``: a URL template with an ID put in its placeholder (a playback URL);
- ``with_reference``: a create's metadata with the entry (``REFERENCE_KEY``) that finds the
  stream again when the create's answer was lost (FastPix's ``metadata``, Cloudflare's ``meta``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Collection, Generic, Mapping, Optional, TypeVar
from urllib.parse import quote, urlsplit

from pydantic import BeforeValidator

from ..errors import ConfigurationError
from ..models import Ingest
from . import wire

#: The metadata entry holding a create's ``reference``.
REFERENCE_KEY = "obs_livestream_ref"
DataT = TypeVar("DataT")
StatusT = TypeVar("StatusT")


class Data(wire.WireModel, Generic[DataT]):
    """``{"data": <DataT>}``: ``Data[Model]`` validates the envelope and its object (or list)."""

    data: DataT


def flagged_status(word: Optional[str], table: Mapping[str, StatusT], *, enabled: Optional[bool],
                   disabled: StatusT, never: StatusT, unknown: StatusT) -> StatusT:
    """``disabled`` when ``enabled`` is False (whatever the word says), ``never`` without a
    word, else the word looked up in ``table`` (``unknown`` when it lacks it)."""
    if enabled is False:
        return disabled
    if word is None:
        return never
    return wire.status_of(word, table, unknown)


def word_of(value: Any, inner: str = "", keys: tuple[str, ...] = ()) -> Optional[str]:
    """A non-blank status word: ``value`` itself, or the first of ``keys`` that is set in
    ``value[inner]`` when ``value`` is an object (``{"current": {"state": ...}}``)."""
    if isinstance(value, dict):
        nested = value.get(inner)
        value = next((nested.get(k) for k in keys if nested.get(k)), None) if isinstance(nested, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def web_url(value: Any, *, hls: bool = False) -> Optional[str]:
    """A text field that is an http(s) URL (with ``hls``: whose path has ``.m3u8``), else None."""
    url = wire.text(value)
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return url if not hls or ".m3u8" in urlsplit(url).path else None


def nested_secrets(raw: Mapping[str, Any], names: Collection[str]) -> list[str]:
    """The text values of the ``names`` fields in the objects directly inside ``raw``
    (every ``streamKey`` and ``passphrase`` of an answer, whichever protocol is used)."""
    return [v for value in raw.values() if isinstance(value, dict)
            for k, v in value.items() if k in names and isinstance(v, str)]


def unix_time(value: Any) -> Optional[datetime]:
    """Unix seconds (a number, or text as Mux sends it) as a UTC time; anything else is
    read as ISO 8601 (``wire.parse_time``); None when absent or unreadable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    text = wire.text(value)
    try:
        return datetime.fromtimestamp(float(text), timezone.utc) if text else None
    except (ValueError, OverflowError, OSError):
        return wire.parse_time(text)


#: A time field sent as Unix seconds: None when absent or unreadable.
UnixTime = Annotated[Optional[datetime], BeforeValidator(unix_time)]


def check_length(value: Optional[str], limit: int, message: str, hint: str) -> None:
    """``ConfigurationError(message)`` when ``value`` is longer than ``limit``; ``{limit}``
    in the hint is the limit."""
    if value and len(value) > limit:
        raise ConfigurationError(message, hint=hint.format(limit=limit))


def ingest_of(protocol: str, server: Any, key: Any = None, *, srt_id: Any = None,
              passphrase: Any = None) -> Optional[Ingest]:
    """The ingest for ``protocol`` from an answer's text fields; None while one it needs is
    missing. RTMP(S) (any protocol but "srt"; the server's scheme says which): the server
    and the key. SRT: the server, the passphrase and the ``streamid``: ``srt_id``, else the
    stream key itself (kept as the key, so it is redacted too)."""
    server, key, srt_id, passphrase = (wire.text(v) for v in (server, key, srt_id, passphrase))
    if protocol != "srt":
        return wire.rtmp_ingest(server, key) if server and key else None
    if not (server and passphrase and (srt_id or key)):
        return None
    return wire.srt_ingest(server, srt_id, passphrase) if srt_id else wire.srt_ingest(server, key, passphrase, key=key)


def filled(template: Optional[str], placeholder: str, value: Optional[str]) -> Optional[str]:
    """``template`` with ``value`` (quoted as a path segment) in ``{placeholder}``; None
    without a template or a value."""
    return template.format(**{placeholder: quote(value, safe="")}) if template and value else None


def with_reference(meta: dict[str, Any], reference: Optional[str]) -> dict[str, Any]:
    """``meta`` with the create's ``reference`` under ``REFERENCE_KEY``, when there is one."""
    return {**meta, REFERENCE_KEY: reference} if reference else meta
