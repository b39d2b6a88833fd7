"""``status --hosts`` against two real OBS 29 studios, one of which stops mid-watch.

Room A goes live; room B stays idle, then its OBS is stopped while ``--watch`` runs: its
line turns into one saying it does not answer while room A's stays live. The hosts file
names the environment variables holding the passwords, which never reach the output.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.studio import REPO, cli_command, two_rooms

pytestmark = pytest.mark.e2e


def _lines_until(process: subprocess.Popen, predicate, timeout: float) -> list[str]:
    """Output lines until one satisfies ``predicate`` (fails with what was seen otherwise)."""
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        if predicate(seen[-1]):
            return seen
    pytest.fail("status --hosts --watch never printed the expected line:\n" + "\n".join(seen[-40:]))


def test_status_hosts_shows_each_room_and_a_room_that_stops_answering(tmp_path: Path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with two_rooms(tmp_path) as (room_a, room_b, hosts, env):
        room_a.press("go_live")
        assert room_a.wait_state("live", "failed", timeout=90)["state"] == "live", room_a.script_log()

        once = subprocess.run(cli_command("status", "--hosts", str(hosts), "--json"), cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=60)
        assert once.returncode == 0, once.stderr
        a, b = json.loads(once.stdout)
        assert (a["room"], a["state"], a["provider"]) == ("room-a", "live", "TP Streams")
        assert a["live_for_seconds"] > 0 and a["health"]["active"] is True
        assert (b["room"], b["state"], b["health"]) == ("room-b", "idle", None)

        watch = subprocess.Popen(cli_command("status", "--hosts", str(hosts), "--watch"), cwd=REPO, env=env,
                                 text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            before = _lines_until(watch, lambda line: line.startswith("room-b  idle"), 30)
            room_b.obs.stop()
            after = _lines_until(watch, lambda line: line.startswith("room-b  NOT ANSWERING"), 60)
            later = _lines_until(watch, lambda line: line.startswith("room-a"), 20)
        finally:
            watch.send_signal(signal.SIGINT)
            rest, errors = watch.communicate(timeout=30)
        assert watch.returncode == 0, errors
        assert any(line.startswith("room-a  live  TP Streams") for line in before), before
        assert later[-1].startswith("room-a  live  TP Streams")  # the live room goes on being shown
        output = "\n".join(before + after + later) + rest + errors + once.stdout
        for password in (room_a.obs.password, room_b.obs.password):
            assert password not in output
