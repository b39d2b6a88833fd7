"""Mux Video client: requests as documented, the documented example bodies parsed, errors mapped.

Fixtures are the examples of https://www.mux.com/docs/api-reference/video/live-streams
(create-live-stream, list-live-streams).
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
from livestream.providers.mux import RTMP_SERVER, RTMPS_SERVER, SRT_SERVER, Mux, map_status
from tests.fakehttp import read_timeout_error
from tests.providers.contract import ProviderContract

TOKEN_ID = "44c819de-4add-4c9f-b2e9-384a0a71bede"
TOKEN_SECRET = "INKxCoZ+cX6l1yrR6vqzYHVaeFEcqvZShznWM1U/No8KsV7h6Jxu1XXuTUQ91sdiGONK3H7NE7H"
BASE = "https://api.mux.com"
STREAMS = f"{BASE}/video/v1/live-streams"
BASIC = "Basic " + base64.b64encode(f"{TOKEN_ID}:{TOKEN_SECRET}".encode()).decode()
STREAM_ID = "ZEBrNTpHC02iUah025KM3te6ylM7W4S4silsrFtUkn3Ag"
PLAYBACK_ID = "HNRDuwff3K2VjTZZAPuvd2Kx6D01XUQFv02GFBHPUka018"
SRT_PASSPHRASE = "GHc9zgs5zBXiq3tUm86dfeD7BPbgPHYiA8Au4gHRPt"

# create-live-stream's documented 201 answer (its stream_key "abcdefgh", verbatim).
CREATED = {"data": {"stream_key": "abcdefgh", "status": "idle", "reconnect_window": 60,
                    "playback_ids": [{"policy": "public", "id": PLAYBACK_ID}],
                    "new_asset_settings": {"playback_policies": ["public"]}, "id": STREAM_ID,
                    "created_at": "1609937654", "latency_mode": "standard", "max_continuous_duration": 43200}}
STREAM_KEY = "abcdefgh"
# list-live-streams' documented answer, verbatim.
LISTED = {"data": [
    {"stream_key": "831b5bde-cd8a-5bc4-115d-4ba34b19f481", "status": "idle", "reconnect_window": 60,
     "playback_ids": [{"policy": "public", "id": "HNRDuwff3K2VjTZZAPuvd2Kx6D01XUQFv02GFBHPUka018"}],
     "new_asset_settings": {"playback_policies": ["public"]}, "id": "ZEBrNTpHC02iUah025KM3te6ylM7W4S4silsrFtUkn3Ag",
     "created_at": "1609937654", "latency_mode": "standard", "max_continuous_duration": 43200},
    {"stream_key": "d273c65e-1fc8-27dc-e9ef-56144cbceb3a", "status": "idle", "reconnect_window": 60,
     "recent_asset_ids": ["SZs02xxHgYdkHp00OSCjJiHUHqzVQZNU332XPXRxe341o",
                          "e4J9cwb5tjVxMeeV8201dC00i800ThPKKGT2SEN002dHH2s"],
     "playback_ids": [{"policy": "public", "id": "00zOcribkUmXqXHzBTpflk2771BRTcKATqPjWf7JHpuM"}],
     "new_asset_settings": {"playback_policies": ["public"]}, "id": "B65hEUWW01ErVKDDGImKcBquYhwEAkjW6Ic3lPY0299Cc",
     "created_at": "1607587513", "latency_mode": "standard", "max_continuous_duration": 43200},
]}


def _stream(status: str = "idle", **changes) -> dict:
    data = copy.deepcopy(CREATED["data"])
    data.update(status=status, **changes)
    return {"data": data}


def _invalid(*messages: str) -> dict:
    return {"error": {"type": "invalid_parameters", "messages": list(messages)}}


@pytest.fixture
def mux(fake, sleeps):
    client = Mux({"token_id": TOKEN_ID, "token_secret": TOKEN_SECRET}, session=fake.session(),
                 sleep=sleeps.append, environ={})
    yield client
    client.close()


# ---------------------------------------------------------------------------- registry and declaration


def test_it_is_registered_with_the_declared_names():
    cls = providers.get("mux")
    assert cls is Mux
    assert (cls.display_name, cls.settings_prefix, cls.default_base_url, cls.base_url_env) == (
        "Mux Video", "mux", "https://api.mux.com", "MUX_API_BASE_URL")
    declared = cls.declaration()
    assert [(f.name, f.env, f.secret) for f in declared.credential_fields] == [
        ("token_id", "MUX_TOKEN_ID", False), ("token_secret", "MUX_TOKEN_SECRET", True)]
    assert declared.capabilities.protocols == ("rtmps", "rtmp", "srt")
    assert not declared.capabilities.scheduling and declared.capabilities.reuse


def test_every_declared_choice_validates_and_the_reconnect_window_is_bounded():
    # Each option a field of Options with the same default: TestMuxContract.
    for option in Mux.stream_options:
        for value, _label in option.choices:
            Mux.Options(**{option.name: value})  # every choice validates
    reconnect = next(o for o in Mux.stream_options if o.name == "reconnect_window")
    assert (reconnect.minimum, reconnect.maximum) == (0, 1800)


def test_credentials_come_from_the_official_sdk_variables():
    creds = Mux.credentials_from_env({"MUX_TOKEN_ID": TOKEN_ID, "MUX_TOKEN_SECRET": TOKEN_SECRET})
    assert creds.token_id == TOKEN_ID and creds.token_secret.get_secret_value() == TOKEN_SECRET
    with pytest.raises(ConfigurationError) as missing:
        Mux.credentials_from_env({})
    assert "MUX_TOKEN_ID and MUX_TOKEN_SECRET" in str(missing.value)


def test_a_pasted_line_break_in_the_secret_is_refused_without_echoing_it():
    with pytest.raises(ConfigurationError) as bad:
        Mux.credentials_from_env({"MUX_TOKEN_ID": TOKEN_ID, "MUX_TOKEN_SECRET": "abc\ndef-secret"})
    assert "MUX_TOKEN_SECRET" in str(bad.value) and "def-secret" not in str(bad.value)


def test_the_base_url_follows_the_environment():
    client = Mux({"token_id": TOKEN_ID, "token_secret": TOKEN_SECRET},
                 environ={"MUX_API_BASE_URL": "http://127.0.0.1:9/"})
    assert client.base_url == "http://127.0.0.1:9"


# ---------------------------------------------------------------------------- create


def test_create_sends_the_documented_body_with_basic_auth(mux, fake):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    stream = mux.create("Friday show", options={"latency_mode": "Low", "reconnect_window": 30,
                                                 "playback_policy": "signed", "test": True},
                        reference="olr-1234")
    sent = fake.requests[0]
    assert sent.headers["Authorization"] == BASIC
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.json == {
        "playback_policies": ["signed"], "latency_mode": "low", "reconnect_window": 30,
        "meta": {"title": "Friday show"}, "test": True,
        "new_asset_settings": {"playback_policies": ["signed"]}, "passthrough": "olr-1234",
    }
    assert stream.id == STREAM_ID and stream.status is StreamStatus.NOT_STARTED
    assert stream.provider_status == "idle"


def test_create_without_recording_leaves_out_new_asset_settings(mux, fake):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    mux.create("No recording", options={"record": False})
    body = fake.requests[0].json
    assert "new_asset_settings" not in body and "passthrough" not in body
    assert body["reconnect_window"] == 60 and body["latency_mode"] == "standard" and body["test"] is False


def test_the_documented_create_answer_is_ready_at_once_on_rtmps(mux, fake):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    stream = mux.create("Ready")
    assert stream.ingest.protocol == "rtmps" and stream.ingest.server == RTMPS_SERVER
    assert stream.ingest.stream_key.get_secret_value() == STREAM_KEY
    assert stream.playback_url == f"https://stream.mux.com/{PLAYBACK_ID}.m3u8"
    assert stream.created_at.timestamp() == 1609937654


def test_rtmp_and_srt_use_the_documented_servers(mux, fake):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    assert mux.create("Plain", options={"protocol": "rtmp"}).ingest.server == RTMP_SERVER
    fake.expect("POST", STREAMS, status=201, json=_stream(srt_passphrase=SRT_PASSPHRASE, id="srt-stream"))
    ingest = mux.create("Over SRT", options={"protocol": "srt"}).ingest
    assert ingest.protocol == "srt" and ingest.server == SRT_SERVER
    assert ingest.srt_stream_id == STREAM_KEY and ingest.srt_passphrase.get_secret_value() == SRT_PASSPHRASE
    assert ingest.obs_service_settings()["password"] == SRT_PASSPHRASE
    assert SRT_PASSPHRASE not in str(ingest.display())
    # The protocol chosen at create sticks to that stream on later reads.
    fake.expect("GET", f"{STREAMS}/srt-stream", json=_stream(srt_passphrase=SRT_PASSPHRASE, id="srt-stream"))
    assert mux.get("srt-stream").ingest.protocol == "srt"


def test_ingest_and_playback_overrides_serve_the_sandbox(fake):
    env = {"MUX_INGEST_RTMP_URL": "rtmp://127.0.0.1:1935/live",
           "MUX_PLAYBACK_URL_TEMPLATE": "http://127.0.0.1:8080/mux/stream/{playback_id}.m3u8"}
    client = Mux({"token_id": TOKEN_ID, "token_secret": TOKEN_SECRET}, session=fake.session(), environ=env)
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    stream = client.get(STREAM_ID)
    assert (stream.ingest.protocol, stream.ingest.server) == ("rtmp", "rtmp://127.0.0.1:1935/live")
    assert stream.playback_url == f"http://127.0.0.1:8080/mux/stream/{PLAYBACK_ID}.m3u8"


@pytest.mark.parametrize("env", [{"MUX_INGEST_RTMP_URL": "http://x/app"}, {"MUX_INGEST_SRT_URL": "rtmp://x"},
                                 {"MUX_PLAYBACK_URL_TEMPLATE": "https://x/{id}.m3u8"}])
def test_a_bad_override_names_the_variable_to_fix(env):
    with pytest.raises(ConfigurationError) as bad:
        Mux({"token_id": TOKEN_ID, "token_secret": TOKEN_SECRET}, environ=env)
    assert next(iter(env)) in str(bad.value)


@pytest.mark.parametrize("options, field", [({"reconnect_window": 1801}, "reconnect_window"),
                                            ({"latency_mode": "ultra"}, "latency_mode"),
                                            ({"playback_policy": "drm"}, "playback_policy"),
                                            ({"protocol": "whip"}, "protocol")])
def test_out_of_range_options_are_refused_before_any_request(mux, fake, options, field):
    with pytest.raises(ConfigurationError) as bad:
        mux.create("Show", options=options)
    assert field in str(bad.value)
    assert fake.requests == []


def test_create_refuses_a_schedule_and_an_empty_title(mux, fake):
    from datetime import datetime, timezone
    with pytest.raises(ConfigurationError, match="cannot schedule"):
        mux.create("Later", start=datetime.now(timezone.utc))
    with pytest.raises(ConfigurationError, match="title"):
        mux.create("  ")
    with pytest.raises(ConfigurationError, match="nothing to start"):
        mux.start(STREAM_ID)
    assert fake.requests == []


def test_create_is_never_retried_after_the_request_may_have_arrived(mux, fake, sleeps):
    fake.expect("POST", STREAMS, raises=read_timeout_error())
    with pytest.raises(NoResponseError):
        mux.create("Once")
    assert len(fake.requests) == 1 and sleeps == []


# ---------------------------------------------------------------------------- get, list, find_created


def test_get_reads_the_stream_and_maps_every_status(mux, fake):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=_stream("active", meta={"title": "Show"},
                                                              passthrough="olr-9"))
    stream = mux.get(STREAM_ID)
    assert fake.requests[0].headers["Authorization"] == BASIC
    assert (stream.status, stream.title, stream.reference) == (StreamStatus.LIVE, "Show", "olr-9")
    assert [map_status(w) for w in ("idle", "active", "disabled", "ACTIVE", "paused", None)] == [
        StreamStatus.NOT_STARTED, StreamStatus.LIVE, StreamStatus.DISABLED, StreamStatus.LIVE,
        StreamStatus.UNKNOWN, StreamStatus.UNKNOWN]


def test_list_parses_the_documented_page_and_stops_on_a_short_one(mux, fake):
    fake.expect("GET", f"{STREAMS}?limit=100&page=1", json=LISTED)
    streams = mux.list()
    assert [s.id for s in streams] == [item["id"] for item in LISTED["data"]]
    assert all(s.status is StreamStatus.NOT_STARTED and s.ingest_ready for s in streams)
    assert streams[1].created_at.timestamp() == 1607587513


def test_list_follows_every_full_page(mux, fake):
    full = {"data": [_stream(id=f"s{i}")["data"] for i in range(100)]}
    fake.expect("GET", f"{STREAMS}?limit=100&page=1", json=full)
    fake.expect("GET", f"{STREAMS}?limit=100&page=2", json={"data": [_stream(id="last")["data"]]})
    assert len(mux.list()) == 101


def test_find_created_recognizes_the_passthrough_reference(mux, fake):
    other = _stream(id="other", passthrough="olr-other")["data"]
    mine = _stream(id="mine", passthrough="olr-mine")["data"]
    fake.expect("GET", f"{STREAMS}?limit=100&page=1", json={"data": [other, mine]})
    found = mux.find_created(reference="olr-mine", title="Show", sent_at=0.0)
    assert found is not None and found.id == "mine"


def test_a_body_without_the_data_envelope_is_an_unexpected_answer(mux, fake):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json={"id": STREAM_ID, "stream_key": STREAM_KEY})
    with pytest.raises(UnexpectedResponseError) as odd:
        mux.get(STREAM_ID)
    assert "data" in str(odd.value) and STREAM_KEY not in str(odd.value)


# ---------------------------------------------------------------------------- end and delete


def test_end_completes_an_active_stream(mux, fake):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=_stream("active"))
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/complete", json={"data": {}})
    result = mux.end(STREAM_ID)
    assert result.ended is True
    assert fake.requests[1].headers["Authorization"] == BASIC


def test_end_of_an_idle_stream_has_nothing_to_end_and_sends_no_complete(mux, fake):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=_stream("idle"))
    result = mux.end(STREAM_ID)
    assert result.ended is False and "idle" in result.message


def test_end_racing_the_stream_going_idle_has_nothing_to_end(mux, fake):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=_stream("active"))
    fake.expect("PUT", f"{STREAMS}/{STREAM_ID}/complete", status=400,
                json=_invalid("Live stream is not active"))
    result = mux.end(STREAM_ID)
    assert result.ended is False and "Live stream is not active" in result.message


def test_delete_sends_delete_and_accepts_204(mux, fake):
    fake.expect("DELETE", f"{STREAMS}/{STREAM_ID}", status=204, body=b"")
    mux.delete(STREAM_ID)
    assert fake.requests[0].method == "DELETE"


def test_check_credentials_is_one_small_authenticated_list(mux, fake):
    fake.expect("GET", f"{STREAMS}?limit=1&page=1", json={"data": []})
    mux.check_credentials()
    assert fake.requests[0].headers["Authorization"] == BASIC


# ---------------------------------------------------------------------------- errors


def test_401_is_an_authentication_error_naming_the_variables(mux, fake):
    fake.expect("GET", f"{STREAMS}?limit=1&page=1", status=401,
                json={"error": {"type": "unauthorized", "messages": ["Unauthorized request"]}})
    with pytest.raises(AuthenticationError) as denied:
        mux.check_credentials()
    assert "MUX_TOKEN_ID" in str(denied.value) and "Unauthorized request" in str(denied.value)


def test_403_is_permission_denied(mux, fake):
    fake.expect("POST", STREAMS, status=403,
                json={"error": {"type": "forbidden", "messages": ["Token lacks write permission"]}})
    with pytest.raises(PermissionDeniedError) as denied:
        mux.create("Show")
    assert "Read and Write" in str(denied.value)


def test_404_names_the_stream(mux, fake):
    fake.expect("GET", f"{STREAMS}/nope", status=404, json={"error": {"type": "not_found", "messages": []}})
    with pytest.raises(NotFoundError) as missing:
        mux.get("nope")
    assert "live stream nope" in str(missing.value) and "not_found" in str(missing.value)


def test_400_lists_mux_messages_per_field(mux, fake):
    fake.expect("POST", STREAMS, status=400,
                json=_invalid("reconnect_window must be between 0 and 1800", "something else is wrong"))
    with pytest.raises(InvalidRequestError) as refused:
        mux.create("Show")
    error = refused.value
    assert error.status_code == 400
    assert error.field_errors == {"reconnect_window": ["reconnect_window must be between 0 and 1800"]}
    assert "invalid_parameters" in error.provider_message and "something else is wrong" in error.provider_message


def test_429_is_retried_after_the_asked_wait_then_reported(mux, fake, sleeps):
    limited = {"error": {"type": "too_many_requests", "messages": ["Too many requests"]}}
    for _ in range(4):
        fake.expect("GET", f"{STREAMS}/{STREAM_ID}", status=429, json=limited, headers={"Retry-After": "2"})
    with pytest.raises(RateLimitedError) as slow:
        mux.get(STREAM_ID)
    assert slow.value.retry_after == 2 and sleeps and all(s >= 2 for s in sleeps)


def test_5xx_is_a_server_error_and_a_get_is_retried(mux, fake, sleeps):
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", status=503, body=b"<html>down</html>")
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    assert mux.get(STREAM_ID).id == STREAM_ID and len(sleeps) == 1
    fake.expect("POST", STREAMS, status=500, json={"error": {"type": "internal_error", "messages": []}})
    with pytest.raises(ProviderServerError):
        mux.create("Once")


# ---------------------------------------------------------------------------- secrets


def test_secrets_never_show_in_reprs_errors_or_logs(mux, fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.expect("POST", STREAMS, status=201, json=_stream(srt_passphrase=SRT_PASSPHRASE))
    stream = mux.create("Show", options={"protocol": "srt"})
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", status=400,
                json=_invalid(f"bad key {STREAM_KEY} and {TOKEN_SECRET} and {SRT_PASSPHRASE}"))
    with pytest.raises(InvalidRequestError) as refused:
        mux.get(STREAM_ID)
    shown = " ".join([repr(mux), repr(mux.credentials), str(refused.value), repr(stream), str(stream.display()),
                      caplog.text])
    for secret in (TOKEN_SECRET, SRT_PASSPHRASE, BASIC.split()[1]):
        assert secret not in shown
    assert secrets.redact(f"key={STREAM_KEY}") == f"key={secrets.REDACTED}"


# ---------------------------------------------------------------------------- corrections (sources cited)


def test_recordings_are_always_made_and_the_option_sets_their_playback_policy(mux, fake):
    # "Every live stream on Mux is automatically recorded as an asset"
    # (https://www.mux.com/docs/guides/stream-recordings-of-live-streams): the option gives
    # the recording the stream's playback policy (new_asset_settings), it does not record.
    option = next(o for o in Mux.stream_options if o.name == "recording_playback")
    assert "record" not in {o.name for o in Mux.stream_options}
    assert "playback" in option.label.lower() and "records every broadcast" in option.help
    assert option.setting == "record"  # the settings key saved by the earlier checkbox, still read
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    mux.create("Signed recordings", options={"playback_policy": "signed", "recording_playback": True})
    assert fake.requests[0].json["new_asset_settings"] == {"playback_policies": ["signed"]}


def test_the_earlier_record_option_name_is_still_accepted(mux, fake):
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    mux.create("Old caller", options={"record": False})
    assert "new_asset_settings" not in fake.requests[0].json


def test_an_srt_answer_without_a_passphrase_is_a_clear_error_at_once(fake, sleeps):
    # The LiveStream object of https://www.mux.com/docs/api-reference/video/live-streams/create-live-stream
    # carries srt_passphrase for SRT ingest; the documented create answer (CREATED) has none.
    client = Mux({"token_id": TOKEN_ID, "token_secret": TOKEN_SECRET}, session=fake.session(),
                 sleep=sleeps.append, environ={})
    fake.expect("POST", STREAMS, status=201, json=CREATED)
    with pytest.raises(UnexpectedResponseError) as caught:
        client.create("SRT", options={"protocol": "srt"})
    assert "no SRT passphrase" in str(caught.value) and "RTMPS" in caught.value.hint
    assert STREAM_KEY not in str(caught.value) + caught.value.hint
    fake.expect("GET", f"{STREAMS}/{STREAM_ID}", json=CREATED)
    with pytest.raises(UnexpectedResponseError):
        client.get(STREAM_ID)
    fake.expect("GET", f"{STREAMS}?limit=100&page=1", json=LISTED)
    assert len(client.list()) == 2  # a listing is only read, never refused for one stream
    client.close()


class TestMuxContract(ProviderContract):
    """The shared provider tests (tests/providers/contract.py)."""

    provider = Mux
    credentials = {"token_id": TOKEN_ID, "token_secret": TOKEN_SECRET}
    stream_id = STREAM_ID
    get_url = f"{STREAMS}/{STREAM_ID}"
    statuses = {"idle": StreamStatus.NOT_STARTED, "active": StreamStatus.LIVE, "disabled": StreamStatus.DISABLED}
    map_status = staticmethod(map_status)
