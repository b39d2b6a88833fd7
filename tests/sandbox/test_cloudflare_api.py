"""The sandbox's Cloudflare Stream look-alike: paths, Bearer auth, v4 envelopes, the live input
timeline, faults by name, and (with nginx-rtmp and ffmpeg) a real publish playing over HLS."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from livestream_sandbox import Sandbox

from .support import Encoder, ffprobe, playlist_ready, require_ingest_tools, wait_until


class CF:
    """Raw Cloudflare Stream calls against a sandbox (``requests`` with the Bearer token)."""

    def __init__(self, sandbox: Any, token: str | None = None, account: str | None = None) -> None:
        env = sandbox.env()
        self.sandbox = sandbox
        self.base = (f"{sandbox.api_url}/client/v4/accounts/{account or env['CLOUDFLARE_ACCOUNT_ID']}"
                     "/stream/live_inputs")
        self.headers = {"Authorization": f"Bearer {token or env['CLOUDFLARE_API_TOKEN']}"}

    def call(self, method: str, path: str = "", json: Any = None, **kw: Any) -> requests.Response:
        headers = kw.pop("headers", self.headers)
        return requests.request(method, self.base + path, json=json, headers=headers, timeout=10, **kw)

    def create(self, **body: Any) -> dict:
        answer = self.call("POST", json={"meta": {"name": "Sandbox class"}, "recording": {"mode": "automatic"},
                                         **body})
        assert answer.status_code == 200, answer.text
        return answer.json()["result"]

    def get(self, uid: str) -> dict:
        return self.call("GET", f"/{uid}").json()["result"]


@pytest.fixture
def cf(api_sandbox):
    return CF(api_sandbox)


def test_env_points_cloudflare_clients_at_the_sandbox(api_sandbox):
    env, creds = api_sandbox.env(), api_sandbox.credentials
    assert env["CLOUDFLARE_API_BASE_URL"] == api_sandbox.api_url
    assert (env["CLOUDFLARE_ACCOUNT_ID"], env["CLOUDFLARE_API_TOKEN"]) == (
        creds.cloudflare_account_id, creds.cloudflare_api_token)
    assert env["CLOUDFLARE_PLAYBACK_URL_TEMPLATE"] == api_sandbox.api_url + "/cloudflare/{uid}/manifest/video.m3u8"
    assert api_sandbox.admin.info()["env"]["CLOUDFLARE_API_TOKEN"] == "***"


def test_create_answers_the_documented_live_input_in_an_envelope(api_sandbox, cf):
    answer = cf.call("POST", json={"meta": {"name": "Class"}, "recording": {"mode": "automatic",
                                                                             "timeoutSeconds": 10},
                                   "deleteRecordingAfterDays": 45, "enabled": True})
    body = answer.json()
    assert answer.status_code == 200 and body["success"] is True and body["errors"] == []
    live = body["result"]
    assert len(live["uid"]) == 32 and live["status"] is None and live["enabled"] is True
    assert live["meta"] == {"name": "Class"} and live["deleteRecordingAfterDays"] == 45
    assert live["recording"]["mode"] == "automatic" and live["recording"]["timeoutSeconds"] == 10
    assert live["rtmps"] == {"url": api_sandbox.rtmp_url, "streamKey": live["rtmps"]["streamKey"]}
    assert live["srt"]["url"] == api_sandbox.srt_url and live["srt"]["streamId"] == live["uid"]
    assert live["srt"]["passphrase"] and live["created"].endswith("Z")


def test_the_list_carries_no_credentials_and_no_status(cf):
    made = cf.create(meta={"name": "Listed", "obs_livestream_ref": "r1"})
    body = cf.call("GET").json()["result"]
    assert body["total"] == 1 and set(body) == {"liveInputs", "range", "total"}
    [item] = body["liveInputs"]
    assert item["uid"] == made["uid"] and item["meta"]["obs_livestream_ref"] == "r1"
    assert not {"rtmps", "srt", "status"} & set(item)


def test_a_put_changes_only_what_it_carries_and_disabling_refuses_the_encoder(api_sandbox, cf):
    made = cf.create()
    changed = cf.call("PUT", f"/{made['uid']}", json={"enabled": False}).json()["result"]
    assert changed["enabled"] is False and changed["meta"] == made["meta"]
    assert changed["rtmps"]["streamKey"] == made["rtmps"]["streamKey"]
    assert not api_sandbox.admin.simulate_publish(made["rtmps"]["streamKey"])
    cf.call("PUT", f"/{made['uid']}", json={"enabled": True})
    assert api_sandbox.admin.simulate_publish(made["rtmps"]["streamKey"])


def test_publishing_drives_the_status_words(api_sandbox, cf):
    made = cf.create(recording={"mode": "automatic", "timeoutSeconds": 0})
    key, uid = made["rtmps"]["streamKey"], made["uid"]
    api_sandbox.admin.simulate_publish(key)
    assert cf.get(uid)["status"] == "connected"
    api_sandbox.admin.simulate_unpublish(key)
    assert cf.get(uid)["status"] == "client_disconnect"
    api_sandbox.admin.wait_for_event("broadcast_ended", stream_id=uid)
    api_sandbox.admin.simulate_publish(key, client_id="again")
    assert cf.get(uid)["status"] == "connected"  # a new broadcast, not a reconnect


def test_a_reconnect_inside_the_timeout_is_reconnected(api_sandbox, cf):
    made = cf.create(recording={"mode": "automatic", "timeoutSeconds": 60})
    key = made["rtmps"]["streamKey"]
    api_sandbox.admin.simulate_publish(key)
    api_sandbox.admin.simulate_unpublish(key)
    api_sandbox.admin.simulate_publish(key, client_id="back")
    assert cf.get(made["uid"])["status"] == "reconnected"


def test_delete_forgets_the_input(cf):
    made = cf.create()
    assert cf.call("DELETE", f"/{made['uid']}").json() == {"success": True, "errors": [], "messages": [],
                                                           "result": None}
    gone = cf.call("GET", f"/{made['uid']}")
    assert gone.status_code == 404 and gone.json()["success"] is False


@pytest.mark.parametrize("headers, status, code", [
    ({}, 400, 6003),
    ({"Authorization": "Token sandbox-cloudflare-api-token"}, 400, 6003),
    ({"Authorization": "Bearer not-the-token"}, 403, 10000),
])
def test_auth_is_checked_like_the_real_service(cf, headers, status, code):
    answer = cf.call("GET", headers=headers)
    assert answer.status_code == status
    assert answer.json()["errors"][0]["code"] == code and answer.json()["result"] is None


def test_another_accounts_path_is_refused(api_sandbox):
    answer = CF(api_sandbox, account="0" * 32).call("GET")
    assert answer.status_code == 403


@pytest.mark.parametrize("body, pointer", [
    ({"deleteRecordingAfterDays": 3}, "/deleteRecordingAfterDays"),
    ({"recording": {"mode": "sometimes"}}, "/recording/mode"),
    ({"recording": {"timeoutSeconds": -5}}, "/recording/timeoutSeconds"),
    ({"meta": "name"}, "/meta"),
    ({"enabled": "yes"}, "/enabled"),
])
def test_refused_fields_are_named_by_their_pointer(cf, body, pointer):
    answer = cf.call("POST", json=body)
    assert answer.status_code == 400
    assert [e["source"]["pointer"] for e in answer.json()["errors"]] == [pointer]


def test_unknown_routes_and_methods_answer_in_the_envelope(api_sandbox, cf):
    unknown = requests.get(f"{api_sandbox.api_url}/client/v4/accounts/x/stream/videos", headers=cf.headers,
                           timeout=10)
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == 7003
    assert cf.call("PATCH", "/abc").status_code in (404, 405)
    assert cf.call("DELETE").status_code == 405


def test_faults_apply_to_cloudflare_by_name(api_sandbox, cf):
    api_sandbox.admin.add_fault("cloudflare:status=503,count=1")
    forced = cf.call("GET")
    assert forced.status_code == 503 and forced.json()["success"] is False
    assert cf.call("GET").status_code == 200
    api_sandbox.admin.add_fault("cloudflare:rate_limit=7,count=1")
    limited = cf.call("GET")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    api_sandbox.admin.add_fault("fastpix:status=500")
    assert cf.call("GET").status_code == 200  # another provider's fault


def test_a_cloudflare_input_survives_a_sandbox_restart(tmp_path):
    data = tmp_path / "data"
    with Sandbox(data, ingest=False, environ={}) as first:
        made = CF(first).create()
        first.admin.simulate_publish(made["rtmps"]["streamKey"])
    with Sandbox(data, ingest=False, environ={}) as second:
        again = CF(second).get(made["uid"])
    assert again["rtmps"]["streamKey"] == made["rtmps"]["streamKey"]
    assert again["status"] == "client_disconnect"  # the encoder did not survive the restart


@pytest.mark.ingest
def test_a_real_publish_plays_over_hls_and_becomes_a_recording(tmp_path):
    tools = require_ingest_tools()
    with Sandbox(tmp_path / "live", environ={}) as live:
        cf = CF(live)
        made = cf.create(recording={"mode": "automatic", "timeoutSeconds": 0})
        uid = made["uid"]
        playback = live.env()["CLOUDFLARE_PLAYBACK_URL_TEMPLATE"].format(uid=uid)
        encoder = Encoder(tools.ffmpeg, f"{made['rtmps']['url']}/{made['rtmps']['streamKey']}")
        try:
            wait_until(lambda: cf.get(uid)["status"] == "connected", 10, "connected")
            wait_until(lambda: playlist_ready(playback), 15, "the live playlist")
            assert {s["codec_type"] for s in ffprobe(tools.ffprobe, playback)["streams"]} == {"video", "audio"}

            cf.call("PUT", f"/{uid}", json={"enabled": False})  # cuts the encoder
            wait_until(lambda: encoder.exited() is not None, 10, "nginx to cut the encoder")
        finally:
            encoder.stop()
        assert cf.get(uid)["status"] == "client_disconnect"
        event = live.admin.wait_for_event("recording_ready", stream_id=uid, timeout=30)
        view = live.admin.stream(uid)
        assert view["media_ids"] == [event["media_id"]] and view["recording_urls"]
        assert float(ffprobe(tools.ffprobe, view["recording_urls"][0])["format"]["duration"]) > 1


def _nginx(sandbox: Any, callback: str, key: str) -> None:
    """What nginx-rtmp posts for an encoder on ``key`` (the sandbox's admin API takes it as nginx does)."""
    answer = requests.post(f"{sandbox.api_url}/_sandbox/rtmp/{callback}",
                           data={"app": "live", "name": key, "clientid": "7"}, timeout=10)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("encoder_leaves_first", [True, False], ids=["encoder-first", "disable-first"])
def test_disabled_follows_publish_ended_whichever_arrives_first(api_sandbox, cf, encoder_leaves_first):
    # A client ending a broadcast stops OBS and disables the input; under load nginx's
    # on_publish_done reaches the sandbox before or after the PUT. The events keep one order.
    made = cf.create()
    uid, key = made["uid"], made["rtmps"]["streamKey"]
    _nginx(api_sandbox, "on_publish", key)
    if encoder_leaves_first:
        _nginx(api_sandbox, "on_publish_done", key)
        cf.call("PUT", f"/{uid}", json={"enabled": False})
    else:
        cf.call("PUT", f"/{uid}", json={"enabled": False})
        assert cf.get(uid)["enabled"] is False  # the API answers at once; only the event waits
        _nginx(api_sandbox, "on_publish_done", key)
    kinds = [e["kind"] for e in api_sandbox.admin.events(stream_id=uid)
             if e["kind"] in ("publish_started", "publish_ended", "disabled")]
    assert kinds == ["publish_started", "publish_ended", "disabled"]


def test_a_body_that_is_not_an_object_is_refused_on_create_and_update(cf):
    uid = cf.create()["uid"]
    for method, path in (("POST", ""), ("PUT", f"/{uid}")):
        answer = cf.call(method, path, json=["not", "an", "object"])
        assert answer.status_code == 400 and answer.json()["success"] is False, (method, answer.text)
        assert "the request body must be a JSON object" in answer.text
    assert cf.get(uid)["meta"] == {"name": "Sandbox class"}  # the refused update changed nothing
