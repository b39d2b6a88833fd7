"""The sandbox's Mux Video look-alike: its API's auth and errors, and a real broadcast through nginx-rtmp.

The broadcast test needs nginx with the rtmp module, ffmpeg and ffprobe: skipped without
them, failed in CI.
"""

from __future__ import annotations

import pytest
import requests

from livestream_sandbox import Sandbox

from .support import Encoder, ffprobe, playlist_ready, require_ingest_tools, wait_until


def _raw(sandbox, auth=None) -> requests.Session:
    env = sandbox.env()
    session = requests.Session()
    session.auth = auth or (env["MUX_TOKEN_ID"], env["MUX_TOKEN_SECRET"])
    return session


def _url(sandbox, path: str = "") -> str:
    return f"{sandbox.api_url}/video/v1/live-streams{path}"


def test_wrong_token_is_a_401_in_mux_error_shape(api_sandbox):
    answer = _raw(api_sandbox, ("sandbox-mux-token-id", "wrong")).get(_url(api_sandbox), timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_create_answers_the_documented_shape_and_lists_newest_first(api_sandbox):
    raw = _raw(api_sandbox)
    first = raw.post(_url(api_sandbox), json={"playback_policies": "public"}, timeout=5)
    second = raw.post(_url(api_sandbox), json={"playback_policies": ["signed"], "passthrough": "p2",
                                               "new_asset_settings": {"playback_policies": ["signed"]}}, timeout=5)
    assert (first.status_code, second.status_code) == (201, 201)
    data = second.json()["data"]
    assert data["status"] == "idle" and data["passthrough"] == "p2" and data["created_at"].isdigit()
    assert data["playback_ids"][0]["policy"] == "signed" and data["stream_key"] and data["srt_passphrase"]
    listed = raw.get(_url(api_sandbox), params={"limit": 1, "page": 1}, timeout=5).json()["data"]
    assert [s["id"] for s in listed] == [data["id"]]


def test_a_mux_fault_hits_only_the_mux_api(api_sandbox):
    api_sandbox.admin.add_fault("mux:status=503,count=1")
    assert _raw(api_sandbox).get(_url(api_sandbox), timeout=5).status_code == 503
    assert _raw(api_sandbox).get(_url(api_sandbox), timeout=5).status_code == 200


def test_delete_answers_204_then_the_stream_is_gone(api_sandbox):
    raw = _raw(api_sandbox)
    stream_id = raw.post(_url(api_sandbox), json={}, timeout=5).json()["data"]["id"]
    assert raw.delete(_url(api_sandbox, f"/{stream_id}"), timeout=5).status_code == 204
    gone = raw.get(_url(api_sandbox, f"/{stream_id}"), timeout=5)
    assert gone.status_code == 404 and gone.json()["error"]["type"] == "not_found"


@pytest.mark.ingest
def test_a_broadcast_goes_active_plays_hls_and_complete_records_it(tmp_path):
    tools = require_ingest_tools()
    with Sandbox(tmp_path / "data", prepare_delay=0.5, environ={}) as sandbox:
        raw = _raw(sandbox)
        body = {"playback_policies": ["public"], "new_asset_settings": {"playback_policies": ["public"]},
                "reconnect_window": 60}
        stream = raw.post(_url(sandbox), json=body, timeout=5).json()["data"]
        encoder = Encoder(tools.ffmpeg, f"{sandbox.rtmp_url}/{stream['stream_key']}")
        try:
            wait_until(lambda: raw.get(_url(sandbox, f"/{stream['id']}"), timeout=5).json()["data"]["status"]
                       == "active", 15, "active")
            hls = f"{sandbox.api_url}/mux/stream/{stream['playback_ids'][0]['id']}.m3u8"
            wait_until(lambda: playlist_ready(hls), 20, "the live playlist")
            assert stream["stream_key"] not in requests.get(hls, timeout=5).text
            assert {s["codec_type"] for s in ffprobe(tools.ffprobe, hls)["streams"]} == {"video", "audio"}

            assert raw.put(_url(sandbox, f"/{stream['id']}/complete"), timeout=5).status_code == 200
            wait_until(lambda: encoder.exited() is not None, 10, "nginx to cut the encoder")
            data = raw.get(_url(sandbox, f"/{stream['id']}"), timeout=5).json()["data"]
            assert data["status"] == "idle" and len(data["recent_asset_ids"]) == 1
            view = wait_until(lambda: (lambda v: v if v["recording_urls"] else None)(
                sandbox.admin.stream(stream["id"])), 30, "the recording")
            assert ffprobe(tools.ffprobe, view["recording_urls"][0])["format"]["duration"]
        finally:
            encoder.stop()
