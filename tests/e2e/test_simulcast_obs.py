"""Simulcast in a real OBS.

Provider-side: the script's go-live on the sandbox's Mux adds three targets before OBS
publishes; the two that listen really receive the broadcast (ffprobe on what they recorded),
the one that does not is a warning while the class stays live, and Stop Streaming removes them.

OBS-side: TP Streams does not restream, so OBS sends two targets itself (extra RTMP outputs
sharing the main stream's encoders); both receive h264, a third that refuses the connection
is a failed target while the class stays live, the dock lists them, and Stop Streaming
stops the outputs and ends the stream."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.dockpage import DockPage, headless_chromium
from tests.e2e.studio import PREVIOUS_SERVICE, Studio, go_live_to_targets, target_statuses, targets_at_sandbox
from tests.sandbox.support import ffprobe, wait_until

# OBS-side outputs and the provider's restreaming do not change between OBS 30.2 and 32: the oldest
# (29) and the newest (32) OBS run them.
pytestmark = [pytest.mark.e2e, pytest.mark.obs_versions("29", "32")]

GOOD_KEY = "e2e-yt-relay-key"
SECOND_KEY = "e2e-fb-relay-key"
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
        "simulcast_3_name": "Facebook", "simulcast_3_url": target_app, "simulcast_3_key": SECOND_KEY,
    }
    received = [tmp_path / "sandbox" / "simulcast" / f"{key}.flv" for key in (GOOD_KEY, SECOND_KEY)]
    try:
        with Studio.start(tmp_path, provider="mux", sandbox=sandbox, settings=settings,
                          **obs_under_test.obs_kwargs()) as studio:
            # The provider relays to each target; the script reads their status with the stream's.
            session = go_live_to_targets(studio, {"YouTube": "live", "Twitch": "failed", "Facebook": "live"},
                                         received=received, names_when_live=["YouTube", "Twitch", "Facebook"],
                                         what="YouTube and Facebook live, Twitch failed")
            assert session["state"] == "live", "a failed target does not stop the main stream"

            stream_id = session["stream_id"]
            assert sorted(t["name"] for t in sandbox.core.get("mux", stream_id)["targets"].values()) == [
                "Facebook", "Twitch", "YouTube"]
            studio.client.stop_stream()
            session = studio.wait_state("ended", "failed", timeout=60)
            assert session["state"] == "ended", session
            assert sandbox.core.get("mux", stream_id)["targets"] == {}, "no target is left on the stream"
            assert studio.stream_service() == PREVIOUS_SERVICE
            log = studio.script_log()
            assert GOOD_KEY not in log and DEAD_KEY not in log and SECOND_KEY not in log
        for recorded in received:
            kinds = {s["codec_type"]: s["codec_name"] for s in ffprobe("ffprobe", str(recorded))["streams"]}
            assert kinds.get("video") == "h264", recorded.name
    finally:
        sandbox.stop()


OBS_KEYS = {"YouTube": "e2e-obs-yt-key-41", "Facebook": "e2e-obs-fb-key-42"}


def test_tp_streams_sends_two_targets_from_obs_itself_and_stop_stops_both(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    from livestream_sandbox import Sandbox

    sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=2).start()
    settings = targets_at_sandbox(sandbox, OBS_KEYS)
    settings.update({"simulcast_3_name": "Twitch", "simulcast_3_url": f"rtmp://127.0.0.1:{_closed_port()}/app",
                     "simulcast_3_key": DEAD_KEY})
    received = [tmp_path / "sandbox" / "simulcast" / f"{key}.flv" for key in OBS_KEYS.values()]
    try:
        with Studio.start(tmp_path, provider="tpstreams", sandbox=sandbox, settings=settings,
                          **obs_under_test.obs_kwargs()) as studio:
            session = go_live_to_targets(studio, {"YouTube": "live", "Facebook": "live", "Twitch": "failed"},
                                         received=received, what="both listening targets live, the refused one failed")
            assert session["state"] == "live", "a failed target does not stop the main stream"

            # The dock lists each target with its status, and never a key.
            with headless_chromium(tmp_path / "chromium") as browser:
                page = DockPage(browser, session["dock_url"])
                page.wait_for(lambda: all(f"{name} live" in page.text("targets") for name in OBS_KEYS),
                              15, "both targets live on the dock")
                assert not any(key in page.source() for key in OBS_KEYS.values())

            studio.client.stop_stream()  # the user presses Stop Streaming
            session = studio.wait_state("ended", "failed", timeout=60)
            assert session["state"] == "ended", session
            assert target_statuses(session) == {"YouTube": "removed", "Facebook": "removed", "Twitch": "removed"}
            ended = next(s for s in studio.streams() if s["id"] == session["stream_id"])["status"]
            assert ended in {"Stopped", "Recording", "Completed"}, ended
            assert studio.stream_service() == PREVIOUS_SERVICE
            for name in OBS_KEYS:
                # libobs logs "stopping" as obs_output_stop stops an output (obs_output_actual_stop);
                # rtmp-stream.c logs "User stopped the stream" when its send thread ends.
                output = f"obs_livestream_simulcast_{name}"
                wait_until(lambda o=output: f"Output '{o}': stopping" in studio.obs.log_text(), 10,
                           f"OBS to stop the output {output}: "
                           + " | ".join(line for line in studio.obs.log_text().splitlines() if output in line))
            obs_log, log = studio.obs.log_text(), studio.script_log()
            assert not any(key in log or key in obs_log for key in [*OBS_KEYS.values(), DEAD_KEY])
        for recorded in received:
            kinds = {s["codec_type"]: s["codec_name"] for s in ffprobe("ffprobe", str(recorded))["streams"]}
            assert kinds.get("video") == "h264" and kinds.get("audio") == "aac", (recorded.name, kinds)
    finally:
        sandbox.stop()
