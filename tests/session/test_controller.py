"""The go-live flow as a user lives it, with a fake OBS and a fake provider."""

from __future__ import annotations

import json
import os

import pytest

from livestream.errors import (
    AuthenticationError,
    InvalidRequestError,
    NoResponseError,
    PermissionDeniedError,
    ProviderServerError,
)
from livestream.session.ports import StreamService
from livestream.session.request import GoLiveRequest, Policies
from livestream.session.states import State as S
from livestream_fakes import PREVIOUS_SERVICE


def go_live(h, **kwargs):
    h.ctrl.go_live(GoLiveRequest(provider=h.provider, title="Data science Live class", **kwargs))
    h.run()


def test_tp_like_key_that_arrives_late_goes_live_once_the_server_is_up(harness):
    h = harness(key_after_polls=5)  # TP Streams boots its server for 20-30 s
    go_live(h)
    assert h.state is S.WAITING_FOR_INGEST
    assert "start_streaming" not in h.obs.calls  # nothing to publish to yet
    assert h.obs.service == PREVIOUS_SERVICE
    h.run(seconds=20)
    assert h.state is S.LIVE
    assert h.obs.service == StreamService.custom("rtmp://ingest.fake.invalid/live", "fake-stream-key-0001")
    assert h.states_seen() == [S.CREATING, S.WAITING_FOR_INGEST, S.READY, S.STARTING, S.LIVE]
    assert h.ctrl.snapshot.playback_url == "https://play.fake.invalid/s1.m3u8"
    assert h.ctrl.snapshot.chat_url == "https://chat.fake.invalid/s1/"


def test_it_polls_at_the_providers_pace_while_waiting(harness):
    h = harness(key_after_polls=None)
    go_live(h)
    h.run(seconds=30)
    # one poll every 3 s, never two at once
    assert 9 <= h.provider.count("get") <= 11


def test_status_line_shows_elapsed_time_while_waiting(harness):
    h = harness(key_after_polls=None)
    go_live(h)
    h.run(seconds=12)
    assert h.ctrl.snapshot.status_line(h.clock.now) == "Waiting for the Fake Provider server... 12 s"


def test_fastpix_like_key_at_create_goes_live_without_polling(harness):
    h = harness(key_after_polls=0)
    go_live(h)
    assert h.state is S.LIVE
    # No poll for the ingest: the one status read is the one right after OBS started.
    assert h.provider.count("get") == 1
    assert h.obs.calls.count("start_streaming") == 1


def test_the_key_never_arrives_stops_the_provider_stream_and_says_why(harness):
    h = harness(key_after_polls=None, policies=Policies(ingest_timeout=180))
    go_live(h)
    h.run(seconds=179)
    assert h.state is S.WAITING_FOR_INGEST
    h.run(seconds=2)
    assert h.state is S.FAILED
    assert h.provider.count("end") == 1
    assert "not ready after 180 s" in h.ctrl.snapshot.message
    assert "provider stream was stopped" in h.ctrl.snapshot.message
    assert h.obs.service == PREVIOUS_SERVICE
    assert "start_streaming" not in h.obs.calls


@pytest.mark.parametrize(
    "error",
    [
        AuthenticationError("TP Streams rejected the API token (401)", hint="check the organization ID and token"),
        PermissionDeniedError("The token lacks permission (403)"),
        InvalidRequestError("The request was invalid (422)", field_errors={"title": ["This field is required."]}),
        NoResponseError("Could not connect to the provider", request_sent=False),
    ],
    ids=["401", "403", "422", "connection-refused"],
)
def test_a_failed_create_leaves_obs_untouched_and_tells_the_user(harness, error):
    h = harness()
    h.provider.fail["create"] = error
    go_live(h)
    assert h.state is S.FAILED
    assert h.ctrl.snapshot.level == "error"
    assert h.ctrl.snapshot.message == str(error)
    assert "set_stream_service" not in h.obs.calls
    assert "start_streaming" not in h.obs.calls
    assert h.obs.service == PREVIOUS_SERVICE
    assert h.ledger.entries() == []  # refused: nothing was created, nothing to remember


def test_obs_that_cannot_connect_ends_the_provider_stream_and_restores_settings(harness):
    h = harness()
    h.obs.connect_error = "Could not connect to server"
    go_live(h)
    assert h.state is S.FAILED
    assert h.provider.count("end") == 1
    assert "could not connect" in h.ctrl.snapshot.message.lower()
    assert h.obs.service == PREVIOUS_SERVICE
    assert h.unsettled() == []


