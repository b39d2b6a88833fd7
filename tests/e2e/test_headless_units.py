"""The headless harness's pure parts: generated OBS files and log parsing (no OBS needed)."""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import pytest

from livestream.headless import HeadlessObs, MissingToolError, ObsHomeConfig, ScriptEntry, logs, require_tools
from livestream.headless.config import write_home

# Lines exactly as OBS 29.0.2 wrote them in this project's runs (see logs.py).
OBS_LOG = """\
08:00:34.849: [Python: e2e_probe.py] e2e_probe loaded: python 3.11 env=from-env marker=True
08:00:34.849: [obs-scripting]: Loaded python script: e2e_probe.py
08:00:35.850: [Unknown Script] e2e_probe print from a thread after load
08:00:35.900: [Python: obs_livestream.py] going live
08:00:37.466: [rtmp stream: 'simple_stream'] User stopped the stream
08:00:37.466: Output 'simple_stream': stopping
08:00:37.466: Output 'simple_stream': Total frames output: 61
08:00:37.466: Output 'simple_stream': Total drawn frames: 31 (75 attempted)
08:00:37.466: Output 'simple_stream': Number of lagged frames due to rendering lag/stalls: 44 (58.7%)
08:00:37.468: ==== Streaming Stop ================================================
07:58:56.376: Output 'simple_stream': stopping
07:58:56.376: Output 'simple_stream': Total frames output: 241
07:58:56.376: Output 'simple_stream': Total drawn frames: 250
07:59:18.121: Video stopped, number of skipped frames due to encoding lag: 6/676 (0.9%)
"""


def _ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # OBS keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def test_write_home_makes_global_ini_profile_service_and_collection(tmp_path: Path) -> None:
    cfg = ObsHomeConfig(
        port=4567,
        password="pw-for-test-only",
        service={"type": "rtmp_custom", "settings": {"server": "rtmp://prev/app", "key": "prev-key"}},
        scripts=(ScriptEntry("/abs/obs_livestream.py", {"provider": "sandbox"}),),
        profile_sections={"Auth": {"Type": "Twitch"}},
    )
    config_dir, profile_dir, collection = write_home(tmp_path, cfg)

    glob = _ini(config_dir / "global.ini")
    assert glob["General"]["FirstRun"] == "true"
    assert glob["Basic"]["ProfileDir"] == cfg.profile_dir
    assert glob["Basic"]["SceneCollectionFile"] == cfg.collection_file
    ws = glob["OBSWebSocket"]
    assert (ws["ServerEnabled"], ws["ServerPort"], ws["AuthRequired"]) == ("true", "4567", "true")
    assert ws["ServerPassword"] == "pw-for-test-only" and ws["FirstLoad"] == "false"
    assert ws["AlertsEnabled"] == "false"

    basic = _ini(profile_dir / "basic.ini")
    assert (basic["Video"]["BaseCX"], basic["Video"]["BaseCY"], basic["Video"]["FPSCommon"]) == ("640", "360", "30")
    assert basic["Output"]["Mode"] == "Simple"
    assert basic["Auth"]["Type"] == "Twitch"

    assert json.loads((profile_dir / "service.json").read_text())["settings"]["key"] == "prev-key"

    scenes = json.loads(collection.read_text())
    assert scenes["modules"]["scripts-tool"] == [{"path": "/abs/obs_livestream.py",
                                                   "settings": {"provider": "sandbox"}}]
    kinds = {s["name"]: s["versioned_id"] for s in scenes["sources"]}
    assert kinds == {"Scene": "scene", "Background": "color_source_v3", "Label": "text_ft2_source_v2"}
    assert "pw-for-test-only" not in repr(cfg)


def test_output_frames_and_lagged_frames_are_parsed_per_output_stop() -> None:
    frames = logs.output_frames(OBS_LOG)
    assert frames == [
        logs.OutputFrames("simple_stream", 61, 31, 75, 44, 58.7),
        logs.OutputFrames("simple_stream", 241, 250, None, 0, 0.0),
    ]
    assert logs.lagged_frames(OBS_LOG) == 44
    assert logs.encoding_lag(OBS_LOG) == [logs.EncodingLag(6, 676, 0.9)]


def test_script_lines_strip_the_python_prefix() -> None:
    assert logs.script_lines(OBS_LOG, "obs_livestream.py") == ["going live"]
    assert logs.script_lines(OBS_LOG) == [
        "e2e_probe loaded: python 3.11 env=from-env marker=True",
        "going live",
    ]
    assert logs.script_lines(OBS_LOG, "obs_livestream.py", with_prefix=True) == [
        "[Python: obs_livestream.py] going live"
    ]


def test_missing_programs_name_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MissingToolError) as caught:
        require_tools("obs", "Xvfb")
    assert caught.value.package == "obs-studio obs-plugins"
    assert "obs-studio" in str(caught.value)
    with pytest.raises(MissingToolError, match="xvfb"):
        require_tools("Xvfb")
    with pytest.raises(MissingToolError, match="obs-studio"):
        HeadlessObs().start()


def test_the_password_stays_out_of_the_repr() -> None:
    obs = HeadlessObs(password="not-in-repr-123")
    assert "not-in-repr-123" not in repr(obs)
    obs.close()  # never started: a no-op
