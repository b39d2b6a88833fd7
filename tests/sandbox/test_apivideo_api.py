"""The sandbox's api.video look-alike over raw HTTP: auth like the real service, problem bodies, pages,
and with the real ingest: broadcasting, HLS, complete, recording."""

from __future__ import annotations

import pytest
import requests

from livestream_sandbox import Sandbox

from .support import Encoder, ffprobe, playlist_ready, require_ingest_tools, wait_until


class AV:
    """Raw api.video calls against a sandbox (a Bearer token of its own)."""

    def __init__(self, sandbox) -> None:
        self.base = sandbox.api_url
        self.key = sandbox.env()["APIVIDEO_API_KEY"]
        self.tokens = requests.post(f"{self.base}/auth/api-key", json={"apiKey": self.key}, timeout=5).json()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.tokens['access_token']}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=10, **kwargs)

    def create(self, name: str = "Raw show", **fields) -> dict:
        answer = self.call("POST", "/live-streams", json={"name": name, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def get(self, stream_id: str) -> dict:
        return self.call("GET", f"/live-streams/{stream_id}").json()


@pytest.fixture
def av(api_sandbox):
    client = AV(api_sandbox)
    yield client
    client.session.close()


def test_the_api_key_buys_a_bearer_token(api_sandbox):
    answer = requests.post(f"{api_sandbox.api_url}/auth/api-key",
                           json={"apiKey": api_sandbox.env()["APIVIDEO_API_KEY"]}, timeout=5)
    body = answer.json()
    assert answer.status_code == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["access_token"] and body["refresh_token"]


@pytest.mark.parametrize("body, status, name", [({"apiKey": "wrong-key"}, 401, None), ({}, 400, "apiKey")])
def test_a_wrong_or_missing_key_is_a_problem(api_sandbox, body, status, name):
    answer = requests.post(f"{api_sandbox.api_url}/auth/api-key", json=body, timeout=5)
    problem = answer.json()
    assert answer.status_code == status == problem["status"]
    assert problem["type"].startswith("https://docs.api.video/reference/") and problem["title"]
    assert problem.get("name") == name


def test_a_refresh_token_works_once(av):
    renew = lambda: requests.post(f"{av.base}/auth/refresh",  # noqa: E731
                                  json={"refreshToken": av.tokens["refresh_token"]}, timeout=5)
    first = renew()
    assert first.status_code == 200 and first.json()["access_token"] != av.tokens["access_token"]
    assert renew().status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic c2FuZGJveDo="])
def test_api_calls_want_a_valid_bearer_token(api_sandbox, header):
    headers = {"Authorization": header} if header else {}
    answer = requests.get(f"{api_sandbox.api_url}/live-streams", headers=headers, timeout=5)
    assert answer.status_code == 401 and answer.json()["status"] == 401


def test_create_answers_the_documented_object(av, api_sandbox):
    stream = av.create("Launch", public=False)
    assert stream["liveStreamId"].startswith("li") and len(stream["liveStreamId"]) == 24
    assert stream["name"] == "Launch" and stream["public"] is False and stream["broadcasting"] is False
    assert stream["streamKey"] and stream["createdAt"].endswith("+00:00")
    assert stream["assets"]["hls"] == f"{api_sandbox.api_url}/apivideo-live/{stream['liveStreamId']}.m3u8"
    assert av.get(stream["liveStreamId"]) == stream


@pytest.mark.parametrize("body, name", [({"name": " "}, "name"), ({"name": "x", "public": "yes"}, "public"),
                                        ({"public": True}, "name")])
def test_invalid_attributes_are_400_problems_naming_the_attribute(av, body, name):
    answer = av.call("POST", "/live-streams", json=body)
    assert answer.status_code == 400
    assert answer.json()["name"] == name and answer.json()["type"].endswith("/invalid-attribute")


def test_patch_delete_and_not_found(av):
    sid = av.create()["liveStreamId"]
    assert av.call("PATCH", f"/live-streams/{sid}", json={"name": "Renamed"}).json()["name"] == "Renamed"
    assert av.call("DELETE", f"/live-streams/{sid}").status_code == 204
    missing = av.call("GET", f"/live-streams/{sid}")
    assert missing.status_code == 404 and missing.json()["name"] == "liveStreamId"


def test_list_pages_with_pagination_and_links(av):
    ids = [av.create(f"Paged {i}")["liveStreamId"] for i in range(5)]
    first = av.call("GET", "/live-streams", params={"currentPage": 1, "pageSize": 2, "sortBy": "createdAt"}).json()
    last = av.call("GET", "/live-streams", params={"currentPage": 3, "pageSize": 2, "sortBy": "createdAt"}).json()
    assert [s["liveStreamId"] for s in first["data"]] == ids[:2]
    assert [s["liveStreamId"] for s in last["data"]] == ids[4:]
    assert first["pagination"]["pagesTotal"] == 3 and first["pagination"]["itemsTotal"] == 5
    assert {"rel": "next", "uri": "/live-streams?currentPage=2&pageSize=2"} in first["pagination"]["links"]
    assert av.call("GET", "/live-streams", params={"pageSize": 101}).status_code == 400
    assert av.call("GET", "/live-streams", params={"sortBy": "colour"}).status_code == 400


def test_faults_take_the_apivideo_name(av, api_sandbox):
    api_sandbox.admin.add_fault("apivideo:rate_limit=4,count=1")
    limited = av.call("GET", "/live-streams")
    assert limited.status_code == 429 and limited.headers["X-RateLimit-Retry-After"] == "4"
    assert limited.json()["type"] == "https://docs.api.video/reference/too-many-requests"
    api_sandbox.admin.add_fault("fastpix:status=503,count=1")  # another provider's fault: no effect here
    assert av.call("GET", "/live-streams").status_code == 200


def test_a_simulated_publish_broadcasts_and_complete_ends_it(av, api_sandbox):
    stream = av.create()
    sid = stream["liveStreamId"]
    assert api_sandbox.admin.simulate_publish(stream["streamKey"])
    wait_until(lambda: av.get(sid)["broadcasting"], 5, "broadcasting")
    assert av.call("PUT", f"/live-streams/{sid}/complete").status_code == 202
    wait_until(lambda: not av.get(sid)["broadcasting"], 5, "the broadcast to end")
    assert api_sandbox.admin.stream(sid)["media_ids"]


# ---------------------------------------------------------------------------- the real ingest


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tools = require_ingest_tools()
    sandbox = Sandbox(tmp_path_factory.mktemp("apivideo-ingest"), prepare_delay=0.5, environ={})
    sandbox.start()
    yield sandbox, tools
    sandbox.stop()


@pytest.mark.ingest
def test_an_encoder_goes_live_plays_hls_and_complete_records(live):
    sandbox, tools = live
    av = AV(sandbox)
    stream = av.create("Encoder show")
    sid = stream["liveStreamId"]
    encoder = Encoder(tools.ffmpeg, f"{sandbox.env()['APIVIDEO_INGEST_RTMP_URL']}/{stream['streamKey']}")
    try:
        wait_until(lambda: av.get(sid)["broadcasting"], 10, "broadcasting")
        playback = stream["assets"]["hls"]
        wait_until(lambda: playlist_ready(playback), 15, "the live playlist")
        assert {s["codec_type"] for s in ffprobe(tools.ffprobe, playback)["streams"]} == {"video", "audio"}

        assert av.call("PUT", f"/live-streams/{sid}/complete").status_code == 202
        wait_until(lambda: encoder.exited() is not None, 10, "the sandbox to cut the encoder")
    finally:
        encoder.stop()
    assert av.get(sid)["broadcasting"] is False
    sandbox.admin.wait_for_event("recording_ready", stream_id=sid, timeout=20)
    [recording] = sandbox.admin.stream(sid)["recording_urls"]
    assert float(ffprobe(tools.ffprobe, recording)["format"]["duration"]) > 1
