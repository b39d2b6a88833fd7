"""The kit's shared plumbing, on its own: what a provider no longer writes itself
(options read case-insensitively, an optional secret left empty, the login token kept
and renewed, a refused login, every page of a list, an end whose refusal means
"nothing to end", answers validated naming fields only, simulcast targets as a
sub-resource)."""

from __future__ import annotations

from typing import Literal, Optional

import pytest
from pydantic import Field, SecretStr

from livestream import secrets
from livestream.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    ProviderServerError,
    UnexpectedResponseError,
)
from livestream.http import Service, coerce_model
from livestream.models import LiveStream, StreamStatus
from livestream.providers import wire
from livestream.providers.declare import Capabilities
from livestream.providers.kit import BasicCredentials, CredentialModel, LoginTokens, OptionsModel, login_refused
from livestream.providers.kit_simulcast import TargetsProvider
from livestream.simulcast import SimulcastSupport, SimulcastTarget, TargetState

BASE = "https://api.kit-test.example"
SERVICE = Service(name="Kit Test", credential="API key", auth_hint="check the key", permission_hint="ask",
                  not_found_hint="check the ID", base_url_env="KIT_TEST_API_BASE_URL")


class _Options(OptionsModel):
    protocol: Literal["rtmps", "srt"] = "rtmps"
    latency: Optional[Literal["Low Latency", "Normal Latency"]] = None


class _Credentials(BasicCredentials):
    key_id: str = Field(min_length=1, title="key ID")
    key_secret: SecretStr = Field(title="key secret")


class _TokenOrLogin(CredentialModel):
    account: str = Field(min_length=1, title="account")
    api_token: Optional[SecretStr] = Field(None, title="API token")
    password: SecretStr = Field(title="password")


class _Kit(TargetsProvider):
    """A provider with only what the kit needs to run its plumbing."""

    name = display_name = "kittest"
    service = SERVICE
    Credentials = _Credentials
    Options = _Options
    default_base_url = BASE
    base_url_env = "KIT_TEST_API_BASE_URL"
    streams_path = "/v1/streams"
    targets_path = "targets"
    capabilities = Capabilities(protocols=("rtmps", "srt"),
                                simulcast=SimulcastSupport(max_targets=None, schemes=("rtmps",)))

    def setup(self, **settings) -> None:
        super().setup(**settings)
        self._choose_protocol(None)

    def _target_body(self, target: SimulcastTarget) -> dict:
        return {"url": target.url, "key": target.stream_key.get_secret_value()}

    def _target_made(self, response, target: SimulcastTarget) -> TargetState:
        return TargetState(name=target.name, target_id=self._http.json_of(response)["id"], host=target.host)

    create = get = list = end = delete = check_credentials = None  # type: ignore[assignment]  # not under test


@pytest.fixture
def kit(fake):
    return _Kit({"key_id": "kid-1", "key_secret": "ksecret-2"}, session=fake.session(), environ={},
                sleep=lambda _: None)


def _stream(stream_id: str) -> LiveStream:
    return LiveStream(provider="kittest", id=stream_id, status=StreamStatus.NOT_STARTED)


# ---------------------------------------------------------------------------- inputs


def test_options_take_a_lower_case_choice_in_any_case_and_refuse_an_unknown_name():
    assert coerce_model(_Options, {"protocol": " SRT "}, what="options").protocol == "srt"
    # A choice of mixed-case words (TP Streams' latency) is not lower-cased.
    with pytest.raises(ConfigurationError):
        coerce_model(_Options, {"latency": "low latency"}, what="options")
    with pytest.raises(ConfigurationError) as refused:
        coerce_model(_Options, {"protocoll": "srt"}, what="options")
    assert "protocoll" in refused.value.hint


def test_an_optional_secret_left_empty_is_not_given_but_a_required_one_is_refused():
    creds = _TokenOrLogin(account="acc", api_token=SecretStr("  "), password=SecretStr("pw-77"))
    assert creds.api_token is None
    with pytest.raises(ValueError, match="the password is empty"):
        _TokenOrLogin(account="acc", password=SecretStr(" "))


# ---------------------------------------------------------------------------- the login token


class _Cache:
    def __init__(self, saved=None):
        self.saved = dict(saved or {})

    def get(self, key):
        return self.saved.get(key)

    def put(self, key, token):
        self.saved[key] = token

    def discard(self, key, token=None):
        if self.saved.get(key) == token:
            del self.saved[key]


def test_a_cached_token_is_used_before_logging_in_and_a_refused_one_leaves_the_cache():
    minted = iter(["tok-new"])
    cache = _Cache({"me": "tok-saved"})
    tokens = LoginTokens(lambda: next(minted), cache=cache, cache_key=lambda: "me")
    assert tokens.current() == ("tok-saved", False)
    tokens.forget("tok-saved")
    assert cache.saved == {}
    assert tokens.current() == ("tok-new", True) and cache.saved == {"me": "tok-new"}
    assert tokens.current() == ("tok-new", False)


