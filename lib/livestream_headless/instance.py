"""``HeadlessObs``: a real OBS Studio under Xvfb with obs-websocket on, for tests and demos.

    with HeadlessObs(script="obs_livestream.py", script_settings={...}) as obs:
        client = ObsClient(obs.ws_url, obs.password)
        ...
        obs.screenshot("panel.png")

What it does, and why (seen running Debian's OBS 29.0.2 headless on this project's kind of machine):

* ``Xvfb -displayfd`` picks a free display itself; each instance gets its own display,
  HOME (``XDG_CONFIG_HOME`` too) and websocket port, so parallel runs cannot collide.
* OBS runs as ``obs --multi --minimize-to-tray --disable-missing-files-check`` (plus
  ``--disable-shutdown-check`` / ``--disable-updater`` when this OBS knows them: 29.0
  has no shutdown check at all). ``FirstRun=true`` in global.ini skips the
  auto-configuration wizard; obs-websocket 5.1 takes its settings from global.ini.
* Ready means obs-websocket accepted an authenticated connection and answered GetVersion.
* OBS 29 has no SIGTERM handler: it dies at once, without its shutdown log (frame
  statistics, profiler). ``stop()`` therefore stops the outputs over obs-websocket,
  closes any dialog, then closes the main window with WM_DELETE_WINDOW (what a window
  manager's close button sends), and only then falls back to SIGTERM and SIGKILL.
* ``root=``: OBS of another Debian release, run from a root file system under the same
  Xvfb (``rootfs.py``: OBS 30.2 from trixie, 32 from sid); everything else is the same.
* Only the processes started here are ever signalled, by pid (each in its own session).
  They also get SIGKILL when this process dies without cleaning up (Linux
  ``PR_SET_PDEATHSIG``; ``die_with_parent=False`` turns it off, and it is tied to the
  *thread* that started them, so start from a thread that outlives the instance).

Missing programs raise ``MissingToolError`` naming the Debian package to install.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from secrets import token_urlsafe
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from livestream import secrets
from livestream.errors import ConfigurationError, ObsError, ObsRefusedError, ObsUnreachableError
from livestream.remote.client import OUTPUT_STOPPED, ObsClient
from livestream.session.ports import StreamService

from . import logs, x11
from .config import ObsHomeConfig, ScriptEntry, obs_semantic_version, semantic_version, write_home
from .rootfs import ObsRoot, obs_version

__all__ = ["HeadlessObs", "MissingToolError", "HeadlessObsError", "require_tools", "free_port", "SCREEN"]

SCREEN = (1280, 720)
#: How long after OBS is ready before Tools > Scripts is opened (see open_scripts_window).
SCRIPTS_SETTLE_SECONDS = 4.0
# Programs and the Debian packages that provide them.
PACKAGES = {"obs": "obs-studio obs-plugins", "Xvfb": "xvfb", "ffmpeg": "ffmpeg"}
KEEP_ENV = "LIVESTREAM_KEEP_OBS"  # set to 1 to keep the OBS home and logs after a run


class MissingToolError(ConfigurationError):
    """A program the headless OBS needs is not installed; ``package`` says what to install."""

    def __init__(self, program: str, package: str) -> None:
        super().__init__(f"{program} is not installed", hint=f"install the Debian package(s) {package} "
                                                               "(scripts/setup does it)")
        self.program = program
        self.package = package


class HeadlessObsError(ObsError):
    """OBS or Xvfb did not start, or died; the message ends with the tail of OBS's output."""


def require_tools(*programs: str) -> Dict[str, str]:
    """Absolute paths of ``programs`` (default: obs, Xvfb); raises ``MissingToolError``."""
    found = {}
    for program in programs or ("obs", "Xvfb"):
        path = shutil.which(program)
        if not path:
            raise MissingToolError(program, PACKAGES.get(program, program))
        found[program] = path
    return found


