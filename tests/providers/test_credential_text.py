"""Credentials that cannot be sent as typed are refused when they are configured, and
the refusal never quotes them: not in our message, not in pydantic's error text."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from livestream.errors import ConfigurationError
from livestream.obs.config import PanelConfig
from livestream.providers.fastpix import FastPix, FastPixCredentials
from livestream.providers.tpstreams import TPStreams, TPStreamsCredentials

SECRET_PART = "Zk3vQ9wX"  # a recognisable piece of every bad value below

# A bad paste (a line break, a tab, an escape character, a Unicode line separator) or
# a character an HTTP header cannot carry (outside Latin-1).
BAD_HEADER_VALUES = [
    f"tok-{SECRET_PART}\nsecond-line",
    f"tok\t{SECRET_PART}",
    f"tok\x1b[31m{SECRET_PART}",
    f"tok\u2028{SECRET_PART}",
    f"tok\x85{SECRET_PART}",
    f"tok-{SECRET_PART}-\u20ac",
    f"tok-{SECRET_PART}-\u201c",
]


def _assert_not_echoed(text: str) -> None:
    assert SECRET_PART not in text, text


@pytest.mark.parametrize("value", BAD_HEADER_VALUES)
def test_a_tp_streams_token_that_cannot_be_sent_is_refused_without_echo(value):
    environ = {"TPSTREAMS_ORG_ID": "org1", "TPSTREAMS_API_TOKEN": value}
    with pytest.raises(ConfigurationError) as caught:
        TPStreams.credentials_from_env(environ)
    text = str(caught.value)
    assert "TPSTREAMS_API_TOKEN" in text
    _assert_not_echoed(text)
    _assert_not_echoed(repr(caught.value))


@pytest.mark.parametrize("value", BAD_HEADER_VALUES)
def test_a_fastpix_secret_key_that_cannot_be_sent_is_refused_without_echo(value):
    environ = {"FASTPIX_ACCESS_TOKEN_ID": "id-1", "FASTPIX_SECRET_KEY": value}
    with pytest.raises(ConfigurationError) as caught:
        FastPix.credentials_from_env(environ)
    assert "FASTPIX_SECRET_KEY" in str(caught.value)
    _assert_not_echoed(str(caught.value))


@pytest.mark.parametrize("model, fields", [
    (TPStreamsCredentials, {"organization_id": "o", "api_token": SecretStr(f"a\n{SECRET_PART}")}),
    (TPStreamsCredentials, {"organization_id": "o", "api_token": f"a\u20ac{SECRET_PART}"}),
    (TPStreamsCredentials, {"organization_id": "o", "username": "u", "password": f"pw\n{SECRET_PART}"}),
    (TPStreamsCredentials, {"organization_id": f"o\n{SECRET_PART}", "api_token": "token-1234"}),
    (FastPixCredentials, {"access_token_id": f"id\u20ac{SECRET_PART}", "secret_key": "key-1234"}),
    (FastPixCredentials, {"access_token_id": "id", "secret_key": f"k\r{SECRET_PART}"}),
])
def test_pydantic_error_text_does_not_quote_the_value(model, fields):
    with pytest.raises(ValidationError) as caught:
        model(**fields)
    _assert_not_echoed(str(caught.value))
    _assert_not_echoed(repr(caught.value))


def test_a_password_may_hold_any_printable_character():
    """The login password travels in a JSON body: non-Latin-1 characters are fine there."""
    creds = TPStreamsCredentials(organization_id="o", username="u", password="pässwörd-\u20ac-\u4e2d")
    assert creds.password.get_secret_value().endswith("\u4e2d")


@pytest.mark.parametrize("settings, label", [
    ({"provider": "fastpix", "fp_token_id": "id-1", "fp_secret_key": f"key\n{SECRET_PART}"}, "Secret key"),
    ({"provider": "tpstreams", "tp_org_id": "org1", "tp_api_token": f"t\u20ac{SECRET_PART}"}, "API token"),
])
def test_the_panel_names_the_field_and_never_the_value(settings, label):
    config = PanelConfig.from_mapping(settings)
    with pytest.raises(ConfigurationError) as caught:
        config.build_provider()
    text = str(caught.value)
    assert "cannot be used" in text and label in text
    _assert_not_echoed(text)
