"""No secret ever reaches the terminal: API tokens, the TP Streams password, the FastPix
secret key, the stream keys the provider issues and the obs-websocket password stay out
of stdout and stderr, on success and on every error path, also with ``-vv`` (debug
logging); ``--show-secrets`` is the one way to see a stream key.
"""

from __future__ import annotations

import json
import socket
import subprocess
from typing import Iterable

import pytest

from .conftest import CREDENTIALS, SECRETS, CliRunner

LOGIN = {"TPSTREAMS_USERNAME": CREDENTIALS["tpstreams_username"],
         "TPSTREAMS_PASSWORD": CREDENTIALS["tpstreams_password"]}
OBS_PASSWORD = "obs-ws-password-Lk5nP8sD2f"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def known_secrets(sandbox, state_dir=None) -> set[str]:
    """Every secret value in play: credentials, every stream key issued so far, cached tokens."""
    values = set(SECRETS.values()) | {OBS_PASSWORD}
    for stream in sandbox.admin.streams(reveal=True):
        for name in ("stream_key", "srt_passphrase"):
            if stream.get(name):
                values.add(stream[name])
    if state_dir is not None and (state_dir / "tokens.json").exists():
        values |= set(json.loads((state_dir / "tokens.json").read_text())["tokens"].values())
    return {v for v in values if v and len(v) >= 8}


def assert_clean(results: Iterable[subprocess.CompletedProcess], secrets: set[str]) -> None:
    for result in results:
        for stream_name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            for secret in secrets:
                assert secret not in text, (
                    f"a secret ({secret[:3]}...) in the {stream_name} of {result.args[2:]}:\n{text}")


@pytest.fixture
def streams(cli: CliRunner, cli_sandbox) -> dict[str, str]:
    """A booted TP Streams stream, a scheduled one and a FastPix stream (their keys exist)."""
    tp = cli.json("create", "-p", "tpstreams", "-t", "Secret TP")["id"]
    scheduled = cli.json("create", "-p", "tpstreams", "-t", "Secret later", "--start", "2031-05-05 10:00:00")["id"]
    fp = cli.json("create", "-p", "fastpix", "-t", "Secret FP")["id"]
    assert cli("wait", "-p", "tpstreams", tp, "--timeout", "30").returncode == 0
    return {"tpstreams": tp, "scheduled": scheduled, "fastpix": fp}


def every_command(provider: str, stream_id: str, verbose: bool, **extra: str) -> list[list[str]]:
    v = ["-vv"] if verbose else []
    commands = [
        [*v, "create", "-p", provider, "-t", "Secrets check"],
        [*v, "get", "-p", provider, stream_id],
        [*v, "get", "-p", provider, stream_id, "--json"],
        [*v, "list", "-p", provider],
        [*v, "list", "-p", provider, "--json"],
        [*v, "wait", "-p", provider, stream_id, "--timeout", "2"],
        [*v, "stop", "-p", provider, stream_id],
        [*v, "delete", "-p", provider, stream_id],
    ]
    if provider == "tpstreams":
        commands.insert(1, [*v, "start", "-p", provider, stream_id])
    return commands


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "debug"])
def test_success_paths_print_no_secret(cli, cli_sandbox, streams, tmp_path, verbose):
    results = []
    for provider in ("tpstreams", "fastpix"):
        for args in every_command(provider, streams[provider], verbose)[1:-2]:  # not stop/delete yet
            results.append(cli(*args))
    results.append(cli(*(["-vv"] if verbose else []), "start", "-p", "tpstreams", streams["scheduled"]))
    results.append(cli(*(["-vv"] if verbose else []), "wait", "-p", "tpstreams", streams["scheduled"],
                       "--timeout", "30"))
    # TP Streams with a username and password login instead of the token.
    results.append(cli(*(["-vv"] if verbose else []), "list", "-p", "tpstreams", "--json",
                       unset=["TPSTREAMS_API_TOKEN"], env=LOGIN))
    results.append(cli(*(["-vv"] if verbose else []), "get", "-p", "tpstreams", streams["tpstreams"],
                       unset=["TPSTREAMS_API_TOKEN"], env=LOGIN))
    for provider in ("tpstreams", "fastpix"):
        results.append(cli(*(["-vv"] if verbose else []), "stop", "-p", provider, streams[provider]))
        results.append(cli(*(["-vv"] if verbose else []), "delete", "-p", provider, streams[provider]))
    for result in results:
        assert result.returncode == 0, (result.args, result.stdout, result.stderr)
    if verbose:
        assert any("DEBUG" in r.stderr for r in results)  # debug logging really was on
    assert_clean(results, known_secrets(cli_sandbox, tmp_path / "state"))


FAST_FAULTS = ["status=401", "status=404", "status=422", "malformed"]
SLOW_FAULTS = ["rate_limit=0.2", "status=500"]  # retried: fewer commands


