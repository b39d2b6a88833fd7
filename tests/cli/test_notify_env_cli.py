"""The alert thresholds of the CLI's own go-lives, from the environment: a bad value is exit 2
naming the variable and its range before any provider or OBS is asked; a good one is used."""

from __future__ import annotations

import pytest

from .test_provider_cli import _fails, closed_port


@pytest.mark.parametrize("name, value, needle", [
    ("OBS_LIVESTREAM_NOTIFY_RECONNECT_SECONDS", "0", "from 1 up to 3600 seconds"),
    ("OBS_LIVESTREAM_NOTIFY_RECONNECT_SECONDS", "soon", "is not a number"),
    ("OBS_LIVESTREAM_NOTIFY_OPEN_MINUTES", "nan", "from 1 up to 1440 minutes"),
    ("OBS_LIVESTREAM_NOTIFY_DROPPED_PERCENT", "250", "from 1 up to 100 percent"),
])
def test_a_bad_alert_threshold_is_exit_2_naming_the_variable_before_anything_starts(cli, cli_sandbox, name, value,
                                                                                     needle):
    result = cli("go-live", "-p", "fastpix", "--title", "Class", "--obs-url", f"ws://127.0.0.1:{closed_port()}",
                 env={name: value, "OBS_LIVESTREAM_NOTIFY_URLS": "http://127.0.0.1:9/hook/TOKEN-cli"})
    _fails(result, 2, name, needle)
    assert "Traceback" not in result.stderr and "TOKEN-cli" not in result.stderr + result.stdout
    assert "Could not connect" not in result.stderr  # refused before OBS was tried


def test_good_alert_thresholds_let_the_go_live_go_on_to_obs(cli, cli_sandbox):
    env = {"OBS_LIVESTREAM_NOTIFY_RECONNECT_SECONDS": "5", "OBS_LIVESTREAM_NOTIFY_OPEN_MINUTES": " 2 ",
           "OBS_LIVESTREAM_NOTIFY_DROPPED_PERCENT": ""}
    result = cli("go-live", "-p", "fastpix", "--title", "Class", "--obs-url", f"ws://127.0.0.1:{closed_port()}",
                 env=env)
    _fails(result, 5)  # OBS does not answer there: the thresholds themselves were accepted
    assert "OBS_LIVESTREAM_NOTIFY" not in result.stderr
