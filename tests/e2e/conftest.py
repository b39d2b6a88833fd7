"""Fixtures for end-to-end tests against a real OBS under Xvfb.

* ``headless_obs``: a factory, ``headless_obs(**HeadlessObs kwargs) -> HeadlessObs``,
  started and ready; everything it started is stopped after the test.
* ``module_headless_obs``: the same factory, shared by a whole test module (OBS starts
  in about half a second, but a shared instance keeps module state, e.g. a script).
* ``nginx_rtmp``: a private nginx with the RTMP module on a loopback port
  (``.url``, ``.wait_for_publish(key)``), stopped after the module.
* ``probe_script``: writes the throw-away OBS Python script below; a ``Probe`` with its
  ``path``, file ``name`` and hotkey names.
* ``need_tools``: ``need_tools("ffmpeg")`` fails (CI) or skips when a program is missing.
* ``obs_under_test``: the OBS a test runs in; a test that asks for it runs once per OBS
  version (29.0 the host's, 30.2 from a Debian trixie root, 32 from a sid root; see
  ``livestream_headless.rootfs``), ``obs_under_test.obs_kwargs()`` goes to
  ``HeadlessObs``/``Studio.start`` (``obs_kwargs(packages=False)``: without the
  dependencies a root's Python is given for the script, for the release bundle's test).
  ``LIVESTREAM_OBS_VERSIONS=30`` (``scripts/test --obs 30``) runs only those, and leaves
  out the end-to-end tests that run in 29 alone; ``@pytest.mark.obs_versions("30", "32")``
  limits a test to some versions (on a ``pytest.param`` too: one parameter in some versions).

When OBS, Xvfb, ffmpeg or nginx is missing the test fails with the Debian package to
install if the environment variable ``CI`` is set, and is skipped otherwise.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from livestream_headless import HeadlessObs, MissingToolError, free_port, require_tools
from livestream_headless.instance import complete_lines
from livestream_headless.rootfs import OBS_VERSIONS, ObsRoot, obs_version, selected_versions

# A throw-away OBS script: logs how it was loaded, registers two frontend hotkeys.
PROBE_NAME = "e2e_probe.py"
PROBE_HOTKEY = "e2e_probe.hotkey"
PROBE_STALL_HOTKEY = "e2e_probe.stall"
PROBE_SOURCE = '''\
"""e2e probe: proves a Python script loads from the scene collection and runs."""
import os
import sys
import threading
import time

import obspython as obs

_marker = ""
_stalls = 0


def script_description():
    return "<b>e2e probe</b><br>Loaded from the scene collection by the end-to-end tests."


def script_properties():
    props = obs.obs_properties_create()
    obs.obs_properties_add_text(props, "marker", "Marker file", obs.OBS_TEXT_DEFAULT)
    obs.obs_properties_add_text(props, "note", "Status: probe is running", obs.OBS_TEXT_INFO)
    return props


def _pressed(pressed):
    if not pressed:
        return
    print("e2e_probe hotkey pressed")
    if _marker:
        with open(_marker, "a") as handle:
            handle.write("pressed\\n")


def _stall():
    # Timers run on the graphics thread: sleeping here makes OBS lag frames.
    global _stalls
    _stalls += 1
    time.sleep(0.15)
    if _stalls >= 12:
        obs.remove_current_callback()
        print("e2e_probe stalls done")


def _stall_pressed(pressed):
    global _stalls
    if pressed:
        _stalls = 0
        obs.timer_add(_stall, 50)


_EVENTS = {
    obs.OBS_FRONTEND_EVENT_STREAMING_STARTING: "STREAMING_STARTING",
    obs.OBS_FRONTEND_EVENT_STREAMING_STARTED: "STREAMING_STARTED",
    obs.OBS_FRONTEND_EVENT_STREAMING_STOPPING: "STREAMING_STOPPING",
    obs.OBS_FRONTEND_EVENT_STREAMING_STOPPED: "STREAMING_STOPPED",
}


def _on_event(event):
    # Frontend events run on the Qt UI thread.
    if event in _EVENTS:
        print("e2e_probe frontend event " + _EVENTS[event])


def _late_thread():
    time.sleep(1.0)
    print("e2e_probe print from a thread after load")


def script_load(settings):
    global _marker
    _marker = obs.obs_data_get_string(settings, "marker")
    print("e2e_probe loaded: python %d.%d env=%s marker=%s" % (
        sys.version_info[0], sys.version_info[1], os.environ.get("E2E_PROBE_ENV"), bool(_marker)))
    obs.obs_hotkey_register_frontend("e2e_probe.hotkey", "E2E probe", _pressed)
    obs.obs_hotkey_register_frontend("e2e_probe.stall", "E2E probe: stall rendering", _stall_pressed)
    obs.obs_frontend_add_event_callback(_on_event)
    threading.Thread(target=_late_thread, daemon=True).start()
'''


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _need_tools(*programs: str) -> None:
    """Fail (CI) or skip when a program is missing, naming its Debian package."""
    try:
        require_tools(*programs)
    except MissingToolError as exc:
        _unavailable(str(exc))


@pytest.fixture
def need_tools() -> Callable[..., None]:
    return _need_tools


# -- which OBS ------------------------------------------------------------------------------
HOST_VERSION = next(v for v, suite in OBS_VERSIONS.items() if suite is None)


@dataclass(frozen=True)
class ObsUnderTest:
    """One OBS version the end-to-end tests run in: the host's, or a root's."""

    version: str
    suite: Optional[str]

    @property
    def root(self) -> Optional[ObsRoot]:
        return ObsRoot.for_suite(self.suite) if self.suite else None

    def obs_kwargs(self, *, packages: bool = True) -> Dict[str, Any]:
        """What ``HeadlessObs`` (and ``Studio.start``) take to run this OBS.

        ``packages=False``: a root's OBS runs without the script's dependencies, so its
        Python has no packages at all (the host's OBS 29 Python has none of its own).
        """
        return {"root": self.root, "root_packages": packages} if self.suite else {}

    def require(self) -> None:
        root = self.root
        if root is not None and not root.ready:
            _unavailable(f"OBS {self.version} (Debian {self.suite} root) is not built: run scripts/setup, "
                         f"which builds it with the Debian package mmdebstrap")

    def __str__(self) -> str:
        if self.root is None:
            return f"OBS {self.version} (host)"
        return f"OBS {obs_version(self.root) or self.version} (Debian {self.suite})"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "obs_versions(*versions): run only in these OBS versions (e.g. '30', '32')")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "obs_under_test" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("obs_versions")
    versions = [v for v in selected_versions() if marker is None or v in marker.args]
    metafunc.parametrize("obs_under_test", versions, indirect=True, scope="module",
                         ids=[f"obs{v}" for v in versions])


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Keep the tests that share one OBS (a module's ``module_headless_obs`` or ``module_studio``) on
    one pytest-xdist worker, per OBS version; with the host's OBS left out of
    ``LIVESTREAM_OBS_VERSIONS``, leave out what runs only there."""
    outside = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        version = callspec.params.get("obs_under_test", "") if callspec else ""
        limit = item.get_closest_marker("obs_versions")  # also a parameter's own (pytest.param marks)
        if version and limit is not None and version not in limit.args:
            outside.append(item)
        if {"module_headless_obs", "module_studio"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group(f"{item.nodeid.split('::')[0]}-{version}"))
    if outside:
        config.hook.pytest_deselected(items=outside)
        items[:] = [item for item in items if item not in outside]
    if HOST_VERSION in selected_versions():
        return
    keep, drop = [], []
    for item in items:
        host_only = item.get_closest_marker("e2e") is not None and "obs_under_test" not in getattr(
            item, "fixturenames", ())
        (drop if host_only else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="module")
def obs_under_test(request: pytest.FixtureRequest) -> ObsUnderTest:
    under = ObsUnderTest(request.param, OBS_VERSIONS[request.param])
    under.require()
    return under



class _Factory:
    def __init__(self) -> None:
        self.instances: List[HeadlessObs] = []

    def __call__(self, **kwargs) -> HeadlessObs:
        _need_tools("obs", "Xvfb")
        obs = HeadlessObs(**kwargs)
        self.instances.append(obs)
        obs.start()
        return obs

    def close(self) -> None:
        for obs in reversed(self.instances):
            obs.close()


@pytest.fixture
def headless_obs() -> Iterator[Callable[..., HeadlessObs]]:
    factory = _Factory()
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="module")
def module_headless_obs() -> Iterator[Callable[..., HeadlessObs]]:
    factory = _Factory()
    try:
        yield factory
    finally:
        factory.close()


