"""The sandbox's HTTP server (stdlib ``ThreadingHTTPServer``) and its router.

``/_sandbox/...`` goes to the admin API, a provider API's path (each model's
``api_paths``: ``/api/`` TP Streams, ``/v1/`` FastPix, ``/video/`` Mux...) to its model,
everything else to the media server. Faults (``faults.py``) apply to the provider APIs
only: the wait first, then a forced answer, or the real answer spoiled on its way out
(dropped connection, malformed JSON).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from . import media
from .admin import Admin
from .core import Core
from .faults import Action
from .web import Request, Response, text

log = logging.getLogger("livestream_sandbox.http")

#: The largest request body read: API calls send a few hundred bytes, nginx's
#: callbacks a form of a few fields.
MAX_BODY_BYTES = 1024 * 1024


class Router:
    """Picks the handler for a request and applies faults to provider APIs."""

    def __init__(self, core: Core, admin: Admin) -> None:
        self.core = core
        self.admin = admin

    def provider_of(self, path: str) -> Optional[str]:
        """The provider whose API serves ``path`` (each model's ``api_paths``), or None."""
        return next((name for name, model in self.core.models.items() if model.api_paths.match(path)), None)

    def dispatch(self, req: Request) -> tuple[Response, Optional[Action]]:
        if req.path == "/_sandbox" or req.path.startswith("/_sandbox/"):
            return self.admin.handle(req), None
        provider = self.provider_of(req.path)
        if provider is None:
            return media.serve(self.core, req), None
        model = self.core.models[provider]
        delay, action = self.core.faults.take(provider)
        if delay:
            time.sleep(delay)
        if action is not None:
            self.core.event("fault_applied", provider=provider, fault_id=action.fault_id, action=action.kind,
                            status_code=action.status if action.kind == "status" else None,
                            method=req.method, path=req.path)
            if action.kind == "status":
                return model.error_response(action.status, action.retry_after), None
        return model.handle(req), action


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "obs-livestream-sandbox"
    sys_version = ""
    server: SandboxHTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle + delayed ACK adds ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base class signature
        log.debug("%s " + format, self.address_string(), *args)

    def _handle(self) -> None:
        length = self._content_length()
        if length is None:
            return
        body = self.rfile.read(length) if length > 0 else b""
        req = Request.build(self.command, self.path, self.headers, body)
        try:
            response, action = self.server.router.dispatch(req)
        except Exception:
            log.exception("sandbox error on %s %s", self.command, req.path)
            response, action = text(500, "sandbox internal error"), None
        if action is not None and action.kind == "drop":
            self._drop(action.mode, response)
        elif action is not None and action.kind == "drip":
            self._drip(response, action.delay)
        elif action is not None and action.kind == "malformed":
            half = response.body[: max(1, len(response.body) // 2)] if response.body else b'{"detail": '
            self._send(Response(200, half + b"<!-- truncated", "application/json"))
        else:
            self._send(response)

    def _content_length(self) -> Optional[int]:
        """The body length, or None after answering 400 (not a number) or 413 (too big).

        Either way the connection is closed: the unread body would be taken for the
        next request.
        """
        raw = (self.headers.get("Content-Length") or "0").strip()
        if not raw.isdigit():  # also refuses "-1" and "1e9"
            answer = text(400, "Content-Length must be a whole number of bytes")
        elif int(raw) > MAX_BODY_BYTES:
            answer = text(413, f"request bodies are limited to {MAX_BODY_BYTES} bytes")
        else:
            return int(raw)
        self.close_connection = True
        answer.headers["Connection"] = "close"
        self._send(answer)
        return None

    def _send(self, response: Response, *, length: Optional[int] = None) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    def _drip(self, response: Response, delay: float) -> None:
        """The headers at once, then the body one byte every ``delay`` s (faults.py ``drip``),
        until it is all sent or the client hangs up."""
        self.close_connection = True
        body = response.body or b"{}"
        try:
            # Said in the headers: a client that pooled this connection would send its next
            # request down a socket closed under it (a ConnectionError under load).
            headers = {**response.headers, "Connection": "close"}
            self._send(Response(response.status, b"", response.content_type, headers), length=len(body))
            for i in range(len(body)):
                time.sleep(delay)
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
        except OSError:
            pass  # the client gave up (its deadline): what a dripping provider would see

    def _drop(self, mode: str, response: Response) -> None:
        """Close the connection mid-answer (faults.py ``drop``)."""
        if mode == "headers":
            self.wfile.write(b"HTTP/1.1 2")  # a partial status line: the client sees a broken reply
        elif mode == "body":  # the whole headers, a Content-Length the half body never reaches
            body = response.body or b"{}"
            self._send(Response(response.status, body[: max(1, len(body) // 2)]), length=len(body) + 64)
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple, router: Router) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.router = router
        self._thread: Optional[threading.Thread] = None

    def handle_error(self, request: object, client_address: object) -> None:
        # Players (ffprobe, OBS) hang up mid-answer all the time: not worth a traceback.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("client %s went away: %s", client_address, exc)
            return
        log.exception("sandbox HTTP error from %s", client_address)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sandbox-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever for a loop never started
            self.shutdown()
            self._thread.join(2.0)
            self._thread = None
        self.server_close()
