"""Fixtures shared by the HTTP-level tests (``tests/test_http.py``, ``tests/providers``), the
summary tables plugin, and the order and grouping of tests across pytest-xdist workers."""

from __future__ import annotations

import pytest

from tests.fakehttp import FakeTransport, block_real_network

pytest_plugins = ["tests.matrix_plugin"]


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


# e2e first, so the long tests start at once and the quick ones fill the workers' gaps.
def pytest_collection_modifyitems(config, items):
    """Run the end-to-end tests first, and keep the tests that share built release bundles
    on one pytest-xdist worker (the bundles are built once per process into one folder)."""
    import pytest

    for item in items:
        if "build_bundle" in getattr(getattr(item, "module", None), "__dict__", {}):
            item.add_marker(pytest.mark.xdist_group("release-bundles"))
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)
