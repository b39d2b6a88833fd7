"""A stream made with ``create`` (or started with ``start``) is in this machine's ledger until
``stop`` or ``delete`` confirms its end: ``ledger`` lists it, ``ledger end --all`` ends it."""

from __future__ import annotations

import json

from livestream.cli.ledger_commands import end_entries
from livestream.session.ledger import Ledger, LedgerEntry


def _entries(cli) -> list[dict]:
    return json.loads(cli("ledger", "--all", "--json").stdout)["entries"]


def _status(cli_sandbox, stream_id: str) -> str:
    return next(s for s in cli_sandbox.admin.streams() if s["id"] == stream_id)["status"]


def test_a_created_stream_is_open_in_the_ledger_until_stop_confirms_its_end(cli):
    stream_id = cli.json("create", "-p", "fastpix", "-t", "Made by hand")["id"]
    [entry] = cli.json("ledger")["entries"]  # the open ones
    assert (entry["stream_id"], entry["state"], entry["origin"], entry["title"]) == (
        stream_id, "open", "cli", "Made by hand")
    assert cli("stop", "-p", "fastpix", stream_id).returncode == 0
    assert cli.json("ledger")["entries"] == []
    assert [e["state"] for e in _entries(cli)] == ["ended"]


def test_ledger_end_all_ends_a_stream_that_create_made(cli, cli_sandbox):
    stream_id = cli.json("create", "-p", "tpstreams", "-t", "Forgotten")["id"]
    result = cli("ledger", "end", "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _status(cli_sandbox, stream_id) in ("Recording", "Stopped", "Completed")
    assert [(e["stream_id"], e["state"]) for e in _entries(cli)] == [(stream_id, "ended")]


def test_delete_settles_the_entry(cli):
    stream_id = cli.json("create", "-p", "fastpix", "-t", "Deleted")["id"]
    assert cli("delete", "-p", "fastpix", stream_id).returncode == 0
    assert [e["state"] for e in _entries(cli)] == ["ended"]


def test_a_create_the_provider_refused_leaves_no_entry(cli):
    result = cli("create", "-p", "fastpix", "-t", "Refused", env={"FASTPIX_SECRET_KEY": "wrong-secret"})
    assert result.returncode != 0
    assert _entries(cli) == []


def test_a_create_whose_answer_was_lost_stays_to_be_found_and_ended(cli, cli_sandbox, tmp_path):
    cli_sandbox.admin.add_fault("fastpix:drop=reset,count=1")  # the stream is made, its answer never comes
    result = cli("create", "-p", "fastpix", "-t", "Answer lost")
    assert result.returncode != 0
    [entry] = Ledger(tmp_path / "state" / "ledger.json").unsettled()
    assert entry.state == "creating" and entry.reference  # the marker that finds it again
    assert cli("ledger", "end", "--all").returncode == 0, "ended once found"
    [ended] = _entries(cli)
    assert ended["state"] == "ended" and ended["stream_id"]  # found by its marker, then ended
    assert _status(cli_sandbox, ended["stream_id"]) == "idle"


def test_a_scheduled_stream_is_recorded_when_started(cli):
    stream_id = cli.json("create", "-p", "tpstreams", "-t", "Later", "--start", "2099-01-02 15:30:00")["id"]
    assert _entries(cli) == []  # a date on the stream: nothing runs or bills yet
    assert cli("start", "-p", "tpstreams", stream_id).returncode == 0
    assert [(e["stream_id"], e["state"]) for e in _entries(cli)] == [(stream_id, "open")]



def test_end_with_nothing_live_leaves_a_stream_create_made_to_its_user(cli, cli_sandbox, tmp_path, monkeypatch,
                                                                       capsys):
    """The remote 'end' with no go-live of its own ends the failed ends still pending
    (``end_entries(keep_made_by_hand=True)``), never the user's own stream made with 'create'
    (it may be streaming from elsewhere): 'ledger end' is there for that one."""
    mine = cli.json("create", "-p", "fastpix", "-t", "Mine")["id"]
    elsewhere = cli.env["OBS_LIVESTREAM_STATE_DIR"] + "-elsewhere"
    failed_end = cli.json("create", "-p", "fastpix", "-t", "Failed end", env={"OBS_LIVESTREAM_STATE_DIR": elsewhere})
    ledger = Ledger(tmp_path / "state" / "ledger.json")
    ledger.put(LedgerEntry(provider="fastpix", stream_id=failed_end["id"], state="end-failed",
                           api_base_url=cli_sandbox.api_url))
    for name, value in cli.env.items():
        monkeypatch.setenv(name, value)
    assert end_entries(ledger, None, api_base_url=None, as_json=True, keep_made_by_hand=True) == 0
    states = {e.stream_id: e.state for e in ledger.entries()}
    assert states == {mine: "open", failed_end["id"]: "ended"}
