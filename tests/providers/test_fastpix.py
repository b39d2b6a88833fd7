"""FastPix client: requests as documented, replies parsed, errors mapped.

Documented by FastPix's OpenAPI spec,
https://github.com/FastPix/fastpix-python/blob/v1.1.3/fastpix_python/fastpix.yaml,
and its SDK page for createNewStream,
https://github.com/FastPix/node-sdk/blob/v2.0.0/docs/sdks/startlivestream/README.md.
"""

from __future__ import annotations

import base64
import copy
import logging

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
    RateLimitedError,
    UnexpectedResponseError,
)
from livestream.models import StreamStatus
from livestream.providers.fastpix import (
    RTMPS_SERVER,
    SRT_SERVER,
    FastPix,
    map_status,
    parse_stream,
)
from tests.fakehttp import (
    connection_reset_error,
    read_timeout_error,
)
from tests.providers.contract import ProviderContract

TOKEN_ID = "fp-token-id-5f2c7a"
SECRET_KEY = "fp-secret-key-9d8e7f6a5b4c"
STREAM_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
SRT_SECRET = "srt-passphrase-0f1e2d3c4b5a"
STREAM_ID = "8717422d89288ad5958d4a86e9afe2a2"
BASE = "https://api.fastpix.com"
STREAMS = f"{BASE}/v1/live/streams"
BASIC = "Basic " + base64.b64encode(f"{TOKEN_ID}:{SECRET_KEY}".encode()).decode()

# The stream object of the OpenAPI spec (every documented field), as create returns it.
STREAM = {
    "streamId": STREAM_ID,
    "streamKey": STREAM_KEY,
    "srtSecret": SRT_SECRET,
    "trial": False,
    "status": "idle",
    "maxResolution": "1080p",
    "maxDuration": 28800,
    "createdAt": "2024-11-05T10:20:30.123456Z",
    "reconnectWindow": 60,
    "enableRecording": True,
    "enableDvrMode": False,
    "lowLatency": False,
    "closedCaptions": False,
    "mediaPolicy": "public",
    "metadata": {"livestream_name": "fastpix_livestream"},
    "playbackIds": [{"id": "e1e6a34c-5e0c-4b5f-9c4a-0f6b2b5b7c1d", "accessPolicy": "public",
                     "accessRestrictions": {"domains": {"defaultPolicy": "allow", "allow": [], "deny": []}}}],
    "mediaIds": [],
    "srtPlaybackResponse": {"srtPlaybackStreamId": "pb-stream", "srtPlaybackSecret": "pb-secret"},
    "simulcastResponses": [],
}
CREATED = {"success": True, "data": STREAM}
# Verbatim, as the live API answered it: https://github.com/FastPix/node-sdk/blob/V2.0.6/tests/NON_GET_ENDPOINTS_VALIDATION_REPORT.md
FINISH_NOT_ACTIVE = {
    "success": False,
    "error": {"code": 400, "message": "stream cannot be completed",
              "description": "Only active streams can be marked as completed."},
}
# The SDK page's createNewStream example request, as this client's options.
DOC_EXAMPLE_OPTIONS = {"access_policy": "public", "media_policy": "public", "livestream_name": "fastpix_livestream",
                "enable_dvr": True}


def _stream(stream_id: str = STREAM_ID, status: str = "idle", **changes) -> dict:
    data = copy.deepcopy(STREAM)
    data.update(streamId=stream_id, status=status, **changes)
    return data


def _page(items, total=None):
    body = {"success": True, "data": items}
    if total is not None:
        body["pagination"] = {"totalRecords": total, "currentOffset": 1, "offsetCount": 1}
    return body


@pytest.fixture
def fp(fake, sleeps):
    client = FastPix({"access_token_id": TOKEN_ID, "secret_key": SECRET_KEY}, session=fake.session(),
                     sleep=sleeps.append, environ={})
    yield client
    client.close()


# ---------------------------------------------------------------------------- registry and config


