"""A real OBS 29 under Xvfb: fresh home, scene collection, script loading, obs-websocket.

One OBS (with the probe script and a "previous" stream service) is shared by the module;
tests that stop, crash or restart OBS start their own.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest

from livestream.errors import ObsRefusedError
from livestream.remote.client import OUTPUT_STOPPED, ObsClient
from livestream.session.ports import StreamService
from livestream_headless import SCREEN, HeadlessObs

pytestmark = pytest.mark.e2e

PREVIOUS = StreamService.custom("rtmp://previous.example.invalid/app", "previous-key-0123456789")


@pytest.fixture(scope="module")
def marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("marker") / "pressed.txt"


@pytest.fixture(scope="module")
def obs(module_headless_obs, probe_script, marker: Path) -> HeadlessObs:
    return module_headless_obs(
        script=probe_script.path,
        script_settings={"marker": str(marker)},
        service=PREVIOUS,
        env={"E2E_PROBE_ENV": "from-env"},
    )


@pytest.fixture(scope="module")
def client(obs: HeadlessObs):
    with ObsClient(obs.ws_url, obs.password, timeout=10) as connected:
        yield connected


def _png_size(path: Path) -> tuple:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_obs_starts_from_a_fresh_home_without_any_dialog(obs: HeadlessObs, client: ObsClient) -> None:
    version = client.version()
    assert int(version["obsVersion"].split(".")[0]) >= 29
    assert version["rpcVersion"] == 1
    assert obs.startup_seconds is not None and obs.startup_seconds < 60
    assert obs.main_window() is not None
    assert obs.dialogs() == [], "a dialog would block an unattended OBS"


def test_the_generated_scene_collection_is_loaded(obs: HeadlessObs, client: ObsClient) -> None:
    scenes = client.call("GetSceneList")
    assert scenes["currentProgramSceneName"] == obs.scene_name
    kinds = {i["inputName"]: i["inputKind"] for i in client.call("GetInputList")["inputs"]}
    assert kinds["Background"].startswith("color_source")
    assert kinds["Label"].startswith("text_ft2_source")
    items = client.call("GetSceneItemList", sceneName=obs.scene_name)["sceneItems"]
    assert {i["sourceName"] for i in items} == {"Background", "Label"}


def test_the_script_loads_from_the_scene_collection_in_python_3(obs: HeadlessObs, probe_script) -> None:
    line = obs.wait_for_log(f"[Python: {probe_script.name}] e2e_probe loaded")
    assert "python 3." in line
    assert "env=from-env marker=True" in line
    assert f"[obs-scripting]: Loaded python script: {probe_script.name}" in obs.log_text()
    assert any(ln.startswith("e2e_probe loaded") for ln in obs.script_log_lines(probe_script.name))


def test_print_from_a_script_thread_reaches_the_log(obs: HeadlessObs) -> None:
    # Printed one second after script_load, from a plain Python thread.
    line = obs.wait_for_log("e2e_probe print from a thread after load")
    # OBS 29 names the script only while it is calling into it; otherwise (almost always
    # for a worker thread) the line is "[Unknown Script] ...".
    assert line.startswith(("[Unknown Script] ", "[Python: e2e_probe.py] "))


def test_the_script_hotkey_is_listed_and_fires(
    obs: HeadlessObs, client: ObsClient, marker: Path, probe_script
) -> None:
    hotkeys = client.call("GetHotkeyList")["hotkeys"]
    assert probe_script.hotkey in hotkeys
    client.trigger_hotkey(probe_script.hotkey)
    deadline = time.monotonic() + 10
    # The probe creates the file, then writes to it: wait for the line, not for the file.
    while not (marker.exists() and marker.read_text().endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # a release wrongly taken for a press would add a second line meanwhile
    assert marker.read_text().splitlines() == ["pressed"]  # press only, not release
    obs.wait_for_log("e2e_probe hotkey pressed")


def test_an_unknown_hotkey_is_refused_with_resource_not_found(client: ObsClient) -> None:
    with pytest.raises(ObsRefusedError) as caught:
        client.trigger_hotkey("e2e_probe.no_such_hotkey")
    assert caught.value.code == 600


def test_initial_service_json_is_what_obs_reports(client: ObsClient) -> None:
    service = client.get_stream_service()
    assert service.service_type == "rtmp_custom"
    assert service.settings["server"] == PREVIOUS.settings["server"]
    assert service.settings["key"] == PREVIOUS.settings["key"]


def test_set_stream_service_round_trips_and_restores(obs: HeadlessObs, client: ObsClient) -> None:
    previous = client.get_stream_service()
    ours = StreamService("rtmp_custom", {"server": "rtmp://127.0.0.1:1935/live", "key": "e2e-key-abcdef",
                                         "use_auth": True, "username": "u", "password": "p-secret"})
    client.set_stream_service(ours)
    got = client.get_stream_service()
    assert {k: got.settings[k] for k in ours.settings} == dict(ours.settings)
    saved = (obs.profile_dir / "service.json").read_text()
    assert "e2e-key-abcdef" in saved  # OBS saved it to the profile

    client.set_stream_service(previous)
    restored = client.get_stream_service()
    assert restored.settings["server"] == previous.settings["server"]
    assert restored.settings["key"] == previous.settings["key"]
    # Fields only ours had are blanked, not left behind (obs-websocket merges same-type settings).
    assert not restored.settings.get("use_auth") and not restored.settings.get("password")


def test_a_failed_request_raises_with_code_and_comment(client: ObsClient) -> None:
    with pytest.raises(ObsRefusedError) as caught:
        client.stop_stream()
    assert caught.value.code == 501
    assert "OutputNotRunning" in str(caught.value)

    with pytest.raises(ObsRefusedError) as caught:
        client.call("GetInputSettings", inputName="no such input")
    assert caught.value.code == 600
    assert "no such input" in caught.value.comment
    assert "no such input" in str(caught.value)


def test_linked_account_is_read_from_the_profile(client: ObsClient) -> None:
    assert client.linked_account() is None
    client.set_profile_parameter("Auth", "Type", "Twitch")
    try:
        assert client.linked_account() == "Twitch"
    finally:
        client.set_profile_parameter("Auth", "Type", None)
    assert client.linked_account() is None


def test_screenshot_is_a_png_of_the_whole_screen(obs: HeadlessObs, tmp_path: Path, need_tools) -> None:
    need_tools("ffmpeg")
    shot = obs.screenshot(tmp_path / "obs.png")
    assert _png_size(shot) == SCREEN
    assert shot.stat().st_size > 10_000  # OBS's window, not a black screen


def test_the_scripts_window_opens_on_the_probe(obs: HeadlessObs, tmp_path: Path, need_tools) -> None:
    need_tools("ffmpeg")
    window = obs.open_scripts_window(select_first=True)
    try:
        assert window.title == "Scripts"
        assert _png_size(obs.screenshot(tmp_path / "scripts.png")) == SCREEN
    finally:
        obs.close_dialogs()
    deadline = time.monotonic() + 3
    while obs.dialogs() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert obs.dialogs() == []


def test_a_failed_connect_shows_a_modal_box_that_does_not_block_obs_websocket(
    obs: HeadlessObs, client: ObsClient, tmp_path: Path
) -> None:
    previous = client.get_stream_service()
    client.set_stream_service(StreamService.custom("rtmp://127.0.0.1:9/live", "unreachable-key-0001"))
    try:
        with pytest.raises(ObsRefusedError, match="could not start streaming"):
            client.start_stream(wait=30)
        # OBS shows QMessageBox "Failed to connect" and nobody closes it...
        deadline = time.monotonic() + 5
        while not obs.dialogs() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [w.title for w in obs.dialogs()] == ["Failed to connect"]
        # The script still heard about it, on the UI thread, while the box is open.
        assert "STREAMING_STOPPED" in obs.wait_for_log("e2e_probe frontend event STREAMING_STOPPED")
        # ...but obs-websocket keeps answering, and a second start is still processed.
        started = time.monotonic()
        assert client.version()["obsVersion"]
        assert time.monotonic() - started < 1.0
        with client.expect_event("StreamStateChanged", lambda d: d["outputState"] == OUTPUT_STOPPED) as waiter:
            client.start_stream()
            waiter.wait(30)
        # The box follows the STOPPED event on the UI thread, a moment later.
        deadline = time.monotonic() + 5
        while len(obs.dialogs()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [w.title for w in obs.dialogs()] == ["Failed to connect", "Failed to connect"]  # they stack
    finally:
        obs.close_dialogs()
        time.sleep(0.3)
        obs.close_dialogs()
        client.set_stream_service(previous)


def test_streams_to_a_local_rtmp_server_and_logs_lagged_frames(
    obs: HeadlessObs, client: ObsClient, nginx_rtmp, probe_script
) -> None:
    previous = client.get_stream_service()
    key = "e2e-stream-key-42"
    client.set_stream_service(StreamService.custom(nginx_rtmp.url, key))
    stopped = False
    try:
        state = client.start_stream(wait=30)
        assert state["outputActive"] is True
        nginx_rtmp.wait_for_publish(key)
        # Block the graphics thread from a script timer: OBS must count lagged frames.
        client.trigger_hotkey(probe_script.stall_hotkey)
        obs.wait_for_log("e2e_probe stalls done", timeout=15)
        status = client.stream_status()
        assert status["outputActive"] and status["outputBytes"] > 0
        client.stop_stream(wait=30)
        stopped = True
    finally:
        # Not is_streaming(): GetStreamStatus can still say outputActive for a moment
        # after the STOPPED event (libobs clears "active" on its own thread).
        if not stopped:
            client.stop_stream(wait=30)
        client.set_stream_service(previous)
    frames = obs.output_frames()
    assert frames and frames[-1].output == "simple_stream"
    assert frames[-1].total_frames and frames[-1].total_frames > 0
    assert obs.lagged_frames() > 0
    assert frames[-1].drawn_attempted and frames[-1].drawn_attempted > frames[-1].drawn_frames
    assert obs.dialogs() == []


def test_stop_quits_obs_gracefully_and_stops_xvfb(headless_obs) -> None:
    obs = headless_obs()
    obs_pid, xvfb_pid = obs.obs_pid, obs.xvfb_pid
    started = time.monotonic()
    obs.stop()
    assert time.monotonic() - started < 10
    assert not obs.running
    assert "==== Shutting down" in obs.log_text()  # not killed: OBS 29 has no SIGTERM handler
    for pid in (obs_pid, xvfb_pid):
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_restart_after_a_crash_keeps_the_home_and_shows_no_dialog(headless_obs, probe_script) -> None:
    obs = headless_obs(script=probe_script.path, service=PREVIOUS)
    home, first_pid = obs.home, obs.obs_pid
    obs.restart()
    assert obs.obs_pid != first_pid and obs.home == home
    with obs.client() as client:
        assert client.get_stream_service().settings["key"] == PREVIOUS.settings["key"]
    assert len(obs.log_paths()) == 2
    obs.wait_for_log(f"[Python: {probe_script.name}] e2e_probe loaded")
    assert obs.dialogs() == []
