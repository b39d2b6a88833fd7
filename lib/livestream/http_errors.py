"""How a failed provider request is told to the user: ``error_for_status``, the ONE place
that turns a requests exception, a non-2xx status or an unreadable 2xx body into the
``livestream.errors`` tree, and the ``Service`` that names the provider in it.

Messages name the provider, say what to do, quote the provider's own message (never
secret) and never a credential: they are built from safe parts only (the status, the
parsed error body, the origin, an exception class name; never requests' own exception
text, which carries URLs) and then passed through ``secrets.redact`` as a last line.
Split from ``livestream.http`` (which re-exports these names) so the transport and the
wording of its failures each read as one concern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import requests
import urllib3.exceptions

from . import secrets
from .errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    LivestreamError,
    NoResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderRefusedError,
    ProviderServerError,
    RateLimitedError,
    UnexpectedResponseError,
)
from .retry import ExcKind, is_idempotent, parse_retry_after

Timeout = Union[float, tuple[float, float], None]

_MAX_PROVIDER_MESSAGE = 300

@dataclass(frozen=True)
class Service:
    """How one provider's API is named in messages, and what the user should check."""

    name: str  # "TP Streams"
    credential: str  # "API token": what a 401 rejected
    auth_hint: str  # "check the organization ID and token"
    permission_hint: str  # what to do about a 403
    not_found_hint: str  # what to do about a 404
    base_url_env: str  # the variable that overrides the base URL, for hints
    #: The provider's own reader of its error bodies; None: the generic ``parse_error_body``.
    parse_error: Optional[Callable[[Any], tuple[Optional[str], dict[str, list[str]]]]] = None
    #: ``(status, body) -> True`` when an answer other than 401 means the credentials were
    #: rejected (an API that answers a malformed Authorization header with a 400).
    rejects_credentials: Optional[Callable[[int, Any], bool]] = None
    #: ``(status, body) -> (message, hint)`` where an error body means something the status
    #: alone does not say (Cloudflare's 7003: the account ID is not right); ``{said}`` in the
    #: message is the status and the provider's words. None: the table's words.
    explain: Optional[Callable[[int, Any], Optional[tuple[str, str]]]] = None


class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole request (connect, headers and body) took longer than its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


def classify_exception(exc: BaseException) -> ExcKind:
    """Whether a requests exception happened before anything was sent (see ``retry``)."""
    if isinstance(exc, DeadlineExceeded):
        return ExcKind.TOO_SLOW
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return ExcKind.CONNECT
    if isinstance(exc, requests.exceptions.SSLError):
        return ExcKind.TLS
    if isinstance(exc, requests.exceptions.ProxyError):
        return ExcKind.CONNECTION_LOST  # unknown how far it got: be conservative
    if isinstance(exc, requests.exceptions.Timeout):
        return ExcKind.READ_TIMEOUT
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = _root_reason(exc)
        # urllib3: NewConnectionError (refused, unreachable) and NameResolutionError
        # subclass ConnectTimeoutError; all three mean no connection was made.
        if isinstance(reason, (urllib3.exceptions.ConnectTimeoutError, ConnectionRefusedError)):
            return ExcKind.CONNECT
        return ExcKind.CONNECTION_LOST
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return ExcKind.CONNECTION_LOST
    return ExcKind.OTHER


def _root_reason(exc: BaseException) -> Optional[BaseException]:
    """The urllib3/socket error inside a requests ConnectionError, if any."""
    seen = 0
    current: Optional[BaseException] = exc
    while current is not None and seen < 8:
        seen += 1
        if isinstance(current, urllib3.exceptions.MaxRetryError):
            current = current.reason
            continue
        if isinstance(current, urllib3.exceptions.ProtocolError) and len(current.args) > 1:
            inner = current.args[1]
            current = inner if isinstance(inner, BaseException) else None
            continue
        if isinstance(current, requests.exceptions.RequestException):
            inner = current.args[0] if current.args else None
            current = inner if isinstance(inner, BaseException) else current.__cause__
            continue
        return current
    return current


def parse_error_body(body: Any) -> tuple[Optional[str], dict[str, list[str]]]:
    """The message and per-field messages of an error body in the common JSON shapes.

    The generic reader, for a provider that declares none (``Service.parse_error``):
    a top-level ``detail``, ``message`` or ``title`` string, ``error`` as a string or an
    object with a ``message``, and an ``errors`` list of strings or of objects with a
    ``message`` (and a ``field``). Each provider module reads its own documented shape.
    """
    messages: list[str] = []
    fields: dict[str, list[str]] = {}
    if not isinstance(body, dict):
        return None, fields
    error = body.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    if isinstance(error, str) and error.strip():
        messages.append(error.strip())
    legacy = body.get("errors")
    if isinstance(legacy, list):
        for item in legacy:
            if isinstance(item, dict):
                text = item.get("message") or item.get("msg")
                name = item.get("field") or item.get("param")
                if isinstance(text, str) and text.strip():
                    if name:
                        fields.setdefault(str(name), []).append(text.strip())
                    else:
                        messages.append(text.strip())
            elif isinstance(item, str):
                messages.append(item)
    for key in ("detail", "message", "title"):
        text = body.get(key)
        if isinstance(text, str) and text.strip() and not messages:
            messages.append(text.strip())
    return join_messages(messages), fields


