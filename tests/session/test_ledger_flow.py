"""Nothing lost: the go-live flow and the ledger, in the fault sequences a user meets.

Each test plays one sequence with a fake OBS and a fake provider and checks what the
user would: which provider streams are still open, what the status line says, and
that End acts on streams left open earlier.
"""

from __future__ import annotations

import pytest

from livestream.errors import NoResponseError, ProviderServerError, RateLimitedError
from livestream.models import StreamStatus
from livestream.session.request import GoLiveRequest
from livestream.session.states import State as S
from livestream_fakes import PREVIOUS_SERVICE


def go_live(h, title="Data science Live class"):
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title=title))
    h.run()


def open_at_provider(h):
    return sorted(i for i, s in h.provider.streams.items() if s["status"] is not StreamStatus.ENDED)


def end_failing(h, times):
    h.provider.fail["end"] = [ProviderServerError("TP Streams failed (503)")] * times


def test_an_end_that_failed_is_retried_and_survives_a_second_go_live(harness):
    h = harness()
    go_live(h)
    end_failing(h, 3)  # the in-session attempts all fail: the provider is down
    h.ctrl.end()
    h.run(seconds=8)
    assert h.state is S.FAILED
    assert [e.stream_id for e in h.unsettled()] == ["s1"]

    # The provider recovers; the user goes live again and ends that stream too.
    go_live(h)
    assert h.state is S.LIVE
    h.ctrl.end()
    h.run(seconds=90)

    assert open_at_provider(h) == []  # the first stream was not forgotten
    assert h.unsettled() == []
    assert [e.state for e in h.ledger.entries()] == ["ended", "ended"]


def test_the_pending_end_completes_by_itself_when_the_provider_comes_back(harness):
    h = harness()
    go_live(h)
    h.provider.fail["end"] = [ProviderServerError("TP Streams failed (503)")] * 1000  # an outage
    h.ctrl.end()
    h.run(seconds=10)
    assert "1 earlier stream still open on Fake Provider" in h.ctrl.snapshot.pending_line
    assert "retrying in" in h.ctrl.snapshot.pending_line
    assert h.ctrl.snapshot.open_streams[0]["state"] == "end-failed"
    h.run(seconds=600, step=5)  # a long outage: retries keep going, capped at one a minute
    assert open_at_provider(h) == ["s1"]
    assert h.unsettled()[0].attempts > 10

    h.provider.fail["end"] = []  # the provider is back
    h.run(seconds=90)  # no user action
    assert open_at_provider(h) == []
    assert h.unsettled() == []
    assert h.ctrl.snapshot.pending_line == ""


def test_end_after_a_failed_end_acts_on_the_pending_stream_now(harness):
    h = harness()
    go_live(h)
    end_failing(h, 3)
    h.ctrl.end()
    h.run(seconds=10)
    assert h.state is S.FAILED
    h.ctrl.end()  # the user presses End again: not "Nothing is live"
    h.run()
    assert h.ctrl.snapshot.message != "Nothing is live"
    h.run(seconds=1)
    assert open_at_provider(h) == []
    assert h.state is S.IDLE
    assert "Ended the earlier streams" in h.ctrl.snapshot.message


def test_end_again_while_the_provider_is_still_down_says_so(harness):
    h = harness()
    go_live(h)
    end_failing(h, 10)
    h.ctrl.end()
    h.run(seconds=10)
    h.ctrl.end()
    h.run(seconds=1)
    assert h.state is S.FAILED
    assert "Could not end an earlier stream" in h.ctrl.snapshot.message
    assert open_at_provider(h) == ["s1"]
    assert h.unsettled()[0].state == "end-failed"


def test_a_provider_that_says_already_ended_counts_as_confirmed(harness):
    from livestream.errors import NotFoundError

    h = harness()
    go_live(h)
    end_failing(h, 3)
    h.ctrl.end()
    h.run(seconds=10)
    h.provider.fail["end"] = [NotFoundError("Not found (404)")]
    h.run(seconds=10)
    assert h.unsettled() == []


@pytest.mark.parametrize(
    "lost", [NoResponseError("The connection was lost before it answered"), ProviderServerError("502")],
    ids=["connection-reset", "502"],
)
def test_a_create_whose_answer_was_lost_is_found_and_the_go_live_carries_on(harness, lost):
    h = harness()
    h.provider.create_lands_then_fails = lost
    go_live(h)
    h.run(seconds=1)
    assert h.state is S.LIVE
    assert h.provider.count("create") == 1  # never created twice
    [entry] = h.unsettled()
    assert (entry.stream_id, entry.state) == ("s1", "open")
    h.ctrl.end()
    h.run()
    assert open_at_provider(h) == []


