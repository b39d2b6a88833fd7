"""The safety recording in a real OBS: with "Also record locally while live" ticked, a go-live
leaves a recording of the class in OBS's recording folder that ffprobe plays, OBS stops
recording after the end, and the panel's session names the file (OBS 29.1+ tells it; on 29.0
the script finds it in the recording folder the profile names)."""

from __future__ import annotations

import time

import pytest

import livestream_demo as demo
from tests.e2e.studio import Studio, wait_published

# The recording output is the same from OBS 29 to 32: the oldest and the newest run it.
pytestmark = [pytest.mark.e2e, pytest.mark.obs_versions("29", "32")]


def test_a_go_live_with_the_safety_recording_leaves_a_file_ffprobe_plays(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "ffprobe")
    folder = tmp_path / "recordings"
    folder.mkdir()
    kwargs = obs_under_test.obs_kwargs()
    kwargs["profile_sections"] = {"SimpleOutput": {"FilePath": str(folder), "RecFormat": "mkv"}}
    with Studio.start(tmp_path, provider="fastpix", boot_delay=1, settings={"safety_recording": True},
                      **kwargs) as studio:
        studio.press("go_live")
        session = studio.wait_state("live", "failed", timeout=90)
        assert session["state"] == "live", f"{session}\n{studio.script_log()}"
        deadline = time.monotonic() + 20
        while not studio.client.call("GetRecordStatus").get("outputActive") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert studio.client.call("GetRecordStatus").get("outputActive"), studio.script_log()
        time.sleep(3)  # a few seconds of the class on disk

        studio.client.stop_stream()
        assert studio.wait_state("ended", "failed", timeout=60)["state"] == "ended"
        published = wait_published(studio, lambda s: bool(s.get("safety_recording")), what="the recording's file")
        assert not studio.client.call("GetRecordStatus").get("outputActive")  # stopped after the end

    files = sorted(folder.glob("*.mkv"))
    assert len(files) == 1, files
    probe = demo.ffprobe(str(files[0]))
    assert probe.get("codec_name") == "h264" and int(probe.get("width") or 0) > 0, probe
    # OBS 29.1+ names the file; on 29.0 the script finds it in the folder the profile names.
    assert published["safety_recording"] == f"Safety recording saved: {files[0]}"
