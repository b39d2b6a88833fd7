"""The status dock in headless Chromium, served by the script running in the real OBS 29.

A go-live pressed by the hotkey shows on the page state by state; the page's own End
and Go live buttons drive the flow; the URL refuses a wrong token or Host; the page
never carries the stream key; ``status --watch`` shows the same in a terminal.
``UPDATE_DOCS=1`` also saves docs/dock-idle.png and docs/dock-live.png (see docs/README.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.e2e.dockpage import DockPage, headless_chromium
from tests.e2e.studio import PREVIOUS_SERVICE, REPO, Studio, cli_command, cli_env, wait_published

pytestmark = pytest.mark.e2e

GO_LIVE_ORDER = ["idle", "creating", "waiting_for_ingest", "ready", "starting", "live"]


def _in_order(seen: list[str], order: list[str]) -> bool:
    positions = [order.index(state) for state in seen]
    return positions == sorted(positions)


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _read_frames(process: subprocess.Popen, count: int) -> tuple[str, str]:
    """The first line and ``count`` frames of ``status --watch`` (piped: a frame per change)."""
    assert process.stdout is not None
    lines: list[str] = []
    while sum(1 for line in lines if line.startswith("obs-livestream status")) < count:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
    return (lines[0] if lines else ""), "".join(lines)


def test_the_dock_follows_a_hotkey_go_live_and_its_buttons_drive_the_flow(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="tpstreams", boot_delay=2) as studio, \
            headless_chromium(tmp_path / "chromium") as browser:
        session = wait_published(studio, lambda s: s.get("state") == "idle" and s.get("dock_url"),
                                 timeout=20, what="the idle session with the dock URL")
        url = session["dock_url"]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")

        # Refused: a wrong token, another Host (DNS rebinding), a cross-origin request.
        parts = urllib.parse.urlsplit(url)
        assert _status(url + "state") == 200
        assert _status(f"{parts.scheme}://{parts.netloc}/not-the-token/state") == 403
        assert _status(url + "state", {"Host": f"rebind.example:{parts.port}"}) == 403
        assert _status(url + "state", {"Origin": "http://evil.example"}) == 403

        page = DockPage(browser, url)
        assert page.state == "idle"
        assert page.enabled("go_live") and page.enabled("prepare") and not page.enabled("end")
        idle_png = page.screenshot(tmp_path / "dock-idle.png")

        # A go-live pressed on the hotkey (a Stream Deck, obs-websocket): the page shows it by itself.
        studio.press("go_live")
        seen = page.follow(until="live")
        assert seen[-1] == "live", f"{seen}\n{studio.script_log()}"
        assert "waiting_for_ingest" in seen and _in_order(seen, GO_LIVE_ORDER), seen
        published = studio.published()
        assert page.text("label") == "Live"
        assert page.text("provider") == "TP Streams"
        assert page.text("stream_id") == published["stream_id"]
        assert page.link("playback_url") == published["playback_url"]
        assert page.link("chat_url") == published["chat_url"]
        # The timeline lists every step of this go-live, however short.
        assert page.timeline() == ["creating", "waiting_for_ingest", "ready", "starting", "live"]
        # The status carries its age since issue 18: "Streaming, 3 s ago".
        page.wait_for(lambda: re.fullmatch(r"Streaming, \d+ s ago", page.text("provider_status") or ""), 30,
                      "the provider status Streaming with its age")
        page.wait_for(lambda: page.text("bitrate").endswith("kb/s") and not page.text("bitrate").startswith("0 "),
                      15, "OBS's output bitrate")
        assert "frames" in page.text("dropped")
        assert page.enabled("end") and not page.enabled("go_live")

        key = studio.stream_service()["settings"]["key"]
        assert key and key != PREVIOUS_SERVICE["settings"]["key"]
        assert key not in page.source()
        with urllib.request.urlopen(url + "state", timeout=5) as answer:
            assert key not in answer.read().decode()
        live_png = page.screenshot(tmp_path / "dock-live.png")

        # The same information in a terminal: status --watch, until Ctrl-C.
        watch = subprocess.Popen(cli_command("status", "--watch"), cwd=REPO, text=True, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=cli_env(studio, tmp_path / "cli-state"))
        try:
            first, frames = _read_frames(watch, 3)
        finally:
            watch.send_signal(signal.SIGINT)
            rest, errors = watch.communicate(timeout=20)
        assert watch.returncode == 0, errors
        assert first.startswith("obs-livestream status") and "LIVE  " in frames, frames
        assert published["stream_id"] in frames and "kb/s" in frames and "frames dropped" in frames
        assert url not in frames + rest  # the dock URL only with --show-secrets

        # The dock's End button ends the stream: provider stream ended, settings restored.
        page.press("end")
        seen = page.follow(until="ended", timeout=60)
        assert "ending" in seen or seen[-1] == "ended", seen
        ended = studio.wait_state("ended", "failed", timeout=30)
        assert ended["state"] == "ended", ended
        stream = next(s for s in studio.streams() if s["id"] == ended["stream_id"])
        assert stream["status"] in {"Stopped", "Recording", "Completed"}
        assert studio.stream_service() == PREVIOUS_SERVICE

        # The dock's Go live button starts a new go-live, then End again.
        page.press("go_live")
        seen = page.follow(until="live")
        assert seen[-1] == "live", f"{seen}\n{studio.script_log()}"
        again = studio.wait_state("live", timeout=10)
        assert again["stream_id"] != ended["stream_id"]
        page.press("end")
        assert page.follow(until="ended", timeout=60)[-1] == "ended"
        assert studio.wait_state("ended", "failed", timeout=30)["state"] == "ended"
        log = studio.script_log()

    assert "Traceback" not in log, log
    token = parts.path.strip("/")
    assert token not in log  # the token is a secret: the script log masks it
    assert idle_png.stat().st_size > 3000 and live_png.stat().st_size > 3000
    if os.environ.get("UPDATE_DOCS") == "1":
        for png in (idle_png, live_png):
            shutil.copyfile(png, REPO / "docs" / png.name)
            print(f"\nsaved docs/{png.name}")
    json.dumps(session)  # the published session stays plain JSON with the dock URL in it
