"""The scheduled go-live in a real OBS 29: set remotely 30 s ahead, live at the time,
ended after the set duration; and a schedule that survives a script reload and an OBS
restart.

The distance between the set time and the sandbox's first publish (and between the
set end and the provider's end request) is printed in the run's summary: a figure, not
a tight assertion, on a loaded 2-core machine.
"""

from __future__ import annotations

import json
import math
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from livestream import providers
from livestream_sandbox import Sandbox
from tests.e2e.studio import (
    PREVIOUS_SERVICE,
    REPO,
    Studio,
    add_scene_collection,
    cli_command,
    cli_env,
    sandbox_events,
    switch_scene_collection,
    wait_published,
)
from tests.matrix_plugin import add_row

pytestmark = pytest.mark.e2e

#: (what, seconds) printed by tests/conftest.py in the run's summary.
TIMING = "scheduled go-live timing (real OBS, sandbox provider)"


def record_figure(request: pytest.FixtureRequest, what: str, seconds: float) -> None:
    """A timing printed in the run's summary (tests/matrix_plugin.py)."""
    add_row(request.node, TIMING, ("what", "seconds"), (what, f"{seconds:+.2f} s"))
BOOT_DELAY = {"tpstreams": 8.0, "fastpix": 1.0}
ENDED = {"tpstreams": {"Stopped", "Recording", "Completed"}, "fastpix": {"idle"}}
END_EVENT = {"tpstreams": "stop_requested", "fastpix": "finish_requested"}


def local_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def cli(studio: Studio, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(cli_command(*args), cwd=REPO, env=cli_env(studio, tmp_path / "cli-state"),
                          capture_output=True, text=True, timeout=60)


def schedule(studio: Studio, tmp_path: Path, at: float, *extra: str) -> dict:
    result = cli(studio, tmp_path, "schedule", "set", "--at", local_text(at), *extra, "--json")
    assert result.returncode == 0, result
    answer = json.loads(result.stdout)
    assert answer["ok"] and answer["schedule"]["state"] == "waiting", answer
    return answer


def first_event(studio: Studio, kind: str, stream_id: str) -> dict:
    events = sandbox_events(studio, kind, stream_id)
    assert events, f"no {kind} event for {stream_id}"
    return events[0]


@pytest.mark.parametrize("provider", ["tpstreams", "fastpix"])
def test_a_schedule_30_s_ahead_goes_live_at_the_time_and_ends_after_the_set_duration(tmp_path, need_tools, provider,
                                                                                     request):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    boot = BOOT_DELAY[provider]
    sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=boot).start()
    try:
        settings = {"schedule_boot_seconds": int(boot) + 2}
        if provider == "tpstreams":  # mode "start a scheduled stream": one made in advance
            cls = providers.get("tpstreams")
            with cls(cls.credentials_from_env(sandbox.env()), base_url=sandbox.api_url) as client:
                planned = client.create("E2E scheduled class", start=datetime.now() + timedelta(minutes=5))
            settings.update(mode="scheduled", scheduled_id=planned.id)
        with Studio.start(tmp_path, provider=provider, sandbox=sandbox, settings=settings) as studio:
            at = math.ceil(time.time()) + 30
            schedule(studio, tmp_path, at, "--end-after", "0.5")

            live = studio.wait_state("live", "failed", timeout=90)
            assert live["state"] == "live", live
            stream_id = live["stream_id"]
            published_at = first_event(studio, "publish_started", stream_id)["ts"]
            record_figure(request, f"{provider}: first publish - set time", published_at - at)
            assert at - 3 < published_at < at + 10  # generous; the figure is printed
            if provider == "tpstreams":
                assert stream_id == planned.id  # the scheduled stream, no new one
                assert sandbox_events(studio, "created") and len(sandbox_events(studio, "created")) == 1
                started = first_event(studio, "server_start_requested", stream_id)["ts"]
                assert started <= at - boot, "the server was not started a boot time ahead"
            studio.wait_for_hls(live["playback_url"])

            ended = studio.wait_state("ended", "failed", timeout=90)
            assert ended["state"] == "ended", ended
            end_asked = first_event(studio, END_EVENT[provider], stream_id)["ts"]
            record_figure(request, f"{provider}: end request - set end", end_asked - (at + 30))
            assert at + 28 < end_asked < at + 45
            stream = next(s for s in studio.streams() if s["id"] == stream_id)
            assert stream["status"] in ENDED[provider]
            assert studio.stream_service() == PREVIOUS_SERVICE
            assert "Ending in" in studio.script_log()

            shown = cli(studio, tmp_path, "schedule", "show", "--json")
            assert shown.returncode == 0, shown
            assert json.loads(shown.stdout)["state"] == "done"
    finally:
        sandbox.stop()


def test_a_schedule_survives_a_script_reload_and_an_obs_restart(tmp_path, need_tools, request):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="fastpix", boot_delay=1) as studio:
        add_scene_collection(studio, "Livestream E2E second", "livestream-e2e-second")
        at = math.ceil(time.time()) + 45
        schedule(studio, tmp_path, at, "--end-after", "0.25")

        def waiting(session: dict) -> bool:
            return (session.get("schedule") or {}).get("state") == "waiting" and session["schedule"]["at"] == at

        first = wait_published(studio, waiting, what="the schedule")
        switch_scene_collection(studio, "Livestream E2E second")  # destroys and re-creates the script
        wait_published(studio, lambda s: s["seq"] > first["seq"] and waiting(s), what="the schedule after a reload")

        studio._client.close()
        studio._client = None
        studio.obs.stop()  # OBS quits...
        studio.obs.start()  # ...and starts again
        wait_published(studio, waiting, what="the schedule after an OBS restart")
        shown = cli(studio, tmp_path, "status", "--json")
        assert json.loads(shown.stdout)["schedule"]["state"] == "waiting", shown.stdout

        live = studio.wait_state("live", "failed", timeout=90)
        assert live["state"] == "live", live
        published_at = first_event(studio, "publish_started", live["stream_id"])["ts"]
        record_figure(request, "fastpix after reload and restart: first publish - set time", published_at - at)
        assert at - 3 < published_at < at + 10
        ended = studio.wait_state("ended", "failed", timeout=90)
        assert ended["state"] == "ended", ended
        assert studio.stream_service() == PREVIOUS_SERVICE
