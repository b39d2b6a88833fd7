"""Bad input and hostile answers end with a documented exit code and a clear line, never a
traceback: an invalid port, unusable credentials, a deeply nested or endless answer, an
ASCII-only terminal, a timeout that is not a number. Provider text reaches the terminal
without escape sequences, and a schedule in the past is pointed out."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from .test_provider_cli import _fails, _ok

SECRET_PART = "Qw7pL2xV"


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://127.0.0.1:abc"])
def test_an_invalid_port_in_the_api_base_url_is_exit_2(cli, url):
    result = cli("list", "-p", "tpstreams", "--api-base-url", url)
    _fails(result, 2, "invalid port")
    _no_traceback(result)


@pytest.mark.parametrize("provider, variable, value", [
    ("tpstreams", "TPSTREAMS_API_TOKEN", f"tok-{SECRET_PART}\nsecond-line"),
    ("tpstreams", "TPSTREAMS_API_TOKEN", f"tok-{SECRET_PART}-\u20ac"),
    ("fastpix", "FASTPIX_SECRET_KEY", f"key\r{SECRET_PART}"),
])
def test_a_credential_that_cannot_be_sent_is_exit_2_and_never_printed(cli, provider, variable, value):
    result = cli("list", "-p", provider, env={variable: value})
    _fails(result, 2, variable)
    _no_traceback(result)
    assert SECRET_PART not in result.stdout + result.stderr


@pytest.fixture
def hostile_api():
    """A local 'provider' whose answer each test picks: ``hostile_api.answer = (status, bytes)``
    or an endless chunked body with ``hostile_api.endless = True``."""

    class Api:
        answer: tuple[int, bytes] = (200, b"{}")
        endless = False

    api = Api()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server's name
            status, body = api.answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            try:
                if api.endless:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b" " * 65536
                    for _ in range(2048):  # 128 MiB at most
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            except OSError:
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield api
    server.shutdown()
    server.server_close()


def test_a_deeply_nested_answer_is_exit_4(cli, hostile_api):
    hostile_api.answer = (200, b"[" * 200_000 + b"]" * 200_000)
    result = cli("list", "-p", "fastpix", "--api-base-url", hostile_api.url)
    _fails(result, 4, "nested too deeply")
    _no_traceback(result)


def test_an_endless_answer_is_exit_4(cli, hostile_api):
    hostile_api.endless = True
    result = cli("get", "-p", "fastpix", "--api-base-url", hostile_api.url, "some-id")
    _fails(result, 4, "larger than 8 MiB")
    _no_traceback(result)


def test_escape_sequences_in_a_provider_error_never_reach_the_terminal(cli, hostile_api):
    message = "\x1b]0;owned\x07\x1b[2J\x1b[31mstream\rgone\x9b6n"
    hostile_api.answer = (404, json.dumps({"success": False, "error": {"message": message}}).encode())
    result = _fails(cli("get", "-p", "fastpix", "--api-base-url", hostile_api.url, "abc"), 3)
    assert "stream gone" in result.stderr
    for control in ("\x1b", "\x07", "\r", "\x9b"):
        assert control not in result.stderr


def test_escape_sequences_in_a_title_never_reach_the_terminal(cli):
    title = "Class \x1b]0;owned\x07\x1b[2Jone\rtwo"
    stream_id = cli.json("create", "-p", "fastpix", "-t", title)["id"]
    for args in (("get", "-p", "fastpix", stream_id), ("list", "-p", "fastpix")):
        shown = _ok(cli(*args)).stdout
        assert "Class onetwo" in shown, shown
        assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}])
def test_an_ascii_terminal_still_gets_the_created_stream(cli, env):
    result = cli("create", "-p", "fastpix", "-t", "Caf\u00e9 \u2615 live", env=env)
    _ok(result)
    assert "title: Caf\\xe9 \\u2615 live" in result.stdout
    assert "id: " in result.stdout  # the user learns which stream was created


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "0", "soon"])
def test_wait_refuses_a_timeout_that_is_not_a_positive_number(cli, value):
    result = cli("wait", "-p", "tpstreams", "some-id", "--timeout", value, timeout=30)
    _fails(result, 2, "--timeout")
    _no_traceback(result)


def test_a_start_in_the_past_warns_that_nothing_starts_it(cli, cli_sandbox):
    result = _ok(cli("create", "-p", "tpstreams", "-t", "Yesterday's class", "--start", "2020-01-02 15:30:00"))
    assert "is in the past" in result.stderr
    assert "does not start scheduled streams by itself" in result.stderr
    future = _ok(cli("create", "-p", "tpstreams", "-t", "Next class", "--start", "2099-01-02 15:30:00"))
    assert "in the past" not in future.stderr
