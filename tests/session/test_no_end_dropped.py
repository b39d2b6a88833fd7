"""No moment where a reload drops an end, and a resume offer that ends by itself.

The end is on record ("ending") before OBS is told to stop, so a script reloaded in the
seconds before the provider answers hands the stream to pending ends instead of offering
it for resume; the user's settings go back before the provider is asked, whatever it
answers; and a stream found open at start-up is offered for resume for a bounded time,
then ended with the reason on the status line.
"""

from __future__ import annotations

from livestream.errors import ProviderServerError
from livestream.session.request import GoLiveRequest, Policies
from livestream.session.states import State as S
from livestream_fakes import PREVIOUS_SERVICE


def go_live(h):
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science Live class"))
    h.run()
    assert h.state is S.LIVE


def test_the_end_is_on_record_before_obs_is_told_to_stop(harness):
    h = harness()
    go_live(h)
    h.obs.auto_events = False  # OBS has been asked to stop, and has not stopped yet
    h.ctrl.end()
    h.run()
    assert h.obs.calls[-1] == "stop_streaming"
    [entry] = h.unsettled()
    assert entry.state == "ending" and entry.restore_pending
    assert entry.previous() == PREVIOUS_SERVICE
    assert h.resumable().entry_id == entry.entry_id  # found at a reload, to put the settings back


def test_a_reload_while_the_end_is_under_way_ends_the_stream_and_restores_the_settings(harness):
    h = harness()
    go_live(h)
    h.obs.auto_events = False
    h.ctrl.end()
    h.run()
    record = h.resumable()

    h2 = harness()  # the reloaded script: OBS has stopped meanwhile
    h2.provider = h.provider
    h2.ctrl.recover(record, h.provider)
    h2.run(seconds=5)
    assert h2.state is S.IDLE  # nothing offered for resume
    assert h2.obs.service == PREVIOUS_SERVICE
    assert h.provider.count("end") == 1 and h2.unsettled() == []


def test_the_settings_are_restored_before_the_provider_answers(harness):
    h = harness()
    go_live(h)
    h.provider.fail["end"] = [ProviderServerError("503 from the provider")] * 10
    h.ctrl.end()
    h.run()
    assert h.state is S.ENDING  # the provider has not confirmed: still trying
    assert h.obs.service == PREVIOUS_SERVICE
    h.run(seconds=30)
    assert h.state is S.FAILED and h.obs.service == PREVIOUS_SERVICE
    assert [e.state for e in h.unsettled()] == ["end-failed"]


def recovered(harness, **policies):
    h = harness()
    go_live(h)
    record = h.resumable()
    h2 = harness(policies=Policies(**policies))
    h2.provider = h.provider
    h2.ctrl.recover(record, h.provider)
    h2.run()
    assert h2.state is S.READY
    return h, h2


def test_a_resume_offer_nobody_takes_up_ends_the_stream_and_says_why(harness):
    h, h2 = recovered(harness, resume_offer=60)
    h2.run(seconds=59)
    assert h2.state is S.READY and h.provider.count("end") == 0
    h2.run(seconds=2)
    assert h2.state is S.ENDED and h.provider.count("end") == 1
    assert "nobody resumed it within 60 s" in h2.ctrl.snapshot.message
    assert h2.unsettled() == []


def test_a_resume_offer_lasts_at_most_five_minutes_whatever_the_setting(harness):
    h, h2 = recovered(harness, resume_offer=10**9)
    h2.run(seconds=301, step=5)
    assert h2.state is S.ENDED and h.provider.count("end") == 1


def test_a_prepared_go_live_waits_in_ready_for_as_long_as_it_takes(harness):
    h = harness(policies=Policies(start_when_ready=False))
    h.ctrl.prepare(GoLiveRequest(provider=h.provider, title="Scheduled class"))
    h.run(seconds=600, step=10)
    assert h.state is S.READY and h.provider.count("end") == 0


def test_a_ledger_that_cannot_be_written_while_live_still_ends_the_stream(harness, monkeypatch):
    h = harness()
    go_live(h)

    def read_only(*_args, **_kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(h.ledger, "put", read_only)
    monkeypatch.setattr(h.ledger, "update", read_only)
    h.ctrl.end()
    h.run(seconds=5)
    assert h.provider.count("end") == 1
    assert h.obs.service == PREVIOUS_SERVICE and not h.obs.streaming
    assert not h.ctrl.state.is_active


def test_obs_gone_under_a_remote_go_live_still_ends_the_provider_stream(harness):
    """The CLI's OBS crashed: nothing answers, yet the billed stream is ended, and the
    settings stay on record to be restored once OBS runs again."""
    from livestream.errors import ObsUnreachableError

    h = harness()
    go_live(h)

    def gone(*_args):
        raise ObsUnreachableError("nothing accepts connections at ws://127.0.0.1:4455")

    h.obs.is_streaming = gone
    h.obs.set_stream_service = gone
    h.obs.stop_streaming = gone
    h.ctrl.streaming_stopped(None)  # what the CLI's lost-OBS watch reports
    h.run(seconds=5)
    assert h.state is S.ENDED
    assert h.provider.count("end") == 1
    assert h.resumable().restore_pending  # 'end' puts the user's settings back later
