"""The status dock's server over real loopback HTTP: who is let in, what the page gets, the buttons."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from pathlib import Path
from typing import Optional

import pytest

from livestream import secrets
from livestream.dock import DockFeed, DockServer, session_view
from livestream.session.snapshot import Snapshot
from livestream.session.states import State


@pytest.fixture
def pressed() -> list[str]:
    return []


@pytest.fixture
def dock(tmp_path: Path, pressed: list[str]):
    feed = DockFeed()
    actions = {name: (lambda name=name: pressed.append(name)) for name in ("go_live", "prepare", "end")}
    server = DockServer(feed, actions, state_dir=tmp_path).start()
    yield server
    server.stop()


def request(server: DockServer, method: str, path: str, *, host: Optional[str] = None,
            origin: Optional[str] = None, headers: Optional[dict] = None) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    sent = {"Host": host if host is not None else f"127.0.0.1:{server.port}"}
    if origin:
        sent["Origin"] = origin
    sent.update(headers or {})
    conn.putrequest(method, path, skip_host=True)
    for name, value in sent.items():
        conn.putheader(name, value)
    conn.endheaders(b"{}" if method == "POST" else None)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, body, dict(answer.getheaders())


def test_the_page_and_its_state_are_served_under_the_token_with_protective_headers(dock: DockServer):
    assert dock.url == f"http://127.0.0.1:{dock.port}/{dock.token}/"
    status, body, headers = request(dock, "GET", f"/{dock.token}/")
    assert status == 200
    assert b"<title>obs-livestream</title>" in body
    assert headers["Referrer-Policy"] == "no-referrer"  # links to the player must not carry the token
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"

    status, body, _ = request(dock, "GET", f"/{dock.token}/state")
    assert status == 200 and json.loads(body)["state"] == "idle"


def test_the_page_loads_its_script_and_style_and_they_hold_the_feed_and_the_buttons(dock: DockServer):
    """The real files, as the server gives them: an empty or broken static/ fails here."""
    _, page, _ = request(dock, "GET", f"/{dock.token}/")
    assert b'<script src="dock.js"' in page and b'<link rel="stylesheet" href="dock.css">' in page
    for button in (b'id="go_live"', b'id="prepare"', b'id="end"', b'id="label"', b'id="message"',
                   b'id="targets"'):
        assert button in page, button

    status, script, headers = request(dock, "GET", f"/{dock.token}/dock.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b'new EventSource("events")' in script  # the feed, relative to the page under the token
    assert b'fetch("state"' in script  # the polling fallback
    assert b'fetch("action/" + action' in script  # the buttons post their action
    assert b'addEventListener("click"' in script
    assert b'v.targets' in script  # each simulcast target's name, status and reason

    status, style, headers = request(dock, "GET", f"/{dock.token}/dock.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert b'[data-state="live"]' in style  # the page is coloured by the state the script sets


def test_the_page_works_offline_no_cdn_or_external_address():
    static = Path(__file__).resolve().parents[2] / "lib" / "livestream" / "dock" / "static"
    for path in static.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, path.name
        assert "@import" not in text and "cdn" not in text.lower(), path.name


def test_the_url_without_the_trailing_slash_redirects_to_the_page(dock: DockServer):
    status, _, headers = request(dock, "GET", f"/{dock.token}")
    assert status == 301 and headers["Location"] == f"/{dock.token}/"


@pytest.mark.parametrize("path", ["/", "/state", "/events", "/nottoken/state", "/{short}/state", "/{token}x/state"])
def test_requests_without_the_right_token_get_403(dock: DockServer, path: str, pressed: list[str]):
    path = path.format(token=dock.token, short=dock.token[:-1])
    status, body, _ = request(dock, "GET", path)
    assert status == 403 and b"token" in body
    status, _, _ = request(dock, "POST", "/wrong/action/go_live")
    assert status == 403
    assert pressed == []


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "localhost", "attacker.localhost:{port}", ""])
def test_another_host_header_dns_rebinding_gets_403(dock: DockServer, host: str, pressed: list[str]):
    host = host.format(port=dock.port)
    status, body, _ = request(dock, "GET", f"/{dock.token}/state", host=host)
    assert status == 403 and b"Host" in body
    status, _, _ = request(dock, "POST", f"/{dock.token}/action/end", host=host)
    assert status == 403
    assert pressed == []


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:{port}"])
def test_a_cross_origin_request_gets_403_and_presses_nothing(dock: DockServer, origin: str, pressed: list[str]):
    origin = origin.format(port=dock.port)
    status, body, _ = request(dock, "POST", f"/{dock.token}/action/go_live", origin=origin)
    assert status == 403 and b"cross-origin" in body
    status, _, _ = request(dock, "GET", f"/{dock.token}/state", origin=origin)
    assert status == 403
    assert pressed == []


def test_a_cross_site_fetch_is_refused_even_without_an_origin(dock: DockServer, pressed: list[str]):
    status, _, _ = request(dock, "POST", f"/{dock.token}/action/go_live", headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403 and pressed == []


def test_the_buttons_post_their_action_from_the_page_origin(dock: DockServer, pressed: list[str]):
    for host in (f"127.0.0.1:{dock.port}", f"localhost:{dock.port}"):
        for action in ("go_live", "prepare", "end"):
            status, body, _ = request(dock, "POST", f"/{dock.token}/action/{action}", host=host,
                                      origin=f"http://{host}", headers={"Sec-Fetch-Site": "same-origin"})
            assert status == 202, body
    assert pressed == ["go_live", "prepare", "end"] * 2
    status, _, _ = request(dock, "POST", f"/{dock.token}/action/delete_everything")
    assert status == 404
    status, _, _ = request(dock, "GET", f"/{dock.token}/action/go_live")
    assert status == 404
    assert len(pressed) == 6


def test_it_listens_on_loopback_only(dock: DockServer):
    assert dock._httpd is not None and dock._httpd.server_address[0] == "127.0.0.1"
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in addresses - {"127.0.0.1", "127.0.1.1"}:
        with pytest.raises(OSError):
            socket.create_connection((address, dock.port), timeout=1).close()


def test_the_same_url_comes_back_after_a_restart_and_the_token_never_reaches_the_log(tmp_path: Path, caplog):
    first = DockServer(DockFeed(), {}, state_dir=tmp_path).start()
    url = first.url
    first.stop()
    again = DockServer(DockFeed(), {}, state_dir=tmp_path).start()
    try:
        assert again.url == url  # the dock the user added once keeps working
        assert len(again.token) >= 32
        assert again.token in secrets.registered()
        assert (tmp_path / "dock.json").stat().st_mode & 0o077 == 0
    finally:
        again.stop()


def test_a_taken_port_gives_a_new_url_instead_of_no_dock(tmp_path: Path):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    try:
        server = DockServer(DockFeed(), {}, state_dir=tmp_path, port=blocker.getsockname()[1]).start()
        try:
            assert server.port != blocker.getsockname()[1]
            status, _, _ = request(server, "GET", f"/{server.token}/state")
            assert status == 200
        finally:
            server.stop()
    finally:
        blocker.close()


def test_events_stream_every_change_and_stop_when_the_server_stops(dock: DockServer):
    conn = http.client.HTTPConnection("127.0.0.1", dock.port, timeout=5)
    conn.request("GET", f"/{dock.token}/events")
    answer = conn.getresponse()
    assert answer.status == 200 and answer.getheader("Content-Type") == "text/event-stream"

    def next_event() -> dict:
        line = answer.fp.readline()
        while not line.startswith(b"data: "):
            line = answer.fp.readline()
        return json.loads(line[len(b"data: "):])

    assert next_event()["state"] == "idle"
    live = Snapshot(state=State.LIVE, since=0.0, provider="FastPix", stream_id="abc")
    dock.feed.publish(session_view(live))
    event = next_event()
    while event["state"] != "live":
        event = next_event()
    assert event["provider"] == "FastPix" and event["can"]["end"] is True

    done = threading.Event()

    def drain() -> None:
        try:
            while answer.fp.readline():
                pass
        except OSError:
            pass
        done.set()

    threading.Thread(target=drain, daemon=True).start()
    dock.stop()
    assert done.wait(5), "the event stream stayed open after the dock stopped"
    conn.close()