def test_end_pressed_twice_sends_one_stop_request(harness):
    h = harness()
    h.obs.auto_events = False
    go_live(h)
    h.ctrl.streaming_started()
    h.obs.streaming = True
    h.run()
    assert h.state is S.LIVE
    h.ctrl.end()
    h.ctrl.end()
    h.run()
    h.ctrl.end()
    h.obs.streaming = False
    h.ctrl.streaming_stopped()
    h.run()
    h.ctrl.end()
    h.run()
    assert h.obs.calls.count("stop_streaming") == 1
    assert h.provider.count("end") == 1
    assert h.state is S.ENDED


def test_previous_stream_settings_are_restored_after_the_end(harness):
    h = harness()
    go_live(h)
    assert h.obs.service != PREVIOUS_SERVICE
    h.ctrl.end()
    h.run()
    assert h.state is S.ENDED
    assert h.obs.service == PREVIOUS_SERVICE
    assert h.unsettled() == []


def test_stopping_streaming_in_obs_ends_the_provider_stream(harness):
    h = harness()
    go_live(h)
    h.obs.stop_streaming()  # the user pressed Stop Streaming in OBS
    h.run()
    assert h.state is S.ENDED
    assert h.provider.count("end") == 1
    assert h.obs.service == PREVIOUS_SERVICE


def test_with_end_on_stop_off_the_provider_stream_stays_open(harness):
    h = harness(policies=Policies(end_on_stop=False))
    go_live(h)
    h.obs.stop_streaming()
    h.run()
    assert h.state is S.READY
    assert h.provider.count("end") == 0
    go_live(h)  # Go live again continues on the same stream
    assert h.state is S.LIVE
    assert h.provider.count("create") == 1


def test_with_restore_off_the_providers_settings_stay_in_obs(harness):
    h = harness(policies=Policies(restore_previous=False))
    go_live(h)
    h.ctrl.end()
    h.run()
    assert h.state is S.ENDED
    assert h.obs.service.settings["server"] == "rtmp://ingest.fake.invalid/live"


def test_prepare_fills_in_obs_without_starting_and_go_live_then_starts(harness):
    h = harness()
    h.ctrl.prepare(GoLiveRequest(provider=h.provider, title="t"))
    h.run()
    assert h.state is S.READY
    assert h.obs.service.settings["key"] == "fake-stream-key-0001"
    assert "start_streaming" not in h.obs.calls
    go_live(h)
    assert h.state is S.LIVE
    assert h.provider.count("create") == 1


def test_start_when_ready_off_waits_for_the_user_to_start_in_obs(harness):
    h = harness(policies=Policies(start_when_ready=False))
    go_live(h)
    assert h.state is S.READY
    h.obs.streaming = True
    h.ctrl.streaming_started()  # the user pressed Start Streaming
    h.run()
    assert h.state is S.LIVE


def test_it_refuses_while_obs_is_already_streaming(harness):
    h = harness()
    h.obs.streaming = True
    go_live(h)
    assert h.state is S.FAILED
    assert "already streaming" in h.ctrl.snapshot.message
    assert h.provider.count("create") == 0
    assert h.obs.service == PREVIOUS_SERVICE


@pytest.mark.parametrize("account", ["Twitch", "YouTube - RTMPS", "Restream"])
def test_it_refuses_with_a_linked_account_and_says_how_to_fix_it(harness, account):
    h = harness()
    h.obs.linked = account
    go_live(h)
    assert h.state is S.FAILED
    assert account in h.ctrl.snapshot.message
    assert "Disconnect Account" in h.ctrl.snapshot.message
    assert h.provider.count("create") == 0


def test_it_refuses_with_enhanced_broadcasting_on_before_creating_anything(harness):
    h = harness()
    h.obs.multitrack = True
    go_live(h)
    assert h.state is S.FAILED
    assert "Enhanced Broadcasting" in h.ctrl.snapshot.message
    assert "untick it" in h.ctrl.snapshot.message
    assert h.provider.count("create") == 0
    assert "set_stream_service" not in h.obs.calls and "start_streaming" not in h.obs.calls


def test_end_while_creating_ends_the_stream_as_soon_as_it_exists(harness):
    h = harness()
    h.provider.on_call = lambda op: h.ctrl.end() if op == "create" else None
    go_live(h)
    assert h.state is S.ENDED
    assert h.provider.count("end") == 1
    assert "start_streaming" not in h.obs.calls
    assert h.obs.service == PREVIOUS_SERVICE


