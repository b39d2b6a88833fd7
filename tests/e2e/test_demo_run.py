"""The demo as a newcomer runs it (headless): the summary tells the real time live, the
recording's file on this machine, and the screenshot shows OBS's whole window with the dock."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import livestream_demo as demo
from livestream_headless import SCREEN

pytestmark = pytest.mark.e2e


def _column_colours(png, x0: int, x1: int) -> int:
    """How many different colours the screenshot has between columns x0 and x1 (ffmpeg decodes it)."""
    raw = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(png), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=30, check=True).stdout
    assert len(raw) == SCREEN[0] * SCREEN[1] * 3
    colours = set()
    for y in range(0, SCREEN[1], 4):
        row = raw[y * SCREEN[0] * 3:(y + 1) * SCREEN[0] * 3]
        colours.update(row[x * 3:x * 3 + 3] for x in range(x0, x1, 3))
    return len(colours)


def test_the_demo_summary_counts_the_real_time_live_and_names_the_recording_file(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    lines: list[str] = []
    result = demo.run("tpstreams", seconds=3, out_dir=tmp_path, boot_delay=1, headless=True, echo=lines.append)
    summary = "\n".join(lines)

    assert result.final_state == "ended" and result.settings_restored, summary
    live_to_stop = result.steps["stop pressed"] - result.steps["live (script says so)"]
    assert result.streamed_seconds >= 3  # at least what was asked
    assert abs(result.streamed_seconds - live_to_stop) < 0.1, summary  # the time it really was live
    assert f"streamed         {result.streamed_seconds:.1f} s" in summary

    assert result.recording_files, summary
    for path in result.recording_files:
        assert path.is_file() and path.stat().st_size > 10_000 and path.is_relative_to(tmp_path)
        assert str(path) in summary  # the file stays when the sandbox's URLs are gone

    assert result.screenshot is not None and result.screenshot.is_file()
    if shutil.which("chromium"):  # the dock stands to the right of OBS's window
        assert _column_colours(result.screenshot, SCREEN[0] - demo.DOCK_WIDTH + 10, SCREEN[0]) > 20
    assert result.dock_url and result.dock_url not in summary  # its token stays out of the printout
