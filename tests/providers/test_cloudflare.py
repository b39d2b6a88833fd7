"""Cloudflare Stream client: requests as documented, documented answers parsed, v4 errors mapped.

Fixtures are the documented example bodies: the create answer of
https://developers.cloudflare.com/stream/stream-live/start-stream-live/ and the example
values of the API reference (https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/),
wrapped in the v4 envelope.
"""

from __future__ import annotations

import copy
import logging

import pytest

from livestream import USER_AGENT, secrets
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
from livestream.providers.cloudflare import AFTER_KEY, REFERENCE_KEY, Cloudflare, map_status, parse_live_input
from tests.fakehttp import read_timeout_error
from tests.providers.contract import ProviderContract

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"  # the API reference's example account ID
TOKEN = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY"  # the API reference's example token
UID = "f256e6ea9341d51eea64c9454659e576"
STREAM_KEY = "MTQ0MTcjM3MjI1NDE3ODIyNTI1MjYyMjE4NTI2ODI1NDcxMzUyMzcf256e6ea9351d51eea64c9454659e576"
SRT_PASSPHRASE = "2fb3cb9f17e68a2568d6ebed8d5505eak3ceaf8c9b1f395e1b76b79332497cada"
BASE = "https://api.cloudflare.com"
INPUTS = f"{BASE}/client/v4/accounts/{ACCOUNT}/stream/live_inputs"
ONE = f"{INPUTS}/{UID}"

# The create answer of the "Start a live stream" page, verbatim.
DOCS_CREATED = {
    "uid": UID,
    "rtmps": {"url": "rtmps://live.cloudflare.com:443/live/", "streamKey": STREAM_KEY},
    "created": "2021-09-23T05:05:53.451415Z",
    "modified": "2021-09-23T05:05:53.451415Z",
    "meta": {"name": "test stream"},
    "status": None,
    "recording": {"mode": "automatic", "requireSignedURLs": False, "allowedOrigins": None},
}
# A live input with every field of the API reference's object.
FULL = {
    **DOCS_CREATED,
    "deleteRecordingAfterDays": 45,
    "enabled": True,
    "recording": {"allowedOrigins": ["example.com"], "hideLiveViewerCount": False, "mode": "automatic",
                  "requireSignedURLs": False, "timeoutSeconds": 0},
    "rtmpsPlayback": {"url": "rtmps://live.cloudflare.com:443/live/", "streamKey": "play" + STREAM_KEY},
    "srt": {"url": "srt://live.cloudflare.com:778", "streamId": UID, "passphrase": SRT_PASSPHRASE},
    "srtPlayback": {"url": "srt://live.cloudflare.com:778", "streamId": "play" + UID,
                    "passphrase": "p" + SRT_PASSPHRASE},
    "webRTC": {"url": f"https://customer-m033z5x00ks6nunl.cloudflarestream.com/{UID}/webRTC/publish"},
    "webRTCPlayback": {"url": f"https://customer-m033z5x00ks6nunl.cloudflarestream.com/{UID}/webRTC/play"},
}


def envelope(result):
    return {"success": True, "errors": [], "messages": [], "result": result}


def failure(*errors):
    return {"success": False, "errors": list(errors), "messages": [], "result": None}


def live_input(**changes):
    data = copy.deepcopy(FULL)
    data.update(changes)
    return data


@pytest.fixture
def cf(fake, sleeps):
    client = Cloudflare({"account_id": ACCOUNT, "api_token": TOKEN}, session=fake.session(),
                        sleep=sleeps.append, environ={})
    yield client
    client.close()


# ---------------------------------------------------------------------------- registry and declaration


def test_its_declaration_names_its_fields_and_its_ending():
    # Registered, and every option a field of Options with its default: TestCloudflareContract.
    decl = Cloudflare.declaration()
    assert (decl.display_name, decl.settings_prefix, decl.base_url_env, decl.default_base_url) == (
        "Cloudflare Stream", "cloudflare", "CLOUDFLARE_API_BASE_URL", "https://api.cloudflare.com")
    assert [(f.name, f.env, f.secret) for f in decl.credential_fields] == [
        ("account_id", "CLOUDFLARE_ACCOUNT_ID", False), ("api_token", "CLOUDFLARE_API_TOKEN", True)]
    assert decl.capabilities.protocols == ("rtmps", "srt") and not decl.capabilities.scheduling
    assert not decl.capabilities.reuse  # an ended input is disabled: it could not be gone live with again
    assert "disabled" in decl.capabilities.ending and "deleted" in decl.capabilities.ending
    after = next(o for o in decl.stream_options if o.name == "after_stream")
    assert after.default == "disable" and [v for v, _ in after.choices] == ["disable", "delete"]
    assert [s.env for s in decl.settings] == ["CLOUDFLARE_PLAYBACK_URL_TEMPLATE"]