def test_a_stream_that_errors_while_booting_is_ended_and_reported(harness):
    from livestream.models import StreamStatus

    h = harness(key_after_polls=None)
    go_live(h)
    h.provider.streams["s1"]["status"] = StreamStatus.ERROR
    h.run(seconds=4)
    assert h.state is S.FAILED
    assert h.provider.count("end") == 1
    assert "error" in h.ctrl.snapshot.message.lower()


def test_passing_poll_failures_do_not_abort_the_wait(harness):
    h = harness(key_after_polls=3)
    h.provider.fail["get"] = [ProviderServerError("503"), NoResponseError("timeout"), None, None, None, None]
    go_live(h)
    h.run(seconds=40)
    assert h.state is S.LIVE


def test_a_refused_poll_fails_and_ends_the_stream(harness):
    h = harness(key_after_polls=3)
    h.provider.fail["get"] = [AuthenticationError("token revoked (401)")]
    go_live(h)
    h.run(seconds=5)
    assert h.state is S.FAILED
    assert "token revoked" in h.ctrl.snapshot.message
    assert h.provider.count("end") == 1


def test_ending_is_retried_on_passing_failures(harness):
    h = harness()
    go_live(h)
    h.provider.fail["end"] = [ProviderServerError("503"), None]
    h.ctrl.end()
    h.run(seconds=10)
    assert h.state is S.ENDED
    assert h.provider.count("end") == 2


def test_when_ending_keeps_failing_the_user_is_told_and_the_ledger_keeps_it(harness):
    h = harness(policies=Policies(end_attempts=2))
    go_live(h)
    h.provider.fail["end"] = [ProviderServerError("503")] * 2
    h.ctrl.end()
    h.run(seconds=6)
    assert h.state is S.FAILED
    assert "Could not end Fake Provider stream s1" in h.ctrl.snapshot.message
    assert "keeps trying" in h.ctrl.snapshot.message
    [entry] = h.unsettled()
    assert (entry.stream_id, entry.state) == ("s1", "end-failed")
    assert h.obs.service == PREVIOUS_SERVICE


def test_a_stream_already_gone_at_the_provider_counts_as_ended(harness):
    from livestream.errors import NotFoundError

    h = harness()
    go_live(h)
    h.provider.fail["end"] = [NotFoundError("Not found (404)")]
    h.ctrl.end()
    h.run()
    assert h.state is S.ENDED


def test_obs_reconnecting_does_not_end_the_provider_stream(harness):
    h = harness()
    go_live(h)
    h.ctrl.streaming_reconnecting()
    h.run(seconds=20)
    assert h.state is S.LIVE
    assert h.ctrl.snapshot.reconnecting
    assert h.provider.count("end") == 0
    h.ctrl.streaming_reconnected()
    h.run()
    assert not h.ctrl.snapshot.reconnecting


def test_the_ledger_on_disk_follows_the_session_and_is_private(harness):
    h = harness()
    go_live(h)
    [data] = json.loads(h.ledger.path.read_text())["entries"]
    assert data["stream_id"] == "s1"
    assert data["state"] == "open"
    assert data["session_state"] == "live"
    assert data["service_applied"] is True
    assert data["previous_service"]["settings"]["service"] == "Twitch"
    assert oct(os.stat(h.ledger.path).st_mode & 0o777) == "0o600"
    assert "live_user_own_key" not in repr(h.resumable())


def test_a_recovered_session_with_obs_still_streaming_is_live(harness):
    h = harness()
    go_live(h)
    record = h.resumable()
    h2 = harness()
    h2.obs.streaming = True
    h2.provider = h.provider
    h2.ctrl.recover(record, h.provider)
    h2.run()
    assert h2.state is S.LIVE
    h2.ctrl.end()
    h2.run()
    assert h2.state is S.ENDED
    assert h.provider.count("end") == 1
    assert h2.obs.service == PREVIOUS_SERVICE  # restored from the record


def test_a_recovered_session_offers_resume_and_resumes_on_go_live(harness):
    h = harness()
    go_live(h)
    record = h.resumable()
    h2 = harness()
    h2.ctrl.recover(record, h.provider)
    h2.run()
    assert h2.state is S.READY
    assert "resume" in h2.ctrl.snapshot.message
    h2.ctrl.go_live(GoLiveRequest(provider=h.provider, title="ignored"))
    h2.run()
    assert h2.state is S.LIVE
    assert h.provider.count("create") == 1


def test_a_recovered_session_can_be_ended_instead(harness):
    h = harness()
    go_live(h)
    record = h.resumable()
    h2 = harness()
    h2.ctrl.recover(record, h.provider)
    h2.ctrl.end()
    h2.run()
    assert h2.state is S.ENDED
    assert h.provider.count("end") == 1
    assert h2.obs.service == PREVIOUS_SERVICE


