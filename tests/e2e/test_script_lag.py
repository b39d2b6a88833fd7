"""Going live through the script with a slow provider does not make OBS lag frames.

Every provider call runs on the script's worker thread, never on OBS's graphics or UI
thread, so 2 s of latency on every API call must not show in OBS's rendering. The
figures come from OBS's own log ("Number of lagged frames due to rendering lag/stalls",
written when an output stops) and are compared with a plain StartStream, without the
script, to the same sandbox ingest. Run with ``-s`` to see them.
"""

from __future__ import annotations

import time

import pytest

from livestream import providers
from livestream.session.ports import StreamService
from livestream_headless import HeadlessObs
from livestream_headless.logs import OutputFrames
from livestream_sandbox import Sandbox
from tests.e2e.studio import PREVIOUS_SERVICE, Studio

pytestmark = pytest.mark.e2e

LATENCY = 2  # seconds before every TP Streams API answer
STREAM_SECONDS = 17  # past the script's first status check while live (every 15 s)
MARGIN = 10  # frames


def _stream_stats(obs: HeadlessObs, timeout: float = 15.0) -> OutputFrames:
    """The frame statistics OBS logged when the stream output stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = [f for f in obs.output_frames() if f.output.endswith("stream") and f.total_frames is not None]
        if stats:
            return stats[-1]
        time.sleep(0.2)
    raise AssertionError(f"OBS logged no stream frame statistics within {timeout} s")


def _figure(stats: OutputFrames) -> str:
    drawn = stats.drawn_attempted or stats.drawn_frames or stats.total_frames
    return f"{stats.lagged_frames} of {drawn}"


def test_go_live_with_a_slow_provider_lags_no_more_frames_than_a_plain_start(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Sandbox(data_dir=tmp_path / "sandbox", boot_delay=1) as sandbox:
        # (a) the script goes live while every TP Streams call takes 2 s.
        with Studio.start(tmp_path / "plugin", provider="tpstreams", sandbox=sandbox) as studio:
            sandbox.admin.add_fault(f"tpstreams:latency={LATENCY}")
            studio.press("go_live")
            session = studio.wait_state("live", "failed", timeout=120)
            assert session["state"] == "live", session
            studio.wait_for_hls(session["playback_url"])
            time.sleep(STREAM_SECONDS)
            studio.client.stop_stream()
            ended = studio.wait_state("ended", "failed", timeout=60)
            assert ended["state"] == "ended", ended
            assert studio.stream_service() == PREVIOUS_SERVICE
            plugin = _stream_stats(studio.obs)
        sandbox.admin.clear_faults()

        # (b) a plain StartStream, no script: the settings set over obs-websocket.
        env = sandbox.env()
        fastpix = providers.get("fastpix")
        stream = fastpix(fastpix.credentials_from_env(env), environ=env).create("E2E plain start")
        assert stream.ingest is not None
        service = StreamService.custom(**stream.ingest.obs_service_settings())
        with HeadlessObs(home=str(tmp_path / "plain" / "obs-home")) as obs:
            with obs.client() as client:
                client.set_stream_service(service)
                client.start_stream(wait=30)
                sandbox.admin.wait_for_event("publish_started", stream_id=stream.id, timeout=15)
                time.sleep(STREAM_SECONDS + 2)
                client.stop_stream(wait=20)
            plain = _stream_stats(obs)

    print(f"\nlagged frames: plugin go-live with {LATENCY} s latency = {_figure(plugin)}, "
          f"plain start = {_figure(plain)}")
    assert plugin.total_frames and plain.total_frames
    assert plugin.lagged_frames <= plain.lagged_frames + MARGIN, (plugin, plain)
