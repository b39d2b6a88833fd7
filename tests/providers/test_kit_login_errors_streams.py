"""The kit pieces TP Streams, api.video and FastPix share, on their own: the error-body
reader (``kit_errors.ErrorShape``), the login flow (``kit_login``) and the stream
operations (``kit_streams``)."""

from __future__ import annotations

from typing import Optional

import pytest
from pydantic import Field, SecretStr

from livestream.errors import AuthenticationError, ConfigurationError, InvalidRequestError, UnexpectedResponseError
from livestream.http import HttpClient, Service
from livestream.models import LiveStream, StreamStatus
from livestream.providers.declare import CredentialField
from livestream.providers.kit import CredentialModel, OptionsModel
from livestream.providers.kit_errors import ErrorShape
from livestream.providers.kit_login import LoginProvider, OAuthTokens, TokenOrLogin, token_in
from livestream.providers.kit_streams import StreamsProvider, check_metadata, more_than_read, retry_after_header

BASE = "https://api.kit-login.example"
SERVICE = Service(name="Kit Login", credential="token", auth_hint="check the login", permission_hint="ask",
                  not_found_hint="check the ID", base_url_env="KIT_LOGIN_API_BASE_URL")


# ---------------------------------------------------------------------------- error bodies


def test_an_error_shape_reads_each_message_part_once_and_the_field_errors():
    read = ErrorShape(messages=("error", "error.message", "error.description"), items=("error.fields", "errors"),
                      unnamed="request")
    body = {"error": {"message": "Validation failed", "description": "Validation failed",
                      "fields": [{"field": "title", "message": " is too long "}, {"message": "bad body"}]},
            "errors": ["Try again.", {"field": "title", "message": "   "}]}
    assert read(body) == ("Validation failed: Try again", {"title": ["is too long"], "request": ["bad body"]})


def test_serializer_errors_are_read_per_field_with_nested_names_and_depth_bounded():
    read = ErrorShape(messages=("detail",), other_keys_are_fields=True, not_fields=("code",))
    deep: dict = {"x": "too deep"}
    for _ in range(6):
        deep = {"n": deep}
    message, fields = read({"detail": "Bad.", "code": "invalid", "title": ["Required."],
                            "live": {"start": ["Invalid date."]}, "items": [{"url": ["Bad URL."]}], "deep": deep})
    assert message == "Bad"
    assert fields == {"title": ["Required."], "live.start": ["Invalid date."], "items[0].url": ["Bad URL."]}


def test_the_body_itself_can_be_the_field_error_and_a_shape_may_require_keys():
    read = ErrorShape(messages=("title", "detail"), items=(".", "problems"), field="name", text=("detail", "title"),
                      no_text="is invalid", requires=("title", "detail", "type"))
    body = {"type": "t", "title": "An attribute is invalid.", "name": "name",
            "problems": [{"name": "public"}, {"title": "ignored: no name"}]}
    assert read(body) == ("An attribute is invalid", {"name": ["An attribute is invalid."], "public": ["is invalid"]})
    assert read({"name": "public"}) == (None, {})


@pytest.mark.parametrize("body", [None, [], "oops", 42, {"error": 7}, {"errors": "x"}])
def test_an_error_body_of_another_shape_gives_nothing(body):
    assert ErrorShape(messages=("error.message",), items=("errors",))(body) == (None, {})


# ---------------------------------------------------------------------------- login


class _Either(TokenOrLogin):
    account: str = Field(title="account")
    api_token: Optional[SecretStr] = Field(None, title="API token")
    username: Optional[str] = None
    password: Optional[SecretStr] = None


class _Login(LoginProvider):
    name = display_name = "kitlogin"
    service = SERVICE
    Credentials = _Either
    Options = OptionsModel
    default_base_url = BASE
    base_url_env = "KIT_LOGIN_API_BASE_URL"
    credentials_note = "or KL_USER and KL_PASSWORD"
    login_scheme, login_credential, login_hint = "Token", "password", "check the password"
    credential_fields = (CredentialField("account", "Account", env="KL_ACCOUNT"),
                         CredentialField("api_token", "API token", env="KL_TOKEN", secret=True),
                         CredentialField("username", "Username", env="KL_USER"),
                         CredentialField("password", "Password", env="KL_PASSWORD", secret=True))
    create = start = get = list = end = delete = check_credentials = None  # type: ignore[assignment]


def test_token_or_login_credentials_take_either_and_need_the_other_fields():
    assert not _Either(account="a", api_token=SecretStr("t")).uses_login
    assert _Either(account="a", username="u", password=SecretStr("p")).uses_login
    with pytest.raises(ValueError, match="give an api_token, or a username and a password"):
        _Either(account="a", username="u")
    with pytest.raises(ValueError, match="account is required"):
        _Either(account=" ", api_token=SecretStr("t"))


