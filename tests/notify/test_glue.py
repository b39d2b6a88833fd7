"""``Notifications``: settings, the CLI's environment variable, the test message."""

from __future__ import annotations

import json

import pytest

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


def test_the_cli_takes_its_alert_thresholds_from_the_environment() -> None:
    env = {"OBS_LIVESTREAM_NOTIFY_RECONNECT_SECONDS": "12", "OBS_LIVESTREAM_NOTIFY_OPEN_MINUTES": "3",
           "OBS_LIVESTREAM_NOTIFY_DROPPED_PERCENT": ""}
    n = Notifications.from_env(env)
    assert (n.thresholds.reconnect_seconds, n.thresholds.open_minutes, n.thresholds.dropped_percent) == (12, 3, 5)
    n.close()


def test_a_bad_threshold_is_refused_but_an_end_goes_on_with_the_defaults() -> None:
    from livestream.errors import ConfigurationError

    env = {"OBS_LIVESTREAM_NOTIFY_OPEN_MINUTES": "0"}
    with pytest.raises(ConfigurationError) as refused:
        Notifications.from_env(env)
    assert "OBS_LIVESTREAM_NOTIFY_OPEN_MINUTES" in str(refused.value)
    assert "from 1 up to 1440 minutes" in refused.value.hint
    n = Notifications.from_env(env, strict=False)  # the CLI's 'end' is not refused over an alert setting
    assert n.thresholds.open_minutes == 15
    n.close()


def test_the_cli_posts_dropped_frames_read_from_obs_websockets_stream_status() -> None:
    """The CLI's loop hands ``watch`` a reader of ``GetStreamStatus`` (asked only once a second)."""
    import time

    from livestream.dock.feed import HealthMeter

    meter = HealthMeter()
    answers = iter([{"outputActive": True, "outputBytes": 1000, "outputSkippedFrames": 0, "outputTotalFrames": 0},
                    {"outputActive": True, "outputBytes": 9000, "outputSkippedFrames": 60, "outputTotalFrames": 300}])
    asked = []

    def health_of():
        asked.append(1)
        return meter.sample_stream_status(time.monotonic(), next(answers))

    with Receiver() as rx:
        n = Notifications.from_env({ENV_URLS: f"{rx.url}/hook/TOKEN-x1",
                                    "OBS_LIVESTREAM_NOTIFY_DROPPED_PERCENT": "10"})
        n.watch(health_of=health_of)
        n.watch(health_of=health_of)  # within the second: OBS is not asked again
        assert len(asked) == 1
        time.sleep(1.05)
        n.watch(health_of=health_of)
        n.close()
    [payload] = [json.loads(r.body) for r in rx.requests]
    assert payload["event"] == "dropped_frames" and payload["origin"] == "cli"
    assert payload["dropped_percent"] == 20.0 and "the limit is 10%" in payload["message"]
    assert b"TOKEN-x1" not in rx.requests[0].body
