"""TP Streams client: requests as documented, replies parsed, errors mapped.

Documented on developer.tpstreams.com, e.g.
https://developer.tpstreams.com/docs/live-stream-api/create_live_stream_instantly and
https://developer.tpstreams.com/docs/server-api/authentication. The verbatim bodies below
come from its live-stream page as published in the docs' repository:
https://github.com/testpress/streams-docs/blob/80fe381d157e78068a6c46e9d800e31a65244b85/docs/server-api/live-stream.md
"""

from __future__ import annotations

import copy
import json
import logging
import os
import stat
from datetime import datetime

import pytest

from livestream import USER_AGENT, providers, secrets
from livestream.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NoResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderServerError,
    UnexpectedResponseError,
)
from livestream.models import StreamStatus
from livestream.providers.tpstreams import TPStreams, TPStreamsOptions, map_status, parse_asset
from livestream.tokencache import TokenCache, forget_memory
from tests.fakehttp import connection_refused_error, read_timeout_error
from tests.providers.contract import ProviderContract

ORG = "4xu8ay"
TOKEN = "tp-api-token-0123456789abcdef"
PASSWORD = "correct-horse-battery-staple"
USERNAME = "teacher@example.com"
STREAM_KEY = "org-4xu8ay-live-4PtERT9d9uK-jKP4"
BASE = "https://app.tpstreams.com"
API = f"{BASE}/api/v1/{ORG}"
LOGIN = f"{BASE}/api/auth/login/"

# --- documented bodies, verbatim from the streams-docs live-stream page (module docstring) ---

CREATE_RESPONSE = {  # "Create a live stream instantly"
    "title": "Data science Live class", "bytes": None, "type": "livestream", "video": None,
    "id": "4PtERT9d9uK",
    "live_stream": {
        "rtmp_url": "", "stream_key": None, "status": "Not Started",
        "hls_url": "https://d28qihy7z761lk.cloudfront.net/live/4xu8ay/4PtERT9d9uK/video.m3u8",
        "start": None, "transcode_recorded_video": True, "chat_embed_url": None,
    },
    "parent_id": None,
}
SCHEDULE_RESPONSE = {  # "Schedule a live stream"
    "title": "Data science Live class", "bytes": None, "type": "livestream", "video": None,
    "id": "AuC9yX2EtBr",
    "live_stream": {
        "rtmp_url": "", "stream_key": None, "status": "Not Started",
        "hls_url": "https://d28qihy7z761lk.cloudfront.net/live/gnarys/AuC9yX2EtBr/video.m3u8",
        "start": "2024-10-05 15:30:00", "transcode_recorded_video": True, "enable_drm": False,
        "chat_embed_url": None, "resolutions": ["240p", "480p", "720p"],
    },
    "parent": None, "parent_id": None,
}
START_SERVER_RESPONSE = {  # "Start the server for the scheduled live stream"
    "title": "Data science Live class", "bytes": None, "type": "livestream", "video": None,
    "id": "8XGEEj6ptnB",
    "live_stream": {
        "rtmp_url": "", "stream_key": None, "status": "Not Started",
        "hls_url": "https://d3cydmgt9q030i.cloudfront.net/live/edee9b/8XGEEj6ptnB/video.m3u8",
        "start": "2024-10-05 15:30:00", "transcode_recorded_video": True, "enable_drm": False,
        "chat_embed_url": "https://app.tpstreams.com/live-chat/edee9b/8XGEEj6ptnB/",
        "resolutions": ["240p", "480p", "720p"],
    },
    "parent": None, "parent_id": None,
}
# "Stop a live stream" webhook sample. The page has a trailing comma after "inputs"
# (invalid JSON); this is the same object with that comma removed.
STOP_WEBHOOK = {
    "title": "Data science Live class", "bytes": None, "type": "livestream",
    "video": {
        "progress": 0, "thumbnails": [], "status": "Completed",
        "playback_url": "https://d7pdowhru2wq4.cloudfront.net/transcoded/9328558d-e0a5-4093-b3b9-8f15ad1550d8/video.m3u8",
        "dash_url": "https://d7pdowhru2wq4.cloudfront.net/transcoded/9328558d-e0a5-4093-b3b9-8f15ad1550d8/video.mpd",
        "preview_thumbnail_url": None, "format": "abr", "resolutions": ["240p", "360p", "480p", "720p"],
        "video_codec": "h264", "audio_codec": "aac", "enable_drm": True, "tracks": [],
        "inputs": [{"url": "https://static.testpress.in/Data_science_Live_class.mp4"}],
    },
    "id": "4PtERT9d9uK",
    "live_stream": {
        "rtmp_url": "rtmp://23.427.127.24/live", "stream_key": STREAM_KEY, "status": "Completed",
        "hls_url": "https://d28qihy7z761lk.cloudfront.net/live/4xu8ay/4PtERT9d9uK/video.m3u8",
        "start": None, "transcode_recorded_video": True,
        "chat_embed_url": "https://app.tpstreams.com/live-chat/4PtERT9d9uK/",
    },
    "parent_id": None,
}
AVAILABLE_WEBHOOK = {  # "WebHook Response" sample (legacy "Available")
    "title": "Data science Live class", "bytes": None, "type": "livestream", "video": None,
    "id": "4PtERT9d9uK",
    "live_stream": {
        "rtmp_url": "rtmp://23.427.127.24/live", "stream_key": STREAM_KEY, "status": "Available",
        "hls_url": "https://d28qihy7z761lk.cloudfront.net/live/4xu8ay/4PtERT9d9uK/video.m3u8",
        "start": None, "transcode_recorded_video": True,
        "chat_embed_url": "https://app.tpstreams.com/live-chat/4PtERT9d9uK/",
    },
    "parent_id": None,
}
# The asset as create/get/list/webhook return it, while streaming
# (https://developer.tpstreams.com/docs/live-stream-api/webhook-response).
STREAMING_ASSET = {
    "title": "Data science Live class", "bytes": None, "type": "livestream", "video": None,
    "id": "4PtERT9d9uK",
    "live_stream": {
        "rtmp_url": "rtmp://23.427.127.24/live", "stream_key": STREAM_KEY, "status": "Streaming",
        "hls_url": "https://d28qihy7z761lk.cloudfront.net/live/4xu8ay/4PtERT9d9uK/video.m3u8",
        "start": "2024-04-23 16:56:48", "transcode_recorded_video": True, "enable_drm_for_recording": True,
        "enable_drm": True, "enable_llhls": False, "latency": "Low Latency",
        "chat_embed_url": f"https://app.tpstreams.com/live-chat/{ORG}/4PtERT9d9uK/",
        "resolutions": ["240p", "480p", "720p"],
        "activities": [{"status": "On Publish", "timestamp": "September 22, 2025, 05:59 PM"}],
    },
    "parent": None, "parent_id": None,
}