def test_it_is_registered_as_fastpix():
    cls = providers.get("fastpix")
    assert cls is FastPix
    assert (cls.display_name, cls.supports_scheduling, cls.default_base_url, cls.base_url_env) == (
        "FastPix", False, "https://api.fastpix.com", "FASTPIX_API_BASE_URL")


@pytest.mark.parametrize("env, named", [
    ({}, ["FASTPIX_ACCESS_TOKEN_ID", "FASTPIX_SECRET_KEY"]),
    ({"FASTPIX_ACCESS_TOKEN_ID": TOKEN_ID}, ["FASTPIX_SECRET_KEY"]),
    ({"FASTPIX_SECRET_KEY": SECRET_KEY, "FASTPIX_ACCESS_TOKEN_ID": " "}, ["FASTPIX_ACCESS_TOKEN_ID"]),
])
def test_missing_environment_variables_are_named(env, named):
    with pytest.raises(ConfigurationError) as info:
        FastPix.credentials_from_env(env)
    for name in named:
        assert name in str(info.value)
    assert SECRET_KEY not in str(info.value)


def test_the_base_url_comes_from_the_environment_when_not_given(fake):
    client = FastPix({"access_token_id": TOKEN_ID, "secret_key": SECRET_KEY}, session=fake.session(),
                     environ={"FASTPIX_API_BASE_URL": "http://127.0.0.1:8766"})
    fake.expect("GET", f"http://127.0.0.1:8766/v1/live/streams/{STREAM_ID}", json=CREATED)
    client.get(STREAM_ID)


@pytest.mark.parametrize("options, problem", [
    ({"reconnect_window": 1801}, "reconnect_window"),
    ({"reconnect_window": -1}, "reconnect_window"),
    ({"access_policy": "drm"}, "access_policy"),
    ({"max_resolution": "4k"}, "max_resolution"),
    ({"protocol": "webrtc"}, "protocol"),
    ({"latency": "low"}, "latency"),
    ({"metadata": {f"k{i}": "v" for i in range(10)}}, "at most 10 entries"),
    ({"livestream_name": "x" * 256}, "livestream_name"),
])
def test_bad_options_are_a_configuration_error_before_any_request(fp, options, problem):
    with pytest.raises(ConfigurationError) as info:
        fp.create("Game night", options=options)
    assert problem in str(info.value)


def test_it_cannot_schedule(fp):
    from datetime import datetime

    with pytest.raises(ConfigurationError):
        fp.create("Later", start=datetime(2030, 1, 1))


# ---------------------------------------------------------------------------- create


def test_create_posts_the_documented_body_with_basic_auth(fake, fp):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    stream = fp.create("Game night")
    sent = fake.requests[0]
    assert sent.method == "POST" and sent.path == "/v1/live/streams"
    assert sent.headers["Authorization"] == BASIC
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json == {
        "playbackSettings": {"accessPolicy": "public"},
        "inputMediaSettings": {"maxResolution": "1080p", "reconnectWindow": 60, "mediaPolicy": "public",
                               "metadata": {"livestream_name": "Game night"}, "enableDvrMode": False,
                               "enableRecording": True},
    }
    assert stream.id == STREAM_ID and stream.provider == "fastpix"
    assert stream.status is StreamStatus.NOT_STARTED and stream.provider_status == "idle"
    assert stream.ingest.protocol == "rtmps" and stream.ingest.server == RTMPS_SERVER
    assert stream.ingest.obs_service_settings() == {"server": "rtmps://live.fastpix.com:443/live", "key": STREAM_KEY}
    assert stream.playback_url == "https://stream.fastpix.com/e1e6a34c-5e0c-4b5f-9c4a-0f6b2b5b7c1d.m3u8"
    assert stream.title == "fastpix_livestream" and stream.recording_url is None
    assert stream.created_at.year == 2024


