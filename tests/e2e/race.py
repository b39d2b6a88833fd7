"""Two go-lives pressed at once: the remote CLI's own ``go-live`` and the script's Go live hotkey.

``race(studio, ctx, offset)`` starts ``obs_livestream.py go-live`` in a subprocess, waits
for its first progress line (connected, its claim written), waits ``offset`` seconds and
presses the script's Go live hotkey over obs-websocket, as a Stream Deck would
(``hotkey_first``: the hotkey, then the command ``offset`` s later). Then it
waits for both to settle, ends whichever went live (the CLI's with ``end``, the script's
with OBS's Stop Streaming) and says what happened in ``RaceOutcome``.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from tests.e2e.studio import REPO, Studio, cli_command, cli_env

SETTLED = ("live", "failed", "ended", "ready")
#: What the race's provider says while OBS publishes to it.
LIVE = {"fastpix": "active", "tpstreams": "Streaming"}


@dataclass
class RaceOutcome:
    offset: float
    obs_alive: bool = True
    cli_exit: Optional[int] = None
    cli_output: str = ""
    script: dict[str, Any] = field(default_factory=dict)
    live: list[str] = field(default_factory=list)  # who reached live: "cli", "script"
    refusal: str = ""  # what the second asker was told


def _alive(studio: Studio) -> bool:
    if not studio.obs.running:
        return False
    try:
        studio.client.version()
        return True
    except Exception:  # a lost connection: OBS died under us
        return False


def race(studio: Studio, ctx: dict, offset: float, *, provider: str = "fastpix",
         hotkey_first: bool = False) -> RaceOutcome:
    """Press both go-lives ``offset`` seconds apart (the CLI first, or with ``hotkey_first`` the
    hotkey, then the CLI's command); end what went live."""
    outcome = RaceOutcome(offset)
    studio.wait_state("idle", "ended", "failed", timeout=30)
    if hotkey_first:
        studio.press("go_live")
        time.sleep(offset)
    state_dir = Path(ctx.get("tmp") or studio.state_dir.parent) / f"cli-state-{offset}"
    cli = subprocess.Popen(cli_command("go-live", "--provider", provider, "--title", f"CLI race {offset}"),
                           cwd=REPO, env=cli_env(studio, state_dir), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    began = threading.Event()
    lines: list[str] = []

    def read_progress() -> None:  # the CLI's progress lines (stderr, one per line when not a tty)
        assert cli.stderr is not None
        for line in cli.stderr:
            lines.append(line)
            began.set()
        began.set()

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    before = studio.published()
    try:
        if not hotkey_first:
            began.wait(30)
            time.sleep(offset)
            studio.press("go_live")
        cli.wait(timeout=120)  # stderr is the reader's alone (communicate would read it too)
        stdout = cli.stdout.read() if cli.stdout else ""
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait(10)
    reader.join(5)
    outcome.cli_exit = cli.returncode
    outcome.cli_output = stdout + "".join(lines)
    outcome.obs_alive = _alive(studio)
    if not outcome.obs_alive:
        return outcome
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # the script's own outcome (a new one, not the last row's)
        outcome.script = studio.published()
        if outcome.script.get("state") in SETTLED and outcome.script.get("seq") != before.get("seq"):
            break
        time.sleep(0.2)
    if outcome.cli_exit == 0 and "state: live" in stdout:
        outcome.live.append("cli")
    if outcome.script.get("state") == "live":
        outcome.live.append("script")
    if outcome.cli_exit != 0:
        outcome.refusal = " ".join(line.strip().removeprefix("error: ") for line in lines if line.startswith("error"))
    elif outcome.script.get("state") == "failed":
        outcome.refusal = str(outcome.script.get("status_line", ""))
    # Mid-stream before the end, as a user would be (FastPix finishes only a stream it reports active).
    live_ids = [outcome.script.get("stream_id")] if "script" in outcome.live else []
    live_ids += re.findall(r"^\s*stream_id: (\S+)", stdout, re.M) if "cli" in outcome.live else []
    for stream_id in live_ids:
        studio.sandbox.admin.wait_for_status(stream_id, LIVE[provider], timeout=15)
    # End what went live: the script's first (OBS's Stop Streaming), then the CLI's own.
    if "script" in outcome.live:
        studio.client.stop_stream()
        studio.wait_state("ended", "failed", timeout=60)
    # Harmless when the CLI has nothing open; ends its stream or its failed end otherwise.
    subprocess.run(cli_command("end"), cwd=REPO, env=cli_env(studio, state_dir), capture_output=True,
                   text=True, timeout=120)
    outcome.obs_alive = outcome.obs_alive and _alive(studio)
    return outcome
