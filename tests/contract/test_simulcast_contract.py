"""Each restreaming provider's client against the sandbox over real HTTP: add, list, remove.

The product's own clients (built from ``Sandbox.env()`` only) talk to the sandbox's
look-alike of each provider's target API; what one adds, the next read shows, and a
removal leaves nothing behind, so the next go-live on a reused stream restreams to nothing old.
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from livestream import providers
from livestream.errors import ConfigurationError, InvalidRequestError
from livestream.simulcast import SimulcastTarget, TargetStatus

RESTREAMING = sorted(c.name for c in providers.all_providers() if c.capabilities.simulcast)


def _targets():
    return [SimulcastTarget(name="YouTube", url="rtmp://a.rtmp.youtube.com/live2", stream_key=SecretStr("yt-0001-k")),
            SimulcastTarget(name="Twitch", url="rtmps://live.twitch.tv/app", stream_key=SecretStr("tw-0002-k"))]


def test_every_provider_but_tp_streams_restreams():
    assert RESTREAMING == ["apivideo", "cloudflare", "fastpix", "mux"]


@pytest.mark.parametrize("name", RESTREAMING)
def test_targets_added_are_listed_and_removed_for_good(client_for, name):
    client = client_for(name)
    stream = client.create("Restreamed class")
    added = [client.add_simulcast_target(stream.id, t) for t in _targets()]
    assert all(s.target_id for s in added)
    held = client.simulcast_targets(stream.id)
    assert sorted(s.target_id for s in held) == sorted(s.target_id for s in added)
    assert all(s.status is not TargetStatus.REMOVED for s in held)
    for state in added:
        client.remove_simulcast_target(stream.id, state)
    assert client.simulcast_targets(stream.id) == []
    client.remove_simulcast_target(stream.id, added[0])  # gone already: no error
    client.delete(stream.id)


@pytest.mark.parametrize("name", ["mux", "fastpix"])
def test_targets_are_refused_once_the_stream_is_not_idle(client_for, sandbox, name):
    client = client_for(name)
    stream = client.create("Busy class")
    doc = sandbox.core.get(name, stream.id)
    doc["status"] = "active"  # as an encoder publishing would leave it
    with pytest.raises(InvalidRequestError) as refused:
        client.add_simulcast_target(stream.id, _targets()[0])
    assert "idle" in str(refused.value)
    assert "yt-0001-k" not in str(refused.value)


def test_tp_streams_has_no_target_api(client_for):
    with pytest.raises(ConfigurationError, match="does not restream"):
        client_for("tpstreams").add_simulcast_target("any", _targets()[0])
