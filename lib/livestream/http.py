"""The HTTP layer every provider shares: one session, timeouts, retries, one error mapping.

``HttpClient`` wraps one ``requests.Session`` per provider client:

* the base URL is the service's origin (``https://app.tpstreams.com``), optionally
  with a path prefix (a sandbox may serve several APIs on one port); providers append
  their documented paths to it;
* every call has a connect and a read timeout (``DEFAULT_TIMEOUT``), sends
  ``User-Agent: obs-livestream/<version>`` and speaks JSON;
* failed calls are retried according to ``livestream.retry`` (idempotent methods on
  transport errors, 429 and 5xx; anything on a connect error that provably sent
  nothing), sleeping through an injectable ``sleep`` so tests are instant;
* redirects are not followed: requests would turn a redirected POST into a GET and
  drop the Authorization header on a cross-host hop, silently. A 3xx means the base
  URL is wrong, and the user is told so;
* a DELETE retried after an attempt that may have reached the server, and then
  answered 404, counts as done: the earlier attempt deleted it.

The transport seam is the session: pass ``session=`` a ``requests.Session`` with a
fake adapter mounted (``tests/fakehttp.py``) and no request leaves the process.

``error_for_status`` is the ONE place that turns a requests exception, a non-2xx
status or an unreadable 2xx body into the ``livestream.errors`` tree. Messages name
the provider, say what to do, quote the provider's own message (never secret) and
never a credential: they are built from safe parts only (the status, the parsed error
body, the origin, an exception class name; never requests' own exception text, which
carries URLs) and then passed through ``secrets.redact`` as a last line.
"""

from __future__ import annotations

import itertools
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, TypeVar, Union
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from pydantic import BaseModel, ValidationError

from . import USER_AGENT, secrets
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
from .retry import DEFAULT_POLICY, ExcKind, RetryPolicy, backoff_delay, is_idempotent, parse_retry_after, should_retry

log = logging.getLogger(__name__)

#: (connect, read) seconds. TP Streams answers a create in about a second; 20 s of
#: read time is generous without freezing the go-live flow for minutes.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)
#: Seconds for one whole attempt: connect, headers and the entire body. requests' read
#: timeout restarts with every byte received, so a provider that drips its answer one
#: byte at a time would otherwise hold a request (and the go-live) for as long as it likes.
DEFAULT_DEADLINE = 30.0
Timeout = Union[float, tuple[float, float], None]

_MAX_PROVIDER_MESSAGE = 300

#: The largest answer read from a provider. Real answers are a few kilobytes (a list
#: page of 50 streams is well under 1 MiB); reading a runaway answer whole would fill
#: OBS's memory. Decompressed bytes count, so a gzip bomb stops here too.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024


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


# --------------------------------------------------------------------------- base URL


def resolve_base_url(
    explicit: Optional[str], *, env_name: str, default: str, environ: Mapping[str, str], service: str
) -> str:
    """The base URL to use: the explicit one, else ``environ[env_name]``, else ``default``."""
    raw = explicit if explicit else (environ.get(env_name) or default)
    return normalize_base_url(raw, env_name=env_name, service=service)