def test_a_lost_create_answer_when_the_user_cancelled_ends_the_found_stream(harness):
    h = harness()
    h.provider.create_lands_then_fails = NoResponseError("The connection was lost before it answered")
    h.provider.fail["list"] = [ProviderServerError("503")]  # the first look fails
    go_live(h)
    h.ctrl.end()  # the user gives up while it looks
    h.run(seconds=10)
    assert open_at_provider(h) == []
    assert h.unsettled() == []


def test_a_lost_create_whose_stream_appears_late_is_ended_by_the_ledger(harness):
    h = harness()
    h.provider.fail["create"] = NoResponseError("The connection was lost before it answered")
    go_live(h)
    h.run(seconds=10)  # three looks, nothing there yet
    assert h.state is S.FAILED
    assert "keeps looking" in h.ctrl.snapshot.message
    [entry] = h.unsettled()
    assert entry.state == "ending" and entry.stream_id is None
    # The provider finishes the create late (the stream shows up in its list).
    h.provider._new_stream("Data science Live class", entry.reference)
    h.run(seconds=70)
    assert open_at_provider(h) == []
    assert h.unsettled() == []


def test_a_lost_create_that_never_landed_is_settled_after_the_look_window(harness):
    h = harness()
    h.provider.fail["create"] = NoResponseError("The connection was lost before it answered")
    go_live(h)
    h.run(seconds=700, step=5)
    assert h.unsettled() == []
    [entry] = h.ledger.entries()
    assert entry.state == "ended"


def test_a_create_the_provider_refused_leaves_no_entry(harness):
    from livestream.errors import AuthenticationError

    h = harness()
    h.provider.fail["create"] = AuthenticationError("rejected the API token (401)")
    go_live(h)
    assert h.ledger.entries() == []


def test_the_create_is_in_the_ledger_before_the_request_leaves(harness):
    h = harness()
    seen = []
    h.provider.on_call = lambda op: seen.append([e.state for e in h.ledger.entries()]) if op == "create" else None
    go_live(h)
    assert seen == [["creating"]]


def test_a_second_go_live_never_overwrites_an_open_entry(harness):
    h = harness()
    go_live(h, "first")
    h.ctrl.end()
    end_failing(h, 3)
    h.run(seconds=10)
    go_live(h, "second")
    titles = {e.title: e.state for e in h.ledger.entries()}
    assert titles["first"] in ("end-failed", "ended")
    assert titles["second"] == "open"


def test_orphans_of_a_killed_obs_are_ended_at_the_next_start(harness):
    h = harness()
    go_live(h)  # s1 live ...
    h2 = harness()  # ... and OBS is killed; a new run starts with the same ledger
    h2.provider = h.provider
    h2.ctrl.pending.provider_for = lambda entry: h.provider
    # a second stream whose create never answered before the kill
    h.provider._new_stream("Lost one", "ref-lost")
    from livestream.session.ledger import LedgerEntry

    h2.ledger.put(LedgerEntry(provider="fake", title="Lost one", reference="ref-lost", state="creating",
                              create_sent_at=h.clock.now))
    resumable = h2.resumable()
    adopted = h2.ctrl.pending.adopt_orphans("script", keep=resumable.entry_id)
    assert [e.title for e in adopted] == ["Lost one"]
    h2.ctrl.recover(resumable, h.provider)
    h2.run(seconds=2)
    assert h2.state is S.READY  # the user chooses for the go-live it was running
    assert open_at_provider(h) == ["s1"]  # the orphan s2 was found and ended
    h2.ctrl.end()
    h2.run()
    assert open_at_provider(h) == []
    assert h2.obs.service == PREVIOUS_SERVICE


def test_rate_limited_retries_wait_as_long_as_the_provider_asks(harness):
    from livestream.session.pending import backoff

    assert backoff(1) == 5 and backoff(2) == 10 and backoff(9) == 60
    assert backoff(1, RateLimitedError("429", retry_after=120).retry_after) == 120


def test_end_all_ends_the_live_stream_and_the_pending_ones(harness):
    h = harness()
    go_live(h, "first")
    end_failing(h, 3)
    h.ctrl.end()
    h.run(seconds=10)
    h.provider.fail["end"] = [ProviderServerError("503")] * 1  # still down for one more try
    go_live(h, "second")
    h.run(seconds=1)
    h.ctrl.end_all()
    h.run(seconds=15)
    assert open_at_provider(h) == []
    assert h.unsettled() == []
