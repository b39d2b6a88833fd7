"""The shared HTTP layer: base URLs, headers, timeouts, retries, and the one error mapping."""

from __future__ import annotations

import http.server
import json
import logging
import random
import socket
import threading

import pytest
import requests

from livestream import USER_AGENT, secrets
from livestream.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NoResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderRefusedError,
    ProviderServerError,
    RateLimitedError,
    UnexpectedResponseError,
)
from livestream.http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    Service,
    classify_exception,
    parse_error_body,
    resolve_base_url,
)
from livestream.retry import ExcKind, RetryPolicy
from tests.fakehttp import (
    connect_timeout_error,
    connection_refused_error,
    connection_reset_error,
    name_resolution_error,
    read_timeout_error,
    tls_error,
)

BASE = "https://api.example.test"
SECRET = "s3cr3t-Token-Value-123"
SERVICE = Service(
    name="Example",
    credential="API token",
    auth_hint="check the token",
    permission_hint="ask for rights",
    not_found_hint="check the ID",
    base_url_env="EXAMPLE_API_BASE_URL",
)


@pytest.fixture
def client(fake, sleeps):
    secrets.register(SECRET)
    return HttpClient(SERVICE, BASE, session=fake.session(), sleep=sleeps.append, rng=random.Random(1))


# ---------------------------------------------------------------------------- requests as sent


def test_it_sends_user_agent_json_and_timeouts(fake, client):
    fake.expect("POST", f"{BASE}/v1/things", status=201, json={"ok": True})
    assert client.request_json("POST", "/v1/things", json={"name": "x"}) == {"ok": True}
    sent = fake.requests[0]
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json == {"name": "x"}
    assert sent.timeout == DEFAULT_TIMEOUT


def test_a_single_number_timeout_applies_to_connect_and_read(fake):
    client = HttpClient(SERVICE, BASE, session=fake.session(), timeout=3)
    fake.expect("GET", f"{BASE}/x", json={})
    client.request("GET", "x")
    assert fake.requests[0].timeout == (3.0, 3.0)


def test_it_appends_documented_paths_to_a_base_url_with_a_prefix(fake):
    client = HttpClient(SERVICE, "http://127.0.0.1:8080/fastpix/", session=fake.session())
    fake.expect("GET", "http://127.0.0.1:8080/fastpix/v1/live/streams?limit=1", json={})
    client.request("GET", "/v1/live/streams", params={"limit": 1})


def test_it_rebases_provider_links_onto_the_configured_base():
    client = HttpClient(SERVICE, "http://127.0.0.1:9000/tp")
    assert client.rebase("https://app.example.com/api/v1/o/assets/?page=2") == (
        "http://127.0.0.1:9000/tp/api/v1/o/assets/?page=2")
    assert client.rebase("http://127.0.0.1:9000/tp/api/v1/o/assets/?page=3") == (
        "http://127.0.0.1:9000/tp/api/v1/o/assets/?page=3")
    assert client.rebase("/api/v1/o/assets/?page=4") == "http://127.0.0.1:9000/tp/api/v1/o/assets/?page=4"


@pytest.mark.parametrize("bad", ["ftp://host", "app.example.com", "https://", "https://user:pw@host", "ftp://u:pw@host"])
def test_it_refuses_an_unusable_base_url(bad):
    with pytest.raises(ConfigurationError) as info:
        HttpClient(SERVICE, bad)
    assert "EXAMPLE_API_BASE_URL" in str(info.value)
    assert "pw@" not in str(info.value)


def test_the_base_url_comes_from_the_argument_then_the_environment_then_the_default():
    env = {"X_URL": "http://127.0.0.1:1234/"}
    kwargs = {"env_name": "X_URL", "default": "https://default.test", "service": "X"}
    assert resolve_base_url("http://explicit.test", environ=env, **kwargs) == "http://explicit.test"
    assert resolve_base_url(None, environ=env, **kwargs) == "http://127.0.0.1:1234"
    assert resolve_base_url(None, environ={}, **kwargs) == "https://default.test"


def test_it_does_not_follow_redirects(fake, client):
    fake.expect("POST", f"{BASE}/v1/things", status=301, headers={"Location": "https://elsewhere.test/"})
    with pytest.raises(UnexpectedResponseError) as info:
        client.request("POST", "/v1/things", json={})
    assert "EXAMPLE_API_BASE_URL" in str(info.value)
    assert len(fake.requests) == 1


# ---------------------------------------------------------------------------- retries


def test_it_retries_a_get_after_503(fake, client, sleeps):
    fake.expect("GET", f"{BASE}/x", status=503)
    fake.expect("GET", f"{BASE}/x", json={"ok": 1})
    assert client.request_json("GET", "/x") == {"ok": 1}
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5