def test_a_token_about_to_expire_is_renewed_not_logged_in_again():
    calls = []
    stale = [False]
    tokens = LoginTokens(lambda: calls.append("login") or "tok-1", renew=lambda: calls.append("renew") or "tok-2",
                         stale=lambda: stale[0])
    assert tokens.current() == ("tok-1", True)
    stale[0] = True
    assert tokens.current() == ("tok-2", True) and calls == ["login", "renew"]


def test_a_refused_login_says_the_status_and_the_providers_words_never_a_secret():
    secrets.register("pw-secret-41")
    refused = InvalidRequestError("x", provider="Kit Test", status_code=400,
                                  provider_message="bad password pw-secret-41")
    error = login_refused(refused, "Kit Test refused the login", hint="check the login", service="Kit Test")
    assert isinstance(error, AuthenticationError) and error.status_code == 400
    assert str(error).startswith("Kit Test refused the login (400: bad password ")
    assert "pw-secret-41" not in str(error) and error.hint == "check the login"


# ---------------------------------------------------------------------------- lists and ends


def test_paging_stops_at_a_short_page_and_keeps_a_stream_seen_twice_once():
    pages = {1: ["a", "b"], 2: ["b", "c"], 3: ["d"]}
    asked = []

    def page_of(page, have):
        asked.append((page, have))
        return [_stream(s) for s in pages[page]], None

    assert [s.id for s in _Kit._paged(page_of, 2)] == ["a", "b", "c", "d"]
    assert asked == [(1, 0), (2, 2), (3, 3)]


def test_paging_follows_what_the_provider_says_of_more_pages():
    asked = []

    def page_of(page, have):
        asked.append(page)
        return [_stream(f"s{page}")], page < 2

    assert [s.id for s in _Kit._paged(page_of, 50)] == ["s1", "s2"] and asked == [1, 2]


def test_an_end_refused_with_a_declared_status_is_nothing_to_end(fake, kit):
    fake.expect("PUT", f"{BASE}/v1/streams/st1/finish", status=409, json={"message": "not active"})
    result = kit._end_by("PUT", "st1", "finish", done="ended", idle="the stream is not active", refused=(400, 409))
    assert not result.ended and result.message == "nothing to end (the stream is not active): Kit Test says not active"
    fake.expect("PUT", f"{BASE}/v1/streams/st1/finish", status=204)
    assert kit._end_by("PUT", "st1", "finish", done="Kit Test ended it", idle="-").message == "Kit Test ended it"


def test_an_end_refused_otherwise_is_raised(fake, kit):
    fake.expect("PUT", f"{BASE}/v1/streams/st1/finish", status=404, json={"message": "gone"})
    with pytest.raises(NotFoundError) as refused:
        kit._end_by("PUT", "st1", "finish", done="ended", idle="-")
    assert "stream st1" in str(refused.value)


# ---------------------------------------------------------------------------- validated answers


class _Item(wire.WireModel):
    id: str = Field(min_length=1)


def test_an_answer_object_is_read_or_refused_naming_its_fields_never_its_values():
    assert wire.read(_Item, {"id": "i1"}, "item").id == "i1"
    with pytest.raises(ValueError, match="the item is not a JSON object"):
        wire.read(_Item, ["i1"], "item")
    with pytest.raises(ValueError) as refused:
        wire.read(_Item, {"id": ""}, "item")
    assert str(refused.value) == "the item has no usable id"


def test_a_part_of_an_answer_is_validated_into_the_unexpected_answer_error(fake, kit):
    fake.expect("GET", f"{BASE}/v1/streams/st1", json={"data": {"id": 12345}})
    response = kit._on("GET", "st1")
    with pytest.raises(UnexpectedResponseError) as caught:
        kit._http.validated(response, _Item, response.json()["data"])
    assert "id: string_type" in str(caught.value) and "12345" not in str(caught.value)


# ---------------------------------------------------------------------------- simulcast targets


def test_a_target_is_added_once_under_the_stream_and_removing_one_gone_is_no_error(fake, kit):
    target = SimulcastTarget(name="yt", url="rtmps://a.example/live", stream_key=SecretStr("yt-key-5150"))
    fake.expect("POST", f"{BASE}/v1/streams/st1/targets", status=503)
    with pytest.raises(ProviderServerError):  # a create that may have arrived is never sent again
        kit.add_simulcast_target("st1", target)
    assert len(fake.requests) == 1
    fake.expect("POST", f"{BASE}/v1/streams/st1/targets", status=201, json={"id": "t-9"})
    assert kit.add_simulcast_target("st1", target).target_id == "t-9"
    assert fake.requests[-1].json == {"url": "rtmps://a.example/live", "key": "yt-key-5150"}
    fake.expect("DELETE", f"{BASE}/v1/streams/st1/targets/t-9", status=404, json={"message": "gone"})
    kit.remove_simulcast_target("st1", TargetState(name="yt", target_id="t-9"))