@pytest.mark.parametrize("env, named", [
    ({}, ["CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN"]),
    ({"CLOUDFLARE_ACCOUNT_ID": ACCOUNT}, ["CLOUDFLARE_API_TOKEN"]),
    ({"CLOUDFLARE_API_TOKEN": TOKEN}, ["CLOUDFLARE_ACCOUNT_ID"]),
    ({"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": "x" * 33}, ["CLOUDFLARE_ACCOUNT_ID"]),
])
def test_missing_or_bad_environment_variables_are_named(env, named):
    with pytest.raises(ConfigurationError) as info:
        Cloudflare.credentials_from_env(env)
    for name in named:
        assert name in str(info.value)


def test_the_base_url_comes_from_the_environment_and_the_paths_carry_client_v4(fake):
    fake.expect("GET", f"http://127.0.0.1:8750/client/v4/accounts/{ACCOUNT}/stream/live_inputs",
                json=envelope({"liveInputs": [], "range": 0, "total": 0}))
    client = Cloudflare({"account_id": ACCOUNT, "api_token": TOKEN}, session=fake.session(),
                        environ={"CLOUDFLARE_API_BASE_URL": "http://127.0.0.1:8750/"})
    client.check_credentials()
    assert client.base_url == "http://127.0.0.1:8750"


# ---------------------------------------------------------------------------- create


def test_create_posts_the_documented_body_with_a_bearer_token(fake, cf):
    fake.expect("POST", INPUTS, json=envelope(DOCS_CREATED))

    stream = cf.create("Data science class", reference="ref-42")

    sent = fake.requests[0]
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["User-Agent"] == USER_AGENT and sent.headers["Content-Type"] == "application/json"
    assert sent.json == {
        "meta": {"name": "Data science class", AFTER_KEY: "disable", REFERENCE_KEY: "ref-42"},
        "recording": {"mode": "automatic", "timeoutSeconds": 0},
        "enabled": True,
    }
    # The documented answer: ready at once, on Cloudflare's RTMPS ingest.
    assert stream.provider == "cloudflare" and stream.id == UID and stream.title == "test stream"
    assert stream.status is StreamStatus.NOT_STARTED and stream.provider_status is None
    assert stream.ingest.protocol == "rtmps" and stream.ingest.server == "rtmps://live.cloudflare.com:443/live/"
    assert stream.ingest.stream_key.get_secret_value() == STREAM_KEY
    assert stream.playback_url is None  # the customer code is not in the answer
    assert stream.created_at.isoformat() == "2021-09-23T05:05:53.451415+00:00"


def test_create_sends_the_recording_options(fake, cf):
    fake.expect("POST", INPUTS, json=envelope(DOCS_CREATED))
    cf.create("Quiet", options={"enable_recording": False, "recording_timeout": 30,
                                "delete_recording_after_days": 45, "after_stream": "DELETE"})
    assert fake.requests[0].json == {
        "meta": {"name": "Quiet", AFTER_KEY: "delete"},
        "recording": {"mode": "off", "timeoutSeconds": 30},
        "deleteRecordingAfterDays": 45,
        "enabled": True,
    }


@pytest.mark.parametrize("options, problem", [
    ({"delete_recording_after_days": 10}, "30 days"),
    ({"recording_timeout": -1}, "recording_timeout"),
    ({"protocol": "webrtc"}, "protocol"),
    ({"after_stream": "stop"}, "after_stream"),
    ({"latency": "low"}, "latency"),
])
def test_bad_options_are_a_configuration_error_before_any_request(cf, options, problem):
    with pytest.raises(ConfigurationError) as info:
        cf.create("x", options=options)
    assert problem in str(info.value)


