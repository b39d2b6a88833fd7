"""The ledger keeps the newest ended entries only, so a day of go-lives does not make the
file, and what the script holds of it, grow with every go-live; nothing that still needs
ending or restoring is ever dropped."""

from __future__ import annotations

from livestream.session.ledger import KEEP_ENDED_ENTRIES, Ledger, LedgerEntry


def test_only_the_newest_ended_entries_are_kept_and_open_or_restoring_ones_always(tmp_path):
    ledger = Ledger(tmp_path / "ledger.json")
    ledger.put(LedgerEntry(provider="fastpix", stream_id="still-open", state="end-failed", created_at=1.0))
    ledger.put(LedgerEntry(provider="fastpix", stream_id="restore", state="ended", ended_at=2.0,
                           restore_pending=True))
    for n in range(KEEP_ENDED_ENTRIES + 5):
        entry = ledger.put(LedgerEntry(provider="fastpix", stream_id=f"go-{n}", state="open"))
        ledger.update(entry.entry_id, state="ended", ended_at=100.0 + n)
    ids = [e.stream_id for e in Ledger(tmp_path / "ledger.json").entries()]
    assert "still-open" in ids and "restore" in ids
    ended = [i for i in ids if i.startswith("go-")]
    assert ended == [f"go-{n}" for n in range(5, KEEP_ENDED_ENTRIES + 5)]