@pytest.mark.parametrize("environ, named", [
    ({}, ["KL_ACCOUNT", "KL_TOKEN (or KL_USER and KL_PASSWORD)"]),
    ({"KL_ACCOUNT": "a", "KL_USER": "u"}, ["KL_PASSWORD"]),
    ({"KL_ACCOUNT": "a", "KL_PASSWORD": "p"}, ["KL_USER"]),
])
def test_the_environment_names_exactly_what_is_missing(environ, named):
    with pytest.raises(ConfigurationError) as refused:
        _Login.credentials_from_env(environ)
    assert refused.value.hint == "set " + ", ".join(named)


def test_the_environment_gives_a_token_or_a_login_trimmed():
    assert _Login.credentials_from_env({"KL_ACCOUNT": " a ", "KL_TOKEN": " t "}).api_token.get_secret_value() == "t"
    login = _Login.credentials_from_env({"KL_ACCOUNT": "a", "KL_USER": "u", "KL_PASSWORD": " p "})
    assert login.api_token is None and login.password.get_secret_value() == "p"


def test_a_refused_login_is_the_login_error_and_its_client_names_the_login(fake):
    client = _Login({"account": "a", "api_token": "t"}, session=fake.session(), environ={}, sleep=lambda _: None)
    login_http = client._login_client()
    assert login_http.session is client._http.session and login_http.auth is None
    assert (login_http.service.credential, login_http.service.auth_hint) == ("password", "check the password")
    assert client._http.service is SERVICE
    fake.expect("POST", f"{BASE}/login", status=400, json={"message": "Wrong password"})
    with pytest.raises(AuthenticationError) as refused:
        client._post_login("/login", {"password": "p"}, what="login", refused_message="Kit Login refused the login",
                           hint="check the password", http=login_http)
    assert str(refused.value).startswith("Kit Login refused the login (400: Wrong password)")


def test_a_token_is_sent_as_is_and_a_login_through_the_cache_under_a_key_made_on_first_use(fake):
    fake.expect("GET", f"{BASE}/v1/x", json={})
    _Login({"account": "a", "api_token": "t-1"}, session=fake.session(), environ={})._send("GET", "/v1/x")
    assert fake.requests[-1].headers["Authorization"] == "Token t-1"

    class _Cache:
        saved: dict = {}
        keys: list = []

        def key_for(self, *parts):
            self.keys.append(parts)
            return "|".join(parts)

        def get(self, key):
            return self.saved.get(key)

        def put(self, key, token):
            self.saved[key] = token

        def discard(self, key, token=None):
            self.saved.pop(key, None)

    client = _Login({"account": "a", "username": "u", "password": "p"}, session=fake.session(), environ={})
    cache = _Cache()
    tokens = client._cached_login(lambda: "minted", cache)
    client._log_in_with(tokens)
    assert cache.keys == []  # not on the thread that builds the client
    for _ in range(2):
        fake.expect("GET", f"{BASE}/v1/x", json={})
        client._send("GET", "/v1/x")
    assert cache.keys == [(BASE, "a", "u", "p")] and cache.saved == {f"{BASE}|a|u|p": "minted"}
    assert fake.requests[-1].headers["Authorization"] == "Token minted"


def test_the_token_is_read_from_the_first_field_that_has_one(fake):
    http = HttpClient(SERVICE, BASE, session=fake.session())
    fake.expect("POST", f"{BASE}/login", json={"token": "", "key": "k-1"})
    assert token_in(http, http.request("POST", "/login"), ("token", "key")) == "k-1"
    fake.expect("POST", f"{BASE}/login", json={"expiry": 3})
    with pytest.raises(UnexpectedResponseError, match="no 'token' in the login answer"):
        token_in(http, http.request("POST", "/login"), ("token", "key"))


def test_an_oauth_token_is_refreshed_before_it_expires_and_a_refused_refresh_logs_in(fake):
    http = HttpClient(SERVICE, BASE, session=fake.session(), sleep=lambda _: None)
    now = [0.0]
    tokens = OAuthTokens(http, lifetime=100.0, margin=10.0, clock=lambda: now[0],
                         login=lambda: http.request("POST", "/login", idempotent=True),
                         refresh=lambda token: http.request("POST", "/refresh", json={"r": token}, idempotent=True))
    fake.expect("POST", f"{BASE}/login", json={"access_token": "a-1", "refresh_token": "r-1"})
    assert tokens.current()[0].get_secret_value() == "a-1"
    now[0] = 89.0  # no expires_in: the lifetime given, renewed `margin` seconds early
    assert tokens.current()[0].get_secret_value() == "a-1"
    now[0] = 91.0
    fake.expect("POST", f"{BASE}/refresh", json={"access_token": "a-2", "expires_in": 50})
    assert tokens.current() [0].get_secret_value() == "a-2"
    assert fake.requests[-1].json == {"r": "r-1"}
    now[0] = 200.0  # expired, and no refresh token came with a-2: a new login
    fake.expect("POST", f"{BASE}/login", json={"access_token": "a-3", "refresh_token": "r-3"})
    assert tokens.current()[0].get_secret_value() == "a-3"
    now[0] = 400.0
    fake.expect("POST", f"{BASE}/refresh", status=401, json={"message": "expired"})
    fake.expect("POST", f"{BASE}/login", json={"access_token": "a-4"})
    assert tokens.current() == (SecretStr("a-4"), True)