def test_it_cannot_schedule_and_needs_a_title(cf):
    from datetime import datetime

    with pytest.raises(ConfigurationError, match="cannot schedule"):
        cf.create("x", start=datetime(2030, 1, 1))
    with pytest.raises(ConfigurationError, match="title"):
        cf.create("   ")


def test_an_srt_stream_gets_the_answers_srt_ingest(fake, cf):
    fake.expect("POST", INPUTS, json=envelope(FULL))
    stream = cf.create("Over SRT", options={"protocol": "srt"})
    ingest = stream.ingest
    assert ingest.protocol == "srt" and ingest.server == "srt://live.cloudflare.com:778"
    assert ingest.srt_stream_id == UID and ingest.srt_passphrase.get_secret_value() == SRT_PASSPHRASE
    settings = ingest.obs_service_settings()
    assert settings["server"] == f"srt://live.cloudflare.com:778?streamid={UID}"
    assert settings["password"] == SRT_PASSPHRASE and SRT_PASSPHRASE not in str(ingest.display())


def test_the_playback_url_comes_from_the_template_setting_or_the_environment(fake):
    template = "https://customer-m033z5x00ks6nunl.cloudflarestream.com/{uid}/manifest/video.m3u8"
    fake.expect("GET", ONE, json=envelope(FULL))
    fake.expect("GET", ONE, json=envelope(FULL))
    by_setting = Cloudflare({"account_id": ACCOUNT, "api_token": TOKEN}, session=fake.session(), environ={},
                            playback_url_template=template)
    by_env = Cloudflare({"account_id": ACCOUNT, "api_token": TOKEN}, session=fake.session(),
                        environ={"CLOUDFLARE_PLAYBACK_URL_TEMPLATE": template})
    expected = f"https://customer-m033z5x00ks6nunl.cloudflarestream.com/{UID}/manifest/video.m3u8"
    assert by_setting.get(UID).playback_url == expected
    assert by_env.get(UID).playback_url == expected


@pytest.mark.parametrize("template", ["https://x.example/video.m3u8", "https://x.example/{id}.m3u8",
                                      "ftp://x.example/{uid}"])
def test_a_bad_playback_template_is_refused(template):
    with pytest.raises(ConfigurationError, match="template"):
        Cloudflare({"account_id": ACCOUNT, "api_token": TOKEN}, environ={}, playback_url_template=template)


def test_an_hls_playback_url_in_the_answer_wins_over_the_template():
    raw = live_input(hlsPlayback={"url": f"https://cdn.example/{UID}/manifest/video.m3u8"})
    stream = parse_live_input(raw, playback_template="https://other.example/{uid}.m3u8")
    assert stream.playback_url == f"https://cdn.example/{UID}/manifest/video.m3u8"


def test_create_is_never_retried_after_a_read_timeout(fake, cf, sleeps):
    fake.expect("POST", INPUTS, raises=read_timeout_error())
    with pytest.raises(NoResponseError):
        cf.create("x")
    assert len(fake.requests) == 1 and sleeps == []


@pytest.mark.parametrize("status", [429, 500, 503])
def test_create_is_never_retried_after_a_refusal_or_server_error(fake, cf, sleeps, status):
    fake.expect("POST", INPUTS, status=status, json=failure({"code": 10002, "message": "An unknown error"}),
                headers={"Retry-After": "600"})  # a 429 asking for a short wait may be retried: not sent
    with pytest.raises((RateLimitedError, ProviderServerError)):
        cf.create("x")
    assert len(fake.requests) == 1 and sleeps == []


# ---------------------------------------------------------------------------- status, get, list


@pytest.mark.parametrize("word, status", [
    (None, StreamStatus.NOT_STARTED),
    ("connected", StreamStatus.LIVE),
    ("reconnected", StreamStatus.LIVE),
    ("new_configuration_accepted", StreamStatus.LIVE),
    ("reconnecting", StreamStatus.DISCONNECTED),
    ("client_disconnect", StreamStatus.DISCONNECTED),
    ("failed_to_connect", StreamStatus.DISCONNECTED),
    ("failed_to_reconnect", StreamStatus.DISCONNECTED),
    ("ttl_exceeded", StreamStatus.ENDED),
    ("Connected", StreamStatus.LIVE),
    ({"current": {"state": "connected"}}, StreamStatus.LIVE),
    ("something_new", StreamStatus.UNKNOWN),
])
def test_status_words_map_to_stream_statuses(fake, cf, word, status):
    fake.expect("GET", ONE, json=envelope(live_input(status=word)))
    stream = cf.get(UID)
    assert stream.status is status
    assert map_status(word) is status


