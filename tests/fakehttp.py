"""A fake HTTP transport: scripted answers, recorded requests, nothing leaves the process.

``FakeTransport`` is a ``requests`` adapter. Script the exchange in order with
``expect(method, url, ...)``; hand ``fake.session()`` to the client under test; read
back ``fake.requests``. A request that does not match the next expectation fails the
test twice over: ``send`` raises ``UnexpectedRequest`` (an ``AssertionError``, which no
client code catches) and ``verify()`` (run by the ``fake_http`` fixture helpers at
teardown) reports it, along with expectations never used.

``block_real_network(monkeypatch)`` makes any request through a real ``HTTPAdapter``
fail the test too, so a client built without the fake session cannot go online.

The ``*_error`` helpers build the exceptions requests really raises (wrapping urllib3's),
with a URL containing ``secret_in_url`` so tests can prove messages never echo it.
"""

from __future__ import annotations

import json as jsonlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

import requests
import requests.adapters
import urllib3.exceptions
from requests.structures import CaseInsensitiveDict

_UNSET: Any = object()


class UnexpectedRequest(AssertionError):
    """A request the test did not script."""


@dataclass
class Expected:
    method: str
    url: str
    status: int = 200
    json: Any = _UNSET
    body: Optional[bytes] = None
    headers: dict[str, str] = field(default_factory=dict)
    raises: Optional[BaseException] = None

    def matches(self, method: str, url: str) -> bool:
        want, got = urlsplit(self.url), urlsplit(url)
        return (
            self.method == method.upper()
            and (want.scheme, want.netloc, want.path) == (got.scheme, got.netloc, got.path)
            and parse_qs(want.query) == parse_qs(got.query)
        )


@dataclass
class Recorded:
    """One request as it would have gone on the wire."""

    method: str
    url: str
    headers: CaseInsensitiveDict
    body: Optional[bytes]
    timeout: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query)

    @property
    def json(self) -> Any:
        return None if self.body is None else jsonlib.loads(self.body)


class FakeTransport(requests.adapters.BaseAdapter):
    """A scripted, recording ``requests`` adapter."""

    def __init__(self) -> None:
        super().__init__()
        self._expected: deque[Expected] = deque()
        self.requests: list[Recorded] = []
        self.unexpected: list[str] = []

    def expect(
        self,
        method: str,
        url: str,
        *,
        status: int = 200,
        json: Any = _UNSET,
        body: Any = None,
        headers: Optional[dict[str, str]] = None,
        raises: Optional[BaseException] = None,
    ) -> Expected:
        """Script the next request and its answer (or the exception it raises)."""
        raw = body.encode() if isinstance(body, str) else body
        exp = Expected(method.upper(), url, status, json, raw, dict(headers or {}), raises)
        self._expected.append(exp)
        return exp

    def session(self) -> requests.Session:
        """A real ``requests.Session`` whose every request comes here."""
        session = requests.Session()
        session.mount("http://", self)
        session.mount("https://", self)
        return session

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        self.requests.append(Recorded(request.method or "", request.url or "",
                                      CaseInsensitiveDict(request.headers), body, timeout))
        if not self._expected or not self._expected[0].matches(request.method or "", request.url or ""):
            wanted = f"{self._expected[0].method} {self._expected[0].url}" if self._expected else "nothing"
            note = f"unexpected {request.method} {request.url} (expected {wanted})"
            self.unexpected.append(note)
            raise UnexpectedRequest(note)
        exp = self._expected.popleft()
        if exp.raises is not None:
            raise exp.raises
        headers = CaseInsensitiveDict(exp.headers)
        content = exp.body or b""
        if exp.json is not _UNSET:
            content = jsonlib.dumps(exp.json).encode()
            headers.setdefault("Content-Type", "application/json")
        response = requests.Response()
        response.status_code = exp.status
        response.headers = headers
        response._content = content
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        response.reason = "scripted"
        response.connection = self
        return response

    def close(self) -> None:
        pass

    @property
    def pending(self) -> list[Expected]:
        return list(self._expected)

    def verify(self) -> None:
        """Fail if any request was unexpected or any expectation went unused."""
        assert not self.unexpected, f"unexpected HTTP requests: {self.unexpected}"
        assert not self._expected, f"expected HTTP requests never made: {[(e.method, e.url) for e in self._expected]}"


def block_real_network(monkeypatch: Any) -> None:
    """Make any request through requests' real adapter fail the test."""

    def refuse(self: Any, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        raise UnexpectedRequest(f"a test tried to reach the network: {request.method} {request.url}")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)


# ---------------------------------------------------------------------------- real exceptions


def connection_refused_error(secret_in_url: str = "") -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens: nothing was sent."""
    reason = urllib3.exceptions.NewConnectionError(
        None, f"Failed to establish a new connection: [Errno 111] Connection refused {secret_in_url}")
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, f"/api?key={secret_in_url}", reason))


def name_resolution_error(secret_in_url: str = "") -> requests.exceptions.ConnectionError:
    reason = urllib3.exceptions.NameResolutionError("api.example", None, OSError("Name or service not known"))
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, f"/api?key={secret_in_url}", reason))


def connect_timeout_error(secret_in_url: str = "") -> requests.exceptions.ConnectTimeout:
    reason = urllib3.exceptions.ConnectTimeoutError(None, f"Connection to host timed out {secret_in_url}")
    return requests.exceptions.ConnectTimeout(
        urllib3.exceptions.MaxRetryError(None, f"/api?key={secret_in_url}", reason))


def connection_reset_error(secret_in_url: str = "") -> requests.exceptions.ConnectionError:
    """The connection died mid-exchange: the request may have reached the server."""
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError(f"Connection aborted. {secret_in_url}",
                                         ConnectionResetError(104, "Connection reset by peer")))


def read_timeout_error(secret_in_url: str = "") -> requests.exceptions.ReadTimeout:
    """Sent, no answer in time: the server may have acted."""
    return requests.exceptions.ReadTimeout(
        urllib3.exceptions.ReadTimeoutError(None, f"/api?key={secret_in_url}", "Read timed out. (read timeout=20)"))


def tls_error(secret_in_url: str = "") -> requests.exceptions.SSLError:
    return requests.exceptions.SSLError(
        urllib3.exceptions.MaxRetryError(None, f"/api?key={secret_in_url}",
                                         urllib3.exceptions.SSLError("certificate verify failed")))
