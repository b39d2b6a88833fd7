"""A robust obs-websocket v5 client on top of obs-websocket-py (``obswebsocket``).

obs-websocket-py 1.0 works, but has traps for unattended use (read in its source,
https://github.com/Elektordi/obs-websocket-py/blob/1.0/obswebsocket/core.py); this wrapper closes each of them:

* v4 by default when the port is 4444 and no socket timeout on connect (``__init__``, ``connect``):
  ``ObsClient`` always speaks v5 (``legacy=False``), defaults to port 4455, and runs the
  TCP + websocket handshake on a worker thread with socket timeouts *and* an overall
  deadline, so an unroutable host or a frozen OBS cannot hang the caller.
* ``call()`` never raises and drops ``requestStatus.code`` / ``comment`` (``call``): the
  raw response is taken from the library's ``answers`` table, and a failed request
  raises ``ObsRefusedError`` with the code, its name and OBS's comment.
* Event callbacks run on the library's receive thread, where a ``call()`` deadlocks and
  an exception kills the thread (``RecvThread``): events are queued and delivered to
  subscribers on a separate dispatcher thread; a failing callback is logged, never
  propagated. ``expect_event`` subscribes *before* the action that causes the event.
* The request id counter has no lock (``self.id += 1`` in ``call``): one lock serialises ``call()``.
* A wrong password closes the socket with code 4009 and the library reports
  "Empty response to Identify": here it is ``ObsUnreachableError`` saying where to look.
* ``disconnect()`` before ``connect()`` raises (``self.ws`` is still None): ``close()`` is always safe.
* obs-websocket answers ``NotReady`` (207) while OBS starts, switches scene collection
  or shuts down (5.3+; OBS 30.2+ opens obs-websocket before it has loaded the scene
  collection): ``call()`` retries such a request for ``not_ready_timeout`` seconds.
* ``obs_version()``: OBS's version from the Hello message (``obsStudioVersion``,
  obs-websocket 5.6+, OBS 31.1+), else from ``GetVersion``.

The password is registered with ``livestream.secrets`` and never appears in a repr, a
log line or an exception message. Stream keys returned by ``GetStreamServiceSettings``
are registered too (through ``StreamService``); the library's own DEBUG logging of raw
messages is held at INFO because it would print them.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

import websocket
from obswebsocket import core as _obs_core
from pydantic import SecretStr

from .. import profile_rules, secrets
from ..errors import ConfigurationError, ObsRefusedError, ObsUnreachableError
from ..session.ports import StreamService

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_URL",
    "EVENT_SUBSCRIPTIONS_ALL",
    "OUTPUT_STARTED",
    "OUTPUT_STARTING",
    "OUTPUT_STOPPED",
    "OUTPUT_STOPPING",
    "OUTPUT_RECONNECTING",
    "OUTPUT_RECONNECTED",
    "REQUEST_STATUS",
    "ObsClient",
    "ObsEvent",
    "EventWaiter",
    "ObsEventTimeoutError",
    "parse_url",
]

LOG = logging.getLogger(__name__)
# obs-websocket-py logs every raw message at DEBUG, responses included; a
# GetStreamServiceSettings answer holds the stream key in clear. Keep it quiet unless
# someone configured that logger on purpose, and mask registered secrets regardless.
_LIB_LOG = logging.getLogger("obswebsocket")
if _LIB_LOG.level == logging.NOTSET:
    _LIB_LOG.setLevel(logging.INFO)
logging.getLogger("obswebsocket.core").addFilter(secrets.RedactingFilter())

DEFAULT_PORT = 4455
DEFAULT_URL = f"ws://localhost:{DEFAULT_PORT}"
# obs-websocket EventSubscription::All: every category except the high-volume ones.
EVENT_SUBSCRIPTIONS_ALL = 1023

OUTPUT_STARTING = "OBS_WEBSOCKET_OUTPUT_STARTING"
OUTPUT_STARTED = "OBS_WEBSOCKET_OUTPUT_STARTED"
OUTPUT_STOPPING = "OBS_WEBSOCKET_OUTPUT_STOPPING"
OUTPUT_STOPPED = "OBS_WEBSOCKET_OUTPUT_STOPPED"
OUTPUT_RECONNECTING = "OBS_WEBSOCKET_OUTPUT_RECONNECTING"
OUTPUT_RECONNECTED = "OBS_WEBSOCKET_OUTPUT_RECONNECTED"

# obs-websocket RequestStatus codes (docs/generated/protocol.md, "RequestStatus").
REQUEST_STATUS: Dict[int, str] = {
    100: "Success",
    203: "MissingRequestType",
    204: "UnknownRequestType",
    205: "GenericError",
    206: "UnsupportedRequestBatchExecutionType",
    207: "NotReady",
    300: "MissingRequestField",
    301: "MissingRequestData",
    400: "InvalidRequestField",
    401: "InvalidRequestFieldType",
    402: "RequestFieldOutOfRange",
    403: "RequestFieldEmpty",
    404: "TooManyRequestFields",
    500: "OutputRunning",
    501: "OutputNotRunning",
    502: "OutputPaused",
    503: "OutputNotPaused",
    504: "OutputDisabled",
    505: "StudioModeActive",
    506: "StudioModeNotActive",
    600: "ResourceNotFound",
    601: "ResourceAlreadyExists",
    602: "InvalidResourceType",
    603: "NotEnoughResources",
    604: "InvalidResourceState",
    605: "InvalidInputKind",
    606: "ResourceNotConfigurable",
    607: "InvalidFilterKind",
    700: "ResourceCreationFailed",
    701: "ResourceActionFailed",
    702: "RequestProcessingFailed",
    703: "CannotAct",
}
NOT_READY = 207
NOT_READY_TIMEOUT = 15.0  # OBS 32 loading a scene collection here: a few seconds
NOT_READY_PAUSE = 0.25
_HINTS = {
    204: "this obs-websocket does not know the request; it needs obs-websocket 5 (OBS 28 or newer)",
    207: "OBS is not ready (loading a scene collection or shutting down); try again in a moment",
    500: "stop the output first",
    501: "the output is not running",
}
# WebSocketCloseCode (protocol.md): why obs-websocket closed the connection.
_CLOSE_AUTHENTICATION_FAILED = 4009
_CLOSE_UNSUPPORTED_RPC_VERSION = 4010

_WHERE_TO_LOOK = (
    "is OBS running? In OBS open Tools > WebSocket Server Settings, tick 'Enable WebSocket server' "
    "and check the server port (default 4455) and any firewall"
)
_PASSWORD_HINT = (
    "check the password in OBS under Tools > WebSocket Server Settings > Show Connect Info"
)


class ObsEventTimeoutError(ObsRefusedError, TimeoutError):
    """An expected obs-websocket event did not arrive in time."""


@dataclass(frozen=True)
class ObsEvent:
    """One obs-websocket event: its type (``StreamStateChanged``...) and ``eventData``."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


