"""The script inside a real OBS goes live on every provider (the sandbox's look-alikes over the real
ingest): credentials from the environment ("Read credentials from environment variables"), the
go-live hotkey pressed over obs-websocket as a Stream Deck would, HLS that really plays (ffprobe),
Stop Streaming ends the provider's stream its own way, and the user's own stream settings come back.

Nothing in this flow depends on the OBS version, so all five providers run in OBS 29 and one of
them in each newer OBS; what differs between providers is a per-provider expectation below.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import pytest

import livestream_demo as demo
from tests.e2e.studio import PREVIOUS_SERVICE, Studio, sandbox_events

pytestmark = pytest.mark.e2e


def _nothing(studio: Studio, session: dict) -> None:
    pass


def _local_rtmp(studio: Studio, session: dict) -> None:
    assert studio.stream_service()["settings"]["server"].startswith("rtmp://127.0.0.1:")


def _mux_live(studio: Studio, session: dict) -> None:
    assert "/mux/stream/" in session["playback_url"]
    _local_rtmp(studio, session)


def _mux_ended(studio: Studio, session: dict) -> None:
    # Ended by the script's complete call, not by waiting out the 60 s reconnect window.
    assert sandbox_events(studio, "finish_requested", session["stream_id"])


def _cloudflare_live(studio: Studio, session: dict) -> None:
    uid = session["stream_id"]
    # OBS publishes to the URL and key of the create answer.
    assert studio.stream_service()["settings"]["server"] == studio.sandbox.rtmp_url
    assert session["playback_url"] == studio.env["CLOUDFLARE_PLAYBACK_URL_TEMPLATE"].format(uid=uid)
    live = studio.sandbox.admin.stream(uid)
    assert live["status"] == "connected" and live["enabled"] is True
    assert live["meta"]["name"] == "E2E cloudflare class"


def _cloudflare_ended(studio: Studio, session: dict) -> None:
    uid = session["stream_id"]
    after = studio.sandbox.admin.stream(uid)
    assert after["enabled"] is False and after["status"] == "client_disconnect"
    kinds = [e["kind"] for e in studio.sandbox.admin.events(stream_id=uid)
             if e["kind"] in ("publish_ended", "disabled", "deleted")]
    assert kinds == ["publish_ended", "disabled"]  # the encoder left first; never deleted by default


def _apivideo_live(studio: Studio, session: dict) -> None:
    stream_id = session["stream_id"]
    assert stream_id.startswith("li")
    assert session["playback_url"] == f"{studio.sandbox.api_url}/apivideo-live/{stream_id}.m3u8"
    assert studio.stream_service()["settings"]["server"] == studio.sandbox.rtmp_url


def _apivideo_ended(studio: Studio, session: dict) -> None:
    stream_id = session["stream_id"]
    assert [e["kind"] for e in sandbox_events(studio, "complete_requested", stream_id)] == ["complete_requested"]


@dataclass(frozen=True)
class Provider:
    """What one provider shows along the same go-live: its status words and its own checks."""

    name: str
    live: str  # the provider's status while OBS publishes
    ended: frozenset  # its status once the script ended the stream
    check_live: Callable[[Studio, dict], None] = _local_rtmp
    check_ended: Callable[[Studio, dict], None] = _nothing
    ended_within: float = 0.0  # seconds the provider may take to report ``ended`` (api.video: broadcasting false)


PROVIDERS = [
    Provider("tpstreams", "Streaming", frozenset({"Stopped", "Recording", "Completed"})),
    Provider("fastpix", "active", frozenset({"idle"})),
    Provider("mux", "active", frozenset({"idle"}), _mux_live, _mux_ended),
    Provider("cloudflare", "connected", frozenset({"client_disconnect"}), _cloudflare_live, _cloudflare_ended),
    Provider("apivideo", "broadcasting", frozenset({"idle"}), _apivideo_live, _apivideo_ended, ended_within=10.0),
]
#: The one provider that also runs in each newer OBS.
IN_EVERY_OBS = "tpstreams"


def _param(provider: Provider):
    marks = () if provider.name == IN_EVERY_OBS else (pytest.mark.obs_versions("29"),)
    return pytest.param(provider, id=provider.name, marks=marks)


def _provider_stream(studio: Studio, stream_id: str) -> dict:
    return next(s for s in studio.streams() if s["id"] == stream_id)


@pytest.mark.parametrize("provider", [_param(p) for p in PROVIDERS])
def test_go_live_hotkey_publishes_to_the_ingest_plays_hls_and_stop_ends_the_provider_stream(
        tmp_path, need_tools, obs_under_test, provider: Provider):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    with Studio.start(tmp_path, provider=provider.name, boot_delay=2, **obs_under_test.obs_kwargs()) as studio:
        studio.press("go_live")
        session = studio.wait_state("live", "failed", timeout=90)
        assert session["state"] == "live", f"{session}\n{studio.script_log()}"

        # OBS really publishes: HLS segments appear and play, and the provider says live.
        studio.wait_for_hls(session["playback_url"], segments=2)
        probe = demo.ffprobe(session["playback_url"])
        assert probe.get("codec_name") and int(probe.get("width") or 0) > 0, probe
        assert _provider_stream(studio, session["stream_id"])["status"] == provider.live
        provider.check_live(studio, session)

        studio.client.stop_stream()  # the user presses Stop Streaming
        session = studio.wait_state("ended", "failed", timeout=60)
        assert session["state"] == "ended", session

        deadline = time.monotonic() + provider.ended_within
        while (_provider_stream(studio, session["stream_id"])["status"] not in provider.ended
               and time.monotonic() < deadline):
            time.sleep(0.2)
        assert _provider_stream(studio, session["stream_id"])["status"] in provider.ended
        provider.check_ended(studio, session)
        assert studio.stream_service() == PREVIOUS_SERVICE
