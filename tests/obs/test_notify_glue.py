"""Notifications from the script in the fake OBS, posted to a real receiver on loopback.

A go-live and its end post "live" and "ended" in each format; the test button posts; the
webhook URLs never reach OBS's log or the panel's status.
"""

from __future__ import annotations

import json
import socket
import sys

import pytest
from script_harness import Script

from tests.webhook_receiver import Receiver

REAL_CONNECT = socket.socket.connect


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch):
    """The glue tests forbid the network; loopback to this receiver is let through."""
    def loopback_only(self: socket.socket, address) -> None:
        if address[0] != "127.0.0.1":
            raise AssertionError(f"a test of the OBS glue tried to connect to {address!r}")
        REAL_CONNECT(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    with Receiver() as rx:
        yield rx


def _urls(rx: Receiver) -> str:
    return "\n".join([f"discord:{rx.url}/discord/TOKEN-d1", f"slack:{rx.url}/slack/TOKEN-s1",
                      f"ntfy:{rx.url}/ntfy-TOKEN-n1", f"{rx.url}/json?token=TOKEN-j1"])


def _by_path(rx: Receiver) -> dict[str, list[dict]]:
    seen: dict[str, list[dict]] = {}
    for req in rx.requests:
        seen.setdefault(req.path.split("/")[1].split("-")[0].split("?")[0], []).append(req)
    return seen


def test_a_go_live_and_its_end_post_live_and_ended_in_each_format(script: Script, studio, receiver):
    script.load(notify_urls=_urls(receiver), notify_live_template="Join {title}: {playback_url}")
    script.go_live()
    script.tick_until(lambda: len(receiver.requests) >= 4, what="the live posts")
    studio.stop()
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
    script.tick_until(lambda: len(receiver.requests) >= 8, what="the ended posts")

    seen = _by_path(receiver)
    assert json.loads(seen["discord"][0].body)["content"].startswith("Join Data science live class: https://")
    assert "has ended after" in json.loads(seen["discord"][1].body)["content"]
    assert json.loads(seen["slack"][0].body)["text"].startswith("Join Data science live class")
    assert seen["ntfy"][0].headers["title"] == "Data science live class is live"
    assert seen["ntfy"][1].body.decode().startswith("Data science live class has ended")
    assert [json.loads(r.body)["event"] for r in seen["json"]] == ["live", "ended"]
    for req in receiver.requests:
        assert b"fake-stream-key" not in req.body and b"TOKEN-" not in req.body
    assert "TOKEN-" not in studio.log_text() and "Discord webhook #1" in studio.log_text()


def test_the_test_button_posts_to_every_url_and_says_so(script: Script, receiver):
    script.load(notify_urls=_urls(receiver))
    script.panel().click("notify_test")
    script.tick_until(lambda: len(receiver.requests) >= 4, what="the test posts")
    assert "Sending a test notification to Discord webhook #1, Slack webhook #1" in script.status
    assert "TOKEN-" not in script.status


def test_a_url_that_is_not_one_is_named_by_line_without_echoing_it(script: Script):
    script.load(notify_urls="https://ntfy.sh/ok\nTOKEN-pasted-by-mistake")
    script.panel().click("notify_test")
    assert "notification URL #2 is not an http(s) URL" in script.status
    assert "TOKEN-" not in script.status


def test_a_failed_go_live_posts_why_and_what_to_do_with_secrets_masked(script: Script, backend, receiver):
    token = "tp-secret-token-5551234"
    script.load(notify_urls=f"{receiver.url}/json/TOKEN-j1", tp_org_id="org1", tp_api_token=token)
    errors = sys.modules["livestream.errors"]  # the script's own import
    backend.fail["create"] = errors.AuthenticationError(f"401 from https://api.invalid/?token={token}",
                                                        hint="check the API token under Credentials")
    script.panel().click("go_live")
    script.tick_until(lambda: script.state == "failed", what="the failure")
    script.tick_until(lambda: receiver.requests, what="the failed post")

    payload = json.loads(receiver.requests[0].body)
    assert payload["event"] == "failed"
    assert payload["message"].startswith("Going live failed: 401 from")
    assert "What to do: check the API token under Credentials" in payload["message"]
    assert token not in receiver.requests[0].body.decode()