@pytest.mark.parametrize("status", [500, 502, 504, 429])
def test_it_retries_a_get_after_transient_statuses(fake, client, sleeps, status):
    fake.expect("GET", f"{BASE}/x", status=status)
    fake.expect("GET", f"{BASE}/x", json={})
    client.request("GET", "/x")
    assert len(sleeps) == 1


@pytest.mark.parametrize("error", [read_timeout_error, connection_reset_error, connection_refused_error])
def test_it_retries_a_get_after_a_transport_error(fake, client, sleeps, error):
    fake.expect("GET", f"{BASE}/x", raises=error())
    fake.expect("GET", f"{BASE}/x", json={})
    client.request("GET", "/x")
    assert len(sleeps) == 1


def test_it_gives_up_after_three_retries_with_growing_delays(fake, client, sleeps):
    for _ in range(4):
        fake.expect("GET", f"{BASE}/x", status=503, json={"detail": "down"})
    with pytest.raises(ProviderServerError) as info:
        client.request("GET", "/x")
    assert len(sleeps) == 3
    assert sleeps[0] <= 0.5 < sleeps[1] <= 1.0 < sleeps[2] <= 2.0
    assert "Example failed on its side (503: down)" in str(info.value)


def test_it_never_retries_create_after_read_timeout(fake, client, sleeps):
    fake.expect("POST", f"{BASE}/v1/things", raises=read_timeout_error())
    with pytest.raises(NoResponseError) as info:
        client.request("POST", "/v1/things", json={"title": "t"})
    assert len(fake.requests) == 1 and sleeps == []
    assert "did not answer within 20 s" in str(info.value)
    assert "may still have been carried out" in str(info.value)


def test_it_never_retries_create_after_a_lost_connection(fake, client, sleeps):
    fake.expect("POST", f"{BASE}/v1/things", raises=connection_reset_error())
    with pytest.raises(NoResponseError):
        client.request("POST", "/v1/things", json={})
    assert len(fake.requests) == 1 and sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_it_never_retries_create_after_5xx(fake, client, sleeps, status):
    fake.expect("POST", f"{BASE}/v1/things", status=status)
    with pytest.raises(ProviderServerError):
        client.request("POST", "/v1/things", json={})
    assert len(fake.requests) == 1 and sleeps == []


def test_a_create_refused_with_429_is_sent_again_after_the_wait(fake, client, sleeps):
    fake.expect("POST", f"{BASE}/v1/things", status=429, headers={"Retry-After": "5"})
    fake.expect("POST", f"{BASE}/v1/things", status=201, json={"id": 1})
    assert client.request_json("POST", "/v1/things", json={}) == {"id": 1}
    assert sleeps == [5.0]


def test_a_create_still_rate_limited_after_the_retries_reports_the_wait(fake, client, sleeps):
    for _ in range(4):
        fake.expect("POST", f"{BASE}/v1/things", status=429, headers={"Retry-After": "5"})
    with pytest.raises(RateLimitedError) as info:
        client.request("POST", "/v1/things", json={})
    assert info.value.retry_after == 5.0
    assert "wait 5 s" in str(info.value)
    assert sleeps == [5.0, 5.0, 5.0]


@pytest.mark.parametrize("error", [connection_refused_error, connect_timeout_error, name_resolution_error])
def test_it_retries_a_create_that_never_left_the_machine(fake, client, sleeps, error):
    fake.expect("POST", f"{BASE}/v1/things", raises=error())
    fake.expect("POST", f"{BASE}/v1/things", status=201, json={"id": 1})
    assert client.request_json("POST", "/v1/things", json={}) == {"id": 1}
    assert len(sleeps) == 1


def test_a_post_marked_idempotent_is_retried_after_503(fake, client, sleeps):
    fake.expect("POST", f"{BASE}/stop/", status=503)
    fake.expect("POST", f"{BASE}/stop/", json={"message": "stopped"})
    client.request("POST", "/stop/", idempotent=True)
    assert len(sleeps) == 1


def test_it_honours_retry_after_seconds(fake, client, sleeps):
    fake.expect("GET", f"{BASE}/x", status=429, headers={"Retry-After": "7"})
    fake.expect("GET", f"{BASE}/x", json={})
    client.request("GET", "/x")
    assert sleeps == [7.0]


def test_it_honours_retry_after_as_an_http_date(fake, client, sleeps):
    fake.expect("GET", f"{BASE}/x", status=503, headers={"Retry-After": "Mon, 01 Jan 1990 00:00:00 GMT"})
    fake.expect("GET", f"{BASE}/x", json={})
    client.request("GET", "/x")
    assert sleeps == [0.0]  # a date in the past: retry at once


