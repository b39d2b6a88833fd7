"""The script in a real OBS 29 announces a go-live and its end to a local webhook in each format.

A real HTTP receiver on loopback stands in for Discord, Slack, ntfy and a generic JSON hook
(the ``discord:``/``slack:``/``ntfy:`` prefixes pick the format for a local URL). No payload
carries the stream key or a webhook token, and the script's log names targets, not URLs.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.studio import Studio, wait_published
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.obs_versions("29")]


def _wait(rx: Receiver, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(rx.requests) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(rx.requests) >= count, rx.requests


def test_live_and_ended_reach_a_local_webhook_in_each_format(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Receiver() as rx:
        urls = "\n".join([f"discord:{rx.url}/discord/TOKEN-d1", f"slack:{rx.url}/slack/TOKEN-s1",
                          f"ntfy:{rx.url}/ntfy/TOKEN-n1", f"{rx.url}/json/TOKEN-j1"])
        settings = {"notify_urls": urls}
        with Studio.start(tmp_path, settings=settings, **obs_under_test.obs_kwargs()) as studio:
            studio.press("go_live")
            session = studio.wait_state("live", "failed", timeout=90)
            assert session["state"] == "live", f"{session}\n{studio.script_log()}"
            stream_key = studio.stream_service()["settings"]["key"]
            _wait(rx, 4)
            studio.client.stop_stream()
            assert studio.wait_state("ended", "failed", timeout=60)["state"] == "ended"
            _wait(rx, 8)
            log = studio.script_log()

    by_kind: dict[str, list] = {}
    for req in rx.requests:
        by_kind.setdefault(req.path.split("/")[1], []).append(req)
    discord = [json.loads(r.body)["content"] for r in by_kind["discord"]]
    assert discord[0].startswith("E2E tpstreams class is live: " + session["playback_url"])
    assert discord[1].startswith("E2E tpstreams class has ended after")
    assert [json.loads(r.body)["text"] for r in by_kind["slack"]] == discord
    assert [r.headers["title"] for r in by_kind["ntfy"]] == ["E2E tpstreams class is live",
                                                                 "E2E tpstreams class has ended"]
    assert by_kind["ntfy"][0].headers["click"] == session["playback_url"]
    generic = [json.loads(r.body) for r in by_kind["json"]]
    assert [g["event"] for g in generic] == ["live", "ended"]
    assert generic[0]["stream_id"] == session["stream_id"]
    assert generic[0]["provider"] == "TP Streams"  # the display name, as the panel shows it
    for req in rx.requests:
        assert stream_key.encode() not in req.body and b"TOKEN-" not in req.body
        assert all(stream_key not in v for v in req.headers.values())
    assert "Discord webhook #1" in log and "TOKEN-" not in log


def _events(rx: Receiver) -> list[str]:
    return [json.loads(r.body)["event"] for r in rx.requests if r.path.startswith("/json/")]


def _wait_event(rx: Receiver, kind: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while kind not in _events(rx) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kind in _events(rx), rx.requests


def test_a_cut_ingest_posts_reconnecting_and_provider_disconnected_in_each_format(
        tmp_path, need_tools, obs_under_test):
    """The sandbox cuts OBS's publisher (``POST /_sandbox/streams/<id>/disconnect``): TP Streams
    says "Disconnected" and OBS reconnects, 20 s later (the profile's retry delay, longer than
    the script's 15 s status interval, so a status read falls inside the outage)."""
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Receiver() as rx:
        urls = "\n".join([f"discord:{rx.url}/discord/TOKEN-d1", f"slack:{rx.url}/slack/TOKEN-s1",
                          f"ntfy:{rx.url}/ntfy/TOKEN-n1", f"{rx.url}/json/TOKEN-j1"])
        settings = {"notify_urls": urls, "notify_reconnect_seconds": 3}
        with Studio.start(tmp_path, settings=settings, profile_sections={"Output": {"RetryDelay": 20, "MaxRetries": 3}},
                          **obs_under_test.obs_kwargs()) as studio:
            studio.press("go_live")
            session = studio.wait_state("live", "failed", timeout=90)
            assert session["state"] == "live", f"{session}\n{studio.script_log()}"
            stream_key = studio.stream_service()["settings"]["key"]
            _wait_event(rx, "live", 30)
            studio.sandbox.admin.disconnect(session["stream_id"])
            _wait_event(rx, "reconnecting", 30)
            _wait_event(rx, "provider_disconnected", 40)
            # OBS's reconnect succeeds: the go-live carries on, and the alerts did not end it.
            wait_published(studio, lambda s: s.get("state") == "live" and not s.get("reconnecting"), timeout=60,
                           what="live again after OBS's reconnect")
            studio.client.stop_stream()
            assert studio.wait_state("ended", "failed", timeout=60)["state"] == "ended"
            log = studio.script_log()

    by_kind: dict[str, list] = {}
    for req in rx.requests:
        by_kind.setdefault(req.path.split("/")[1], []).append(req)
    generic = {g["event"]: g for g in (json.loads(r.body) for r in by_kind["json"])}
    assert generic["reconnecting"]["stream_id"] == session["stream_id"]
    assert generic["reconnecting"]["reconnecting_s"] >= 3
    assert generic["provider_disconnected"]["provider_status"] == "Disconnected"
    assert generic["provider_disconnected"]["message"].startswith('TP Streams reports "E2E tpstreams class" as '
                                                                  "Disconnected")
    discord = [json.loads(r.body)["content"] for r in by_kind["discord"]]
    assert any(t.startswith("OBS lost the connection to TP Streams") for t in discord)
    assert any(t.startswith("TP Streams reports") for t in discord)
    assert [json.loads(r.body)["text"] for r in by_kind["slack"]] == discord
    titles = [r.headers["title"] for r in by_kind["ntfy"]]
    assert "OBS is reconnecting" in titles and "The provider reports the stream disconnected" in titles
    for req in rx.requests:
        assert stream_key.encode() not in req.body and b"TOKEN-" not in req.body
        assert all(stream_key not in v for v in req.headers.values())
    assert "TOKEN-" not in log