@dataclass(frozen=True)
class Probe:
    path: Path
    name: str = PROBE_NAME
    hotkey: str = PROBE_HOTKEY
    stall_hotkey: str = PROBE_STALL_HOTKEY


@pytest.fixture(scope="module")
def probe_script(tmp_path_factory: pytest.TempPathFactory) -> Probe:
    path = tmp_path_factory.mktemp("probe") / PROBE_NAME
    path.write_text(PROBE_SOURCE, encoding="utf-8")
    return Probe(path)


# -- a private nginx-rtmp ----------------------------------------------------------------
_RTMP_MODULES = (
    "/usr/lib/nginx/modules/ngx_rtmp_module.so",
    "/usr/lib64/nginx/modules/ngx_rtmp_module.so",
    "/usr/share/nginx/modules/ngx_rtmp_module.so",
    "/usr/local/nginx/modules/ngx_rtmp_module.so",
)


def _rtmp_module() -> str:
    for path in _RTMP_MODULES:
        if os.path.exists(path):
            return path
    found = glob.glob("/usr/lib/*/nginx/modules/ngx_rtmp_module.so")
    if found:
        return found[0]
    _unavailable("the nginx RTMP module is not installed: install the Debian package libnginx-mod-rtmp")
    raise AssertionError("unreachable")


