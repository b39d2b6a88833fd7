"""The dock bound beyond loopback (``bind="0.0.0.0"``, for a central Prometheus), over real HTTP.

Requests go to this machine's own non-loopback address, as a Prometheus on the LAN would
send them: without the token they are refused on every path, with it ``/metrics`` and the
state answer; the buttons answer only to loopback. Without a non-loopback address the test
fails when ``CI`` is set and is skipped otherwise (it says so).
"""

from __future__ import annotations

import http.client
import os
import socket
import struct
from pathlib import Path
from typing import Optional

import pytest

from livestream.dock import DockFeed, DockServer


def non_loopback_address() -> Optional[str]:
    """An IPv4 address of one of this machine's own interfaces other than loopback (Linux's
    SIOCGIFADDR ioctl, see netdevice(7)), else one its host name resolves to."""
    try:
        import fcntl

        for _, name in socket.if_nameindex():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                try:
                    packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))
                except OSError:
                    continue  # no IPv4 address on this interface
            address = socket.inet_ntoa(packed[20:24])
            if not address.startswith("127."):
                return address
    except (ImportError, OSError):
        pass
    try:
        candidates = socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        candidates = []
    return next((a for a in candidates if not a.startswith("127.")), None)


@pytest.fixture
def lan_address() -> str:
    address = non_loopback_address()
    if address is None:
        if os.environ.get("CI"):
            pytest.fail("this machine has no non-loopback IPv4 address to test the dock's 0.0.0.0 bind with")
        pytest.skip("no non-loopback IPv4 address here: the bind rules are tested over loopback only")
    return address


@pytest.fixture
def pressed() -> list[str]:
    return []


def serve(tmp_path: Path, pressed: list[str], bind: str) -> DockServer:
    actions = {name: (lambda name=name: pressed.append(name)) for name in ("go_live", "prepare", "end")}
    return DockServer(DockFeed(), actions, state_dir=tmp_path, bind=bind).start()


def call(address: str, port: int, method: str, path: str, **headers: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(address, port, timeout=5)
    conn.request(method, path, body=b"{}" if method == "POST" else None, headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, body


def test_bound_to_every_interface_a_request_without_the_token_is_refused_on_every_path(
        tmp_path: Path, pressed: list[str], lan_address: str) -> None:
    dock = serve(tmp_path, pressed, "0.0.0.0")
    try:
        assert dock.beyond_loopback
        port, token = dock.port, dock.token
        for path in ("/", "/metrics", "/state", f"/{'x' * len(token)}/metrics", f"/{'x' * len(token)}/state"):
            status, body = call(lan_address, port, "GET", path)
            assert (status, body) == (403, b"forbidden: missing or wrong token"), path
        status, _ = call(lan_address, port, "GET", "/metrics", Authorization="Bearer not-the-token")
        assert status == 403

        status, body = call(lan_address, port, "GET", "/metrics", Authorization=f"Bearer {token}")
        assert status == 200 and b"obs_livestream_session_state" in body
        status, body = call(lan_address, port, "GET", f"/{token}/state")
        assert status == 200 and b'"state"' in body
        # Another site in a browser on the LAN still cannot read it or press a button.
        status, _ = call(lan_address, port, "GET", f"/{token}/state", Origin="http://evil.example")
        assert status == 403

        status, body = call(lan_address, port, "POST", f"/{token}/action/go_live")
        assert (status, body) == (403, b"forbidden: the buttons work only from this computer")
        assert pressed == []
        status, _ = call("127.0.0.1", port, "POST", f"/{token}/action/go_live")
        assert status == 202 and pressed == ["go_live"]
    finally:
        dock.stop()


def test_bound_to_loopback_the_lan_address_cannot_connect_and_a_foreign_host_is_refused(
        tmp_path: Path, pressed: list[str], lan_address: str) -> None:
    dock = serve(tmp_path, pressed, "127.0.0.1")
    try:
        assert not dock.beyond_loopback
        with pytest.raises(OSError):
            call(lan_address, dock.port, "GET", f"/{dock.token}/state")
        status, _ = call("127.0.0.1", dock.port, "GET", f"/{dock.token}/state", Host=f"{lan_address}:{dock.port}")
        assert status == 403  # the DNS-rebinding rule stays on loopback
    finally:
        dock.stop()


def test_the_rules_beyond_loopback_without_a_network(tmp_path: Path) -> None:
    """The same rules as plain calls, for a machine with no other address."""
    dock = DockServer(DockFeed(), {}, state_dir=tmp_path, token="t" * 43, bind="0.0.0.0")
    dock.port = 8765
    lan = {"Host": "studio1.lan:8765"}
    assert dock.refusal("/metrics", lan) == "missing or wrong token"
    assert dock.refusal("/metrics", {**lan, "Authorization": f"Bearer {'t' * 43}"}) is None
    assert dock.refusal(f"/{'t' * 43}/state", lan) is None
    assert dock.refusal(f"/{'t' * 43}/state", {**lan, "Origin": "http://studio1.lan:8765"}) is None
    assert dock.refusal(f"/{'t' * 43}/state", {**lan, "Origin": "http://other.lan"}) == "cross-origin request"
    assert dock.refusal(f"/{'t' * 43}/action/end", lan, method="POST", client="192.0.2.7") == \
        "the buttons work only from this computer"
    assert dock.refusal(f"/{'t' * 43}/action/end", lan, method="POST", client="127.0.0.1") is None


def test_an_unknown_bind_address_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="127.0.0.1, 0.0.0.0"):
        DockServer(DockFeed(), {}, bind="192.0.2.9")