def _asset(asset_id: str, status: str, *, key: bool = True) -> dict:
    body = copy.deepcopy(STREAMING_ASSET)
    body["id"] = asset_id
    body["live_stream"]["status"] = status
    if not key:
        body["live_stream"].update(rtmp_url="", stream_key=None)
    return body


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def tp(fake, sleeps):
    client = TPStreams({"organization_id": ORG, "api_token": TOKEN}, session=fake.session(),
                       sleep=sleeps.append, environ={})
    yield client
    client.close()


@pytest.fixture
def cache(tmp_path):
    forget_memory()
    yield TokenCache(tmp_path / "state" / "tokens.json")
    forget_memory()


def _login_client(fake, cache, sleeps=None):
    return TPStreams({"organization_id": ORG, "username": USERNAME, "password": PASSWORD},
                     session=fake.session(), token_cache=cache, sleep=(sleeps or []).append, environ={})


# ---------------------------------------------------------------------------- registry and config


def test_it_is_registered_as_tpstreams():
    cls = providers.get("tpstreams")
    assert cls is TPStreams
    assert (cls.display_name, cls.supports_scheduling, cls.default_base_url, cls.base_url_env) == (
        "TP Streams", True, "https://app.tpstreams.com", "TPSTREAMS_API_BASE_URL")
    assert cls.poll_interval == 3.0


def test_it_reads_a_username_and_password_from_the_environment():
    creds = TPStreams.credentials_from_env(
        {"TPSTREAMS_ORG_ID": ORG, "TPSTREAMS_USERNAME": USERNAME, "TPSTREAMS_PASSWORD": PASSWORD})
    assert creds.username == USERNAME and creds.password.get_secret_value() == PASSWORD
    assert creds.uses_login