def parse_url(url: str) -> Tuple[str, int]:
    """``(host, port)`` from ``ws://host:port``, ``host:port`` or ``host`` (port 4455)."""
    text = (url or "").strip()
    if not text:
        raise ConfigurationError("the obs-websocket URL is empty", hint=f"use e.g. {DEFAULT_URL}")
    if "://" not in text:
        text = "ws://" + text
    parts = urlsplit(text)
    if parts.scheme == "wss":
        raise ConfigurationError(
            f"obs-websocket URL {url!r} uses wss://", hint="obs-websocket serves plain ws:// only"
        )
    if parts.scheme != "ws" or not parts.hostname:
        raise ConfigurationError(f"not an obs-websocket URL: {url!r}", hint=f"use e.g. {DEFAULT_URL}")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise ConfigurationError(f"bad port in obs-websocket URL {url!r}") from exc
    return parts.hostname, port


def _plain(password: Union[str, SecretStr, None]) -> str:
    if password is None:
        return ""
    if isinstance(password, SecretStr):
        return password.get_secret_value()
    return str(password)


class _Unreachable(Exception):
    """Raised on the connect thread; turned into ObsUnreachableError by the caller."""

    def __init__(self, message: str, hint: Optional[str]) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class _RecvThread(_obs_core.RecvThread):
    """The library's receive loop, which must tell the client when it ends, however."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # OSError while running, a malformed message...
            if self.running:
                LOG.warning("obs-websocket receive loop ended: %s", secrets.redact(exc))
        finally:
            self.core._receive_loop_ended()


class _Obsws(_obs_core.obsws):
    """``obsws`` with a bounded handshake, raw responses and a disconnect that cannot hang.

    Reuses the library's receive loop, event classes, auth string and answer table; the
    handshake is re-done here to get socket timeouts and the websocket close code.
    """

    def __init__(self, host: str, port: int, password: str, *, timeout: float,
                 on_event: Callable[[Any], None], on_lost: Callable[[], None]) -> None:
        super().__init__(host, port, password, legacy=False, timeout=timeout, authreconnect=0)
        self._send_lock = threading.Lock()
        self.obs_studio_version: Optional[str] = None
        self._on_lost = on_lost
        self.lost = False
        self.eventmanager.register(on_event, None)

    def __repr__(self) -> str:
        return f"<obsws ws://{self.host}:{self.port}>"

    # -- connecting -----------------------------------------------------------------
    def handshake(self, timeout: float, event_subscriptions: int) -> dict:
        """Open the socket, identify, start the receive loop; returns the Hello data."""
        url = f"ws://{self.host}:{self.port}"
        ws = websocket.WebSocket(enable_multithread=True)
        self.ws = ws
        try:
            ws.connect(url, timeout=timeout, suppress_origin=True)
        except ConnectionRefusedError as exc:
            raise _Unreachable(f"nothing accepts connections at {url} ({exc.strerror})", _WHERE_TO_LOOK) from None
        except socket.gaierror as exc:
            raise _Unreachable(f"cannot resolve the obs-websocket host {self.host!r} ({exc})", _WHERE_TO_LOOK) from None
        except (socket.timeout, websocket.WebSocketTimeoutException):
            raise _Unreachable(f"no answer from {url} within {timeout:g} s", _WHERE_TO_LOOK) from None
        except websocket.WebSocketBadStatusException as exc:
            raise _Unreachable(f"{url} is not an obs-websocket server ({exc})", _WHERE_TO_LOOK) from None
        except (OSError, websocket.WebSocketException) as exc:
            raise _Unreachable(f"cannot connect to {url} ({exc})", _WHERE_TO_LOOK) from None
        hello = self._recv_json(url, timeout, "Hello")
        if hello.get("op") != 0:
            raise _Unreachable(
                f"{url} did not greet like obs-websocket 5",
                "this needs obs-websocket 5 (OBS 28 or newer) on port 4455, not the old 4.x plugin",
            )
        data = hello.get("d") or {}
        self.server_version = data.get("obsWebSocketVersion")
        self.obs_studio_version = data.get("obsStudioVersion")
        identify: Dict[str, Any] = {"rpcVersion": 1, "eventSubscriptions": event_subscriptions}
        challenge = data.get("authentication")
        if challenge:
            if not self.password:
                raise _Unreachable(f"obs-websocket at {url} requires a password and none was given",
                                   _PASSWORD_HINT)
            identify["authentication"] = self._build_auth_string(challenge["salt"], challenge["challenge"])
        ws.send(json.dumps({"op": 1, "d": identify}))
        identified = self._recv_json(url, timeout, "Identified")
        if identified.get("op") != 2:
            raise _Unreachable(f"unexpected answer to Identify from {url}", None)
        ws.settimeout(None)  # the receive loop blocks; calls have their own deadline
        self.thread_recv = _RecvThread(self)
        self.thread_recv.daemon = True
        self.thread_recv.name = f"obs-websocket recv {self.host}:{self.port}"
        self.thread_recv.start()
        return data

    def _recv_json(self, url: str, timeout: float, what: str) -> dict:
        try:
            opcode, payload = self.ws.recv_data(control_frame=True)
        except (socket.timeout, websocket.WebSocketTimeoutException):
            raise _Unreachable(
                f"obs-websocket at {url} sent no {what} within {timeout:g} s",
                "OBS may be busy or frozen (an open dialog?)",
            ) from None
        except (OSError, websocket.WebSocketException) as exc:
            raise _Unreachable(f"obs-websocket at {url} closed the connection during {what} ({exc})",
                               _PASSWORD_HINT) from None
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            reason = payload[2:].decode("utf-8", "replace")
            if code == _CLOSE_AUTHENTICATION_FAILED:
                raise _Unreachable(f"obs-websocket refused the password for {url}", _PASSWORD_HINT)
            if code == _CLOSE_UNSUPPORTED_RPC_VERSION:
                raise _Unreachable(f"obs-websocket at {url} does not speak RPC version 1 ({reason})",
                                   "this needs obs-websocket 5 (OBS 28 or newer)")
            raise _Unreachable(f"obs-websocket at {url} closed the connection ({code} {reason})".rstrip(),
                               None)
        try:
            return json.loads(payload)
        except ValueError:
            raise _Unreachable(f"{url} sent something that is not obs-websocket JSON", _WHERE_TO_LOOK) from None

    # -- requests -------------------------------------------------------------------
    def request(self, request_type: str, data: Mapping[str, Any], timeout: float) -> Optional[dict]:
        """Send one request; the raw ``d`` of the RequestResponse, or None on timeout."""
        with self._send_lock:
            message_id = str(self.id)
            self.id += 1
            answered = threading.Event()
            self.events[message_id] = answered
            payload = {"op": 6, "d": {"requestType": request_type, "requestId": message_id,
                                       "requestData": dict(data)}}
            try:
                self.ws.send(json.dumps(payload))
            except BaseException:
                self.events.pop(message_id, None)
                raise
        answered.wait(timeout)
        self.events.pop(message_id, None)
        return self.answers.pop(message_id, None)

    # -- disconnecting --------------------------------------------------------------
    def _receive_loop_ended(self) -> None:
        # Wake every caller waiting for an answer: none will come.
        self.lost = True
        for answered in list(self.events.values()):
            answered.set()
        self._on_lost()

    def disconnect(self) -> None:
        """Close without waiting on the server; safe from any thread, before connect, twice."""
        recv = self.thread_recv
        if recv is not None:
            recv.running = False
        ws = self.ws
        if ws is not None:
            try:
                if ws.connected:
                    ws.send(struct.pack("!H", websocket.STATUS_NORMAL), websocket.ABNF.OPCODE_CLOSE)
                    # The server answers with its close frame and drops the socket, which
                    # ends the receive loop cleanly (code 1000 in OBS's log).
                    if recv is not None and recv.is_alive() and recv is not threading.current_thread():
                        recv.join(timeout=0.5)
            except Exception:
                pass
            sock = ws.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes the receive loop's recv()
                except OSError:
                    pass
        if recv is not None and recv is not threading.current_thread():
            recv.join(timeout=2)
        if ws is not None:
            ws.shutdown()
        self.thread_recv = None


_Subscriber = Tuple[Callable[[ObsEvent], Any], Optional[str]]


class EventWaiter:
    """Waits for the first event of a type that satisfies a predicate.

    Made by ``ObsClient.expect_event`` *before* the action that causes the event, so the
    event cannot slip by; fed from the receive loop (it only stores and signals).
    """

    def __init__(self, client: ObsClient, name: str,
                 predicate: Optional[Callable[[Mapping[str, Any]], bool]]) -> None:
        self._client = client
        self.name = name
        self._predicate = predicate
        self._done = threading.Event()
        self._event: Optional[ObsEvent] = None
        self._error: Optional[BaseException] = None

    def _offer(self, event: ObsEvent) -> None:
        if self._done.is_set() or event.name != self.name:
            return
        try:
            if self._predicate is not None and not self._predicate(event.data):
                return
        except Exception as exc:  # surfaces in wait(), never in the receive loop
            self._error = exc
        self._event = event
        self._done.set()

    def _lost(self) -> None:
        self._done.set()

    def wait(self, timeout: float = 10.0) -> Dict[str, Any]:
        """The matching event's data; raises ``ObsEventTimeoutError`` or ``ObsUnreachableError``."""
        try:
            self._done.wait(timeout)
            if self._error is not None:
                raise self._error
            if self._event is not None:
                return dict(self._event.data)
            if self._done.is_set():
                raise ObsUnreachableError(f"lost the connection to obs-websocket at {self._client.url} "
                                          f"while waiting for {self.name}")
            raise ObsEventTimeoutError(f"OBS sent no {self.name} event within {timeout:g} s")
        finally:
            self.cancel()

    def cancel(self) -> None:
        self._client._drop_waiter(self)

    def __enter__(self) -> EventWaiter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


