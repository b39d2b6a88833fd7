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

``error_for_status`` (in ``livestream.http_errors``, re-exported here with ``Service``)
is the ONE place that turns a requests exception, a non-2xx status or an unreadable 2xx
body into the ``livestream.errors`` tree.
"""

from __future__ import annotations

import itertools
import logging
import random
import socket
import threading
import time
from typing import Any, Callable, Mapping, Optional, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from pydantic import BaseModel, ValidationError

from . import USER_AGENT, secrets
from .errors import ConfigurationError, LivestreamError
from .http_errors import (  # noqa: F401 - re-exported: callers import them from here
    DeadlineExceeded,
    Service,
    Timeout,
    classify_exception,
    error_for_status,
    join_messages,
    parse_error_body,
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

#: The largest answer read from a provider. Real answers are a few kilobytes (a list
#: page of 50 streams is well under 1 MiB); reading a runaway answer whole would fill
#: OBS's memory. Decompressed bytes count, so a gzip bomb stops here too.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024



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
        return self.validated(response, model, self.json_of(response))

    def validated(self, response: requests.Response, model: type[ModelT], data: Any) -> ModelT:
        """``data`` (a part of ``response``'s body: an envelope's ``data``) as ``model``, or
        the unexpected-answer error naming the fields."""
        try:
            return model.model_validate(data)
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
