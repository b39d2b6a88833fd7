"""``Record`` on its own: one go-live's ledger entry from before its create to its settling."""

from __future__ import annotations

import pytest

from livestream.errors import ConfigurationError, ProviderServerError
from livestream.session.ledger import Ledger
from livestream.session.record import Record
from livestream.session.request import GoLiveRequest
from livestream_fakes import PREVIOUS_SERVICE, FakeProvider


def _open(tmp_path, **request):
    ledger = Ledger(tmp_path / "ledger.json")
    record = Record.open(ledger, GoLiveRequest(provider=FakeProvider(), title="Class", **request),
                         owner="script", wall=lambda: 5000.0, previous=PREVIOUS_SERVICE)
    return ledger, record


def test_the_entry_is_on_disk_before_the_create_with_a_marker_to_find_the_stream(tmp_path):
    ledger, record = _open(tmp_path)
    [entry] = ledger.entries()
    assert entry.state == "creating" and record.creating
    assert entry.reference and entry.create_sent_at == 5000.0
    assert entry.previous() == PREVIOUS_SERVICE


def test_a_ledger_that_cannot_be_written_refuses_before_anything_is_created(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should be")
    with pytest.raises(ConfigurationError, match="nothing was created"):
        Record.open(Ledger(blocker / "ledger.json"), GoLiveRequest(provider=FakeProvider()), owner="script",
                    wall=lambda: 1.0, previous=None)


def test_saving_the_stream_id_opens_the_entry_and_keeps_the_settings_to_restore(tmp_path):
    ledger, record = _open(tmp_path)
    record.save(stream_id="s1", title="Class", session_state="waiting_for_ingest", previous=PREVIOUS_SERVICE,
                service_applied=True, playback_url="https://play/s1", chat_url=None)
    [entry] = ledger.entries()
    assert (entry.state, entry.stream_id, entry.service_applied, entry.playback_url) == (
        "open", "s1", True, "https://play/s1")
    assert not record.creating


def test_an_ended_stream_is_settled_once(tmp_path):
    ledger, record = _open(tmp_path)
    record.save(stream_id="s1", previous=PREVIOUS_SERVICE, service_applied=False)
    record.ended(service_applied=False, previous=PREVIOUS_SERVICE)
    assert [e.state for e in ledger.entries()] == ["ended"] and ledger.unsettled() == []
    record.failed(ProviderServerError("503"), service_applied=False)  # settled: a no-op now
    assert [e.state for e in ledger.entries()] == ["ended"]


def test_a_failed_end_is_left_to_pending_ends_with_its_next_attempt(tmp_path):
    ledger, record = _open(tmp_path)
    record.save(stream_id="s1", previous=PREVIOUS_SERVICE, service_applied=True)
    record.failed(ProviderServerError("503 from the provider"), service_applied=True)
    [entry] = ledger.unsettled()
    assert entry.state == "end-failed" and entry.attempts == 1
    assert entry.next_attempt_at > 5000.0 and "503" in entry.last_error
    assert record.entry is None


def test_a_lost_create_goes_to_pending_ends_and_a_refused_one_is_forgotten(tmp_path):
    ledger, lost = _open(tmp_path)
    lost.to_pending(None)
    assert [e.state for e in ledger.unsettled()] == ["ending"]
    refused = Record.open(ledger, GoLiveRequest(provider=FakeProvider()), owner="script", wall=lambda: 1.0,
                          previous=None)
    refused.forget()
    assert [e.state for e in ledger.entries()] == ["ending"]


def test_an_end_that_cannot_be_written_does_not_stop_the_end(tmp_path, monkeypatch):
    ledger, record = _open(tmp_path)
    record.save(stream_id="s1", previous=PREVIOUS_SERVICE, service_applied=True)

    def full_disk(_entry):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ledger, "put", full_disk)
    record.ending(restore_pending=True, previous=PREVIOUS_SERVICE)  # logged, not raised
    assert record.entry is not None and record.entry.state == "ending"  # still known in memory
