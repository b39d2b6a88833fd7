"""Fixtures shared by the HTTP-level tests (``tests/test_http.py``, ``tests/providers``)."""

from __future__ import annotations

import pytest

from tests.fakehttp import FakeTransport, block_real_network


@pytest.fixture
def fake(monkeypatch):
    """A scripted HTTP transport; any request a test did not expect fails it, and
    no request can reach the real network."""
    block_real_network(monkeypatch)
    transport = FakeTransport()
    yield transport
    transport.verify()


@pytest.fixture
def sleeps():
    """The waits a client asked for between retries (its injected ``sleep``)."""
    return []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the reliability matrix (tests/e2e/test_reliability_matrix.py) in the run's
    summary, where a person running the README's test command sees it without ``-s``."""
    import sys

    schedule_tests = next((m for n, m in list(sys.modules.items()) if n.endswith("test_script_schedule")), None)
    figures = getattr(schedule_tests, "FIGURES", None)
    if figures:
        terminalreporter.write_sep("=", "scheduled go-live timing (real OBS, sandbox provider)")
        for what, seconds in figures:
            terminalreporter.write_line(f"{what}: {seconds:+.2f} s")
    module = next((m for name, m in list(sys.modules.items()) if name.endswith("test_reliability_matrix")), None)
    table = getattr(module, "TABLE", None)
    if not table:
        return
    terminalreporter.write_sep("=", "reliability matrix (real OBS, sandbox provider)")
    for line in module.format_table(table):
        terminalreporter.write_line(line)
