"""The FastPix look-alike answers like FastPix's OpenAPI spec and docs say FastPix does.

Spec: https://github.com/FastPix/fastpix-python/blob/v1.1.3/fastpix_python/fastpix.yaml
Docs: https://docs.fastpix.io/reference/create-new-stream and
https://docs.fastpix.io/docs/live-stream-disconnects
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import requests

from .support import FP, wait_until

STREAM_FIELDS = {"streamId", "streamKey", "srtSecret", "trial", "status", "maxResolution", "maxDuration",
                 "createdAt", "reconnectWindow", "enableRecording", "enableDvrMode", "lowLatency",
                 "closedCaptions", "mediaPolicy", "metadata", "playbackIds", "mediaIds", "srtPlaybackResponse",
                 "simulcastResponses"}
FINISH_400 = {"success": False, "error": {"code": 400, "message": "stream cannot be completed",
                                          "description": "Only active streams can be marked as completed."}}


def test_create_answers_201_with_the_key_at_once(fp):
    answer = fp.call("POST", json={
        "playbackSettings": {"accessPolicy": "private"},
        "inputMediaSettings": {"maxResolution": "720p", "reconnectWindow": 30, "mediaPolicy": "public",
                               "metadata": {"livestream_name": "my stream"}, "enableDvrMode": True,
                               "enableRecording": False}})

    assert answer.status_code == 201
    body = answer.json()
    assert body["success"] is True and set(body["data"]) == STREAM_FIELDS
    data = body["data"]
    assert re.fullmatch(r"[0-9a-f]{32}", data["streamId"]) and re.fullmatch(r"[0-9a-f]{32}", data["streamKey"])
    assert data["status"] == "idle" and data["srtSecret"] and data["mediaIds"] == []
    assert (data["maxResolution"], data["reconnectWindow"], data["enableDvrMode"], data["enableRecording"]) == (
        "720p", 30, True, False)
    assert data["metadata"] == {"livestream_name": "my stream"}
    assert data["playbackIds"][0]["accessPolicy"] == "private"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", data["createdAt"])


def test_create_defaults_follow_the_docs(fp):
    data = fp.call("POST", json={"playbackSettings": {"accessPolicy": "public"}}).json()["data"]
    assert (data["maxResolution"], data["reconnectWindow"], data["enableRecording"]) == ("1080p", 60, True)


def test_create_validation_is_a_422_with_fields(fp):
    answer = fp.call("POST", json={"playbackSettings": {"accessPolicy": "drm"},
                                   "inputMediaSettings": {"reconnectWindow": 1801, "maxResolution": "4k"}})

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert answer.json()["success"] is False and error["code"] == 422
    assert {f["field"] for f in error["fields"]} == {"playbackSettings.accessPolicy",
                                                     "inputMediaSettings.reconnectWindow",
                                                     "inputMediaSettings.maxResolution"}
    missing = fp.call("POST", json={"inputMediaSettings": {}})
    assert missing.status_code == 422 and missing.json()["error"]["fields"][0]["field"] == "playbackSettings"
    garbled = fp.session.post(fp.base, data=b"{", headers={"Content-Type": "application/json"}, timeout=5)
    assert garbled.status_code == 400 and garbled.json()["success"] is False


def test_get_patch_and_delete(fp):
    stream = fp.create()
    assert fp.get(stream["streamId"]) == stream

    patched = fp.call("PATCH", f"/{stream['streamId']}", json={"reconnectWindow": 120, "metadata": {"a": "b"}})

    assert patched.status_code == 200
    assert patched.json()["data"]["reconnectWindow"] == 120 and patched.json()["data"]["metadata"] == {"a": "b"}
    bad = fp.call("PATCH", f"/{stream['streamId']}", json={"reconnectWindow": 5000})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "reconnectWindow"
    deleted = fp.call("DELETE", f"/{stream['streamId']}")
    assert deleted.status_code == 200 and deleted.json() == {"success": True}
    gone = fp.call("GET", f"/{stream['streamId']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == 404


def test_list_pages_are_1_based_with_pagination(fp):
    ids = [fp.create()["streamId"] for _ in range(5)]

    first = fp.call("GET", params={"limit": 2}).json()
    assert first["success"] is True and [s["streamId"] for s in first["data"]] == ids[::-1][:2]
    assert first["pagination"] == {"totalRecords": 5, "currentOffset": 1, "offsetCount": 3}
    third = fp.call("GET", params={"limit": 2, "offset": 3}).json()
    assert [s["streamId"] for s in third["data"]] == [ids[0]]
    oldest_first = fp.call("GET", params={"limit": 5, "orderBy": "asc"}).json()
    assert [s["streamId"] for s in oldest_first["data"]] == ids
    assert fp.call("GET").json()["pagination"]["currentOffset"] == 1  # defaults: limit 10, page 1


def test_list_rejects_offset_zero_and_bad_parameters_with_422(fp):
    zero = fp.call("GET", params={"offset": 0})
    assert zero.status_code == 422 and zero.json()["error"]["fields"][0]["field"] == "offset"
    bad = fp.call("GET", params={"limit": 0, "orderBy": "sideways"})
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"limit", "orderBy"}
    assert fp.call("GET", params={"limit": 51}).status_code == 422


def test_finish_is_400_verbatim_unless_active(fp):
    stream = fp.create()
    answer = fp.call("PUT", f"/{stream['streamId']}/finish")
    assert answer.status_code == 400 and answer.json() == FINISH_400


def test_enable_and_disable(fp, api_sandbox):
    stream = fp.create()
    sid = stream["streamId"]
    enable_idle = fp.call("PUT", f"/{sid}/live-enable")
    assert enable_idle.status_code == 400 and enable_idle.json()["error"]["code"] == 400

    assert fp.call("PUT", f"/{sid}/live-disable").json() == {"success": True}
    assert fp.get(sid)["status"] == "disabled"
    assert fp.call("PUT", f"/{sid}/live-disable").status_code == 400
    assert fp.call("PATCH", f"/{sid}", json={"reconnectWindow": 10}).status_code == 400
    assert not api_sandbox.admin.simulate_publish(stream["streamKey"])

    assert fp.call("PUT", f"/{sid}/live-enable").json() == {"success": True}
    assert fp.get(sid)["status"] == "idle"
    assert api_sandbox.admin.simulate_publish(stream["streamKey"])


def test_auth_is_http_basic(api_sandbox, fp):
    nobody = requests.get(fp.base, timeout=5)
    assert nobody.status_code == 401
    assert nobody.json()["success"] is False and nobody.json()["error"]["code"] == 401
    wrong = FP(api_sandbox, auth=(api_sandbox.credentials.fastpix_access_token_id, "wrong")).call("GET")
    assert wrong.status_code == 401
    assert requests.get(fp.base, headers={"Authorization": "Basic %%%"}, timeout=5).status_code == 401
    assert fp.call("GET", "/nope/unknown/route").status_code == 404
    assert fp.call("POST", "/x/finish").status_code == 405
    assert fp.call("GET", "/0123/viewer-count").status_code == 404


def test_viewer_count(fp):
    stream = fp.create()
    assert fp.call("GET", f"/{stream['streamId']}/viewer-count").json() == {"success": True, "data": {"views": 0}}


def test_a_publish_goes_preparing_then_active_and_finish_goes_idle(fp, api_sandbox):
    stream = fp.create(reconnectWindow=60)
    sid = stream["streamId"]
    admin = api_sandbox.admin

    assert admin.simulate_publish(stream["streamKey"])
    assert fp.get(sid)["status"] == "preparing"
    wait_until(lambda: fp.get(sid)["status"] == "active", 5, "active")

    finished = fp.call("PUT", f"/{sid}/finish")

    assert finished.status_code == 200 and finished.json() == {"success": True}
    after = fp.get(sid)
    assert after["status"] == "idle" and len(after["mediaIds"]) == 1
    # The encoder is cut at its next on_update; a new broadcast may then start.
    update = requests.post(f"{api_sandbox.api_url}/_sandbox/rtmp/on_update", timeout=5,
                           data={"call": "update_publish", "name": stream["streamKey"], "clientid": "simulated"})
    assert update.status_code == 403


def test_a_disconnect_goes_idle_after_the_reconnect_window(fp, api_sandbox):
    stream = fp.create(reconnectWindow=1)
    sid, key = stream["streamId"], stream["streamKey"]
    admin = api_sandbox.admin
    admin.simulate_publish(key)
    wait_until(lambda: fp.get(sid)["status"] == "active", 5, "active")

    admin.simulate_unpublish(key)

    assert fp.get(sid)["status"] == "active"  # still inside the reconnect window
    assert admin.simulate_publish(key, client_id="again")  # a reconnect keeps the broadcast
    admin.simulate_unpublish(key, client_id="again")
    wait_until(lambda: fp.get(sid)["status"] == "idle", 5, "idle after the window")
    assert len(fp.get(sid)["mediaIds"]) == 1


def test_webhooks_are_signed_envelopes(fp, api_sandbox, receiver):
    api_sandbox.admin.set_fastpix_webhook(receiver.url, "whsec")
    stream = fp.create(reconnectWindow=0)
    api_sandbox.admin.simulate_publish(stream["streamKey"])
    wait_until(lambda: fp.get(stream["streamId"])["status"] == "active", 5, "active")
    api_sandbox.admin.simulate_unpublish(stream["streamKey"])
    receiver.wait_for(lambda h: h.json()["type"] == "video.media.created", what="video.media.created")

    hooks = receiver.received()
    types = [h.json()["type"] for h in hooks]
    assert types == ["video.live_stream.created", "video.live_stream.connected", "video.live_stream.preparing",
                     "video.live_stream.active", "video.live_stream.recording",
                     "video.live_stream.disconnected", "video.live_stream.idle", "video.media.created"]
    for hook in hooks:
        expected = base64.b64encode(hmac.new(b"whsec", hook.body, hashlib.sha256).digest()).decode()
        assert hook.headers["fastpix-signature"] == expected
        envelope = hook.json()
        assert set(envelope) >= {"type", "id", "object", "workspace", "data", "createdAt"}
        assert envelope["workspace"]["id"]
    created = hooks[0].json()
    assert created["object"] == {"type": "live", "id": stream["streamId"]}
    assert created["data"]["streamId"] == stream["streamId"] and created["data"]["status"] == "idle"
    assert hooks[3].json()["data"]["status"] == "active"
