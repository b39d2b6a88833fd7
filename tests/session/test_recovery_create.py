"""Recovery by itself when the provider's API is down for a while: the new stream's create is
tried again with the back-off, within the caps, every try in the log and the ledger; at the caps
it gives up with nothing left open. An injected clock, a fake OBS and provider."""

from __future__ import annotations

from livestream.errors import NoResponseError, ProviderUnavailableError
from livestream.session.request import GoLiveRequest
from livestream.session.states import State
from tests.session.conftest import Harness


def lost_class(tmp_path) -> Harness:
    """A timetable class live on s1 (no reconnect window), then OBS gives up reconnecting."""
    h = Harness(tmp_path)
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Class", origin="timetable"))
    h.run()
    assert h.state is State.LIVE
    h.obs.streaming = False
    h.ctrl.streaming_stopped("The connection to the server was lost")
    h.run()
    assert h.state is State.ENDED and h.ctrl.recovering
    return h


def creates(h: Harness) -> int:
    return sum(1 for c in h.provider.calls if c[0] == "create")


def down() -> ProviderUnavailableError:
    return ProviderUnavailableError("The provider's API could not be reached")


def test_a_create_that_fails_while_the_api_is_down_is_tried_again_until_it_works(tmp_path, caplog):
    h = lost_class(tmp_path)
    h.provider.fail["create"] = [down(), down()]  # down for the next two creates, then back
    h.run(6)  # try 1 (5 s): the create fails (its answer is applied on the next tick)
    assert creates(h) == 2 and h.state is State.ENDED and h.ctrl.recovering
    assert "a new try in 10 s (try 2 of 6)" in h.ctrl.snapshot.message
    h.run(11)  # try 2 fails too
    assert creates(h) == 3 and h.ctrl.recovering
    h.run(25)  # try 3: the API is back
    assert h.state is State.LIVE and creates(h) == 4 and h.ctrl.snapshot.stream_id == "s2"
    first = h.ledger.entries()[0]  # the lost stream's entry holds every try
    assert [t["kind"] for t in first.recovery_tries] == ["new", "new", "new"]
    assert "could not be reached" in first.recovery_tries[1]["why"]
    assert [e.stream_id for e in h.ledger.entries()] == ["s1", "s2"]  # no entry for the creates that made nothing
    assert sum("creating one again" in r.getMessage() for r in caplog.records) == 2


def test_at_the_caps_it_gives_up_with_nothing_left_open(tmp_path):
    h = lost_class(tmp_path)
    h.provider.fail["create"] = down()  # down for good
    h.run(10 * 60)
    assert h.state is State.FAILED and not h.ctrl.recovering
    assert creates(h) == 1 + 6  # the first stream, then one create per try
    assert h.ledger.unsettled() == []
    assert [e.stream_id for e in h.ledger.entries()] == ["s1"]
    assert "gave up" in (h.ledger.entries()[0].last_error or "")
    assert h.obs.service.settings.get("key") != h.provider.stream_key  # the user's settings are back
    h.run(10 * 60)
    assert creates(h) == 7  # nothing more is tried


def test_a_create_whose_answer_is_lost_hands_the_stream_to_pending_ends_and_tries_again(tmp_path):
    h = lost_class(tmp_path)
    h.provider.create_lands_then_fails = NoResponseError("The answer was lost", request_sent=True)
    h.provider.fail["list"] = down()  # nor can it be found: the API is down
    h.run(60)
    h.provider.fail.pop("list")
    h.run(120)
    assert h.state is State.LIVE and h.ctrl.snapshot.stream_id == "s3"  # a new create once the API was back
    assert ("end", "s2") in h.provider.calls  # pending ends found the stream of the lost answer and ended it
    assert [(e.stream_id, e.state) for e in h.ledger.entries()] == [("s1", "ended"), ("s2", "ended"), ("s3", "open")]


def test_end_while_a_create_is_due_again_cancels_it(tmp_path):
    h = lost_class(tmp_path)
    h.provider.fail["create"] = down()
    h.run(6)
    assert h.ctrl.recovering and h.state is State.ENDED
    h.ctrl.end()
    h.run(120)
    assert creates(h) == 2 and not h.ctrl.recovering


def test_a_first_create_that_fails_still_fails_as_before(tmp_path):
    h = Harness(tmp_path)
    h.provider.fail["create"] = down()
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Class", origin="timetable"))
    h.run(60)
    assert h.state is State.FAILED and creates(h) == 1
