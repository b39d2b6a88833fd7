"""The dock server's connections over real loopback sockets: an idle socket is closed after
the idle timeout, a stuck one does not hold up the others, and a flood of sockets is capped
(1,500 idle connections once took OBS from 27 to 1,524 threads)."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from livestream.dock import DockFeed, DockServer
from livestream.dock import server as dock_server

from .test_dock_server import request


@pytest.fixture
def small_dock(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(dock_server, "IDLE_TIMEOUT", 1.0)
    monkeypatch.setattr(dock_server, "MAX_CONNECTIONS", 4)
    server = DockServer(DockFeed(), {}, state_dir=tmp_path).start()
    yield server
    server.stop()


def idle_socket(server: DockServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def test_an_idle_connection_is_closed_and_does_not_block_a_request_meanwhile(small_dock: DockServer):
    stuck = idle_socket(small_dock)
    half = idle_socket(small_dock)
    half.sendall(b"GET /" + small_dock.token.encode() + b"/state HTTP/1.1\r\nHost: x")  # headers never end
    try:
        status, body, _ = request(small_dock, "GET", f"/{small_dock.token}/state")
        assert status == 200 and json.loads(body)
        assert stuck.recv(1024) == b""  # closed by the server (a client timeout would raise instead)
        assert half.recv(1024) == b""
    finally:
        stuck.close()
        half.close()


def test_connections_beyond_the_cap_are_closed_at_once_without_a_thread_each(small_dock: DockServer,
                                                                             monkeypatch):
    monkeypatch.setattr(dock_server, "IDLE_TIMEOUT", 10.0)  # the four stay held while the rest arrive
    before = threading.active_count()
    held = [idle_socket(small_dock) for _ in range(4)]
    extra = []
    try:
        extra = [idle_socket(small_dock) for _ in range(20)]
        refused = [sock.recv(1024) for sock in extra]
        assert refused == [b""] * 20, refused
        assert threading.active_count() <= before + 4
    finally:
        for sock in held + extra:
            sock.close()
    for _ in range(100):  # the slots come back when the handlers finish
        try:
            status, _, _ = request(small_dock, "GET", f"/{small_dock.token}/state")
        except (ConnectionError, OSError):
            time.sleep(0.05)
            continue
        assert status == 200
        break
    else:
        pytest.fail("the dock did not serve again after the flood")
