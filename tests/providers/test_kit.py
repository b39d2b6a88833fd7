"""The provider kit on its own: credential bases, ``request_model``, the header auth, the
time reader, the status-to-error table and the ingest-override check."""

from __future__ import annotations

import base64
from typing import Optional

import pytest
import requests
from pydantic import Field, SecretStr

from livestream import providers, secrets
from livestream.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProviderRefusedError,
    ProviderServerError,
    RateLimitedError,
    UnexpectedResponseError,
)
from livestream.http import HttpClient, Service, coerce_model
from livestream.providers.kit import BasicCredentials, CredentialModel, HeaderAuth, RefreshingAuth, basic_auth
from livestream.providers.wire import WireModel, parse_time
from livestream.retry import RetryPolicy
from tests.providers.credentials import CREDENTIALS

BASE = "https://api.example.test"
SERVICE = Service(name="Example", credential="API token", auth_hint="check the token",
                  permission_hint="ask for rights", not_found_hint="check the ID",
                  base_url_env="EXAMPLE_API_BASE_URL")


class PairCredentials(BasicCredentials):
    key_id: str = Field(min_length=1, title="key ID")
    key_secret: SecretStr = Field(title="key secret")


class TokenCredentials(CredentialModel):
    header_fields = frozenset({"token"})

    account: str = Field(min_length=1, title="account")
    token: SecretStr = Field(title="token")
    note: Optional[str] = None


# ---------------------------------------------------------------------------- credential bases


def test_a_basic_pair_registers_both_halves_and_the_encoded_header():
    creds = PairCredentials(key_id="kid-7f3a", key_secret="s3cr3t-value-9")
    auth = basic_auth(creds)
    encoded = base64.b64encode(b"kid-7f3a:s3cr3t-value-9").decode()
    shown = secrets.redact(f"id kid-7f3a secret s3cr3t-value-9 header {encoded}")
    assert "kid-7f3a" not in shown and "s3cr3t-value-9" not in shown and encoded not in shown
    assert isinstance(auth, requests.auth.HTTPBasicAuth) and creds.basic_pair() == ("kid-7f3a", "s3cr3t-value-9")


@pytest.mark.parametrize("model, given, named", [
    (PairCredentials, {"key_id": "kid\n", "key_secret": "abc"}, None),  # a trailing newline is stripped
    (PairCredentials, {"key_id": "k\nid", "key_secret": "abc"}, "key ID"),
    (PairCredentials, {"key_id": "kid", "key_secret": "a\tb"}, "key secret"),
    (PairCredentials, {"key_id": "kid", "key_secret": "ab\u20ac"}, "key secret"),  # not Latin-1: a header
    (PairCredentials, {"key_id": "kid", "key_secret": "   "}, "key secret"),
    (TokenCredentials, {"account": "acc\u20ac", "token": "t0k"}, None),  # a path field carries any character
    (TokenCredentials, {"account": "acc", "token": "t0k\u20ac"}, "token"),
    (TokenCredentials, {"account": "a\nc", "token": "t0k"}, "account"),
])
def test_every_field_is_checked_once_by_the_base_and_named_never_echoed(model, given, named):
    if named is None:
        model.model_validate(given)
        return
    with pytest.raises(ConfigurationError) as caught:
        coerce_model(model, given, what="Example credentials")
    text = str(caught.value) + (caught.value.hint or "")
    assert named in text
    echoed = [v for v in given.values() if v.strip() and v.strip() not in ("kid", "acc") and v.strip() in text]
    assert echoed == []


def test_a_token_model_registers_its_secrets_only():
    TokenCredentials(account="acct-1234", token="tok-5678-secret")
    assert "tok-5678-secret" not in secrets.redact("tok-5678-secret")
    assert "acct-1234" in secrets.redact("acct-1234")


def test_the_header_auth_sends_its_scheme_and_never_shows_the_token():
    auth = HeaderAuth("Bearer", SecretStr("tok-abc"))
    prepared = auth(requests.Request("GET", BASE).prepare())
    assert prepared.headers["Authorization"] == "Bearer tok-abc"
    assert "tok-abc" not in repr(auth)
    current = iter(["first", "second"])
    refreshing = HeaderAuth("Token", lambda: next(current))
    assert refreshing(requests.Request("GET", BASE).prepare()).headers["Authorization"] == "Token first"
    assert refreshing(requests.Request("GET", BASE).prepare()).headers["Authorization"] == "Token second"


# ---------------------------------------------------------------------------- request_model


class Item(WireModel):
    id: str = Field(min_length=1)
    count: int = 0


class ItemEnvelope(WireModel):
    data: Item


@pytest.fixture
def client(fake):
    return HttpClient(SERVICE, BASE, session=fake.session(), sleep=lambda _: None)


def test_request_model_returns_the_validated_model(fake, client):
    fake.expect("GET", f"{BASE}/items/1", json={"data": {"id": "it-1", "count": 3, "extra": True}})
    got = client.request_model("GET", "/items/1", ItemEnvelope)
    assert isinstance(got, ItemEnvelope) and got.data.id == "it-1" and got.data.count == 3


def test_request_model_names_the_fields_never_the_values(fake, client):
    fake.expect("GET", f"{BASE}/items/1", json={"data": {"id": "", "count": "sk_live_not-a-number"}})
    with pytest.raises(UnexpectedResponseError) as caught:
        client.request_model("GET", "/items/1", ItemEnvelope)
    text = str(caught.value)
    assert "data.id" in text and "data.count" in text
    assert "sk_live_not-a-number" not in text


