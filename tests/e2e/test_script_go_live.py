"""The script inside a real OBS (29, 30.2 and 32) goes live on the sandbox's real ingest, for both providers."""

from __future__ import annotations

import pytest

from tests.e2e.studio import PREVIOUS_SERVICE, Studio

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("provider,provider_live,provider_ended", [
    ("tpstreams", "Streaming", {"Stopped", "Recording", "Completed"}),
    ("fastpix", "active", {"idle"}),
])
def test_go_live_hotkey_publishes_to_the_ingest_and_stop_ends_the_provider_stream(
        tmp_path, need_tools, obs_under_test, provider, provider_live, provider_ended):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider=provider, boot_delay=2, **obs_under_test.obs_kwargs()) as studio:
        studio.press("go_live")
        session = studio.wait_state("live", "failed", timeout=90)
        assert session["state"] == "live", session

        # OBS really publishes: HLS segments appear, and the provider says so.
        studio.wait_for_hls(session["playback_url"], segments=2)
        stream = next(s for s in studio.streams() if s["id"] == session["stream_id"])
        assert stream["status"] == provider_live
        assert studio.stream_service()["settings"]["server"].startswith("rtmp://127.0.0.1:")

        studio.client.stop_stream()  # the user presses Stop Streaming
        session = studio.wait_state("ended", "failed", timeout=60)
        assert session["state"] == "ended", session

        stream = next(s for s in studio.streams() if s["id"] == session["stream_id"])
        assert stream["status"] in provider_ended
        assert studio.stream_service() == PREVIOUS_SERVICE