class ObsClient:
    """A connection to obs-websocket 5 (OBS 28+), for the CLI, the remote port and tests.

    ``ObsClient(url, password)`` connects lazily on first use, or explicitly with
    ``connect()`` / ``with ObsClient(...) as obs:``. ``timeout`` bounds each request;
    ``connect_timeout`` (default: ``timeout``) bounds the whole connect;
    ``not_ready_timeout`` how long a request answered ``NotReady`` (207) is retried.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        password: Union[str, SecretStr, None] = None,
        *,
        timeout: float = 10.0,
        connect_timeout: Optional[float] = None,
        event_subscriptions: int = EVENT_SUBSCRIPTIONS_ALL,
        not_ready_timeout: float = NOT_READY_TIMEOUT,
    ) -> None:
        self.host, self.port = parse_url(url)
        self.url = f"ws://{self.host}:{self.port}"
        self._password = SecretStr(_plain(password))
        secrets.register(self._password)
        self.timeout = float(timeout)
        self.connect_timeout = float(connect_timeout if connect_timeout is not None else timeout)
        self.event_subscriptions = event_subscriptions
        self.not_ready_timeout = float(not_ready_timeout)
        self.server_version: Optional[str] = None
        self._obs_version: Optional[str] = None
        self._ws: Optional[_Obsws] = None
        self._connect_lock = threading.Lock()  # connect / close
        self._state_lock = threading.Lock()  # subscriber and waiter lists
        self._call_lock = threading.RLock()
        self._subscribers: List[_Subscriber] = []
        self._waiters: List[EventWaiter] = []
        self._queue: queue.Queue[Optional[ObsEvent]] = queue.Queue()
        self._dispatcher: Optional[threading.Thread] = None
        self._closed = False

    def __repr__(self) -> str:
        return f"ObsClient({self.url!r}, connected={self.connected})"

    __str__ = __repr__

    # -- connection -------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        ws = self._ws
        return ws is not None and not ws.lost and ws.thread_recv is not None

    def connect(self) -> ObsClient:
        """Connect and identify, within ``connect_timeout``; a no-op when connected."""
        with self._connect_lock:
            if self.connected:
                return self
            self._closed = False
            self._drop_connection()
            ws = _Obsws(self.host, self.port, self._password.get_secret_value(), timeout=self.timeout,
                        on_event=self._on_raw_event, on_lost=self._on_lost)
            outcome: Dict[str, Any] = {}
            cancelled = threading.Event()

            def attempt() -> None:
                try:
                    outcome["hello"] = ws.handshake(self.connect_timeout, self.event_subscriptions)
                except BaseException as exc:
                    outcome["error"] = exc
                if cancelled.is_set():
                    ws.disconnect()

            worker = threading.Thread(target=attempt, name=f"obs-websocket connect {self.url}", daemon=True)
            started = time.monotonic()
            worker.start()
            # The socket timeouts bound each step; this bounds DNS and the sum of the steps.
            worker.join(self.connect_timeout + 0.5)
            if worker.is_alive():
                cancelled.set()
                ws.disconnect()
                raise ObsUnreachableError(
                    f"could not connect to obs-websocket at {self.url} within {self.connect_timeout:g} s",
                    hint=_WHERE_TO_LOOK,
                )
            error = outcome.get("error")
            if error is not None:
                ws.disconnect()
                if isinstance(error, _Unreachable):
                    raise ObsUnreachableError(secrets.redact(error.message), hint=error.hint) from None
                raise ObsUnreachableError(
                    f"could not connect to obs-websocket at {self.url} ({secrets.redact(error)})",
                    hint=_WHERE_TO_LOOK,
                ) from None
            self._ws = ws
            self.server_version = ws.server_version
            self._obs_version = ws.obs_studio_version  # None before obs-websocket 5.6: asked when needed
            self._start_dispatcher()
            LOG.debug("connected to obs-websocket %s at %s in %.2f s", self.server_version, self.url,
                      time.monotonic() - started)
            return self

    def close(self) -> None:
        """Disconnect and stop the event thread. Safe before connect, twice, from a callback."""
        with self._connect_lock:
            self._closed = True
            self._drop_connection()
            dispatcher = self._dispatcher
            self._dispatcher = None
        if dispatcher is not None:
            self._queue.put(None)
            if dispatcher is not threading.current_thread():
                dispatcher.join(timeout=2)

    def _drop_connection(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.disconnect()

    def __enter__(self) -> ObsClient:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------
    def call(self, request_type: str, /, *, _timeout: Optional[float] = None, **data: Any) -> Dict[str, Any]:
        """Send a request; its ``responseData`` (``{}`` when none).

        ``data`` are the request fields (``call("SetCurrentProgramScene", sceneName="Live")``);
        ``_timeout`` overrides the client's request timeout. Connects first if needed
        (again after a lost connection, e.g. OBS restarted), unless ``close()`` was called.
        Raises ``ObsRefusedError`` (``.code``, ``.comment``, ``.request_type``) when OBS
        answers with a failed status, ``ObsUnreachableError`` when it does not answer.
        ``NotReady`` (207) is retried for ``not_ready_timeout`` seconds first: OBS
        refused the request before doing anything, so sending it again is safe.
        """
        deadline = time.monotonic() + self.not_ready_timeout
        while True:
            try:
                return self._call_once(request_type, _timeout, data)
            except ObsRefusedError as exc:
                if exc.code != NOT_READY or time.monotonic() + NOT_READY_PAUSE > deadline:
                    raise
                LOG.debug("obs-websocket is not ready for %s; trying again", request_type)
                time.sleep(NOT_READY_PAUSE)

    def _call_once(self, request_type: str, _timeout: Optional[float], data: Mapping[str, Any]) -> Dict[str, Any]:
        self._ensure_connected()
        timeout = self.timeout if _timeout is None else _timeout
        with self._call_lock:
            ws = self._ws
            if ws is None:
                raise ObsUnreachableError(f"not connected to obs-websocket at {self.url}", hint=_WHERE_TO_LOOK)
            try:
                response = ws.request(request_type, data, timeout)
            except (OSError, websocket.WebSocketException) as exc:
                raise ObsUnreachableError(
                    f"lost the connection to obs-websocket at {self.url} sending {request_type} "
                    f"({secrets.redact(exc)})", hint=_WHERE_TO_LOOK,
                ) from None
        if response is None:
            if ws.lost:
                raise ObsUnreachableError(
                    f"lost the connection to obs-websocket at {self.url} waiting for {request_type}",
                    hint=_WHERE_TO_LOOK,
                )
            raise ObsUnreachableError(
                f"OBS did not answer {request_type} within {timeout:g} s",
                hint="OBS may be busy or frozen (an open dialog?)",
            )
        status = response.get("requestStatus") or {}
        if not status.get("result"):
            raise self._refused(request_type, status)
        return dict(response.get("responseData") or {})

    def _ensure_connected(self) -> None:
        if not self.connected:
            if self._closed:
                raise ObsUnreachableError(f"the connection to obs-websocket at {self.url} was closed",
                                          hint="call connect() again")
            self.connect()

    @staticmethod
    def _refused(request_type: str, status: Mapping[str, Any]) -> ObsRefusedError:
        code = status.get("code")
        comment = secrets.redact(status.get("comment") or "")
        name = REQUEST_STATUS.get(code, "Unknown") if isinstance(code, int) else "Unknown"
        message = f"OBS refused {request_type} (code {code} {name})"
        if comment:
            message += f": {comment}"
        error = ObsRefusedError(message, hint=_HINTS.get(code), code=code)
        error.comment = comment  # type: ignore[attr-defined]
        error.request_type = request_type  # type: ignore[attr-defined]
        return error

    # -- events -----------------------------------------------------------------------
    def subscribe(self, callback: Callable[[ObsEvent], Any],
                  event_type: Optional[str] = None) -> Callable[[], None]:
        """Call ``callback(event)`` for each event (of ``event_type``, or all); returns an unsubscribe.

        Callbacks run one at a time on the client's dispatcher thread, never on the
        receive loop, so they may call ``call()``; an exception is logged and ignored.
        """
        entry: _Subscriber = (callback, event_type)
        with self._state_lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._state_lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def expect_event(self, name: str,
                     predicate: Optional[Callable[[Mapping[str, Any]], bool]] = None) -> EventWaiter:
        """Start watching for an event now; ``.wait(timeout)`` returns its data.

        ``with obs.expect_event("StreamStateChanged", lambda d: d["outputState"] == OUTPUT_STARTED) as w:
        obs.call("StartStream"); w.wait(30)``
        """
        self._ensure_connected()  # events only flow on a live connection
        waiter = EventWaiter(self, name, predicate)
        with self._state_lock:
            self._waiters.append(waiter)
        return waiter

    def wait_for_event(self, name: str, predicate: Optional[Callable[[Mapping[str, Any]], bool]] = None,
                       timeout: float = 10.0) -> Dict[str, Any]:
        """Wait for an event that has not happened yet (use ``expect_event`` to avoid a race)."""
        return self.expect_event(name, predicate).wait(timeout)

    def _drop_waiter(self, waiter: EventWaiter) -> None:
        with self._state_lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _on_raw_event(self, raw: Any) -> None:
        # Runs on the library's receive loop: store, signal, return. Never raises.
        try:
            event = ObsEvent(str(getattr(raw, "name", "?")), dict(getattr(raw, "datain", {}) or {}))
            for waiter in list(self._waiters):
                waiter._offer(event)
            self._queue.put(event)
        except Exception:  # pragma: no cover - defensive: the loop must survive
            LOG.exception("dropping an obs-websocket event")

    def _on_lost(self) -> None:
        for waiter in list(self._waiters):
            waiter._lost()
        if not self._closed:
            LOG.warning("lost the connection to obs-websocket at %s", self.url)

    def _start_dispatcher(self) -> None:
        if self._dispatcher is not None and self._dispatcher.is_alive():
            return
        self._dispatcher = threading.Thread(target=self._dispatch, name=f"obs-websocket events {self.url}",
                                            daemon=True)
        self._dispatcher.start()

    def _dispatch(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            with self._state_lock:
                subscribers = list(self._subscribers)
            for callback, event_type in subscribers:
                if event_type is not None and event_type != event.name:
                    continue
                try:
                    callback(event)
                except Exception as exc:
                    LOG.error("obs-websocket event callback %r failed on %s: %s",
                              getattr(callback, "__name__", callback), event.name, secrets.redact(exc))

    # -- helpers ----------------------------------------------------------------------
    def version(self) -> Dict[str, Any]:
        """``GetVersion``: obsVersion, obsWebSocketVersion, rpcVersion, availableRequests..."""
        return self.call("GetVersion")

    def obs_version(self) -> Optional[str]:
        """OBS Studio's version ("32.2.2"): from Hello (obs-websocket 5.6+), else ``GetVersion``."""
        self._ensure_connected()
        if not self._obs_version:
            value = self.version().get("obsVersion")
            self._obs_version = str(value) if value else None
        return self._obs_version

    def get_stream_service(self) -> StreamService:
        """The stream service OBS will use on the next start (key included, masked in repr)."""
        data = self.call("GetStreamServiceSettings")
        return StreamService(str(data.get("streamServiceType") or ""),
                             dict(data.get("streamServiceSettings") or {}))

    def set_stream_service(self, service: StreamService) -> None:
        """Replace the stream service and save it to the profile (refused while streaming).

        obs-websocket *merges* settings into the current service when the type is the
        same (RequestHandler_Config.cpp), so a field of the old settings that the new
        ones lack would survive (``use_auth``, ``username``, ``password``...). Such
        fields are sent blanked (``""``/``False``/``0``), which rtmp-custom treats as unset.
        """
        settings = dict(service.settings)
        current = self.get_stream_service()
        if current.service_type == service.service_type:
            for name, value in current.settings.items():
                if name not in settings:
                    settings[name] = _blank(value)
        self.call("SetStreamServiceSettings", streamServiceType=service.service_type,
                  streamServiceSettings=settings)

    def start_stream(self, *, wait: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """``StartStream``; with ``wait`` seconds, also wait until the output started.

        OBS answers before it connects (the start is queued), so without ``wait`` this
        only means "accepted". With ``wait``, a STOPPED state instead of STARTED raises
        ``ObsRefusedError`` (the connection failed; OBS's log says why).
        """
        if wait is None:
            self.call("StartStream")
            return None
        with self.expect_event("StreamStateChanged",
                               lambda d: d.get("outputState") in (OUTPUT_STARTED, OUTPUT_STOPPED)) as waiter:
            self.call("StartStream")
            data = waiter.wait(wait)
        if data.get("outputState") != OUTPUT_STARTED:
            raise ObsRefusedError("OBS could not start streaming",
                                  hint="check the server URL and stream key; OBS's log (Help > Log Files) "
                                       "says why the connection failed")
        return data

    def stop_stream(self, *, wait: Optional[float] = None) -> None:
        """``StopStream``; with ``wait`` seconds, also wait until the output stopped."""
        if wait is None:
            self.call("StopStream")
            return
        with self.expect_event("StreamStateChanged", lambda d: d.get("outputState") == OUTPUT_STOPPED) as waiter:
            self.call("StopStream")
            waiter.wait(wait)

    def stream_status(self) -> Dict[str, Any]:
        """``GetStreamStatus``: outputActive, outputReconnecting, outputDuration, outputBytes..."""
        return self.call("GetStreamStatus")

    def is_streaming(self) -> bool:
        """True while the stream output is active or reconnecting."""
        status = self.stream_status()
        return bool(status.get("outputActive") or status.get("outputReconnecting"))

    def trigger_hotkey(self, name: str) -> None:
        """``TriggerHotkeyByName``: press and release a hotkey (600 ResourceNotFound if unknown)."""
        self.call("TriggerHotkeyByName", hotkeyName=name)

    def broadcast_custom_event(self, data: Mapping[str, Any]) -> None:
        """``BroadcastCustomEvent``: every client subscribed to General gets a CustomEvent, this one too."""
        self.call("BroadcastCustomEvent", eventData=dict(data))

    def get_profile_parameter(self, category: str, name: str) -> Optional[str]:
        """A value of the current profile's basic.ini (``parameterValue``), or None if unset."""
        data = self.call("GetProfileParameter", parameterCategory=category, parameterName=name)
        value = data.get("parameterValue")
        return None if value is None else str(value)

    def set_profile_parameter(self, category: str, name: str, value: Optional[str]) -> None:
        """Set (or, with None, delete) a value of the current profile's basic.ini."""
        self.call("SetProfileParameter", parameterCategory=category, parameterName=name, parameterValue=value)

    def linked_account(self) -> Optional[str]:
        """The linked streaming account's service (Twitch, YouTube - RTMP, Restream...) or None.

        OBS keeps it in the profile's basic.ini, ``[Auth] Type`` (UI/auth-base.cpp,
        ``Auth::Save``/``Auth::Load``); old versions wrote ``None`` for no account.
        """
        return profile_rules.linked_account(self.get_profile_parameter("Auth", "Type"))

    def multitrack_video(self) -> bool:
        """True if Enhanced Broadcasting (multitrack video) is on in OBS 30.2+'s current profile.

        ``[Stream1] EnableMultitrackVideo`` in basic.ini (frontend/utility/BasicOutputHandler.cpp);
        OBS before 30.2 has no such output, whatever the profile says.
        """
        match = re.match(r"(\d+)\.(\d+)", self.obs_version() or "")
        # An unknown version is read as new: the check then errs on the safe side.
        version = (int(match.group(1)), int(match.group(2))) if match else profile_rules.MULTITRACK_SINCE
        return profile_rules.multitrack_video(self.get_profile_parameter("Stream1", "EnableMultitrackVideo"), version)


def _blank(value: Any) -> Any:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return 0
    if isinstance(value, str):
        return ""
    return None
