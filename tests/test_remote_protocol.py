"""The obs-websocket 5 protocol module: secrets stay out of websocket-client's frame trace,
and the remote client needs no obs-websocket-py.

The fake server is the one of tests/test_remote_client.py (real sockets, no OBS).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import websocket

from livestream.errors import ObsUnreachableError
from livestream.remote.client import ObsClient
from tests.test_remote_client import PASSWORD, FakeObsWebSocket, _auth

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def obs_server():
    with contextlib.closing(FakeObsWebSocket()) as server:
        yield server


@pytest.fixture
def trace():
    """websocket-client's frame trace switched on (as a user debugging a connection would)."""
    out = io.StringIO()
    websocket.enableTrace(True, handler=logging.StreamHandler(out))
    try:
        yield out
    finally:
        websocket.enableTrace(False)


def test_the_frame_trace_shows_neither_the_password_nor_the_auth_string(
    obs_server: FakeObsWebSocket, trace: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with ObsClient(obs_server.url, PASSWORD, timeout=2.0) as client:
        assert client.version()["rpcVersion"] == 1
    auth = _auth(PASSWORD, "c2FsdA==", "Y2hhbGxlbmdl")  # the fake's salt and challenge
    logged = trace.getvalue() + caplog.text
    assert "GetVersion" in logged and "rpcVersion" in logged  # the trace did print the frames
    assert PASSWORD not in logged and auth not in logged


def test_a_refused_password_is_not_in_the_frame_trace_either(
    obs_server: FakeObsWebSocket, trace: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-password-trace-2468"
    client = ObsClient(obs_server.url, wrong, timeout=2.0)
    with pytest.raises(ObsUnreachableError, match="refused the password"):
        client.connect()
    client.close()
    logged = trace.getvalue() + caplog.text
    assert "eventSubscriptions" in logged  # the Identify frame was traced
    assert wrong not in logged and _auth(wrong, "c2FsdA==", "Y2hhbGxlbmdl") not in logged


def test_the_remote_client_imports_no_obs_websocket_py() -> None:
    code = ("import sys, livestream.remote.client, livestream.remote.port; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'obswebsocket'))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "lib"), str(ROOT)])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
