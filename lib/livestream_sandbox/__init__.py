"""The sandbox: a local provider for demos, tests and benchmarks.

Provider look-alike HTTP APIs, one module each (``tpstreams``, ``fastpix``, ``cloudflare``, ``apivideo``,
``mux``, listed in ``registry``) in front of a real nginx-rtmp ingest (``ingest``) with live HLS and recordings
(``media``, ``recording``), webhooks (``webhooks``), fault injection (``faults``),
an inspection/control API (``admin``), and state that survives a restart (``store``).
It binds to loopback only.

Python API (``app``)::

    from livestream_sandbox import Sandbox
    with Sandbox(boot_delay=1) as sb:            # or Sandbox.spawn(...).start() for a child process
        os.environ.update(sb.env())              # TPSTREAMS_*, FASTPIX_* for the provider clients
        sb.admin.add_fault("fastpix:status=503,count=1")

Command line: ``python obs_livestream.py sandbox`` / ``python -m livestream_sandbox`` (``cli``).

Data dir layout: ``sandbox.db`` (sqlite state), ``nginx/`` (config, pid, logs),
``hls/<stream_key>/`` (live HLS written by nginx), ``recordings/<key>-<time>.flv``,
``vod/<media_id>/`` (``video.m3u8``, segments, ``video.mp4``).
"""

from .admin import AdminClient, AdminError
from .app import Sandbox, SandboxProcess, client_env
from .config import Credentials
from .ingest import INSTALL_HINT, MissingToolError, find_tools

__all__ = ["Sandbox", "SandboxProcess", "AdminClient", "AdminError", "Credentials", "MissingToolError",
           "INSTALL_HINT", "find_tools", "client_env"]
