"""Hostile or broken answers and URLs end in a ``livestream.errors`` class, never a traceback:
an invalid port, JSON nested thousands deep, an answer of many megabytes."""

from __future__ import annotations

import http.server
import threading

import pytest
import requests

from livestream.errors import ConfigurationError, NoResponseError, NotFoundError, UnexpectedResponseError
from livestream.http import HttpClient, Service, normalize_base_url
from livestream.retry import RetryPolicy

BASE = "https://api.example.test"
SERVICE = Service(name="Example", credential="API token", auth_hint="check the token",
                  permission_hint="ask for rights", not_found_hint="check the ID",
                  base_url_env="EXAMPLE_API_BASE_URL")
DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def client(fake):
    return HttpClient(SERVICE, BASE, session=fake.session(), sleep=lambda _: None)


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://127.0.0.1:abc", "https://host:-1/x"])
def test_an_invalid_port_is_a_configuration_error(url):
    with pytest.raises(ConfigurationError) as caught:
        normalize_base_url(url, env_name="EXAMPLE_API_BASE_URL", service="Example")
    assert "invalid port" in str(caught.value) and "EXAMPLE_API_BASE_URL" in str(caught.value)


def test_json_nested_too_deeply_is_an_unexpected_response(fake, client):
    fake.expect("GET", f"{BASE}/x", body=DEEP_JSON)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.request_json("GET", "/x")
    assert "nested too deeply" in str(caught.value)


def test_an_error_body_nested_too_deeply_still_maps_the_status(fake, client):
    fake.expect("GET", f"{BASE}/x", status=404, body=DEEP_JSON)
    with pytest.raises(NotFoundError):
        client.request("GET", "/x")


def test_an_oversized_success_answer_is_refused(fake, client):
    client.max_response_bytes = 1000
    fake.expect("GET", f"{BASE}/x", json={"padding": "x" * 2000})
    with pytest.raises(UnexpectedResponseError) as caught:
        client.request_json("GET", "/x")
    assert "larger than" in str(caught.value)


def test_an_oversized_error_answer_maps_the_status_alone(fake, client):
    client.max_response_bytes = 1000
    fake.expect("GET", f"{BASE}/x", status=404, json={"detail": "x" * 2000})
    with pytest.raises(NotFoundError) as caught:
        client.request("GET", "/x")
    assert "x" * 50 not in str(caught.value)


@pytest.fixture
def endless_server():
    """A real server answering 200 with an endless chunked body (no Content-Length),
    counting the bytes it managed to send."""
    sent = {"bytes": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"[" * 65536
            try:
                for _ in range(4096):  # 256 MiB at most
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent["bytes"] += len(chunk)
            except OSError:
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", sent
    server.shutdown()
    server.server_close()


def test_an_endless_answer_is_cut_at_the_cap(endless_server):
    url, sent = endless_server
    session = requests.Session()
    session.trust_env = False
    client = HttpClient(SERVICE, url, session=session, policy=RetryPolicy(max_retries=0))
    client.max_response_bytes = 1024 * 1024
    with pytest.raises(UnexpectedResponseError) as caught:
        client.request_json("GET", "/x")
    client.close()
    assert "larger than 1 MiB" in str(caught.value)
    # Stopped reading soon after the cap (socket buffers hold a few more MiB at most),
    # not after the 256 MiB the server would have sent.
    assert sent["bytes"] < 64 * 1024 * 1024


@pytest.fixture
def dripping_server():
    """A real server that answers one byte at a time, a fifth of a second apart: each
    byte restarts requests' read timeout, so only a deadline for the whole request ends it.
    ``drip_headers`` drips the status line and headers too; otherwise only the body."""
    state = {"drip_headers": False, "stop": threading.Event()}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _drip(self, data):
            for byte in data:
                if state["stop"].wait(0.2):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def do_GET(self):  # noqa: N802 - http.server's name
            body = b'{"data": "' + b"x" * 200 + b'"}'
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body))
            try:
                if state["drip_headers"]:
                    self._drip(head)
                else:
                    self.wfile.write(head)
                    self.wfile.flush()
                self._drip(body)
            except OSError:
                pass

        do_POST = do_GET  # noqa: N815

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    state["stop"].set()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("drip_headers", [False, True], ids=["body", "headers"])
def test_a_dripping_answer_ends_with_a_too_slow_error(dripping_server, drip_headers):
    url, state = dripping_server
    state["drip_headers"] = drip_headers
    session = requests.Session()
    session.trust_env = False
    # Each byte comes well within the read timeout; the answer would take over 40 s whole.
    client = HttpClient(SERVICE, url, session=session, timeout=(5.0, 5.0), deadline=1.0,
                        policy=RetryPolicy(max_retries=3))
    with pytest.raises(NoResponseError) as caught:
        client.request_json("GET", "/x")
    client.close()
    assert "Example answered too slowly" in str(caught.value)
    assert "within 1 s" in str(caught.value)


def test_a_dripping_create_is_not_sent_again_and_says_it_may_have_been_made(dripping_server):
    url, _ = dripping_server
    session = requests.Session()
    session.trust_env = False
    client = HttpClient(SERVICE, url, session=session, deadline=0.5, sleep=lambda _: None)
    with pytest.raises(NoResponseError) as caught:
        client.request("POST", "/x", json={}, idempotent=False)
    client.close()
    assert "too slowly" in str(caught.value)
    assert "may still have been carried out" in caught.value.hint
