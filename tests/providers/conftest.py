"""Every provider test leaves the secret registry as it found it."""

from __future__ import annotations

import pytest

from livestream import secrets


@pytest.fixture(autouse=True)
def _secrets_left_as_found():
    """Clients register every credential they see (even deliberately wrong ones) for
    redaction, process-wide; put the registry back so other test modules are unaffected."""
    before = secrets.registered()
    yield
    secrets.forget_all()
    secrets.register(*before)
