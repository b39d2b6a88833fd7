"""``status --watch``: what the terminal shows, redrawn each second until Ctrl-C, and the
dock URL only with ``--show-secrets`` (also for ``status --json``)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from livestream import secrets
from livestream.cli import main, remote_commands
from livestream.cli.status_watch import watch
from livestream.errors import ObsUnreachableError
from livestream.session import bridge

NOW = 1_800_000_000.0
DOCK_URL = "http://127.0.0.1:47123/Xk9-token-that-grants-control-0123456789ab/"


def published(state: str = "live", **extra: Any) -> dict[str, Any]:
    data = {"format": bridge.FORMAT, "seq": 1, "state": state, "state_since": NOW - 83, "message": "",
            "provider": "TP Streams", "provider_status": "Streaming", "stream_id": "s42", "title": "Data class",
            "playback_url": "https://play.example/s42.m3u8", "chat_url": "https://chat.example/s42",
            "reconnecting": False, "dock_url": DOCK_URL}
    data.update(extra)
    return data


class FakeObs:
    """An ObsClient's answers, one per read; raises what it is given."""

    host, port = "studio.invalid", 4455

    def __init__(self, frames: list[Any]) -> None:
        self.frames = frames
        self.reads = 0
        self.closed = False

    def _frame(self) -> Any:
        return self.frames[min(self.reads, len(self.frames)) - 1]

    def stream_status(self) -> dict:
        self.reads += 1
        frame = self._frame()
        if isinstance(frame, Exception):
            raise frame
        return frame[0]

    def call(self, request: str, **data: Any) -> dict:
        assert request == "GetPersistentData" and data["slotName"] == bridge.SLOT
        return {"slotValue": self._frame()[1]}

    def obs_version(self) -> str:
        return "32.2.2"

    def close(self) -> None:
        self.closed = True


def streaming(total_bytes: int, skipped: int = 0, frames: int = 600, reconnecting: bool = False) -> dict:
    return {"outputActive": True, "outputReconnecting": reconnecting, "outputBytes": total_bytes,
            "outputSkippedFrames": skipped, "outputTotalFrames": frames}


def run_watch(client: FakeObs, frames: int, *, show_secrets: bool = False, tty: bool = False) -> str:
    out = io.StringIO()
    out.isatty = lambda: tty  # type: ignore[method-assign]
    clock = iter(NOW + i for i in range(100))
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) >= frames:
            raise KeyboardInterrupt

    assert watch(client, show_secrets=show_secrets, out=out, sleep=sleep, clock=lambda: next(clock)) == 0
    assert slept == [1.0] * frames  # once a second
    return out.getvalue()


def test_watch_draws_state_elapsed_provider_links_and_output_health_until_ctrl_c():
    client = FakeObs([(streaming(1_000_000), published()), (streaming(1_200_000, skipped=6), published())])
    text = run_watch(client, 2)
    assert "LIVE  1:23" in text and "LIVE  1:24" in text  # the elapsed time moves on by itself
    assert "TP Streams · Streaming" in text and "Data class" in text and "s42" in text
    assert "https://play.example/s42.m3u8" in text and "https://chat.example/s42" in text
    assert "streaming · measuring" in text
    assert "1600 kb/s · 6 of 600 frames dropped (1.0%)" in text  # 200 kB in one second
    assert DOCK_URL not in text and "--show-secrets" in text


def test_on_a_terminal_the_screen_is_redrawn_in_place():
    client = FakeObs([(streaming(0), published())])
    text = run_watch(client, 3, tty=True)
    assert text.count("\033[H\033[2J") == 3


def test_watch_shows_waiting_reconnecting_and_open_earlier_streams():
    waiting = published("waiting_for_ingest", state_since=NOW - 12, message="Waiting for the TP Streams server",
                        open_streams=[{"provider": "fastpix", "stream_id": "f1", "title": "Old class",
                                       "state": "ready", "last_error": "OBS crashed"}])
    client = FakeObs([({"outputActive": False}, waiting)])
    text = run_watch(client, 1)
    assert "Waiting for the ingest server  12 s" in text and "Waiting for the TP Streams server" in text
    assert "OBS output  not streaming" in text
    assert "Earlier streams still open:" in text and "fastpix · Old class · ready  [f1]" in text
    assert "last error: OBS crashed" in text

    client = FakeObs([(streaming(10, reconnecting=True), published(reconnecting=True))])
    assert "(reconnecting)" in run_watch(client, 1) and "RECONNECTING" in run_watch(
        FakeObs([(streaming(10, reconnecting=True), published())]), 1)


def test_watch_keeps_trying_when_obs_goes_away_and_masks_secrets():
    secrets.register("sk-quoted-in-a-message-77")
    client = FakeObs([ObsUnreachableError("OBS is not answering"),
                      (streaming(5), published("failed", message="rejected sk-quoted-in-a-message-77"))])
    text = run_watch(client, 2)
    assert "OBS unreachable" in text and "trying again" in text
    assert "Failed" in text and "sk-quoted-in-a-message-77" not in text


def test_the_dock_url_is_shown_only_with_show_secrets():
    client = FakeObs([(streaming(5), published())])
    assert DOCK_URL in run_watch(client, 1, show_secrets=True)


@pytest.mark.parametrize("flags,shown", [((), False), (("--show-secrets",), True)])
def test_status_json_reports_the_dock_url_only_with_show_secrets(monkeypatch, capsys, tmp_path, flags, shown):
    monkeypatch.setenv("OBS_LIVESTREAM_STATE_DIR", str(tmp_path))
    client = FakeObs([({"outputActive": False}, published("idle"))])
    monkeypatch.setattr(remote_commands, "connect", lambda args: client)
    assert main(["status", "--json", *flags]) == 0
    output = capsys.readouterr().out
    result = json.loads(output)
    assert (DOCK_URL in output) is shown
    assert result.get("dock_url") == (DOCK_URL if shown else None)
    assert result["script_session"]["state"] == "idle"