def test_a_disabled_input_is_terminal_whatever_its_last_status(fake, cf):
    fake.expect("GET", ONE, json=envelope(live_input(enabled=False, status="connected")))
    stream = cf.get(UID)
    assert stream.status is StreamStatus.ENDED and stream.status.is_terminal
    assert stream.provider_status == "disabled"


def test_get_reads_the_full_documented_object(fake, cf):
    fake.expect("GET", ONE, json=envelope(FULL))
    stream = cf.get(UID)
    assert fake.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert stream.ingest.stream_key.get_secret_value() == STREAM_KEY and stream.title == "test stream"


def test_list_reads_every_input_without_credentials(fake, cf):
    items = [
        {"uid": UID, "created": "2021-09-23T05:05:53.451415Z", "modified": "2021-09-23T05:05:53.451415Z",
         "meta": {"name": "test stream 1", REFERENCE_KEY: "ref-1"}, "deleteRecordingAfterDays": 45},
        {"uid": "66be4bf738797e01e1fca35a7bdecdcd", "meta": {"name": "test stream 2"}},
    ]
    fake.expect("GET", f"{INPUTS}?include_counts=true",
                json=envelope({"liveInputs": items, "range": 1000, "total": 2}))
    first, second = cf.list()
    assert (first.id, first.title, first.reference) == (UID, "test stream 1", "ref-1")
    assert first.ingest is None and first.status is StreamStatus.UNKNOWN  # the list says neither
    assert second.id == "66be4bf738797e01e1fca35a7bdecdcd" and second.created_at is None


def test_find_created_finds_the_reference_then_reads_the_credentials(fake, cf):
    fake.expect("GET", f"{INPUTS}?include_counts=true", json=envelope(
        {"liveInputs": [{"uid": UID, "meta": {"name": "x", REFERENCE_KEY: "ref-9"}}], "total": 1}))
    fake.expect("GET", ONE, json=envelope(FULL))
    found = cf.find_created(reference="ref-9", title="x", sent_at=0.0)
    assert found.id == UID and found.ingest_ready


@pytest.mark.parametrize("body", [
    {"success": True, "result": None},
    {"success": True, "result": {"liveInputs": "no"}},
    {"result": {"liveInputs": []}},
    {"success": False, "errors": [], "result": {"liveInputs": []}},
])
def test_a_list_of_the_wrong_shape_is_an_unexpected_response(fake, cf, body):
    fake.expect("GET", f"{INPUTS}?include_counts=true", json=body)
    with pytest.raises(UnexpectedResponseError, match="does not understand"):
        cf.list()


@pytest.mark.parametrize("result", [{"rtmps": {}}, {"uid": ""}, {"uid": 5}, ["x"]])
def test_an_input_of_the_wrong_shape_is_an_unexpected_response(fake, cf, result):
    fake.expect("GET", ONE, json=envelope(result))
    with pytest.raises(UnexpectedResponseError):
        cf.get(UID)


# ---------------------------------------------------------------------------- end, start, delete


def test_end_disables_the_input(fake, cf):
    fake.expect("POST", INPUTS, json=envelope(DOCS_CREATED))
    fake.expect("PUT", ONE, json=envelope(live_input(enabled=False)))
    stream = cf.create("x")
    result = cf.end(stream.id)
    assert fake.requests[-1].json == {"enabled": False}
    assert result.ended is True and "disabled" in result.message


def test_end_deletes_the_input_when_the_create_asked_for_it(fake, cf):
    fake.expect("POST", INPUTS, json=envelope(DOCS_CREATED))
    fake.expect("DELETE", ONE, json=envelope(None))
    stream = cf.create("x", options={"after_stream": "delete"})
    assert cf.end(stream.id).ended is True


