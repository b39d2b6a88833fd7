"""Armed in the script (fake OBS): the panel's checkbox, OBS's frontend events and the settings.

A start from outside (OBS's Start Streaming button here: the fake runs the same
STARTING / failed connect / STOPPED sequence real OBS does) goes live through the provider,
OBS's own start connects only to the placeholder, and the user's settings come back when the
checkbox is turned off.
"""

from __future__ import annotations

import json

from fake_obspython import FakeObsStudio
from script_harness import ORIGINAL_SERVICE, Script

from livestream.session.armed import PLACEHOLDER_SERVER
from livestream.session.recovery import UNASKED_STOP

FAKE_KEY = "fake-stream-key-0001"


def press_start_streaming(studio: FakeObsStudio) -> dict:
    """OBS's own Start Streaming: the output takes the settings as they are, then the connect
    to the placeholder's port is refused. Returns what that output was started with."""
    studio.pending.append("start")
    studio.begin_start()
    started_with = dict(studio.output.started_with)
    studio.fail_to_connect(code=-2, last_error="Connection refused")
    return started_with


def test_armed_start_from_outside_goes_live_through_the_provider_and_stop_restores(
        script: Script, studio: FakeObsStudio, backend, tmp_path):
    script.load(arm_on_start=True)
    script.tick_until(lambda: studio.service.describe()["settings"].get("server") == PLACEHOLDER_SERVER,
                      what="the placeholder in the stream settings")
    assert studio.saved_service["settings"]["server"] == PLACEHOLDER_SERVER  # in the profile too
    own = json.loads((tmp_path / "state" / "armed.json").read_text())["own"]
    assert list(own.values()) == [ORIGINAL_SERVICE]  # under the profile's name

    foreign = press_start_streaming(studio)
    assert foreign["settings"]["server"] == PLACEHOLDER_SERVER  # the user's own key never used

    script.wait_for_start_request()
    studio.start_and_connect()
    script.wait_until_live()
    assert studio.output.started_with["settings"]["key"] == FAKE_KEY
    assert backend.count("create") == 1
    assert "going live through" in studio.log_text()

    studio.stop()  # Stop Streaming (or StopStream over obs-websocket)
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
    assert backend.calls.count(("end", "s1")) == 1
    assert studio.service.describe()["settings"]["server"] == PLACEHOLDER_SERVER
    script.ticks(30)
    assert backend.count("create") == 1 and "start" not in studio.pending  # no loop

    script.panel().change("arm_on_start", False)
    script.tick_until(lambda: studio.service.describe() == ORIGINAL_SERVICE, what="the user's own settings back")
    assert studio.saved_service == ORIGINAL_SERVICE
    assert not (tmp_path / "state" / "armed.json").exists()


def test_the_checkbox_names_the_chosen_provider(script: Script):
    script.load(arm_on_start=False)
    shown = script.panel().prop("arm_on_start").description
    assert shown == "Go live through Fake Provider when OBS starts streaming"


def test_unloading_the_script_puts_the_users_settings_back(script: Script, studio: FakeObsStudio):
    script.load(arm_on_start=True)
    script.tick_until(lambda: studio.service.describe()["settings"].get("server") == PLACEHOLDER_SERVER,
                      what="the placeholder")
    script.host.unload()
    assert studio.service.describe() == ORIGINAL_SERVICE


def test_a_stop_nobody_asked_for_reaches_the_controller_as_a_failure_an_asked_one_does_not(
        script: Script, studio: FakeObsStudio, monkeypatch):
    """Recovery by itself acts on failures only: OBS giving up a reconnect sends STOPPED with no
    STOPPING before it and no last error; a stop someone asked for has STOPPING first."""
    script.load()
    seen = []
    real = script.app.controller.streaming_stopped
    monkeypatch.setattr(script.app.controller, "streaming_stopped", lambda error=None: (seen.append(error),
                                                                                          real(error)))
    script.go_live()
    studio.stop(code=-4)  # OBS_OUTPUT_DISCONNECTED after the last reconnect try
    script.tick_until(lambda: script.state in ("ended", "failed"), what="the end")
    script.go_live()
    studio.stop()  # Stop Streaming: STOPPING, then STOPPED
    script.tick_until(lambda: script.state in ("ended", "failed"), what="the end")
    assert seen == [UNASKED_STOP, None]
