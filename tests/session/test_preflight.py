"""``preflight()``: the OBS refusals, for the go-live and for the scheduled pre-flight."""

from __future__ import annotations

import pytest

from livestream.errors import ObsRefusedError
from livestream.session.preflight import preflight, refuse_if_any
from livestream_fakes import FakeObs


def test_nothing_in_the_way_means_no_refusal():
    assert preflight(FakeObs()) == []
    refuse_if_any(FakeObs())


def test_every_refusal_is_reported_with_what_to_do():
    obs = FakeObs()
    obs.streaming, obs.linked, obs.multitrack = True, "Twitch", True
    refusals = preflight(obs)
    assert [r.message for r in refusals] == [
        "OBS is already streaming",
        "A Twitch account is linked in Settings > Stream",
        "Enhanced Broadcasting (multitrack video) is on in Settings > Stream",
    ]
    assert all(r.hint and r.ahead for r in refusals)
    assert "untick it there" in refusals[2].ahead


def test_the_go_live_refuses_with_the_first_one():
    obs = FakeObs()
    obs.multitrack = True
    with pytest.raises(ObsRefusedError, match="Enhanced Broadcasting") as refused:
        refuse_if_any(obs)
    assert "separate OBS profile" in refused.value.hint
