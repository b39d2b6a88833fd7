"""The timetable in a real OBS 29: two entries a minute apart, added with
``schedule add`` over obs-websocket, go live and end in turn. Each entry's title is checked in
tests/obs/test_schedule_glue.py: the sandbox's admin view does not show it.

Starts are whole minutes (a timetable entry's time is "HH:MM"); each lasts 30 s. How
far each first publish is from its set time is printed in the run's summary.
"""

from __future__ import annotations

import json
import math
import time
from datetime import datetime

import pytest

from tests.e2e.studio import PREVIOUS_SERVICE, Studio, sandbox_events
from tests.e2e.test_script_schedule import cli, record_figure

pytestmark = pytest.mark.e2e


def test_two_entries_a_minute_apart_go_live_and_end_in_turn(tmp_path, need_tools, request):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="fastpix", boot_delay=1) as studio:
        first = math.ceil((time.time() + 35) / 60) * 60  # the next whole minute at least 35 s away
        starts = [first, first + 60]
        for n, at in enumerate(starts, 1):
            result = cli(studio, tmp_path, "schedule", "add", "--start",
                         datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M"), "--minutes", "0.5",
                         "--title", f"E2E class {n} {{weekday}}", "--json")
            assert result.returncode == 0 and json.loads(result.stdout)["ok"], result
        clash = cli(studio, tmp_path, "schedule", "add", "--start",
                    datetime.fromtimestamp(first).strftime("%Y-%m-%d %H:%M"), "--minutes", "5", "--json")
        assert clash.returncode == 2 and "overlaps entry" in json.loads(clash.stdout)["message"], clash
        upcoming = json.loads(cli(studio, tmp_path, "schedule", "next", "--json").stdout)["next"]
        assert [o["at"] for o in upcoming] == starts

        seen = []
        for n, at in enumerate(starts, 1):
            deadline = time.monotonic() + 120
            live = studio.wait_state("live", "failed", timeout=120)
            while live.get("stream_id") in seen and time.monotonic() < deadline:
                live = studio.wait_state("live", "failed", timeout=120)
                time.sleep(0.5)
            assert live["state"] == "live" and live["stream_id"] not in seen, live
            seen.append(live["stream_id"])
            published = sandbox_events(studio, "publish_started", live["stream_id"])[0]["ts"]
            record_figure(request, f"timetable entry {n}: first publish - set time", published - at)
            assert at - 3 < published < at + 15
            ended = studio.wait_state("ended", "failed", timeout=90)
            assert ended["state"] == "ended", ended
        assert studio.stream_service() == PREVIOUS_SERVICE