@pytest.mark.parametrize("meta, then", [
    ({"name": "x", AFTER_KEY: "delete"}, "DELETE"),
    ({"name": "x"}, "PUT"),  # not made by obs-livestream: disabled, never deleted
])
def test_end_of_an_input_made_elsewhere_reads_the_choice_from_its_meta(fake, cf, meta, then):
    fake.expect("GET", ONE, json=envelope(live_input(meta=meta)))
    fake.expect(then, ONE, json=envelope(None if then == "DELETE" else live_input(enabled=False)))
    assert cf.end(UID).ended is True


def test_end_of_an_input_that_no_longer_exists_has_nothing_to_end(fake, cf):
    fake.expect("GET", ONE, status=404, json=failure({"code": 10003, "message": "Live input not found"}))
    result = cf.end(UID)
    assert result.ended is False and "no longer exists" in result.message


def test_end_is_retried_after_a_server_error(fake, cf, sleeps):
    fake.expect("POST", INPUTS, json=envelope(DOCS_CREATED))
    fake.expect("PUT", ONE, status=503, json=failure({"code": 10001, "message": "Service unavailable"}))
    fake.expect("PUT", ONE, json=envelope(live_input(enabled=False)))
    cf.create("x")
    assert cf.end(UID).ended is True and len(sleeps) == 1


def test_start_enables_a_disabled_input_and_only_reads_an_enabled_one(fake, cf):
    fake.expect("GET", ONE, json=envelope(live_input(enabled=False)))
    fake.expect("PUT", ONE, json=envelope(live_input(enabled=True)))
    fake.expect("GET", ONE, json=envelope(FULL))
    assert cf.start(UID).status is StreamStatus.NOT_STARTED
    assert fake.requests[1].json == {"enabled": True}
    assert cf.start(UID).ingest_ready and len(fake.requests) == 3


def test_delete_sends_delete_and_check_credentials_reads_the_list(fake, cf):
    fake.expect("DELETE", ONE, json=envelope(None))
    fake.expect("GET", INPUTS, json=envelope({"liveInputs": [], "total": 0}))
    cf.delete(UID)
    cf.check_credentials()
    assert [r.method for r in fake.requests] == ["DELETE", "GET"]


def test_an_empty_id_is_refused_before_any_request(cf):
    with pytest.raises(ConfigurationError, match="live input ID"):
        cf.get("  ")


# ---------------------------------------------------------------------------- errors


def test_a_rejected_token_says_what_to_check(fake, cf):
    fake.expect("GET", ONE, status=401, json=failure({"code": 10000, "message": "Authentication error"}))
    with pytest.raises(AuthenticationError) as info:
        cf.get(UID)
    error = info.value
    assert error.status_code == 401 and error.provider_message == "Authentication error [code 10000]"
    assert "Cloudflare Stream rejected the API token (401: Authentication error [code 10000])" in str(error)
    assert "CLOUDFLARE_API_TOKEN" in error.hint


def test_a_403_names_the_stream_permission(fake, cf):
    fake.expect("GET", ONE, status=403, json=failure({"code": 10000, "message": "Authentication error"}))
    with pytest.raises(PermissionDeniedError) as info:
        cf.get(UID)
    assert "Stream Edit" in info.value.hint and info.value.status_code == 403


def test_a_malformed_authorization_header_is_an_authentication_error(fake, cf):
    fake.expect("GET", ONE, status=400, json=failure({
        "code": 6003, "message": "Invalid request headers",
        "error_chain": [{"code": 6111, "message": "Invalid format for Authorization header"}]}))
    with pytest.raises(AuthenticationError) as info:
        cf.get(UID)
    assert "Invalid format for Authorization header" in str(info.value)


def test_an_unknown_input_is_not_found(fake, cf):
    fake.expect("GET", ONE, status=404, json=failure({"code": 10003, "message": "Live input not found"}))
    with pytest.raises(NotFoundError) as info:
        cf.get(UID)
    assert f"no such live input {UID}" in str(info.value)


def test_a_refused_field_is_reported_by_its_pointer(fake, cf):
    fake.expect("POST", INPUTS, status=400, json=failure(
        {"code": 10005, "message": "deleteRecordingAfterDays must be at least 30",
         "source": {"pointer": "/deleteRecordingAfterDays"}},
        {"code": 10005, "message": "mode must be one of: off, automatic", "source": {"pointer": "/recording/mode"}}))
    with pytest.raises(InvalidRequestError) as info:
        cf.create("x")
    assert info.value.field_errors == {"deleteRecordingAfterDays": ["deleteRecordingAfterDays must be at least 30"],
                                       "recording.mode": ["mode must be one of: off, automatic"]}
    assert "fix the fields" in info.value.hint


