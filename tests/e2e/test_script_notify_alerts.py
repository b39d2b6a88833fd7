"""Alerts from the script in a real OBS 29 to a local webhook in each format: a provider stream
left open after its end failed (``stream_left_open``) and a schedule whose pre-flight check is
refused by the provider (``schedule_problem``).

The sandbox injects the faults (``status=503`` for everything while OBS stops, so the end fails
and pending ends keeps the stream; ``reject_auth`` before a schedule). A schedule set less than
the pre-flight's 5 minutes ahead is checked at once, so the test waits seconds, not minutes.
"""

from __future__ import annotations

import json
import math
import time

import pytest

from tests.e2e.studio import Studio, wait_published
from tests.e2e.test_script_schedule import cli, schedule
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.obs_versions("29")]


def _urls(rx: Receiver) -> str:
    return "\n".join([f"discord:{rx.url}/discord/TOKEN-d1", f"slack:{rx.url}/slack/TOKEN-s1",
                      f"ntfy:{rx.url}/ntfy/TOKEN-n1", f"{rx.url}/json/TOKEN-j1"])


def _generic(rx: Receiver) -> dict[str, dict]:
    return {g["event"]: g for g in (json.loads(r.body) for r in rx.requests if r.path.startswith("/json/"))}


def _wait_event(rx: Receiver, kind: str, timeout: float, studio: Studio) -> dict:
    deadline = time.monotonic() + timeout
    while kind not in _generic(rx) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert kind in _generic(rx), f"no {kind} post: {[r.path for r in rx.requests]}\n{studio.script_log()}"
    return _generic(rx)[kind]


def _posts_in_each_format(rx: Receiver, kind: str, headline: str, secrets: list[str]) -> None:
    """The ``kind`` alert reached each format with the same text; no token or credential in any post."""
    generic = [json.loads(r.body) for r in rx.requests if r.path.startswith("/json/")]
    text = next(g["message"] for g in generic if g["event"] == kind)
    discord = [json.loads(r.body)["content"] for r in rx.requests if r.path.startswith("/discord/")]
    slack = [json.loads(r.body)["text"] for r in rx.requests if r.path.startswith("/slack/")]
    ntfy = [r for r in rx.requests if r.path.startswith("/ntfy/") and r.headers.get("title") == headline]
    assert text in discord and text in slack, (discord, slack)
    assert ntfy and ntfy[0].body.decode() == text
    for req in rx.requests:
        for secret in ["TOKEN-", *secrets]:
            assert secret.encode() not in req.body and all(secret not in v for v in req.headers.values())


def _credentials(studio: Studio) -> list[str]:
    """The sandbox's credential values the script was given (none may reach a webhook)."""
    return [v for k, v in studio.sandbox.env().items()
            if any(word in k for word in ("SECRET", "TOKEN", "PASSWORD", "KEY")) and len(v) >= 8]


def test_a_stream_whose_end_keeps_failing_posts_stream_left_open_in_each_format(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Receiver() as rx:
        settings = {"notify_urls": _urls(rx), "notify_open_minutes": 1}
        with Studio.start(tmp_path, provider="fastpix", boot_delay=1, settings=settings) as studio:
            studio.press("go_live")
            session = studio.wait_state("live", "failed", timeout=90)
            assert session["state"] == "live", f"{session}\n{studio.script_log()}"
            secrets = [studio.stream_service()["settings"]["key"], *_credentials(studio)]
            studio.sandbox.admin.add_fault("fastpix:status=503")  # the provider fails every end
            studio.client.stop_stream()
            failed = studio.wait_state("failed", timeout=90)
            assert failed.get("open_streams"), failed
            left = _wait_event(rx, "stream_left_open", 120, studio)  # a minute after it was handed over
            studio.sandbox.admin.clear_faults()  # the provider is back: pending ends ends it
            wait_published(studio, lambda s: not s.get("open_streams"), timeout=90,
                           what="the open stream ended once the provider answers")
            log = studio.script_log()

    assert left["stream_ids"] == session["stream_id"] and left["origin"] == "obs"
    assert left["message"].startswith("Still open 1:00 after its go-live ended:"), left
    assert "What to do: press End all open streams" in left["message"]
    _posts_in_each_format(rx, "stream_left_open", "A provider stream is still open", secrets)
    assert "TOKEN-" not in log


def test_a_schedule_whose_credentials_are_refused_posts_schedule_problem_in_each_format(tmp_path, need_tools):
    need_tools("obs", "Xvfb", "nginx", "ffmpeg")
    with Receiver() as rx:
        with Studio.start(tmp_path, provider="fastpix", boot_delay=1, settings={"notify_urls": _urls(rx)}) as studio:
            secrets = _credentials(studio)
            studio.sandbox.admin.add_fault("fastpix:reject_auth")  # revoked at the provider
            schedule(studio, tmp_path, math.ceil(time.time()) + 120)
            problem = _wait_event(rx, "schedule_problem", 60, studio)
            cancelled = cli(studio, tmp_path, "schedule", "cancel")
            assert cancelled.returncode == 0, cancelled
            log = studio.script_log()

    assert problem["message"].startswith("Scheduled go-live at "), problem
    assert "Pre-flight check: FastPix rejected the access token" in problem["message"]
    assert problem["message"].endswith("\nWhat to do: fix it before the set time, or the go-live fails then.")
    assert problem["provider"] is None and problem["stream_id"] is None
    _posts_in_each_format(rx, "schedule_problem", "A scheduled go-live has a problem", secrets)
    assert "TOKEN-" not in log
