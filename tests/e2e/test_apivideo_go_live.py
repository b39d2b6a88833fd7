"""The script inside a real OBS goes live on api.video (the sandbox's look-alike over the real ingest).

The script reads APIVIDEO_API_KEY from the environment through the generic
``Provider.credentials_from_env``; the go-live hotkey is pressed over obs-websocket as a
Stream Deck would; HLS must really play (ffprobe); Stop Streaming completes the api.video
stream and puts the user's own stream settings back.
"""

from __future__ import annotations

import time

import pytest

import livestream_demo as demo
from tests.e2e.studio import PREVIOUS_SERVICE, Studio, sandbox_events

pytestmark = pytest.mark.e2e


def _sandbox_stream(studio: Studio, stream_id: str) -> dict:
    return next(s for s in studio.streams() if s["id"] == stream_id)


def test_go_live_on_api_video_plays_hls_and_stop_completes_the_stream(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    with Studio.start(tmp_path, provider="apivideo", **obs_under_test.obs_kwargs()) as studio:
        studio.press("go_live")
        session = studio.wait_state("live", "failed", timeout=90)
        assert session["state"] == "live", session
        stream_id = session["stream_id"]
        assert stream_id.startswith("li")
        assert session["playback_url"] == f"{studio.sandbox.api_url}/apivideo-live/{stream_id}.m3u8"

        # OBS really publishes to the key api.video gave: HLS plays, and api.video says broadcasting.
        studio.wait_for_hls(session["playback_url"], segments=2)
        probe = demo.ffprobe(session["playback_url"])
        assert probe.get("width") and probe.get("codec_name")
        assert _sandbox_stream(studio, stream_id)["status"] == "broadcasting"
        assert studio.stream_service()["settings"]["server"] == studio.sandbox.rtmp_url

        studio.client.stop_stream()  # the user presses Stop Streaming
        session = studio.wait_state("ended", "failed", timeout=60)
        assert session["state"] == "ended", session

        assert [e["kind"] for e in sandbox_events(studio, "complete_requested", stream_id)] == ["complete_requested"]
        deadline = time.monotonic() + 10
        while _sandbox_stream(studio, stream_id)["status"] != "idle" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _sandbox_stream(studio, stream_id)["status"] == "idle"  # broadcasting: false
        assert studio.stream_service() == PREVIOUS_SERVICE
