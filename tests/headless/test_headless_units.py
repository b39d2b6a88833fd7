"""The headless harness's pure parts: generated OBS files, log parsing, the OBS roots' set-up
(no OBS needed; moved here from tests/e2e, whose tests each run a real OBS)."""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import pytest

from livestream_headless import HeadlessObs, MissingToolError, ObsHomeConfig, ScriptEntry, logs, require_tools
from livestream_headless.config import write_home
from livestream_headless.rootfs import ObsRoot, RootError, debian_mirror, remove_system_packages, selected_versions

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


def test_write_home_also_writes_what_obs_31_and_obs_websocket_5_5_read(tmp_path: Path) -> None:
    cfg = ObsHomeConfig(port=4567, password="pw-for-test-only")
    config_dir, _, _ = write_home(tmp_path, cfg)

    user = _ini(config_dir / "user.ini")  # OBS 31+: the user's choices
    assert user["General"]["FirstRun"] == "true"
    assert user["Basic"]["ProfileDir"] == cfg.profile_dir
    assert user["BasicWindow"]["SysTrayEnabled"] == "false"
    assert "OBSWebSocket" not in user and "pw-for-test-only" not in (config_dir / "user.ini").read_text()

    websocket = config_dir / "plugin_config" / "obs-websocket" / "config.json"
    assert json.loads(websocket.read_text()) == {
        "first_load": False, "server_enabled": True, "server_port": 4567, "alerts_enabled": False,
        "auth_required": True, "server_password": "pw-for-test-only"}
    assert websocket.stat().st_mode & 0o077 == 0  # the password file is the owner's only


def test_a_root_command_binds_the_folders_in_a_private_mount_namespace(tmp_path: Path) -> None:
    root = ObsRoot(tmp_path / "root")
    checkout, home = Path("/srv/a-checkout"), Path("/tmp/some-obs-home")  # /tmp is bound whole
    command = root.command(["obs", "--multi"], binds=[checkout, checkout / "lib", home], workdir="/tmp/run")
    assert command[:5] == ["unshare", "--mount", "--propagation", "private", "--"]
    script = command[-1]
    for folder in ("/proc", "/sys", "/dev", "/tmp"):
        assert f"mount --rbind {folder} {root.path}{folder}" in script
    assert f"mount --bind {checkout} {root.path}{checkout}\n" in script
    assert (root.path / str(checkout).lstrip("/")).is_dir()  # the mount point, made in the root
    assert f"{checkout}/lib" not in script and home.name not in script  # inside a bound folder already
    assert script.splitlines()[-1].startswith(f"exec chroot {root.path} sh -c")
    assert script.splitlines()[-1].endswith("/tmp/run obs --multi")


def test_a_root_built_the_old_way_loses_what_pip_put_in_its_system_python(tmp_path: Path) -> None:
    root = ObsRoot(tmp_path / "root")
    site = root.path / "usr/local/lib/python3.13/dist-packages"
    (site / "requests").mkdir(parents=True)
    (site / "requests" / "__init__.py").write_text("")
    (site / "__pycache__").mkdir()
    (site / "typing_extensions.py").write_text("")
    bin_dir = root.path / "usr/local/bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "wsdump").write_text("#!/usr/bin/python3\n")
    (bin_dir / "by-hand").write_text("#!/bin/sh\n")  # no package lists it: kept
    record = site / "websocket_client-1.9.2.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("../../../bin/wsdump,sha256=x,20\n../../../../../etc/passwd,,\n"
                      "websocket_client-1.9.2.dist-info/RECORD,,\n")
    debian = root.path / "usr/lib/python3/dist-packages/pip"
    debian.mkdir(parents=True)
    (root.path / "etc").mkdir()
    (root.path / "etc/passwd").write_text("root:x:0:0\n")

    assert remove_system_packages(root) == ["websocket_client-1.9.2.dist-info"]
    assert list(site.iterdir()) == []
    assert [p.name for p in bin_dir.iterdir()] == ["by-hand"]
    assert debian.is_dir() and (root.path / "etc/passwd").is_file()  # Debian's own, and nothing outside /usr/local


def test_the_debian_mirror_is_read_from_apt_sources(tmp_path: Path) -> None:
    deb822 = tmp_path / "debian.sources"
    deb822.write_text("Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
                      "Components: main\n\nTypes: deb\nURIs: http://mirror.example/debian/\n"
                      "Suites: bookworm bookworm-updates\nComponents: main\n")
    assert debian_mirror([deb822], environ={}) == "http://mirror.example/debian"
    one_line = tmp_path / "sources.list"
    one_line.write_text("# deb http://old.example/debian bookworm main\n"
                        "deb [arch=amd64] http://other.example/debian bookworm main\n")
    assert debian_mirror([one_line], environ={}) == "http://other.example/debian"


def test_a_sources_folder_is_read_in_order_and_disabled_or_source_only_stanzas_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "sources.list.d"
    folder.mkdir()
    (folder / "a-disabled.sources").write_text("Types: deb\nURIs: http://off.example/debian\nSuites: trixie\n"
                                               "Enabled: no\n\nTypes: deb-src\nURIs: http://src.example/debian\n"
                                               "Suites: trixie\n")
    (folder / "b-debian.sources").write_text("Types: deb deb-src\nURIs: https://on.example/debian\nSuites: trixie\n")
    (folder / "notes.txt").write_text("deb http://ignored.example/debian trixie main\n")
    assert debian_mirror([tmp_path / "sources.list", folder], environ={}) == "https://on.example/debian"


def test_no_mirror_in_the_sources_says_so_and_names_the_variable_that_sets_one(tmp_path: Path) -> None:
    only_security = tmp_path / "sources.list"
    only_security.write_text("deb http://security.example/debian-security bookworm-security main\n")
    with pytest.raises(RootError, match="no Debian mirror found in apt's sources.*LIVESTREAM_DEBIAN_MIRROR="):
        debian_mirror([only_security, tmp_path / "missing"], environ={})
    chosen = {"LIVESTREAM_DEBIAN_MIRROR": "http://chosen.example/debian/"}
    assert debian_mirror([only_security], environ=chosen) == "http://chosen.example/debian"


def test_the_obs_versions_to_test_come_from_the_environment_setting() -> None:
    assert selected_versions("") == selected_versions("all") == ["29", "30", "32"]
    assert selected_versions("30") == ["30"]
    assert selected_versions(" 29, 32 ") == ["29", "32"]
    with pytest.raises(RootError, match="unknown OBS version.*31.*known: 29, 30, 32"):
        selected_versions("31")


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


def test_a_log_line_still_being_written_is_not_read_as_a_whole_line() -> None:
    from livestream_headless.instance import complete_lines

    assert complete_lines("one\ntwo\nthr") == "one\ntwo\n"
    assert complete_lines("partial") == ""
    assert complete_lines("done\n") == "done\n"
