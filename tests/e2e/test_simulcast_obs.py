"""Simulcast in a real OBS: the script's go-live on the sandbox's Mux adds two targets before OBS
publishes; the one that listens really receives the broadcast (ffprobe on what it recorded), the
one that does not is a warning while the class stays live, and Stop Streaming removes both."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.studio import PREVIOUS_SERVICE, Studio, wait_published
from tests.sandbox.support import ffprobe, wait_until

pytestmark = pytest.mark.e2e

GOOD_KEY = "e2e-yt-relay-key"
DEAD_KEY = "e2e-tw-relay-key"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_mux_go_live_restreams_to_its_targets_and_the_end_removes_them(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    from livestream_sandbox import Sandbox

    sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=2).start()
    target_app = sandbox.rtmp_url.rsplit("/", 1)[0] + "/simulcast"
    settings = {
        "simulcast_1_name": "YouTube", "simulcast_1_url": target_app, "simulcast_1_key": GOOD_KEY,
        "simulcast_2_name": "Twitch", "simulcast_2_url": f"rtmp://127.0.0.1:{_closed_port()}/app",
        "simulcast_2_key": DEAD_KEY,
    }
    try:
        with Studio.start(tmp_path, provider="mux", sandbox=sandbox, settings=settings,
                          **obs_under_test.obs_kwargs()) as studio:
            studio.press("go_live")
            session = studio.wait_state("live", "failed", timeout=90)
            assert session["state"] == "live", f"{session}\n{studio.script_log()}"
            assert [t["name"] for t in session["targets"]] == ["YouTube", "Twitch"]

            # The provider relays to each target; the script reads their status with the stream's.
            session = wait_published(studio, lambda s: {t["name"]: t["status"] for t in s.get("targets", [])}
                                     == {"YouTube": "live", "Twitch": "failed"}, timeout=60,
                                     what="YouTube live and Twitch failed")
            assert session["state"] == "live", "a failed target does not stop the main stream"
            recorded = tmp_path / "sandbox" / "simulcast" / f"{GOOD_KEY}.flv"
            wait_until(lambda: recorded.exists() and recorded.stat().st_size > 100_000, 30, "media at the target")

            stream_id = session["stream_id"]
            assert sorted(t["name"] for t in sandbox.core.get("mux", stream_id)["targets"].values()) == [
                "Twitch", "YouTube"]
            studio.client.stop_stream()
            session = studio.wait_state("ended", "failed", timeout=60)
            assert session["state"] == "ended", session
            assert sandbox.core.get("mux", stream_id)["targets"] == {}, "no target is left on the stream"
            assert studio.stream_service() == PREVIOUS_SERVICE
            log = studio.script_log()
            assert GOOD_KEY not in log and DEAD_KEY not in log
        kinds = {s["codec_type"]: s["codec_name"] for s in ffprobe("ffprobe", str(recorded))["streams"]}
        assert kinds.get("video") == "h264"
    finally:
        sandbox.stop()