def free_port() -> int:
    """A TCP port nobody listens on right now (obs-websocket listens on every interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("", 0))
        return sock.getsockname()[1]


_obs_flags_cache: Dict[Tuple[str, ...], Sequence[str]] = {}


def _obs_flags(command: Sequence[str]) -> List[str]:
    """Command-line flags for an unattended OBS, keeping only those this OBS knows.

    ``command``: how to run this OBS (``[path]``, or the root's ``chroot`` command).
    """
    key = tuple(command)
    if key not in _obs_flags_cache:
        try:
            helptext = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            helptext = ""
        _obs_flags_cache[key] = [
            flag for flag in ("--disable-shutdown-check", "--disable-updater") if flag in helptext
        ]
    return ["--multi", "--minimize-to-tray", "--disable-missing-files-check", *_obs_flags_cache[key]]


_live: weakref.WeakSet[HeadlessObs] = weakref.WeakSet()


#: Every run folder made and not kept: ``stop()`` leaves its folder for a look at OBS's
#: output afterwards; they all go when the process ends.
_run_dirs: list[Path] = []


@atexit.register
def _kill_leftovers() -> None:  # a test run that dies must not leave OBS behind
    for instance in list(_live):
        instance.kill()
        instance._remove_run_dir()
    for run_dir in _run_dirs:
        shutil.rmtree(run_dir, ignore_errors=True)


class HeadlessObs:
    """A real OBS with obs-websocket enabled, in a throw-away HOME, under its own Xvfb.

    Arguments (all keyword-only):

    * ``script`` / ``script_settings``: a Python script OBS loads at start-up, with the
      settings ``script_load`` receives (``scripts``: several ``ScriptEntry``).
    * ``service``: the profile's initial stream service (``StreamService`` or
      ``{"type": ..., "settings": {...}}``), e.g. the user's "previous" service.
    * ``env``: extra environment for OBS (the script reads it). ``PYTHON*`` variables of
      this process are not inherited: a venv's would leak into OBS's embedded Python.
    * ``home``: use this folder as HOME (kept afterwards) instead of a temporary one.
    * ``password`` / ``port``: obs-websocket's; random and free by default.
    * ``startup_timeout``: seconds to wait for obs-websocket (default 60).
    * ``width``/``height``/``fps``/``video_bitrate``/``x264_preset``: the small canvas.
    * ``profile_sections`` / ``global_sections``: extra ini sections (e.g. ``{"Auth":
      {"Type": "Twitch"}}`` fakes a linked account).
    * ``root``: run the OBS of this root file system (``ObsRoot`` or its folder) instead
      of the host's; ``binds``: more folders OBS must see there (the scripts' folders,
      HOME and /tmp are bound already). ``root_packages``: OBS's Python there imports the
      script's dependencies from the root's ``DEPS_DIR`` (on its ``PYTHONPATH``); False:
      it has no packages at all, as a streamer's may (the release bundle's test).
    """

    def __init__(
        self,
        *,
        script: Union[str, os.PathLike, None] = None,
        script_settings: Optional[Mapping[str, Any]] = None,
        scripts: Sequence[ScriptEntry] = (),
        service: Union[StreamService, Mapping[str, Any], None] = None,
        env: Optional[Mapping[str, str]] = None,
        home: Union[str, os.PathLike, None] = None,
        password: Optional[str] = None,
        port: Optional[int] = None,
        startup_timeout: float = 60.0,
        width: int = 640,
        height: int = 360,
        fps: int = 30,
        video_bitrate: int = 400,
        x264_preset: str = "ultrafast",
        text: str = "obs-livestream",
        profile_sections: Optional[Mapping[str, Mapping[str, Any]]] = None,
        global_sections: Optional[Mapping[str, Mapping[str, Any]]] = None,
        extra_args: Sequence[str] = (),
        keep: Optional[bool] = None,
        die_with_parent: bool = True,
        display: Optional[str] = None,
        root: Union[ObsRoot, str, os.PathLike, None] = None,
        binds: Sequence[Union[str, os.PathLike]] = (),
        root_packages: bool = True,
    ) -> None:
        entries = list(scripts)
        if script is not None:
            entries.append(ScriptEntry(str(Path(script).resolve()), dict(script_settings or {})))
        if isinstance(service, StreamService):
            service = service.to_dict()
        # An existing X display (e.g. the user's own $DISPLAY): OBS's window shows there
        # and no Xvfb is started. None: a private Xvfb, as for tests.
        self._external_display = display or None
        self.root: Optional[ObsRoot] = root if isinstance(root, ObsRoot) or root is None else ObsRoot(Path(root))
        self._binds = [Path(b) for b in binds] + [Path(e.path).parent for e in entries]
        self.root_packages = root_packages
        self.password = password or token_urlsafe(18)
        secrets.register(self.password)
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.startup_timeout = startup_timeout
        self.extra_env = dict(env or {})
        self.extra_args = list(extra_args)
        self._preexec = _die_with_parent if die_with_parent else None
        self.keep = keep if keep is not None else os.environ.get(KEEP_ENV, "") not in ("", "0")
        self._own_home = home is None
        self._given_home = Path(home).resolve() if home is not None else None
        self._config = ObsHomeConfig(
            port=self.port,
            password=self.password,
            width=width,
            height=height,
            fps=fps,
            video_bitrate=video_bitrate,
            x264_preset=x264_preset,
            text=text,
            service=service,
            scripts=tuple(entries),
            profile_sections=dict(profile_sections or {}),
            global_sections=dict(global_sections or {}),
        )
        self.run_dir: Optional[Path] = None
        self.home: Optional[Path] = None
        self.display: Optional[str] = None
        self.startup_seconds: Optional[float] = None
        self.obs_version: Optional[str] = None
        self._xvfb: Optional[subprocess.Popen] = None
        self._obs: Optional[subprocess.Popen] = None
        self._obs_out = None
        self._starts = 0
        self._last_start_wall: Optional[float] = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"HeadlessObs({self.ws_url!r}, display={self.display!r}, {state})"

    # -- properties ---------------------------------------------------------------------
    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._obs is not None and self._obs.poll() is None

    @property
    def obs_pid(self) -> Optional[int]:
        return self._obs.pid if self._obs else None

    @property
    def xvfb_pid(self) -> Optional[int]:
        return self._xvfb.pid if self._xvfb else None

    @property
    def config_dir(self) -> Path:
        return self._require_home() / ".config" / "obs-studio"

    @property
    def profile_dir(self) -> Path:
        return self.config_dir / "basic" / "profiles" / self._config.profile_dir

    @property
    def collection_path(self) -> Path:
        return self.config_dir / "basic" / "scenes" / f"{self._config.collection_file}.json"

    @property
    def scene_name(self) -> str:
        return self._config.scene

    @property
    def stdout_path(self) -> Path:
        """OBS's stdout and stderr (the log lines prefixed ``info:``, plus Qt's warnings)."""
        return self._require_run_dir() / "obs-output.txt"

    @property
    def log_path(self) -> Optional[Path]:
        """The newest OBS log file, ``$HOME/.config/obs-studio/logs/<date time>.txt``."""
        files = self.log_paths()
        return files[-1] if files else None

    def log_paths(self) -> List[Path]:
        """Every OBS log of this home, oldest first (one per start)."""
        folder = self.config_dir / "logs"
        if not folder.is_dir():
            return []
        return sorted(folder.glob("*.txt"), key=lambda p: (p.stat().st_mtime, p.name))

    def client(self, *, timeout: float = 10.0) -> ObsClient:
        """A new (unconnected) obs-websocket client for this OBS; close it when done."""
        return ObsClient(self.ws_url, self.password, timeout=timeout)

    # -- lifecycle ----------------------------------------------------------------------
    def __enter__(self) -> HeadlessObs:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> HeadlessObs:
        """Start Xvfb (once) and OBS, and wait until obs-websocket answers."""
        tools = self._require_tools()
        if self.run_dir is None:
            self.run_dir = Path(tempfile.mkdtemp(prefix="livestream-obs-"))
            if not self.keep:
                _run_dirs.append(self.run_dir)
            self.home = self._given_home or (self.run_dir / "home")
            self.home.mkdir(parents=True, exist_ok=True)
            if self.root is not None:
                version = semantic_version(obs_version(self.root) or "")
            else:
                version = obs_semantic_version(tools["obs"])
            cfg = self._config
            if version:
                cfg = ObsHomeConfig(**{**cfg.__dict__, "last_version": version})
            write_home(self.home, cfg)
        _live.add(self)
        if self._external_display:
            self.display = self._external_display
        elif self._xvfb is None or self._xvfb.poll() is not None:
            self._start_xvfb(tools["Xvfb"])
        self._start_obs(tools["obs"])
        return self

    def _require_tools(self) -> Dict[str, str]:
        if self.root is None:
            return require_tools("obs") if self._external_display else require_tools("obs", "Xvfb")
        tools = {} if self._external_display else require_tools("Xvfb")
        if not self.root.ready:
            raise MissingToolError(f"OBS in {self.root.path}",
                                   "mmdebstrap; then run scripts/setup, which builds the root once")
        tools["obs"] = "obs"  # the root's own, found by chroot on its PATH
        return tools

    def _command(self, argv: Sequence[str]) -> List[str]:
        """``argv`` as run on the host, or inside the root with OBS's folders bound."""
        if self.root is None:
            return list(argv)
        binds = [*self._binds, self._require_home(), self._require_run_dir()]
        return self.root.command(argv, binds=binds, workdir=str(self._require_run_dir()))

    def _start_xvfb(self, xvfb: str) -> None:
        read_fd, write_fd = os.pipe()
        log = open(self._require_run_dir() / "xvfb-output.txt", "ab")
        try:
            self._xvfb = subprocess.Popen(
                [xvfb, "-displayfd", str(write_fd), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                 "-nolisten", "tcp", "-noreset"],
                pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=self._preexec,
            )
        finally:
            os.close(write_fd)
            log.close()
        number = b""
        deadline = time.monotonic() + 15
        try:
            while not number.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or self._xvfb.poll() is not None:
                    raise HeadlessObsError("Xvfb did not report its display number",
                                           hint=self._tail(self._require_run_dir() / "xvfb-output.txt"))
                ready, _, _ = select.select([read_fd], [], [], left)
                if ready:
                    chunk = os.read(read_fd, 16)
                    if not chunk:
                        raise HeadlessObsError("Xvfb exited before reporting its display",
                                               hint=self._tail(self._require_run_dir() / "xvfb-output.txt"))
                    number += chunk
        except BaseException:
            self._signal(self._xvfb, signal.SIGKILL)
            raise
        finally:
            os.close(read_fd)
        self.display = f":{number.decode().strip()}"

    def _environment(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PYTHON") and k not in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                                                           "XAUTHORITY", "SESSION_MANAGER", "VIRTUAL_ENV")}
        home = self._require_home()
        runtime = self._require_run_dir() / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env.update({
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_RUNTIME_DIR": str(runtime),
            "DISPLAY": self.display or "",
            "QT_QPA_PLATFORM": "xcb",
            "LIBGL_ALWAYS_SOFTWARE": "1",
        })
        if self.root is not None and self.root_packages:
            env.update(self.root.packages_env())
        env.update(self.extra_env)
        return env

    def _start_obs(self, obs: str) -> None:
        if self.running:
            return
        self._starts += 1
        # OBS names its log after the moment it creates it, to the second: a restart in
        # that same second would overwrite the log of the run before (the "crashed" one).
        # That moment can be later than our launch (a loaded machine), so wait past the
        # second the newest log is named after, and past our last launch's second.
        not_before = [int(self._last_start_wall) + 1] if self._last_start_wall is not None else []
        newest = self.log_path
        if newest is not None:
            try:
                not_before.append(time.mktime(time.strptime(newest.stem, "%Y-%m-%d %H-%M-%S")) + 1)
            except ValueError:
                pass  # not a name OBS gave: nothing to protect
        wait = max(not_before, default=0) - time.time()
        if wait > 0:
            time.sleep(wait + 0.01)
        self._last_start_wall = time.time()
        self._obs_out = open(self.stdout_path, "ab")
        flags = _obs_flags([obs] if self.root is None else self.root.command([obs]))
        started = time.monotonic()
        self._obs = subprocess.Popen(
            self._command([obs, *flags, *self.extra_args]),
            cwd=str(self._require_run_dir()), env=self._environment(), stdin=subprocess.DEVNULL,
            stdout=self._obs_out, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=self._preexec,
        )
        try:
            self._wait_ready(started)
        except BaseException:
            self.kill_obs()
            raise
        self.startup_seconds = time.monotonic() - started
        self._ready_at = time.monotonic()

    def _wait_ready(self, started: float) -> None:
        deadline = started + self.startup_timeout
        last_error: Optional[Exception] = None
        while True:
            if self._obs is None or self._obs.poll() is not None:
                code = self._obs.returncode if self._obs else None
                raise HeadlessObsError(f"OBS exited during start-up (exit code {code})",
                                       hint=self._tail(self.stdout_path))
            left = deadline - time.monotonic()
            if left <= 0:
                raise HeadlessObsError(
                    f"obs-websocket did not answer within {self.startup_timeout:g} s ({last_error})",
                    hint=self._tail(self.stdout_path),
                )
            if _port_open(self.host, self.port):
                client = ObsClient(self.ws_url, self.password, timeout=min(5.0, max(left, 0.5)),
                                   not_ready_timeout=0)  # this loop retries, within its own deadline
                try:
                    self.obs_version = str(client.call("GetVersion").get("obsVersion"))
                    return
                except (ObsUnreachableError, ObsRefusedError) as exc:  # 207 NotReady while loading
                    last_error = exc
                finally:
                    client.close()
            time.sleep(0.1)

    def stop(self, timeout: float = 20.0) -> None:
        """Quit OBS gracefully (outputs stopped, dialogs closed, main window closed), then Xvfb.

        Falls back to SIGTERM, then SIGKILL, after ``timeout`` seconds. The home and
        logs stay until ``close()``.
        """
        if self.running:
            self._quit_obs(timeout)
        self._close_obs_output()
        if self._xvfb is not None:
            self._terminate(self._xvfb, 5.0)
            self._xvfb = None
        _live.discard(self)

    def _quit_obs(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        try:
            with ObsClient(self.ws_url, self.password, timeout=5.0, connect_timeout=3.0) as client:
                outputs = (("GetStreamStatus", "StopStream", "StreamStateChanged"),
                           ("GetRecordStatus", "StopRecord", "RecordStateChanged"))
                for status, stop, event in outputs:
                    try:
                        if client.call(status).get("outputActive"):
                            with client.expect_event(event, lambda d: d.get("outputState") == OUTPUT_STOPPED) as w:
                                client.call(stop)
                                w.wait(max(1.0, min(10.0, deadline - time.monotonic())))
                    except ObsError:
                        pass
        except ObsError:
            pass  # OBS may be frozen; the window close or the signals below still work
        assert self._obs is not None
        # A modal dialog (stacked "Failed to connect" boxes...) makes Qt ignore the main
        # window's close request, so close dialogs until none is left, then the main
        # window; repeat while OBS runs, in case a dialog popped up meanwhile.
        while self._obs.poll() is None and time.monotonic() < deadline:
            try:
                if self.close_dialogs():
                    time.sleep(0.3)  # let each modal's event loop return
                main = self.main_window()
                if main is not None:
                    x11.close_window(self._require_display(), main.id)
            except (x11.X11Error, HeadlessObsError):
                break
            try:
                self._obs.wait(min(3.0, max(0.1, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                pass
        self._terminate(self._obs, max(1.0, deadline - time.monotonic()), graceful_already=True)

    def kill_obs(self) -> None:
        """SIGKILL OBS (a crash, as far as OBS can tell); Xvfb keeps running."""
        if self._obs is not None and self._obs.poll() is None:
            self._signal(self._obs, signal.SIGKILL)
            try:
                self._obs.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self._close_obs_output()

    def restart(self) -> HeadlessObs:
        """Kill OBS with SIGKILL (a simulated crash) and start it again with the same HOME."""
        self.kill_obs()
        return self.start()

    def kill(self) -> None:
        """SIGKILL OBS and Xvfb at once, no shutdown."""
        self.kill_obs()
        if self._xvfb is not None:
            self._signal(self._xvfb, signal.SIGKILL)
            try:
                self._xvfb.wait(5)
            except subprocess.TimeoutExpired:
                pass
            self._xvfb = None
        _live.discard(self)

    def close(self) -> None:
        """``stop()`` and delete the temporary home (kept with ``keep`` or LIVESTREAM_KEEP_OBS=1)."""
        try:
            self.stop()
        finally:
            self._remove_run_dir()

    def _remove_run_dir(self) -> None:
        if self.run_dir is not None and not self.keep:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir = None
            if self._own_home:
                self.home = None

    def _close_obs_output(self) -> None:
        if self._obs_out is not None:
            self._obs_out.close()
            self._obs_out = None

    @staticmethod
    def _signal(process: subprocess.Popen, sig: int) -> None:
        if process.poll() is None:
            try:
                os.kill(process.pid, sig)  # only this pid: the process started here
            except ProcessLookupError:
                pass

    def _terminate(self, process: subprocess.Popen, timeout: float, *, graceful_already: bool = False) -> None:
        if not graceful_already:
            self._signal(process, signal.SIGTERM)
        try:
            process.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
        if graceful_already:
            self._signal(process, signal.SIGTERM)
            try:
                process.wait(3)
                return
            except subprocess.TimeoutExpired:
                pass
        self._signal(process, signal.SIGKILL)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            pass

    # -- logs -------------------------------------------------------------------------
    def log_text(self, *, all_runs: bool = False) -> str:
        """The newest OBS log (or all of this home's logs, oldest first)."""
        paths = self.log_paths() if all_runs else [p for p in [self.log_path] if p]
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)

    def script_log_lines(self, script: Optional[str] = None, *, all_runs: bool = False,
                         with_prefix: bool = False) -> List[str]:
        """What scripts logged (OBS writes ``[Python: name.py] text``); ``script``: one file name."""
        return logs.script_lines(self.log_text(all_runs=all_runs), script, with_prefix=with_prefix)

    def output_frames(self) -> List[logs.OutputFrames]:
        """Frame statistics of each output stop in the newest log."""
        return logs.output_frames(self.log_text())

    def lagged_frames(self) -> int:
        """Frames lagged by rendering stalls, summed over the output stops in the newest log.

        OBS logs this only when an output stops (``stop_stream`` or ``stop()``).
        """
        return logs.lagged_frames(self.log_text())

    def encoding_lag(self) -> List[logs.EncodingLag]:
        """"Video stopped, ... skipped frames due to encoding lag" lines (written at exit)."""
        return logs.encoding_lag(self.log_text())

    def wait_for_log(self, needle: str, timeout: float = 10.0) -> str:
        """Wait until a whole line containing ``needle`` is in the newest log; returns that line.

        Only lines OBS has finished writing (up to the last newline) count, so the line
        returned is never cut off mid-write.
        """
        deadline = time.monotonic() + timeout
        while True:
            for line in logs.strip_timestamps(complete_lines(self.log_text())).splitlines():
                if needle in line:
                    return line
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no OBS log line with {needle!r} within {timeout:g} s")
            time.sleep(0.1)

    # -- screen -------------------------------------------------------------------------
    def screenshot(self, path: Union[str, os.PathLike]) -> Path:
        """A PNG of the whole X screen (1280x720), taken with ffmpeg's x11grab."""
        ffmpeg = require_tools("ffmpeg")["ffmpeg"]
        if not self.display:
            raise HeadlessObsError("no X display: start() first")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "x11grab",
             "-video_size", f"{SCREEN[0]}x{SCREEN[1]}", "-i", f"{self.display}.0", "-frames:v", "1",
             str(target)],
            capture_output=True, text=True, timeout=30, env={**os.environ, "DISPLAY": self.display},
        )
        if result.returncode != 0 or not target.exists():
            raise HeadlessObsError("ffmpeg could not grab the screen", hint=result.stderr.strip()[-500:])
        return target

    def windows(self) -> List[x11.Window]:
        """Visible top-level windows (main window, dialogs, open menus)."""
        return x11.windows(self._require_display())

    def main_window(self) -> Optional[x11.Window]:
        """OBS's main window ("OBS 29.0.2 ... - Profile: ... - Scenes: ...")."""
        for window in self.windows():
            if window.title.startswith("OBS ") and " - Profile: " in window.title:
                return window
        return None

    def dialogs(self) -> List[x11.Window]:
        """Visible titled windows other than the main window: dialogs, message boxes, Scripts..."""
        main = self.main_window()
        return [w for w in self.windows() if w.title and (main is None or w.id != main.id)]

    def open_scripts_window(self, *, select_first: bool = True, fill_screen: bool = False,
                            timeout: float = 5.0) -> x11.Window:
        """Open Tools > Scripts (keyboard: Alt+T, then the "Scripts" entry); returns its window.

        With ``select_first``, clicks the first loaded script so its properties show;
        ``fill_screen`` makes the window as large as the screen (room for a long panel).
        Needs no extra package: X input goes through the XTEST extension (libXtst).
        """
        display = self._require_display()
        existing = self._find_dialog("Scripts")
        # Seen with OBS 32.2: Tools > Scripts chosen within a second or two of the window
        # appearing never shows the dialog for the rest of that run (3 s later it opens at once).
        settle = SCRIPTS_SETTLE_SECONDS - (time.monotonic() - getattr(self, "_ready_at", 0.0))
        if existing is None and settle > 0:
            time.sleep(settle)
        if existing is None:
            main = self.main_window()
            if main is None:
                raise HeadlessObsError("OBS's main window is not visible")
            # Tools: Auto-Configuration Wizard, (OBS 32+: Plugin Manager), (separator),
            # Automatic Scene Switcher, Output Timer, Scripts, WebSocket Server Settings.
            # Alt+T highlights the first.
            major = re.match(r"OBS (\d+)\.", main.title)
            tries = (4, 3, 5, 2, 1) if major and int(major.group(1)) >= 32 else (3, 2, 4, 1, 5)
            # On a loaded machine the menu can take longer than a keystroke to open: each
            # round gives it more time before the arrow keys go in.
            attempts = [(pause, downs) for pause in (0.4, 1.2, 2.5) for downs in tries]
            for pause, downs in attempts:
                x11.move_pointer(display, main.x + main.width // 2, main.y + main.height // 3)
                x11.press_keys(display, ["alt+t"])
                time.sleep(pause)
                x11.press_keys(display, ["Down"] * downs + ["Return"])
                existing = self._wait_dialog("Scripts", timeout)
                if existing is not None:
                    break
                for window in self.dialogs():  # opened something else: close it, try the next
                    x11.close_window(display, window.id)
                x11.press_keys(display, ["Escape"])  # a menu still open would eat the next Alt+T
                time.sleep(pause)
            if existing is None:
                raise HeadlessObsError("could not open Tools > Scripts")
        if fill_screen:
            # OBS 32 puts the dialog back where it remembers it shortly after showing it,
            # so resize until it stays.
            for _ in range(6):
                x11.move_resize(display, existing.id, 0, 0, SCREEN[0], SCREEN[1])
                time.sleep(0.5)
                existing = self._find_dialog("Scripts") or existing
                if (existing.x, existing.y, existing.width) == (0, 0, SCREEN[0]):
                    break
        if select_first:
            # First row of "Loaded Scripts" (the list starts about 46 px below the window top).
            x11.click(display, existing.x + 80, existing.y + 58)
            x11.move_pointer(display, SCREEN[0] - 1, SCREEN[1] - 1)  # out of the picture
            time.sleep(0.5)
        return existing

    def close_dialogs(self) -> List[str]:
        """Close every dialog (WM_DELETE_WINDOW, like its title bar's close button); their titles."""
        titles = []
        for window in self.dialogs():
            x11.close_window(self._require_display(), window.id)
            titles.append(window.title)
        return titles

    def _find_dialog(self, title: str) -> Optional[x11.Window]:
        for window in self.dialogs():
            if window.title == title:
                return window
        return None

    def _wait_dialog(self, title: str, timeout: float) -> Optional[x11.Window]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self._find_dialog(title)
            if found is not None:
                return found
            time.sleep(0.1)
        return None

    # -- internals ------------------------------------------------------------------------
    def _require_run_dir(self) -> Path:
        if self.run_dir is None:
            raise HeadlessObsError("HeadlessObs was not started")
        return self.run_dir

    def _require_home(self) -> Path:
        if self.home is None:
            raise HeadlessObsError("HeadlessObs was not started")
        return self.home

    def _require_display(self) -> str:
        if not self.display or (self._xvfb is None and not self._external_display):
            raise HeadlessObsError("Xvfb is not running")
        return self.display

    @staticmethod
    def _tail(path: Path, lines: int = 25) -> str:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return f"(no {path.name})"
        return secrets.redact("\n".join(text.splitlines()[-lines:]))


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: PR_SET_PDEATHSIG (1) = SIGKILL.
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def complete_lines(text: str) -> str:
    """``text`` up to its last newline: what a writer has finished, without a line still being written."""
    return text[: text.rfind("\n") + 1]


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
