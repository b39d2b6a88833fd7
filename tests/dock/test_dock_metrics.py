"""The dock's /metrics for Prometheus: the token rule, the exposition format, the values a scrape shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from livestream.dock import DockFeed, DockServer, session_view
from livestream.errors import LivestreamError
from livestream.session.snapshot import Snapshot
from livestream.session.states import State
from tests.dock.test_dock_server import request


@pytest.fixture
def dock(tmp_path: Path):
    server = DockServer(DockFeed(), {}, state_dir=tmp_path).start()
    yield server
    server.stop()


def samples(body: bytes) -> dict[tuple[str, tuple], float]:
    """Every sample as {(name, sorted labels): value}, parsed by the client library's own parser."""
    out = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_under_the_token_are_in_the_exposition_format_and_show_idle(dock: DockServer):
    status, body, headers = request(dock, "GET", f"/{dock.token}/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=")
    got = samples(body)
    assert got[("obs_livestream_session_state", (("state", "idle"),))] == 1
    assert got[("obs_livestream_session_state", (("state", "live"),))] == 0
    assert got[("obs_livestream_live_seconds", ())] == 0
    assert ("obs_livestream_output_bitrate_kbps", ()) not in got  # not streaming: no bitrate to show


def test_prometheus_bearer_authorization_is_accepted_and_a_wrong_or_missing_one_is_refused(dock: DockServer):
    status, body, _ = request(dock, "GET", "/metrics", headers={"Authorization": f"Bearer {dock.token}"})
    assert status == 200 and b"obs_livestream_session_state" in body
    for headers in ({}, {"Authorization": "Bearer wrong-token-" + "x" * 30}, {"Authorization": f"Basic {dock.token}"}):
        status, body, _ = request(dock, "GET", "/metrics", headers=headers)
        assert status == 403 and b"obs_livestream" not in body
    status, _, _ = request(dock, "GET", "/not-the-token/metrics")
    assert status == 403


def test_a_live_session_shows_state_duration_health_open_streams_and_error_kind(tmp_path: Path):
    clock = [100.0]
    feed = DockFeed(clock=lambda: clock[0])
    snapshot = Snapshot(state=State.LIVE, since=40.0, provider="mux", error=LivestreamError("boom secret"))
    health = {"active": True, "bitrate_kbps": 2500, "dropped_frames": 7, "total_frames": 900,
              "dropped_percent": 0.8, "reconnecting": False}
    open_streams = [{"provider": "mux", "stream_id": "a", "title": "t", "state": "open", "last_error": None}]
    feed.publish(session_view(snapshot, health=health, open_streams=open_streams), since=40.0)
    server = DockServer(feed, {}, state_dir=tmp_path).start()
    try:
        _, body, _ = request(server, "GET", f"/{server.token}/metrics")
    finally:
        server.stop()
    got = samples(body)
    assert got[("obs_livestream_session_state", (("state", "live"),))] == 1
    assert got[("obs_livestream_session_state", (("state", "idle"),))] == 0
    assert got[("obs_livestream_live_seconds", ())] == 60.0
    assert got[("obs_livestream_output_bitrate_kbps", ())] == 2500
    assert got[("obs_livestream_output_dropped_frames_total", ())] == 7
    assert got[("obs_livestream_open_streams", ())] == 1
    assert got[("obs_livestream_last_error_info", (("kind", "LivestreamError"),))] == 1
    assert b"boom" not in body  # the kind only, never the error's text


def test_two_servers_in_one_process_both_serve_metrics(tmp_path: Path):
    """A script reload makes a new server in the same Python: no duplicate registration error."""
    first = DockServer(DockFeed(), {}, state_dir=tmp_path / "a").start()
    second = DockServer(DockFeed(), {}, state_dir=tmp_path / "b").start()
    try:
        for server in (first, second):
            for _ in range(2):
                status, _, _ = request(server, "GET", f"/{server.token}/metrics")
                assert status == 200
    finally:
        first.stop()
        second.stop()


def test_the_next_scheduled_go_live_is_a_timestamp_until_it_went_live():
    from livestream.dock import metrics
    from livestream.dock.feed import next_go_live_at

    assert next_go_live_at({"state": "waiting", "at": 1_900_000_000.0}) == 1_900_000_000.0
    assert next_go_live_at({"state": "done", "at": 1_900_000_000.0}) is None  # it went live: nothing next
    assert next_go_live_at(None) is None
    view = dict(session_view(Snapshot(state=State.IDLE, since=0.0)), elapsed=0.0, next_go_live_at=1_900_000_000.0)
    assert samples(metrics.render(view))[("obs_livestream_next_go_live_timestamp_seconds", ())] == 1_900_000_000.0
    assert b"next_go_live" not in metrics.render(dict(view, next_go_live_at=None))
