"""One API-only sandbox per module, and provider clients built from ``Sandbox.env()`` only."""

from __future__ import annotations

import pytest

from livestream import providers, secrets
from livestream_sandbox import Sandbox


@pytest.fixture(autouse=True)
def _secrets_left_as_found():
    """The clients register every credential they see (even deliberately wrong ones) for
    redaction, process-wide; put the registry back so other test modules are unaffected."""
    before = secrets.registered()
    yield
    secrets.forget_all()
    secrets.register(*before)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    box = Sandbox(tmp_path_factory.mktemp("contract"), boot_delay=0.4, ingest=False, prepare_delay=0.2,
                  recording_delay=0.1, complete_delay=0.1, environ={})
    box.start()
    yield box
    box.stop()


@pytest.fixture
def admin(sandbox):
    """The control API, with no fault left over from the test before or after."""
    sandbox.admin.clear_faults()
    yield sandbox.admin
    sandbox.admin.clear_faults()


class Sleeps(list):
    """A sleeper that records the waits the client asked for instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def client_for(sandbox, sleeps):
    """``client_for("tpstreams", **overrides)``: the registered client, configured from the sandbox's env."""
    made = []

    def build(name: str, env: dict | None = None, **kwargs):
        environ = dict(env if env is not None else sandbox.env())
        cls = providers.get(name)
        client = cls(cls.credentials_from_env(environ), environ=environ, sleep=sleeps, **kwargs)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()
