"""Recovery by itself, with an injected clock: the pure rule, then the controller with a fake OBS.

What a user would notice: a timetable or armed class that OBS gave up reconnecting goes live
again by itself: on the same provider stream while the provider still holds it open, else on a
new one; never more than the caps; a go-live from the panel still ends as before; an End while
a try is pending stops the tries.
"""

from __future__ import annotations

from livestream.models import StreamStatus
from livestream.session.recovery import Recovery, RecoveryCaps, reconnect_window
from livestream.session.request import GoLiveRequest
from livestream.session.states import State
from livestream_fakes import FakeProvider
from tests.session.conftest import Harness

CAPS = RecoveryCaps(tries=4, streams=2, backoff=(5.0, 10.0))


# --- the rule ------------------------------------------------------------------


def test_inside_the_window_the_same_stream_then_a_new_one_after_it():
    rec = Recovery(window=60.0, caps=CAPS)
    first = rec.decide(1000.0)
    assert (first.kind, first.at, first.number) == ("same", 1005.0, 1)
    second = rec.decide(1050.0)  # that try failed too; 1060 is the window's end, the try would be after it
    assert (second.kind, second.at) == ("new", 1060.0)


def test_no_window_means_a_new_stream_every_time_up_to_the_caps():
    rec = Recovery(window=0.0, caps=CAPS)
    assert [rec.decide(t).kind for t in (0.0, 100.0)] == ["new", "new"]
    give_up = rec.decide(200.0)
    assert give_up.kind == "give_up" and "2 new streams" in give_up.reason


def test_tries_are_capped_whatever_the_window():
    rec = Recovery(window=10_000.0, caps=CAPS)
    kinds = [rec.decide(float(t)).kind for t in range(5)]
    assert kinds == ["same", "same", "same", "same", "give_up"]


def test_the_provider_saying_the_stream_is_over_means_a_new_one_even_inside_the_window():
    rec = Recovery(window=600.0, caps=CAPS)
    assert rec.decide(0.0, stream_over=True).kind == "new"


def test_the_window_counts_from_the_loss_and_starts_again_once_live():
    rec = Recovery(window=30.0, caps=CAPS)
    rec.lost_since = 0.0  # OBS began reconnecting at 0 and gave up at 28
    assert rec.decide(28.0).kind == "new"  # the try at 33 would be after the window's end at 30
    rec.new_stream()
    rec.back_live()
    assert rec.decide(500.0).kind == "same"


def test_the_window_is_the_providers_declared_option_or_its_default():
    assert reconnect_window(FakeProvider(), {}) == 0.0  # declares none

    class WithWindow(FakeProvider):
        from livestream.providers.declare import Capabilities, StreamOption

        capabilities = Capabilities(reconnect_window_option="reconnect_window")
        stream_options = (StreamOption("reconnect_window", "Reconnect window (s)", "int", default=60),)

    assert reconnect_window(WithWindow(), {}) == 60.0
    assert reconnect_window(WithWindow(), {"reconnect_window": 300}) == 300.0


# --- the controller -------------------------------------------------------------


class Windowed(FakeProvider):
    from livestream.providers.declare import Capabilities, StreamOption

    capabilities = Capabilities(reconnect_window_option="reconnect_window")
    stream_options = (StreamOption("reconnect_window", "Reconnect window (s)", "int", default=60),)


def live(tmp_path, *, origin: str = "timetable", provider=None) -> Harness:
    h = Harness(tmp_path)
    if provider is not None:
        h.provider = provider
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Class", origin=origin))
    h.run()
    assert h.state is State.LIVE
    return h


def obs_gives_up(h: Harness) -> None:
    h.obs.streaming = False
    h.ctrl.streaming_stopped("The connection to the server was lost")


def creates(h: Harness) -> int:
    return sum(1 for c in h.provider.calls if c[0] == "create")


