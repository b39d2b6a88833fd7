"""ObsClient against a small fake obs-websocket 5 server (real sockets, no OBS).

The fake speaks the parts of the protocol the client uses (docs/generated/protocol.md):
the HTTP upgrade, Hello with an authentication challenge, Identify/Identified, the
4009 close on a wrong password, requests (op 6/7) and events (op 5). Behaviour against
the real OBS is in tests/e2e/test_remote_client_obs.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from livestream import secrets
from livestream.errors import ConfigurationError, ObsRefusedError, ObsUnreachableError
from livestream.remote.client import (
    OUTPUT_STARTED,
    OUTPUT_STARTING,
    OUTPUT_STOPPED,
    ObsClient,
    ObsEvent,
    ObsEventTimeoutError,
    parse_url,
)
from livestream.session.ports import StreamService

PASSWORD = "fake-obs-password-1234"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# (ok, code, comment, responseData); None = never answer
Reply = Optional[Tuple[bool, int, Optional[str], Optional[dict]]]


def _auth(password: str, salt: str, challenge: str) -> str:
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest())
    return base64.b64encode(hashlib.sha256(secret + challenge.encode()).digest()).decode()


class _Conn:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def recv(self) -> Tuple[int, bytes]:
        head = self._read(2)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        mask = self._read(4) if head[1] & 0x80 else b"\0\0\0\0"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read(length)))
        return opcode, payload

    def send(self, payload: bytes, opcode: int = 1) -> None:
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        with self.lock:
            self.sock.sendall(head + payload)

    def send_json(self, message: dict) -> None:
        self.send(json.dumps(message).encode())

    def close(self, code: Optional[int] = None, reason: str = "") -> None:
        try:
            if code is not None:
                self.send(struct.pack("!H", code) + reason.encode(), opcode=8)
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class FakeObsWebSocket:
    """A tiny obs-websocket 5 server on 127.0.0.1 for tests."""

    def __init__(self, password: Optional[str] = PASSWORD, *, greet: bool = True) -> None:
        self.password = password
        self.greet = greet
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}"
        self.conns: List[_Conn] = []
        self.requests: List[Tuple[str, dict]] = []
        self.service: Dict[str, Any] = {"type": "rtmp_custom", "settings": {"server": "rtmp://a/b", "key": "k0"}}
        self.profile: Dict[Tuple[str, str], str] = {}
        self.hello_extra: Dict[str, Any] = {}  # e.g. obsStudioVersion (obs-websocket 5.6+)
        self.handlers: Dict[str, Callable[[dict], Reply]] = {
            "GetVersion": lambda d: (True, 100, None, {"obsVersion": "29.0.2", "rpcVersion": 1}),
            "Echo": lambda d: (True, 100, None, dict(d)),
            "Hang": lambda d: None,
            "StopStream": lambda d: (False, 501, None, None),
            "GetInputSettings": lambda d: (False, 600, f"No source was found by the name of `{d.get('inputName')}`.",
                                           None),
            "GetStreamServiceSettings": lambda d: (
                True, 100, None,
                {"streamServiceType": self.service["type"], "streamServiceSettings": dict(self.service["settings"])},
            ),
            "SetStreamServiceSettings": self._set_service,
            "GetProfileParameter": lambda d: (
                True, 100, None,
                {"parameterValue": self.profile.get((d["parameterCategory"], d["parameterName"])),
                 "defaultParameterValue": None},
            ),
        }
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _set_service(self, data: dict) -> Reply:
        # obs-websocket merges into the current settings when the type is unchanged.
        if data["streamServiceType"] == self.service["type"]:
            self.service["settings"].update(data["streamServiceSettings"])
        else:
            self.service = {"type": data["streamServiceType"], "settings": dict(data["streamServiceSettings"])}
        return True, 100, None, None

    def _accept(self) -> None:
        while not self._stop:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        conn = _Conn(sock)
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                request += chunk
            key = next(line.split(":", 1)[1].strip() for line in request.decode().split("\r\n")
                       if line.lower().startswith("sec-websocket-key:"))
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
            sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
            self.conns.append(conn)
            if not self.greet:
                while sock.recv(1024):
                    pass
                return
            hello: Dict[str, Any] = {"obsWebSocketVersion": "5.1.0", "rpcVersion": 1, **self.hello_extra}
            if self.password is not None:
                hello["authentication"] = {"salt": "c2FsdA==", "challenge": "Y2hhbGxlbmdl"}
            conn.send_json({"op": 0, "d": hello})
            _, payload = conn.recv()
            identify = json.loads(payload)["d"]
            if self.password is not None and identify.get("authentication") != _auth(
                self.password, "c2FsdA==", "Y2hhbGxlbmdl"
            ):
                conn.close(4009, "Authentication failed.")
                return
            conn.send_json({"op": 2, "d": {"negotiatedRpcVersion": 1}})
            while True:
                opcode, payload = conn.recv()
                if opcode == 8:
                    conn.close(1000)
                    return
                message = json.loads(payload)
                if message.get("op") != 6:
                    continue
                d = message["d"]
                self.requests.append((d["requestType"], d.get("requestData") or {}))
                handler = self.handlers.get(d["requestType"])
                reply = handler(d.get("requestData") or {}) if handler else (
                    False, 204, "Your request type is not valid.", None)
                if reply is None:
                    continue
                ok, code, comment, data = reply
                status: Dict[str, Any] = {"result": ok, "code": code}
                if comment:
                    status["comment"] = comment
                response = {"requestType": d["requestType"], "requestId": d["requestId"], "requestStatus": status}
                if data is not None:
                    response["responseData"] = data
                conn.send_json({"op": 7, "d": response})
        except (OSError, ConnectionError, ValueError, StopIteration):
            return
        finally:
            conn.close()

    def emit(self, event_type: str, data: Optional[dict] = None) -> None:
        for conn in list(self.conns):
            try:
                conn.send_json({"op": 5, "d": {"eventType": event_type, "eventIntent": 64, "eventData": data or {}}})
            except OSError:
                pass

    def emit_later(self, delay: float, *events: Tuple[str, dict]) -> None:
        def run() -> None:
            time.sleep(delay)
            for name, data in events:
                self.emit(name, data)

        threading.Thread(target=run, daemon=True).start()

    def drop(self) -> None:
        """Cut every connection without a close frame (OBS crashed)."""
        for conn in list(self.conns):
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conns.clear()

    def close(self) -> None:
        self._stop = True
        self.listener.close()
        self.drop()


@pytest.fixture
def fake():
    server = FakeObsWebSocket()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def client(fake: FakeObsWebSocket):
    with ObsClient(fake.url, PASSWORD, timeout=2.0) as connected:
        yield connected


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- URLs ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ws://localhost:4455", ("localhost", 4455)),
        ("ws://192.168.1.5:4460", ("192.168.1.5", 4460)),
        ("localhost:4456", ("localhost", 4456)),
        ("studio-pc", ("studio-pc", 4455)),
        ("ws://[::1]:4455", ("::1", 4455)),
    ],
)
def test_it_parses_obs_websocket_urls(url: str, expected: tuple) -> None:
    assert parse_url(url) == expected


@pytest.mark.parametrize("url", ["", "wss://host:4455", "http://host:4455", "ws://host:notaport"])
def test_it_rejects_urls_it_cannot_use(url: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_url(url)


# -- connecting ---------------------------------------------------------------------------
def test_a_closed_port_is_unreachable_at_once_and_says_what_to_do() -> None:
    client = ObsClient(f"ws://127.0.0.1:{_closed_port()}", PASSWORD, timeout=5)
    started = time.monotonic()
    with pytest.raises(ObsUnreachableError) as caught:
        client.connect()
    assert time.monotonic() - started < 1.0
    message = str(caught.value)
    assert "Tools > WebSocket Server Settings" in message and "4455" in message
    assert PASSWORD not in message
    client.close()


def test_a_wrong_password_is_refused_without_showing_it(fake: FakeObsWebSocket) -> None:
    wrong = "wrong-password-5678"
    client = ObsClient(fake.url, wrong, timeout=2)
    with pytest.raises(ObsUnreachableError) as caught:
        client.connect()
    message = str(caught.value)
    assert "refused the password" in message and "Show Connect Info" in message
    assert wrong not in message and wrong not in repr(caught.value) and wrong not in repr(client)
    assert secrets.redact(f"x {wrong} y") == "x *** y"  # registered as a secret
    client.close()


def test_a_missing_password_is_explained(fake: FakeObsWebSocket) -> None:
    with pytest.raises(ObsUnreachableError, match="requires a password"):
        ObsClient(fake.url, None, timeout=2).connect()


def test_no_password_is_needed_when_obs_asks_for_none() -> None:
    server = FakeObsWebSocket(password=None)
    try:
        with ObsClient(server.url, None, timeout=2) as client:
            assert client.version()["obsVersion"] == "29.0.2"
    finally:
        server.close()


def test_a_server_that_never_greets_hits_the_connect_deadline() -> None:
    server = FakeObsWebSocket(greet=False)
    try:
        client = ObsClient(server.url, PASSWORD, timeout=5, connect_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(ObsUnreachableError, match="within 0.5 s"):
            client.connect()
        assert time.monotonic() - started < 2.0
    finally:
        server.close()


def test_close_is_safe_before_connect_twice_and_then_calls_fail(fake: FakeObsWebSocket) -> None:
    client = ObsClient(fake.url, PASSWORD, timeout=2)
    client.close()
    client.close()
    with pytest.raises(ObsUnreachableError, match="closed"):
        client.call("GetVersion")
    client.connect()  # an explicit connect opens it again
    assert client.version()["rpcVersion"] == 1
    client.close()
    client.close()
    assert not client.connected


def test_calls_connect_lazily(fake: FakeObsWebSocket) -> None:
    client = ObsClient(fake.url, PASSWORD, timeout=2)
    try:
        assert client.call("Echo", a=1) == {"a": 1}
        assert client.connected
    finally:
        client.close()


def test_repr_shows_the_url_not_the_password(client: ObsClient) -> None:
    assert repr(client) == f"ObsClient('{client.url}', connected=True)"
    assert PASSWORD not in repr(client) and PASSWORD not in repr(client.__dict__)


# -- requests -----------------------------------------------------------------------------
def test_a_request_returns_its_response_data(client: ObsClient, fake: FakeObsWebSocket) -> None:
    assert client.call("Echo", sceneName="Live", nested={"x": [1, 2]}) == {"sceneName": "Live", "nested": {"x": [1, 2]}}
    assert fake.requests[-1] == ("Echo", {"sceneName": "Live", "nested": {"x": [1, 2]}})


def test_a_refused_request_raises_with_code_name_and_comment(client: ObsClient) -> None:
    with pytest.raises(ObsRefusedError) as caught:
        client.stop_stream()
    assert caught.value.code == 501
    assert "StopStream" in str(caught.value) and "OutputNotRunning" in str(caught.value)

    with pytest.raises(ObsRefusedError) as caught:
        client.call("GetInputSettings", inputName="Camera")
    assert caught.value.code == 600
    assert caught.value.comment == "No source was found by the name of `Camera`."
    assert caught.value.request_type == "GetInputSettings"
    assert "ResourceNotFound" in str(caught.value) and "`Camera`" in str(caught.value)


def test_an_unknown_request_type_says_obs_websocket_5_is_needed(client: ObsClient) -> None:
    with pytest.raises(ObsRefusedError) as caught:
        client.call("StartStreaming")  # the v4 name
    assert caught.value.code == 204
    assert "obs-websocket 5" in str(caught.value)


def test_an_unanswered_request_times_out(client: ObsClient) -> None:
    started = time.monotonic()
    with pytest.raises(ObsUnreachableError, match="did not answer Hang within 0.3 s"):
        client.call("Hang", _timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert client.call("Echo", after=True) == {"after": True}  # the connection is still usable


def test_concurrent_calls_each_get_their_own_answer(client: ObsClient) -> None:
    errors: List[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(25):
                assert client.call("Echo", worker=n, i=i) == {"worker": n, "i": i}
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []


def test_a_lost_connection_fails_the_waiting_call_and_the_next_call_reconnects(
    client: ObsClient, fake: FakeObsWebSocket
) -> None:
    threading.Timer(0.2, fake.drop).start()
    started = time.monotonic()
    with pytest.raises(ObsUnreachableError, match="lost the connection"):
        client.call("Hang", _timeout=5)
    assert time.monotonic() - started < 2.0
    assert client.version()["obsVersion"] == "29.0.2"  # OBS is back: a new connection


# -- events -------------------------------------------------------------------------------
def test_events_reach_subscribers_on_a_thread_where_they_may_call_obs(
    client: ObsClient, fake: FakeObsWebSocket
) -> None:
    seen: List[Tuple[str, Any, str]] = []
    done = threading.Event()

    def on_custom(event: ObsEvent) -> None:
        # Calling back into OBS from a callback must not deadlock the receive loop.
        answer = client.call("Echo", got=event.data["n"])
        seen.append((event.name, answer, threading.current_thread().name))
        done.set()

    unsubscribe = client.subscribe(on_custom, "CustomEvent")
    fake.emit("SceneNameChanged", {"oldSceneName": "a", "sceneName": "b"})  # filtered out
    fake.emit("CustomEvent", {"n": 7})
    assert done.wait(3)
    assert seen[0][:2] == ("CustomEvent", {"got": 7})
    assert "events" in seen[0][2]  # the dispatcher thread, not the receive loop
    unsubscribe()
    fake.emit("CustomEvent", {"n": 8})
    time.sleep(0.2)
    assert len(seen) == 1


def test_a_failing_callback_does_not_stop_the_events(
    client: ObsClient, fake: FakeObsWebSocket, caplog: pytest.LogCaptureFixture
) -> None:
    received: List[int] = []
    done = threading.Event()

    def broken(event: ObsEvent) -> None:
        raise RuntimeError("boom")

    def counting(event: ObsEvent) -> None:
        received.append(event.data["n"])
        if len(received) == 2:
            done.set()

    client.subscribe(broken, "CustomEvent")
    client.subscribe(counting, "CustomEvent")
    fake.emit("CustomEvent", {"n": 1})
    fake.emit("CustomEvent", {"n": 2})
    assert done.wait(3)
    assert received == [1, 2]
    assert client.call("Echo", ok=True) == {"ok": True}
    assert "boom" in caplog.text


def test_expect_event_waits_for_a_matching_event(client: ObsClient, fake: FakeObsWebSocket) -> None:
    with client.expect_event("StreamStateChanged", lambda d: d["outputState"] == OUTPUT_STARTED) as waiter:
        fake.emit_later(0.05, ("StreamStateChanged", {"outputActive": False, "outputState": OUTPUT_STARTING}),
                        ("StreamStateChanged", {"outputActive": True, "outputState": OUTPUT_STARTED}))
        assert waiter.wait(3) == {"outputActive": True, "outputState": OUTPUT_STARTED}


def test_waiting_for_an_event_that_never_comes_times_out(client: ObsClient) -> None:
    with pytest.raises(ObsEventTimeoutError) as caught:
        client.wait_for_event("StreamStateChanged", timeout=0.2)
    assert isinstance(caught.value, TimeoutError) and isinstance(caught.value, ObsRefusedError)


def test_a_lost_connection_wakes_an_event_waiter(client: ObsClient, fake: FakeObsWebSocket) -> None:
    threading.Timer(0.2, fake.drop).start()
    started = time.monotonic()
    with pytest.raises(ObsUnreachableError, match="while waiting for StreamStateChanged"):
        client.wait_for_event("StreamStateChanged", timeout=5)
    assert time.monotonic() - started < 2.0


def test_a_predicate_error_surfaces_in_wait_not_in_the_receive_loop(client: ObsClient, fake: FakeObsWebSocket) -> None:
    with client.expect_event("CustomEvent", lambda d: d["missing"]) as waiter:
        fake.emit("CustomEvent", {"n": 1})
        with pytest.raises(KeyError):
            waiter.wait(3)
    assert client.call("Echo", alive=True) == {"alive": True}


# -- helpers ------------------------------------------------------------------------------
def test_start_stream_waits_for_started(client: ObsClient, fake: FakeObsWebSocket) -> None:
    def start(data: dict) -> Reply:
        fake.emit_later(0.05, ("StreamStateChanged", {"outputActive": False, "outputState": OUTPUT_STARTING}),
                        ("StreamStateChanged", {"outputActive": True, "outputState": OUTPUT_STARTED}))
        return True, 100, None, None

    fake.handlers["StartStream"] = start
    assert client.start_stream(wait=3)["outputState"] == OUTPUT_STARTED


def test_start_stream_raises_when_obs_stops_instead(client: ObsClient, fake: FakeObsWebSocket) -> None:
    def start(data: dict) -> Reply:
        fake.emit_later(0.05, ("StreamStateChanged", {"outputActive": False, "outputState": OUTPUT_STARTING}),
                        ("StreamStateChanged", {"outputActive": False, "outputState": OUTPUT_STOPPED}))
        return True, 100, None, None

    fake.handlers["StartStream"] = start
    with pytest.raises(ObsRefusedError, match="could not start streaming"):
        client.start_stream(wait=3)


def test_set_stream_service_blanks_fields_the_new_service_lacks(client: ObsClient, fake: FakeObsWebSocket) -> None:
    fake.service = {"type": "rtmp_custom", "settings": {"server": "rtmp://ours/live", "key": "our-key-999",
                                                         "use_auth": True, "username": "me", "password": "pw-999"}}
    client.set_stream_service(StreamService.custom("rtmp://previous/app", "previous-key-1"))
    assert fake.service["settings"] == {"server": "rtmp://previous/app", "key": "previous-key-1",
                                        "use_auth": False, "username": "", "password": ""}
    got = client.get_stream_service()
    assert got.service_type == "rtmp_custom" and got.settings["key"] == "previous-key-1"
    assert "previous-key-1" not in repr(got)


def test_set_stream_service_of_another_type_sends_only_its_settings(client: ObsClient, fake: FakeObsWebSocket) -> None:
    client.set_stream_service(StreamService("whip_custom", {"server": "https://whip/x", "bearer_token": "tok-1234"}))
    assert fake.requests[-1] == ("SetStreamServiceSettings", {
        "streamServiceType": "whip_custom",
        "streamServiceSettings": {"server": "https://whip/x", "bearer_token": "tok-1234"},
    })


@pytest.mark.parametrize(("stored", "expected"), [(None, None), ("None", None), ("", None),
                                                  ("Twitch", "Twitch"), ("YouTube - RTMP", "YouTube - RTMP")])
def test_linked_account_reads_auth_type_from_the_profile(
    client: ObsClient, fake: FakeObsWebSocket, stored: Optional[str], expected: Optional[str]
) -> None:
    if stored is not None:
        fake.profile[("Auth", "Type")] = stored
    assert client.linked_account() == expected
    assert fake.requests[-1] == ("GetProfileParameter", {"parameterCategory": "Auth", "parameterName": "Type"})


def test_trigger_hotkey_and_custom_event_send_the_v5_requests(client: ObsClient, fake: FakeObsWebSocket) -> None:
    fake.handlers["TriggerHotkeyByName"] = lambda d: (True, 100, None, None)
    fake.handlers["BroadcastCustomEvent"] = lambda d: (True, 100, None, None)
    client.trigger_hotkey("obs_livestream.go_live")
    client.broadcast_custom_event({"target": "obs_livestream", "action": "go_live"})
    assert fake.requests[-2:] == [
        ("TriggerHotkeyByName", {"hotkeyName": "obs_livestream.go_live"}),
        ("BroadcastCustomEvent", {"eventData": {"target": "obs_livestream", "action": "go_live"}}),
    ]


# -- NotReady and OBS's version -------------------------------------------------------------
def _not_ready_then(fake: FakeObsWebSocket, times: int, reply: Reply) -> None:
    answers = iter([(False, 207, "OBS is not ready to perform the request.", None)] * times)
    fake.handlers["GetSceneList"] = lambda d: next(answers, reply)


def test_not_ready_is_retried_until_obs_answers(fake: FakeObsWebSocket) -> None:
    _not_ready_then(fake, 3, (True, 100, None, {"scenes": []}))
    with ObsClient(fake.url, PASSWORD, timeout=2.0) as client:
        assert client.call("GetSceneList") == {"scenes": []}
    assert [name for name, _ in fake.requests].count("GetSceneList") == 4


def test_not_ready_for_too_long_raises_not_ready(fake: FakeObsWebSocket) -> None:
    _not_ready_then(fake, 1000, (True, 100, None, {}))
    with ObsClient(fake.url, PASSWORD, timeout=2.0, not_ready_timeout=0.6) as client:
        with pytest.raises(ObsRefusedError) as caught:
            client.call("GetSceneList")
    assert caught.value.code == 207 and "NotReady" in str(caught.value)
    assert "try again" in (caught.value.hint or "")
    assert 1 < [name for name, _ in fake.requests].count("GetSceneList") < 1000


def test_other_refusals_are_not_retried(client: ObsClient, fake: FakeObsWebSocket) -> None:
    with pytest.raises(ObsRefusedError):
        client.stop_stream()
    assert [name for name, _ in fake.requests].count("StopStream") == 1


def test_obs_version_comes_from_hello_when_obs_websocket_sends_it(fake: FakeObsWebSocket) -> None:
    fake.hello_extra = {"obsStudioVersion": "32.2.2"}
    with ObsClient(fake.url, PASSWORD, timeout=2.0) as client:
        assert client.obs_version() == "32.2.2"
    assert "GetVersion" not in [name for name, _ in fake.requests]


def test_obs_version_is_asked_for_when_hello_lacks_it(client: ObsClient, fake: FakeObsWebSocket) -> None:
    assert client.obs_version() == "29.0.2"
    assert client.obs_version() == "29.0.2"
    assert [name for name, _ in fake.requests].count("GetVersion") == 1


@pytest.mark.parametrize(("obs_version", "stored", "expected"), [
    ("30.2.3", "true", True), ("32.2.2+ds-1+b2", "1", True), ("32.2.2", "false", False), ("30.2.3", None, False),
    ("32.2.2", "-1", True), ("32.2.2", "0", False),  # as OBS reads it (config_get_bool), and as the script in OBS does
    ("29.0.2", "true", False),  # no Enhanced Broadcasting before 30.2, whatever the profile says
])
def test_multitrack_video_reads_the_profile_of_obs_30_2_and_later(
    fake: FakeObsWebSocket, obs_version: str, stored: Optional[str], expected: bool
) -> None:
    fake.hello_extra = {"obsStudioVersion": obs_version}
    if stored is not None:
        fake.profile[("Stream1", "EnableMultitrackVideo")] = stored
    with ObsClient(fake.url, PASSWORD, timeout=2.0) as client:
        assert client.multitrack_video() is expected
