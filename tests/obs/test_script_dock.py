"""The status dock inside the (fake) OBS: the script serves it while loaded, feeds it from
the timer, its buttons act from the server's own thread, and it stops on unload.

The conftest fails any test in which obspython is called from a thread other than OBS's.
"""

from __future__ import annotations

import sys
import threading
import time

from fake_obspython import FakeObsStudio
from script_harness import Script


def dock(script: Script):
    return script.app.dock


def view(script: Script) -> dict:
    return dock(script).feed.latest()[1]


def press_from_server_thread(script: Script, action: str) -> None:
    """What the dock's HTTP handler does for a button, on a thread that is not OBS's."""
    worker = threading.Thread(target=dock(script).server.actions[action], name="obs-livestream-dock-request")
    worker.start()
    worker.join(5)


def test_the_dock_serves_while_loaded_and_its_url_is_a_secret_in_the_log(script: Script, studio: FakeObsStudio):
    script.load()
    script.ticks(2)
    url = dock(script).url
    assert url is not None and url.startswith("http://127.0.0.1:")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token in sys.modules["livestream.secrets"].registered()  # the script's own import of it
    assert token not in studio.log_text()
    assert view(script)["state"] == "idle" and view(script)["can"]["go_live"] is True

    script.panel()  # OBS builds the panel: it shows the URL, as a default value
    assert script.host.settings.get("dock_url") == url
    assert "dock_url" not in script.host.settings.user_values()  # so the saved collection has no token

    script.host.unload()
    assert dock_stopped(url)


def dock_stopped(url: str) -> bool:
    import socket

    port = int(url.split(":")[2].split("/")[0])
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.1", port))  # free again: nothing listens there any more
        return True
    except OSError:
        return False
    finally:
        probe.close()


def test_the_dock_buttons_drive_the_go_live_from_the_servers_thread(script: Script, studio: FakeObsStudio):
    script.load()
    script.ticks(2)

    press_from_server_thread(script, "go_live")
    script.wait_for_start_request()
    studio.start_and_connect()
    script.wait_until_live()
    script.tick_until(lambda: view(script)["state"] == "live", what="the dock to show live")
    shown = view(script)
    assert shown["provider"] and shown["stream_id"] == "s1"
    assert [step["state"] for step in shown["history"]] == ["creating", "waiting_for_ingest", "ready",
                                                            "starting", "live"]
    assert shown["can"] == {"go_live": False, "prepare": False, "end": True}

    # OBS's output counters become the health the dock shows, about once a second.
    studio.output.total_frames, studio.output.frames_dropped = 300, 3
    started = time.monotonic()
    while True:
        studio.output.total_bytes = int((time.monotonic() - started) * 250_000)  # 2000 kb/s
        script.ticks(1)
        health = view(script)["health"]
        if health and health["bitrate_kbps"]:
            break
        assert time.monotonic() - started < 5, view(script)
        time.sleep(0.05)
    assert 1500 < health["bitrate_kbps"] < 2500
    assert health["dropped_frames"] == 3 and health["dropped_percent"] == 1.0

    press_from_server_thread(script, "end")
    script.tick_until(lambda: "stop" in studio.pending, what="a stop request to OBS")
    studio.stop()
    script.tick_until(lambda: view(script)["state"] == "ended", what="the dock to show ended")


def test_a_dock_button_with_an_incomplete_panel_shows_what_to_fill_in(script: Script):
    script.load(title="")
    script.ticks(2)
    press_from_server_thread(script, "go_live")
    script.tick_until(lambda: view(script).get("notice"), what="the dock to show the notice")
    assert "title" in view(script)["notice"]["text"].lower() and view(script)["notice"]["level"] == "error"
    assert view(script)["state"] == "idle"


def test_a_reload_serves_the_same_url_again(script: Script):
    script.load()
    script.ticks(2)
    url = dock(script).url
    script.host.reload()
    script.ticks(2)
    assert dock(script).url == url  # the Custom Browser Dock the user added keeps working


def test_the_dock_lists_earlier_streams_still_open_when_given_them(script: Script):
    script.load()
    dock(script).open_streams = lambda: [{"provider": "fastpix", "stream_id": "f9", "title": "Old",
                                          "state": "ready", "last_error": None}]
    script.tick_until(lambda: view(script).get("open_streams"), timeout=3, what="the open streams")
    assert view(script)["open_streams"][0]["stream_id"] == "f9"


def test_a_stream_whose_end_failed_shows_in_the_dock_and_the_panel_until_it_is_ended(
        script: Script, studio: FakeObsStudio, backend):
    script.load()
    script.go_live()
    unavailable = sys.modules["livestream.errors"].ProviderServerError
    backend.fail["end"] = [unavailable("The provider failed (503)")] * 3  # every in-session attempt
    studio.stop()
    script.tick_until(lambda: script.state == "failed", timeout=15, what="the failed end")
    script.tick_until(lambda: view(script).get("open_streams"), timeout=3, what="the open stream in the dock")
    [shown] = view(script)["open_streams"]
    assert (shown["stream_id"], shown["state"], shown["provider"]) == ("s1", "end-failed", "Fake Provider")
    assert "1 earlier stream still open on Fake Provider" in script.app.pending_line()
    panel = script.panel()
    assert "end_all" in panel.names()  # the panel offers "End all open streams"
    assert "earlier stream still open" in panel.text("open_streams")

    backend.fail["end"] = []  # the provider is back: the next retry (5 s) ends it
    script.tick_until(lambda: not view(script).get("open_streams"), timeout=10, what="the stream ended")
    assert script.app.pending_line() == ""


def test_the_dock_and_the_panel_say_how_fresh_the_provider_status_is(script: Script, studio: FakeObsStudio):
    script.load()
    script.go_live()
    script.tick_until(lambda: view(script)["state"] == "live" and view(script)["provider_status"],
                      what="the dock to show the provider's status")
    shown = view(script)
    assert shown["provider_status_age"] is not None and shown["provider_status_age"] >= 0
    assert "status_read_at" not in shown  # the page gets the age, not a clock reading
    provider = script.app.controller.snapshot.provider
    assert f"| {provider}: {shown['provider_status']}, " in script.status and script.status.endswith(" s ago")