class NginxRtmp:
    """nginx with one ``live`` application on 127.0.0.1:<free port>; its error log at info level."""

    def __init__(self, root: Path) -> None:
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if not nginx:
            _unavailable("nginx is not installed: install the Debian packages nginx libnginx-mod-rtmp")
        self.root = root
        self.port = free_port()
        self.url = f"rtmp://127.0.0.1:{self.port}/live"
        self.log = root / "error.log"
        conf = root / "nginx.conf"
        conf.write_text(
            f"load_module {_rtmp_module()};\n"
            # One process (no master/worker split): the pid we started is all there is to stop.
            "daemon off;\nmaster_process off;\n"
            f"pid {root / 'nginx.pid'};\nerror_log {self.log} info;\n"
            "events { worker_connections 64; }\n"
            "rtmp { server { listen 127.0.0.1:%d; application live { live on; record off; } } }\n" % self.port,
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [nginx, "-p", str(root), "-c", str(conf), "-e", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.log.read_text(errors='replace')[-800:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx-rtmp did not listen within 10 s")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_publish(self, key: str, timeout: float = 10.0) -> str:
        """The nginx-rtmp log line of a publish under stream name ``key`` (a whole line: nginx may
        be writing it while we read)."""
        needle = f"publish: name='{key}'"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in complete_lines(self.log_text()).splitlines():
                if needle in line:
                    return line
            time.sleep(0.1)
        raise AssertionError(f"nginx-rtmp saw no publish of {key!r} within {timeout:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGQUIT)  # graceful; the one process we started
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


@pytest.fixture(scope="module")
def nginx_rtmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxRtmp]:
    server = NginxRtmp(tmp_path_factory.mktemp("nginx-rtmp"))
    try:
        yield server
    finally:
        server.stop()
