"""Tiny request/response types shared by the sandbox's route handlers (no framework)."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional


class BadBody(ValueError):
    """The request body is not valid JSON (or form data)."""


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: Mapping[str, str]
    body: bytes = b""

    @classmethod
    def build(cls, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Request:
        parts = urllib.parse.urlsplit(target)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items()}
        return cls(method.upper(), urllib.parse.unquote(parts.path), query, headers, body)

    def header(self, name: str, default: str = "") -> str:
        value = self.headers.get(name)
        return default if value is None else str(value)

    def data(self) -> Any:
        """The body as JSON, or as a dict if form-encoded; ``{}`` when empty."""
        if not self.body.strip():
            return {}
        ctype = self.header("Content-Type").split(";")[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded":
            return {k: v[-1] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8", "replace")).items()}
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadBody(str(exc)) from None

    def integer(self, name: str, default: int, low: int, high: Optional[int] = None) -> Optional[int]:
        """The query's whole number ``name`` (``default`` when absent); None if not one from low to high."""
        raw = self.query.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            return None
        return value if value >= low and (high is None or value <= high) else None

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true", "yes", "on")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: Optional[str] = "application/json"
    headers: dict = field(default_factory=dict)


def json_response(status: int, obj: Any, headers: Optional[dict] = None) -> Response:
    return Response(status, json.dumps(obj).encode("utf-8"), "application/json", dict(headers or {}))


def empty(status: int = 204) -> Response:
    return Response(status, b"", None)


def text(status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(status, body.encode("utf-8"), content_type)
