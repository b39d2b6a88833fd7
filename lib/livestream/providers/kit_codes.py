"""Error bodies read once, and what a provider's error codes mean, as a table.

``coded_errors`` reads the ``{"errors": [{"code", "message", "source": {"pointer"},
"error_chain": [...]}]}`` kind of body: Cloudflare's v4 envelope
(https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/), whose
``source.pointer`` naming the refused field is JSON:API's error object
(https://jsonapi.org/format/#error-objects). It gives the provider's message, the
per-field messages and every code (those of the ``error_chain`` too).

``CodeTable`` is what a provider declares instead of writing functions over those codes:
the codes that mean the credentials were refused on a given status (an API that answers a
malformed Authorization header with a 400), and the codes whose own message and hint say
more than the status does. ``hooks()`` are the ``Service``'s ``parse_error``,
``rejects_credentials`` and ``explain`` made from it.

``typed_error`` reads the ``{"error": {"type", "message", "messages": [...]}}`` kind
(Mux's), where a message that starts with a request field's name is that field's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from pydantic import Field, ValidationError

from . import wire

#: The longest provider message kept (``http_errors`` shortens to the same length).
MAX_PROVIDER_MESSAGE = 300

#: (message, per-field messages, codes) of an error body.
Coded = tuple[Optional[str], dict[str, list[str]], set[int]]


class ErrorSource(wire.WireModel):
    pointer: Optional[str] = None


class CodedError(wire.WireModel):
    code: Optional[int] = None
    message: str = ""
    source: Optional[ErrorSource] = None
    error_chain: list[CodedError] = Field(default_factory=list)


CodedError.model_rebuild()


class CodedEnvelope(wire.WireModel):
    """``{"success", "errors", "messages", "result"}``: every answer of such an API."""

    success: bool
    errors: list[CodedError] = Field(default_factory=list)
    messages: list[Any] = Field(default_factory=list)
    result: Any = None


def coded_errors(body: Any) -> Coded:
    """The message, per-field messages and codes of an ``errors[]`` body; nothing when it is not one.

    ``source.pointer`` ("/recording/mode") names the field ("recording.mode") where given;
    an ``error_chain``'s messages follow their entry's in parentheses.
    """
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return None, {}, set()
    try:
        envelope = CodedEnvelope.model_validate({"success": False, **body})
    except ValidationError:
        return None, {}, set()
    messages: list[str] = []
    fields: dict[str, list[str]] = {}
    codes: set[int] = set()
    for item in envelope.errors:
        text = " ".join(item.message.split())
        chain = [" ".join(c.message.split()) for c in item.error_chain if c.message.strip()]
        codes.update(c.code for c in [item, *item.error_chain] if c.code is not None)
        if chain:
            text = f"{text} ({'; '.join(chain)})" if text else "; ".join(chain)
        if not text:
            continue
        messages.append(f"{text} [code {item.code}]" if item.code is not None else text)
        pointer = item.source.pointer if item.source else None
        if pointer:
            fields.setdefault(pointer.strip("/").replace("/", ".") or "request", []).append(text)
    message = "; ".join(messages) or None
    if message and len(message) > MAX_PROVIDER_MESSAGE:
        message = message[: MAX_PROVIDER_MESSAGE - 1] + "…"
    return message, fields, codes


@dataclass(frozen=True)
class CodeTable:
    """What a provider's error codes mean, declared as data.

    ``credentials``: status -> the codes that, on that status, mean the credentials were
    refused (the error becomes the 401's). ``explained``: code -> (message, hint) for any
    refusal below 500 carrying it; ``{said}`` in the message is the status and the
    provider's words. ``read``: the body reader giving the codes.
    """

    credentials: Mapping[int, frozenset[int]] = field(default_factory=dict)
    explained: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    read: Callable[[Any], Coded] = coded_errors

    def parse_error(self, body: Any) -> tuple[Optional[str], dict[str, list[str]]]:
        message, fields, _ = self.read(body)
        return message, fields

    def rejects_credentials(self, status: int, body: Any) -> bool:
        codes = self.credentials.get(status)
        return bool(codes) and bool(self.read(body)[2] & codes)

    def explain(self, status: int, body: Any) -> Optional[tuple[str, str]]:
        if status >= 500 or not self.explained:
            return None
        codes = self.read(body)[2]
        return next((meaning for code, meaning in self.explained.items() if code in codes), None)

    def hooks(self) -> dict[str, Callable[..., Any]]:
        """The ``Service`` keyword arguments: ``Service(..., **table.hooks())``."""
        return {"parse_error": self.parse_error, "rejects_credentials": self.rejects_credentials,
                "explain": self.explain}


class TypedErrorDetail(wire.WireModel):
    type: Optional[str] = None  # noqa: A003 - the wire name
    messages: list[str] = Field(default_factory=list)
    message: Optional[str] = None


class TypedErrorBody(wire.WireModel):
    error: TypedErrorDetail


def typed_error(body: Any, field_names: tuple[str, ...] = ()) -> tuple[Optional[str], dict[str, list[str]]]:
    """The message ("<type>: <message>; <messages>...") and per-field messages of an
    ``{"error": {"type", "message", "messages"}}`` body; a message starting with one of
    ``field_names`` ("reconnect_window must be ...") is that field's."""
    try:
        detail = TypedErrorBody.model_validate(body).error
    except ValidationError:
        return None, {}
    texts = [m.strip() for m in detail.messages if isinstance(m, str) and m.strip()]
    if detail.message and detail.message.strip():
        texts.insert(0, detail.message.strip())
    pairs = [(name, text) for text in texts
             for name in [next((f for f in field_names if text.startswith(f)), None)] if name]
    kind = (detail.type or "").strip()
    message = "; ".join(texts) or kind or None
    if kind and texts:
        message = f"{kind}: {message}"
    return message, wire.grouped(pairs)
