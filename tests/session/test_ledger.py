"""The ledger file: one entry per provider stream, safe with several writers, never lost."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat

from livestream.session.ledger import KEEP_ENDED_SECONDS, Ledger, LedgerEntry


def _entry(**kwargs) -> LedgerEntry:
    kwargs.setdefault("provider", "tpstreams")
    return LedgerEntry(**kwargs)


def test_entries_are_added_never_overwritten_by_a_later_go_live(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    first = ledger.put(_entry(stream_id="a1", state="end-failed", title="Monday class"))
    ledger.put(_entry(stream_id="b2", state="open", title="Tuesday class"))
    assert [(e.stream_id, e.state) for e in ledger.entries()] == [("a1", "end-failed"), ("b2", "open")]
    assert ledger.get(first.entry_id).title == "Monday class"


def test_the_file_is_private_in_a_private_folder(tmp_path):
    ledger = Ledger(tmp_path / "state" / "ledger.json")
    ledger.put(_entry(previous_service={"type": "rtmp_common", "settings": {"key": "live_user_own_key"}}))
    assert stat.S_IMODE(os.stat(ledger.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(ledger.path.parent).st_mode) == 0o700
    assert "live_user_own_key" not in repr(ledger.entries())


def test_a_damaged_file_is_kept_aside_and_the_ledger_starts_afresh(tmp_path, caplog):
    path = tmp_path / "ledger.json"
    path.write_text("{not json")
    ledger = Ledger(path)
    assert ledger.entries() == []
    assert (tmp_path / "ledger.json.bad").read_text() == "{not json"
    ledger.put(_entry(stream_id="c3"))
    assert [e.stream_id for e in Ledger(path).entries()] == ["c3"]
    assert "damaged" in caplog.text


def test_a_file_of_the_wrong_shape_counts_as_damaged(tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps({"entries": [{"provider": 3, "state": "levitating"}]}))
    assert Ledger(path).entries() == []
    assert (tmp_path / "ledger.json.bad").exists()


def test_ended_entries_are_pruned_after_a_day_open_ones_never(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    now = 1_000_000.0
    ledger.put(_entry(stream_id="old", state="ended", ended_at=now - KEEP_ENDED_SECONDS - 5))
    ledger.put(_entry(stream_id="recent", state="ended", ended_at=now - 60))
    ledger.put(_entry(stream_id="stuck", state="end-failed", created_at=now - 30 * 24 * 3600))
    ledger.put(_entry(stream_id="restore", state="ended", ended_at=now - 10 * KEEP_ENDED_SECONDS,
                      restore_pending=True))
    assert ledger.prune(now) == 1
    assert sorted(e.stream_id for e in ledger.entries()) == ["recent", "restore", "stuck"]


def test_resumable_is_the_owners_newest_open_entry(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    ledger.put(_entry(stream_id="remote", state="open", owner="remote:studio:4455"))
    ledger.put(_entry(stream_id="older", state="end-failed"))
    ledger.put(_entry(stream_id="mine", state="open"))
    assert ledger.resumable("script").stream_id == "mine"
    assert ledger.resumable("remote:studio:4455").stream_id == "remote"
    assert ledger.resumable("remote:other:4455") is None


def test_find_by_entry_id_or_stream_id(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    entry = ledger.put(_entry(stream_id="4PtERT9d9uK"))
    assert ledger.find("4PtERT9d9uK").entry_id == entry.entry_id
    assert ledger.find(entry.entry_id).stream_id == "4PtERT9d9uK"
    assert ledger.find("nope") is None


def test_another_process_changes_are_seen(tmp_path):
    path = tmp_path / "ledger.json"
    mine, theirs = Ledger(path), Ledger(path)
    entry = mine.put(_entry(stream_id="x1", state="open"))
    assert mine.entries()[0].state == "open"
    theirs.update(entry.entry_id, state="ended")
    assert mine.entries()[0].state == "ended"


def _writer(path: str, n: int, count: int) -> None:
    ledger = Ledger(__import__("pathlib").Path(path))
    for i in range(count):
        entry = ledger.put(_entry(stream_id=f"w{n}-{i}", state="open"))
        ledger.update(entry.entry_id, state="ending")


def test_concurrent_writers_lose_no_entry(tmp_path):
    path = tmp_path / "ledger.json"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_writer, args=(str(path), n, 25)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    entries = Ledger(path).entries()
    assert len(entries) == 100
    assert {e.state for e in entries} == {"ending"}
    assert len({e.stream_id for e in entries}) == 100