@pytest.mark.parametrize(
    "env, named",
    [
        ({}, ["TPSTREAMS_ORG_ID", "TPSTREAMS_API_TOKEN", "TPSTREAMS_USERNAME and TPSTREAMS_PASSWORD"]),
        ({"TPSTREAMS_ORG_ID": ORG}, ["TPSTREAMS_API_TOKEN"]),
        ({"TPSTREAMS_API_TOKEN": TOKEN}, ["TPSTREAMS_ORG_ID"]),
        ({"TPSTREAMS_ORG_ID": ORG, "TPSTREAMS_USERNAME": USERNAME}, ["TPSTREAMS_PASSWORD"]),
    ],
)
def test_missing_environment_variables_are_named(env, named):
    with pytest.raises(ConfigurationError) as info:
        TPStreams.credentials_from_env(env)
    for name in named:
        assert name in str(info.value)


def test_credentials_without_a_token_or_a_login_are_refused():
    with pytest.raises(ConfigurationError) as info:
        TPStreams({"organization_id": ORG, "username": USERNAME}, environ={})
    assert "api_token" in str(info.value)


def test_the_base_url_comes_from_the_environment_when_not_given(fake):
    client = TPStreams({"organization_id": ORG, "api_token": TOKEN}, session=fake.session(),
                       environ={"TPSTREAMS_API_BASE_URL": "http://127.0.0.1:8765/"})
    fake.expect("GET", f"http://127.0.0.1:8765/api/v1/{ORG}/assets/x1/", json=CREATE_RESPONSE)
    client.get("x1")
    assert client.base_url == "http://127.0.0.1:8765"


@pytest.mark.parametrize("given, sent", [
    ("Low Latency", "Low Latency"), ("low", "Low Latency"), ("LOW_LATENCY", "Low Latency"),
    ("normal", "Normal Latency"), ("Normal latency", "Normal Latency"), (None, None), ("", None)])
def test_latency_accepts_case_insensitive_aliases(given, sent):
    assert TPStreamsOptions(latency=given).latency == sent


@pytest.mark.parametrize("options", [{"latency": "ultra"}, {"resolution": "720p"}])
def test_bad_options_are_a_configuration_error(tp, options):
    with pytest.raises(ConfigurationError):
        tp.create("Class", options=options)


# ---------------------------------------------------------------------------- operations


def test_create_posts_the_title_with_the_token(fake, tp):
    fake.expect("POST", f"{API}/assets/live_streams/", status=201, json=CREATE_RESPONSE)
    stream = tp.create("Data science Live class")
    sent = fake.requests[0]
    assert sent.method == "POST" and sent.path == f"/api/v1/{ORG}/assets/live_streams/"
    assert sent.headers["Authorization"] == f"Token {TOKEN}"
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json == {"title": "Data science Live class"}
    assert stream.id == "4PtERT9d9uK" and stream.provider == "tpstreams"
    assert stream.status is StreamStatus.NOT_STARTED and stream.provider_status == "Not Started"
    assert stream.ingest is None and not stream.ingest_ready
    assert stream.playback_url == "https://d28qihy7z761lk.cloudfront.net/live/4xu8ay/4PtERT9d9uK/video.m3u8"
    assert stream.chat_url is None and stream.recording_url is None and stream.scheduled_start is None


def test_create_sends_latency_drm_and_a_schedule(fake, tp):
    fake.expect("POST", f"{API}/assets/live_streams/", status=201, json=SCHEDULE_RESPONSE)
    stream = tp.create("Data science Live class", options={"latency": "low", "enable_drm_for_recording": False},
                       start=datetime(2024, 10, 5, 15, 30))
    assert fake.requests[0].json == {"title": "Data science Live class", "latency": "Low Latency",
                                     "enable_drm_for_recording": False, "start": "2024-10-05 15:30:00"}
    assert stream.scheduled_start == datetime(2024, 10, 5, 15, 30)
    assert stream.status is StreamStatus.NOT_STARTED and stream.ingest is None


def test_create_needs_a_title(tp):
    with pytest.raises(ConfigurationError):
        tp.create("   ")


def test_start_posts_start_server_and_parses_the_documented_answer(fake, tp):
    fake.expect("POST", f"{API}/assets/8XGEEj6ptnB/start_server/", json=START_SERVER_RESPONSE)
    stream = tp.start("8XGEEj6ptnB")
    sent = fake.requests[0]
    assert sent.body is None and sent.headers["Authorization"] == f"Token {TOKEN}"
    assert stream.chat_url == "https://app.tpstreams.com/live-chat/edee9b/8XGEEj6ptnB/"
    assert stream.ingest is None and stream.status is StreamStatus.NOT_STARTED