def join_messages(messages: list[str]) -> Optional[str]:
    """Several provider messages as one ("Validation failed: Invalid request")."""
    return ": ".join(m.rstrip(".") for m in messages) or None


def _body_of(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return None


def _short(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    text = " ".join(text.split())
    if len(text) > _MAX_PROVIDER_MESSAGE:
        text = text[: _MAX_PROVIDER_MESSAGE - 1] + "…"
    return secrets.redact(text)


def _exception_reason(exc: BaseException) -> str:
    """A short, URL-free description of a transport failure."""
    reason = _root_reason(exc)
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "the host name did not resolve"
    if isinstance(reason, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)):
        return "the connection was refused or the host is unreachable"
    if isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(
        reason, urllib3.exceptions.ConnectTimeoutError
    ):
        return "the connection timed out"
    name = type(reason).__name__ if reason is not None else type(exc).__name__
    return name


def error_for_status(
    service: Service,
    response: Optional[requests.Response] = None,
    *,
    exc: Optional[BaseException] = None,
    method: str = "GET",
    what: Optional[str] = None,
    detail: Optional[str] = None,
    timeout: Timeout = None,
    origin: Optional[str] = None,
) -> LivestreamError:
    """THE mapping from "what happened on the wire" to a ``livestream.errors`` instance.

    * ``exc``: a requests exception (no answer): ``NoResponseError``, or
      ``ConfigurationError`` for an unusable URL;
    * ``response`` with a non-2xx status: 401 ``AuthenticationError``, 403
      ``PermissionDeniedError``, 404 ``NotFoundError``, 400/409/422
      ``InvalidRequestError`` (with ``field_errors``), other 4xx
      ``ProviderRefusedError``, 429 ``RateLimitedError`` (with ``retry_after``), 5xx
      ``ProviderServerError``, 1xx/3xx ``UnexpectedResponseError``;
    * ``response`` with a 2xx status (and ``detail`` saying what is wrong with its
      body): ``UnexpectedResponseError``.

    ``what`` names the object for a 404 ("live stream 4PtERT9d9uK").
    """
    error = _error_for(service, response, exc=exc, method=method, what=what, detail=detail,
                       timeout=timeout, origin=origin)
    # Last line of defence: no registered secret survives in what the user sees.
    error.message = secrets.redact(error.message)
    if error.hint:
        error.hint = secrets.redact(error.hint)
    error.args = (error.message,)
    return error


#: What a failure without an answer becomes, by how far the request got (``retry.ExcKind``):
#: the error class, its message and hint. ``{name}``, ``{where}``, ``{reason}``, ``{within}``,
#: ``{maybe_done}`` and ``{base_url_env}`` are filled in.
_TRANSPORT_ERRORS: dict[ExcKind, tuple[type[LivestreamError], str, str]] = {
    ExcKind.CONNECT: (NoResponseError, "Could not connect to {name}{where}: {reason}",
                      "check the network connection, and {base_url_env} if you set it"),
    ExcKind.TLS: (NoResponseError, "The secure connection to {name}{where} failed (TLS)",
                  "check the system clock, the certificates and any intercepting proxy"),
    ExcKind.READ_TIMEOUT: (NoResponseError, "{name} did not answer{within}", "{maybe_done}"),
    ExcKind.TOO_SLOW: (NoResponseError, "{name} answered too slowly: the answer was not complete{within}",
                       "{maybe_done}"),
    ExcKind.CONNECTION_LOST: (NoResponseError, "The connection to {name} was lost before it answered ({reason})",
                              "{maybe_done}"),
}
_CONFIG_EXCEPTIONS = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                      requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader)

#: What a refusal becomes, by HTTP status: the error class, its message and hint.
#: ``{name}``, ``{said}`` (status and the provider's message), ``{what}``, ``{listed}``
#: (per-field messages), ``{wait}`` and the ``Service``'s hints are filled in.
_STATUS_ERRORS: dict[int, tuple[type[LivestreamError], str, str]] = {
    401: (AuthenticationError, "{name} rejected the {credential} ({said})", "{auth_hint}"),
    403: (PermissionDeniedError, "{name} refused the request ({said})", "{permission_hint}"),
    404: (NotFoundError, "{name} has no such {what} ({said})", "{not_found_hint}"),
    **dict.fromkeys((400, 409, 422), (InvalidRequestError, "{name} rejected the request ({said}){listed}",
                                      "{fix}")),
    429: (RateLimitedError, "{name} is limiting the rate of requests ({said})", "{wait}"),
}
_SERVER_ERROR = (ProviderServerError, "{name} failed on its side ({said})",
                 "try again in a few minutes; if it persists, check {name}'s status page")
