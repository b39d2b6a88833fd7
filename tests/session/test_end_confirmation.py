"""TP Streams' "Recording" while OBS is still publishing: confirmed by the next poll.

TP Streams documents "Recording" both as "stopped, recording being transcoded" and as
"actively being recorded, even if the live broadcast itself ends". One such answer
neither aborts a go-live nor tells the streamer the provider ended the stream; a second
one in a row, or the stream key gone, does. Stopped, Completed and Error count at once.
"""

from __future__ import annotations

from livestream.models import StreamStatus
from livestream.session.request import GoLiveRequest
from livestream.session.states import State as S

ENDED_LINE = "has ended on the provider's side"


def go_live(h):
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science Live class"))
    h.run()


def provider_says(h, status: StreamStatus) -> None:
    h.provider.streams["s1"]["status"] = status


def live(harness):
    h = harness(key_after_polls=0)
    go_live(h)
    assert h.state is S.LIVE
    return h


def test_one_recording_answer_while_live_is_not_reported_as_the_end(harness):
    h = live(harness)
    provider_says(h, StreamStatus.RECORDING)
    h.run(seconds=16)  # the status check every 15 s
    assert h.state is S.LIVE
    assert ENDED_LINE not in h.ctrl.snapshot.message
    provider_says(h, StreamStatus.LIVE)
    h.run(seconds=20)
    assert h.state is S.LIVE and ENDED_LINE not in h.ctrl.snapshot.message
    assert h.ctrl.snapshot.level == "info"


def test_the_next_poll_comes_soon_and_a_second_recording_confirms_the_end(harness):
    h = live(harness)
    provider_says(h, StreamStatus.RECORDING)
    h.run(seconds=16)
    checks = h.provider.count("get")
    h.run(seconds=4)  # not the next 15 s check: the provider's own poll pace (3 s)
    assert h.provider.count("get") == checks + 1
    assert ENDED_LINE in h.ctrl.snapshot.message and "recording" in h.ctrl.snapshot.message.lower()
    assert h.ctrl.snapshot.level == "error"
    assert h.state is S.LIVE  # OBS keeps streaming: the streamer decides


def test_recording_with_the_stream_key_gone_is_the_end_at_once(harness):
    h = live(harness)
    provider_says(h, StreamStatus.RECORDING)
    h.provider.key_after_polls = None  # the provider no longer gives the key out
    h.run(seconds=16)
    assert ENDED_LINE in h.ctrl.snapshot.message


def test_words_that_can_only_mean_the_end_are_reported_at_once(harness):
    h = live(harness)
    provider_says(h, StreamStatus.ENDED)
    h.run(seconds=16)
    assert ENDED_LINE in h.ctrl.snapshot.message


def test_the_end_shown_is_taken_back_when_the_provider_says_streaming_again(harness):
    h = live(harness)
    provider_says(h, StreamStatus.ENDED)
    h.run(seconds=16)
    provider_says(h, StreamStatus.LIVE)
    h.run(seconds=15)
    assert h.ctrl.snapshot.message == "Live" and h.ctrl.snapshot.level == "info"


def test_one_recording_answer_while_waiting_for_the_server_does_not_abort_the_go_live(harness):
    h = harness(key_after_polls=3)
    go_live(h)
    assert h.state is S.WAITING_FOR_INGEST
    provider_says(h, StreamStatus.RECORDING)
    h.run(seconds=4)  # one poll answers "Recording"
    assert h.state is S.WAITING_FOR_INGEST
    provider_says(h, StreamStatus.NOT_STARTED)
    h.run(seconds=10)
    assert h.state is S.LIVE
    assert h.provider.count("end") == 0


def test_recording_twice_while_waiting_ends_the_provider_stream_and_says_why(harness):
    h = harness(key_after_polls=None)
    go_live(h)
    provider_says(h, StreamStatus.RECORDING)
    h.run(seconds=7)
    assert h.state is S.FAILED
    assert "'recording'" in h.ctrl.snapshot.message
    assert h.provider.count("end") == 1
    assert h.unsettled() == []


def test_a_key_with_a_recording_answer_is_not_used_until_the_next_poll(harness):
    h = harness(key_after_polls=0)
    original_create = h.provider.create

    def create_recording(*args, **kwargs):
        stream = original_create(*args, **kwargs)
        provider_says(h, StreamStatus.RECORDING)
        return h.provider._view(stream.id)

    h.provider.create = create_recording
    go_live(h)
    assert h.state is S.WAITING_FOR_INGEST
    assert "set_stream_service" not in h.obs.calls
    h.run(seconds=4)  # "Recording" again: the stream is over, OBS never got its key
    assert h.state is S.FAILED
    assert "set_stream_service" not in h.obs.calls