def test_start_server_is_retried_after_503(fake, tp, sleeps):
    fake.expect("POST", f"{API}/assets/8XGEEj6ptnB/start_server/", status=503)
    fake.expect("POST", f"{API}/assets/8XGEEj6ptnB/start_server/", json=START_SERVER_RESPONSE)
    tp.start("8XGEEj6ptnB")
    assert len(sleeps) == 1


def test_get_reads_the_ingest_once_the_server_is_up(fake, tp):
    fake.expect("GET", f"{API}/assets/4PtERT9d9uK/", json=AVAILABLE_WEBHOOK)
    stream = tp.get("4PtERT9d9uK")
    assert stream.status is StreamStatus.NOT_STARTED and stream.provider_status == "Available"
    assert stream.ingest.protocol == "rtmp"
    assert stream.ingest.server == "rtmp://23.427.127.24/live"
    assert stream.ingest.stream_key.get_secret_value() == STREAM_KEY
    assert stream.ingest.obs_service_settings() == {"server": "rtmp://23.427.127.24/live", "key": STREAM_KEY}
    assert stream.chat_url == "https://app.tpstreams.com/live-chat/4PtERT9d9uK/"


def test_it_parses_the_streaming_asset_of_the_reference():
    stream = parse_asset(STREAMING_ASSET)
    assert stream.status is StreamStatus.LIVE and stream.ingest_ready
    assert stream.scheduled_start == datetime(2024, 4, 23, 16, 56, 48)
    assert stream.title == "Data science Live class"


def test_it_parses_the_stop_webhook_with_the_recording():
    stream = parse_asset(STOP_WEBHOOK)
    assert stream.status is StreamStatus.ENDED and stream.status.is_terminal
    assert stream.recording_url == (
        "https://d7pdowhru2wq4.cloudfront.net/transcoded/9328558d-e0a5-4093-b3b9-8f15ad1550d8/video.m3u8")


@pytest.mark.parametrize(
    "word, status",
    [("Not Started", StreamStatus.NOT_STARTED), ("NOT_STARTED", StreamStatus.NOT_STARTED),
     ("not_started", StreamStatus.NOT_STARTED), ("Available", StreamStatus.NOT_STARTED),
     ("Streaming", StreamStatus.LIVE), ("STREAMING", StreamStatus.LIVE),
     ("Disconnected", StreamStatus.DISCONNECTED), ("Recording", StreamStatus.RECORDING),
     ("Stopped", StreamStatus.ENDED), ("COMPLETED", StreamStatus.ENDED), ("Error", StreamStatus.ERROR),
     ("Rebooting", StreamStatus.UNKNOWN), (None, StreamStatus.UNKNOWN)],
)
def test_status_words_map_case_insensitively(word, status):
    assert map_status(word) is status
    body = _asset("a1", word)
    assert parse_asset(body).status is status
    assert parse_asset(body).provider_status == word


@pytest.mark.parametrize("rtmp_url, key", [("", STREAM_KEY), ("rtmp://1.2.3.4/live", None),
                                           ("rtmp://1.2.3.4/live", ""), (None, None)])
def test_the_ingest_is_ready_only_with_both_server_and_key(rtmp_url, key):
    body = _asset("a1", "Streaming")  # even while "Streaming"
    body["live_stream"].update(rtmp_url=rtmp_url, stream_key=key)
    assert parse_asset(body).ingest is None


def test_an_rtmps_server_gives_an_rtmps_ingest():
    body = _asset("a1", "Not Started")
    body["live_stream"]["rtmp_url"] = "rtmps://ingest.example:443/live"
    assert parse_asset(body).ingest.protocol == "rtmps"


def test_list_follows_next_links_on_the_configured_base(fake):
    client = TPStreams({"organization_id": ORG, "api_token": TOKEN}, base_url="http://127.0.0.1:9999",
                       session=fake.session(), environ={})
    local = f"http://127.0.0.1:9999/api/v1/{ORG}/assets/live_streams/"
    fake.expect("GET", local, json={
        "count": 3, "next": f"https://app.tpstreams.com/api/v1/{ORG}/assets/live_streams/?page=2",
        "previous": None, "results": [_asset("a1", "Not Started"), _asset("a2", "Streaming", key=False)]})
    fake.expect("GET", local + "?page=2", json={
        "count": 3, "next": None, "previous": local, "results": [SCHEDULE_RESPONSE]})
    streams = client.list()
    assert [s.id for s in streams] == ["a1", "a2", "AuC9yX2EtBr"]
    assert streams[0].ingest_ready and streams[0].status is StreamStatus.NOT_STARTED  # key before the status
    assert not streams[1].ingest_ready
    assert all(r.headers["Authorization"] == f"Token {TOKEN}" for r in fake.requests)


