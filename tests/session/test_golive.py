"""``GoLive`` on its own: what one go-live holds, its timing table, and its first request."""

from __future__ import annotations

import pytest

from livestream.errors import ConfigurationError, IngestTimeoutError, ObsRefusedError, ProviderUnavailableError
from livestream.session.golive import DEADLINES, NEVER, GoLive, first_words, obtain_stream, timed_out
from livestream.session.request import GoLiveRequest, Policies
from livestream.session.states import State
from livestream_fakes import FakeProvider


def test_a_fresh_go_live_holds_nothing_from_an_earlier_one():
    first = GoLive(FakeProvider())
    first.stream_id, first.cancel_requested, first.end_attempts = "s1", True, 3
    first.jobs.add("poll")
    second = GoLive(FakeProvider())
    assert (second.stream_id, second.cancel_requested, second.end_attempts, second.jobs) == (None, False, 1, set())
    assert second.next_poll_at == second.next_status_at == second.next_find_at == NEVER
    assert second.watch is not first.watch


def test_the_poll_interval_follows_the_provider_or_a_longer_retry_after():
    go = GoLive(FakeProvider())
    assert go.poll_interval() == go.provider.poll_interval
    slow = ProviderUnavailableError("busy")
    slow.retry_after = 40
    assert go.poll_interval(slow) == 40


@pytest.mark.parametrize("asked, expected", [(None, True), (False, False), (True, True)])
def test_start_streaming_follows_the_request_then_the_policy(asked, expected):
    go = GoLive(FakeProvider())
    go.start_policy(Policies(start_when_ready=True), asked)
    assert go.start_streaming is expected


def test_the_ingest_wait_and_the_obs_start_have_deadlines_and_other_states_do_not():
    go, policies = GoLive(FakeProvider()), Policies(ingest_timeout=180, start_timeout=60)
    assert timed_out(go, State.WAITING_FOR_INGEST, policies, 179.9) is None
    ingest = timed_out(go, State.WAITING_FOR_INGEST, policies, 180)
    assert ingest is not None and isinstance(ingest.failure(go, 180), IngestTimeoutError)
    assert "not ready after 180 s" in ingest.failure(go, 180).message
    start = timed_out(go, State.STARTING, policies, 61)
    assert start is not None and isinstance(start.failure(go, 60), ObsRefusedError)
    assert timed_out(go, State.LIVE, policies, 10**6) is None
    assert set(DEADLINES) == {State.WAITING_FOR_INGEST, State.STARTING}


def test_the_first_request_creates_starts_or_fetches():
    provider = FakeProvider()
    made = obtain_stream(GoLiveRequest(provider=provider, title="Class"), reference="ref-1")
    assert provider.count("create") == 1
    assert obtain_stream(GoLiveRequest(provider=provider, mode="existing", stream_id=made.id), None).id == made.id
    assert first_words(GoLiveRequest(provider=provider)) == "Creating the Fake Provider live stream"
    with pytest.raises(ConfigurationError, match="No stream ID"):
        obtain_stream(GoLiveRequest(provider=provider, mode="existing"), None)
