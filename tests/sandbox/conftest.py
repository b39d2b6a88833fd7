"""Fixtures: an API-only sandbox per test (fast, isolated) and a webhook receiver."""

from __future__ import annotations

import pytest

from livestream_sandbox import Sandbox
from tests.webhook_receiver import Receiver

from .support import FP, TP


@pytest.fixture
def api_sandbox(tmp_path):
    """A sandbox without ingest (no nginx needed), short timers, its own data dir."""
    sandbox = Sandbox(tmp_path / "data", boot_delay=0.3, ingest=False, prepare_delay=0.2,
                      recording_delay=0.2, complete_delay=0.2, environ={})
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def tp(api_sandbox):
    return TP(api_sandbox)


@pytest.fixture
def fp(api_sandbox):
    return FP(api_sandbox)


@pytest.fixture
def receiver():
    hooks = Receiver()
    yield hooks
    hooks.close()
