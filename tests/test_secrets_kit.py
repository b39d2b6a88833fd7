"""The secret lists and environment scrubs come from the providers' declarations (tests/secrets_kit.py):
every built-in provider is in them, and a sixth provider is by being registered, with nothing else to add."""

from __future__ import annotations

import pytest

from livestream import providers
from livestream.providers.base import Provider
from livestream.providers.declare import CredentialField, Setting
from tests import secrets_kit


class SixthProvider(Provider):
    """A throw-away provider, only declared: its environment and its secret field."""

    name = "sixth"
    display_name = "Sixth Video"
    default_base_url = "https://api.sixth.invalid"
    base_url_env = "SIXTH_API_BASE_URL"
    credential_fields = (CredentialField("account", "Account", env="SIXTH_ACCOUNT"),
                         CredentialField("secret", "Secret", env="SIXTH_SECRET", secret=True))
    settings = (Setting("ingest_url", "Ingest URL", env="SIXTH_INGEST_URL"),)


@pytest.fixture
def with_sixth(monkeypatch):
    builtins = providers.all_providers()
    monkeypatch.setattr(providers, "all_providers", lambda: [*builtins, SixthProvider])


def test_every_built_in_providers_secret_credential_variable_is_listed() -> None:
    assert secrets_kit.secret_env_names() == {
        "TPSTREAMS_API_TOKEN", "TPSTREAMS_PASSWORD", "FASTPIX_SECRET_KEY", "MUX_TOKEN_SECRET",
        "CLOUDFLARE_API_TOKEN", "APIVIDEO_API_KEY"}
    assert set(secrets_kit.provider_env_prefixes()) == {"TPSTREAMS_", "FASTPIX_", "MUX_", "CLOUDFLARE_", "APIVIDEO_"}


def test_the_scrub_drops_every_providers_variables_and_the_projects_own() -> None:
    shell = {"PATH": "/usr/bin", "HOME": "/home/user", "MUX_TOKEN_SECRET": "s", "CLOUDFLARE_ACCOUNT_ID": "a",
             "APIVIDEO_API_BASE_URL": "u", "TPSTREAMS_LATER_ADDED": "x", "OBS_WEBSOCKET_PASSWORD": "p",
             "OBS_LIVESTREAM_STATE_DIR": "d", "FASTPIX_SECRET_KEY": "k"}
    assert secrets_kit.scrubbed_env(shell) == {"PATH": "/usr/bin", "HOME": "/home/user"}


def test_a_sixth_provider_is_covered_by_registering_it(with_sixth) -> None:
    assert "SIXTH_SECRET" in secrets_kit.secret_env_names()
    assert "SIXTH_ACCOUNT" not in secrets_kit.secret_env_names()  # not a secret: an account name
    env = {"SIXTH_SECRET": "sixth-secret-value", "SIXTH_ACCOUNT": "acct", "SIXTH_INGEST_URL": "rtmp://x",
           "SIXTH_API_BASE_URL": "http://x", "LANG": "C"}
    assert secrets_kit.secrets_in_env(env) == ["sixth-secret-value"]
    assert secrets_kit.scrubbed_env(env) == {"LANG": "C"}


def test_the_sandbox_gives_a_secret_for_every_provider() -> None:
    # The reliability matrix's "no secret in the log" check reads them from the sandbox's client env.
    from livestream_sandbox import Sandbox

    box = Sandbox(ingest=False, boot_delay=1).start()
    try:
        env = {**box.env(), **box.env(tpstreams_login=True)}
        given = {name for name in secrets_kit.secret_env_names() if env.get(name)}
        assert given == secrets_kit.secret_env_names()
        assert len(secrets_kit.secrets_in_env(env)) == len(given)
    finally:
        box.stop()
