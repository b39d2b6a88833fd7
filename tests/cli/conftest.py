"""Fixtures for the command-line tests: the CLI run as a user runs it, against a sandbox.

* ``cli_sandbox``: one in-process sandbox per module, API only (no nginx, no ffmpeg),
  short timers (a TP Streams server boots in ``BOOT_DELAY`` s), and credentials with
  recognisable values (``SECRETS``) so the secrets tests can look for them in output.
  Faults added by a test are cleared after it.
* ``cli``: a ``CliRunner``: ``cli("list", "-p", "tpstreams")`` runs
  ``python obs_livestream.py list -p tpstreams`` from the repository root with an
  environment scrubbed of every provider's declared variables, the sandbox's variables and a private
  ``OBS_LIVESTREAM_STATE_DIR``, and returns the ``CompletedProcess`` (text).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Optional

import pytest

from livestream_sandbox import Sandbox
from tests.secrets_kit import scrubbed_env

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "obs_livestream.py"
# Long enough that a CLI started right after a create (0.5-2 s on a loaded 2-core machine)
# still sees the TP Streams server booting.
BOOT_DELAY = 4.0

# Recognisable credentials: none of them may ever show up in the CLI's output.
SECRETS = {
    "tpstreams_api_token": "tp-api-token-Zq8wK3vN5xY2",
    "tpstreams_password": "tp-password-Hj4mR7tL9pQ1",
    "fastpix_secret_key": "fp-secret-key-Bn6cV2xZ8kW4",
}
CREDENTIALS = dict(SECRETS, tpstreams_org_id="cliorg", tpstreams_username="cli@sandbox.local",
                   fastpix_access_token_id="fp-token-id-cli")

def base_env(state_dir: Path, extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    # Every provider's declared variables go, not just a hard-coded few: a sixth provider's
    # variables in the developer's shell cannot change what the CLI does.
    env = scrubbed_env(os.environ)
    env["OBS_LIVESTREAM_STATE_DIR"] = str(state_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class CliRunner:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, env: Optional[Mapping[str, str]] = None, unset: Iterable[str] = (),
                 timeout: float = 60.0) -> subprocess.CompletedProcess:
        run_env = dict(self.env)
        for name in unset:
            run_env.pop(name, None)
        run_env.update(env or {})
        return subprocess.run([sys.executable, str(ENTRY), *args], cwd=REPO, env=run_env,
                              capture_output=True, text=True, timeout=timeout)

    def json(self, *args: str, **kwargs) -> object:
        result = self(*args, "--json", **kwargs)
        assert result.returncode == 0, (result.stdout, result.stderr)
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def cli_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    sandbox = Sandbox(tmp_path_factory.mktemp("cli-sandbox"), boot_delay=BOOT_DELAY, ingest=False,
                      prepare_delay=0.2, recording_delay=0.2, complete_delay=0.2, environ={}, **CREDENTIALS)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def cli(cli_sandbox: Sandbox, tmp_path: Path) -> Iterator[CliRunner]:
    runner = CliRunner(base_env(tmp_path / "state", cli_sandbox.env()))
    try:
        yield runner
    finally:
        cli_sandbox.admin.clear_faults()
