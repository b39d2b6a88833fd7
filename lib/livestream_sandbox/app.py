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
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional, Sequence

from . import faults as faultlib
from .admin import Admin, AdminClient
from .apivideo_api import ApiVideo
from .cloudflare_api import Cloudflare
from .config import Credentials, SandboxConfig, check_loopback, check_timings, credentials_from, default_environ
from .core import Core, Places
from .fastpix_api import FastPix
from .ingest import Nginx, TiedChild, Tools, find_tools, free_port
from .media import Media
from .mux_api import API_PREFIX as MUX_API_PREFIX
from .mux_api import Mux
from .mux_state import PLAYBACK_PREFIX as MUX_PLAYBACK_PREFIX
from .server import Router, SandboxHTTPServer
from .store import Store
from .tpstreams_api import TPStreams

#: The variables of ``client_env`` that hold a secret (masked in ``info`` unless revealed).
SECRET_ENV = ("TPSTREAMS_API_TOKEN", "TPSTREAMS_PASSWORD", "FASTPIX_SECRET_KEY", "CLOUDFLARE_API_TOKEN",
              "APIVIDEO_API_KEY", "MUX_TOKEN_SECRET")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def client_env(api_url: str, rtmp_url: str, srt_url: str, creds: Credentials, *,
               tpstreams_login: bool = False) -> dict:
    """The environment variables the provider clients read, pointed at a sandbox."""
    env = {
        "TPSTREAMS_API_BASE_URL": api_url,
        "TPSTREAMS_ORG_ID": creds.tpstreams_org_id,
        "FASTPIX_API_BASE_URL": api_url,
        "FASTPIX_ACCESS_TOKEN_ID": creds.fastpix_access_token_id,
        "FASTPIX_SECRET_KEY": creds.fastpix_secret_key,
        "FASTPIX_INGEST_RTMPS_URL": rtmp_url,
        "FASTPIX_INGEST_SRT_URL": srt_url,
        "FASTPIX_PLAYBACK_URL_TEMPLATE": api_url + "/stream/{playback_id}.m3u8",
        "CLOUDFLARE_API_BASE_URL": api_url,
        "CLOUDFLARE_ACCOUNT_ID": creds.cloudflare_account_id,
        "CLOUDFLARE_API_TOKEN": creds.cloudflare_api_token,
        "CLOUDFLARE_PLAYBACK_URL_TEMPLATE": api_url + "/cloudflare/{uid}/manifest/video.m3u8",
        "APIVIDEO_API_BASE_URL": api_url,
        "APIVIDEO_API_KEY": creds.apivideo_api_key,
        "APIVIDEO_INGEST_RTMPS_URL": rtmp_url,
        "APIVIDEO_INGEST_RTMP_URL": rtmp_url,
        "APIVIDEO_INGEST_SRT_URL": srt_url,
        "MUX_API_BASE_URL": api_url,
        "MUX_TOKEN_ID": creds.mux_token_id,
        "MUX_TOKEN_SECRET": creds.mux_token_secret,
        "MUX_INGEST_RTMP_URL": rtmp_url,
        "MUX_INGEST_SRT_URL": srt_url,
        "MUX_PLAYBACK_URL_TEMPLATE": api_url + MUX_PLAYBACK_PREFIX + "{playback_id}.m3u8",
    }
    if tpstreams_login:
        env.update(TPSTREAMS_USERNAME=creds.tpstreams_username, TPSTREAMS_PASSWORD=creds.tpstreams_password)
    else:
        env["TPSTREAMS_API_TOKEN"] = creds.tpstreams_api_token
    return env


class _Router(Router):
    """The shared router plus Mux: its API under ``/video/`` (faults apply) and its
    playback under ``/mux/stream/`` (served by the Mux model, no faults)."""

    def provider_of(self, path: str) -> Optional[str]:
        return "mux" if path.startswith(MUX_API_PREFIX) else super().provider_of(path)

    def dispatch(self, req: Any) -> Any:
        if req.path.startswith(MUX_PLAYBACK_PREFIX):
            return self.core.models["mux"].playback(req), None
        return super().dispatch(req)


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

    def hls_url_pattern(self) -> dict:
        return {"tpstreams": self.api_url + "/live/<org>/<asset_id>/video.m3u8",
                "fastpix": self.api_url + "/stream/<playback_id>.m3u8",
                "cloudflare": self.api_url + "/cloudflare/<uid>/manifest/video.m3u8",
                "apivideo": self.api_url + "/apivideo-live/<liveStreamId>.m3u8",
                "mux": self.api_url + MUX_PLAYBACK_PREFIX + "<playback_id>.m3u8",
                "recordings": self.api_url + "/transcoded/<media_id>/video.m3u8"}

    def __enter__(self) -> Any:
        self.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()  # type: ignore[attr-defined]


