"""The script inside a real OBS (29, 30.2 and 32) keeps a live stream through a script reload and an OBS crash.

* A scene-collection switch destroys and re-creates every script, even while
  streaming (OBS_FRONTEND_EVENT_SCENE_COLLECTION_CLEANUP in
  https://github.com/obsproject/obs-studio/blob/29.0.2/UI/frontend-plugins/frontend-tools/scripts.cpp):
  the re-created script must adopt the live session.
* OBS killed mid-stream (SIGKILL) does not end the provider stream; after the restart
  the script offers to resume or end it, from its record on disk.
"""

from __future__ import annotations

import json
import time

import pytest

from livestream.session.armed import PLACEHOLDER_SERVER
from tests.e2e.studio import (
    PREVIOUS_SERVICE,
    Studio,
    add_scene_collection,
    restart_obs,
    sandbox_events,
    switch_scene_collection,
    wait_published,
)

pytestmark = pytest.mark.e2e


def _go_live(studio: Studio) -> dict:
    studio.press("go_live")
    session = studio.wait_state("live", "failed", timeout=90)
    assert session["state"] == "live", session
    studio.wait_for_hls(session["playback_url"])
    return session


def test_scene_collection_switch_while_live_recovers_the_session(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="tpstreams", boot_delay=1, **obs_under_test.obs_kwargs()) as studio:
        add_scene_collection(studio, "Livestream E2E second", "livestream-e2e-second")
        session = _go_live(studio)
        stream_id, first_seq = session["stream_id"], session["seq"]

        # OBS destroys the script and creates it again from the other collection, while streaming.
        switch_scene_collection(studio, "Livestream E2E second")
        recovered = wait_published(
            studio, lambda s: s["seq"] > first_seq and "recovered" in s.get("status_line", "").lower(),
            what="a recovered live session")
        assert recovered["state"] == "live", recovered
        assert recovered["stream_id"] == stream_id
        log = studio.obs.log_text()
        assert "Unloaded python script: obs_livestream.py" in log  # really destroyed and re-created
        assert log.rindex("Loaded python script: obs_livestream.py") > log.rindex("Unloaded python script")

        # OBS kept streaming and the provider stream was not ended.
        assert studio.client.stream_status()["outputActive"] is True
        assert sandbox_events(studio, "stop_requested") == []
        assert next(s for s in studio.streams() if s["id"] == stream_id)["status"] == "Streaming"
        assert len(sandbox_events(studio, "created")) == 1

        # Stopping streaming is still seen by the re-created script: the stream ends, settings return.
        studio.client.stop_stream()
        ended = studio.wait_state("ended", "failed", timeout=60)
        assert ended["state"] == "ended", ended
        assert sandbox_events(studio, "stop_requested", stream_id)
        assert next(s for s in studio.streams() if s["id"] == stream_id)["status"] in {
            "Stopped", "Recording", "Completed"}
        assert studio.stream_service() == PREVIOUS_SERVICE


def _crash(studio: Studio, stream_id: str) -> dict:
    """Kill OBS mid-stream, start it again; the script must offer the open stream."""
    restart_obs(studio)
    ready = studio.wait_state("ready", "failed", "ended", timeout=30)
    assert ready["state"] == "ready", ready
    assert ready["stream_id"] == stream_id
    text = ready["message"]
    assert "still open" in text and "Go live" in text and "End stream" in text, text
    # The crash did not end the provider stream: its encoder is gone, that is all.
    assert sandbox_events(studio, "stop_requested") == []
    studio.sandbox.admin.wait_for_status(stream_id, "Disconnected", timeout=15)
    assert studio.client.stream_status()["outputActive"] is False
    return ready


def test_obs_crash_then_end_stream_ends_the_provider_stream_and_restores_settings(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="tpstreams", boot_delay=1, **obs_under_test.obs_kwargs()) as studio:
        stream_id = _go_live(studio)["stream_id"]
        _crash(studio, stream_id)

        studio.press("end_stream")
        ended = studio.wait_state("ended", "failed", timeout=60)
        assert ended["state"] == "ended", ended
        assert sandbox_events(studio, "stop_requested", stream_id)
        assert next(s for s in studio.streams() if s["id"] == stream_id)["status"] in {
            "Stopped", "Recording", "Completed"}
        # The previous service came back from the record written before the crash.
        assert studio.stream_service() == PREVIOUS_SERVICE
        assert studio.client.stream_status()["outputActive"] is False