def normalize_base_url(url: str, *, env_name: str, service: str) -> str:
    """``url`` without a trailing slash, after checking it is an http(s) URL with a host."""
    parts = urlsplit(str(url).strip())
    try:
        parts.port  # noqa: B018 - raises ValueError for ":99999" or ":abc"
    except ValueError:
        raise ConfigurationError(
            f"The {service} base URL {secrets.redact(url)!r} has an invalid port",
            hint=f"use a port from 1 to 65535 in {env_name} (or the base URL setting), e.g. http://127.0.0.1:8080",
        ) from None
    if "@" in parts.netloc:
        raise ConfigurationError(
            f"The {service} base URL must not contain credentials",
            hint=f"remove the user:password@ part from {env_name}; credentials have their own settings",
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"The {service} base URL {secrets.redact(url)!r} is not an http(s) URL",
            hint=f"set {env_name} (or the base URL setting) to e.g. https://host:port, or unset it",
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (never a path, a query or user info)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


# --------------------------------------------------------------------------- input models


def coerce_model(model: type[BaseModel], value: Any, *, what: str,
                 field_names: Optional[Mapping[str, str]] = None) -> BaseModel:
    """Validate credentials or options (a model, a mapping or None) into ``model``.

    A validation failure becomes ``ConfigurationError`` naming the fields (as
    ``field_names`` calls them, e.g. the environment variable); pydantic's own text is
    not used because it echoes the input value, which may be a secret.
    """
    if isinstance(value, model):
        return value
    if value is None:
        value = {}
    elif isinstance(value, BaseModel):
        value = value.model_dump()
    try:
        return model.model_validate(dict(value))
    except ValidationError as exc:
        names = field_names or {}
        problems = "; ".join(
            f"{names.get('.'.join(str(p) for p in err['loc']), '.'.join(str(p) for p in err['loc'])) or 'value'}: "
            f"{validation_message(err)}" for err in exc.errors()
        )
        raise ConfigurationError(f"Invalid {what}", hint=secrets.redact(problems)) from None
    except (TypeError, ValueError):
        raise ConfigurationError(f"Invalid {what}", hint="expected a mapping of names to values") from None


def validation_message(error: Mapping[str, Any]) -> str:
    """pydantic's message for one error, without its "Value error, " prefix (never the input)."""
    message = str(error.get("msg") or "invalid")
    return message[len("Value error, "):] if message.startswith("Value error, ") else message


# --------------------------------------------------------------------------- errors


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


class ResponseTooLarge(Exception):
    """An answer longer than the cap (internal: becomes ``UnexpectedResponseError``)."""


def read_capped(response: requests.Response, limit: int, *, stop: Callable[[], bool] = lambda: False) -> None:
    """Load a streamed response's body, at most ``limit`` bytes; ``ResponseTooLarge`` beyond.

    The client asks requests for ``stream=True`` so nothing is read before this; the
    body then sits in ``response.content`` as if requests had read it (requests itself
    fills the same attribute from the same iterator). A response whose body is already
    loaded (a test double) is only measured.
    """
    if response._content is not False:  # already read
        response._content_consumed = True
        if len(response._content or b"") > limit:
            raise ResponseTooLarge
        return
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLarge
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(_CHUNK):
        if stop():  # the caller gave up on this answer (its deadline passed)
            response.close()
            return
        total += len(chunk)
        if total > limit:
            response.close()
            raise ResponseTooLarge
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True


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


# --------------------------------------------------------------------------- client


def _interrupt(response: requests.Response) -> None:
    """Wake a helper thread blocked reading ``response``: shut its socket down.

    Not ``response.close()``: that waits for the reader's buffer lock, held by the very
    read it should end. Where the socket cannot be found (a test double), the helper
    thread ends by itself at its next read timeout.
    """
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass

ModelT = TypeVar("ModelT", bound=BaseModel)
ResultT = TypeVar("ResultT")


def wire_problem(exc: ValidationError) -> str:
    """What is wrong with an answer, naming fields only (never a value: it may be a key)."""
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "the body"
        problems.append(f"{where}: {error.get('type', 'invalid')}")
    return "; ".join(problems) or "the body: invalid"


class HttpClient:
    """One provider's HTTP client: a session, a base URL, retries and error mapping."""

    def __init__(
        self,
        service: Service,
        base_url: str,
        *,
        session: Optional[requests.Session] = None,
        timeout: Timeout = None,
        sleep: Optional[Callable[[float], None]] = None,
        rng: Optional[random.Random] = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        auth: Optional[requests.auth.AuthBase] = None,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        self.service = service
        self.deadline = deadline
        self.base_url = normalize_base_url(base_url, env_name=service.base_url_env, service=service.name)
        self.origin = origin_of(self.base_url)
        self.session = session if session is not None else requests.Session()
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        self.timeout: tuple[float, float] = timeout if isinstance(timeout, tuple) else (float(timeout),) * 2
        self._sleep = sleep if sleep is not None else time.sleep
        self._rng = rng if rng is not None else random.Random()
        self.policy = policy
        self.auth = auth
        self.max_response_bytes = MAX_RESPONSE_BYTES
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}

    def __repr__(self) -> str:
        return f"HttpClient({self.service.name!r}, {self.base_url!r})"

    def url(self, path: str) -> str:
        """The absolute URL of a documented path ("/v1/live/streams")."""
        return self.base_url + "/" + path.lstrip("/")

    def rebase(self, url: str) -> str:
        """A URL the provider sent (a ``next`` page), moved onto the configured base URL.

        Providers build absolute links from their public host; behind a sandbox, a
        proxy or a test double those must be followed on the configured base, never
        on a host the user did not choose (it would also receive the credentials).
        """
        absolute = urljoin(self.base_url + "/", url)
        parts = urlsplit(absolute)
        base = urlsplit(self.base_url)
        path = parts.path
        if base.path and path.startswith(base.path + "/"):
            path = path[len(base.path):]  # already under the prefix
        return urlunsplit((base.scheme, base.netloc, base.path + path, parts.query, ""))

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        idempotent: Optional[bool] = None,
        what: Optional[str] = None,
        auth: Optional[requests.auth.AuthBase] = None,
    ) -> requests.Response:
        """Send one logical request (with retries); return a 2xx response or raise.

        ``path`` is a documented path or an absolute URL already on the base (see
        ``rebase``). ``idempotent`` defaults to the method's HTTP semantics.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = is_idempotent(method)
        url = path if path.startswith(("http://", "https://")) else self.url(path)
        shown = urlsplit(url).path  # what logs show: no host, no query
        maybe_delivered = False
        for attempt in itertools.count():
            started = time.monotonic()
            try:
                response, too_large = self._attempt(method, url, json=json, params=params, auth=auth or self.auth)
            except requests.RequestException as exc:
                kind = classify_exception(exc)
                maybe_delivered = maybe_delivered or kind in (ExcKind.READ_TIMEOUT, ExcKind.TOO_SLOW,
                                                          ExcKind.CONNECTION_LOST)
                if should_retry(method, None, kind, attempt, idempotent, policy=self.policy):
                    self._pause(attempt, None, f"{method} {shown} failed ({kind.value})")
                    continue
                raise self._error(None, exc=exc, method=method, what=what) from None
            status = response.status_code
            log.debug("%s %s -> %s in %.2f s", method, secrets.redact(shown), status,
                      time.monotonic() - started)
            if too_large:
                if 200 <= status < 300:
                    raise self.unexpected(response, f"an answer larger than {self.max_response_bytes // 2**20} MiB")
                response._content = b""  # the status alone says what went wrong
            if 200 <= status < 300:
                return response
            if method == "DELETE" and status == 404 and maybe_delivered:
                log.info("%s: DELETE %s answered 404 after a retry: an earlier attempt deleted it",
                         self.service.name, secrets.redact(shown))
                return response
            maybe_delivered = True
            retry_after = parse_retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
            too_long = retry_after is not None and retry_after > self.policy.max_retry_after
            if not too_long and should_retry(method, status, None, attempt, idempotent, policy=self.policy):
                response.close()
                self._pause(attempt, retry_after, f"{method} {shown} answered {status}")
                continue
            raise self._error(response, method=method, what=what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, url: str, **kwargs: Any) -> tuple[requests.Response, bool]:
        """One attempt, whole (connect, headers, body), within ``deadline`` seconds.

        It runs on a helper thread that the caller waits for against a monotonic
        deadline: requests' timeouts apply per socket operation, so only a watch from
        outside can bound a drip. A late attempt is abandoned (its connection closed as
        soon as its answer is in hand) and ``DeadlineExceeded`` raised.
        """
        outcome: dict[str, Any] = {}
        done = threading.Event()
        abandoned = threading.Event()

        def run() -> None:
            try:
                response = self.session.request(method, url, headers=self._headers, timeout=self.timeout,
                                                allow_redirects=False, stream=True, **kwargs)
                outcome["response"] = response
                try:
                    read_capped(response, self.max_response_bytes, stop=abandoned.is_set)
                    outcome["too_large"] = False
                except ResponseTooLarge:
                    outcome["too_large"] = True
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                outcome["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=run, name="livestream-http", daemon=True)
        worker.start()
        if not done.wait(self.deadline):
            abandoned.set()
            late = outcome.get("response")
            if late is not None:
                _interrupt(late)
            raise DeadlineExceeded(self.deadline)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["response"], outcome["too_large"]

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request`` and decode its JSON body (``UnexpectedResponseError`` if it is not JSON)."""
        return self.json_of(self.request(method, path, **kwargs))

    def request_model(self, method: str, path: str, model: type[ModelT], **kwargs: Any) -> ModelT:
        """``request`` and validate its JSON body into ``model`` (what streamlink's
        ``schema=`` does); ``UnexpectedResponseError`` names the fields, never a value."""
        return self.model_of(self.request(method, path, **kwargs), model)

    def model_of(self, response: requests.Response, model: type[ModelT]) -> ModelT:
        """The JSON body of a 2xx ``response`` as ``model``, or the unexpected-answer error."""
        try:
            return model.model_validate(self.json_of(response))
        except ValidationError as exc:
            raise self.unexpected(response, wire_problem(exc)) from None

    def parsed(self, response: requests.Response, parse: Callable[..., ResultT], *args: Any, **kwargs: Any) -> ResultT:
        """``parse(*args, **kwargs)`` on data from ``response``; the ``ValueError`` a
        provider's parser raises for a body the docs do not describe becomes the
        unexpected-answer error (one place, not one ``try`` per provider)."""
        try:
            return parse(*args, **kwargs)
        except ValueError as exc:
            raise self.unexpected(response, str(exc)) from None

    def unwrap(self, response: requests.Response, envelope: type[BaseModel], field: str, *,
               shape: str, failed: str, want: type = dict) -> Any:
        """``field`` of the JSON envelope a 2xx ``response`` carries (FastPix's
        ``{success, data}``, Cloudflare's ``{success, result}``): no such envelope is
        ``no <shape> envelope``, ``success: false`` is ``failed``, and a ``field`` that
        is not a ``want`` (an object or a list) says so."""
        try:
            body = envelope.model_validate(self.json_of(response))
        except ValidationError:
            raise self.unexpected(response, f"no {shape} envelope") from None
        if getattr(body, "success", None) is False:
            raise self.unexpected(response, failed)
        value = getattr(body, field)
        if not isinstance(value, want):
            raise self.unexpected(response, f"'{field}' is not a JSON {'list' if want is list else 'object'}")
        return value

    def json_of(self, response: requests.Response) -> Any:
        """The decoded JSON body of a 2xx response."""
        if not response.content:
            raise self.unexpected(response, "an empty body where JSON was expected")
        try:
            return response.json()
        except ValueError:
            raise self.unexpected(response, "a body that is not JSON") from None
        except RecursionError:
            raise self.unexpected(response, "JSON nested too deeply") from None

    def unexpected(self, response: requests.Response, detail: str) -> LivestreamError:
        """The error for a 2xx answer whose body is not what the docs describe."""
        return error_for_status(self.service, response, detail=detail, origin=self.origin)

    def close(self) -> None:
        self.session.close()

    def _error(self, response: Optional[requests.Response], **kwargs: Any) -> LivestreamError:
        return error_for_status(self.service, response, timeout=self.timeout, origin=self.origin, **kwargs)

    def _pause(self, attempt: int, retry_after: Optional[float], why: str) -> None:
        delay = backoff_delay(attempt, retry_after, self._rng, policy=self.policy)
        log.warning("%s: %s; retrying in %.1f s (retry %d of %d)", self.service.name, secrets.redact(why),
                    delay, attempt + 1, self.policy.max_retries)
        self._sleep(delay)