# ---------------------------------------------------------------------------- stream operations


def test_more_streams_follow_while_fewer_than_the_stated_total_are_read():
    assert more_than_read(50, [1] * 50, 101) is True
    assert more_than_read(100, [1], 101) is False
    assert more_than_read(0, [1], None) is None and more_than_read(0, [1], True) is None


def test_an_end_reads_the_status_first_and_ends_only_a_live_stream(fake):
    client = _Streams({}, session=fake.session(), environ={}, sleep=lambda _: None)
    fake.expect("GET", f"{BASE}/v1/streams/s1", json={"id": "s1"})
    ended = client._end_if_live("s1", "complete", done="done", idle="not live")
    assert not ended.ended and ended.message == "nothing to end (the Kit Login live stream is rtmps via rtmps://ingest.example)"
    fake.expect("GET", f"{BASE}/v1/streams/s1", json={"id": "s1"})
    fake.expect("PUT", f"{BASE}/v1/streams/s1/complete", status=204)
    assert client._end_if_live("s1", "complete", live=lambda s: True, done="done", idle="not live").ended


def test_metadata_over_the_documented_limits_is_refused_naming_the_long_entries():
    check_metadata({"a": "x" * 5}, service="Kit", most=2, longest=5)
    with pytest.raises(ConfigurationError) as refused:
        check_metadata({"a": "x" * 6, "b": "y"}, service="Kit", most=2, longest=5)
    assert str(refused.value).startswith("Kit metadata is too large")
    assert refused.value.hint == "at most 2 entries of at most 5 characters (too long: a)" and "xxxxxx" not in str(
        refused.value)
    with pytest.raises(ConfigurationError, match="too large"):
        check_metadata({"a": "1", "b": "2", "c": "3"}, service="Kit", most=2, longest=5)


def test_a_providers_own_wait_header_is_read_as_retry_after_once_per_session(fake):
    session = fake.session()
    for _ in range(2):
        retry_after_header(session, "X-Wait")
    assert len(session.hooks["response"]) == 1
    sleeps: list = []
    http = HttpClient(SERVICE, BASE, session=session, sleep=sleeps.append)
    fake.expect("GET", f"{BASE}/x", status=429, json={}, headers={"X-Wait": "3"})
    fake.expect("GET", f"{BASE}/x", json={})
    http.request("GET", "/x")
    assert sleeps == [3.0]


def _parse(data, *, protocol, server):
    if "id" not in data:
        raise ValueError("the stream has no 'id'")
    return LiveStream(provider="kitstreams", id=data["id"], status=StreamStatus.NOT_STARTED,
                      provider_status=f"{protocol} via {server}")


class _Streams(StreamsProvider):
    name = display_name = "kitstreams"
    service = SERVICE
    Credentials = CredentialModel
    Options = OptionsModel
    default_base_url = BASE
    base_url_env = "KIT_LOGIN_API_BASE_URL"
    streams_path = "/v1/streams"
    parse_stream = staticmethod(_parse)
    account_word = "project"
    first_page = {"size": 1}
    create = start = list = end = None  # type: ignore[assignment]

    def setup(self, **settings) -> None:
        self._choose_protocol(None)

    def _parse_settings(self) -> dict:
        return {"server": "rtmps://ingest.example"}


def test_the_stream_operations_read_delete_check_and_create_on_the_collection(fake):
    client = _Streams({}, session=fake.session(), environ={}, sleep=lambda _: None)
    fake.expect("GET", f"{BASE}/v1/streams?size=1", json=[])
    client.check_credentials()
    fake.expect("POST", f"{BASE}/v1/streams", json={"id": "s1"})
    assert client._create({"title": "T"}, "srt").provider_status == "srt via rtmps://ingest.example"
    fake.expect("GET", f"{BASE}/v1/streams/s1", json={"id": "s1"})
    assert client.get("s1").provider_status == "srt via rtmps://ingest.example"  # the create's protocol
    fake.expect("DELETE", f"{BASE}/v1/streams/s1", status=204)
    client.delete("s1")
    fake.expect("GET", f"{BASE}/v1/streams/s2", json={"title": "no id"})
    with pytest.raises(UnexpectedResponseError, match="no 'id'"):
        client.get("s2")
    fake.expect("POST", f"{BASE}/v1/streams", status=400, json={"message": "bad"})
    with pytest.raises(InvalidRequestError):
        client._create({}, "rtmps")
    assert [r.method for r in fake.requests].count("POST") == 2  # a create is never retried
