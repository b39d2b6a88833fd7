"""The reliability matrix: one row per way a go-live can go wrong, in a real OBS against the sandbox.

Each row presses the script's hotkeys over obs-websocket (as a Stream Deck would), lets
the sandbox misbehave (faults.py), and asserts what a user would check afterwards:

* the message the user sees (the script's published status line),
* no provider stream left live or billing (sandbox inspection),
* OBS's stream settings are the user's own again (``PREVIOUS_SERVICE``),
* no secret in OBS's log (the sandbox's API token, secret key and password, every
  stream key the sandbox issued, the user's own key "users-own-key-0042").

The table is printed in the summary of the test run (``tests/matrix_plugin.py``). One sandbox serves the
whole module; each row gets its own OBS.

Notes on rows that cannot be done literally:

* read timeout: the client's read timeout is 20 s (``http.DEFAULT_TIMEOUT``), so a
  latency fault longer than that would cost 25 s per attempt; the row uses a dropped
  connection instead (``drop=reset``: the request takes effect, the answer never comes),
  the same "no usable answer" path, without the wait.
* script reload: obs-websocket cannot reload a script, so the row switches the scene
  collection away and back (``CreateSceneCollection`` then ``SetCurrentSceneCollection``),
  which unloads and loads the script exactly like a reload, while OBS keeps streaming.

The "nothing lost" rows (the ledger) play the sequences that used to forget a billed
stream: an end that fails while the provider is down, then a second go-live; End after
a failed end; an outage that ends with no user action; a create whose answer is lost;
OBS killed while its create is in flight. Each must leave zero provider streams open
within 90 s of the provider's recovery, with no CLI work.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from livestream_headless import free_port
from livestream_sandbox import Sandbox
from tests.e2e.conftest import HOST_VERSION
from tests.e2e.race import race
from tests.e2e.studio import PREVIOUS_SERVICE, REPO, Studio, cli_command, cli_env
from tests.matrix_plugin import add_row
from tests.secrets_kit import secrets_in_env

pytestmark = pytest.mark.e2e

MATRIX = "reliability matrix (real OBS, sandbox provider)"


@dataclass
class Row:
    name: str
    provider: str
    run: Callable[[Studio, dict], dict]  # drives the scenario; returns the session whose message counts
    message: str  # regex the status line must match (case-insensitive)
    state: tuple[str, ...] = ("failed",)  # the state that message is shown in
    settings: dict[str, Any] = field(default_factory=dict)
    fault: Optional[str] = None
    env: dict[str, str] = field(default_factory=dict)  # for OBS's script ({closed_port}, {closed_udp_port})
    #: The OBS versions the row runs in (``LIVESTREAM_OBS_VERSIONS`` picks among them); a row
    #: about no one version's behaviour runs in the oldest and the newest.
    versions: tuple[str, ...] = (HOST_VERSION,)


# --- helpers ------------------------------------------------------------------------------


def go_live(studio: Studio, *, states: tuple[str, ...] = ("live", "failed", "ended"), timeout: float = 60) -> dict:
    studio.wait_state("idle", "ended", "failed", timeout=30)  # loaded and ticking
    studio.press("go_live")
    return studio.wait_state(*states, timeout=timeout)


#: Each provider's word for "live" (what its API answers while OBS publishes).
PROVIDER_LIVE = {"tpstreams": "Streaming", "fastpix": "active", "mux": "active", "cloudflare": "connected",
                 "apivideo": "broadcasting"}
#: The rows that apply to every provider run once per provider (a sixth one is added here).
ALL_PROVIDERS = ("tpstreams", "fastpix", "mux", "cloudflare", "apivideo")


def must_be_live(studio: Studio) -> dict:
    """Go live, and wait until the provider says live too ("mid-stream" from here on)."""
    session = go_live(studio)
    assert session["state"] == "live", session
    studio.sandbox.admin.wait_for_status(session["stream_id"], PROVIDER_LIVE[session_provider(studio)], timeout=15)
    return session


def session_provider(studio: Studio) -> str:
    return "fastpix" if "FastPix" in str(studio.published().get("provider")) else "tpstreams"


def stop_and_end(studio: Studio) -> dict:
    studio.client.stop_stream()
    return studio.wait_state("ended", "failed", timeout=60)


def failing_go_live(studio: Studio, ctx: dict) -> dict:
    return go_live(studio, states=("failed", "ended", "live"))


def fault_while_waiting(spec: str, applied: int) -> Callable[[Studio, dict], dict]:
    """A fault on the status polls while the TP server boots: retried, then live, then ended."""

    def run(studio: Studio, ctx: dict) -> dict:
        studio.sandbox.admin.config(boot_delay=6)
        try:
            studio.wait_state("idle", "ended", "failed", timeout=30)
            studio.press("go_live")
            studio.wait_state("waiting_for_ingest", timeout=30)
            studio.sandbox.admin.add_fault(spec)
            session = studio.wait_state("live", "failed", "ended", timeout=60)
            assert session["state"] == "live", session
            hits = studio.sandbox.admin.events(kind="fault_applied", since=ctx["since"])
            assert len(hits) == applied, hits
        finally:
            studio.sandbox.admin.config(boot_delay=1)
        return stop_and_end(studio)

    return run


def fault_on_create(spec: str, applied: int) -> Callable[[Studio, dict], dict]:
    """A refusal that did no work (429) on the create: sent again after Retry-After, then live."""

    def run(studio: Studio, ctx: dict) -> dict:
        studio.wait_state("idle", "ended", "failed", timeout=30)
        studio.sandbox.admin.add_fault(spec)
        studio.press("go_live")
        session = studio.wait_state("live", "failed", "ended", timeout=60)
        assert session["state"] == "live", session
        hits = studio.sandbox.admin.events(kind="fault_applied", since=ctx["since"])
        assert len(hits) == applied, hits
        creates = studio.sandbox.admin.events(kind="created", since=ctx["since"])
        assert len(creates) == 1, creates  # one stream, not two
        # Mid-stream from here: FastPix only finishes a stream it reports active.
        studio.sandbox.admin.wait_for_status(session["stream_id"], PROVIDER_LIVE[session_provider(studio)],
                                             timeout=15)
        return stop_and_end(studio)

    return run


def ingest_killed(studio: Studio, ctx: dict) -> dict:
    """Kill the sandbox's nginx mid-stream: OBS reconnects while the provider stream stays up;
    when OBS gives up (profile: 2 retries, 2 s apart) the script ends the provider stream."""
    session = must_be_live(studio)
    sandbox = studio.sandbox
    nginx = sandbox._nginx  # the in-process sandbox's ingest, started by this test process
    nginx.stop()  # SIGTERM to the nginx we started (by pid), like a crashed ingest server
    try:
        seen = studio.wait_state_where(lambda s: bool(s.get("reconnecting")), timeout=20)
        ctx["shown"] = seen
        assert seen["state"] == "live"
        # During OBS's reconnect the provider stream is not ended.
        events = sandbox.admin.events(stream_id=session["stream_id"], since=ctx["since"])
        assert not [e for e in events if e["kind"] in ("finish_requested", "stop_requested")], events
        assert sandbox.admin.stream(session["stream_id"])["status"] == "active"
        final = studio.wait_state("ended", "failed", timeout=60)
    finally:
        nginx.start()  # for the next rows (a restarted nginx would refuse the old publisher:
        # the sandbox never heard its on_publish_done, so OBS's reconnect is not tried against it)
    return final


def drop_client(studio: Studio) -> None:
    """Forget the websocket client before OBS is killed (a fresh one connects to the next OBS)."""
    if studio._client is not None:
        studio._client.close()
        studio._client = None


def crash_and_restart(studio: Studio, states: tuple[str, ...]) -> tuple[dict, float]:
    """SIGKILL OBS, start it again: (the session the new script published, the restart time)."""
    drop_client(studio)
    restarted = time.time()
    studio.obs.restart()
    # The published session survives in OBS's profile: wait for the one the new script wrote.
    return studio.wait_state_where(lambda s: (s.get("updated_at") or 0) > restarted
                                   and s.get("state") in states, timeout=30), restarted


def obs_killed(studio: Studio, ctx: dict) -> dict:
    """SIGKILL OBS mid-stream and start it again: the script offers to resume or end."""
    must_be_live(studio)
    ctx["shown"], _ = crash_and_restart(studio, ("ready", "live", "failed"))
    studio.press("end_stream")
    return studio.wait_state("ended", "failed", timeout=60)


def script_reloaded(studio: Studio, ctx: dict) -> dict:
    """Unload and load the script mid-stream (scene collection away and back)."""
    must_be_live(studio)
    client = studio.client
    original = client.call("GetSceneCollectionList")["currentSceneCollectionName"]
    client.call("CreateSceneCollection", sceneCollectionName="Matrix elsewhere")
    time.sleep(1.0)
    assert client.is_streaming()
    client.call("SetCurrentSceneCollection", sceneCollectionName=original)
    recovered = studio.wait_state_where(
        lambda s: s.get("state") == "live" and "recovered" in str(s.get("status_line", "")).lower(), timeout=30)
    ctx["shown"] = recovered
    return stop_and_end(studio)


# --- one go-live at a time, whoever asks --------------------------------------------------


def cli_and_hotkey_race(offset: float, *, hotkey_first: bool = False) -> Callable[[Studio, dict], dict]:
    """The remote CLI's go-live, then the script's Go live hotkey ``offset`` s later (the same
    presses crashed OBS 29: two starts of one output, docs/development.md): one goes live,
    the other is refused at once, OBS stays up, both ends leave nothing open."""

    def run(studio: Studio, ctx: dict) -> dict:
        outcome = race(studio, ctx, offset, hotkey_first=hotkey_first)
        assert outcome.obs_alive, f"OBS died\n{outcome.cli_output}"
        assert len(outcome.live) == 1, (outcome.live, outcome.cli_output, outcome.script)
        ctx["shown"] = {"state": "refused", "status_line": outcome.refusal}
        ctx["note"] = f"live: {outcome.live[0]}"
        return studio.wait_state("ended", "failed", "idle", timeout=30)

    return run


# --- nothing lost: the ledger rows ---------------------------------------------------------

#: The user may wait this long after the provider recovers for every stream to be ended.
RECOVERY_LIMIT = 90.0


def provider_down_at_end(studio: Studio) -> tuple[dict, dict]:
    """Live, then the provider answers 503 to everything while OBS stops: the end fails."""
    session = must_be_live(studio)
    studio.sandbox.admin.add_fault(f"{session_provider(studio)}:status=503")
    studio.client.stop_stream()
    failed = studio.wait_state("failed", timeout=90)
    assert "keeps trying" in failed["status_line"], failed
    assert failed.get("open_streams"), failed  # listed for remote clients and the panel
    return session, failed


def all_ended_after_recovery(studio: Studio, ctx: dict) -> float:
    """Seconds from the provider's recovery until none of this row's streams is open."""
    recovered = ctx["recovered_at"]
    while True:
        ids = {s["id"] for s in studio.sandbox.admin.streams()} - ctx["before"]
        if not live_streams(studio.sandbox, ids):
            taken = time.monotonic() - recovered
            ctx["note"] = f"all ended {taken:.0f} s after the provider recovered"
            return taken
        if time.monotonic() - recovered > RECOVERY_LIMIT:
            raise AssertionError(f"streams still open {RECOVERY_LIMIT:.0f} s after the recovery: "
                                 f"{live_streams(studio.sandbox, ids)}\n{studio.script_log()}")
        time.sleep(0.5)


def end_fails_then_live_again(studio: Studio, ctx: dict) -> dict:
    first, failed = provider_down_at_end(studio)
    ctx["shown"] = failed
    studio.sandbox.admin.clear_faults()  # the provider recovers
    ctx["recovered_at"] = time.monotonic()
    studio.press("go_live")  # from the failed state: wait for a new outcome, not the old failure
    # The old failure is published again while the go-live waits for the claim on OBS's
    # stream ("Checking that no other go-live..."): a new failure is one of another stream.
    second = studio.wait_state_where(lambda s: s.get("state") in ("live", "ended") or (
        s.get("state") == "failed" and s.get("state_since") != failed.get("state_since")
        and s.get("stream_id") != first["stream_id"]), timeout=60)
    assert second["state"] == "live" and second["stream_id"] != first["stream_id"], second
    studio.sandbox.admin.wait_for_status(second["stream_id"], PROVIDER_LIVE[session_provider(studio)], timeout=15)
    final = stop_and_end(studio)
    all_ended_after_recovery(studio, ctx)
    return final


def end_after_failed_end(studio: Studio, ctx: dict) -> dict:
    _, failed = provider_down_at_end(studio)
    studio.press("end_stream")  # still down: End tries the pending end now, and says it failed
    studio.wait_state_where(lambda s: s.get("state") == "failed" and "earlier stream" in s.get("status_line", "")
                            and s.get("state_since") != failed.get("state_since"), timeout=60)
    studio.sandbox.admin.clear_faults()
    ctx["recovered_at"] = time.monotonic()
    studio.press("end_stream")  # not "Nothing is live": it ends the stream left open
    done = studio.wait_state_where(lambda s: s.get("state") == "idle" and not s.get("open_streams"), timeout=60)
    all_ended_after_recovery(studio, ctx)
    return done


def outage_then_recovery(studio: Studio, ctx: dict) -> dict:
    _, failed = provider_down_at_end(studio)
    ctx["shown"] = failed
    time.sleep(20)  # a 20 s outage: the automatic retries fail meanwhile
    assert studio.published().get("open_streams"), "the stream is no longer listed while still open"
    studio.sandbox.admin.clear_faults()
    ctx["recovered_at"] = time.monotonic()
    all_ended_after_recovery(studio, ctx)  # nobody presses anything
    return studio.wait_state_where(lambda s: not s.get("open_streams"), timeout=30)


def create_answer_lost(fault: str) -> Callable[[Studio, dict], dict]:
    """The create reaches the provider, its answer is lost (``fault``: a reset connection, a
    truncated body): the script finds the stream it made and goes live with it; one stream."""

    def run(studio: Studio, ctx: dict) -> dict:
        return _create_answer_lost(studio, ctx, fault)

    return run


def _create_answer_lost(studio: Studio, ctx: dict, fault: str) -> dict:
    studio.wait_state("idle", "ended", "failed", timeout=30)
    provider = ctx["provider"]
    studio.sandbox.admin.add_fault(f"{provider}:{fault},count=1")
    studio.press("go_live")
    session = studio.wait_state("live", "failed", "ended", timeout=60)
    assert session["state"] == "live", (session, studio.script_log())
    assert "answer" in studio.script_log().lower() or "lost" in studio.script_log().lower()
    creates = studio.sandbox.admin.events(kind="created", since=ctx["since"])
    assert len(creates) == 1, creates
    studio.sandbox.admin.wait_for_status(session["stream_id"], PROVIDER_LIVE[provider], timeout=15)
    return stop_and_end(studio)


def obs_killed_during_create(studio: Studio, ctx: dict) -> dict:
    """SIGKILL OBS while its create request is on its way, start OBS again: the stream the
    create made is found and ended with no user action."""
    studio.wait_state("idle", "ended", "failed", timeout=30)
    studio.sandbox.admin.add_fault("tpstreams:latency=4,count=1")  # the create takes 4 s
    studio.press("go_live")
    studio.wait_state("creating", timeout=10)
    # Kill OBS only once the create request has reached the provider (it waits there 4 s).
    deadline = time.monotonic() + 10
    while studio.sandbox.core.faults.list():  # the latency fault is used up when the request arrives
        assert time.monotonic() < deadline, "the create request never reached the sandbox"
        time.sleep(0.05)
    drop_client(studio)
    studio.obs.restart()  # SIGKILL, then a new OBS with the same profile and ledger
    ctx["recovered_at"] = time.monotonic()
    creates = []
    deadline = time.monotonic() + 20
    while not creates and time.monotonic() < deadline:  # the provider still makes the stream
        creates = studio.sandbox.admin.events(kind="created", since=ctx["since"])
        time.sleep(0.3)
    assert len(creates) == 1, creates
    all_ended_after_recovery(studio, ctx)
    return studio.wait_state_where(lambda s: not s.get("open_streams") and s.get("state") == "idle", timeout=30)


def end_twice(studio: Studio, ctx: dict) -> dict:
    session = must_be_live(studio)
    studio.press("end_stream")
    studio.press("end_stream")
    ended = studio.wait_state("ended", "failed", timeout=60)
    time.sleep(1.0)
    studio.press("end_stream")  # and once more after the end: nothing to do
    ends = [e for e in studio.sandbox.admin.events(stream_id=session["stream_id"], since=ctx["since"])
            if e["kind"] in ("finish_requested", "stop_requested")]
    assert len(ends) == 1, (ends, studio.script_log())
    return ended


# --- nothing lost, round two: the ledger file damaged while live, no person at the machine ---


def ledger_holds(path: Path, stream_id: str, timeout: float = 30.0) -> list[dict]:
    """The ledger file's entries once it is valid again and names ``stream_id`` (written back)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        try:
            text = path.read_text()
            entries = json.loads(text)["entries"]
        except (OSError, ValueError, KeyError):
            entries = []
        if any(e.get("stream_id") == stream_id for e in entries):
            return entries
        time.sleep(0.3)
    raise AssertionError(f"{path.name} never named {stream_id} again in {timeout} s: {text[:300]!r}")