_OTHER_REFUSAL = (ProviderRefusedError, "{name} refused the request ({said})",
                  "the {name} API may have changed: please report it with the log")


def _error_for(
    service: Service,
    response: Optional[requests.Response],
    *,
    exc: Optional[BaseException],
    method: str,
    what: Optional[str],
    detail: Optional[str],
    timeout: Timeout,
    origin: Optional[str],
) -> LivestreamError:
    if response is None:
        return _transport_error(service, exc, method=method, timeout=timeout, origin=origin)
    name, status = service.name, response.status_code
    common: dict[str, Any] = {"provider": name, "status_code": status}
    if 200 <= status < 300:
        return UnexpectedResponseError(
            f"{name} sent an answer obs-livestream does not understand ({detail or 'unexpected body'})",
            hint=f"check that {service.base_url_env} (if set) points at the {name} API; "
            "otherwise the API may have changed: please report it", **common)
    if status < 200 or 300 <= status < 400:
        return UnexpectedResponseError(
            f"{name} answered with an unexpected HTTP {status}",
            hint=f"check {service.base_url_env} if you set it: the base URL should be the API's origin", **common)

    body = _body_of(response)
    provider_message, field_errors = _provider_words(service, body)
    said = f"{status}: {provider_message}" if provider_message else str(status)
    listed = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in field_errors.items())
    retry_after = parse_retry_after(response.headers.get("Retry-After")) if status == 429 else None
    rejected = status == 401 or bool(service.rejects_credentials and service.rejects_credentials(status, body))
    kind = 401 if rejected else status
    cls, message, hint = _STATUS_ERRORS.get(kind) or (_SERVER_ERROR if status >= 500 else _OTHER_REFUSAL)
    values = {
        "name": name, "said": said, "what": what or "object", "credential": service.credential,
        "auth_hint": service.auth_hint, "permission_hint": service.permission_hint,
        "not_found_hint": service.not_found_hint, "listed": f": {listed}" if listed else "",
        "fix": "fix the fields named above and try again" if listed else "check the values sent and try again",
        "wait": f"wait {retry_after:.0f} s and try again" if retry_after is not None else "wait a minute and try again",
    }
    explained = service.explain(status, body) if service.explain else None
    message, hint = explained if explained else (message.format(**values), hint.format(**values))
    extra: dict[str, Any] = {"field_errors": field_errors} if cls is InvalidRequestError else {}
    if cls is RateLimitedError:
        extra["retry_after"] = retry_after
    return cls(message.format(said=said) if explained else message, hint=hint,
               provider_message=provider_message, **extra, **common)


def _provider_words(service: Service, body: Any) -> tuple[Optional[str], dict[str, list[str]]]:
    """The provider's own message and per-field messages of an error body, shortened and redacted."""
    parse = service.parse_error or parse_error_body
    try:
        provider_message, field_errors = parse(body)
    except (TypeError, ValueError, AttributeError, RecursionError):
        provider_message, field_errors = None, {}  # an odd body: the status still says what happened
    fields = {secrets.redact(k): [_short(m) or "" for m in v] for k, v in field_errors.items()}
    return _short(provider_message), fields


def _transport_error(service: Service, exc: Optional[BaseException], *, method: str, timeout: Timeout,
                     origin: Optional[str]) -> LivestreamError:
    """The error for a request that got no answer (``exc`` from requests, or a deadline)."""
    name = service.name
    if isinstance(exc, _CONFIG_EXCEPTIONS):
        return ConfigurationError(
            f"Cannot send a request to {name}: the URL or a header is invalid ({type(exc).__name__})",
            hint=f"check {service.base_url_env} and the credentials for stray characters")
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return UnexpectedResponseError(f"{name} redirected too many times",
                                       hint=f"check {service.base_url_env} if you set it", provider=name)
    kind = classify_exception(exc) if exc is not None else ExcKind.OTHER
    if kind not in _TRANSPORT_ERRORS:
        label = type(exc).__name__ if exc is not None else "unknown error"
        return NoResponseError(f"The request to {name} failed ({label})",
                               hint="try again; if it keeps failing, report it with the log", provider=name)
    cls, message, hint = _TRANSPORT_ERRORS[kind]
    limit = exc.seconds if isinstance(exc, DeadlineExceeded) else (
        timeout[1] if isinstance(timeout, tuple) else timeout)
    values = {
        "name": name, "where": f" at {origin}" if origin else "", "base_url_env": service.base_url_env,
        "reason": _exception_reason(exc) if exc is not None else "unknown",
        "within": f" within {limit:g} s" if isinstance(limit, (int, float)) else " in time",
        "maybe_done": (f"the {method} may still have been carried out: check {name} before repeating it"
                       if not is_idempotent(method) else "check the network connection and try again"),
    }
    extra = {"request_sent": False} if kind is ExcKind.CONNECT else {}
    return cls(message.format(**values), hint=hint.format(**values), provider=name, **extra)
