"""The status dock in a real browser: Debian's headless Chromium driven through its
chromedriver with Selenium, and a small page object for the dock.

    with headless_chromium(tmp_path) as browser:
        page = DockPage(browser, url)          # loads the page, waits for its first data
        seen = page.follow(until="live")      # every state the page showed, in order
        page.press("end")
        page.screenshot(path)                 # at a dock's narrow width

Chromium runs without sandbox, GPU, QUIC, first-run, background networking, component
updates or sync, with a fresh profile: nothing leaves the machine but the page's requests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--window-size=600,900")
DOCK_SIZE = (300, 620)  # about a dock's width in OBS's default layout


def _need(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed: install the Debian package {package} (bash scripts/setup does)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@contextlib.contextmanager
def headless_chromium(profile_dir: Path) -> Iterator[Any]:
    """A Selenium WebDriver on Debian's chromium (package chromium, chromium-driver)."""
    chromium = _need("chromium", "chromium")
    driver_path = _need("chromedriver", "chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile_dir.mkdir(parents=True, exist_ok=True)
    options.add_argument(f"--user-data-dir={profile_dir}")
    # An explicit chromedriver: Selenium then never tries to download one.
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class DockPage:
    """The dock page as a user sees it (reads the DOM, clicks the buttons)."""

    def __init__(self, driver: Any, url: str, *, timeout: float = 15.0) -> None:
        self.driver = driver
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": DOCK_SIZE[0], "height": DOCK_SIZE[1], "deviceScaleFactor": 1, "mobile": False})
        driver.get(url)
        self.wait_for(lambda: self.connected, timeout, "the page to connect to the script")

    # --- reading ------------------------------------------------------------------

    def _js(self, script: str) -> Any:
        return self.driver.execute_script(script)

    @property
    def state(self) -> str:
        return self._js("return document.body.dataset.state")

    @property
    def connected(self) -> bool:
        return self._js("return document.body.dataset.connected") == "yes"

    def text(self, element_id: str) -> str:
        return self._js(f"const e = document.getElementById({element_id!r}); return e.hidden ? '' : e.textContent")

    def link(self, element_id: str) -> Optional[str]:
        return self._js(f"const e = document.getElementById({element_id!r}); "
                        "return e.hidden ? null : e.getAttribute('href')")

    def enabled(self, button: str) -> bool:
        return not self._js(f"return document.getElementById({button!r}).disabled")

    def timeline(self) -> list[str]:
        return self._js("return Array.from(document.querySelectorAll('#history li')).map(li => li.dataset.state)")

    def source(self) -> str:
        return self._js("return document.documentElement.outerHTML")

    # --- acting -------------------------------------------------------------------

    def press(self, button: str, timeout: float = 10.0) -> None:
        """Click a dock button once it is enabled."""
        self.wait_for(lambda: self.enabled(button), timeout, f"the {button} button to be enabled")
        self.driver.find_element("id", button).click()

    def follow(self, until: str, timeout: float = 90.0, stop_on: tuple[str, ...] = ("failed",)) -> list[str]:
        """Watch the page (every 50 ms) until it shows ``until``; the distinct states it showed, in order."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state
            if not seen or seen[-1] != state:
                seen.append(state)
            if state == until or (state in stop_on and until not in stop_on):
                return seen
            time.sleep(0.05)
        raise AssertionError(f"the dock did not show {until!r} within {timeout:g} s; it showed {seen}")

    def wait_for(self, condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what} after {timeout:g} s (page state {self.state})")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path
