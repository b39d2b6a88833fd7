"""The safety recording in the script, as a user meets it: with it ticked OBS records while
live and stops after the end, the file is named with the stream, a recording the user
started is left alone, and on OBS 29.0 the panel says where to look."""

from __future__ import annotations

import json

from fake_obspython import FakeObsStudio
from script_harness import Script

from livestream.session import bridge

GO_LIVE = "obs_livestream.go_live"


def live_then_end(script: Script, studio: FakeObsStudio) -> None:
    studio.trigger_hotkey(GO_LIVE)
    script.wait_for_start_request()
    studio.start_and_connect()
    script.wait_until_live()
    studio.run_recording()
    script.ticks(3)
    studio.stop()
    script.tick_until(lambda: script.app.controller.state.value == "ended", what="ended")
    script.ticks(3)
    studio.run_recording()
    script.ticks(3)


def test_ticked_it_records_while_live_and_names_the_file_after_the_end(script: Script, studio: FakeObsStudio,
                                                                     backend, tmp_path):
    script.load(safety_recording=True)
    studio.trigger_hotkey(GO_LIVE)
    script.wait_for_start_request()
    assert "record" not in studio.pending  # not before OBS is live
    studio.start_and_connect()
    script.wait_until_live()
    studio.run_recording()
    assert studio.obs_frontend_recording_active()
    studio.stop()
    script.tick_until(lambda: script.app.controller.state.value == "ended", what="ended")
    studio.run_recording()
    script.ticks(3)

    path = studio.last_recording
    assert path and not studio.obs_frontend_recording_active()
    assert script.status == f"Safety recording saved: {path}"
    assert studio.persistent_data()[bridge.SLOT]["safety_recording"] == f"Safety recording saved: {path}"
    listed = json.loads((tmp_path / "state" / "safety_recordings.json").read_text())
    assert [e["path"] for e in listed] == [path]
    assert "Starting the safety recording" in studio.log_text()


def test_a_recording_the_user_started_keeps_running_after_the_end(script: Script, studio: FakeObsStudio, backend):
    script.load(safety_recording=True)
    studio.obs_frontend_recording_start()  # the user's own, before the go-live
    studio.run_recording()
    own = studio.recording
    live_then_end(script, studio)
    assert studio.recording == own  # still recording, never stopped
    assert "safety recording" not in studio.log_text().lower()


def test_unticked_nothing_is_recorded(script: Script, studio: FakeObsStudio, backend):
    script.load()
    live_then_end(script, studio)
    assert studio.last_recording is None and studio.recording is None


def test_obs_29_0_finds_the_new_file_in_the_profiles_recording_folder(script: Script, studio: FakeObsStudio,
                                                                      backend):
    import os

    del studio.module.obs_frontend_get_last_recording  # OBS 29.0
    studio.recording_dir.mkdir(parents=True, exist_ok=True)
    older = studio.recording_dir / "users-own-class.mkv"
    older.write_bytes(b"x")
    os.utime(older, (1_000_000, 1_000_000))
    studio.profile.sections["SimpleOutput"] = {"FilePath": str(studio.recording_dir)}
    script.load(safety_recording=True)
    live_then_end(script, studio)
    assert studio.last_recording != str(older)
    assert script.status == f"Safety recording saved: {studio.last_recording}"


def test_obs_29_0_has_no_file_name_and_the_panel_says_where_to_look(script: Script, studio: FakeObsStudio, backend):
    del studio.module.obs_frontend_get_last_recording  # OBS 29.0
    script.load(safety_recording=True)
    live_then_end(script, studio)
    assert "Settings > Output > Recording" in script.status


def test_a_timetable_entry_records_when_its_preset_says_so_with_the_panel_off(script: Script, studio: FakeObsStudio,
                                                                              backend):
    import time
    from datetime import datetime

    script.load()  # the panel's safety recording is off
    clock_offset = [0.0]
    script.app.schedule.scheduler.clock = lambda: time.time() + clock_offset[0]
    start = datetime.fromtimestamp(time.time() + 180).replace(second=0, microsecond=0)
    answer = script.app.schedule.scheduler.handle_request({"id": "r1", "action": "add", "entry": {
        "start": start.strftime("%Y-%m-%d %H:%M"), "duration": 60,
        "preset": {"title": "Class {n}", "safety_recording": True}}})
    assert answer["ok"], answer
    script.ticks(5)
    clock_offset[0] = start.timestamp() - time.time()
    script.wait_for_start_request()
    studio.start_and_connect()
    script.tick_until(lambda: script.app.controller.state.value == "live", what="live")
    assert "record" in studio.pending
    studio.run_recording()
    studio.stop()
    script.tick_until(lambda: script.app.controller.state.value == "ended", what="ended")
    studio.run_recording()
    script.ticks(3)
    assert script.status.startswith("Safety recording saved: ")

    live_then_end(script, studio)  # the panel's own go-live after it: off, as the panel says
    assert studio.recording is None and "record" not in studio.pending
