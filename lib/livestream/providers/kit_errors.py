"""One reader of providers' JSON error bodies, told where each provider keeps its words.

Every provider's error body says the same two things in its own places: a message (a
``detail``, a ``title``, an ``error.message``) and messages per request field (a list of
``{field, message}`` objects, or serializer errors keyed by the field's name). A provider
module states where (an ``ErrorShape``) and passes it as ``Service.parse_error``; reading,
trimming and grouping is here once. An odd body (not an object, a field of the wrong
type) gives what it has, possibly nothing: the status still says what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..http import join_messages

Fields = dict[str, list[str]]
#: How deep nested serializer errors are followed ("live_stream.start").
_MAX_DEPTH = 4


def _at(body: Any, path: str) -> Any:
    """The value at a dotted ``path`` of ``body`` ("error.fields"); "." is the body itself."""
    if path == ".":
        return body
    for key in path.split("."):
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _texts(value: Any) -> list[str]:
    """A string, or the strings of a list, trimmed; blanks dropped."""
    items = value if isinstance(value, list) else [value]
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def _nested(name: str, value: Any, fields: Fields, depth: int = 0) -> None:
    """Serializer errors (Django REST framework): a field's messages, or a nested object's
    or list's under ``name.key`` and ``name[index]``."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _nested(f"{name}.{key}", item, fields, depth + 1)
    elif isinstance(value, list):
        fields_here = _texts(value)
        if fields_here:
            fields.setdefault(name, []).extend(fields_here)
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                _nested(f"{name}[{index}]", item, fields, depth + 1)
    elif _texts(value):
        fields.setdefault(name, []).extend(_texts(value))


@dataclass(frozen=True)
class ErrorShape:
    """Where an error body keeps its message and its per-field messages; called with a
    body, it returns ``Service.parse_error``'s ``(message, {field: [messages]})``."""

    #: Dotted paths of the message's parts (each a string or a list of strings), in order.
    messages: tuple[str, ...] = ()
    #: Dotted paths of lists of field errors ("." is the body itself, one error): an object
    #: names its field in ``field`` and says ``text`` (the first of those it has); a string
    #: is part of the message.
    items: tuple[str, ...] = ()
    field: str = "field"
    text: tuple[str, ...] = ("message",)
    #: What an item without a message says (None: such an item is skipped).
    no_text: Optional[str] = None
    #: Where an item without a field is filed (None: skipped).
    unnamed: Optional[str] = None
    #: Every other key of the body names a field (serializer errors), except these.
    other_keys_are_fields: bool = False
    not_fields: tuple[str, ...] = ()
    #: The body is one only when it has one of these keys (empty: any object).
    requires: tuple[str, ...] = ()

    def __call__(self, body: Any) -> tuple[Optional[str], Fields]:
        fields: Fields = {}
        if not isinstance(body, dict) or (self.requires and not any(k in body for k in self.requires)):
            return None, fields
        messages: list[str] = []
        for path in self.messages:
            messages += [m for m in _texts(_at(body, path)) if m not in messages]
        for path in self.items:
            found = _at(body, path)
            for item in found if isinstance(found, list) else [found] if isinstance(found, dict) else []:
                messages += _texts(item)
                if isinstance(item, dict):
                    self._item(item, fields)
        if self.other_keys_are_fields:
            for key, value in body.items():
                if key not in self.messages and key not in self.not_fields:
                    _nested(str(key), value, fields)
        return join_messages(messages), fields

    def _item(self, item: dict[str, Any], fields: Fields) -> None:
        said = next((t[0] for t in (_texts(item.get(k)) for k in self.text) if t), self.no_text)
        name = item.get(self.field)
        name = name.strip() if isinstance(name, str) and name.strip() else self.unnamed
        if said and name:
            fields.setdefault(name, []).append(said)
