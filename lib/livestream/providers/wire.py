"""Small readers and checks every provider module needs for its wire objects.

Kept here once: the base of every wire model, how an answer object is read into one
(``read``), how an optional text field and a timestamp are read, an RTMP(S) ingest,
how an ingest URL override is checked, and how a playback URL template is checked,
with messages that name the provider and the environment variable to fix.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Callable, Iterable, Mapping, Optional, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, SecretStr, ValidationError

from ..errors import ConfigurationError
from ..models import Ingest

INGEST_PROTOCOLS = ("rtmps", "rtmp", "srt")
StatusT = TypeVar("StatusT")
ModelT = TypeVar("ModelT", bound=BaseModel)


def text(value: Any) -> Optional[str]:
    """A JSON string field, stripped; None when absent, empty or not a string."""
    return value.strip() if isinstance(value, str) and value.strip() else None


class WireModel(BaseModel):
    """The base of every provider's answer model: unknown fields ignored (APIs grow),
    names or aliases accepted, and no input value in a validation error (it may be a key)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, hide_input_in_errors=True)


def read(model: type[ModelT], data: Any, what: str) -> ModelT:
    """``data`` (one object of an answer) as ``model``; ``ValueError`` naming the fields,
    never a value, when it is not an object or a field is unusable (``HttpClient.parsed``
    turns it into the unexpected-answer error)."""
    if not isinstance(data, dict):
        raise ValueError(f"the {what} is not a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        names = sorted({".".join(str(p) for p in err["loc"]) or "object" for err in exc.errors()})
        raise ValueError(f"the {what} has no usable {', '.join(names)}") from None


def objects(value: Any) -> list[Any]:
    """The JSON objects of a list field; none when it is not a list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(field, message) pairs as ``Service.parse_error``'s per-field messages."""
    fields: dict[str, list[str]] = {}
    for field, message in pairs:
        fields.setdefault(field, []).append(message)
    return fields


#: ``2024-01-02T03:04:05.12345Z``: the fraction of seconds, any number of digits.
_FRACTION = re.compile(r"(\d{2}:\d{2}:\d{2})[.,](\d+)")


def parse_time(value: Any) -> Optional[datetime]:
    """An ISO 8601 time (or TP Streams' "YYYY-MM-DD HH:MM:SS"); None when absent or unreadable.

    Python 3.9 and 3.10 (the Windows and macOS bundles) read only 3 or 6 digits of a
    fraction and no ``Z``: the fraction is padded or cut to 6 digits and ``Z`` becomes
    ``+00:00`` first, so Cloudflare's own schema example (5 digits) reads everywhere.
    """
    if isinstance(value, datetime):
        return value
    text_value = text(value)
    if text_value is None:
        return None
    text_value = re.sub(r"[zZ]$", "+00:00", text_value)
    text_value = _FRACTION.sub(lambda m: f"{m.group(1)}.{(m.group(2) + '000000')[:6]}", text_value, count=1)
    try:
        return datetime.fromisoformat(text_value)
    except ValueError:
        return None


#: A string field of a wire object: trimmed, None when absent, empty or not a string.
Text = Annotated[Optional[str], BeforeValidator(lambda value: text(value))]
#: A time field of a wire object: None when absent or unreadable.
Time = Annotated[Optional[datetime], BeforeValidator(parse_time)]
#: For a nested object of a wire object (``Annotated[Optional[Model], ObjectOnly]``):
#: None when absent or not a JSON object, so a field of the wrong type counts as absent.
ObjectOnly = BeforeValidator(lambda value: value if isinstance(value, dict) else None)


def lower(value: Any) -> Any:
    """A string lower-cased and stripped (choices compared case-insensitively); others as given."""
    return value.strip().lower() if isinstance(value, str) else value


def status_of(word: Any, table: Mapping[str, StatusT], unknown: StatusT) -> StatusT:
    """A provider's status word looked up case-insensitively in its ``table``;
    ``unknown`` for a word the table lacks or a value that is not text."""
    return table.get(word.strip().lower(), unknown) if isinstance(word, str) else unknown


def status_reader(table: Mapping[str, StatusT], unknown: StatusT) -> Callable[[Any], StatusT]:
    """A provider's ``map_status``: ``status_of`` over its ``table``, ``unknown`` for any other word."""
    return lambda word: status_of(word, table, unknown)


def protocol_of(url: str) -> str:
    """The ingest protocol of a server URL: its scheme (the sandbox serves plain rtmp)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme if scheme in INGEST_PROTOCOLS else "rtmps"


def rtmp_ingest(server: str, key: str) -> Ingest:
    """An RTMP(S) ingest: the server (its scheme says which) and the stream key."""
    return Ingest(protocol=protocol_of(server), server=server, stream_key=SecretStr(key))


def srt_ingest(server: str, stream_id: str, passphrase: Optional[str] = None, *, key: Optional[str] = None) -> Ingest:
    """An SRT ingest: the server, the ``streamid``, the passphrase if any; ``key``: the
    streamid is the stream key itself (Mux), kept as the key so it is redacted too."""
    return Ingest(protocol="srt", server=server, srt_stream_id=stream_id,
                  srt_passphrase=SecretStr(passphrase) if passphrase else None,
                  stream_key=SecretStr(key) if key else None)


def ingest_url(url: str, schemes: tuple[str, ...], env_name: str, *, service: str) -> str:
    """An ingest server override, checked: one of ``schemes`` with a host."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for ":99999" or ":abc"
    except ValueError:  # "srt://[::1", a port out of range: not a URL at all
        parts = None
    if parts is None or parts.scheme.lower() not in schemes or not parts.hostname:
        raise ConfigurationError(f"The {service} ingest URL {url!r} is not a {' or '.join(schemes)} URL",
                                 hint=f"fix {env_name} (or the ingest URL setting), or unset it")
    return url


def playback_template(template: str, env_name: str, *, service: str, placeholder: str = "playback_id",
                      web: bool = False, example: str = "") -> str:
    """A playback URL template with ``{placeholder}`` and no other placeholder; ``web``: an
    http(s) URL too. ``example`` ends the hints ("e.g. https://...")."""
    eg = f", e.g. {example}" if example else ""
    try:
        template.format(**{placeholder: "x"})
    except (KeyError, IndexError, ValueError):
        raise ConfigurationError(
            f"The {service} playback URL template is invalid",
            hint=f"{env_name} must contain {{{placeholder}}} and no other placeholder{eg}",
        ) from None
    if web and ("{" + placeholder + "}" not in template or urlsplit(template).scheme.lower() not in ("http", "https")):
        raise ConfigurationError(f"The {service} playback URL template needs an http(s) URL with {{{placeholder}}}",
                                 hint=f"fix {env_name}{eg}")
    if "{" + placeholder + "}" not in template:
        raise ConfigurationError(f"The {service} playback URL template has no {{{placeholder}}}",
                                 hint=f"fix {env_name}")
    return template
