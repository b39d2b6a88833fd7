"""obs-websocket 5 spoken over websocket-client: the handshake, requests by id, the receive loop.

The protocol is public, obs-websocket's ``docs/generated/protocol.md``
(https://github.com/obsproject/obs-websocket/blob/5.1.0/docs/generated/protocol.md): Hello (op 0),
Identify (op 1) with ``rpcVersion`` 1, ``eventSubscriptions`` and the authentication string,
Identified (op 2), Event (op 5), Request (op 6), RequestResponse (op 7).

It is spoken here, over ``websocket-client`` (a declared dependency), because obs-websocket-py 1.0's
public API cannot do what an unattended client needs
(https://github.com/Elektordi/obs-websocket-py/blob/1.0/obswebsocket/core.py): ``connect()`` has no
socket timeout, ``call()`` drops ``requestStatus.code`` / ``comment``, a wrong password is "Empty
response to Identify" instead of close code 4009, Hello's ``obsStudioVersion`` is dropped, and
``_auth`` logs the Identify message, authentication string included, at DEBUG.

Secrets: the password is only used to build the authentication string, which is registered with
``livestream.secrets``. websocket-client prints frames only when ``websocket.enableTrace(True)`` was
called (off by default, never called here); its logger masks registered secrets even then.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import socket
import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

import websocket

from .. import secrets
from ..errors import ConfigurationError

LOG = logging.getLogger(__name__)
logging.getLogger("websocket").addFilter(secrets.RedactingFilter())

DEFAULT_PORT = 4455
DEFAULT_URL = f"ws://localhost:{DEFAULT_PORT}"
RPC_VERSION = 1
# EventSubscription::All: every category except the high-volume ones.
EVENT_SUBSCRIPTIONS_ALL = 1023
# WebSocketOpCode
OP_HELLO, OP_IDENTIFY, OP_IDENTIFIED, OP_EVENT, OP_REQUEST, OP_REQUEST_RESPONSE = 0, 1, 2, 5, 6, 7
# WebSocketCloseCode: why obs-websocket closed the connection.
CLOSE_AUTHENTICATION_FAILED = 4009
CLOSE_UNSUPPORTED_RPC_VERSION = 4010

# ObsOutputState, the outputState of StreamStateChanged.
OUTPUT_STARTING = "OBS_WEBSOCKET_OUTPUT_STARTING"
OUTPUT_STARTED = "OBS_WEBSOCKET_OUTPUT_STARTED"
OUTPUT_STOPPING = "OBS_WEBSOCKET_OUTPUT_STOPPING"
OUTPUT_STOPPED = "OBS_WEBSOCKET_OUTPUT_STOPPED"
OUTPUT_RECONNECTING = "OBS_WEBSOCKET_OUTPUT_RECONNECTING"
OUTPUT_RECONNECTED = "OBS_WEBSOCKET_OUTPUT_RECONNECTED"

# RequestStatus codes.
REQUEST_STATUS: Dict[int, str] = {
    100: "Success", 203: "MissingRequestType", 204: "UnknownRequestType", 205: "GenericError",
    206: "UnsupportedRequestBatchExecutionType", 207: "NotReady",
    300: "MissingRequestField", 301: "MissingRequestData",
    400: "InvalidRequestField", 401: "InvalidRequestFieldType", 402: "RequestFieldOutOfRange",
    403: "RequestFieldEmpty", 404: "TooManyRequestFields",
    500: "OutputRunning", 501: "OutputNotRunning", 502: "OutputPaused", 503: "OutputNotPaused",
    504: "OutputDisabled", 505: "StudioModeActive", 506: "StudioModeNotActive",
    600: "ResourceNotFound", 601: "ResourceAlreadyExists", 602: "InvalidResourceType",
    603: "NotEnoughResources", 604: "InvalidResourceState", 605: "InvalidInputKind",
    606: "ResourceNotConfigurable", 607: "InvalidFilterKind",
    700: "ResourceCreationFailed", 701: "ResourceActionFailed", 702: "RequestProcessingFailed",
    703: "CannotAct",
}

WHERE_TO_LOOK = (
    "is OBS running? In OBS open Tools > WebSocket Server Settings, tick 'Enable WebSocket server' "
    "and check the server port (default 4455) and any firewall"
)
PASSWORD_HINT = "check the password in OBS under Tools > WebSocket Server Settings > Show Connect Info"
BUSY_HINT = "OBS may be busy or frozen (an open dialog?)"
V5_HINT = "this needs obs-websocket 5 (OBS 28 or newer)"


class HandshakeError(Exception):
    """Connecting or identifying failed: what happened (no secret in it) and what to do."""

    def __init__(self, message: str, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_url(url: str) -> Tuple[str, int]:
    """``(host, port)`` from ``ws://host:port``, ``host:port`` or ``host`` (port 4455)."""
    text = (url or "").strip()
    if not text:
        raise ConfigurationError("the obs-websocket URL is empty", hint=f"use e.g. {DEFAULT_URL}")
    if "://" not in text:
        text = "ws://" + text
    parts = urlsplit(text)
    if parts.scheme == "wss":
        raise ConfigurationError(f"obs-websocket URL {url!r} uses wss://", hint="obs-websocket serves plain ws:// only")
    if parts.scheme != "ws" or not parts.hostname:
        raise ConfigurationError(f"not an obs-websocket URL: {url!r}", hint=f"use e.g. {DEFAULT_URL}")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise ConfigurationError(f"bad port in obs-websocket URL {url!r}") from exc
    return parts.hostname, port


