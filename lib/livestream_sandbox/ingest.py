"""The real RTMP ingest: nginx with the rtmp module, configured and run inside the data dir.

nginx runs as our child (``daemon off; master_process on;``) with every path under
``<data>/nginx`` (prefix, pid, error log, temp), listening on loopback only, so it
needs no root and no system config. Its ``on_publish`` / ``on_update`` /
``on_publish_done`` / ``on_record_done`` callbacks go to the sandbox's HTTP server,
which accepts or refuses stream keys (a 4xx to ``on_update`` drops a live publisher,
nginx-rtmp ``ngx_rtmp_notify_update_handle``). HLS goes to ``<data>/hls/<key>/`` and
FLV recordings to ``<data>/recordings/<key>-<time>.flv``.

nginx must not outlive the sandbox (``TiedChild``): it runs in its own process group
with ``PR_SET_PDEATHSIG`` (SIGTERM if the sandbox process dies, even by SIGKILL), is
stopped with SIGTERM then SIGKILL, and leftover workers are killed by process group.

Tool lookup can be steered with ``SANDBOX_NGINX``, ``SANDBOX_NGINX_RTMP_MODULE``,
``SANDBOX_FFMPEG`` and ``SANDBOX_FFPROBE``.
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .core import Places

INSTALL_HINT = "apt-get install nginx libnginx-mod-rtmp ffmpeg"
MODULE_FILE = "ngx_rtmp_module.so"
#: The nginx-rtmp notifications sent to ``/_sandbox/rtmp/<name>`` (``Core.rtmp_callback``).
CALLBACKS = ("on_publish", "on_publish_done", "on_update", "on_record_done")
_MODULE_DIRS = ("/usr/lib/nginx/modules", "/usr/lib64/nginx/modules", "/usr/local/lib/nginx/modules",
                "/usr/share/nginx/modules", "/usr/local/nginx/modules", "/etc/nginx/modules",
                "/usr/local/opt/nginx/modules")


class MissingToolError(RuntimeError):
    """nginx, its rtmp module, ffmpeg or ffprobe is not installed."""


@dataclass
class Tools:
    nginx: str
    rtmp_module: Optional[str]  # None when the module is compiled in
    ffmpeg: str
    ffprobe: str


def _which(env: str, name: str) -> Optional[str]:
    explicit = os.environ.get(env)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    # nginx lives in sbin, often off PATH.
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(("/usr/sbin", "/usr/local/sbin", "/sbin")))


def _rtmp_module(nginx: str) -> tuple[bool, Optional[str]]:
    """(available, path of the .so or None if compiled in)."""
    explicit = os.environ.get("SANDBOX_NGINX_RTMP_MODULE")
    if explicit:
        return os.path.isfile(explicit), explicit
    try:
        info = subprocess.run([nginx, "-V"], capture_output=True, text=True, timeout=10).stderr
    except (OSError, subprocess.SubprocessError):
        return False, None
    if re.search(r"--add-module=\S*rtmp", info):
        return True, None
    prefixes = [os.path.join(prefix, "modules") for prefix in re.findall(r"--prefix=(\S+)", info)]
    folders = (*re.findall(r"--modules-path=(\S+)", info), *_MODULE_DIRS, *prefixes)
    found = [path for path in (os.path.join(folder, MODULE_FILE) for folder in folders) if os.path.isfile(path)]
    return bool(found), (found[0] if found else None)


def find_tools() -> Tools:
    """Locate nginx, its rtmp module, ffmpeg and ffprobe, or raise one clear ``MissingToolError``."""
    nginx = _which("SANDBOX_NGINX", "nginx")
    has_module, module = _rtmp_module(nginx) if nginx else (True, None)  # no module to look for without nginx
    ffmpeg, ffprobe = _which("SANDBOX_FFMPEG", "ffmpeg"), _which("SANDBOX_FFPROBE", "ffprobe")
    missing = [what for what, found in (("nginx", nginx), (f"the nginx RTMP module ({MODULE_FILE})", has_module),
                                        ("ffmpeg", ffmpeg), ("ffprobe", ffprobe)) if not found]
    if missing:
        raise MissingToolError(
            f"The sandbox's RTMP ingest needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed. Install with: "
            f"sudo {INSTALL_HINT} (or run the sandbox without ingest: --no-ingest, Sandbox(ingest=False))"
        )
    return Tools(nginx=nginx, rtmp_module=module, ffmpeg=ffmpeg, ffprobe=ffprobe)  # type: ignore[arg-type]


def url_host(host: str) -> str:
    """``host`` as it stands in a URL or an nginx ``listen`` (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host


def free_port(host: str = "127.0.0.1", port: int = 0) -> int:
    """A TCP port nobody listens on right now (for nginx, which cannot report port 0): ``port`` itself
    (``OSError`` if it is taken) or, for 0, any."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, port))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


class TiedChild:
    """A child process that must not outlive us.

    It gets its own process group and ``PR_SET_PDEATHSIG`` (SIGTERM when its parent
    dies). The kernel sends that signal when the *thread* that forked exits, so the
    child is started from a keeper thread that lives until ``stop()``: a sandbox
    started from a short-lived thread keeps its nginx.
    """

    def __init__(self, cmd: list, name: str, **popen_kwargs: object) -> None:
        self._release = threading.Event()
        box: queue.Queue = queue.Queue()

        def keeper() -> None:
            try:
                proc = subprocess.Popen(cmd, start_new_session=True, preexec_fn=_die_with_parent,
                                        **popen_kwargs)
            except BaseException as exc:  # handed to the caller below
                box.put(exc)
                return
            box.put(proc)
            self._release.wait()

        threading.Thread(target=keeper, name=f"sandbox-{name}-keeper", daemon=True).start()
        started = box.get()
        if isinstance(started, BaseException):
            raise started
        self.process: subprocess.Popen = started

    def poll(self) -> Optional[int]:
        return self.process.poll()

    def stop(self, timeout: float = 5.0, *, kill_group: bool = False) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; with ``kill_group``, leftovers of its group too."""
        proc = self.process
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if kill_group:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # workers left behind by a killed master
            except (ProcessLookupError, PermissionError):
                pass
        self._release.set()


def _nginx_quote(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


class Nginx:
    """One nginx-rtmp process serving ``rtmp://host:port/live``."""

    def __init__(self, tools: Tools, places: Places, host: str, port: int) -> None:
        self.tools = tools
        self.places = places
        self.root = places.data_dir / "nginx"
        self.conf_path, self.error_log = self.root / "nginx.conf", self.root / "error.log"
        self.host = host
        self.port = port
        self.process: Optional[TiedChild] = None

    def config(self) -> str:
        cb, places = self.places.api_url.rstrip("/"), self.places
        lines = []
        if self.tools.rtmp_module:
            lines.append(f"load_module {_nginx_quote(Path(self.tools.rtmp_module))};")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # As root nginx would switch its worker to "nobody", who cannot write the data dir.
            lines.append("user root root;")
        lines += [
            "daemon off;", "master_process on;", "worker_processes 1;",
            f"pid {_nginx_quote(self.root / 'nginx.pid')};",
            f"error_log {_nginx_quote(self.error_log)} info;",
            f"lock_file {_nginx_quote(self.root / 'nginx.lock')};",
            "events { worker_connections 256; }",
            "rtmp {",
            # nginx-rtmp's own access log defaults to /var/log/nginx (not writable without root).
            f"  access_log {_nginx_quote(self.root / 'access.log')};",
            "  server {",
            f"    listen {url_host(self.host)}:{self.port};",
            "    chunk_size 4096;",
            "    application live {",
            "      live on;",
            "      drop_idle_publisher 10s;",
            *(f"      {name} {cb}/_sandbox/rtmp/{name};" for name in CALLBACKS),
            "      notify_update_timeout 1s;",
            "      hls on;",
            f"      hls_path {_nginx_quote(places.hls_dir)};",
            "      hls_nested on;",
            "      hls_fragment 1s;",
            "      hls_playlist_length 6s;",
            "      record all;",
            f"      record_path {_nginx_quote(places.record_dir)};",
            "      record_unique on;",
            "    }",
            # Where simulcast tests point their targets (restream.py relays there): it
            # records what arrives, one file per stream key, for ffprobe.
            "    application simulcast {",
            "      live on;",
            "      record all;",
            f"      record_path {_nginx_quote(places.simulcast_dir)};",
            "    }",
            "  }",
            "}",
        ]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10.0) -> None:
        for folder in (self.root, self.places.hls_dir, self.places.record_dir, self.places.simulcast_dir):
            folder.mkdir(parents=True, exist_ok=True)
        try:
            free_port(self.host, self.port)  # a clear message for a busy port
        except OSError as exc:
            raise RuntimeError(f"cannot listen for RTMP on {self.host}:{self.port} ({exc.strerror})") from None
        self.conf_path.write_text(self.config())
        (self.root / "nginx.pid").unlink(missing_ok=True)  # a stale one would pass for "listening" below
        cmd = [self.tools.nginx, "-p", str(self.root) + "/", "-c", str(self.conf_path), "-e", str(self.error_log)]
        with open(self.root / "nginx.out", "ab") as log_file:
            self.process = TiedChild(cmd, "nginx", stdin=subprocess.DEVNULL, stdout=log_file,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:  # nginx writes its pid file only once its listeners are bound
                if (self.root / "nginx.pid").exists():
                    with socket.create_connection((self.host, self.port), timeout=0.5):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx-rtmp did not start on {self.host}:{self.port}: {self._tail()}")

    def _tail(self) -> str:
        text = "".join(path.read_text(errors="replace") for path in (self.root / "nginx.out", self.error_log)
                       if path.exists())
        lines = [ln for ln in text.splitlines() if "[emerg]" in ln or "[alert]" in ln or "[crit]" in ln]
        return (lines or text.splitlines() or ["no output"])[-1]

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.process = self.process, None
        if proc is not None:
            proc.stop(timeout, kill_group=True)  # SIGTERM is nginx's fast shutdown
