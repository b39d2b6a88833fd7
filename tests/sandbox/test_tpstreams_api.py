"""The TP Streams look-alike answers like developer.tpstreams.com says TP Streams does.

e.g. https://developer.tpstreams.com/docs/live-stream-api/create_live_stream_instantly,
https://developer.tpstreams.com/docs/live-stream-api/stop-a-live-stream-api and
https://developer.tpstreams.com/docs/live-stream-api/live-stream-event-status.
"""

from __future__ import annotations

import re
import time

import requests

from .support import TP

LIVE_STREAM_FIELDS = {"rtmp_url", "stream_key", "status", "hls_url", "start", "transcode_recorded_video",
                      "enable_drm_for_recording", "enable_drm", "enable_llhls", "latency", "chat_embed_url",
                      "resolutions", "activities"}


def test_create_now_answers_the_documented_asset_without_a_key(tp):
    answer = tp.post("assets/live_streams/", {"title": "Data science Live class"})

    assert answer.status_code == 201
    asset = answer.json()
    assert set(asset) == {"title", "bytes", "type", "video", "id", "live_stream", "parent", "parent_id"}
    assert asset["type"] == "livestream" and asset["title"] == "Data science Live class"
    assert asset["video"] is None and asset["bytes"] is None and asset["parent_id"] is None
    assert re.fullmatch(r"[A-Za-z0-9]{11}", asset["id"])
    live = asset["live_stream"]
    assert set(live) == LIVE_STREAM_FIELDS
    assert live["rtmp_url"] == "" and live["stream_key"] is None
    assert live["status"] == "Not Started" and live["chat_embed_url"] is None and live["start"] is None
    assert live["hls_url"].endswith(f"/live/{tp.org}/{asset['id']}/video.m3u8")
    assert live["transcode_recorded_video"] is True and live["activities"] == []


def test_the_key_appears_after_the_boot_delay_while_status_stays_not_started(tp, api_sandbox):
    asset = tp.create()
    assert tp.get(f"assets/{asset['id']}/").json()["live_stream"]["stream_key"] is None

    booted = tp.wait_for_key(asset["id"], timeout=5)

    live = booted["live_stream"]
    assert live["status"] == "Not Started"
    assert live["rtmp_url"] == api_sandbox.rtmp_url
    assert re.fullmatch(rf"org-{tp.org}-live-{asset['id']}-[A-Za-z0-9]{{4}}", live["stream_key"])
    assert live["chat_embed_url"].endswith(f"/live-chat/{tp.org}/{asset['id']}/")
    assert booted["views_count"] == 0
    event = api_sandbox.admin.wait_for_event("key_issued", stream_id=asset["id"])
    assert 0.25 <= event["boot_seconds"] < 2


