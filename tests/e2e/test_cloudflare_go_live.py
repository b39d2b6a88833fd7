"""The script inside a real OBS goes live on the sandbox's Cloudflare Stream look-alike: the
hotkey creates a live input, OBS publishes to the RTMP(S) URL and key from its answer, the HLS
plays, and when the user stops streaming the input is disabled (OBS disconnected first) and the
user's own stream settings come back."""

from __future__ import annotations

import pytest

import livestream_demo as demo
from tests.e2e.studio import PREVIOUS_SERVICE, Studio

pytestmark = pytest.mark.e2e


def test_go_live_plays_then_stop_disables_the_live_input_and_restores_the_settings(
        tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    with Studio.start(tmp_path, provider="cloudflare", **obs_under_test.obs_kwargs()) as studio:
        studio.press("go_live")
        session = studio.wait_state("live", "failed", timeout=90)
        assert session["state"] == "live", f"{session}\n{studio.script_log()}"
        uid = session["stream_id"]

        # OBS publishes to the URL and key of the create answer, and the input plays over HLS.
        assert studio.stream_service()["settings"]["server"] == studio.sandbox.rtmp_url
        assert session["playback_url"] == studio.env["CLOUDFLARE_PLAYBACK_URL_TEMPLATE"].format(uid=uid)
        studio.wait_for_hls(session["playback_url"], segments=2)
        probe = demo.ffprobe(session["playback_url"])
        assert probe["codec_name"] == "h264" and int(probe["width"]) > 0
        live = studio.sandbox.admin.stream(uid)
        assert live["status"] == "connected" and live["enabled"] is True
        assert live["meta"]["name"] == "E2E cloudflare class"

        studio.client.stop_stream()  # the user presses Stop Streaming
        session = studio.wait_state("ended", "failed", timeout=60)
        assert session["state"] == "ended", session

        after = studio.sandbox.admin.stream(uid)
        assert after["enabled"] is False and after["status"] == "client_disconnect"
        kinds = [e["kind"] for e in studio.sandbox.admin.events(stream_id=uid)
                 if e["kind"] in ("publish_ended", "disabled", "deleted")]
        assert kinds == ["publish_ended", "disabled"]  # the encoder left first; never deleted by default
        assert studio.stream_service() == PREVIOUS_SERVICE
