"""The transition table, whole: every pair of states is either allowed or refused."""

import itertools

import pytest

from livestream.errors import InvalidTransitionError
from livestream.session import states
from livestream.session.states import State as S

ALLOWED = {
    (S.IDLE, S.CREATING), (S.IDLE, S.READY), (S.IDLE, S.LIVE),
    (S.CREATING, S.WAITING_FOR_INGEST), (S.CREATING, S.ENDING),
    (S.WAITING_FOR_INGEST, S.READY), (S.WAITING_FOR_INGEST, S.ENDING),
    (S.READY, S.STARTING), (S.READY, S.LIVE), (S.READY, S.ENDING),
    (S.STARTING, S.LIVE), (S.STARTING, S.ENDING), (S.STARTING, S.READY),  # recovery: the next try waits
    (S.LIVE, S.ENDING), (S.LIVE, S.READY),
    (S.ENDING, S.ENDED),
    (S.ENDED, S.IDLE), (S.ENDED, S.CREATING),
    (S.FAILED, S.IDLE), (S.FAILED, S.CREATING),
} | {(s, S.FAILED) for s in S if s is not S.FAILED}


@pytest.mark.parametrize("old,new", list(itertools.product(S, S)), ids=lambda s: s.value)
def test_every_pair_of_states_is_allowed_or_refused_as_designed(old, new):
    if (old, new) in ALLOWED:
        states.check(old, new)
        assert states.can(old, new)
    else:
        assert not states.can(old, new)
        with pytest.raises(InvalidTransitionError, match=f"from {old.value} to {new.value}"):
            states.check(old, new)


def test_the_happy_path_is_a_chain_of_allowed_steps():
    path = [S.IDLE, S.CREATING, S.WAITING_FOR_INGEST, S.READY, S.STARTING, S.LIVE, S.ENDING, S.ENDED]
    for old, new in zip(path, path[1:]):
        assert states.can(old, new)


def test_failed_is_reachable_from_every_other_state():
    assert all(states.can(s, S.FAILED) for s in S if s is not S.FAILED)


def test_only_states_with_a_go_live_under_way_are_active():
    assert {s for s in S if s.is_active} == {
        S.CREATING, S.WAITING_FOR_INGEST, S.READY, S.STARTING, S.LIVE, S.ENDING,
    }