def test_a_refusal_without_a_pointer_still_carries_its_message(fake, cf):
    fake.expect("POST", INPUTS, status=400, json=failure({"code": 10005, "message": "Bad request"}))
    with pytest.raises(InvalidRequestError) as info:
        cf.create("x")
    assert "Bad request [code 10005]" in str(info.value) and info.value.provider_message == "Bad request [code 10005]"


def test_a_rate_limited_get_waits_as_asked_then_gives_up_on_a_long_wait(fake, cf, sleeps):
    limited = failure({"code": 971, "message": "Please wait and consider throttling your request speed"})
    fake.expect("GET", ONE, status=429, json=limited, headers={"Retry-After": "2"})
    fake.expect("GET", ONE, json=envelope(FULL))
    fake.expect("GET", ONE, status=429, json=limited, headers={"Retry-After": "600"})
    assert cf.get(UID).id == UID and sleeps == [2.0]
    with pytest.raises(RateLimitedError) as info:
        cf.get(UID)
    assert info.value.retry_after == 600 and "wait 600 s" in info.value.hint


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_get_is_retried_after_a_server_error(fake, cf, sleeps, status):
    fake.expect("GET", ONE, status=status, json=failure({"code": 10002, "message": "An unknown error"}))
    fake.expect("GET", ONE, json=envelope(FULL))
    assert cf.get(UID).id == UID and len(sleeps) == 1


def test_a_server_error_page_that_is_not_json_is_still_a_server_error(fake, cf, sleeps):
    for _ in range(4):
        fake.expect("GET", ONE, status=502, body="<html>Bad gateway</html>")
    with pytest.raises(ProviderServerError) as info:
        cf.get(UID)
    assert info.value.status_code == 502


def test_success_false_in_a_2xx_answer_is_unexpected(fake, cf):
    fake.expect("GET", ONE, json=failure({"code": 1, "message": "odd"}))
    with pytest.raises(UnexpectedResponseError, match="success"):
        cf.get(UID)


# ---------------------------------------------------------------------------- secrets


def test_no_secret_reaches_a_message_a_repr_or_a_log(fake, cf, caplog):
    echo = failure({"code": 10000, "message": f"token {TOKEN} key {STREAM_KEY} srt {SRT_PASSPHRASE}"})
    fake.expect("POST", INPUTS, json=envelope(FULL))
    fake.expect("GET", ONE, status=502, json=echo)
    fake.expect("GET", ONE, status=401, json=echo)
    with caplog.at_level(logging.DEBUG):
        stream = cf.create("x", options={"protocol": "srt"})
        with pytest.raises(AuthenticationError) as info:
            cf.get(UID)
        logging.getLogger("test").info("stream %s via %r creds %r", stream, cf, cf.credentials)
    shown = [str(info.value), repr(info.value), info.value.provider_message or "", repr(stream), str(stream),
             str(stream.display()), repr(cf), repr(cf.credentials), repr(cf._http.auth), caplog.text]
    for text in shown:
        for secret in (TOKEN, STREAM_KEY, SRT_PASSPHRASE):
            assert secret not in text
    assert secrets.redact(f"Authorization: Bearer {TOKEN}") == "Authorization: Bearer ***"


# ---------------------------------------------------------------------------- corrections (sources cited)


def test_the_live_inputs_playback_hls_is_the_playback_url_and_the_template_a_fallback():
    # ``LiveInput.playback: {hls, dash}`` (cloudflare-python 5.9 / cloudflare-typescript 7.3,
    # types/stream/live_input); the URLs are the watch page's manifest forms
    # (https://developers.cloudflare.com/stream/stream-live/watch-live-stream/).
    hls = f"https://customer-m033z5x00ks6nunl.cloudflarestream.com/{UID}/manifest/video.m3u8"
    dash = f"https://customer-m033z5x00ks6nunl.cloudflarestream.com/{UID}/manifest/video.mpd"
    raw = live_input(playback={"hls": hls, "dash": dash})
    assert parse_live_input(raw, playback_template="https://other.example/{uid}.m3u8").playback_url == hls
    assert parse_live_input(live_input(), playback_template="https://other.example/{uid}.m3u8").playback_url == \
        f"https://other.example/{UID}.m3u8"
    assert parse_live_input(live_input(playback={"hls": None, "dash": dash})).playback_url is None


