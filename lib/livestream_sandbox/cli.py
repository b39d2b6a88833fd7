"""``python obs_livestream.py sandbox`` (and ``python -m livestream_sandbox``).

    sandbox [--host 127.0.0.1] [--port 8750] [--rtmp-port 1935] [--data .sandbox-data]
            [--boot-delay 20] [--prepare-delay 1] [--recording-delay 1] [--complete-delay 1]
            [--tpstreams-page-size 20]
            [--fault SPEC ...] [--no-ingest] [--seed N] [--ready-file PATH] [--json]
            [--tpstreams-org-id ID] [--tpstreams-api-token T] [--tpstreams-username U]
            [--tpstreams-password P] [--fastpix-access-token-id ID] [--fastpix-secret-key K]
            [--fastpix-webhook-url URL] [--fastpix-webhook-secret S]

Port 0 picks a free port. Credentials default to ``SANDBOX_*`` environment variables,
then to demo values (``config.py``). Fault specs: ``faults.py``. It runs until Ctrl-C
or SIGTERM, then stops nginx and exits.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import List, Optional

from .app import Sandbox
from .config import ENV_PREFIX, OPTIONS, credential_defaults
from .ingest import MissingToolError

DEFAULT_PORT = 8750
DEFAULT_RTMP_PORT = 1935
DEFAULT_DATA = ".sandbox-data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox's flags (the lead's CLI adds them to its ``sandbox`` subcommand)."""
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"HTTP port of the APIs and HLS (default {DEFAULT_PORT}; 0 = any free port)")
    parser.add_argument("--rtmp-port", type=int, default=DEFAULT_RTMP_PORT,
                        help=f"RTMP ingest port (default {DEFAULT_RTMP_PORT}; 0 = any free port)")
    parser.add_argument("--data", default=DEFAULT_DATA, metavar="DIR",
                        help=f"state, HLS and recordings folder (default {DEFAULT_DATA})")
    for name, (default, what) in OPTIONS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(default), default=default,
                            metavar="N" if isinstance(default, int) else "S", help=f"{what} (default {default:g})")
    parser.add_argument("--fault", action="append", default=[], metavar="SPEC",
                        help="inject a fault, e.g. tpstreams:status=503,count=2 (repeatable)")
    parser.add_argument("--no-ingest", dest="ingest", action="store_false",
                        help="HTTP APIs only: no nginx-rtmp, no HLS, no recordings")
    parser.add_argument("--seed", type=int, default=None, help="seed for error_rate faults")
    parser.add_argument("--ready-file", default=None, metavar="PATH",
                        help="write the sandbox's details (with credentials) as JSON here once it is up")
    parser.add_argument("--json", action="store_true", help="print the details as one JSON line")
    for name, (env_name, default) in credential_defaults().items():
        parser.add_argument("--" + name.replace("_", "-"), default=None, metavar="VALUE",
                            help=f"default: ${ENV_PREFIX}{env_name} or {default!r}")


def main(argv: Optional[List[str]] = None, prog: str = "python -m livestream_sandbox") -> int:
    parser = argparse.ArgumentParser(prog=prog,
                                     description="A local TP Streams- and FastPix-compatible provider "
                                                 "with a real RTMP ingest (loopback only).")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def _describe(info: dict) -> str:
    creds = info["credentials"]
    lines = [
        f"obs-livestream sandbox is up (data: {info['data_dir']})",
        f"  TP Streams API   {info['tpstreams_api']}  (Authorization: Token {creds['tpstreams_api_token']})",
        f"                   login: {creds['tpstreams_username']} / {creds['tpstreams_password']}"
        f"  org {creds['tpstreams_org_id']}",
        f"  FastPix API      {info['fastpix_api']}  (Basic {creds['fastpix_access_token_id']}:"
        f"{creds['fastpix_secret_key']})",
        f"  RTMP ingest      {info['rtmp_url'] if info['ingest'] else '(disabled: --no-ingest)'}",
        f"  HLS (TP)         {info['playback']['tpstreams']}",
        f"  HLS (FastPix)    {info['playback']['fastpix']}",
        f"  Recordings       {info['playback']['recordings']}",
        f"  Control          {info['admin_url']}  (streams, events, faults, config, reset)",
        "  Client environment:",
    ]
    lines += [f"    export {k}={v}" for k, v in info["env"].items()]
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _write_ready(path: str, info: dict) -> None:
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(info, handle)
    tmp.replace(target)


def run(args: argparse.Namespace) -> int:
    """Start the sandbox, print where it is, block until Ctrl-C or SIGTERM; the exit code."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="sandbox: %(message)s")
    settings = {name: getattr(args, name, None) for name in (*OPTIONS, *credential_defaults())}
    try:
        sandbox = Sandbox(args.data, host=args.host, port=args.port, rtmp_port=args.rtmp_port, ingest=args.ingest,
                          faults=args.fault, seed=args.seed, **settings).start()
    except MissingToolError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"sandbox: cannot start: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        info = sandbox.info(reveal=True)
        if args.ready_file:
            _write_ready(args.ready_file, info)
        print(json.dumps(info) if args.json else _describe(info), flush=True)
        while not stop.wait(0.5):
            if args.ingest and not sandbox.ingest_running():
                print("sandbox: nginx-rtmp exited unexpectedly; see "
                      f"{Path(info['data_dir']) / 'nginx' / 'error.log'}", file=sys.stderr)
                return 1
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("sandbox: stopped", file=sys.stderr)
    return 0
