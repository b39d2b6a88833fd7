"""Armed (arm_on_start) in a real OBS 29 and 32: a StartStream sent over obs-websocket, as a Stream
Deck or Bitfocus Companion sends it, goes live through the sandbox provider; StopStream ends it.

The user's own settings point at the sandbox's ingest with a key of their own, so a start that
used them would show in the sandbox's event log (a publish refused for an unknown key): none
may. How long the remote StartStream took to become the provider's first publish is printed.
"""

from __future__ import annotations

import json
import time

import pytest

from livestream.session.armed import PLACEHOLDER_SERVER
from livestream_sandbox import Sandbox
from tests.e2e.studio import Studio, sandbox_events, wait_published

pytestmark = pytest.mark.e2e

OWN_KEY = "users-own-key-0042"


def _server(studio: Studio) -> str:
    return studio.stream_service()["settings"].get("server", "")


@pytest.mark.obs_versions("29", "32")
def test_armed_start_stream_over_obs_websocket_goes_live_through_the_provider(tmp_path, need_tools, request,
                                                                              obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    sandbox = Sandbox(data_dir=tmp_path / "sandbox", boot_delay=1).start()
    try:
        own = {"type": "rtmp_custom", "settings": {"server": sandbox.rtmp_url, "key": OWN_KEY}}
        with Studio.start(tmp_path, provider="fastpix", sandbox=sandbox, service=own,
                          settings={"arm_on_start": True}, **obs_under_test.obs_kwargs()) as studio:
            deadline = time.monotonic() + 30
            while _server(studio) != PLACEHOLDER_SERVER and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _server(studio) == PLACEHOLDER_SERVER, studio.script_log()

            asked = time.time()
            studio.client.start_stream()  # StartStream over obs-websocket: not the script's start
            session = studio.wait_state("live", "failed", timeout=90)
            assert session["state"] == "live", session
            studio.wait_for_hls(session["playback_url"])
            published = sandbox_events(studio, "publish_started", session["stream_id"])
            assert len(published) == 1
            print(f"\narmed StartStream -> first publish to the provider stream: {published[0]['ts'] - asked:.2f} s")
            # Nothing reached the ingest with the user's own key: no publish but the provider's.
            assert sandbox_events(studio, "publish_refused") == []
            assert {e["stream_id"] for e in sandbox_events(studio, "publish_started")} == {session["stream_id"]}
            entries = json.loads((studio.state_dir / "ledger.json").read_text())["entries"]
            assert [e["origin"] for e in entries] == ["armed"]
            log = studio.script_log()
            assert "not asked by obs-livestream" in log and "going live through FastPix" in log

            studio.client.stop_stream()  # StopStream over obs-websocket
            ended = studio.wait_state("ended", "failed", timeout=60)
            assert ended["state"] == "ended", ended
            assert studio.sandbox.admin.stream(session["stream_id"])["status"] != "active"
            # The settings went back to the placeholder (still armed): the next StartStream is safe too.
            wait_published(studio, lambda s: s["state"] == "ended")
            assert _server(studio) == PLACEHOLDER_SERVER
            kept = json.loads((studio.state_dir / "armed.json").read_text())["own"]
            assert list(kept.values()) == [own]  # the user's own (per profile), back when the box is unticked
            time.sleep(3)
            assert studio.published()["state"] == "ended"  # its own start did not re-trigger: no loop
            assert len(sandbox.admin.streams()) == 1
    finally:
        sandbox.stop()