class Sandbox(_Endpoints):
    """TP Streams- and FastPix-compatible APIs in front of a real nginx-rtmp ingest, in this process."""

    def __init__(self, data_dir: Optional[os.PathLike] = None, host: str = "127.0.0.1", port: int = 0,
                 rtmp_port: int = 0, boot_delay: float = 20.0, *, ingest: bool = True,
                 faults: Sequence[str] = (), prepare_delay: float = 1.0, recording_delay: float = 1.0,
                 complete_delay: float = 1.0, tpstreams_page_size: int = 20, seed: Optional[int] = None,
                 environ: Optional[dict] = None, **credentials: Optional[str]) -> None:
        creds, hook_url, hook_secret = credentials_from(credentials, default_environ() if environ is None else environ)
        self.config = SandboxConfig(
            data_dir=Path(data_dir) if data_dir else None, host=host, port=port, rtmp_port=rtmp_port,
            boot_delay=boot_delay, prepare_delay=prepare_delay, recording_delay=recording_delay,
            complete_delay=complete_delay, tpstreams_page_size=tpstreams_page_size, credentials=creds,
            fastpix_webhook_url=hook_url, fastpix_webhook_secret=hook_secret, faults=tuple(faults),
            ingest=ingest, seed=seed)
        check_timings(self.config)
        self.credentials = creds
        for spec in self.config.faults:
            faultlib.parse_spec(spec)  # fail early on a bad spec
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
        for spec in config.faults:
            book.add(faultlib.parse_spec(spec))
        places = Places(self.data_dir)
        core = self._core = Core(config, self._store, book, places, self.tools.ffmpeg if self.tools else None)
        core.register(TPStreams(core))
        core.register(FastPix(core))
        core.register(Cloudflare(core))
        core.register(ApiVideo(core))
        core.register(Mux(core))
        router = _Router(core, Admin(core, self.info), Media(core))
        try:
            self._http = SandboxHTTPServer((config.host, config.port), router)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot listen on {config.host}:{config.port} ({exc.strerror})") from None
        host = _url_host(config.host)
        self.api_url = places.api_url = f"http://{host}:{self._http.server_address[1]}"
        rtmp_port = config.rtmp_port or free_port(config.host)
        self.rtmp_url = places.rtmp_url = f"rtmp://{host}:{rtmp_port}/live"
        # No SRT ingest in the sandbox: the URL exists so clients can build settings; nothing listens
        # (SRT is UDP, so sharing the RTMP port number is harmless and keeps it stable).
        self.srt_url = places.srt_url = f"srt://{host}:{rtmp_port}"
        core.load()
        self._http.start()
        core.start()
        if self.tools is not None:
            self._nginx = Nginx(self.tools, self.data_dir, config.host, rtmp_port, self.api_url)
            self._nginx.start()

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

    @property
    def running(self) -> bool:
        return self._http is not None

    def ingest_running(self) -> bool:
        return self._nginx is not None and self._nginx.running()

    def info(self, reveal: bool = False) -> dict:
        """Where everything is (the CLI prints it, ``GET /_sandbox/info`` serves it)."""
        creds = asdict(self.credentials) if reveal else self.credentials.masked()
        env = self.env()
        if not reveal:
            env = {k: ("***" if k in SECRET_ENV else v) for k, v in env.items()}
        return {"api_url": self.api_url, "rtmp_url": self.rtmp_url, "srt_url": self.srt_url,
                "admin_url": self.api_url + "/_sandbox/", "playback": self.hls_url_pattern(),
                "tpstreams_api": f"{self.api_url}/api/v1/{self.credentials.tpstreams_org_id}/",
                "fastpix_api": f"{self.api_url}/v1/live/streams",
                "cloudflare_api": f"{self.api_url}/client/v4/accounts/{self.credentials.cloudflare_account_id}"
                                  "/stream/live_inputs",
                "apivideo_api": f"{self.api_url}/live-streams",
                "mux_api": f"{self.api_url}/video/v1/live-streams", "data_dir": str(self.data_dir),
                "ingest": self.config.ingest, "credentials": creds, "env": env, "pid": os.getpid(),
                "boot_delay": self.config.boot_delay}


class SandboxProcess(_Endpoints):
    """A sandbox running as ``python -m livestream_sandbox`` in a child process."""

    def __init__(self, data_dir: Optional[os.PathLike] = None, host: str = "127.0.0.1", port: int = 0,
                 rtmp_port: int = 0, boot_delay: float = 20.0, *, ingest: bool = True,
                 faults: Sequence[str] = (), prepare_delay: float = 1.0, recording_delay: float = 1.0,
                 complete_delay: float = 1.0, tpstreams_page_size: int = 20, seed: Optional[int] = None,
                 start_timeout: float = 20.0,
                 extra_env: Optional[dict] = None, **credentials: Optional[str]) -> None:
        args = ["--host", host, "--port", str(port), "--rtmp-port", str(rtmp_port),
                "--boot-delay", str(boot_delay), "--prepare-delay", str(prepare_delay),
                "--recording-delay", str(recording_delay), "--complete-delay", str(complete_delay),
                "--tpstreams-page-size", str(tpstreams_page_size)]
        if data_dir:  # otherwise a temporary one, removed by stop() (see start())
            args += ["--data", str(data_dir)]
        if not ingest:
            args.append("--no-ingest")
        for spec in faults:
            args += ["--fault", spec]
        if seed is not None:
            args += ["--seed", str(seed)]
        for name, value in credentials.items():
            if value is not None:
                args += ["--" + name.replace("_", "-"), value]
        self.args = args
        self.start_timeout = start_timeout
        self.extra_env = dict(extra_env or {})
        self.process: Optional[subprocess.Popen] = None
        self._child: Optional[TiedChild] = None
        self.info_data: dict = {}
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
        self.info_data = json.loads(ready.read_text())
        self.api_url = self.info_data["api_url"]
        self.rtmp_url = self.info_data["rtmp_url"]
        self.srt_url = self.info_data["srt_url"]
        self.data_dir = Path(self.info_data["data_dir"])
        self.credentials = Credentials(**self.info_data["credentials"])
        return self

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process else None

    def stop(self, timeout: float = 10.0) -> None:
        child, self._child, self.process = self._child, None, None
        if child is not None:
            child.stop(timeout)  # SIGTERM: the sandbox stops its nginx and exits
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
