"""Driving the real ``obs_livestream.py`` inside the fake OBS: the script, the fake provider.

``Script`` loads the script file into a ``FakeObsStudio`` with ``ScriptHost`` (as OBS
does) and ticks its timer until what the user would see has happened; the go-live
worker is a real thread, so there are no fixed sleeps, only deadlines.
``ProviderBackend`` is the fake provider's side of the wire: it outlives script
reloads, which import a new ``FakeProvider`` class each time.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from fake_obspython import FakeObsStudio, ScriptHost

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "obs_livestream.py"

ORIGINAL_SERVICE = {
    "type": "rtmp_common",
    "settings": {"service": "Twitch", "server": "auto", "key": "live_user_own_key_0042"},
}
PROVIDER_ENV = (
    "TPSTREAMS_ORG_ID", "TPSTREAMS_API_TOKEN", "TPSTREAMS_USERNAME", "TPSTREAMS_PASSWORD",
    "TPSTREAMS_API_BASE_URL", "FASTPIX_ACCESS_TOKEN_ID", "FASTPIX_SECRET_KEY", "FASTPIX_API_BASE_URL",
    "FAKE_API_BASE_URL",
)


class ProviderBackend:
    """The fake provider's side: its streams and a log of calls. It outlives script
    reloads (each reload imports a new ``FakeProvider`` class), like a real provider."""

    def __init__(self) -> None:
        self.streams: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, Optional[str]]] = []
        self.fail: dict[str, Any] = {}
        self.ids = (f"s{n}" for n in itertools.count(1))
        self.threads: list[tuple[str, str]] = []  # (operation, thread name)
        self.key_after_polls = 0
        self.stream_key = "fake-stream-key-0001"

    def on_call(self, op: str) -> None:
        self.threads.append((op, threading.current_thread().name))

    def count(self, op: str) -> int:
        return sum(1 for name, _ in self.calls if name == op)


def register_fake_provider(backend: ProviderBackend) -> None:
    """Register ``session.fakes.FakeProvider`` as "fake" in the freshly imported registry.

    The subclass only adapts the constructor to the provider contract
    (``cls(credentials, base_url=...)``, which ``PanelConfig.build_provider`` uses) and
    points every instance at the shared backend.
    """
    from livestream import providers

    # The script's reload drops every ``livestream.*`` module and imports them again; the
    # fakes live beside the package (``livestream_fakes``), so a copy imported earlier (by
    # another test module) would still build the old ``livestream.models`` objects, whose
    # statuses are not the reloaded script's. Import them afresh against the script's.
    sys.modules.pop("livestream_fakes", None)
    from livestream_fakes import FakeProvider

    class ScriptFakeProvider(FakeProvider):
        def __init__(self, credentials: Any = None, *, base_url: Optional[str] = None, **_: Any) -> None:
            super().__init__(key_after_polls=backend.key_after_polls, stream_key=backend.stream_key)
            self.streams = backend.streams
            self.calls = backend.calls
            self.fail = backend.fail
            self._ids = backend.ids
            self.on_call = backend.on_call

    providers.register(ScriptFakeProvider)


class Script:
    """The real ``obs_livestream.py`` loaded into the fake OBS, with helpers to drive it."""

    DEFAULTS = {"provider": "fake", "use_env": True, "title": "Data science live class"}

    def __init__(self, studio: FakeObsStudio, backend: ProviderBackend) -> None:
        self.studio = studio
        self.backend = backend
        self.host = ScriptHost(studio, SCRIPT)
        self.host.after_import.append(lambda: register_fake_provider(backend))

    # --- set-up -------------------------------------------------------------

    def configure(self, **values: Any) -> None:
        """Settings as saved in the scene collection (typed like OBS's data items)."""
        for name, value in values.items():
            typ = "bool" if isinstance(value, bool) else "number" if isinstance(value, int) else "string"
            self.host.settings.put(name, typ, value)

    def load(self, **values: Any) -> Script:
        self.configure(**{**self.DEFAULTS, **values})
        self.host.load()
        return self

    # --- looking ------------------------------------------------------------

    @property
    def status(self) -> str:
        """The status line the panel shows at its next refresh."""
        app = self.app
        return app.status()[0] if app is not None else str(self.host.settings.get("status", ""))

    @property
    def app(self) -> Any:
        return sys.modules["livestream.obs.entry"].app

    @property
    def state(self) -> str:
        return self.app.controller.state.value

    def panel(self):
        return self.host.panel()

    # --- time -------------------------------------------------------------

    def tick_until(self, condition: Callable[[], Any], timeout: float = 5.0, what: str = "") -> None:
        """Tick the timer until ``condition()`` holds (the worker is a real thread)."""
        deadline = time.monotonic() + timeout
        while True:
            self.studio.tick()
            if condition():
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what or condition}; status={self.status!r}, "
                    f"state={self.state!r}\nscript log:\n{self.studio.log_text()}"
                )
            time.sleep(0.002)

    def ticks(self, count: int) -> None:
        for _ in range(count):
            self.studio.tick()
            time.sleep(0.001)

    # --- flows ------------------------------------------------------------

    def wait_for_start_request(self) -> None:
        self.tick_until(lambda: "start" in self.studio.pending, what="a start request to OBS")

    def wait_until_live(self) -> None:
        self.tick_until(lambda: self.status.startswith("Live"), what="the status to say Live")

    def go_live(self) -> None:
        """Go live with the panel's button and let OBS connect."""
        self.panel().click("go_live")
        self.wait_for_start_request()
        self.studio.start_and_connect()
        self.wait_until_live()