def ledger_deleted(studio: Studio, ctx: dict) -> dict:
    """``ledger.json`` deleted while live: written back from memory while still live; the end ends."""
    session = must_be_live(studio)
    path = studio.state_dir / "ledger.json"
    ledger_holds(path, session["stream_id"], timeout=5)
    path.unlink()
    ledger_holds(path, session["stream_id"])  # back while live (a crash now would still find it)
    ctx["note"] = "ledger.json written back while live"
    final = stop_and_end(studio)
    assert [e for e in ledger_holds(path, session["stream_id"]) if e["stream_id"] == session["stream_id"]
            and e["state"] == "ended"], path.read_text()
    return final


def ledger_garbled(studio: Studio, ctx: dict) -> dict:
    """``ledger.json`` replaced by garbage while live: the garbage kept as ``.bad``, the entry
    written back, the end ends the stream."""
    session = must_be_live(studio)
    path = studio.state_dir / "ledger.json"
    garbage = '{"entries": [{"stream_id": \x00\x01 truncated'
    path.write_text(garbage)
    ledger_holds(path, session["stream_id"])
    bad = path.with_name("ledger.json.bad")
    assert bad.exists() and bad.read_text() == garbage, "the damaged file was not kept aside as ledger.json.bad"
    ctx["note"] = "garbage kept as ledger.json.bad, entry written back while live"
    final = stop_and_end(studio)
    assert any(e["stream_id"] == session["stream_id"] and e["state"] == "ended"
               for e in ledger_holds(path, session["stream_id"])), path.read_text()
    return final


