"""ObsClient against the real obs-websocket 5.1 of OBS 29 (password, events, crashes)."""

from __future__ import annotations

import threading
import time

import pytest

from livestream.errors import ObsUnreachableError
from livestream.remote.client import ObsClient, ObsEvent
from livestream_headless import HeadlessObs, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def obs(module_headless_obs) -> HeadlessObs:
    return module_headless_obs()


def test_a_wrong_password_is_refused_by_obs_without_showing_it(obs: HeadlessObs) -> None:
    wrong = "not-the-password-4321"
    client = ObsClient(obs.ws_url, wrong, timeout=5)
    with pytest.raises(ObsUnreachableError) as caught:
        client.connect()
    assert "refused the password" in str(caught.value)
    assert wrong not in str(caught.value) and obs.password not in str(caught.value)
    client.close()
    with obs.client() as good:  # OBS is fine afterwards
        assert good.version()["rpcVersion"] == 1


def test_obs_not_running_is_unreachable_quickly() -> None:
    client = ObsClient(f"ws://127.0.0.1:{free_port()}", "whatever-password", timeout=10)
    started = time.monotonic()
    with pytest.raises(ObsUnreachableError, match="is OBS running"):
        client.connect()
    assert time.monotonic() - started < 1.0


def test_a_custom_event_comes_back_to_its_sender_and_callbacks_may_call_obs(obs: HeadlessObs) -> None:
    answers = []
    done = threading.Event()

    def on_custom(event: ObsEvent) -> None:
        answers.append((event.data, client.call("GetCurrentProgramScene")["currentProgramSceneName"]))
        done.set()

    with obs.client() as client:
        client.subscribe(on_custom, "CustomEvent")
        client.broadcast_custom_event({"target": "obs_livestream", "action": "ping"})
        assert done.wait(5)
    assert answers == [({"target": "obs_livestream", "action": "ping"}, obs.scene_name)]


def test_a_crash_fails_the_client_fast_and_it_reconnects_after_a_restart(headless_obs) -> None:
    obs = headless_obs()
    client = obs.client(timeout=5)
    try:
        assert client.version()["rpcVersion"] == 1
        waiter = client.expect_event("StreamStateChanged")
        obs.kill_obs()
        started = time.monotonic()
        with pytest.raises(ObsUnreachableError):
            waiter.wait(10)
        assert time.monotonic() - started < 2.0
        assert not client.connected
        obs.start()  # same home, same port
        assert client.version()["rpcVersion"] == 1
    finally:
        client.close()