# ---------------------------------------------------------------------------- the error table


@pytest.mark.parametrize("status, error, hint", [
    (400, InvalidRequestError, "check the values sent"),
    (401, AuthenticationError, "check the token"),
    (403, PermissionDeniedError, "ask for rights"),
    (404, NotFoundError, "check the ID"),
    (409, InvalidRequestError, "check the values sent"),
    (410, ProviderRefusedError, "please report it"),
    (422, InvalidRequestError, "check the values sent"),
    (429, RateLimitedError, "wait 7 s"),
    (500, ProviderServerError, "status page"),
    (503, ProviderServerError, "status page"),
])
def test_each_status_maps_to_its_error_and_hint(fake, status, error, hint):
    client = HttpClient(SERVICE, BASE, session=fake.session(), sleep=lambda _: None,
                        policy=RetryPolicy(max_retries=0))
    fake.expect("GET", f"{BASE}/x", status=status, json={"message": "Said so"}, headers={"Retry-After": "7"})
    with pytest.raises(error) as caught:
        client.request("GET", "/x", what="item x")
    assert type(caught.value) is error
    assert f"{status}: Said so" in str(caught.value) and hint in caught.value.hint
    assert caught.value.status_code == status and caught.value.provider_message == "Said so"
    if status == 404:
        assert "no such item x" in str(caught.value)
    if status == 429:
        assert caught.value.retry_after == 7


# ---------------------------------------------------------------------------- the time reader


@pytest.mark.parametrize("text, iso", [
    ("2014-01-02T02:20:00.12345Z", "2014-01-02T02:20:00.123450+00:00"),  # Cloudflare's schema example form
    ("2014-01-02T02:20:00.1Z", "2014-01-02T02:20:00.100000+00:00"),
    ("2014-01-02T02:20:00.123456789+02:00", "2014-01-02T02:20:00.123456+02:00"),
    ("2021-09-23T05:05:53.451415Z", "2021-09-23T05:05:53.451415+00:00"),
    ("2020-07-29T10:45:35+00:00", "2020-07-29T10:45:35+00:00"),
    ("2024-05-01 10:00:00", "2024-05-01T10:00:00"),  # TP Streams' form
])
def test_times_are_read_whatever_the_fraction(text, iso):
    assert parse_time(text).isoformat() == iso


@pytest.mark.parametrize("value", [None, "", "  ", "yesterday", 12, "2024-13-01T00:00:00Z"])
def test_an_absent_or_unreadable_time_is_none(value):
    assert parse_time(value) is None


# ---------------------------------------------------------------------------- ingest overrides


def _ingest_settings():
    return [(cls, s) for cls in providers.all_providers() for s in cls.settings if s.env and "INGEST" in s.env]


@pytest.mark.parametrize("value", ["srt://[::1", "rtmps://host:99999/app", "not a url", "srt://"])
def test_a_malformed_ingest_override_is_a_configuration_error_naming_the_variable(value):
    declared = _ingest_settings()
    assert {cls.name for cls, _ in declared} >= {"fastpix", "mux", "apivideo"}
    for cls, setting in declared:
        with pytest.raises(ConfigurationError) as caught:
            cls(CREDENTIALS[cls.name], environ={setting.env: value})
        assert setting.env in caught.value.hint, (cls.name, setting.env)


# ---------------------------------------------------------------------------- the refreshing auth


class _Logins:
    """A login that hands out numbered tokens; ``saved`` is a token from an earlier login."""

    def __init__(self, saved=None):
        self.saved, self.minted, self.forgotten = saved, 0, []

    def current(self):
        if self.saved:
            return self.saved, False
        self.minted += 1
        self.saved = f"tok-{self.minted}"
        return self.saved, True

    def forget(self, token):
        self.forgotten.append(token)
        self.saved = None


def _refusing(*refused):
    sent = []

    def request(auth):
        sent.append(auth.token())
        if auth.token() in refused:
            raise AuthenticationError("Example rejected the token (401)", provider="Example", status_code=401)
        return auth.token()

    return request, sent


def test_a_saved_token_refused_with_401_logs_in_again_once():
    logins = _Logins(saved="tok-old")
    request, sent = _refusing("tok-old")
    auth = RefreshingAuth("Token", logins.current, logins.forget, service="Example")
    assert auth.send(request) == "tok-1"
    assert sent == ["tok-old", "tok-1"] and logins.forgotten == ["tok-old"] and logins.minted == 1


def test_a_token_minted_just_now_and_refused_is_not_tried_again():
    logins = _Logins()
    request, sent = _refusing("tok-1")
    auth = RefreshingAuth("Bearer", logins.current, logins.forget, service="Example")
    with pytest.raises(AuthenticationError):
        auth.send(request)
    assert sent == ["tok-1"] and logins.forgotten == []


def test_a_second_401_after_logging_in_again_is_raised():
    logins = _Logins(saved="tok-old")
    request, sent = _refusing("tok-old", "tok-1")
    auth = RefreshingAuth("Token", logins.current, logins.forget, service="Example")
    with pytest.raises(AuthenticationError):
        auth.send(request)
    assert sent == ["tok-old", "tok-1"]
