"""Recovery by itself for a timetable class in a real OBS 29: the class, added with
``schedule add`` over obs-websocket, loses its ingest longer than OBS's reconnect (the test
profile: 2 tries, 2 s apart) and is live again on the same FastPix stream (its reconnect window
is 60 s by default); the class still ends at its set end.
"""

from __future__ import annotations

import json
import math
import time
from datetime import datetime

import pytest

from tests.e2e.studio import PREVIOUS_SERVICE, Studio
from tests.e2e.test_script_recovery import outage_inside_the_window
from tests.e2e.test_script_schedule import cli

pytestmark = pytest.mark.e2e


def test_a_timetable_class_survives_an_ingest_outage_and_still_ends_at_its_set_end(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="fastpix", boot_delay=1) as studio:
        sandbox = studio.sandbox
        at = math.ceil((time.time() + 35) / 60) * 60  # the next whole minute at least 35 s away
        start = datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")
        added = cli(studio, tmp_path, "schedule", "add", "--start", start, "--minutes", "2",
                    "--title", "E2E recovered class", "--json")
        assert added.returncode == 0 and json.loads(added.stdout)["ok"], added
        live = studio.wait_state("live", "failed", timeout=120)
        assert live["state"] == "live", live
        stream_id = live["stream_id"]
        studio.wait_for_hls(live["playback_url"])

        outage_inside_the_window(studio, stream_id)
        assert "on the same FastPix stream" in studio.script_log()
        entries = json.loads((studio.state_dir / "ledger.json").read_text())["entries"]
        assert [e["origin"] for e in entries] == ["schedule"]
        assert [t["kind"] for t in entries[0]["recovery_tries"]] == ["same"]

        # The set end (2 minutes after the start) still applies to the recovered class.
        ended = studio.wait_state("ended", "failed", timeout=at + 120 + 60 - time.time())
        assert ended["state"] == "ended", ended
        assert time.time() >= at + 120 - 5
        assert len(sandbox.admin.streams()) == 1
        assert studio.stream_service() == PREVIOUS_SERVICE