def test_create_sends_options_in_camel_case(fake, fp):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    fp.create("Finals", options={"access_policy": "PRIVATE", "max_resolution": "720p", "reconnect_window": 1800,
                                 "media_policy": "private", "enable_dvr": True, "enable_recording": False,
                                 "metadata": {"event": "finals"}})
    assert fake.requests[0].json == {
        "playbackSettings": {"accessPolicy": "private"},
        "inputMediaSettings": {"maxResolution": "720p", "reconnectWindow": 1800, "mediaPolicy": "private",
                               "metadata": {"event": "finals", "livestream_name": "Finals"},
                               "enableDvrMode": True, "enableRecording": False},
    }


def test_create_tags_the_stream_so_a_lost_answer_can_be_found_again(fake, fp):
    tagged = {**CREATED, "data": {**CREATED["data"], "metadata": {"livestream_name": "Finals",
                                                                  "obs_livestream_ref": "a1b2c3"}}}
    fake.expect("POST", STREAMS, status=201, json=tagged)
    stream = fp.create("Finals", reference="a1b2c3")
    assert fake.requests[0].json["inputMediaSettings"]["metadata"] == {
        "livestream_name": "Finals", "obs_livestream_ref": "a1b2c3"}
    assert stream.reference == "a1b2c3"


def test_create_accepts_the_documented_example(fake, fp):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    fp.create("ignored title", options=DOC_EXAMPLE_OPTIONS)
    body = fake.requests[0].json
    assert body["playbackSettings"] == {"accessPolicy": "public"}
    assert body["inputMediaSettings"]["metadata"] == {"livestream_name": "fastpix_livestream"}
    assert body["inputMediaSettings"]["enableDvrMode"] is True


def test_an_srt_stream_gets_an_srt_ingest(fake, fp):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    stream = fp.create("Over SRT", options={"protocol": "srt"})
    assert "protocol" not in str(fake.requests[0].json)
    assert stream.ingest.protocol == "srt" and stream.ingest.server == SRT_SERVER
    # The passphrase goes to OBS as the service password, never in the URL OBS logs.
    assert stream.ingest.obs_service_settings() == {
        "server": f"srt://live.fastpix.com:778?streamid={STREAM_ID}", "key": "",
        "use_auth": True, "username": "", "password": SRT_SECRET}
    assert fp.get(STREAM_ID).ingest.protocol == "srt"  # remembered for later reads


def test_the_ingest_and_playback_urls_can_point_at_a_sandbox(fake):
    client = FastPix({"access_token_id": TOKEN_ID, "secret_key": SECRET_KEY}, session=fake.session(),
                     base_url="http://127.0.0.1:8080", ingest_rtmps_url="rtmp://127.0.0.1:1935/live",
                     environ={"FASTPIX_PLAYBACK_URL_TEMPLATE": "http://127.0.0.1:8080/hls/{playback_id}.m3u8"})
    fake.expect("POST", "http://127.0.0.1:8080/v1/live/streams", status=201, json=CREATED)
    stream = client.create("Local")
    assert stream.ingest.protocol == "rtmp" and stream.ingest.server == "rtmp://127.0.0.1:1935/live"
    assert stream.playback_url == "http://127.0.0.1:8080/hls/e1e6a34c-5e0c-4b5f-9c4a-0f6b2b5b7c1d.m3u8"


def test_the_ingest_urls_can_come_from_the_environment():
    client = FastPix({"access_token_id": TOKEN_ID, "secret_key": SECRET_KEY}, environ={
        "FASTPIX_INGEST_RTMPS_URL": "rtmp://127.0.0.1:1935/live", "FASTPIX_INGEST_SRT_URL": "srt://127.0.0.1:9000"})
    assert (client.rtmps_server, client.srt_server) == ("rtmp://127.0.0.1:1935/live", "srt://127.0.0.1:9000")
    client.close()


@pytest.mark.parametrize("kwargs", [{"ingest_rtmps_url": "http://x/live"}, {"ingest_srt_url": "rtmp://x"},
                                    {"playback_url_template": "https://x/{id}.m3u8"},
                                    {"playback_url_template": "https://x/static.m3u8"}, {"protocol": "webrtc"}])