@pytest.mark.parametrize("days, accepted", [(30, True), (1096, True), (29, False), (1097, False), (3650, False)])
def test_delete_recording_after_days_is_30_to_1096(cf, fake, days, accepted):
    # deleteRecordingAfterDays: "minimum 30, maximum 1096" (the create body of
    # https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/methods/create/).
    option = next(o for o in Cloudflare.stream_options if o.name == "delete_recording_after_days")
    assert option.maximum == 1096
    if not accepted:
        with pytest.raises(ConfigurationError):
            cf.create("x", options={"delete_recording_after_days": days})
        assert fake.requests == []
        return
    fake.expect("POST", INPUTS, json=envelope(DOCS_CREATED))
    cf.create("x", options={"delete_recording_after_days": days})
    assert fake.requests[0].json["deleteRecordingAfterDays"] == days


def test_code_7003_says_the_account_id_is_not_right(cf, fake):
    # The v4 envelope (https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/)
    # with the routing error a wrong account ID gets.
    fake.expect("GET", f"{ONE}", status=400, json=failure(
        {"code": 7003, "message": "Could not route to /client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/"
                                  "stream/live_inputs, perhaps your object identifier is invalid?"}))
    with pytest.raises(InvalidRequestError) as caught:
        cf.get(UID)
    assert "the account ID is not right" in str(caught.value)
    assert "CLOUDFLARE_ACCOUNT_ID" in caught.value.hint and "check the values sent" not in caught.value.hint


@pytest.mark.parametrize("account", ["023e105f4ecef8ad9ca31a8372d0c35", "023e105f4ecef8ad9ca31a8372d0c35z",
                                     "my-account", "023e105f-4ece-f8ad-9ca3-1a8372d0c353"])
def test_an_account_id_that_is_not_32_hex_characters_is_refused_before_any_request(fake, account):
    # account_id: "Identifier", maxLength 32 (the API reference's path parameter; its example
    # 023e105f4ecef8ad9ca31a8372d0c353 is the dashboard's 32 hex characters).
    with pytest.raises(ConfigurationError) as caught:
        Cloudflare({"account_id": account, "api_token": TOKEN}, session=fake.session(), environ={})
    assert "32 hexadecimal characters" in caught.value.hint and account not in str(caught.value)
    assert fake.requests == []


@pytest.mark.parametrize("status, expected", [
    ("connected", StreamStatus.LIVE),
    ({"current": {"state": "connected"}}, StreamStatus.LIVE),
    ({"current": {"state": "disconnected"}}, StreamStatus.DISCONNECTED),
    ("client_disconnect", StreamStatus.DISCONNECTED),
])
def test_status_is_read_as_a_string_and_as_an_object(status, expected):
    # The string form: LiveInput.status in cloudflare-python (src/cloudflare/types/stream/live_input.py);
    # the object form ``status.current.state`` ("connected" | "disconnected") as other answers carry it.
    assert parse_live_input(live_input(status=status)).status is expected


def test_a_five_digit_fraction_in_a_time_is_read_on_every_python():
    # The schema example's "2014-01-02T02:20:00.12345Z" style (5 digits): datetime.fromisoformat
    # of Python 3.9/3.10 reads only 3 or 6.
    stream = parse_live_input(live_input(created="2014-01-02T02:20:00.12345Z"))
    assert stream.created_at.isoformat() == "2014-01-02T02:20:00.123450+00:00"


class TestCloudflareContract(ProviderContract):
    """The shared provider tests (tests/providers/contract.py)."""

    provider = Cloudflare
    credentials = {"account_id": ACCOUNT, "api_token": TOKEN}
    stream_id = UID
    get_url = ONE
    statuses = {None: StreamStatus.NOT_STARTED, "connected": StreamStatus.LIVE,
                "client_disconnect": StreamStatus.DISCONNECTED, "ttl_exceeded": StreamStatus.ENDED}
    map_status = staticmethod(map_status)
