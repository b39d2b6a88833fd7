"""The sandbox holds up against odd requests: admin routes come from a table (no Python
attribute is reachable by URL), bad or huge ``Content-Length`` values get 400/413, and
its data (stream keys included) is readable by its owner only."""

from __future__ import annotations

import os
import socket
import stat

import pytest
import requests

from livestream_sandbox import Sandbox


@pytest.mark.parametrize("name", ["_init__", "_info", "__class__", "_reset", "_handle", "view", "routes"])
def test_a_python_name_in_an_admin_url_is_404_and_breaks_nothing(api_sandbox, name):
    url = f"{api_sandbox.api_url}/_sandbox/{name}"
    assert requests.get(url, timeout=5).status_code == 404
    assert requests.post(url, json={}, timeout=5).status_code == 404
    assert requests.get(f"{api_sandbox.api_url}/_sandbox/streams", timeout=5).status_code == 200
    assert requests.get(f"{api_sandbox.api_url}/_sandbox/info", timeout=5).status_code == 200


def _raw_request(url: str, content_length: str) -> bytes:
    host, port = url.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall((f"POST /v1/live/streams HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {content_length}\r\n\r\n{{}}").encode())
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer


@pytest.mark.parametrize("value, status", [("abc", 400), ("-1", 400), ("1e3", 400), ("99999999999999", 413),
                                           (str(64 * 1024 * 1024), 413)])
def test_a_bad_content_length_gets_an_answer_not_a_traceback(api_sandbox, value, status, caplog):
    answer = _raw_request(api_sandbox.api_url, value)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer
    assert "Traceback" not in caplog.text
    assert requests.get(f"{api_sandbox.api_url}/_sandbox/health", timeout=5).json() == {"ok": True}


def test_the_data_folder_and_database_are_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # an existing, world-readable folder
    old_umask = os.umask(0o022)
    try:
        sandbox = Sandbox(data, ingest=False, environ={})
        sandbox.start()
        try:
            requests.post(f"{sandbox.api_url}/_sandbox/config", json={"boot_delay": 0.1}, timeout=5)
            assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
            for name in ("sandbox.db", "sandbox.db-wal", "sandbox.db-shm"):
                path = data / name
                if name == "sandbox.db" or path.exists():
                    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, name
        finally:
            sandbox.stop()
    finally:
        os.umask(old_umask)
