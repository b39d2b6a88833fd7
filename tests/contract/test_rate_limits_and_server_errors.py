"""The fault and refusal tests every provider passes against the sandbox, written once
(they were the same test per provider file): a short rate limit is waited out as asked,
a long one is raised with its wait, a server that keeps failing is a server error, a
wrong secret is refused without being echoed, and an unknown stream is not found.
Each provider's file keeps only its own refusals (its 400/422 field errors and quirks)."""

from __future__ import annotations

import pytest

from livestream.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ProviderServerError,
    RateLimitedError,
)

#: Provider -> what its 503 message must say (the sandbox answers the provider's own body), or "".
PROVIDERS = {"fastpix": "", "mux": "", "cloudflare": "Service temporarily unavailable", "apivideo": "",
             "tpstreams": ""}

#: Provider -> its secret's variable, an ID of the shape it issues that the sandbox never made,
#: and how a wrong secret is refused (error, status, words of the provider's message).
#: Cloudflare answers a wrong token with 403 "Authentication error" (its docs: code 10000).
REFUSALS = {
    "fastpix": ("FASTPIX_SECRET_KEY", "0" * 32, AuthenticationError, 401, ""),
    "mux": ("MUX_TOKEN_SECRET", "no-such-stream", AuthenticationError, 401, ""),
    "cloudflare": ("CLOUDFLARE_API_TOKEN", "0" * 32, PermissionDeniedError, 403, "Authentication error"),
    "apivideo": ("APIVIDEO_API_KEY", "li" + "0" * 22, AuthenticationError, 401, ""),
    "tpstreams": ("TPSTREAMS_API_TOKEN", "doesnotexist", AuthenticationError, 401, ""),
}


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_rate_limits_and_server_errors(client_for, admin, sleeps, name):
    client = client_for(name)
    client.check_credentials()  # api.video: logged in, so the faults hit the API call, not the token exchange
    sleeps.clear()
    admin.add_fault(f"{name}:rate_limit=3,count=1")
    client.check_credentials()
    assert sleeps == [3.0]  # api.video: from X-RateLimit-Retry-After
    admin.add_fault(f"{name}:rate_limit=120,count=1")  # longer than the client will sleep
    with pytest.raises(RateLimitedError) as limited:
        client.check_credentials()
    assert limited.value.retry_after == 120
    admin.add_fault(f"{name}:status=503")
    with pytest.raises(ProviderServerError) as failed:
        client.list()
    assert PROVIDERS[name] in str(failed.value)


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_wrong_secret_an_unknown_stream_and_a_forbidden_call(client_for, sandbox, admin, name):
    variable, unknown_id, error, status, words = REFUSALS[name]
    wrong = dict(sandbox.env(), **{variable: "not-the-secret-0417"})
    with pytest.raises(error) as refused:
        client_for(name, wrong).check_credentials()
    assert refused.value.status_code == status and "not-the-secret-0417" not in str(refused.value)
    assert words in (refused.value.provider_message or "")
    client = client_for(name)
    with pytest.raises(NotFoundError):
        client.get(unknown_id)
    client.check_credentials()  # api.video: logged in, so the fault hits the API call, not the token exchange
    admin.add_fault(f"{name}:status=403,count=1")
    with pytest.raises(PermissionDeniedError):
        client.check_credentials()
