"""``obs_livestream.py ledger``: list the streams obs-livestream made, end the open ones, without OBS."""

from __future__ import annotations

import json
import time
from pathlib import Path

from livestream.session.ledger import Ledger, LedgerEntry


def _ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "state" / "ledger.json")


def _create(cli, provider: str, title: str) -> str:
    """A stream made elsewhere (its create in another state folder's ledger, not this one)."""
    elsewhere = cli.env["OBS_LIVESTREAM_STATE_DIR"] + "-elsewhere"
    result = cli("create", "-p", provider, "--title", title, "--json", env={"OBS_LIVESTREAM_STATE_DIR": elsewhere})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["id"]


def _status(cli_sandbox, stream_id: str) -> str:
    return next(s for s in cli_sandbox.admin.streams() if s["id"] == stream_id)["status"]


def test_an_empty_ledger_says_nothing_is_open(cli):
    result = cli("ledger")
    assert result.returncode == 0
    assert "No provider stream is open" in result.stdout


def test_ledger_lists_open_streams_with_their_last_error_and_json(cli, tmp_path):
    ledger = _ledger(tmp_path)
    ledger.put(LedgerEntry(provider="tpstreams", provider_display="TP Streams", stream_id="4PtERT9d9uK",
                           title="Data science Live class", state="end-failed", origin="hotkey",
                           last_error="TP Streams failed (503)", next_attempt_at=time.time() + 30))
    ledger.put(LedgerEntry(provider="fastpix", stream_id="done1", state="ended", ended_at=time.time()))
    result = cli("ledger")
    assert result.returncode == 0
    assert "end-failed" in result.stdout and "TP Streams stream 4PtERT9d9uK (Data science Live class)" in result.stdout
    assert "last error: TP Streams failed (503)" in result.stdout
    assert "done1" not in result.stdout  # ended ones only with --all
    assert "done1" in cli("ledger", "--all").stdout
    [entry] = cli.json("ledger")["entries"]
    assert entry["stream_id"] == "4PtERT9d9uK" and 25 <= entry["retry_in"] <= 30
    assert "previous_service" not in entry  # never the user's own stream key


def test_ledger_end_all_ends_every_open_stream_at_the_provider(cli, cli_sandbox, tmp_path):
    tp_id = _create(cli, "tpstreams", "Left open by a killed OBS")
    fp_id = _create(cli, "fastpix", "Found again")
    ledger = _ledger(tmp_path)
    ledger.put(LedgerEntry(provider="tpstreams", stream_id=tp_id, state="open", api_base_url=cli_sandbox.api_url))
    # A FastPix create whose answer was lost: no id yet, found by its metadata reference.
    ledger.put(LedgerEntry(provider="fastpix", stream_id=None, title="Found again", state="ending",
                           reference="no-such-ref", create_sent_at=time.time(), api_base_url=cli_sandbox.api_url))
    time.sleep(2)  # the TP Streams server boots
    result = cli("ledger", "end", "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _status(cli_sandbox, tp_id) in ("Recording", "Stopped", "Completed")
    assert {e.state for e in ledger.entries()} == {"ended"}
    assert [e.stream_id for e in ledger.entries()] == [tp_id, fp_id]  # matched by title, no other twin


def test_ledger_end_one_by_stream_id_leaves_the_others(cli, cli_sandbox, tmp_path):
    first, second = _create(cli, "tpstreams", "One"), _create(cli, "tpstreams", "Two")
    ledger = _ledger(tmp_path)
    for sid in (first, second):
        ledger.put(LedgerEntry(provider="tpstreams", stream_id=sid, state="end-failed",
                               api_base_url=cli_sandbox.api_url))
    result = cli("ledger", "end", first)
    assert result.returncode == 0, result.stderr
    states = {e.stream_id: e.state for e in ledger.entries()}
    assert states == {first: "ended", second: "end-failed"}


def test_ledger_end_while_the_provider_is_down_keeps_the_entry_and_says_so(cli, cli_sandbox, tmp_path):
    sid = _create(cli, "tpstreams", "Outage")
    ledger = _ledger(tmp_path)
    ledger.put(LedgerEntry(provider="tpstreams", stream_id=sid, state="end-failed", api_base_url=cli_sandbox.api_url))
    cli_sandbox.admin.add_fault("tpstreams:status=503")
    result = cli("ledger", "end", sid)
    assert result.returncode == 4
    assert "still open" in result.stdout
    [entry] = ledger.entries()
    assert entry.state == "end-failed" and "503" in (entry.last_error or "")


def test_ledger_end_of_an_unknown_id_is_a_usage_error(cli):
    result = cli("ledger", "end", "nope")
    assert result.returncode == 2
    assert "No stream 'nope' in the ledger" in result.stderr
