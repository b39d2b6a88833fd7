"""FastPix over SRT in a real OBS: the passphrase reaches libsrt but never OBS's log.

OBS (29.0 to 32) logs the whole server URL when an SRT connection fails
("[obs-ffmpeg mpegts muxer / libsrt]: Connection to srt://... failed"), so the script
gives OBS the passphrase as the custom service's password instead of in the URL.

* an unreachable SRT ingest: OBS logs its failure line, the go-live fails and ends the
  provider stream, and the passphrase is nowhere in OBS's log;
* an ffmpeg SRT listener that demands the passphrase: OBS connects and the listener
  receives MPEG-TS, so the passphrase did reach libsrt.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.studio import Studio

pytestmark = pytest.mark.e2e


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _srt_secret(studio: Studio, stream_id: str) -> str:
    creds = studio.sandbox.credentials
    answer = requests.get(f"{studio.sandbox.api_url}/v1/live/streams/{stream_id}", timeout=10,
                          auth=(creds.fastpix_access_token_id, creds.fastpix_secret_key))
    answer.raise_for_status()
    return answer.json()["data"]["srtSecret"]


def _only_fastpix_stream(studio: Studio) -> str:
    streams = [s for s in studio.streams() if s["provider"] == "fastpix"]
    assert len(streams) == 1, streams
    return streams[0]["id"]


def test_an_unreachable_srt_ingest_never_puts_the_passphrase_in_obs_log(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    port = _free_udp_port()  # nothing listens there: the SRT handshake times out
    with Studio.start(tmp_path, provider="fastpix", settings={"fp_protocol": "srt"},
                      env={"FASTPIX_INGEST_SRT_URL": f"srt://127.0.0.1:{port}"}) as studio:
        studio.press("go_live")
        session = studio.wait_state("failed", "ended", timeout=90)
        stream_id = _only_fastpix_stream(studio)
        passphrase = _srt_secret(studio, stream_id)
    log = studio.obs.log_text(all_runs=True)
    assert f"srt://127.0.0.1:{port}" in log, "OBS did not try (or did not log) the SRT connection"
    assert "libsrt" in log
    assert passphrase not in log, "the SRT passphrase is in OBS's log"
    assert passphrase not in f"{session}"


def _wait_udp_listening(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    wanted = f":{port:04X} "
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the ffmpeg SRT listener exited"
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            try:
                if wanted in Path(table).read_text():
                    return
            except OSError:
                pass
        time.sleep(0.1)
    raise AssertionError(f"ffmpeg did not listen on UDP port {port}")


def test_obs_hands_the_passphrase_to_libsrt(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    port = _free_udp_port()
    received = tmp_path / "received.ts"
    with Studio.start(tmp_path, provider="fastpix", settings={"fp_protocol": "srt"},
                      env={"FASTPIX_INGEST_SRT_URL": f"srt://127.0.0.1:{port}"}) as studio:
        studio.press("prepare")  # creates the stream and fills in OBS's settings, no streaming yet
        studio.wait_state("ready", timeout=60)
        passphrase = _srt_secret(studio, _only_fastpix_stream(studio))
        service = studio.stream_service()["settings"]
        assert passphrase not in service["server"] and service.get("password") == passphrase

        listener = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-y",
             "-i", f"srt://127.0.0.1:{port}?mode=listener&passphrase={passphrase}",
             "-c", "copy", "-f", "mpegts", str(received)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _wait_udp_listening(port, listener)
            studio.press("go_live")  # continues the prepared stream: OBS starts streaming
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (not received.exists() or received.stat().st_size < 50_000):
                assert listener.poll() is None, listener.stderr.read().decode(errors="replace")
                time.sleep(0.5)
            size = received.stat().st_size if received.exists() else 0
            assert size >= 50_000, f"the SRT listener received {size} bytes; OBS log:\n{studio.obs.log_text()[-3000:]}"
            studio.client.stop_stream(wait=30)
            studio.wait_state("ended", "failed", timeout=60)
        finally:
            if listener.poll() is None:
                os.killpg(listener.pid, signal.SIGTERM)
            try:
                listener.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(listener.pid, signal.SIGKILL)
                listener.wait(5)
    assert passphrase not in studio.obs.log_text(all_runs=True)
