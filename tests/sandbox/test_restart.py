"""State lives in the data dir: a restarted sandbox keeps its streams and resumes their timers."""

from __future__ import annotations

import time

from livestream_sandbox import Sandbox

from .support import FP, TP, wait_until


def _sandbox(data_dir, boot_delay=0.3):
    return Sandbox(data_dir, boot_delay=boot_delay, ingest=False, environ={}, recording_delay=0.1,
                   complete_delay=0.1)


def test_a_restart_keeps_streams_webhooks_and_events(tmp_path):
    with _sandbox(tmp_path) as first:
        tp, fp = TP(first), FP(first)
        asset = tp.wait_for_key(tp.create("Kept")["id"])
        stream = fp.create()
        hook = tp.post("webhooks/", {"url": "http://127.0.0.1:9/", "secret_token": "x"}).json()
        seen = len(first.admin.events())

    with _sandbox(tmp_path) as second:
        tp, fp = TP(second), FP(second)
        again = tp.get(f"assets/{asset['id']}/").json()
        assert again["live_stream"]["stream_key"] == asset["live_stream"]["stream_key"]
        assert again["live_stream"]["rtmp_url"] == second.rtmp_url  # the new ingest address
        assert fp.get(stream["streamId"])["streamKey"] == stream["streamKey"]
        assert tp.get("webhooks/").json()["results"] == [hook]
        assert len(second.admin.events()) == seen


def test_a_boot_timer_resumes_after_a_restart(tmp_path):
    with _sandbox(tmp_path, boot_delay=1.5) as first:
        asset = TP(first).create()
    started = time.monotonic()

    with _sandbox(tmp_path) as second:
        tp = TP(second)
        assert tp.get(f"assets/{asset['id']}/").json()["live_stream"]["stream_key"] is None
        tp.wait_for_key(asset["id"], timeout=3)
    # It kept its own deadline (1.5 s after create), not a new 0.3 s boot nor a fresh 1.5 s.
    assert 1.0 < time.monotonic() - started < 2.8


def test_a_stream_live_at_shutdown_comes_back_disconnected(tmp_path):
    with _sandbox(tmp_path) as first:
        tp, fp = TP(first), FP(first)
        asset = tp.wait_for_key(tp.create()["id"])
        stream = fp.create(reconnectWindow=1)
        first.admin.simulate_publish(asset["live_stream"]["stream_key"])
        first.admin.simulate_publish(stream["streamKey"])
        assert tp.get(f"assets/{asset['id']}/").json()["live_stream"]["status"] == "Streaming"

    with _sandbox(tmp_path) as second:
        tp, fp = TP(second), FP(second)
        assert tp.get(f"assets/{asset['id']}/").json()["live_stream"]["status"] == "Disconnected"
        assert second.admin.simulate_publish(asset["live_stream"]["stream_key"])  # the encoder may return
        wait_until(lambda: fp.get(stream["streamId"])["status"] == "idle", 5, "FastPix idle after its window")