def test_obs_giving_up_goes_live_again_on_the_same_stream_inside_its_window(tmp_path):
    h = live(tmp_path, provider=Windowed())
    obs_gives_up(h)
    h.run()
    assert h.state is State.READY and "same stream" in h.ctrl.snapshot.message
    assert not [c for c in h.provider.calls if c[0] == "end"]  # the stream stays open meanwhile
    h.run(6)
    assert h.state is State.LIVE and creates(h) == 1
    assert h.obs.calls.count("start_streaming") == 2
    assert "recovery try 1" in (h.ledger.entries()[-1].last_error or "")
    assert [t["kind"] for t in h.ledger.entries()[-1].recovery_tries] == ["same"]


def test_after_the_window_the_stream_is_ended_and_a_new_one_goes_live(tmp_path):
    h = live(tmp_path, provider=Windowed())
    h.ctrl.streaming_reconnecting()
    h.run(100)  # OBS reconnects for 100 s, longer than the 60 s window
    obs_gives_up(h)
    h.run()
    assert [c for c in h.provider.calls if c[0] == "end"] == [("end", "s1")]
    h.run(6)
    assert h.state is State.LIVE and creates(h) == 2
    assert h.ctrl.snapshot.stream_id == "s2"
    assert [e.origin for e in h.ledger.entries()] == ["timetable", "timetable"]
    assert "recovery try 1 of 6: new stream" in (h.ledger.entries()[0].last_error or "")
    assert [t["kind"] for t in h.ledger.entries()[0].recovery_tries] == ["new"]
    assert h.obs.service.settings["key"] == h.provider.stream_key


def test_a_try_that_cannot_connect_waits_and_tries_again(tmp_path):
    h = live(tmp_path, provider=Windowed())
    obs_gives_up(h)
    h.obs.connect_error = "Connection refused"  # the ingest is still down
    h.run(6)
    assert h.state is State.READY  # the try failed: the next waits its back-off
    h.obs.connect_error = None  # the ingest is back
    h.run(11)
    assert h.state is State.LIVE and creates(h) == 1
    tries = h.ledger.entries()[-1].recovery_tries
    assert [t["kind"] for t in tries] == ["same", "same"] and "could not connect" in tries[1]["why"]


def test_the_provider_reporting_the_stream_over_makes_a_new_one(tmp_path):
    h = live(tmp_path, provider=Windowed())
    h.provider.streams["s1"]["status"] = StreamStatus.ERROR  # TP Streams: "Error: create a new live stream"
    h.run(40)
    assert creates(h) == 2 and h.state is State.LIVE


def test_outside_the_timetable_and_armed_a_loss_ends_the_stream_as_before(tmp_path):
    h = live(tmp_path, origin="panel", provider=Windowed())
    obs_gives_up(h)
    h.run(30)
    assert h.state is State.ENDED and creates(h) == 1


def test_a_stop_someone_asked_for_is_never_recovered(tmp_path):
    h = live(tmp_path, provider=Windowed())
    h.obs.stop_streaming()  # no error: asked
    h.run(30)
    assert h.state is State.ENDED and creates(h) == 1


def test_end_while_a_new_stream_is_due_cancels_it(tmp_path):
    h = live(tmp_path)  # no window: a new stream
    obs_gives_up(h)
    h.run()
    assert h.state is State.ENDED
    h.ctrl.end()
    h.run(30)
    assert creates(h) == 1 and h.state is State.ENDED


def test_the_caps_stop_the_tries(tmp_path):
    h = live(tmp_path)  # no window: every try is a new stream; Policies' default caps (3 streams)
    for _ in range(6):
        obs_gives_up(h)
        h.run(70)
    assert creates(h) == 4  # the first and three new ones
    assert h.state is State.ENDED


def test_a_failed_connect_without_a_reason_from_obs_says_it_stopped_before_connecting(tmp_path):
    from livestream.session.recovery import UNASKED_STOP

    h = Harness(tmp_path)
    h.obs.connect_error = UNASKED_STOP
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Class"))
    h.run(5)
    assert h.state is State.FAILED
    assert "(OBS stopped before it was connected)" in h.ctrl.snapshot.message
