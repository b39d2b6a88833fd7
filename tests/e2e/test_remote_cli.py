"""The remote commands (go-live, end, status, trigger) run as a user runs them: a
subprocess talking to a real headless OBS (29, 30.2 and 32) over obs-websocket and to the sandbox.

One studio (sandbox + OBS with the script loaded, idle) serves the whole module; the
``studio`` fixture hands it over with OBS not streaming and the user's previous stream
settings in place, and each test keeps the CLI's own record in its ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from livestream.session.ports import StreamService
from tests.e2e.studio import PREVIOUS_SERVICE, REPO, Studio, cli_command, cli_env
from tests.secrets_kit import scrubbed_env

# The CLI speaks obs-websocket: run at both ends of the range we support (5.1 in OBS 29, 5.7 in
# OBS 32); OBS 30.2's 5.5 lies between and changes nothing the CLI uses.
pytestmark = [pytest.mark.e2e, pytest.mark.obs_versions("29", "32")]

BOOT_DELAY = 2.0
LIVE = {"tpstreams": "Streaming", "fastpix": "active"}
ENDED = {"tpstreams": {"Stopped", "Recording", "Completed"}, "fastpix": {"idle"}}


@pytest.fixture(scope="module")
def module_studio(tmp_path_factory: pytest.TempPathFactory, obs_under_test) -> Iterator[Studio]:
    from tests.e2e.conftest import _need_tools

    _need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Studio.start(tmp_path_factory.mktemp("remote-cli"), provider="tpstreams", boot_delay=BOOT_DELAY,
                      **obs_under_test.obs_kwargs()) as studio:
        yield studio


@pytest.fixture
def studio(module_studio: Studio, need_tools) -> Iterator[Studio]:
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    yield module_studio
    # Leave OBS as the next test expects it: not streaming, the user's settings back.
    client = module_studio.client
    if client.is_streaming():
        client.stop_stream()
        wait_until(lambda: not client.is_streaming(), 30, "OBS stopped after the test")
    module_studio.sandbox.admin.clear_faults()
    module_studio.sandbox.admin.config(boot_delay=BOOT_DELAY)
    client.set_stream_service(StreamService(PREVIOUS_SERVICE["type"], PREVIOUS_SERVICE["settings"]))


def run(studio: Studio, tmp_path: Path, *args: str, timeout: float = 150.0, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(cli_command(*args), cwd=REPO, env=cli_env(studio, tmp_path / "cli-state", **env),
                            capture_output=True, text=True, timeout=timeout)
    return result


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def field(text: str, name: str) -> str:
    match = re.search(rf"^\s*{name}: (\S+)", text, re.M)
    assert match, f"no {name} in:\n{text}"
    return match.group(1)


def wait_until(predicate, timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {timeout} s")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- 1. go-live and end over obs-websocket --------------------------------------------------

@pytest.mark.parametrize("provider", ["tpstreams", "fastpix"])
def test_go_live_then_end(studio, tmp_path, provider):
    started = time.monotonic()
    result = ok(run(studio, tmp_path, "go-live", "--provider", provider, "--title", f"Remote {provider}"))
    went_live = time.monotonic() - started
    playback_url = field(result.stdout, "playback_url")
    stream_id = field(result.stdout, "stream_id")
    assert field(result.stdout, "state") == "live"
    if provider == "tpstreams":
        assert field(result.stdout, "chat_url").startswith(studio.sandbox.api_url)

    assert studio.client.stream_status()["outputActive"] is True
    assert studio.stream_service()["settings"]["server"].startswith("rtmp://127.0.0.1:")
    studio.wait_for_hls(playback_url, segments=2)
    assert studio.sandbox.admin.stream(stream_id)["status"] == LIVE[provider]

    status = json.loads(ok(run(studio, tmp_path, "status", "--json")).stdout)
    assert status["obs"]["streaming"] is True
    assert status["obs"]["version"].startswith(studio.obs.obs_version)  # the OBS under test
    remote = status["remote_session"]
    assert remote["provider"] == provider and remote["stream_id"] == stream_id
    assert remote["playback_url"] == playback_url and remote["provider_status"] == LIVE[provider]

    result = ok(run(studio, tmp_path, "end"))
    assert field(result.stdout, "state") == "ended"
    assert not studio.client.is_streaming()
    wait_until(lambda: studio.sandbox.admin.stream(stream_id)["status"] in ENDED[provider], 15,
               f"{provider} stream ended")
    assert studio.stream_service() == PREVIOUS_SERVICE

    again = ok(run(studio, tmp_path, "end"))
    assert "Nothing is live" in again.stdout
    print(f"{provider}: live after {went_live:.1f} s")


def test_the_cli_go_live_is_in_its_ledger_and_a_failed_end_stays_there_to_be_ended(studio, tmp_path):
    """The CLI's own go-live (no script driving it) records its stream in this machine's
    ledger; an end the provider refuses keeps the entry, and 'ledger end --all' ends it."""
    result = ok(run(studio, tmp_path, "go-live", "--provider", "tpstreams", "--title", "Remote ledger"))
    stream_id = field(result.stdout, "stream_id")
    assert stream_id in ok(run(studio, tmp_path, "ledger", "--json")).stdout  # recorded while live

    studio.sandbox.admin.add_fault("tpstreams:status=503")
    try:
        failed = run(studio, tmp_path, "end")
    finally:
        studio.sandbox.admin.clear_faults()
    assert not studio.client.is_streaming()
    assert studio.stream_service() == PREVIOUS_SERVICE  # settings restored whatever the provider said
    still = ok(run(studio, tmp_path, "ledger", "--json")).stdout
    assert stream_id in still, f"end exit {failed.returncode}: {failed.stdout}{failed.stderr}\nledger: {still}"

    ok(run(studio, tmp_path, "ledger", "end", "--all"))
    wait_until(lambda: studio.sandbox.admin.stream(stream_id)["status"] in ENDED["tpstreams"], 15,
               "the stream ended from the ledger")
    assert stream_id not in ok(run(studio, tmp_path, "ledger", "--json")).stdout


# --- 2. the script's hotkeys, followed from the command line ------------------------------

def test_trigger_go_live_status_and_end(studio, tmp_path):
    result = ok(run(studio, tmp_path, "trigger", "go-live", "--wait", "90"))
    assert field(result.stdout, "state") == "live"

    text = ok(run(studio, tmp_path, "status")).stdout
    assert "streaming: True" in text
    assert "script_session:" in text

    status = json.loads(ok(run(studio, tmp_path, "status", "--json")).stdout)
    assert status["obs"]["streaming"] is True
    session = status["script_session"]
    assert session["state"] == "live"
    assert session["provider"] in {"tpstreams", "TP Streams"}  # the script publishes the display name
    assert session["stream_id"] and session["playback_url"].startswith(studio.sandbox.api_url)
    assert status["remote_session"] is None
    studio.wait_for_hls(session["playback_url"], segments=1)

    result = ok(run(studio, tmp_path, "trigger", "end", "--wait", "60"))
    assert field(result.stdout, "state") in {"ended", "idle"}
    wait_until(lambda: not studio.client.is_streaming(), 15, "OBS stopped")
    assert studio.stream_service() == PREVIOUS_SERVICE
    wait_until(lambda: studio.sandbox.admin.stream(session["stream_id"])["status"] in ENDED["tpstreams"], 15,
               "TP stream ended")
    assert "Nothing is live" in ok(run(studio, tmp_path, "end")).stdout


def test_end_follows_a_go_live_the_script_started(studio, tmp_path):
    ok(run(studio, tmp_path, "trigger", "go-live", "--wait", "90"))
    result = ok(run(studio, tmp_path, "end"))  # no record of its own: ends the script's session
    assert field(result.stdout, "state") in {"ended", "idle"}
    wait_until(lambda: not studio.client.is_streaming(), 15, "OBS stopped")
    assert studio.stream_service() == PREVIOUS_SERVICE


# --- 3-5. connection problems and nothing to end --------------------------------------------

def test_wrong_password_is_exit_5_and_never_printed(studio, tmp_path):
    wrong = "wrong-obs-password-Qm3x"
    for args in (["status"], ["end"], ["go-live", "-p", "fastpix", "-t", "x"], ["-vv", "status"]):
        result = run(studio, tmp_path, *args, OBS_WEBSOCKET_PASSWORD=wrong, timeout=30)
        assert result.returncode == 5, (args, result.stdout, result.stderr)
        assert "password" in result.stderr.lower()
        for secret in (wrong, studio.obs.password):
            assert secret not in result.stdout + result.stderr
    assert studio.sandbox.admin.streams() == [] or all(
        s.get("title") != "x" for s in studio.sandbox.admin.streams())


def test_obs_not_running_is_exit_5_quickly(tmp_path):
    # No OBS needed: a closed local port.
    env = scrubbed_env(os.environ)
    env.update(OBS_WEBSOCKET_URL=f"ws://127.0.0.1:{closed_port()}", OBS_LIVESTREAM_STATE_DIR=str(tmp_path),
               FASTPIX_ACCESS_TOKEN_ID="id", FASTPIX_SECRET_KEY="key-never-used")
    for args in (["status"], ["end"], ["trigger", "go-live"], ["go-live", "-p", "fastpix", "-t", "x"]):
        started = time.monotonic()
        result = subprocess.run([sys.executable, "obs_livestream.py", *args], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=30)
        elapsed = time.monotonic() - started
        assert result.returncode == 5, (args, result.stdout, result.stderr)
        assert elapsed < 10, f"{args} took {elapsed:.1f} s"
        assert "is OBS running" in result.stderr


def test_end_when_nothing_is_live(studio, tmp_path):
    result = ok(run(studio, tmp_path, "end"))
    assert "Nothing is live" in result.stdout
    as_json = json.loads(ok(run(studio, tmp_path, "end", "--json")).stdout)
    assert as_json["state"] == "idle"
    assert studio.stream_service() == PREVIOUS_SERVICE


# --- 6. OBS already streaming ---------------------------------------------------------------

def test_go_live_while_obs_is_already_streaming_is_exit_6(studio, tmp_path):
    created = json.loads(ok(run(studio, tmp_path, "create", "-p", "fastpix", "-t", "Someone else's",
                                "--show-secrets", "--json")).stdout)
    studio.client.set_stream_service(StreamService("rtmp_custom", {
        "server": created["ingest"]["server"], "key": created["ingest"]["stream_key"]}))
    studio.client.start_stream(wait=20)
    before = {s["id"] for s in studio.sandbox.admin.streams()}

    result = run(studio, tmp_path, "go-live", "-p", "tpstreams", "-t", "Refused")
    assert result.returncode == 6, (result.stdout, result.stderr)
    assert "already streaming" in result.stderr
    assert {s["id"] for s in studio.sandbox.admin.streams()} == before  # nothing created
    assert studio.client.is_streaming()  # the other stream is left alone
    assert studio.stream_service()["settings"]["key"] == created["ingest"]["stream_key"]

    # 'end' does not touch a stream it did not start either.
    result = ok(run(studio, tmp_path, "end"))
    assert "Nothing is live" in result.stdout and "streaming something else" in result.stdout
    assert studio.client.is_streaming()


# --- 7. Ctrl-C while waiting for the ingest ---------------------------------------------------

def test_ctrl_c_while_waiting_for_the_ingest_ends_cleanly(studio, tmp_path):
    studio.sandbox.admin.config(boot_delay=8)
    before = {s["id"] for s in studio.sandbox.admin.streams()}
    process = subprocess.Popen(cli_command("go-live", "-p", "tpstreams", "-t", "Interrupted"), cwd=REPO,
                               env=cli_env(studio, tmp_path / "cli-state"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        def created_or_exited():
            if process.poll() is not None:
                out, err = process.communicate()
                raise AssertionError(f"go-live exited early ({process.returncode}): {out}\n{err}")
            return [s for s in studio.sandbox.admin.streams() if s["id"] not in before]

        created = wait_until(created_or_exited, 20, "the TP stream created")
        time.sleep(1.0)  # now waiting for the server to boot
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, (stdout, stderr)
    assert "Waiting" in stderr
    stream_id = created[0]["id"]
    wait_until(lambda: studio.sandbox.admin.stream(stream_id)["status"] in ENDED["tpstreams"], 15,
               "the TP stream ended")
    assert not studio.client.is_streaming()
    assert studio.stream_service() == PREVIOUS_SERVICE
    # The record is gone: a later 'end' has nothing to do.
    assert "Nothing is live" in ok(run(studio, tmp_path, "end")).stdout
