"""``status``, ``status --json`` and ``status --watch`` show each simulcast target of the
script's published session: its name, status, the reason of a failure and who sends it
(the provider or OBS itself), and never a key, with or without ``--show-secrets`` (the
script never publishes one; a field it might hide in is not printed)."""

from __future__ import annotations

import json

import pytest

from livestream.cli import main, remote_commands
from tests.cli.test_status_watch import FakeObs, published, run_watch, streaming

LEAKED_KEY = "live_yt-key-that-must-not-print-93"
TARGETS = [
    {"name": "YouTube", "target_id": "obs", "status": "live", "reason": None, "host": "a.rtmp.youtube.com"},
    {"name": "Twitch", "target_id": "obs", "status": "failed", "reason": "OBS could not connect within 15 s",
     "host": "live.twitch.tv", "stream_key": LEAKED_KEY},  # a field no script should publish
    {"name": "Facebook", "target_id": "st-7", "status": "connecting", "reason": None, "host": "fb.example"},
]


def _status(monkeypatch, capsys, tmp_path, *flags):
    monkeypatch.setenv("OBS_LIVESTREAM_STATE_DIR", str(tmp_path))
    client = FakeObs([(streaming(5), published(targets=TARGETS))])
    monkeypatch.setattr(remote_commands, "connect", lambda args: client)
    assert main(["status", *flags]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("flags", [(), ("--show-secrets",)])
def test_status_json_lists_each_target_with_its_status_reason_and_sender(monkeypatch, capsys, tmp_path, flags):
    output = _status(monkeypatch, capsys, tmp_path, "--json", *flags)
    targets = json.loads(output)["script_session"]["targets"]
    assert [(t["name"], t["status"], t["reason"], t["sent_by"]) for t in targets] == [
        ("YouTube", "live", None, "obs"),
        ("Twitch", "failed", "OBS could not connect within 15 s", "obs"),
        ("Facebook", "connecting", None, "provider"),
    ]
    assert LEAKED_KEY not in output and "stream_key" not in output


def test_status_text_lists_each_target(monkeypatch, capsys, tmp_path):
    output = _status(monkeypatch, capsys, tmp_path)
    for name, status in (("YouTube", "live"), ("Twitch", "failed"), ("Facebook", "connecting")):
        assert f"name: {name}" in output and f"status: {status}" in output
    assert "reason: OBS could not connect within 15 s" in output
    assert LEAKED_KEY not in output


def test_watch_has_one_line_per_target_with_who_sends_it():
    text = run_watch(FakeObs([(streaming(5), published(targets=TARGETS))]), 1, show_secrets=True)
    assert "Also to   YouTube: live · sent by OBS" in text
    assert "Twitch: failed (OBS could not connect within 15 s) · sent by OBS" in text
    assert "Facebook: connecting · sent by TP Streams" in text
    assert LEAKED_KEY not in text
