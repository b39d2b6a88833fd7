"""``trigger --hosts`` and ``schedule add --hosts`` against two real OBS studios at once.

Both rooms go live with one command, both get the same timetable entry, then room B's OBS
is stopped and ``trigger end --hosts`` ends room A and prints room B as a room that does not
answer (exit 5, as docs/remote-and-cli.md says). The passwords never reach the output.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.studio import REPO, cli_command, two_rooms, wait_published

pytestmark = pytest.mark.e2e


def test_trigger_and_schedule_add_in_two_rooms_at_once(tmp_path: Path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with two_rooms(tmp_path) as (room_a, room_b, hosts, env):
        def cli(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(cli_command(*args, "--hosts", str(hosts)), cwd=REPO, env=env,
                                  capture_output=True, text=True, timeout=240)

        live = cli("trigger", "go-live", "--wait", "120")
        assert live.returncode == 0, live.stdout + live.stderr
        a_line, b_line = live.stdout.splitlines()
        assert a_line.startswith("room-a  ok  live") and b_line.startswith("room-b  ok  live"), live.stdout
        ids = {studio.published()["stream_id"] for studio in (room_a, room_b)}
        assert len(ids) == 2  # two provider streams, one per room

        start = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + 2 * 86400))
        added = cli("schedule", "add", "--start", start, "--minutes", "30", "--title", "Weekly class", "--json")
        assert added.returncode == 0, added.stdout + added.stderr
        views = json.loads(added.stdout)
        assert [(v["room"], v["ok"]) for v in views] == [("room-a", True), ("room-b", True)], views
        for studio in (room_a, room_b):
            entries = wait_published(studio, lambda s: (s.get("schedule") or {}).get("timetable"), timeout=20,
                                     what="the timetable")["schedule"]["timetable"]
            assert "Weekly class" in json.dumps(entries)

        room_b.obs.stop()
        ended = cli("trigger", "end", "--wait", "60")
        a_line, b_line = ended.stdout.splitlines()
        assert a_line.startswith("room-a  ok  ended") or a_line.startswith("room-a  ok  idle"), ended.stdout
        assert b_line.startswith("room-b  NOT ANSWERING"), ended.stdout
        assert ended.returncode == 5, ended.stderr
        output = live.stdout + live.stderr + added.stdout + added.stderr + ended.stdout + ended.stderr
        for password in (room_a.obs.password, room_b.obs.password):
            assert password not in output