def test_bad_ingest_or_playback_overrides_are_refused(kwargs):
    with pytest.raises(ConfigurationError):
        FastPix({"access_token_id": TOKEN_ID, "secret_key": SECRET_KEY}, environ={}, **kwargs)


def test_it_never_retries_create_after_read_timeout(fake, fp, sleeps):
    fake.expect("POST", STREAMS, raises=read_timeout_error())
    with pytest.raises(NoResponseError):
        fp.create("Game night")
    assert len(fake.requests) == 1 and sleeps == []


@pytest.mark.parametrize("status", [500, 503])
def test_it_never_retries_create_after_a_server_error(fake, fp, sleeps, status):
    fake.expect("POST", STREAMS, status=status, json={"success": False, "error": {"code": status, "message": "x"}})
    with pytest.raises(ProviderServerError):
        fp.create("Game night")
    assert len(fake.requests) == 1 and sleeps == []


def test_it_never_retries_create_after_429(fake, fp, sleeps):
    fake.expect("POST", STREAMS, status=429, headers={"Retry-After": "60"})
    with pytest.raises(RateLimitedError) as info:
        fp.create("Game night")
    assert info.value.retry_after == 60.0 and sleeps == []


# ---------------------------------------------------------------------------- other operations


@pytest.mark.parametrize("word, status", [
    ("idle", StreamStatus.NOT_STARTED), ("preparing", StreamStatus.CONNECTING), ("active", StreamStatus.LIVE),
    ("disabled", StreamStatus.DISABLED), ("ACTIVE", StreamStatus.LIVE), ("paused", StreamStatus.UNKNOWN),
    (None, StreamStatus.UNKNOWN)])
def test_status_words_map_to_stream_statuses(fake, fp, word, status):
    assert map_status(word) is status
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json={"success": True, "data": _stream(status=word)})
    stream = fp.get(STREAM_ID)
    assert stream.status is status and stream.provider_status == word
    assert stream.ingest_ready  # FastPix: ready from the start


def test_list_walks_every_page_with_one_based_offsets(fake, fp):
    fake.expect("GET", f"{STREAMS}?limit=50&offset=1&orderBy=desc",
                json=_page([_stream(f"s{i}") for i in range(50)], total=52))
    fake.expect("GET", f"{STREAMS}?limit=50&offset=2&orderBy=desc", json=_page([_stream("s50"), _stream("s51")], 52))
    streams = fp.list()
    assert [s.id for s in streams] == [f"s{i}" for i in range(52)]
    assert all(r.headers["Authorization"] == BASIC for r in fake.requests)


def test_list_without_pagination_stops_at_a_short_page(fake, fp):
    fake.expect("GET", f"{STREAMS}?limit=50&offset=1&orderBy=desc", json=_page([_stream(f"s{i}") for i in range(50)]))
    fake.expect("GET", f"{STREAMS}?limit=50&offset=2&orderBy=desc", json=_page([_stream("last")]))
    assert len(fp.list()) == 51


def test_list_stops_at_an_empty_page(fake, fp):
    fake.expect("GET", f"{STREAMS}?limit=50&offset=1&orderBy=desc", json=_page([], total=0))
    assert fp.list() == []


def test_end_finishes_an_active_stream(fake, fp):
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/finish", json={"success": True})
    result = fp.end(STREAM_ID)
    assert result.ended and "finished" in result.message
    assert fake.requests[0].body is None and fake.requests[0].headers["Authorization"] == BASIC


def test_ending_a_stream_that_is_not_active_has_nothing_to_end(fake, fp):
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/finish", status=400, json=FINISH_NOT_ACTIVE)
    result = fp.end(STREAM_ID)
    assert not result.ended
    assert "nothing to end" in result.message and "stream cannot be completed" in result.message


def test_end_is_retried_after_a_lost_connection(fake, fp, sleeps):
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/finish", raises=connection_reset_error())
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/finish", json={"success": True})
    assert fp.end(STREAM_ID).ended and len(sleeps) == 1