def ws_url(host: str, port: int) -> str:
    """The ``ws://`` URL of a host and port (an IPv6 address in brackets)."""
    return f"ws://[{host}]:{port}" if ":" in host else f"ws://{host}:{port}"


def auth_string(password: str, salt: str, challenge: str) -> str:
    """Identify's ``authentication``: base64(sha256(base64(sha256(password + salt)) + challenge))."""
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest())
    return base64.b64encode(hashlib.sha256(secret + challenge.encode()).digest()).decode()


class Connection:
    """One identified obs-websocket 5 session.

    ``open()`` runs the handshake with socket timeouts and an overall deadline. A receive
    thread then hands each RequestResponse to the ``request()`` waiting for its id and each
    Event to ``on_event(name, data)``, which must only store and return (it runs on that
    thread); ``on_lost()`` is called once when the loop ends, however it ends.
    """

    def __init__(self, host: str, port: int, *, on_event: Callable[[str, Dict[str, Any]], None],
                 on_lost: Callable[[], None]) -> None:
        self.url = ws_url(host, port)
        self.server_version: Optional[str] = None
        self.obs_studio_version: Optional[str] = None  # in Hello since obs-websocket 5.6
        self.lost = False
        self._on_event = on_event
        self._on_lost = on_lost
        self._ws = websocket.WebSocket(enable_multithread=True)
        self._id_lock = threading.Lock()
        self._next_id = 0
        self._pending: Dict[str, List[Any]] = {}  # requestId -> [answered Event, response d]
        self._thread: Optional[threading.Thread] = None
        self._closing = False

    def __repr__(self) -> str:
        return f"<obs-websocket connection {self.url}>"

    @property
    def running(self) -> bool:
        """True from a successful ``open()`` until the connection is lost or closed."""
        return self._thread is not None and not self.lost

    # -- connecting -------------------------------------------------------------------
    def open(self, password: str, timeout: float, event_subscriptions: int) -> None:
        """Connect and identify within ``timeout`` seconds (DNS included), or raise HandshakeError."""
        outcome: Dict[str, BaseException] = {}
        cancelled = threading.Event()

        def attempt() -> None:
            try:
                self._handshake(password, timeout, event_subscriptions)
            except BaseException as exc:
                outcome["error"] = exc
            if cancelled.is_set():
                self.close()

        worker = threading.Thread(target=attempt, name=f"obs-websocket connect {self.url}", daemon=True)
        worker.start()
        # The socket timeouts bound each step; this bounds DNS and the sum of the steps.
        worker.join(timeout + 0.5)
        if worker.is_alive():
            cancelled.set()
            self.close()
            raise HandshakeError(f"could not connect to obs-websocket at {self.url} within {timeout:g} s",
                                 WHERE_TO_LOOK)
        error = outcome.get("error")
        if error is not None:
            self.close()
            if isinstance(error, HandshakeError):
                raise error
            raise HandshakeError(f"could not connect to obs-websocket at {self.url} ({secrets.redact(error)})",
                                 WHERE_TO_LOOK)

    def _handshake(self, password: str, timeout: float, event_subscriptions: int) -> None:
        url = self.url
        try:
            self._ws.connect(url, timeout=timeout, suppress_origin=True)
        except ConnectionRefusedError as exc:
            raise HandshakeError(f"nothing accepts connections at {url} ({exc.strerror})", WHERE_TO_LOOK) from None
        except socket.gaierror as exc:
            raise HandshakeError(f"cannot resolve the obs-websocket host in {url} ({exc})", WHERE_TO_LOOK) from None
        except (socket.timeout, websocket.WebSocketTimeoutException):
            raise HandshakeError(f"no answer from {url} within {timeout:g} s", WHERE_TO_LOOK) from None
        except websocket.WebSocketBadStatusException as exc:
            raise HandshakeError(f"{url} is not an obs-websocket server ({exc})", WHERE_TO_LOOK) from None
        except (OSError, websocket.WebSocketException) as exc:
            raise HandshakeError(f"cannot connect to {url} ({exc})", WHERE_TO_LOOK) from None
        hello = self._recv_handshake(timeout, "Hello")
        if hello.get("op") != OP_HELLO:
            raise HandshakeError(f"{url} did not greet like obs-websocket 5",
                                 f"{V5_HINT} on port 4455, not the old 4.x plugin")
        data = hello.get("d") or {}
        self.server_version = data.get("obsWebSocketVersion")
        self.obs_studio_version = data.get("obsStudioVersion")
        identify: Dict[str, Any] = {"rpcVersion": RPC_VERSION, "eventSubscriptions": event_subscriptions}
        challenge = data.get("authentication")
        if challenge:
            if not password:
                raise HandshakeError(f"obs-websocket at {url} requires a password and none was given", PASSWORD_HINT)
            identify["authentication"] = auth_string(password, challenge["salt"], challenge["challenge"])
            secrets.register(identify["authentication"])
        self._send({"op": OP_IDENTIFY, "d": identify})
        if self._recv_handshake(timeout, "Identified").get("op") != OP_IDENTIFIED:
            raise HandshakeError(f"unexpected answer to Identify from {url}")
        self._ws.settimeout(None)  # the receive loop blocks; each request has its own deadline
        self._thread = threading.Thread(target=self._receive_loop, name=f"obs-websocket recv {url}", daemon=True)
        self._thread.start()

    def _recv_handshake(self, timeout: float, what: str) -> Dict[str, Any]:
        url = self.url
        try:
            opcode, payload = self._ws.recv_data()
        except (socket.timeout, websocket.WebSocketTimeoutException):
            raise HandshakeError(f"obs-websocket at {url} sent no {what} within {timeout:g} s", BUSY_HINT) from None
        except (OSError, websocket.WebSocketException) as exc:
            raise HandshakeError(f"obs-websocket at {url} closed the connection during {what} ({exc})",
                                 PASSWORD_HINT) from None
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
            reason = payload[2:].decode("utf-8", "replace")
            if code == CLOSE_AUTHENTICATION_FAILED:
                raise HandshakeError(f"obs-websocket refused the password for {url}", PASSWORD_HINT)
            if code == CLOSE_UNSUPPORTED_RPC_VERSION:
                raise HandshakeError(f"obs-websocket at {url} does not speak RPC version 1 ({reason})", V5_HINT)
            raise HandshakeError(f"obs-websocket at {url} closed the connection ({code} {reason})".rstrip())
        try:
            return json.loads(payload)
        except ValueError:
            raise HandshakeError(f"{url} sent something that is not obs-websocket JSON", WHERE_TO_LOOK) from None

    # -- requests and events ----------------------------------------------------------
    def request(self, request_type: str, data: Mapping[str, Any], timeout: float) -> Optional[Dict[str, Any]]:
        """Send one Request; the ``d`` of its RequestResponse, or None (no answer in time, or ``lost``).

        Raises ``OSError`` / ``websocket.WebSocketException`` when the message cannot be sent.
        """
        slot: List[Any] = [threading.Event(), None]
        with self._id_lock:
            self._next_id += 1
            request_id = str(self._next_id)
        self._pending[request_id] = slot  # before the check: a loop ending now wakes it
        try:
            if not self.lost:
                self._send({"op": OP_REQUEST, "d": {"requestType": request_type, "requestId": request_id,
                                                    "requestData": dict(data)}})
                slot[0].wait(timeout)
        finally:
            self._pending.pop(request_id, None)
        return slot[1]

    def _send(self, message: Mapping[str, Any]) -> None:
        self._ws.send(json.dumps(message))  # enable_multithread: websocket-client locks each send

    def _receive_loop(self) -> None:
        try:
            while True:
                opcode, payload = self._ws.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    return
                try:
                    message = json.loads(payload)
                    op, body = message.get("op"), message.get("d") or {}
                except (ValueError, AttributeError):
                    LOG.warning("ignoring a message from obs-websocket at %s that is not its JSON", self.url)
                    continue
                if op == OP_REQUEST_RESPONSE:
                    slot = self._pending.get(str(body.get("requestId")))
                    if slot is not None:
                        slot[1] = body
                        slot[0].set()
                elif op == OP_EVENT:
                    self._on_event(str(body.get("eventType") or "?"), dict(body.get("eventData") or {}))
        except Exception as exc:  # the socket closed or broke; close() ends it this way too
            if not self._closing:
                LOG.warning("obs-websocket receive loop ended: %s", secrets.redact(exc))
        finally:
            self.lost = True
            for answered, _ in list(self._pending.values()):
                answered.set()  # none will come
            self._on_lost()

    # -- closing ----------------------------------------------------------------------
    def close(self) -> None:
        """Close without waiting long on the server; safe from any thread, before ``open()``, twice."""
        self._closing = True
        ws, thread = self._ws, self._thread
        current = threading.current_thread()
        try:
            if ws.connected:
                # OBS answers with its close frame, which ends the receive loop cleanly (code 1000).
                ws.send_close()
                if thread is not None and thread.is_alive() and thread is not current:
                    thread.join(timeout=0.5)
        except Exception:  # already broken: the shutdown below still ends everything
            pass
        sock = ws.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a recv() blocked in the receive loop
            except OSError:
                pass
        if thread is not None and thread is not current:
            thread.join(timeout=2)
        ws.shutdown()
