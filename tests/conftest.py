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