def test_end_of_an_unknown_stream_is_not_found(fake, fp):
    fake.expect("PUT", f"{STREAMS}/nope/finish", status=404,
                json={"success": False, "error": {"code": 404, "message": "Stream not found"}})
    with pytest.raises(NotFoundError) as info:
        fp.end("nope")
    assert "FastPix has no such live stream nope (404: Stream not found)" in str(info.value)


def test_delete_sends_delete(fake, fp):
    fake.expect("DELETE", f"{STREAMS}/{STREAM_ID}", json={"success": True})
    assert fp.delete(STREAM_ID) is None


def test_enable_and_disable_use_their_put_paths(fake, fp):
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/live-enable", json={"success": True})
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/live-disable", json={"success": True})
    fp.enable(STREAM_ID)
    fp.disable(STREAM_ID)
    assert [r.method for r in fake.requests] == ["PUT", "PUT"]


def test_start_only_reads_an_enabled_stream(fake, fp):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    assert fp.start(STREAM_ID).status is StreamStatus.NOT_STARTED


def test_start_enables_a_disabled_stream(fake, fp):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json={"success": True, "data": _stream(status="disabled")})
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/live-enable", json={"success": True})
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    assert fp.start(STREAM_ID).status is StreamStatus.NOT_STARTED


def test_check_credentials_asks_for_one_stream(fake, fp):
    fake.expect("GET", f"{STREAMS}?limit=1&offset=1&orderBy=desc", json=_page([], total=0))
    fp.check_credentials()


# ---------------------------------------------------------------------------- errors


def test_a_rejected_access_token_says_what_to_check(fake, fp):
    fake.expect("GET", f"{STREAMS}?limit=1&offset=1&orderBy=desc", status=401, json={
        "success": False, "error": {"code": 401, "message": "Unauthorized", "description": "Invalid credentials"}})
    with pytest.raises(AuthenticationError) as info:
        fp.check_credentials()
    assert str(info.value).startswith(
        "FastPix rejected the access token (401: Unauthorized: Invalid credentials): "
        "check the access token ID and secret key")


def test_a_token_without_permission_is_told_which_permission(fake, fp):
    fake.expect("POST", STREAMS, status=403, json={
        "success": False, "error": {"code": 403, "message": "Forbidden",
                                    "description": "The access token does not have permission"}})
    with pytest.raises(PermissionDeniedError) as info:
        fp.create("x")
    assert "Read and Write" in str(info.value)


def test_a_422_reports_each_field(fake, fp):
    fake.expect("POST", STREAMS, status=422, json={
        "success": False, "error": {"code": 422, "message": "Validation error",
                                    "fields": [{"field": "inputMediaSettings.maxResolution",
                                                "message": "must be one of 1080p, 720p, 480p"}]}})
    with pytest.raises(InvalidRequestError) as info:
        fp.create("x")
    assert info.value.field_errors == {"inputMediaSettings.maxResolution": ["must be one of 1080p, 720p, 480p"]}


def test_a_422_in_the_legacy_errors_list_is_read_too(fake, fp):
    fake.expect("GET", f"{STREAMS}?limit=50&offset=1&orderBy=desc", status=422, json={
        "success": False, "errors": [{"field": "offset", "message": "offset must be at least 1"}]})
    with pytest.raises(InvalidRequestError) as info:
        fp.list()
    assert info.value.field_errors == {"offset": ["offset must be at least 1"]}


def test_a_rate_limited_get_waits_as_asked_then_retries(fake, fp, sleeps):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", status=429, headers={"Retry-After": "2"})
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    fp.get(STREAM_ID)
    assert sleeps == [2.0]


@pytest.mark.parametrize("status", [500, 503])
def test_a_get_is_retried_after_a_server_error(fake, fp, sleeps, status):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", status=status)
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    fp.get(STREAM_ID)
    assert len(sleeps) == 1


def test_a_get_that_times_out_four_times_is_no_response(fake, fp, sleeps):
    for _ in range(4):
        fake.expect("GET", f"{STREAMS}/{STREAM_ID}", raises=read_timeout_error())
    with pytest.raises(NoResponseError) as info:
        fp.get(STREAM_ID)
    assert "FastPix did not answer within 20 s" in str(info.value) and len(sleeps) == 3


