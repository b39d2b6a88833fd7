"""The provider commands run as a user runs them: a subprocess against the sandbox's APIs over HTTP.

No OBS and no ingest (nginx) are needed: the sandbox runs its APIs alone.
"""

from __future__ import annotations

import re
import socket
import time

import pytest

from .conftest import BOOT_DELAY, CREDENTIALS

COMMANDS = ["providers", "create", "get", "start", "stop", "delete", "list", "wait",
            "go-live", "end", "status", "trigger", "sandbox"]


def _ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def _fails(result, code: int, *needles: str):
    assert result.returncode == code, (
        f"expected exit {code}, got {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}")
    for needle in needles:
        assert needle.lower() in result.stderr.lower(), f"{needle!r} not in stderr: {result.stderr}"
    return result


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- help --------------------------------------------------------------------------------

def test_main_help_lists_every_command(cli):
    result = _ok(cli("--help"))
    for command in COMMANDS:
        assert command in result.stdout
    assert "Exit codes" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_renders(cli, command):
    result = _ok(cli(command, "--help"))
    assert result.stdout.startswith("usage: obs_livestream.py " + command)
    assert result.stderr == ""


def test_verbose_works_before_and_after_the_command(cli):
    for args in (["-vv", "list", "-p", "fastpix"], ["list", "-p", "fastpix", "-vv"]):
        result = _ok(cli(*args))
        assert "DEBUG" in result.stderr, args
    assert "DEBUG" not in _ok(cli("list", "-p", "fastpix")).stderr


def test_no_command_prints_help_and_exits_2(cli):
    result = cli()
    assert result.returncode == 2
    assert "usage:" in result.stdout


# --- providers ---------------------------------------------------------------------------

def test_providers_text_and_json(cli):
    result = _ok(cli("providers"))
    assert "tpstreams" in result.stdout and "fastpix" in result.stdout
    assert re.search(r"^fastpix +FastPix +no ", result.stdout, re.M)  # a False cell says "no"
    rows = cli.json("providers")
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"tpstreams", "fastpix", "mux", "cloudflare", "apivideo"}
    assert by_name["apivideo"]["scheduling"] is False
    assert by_name["tpstreams"]["scheduling"] is True
    assert by_name["fastpix"]["scheduling"] is False
    assert by_name["cloudflare"]["display_name"] == "Cloudflare Stream" and by_name["cloudflare"]["scheduling"] is False


# --- TP Streams: create now, wait, get, list, stop, delete -------------------------------

def test_tpstreams_create_wait_get_list_stop_delete(cli, cli_sandbox):
    created = cli.json("create", "-p", "tpstreams", "--title", "CLI class", "--latency", "low")
    stream_id = created["id"]
    assert created["provider"] == "tpstreams" and created["title"] == "CLI class"
    assert created["ingest_ready"] is False  # the server is still booting
    assert created["playback_url"].startswith(cli_sandbox.api_url)

    started = time.monotonic()
    waited = _ok(cli("wait", "-p", "tpstreams", stream_id, "--timeout", "30"))
    assert "Waiting for the TP Streams server" in waited.stderr  # the progress line
    assert time.monotonic() - started >= BOOT_DELAY * 0.5
    assert f"server: {cli_sandbox.rtmp_url}" in waited.stdout
    assert "stream_key: " in waited.stdout

    got = cli.json("get", "-p", "tpstreams", stream_id)
    assert got["id"] == stream_id and got["ingest_ready"] is True
    assert got["ingest"]["server"] == cli_sandbox.rtmp_url

    listed = _ok(cli("list", "-p", "tpstreams"))
    assert stream_id in listed.stdout and "CLI class" in listed.stdout
    assert stream_id in {row["id"] for row in cli.json("list", "-p", "tpstreams")}

    stopped = _ok(cli("stop", "-p", "tpstreams", stream_id))
    assert "ended: True" in stopped.stdout
    assert cli_sandbox.admin.stream(stream_id)["status"] in {"Stopped", "Recording", "Completed"}

    deleted = cli.json("delete", "-p", "tpstreams", stream_id)
    assert deleted == {"id": stream_id, "deleted": True}
    _fails(cli("get", "-p", "tpstreams", stream_id), 3, "no such live stream")


def test_tpstreams_scheduled_create_start_wait_stop(cli, cli_sandbox):
    created = cli.json("create", "-p", "tpstreams", "-t", "Scheduled class", "--start", "2030-01-02 15:30:00")
    stream_id = created["id"]
    assert created["scheduled_start"].startswith("2030-01-02")
    assert created["ingest_ready"] is False
    assert cli_sandbox.admin.stream(stream_id)["scheduled"] is True

    started = cli.json("start", "-p", "tpstreams", stream_id)
    assert started["id"] == stream_id
    waited = _ok(cli("wait", "-p", "tpstreams", stream_id, "--json", "--timeout", "30"))
    assert "Waiting for the TP Streams server" in waited.stderr
    assert '"ingest_ready": true' in waited.stdout

    _ok(cli("stop", "-p", "tpstreams", stream_id))
    # A stopped stream never gets an ingest again: 'wait' says so instead of waiting.
    ended = cli("wait", "-p", "tpstreams", stream_id, "--timeout", "10")
    assert ended.returncode in (0, 2), ended  # 0 if the key is still shown, 2 "has ended"


def test_wait_times_out_with_exit_7(cli):
    stream_id = cli.json("create", "-p", "tpstreams", "-t", "Never")["id"]
    result = cli("wait", "-p", "tpstreams", stream_id, "--timeout", "0.3")
    _fails(result, 7, "not ready after")