def test_list_stops_on_a_next_link_it_has_already_followed(fake, tp):
    page = f"{API}/assets/live_streams/?page=2"
    fake.expect("GET", f"{API}/assets/live_streams/", json={"next": page, "results": []})
    fake.expect("GET", page, json={"next": page, "results": [CREATE_RESPONSE]})
    assert [s.id for s in tp.list()] == ["4PtERT9d9uK"]


def test_end_stops_the_stream(fake, tp):
    fake.expect("POST", f"{API}/assets/4PtERT9d9uK/stop_live_stream/",
                json={"message": "Live stream stopped successfully", "trim_scheduled": False})
    result = tp.end("4PtERT9d9uK")
    assert result.ended and result.message == "Live stream stopped successfully"
    assert fake.requests[0].headers["Authorization"] == f"Token {TOKEN}"


def test_end_is_retried_after_a_lost_answer(fake, tp, sleeps):
    fake.expect("POST", f"{API}/assets/4PtERT9d9uK/stop_live_stream/", raises=read_timeout_error())
    fake.expect("POST", f"{API}/assets/4PtERT9d9uK/stop_live_stream/", json={"message": "ok"})
    assert tp.end("4PtERT9d9uK").ended
    assert len(sleeps) == 1


def test_ending_an_already_stopped_stream_has_nothing_to_end(fake, tp):
    fake.expect("POST", f"{API}/assets/4PtERT9d9uK/stop_live_stream/", status=400,
                json={"detail": "Live stream is not running."})
    fake.expect("GET", f"{API}/assets/4PtERT9d9uK/", json=STOP_WEBHOOK)
    result = tp.end("4PtERT9d9uK")
    assert not result.ended
    assert "already Completed" in result.message and "Live stream is not running" in result.message


def test_a_refused_end_of_a_running_stream_is_raised(fake, tp):
    fake.expect("POST", f"{API}/assets/4PtERT9d9uK/stop_live_stream/", status=400,
                json={"detail": "Cannot stop now."})
    fake.expect("GET", f"{API}/assets/4PtERT9d9uK/", json=_asset("4PtERT9d9uK", "Not Started"))
    with pytest.raises(InvalidRequestError) as info:
        tp.end("4PtERT9d9uK")
    assert "Cannot stop now" in str(info.value)


def test_delete_sends_delete_and_accepts_204(fake, tp):
    fake.expect("DELETE", f"{API}/assets/4PtERT9d9uK/", status=204)
    assert tp.delete("4PtERT9d9uK") is None
    assert fake.requests[0].method == "DELETE"


def test_check_credentials_reads_the_first_page_only(fake, tp):
    fake.expect("GET", f"{API}/assets/live_streams/",
                json={"count": 99, "next": f"{API}/assets/live_streams/?page=2", "results": []})
    tp.check_credentials()


def test_stream_ids_cannot_escape_the_path(fake, tp):
    fake.expect("GET", f"{API}/assets/..%2Fwebhooks/", json=CREATE_RESPONSE)
    tp.get("../webhooks")
    with pytest.raises(ConfigurationError):
        tp.get(" ")


# ---------------------------------------------------------------------------- errors


def test_a_rejected_token_says_what_to_check(fake, tp):
    fake.expect("GET", f"{API}/assets/live_streams/", status=401, json={"detail": "Invalid token."})
    with pytest.raises(AuthenticationError) as info:
        tp.check_credentials()
    assert str(info.value).startswith("TP Streams rejected the API token (401: Invalid token): "
                                      "check the organization ID and token")


def test_a_forbidden_call_is_permission_denied(fake, tp):
    fake.expect("POST", f"{API}/assets/live_streams/", status=403,
                json={"detail": "You do not have permission to perform this action."})
    with pytest.raises(PermissionDeniedError) as info:
        tp.create("Class")
    assert "TP Streams refused the request (403" in str(info.value)


def test_an_unknown_stream_is_not_found(fake, tp):
    fake.expect("GET", f"{API}/assets/nope/", status=404, json={"detail": "Not found."})
    with pytest.raises(NotFoundError) as info:
        tp.get("nope")
    assert "TP Streams has no such live stream nope (404: Not found)" in str(info.value)
    assert "organization ID" in str(info.value)


