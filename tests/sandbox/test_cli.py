"""The command line: flags, the printed summary, clean stop on SIGTERM, one clear message when tools are missing."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import livestream
from livestream_sandbox import INSTALL_HINT, MissingToolError, Sandbox, find_tools
from livestream_sandbox.cli import add_arguments

LIB = str(Path(livestream.__file__).resolve().parents[1])


def _run(args, env=None, **kw):
    full_env = dict(os.environ, PYTHONPATH=LIB, **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "livestream_sandbox", *args], env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_flags_and_defaults():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([])
    assert (args.host, args.port, args.rtmp_port, args.data, args.boot_delay, args.ingest) == (
        "127.0.0.1", 8750, 1935, ".sandbox-data", 20.0, True)
    args = parser.parse_args(["--port", "0", "--boot-delay", "1.5", "--fault", "tpstreams:latency=1",
                              "--fault", "fastpix:drop", "--no-ingest", "--tpstreams-api-token", "tok"])
    assert args.port == 0 and args.boot_delay == 1.5 and args.ingest is False
    assert args.fault == ["tpstreams:latency=1", "fastpix:drop"] and args.tpstreams_api_token == "tok"


def test_it_prints_where_everything_is_and_stops_on_sigterm(tmp_path):
    proc = _run(["--port", "0", "--rtmp-port", "0", "--no-ingest", "--data", str(tmp_path), "--json"],
                env={"SANDBOX_TPSTREAMS_API_TOKEN": "from-env"})
    try:
        info = json.loads(proc.stdout.readline())
        assert info["api_url"].startswith("http://127.0.0.1:")
        assert info["credentials"]["tpstreams_api_token"] == "from-env"
        assert info["env"]["TPSTREAMS_API_TOKEN"] == "from-env"
        assert (tmp_path / "sandbox.db").exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert "stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_the_human_summary_names_apis_ingest_hls_and_credentials(tmp_path):
    proc = _run(["--port", "0", "--rtmp-port", "0", "--no-ingest", "--data", str(tmp_path)])
    try:
        lines = []
        while not lines or not lines[-1].startswith("Press Ctrl-C"):
            lines.append(proc.stdout.readline())
            assert lines[-1], "the summary ended early"
        text = "".join(lines)
        for needle in ("TP Streams API", "FastPix API", "RTMP ingest", "HLS (TP)", "sandbox-tpstreams-token",
                       "sandbox-fastpix-secret-key", "export FASTPIX_INGEST_RTMPS_URL="):
            assert needle in text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_missing_tools_stop_it_with_one_message_naming_the_packages(tmp_path):
    proc = _run(["--port", "0", "--rtmp-port", "0", "--data", str(tmp_path)],
                env={"SANDBOX_NGINX": str(tmp_path / "no-nginx"), "SANDBOX_FFMPEG": str(tmp_path / "no-ffmpeg")})
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert INSTALL_HINT in err and "nginx" in err and "ffmpeg" in err
    assert len(err.strip().splitlines()) == 1


def test_find_tools_reports_a_missing_rtmp_module(monkeypatch, tmp_path):
    fake_nginx = tmp_path / "nginx"
    fake_nginx.write_text("#!/bin/sh\necho 'nginx version: nginx/1.22.1' >&2\n")
    fake_nginx.chmod(0o755)
    monkeypatch.setenv("SANDBOX_NGINX", str(fake_nginx))
    monkeypatch.delenv("SANDBOX_NGINX_RTMP_MODULE", raising=False)
    monkeypatch.setattr("livestream_sandbox.ingest._MODULE_DIRS", ())
    try:
        find_tools()
    except MissingToolError as exc:
        assert "RTMP module" in str(exc) and INSTALL_HINT in str(exc)
    else:
        pytest.fail("a missing rtmp module must be reported")


def test_it_refuses_to_listen_beyond_loopback(tmp_path):
    proc = _run(["--host", "0.0.0.0", "--port", "0", "--no-ingest", "--data", str(tmp_path)])
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and "loopback" in err


def test_a_sandbox_process_without_a_data_dir_uses_a_temporary_one():
    process = Sandbox.spawn(ingest=False, boot_delay=0.2)
    process.start()
    try:
        data_dir = process.data_dir
        assert data_dir.is_dir() and (data_dir / "sandbox.db").exists()
        assert process.admin.health()
        assert process.env()["TPSTREAMS_API_BASE_URL"] == process.api_url
    finally:
        process.stop()
    assert not data_dir.exists()