def ledger_unwritable(studio: Studio, ctx: dict) -> dict:
    """``ledger.json`` made immutable while live (``chattr +i``: we run as root, so a mode
    change would not stop the script): the go-live goes on, the log says the ledger cannot
    be written, and the end still ends the stream it holds in memory."""
    session = must_be_live(studio)
    path = studio.state_dir / "ledger.json"
    immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    assert immutable.returncode == 0, f"chattr +i failed here: {immutable.stderr}"
    try:
        probe = subprocess.run(["sh", "-c", f"echo x >> '{path}'"], capture_output=True)
        assert probe.returncode != 0, "the immutable ledger file could still be written"
        final = stop_and_end(studio)
        assert final["state"] == "ended", final
        assert "ledger file cannot be written" in studio.script_log(), studio.script_log()
        on_file = json.loads(path.read_text())["entries"]  # the file as it was when it froze
        assert any(e["stream_id"] == session["stream_id"] and e["state"] != "ended" for e in on_file)
        ctx["note"] = "log: the ledger file cannot be written; the stream ended from memory"
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)  # for the next load and tmp cleanup
    return final


def obs_killed_nobody_presses(studio: Studio, ctx: dict) -> dict:
    """SIGKILL OBS mid-stream, start it again, and press nothing: the resume offer expires
    (``Policies.resume_offer``, 120 s: no setting shortens it) and the stream is ended."""
    session = must_be_live(studio)
    ctx["shown"], restarted = crash_and_restart(studio, ("ready",))
    ended = studio.wait_state_where(lambda s: s.get("state") in ("ended", "failed", "idle")
                                    and (s.get("updated_at") or 0) > restarted, timeout=120 + 60)
    assert session["stream_id"] in str(ended.get("status_line")) or ended["state"] != "failed", ended
    return ended


