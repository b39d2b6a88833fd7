"""The Linux release bundle, unzipped into an empty folder, goes live in a real OBS whose
Python has no pip packages at all, and the wrong bundle says what to download instead.

A probe script, loaded by OBS before obs_livestream.py, proves the "no packages" part
from inside OBS's own Python (nothing to import before the script) and, a moment later,
where OBS's Python actually took each package from: the bundle's folder for its version.

Each test runs in every OBS version the run selects (``obs_under_test``: the host's
29.0.2 with Python 3.11, trixie's 30.2 with 3.13, sid's 32 with 3.14). In a root, OBS
runs without the dependencies folder the other end-to-end tests give it
(``obs_kwargs(packages=False)``), so its Python is the root's own, with no packages.
Nothing below depends on which Python that OBS embeds: the expected vendored folder is
read from what the probe reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from livestream_headless import HeadlessObs, ScriptEntry
from tests.e2e.studio import PREVIOUS_SERVICE, Studio, cli_env
from tests.release_bundles.built import build_bundle

pytestmark = pytest.mark.e2e

PACKAGES = ("requests", "pydantic", "pydantic_core", "pydantic_core._pydantic_core", "websocket",
            "urllib3", "typing_extensions")
PROBE_HOTKEY = "bundle_probe.report"
PROBE = '''\
"""bundle probe: what OBS's own Python can import before obs_livestream.py, and from where
it took each package once the script runs (logged when its hotkey is pressed)."""
import importlib.util
import json
import sys

import obspython as obs

PACKAGES = PACKAGE_NAMES


def _report(pressed):
    if pressed:
        print("bundle_probe after " + json.dumps({n: getattr(sys.modules.get(n), "__file__", None) for n in PACKAGES}))


def _import_requests():
    try:
        import requests  # noqa: F401
    except ImportError as exc:
        return type(exc).__name__
    return "imported"


def script_load(settings):
    found = {n: importlib.util.find_spec(n) is not None for n in PACKAGES if "." not in n}
    print("bundle_probe before " + json.dumps({"python": ".".join(map(str, sys.version_info[:2])), "found": found,
                                                "import requests": _import_requests()}))
    obs.obs_hotkey_register_frontend("bundle_probe.report", "Bundle probe: report", _report)
'''.replace("PACKAGE_NAMES", repr(PACKAGES))


def unzip_into_empty_folder(archive: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(folder)
    script = folder / "obs-livestream" / "obs_livestream.py"
    assert not (script.parent / ".venv").exists()
    return script


def probe_entry(tmp_path: Path) -> ScriptEntry:
    path = tmp_path / "probe" / "bundle_probe.py"
    path.parent.mkdir()
    path.write_text(PROBE, encoding="utf-8")
    return ScriptEntry(str(path), {})


def probe_line(obs: HeadlessObs, which: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in obs.script_log_lines("bundle_probe.py"):
            if line.startswith(f"bundle_probe {which} "):
                return line[len(f"bundle_probe {which} "):]
        time.sleep(0.2)
    raise AssertionError(f"the probe logged no '{which}' line; script log:\n" + "\n".join(obs.script_log_lines()))


def obs_python_without_packages(obs: HeadlessObs) -> str:
    """Assert OBS's Python could import none of the packages before the script; its 'X.Y'."""
    before = json.loads(probe_line(obs, "before"))
    assert before["import requests"] == "ModuleNotFoundError", before
    assert before["found"] == {n: False for n in PACKAGES if "." not in n}, f"OBS's Python has packages: {before}"
    return before["python"]


def test_the_linux_bundle_goes_live_in_obs_with_no_packages_installed(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    script = unzip_into_empty_folder(build_bundle("linux-x86_64").path, tmp_path / "unzipped")
    with Studio.start(tmp_path, provider="fastpix", script=script, scripts=[probe_entry(tmp_path)],
                      **obs_under_test.obs_kwargs(packages=False)) as studio:
        version = obs_python_without_packages(studio.obs)

        studio.press("go_live")
        session = studio.wait_state("live", "failed", timeout=90)
        assert session["state"] == "live", session

        # The script itself needs no websocket-client (the remote CLI does): imported or not,
        # every package OBS's Python holds now comes from the bundle's folder for its version.
        studio.client.trigger_hotkey(PROBE_HOTKEY)
        loaded_from = json.loads(probe_line(studio.obs, "after"))
        folder = script.parent / "vendor" / f"cp{version.replace('.', '')}-linux_x86_64"
        assert all(loaded_from[n] for n in PACKAGES if "websocket" not in n), loaded_from
        shared = str(script.parent / "vendor" / "common")  # pure-Python packages every Python shares
        assert all(path.startswith((str(folder), shared)) for path in loaded_from.values() if path), loaded_from
        studio.wait_for_hls(session["playback_url"], segments=2)
        stream = next(s for s in studio.streams() if s["id"] == session["stream_id"])
        assert stream["status"] == "active"

        # The remote CLI run from the same folder takes websocket-client from the bundle too
        # (asserted by its origin) and sees the script live over obs-websocket.
        code = (f"import sys; sys.path.insert(0, {str(script.parent)!r}); import obs_livestream, websocket; "
                "from livestream.cli import main; rc = main(['status', '--json']); "
                "print('OBSWEBSOCKET', websocket.__file__); sys.exit(rc)")
        cli = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60,
                             env=cli_env(studio, tmp_path / "cli-state"))
        assert cli.returncode == 0, cli.stderr
        status_json, origin = cli.stdout.rsplit("OBSWEBSOCKET ", 1)
        assert origin.startswith((str(script.parent / "vendor" / f"cp3{sys.version_info[1]}-linux_x86_64"),
                                  str(script.parent / "vendor" / "common")))
        status = json.loads(status_json)
        assert status["obs"]["streaming"] is True
        assert status["script_session"]["stream_id"] == session["stream_id"]

        studio.client.stop_stream()
        session = studio.wait_state("ended", "failed", timeout=60)
        assert session["state"] == "ended", session
        stream = next(s for s in studio.streams() if s["id"] == session["stream_id"])
        assert stream["status"] == "idle"
        assert studio.stream_service() == PREVIOUS_SERVICE


def test_the_windows_bundle_in_linux_obs_says_which_bundle_to_download(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb")
    script = unzip_into_empty_folder(build_bundle("windows-x86_64").path, tmp_path / "unzipped")
    with HeadlessObs(script=script, scripts=[probe_entry(tmp_path)], home=str(tmp_path / "obs-home"),
                     **obs_under_test.obs_kwargs(packages=False)) as obs:
        version = obs_python_without_packages(obs)
        deadline = time.monotonic() + 20
        while not (lines := obs.script_log_lines("obs_livestream.py")) and time.monotonic() < deadline:
            time.sleep(0.2)
        message = "\n".join(lines)
        assert "obs-livestream needs requests and pydantic." in message
        assert f"OBS runs Python {version} on Linux x86_64, but this is the bundle for Windows 64-bit (x86_64)" \
            in message
        assert "download obs-livestream-" in message and "-linux-x86_64.zip instead" in message
        assert "Traceback" not in obs.log_text()