def test_malformed_json_is_an_unexpected_response(fake, fp):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", body='{"success": true, "data": ')
    with pytest.raises(UnexpectedResponseError):
        fp.get(STREAM_ID)


@pytest.mark.parametrize("body", [
    {"success": True, "data": []}, {"success": True}, {"success": False, "data": STREAM}, [STREAM],
    {"success": True, "data": {"status": "idle"}}, {"success": True, "data": _stream(srtSecret=None)}])
def test_a_body_of_the_wrong_shape_is_an_unexpected_response(fake, fp, body):
    fp.protocol = "srt"  # so a missing srtSecret matters
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=body)
    with pytest.raises(UnexpectedResponseError) as info:
        fp.get(STREAM_ID)
    assert "FastPix sent an answer obs-livestream does not understand" in str(info.value)


def test_parse_stream_reads_the_webhook_misspelling_of_srt_secret():
    data = _stream(srtSecret=None, srtSecert=SRT_SECRET)
    assert parse_stream(data, protocol="srt").ingest.srt_passphrase.get_secret_value() == SRT_SECRET


# ---------------------------------------------------------------------------- secrets


def test_no_secret_reaches_a_message_a_repr_or_a_log(fake, fp, caplog):
    echo = {"success": False, "error": {"code": 401, "message": f"bad {TOKEN_ID}:{SECRET_KEY}",
                                        "description": f"{BASIC} key {STREAM_KEY} srt {SRT_SECRET}"}}
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", status=502, json=echo)
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", status=401, json=echo)
    with caplog.at_level(logging.DEBUG):
        stream = fp.create("x", options={"protocol": "srt"})
        with pytest.raises(AuthenticationError) as info:
            fp.get(STREAM_ID)
        logging.getLogger("test").info("stream %s via %r creds %r", stream, fp, fp.credentials)
    shown = [str(info.value), repr(info.value), info.value.provider_message or "", repr(stream), str(stream),
             str(stream.display()), repr(fp), repr(fp.credentials), caplog.text]
    for text in shown:
        for secret in (SECRET_KEY, STREAM_KEY, SRT_SECRET, BASIC.split()[1]):
            assert secret not in text
    assert secrets.redact(BASIC) == "Basic ***"


# ---------------------------------------------------------------------------- error bodies


def test_it_reads_the_fastpix_error_envelope_with_fields():
    from livestream.providers.fastpix import parse_error_body

    message, fields = parse_error_body({
        "success": False,
        "error": {"code": 422, "message": "Validation failed", "description": "Invalid request",
                  "fields": [{"field": "reconnectWindow", "message": "must be at most 1800"}]},
    })
    assert message == "Validation failed: Invalid request"
    assert fields == {"reconnectWindow": ["must be at most 1800"]}


@pytest.mark.parametrize("body", [None, [], "oops", 42, {"error": 7}])
def test_error_bodies_of_any_shape_give_no_message(body):
    from livestream.providers.fastpix import parse_error_body

    assert parse_error_body(body) == (None, {})


def test_a_reconnect_window_under_a_minute_is_refused_with_the_range(fp):
    with pytest.raises(ConfigurationError) as info:
        fp.create("Class", options={"reconnect_window": 30})
    assert "60 to 1800 seconds" in str(info.value)


class TestFastPixContract(ProviderContract):
    """The shared provider tests (tests/providers/contract.py)."""

    provider = FastPix
    credentials = {"access_token_id": TOKEN_ID, "secret_key": SECRET_KEY}
    stream_id = STREAM_ID
    get_url = f"{STREAMS}/{STREAM_ID}"
    statuses = {"idle": StreamStatus.NOT_STARTED, "preparing": StreamStatus.CONNECTING,
                "active": StreamStatus.LIVE, "disabled": StreamStatus.DISABLED}
    map_status = staticmethod(map_status)