def reload_before_failed_end(studio: Studio, ctx: dict) -> dict:
    """OBS's Stop while the provider is down, then a script reload (scene collection away and
    back) before the ledger records the failed end: the new script keeps ending the stream,
    the settings come back, and the stream is ended once the provider is back."""
    must_be_live(studio)
    studio.sandbox.admin.add_fault(f"{session_provider(studio)}:status=503")
    client = studio.client
    original = client.call("GetSceneCollectionList")["currentSceneCollectionName"]
    client.stop_stream()
    studio.wait_state("ending", timeout=20)  # the end is being tried; it has not failed yet
    client.call("CreateSceneCollection", sceneCollectionName="Matrix elsewhere")
    time.sleep(1.0)
    reloaded = time.time()
    client.call("SetCurrentSceneCollection", sceneCollectionName=original)
    ctx["shown"] = studio.wait_state_where(lambda s: (s.get("updated_at") or 0) > reloaded
                                           and bool(s.get("open_streams")), timeout=60)
    studio.sandbox.admin.clear_faults()
    ctx["recovered_at"] = time.monotonic()
    all_ended_after_recovery(studio, ctx)
    return studio.wait_state_where(lambda s: not s.get("open_streams"), timeout=30)


def cli_follow_obs_killed(studio: Studio, ctx: dict) -> dict:
    """The CLI's own ``go-live --follow``, then OBS killed under it: the CLI notices OBS is
    gone (``cli/obs_lost.py``), ends its provider stream and exits; OBS started again gets
    the user's settings back from the CLI's ledger with ``obs_livestream.py end``."""
    studio.wait_state("idle", "ended", "failed", timeout=30)
    env = cli_env(studio, studio.state_dir.parent / "cli-state")
    cli = subprocess.Popen(cli_command("go-live", "--provider", ctx["provider"], "--title", "Matrix follow",
                                       "--follow"), cwd=REPO, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            mine = [s for s in studio.sandbox.admin.streams() if s["id"] not in ctx["before"]]
            if mine and mine[0].get("status") == PROVIDER_LIVE[ctx["provider"]]:
                break
            assert time.monotonic() < deadline and cli.poll() is None, (mine, cli.poll())
            time.sleep(0.3)
        drop_client(studio)
        studio.obs.kill_obs()  # a crash under the CLI
        ctx["recovered_at"] = time.monotonic()
        output, _ = cli.communicate(timeout=90)  # it used to follow a dead OBS for ever
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.communicate()
    print(output)
    all_ended_after_recovery(studio, ctx)  # ended by the CLI itself, before OBS is back
    said = [line for line in output.splitlines() if "lost the connection to obs" in line.lower()]
    ctx["shown"] = {"state": "cli exited", "status_line": said[0] if said else output.strip()[-200:]}
    studio.obs.start()
    studio.wait_script_loaded()
    end = subprocess.run(cli_command("end"), cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert end.returncode == 0, (end.stdout, end.stderr)
    ctx["note"] = f"CLI exit {cli.returncode}; then 'end': {end.stdout.strip()[-100:]}"
    return studio.wait_state("idle", "ended", "failed", timeout=30)


def dripping_provider(studio: Studio, ctx: dict) -> dict:
    """Every answer of the provider trickles in a byte at a time (``drip``): the go-live ends
    with "answered too slowly" after the whole-request deadline, not a hang; once the
    provider is normal again nothing it made stays open."""
    studio.wait_state("idle", "ended", "failed", timeout=30)
    studio.sandbox.admin.add_fault(f"{ctx['provider']}:drip=0.5")
    studio.press("go_live")
    failed = studio.wait_state("failed", "live", "ended", timeout=150)
    assert failed["state"] == "failed", failed
    studio.sandbox.admin.clear_faults()
    ctx["recovered_at"] = time.monotonic()
    all_ended_after_recovery(studio, ctx)
    return failed


ROWS = [
    Row("401 unauthorized", "fastpix", failing_go_live, r"fastpix.*(credential|unauthori|401|token)",
        fault="fastpix:status=401,count=1"),
    Row("403 forbidden", "tpstreams", failing_go_live, r"(permission|forbidden|403)",
        fault="tpstreams:status=403,count=1"),
    Row("404 stream id not found", "fastpix", failing_go_live, r"(not found|no .*stream|404|does not exist)",
        settings={"mode": "existing", "stream_id": "0" * 32}),
    Row("422 validation", "fastpix", failing_go_live, r"(valid|422)", fault="fastpix:status=422,count=1"),
    # A 429 means nothing was done, so even the create is sent again after Retry-After.
    Row("429 Retry-After on create", "fastpix", fault_on_create("fastpix:rate_limit=2,count=1", 1), r"^ended",
        state=("ended",)),
    Row("429 Retry-After on polls", "tpstreams", fault_while_waiting("tpstreams:rate_limit=1,count=2", 2),
        r"^ended", state=("ended",)),
    Row("500/503 burst on polls", "tpstreams", fault_while_waiting("tpstreams:error_rate=1,count=4", 4),
        r"^ended", state=("ended",)),
    Row("connection refused", "fastpix", failing_go_live, r"(connect|reach|refused)",
        settings={"fp_api_base_url": "http://127.0.0.1:{closed_port}"}),
    # A truncated answer to the create: the stream exists, so it is found and used.
    Row("malformed JSON on create", "fastpix", create_answer_lost("malformed"), r"^ended", state=("ended",)),
    Row("ingest never ready", "tpstreams", failing_go_live, r"(ready|ingest|server).*(30 s|time)",
        state=("failed", "ended"), settings={"ingest_timeout": 30}, fault="tpstreams:never_ready"),
    Row("publish refused", "fastpix", failing_go_live, r"(refused|key|connect)", state=("failed", "ended"),
        fault="fastpix:never_ready"),
    # SRT: OBS cannot reach the ingest; its log names the URL, never the passphrase.
    Row("SRT ingest unreachable", "fastpix", failing_go_live, r"(connect|srt)", state=("failed", "ended"),
        settings={"fp_protocol": "srt"}, env={"FASTPIX_INGEST_SRT_URL": "srt://127.0.0.1:{closed_udp_port}"}),
    Row("ingest killed mid-stream", "fastpix", ingest_killed, r"reconnecting", state=("live",)),
    Row("OBS killed and restarted", "fastpix", obs_killed, r"resume.*end|end.*resume", state=("ready",)),
    Row("script reload mid-stream", "fastpix", script_reloaded, r"recovered", state=("live",)),
    Row("end pressed twice", "fastpix", end_twice, r"^ended", state=("ended",)),
    # Nothing lost: the ledger.
    Row("end fails (503), then live again", "tpstreams", end_fails_then_live_again,
        r"could not end .*keeps trying"),
    Row("End after a failed end", "tpstreams", end_after_failed_end, r"ended the earlier streams", state=("idle",)),
    Row("provider back after an outage", "fastpix", outage_then_recovery, r"could not end .*keeps trying"),
    *(Row(f"create answer lost ({provider})", provider, create_answer_lost("drop=reset"), r"^ended",
          state=("ended",)) for provider in ALL_PROVIDERS),
    Row("OBS killed during the create", "tpstreams", obs_killed_during_create, r"^idle$",
        state=("idle",)),
    # One go-live at a time: the CLI's and the hotkey's, at several offsets.
    *(Row(f"CLI go-live and Go live hotkey {offset} s apart", "fastpix", cli_and_hotkey_race(offset),
          r"^A go-live started from the (panel|CLI on \S+) is under way", state=("refused",), versions=("29", "32"))
      for offset in (0.0, 0.1, 0.2, 0.4)),
    Row("Go live hotkey, then the CLI go-live at once", "fastpix", cli_and_hotkey_race(0.0, hotkey_first=True),
        r"^A go-live started from the panel is under way", state=("refused",), versions=("29", "32")),
    # Nothing lost, round two (issue 20): each in the oldest and the newest OBS.
    Row("ledger deleted while live", "tpstreams", ledger_deleted, r"^ended", state=("ended",),
        versions=("29", "32")),
    Row("ledger garbled while live", "tpstreams", ledger_garbled, r"^ended", state=("ended",),
        versions=("29", "32")),
    Row("ledger unwritable while live", "tpstreams", ledger_unwritable, r"^ended", state=("ended",),
        versions=("29", "32")),
    Row("OBS killed, nobody presses anything", "fastpix", obs_killed_nobody_presses,
        r"ended in \d+ s if nobody does", state=("ready",), versions=("29", "32")),
    Row("reload before a failed end is recorded", "tpstreams", reload_before_failed_end, r"^idle",
        state=("idle",), versions=("29", "32")),
    Row("CLI go-live --follow, OBS killed under it", "fastpix", cli_follow_obs_killed, r"lost the connection to OBS",
        state=("cli exited",), versions=("29", "32")),
    Row("provider drips its answers", "fastpix", dripping_provider, r"answered too slowly",
        versions=("29", "32")),
]


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.e2e.conftest import _need_tools

    _need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    box = Sandbox(data_dir=tmp_path_factory.mktemp("matrix-sandbox"), boot_delay=1).start()
    try:
        yield box
    finally:
        box.stop()


_HEADER = ("scenario", "message", "provider streams live after", "settings restored",
           "secrets in log (incl. SRT passphrase)")


def _wait_state_where(self: Studio, predicate: Callable[[dict], bool], timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        last = self.published()
        if predicate(last):
            return last
        time.sleep(0.2)
    raise AssertionError(f"the published session never matched in {timeout} s; last: {last}\n{self.script_log()}")


Studio.wait_state_where = _wait_state_where  # type: ignore[attr-defined]


# --- inspection ---------------------------------------------------------------------------


def live_streams(sandbox: Any, ids: set[str]) -> list[str]:
    """Streams of this row still live or billing, by the provider's status: TP server up (booting,
    "Not Started" with a key, "Streaming", "Disconnected"), FastPix "preparing"/"active", the others
    their live word (``PROVIDER_LIVE``). (The
    sandbox's own ``publishing`` flag is not used: it stays set when its nginx is killed.)"""
    live = []
    for s in sandbox.admin.streams():
        if s["id"] not in ids:
            continue
        status = s.get("status")
        tp_open = s["provider"] == "tpstreams" and (
            status in ("Streaming", "Disconnected")
            or (status == "Not Started" and (s.get("booted") or s.get("boot_ready_at"))))
        fp_open = s["provider"] == "fastpix" and status in ("active", "preparing")
        # Mux, Cloudflare and api.video bill while their stream says live.
        other_open = s["provider"] not in ("tpstreams", "fastpix") and status == PROVIDER_LIVE.get(s["provider"])
        if tp_open or fp_open or other_open:
            live.append(f"{s['id']}:{status}")
    return live


def settle(sandbox: Any, ids: set[str], timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        left = live_streams(sandbox, ids)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)


def secrets_of(sandbox: Any, ids: set[str]) -> list[str]:
    """Every secret this row's OBS could have logged: each provider's declared secret credentials
    (token and login variants), the user's own key, the rows' stream keys and SRT passphrases."""
    found = secrets_in_env({**sandbox.env(), **sandbox.env(tpstreams_login=True)})
    found.append(PREVIOUS_SERVICE["settings"]["key"])
    found += [s["stream_key"] for s in sandbox.admin.streams(reveal=True) if s["id"] in ids and s.get("stream_key")]
    found += [_srt_passphrase(sandbox, s["id"]) for s in sandbox.admin.streams()
              if s["id"] in ids and s["provider"] == "fastpix"]
    return [s for s in found if s]


def _srt_passphrase(sandbox: Any, stream_id: str) -> Optional[str]:
    """A FastPix stream's SRT passphrase (``srtSecret``), as the provider's API gives it."""
    import requests

    creds = sandbox.credentials
    answer = requests.get(f"{sandbox.api_url}/v1/live/streams/{stream_id}", timeout=10,
                          auth=(creds.fastpix_access_token_id, creds.fastpix_secret_key))
    return answer.json().get("data", {}).get("srtSecret") if answer.ok else None


def _free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("row", [pytest.param(r, id=r.name, marks=pytest.mark.obs_versions(*r.versions))
                                 for r in ROWS])
def test_reliability_row(row: Row, sandbox: Any, tmp_path: Path, request: pytest.FixtureRequest,
                         obs_under_test: Any) -> None:
    admin = sandbox.admin
    admin.clear_faults()
    before = {s["id"] for s in admin.streams()}
    events = admin.events(limit=100000)
    since = events[-1]["seq"] if events else 0
    ports = {"closed_port": free_port(), "closed_udp_port": _free_udp_port()}
    settings = {k: (v.format(**ports) if isinstance(v, str) else v) for k, v in row.settings.items()}
    env = {k: v.format(**ports) for k, v in row.env.items()}
    ctx: dict[str, Any] = {"since": since, "before": before, "provider": row.provider}
    studio = Studio.start(tmp_path, provider=row.provider, sandbox=sandbox, settings=settings, env=env,
                          **obs_under_test.obs_kwargs())
    name = row.name if obs_under_test.version == HOST_VERSION else f"{row.name} (OBS {obs_under_test.version})"
    message, restored, live_after, leaked = "", False, ["?"], ["?"]
    try:
        if row.fault:
            admin.add_fault(row.fault)
        final = row.run(studio, ctx)
        admin.clear_faults()
        shown = ctx.get("shown", final)
        message = str(shown.get("status_line", ""))
        if shown is not final:
            message += f" -> then: {final.get('status_line')}"
        if ctx.get("note"):
            message += f" ({ctx['note']})"
        assert shown.get("state") in row.state, (row.name, shown)
        assert re.search(row.message, str(shown.get("status_line", "")), re.IGNORECASE), (row.name, message)
        assert final["state"] in ("ended", "failed", "idle"), final  # every row settles
        restored = studio.stream_service() == PREVIOUS_SERVICE
        ids = {s["id"] for s in admin.streams()} - before
        live_after = settle(sandbox, ids)
    finally:
        admin.clear_faults()
        studio.stop()
        ids = {s["id"] for s in admin.streams()} - before
        log = studio.obs.log_text(all_runs=True)
        leaked = [f"{s[:4]}…" for s in secrets_of(sandbox, ids) if s in log]
        add_row(request.node, MATRIX, _HEADER, (name, message, str(len(live_after)) if live_after != ["?"] else "?",
                                                "yes" if restored else "NO", ", ".join(leaked) or "none"))
        print(f"\n{name}: {message!r}; live after: {live_after}; restored: {restored}; leaked: {leaked}")
    assert live_after == [], live_after
    assert restored, studio.script_log()
    assert leaked == []