def test_tpstreams_login_with_username_and_password(cli):
    result = _ok(cli("list", "-p", "tpstreams", unset=["TPSTREAMS_API_TOKEN"],
                     env={"TPSTREAMS_USERNAME": CREDENTIALS["tpstreams_username"],
                          "TPSTREAMS_PASSWORD": CREDENTIALS["tpstreams_password"]}))
    assert "ID" in result.stdout or "(none)" in result.stdout


# --- FastPix -----------------------------------------------------------------------------

def test_fastpix_create_with_options_get_list_stop_delete(cli, cli_sandbox):
    created = cli.json("create", "-p", "fastpix", "-t", "FP class", "--max-resolution", "720p",
                       "--reconnect-window", "120", "--dvr", "--no-recording", "--access-policy", "public")
    stream_id = created["id"]
    assert created["ingest_ready"] is True  # FastPix streams have their key at once
    assert created["ingest"]["server"] == cli_sandbox.rtmp_url
    assert cli_sandbox.admin.stream(stream_id)["reconnect_window"] == 120

    assert cli.json("get", "-p", "fastpix", stream_id)["id"] == stream_id
    assert stream_id in {row["id"] for row in cli.json("list", "-p", "fastpix")}
    waited = _ok(cli("wait", "-p", "fastpix", stream_id))  # ready at once: no progress line needed
    assert "stream_key: " in waited.stdout
    _ok(cli("stop", "-p", "fastpix", stream_id))
    _ok(cli("delete", "-p", "fastpix", stream_id))
    _fails(cli("get", "-p", "fastpix", stream_id), 3, "no such live stream")


# --- exit code 2: usage and configuration ------------------------------------------------

def test_no_provider_is_exit_2(cli):
    _fails(cli("list"), 2, "No provider chosen", "--provider")


def test_provider_from_environment(cli):
    _ok(cli("list", env={"OBS_LIVESTREAM_PROVIDER": "fastpix"}))


def test_unknown_provider_is_exit_2(cli):
    _fails(cli("list", "-p", "youtube"), 2, "Unknown provider")


def test_bad_start_format_is_exit_2(cli):
    _fails(cli("create", "-p", "tpstreams", "-t", "x", "--start", "tomorrow 3pm"), 2, "YYYY-MM-DD HH:MM:SS")


def test_fastpix_option_with_tpstreams_is_exit_2(cli, cli_sandbox):
    before = len(cli_sandbox.admin.streams())
    _fails(cli("create", "-p", "tpstreams", "-t", "x", "--dvr"), 2, "--dvr is a FastPix option")
    _fails(cli("create", "-p", "fastpix", "-t", "x", "--latency", "low"), 2, "TP Streams option")
    _fails(cli("create", "-p", "fastpix", "-t", "x", "--start", "2030-01-01 10:00:00"), 2, "cannot schedule")
    _fails(cli("start", "-p", "fastpix", "abc"), 2, "no scheduled streams")
    assert len(cli_sandbox.admin.streams()) == before  # nothing was created


@pytest.mark.parametrize("provider,unset,needle", [
    ("tpstreams", ["TPSTREAMS_API_TOKEN"], "TPSTREAMS_API_TOKEN"),
    ("tpstreams", ["TPSTREAMS_ORG_ID"], "TPSTREAMS_ORG_ID"),
    ("fastpix", ["FASTPIX_SECRET_KEY"], "FASTPIX_SECRET_KEY"),
])
def test_missing_credentials_is_exit_2(cli, provider, unset, needle):
    _fails(cli("list", "-p", provider, unset=unset), 2, needle)


def test_out_of_range_fastpix_option_is_exit_2_before_any_request(cli, cli_sandbox):
    before = len(cli_sandbox.admin.streams())
    _fails(cli("create", "-p", "fastpix", "-t", "x", "--reconnect-window", "5000"), 2,
           "--reconnect-window: the reconnect window must be 60 to 1800 seconds")
    # FastPix's API refuses 0-59 too (the client used to send them).
    _fails(cli("create", "-p", "fastpix", "-t", "x", "--reconnect-window", "30"), 2, "60 to 1800 seconds")
    assert len(cli_sandbox.admin.streams()) == before


# --- exit code 3: the provider refused ---------------------------------------------------

@pytest.mark.parametrize("provider,env", [
    ("tpstreams", {"TPSTREAMS_API_TOKEN": "not-the-right-token"}),
    ("fastpix", {"FASTPIX_SECRET_KEY": "not-the-right-key"}),
])
def test_wrong_credentials_is_exit_3(cli, provider, env):
    _fails(cli("list", "-p", provider, env=env), 3, "401")


@pytest.mark.parametrize("provider", ["tpstreams", "fastpix"])
def test_unknown_id_is_exit_3(cli, provider):
    _fails(cli("get", "-p", provider, "no-such-stream"), 3, "404")
    _fails(cli("stop", "-p", provider, "no-such-stream"), 3)


@pytest.mark.parametrize("provider", ["tpstreams", "fastpix"])
def test_provider_validation_error_is_exit_3(cli, cli_sandbox, provider):
    cli_sandbox.admin.add_fault(f"{provider}:status=422,count=1")
    _fails(cli("create", "-p", provider, "-t", "Refused"), 3)


# --- exit code 4: network or provider unavailable ----------------------------------------

@pytest.mark.parametrize("provider", ["tpstreams", "fastpix"])
def test_connection_refused_is_exit_4(cli, provider):
    result = cli("list", "-p", provider, "--api-base-url", f"http://127.0.0.1:{closed_port()}")
    _fails(result, 4, "Could not connect")


def test_server_error_is_exit_4(cli, cli_sandbox):
    cli_sandbox.admin.add_fault("fastpix:status=503")
    _fails(cli("list", "-p", "fastpix"), 4)
