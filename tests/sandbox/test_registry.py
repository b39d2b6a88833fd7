"""The registry: every provider the sandbox serves gets its routes, credentials and client
environment from one line and the product's own declarations."""

from __future__ import annotations

import requests

from livestream import providers
from livestream_sandbox import registry


def test_every_provider_of_the_product_is_served():
    assert sorted(registry.names()) == providers.names()


def test_the_client_environment_holds_every_declared_credential_and_base_url(api_sandbox):
    env = {**api_sandbox.env(), **api_sandbox.env(tpstreams_login=True)}
    for name in registry.names():
        declared = providers.get(name).declaration()
        assert env[declared.base_url_env] == api_sandbox.api_url
        for field in declared.credential_fields:
            assert env[field.env], f"{name}: {field.env} is empty"


def test_info_masks_every_declared_secret_unless_revealed(api_sandbox):
    info = requests.get(f"{api_sandbox.api_url}/_sandbox/info", timeout=5).json()
    revealed = requests.get(f"{api_sandbox.api_url}/_sandbox/info?reveal=1", timeout=5).json()
    secrets = [f.env for name in registry.names() for f in providers.get(name).declaration().credential_fields
               if f.secret]
    shown = [env for env in secrets if env in info["env"]]
    assert shown  # the token-mode environment carries most of them
    for env in shown:
        assert info["env"][env] == "***"
        assert revealed["env"][env] not in ("", "***")
    assert "sandbox-fastpix-secret-key" not in repr(api_sandbox.credentials)


def test_each_provider_api_is_routed_to_its_own_model(api_sandbox):
    # No credentials: each provider answers its own documented refusal, so the router picked it.
    base = api_sandbox.api_url
    assert requests.get(f"{base}/api/v1/sandbx/assets/", timeout=5).json() == {
        "detail": "Authentication credentials were not provided."}
    assert requests.get(f"{base}/v1/live/streams", timeout=5).json()["error"]["code"] == 401
    assert requests.get(f"{base}/video/v1/live-streams", timeout=5).json()["error"]["type"] == "unauthorized"
    assert requests.get(f"{base}/live-streams", timeout=5).json()["status"] == 401
    cloudflare = requests.get(f"{base}/client/v4/accounts/x/stream/live_inputs", timeout=5).json()
    assert cloudflare["errors"][0]["code"] == 6003
    assert requests.get(f"{base}/live-streams-of-nobody", timeout=5).status_code == 404  # not api.video's