def test_field_errors_are_reported_per_field(fake, tp):
    fake.expect("POST", f"{API}/assets/live_streams/", status=400,
                json={"start": ["Datetime has wrong format."], "latency": ['"x" is not a valid choice.']})
    with pytest.raises(InvalidRequestError) as info:
        tp.create("Class", start=datetime(2030, 1, 1))
    assert info.value.field_errors == {"start": ["Datetime has wrong format."],
                                       "latency": ['"x" is not a valid choice.']}
    assert "start: Datetime has wrong format." in str(info.value)


def test_a_rate_limited_get_is_retried_after_the_asked_delay(fake, tp, sleeps):
    fake.expect("GET", f"{API}/assets/a1/", status=429, headers={"Retry-After": "3"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    tp.get("a1")
    assert sleeps == [3.0]


def test_a_rate_limited_create_is_sent_again_after_retry_after(fake, tp, sleeps):
    fake.expect("POST", f"{API}/assets/live_streams/", status=429, headers={"Retry-After": "3"})
    fake.expect("POST", f"{API}/assets/live_streams/", status=201, json=CREATE_RESPONSE)
    assert tp.create("Class").id == "4PtERT9d9uK"
    assert sleeps == [3.0]


@pytest.mark.parametrize("status", [500, 503])
def test_a_get_is_retried_after_a_server_error(fake, tp, sleeps, status):
    fake.expect("GET", f"{API}/assets/a1/", status=status)
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    assert tp.get("a1").id == "4PtERT9d9uK"


@pytest.mark.parametrize("status", [500, 503])
def test_it_never_retries_create_after_a_server_error(fake, tp, sleeps, status):
    fake.expect("POST", f"{API}/assets/live_streams/", status=status, json={"detail": "boom"})
    with pytest.raises(ProviderServerError):
        tp.create("Class")
    assert len(fake.requests) == 1 and sleeps == []


def test_it_never_retries_create_after_read_timeout(fake, tp, sleeps):
    fake.expect("POST", f"{API}/assets/live_streams/", raises=read_timeout_error())
    with pytest.raises(NoResponseError) as info:
        tp.create("Class")
    assert len(fake.requests) == 1 and sleeps == []
    assert "check TP Streams before repeating it" in str(info.value)


def test_it_retries_create_when_the_connection_was_refused(fake, tp, sleeps):
    fake.expect("POST", f"{API}/assets/live_streams/", raises=connection_refused_error())
    fake.expect("POST", f"{API}/assets/live_streams/", status=201, json=CREATE_RESPONSE)
    assert tp.create("Class").id == "4PtERT9d9uK"


def test_malformed_json_is_an_unexpected_response(fake, tp):
    fake.expect("GET", f"{API}/assets/a1/", body="<html>oops</html>")
    with pytest.raises(UnexpectedResponseError):
        tp.get("a1")


@pytest.mark.parametrize("body", [[], {"id": "a1"}, {"live_stream": {}}, {"id": "a1", "live_stream": None}])
def test_an_asset_of_the_wrong_shape_is_an_unexpected_response(fake, tp, body):
    fake.expect("GET", f"{API}/assets/a1/", json=body)
    with pytest.raises(UnexpectedResponseError) as info:
        tp.get("a1")
    assert "TP Streams sent an answer obs-livestream does not understand" in str(info.value)


def test_a_list_without_results_is_an_unexpected_response(fake, tp):
    fake.expect("GET", f"{API}/assets/live_streams/", json={"count": 0})
    with pytest.raises(UnexpectedResponseError):
        tp.list()


# ---------------------------------------------------------------------------- login tokens


def test_it_logs_in_once_and_sends_the_token(fake, cache):
    client = _login_client(fake, cache)
    fake.expect("POST", LOGIN, json={"token": "login-token-aaaa1111"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    client.get("a1")
    client.get("a1")
    login, first, second = fake.requests
    assert login.json == {"username": USERNAME, "password": PASSWORD, "organization_id": ORG}
    assert "Authorization" not in login.headers
    assert login.headers["Content-Type"] == "application/json"
    assert first.headers["Authorization"] == second.headers["Authorization"] == "Token login-token-aaaa1111"


def test_the_login_token_is_reused_across_client_instances_and_processes(fake, cache):
    fake.expect("POST", LOGIN, json={"token": "login-token-bbbb2222"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, cache).get("a1")
    forget_memory()  # a new process: only the file remains
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, TokenCache(cache.path)).get("a1")
    assert [r.path for r in fake.requests].count("/api/auth/login/") == 1
    assert fake.requests[-1].headers["Authorization"] == "Token login-token-bbbb2222"


def test_the_token_cache_file_is_private(fake, cache):
    fake.expect("POST", LOGIN, json={"token": "login-token-cccc3333"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, cache).get("a1")
    assert stat.S_IMODE(os.stat(cache.path).st_mode) == 0o600
    saved = json.loads(cache.path.read_text())
    assert list(saved["tokens"].values()) == ["login-token-cccc3333"]
    assert PASSWORD not in cache.path.read_text()


def test_the_token_cache_lives_in_the_state_dir(tmp_path):
    assert TokenCache(environ={"OBS_LIVESTREAM_STATE_DIR": str(tmp_path)}).path == tmp_path / "tokens.json"


def _key(cache, password=PASSWORD):
    return cache.key_for(BASE, ORG, USERNAME, password)


def test_a_cached_token_refused_with_401_triggers_one_new_login(fake, cache):
    cache.put(_key(cache), "revoked-token-dddd")
    fake.expect("GET", f"{API}/assets/a1/", status=401, json={"detail": "Invalid token."})
    fake.expect("POST", LOGIN, json={"token": "fresh-token-eeee5555"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, cache).get("a1")
    assert fake.requests[0].headers["Authorization"] == "Token revoked-token-dddd"
    assert fake.requests[2].headers["Authorization"] == "Token fresh-token-eeee5555"
    assert cache.get(_key(cache)) == "fresh-token-eeee5555"


def test_a_fresh_login_token_refused_with_401_is_not_retried(fake, cache):
    fake.expect("POST", LOGIN, json={"token": "fresh-token-ffff6666"})
    fake.expect("GET", f"{API}/assets/a1/", status=401, json={"detail": "Invalid token."})
    with pytest.raises(AuthenticationError) as info:
        _login_client(fake, cache).get("a1")
    assert "TPSTREAMS_USERNAME" in str(info.value)


def test_a_second_401_after_logging_in_again_is_raised(fake, cache):
    cache.put(_key(cache), "old-token-gggg")
    fake.expect("GET", f"{API}/assets/a1/", status=401, json={"detail": "Invalid token."})
    fake.expect("POST", LOGIN, json={"token": "new-token-hhhh"})
    fake.expect("GET", f"{API}/assets/a1/", status=401, json={"detail": "Invalid token."})
    with pytest.raises(AuthenticationError):
        _login_client(fake, cache).get("a1")


@pytest.mark.parametrize("field", ["auth_token", "key"])
def test_it_accepts_other_names_for_the_login_token(fake, cache, field):
    fake.expect("POST", LOGIN, json={field: "tok-from-" + field})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, cache).get("a1")
    assert fake.requests[1].headers["Authorization"] == f"Token tok-from-{field}"


def test_a_login_answer_without_a_token_is_an_unexpected_response(fake, cache):
    fake.expect("POST", LOGIN, json={"user": USERNAME})
    with pytest.raises(UnexpectedResponseError):
        _login_client(fake, cache).get("a1")


def test_a_refused_login_is_an_authentication_error_without_the_password(fake, cache):
    fake.expect("POST", LOGIN, status=400,
                json={"non_field_errors": ["Unable to log in with provided credentials."]})
    with pytest.raises(AuthenticationError) as info:
        _login_client(fake, cache).get("a1")
    text = str(info.value)
    assert "TP Streams refused the login (400: Unable to log in with provided credentials)" in text
    assert "TPSTREAMS_PASSWORD" in text and PASSWORD not in text


def test_a_login_is_never_retried_after_a_server_error(fake, cache):
    sleeps: list[float] = []
    fake.expect("POST", LOGIN, status=503)
    with pytest.raises(ProviderServerError):
        _login_client(fake, cache, sleeps).get("a1")
    assert sleeps == []


# ---------------------------------------------------------------------------- secrets


def test_no_secret_reaches_a_message_a_repr_or_a_log(fake, cache, caplog):
    secrets.register(STREAM_KEY)
    client = _login_client(fake, cache)
    echo = {"detail": f"bad token {TOKEN} for {PASSWORD} with key {STREAM_KEY}"}
    fake.expect("POST", LOGIN, json={"token": TOKEN})
    fake.expect("GET", f"{API}/assets/a1/", json=AVAILABLE_WEBHOOK)
    fake.expect("GET", f"{API}/assets/a1/", status=503, json=echo)
    fake.expect("GET", f"{API}/assets/a1/", status=403, json=echo)
    with caplog.at_level(logging.DEBUG):
        stream = client.get("a1")
        with pytest.raises(PermissionDeniedError) as info:
            client.get("a1")
        logging.getLogger("test").info("stream %s via %r creds %r", stream, client, client.credentials)
    shown = [str(info.value), repr(info.value), info.value.provider_message or "", repr(stream), str(stream),
             str(stream.display()), repr(client), repr(client.credentials), caplog.text]
    for text in shown:
        for secret in (TOKEN, PASSWORD, STREAM_KEY):
            assert secret not in text


# ---------------------------------------------------------------------------- token cache and passwords


def _login_client_with(fake, cache, password):
    return TPStreams({"organization_id": ORG, "username": USERNAME, "password": password},
                     session=fake.session(), token_cache=cache, environ={})


def test_a_wrong_password_never_gets_the_cached_token(fake, cache):
    fake.expect("POST", LOGIN, json={"token": "right-token-1111"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, cache).get("a1")
    # Same user, wrong password, another process: it must log in (and be refused),
    # not ride on the token the right password obtained.
    forget_memory()
    fake.expect("POST", LOGIN, status=400, json={"non_field_errors": ["Unable to log in with provided credentials."]})
    with pytest.raises(AuthenticationError):
        _login_client_with(fake, TokenCache(cache.path), "wrong-password-0000").get("a1")
    assert fake.requests[-1].json["password"] == "wrong-password-0000"
    # The right password still finds its token without a new login.
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, TokenCache(cache.path)).get("a1")
    assert fake.requests[-1].headers["Authorization"] == "Token right-token-1111"


def test_the_cache_holds_a_salted_fingerprint_never_the_password(fake, cache):
    import hashlib

    fake.expect("POST", LOGIN, json={"token": "right-token-2222"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, cache).get("a1")
    text = cache.path.read_text()
    saved = json.loads(text)
    (key,) = saved["tokens"]
    assert key.startswith(f"{BASE}|{ORG}|{USERNAME}|")
    assert PASSWORD not in text
    fingerprint = key.rsplit("|", 1)[1]
    for unsalted in (hashlib.sha256(PASSWORD.encode()).hexdigest(), hashlib.md5(PASSWORD.encode()).hexdigest()):
        assert fingerprint not in unsalted
    # Another cache file has another salt: the same password gives another key.
    other = TokenCache(cache.path.parent / "other.json")
    assert other.key_for(BASE, ORG, USERNAME, PASSWORD) != key
    assert TokenCache(cache.path).key_for(BASE, ORG, USERNAME, PASSWORD) == key


def test_a_new_password_replaces_the_old_token_in_the_file(fake, cache):
    fake.expect("POST", LOGIN, json={"token": "old-password-token"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client_with(fake, cache, "old-password-9999").get("a1")
    fake.expect("POST", LOGIN, json={"token": "new-password-token"})
    fake.expect("GET", f"{API}/assets/a1/", json=CREATE_RESPONSE)
    _login_client(fake, cache).get("a1")
    assert list(json.loads(cache.path.read_text())["tokens"].values()) == ["new-password-token"]


# ---------------------------------------------------------------------------- error bodies (DRF)


def test_it_reads_drf_field_errors_including_nested_ones():
    from livestream.providers.tpstreams import parse_error_body

    message, fields = parse_error_body({
        "title": ["This field is required."],
        "live_stream": {"start": ["Enter a valid date/time."]},
        "non_field_errors": ["Unable to log in with provided credentials."],
    })
    assert message == "Unable to log in with provided credentials"
    assert fields == {"title": ["This field is required."], "live_stream.start": ["Enter a valid date/time."]}


def test_a_drf_field_error_is_named_in_the_message(fake, tp):
    fake.expect("POST", f"{BASE}/api/v1/{ORG}/assets/live_streams/", status=400,
                json={"latency": ['"Fast" is not a valid choice.']})
    with pytest.raises(InvalidRequestError) as info:
        tp.create("Class", options={"latency": "Low Latency"})
    assert 'latency: "Fast" is not a valid choice.' in str(info.value)


class TestTPStreamsContract(ProviderContract):
    """The shared provider tests (tests/providers/contract.py), with the API token."""

    provider = TPStreams
    credentials = {"organization_id": ORG, "api_token": TOKEN}
    stream_id = "4PtERT9d9uK"
    get_url = f"{API}/assets/4PtERT9d9uK/"
    statuses = {"Not Started": StreamStatus.NOT_STARTED, "Streaming": StreamStatus.LIVE,
                "Disconnected": StreamStatus.DISCONNECTED, "Stopped": StreamStatus.ENDED}
    map_status = staticmethod(map_status)
