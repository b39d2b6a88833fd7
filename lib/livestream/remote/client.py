"""``ObsClient``: a robust obs-websocket 5 client for the CLI, the remote port and tests.

It speaks the protocol itself (``protocol.py``, over websocket-client) and closes the traps
an unattended client meets with obs-websocket:

* Connecting is bounded: socket timeouts on each handshake step *and* an overall deadline
  (``connect_timeout``), so an unroutable host or a frozen OBS cannot hang the caller; it
  always speaks v5 on port 4455 unless told otherwise.
* A failed request raises ``ObsRefusedError`` with ``requestStatus.code``, its name and
  OBS's comment; an unanswered one ``ObsUnreachableError`` after the request timeout.
* A wrong password (close code 4009) says so and where to look; no password, a v4 server
  or a server that is not obs-websocket each get their own message.
* Event callbacks run on a dispatcher thread (``events.py``), never on the receive loop,
  so they may call ``call()``; ``expect_event`` subscribes *before* the action.
* ``close()`` is safe before ``connect()``, twice and from a callback; after a lost
  connection (OBS restarted) the next call connects again.
* obs-websocket answers ``NotReady`` (207) while OBS starts, switches scene collection or
  shuts down (5.3+; OBS 30.2+ opens obs-websocket before it has loaded the scene
  collection): ``call()`` retries such a request for ``not_ready_timeout`` seconds.
* ``obs_version()``: OBS's version from Hello (``obsStudioVersion``, obs-websocket 5.6+,
  OBS 31.1+), else from ``GetVersion``.

The password is registered with ``livestream.secrets`` and never appears in a repr, a
log line or an exception message. Stream keys returned by ``GetStreamServiceSettings``
are registered too (through ``StreamService``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any, Callable, Dict, Mapping, Optional, Union

import websocket
from pydantic import SecretStr

from .. import profile_rules, secrets
from ..errors import ObsRefusedError, ObsUnreachableError
from ..session.ports import StreamService
from .events import EventHub, EventWaiter, ObsEvent, ObsEventTimeoutError, Predicate
from .protocol import (
    BUSY_HINT,
    DEFAULT_PORT,
    DEFAULT_URL,
    EVENT_SUBSCRIPTIONS_ALL,
    OUTPUT_RECONNECTED,
    OUTPUT_RECONNECTING,
    OUTPUT_STARTED,
    OUTPUT_STARTING,
    OUTPUT_STOPPED,
    OUTPUT_STOPPING,
    REQUEST_STATUS,
    WHERE_TO_LOOK,
    Connection,
    HandshakeError,
    parse_url,
    ws_url,
)

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

NOT_READY = 207
NOT_READY_TIMEOUT = 15.0  # OBS 32 loading a scene collection here: a few seconds
NOT_READY_PAUSE = 0.25
_HINTS = {
    204: "this obs-websocket does not know the request; it needs obs-websocket 5 (OBS 28 or newer)",
    207: "OBS is not ready (loading a scene collection or shutting down); try again in a moment",
    500: "stop the output first",
    501: "the output is not running",
}


def _plain(password: Union[str, SecretStr, None]) -> str:
    if password is None:
        return ""
    if isinstance(password, SecretStr):
        return password.get_secret_value()
    return str(password)


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
        self.url = ws_url(self.host, self.port)
        self._password = SecretStr(_plain(password))
        secrets.register(self._password)
        self.timeout = float(timeout)
        self.connect_timeout = float(connect_timeout if connect_timeout is not None else timeout)
        self.event_subscriptions = event_subscriptions
        self.not_ready_timeout = float(not_ready_timeout)
        self.server_version: Optional[str] = None
        self._obs_version: Optional[str] = None
        self._ws: Optional[Connection] = None
        self._connect_lock = threading.Lock()  # connect / close
        self._events = EventHub(self.url)
        self._closed = False

    def __repr__(self) -> str:
        return f"ObsClient({self.url!r}, connected={self.connected})"

    __str__ = __repr__

    # -- connection -------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        ws = self._ws
        return ws is not None and ws.running

    def connect(self) -> ObsClient:
        """Connect and identify, within ``connect_timeout``; a no-op when connected."""
        with self._connect_lock:
            if self.connected:
                return self
            self._closed = False
            self._drop_connection()
            ws = Connection(self.host, self.port, on_event=self._events.offer, on_lost=self._on_lost)
            started = time.monotonic()
            try:
                ws.open(self._password.get_secret_value(), self.connect_timeout, self.event_subscriptions)
            except HandshakeError as error:
                raise ObsUnreachableError(secrets.redact(error.message), hint=error.hint) from None
            self._ws = ws
            self.server_version = ws.server_version
            self._obs_version = ws.obs_studio_version  # None before obs-websocket 5.6: asked when needed
            self._events.start()
            LOG.debug("connected to obs-websocket %s at %s in %.2f s", self.server_version, self.url,
                      time.monotonic() - started)
            return self

    def close(self) -> None:
        """Disconnect and stop the event thread. Safe before connect, twice, from a callback."""
        with self._connect_lock:
            self._closed = True
            self._drop_connection()
        self._events.stop()

    def _drop_connection(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.close()

    def _on_lost(self) -> None:
        self._events.lost()
        if not self._closed:
            LOG.warning("lost the connection to obs-websocket at %s", self.url)

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
        ws = self._ws
        if ws is None:
            raise ObsUnreachableError(f"not connected to obs-websocket at {self.url}", hint=WHERE_TO_LOOK)
        try:
            response = ws.request(request_type, data, timeout)
        except (OSError, websocket.WebSocketException) as exc:
            raise ObsUnreachableError(
                f"lost the connection to obs-websocket at {self.url} sending {request_type} "
                f"({secrets.redact(exc)})", hint=WHERE_TO_LOOK,
            ) from None
        if response is None:
            if ws.lost:
                raise ObsUnreachableError(
                    f"lost the connection to obs-websocket at {self.url} waiting for {request_type}",
                    hint=WHERE_TO_LOOK,
                )
            raise ObsUnreachableError(f"OBS did not answer {request_type} within {timeout:g} s", hint=BUSY_HINT)
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
        return self._events.subscribe(callback, event_type)

    def expect_event(self, name: str, predicate: Optional[Predicate] = None) -> EventWaiter:
        """Start watching for an event now; ``.wait(timeout)`` returns its data.

        ``with obs.expect_event("StreamStateChanged", lambda d: d["outputState"] == OUTPUT_STARTED) as w:
        obs.call("StartStream"); w.wait(30)``
        """
        self._ensure_connected()  # events only flow on a live connection
        return self._events.waiter(name, predicate)

    def wait_for_event(self, name: str, predicate: Optional[Predicate] = None,
                       timeout: float = 10.0) -> Dict[str, Any]:
        """Wait for an event that has not happened yet (use ``expect_event`` to avoid a race)."""
        return self.expect_event(name, predicate).wait(timeout)

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
