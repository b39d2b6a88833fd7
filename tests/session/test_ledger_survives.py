"""The ledger survives its own file: an open entry is never lost between its create and its end."""

from __future__ import annotations

import os

import pytest

from livestream.session.ledger import Ledger, LedgerEntry


def _open_entry(ledger: Ledger, stream_id: str = "live1") -> LedgerEntry:
    entry = ledger.put(LedgerEntry(provider="tpstreams", stream_id=stream_id, state="creating"))
    ledger.update(entry.entry_id, state="open")
    return entry


def test_a_deleted_file_gets_the_open_entry_back(tmp_path, caplog):
    ledger = Ledger(tmp_path / "ledger.json")
    entry = _open_entry(ledger)
    ledger.path.unlink()
    assert [(e.stream_id, e.state) for e in ledger.entries()] == [("live1", "open")]
    # Written back, so another process (the `ledger` command) finds it too.
    assert [e.stream_id for e in Ledger(ledger.path).entries()] == ["live1"]
    assert "lost" in caplog.text
    assert ledger.update(entry.entry_id, state="ended").state == "ended"
    assert Ledger(ledger.path).get(entry.entry_id).state == "ended"


def test_garbage_is_kept_aside_and_the_open_entry_written_back(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    entry = _open_entry(ledger)
    ledger.path.write_text("\x00garbage{")
    assert ledger.get(entry.entry_id).state == "open"
    assert (tmp_path / "ledger.json.bad").read_text() == "\x00garbage{"
    assert Ledger(ledger.path).get(entry.entry_id).stream_id == "live1"


def test_an_unwritable_file_keeps_the_entry_in_memory_and_says_so(tmp_path, monkeypatch, caplog):
    ledger = Ledger(tmp_path / "ledger.json")
    entry = _open_entry(ledger)
    real_replace = os.replace

    def refuse(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "replace", refuse)
    # The end goes on: the change is kept in memory and reported, not raised.
    ledger.update(entry.entry_id, state="ending", last_error="provider down")
    assert ledger.get(entry.entry_id).state == "ending"
    assert "cannot be written" in (ledger.write_problem or "")
    assert "cannot be written" in caplog.text
    # A new go-live is refused before anything is created, as with a full state folder.
    with pytest.raises(OSError):
        ledger.put(LedgerEntry(provider="tpstreams", state="creating"))
    assert [e.entry_id for e in ledger.entries()] == [entry.entry_id]

    monkeypatch.setattr(os, "replace", real_replace)
    ledger.update(entry.entry_id, state="ended")
    assert ledger.write_problem is None
    assert Ledger(ledger.path).get(entry.entry_id).state == "ended"


def test_an_unsaved_change_is_written_with_the_next_successful_write(tmp_path, monkeypatch):
    ledger = Ledger(tmp_path / "ledger.json")
    entry = _open_entry(ledger)
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError(28, "No space left")))
    ledger.update(entry.entry_id, state="end-failed", last_error="provider down")
    monkeypatch.setattr(os, "replace", real_replace)
    ledger.path.unlink()
    assert Ledger(ledger.path).entries() == []  # another process sees nothing yet...
    assert ledger.get(entry.entry_id).state == "end-failed"  # ...until this ledger reads and writes back
    assert Ledger(ledger.path).get(entry.entry_id).state == "end-failed"


def test_another_process_ending_the_entry_wins_over_the_held_copy(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    entry = _open_entry(ledger)
    Ledger(ledger.path).update(entry.entry_id, state="ended")
    assert ledger.get(entry.entry_id).state == "ended"
    ledger.path.unlink()
    # Settled and on disk: nothing left to hold, so a deleted file stays empty.
    assert ledger.entries() == []


def test_a_forgotten_entry_is_not_written_back(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    entry = ledger.put(LedgerEntry(provider="tpstreams", state="creating"))
    ledger.remove(entry.entry_id)
    ledger.path.unlink()
    assert ledger.entries() == []