def test_it_does_not_sleep_a_long_retry_after_but_raises_rate_limited(fake, client, sleeps):
    fake.expect("GET", f"{BASE}/x", status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitedError) as info:
        client.request("GET", "/x")
    assert info.value.retry_after == 120.0
    assert sleeps == []


def test_a_retried_delete_that_finds_nothing_counts_as_deleted(fake, client):
    fake.expect("DELETE", f"{BASE}/things/1", raises=read_timeout_error())
    fake.expect("DELETE", f"{BASE}/things/1", status=404, json={"detail": "Not found."})
    client.request("DELETE", "/things/1")


def test_a_first_delete_that_finds_nothing_is_not_found(fake, client):
    fake.expect("DELETE", f"{BASE}/things/1", raises=connection_refused_error())  # never sent
    fake.expect("DELETE", f"{BASE}/things/1", status=404, json={"detail": "Not found."})
    with pytest.raises(NotFoundError):
        client.request("DELETE", "/things/1", what="thing 1")


def test_each_retry_is_logged_as_a_warning(fake, client, caplog):
    fake.expect("GET", f"{BASE}/x", status=502)
    fake.expect("GET", f"{BASE}/x", json={})
    with caplog.at_level(logging.WARNING, logger="livestream.http"):
        client.request("GET", "/x")
    assert "GET /x answered 502; retrying in" in caplog.text
    assert "retry 1 of 3" in caplog.text


# ---------------------------------------------------------------------------- error mapping


@pytest.mark.parametrize(
    "status, body, cls, text",
    [
        (401, {"detail": "Invalid token."}, AuthenticationError,
         "Example rejected the API token (401: Invalid token): check the token"),
        (403, {"detail": "You do not have permission to perform this action."}, PermissionDeniedError,
         "Example refused the request (403: You do not have permission to perform this action): ask for rights"),
        (404, {"detail": "Not found."}, NotFoundError, "Example has no such thing 7 (404: Not found): check the ID"),
        (400, {"detail": "Bad."}, InvalidRequestError, "Example rejected the request (400: Bad)"),
        (409, {"detail": "Already stopped."}, InvalidRequestError, "(409: Already stopped)"),
        (405, {"detail": "Method \"PATCH\" not allowed."}, ProviderRefusedError, "please report it"),
        (500, None, ProviderServerError, "Example failed on its side (500): try again in a few minutes"),
        (102, None, UnexpectedResponseError, "unexpected HTTP 102"),
    ],
)
def test_it_maps_each_status_to_one_error_class(fake, client, status, body, cls, text):
    fake.expect("POST", f"{BASE}/things/7", status=status, json=body if body is not None else None)
    with pytest.raises(cls) as info:
        client.request("POST", "/things/7", what="thing 7")  # a POST: no retries to script
    assert type(info.value) is cls
    assert text in str(info.value)
    assert info.value.provider == "Example"
    assert info.value.status_code == status


def test_the_generic_reader_takes_an_errors_list_of_fields_and_messages():
    message, fields = parse_error_body({"success": False, "errors": [
        {"field": "offset", "message": "must be at least 1"}, "bad request"]})
    assert message == "bad request"
    assert fields == {"offset": ["must be at least 1"]}


@pytest.mark.parametrize("body", [None, [], "oops", 42])
def test_it_tolerates_error_bodies_of_any_shape(body):
    assert parse_error_body(body) == (None, {})


def test_a_422_lists_every_field_in_the_message(fake, client):
    fake.expect("POST", f"{BASE}/v1/things", status=422, json={
        "message": "Invalid input",
        "errors": [{"field": "maxResolution", "message": "must be 1080p, 720p or 480p"},
                   {"field": "reconnectWindow", "message": "too big"}]})
    with pytest.raises(InvalidRequestError) as info:
        client.request("POST", "/v1/things", json={})
    err = info.value
    assert err.field_errors == {"maxResolution": ["must be 1080p, 720p or 480p"], "reconnectWindow": ["too big"]}
    assert "maxResolution: must be 1080p, 720p or 480p; reconnectWindow: too big" in str(err)
    assert err.provider_message == "Invalid input"


def test_an_html_error_page_is_not_pasted_into_the_message(fake, client):
    fake.expect("GET", f"{BASE}/x", status=404, body="<html><body>" + "x" * 5000 + "</body></html>",
                headers={"Content-Type": "text/html"})
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "/x")
    assert "<html>" not in str(info.value)


