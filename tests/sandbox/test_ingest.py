"""The real ingest: ffmpeg publishes to nginx-rtmp, statuses follow, HLS and recordings play.

Needs nginx with the rtmp module, ffmpeg and ffprobe: skipped without them, failed in CI.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from livestream_sandbox import Sandbox
from tests.webhook_receiver import Receiver

from .support import FP, TP, Encoder, ffprobe, playlist_ready, require_ingest_tools, wait_until

pytestmark = pytest.mark.ingest


@pytest.fixture(scope="module")
def tools():
    return require_ingest_tools()


@pytest.fixture(scope="module")
def hooks():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def live(tools, tmp_path_factory, hooks):
    sandbox = Sandbox(tmp_path_factory.mktemp("ingest"), boot_delay=0.5, prepare_delay=0.5,
                      recording_delay=0.5, complete_delay=0.5, environ={},
                      fastpix_webhook_url=hooks.url, fastpix_webhook_secret="fp-hook")
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def encoders(tools):
    started: list[Encoder] = []

    def start(url: str, seconds: float = 60.0) -> Encoder:
        encoder = Encoder(tools.ffmpeg, url, seconds=seconds)
        started.append(encoder)
        return encoder

    yield start
    for encoder in started:
        encoder.stop()


def test_tpstreams_goes_live_plays_hls_and_records(live, tools, encoders, hooks):
    tp = TP(live)
    tp.post("webhooks/", {"url": hooks.url, "secret_token": "tp-hook"})
    asset = tp.wait_for_key(tp.create("Ingest class")["id"])
    live_stream = asset["live_stream"]

    encoder = encoders(f"{live_stream['rtmp_url']}/{live_stream['stream_key']}")

    wait_until(lambda: tp.get(f"assets/{asset['id']}/").json()["live_stream"]["status"] == "Streaming",
               10, "Streaming")
    hls_url = live_stream["hls_url"]
    assert live_stream["stream_key"] not in hls_url
    wait_until(lambda: playlist_ready(hls_url), 15, "the live playlist")
    probe = ffprobe(tools.ffprobe, hls_url)
    assert {s["codec_type"] for s in probe["streams"]} == {"video", "audio"}

    stopped = tp.post(f"assets/{asset['id']}/stop_live_stream/")

    assert stopped.json()["message"] == "Live stream stopped successfully"
    wait_until(lambda: encoder.exited() is not None, 10, "nginx to cut the encoder")
    final = wait_until(lambda: (lambda a: a if a["live_stream"]["status"] == "Completed" else None)(
        tp.get(f"assets/{asset['id']}/").json()), 20, "Completed")
    changes = [(e["from"], e["to"]) for e in live.admin.events(stream_id=asset["id"], kind="status_changed")]
    assert changes == [("Not Started", "Streaming"), ("Streaming", "Stopped"), ("Stopped", "Recording"),
                       ("Recording", "Completed")]
    video = final["video"]
    assert video["status"] == "Completed" and video["format"] == "abr"
    recording = ffprobe(tools.ffprobe, video["playback_url"])
    assert float(recording["format"]["duration"]) > 1
    assert ffprobe(tools.ffprobe, video["playback_url"].replace("video.m3u8", "video.mp4"))["streams"]
    statuses = [h.json()["live_stream"]["status"] for h in hooks.received(
        lambda h: h.headers.get("x-streams-token") == "tp-hook" and h.json()["id"] == asset["id"])]
    assert statuses[-4:] == ["Streaming", "Stopped", "Recording", "Completed"]


def test_a_wrong_or_ended_key_is_refused(live, encoders):
    tp = TP(live)
    encoder = encoders(f"{live.rtmp_url}/org-sandbx-live-doesnotexist-abcd", seconds=5)
    wait_until(lambda: encoder.exited() is not None, 10, "ffmpeg to be refused")
    assert encoder.exited() != 0
    assert live.admin.events(kind="publish_refused")[-1]["reason"] == "unknown stream key"

    asset = tp.wait_for_key(tp.create()["id"])
    tp.post(f"assets/{asset['id']}/stop_live_stream/")
    ended = encoders(f"{live.rtmp_url}/{asset['live_stream']['stream_key']}", seconds=5)
    wait_until(lambda: ended.exited() is not None, 10, "ffmpeg to be refused")
    assert live.admin.events(kind="publish_refused", stream_id=asset["id"])[-1]["reason"] == "stream is Stopped"


def test_fastpix_goes_active_plays_and_finish_records(live, tools, encoders, hooks):
    fp = FP(live)
    stream = fp.create(reconnectWindow=60)
    sid = stream["streamId"]
    playback = f"{live.api_url}/stream/{stream['playbackIds'][0]['id']}.m3u8"
    assert live.env()["FASTPIX_PLAYBACK_URL_TEMPLATE"].format(playback_id=stream["playbackIds"][0]["id"]) == playback

    encoder = encoders(f"{live.env()['FASTPIX_INGEST_RTMPS_URL']}/{stream['streamKey']}")

    wait_until(lambda: fp.get(sid)["status"] == "active", 10, "active")
    wait_until(lambda: playlist_ready(playback), 15, "the live playlist")
    assert {s["codec_type"] for s in ffprobe(tools.ffprobe, playback)["streams"]} == {"video", "audio"}

    assert fp.call("PUT", f"/{sid}/finish").json() == {"success": True}

    wait_until(lambda: encoder.exited() is not None, 10, "nginx to cut the encoder")
    after = fp.get(sid)
    assert after["status"] == "idle" and len(after["mediaIds"]) == 1
    media_id = after["mediaIds"][0]
    live.admin.wait_for_event("recording_ready", stream_id=sid, timeout=20)
    assert float(ffprobe(tools.ffprobe, f"{live.api_url}/transcoded/{media_id}/video.m3u8")
                 ["format"]["duration"]) > 1
    types = [h.json()["type"] for h in hooks.received(lambda h: "fastpix-signature" in h.headers
                                                      and h.json()["object"]["id"] in (sid, media_id))]
    assert types[:5] == ["video.live_stream.created", "video.live_stream.connected", "video.live_stream.preparing",
                         "video.live_stream.active", "video.live_stream.recording"]
    assert "video.live_stream.idle" in types and "video.media.created" in types


def test_fastpix_encoder_loss_goes_idle_after_the_window(live, encoders):
    fp = FP(live)
    stream = fp.create(reconnectWindow=1)
    encoder = encoders(f"{live.rtmp_url}/{stream['streamKey']}")
    wait_until(lambda: fp.get(stream["streamId"])["status"] == "active", 10, "active")

    encoder.stop()

    live.admin.wait_for_event("publish_ended", stream_id=stream["streamId"])
    wait_until(lambda: fp.get(stream["streamId"])["status"] == "idle", 10, "idle after the window")
    assert len(fp.get(stream["streamId"])["mediaIds"]) == 1


def test_a_disabled_fastpix_stream_refuses_the_encoder(live, encoders):
    fp = FP(live)
    stream = fp.create()
    fp.call("PUT", f"/{stream['streamId']}/live-disable")
    encoder = encoders(f"{live.rtmp_url}/{stream['streamKey']}", seconds=5)
    wait_until(lambda: encoder.exited() is not None, 10, "ffmpeg to be refused")
    assert live.admin.events(kind="publish_refused", stream_id=stream["streamId"])[-1]["reason"] == (
        "stream is disabled")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead for our purpose
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_nginx_stops_with_the_sandbox(tools, tmp_path):
    sandbox = Sandbox(tmp_path, boot_delay=0.5, environ={})
    sandbox.start()
    pid = int((tmp_path / "nginx" / "nginx.pid").read_text())
    assert _alive(pid) and sandbox.ingest_running()
    conf = (tmp_path / "nginx" / "nginx.conf").read_text()
    assert f"listen 127.0.0.1:{sandbox.rtmp_url.split(':')[2].split('/')[0]};" in conf

    sandbox.stop()

    assert not _alive(pid)


def test_a_sandbox_process_runs_the_same_and_leaves_nothing_behind(tools, tmp_path):
    process = Sandbox.spawn(data_dir=tmp_path, boot_delay=0.3)
    process.start()
    try:
        nginx_pid = int((tmp_path / "nginx" / "nginx.pid").read_text())
        assert _alive(nginx_pid)
        tp = TP(process)
        assert tp.wait_for_key(tp.create()["id"], timeout=5)
        assert process.admin.health()
    finally:
        process.stop()
    deadline = time.monotonic() + 5
    while _alive(nginx_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(nginx_pid)


def test_nginx_dies_with_a_killed_sandbox_process(tools, tmp_path):
    process = Sandbox.spawn(data_dir=tmp_path, boot_delay=0.3)
    process.start()
    try:
        nginx_pid = int((tmp_path / "nginx" / "nginx.pid").read_text())
        process.process.kill()  # no chance to clean up: PR_SET_PDEATHSIG must take nginx down
        process.process.wait(5)
        deadline = time.monotonic() + 5
        while _alive(nginx_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(nginx_pid)
    finally:
        process.stop()


def test_a_sandbox_started_from_a_short_lived_thread_keeps_its_nginx(tools, tmp_path):
    sandbox = Sandbox(tmp_path, boot_delay=0.5, environ={})
    starter = threading.Thread(target=sandbox.start)
    starter.start()
    starter.join()
    try:
        time.sleep(0.3)  # the death signal would have landed by now
        assert sandbox.ingest_running()
    finally:
        sandbox.stop()
