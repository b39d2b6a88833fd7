"""The script's panel in a real OBS's Scripts window (29, 30.2 and 32), as a screenshot.

``UPDATE_DOCS=1`` also saves it as docs/panel.png (see docs/README.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from livestream_headless import SCREEN
from tests.e2e.studio import REPO, Studio

pytestmark = pytest.mark.e2e


def _pixels(png) -> bytes:
    """The PNG's RGB pixels, decoded by ffmpeg (no imaging library needed)."""
    result = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(png),
                             "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


def test_scripts_window_shows_the_panel(tmp_path, need_tools, obs_under_test):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path, provider="tpstreams", boot_delay=1, **obs_under_test.obs_kwargs()) as studio:
        studio.wait_state("idle", timeout=20)  # the script has loaded and run its first tick
        studio.obs.close_dialogs()
        window = studio.obs.open_scripts_window(select_first=True, fill_screen=True)
        assert window.title == "Scripts"
        assert (window.x, window.y, window.width) == (0, 0, SCREEN[0])  # the whole panel is in the picture
        time.sleep(1.5)  # let Qt lay out the properties
        png = studio.obs.screenshot(tmp_path / "panel.png")
        log = studio.script_log()
        dock_token = studio.published()["dock_url"].rstrip("/").rsplit("/", 1)[1]
    # OBS saved the scene collection on exit: the panel's dock URL is not in it (it is
    # shown as a default value, which OBS does not save), so a shared collection leaks no token.
    collection = studio.obs.collection_path.read_text(encoding="utf-8")
    assert "obs_livestream.py" in collection and dock_token not in collection

    assert png.stat().st_size > 20_000, png.stat().st_size
    pixels = _pixels(png)
    assert len(pixels) == SCREEN[0] * SCREEN[1] * 3
    colours = {pixels[i:i + 3] for i in range(0, len(pixels), 3 * 7)}
    assert len(colours) > 50, f"the screenshot looks blank ({len(colours)} colours)"
    assert "needs requests" not in log and "Traceback" not in log, log

    if os.environ.get("UPDATE_DOCS") == "1":
        target = REPO / "docs" / "panel.png"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(png, target)
        print(f"\nsaved {target.relative_to(REPO)}")
