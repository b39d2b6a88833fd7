"""``Sandbox``: the whole local provider in this process; ``SandboxProcess``: the same in a child.

    with Sandbox(boot_delay=1) as sb:          # free ports, a temporary data dir
        env = sb.env()                         # TPSTREAMS_*/FASTPIX_* for a client
        sb.admin.add_fault("tpstreams:status=503,count=1")
        sb.admin.events(kind="status_changed")

``Sandbox.spawn(...)`` takes the same arguments and runs ``python -m livestream_sandbox``
instead (for tests that want a separate process, like the OBS end-to-end flow).
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional, Sequence

from . import faults as faultlib
from . import registry
from .admin import Admin, AdminClient
from .config import OPTIONS, Credentials, SandboxConfig, check_loopback, check_timings, credentials_from
from .core import Core, Places
from .ingest import Nginx, TiedChild, Tools, find_tools, free_port, url_host
from .registry import client_env
from .server import Router, SandboxHTTPServer
from .store import Store


class _Endpoints:
    """What both the in-process and the child-process sandbox expose."""

    api_url: str = ""
    rtmp_url: str = ""
    srt_url: str = ""
    credentials: Credentials

    def env(self, *, tpstreams_login: bool = False) -> dict:
        """``TPSTREAMS_*`` and ``FASTPIX_*`` variables for a client (token auth unless ``tpstreams_login``)."""
        return client_env(self.api_url, self.rtmp_url, self.srt_url, self.credentials,
                          tpstreams_login=tpstreams_login)

    @property
    def admin(self) -> AdminClient:
        return AdminClient(self.api_url)

    def __enter__(self) -> Any:
        self.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()  # type: ignore[attr-defined]


class Sandbox(_Endpoints):
    """The providers' look-alike APIs in front of a real nginx-rtmp ingest, in this process.

    Keyword arguments: the ``config.OPTIONS`` (``boot_delay``...) and the credentials
    (``fastpix_secret_key``...; ``environ``'s ``SANDBOX_*`` variables, then demo values, otherwise).
    """

    def __init__(self, data_dir: Optional[os.PathLike] = None, host: str = "127.0.0.1", port: int = 0,
                 rtmp_port: int = 0, *, ingest: bool = True, faults: Sequence[str] = (),
                 seed: Optional[int] = None, environ: Optional[dict] = None, **values: Any) -> None:
        self.config = SandboxConfig(
            data_dir=Path(data_dir) if data_dir else None, host=host, port=port, rtmp_port=rtmp_port,
            ingest=ingest, seed=seed, **{name: values[name] for name in OPTIONS if name in values},
            **credentials_from(values, os.environ if environ is None else environ))
        check_timings(self.config)
        self.credentials = self.config.credentials
        # Parsed once, here (a bad spec fails before anything starts); each start adds fresh copies.
        self.faults = [faultlib.parse_spec(spec) for spec in faults]
        self.tools: Optional[Tools] = None
        self.data_dir: Optional[Path] = None
        self._own_dir = False
        self._http: Optional[SandboxHTTPServer] = None
        self._nginx: Optional[Nginx] = None
        self._core: Optional[Core] = None
        self._store: Optional[Store] = None
        self._lock = threading.Lock()

    @classmethod
    def spawn(cls, **kwargs: Any) -> SandboxProcess:
        """The same sandbox in a child process (``python -m livestream_sandbox``); call ``start()``."""
        return SandboxProcess(**kwargs)

    @property
    def core(self) -> Core:
        assert self._core is not None, "the sandbox is not started"
        return self._core

    def start(self) -> Sandbox:
        with self._lock:
            if self._http is not None:
                return self
            config = self.config
            check_loopback(config.host)
            self.tools = find_tools() if config.ingest else None
            if config.data_dir is None:
                self.data_dir, self._own_dir = Path(tempfile.mkdtemp(prefix="obs-livestream-sandbox-")), True
            else:
                self.data_dir = Path(config.data_dir).resolve()
                self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # sandbox.db holds stream keys: the folder is private even if it existed
            # (mkdtemp's is already 0700; mkdir's mode is subject to the umask).
            os.chmod(self.data_dir, 0o700)
            try:
                self._start(config)
            except BaseException:
                self._stop()
                raise
            atexit.register(self.stop)
            return self

    def _start(self, config: SandboxConfig) -> None:
        assert self.data_dir is not None
        self._store = Store(self.data_dir / "sandbox.db")
        book = faultlib.FaultBook(config.seed)
        for fault in self.faults:
            book.add(dataclasses.replace(fault))
        places = Places(self.data_dir)
        core = self._core = Core(config, self._store, book, places, self.tools.ffmpeg if self.tools else None)
        for model in registry.models():
            core.register(model(core))
        router = Router(core, Admin(core, self.info))
        try:
            self._http = SandboxHTTPServer((config.host, config.port), router)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot listen on {config.host}:{config.port} ({exc.strerror})") from None
        host = url_host(config.host)
        self.api_url = places.api_url = f"http://{host}:{self._http.server_address[1]}"
        self._ingest_at(config.rtmp_port or free_port(config.host))
        core.load()
        self._http.start()
        core.start()
        # A free port picked here can be taken by a sandbox starting beside this one (parallel
        # test workers) before nginx binds it: then nginx fails, and another free port is tried.
        tries = 1 if config.rtmp_port else 3
        for attempt in range(tries if self.tools else 0):
            if attempt:
                self._ingest_at(free_port(config.host))
            self._nginx = Nginx(self.tools, places, config.host, self.rtmp_port)
            try:
                self._nginx.start()
                break
            except RuntimeError:
                if attempt == tries - 1:
                    raise

    def _ingest_at(self, rtmp_port: int) -> None:
        host = url_host(self.config.host)
        self.rtmp_port = rtmp_port
        self.rtmp_url = self.core.places.rtmp_url = f"rtmp://{host}:{rtmp_port}/live"
        # No SRT ingest in the sandbox: the URL exists so clients can build settings; nothing listens
        # (SRT is UDP, so sharing the RTMP port number is harmless and keeps it stable).
        self.srt_url = self.core.places.srt_url = f"srt://{host}:{rtmp_port}"

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._nginx is not None:
            self._nginx.stop()
            self._nginx = None
        if self._http is not None:
            self._http.stop()
            self._http = None
        if self._core is not None:
            self._core.stop()
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._own_dir and self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self._own_dir = False
        atexit.unregister(self.stop)

    def stop_ingest(self) -> None:
        """An ingest outage: nginx stops (SIGTERM, by its pid) and its publishers are gone, as a
        provider sees an ingest server that crashed. ``start_ingest`` brings it back on the same port."""
        with self._lock:
            if self._nginx is not None:
                self._nginx.stop()
            self.core.publishers_gone()

    def start_ingest(self) -> None:
        with self._lock:
            if self._nginx is not None:
                self._nginx.start()

    def ingest_running(self) -> bool:
        return self._nginx is not None and self._nginx.running()

    def info(self, reveal: bool = False) -> dict:
        """Where everything is (the CLI prints it, ``GET /_sandbox/info`` serves it)."""
        creds = self.credentials.as_dict(reveal)
        env = self.env()
        if not reveal:
            secret = registry.secret_env()
            env = {k: ("***" if k in secret else v) for k, v in env.items()}
        apis = {f"{name}_api": model.api_info(self.api_url) for name, model in self.core.models.items()}
        playback = {name: self.api_url + model.playback_pattern for name, model in self.core.models.items()}
        playback["recordings"] = self.api_url + "/transcoded/<media_id>/video.m3u8"
        return {"api_url": self.api_url, "rtmp_url": self.rtmp_url, "srt_url": self.srt_url,
                "admin_url": self.api_url + "/_sandbox/", "playback": playback, **apis,
                "data_dir": str(self.data_dir), "ingest": self.config.ingest, "credentials": creds, "env": env,
                "pid": os.getpid(), "boot_delay": self.config.boot_delay}


class SandboxProcess(_Endpoints):
    """A sandbox running as ``python -m livestream_sandbox`` in a child process."""

    def __init__(self, data_dir: Optional[os.PathLike] = None, host: str = "127.0.0.1", port: int = 0,
                 rtmp_port: int = 0, *, ingest: bool = True, faults: Sequence[str] = (),
                 seed: Optional[int] = None, start_timeout: float = 20.0,
                 extra_env: Optional[dict] = None, **values: Any) -> None:
        # The flags of the same names (``cli.py``); without ``data_dir`` a temporary one, removed by stop().
        given = {"host": host, "port": port, "rtmp_port": rtmp_port, "data": data_dir or None, "seed": seed, **values}
        self.args = [arg for name, value in given.items() if value is not None
                     for arg in ("--" + name.replace("_", "-"), str(value))]
        self.args += ["--no-ingest"] * (not ingest) + [arg for spec in faults for arg in ("--fault", spec)]
        self.start_timeout = start_timeout
        self.extra_env = dict(extra_env or {})
        self.process: Optional[subprocess.Popen] = None
        self._child: Optional[TiedChild] = None
        self._tmp: Optional[tempfile.TemporaryDirectory] = None

    def start(self) -> SandboxProcess:
        self._tmp = tempfile.TemporaryDirectory(prefix="obs-livestream-sandbox-proc-")
        ready = Path(self._tmp.name) / "ready.json"
        self.log_path = Path(self._tmp.name) / "sandbox.log"
        lib_dir = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ, **self.extra_env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [lib_dir, env.get("PYTHONPATH")]))
        args = list(self.args)
        if "--data" not in args:
            args += ["--data", str(Path(self._tmp.name) / "data")]
        with open(self.log_path, "wb") as log_file:
            self._child = TiedChild([sys.executable, "-m", "livestream_sandbox", *args, "--ready-file",
                                     str(ready)], "process", stdin=subprocess.DEVNULL, stdout=log_file,
                                    stderr=subprocess.STDOUT, env=env)
        self.process = self._child.process
        deadline = time.monotonic() + self.start_timeout
        while not ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.log_path.read_text(errors="replace").strip()
                self.stop()
                raise RuntimeError(f"the sandbox process did not start: {output[-2000:] or 'no output'}")
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        self.api_url, self.rtmp_url, self.srt_url = info["api_url"], info["rtmp_url"], info["srt_url"]
        self.data_dir = Path(info["data_dir"])
        self.credentials = Credentials(**info["credentials"])
        return self

    def stop(self, timeout: float = 10.0) -> None:
        child, self._child, self.process = self._child, None, None
        if child is not None:
            child.stop(timeout)  # SIGTERM: the sandbox stops its nginx and exits
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
