"""Simulcast sent from OBS on request, in a real OBS 29: Mux could restream, but with the
panel's "Send these from OBS instead of the provider" OBS sends two targets itself (extra
RTMP outputs sharing the main stream's encoders). Both receive h264 and AAC (ffprobe on
what they recorded), and the sandbox's Mux never holds a target nor records one being
created or deleted. After a scene-collection switch (OBS destroys and re-creates the
script while streaming) the adopted go-live sends both targets from OBS again, from the
saved panel settings."""

from __future__ import annotations

import pytest

from tests.e2e.studio import (
    PREVIOUS_SERVICE,
    Studio,
    add_scene_collection,
    go_live_to_targets,
    sandbox_events,
    switch_scene_collection,
    target_statuses,
    targets_at_sandbox,
    wait_published,
)
from tests.sandbox.support import ffprobe

pytestmark = [pytest.mark.e2e, pytest.mark.obs_versions("29")]

KEYS = {"YouTube": "e2e-onreq-yt-key-51", "Facebook": "e2e-onreq-fb-key-52"}


def _settings(sandbox) -> dict:
    """Send from OBS, two targets at the sandbox's recording ``simulcast`` application."""
    return {"simulcast_from_obs": True, **targets_at_sandbox(sandbox, KEYS)}


def test_mux_with_from_obs_sends_both_targets_from_obs_and_the_provider_holds_none(tmp_path, need_tools,
                                                                                   obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    from livestream_sandbox import Sandbox

    sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=2).start()
    settings = _settings(sandbox)
    received = [tmp_path / "sandbox" / "simulcast" / f"{key}.flv" for key in KEYS.values()]
    try:
        with Studio.start(tmp_path, provider="mux", sandbox=sandbox, settings=settings,
                          **obs_under_test.obs_kwargs()) as studio:
            session = go_live_to_targets(studio, {"YouTube": "live", "Facebook": "live"}, received=received,
                                         what="both targets live, sent by OBS")
            stream_id = session["stream_id"]
            assert not sandbox.core.get("mux", stream_id).get("targets"), "Mux was asked to restream nothing"

            studio.client.stop_stream()  # the user presses Stop Streaming
            session = studio.wait_state("ended", "failed", timeout=60)
            assert session["state"] == "ended", session
            assert target_statuses(session) == {"YouTube": "removed", "Facebook": "removed"}
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


def test_after_a_scene_collection_switch_obs_sends_the_adopted_go_lives_targets_again(tmp_path, need_tools,
                                                                                     obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    from livestream_sandbox import Sandbox

    sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=2).start()
    try:
        with Studio.start(tmp_path, provider="mux", sandbox=sandbox, settings=_settings(sandbox),
                          **obs_under_test.obs_kwargs()) as studio:
            add_scene_collection(studio, "Livestream E2E second", "livestream-e2e-second")
            session = go_live_to_targets(studio, {"YouTube": "live", "Facebook": "live"},
                                         what="both targets live, sent by OBS")
            first_seq = session["seq"]

            # OBS destroys the script (its outputs are released) and creates it again, while streaming.
            switch_scene_collection(studio, "Livestream E2E second")
            recovered = wait_published(
                studio, lambda s: s["seq"] > first_seq and "recovered" in s.get("status_line", "").lower()
                and target_statuses(s) == {"YouTube": "live", "Facebook": "live"}, timeout=60,
                what="the adopted go-live with both targets live again")
            assert recovered["stream_id"] == session["stream_id"]
            # The session is published before the timer hands the log lines to OBS: wait for each
            # target's line in OBS's log (it raises if a line never comes). After the collection switch
            # OBS 29 writes these lines as "[Unknown Script] ..." (they are handed over outside a call
            # into the script, while the collection is being loaded), so script_log() does not see them.
            for name in ("YouTube", "Facebook"):
                studio.obs.wait_for_log(f"target '{name}' (127.0.0.1) is sent from OBS again after the reload",
                                        timeout=15)
            for name in KEYS:
                output = f"obs_livestream_simulcast_{name}"
                assert studio.obs.log_text().count(f"Output '{output}': stopping") >= 1, \
                    "the first script's output was stopped at its unload"

            studio.client.stop_stream()
            session = studio.wait_state("ended", "failed", timeout=60)
            assert session["state"] == "ended", session
            assert target_statuses(session) == {"YouTube": "removed", "Facebook": "removed"}
            assert not sandbox_events(studio, stream_id=session["stream_id"], kind="simulcast_target_created")
            obs_log, log = studio.obs.log_text(), studio.script_log()
            assert not any(key in log or key in obs_log for key in KEYS.values())
    finally:
        sandbox.stop()