@pytest.mark.parametrize(
    "error, kind, text",
    [
        (connection_refused_error, ExcKind.CONNECT, "Could not connect to Example at https://api.example.test"),
        (name_resolution_error, ExcKind.CONNECT, "the host name did not resolve"),
        (connect_timeout_error, ExcKind.CONNECT, "the connection timed out"),
        (tls_error, ExcKind.TLS, "secure connection to Example at https://api.example.test failed"),
        (read_timeout_error, ExcKind.READ_TIMEOUT, "Example did not answer within 20 s"),
        (connection_reset_error, ExcKind.CONNECTION_LOST, "connection to Example was lost"),
    ],
)
def test_it_maps_transport_errors_to_no_response(fake, client, error, kind, text):
    exc = error(SECRET)
    assert classify_exception(exc) is kind
    for _ in range(1 if kind is ExcKind.TLS else 4):
        fake.expect("GET", f"{BASE}/x", raises=error(SECRET))
    with pytest.raises(NoResponseError) as info:
        client.request("GET", "/x")
    assert text in str(info.value)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    assert "/api?key" not in str(info.value)  # requests' own text (with its URL) is not used
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_an_invalid_url_is_a_configuration_error(fake, client):
    fake.expect("GET", f"{BASE}/x", raises=requests.exceptions.InvalidURL("bad"))
    with pytest.raises(ConfigurationError):
        client.request("GET", "/x")


def test_malformed_json_on_success_is_an_unexpected_response(fake, client):
    fake.expect("GET", f"{BASE}/x", body="{not json", headers={"Content-Type": "application/json"})
    with pytest.raises(UnexpectedResponseError) as info:
        client.request_json("GET", "/x")
    assert "not JSON" in str(info.value)


def test_an_empty_success_body_is_an_unexpected_response_where_json_is_needed(fake, client):
    fake.expect("GET", f"{BASE}/x", status=200, body=b"")
    with pytest.raises(UnexpectedResponseError) as info:
        client.request_json("GET", "/x")
    assert "empty body" in str(info.value)


def test_no_message_or_log_line_ever_contains_a_secret(fake, client, caplog):
    echo = {"detail": f"Token {SECRET} is invalid", "token": [f"{SECRET} is not valid"]}
    fake.expect("GET", f"{BASE}/x", status=503, json=echo)
    fake.expect("GET", f"{BASE}/x", status=401, json=echo)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(AuthenticationError) as info:
            client.request("GET", "/x")
    err = info.value
    for text in (str(err), repr(err), err.message, err.hint or "", err.provider_message or "", caplog.text):
        assert SECRET not in text
    assert "Token *** is invalid" in str(err)


# ---------------------------------------------------------------------------- real sockets


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _direct_session() -> requests.Session:
    """A real session that ignores proxy variables: these tests talk to 127.0.0.1."""
    session = requests.Session()
    session.trust_env = False
    return session


def test_a_refused_local_connection_counts_as_never_sent():
    client = HttpClient(SERVICE, f"http://127.0.0.1:{_free_port()}", session=_direct_session(),
                        policy=RetryPolicy(max_retries=0))
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        client.session.get(client.url("/x"), timeout=2)
    assert classify_exception(caught.value) is ExcKind.CONNECT
    with pytest.raises(NoResponseError) as info:
        client.request("POST", "/x", json={})
    assert "Could not connect to Example at http://127.0.0.1" in str(info.value)


@pytest.fixture
def local_server():
    """A real HTTP server on 127.0.0.1 recording what it receives."""
    seen: list[dict] = []
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append({"path": self.path, "headers": dict(self.headers)})
            if self.path == "/slow":
                release.wait(5)
            body = json.dumps({"hello": "world"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    release.set()
    server.shutdown()
    server.server_close()


def test_it_talks_to_a_real_server(local_server):
    url, seen = local_server
    client = HttpClient(SERVICE, url, session=_direct_session())
    assert client.request_json("GET", "/hello") == {"hello": "world"}
    client.close()
    assert seen[0]["path"] == "/hello"
    assert seen[0]["headers"]["User-Agent"] == USER_AGENT


def test_a_real_read_timeout_is_retried_for_a_get_then_reported(local_server):
    url, seen = local_server
    sleeps: list[float] = []
    client = HttpClient(SERVICE, url, session=_direct_session(), timeout=(2, 0.05), sleep=sleeps.append)
    with pytest.raises(NoResponseError) as info:
        client.request("GET", "/slow")
    assert "did not answer within 0.05 s" in str(info.value)
    assert len(seen) == 4 and len(sleeps) == 3
    client.close()


def test_a_secret_in_any_part_of_a_message_is_redacted_as_a_last_line(fake, client):
    fake.expect("POST", f"{BASE}/things", status=404)
    with pytest.raises(NotFoundError) as info:
        client.request("POST", "/things", what=f"thing {SECRET}")
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    assert "no such thing ***" in str(info.value)
