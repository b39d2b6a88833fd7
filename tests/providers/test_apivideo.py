"""api.video client: the token exchange, requests as documented, documented example bodies parsed, errors mapped.

The example bodies are the official Python SDK's test payloads
(https://github.com/apivideo/api.video-python-client/tree/main/test/payloads/live_streams).
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timezone

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
from livestream.providers.apivideo import (
    RTMP_SERVER,
    RTMPS_SERVER,
    SRT_SERVER,
    ApiVideo,
    ApiVideoCredentials,
    map_status,
)
from tests.fakehttp import read_timeout_error
from tests.providers.contract import ProviderContract

API_KEY = "av-api-key-1f2e3d4c5b6a7980"
ACCESS = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.access-1"
REFRESH = "def50200a28d88fb9aa-refresh-1"
ACCESS_2 = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.access-2"
REFRESH_2 = "def50200a28d88fb9aa-refresh-2"
BASE = "https://ws.api.video"
LOGIN = f"{BASE}/auth/api-key"
RENEW = f"{BASE}/auth/refresh"
STREAMS = f"{BASE}/live-streams"
STREAM_ID = "li4pqNqGUkhKfWcBGpZVLRY5"
STREAM_KEY = "cc1b4df0-d1c5-4064-a8f9-9f0368385135"
STREAM_URL = f"{STREAMS}/{STREAM_ID}"
LIST_FIRST = f"{STREAMS}?currentPage=1&pageSize=100&sortBy=createdAt&sortOrder=asc"


def _token(access: str = ACCESS, refresh: str = REFRESH, expires_in: int = 3600) -> dict:
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": expires_in}


# The SDK's live_streams/create/responses/200.json (get/200 is the same object).
STREAM = {
    "liveStreamId": STREAM_ID,
    "createdAt": "2020-07-29T10:45:35+00:00",
    "updatedAt": "2020-07-29T10:45:35+00:00",
    "streamKey": STREAM_KEY,
    "restreams": [
        {"name": "YouTube", "serverUrl": "rtmp://youtube.broadcast.example.com",
         "streamKey": "cc1b4df0-d1c5-4064-a8f9-9f0368385135"},
        {"name": "Twitch", "serverUrl": "rtmp://twitch.broadcast.example.com",
         "streamKey": "cc1b4df0-d1c5-4064-a8f9-9f0368385135"},
    ],
    "name": "Live From New York",
    "public": True,
    "broadcasting": False,
    "assets": {
        "iframe": '<iframe src="https://embed.api.video/live/li4pqNqGUkhKfWcBGpZVLRY5" width="100%" '
                  'height="100%" frameborder="0" scrolling="no" allowfullscreen=""></iframe>',
        "player": "https://embed.api.video/live/li4pqNqGUkhKfWcBGpZVLRY5",
        "hls": "https://live.api.video/li4pqNqGUkhKfWcBGpZVLRY5.m3u8",
        "thumbnail": "https://live.api.video/li4pqNqGUkhKfWcBGpZVLRY5/thumbnail.jpg",
    },
}
# The SDK's live_streams/list/responses/200.json: two streams, one page.
OTHER = dict(copy.deepcopy(STREAM), liveStreamId="li400mYKSgQ6xs7taUeSaEKr",
             createdAt="2020-01-31T10:17:47+00:00", updatedAt="2020-03-09T13:19:43+00:00",
             streamKey="30087931-229e-42cf-b5f9-e91bcc1f7332", name="Live Stream From the browser")
OTHER["assets"] = {k: v.replace(STREAM_ID, "li400mYKSgQ6xs7taUeSaEKr") for k, v in STREAM["assets"].items()}
LISTED = {
    "data": [OTHER, STREAM],
    "pagination": {
        "currentPage": 1, "currentPageItems": 19, "pageSize": 25, "pagesTotal": 1, "itemsTotal": 19,
        "links": [{"rel": "self", "uri": "/live-streams?currentPage=1&pageSize=25"},
                  {"rel": "first", "uri": "/live-streams?currentPage=1&pageSize=25"},
                  {"rel": "last", "uri": "/live-streams?currentPage=1&pageSize=25"}],
    },
}
# Problem bodies from the SDK's payloads (404, 429, create 400-0).
NOT_FOUND = {"type": "https://docs.api.video/reference/resource-not-found",
             "title": "The requested resource was not found.", "name": "liveStreamId", "status": 404}
TOO_MANY = {"type": "https://docs.api.video/reference/too-many-requests", "title": "Too many requests.",
            "status": 429}
INVALID = {"type": "https://docs.api.video/reference/invalid-attribute", "title": "An attribute is invalid.",
           "status": 400, "detail": "This value should not be blank.", "name": "restreams[0][name]"}
AUTH_FAILED = {"type": "https://docs.api.video/reference/authentication-failed",
               "title": "The authentication failed.", "status": 401}


def _stream(stream_id: str = STREAM_ID, **changes) -> dict:
    data = copy.deepcopy(STREAM)
    data.update(liveStreamId=stream_id, **changes)
    return data


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def av(fake, sleeps, clock):
    client = ApiVideo({"api_key": API_KEY}, session=fake.session(), sleep=sleeps.append, environ={}, clock=clock)
    yield client
    client.close()


@pytest.fixture
def logged_in(fake):
    """Script the token exchange that precedes the first API call."""
    fake.expect("POST", LOGIN, json=_token())
    return fake


# ---------------------------------------------------------------------------- registry and declaration


def test_it_is_registered_as_apivideo():
    cls = providers.get("apivideo")
    assert cls is ApiVideo
    assert (cls.display_name, cls.supports_scheduling, cls.default_base_url, cls.base_url_env) == (
        "api.video", False, "https://ws.api.video", "APIVIDEO_API_BASE_URL")
    assert "apivideo" in providers.names()


def test_the_declaration_drives_the_front_ends():
    declared = ApiVideo.declaration()
    assert declared.settings_prefix == "apivideo"
    [key] = declared.credential_fields
    assert (key.name, key.env, key.secret) == ("api_key", "APIVIDEO_API_KEY", True)
    assert "sandbox.api.video" in key.help
    options = {o.name: o for o in declared.stream_options}
    assert set(options) == set(ApiVideo.Options.model_fields)
    assert options["public"].kind == "bool" and options["public"].cli_flag == "no-public"
    assert [value for value, _ in options["protocol"].choices] == ["rtmps", "rtmp", "srt"]
    assert {s.env for s in declared.settings} == {
        "APIVIDEO_INGEST_RTMPS_URL", "APIVIDEO_INGEST_RTMP_URL", "APIVIDEO_INGEST_SRT_URL"}
    assert declared.capabilities.protocols == ("rtmps", "rtmp", "srt")
    assert declared.capabilities.reuse and not declared.capabilities.scheduling
    assert declared.setting_key(key) == "apivideo_api_key"


def test_it_reads_the_api_key_from_the_environment():
    creds = ApiVideo.credentials_from_env({"APIVIDEO_API_KEY": f"  {API_KEY} "})
    assert creds.api_key.get_secret_value() == API_KEY


def test_a_pasted_line_break_is_refused_without_echoing_the_key():
    with pytest.raises(ConfigurationError) as info:
        ApiVideo.credentials_from_env({"APIVIDEO_API_KEY": "abcd\nefgh-secret"})
    assert "line break" in str(info.value) and "efgh-secret" not in str(info.value)
    assert "APIVIDEO_API_KEY" in str(info.value)


def test_the_api_key_is_a_registered_secret_never_in_the_repr(av):
    assert API_KEY in secrets.registered()
    assert API_KEY not in repr(av) and API_KEY not in repr(av.credentials)
    assert API_KEY not in repr(ApiVideoCredentials(api_key=API_KEY))


def test_the_base_url_comes_from_the_environment(fake):
    client = ApiVideo({"api_key": API_KEY}, session=fake.session(),
                      environ={"APIVIDEO_API_BASE_URL": "https://sandbox.api.video"})
    fake.expect("POST", "https://sandbox.api.video/auth/api-key", json=_token())
    fake.expect("GET", f"https://sandbox.api.video/live-streams/{STREAM_ID}", json=STREAM)
    client.get(STREAM_ID)


@pytest.mark.parametrize("kwargs", [{"ingest_rtmps_url": "http://x/s"}, {"ingest_rtmp_url": "srt://x"},
                                    {"ingest_srt_url": "rtmp://x/s"}, {"protocol": "webrtc"}])
def test_bad_ingest_overrides_are_refused(kwargs):
    with pytest.raises(ConfigurationError):
        ApiVideo({"api_key": API_KEY}, environ={}, **kwargs)


# ---------------------------------------------------------------------------- the token exchange


def test_the_first_call_exchanges_the_api_key_for_a_bearer_token(logged_in, av):
    fake = logged_in
    fake.expect("GET", STREAM_URL, json=STREAM)
    fake.expect("GET", STREAM_URL, json=STREAM)
    av.get(STREAM_ID)
    av.get(STREAM_ID)  # the token is reused: one exchange only
    login, first, second = fake.requests
    assert login.method == "POST" and login.path == "/auth/api-key" and login.json == {"apiKey": API_KEY}
    assert "Authorization" not in login.headers
    assert first.headers["Authorization"] == f"Bearer {ACCESS}" == second.headers["Authorization"]
    assert {ACCESS, REFRESH} <= secrets.registered()
    assert ACCESS not in repr(av)


def test_the_token_is_refreshed_a_minute_before_it_expires(logged_in, av, clock):
    fake = logged_in
    fake.expect("GET", STREAM_URL, json=STREAM)
    fake.expect("POST", RENEW, json=_token(ACCESS_2, REFRESH_2))
    fake.expect("GET", STREAM_URL, json=STREAM)
    av.get(STREAM_ID)
    clock.now += 3600 - 59
    av.get(STREAM_ID)
    renew, after = fake.requests[2:]
    assert renew.json == {"refreshToken": REFRESH} and "Authorization" not in renew.headers
    assert after.headers["Authorization"] == f"Bearer {ACCESS_2}"


def test_a_refused_refresh_logs_in_again_with_the_api_key(logged_in, av, clock):
    fake = logged_in
    fake.expect("GET", STREAM_URL, json=STREAM)
    fake.expect("POST", RENEW, status=401, json=AUTH_FAILED)
    fake.expect("POST", LOGIN, json=_token(ACCESS_2, REFRESH_2))
    fake.expect("GET", STREAM_URL, json=STREAM)
    av.get(STREAM_ID)
    clock.now += 7200
    av.get(STREAM_ID)
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {ACCESS_2}"


def test_a_401_on_a_call_logs_in_again_once_and_repeats_the_call(logged_in, av):
    fake = logged_in
    fake.expect("GET", STREAM_URL, json=STREAM)
    fake.expect("POST", STREAMS, status=401, json=AUTH_FAILED)  # revoked, or the service restarted
    fake.expect("POST", LOGIN, json=_token(ACCESS_2, REFRESH_2))
    fake.expect("POST", STREAMS, status=201, json=STREAM)  # a 401 was not carried out: safe to repeat
    av.get(STREAM_ID)
    assert av.create("Game night").id == STREAM_ID
    assert [r.path for r in fake.requests] == ["/auth/api-key", f"/live-streams/{STREAM_ID}",
                                               "/live-streams", "/auth/api-key", "/live-streams"]
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {ACCESS_2}"


def test_a_fresh_token_refused_again_is_an_authentication_error(logged_in, av):
    fake = logged_in
    fake.expect("GET", STREAM_URL, status=401, json=AUTH_FAILED)
    with pytest.raises(AuthenticationError) as info:
        av.get(STREAM_ID)
    assert len(fake.requests) == 2  # no login loop
    assert "APIVIDEO_API_KEY" in str(info.value)


@pytest.mark.parametrize("status, body", [(401, AUTH_FAILED), (400, {**INVALID, "name": "apiKey"}),
                                          (403, {"type": "x", "title": "Forbidden.", "status": 403})])
def test_a_wrong_api_key_is_an_authentication_error_without_the_key(fake, av, status, body):
    fake.expect("POST", LOGIN, status=status, json=body)
    with pytest.raises((AuthenticationError, PermissionDeniedError)) as info:
        av.check_credentials()
    text = str(info.value) + repr(info.value)
    assert "api.video" in text and API_KEY not in text
    if status in (400, 401):
        assert isinstance(info.value, AuthenticationError)
        assert "API key" in text and "APIVIDEO_API_KEY" in text


def test_a_token_answer_without_a_token_is_unexpected(fake, av):
    fake.expect("POST", LOGIN, json={"token_type": "Bearer"})
    with pytest.raises(UnexpectedResponseError) as info:
        av.check_credentials()
    assert "access_token" in str(info.value)


def test_the_token_exchange_is_retried_after_a_server_error(fake, av, sleeps):
    fake.expect("POST", LOGIN, status=503, json={"type": "x", "title": "Unavailable.", "status": 503})
    fake.expect("POST", LOGIN, json=_token())
    fake.expect("GET", f"{STREAMS}?currentPage=1&pageSize=1", json=LISTED)
    av.check_credentials()
    assert len(sleeps) == 1


# ---------------------------------------------------------------------------- create


def test_create_posts_the_documented_body_and_parses_the_example(logged_in, av):
    fake = logged_in
    fake.expect("POST", STREAMS, status=201, json=STREAM)
    stream = av.create("Game night", reference="ref-123")
    sent = fake.requests[1]
    assert sent.method == "POST" and sent.path == "/live-streams"
    assert sent.headers["Authorization"] == f"Bearer {ACCESS}"
    assert sent.headers["User-Agent"] == USER_AGENT and sent.headers["Content-Type"] == "application/json"
    assert sent.json == {"name": "Game night", "public": True}  # no metadata field for the reference
    assert (stream.provider, stream.id, stream.title) == ("apivideo", STREAM_ID, "Live From New York")
    assert stream.status is StreamStatus.NOT_STARTED and stream.provider_status == "not broadcasting"
    assert stream.ingest.protocol == "rtmps" and stream.ingest.server == RTMPS_SERVER
    assert stream.ingest.obs_service_settings() == {"server": "rtmps://broadcast.api.video:1936/s",
                                                    "key": STREAM_KEY}
    assert stream.playback_url == "https://live.api.video/li4pqNqGUkhKfWcBGpZVLRY5.m3u8"
    assert stream.created_at == datetime(2020, 7, 29, 10, 45, 35, tzinfo=timezone.utc)
    assert STREAM_KEY in secrets.registered() and STREAM_KEY not in repr(stream)


def test_create_sends_public_and_player_id_in_camel_case(logged_in, av):
    logged_in.expect("POST", STREAMS, status=201, json=STREAM)
    av.create("Finals", options={"public": False, "player_id": " pl45d5vFFGrfdsdsd156dGhh "})
    assert logged_in.requests[1].json == {"name": "Finals", "public": False, "playerId": "pl45d5vFFGrfdsdsd156dGhh"}


@pytest.mark.parametrize("protocol, server", [("rtmp", RTMP_SERVER), ("RTMPS", RTMPS_SERVER)])
def test_the_protocol_picks_the_ingest_server(logged_in, av, protocol, server):
    logged_in.expect("POST", STREAMS, status=201, json=STREAM)
    stream = av.create("Game night", options={"protocol": protocol})
    assert stream.ingest.server == server and "protocol" not in logged_in.requests[1].json


def test_an_srt_stream_uses_the_stream_key_as_streamid(logged_in, av):
    logged_in.expect("POST", STREAMS, status=201, json=STREAM)
    logged_in.expect("GET", STREAM_URL, json=STREAM)
    stream = av.create("Over SRT", options={"protocol": "srt"})
    assert stream.ingest.protocol == "srt" and stream.ingest.server == SRT_SERVER
    assert stream.ingest.obs_service_settings() == {
        "server": f"srt://broadcast.api.video:6200?streamid={STREAM_KEY}", "key": ""}
    assert av.get(STREAM_ID).ingest.protocol == "srt"  # remembered for later reads
    assert STREAM_KEY not in secrets.redact(stream.ingest.srt_url())


def test_the_ingest_urls_can_point_at_a_sandbox(fake):
    client = ApiVideo({"api_key": API_KEY}, session=fake.session(), base_url="http://127.0.0.1:8080",
                      environ={"APIVIDEO_INGEST_RTMPS_URL": "rtmp://127.0.0.1:1935/live"})
    fake.expect("POST", "http://127.0.0.1:8080/auth/api-key", json=_token())
    fake.expect("POST", "http://127.0.0.1:8080/live-streams", status=201, json=STREAM)
    stream = client.create("Local")
    assert stream.ingest.protocol == "rtmp" and stream.ingest.server == "rtmp://127.0.0.1:1935/live"


@pytest.mark.parametrize("options, problem", [
    ({"protocol": "webrtc"}, "protocol"), ({"public": "perhaps"}, "public"), ({"latency": "low"}, "latency"),
    ({"player_id": 5}, "player_id")])
def test_bad_options_are_refused_before_any_request(av, options, problem):
    with pytest.raises(ConfigurationError) as info:
        av.create("Game night", options=options)
    assert problem in str(info.value)


def test_it_cannot_schedule_or_start(av):
    with pytest.raises(ConfigurationError):
        av.create("Later", start=datetime(2030, 1, 1))
    with pytest.raises(ConfigurationError):
        av.start(STREAM_ID)


def test_a_blank_title_is_refused(av):
    with pytest.raises(ConfigurationError):
        av.create("   ")


def test_it_never_retries_create_after_a_read_timeout(logged_in, av, sleeps):
    logged_in.expect("POST", STREAMS, raises=read_timeout_error())
    with pytest.raises(NoResponseError):
        av.create("Game night")
    assert len(logged_in.requests) == 2 and sleeps == []


def test_a_long_rate_limit_wait_is_reported_from_the_rate_limit_header(logged_in, av, sleeps):
    logged_in.expect("POST", STREAMS, status=429, json=TOO_MANY,
                     headers={"X-RateLimit-Retry-After": "45", "X-RateLimit-Limit": "10"})
    with pytest.raises(RateLimitedError) as info:
        av.create("Game night")
    assert info.value.retry_after == 45.0 and sleeps == []  # longer than the client will sleep
    assert "Too many requests" in str(info.value) and "45 s" in str(info.value)


def test_a_lost_create_answer_is_found_again_by_name_and_creation_time(logged_in, av):
    sent_at = datetime(2020, 7, 29, 10, 45, 34, tzinfo=timezone.utc).timestamp()
    logged_in.expect("GET", LIST_FIRST, json=LISTED)
    found = av.find_created(reference="ref-123", title="Live From New York", sent_at=sent_at)
    assert found is not None and found.id == STREAM_ID
    logged_in.expect("GET", LIST_FIRST, json=LISTED)
    assert av.find_created(reference="ref-123", title="Live From New York", sent_at=sent_at + 86400) is None


# ---------------------------------------------------------------------------- get, list, end, delete


@pytest.mark.parametrize("broadcasting, status, word", [
    (True, StreamStatus.LIVE, "broadcasting"), (False, StreamStatus.NOT_STARTED, "not broadcasting"),
    (None, StreamStatus.UNKNOWN, None)])
def test_broadcasting_maps_to_a_status(logged_in, av, broadcasting, status, word):
    assert map_status(broadcasting) is status
    logged_in.expect("GET", STREAM_URL, json=_stream(broadcasting=broadcasting))
    stream = av.get(STREAM_ID)
    assert stream.status is status and stream.provider_status == word
    assert stream.ingest_ready  # the key comes at once


def test_get_of_an_unknown_stream_is_not_found(logged_in, av):
    logged_in.expect("GET", STREAM_URL, status=404, json=NOT_FOUND)
    with pytest.raises(NotFoundError) as info:
        av.get(STREAM_ID)
    assert "The requested resource was not found" in str(info.value) and STREAM_ID in str(info.value)


@pytest.mark.parametrize("body, named", [({"name": "x"}, "liveStreamId"), ([1, 2], "JSON object"),
                                         ({"liveStreamId": "", "streamKey": "k"}, "liveStreamId")])
def test_a_stream_without_its_id_is_unexpected(logged_in, av, body, named):
    logged_in.expect("GET", STREAM_URL, json=body)
    with pytest.raises(UnexpectedResponseError) as info:
        av.get(STREAM_ID)
    assert named in str(info.value)


def test_list_parses_the_documented_example(logged_in, av):
    logged_in.expect("GET", LIST_FIRST, json=LISTED)
    streams = av.list()
    assert [s.id for s in streams] == ["li400mYKSgQ6xs7taUeSaEKr", STREAM_ID]
    assert streams[0].title == "Live Stream From the browser"
    assert all(r.headers["Authorization"] == f"Bearer {ACCESS}" for r in logged_in.requests[1:])


def test_list_walks_every_page(logged_in, av):
    def page(number, items, total_pages):
        return {"data": items, "pagination": {"currentPage": number, "pageSize": 100, "pagesTotal": total_pages,
                                              "itemsTotal": 102, "currentPageItems": len(items), "links": []}}

    logged_in.expect("GET", LIST_FIRST, json=page(1, [_stream(f"li{i:022d}") for i in range(100)], 2))
    logged_in.expect("GET", LIST_FIRST.replace("currentPage=1", "currentPage=2"),
                     json=page(2, [_stream("liA"), _stream("liB")], 2))
    assert len(av.list()) == 102


def test_list_stops_at_an_empty_page(logged_in, av):
    logged_in.expect("GET", LIST_FIRST, json={"data": [], "pagination": {"pagesTotal": 0, "links": []}})
    assert av.list() == []


def test_a_list_without_data_is_unexpected(logged_in, av):
    logged_in.expect("GET", LIST_FIRST, json={"pagination": {}})
    with pytest.raises(UnexpectedResponseError):
        av.list()


#: The stream while an encoder publishes to it (the SDK's get/200 with ``broadcasting: true``).
BROADCASTING = dict(copy.deepcopy(STREAM), broadcasting=True)


def test_end_completes_the_stream(logged_in, av):
    logged_in.expect("GET", STREAM_URL, json=BROADCASTING)
    logged_in.expect("PUT", f"{STREAM_URL}/complete", status=202, body=b"")
    result = av.end(STREAM_ID)
    assert result.ended and "completing" in result.message
    sent = logged_in.requests[2]
    assert sent.method == "PUT" and sent.body is None and sent.headers["Authorization"] == f"Bearer {ACCESS}"


def test_end_reads_broadcasting_first_and_completes_nothing_idle(logged_in, av):
    # Complete is documented for a broadcasting stream only (the Live Streams reference,
    # https://docs.api.video/reference/api/Live-Streams); the SDK's get/200 body
    # (api.video-python-client test/payloads/live_streams/get/responses/200.json) says
    # ``broadcasting: false``, so nothing is sent to complete.
    logged_in.expect("GET", STREAM_URL, json=STREAM)
    result = av.end(STREAM_ID)
    assert not result.ended and "not broadcasting" in result.message
    assert [r.method for r in logged_in.requests] == ["POST", "GET"]


def test_end_of_an_unknown_stream_is_not_found(logged_in, av):
    logged_in.expect("GET", STREAM_URL, json=BROADCASTING)
    logged_in.expect("PUT", f"{STREAM_URL}/complete", status=404, json=NOT_FOUND)  # the SDK's complete/404
    with pytest.raises(NotFoundError):
        av.end(STREAM_ID)


def test_a_refused_complete_means_nothing_to_end(logged_in, av):
    logged_in.expect("GET", STREAM_URL, json=BROADCASTING)
    logged_in.expect("PUT", f"{STREAM_URL}/complete", status=400,
                     json={**INVALID, "name": "liveStreamId", "detail": "The live stream is not broadcasting."})
    result = av.end(STREAM_ID)
    assert not result.ended and "not broadcasting" in result.message


def test_delete_sends_delete(logged_in, av):
    logged_in.expect("DELETE", STREAM_URL, status=204, body=b"")
    av.delete(STREAM_ID)
    assert logged_in.requests[1].method == "DELETE"


def test_check_credentials_reads_one_stream(logged_in, av):
    logged_in.expect("GET", f"{STREAMS}?currentPage=1&pageSize=1", json=LISTED)
    av.check_credentials()


def test_an_empty_stream_id_is_refused(av):
    with pytest.raises(ConfigurationError):
        av.get("  ")


# ---------------------------------------------------------------------------- errors


def test_a_400_names_the_invalid_attribute(logged_in, av):
    logged_in.expect("POST", STREAMS, status=400, json=INVALID)  # the SDK's create/400-0
    with pytest.raises(InvalidRequestError) as info:
        av.create("Game night")
    assert info.value.field_errors == {"restreams[0][name]": ["This value should not be blank."]}
    assert "An attribute is invalid" in str(info.value) and "restreams[0][name]" in str(info.value)


def test_additional_problems_are_listed_per_field(logged_in, av):
    body = {**INVALID, "name": "name", "problems": [
        {"type": INVALID["type"], "title": "This value should be of type bool.", "name": "public", "status": 400}]}
    logged_in.expect("POST", STREAMS, status=400, json=body)
    with pytest.raises(InvalidRequestError) as info:
        av.create("Game night")
    assert info.value.field_errors == {"name": ["This value should not be blank."],
                                       "public": ["This value should be of type bool."]}


@pytest.mark.parametrize("status, error", [
    (403, PermissionDeniedError), (404, NotFoundError), (500, ProviderServerError), (503, ProviderServerError)])
def test_statuses_map_to_the_error_tree(logged_in, av, status, error):
    body = {"type": "https://docs.api.video/reference/x", "title": f"Problem {status}.", "status": status}
    logged_in.expect("DELETE", STREAM_URL, status=status, json=body)
    if status >= 500:  # DELETE is retried on 5xx: script every attempt
        for _ in range(3):
            logged_in.expect("DELETE", STREAM_URL, status=status, json=body)
    with pytest.raises(error) as info:
        av.delete(STREAM_ID)
    assert f"Problem {status}" in str(info.value) and info.value.status_code == status


def test_a_get_is_retried_after_429_with_the_wait_api_video_asks_for(logged_in, av, sleeps):
    logged_in.expect("GET", STREAM_URL, status=429, json=TOO_MANY, headers={"X-RateLimit-Retry-After": "2"})
    logged_in.expect("GET", STREAM_URL, json=STREAM)
    assert av.get(STREAM_ID).id == STREAM_ID
    assert sleeps == [2.0]


def test_a_body_that_is_not_a_problem_still_maps_by_status(logged_in, av):
    logged_in.expect("GET", STREAM_URL, status=404, body=b"<html>nope</html>")
    with pytest.raises(NotFoundError):
        av.get(STREAM_ID)


def test_secrets_never_reach_messages_or_logs(logged_in, av, caplog):
    caplog.set_level(logging.DEBUG)
    echo = {**INVALID, "detail": f"Key {STREAM_KEY} with token {ACCESS} and {API_KEY} is invalid."}
    logged_in.expect("GET", STREAM_URL, json=STREAM)
    logged_in.expect("POST", STREAMS, status=400, json=echo)
    av.get(STREAM_ID)
    with pytest.raises(InvalidRequestError) as info:
        av.create("Game night")
    shown = str(info.value) + repr(info.value) + repr(info.value.field_errors) + caplog.text
    for secret in (STREAM_KEY, ACCESS, API_KEY, REFRESH):
        assert secret not in shown


class TestApiVideoContract(ProviderContract):
    """The shared provider tests (tests/providers/contract.py), after the token exchange."""

    provider = ApiVideo
    credentials = {"api_key": API_KEY}
    stream_id = STREAM_ID
    get_url = STREAM_URL
    statuses = {True: StreamStatus.LIVE, False: StreamStatus.NOT_STARTED, None: StreamStatus.UNKNOWN}
    map_status = staticmethod(map_status)

    def script_login(self, fake):
        fake.expect("POST", LOGIN, json=_token())