def test_create_validates_like_drf(tp):
    assert tp.post("assets/live_streams/", {}).json() == {"title": ["This field is required."]}
    assert tp.post("assets/live_streams/", {}).status_code == 400
    assert tp.post("assets/live_streams/", {"title": "  "}).json() == {"title": ["This field may not be blank."]}
    bad = tp.post("assets/live_streams/", {"title": "x", "latency": "Ultra", "start": "tomorrow",
                                           "enable_drm_for_recording": "maybe"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"latency", "start", "enable_drm_for_recording"}
    garbled = tp.session.post(tp.url("assets/live_streams/"), data=b"{nope",
                              headers={"Content-Type": "application/json"})
    assert garbled.status_code == 400 and garbled.json()["detail"].startswith("JSON parse error")


def test_create_accepts_the_documented_options(tp):
    asset = tp.create("Options", latency="Low Latency", enable_drm_for_recording=True)
    assert asset["live_stream"]["latency"] == "Low Latency"
    assert asset["live_stream"]["enable_drm_for_recording"] is True


def test_a_scheduled_stream_does_not_boot_until_start_server(tp, api_sandbox):
    asset = tp.create("Scheduled", start="2030-10-05 15:30:00")
    assert asset["live_stream"]["start"] == "2030-10-05 15:30:00"

    time.sleep(0.5)  # longer than the boot delay: a scheduled stream is not booting
    assert tp.get(f"assets/{asset['id']}/").json()["live_stream"]["stream_key"] is None

    started = tp.post(f"assets/{asset['id']}/start_server/")
    assert started.status_code == 200
    live = started.json()["live_stream"]
    assert live["status"] == "Not Started" and live["stream_key"] is None
    assert live["chat_embed_url"]  # the seed's start_server answer already has it
    assert tp.wait_for_key(asset["id"], timeout=5)["live_stream"]["rtmp_url"] == api_sandbox.rtmp_url
    kinds = [e["kind"] for e in api_sandbox.admin.events(stream_id=asset["id"])]
    assert kinds == ["created", "server_start_requested", "key_issued"]


def test_list_pages_with_limit_offset_and_absolute_links(tp, api_sandbox):
    ids = [tp.create(f"Class {i}")["id"] for i in range(5)]

    first = tp.get("assets/live_streams/", params={"limit": 2}).json()
    assert first["count"] == 5 and first["previous"] is None
    assert [a["id"] for a in first["results"]] == ids[::-1][:2]  # newest first
    assert first["next"] == f"{tp.base}assets/live_streams/?limit=2&offset=2"
    second = requests.get(first["next"], headers=tp.session.headers, timeout=5).json()
    assert [a["id"] for a in second["results"]] == ids[::-1][2:4]
    assert second["previous"] == f"{tp.base}assets/live_streams/?limit=2"
    last = tp.get("assets/live_streams/", params={"limit": 2, "offset": 4}).json()
    assert last["next"] is None and len(last["results"]) == 1

    api_sandbox.admin.config(tpstreams_page_size=3)
    default = tp.get("assets/live_streams/").json()
    assert len(default["results"]) == 3 and default["next"].endswith("?limit=3&offset=3")


def test_get_and_delete_and_not_found(tp):
    asset = tp.create()
    assert tp.get("assets/nope/").status_code == 404
    assert tp.get("assets/nope/").json() == {"detail": "Not found."}

    deleted = tp.delete(f"assets/{asset['id']}/")

    assert deleted.status_code == 204 and deleted.content == b""
    assert tp.get(f"assets/{asset['id']}/").status_code == 404
    assert tp.delete(f"assets/{asset['id']}/").status_code == 404


def test_auth_failures_use_drf_bodies(api_sandbox, tp):
    missing = requests.get(tp.url("assets/live_streams/"), timeout=5)
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    wrong = TP(api_sandbox, token="not-the-token").get("assets/live_streams/")
    assert wrong.status_code == 401 and wrong.json() == {"detail": "Invalid token."}
    lower = requests.get(tp.url("assets/live_streams/"), timeout=5,
                         headers={"Authorization": "token " + api_sandbox.credentials.tpstreams_api_token})
    assert lower.status_code == 200
    other_org = tp.session.get(f"{api_sandbox.api_url}/api/v1/otherorg/assets/live_streams/", timeout=5)
    assert other_org.status_code == 403 and "permission" in other_org.json()["detail"]


def test_method_not_allowed_and_unknown_paths(tp):
    assert tp.session.patch(tp.url("assets/live_streams/"), json={}, timeout=5).status_code == 405
    assert tp.get("assets/live_streams").status_code == 404  # DRF paths end with a slash
    assert tp.get("nothing/here/").status_code == 404


def test_login_returns_the_token_and_refuses_bad_credentials(api_sandbox):
    creds = api_sandbox.credentials
    url = f"{api_sandbox.api_url}/api/auth/login/"
    good = requests.post(url, json={"username": creds.tpstreams_username, "password": creds.tpstreams_password,
                                    "organization_id": creds.tpstreams_org_id}, timeout=5)
    assert good.status_code == 200 and good.json() == {"token": creds.tpstreams_api_token}
    bad = requests.post(url, json={"username": creds.tpstreams_username, "password": "wrong",
                                   "organization_id": creds.tpstreams_org_id}, timeout=5)
    assert bad.status_code == 400
    assert bad.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert requests.post(url, json={}, timeout=5).json()["username"] == ["This field is required."]
    logout = requests.post(f"{api_sandbox.api_url}/api/auth/logout/", timeout=5,
                           headers={"Authorization": f"Token {creds.tpstreams_api_token}"})
    assert logout.status_code == 204


def test_stop_answers_the_documented_message_and_is_terminal(tp, api_sandbox):
    asset = tp.wait_for_key(tp.create()["id"])

    stopped = tp.post(f"assets/{asset['id']}/stop_live_stream/")

    assert stopped.status_code == 200
    assert stopped.json() == {"message": "Live stream stopped successfully", "trim_scheduled": False}
    after = tp.get(f"assets/{asset['id']}/").json()
    assert after["live_stream"]["status"] == "Stopped"
    assert after["live_stream"]["activities"][-1]["status"] == "Stopped"
    again = tp.post(f"assets/{asset['id']}/stop_live_stream/")
    assert again.status_code == 400 and "Stopped" in again.json()["detail"]
    assert tp.post(f"assets/{asset['id']}/start_server/").status_code == 400
    time.sleep(0.6)  # nothing was published: nothing to record, it stays "Stopped"
    assert tp.get(f"assets/{asset['id']}/").json()["live_stream"]["status"] == "Stopped"
    assert not api_sandbox.admin.simulate_publish(asset["live_stream"]["stream_key"])


def test_stop_with_trim_is_validated(tp):
    asset = tp.create()
    bad = tp.post(f"assets/{asset['id']}/stop_live_stream/", {"start_time": 10, "end_time": 5})
    assert bad.status_code == 400 and "non_field_errors" in bad.json()
    ok = tp.post(f"assets/{asset['id']}/stop_live_stream/", {"start_time": 5, "end_time": 10})
    assert ok.json() == {"message": "Live stream stopped successfully", "trim_scheduled": True}
    assert tp.post("assets/nope/stop_live_stream/").status_code == 404


def test_publish_and_its_end_move_the_status_with_activities(tp, api_sandbox):
    asset = tp.wait_for_key(tp.create()["id"])
    key = asset["live_stream"]["stream_key"]
    admin = api_sandbox.admin

    assert admin.simulate_publish(key)
    live = tp.get(f"assets/{asset['id']}/").json()["live_stream"]
    assert live["status"] == "Streaming" and live["activities"][-1]["status"] == "On Publish"
    assert re.fullmatch(r"\w+ \d\d, \d{4}, \d\d:\d\d [AP]M", live["activities"][-1]["timestamp"])
    assert not admin.simulate_publish(key, client_id="second")  # one encoder at a time

    admin.simulate_unpublish(key)
    live = tp.get(f"assets/{asset['id']}/").json()["live_stream"]
    assert live["status"] == "Disconnected" and live["activities"][-1]["status"] == "On Publish Done"
    assert admin.simulate_publish(key)  # 2.4: reconnect OBS directly
    assert admin.simulate_publish("org-sandbx-live-unknown-0000", client_id="x") is False
    refused = admin.events(kind="publish_refused")
    assert [e["reason"] for e in refused] == ["already publishing", "unknown stream key"]


def test_a_key_before_the_server_booted_or_after_delete_is_refused(tp, api_sandbox):
    asset = tp.wait_for_key(tp.create()["id"])
    key = asset["live_stream"]["stream_key"]
    tp.delete(f"assets/{asset['id']}/")
    assert not api_sandbox.admin.simulate_publish(key)


def test_webhooks_crud(tp):
    created = tp.post("webhooks/", {"url": "http://127.0.0.1:9/hook", "secret_token": "s3cret"})
    assert created.status_code == 201
    hook = created.json()
    assert hook == {"url": "http://127.0.0.1:9/hook", "secret_token": "s3cret", "id": hook["id"]}
    listed = tp.get("webhooks/").json()
    assert listed["count"] == 1 and listed["results"] == [hook]
    assert tp.post("webhooks/", {"url": "nope"}).json() == {"url": ["Enter a valid URL."],
                                                          "secret_token": ["This field is required."]}
    updated = tp.put(f"webhooks/{hook['id']}/", {"url": "http://127.0.0.1:9/other", "secret_token": "t"})
    assert updated.status_code == 200 and updated.json()["url"].endswith("/other")
    assert tp.delete(f"webhooks/{hook['id']}/").status_code == 204
    assert tp.delete(f"webhooks/{hook['id']}/").status_code == 404
    assert tp.get("webhooks/").json()["count"] == 0


def test_webhooks_get_the_full_asset_with_the_secret_header_on_every_change(tp, api_sandbox, receiver):
    tp.post("webhooks/", {"url": receiver.url, "secret_token": "hook-secret"})
    asset = tp.create()

    with_key = receiver.wait_for(lambda h: h.json()["live_stream"]["stream_key"] is not None,
                                 what="the key-issued webhook")
    key = with_key.json()["live_stream"]["stream_key"]
    api_sandbox.admin.simulate_publish(key)
    api_sandbox.admin.simulate_unpublish(key)
    receiver.wait_for(lambda h: h.json()["live_stream"]["status"] == "Disconnected")

    hooks = receiver.received()
    assert all(h.headers["x-streams-token"] == "hook-secret" for h in hooks)
    assert all(h.json()["id"] == asset["id"] and h.json()["type"] == "livestream" for h in hooks)
    statuses = [h.json()["live_stream"]["status"] for h in hooks]
    assert statuses == ["Not Started", "Not Started", "Streaming", "Disconnected"]
    delivered = api_sandbox.admin.wait_for_event("webhook_delivered", stream_id=asset["id"],
                                                 where=lambda e: e["status"] == "Disconnected")
    assert delivered["status_code"] == 200 and delivered["attempts"] == 1
