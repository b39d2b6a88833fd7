"""A real Prometheus scrapes the script's dock ``/metrics`` in the real OBS 29 during a go-live.

Debian's ``prometheus`` runs on a free loopback port with a temporary config that sends
the dock's token as ``Authorization: Bearer`` (its ``authorization`` scrape setting), and
the test asks Prometheus's HTTP API (``/api/v1/query``) what it scraped: the state
going to live, OBS's bitrate, then the state after the end.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Optional

import pytest

from livestream_headless.instance import free_port
from tests.e2e.studio import Studio, wait_published

pytestmark = pytest.mark.e2e


def _query(api: str, expr: str) -> Optional[float]:
    """The single value of an instant query, or None while Prometheus has none."""
    url = f"{api}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            data = json.load(answer)
    except OSError:
        return None
    result = data.get("data", {}).get("result") or []
    return float(result[0]["value"][1]) if result else None


def _wait_value(api: str, expr: str, want, timeout: float, what: str, log: Path) -> float:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = _query(api, expr)
        if value is not None and want(value):
            return value
        time.sleep(0.5)
    pytest.fail(f"Prometheus never showed {what} ({expr} = {value})\n{log.read_text(errors='replace')[-3000:]}")


def test_prometheus_scrapes_the_state_and_health_of_a_go_live(tmp_path: Path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg", "prometheus")
    with Studio.start(tmp_path, provider="tpstreams", boot_delay=2) as studio:
        session = wait_published(studio, lambda s: s.get("state") == "idle" and s.get("dock_url"),
                                 timeout=20, what="the idle session with the dock URL")
        dock = urllib.parse.urlsplit(session["dock_url"])
        token_file = tmp_path / "dock.token"
        token_file.write_text(dock.path.strip("/"), encoding="utf-8")
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
            "scrape_configs:\n"
            "  - job_name: obs-livestream\n"
            "    metrics_path: /metrics\n"
            f"    authorization: {{credentials_file: {token_file}}}\n"
            f"    static_configs: [{{targets: ['{dock.netloc}']}}]\n", encoding="utf-8")
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        log = tmp_path / "prometheus.log"
        with log.open("wb") as out:
            prometheus = subprocess.Popen(
                ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
        try:
            # Scraped with the Bearer token (a refused scrape would leave up at 0).
            _wait_value(api, 'up{job="obs-livestream"}', lambda v: v == 1, 30, "the dock scraped", log)
            _wait_value(api, 'obs_livestream_session_state{state="idle"}', lambda v: v == 1, 15, "idle", log)

            studio.press("go_live")
            live = studio.wait_state("live", "failed", timeout=90)
            assert live["state"] == "live", studio.script_log()
            _wait_value(api, 'obs_livestream_session_state{state="live"}', lambda v: v == 1, 15, "live", log)
            assert _query(api, 'obs_livestream_session_state{state="idle"}') == 0
            _wait_value(api, "obs_livestream_output_bitrate_kbps", lambda v: v > 0, 20, "OBS's bitrate", log)
            _wait_value(api, "obs_livestream_live_seconds", lambda v: v > 0, 15, "the live duration", log)

            studio.press("end_stream")
            assert studio.wait_state("ended", "failed", timeout=60)["state"] == "ended"
            _wait_value(api, 'obs_livestream_session_state{state="ended"}', lambda v: v == 1, 15, "ended", log)
            assert _query(api, "obs_livestream_live_seconds") == 0
        finally:
            prometheus.terminate()
            try:
                prometheus.wait(timeout=20)
            except subprocess.TimeoutExpired:
                prometheus.kill()
                prometheus.wait()