def test_obs_crash_then_go_live_resumes_the_same_provider_stream(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="tpstreams", boot_delay=1, **obs_under_test.obs_kwargs()) as studio:
        first = _go_live(studio)
        stream_id = first["stream_id"]
        _crash(studio, stream_id)

        studio.press("go_live")
        resumed = studio.wait_state("live", "failed", timeout=60)
        assert resumed["state"] == "live", resumed
        assert resumed["stream_id"] == stream_id
        assert len(sandbox_events(studio, "created")) == 1  # no second stream
        assert len(studio.streams()) == 1
        studio.sandbox.admin.wait_for_status(stream_id, "Streaming", timeout=15)
        assert len(sandbox_events(studio, "publish_started", stream_id)) == 2

        studio.client.stop_stream()
        ended = studio.wait_state("ended", "failed", timeout=60)
        assert ended["state"] == "ended", ended
        assert studio.stream_service() == PREVIOUS_SERVICE


# --- recovery by itself (armed or timetable go-lives): an ingest outage longer than OBS's reconnect ---


def _armed_live(studio: Studio) -> dict:
    """An armed start (StartStream over obs-websocket), live on the sandbox FastPix."""
    wait_published(studio, lambda s: True, what="the script's session")
    deadline = time.monotonic() + 30
    while studio.stream_service()["settings"].get("server") != PLACEHOLDER_SERVER:
        assert time.monotonic() < deadline, studio.script_log()
        time.sleep(0.2)
    studio.client.start_stream()
    session = studio.wait_state("live", "failed", timeout=90)
    assert session["state"] == "live", session
    studio.wait_for_hls(session["playback_url"])
    return session


def outage_inside_the_window(studio: Studio, stream_id: str) -> dict:
    """The ingest goes down longer than OBS's reconnect and comes back inside the provider's
    reconnect window: the class is live again on the same stream, still one broadcast."""
    studio.sandbox.stop_ingest()
    try:
        waiting = studio.wait_state("ready", "ended", "failed", timeout=60)  # OBS gave up: a try is due
        assert waiting["state"] == "ready" and "same stream" in waiting["message"], waiting
    finally:
        studio.sandbox.start_ingest()
    again = studio.wait_state("live", "failed", timeout=60)
    assert again["state"] == "live" and again["stream_id"] == stream_id, again
    studio.wait_for_hls(again["playback_url"])
    assert len(sandbox_events(studio, "publish_started", stream_id)) >= 2  # OBS published to it again
    assert [e["kind"] for e in sandbox_events(studio, stream_id=stream_id)
            if e["kind"] in ("finish_requested", "stop_requested")] == []  # the same broadcast goes on
    return again


@pytest.mark.obs_versions("29", "32")
def test_an_armed_class_survives_an_ingest_outage_on_the_same_stream_then_on_a_new_one(tmp_path, need_tools,
                                                                                       obs_under_test):
    """OBS's test profile reconnects twice, 2 s apart, then gives up; FastPix keeps a broadcast
    open 60 s (its default reconnect window) for the encoder to come back."""
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="fastpix", boot_delay=1, settings={"arm_on_start": True},
                      **obs_under_test.obs_kwargs()) as studio:
        sandbox = studio.sandbox
        first = _armed_live(studio)["stream_id"]

        # 1. The ingest goes down longer than OBS's reconnect, and comes back inside the window.
        outage_inside_the_window(studio, first)

        # 2. Down again, past the reconnect window: that stream is ended and a new one goes live.
        sandbox.stop_ingest()
        try:
            deadline = time.monotonic() + 150
            while not [e for e in sandbox_events(studio, stream_id=first) if e["kind"] == "finish_requested"]:
                assert time.monotonic() < deadline, f"the first stream was never ended\n{studio.script_log()}"
                time.sleep(1)
        finally:
            sandbox.start_ingest()
        deadline = time.monotonic() + 120
        session = studio.published()
        while not (session.get("state") == "live" and session.get("stream_id") not in (None, first)):
            assert time.monotonic() < deadline, f"no new stream went live: {session}\n{studio.script_log()}"
            time.sleep(0.5)
            session = studio.published()
        studio.wait_for_hls(session["playback_url"])
        log = studio.script_log()
        assert "on the same FastPix stream" in log and "going live on a new one" in log
        entries = json.loads((studio.state_dir / "ledger.json").read_text())["entries"]
        assert [e["origin"] for e in entries] == ["armed", "armed"]
        assert "recovery try" in (entries[0].get("last_error") or "")

        studio.client.stop_stream()  # a stop someone asked for: ended, nothing more tried
        assert studio.wait_state("ended", "failed", timeout=60)["state"] == "ended"
        time.sleep(8)
        assert studio.published()["state"] == "ended" and len(sandbox.admin.streams()) == 2
