"""Fixtures for the OBS glue: a fake OBS (``fake_obspython``), the real script file, a fake provider.

Each test gets a fresh ``FakeObsStudio`` installed as ``sys.modules["obspython"]`` and
imports ``obs_livestream.py`` by path, which purges and re-imports every ``livestream``
module. Afterwards the ``livestream`` modules that were loaded before the test are put
back, so other test folders keep the classes they imported.

Every test also checks, on the way out, what real OBS would punish: an obspython call
from a thread other than OBS's, a callback OBS would ignore, a crash (use after free,
registering outside a script call) and references never released.
"""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_obspython import FakeObsStudio
from script_harness import ORIGINAL_SERVICE, PROVIDER_ENV, SCRIPT, ProviderBackend, Script


def _ours(name: str) -> bool:
    # livestream_fakes too: its FakeProvider builds LiveStream/StreamStatus of the
    # livestream.models it first imported; kept across script loads, its statuses would
    # not be the re-imported script's ("is StreamStatus.NOT_STARTED" false).
    return name in ("livestream", "livestream_fakes") or name.startswith("livestream.")


@pytest.fixture
def studio(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A fresh fake OBS as ``obspython``; checks OBS's rules when the test is done."""
    saved_modules = {name: mod for name, mod in sys.modules.items() if _ours(name)}
    saved_script = sys.modules.get(SCRIPT.stem)
    saved_path = list(sys.path)
    root = logging.getLogger("livestream")
    saved_logger = (list(root.handlers), root.level, root.propagate)
    for name in [n for n in sys.modules if n.startswith("livestream.obs")]:
        del sys.modules[name]

    monkeypatch.setenv("OBS_LIVESTREAM_STATE_DIR", str(tmp_path / "state"))
    for var in PROVIDER_ENV:
        monkeypatch.delenv(var, raising=False)

    def no_network(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"a test of the OBS glue tried to connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", no_network)

    fake = FakeObsStudio(service=ORIGINAL_SERVICE)
    monkeypatch.setitem(sys.modules, "obspython", fake.module)
    try:
        yield fake
    finally:
        for name in [n for n in sys.modules if _ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved_modules)
        if saved_script is None:
            sys.modules.pop(SCRIPT.stem, None)
        else:
            sys.modules[SCRIPT.stem] = saved_script
        sys.path[:] = saved_path
        root.handlers[:], root.level, root.propagate = saved_logger

    assert fake.crashes == [], "real OBS would have crashed"
    assert fake.problems == [], "real OBS would have ignored these"
    off_main = [(c.name, c.thread.name) for c in fake.off_main_calls()]
    assert off_main == [], "obspython was called off OBS's thread"


@pytest.fixture
def backend() -> ProviderBackend:
    return ProviderBackend()


@pytest.fixture
def script(studio: FakeObsStudio, backend: ProviderBackend):
    """The script, not loaded yet: call ``script.load(**settings)``."""
    s = Script(studio, backend)
    try:
        yield s
    finally:
        s.host.unload()  # stops the worker thread
    leaks = [(obj.kind, obj.refs, obj.held) for obj in studio.leaks()]
    assert leaks == [], "references the script never released"
