"""One fault test over every provider that the sandbox serves with the shared faults:
a short rate limit is waited out as asked, a long one is raised with its wait, and a
server that keeps failing is a server error (it was the same test per provider file)."""

from __future__ import annotations

import pytest

from livestream.errors import ProviderServerError, RateLimitedError

#: Provider -> what its 503 message must say (the sandbox answers the provider's own body), or "".
PROVIDERS = {"fastpix": "", "mux": "", "cloudflare": "Service temporarily unavailable", "apivideo": ""}


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
