"""``Notifications``: settings, the CLI's environment variable, the test message."""

from __future__ import annotations

import json

from livestream import secrets
from livestream.notify.glue import ENV_URLS, Notifications
from tests.webhook_receiver import Receiver


def test_the_cli_reads_its_urls_from_the_environment_and_registers_them_as_secrets() -> None:
    with Receiver() as rx:
        url = f"{rx.url}/hook/ENVTOKEN-123456"
        n = Notifications.from_env({ENV_URLS: url})
        assert [t.name for t in n.notifier.targets] == ["webhook #1"]
        assert "ENVTOKEN-123456" not in secrets.redact(f"posting to {url}")
        assert n.send_test().startswith("Sending a test notification to webhook #1")
        n.close()
    payload = json.loads(rx.requests[0].body)
    assert payload["event"] == "test" and payload["origin"] == "cli"


def test_without_urls_the_test_button_says_where_to_add_them() -> None:
    assert "add one per line under Notifications" in Notifications.from_env({}).send_test()


def test_an_empty_template_falls_back_to_the_default() -> None:
    n = Notifications()
    n.configure("", "  ")
    assert n.template == "{title} is live: {playback_url}"