def test_shutdown_while_live_ends_the_provider_stream(harness):
    h = harness()
    go_live(h)
    h.obs.streaming = False  # OBS is exiting
    h.ctrl.shutdown(end_stream=True, timeout=2)
    assert h.provider.count("end") == 1
    assert h.unsettled() == []


def test_unload_without_ending_keeps_the_record_for_the_next_load(harness):
    h = harness()
    go_live(h)
    h.ctrl.shutdown(end_stream=False)
    assert h.provider.count("end") == 0
    assert h.resumable().stream_id == "s1"


def test_a_new_go_live_after_the_end_starts_a_new_stream(harness):
    h = harness()
    go_live(h)
    h.ctrl.end()
    h.run()
    go_live(h)
    assert h.state is S.LIVE
    assert h.provider.count("create") == 2


def test_go_live_while_busy_is_ignored_with_a_warning(harness):
    h = harness(key_after_polls=None)
    go_live(h)
    go_live(h)
    assert h.provider.count("create") == 1
    assert h.ctrl.snapshot.level == "warning"


def test_end_when_nothing_is_live_is_harmless(harness):
    h = harness()
    h.ctrl.end()
    h.run()
    assert h.state is S.IDLE
    assert h.provider.calls == []
    assert h.ctrl.snapshot.message == "Nothing is live"


@pytest.mark.parametrize("end_stream", [False, True], ids=["unload", "exit"])
def test_a_create_in_flight_at_unload_or_exit_is_not_orphaned(tmp_path, end_stream):
    import threading

    from livestream.session.controller import Controller
    from livestream.session.ledger import Ledger
    from livestream.session.worker import Worker
    from livestream_fakes import FakeObs, FakeProvider

    answer = threading.Event()
    provider = FakeProvider()
    provider.on_call = lambda op: answer.wait(5) if op == "create" else None
    ledger = Ledger(tmp_path / "ledger.json")
    obs = FakeObs()
    ctrl = Controller(obs, ledger=ledger, worker=Worker())
    obs.controller = ctrl
    ctrl.go_live(GoLiveRequest(provider=provider, title="t"))
    ctrl.tick()
    assert ctrl.state is S.CREATING
    threading.Timer(0.2, answer.set).start()  # the provider answers while OBS shuts down

    ctrl.shutdown(end_stream=end_stream, timeout=3)

    if end_stream:
        assert provider.count("end") == 1
        assert ledger.unsettled() == []  # ended; nothing applied to OBS yet, nothing to restore
    else:
        assert provider.count("end") == 0
        assert ledger.resumable("script").stream_id == "s1"  # the next load offers to resume or end it


def test_the_provider_status_is_read_as_soon_as_obs_starts_publishing(harness):
    h = harness(key_after_polls=0)
    h.obs.auto_events = False
    go_live(h)
    assert h.state is S.STARTING and h.provider.count("get") == 0
    h.clock.now += 2
    h.obs.streaming = True
    h.ctrl.streaming_started()
    h.run()
    assert h.state is S.LIVE
    assert h.provider.count("get") == 1  # not 15 s later, at the first status interval
    assert h.ctrl.snapshot.status_read_at == h.clock.now
    h.run(seconds=10)
    assert h.provider.count("get") == 1  # then at the usual pace


def test_the_snapshot_says_how_old_the_provider_status_is(harness):
    h = harness(key_after_polls=0)
    go_live(h)
    read_at = h.ctrl.snapshot.status_read_at
    assert read_at is not None
    status = h.ctrl.snapshot.provider_status
    assert h.ctrl.snapshot.provider_status_line(read_at + 3) == f"{status}, 3 s ago"
    assert h.ctrl.snapshot.to_dict(read_at + 3)["provider_status_age"] == 3.0


def test_right_after_an_ingest_poll_the_first_status_read_keeps_the_providers_pace(harness):
    h = harness(key_after_polls=2)
    asked_at = []
    get = h.provider.get
    h.provider.get = lambda stream_id: asked_at.append(h.clock.now) or get(stream_id)
    go_live(h)
    while h.state is not S.LIVE:
        h.run(seconds=0.5, step=0.5)
    assert len(asked_at) == 2 and asked_at[-1] > h.clock.now - 1  # the poll that brought the key
    h.run(seconds=4, step=0.5)
    # Not at once (the provider was just asked): one poll interval (3 s) after that poll.
    assert asked_at[2:] == [asked_at[1] + 3.0]
