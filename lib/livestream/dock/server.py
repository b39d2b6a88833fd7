"""The status dock's web server: a page, its state feed and three buttons, on loopback.

    server = DockServer(feed, actions={"go_live": ..., "prepare": ..., "end": ...}).start()
    server.url   # http://127.0.0.1:<port>/<token>/  (what the user adds as a browser dock)
    server.stop()

Routes, all under the secret token: ``GET /<token>/`` the page (and its ``dock.css``,
``dock.js``), ``GET /<token>/state`` the view as JSON, ``GET /<token>/events`` the view
as server-sent events (on every change, at least once a second), ``POST
/<token>/action/<go_live|prepare|end>``, ``GET /<token>/metrics`` for Prometheus
(``metrics.py``; also ``GET /metrics`` with ``Authorization: Bearer <token>``, which is
what Prometheus's ``authorization`` scrape setting sends).

Who may talk to it (anything else gets 403): only loopback (it binds 127.0.0.1 unless the
user chose every interface, ``bind="0.0.0.0"``, for a central Prometheus: then any ``Host``
is taken but the token is still required on every path and the buttons answer only to
loopback clients); only
requests carrying the token (an unguessable ``secrets.token_urlsafe``), so another
local user or a web page cannot guess the URL; only ``Host: 127.0.0.1:<port>`` or
``localhost:<port>``, so a DNS-rebinding page (evil.example resolving to 127.0.0.1) is
refused; and an ``Origin``, when a browser sends one, must be this server itself, so
no other site can press the buttons. Replies forbid caching, framing and referrers
(the token must not leak through a link the page opens).

The server runs on its own daemon threads (``ThreadingHTTPServer``, at most
``MAX_CONNECTIONS``, each closed after ``IDLE_TIMEOUT`` of silence) and only calls the
``actions`` it was given, which post to the controller's inbox; it never calls obspython.
The port and token are kept in the state folder, so the URL the user pasted once into
OBS stays valid across restarts (a new port only if the old one is taken).
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets as token_source
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from .. import paths, secrets
from . import metrics
from .feed import DockFeed

log = logging.getLogger("livestream.dock")

HOST = "127.0.0.1"
#: The settings' choices (``dock_bind``): loopback only, or every interface for a central Prometheus.
BIND_CHOICES = {"127.0.0.1": "This computer only (127.0.0.1)",
                "0.0.0.0": "Every network interface (for a central Prometheus): token still required"}
ADDRESS_FILE = "dock.json"
STATIC = Path(__file__).with_name("static")
FILES = {"": ("dock.html", "text/html; charset=utf-8"), "dock.css": ("dock.css", "text/css; charset=utf-8"),
         "dock.js": ("dock.js", "text/javascript; charset=utf-8")}
HEARTBEAT = 1.0  # seconds between events when nothing changes: the page's clock and health stay fresh
# A connection that sends nothing (or cannot take the answer) for this long is closed:
# an idle socket needs no token, so without it each held a thread for ever.
IDLE_TIMEOUT = 10.0
MAX_CONNECTIONS = 32  # a dock or two, a browser tab, a poller: far below what a thread flood needs
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}

Actions = Mapping[str, Callable[[], None]]


def load_address(path: Path) -> tuple[Optional[int], Optional[str]]:
    """The port and token saved by an earlier run, or (None, None)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        port, token = int(data["port"]), str(data["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    return (port if 0 < port < 65536 else None), (token if len(token) >= 32 else None)


class _Server(ThreadingHTTPServer):
    """At most ``MAX_CONNECTIONS`` at once, each on its own thread: one more is closed at
    once, so 1,500 idle sockets cannot become 1,500 threads in OBS's process, and the
    accept loop never waits for a slot (a stuck client cannot block the others)."""

    daemon_threads = True
    allow_reuse_address = True  # rebind the same port right after a script reload

    dock: DockServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            log.debug("The status dock has %d connections open: closing one more", MAX_CONNECTIONS)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class DockServer:
    """The dock's HTTP server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, feed: DockFeed, actions: Actions, *, state_dir: Optional[Path] = None,
                 port: Optional[int] = None, token: Optional[str] = None, bind: str = HOST) -> None:
        if bind not in BIND_CHOICES:
            raise ValueError(f"the dock binds to one of {', '.join(BIND_CHOICES)}, not {bind!r}")
        self.bind = bind
        self.feed = feed
        self.actions = dict(actions)
        self._address_file = (state_dir or paths.state_dir()) / ADDRESS_FILE
        self._wanted_port = port
        self.token = token or ""
        self.port = 0
        self._httpd: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/{self.token}/"

    @property
    def beyond_loopback(self) -> bool:
        """Bound to every interface: others on the network can reach it (with the token)."""
        return self.bind != HOST

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> DockServer:
        """Bind (the saved port if free) and serve on a daemon thread; OSError if it cannot bind."""
        saved_port, saved_token = load_address(self._address_file)
        self.token = self.token or saved_token or token_source.token_urlsafe(32)
        secrets.register(self.token)  # logs and messages never show it
        port = self._wanted_port if self._wanted_port is not None else saved_port or 0
        try:
            httpd = _Server((self.bind, port), _Handler)
        except OSError:
            if port == 0:
                raise
            log.info("The status dock's port %s is taken: using another; the dock URL changes", port)
            httpd = _Server((self.bind, 0), _Handler)
        httpd.dock = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        if (self.port, self.token) != (saved_port, saved_token):
            try:
                paths.write_private(self._address_file, json.dumps({"port": self.port, "token": self.token}))
            except OSError as exc:  # the dock still works; its URL just changes next time
                log.warning("Could not save the status dock's address: %s", exc)
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.25},
                                        name="obs-livestream-dock", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (waits at most about a quarter second)."""
        self.feed.close()  # ends open event streams
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)

    # --- the checks -----------------------------------------------------------

    def allowed_hosts(self) -> set[str]:
        return {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    def refusal(self, path: str, headers: Mapping[str, str], *, method: str = "GET",
                client: str = HOST) -> Optional[str]:
        """Why a request is refused (for the 403 body), or None if it may proceed.

        Bound beyond loopback, a scraper names this computer as it knows it (its LAN
        address or host name), so any ``Host`` is taken, an ``Origin`` must still be that
        same host, and the buttons answer only to this computer (a ``client`` on loopback)."""
        host = (headers.get("Host") or "").lower()
        if self.beyond_loopback:
            if method == "POST" and not client.startswith("127."):
                return "the buttons work only from this computer"
            allowed = {host} if host else set()
        elif host not in self.allowed_hosts():
            return "wrong Host header"
        else:
            allowed = self.allowed_hosts()
        origin = headers.get("Origin")
        if origin is not None and origin.lower() not in {f"http://{h}" for h in allowed}:
            return "cross-origin request"
        if (headers.get("Sec-Fetch-Site") or "same-origin") not in ("same-origin", "none"):
            return "cross-site request"
        token = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
        if token == "metrics":  # Prometheus: the token comes in the Authorization header
            scheme, _, token = (headers.get("Authorization") or "").partition(" ")
            token = token.strip() if scheme.lower() == "bearer" else ""
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return "missing or wrong token"
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "obs-livestream-dock"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = IDLE_TIMEOUT  # the socket's timeout for every read and write (StreamRequestHandler)
        super().setup()

    # --- dispatch ---------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        rest = self._checked_rest()
        if rest is None:
            return
        if rest is _NO_SLASH:
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", {"Location": f"/{self.server.dock.token}/"})
        elif rest in FILES:
            name, kind = FILES[rest]
            self._send(HTTPStatus.OK, (STATIC / name).read_bytes(), kind)
        elif rest == "state":
            _, view = self.server.dock.feed.latest()
            self._send(HTTPStatus.OK, json.dumps(view).encode(), "application/json")
        elif rest == "events":
            self._events()
        elif rest == "metrics":
            _, view = self.server.dock.feed.latest()
            self._send(HTTPStatus.OK, metrics.render(view), metrics.CONTENT_TYPE)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        rest = self._checked_rest()
        if rest is None:
            return
        name = rest[len("action/"):] if isinstance(rest, str) and rest.startswith("action/") else None
        action = self.server.dock.actions.get(name) if name else None
        if action is None:
            self._send(HTTPStatus.NOT_FOUND, b'{"error": "no such action"}', "application/json")
            return
        try:
            action()
        except Exception:  # the button reports failure; the details go to the script log
            log.exception("The status dock's %s action failed", name)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b'{"error": "action failed"}', "application/json")
            return
        self._send(HTTPStatus.ACCEPTED, json.dumps({"accepted": name}).encode(), "application/json")

    def do_PUT(self) -> None:  # noqa: N802
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain")

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT  # noqa: N815 - no CORS pre-flight: nothing cross-origin

    # --- helpers -----------------------------------------------------------------

    def _checked_rest(self) -> Any:
        """The path after the token, or None after answering 403."""
        reason = self.server.dock.refusal(self.path, self.headers, method=self.command,
                                          client=str(self.client_address[0]))
        if reason is not None:
            self._send(HTTPStatus.FORBIDDEN, f"forbidden: {reason}".encode(), "text/plain")
            return None
        path = self.path.split("?", 1)[0].lstrip("/")
        if path == "metrics":
            return "metrics"
        if "/" not in path:
            return _NO_SLASH
        return path.split("/", 1)[1]

    def _send(self, status: HTTPStatus, body: bytes, kind: str, extra: Optional[Mapping[str, str]] = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the view now, then on every change and at least every second."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        feed = self.server.dock.feed
        version, view = feed.latest()
        try:
            while not feed.closed:
                self.wfile.write(b"data: " + json.dumps(view).encode() + b"\n\n")
                self.wfile.flush()
                version, view = feed.wait(version, HEARTBEAT)
        except OSError:  # the page went away
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        # The request line holds the token: log nothing per request (secrets.redact would
        # mask it, but the script log has no use for a line per poll either).
        return


_NO_SLASH = object()
