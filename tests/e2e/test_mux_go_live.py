"""The script inside a real OBS goes live on Mux Video (the sandbox's look-alike, real ingest).

The user's path: credentials from MUX_TOKEN_ID/MUX_TOKEN_SECRET ("Read credentials from
environment variables"), the go-live hotkey, a playable HLS stream, Stop Streaming ends
the Mux broadcast (``PUT .../complete``) and the user's own stream settings come back.
"""

from __future__ import annotations

import pytest

import livestream_demo as demo
from tests.e2e.studio import PREVIOUS_SERVICE, Studio, sandbox_events

pytestmark = pytest.mark.e2e


def test_go_live_on_mux_plays_hls_and_stop_completes_the_stream(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    with Studio.start(tmp_path, provider="mux", **obs_under_test.obs_kwargs()) as studio:
        studio.press("go_live")
        session = studio.wait_state("live", "failed", timeout=90)
        assert session["state"] == "live", session

        # OBS really publishes to the stream's key and the playback URL plays.
        assert "/mux/stream/" in session["playback_url"]
        studio.wait_for_hls(session["playback_url"], segments=2)
        probe = demo.ffprobe(session["playback_url"])
        assert probe.get("codec_name") and probe.get("width")
        stream = next(s for s in studio.streams() if s["id"] == session["stream_id"])
        assert stream["status"] == "active"
        assert studio.stream_service()["settings"]["server"].startswith("rtmp://127.0.0.1:")

        studio.client.stop_stream()  # the user presses Stop Streaming
        session = studio.wait_state("ended", "failed", timeout=60)
        assert session["state"] == "ended", session

        stream = next(s for s in studio.streams() if s["id"] == session["stream_id"])
        assert stream["status"] == "idle"
        # Ended by the script's complete call, not by waiting out the 60 s reconnect window.
        assert sandbox_events(studio, "finish_requested", session["stream_id"])
        assert studio.stream_service() == PREVIOUS_SERVICE
