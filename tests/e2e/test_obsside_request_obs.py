"""Simulcast sent from OBS on request, in a real OBS 29: Mux could restream, but with the
panel's "Send these from OBS instead of the provider" OBS sends two targets itself (extra
RTMP outputs sharing the main stream's encoders). Both receive h264 and AAC (ffprobe on
what they recorded), and the sandbox's Mux never holds a target nor records one being
created or deleted."""

from __future__ import annotations

import pytest

from tests.e2e.studio import PREVIOUS_SERVICE, Studio, sandbox_events, wait_published
from tests.sandbox.support import ffprobe, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.obs_versions("29")]

KEYS = {"YouTube": "e2e-onreq-yt-key-51", "Facebook": "e2e-onreq-fb-key-52"}


def test_mux_with_from_obs_sends_both_targets_from_obs_and_the_provider_holds_none(tmp_path, need_tools,
                                                                                   obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    from livestream_sandbox import Sandbox

    sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=2).start()
    target_app = sandbox.rtmp_url.rsplit("/", 1)[0] + "/simulcast"
    settings = {"simulcast_from_obs": True}
    for n, (name, key) in enumerate(KEYS.items(), start=1):
        settings.update({f"simulcast_{n}_name": name, f"simulcast_{n}_url": target_app, f"simulcast_{n}_key": key})
    received = [tmp_path / "sandbox" / "simulcast" / f"{key}.flv" for key in KEYS.values()]
    try:
        with Studio.start(tmp_path, provider="mux", sandbox=sandbox, settings=settings,
                          **obs_under_test.obs_kwargs()) as studio:
            studio.press("go_live")
            session = studio.wait_state("live", "failed", timeout=90)
            assert session["state"] == "live", f"{session}\n{studio.script_log()}"
            session = wait_published(studio, lambda s: {t["name"]: t["status"] for t in s.get("targets", [])}
                                     == {"YouTube": "live", "Facebook": "live"}, timeout=60,
                                     what="both targets live, sent by OBS")
            for recorded in received:
                wait_until(lambda f=recorded: f.exists() and f.stat().st_size > 100_000, 30,
                           f"media at {recorded.name}")
            stream_id = session["stream_id"]
            assert not sandbox.core.get("mux", stream_id).get("targets"), "Mux was asked to restream nothing"

            studio.client.stop_stream()  # the user presses Stop Streaming
            session = studio.wait_state("ended", "failed", timeout=60)
            assert session["state"] == "ended", session
            assert {t["name"]: t["status"] for t in session["targets"]} == {"YouTube": "removed",
                                                                             "Facebook": "removed"}
            assert studio.stream_service() == PREVIOUS_SERVICE
            touched = [e["kind"] for e in sandbox_events(studio, stream_id=stream_id)
                       if e["kind"].startswith("simulcast_target")]
            assert touched == [], "no simulcast-target request reached the sandbox's Mux API"
            obs_log, log = studio.obs.log_text(), studio.script_log()
            assert not any(key in log or key in obs_log for key in KEYS.values())
        for recorded in received:
            kinds = {s["codec_type"]: s["codec_name"] for s in ffprobe("ffprobe", str(recorded))["streams"]}
            assert kinds.get("video") == "h264" and kinds.get("audio") == "aac", (recorded.name, kinds)
    finally:
        sandbox.stop()