@pytest.mark.parametrize("fault", FAST_FAULTS + SLOW_FAULTS)
def test_error_paths_print_no_secret(cli, cli_sandbox, streams, tmp_path, fault):
    results = []
    for provider in ("tpstreams", "fastpix"):
        commands = every_command(provider, streams[provider], verbose=True)
        if fault in SLOW_FAULTS:
            commands = [c for c in commands if c[1] in ("create", "get", "stop")][:3]
        cli_sandbox.admin.add_fault(f"{provider}:{fault}")
        try:
            for args in commands:
                results.append(cli(*args))
            if provider == "tpstreams" and fault == "status=401":
                results.append(cli("-vv", "list", "-p", provider, unset=["TPSTREAMS_API_TOKEN"], env=LOGIN))
        finally:
            cli_sandbox.admin.clear_faults()
    # A garbled body on a call whose answer is not needed (delete) is no error.
    allowed = (0, 3, 4, 7) if fault == "malformed" else (3, 4, 7)
    for result in results:
        assert result.returncode in allowed, (result.args, result.returncode, result.stdout, result.stderr)
        assert result.returncode == 0 or "error:" in result.stderr
        assert "Traceback" not in result.stderr
    assert_clean(results, known_secrets(cli_sandbox, tmp_path / "state"))


def test_wrong_credentials_are_not_echoed(cli, cli_sandbox):
    wrong = {"TPSTREAMS_API_TOKEN": "wrong-tp-token-Vb7nM1", "FASTPIX_SECRET_KEY": "wrong-fp-secret-Xc4zA9"}
    results = [cli("-vv", "list", "-p", "tpstreams", env=wrong), cli("-vv", "create", "-p", "fastpix", "-t", "x",
                                                                      env=wrong)]
    results.append(cli("-vv", "list", "-p", "tpstreams", unset=["TPSTREAMS_API_TOKEN"],
                       env=dict(LOGIN, TPSTREAMS_PASSWORD="wrong-tp-password-Rt6y")))
    for result in results:
        assert result.returncode == 3, (result.args, result.stdout, result.stderr)
    assert_clean(results, known_secrets(cli_sandbox) | set(wrong.values()) | {"wrong-tp-password-Rt6y"})


def test_connection_refused_prints_no_secret(cli, cli_sandbox, streams):
    url = f"http://127.0.0.1:{closed_port()}"
    results = []
    for provider in ("tpstreams", "fastpix"):
        results.append(cli("-vv", "get", "-p", provider, streams[provider], "--api-base-url", url))
        results.append(cli("-vv", "create", "-p", provider, "-t", "x", "--api-base-url", url))
    results.append(cli("-vv", "list", "-p", "tpstreams", "--api-base-url", url, unset=["TPSTREAMS_API_TOKEN"],
                       env=LOGIN))
    for result in results:
        assert result.returncode == 4, (result.args, result.stdout, result.stderr)
    assert_clean(results, known_secrets(cli_sandbox))


def test_obs_websocket_password_is_never_printed(cli, cli_sandbox):
    url = f"ws://127.0.0.1:{closed_port()}"
    env = {"OBS_WEBSOCKET_URL": url, "OBS_WEBSOCKET_PASSWORD": OBS_PASSWORD}
    results = [cli("-vv", "status", env=env), cli("-vv", "end", env=env),
               cli("-vv", "trigger", "go-live", env=env),
               cli("-vv", "go-live", "-p", "fastpix", "-t", "x", env=env),
               cli("-vv", "status", "--obs-url", url, "--obs-password", OBS_PASSWORD)]
    for result in results:
        assert result.returncode == 5, (result.args, result.stdout, result.stderr)
    assert_clean(results, known_secrets(cli_sandbox))


def test_show_secrets_reveals_the_stream_key(cli, cli_sandbox):
    created = cli("create", "-p", "fastpix", "-t", "Reveal", "--show-secrets", "--json")
    assert created.returncode == 0, created.stderr
    data = json.loads(created.stdout)
    key = cli_sandbox.admin.stream(data["id"], reveal=True)["stream_key"]
    assert data["ingest"]["stream_key"] == key
    # Without the flag the same stream shows only a hint of it.
    plain = cli("get", "-p", "fastpix", data["id"])
    assert key not in plain.stdout and "stream_key: " in plain.stdout
    assert key in cli("get", "-p", "fastpix", data["id"], "--show-secrets").stdout

    tp = cli.json("create", "-p", "tpstreams", "-t", "Reveal TP")["id"]
    waited = cli("wait", "-p", "tpstreams", tp, "--show-secrets", "--timeout", "30")
    tp_key = cli_sandbox.admin.stream(tp, reveal=True)["stream_key"]
    assert f"stream_key: {tp_key}" in waited.stdout
    assert tp_key not in waited.stderr  # the progress line does not reveal it


def test_srt_passphrase_is_masked_and_revealed_on_request(cli, cli_sandbox):
    created = cli("create", "-p", "fastpix", "-t", "SRT", "--protocol", "srt", "--show-secrets", "--json")
    assert created.returncode == 0, created.stderr
    data = json.loads(created.stdout)
    assert "passphrase=" in data["ingest"]["server"]
    passphrase = data["ingest"]["server"].rsplit("passphrase=", 1)[1]
    masked = cli("create", "-p", "fastpix", "-t", "SRT", "--protocol", "srt", "--json")
    assert masked.returncode == 0, masked.stderr
    assert passphrase not in masked.stdout
    assert_clean([masked], known_secrets(cli_sandbox) | {passphrase})


def test_srt_stream_id_is_not_masked(cli):
    created = cli.json("create", "-p", "fastpix", "-t", "SRT id", "--protocol", "srt")
    assert created["id"] != "***"
