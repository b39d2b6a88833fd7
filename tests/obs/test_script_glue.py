"""The OBS script as a user meets it: the panel, the buttons, the hotkeys, OBS's events.

``obs_livestream.py`` is loaded into a fake OBS (``fake_obspython``) with the fake
provider registered as "fake". The go-live worker is a real thread, so the tests
tick the script's timer until what the user would see has happened.
"""

from __future__ import annotations

import json
import sys
import threading

import pytest
from fake_obspython import CONSTANTS, DEFER_THREAD, FakeObsStudio, ScriptHost
from script_harness import ORIGINAL_SERVICE, SCRIPT, Script

GO_LIVE = "obs_livestream.go_live"
PREPARE = "obs_livestream.prepare"
END_STREAM = "obs_livestream.end_stream"
FAKE_SERVER = "rtmp://ingest.fake.invalid/live"
FAKE_KEY = "fake-stream-key-0001"
PLAYBACK = "https://play.fake.invalid/s1.m3u8"


def custom_service() -> dict:
    return {"type": "rtmp_custom", "settings": {"server": FAKE_SERVER, "key": FAKE_KEY}}


def ledger_entries(tmp_path) -> list:
    """The script's ledger of provider streams, as on disk."""
    path = tmp_path / "state" / "ledger.json"
    return json.loads(path.read_text())["entries"] if path.exists() else []


def open_entry(tmp_path):
    """The one entry the script would resume at its next load, or None."""
    entries = [e for e in ledger_entries(tmp_path) if e["state"] == "open" or e["restore_pending"]]
    assert len(entries) <= 1
    return entries[0] if entries else None


# --- loading and the panel -------------------------------------------------------


def test_loading_registers_a_timer_frontend_events_and_three_hotkeys(script: Script, studio: FakeObsStudio):
    script.load()

    kinds = [cb.kind for cb in studio.callbacks if not cb.removed]
    assert kinds.count("timer") == 1
    assert kinds.count("event") == 1
    names = sorted(h["name"] for h in studio.hotkeys.values())
    assert names == sorted([GO_LIVE, PREPARE, END_STREAM])
    assert "TP Streams" in script.host.description()


def test_panel_lists_providers_and_shows_only_the_chosen_providers_fields(script: Script):
    script.load(provider="tpstreams", use_env=False)
    panel = script.panel()

    assert ("TP Streams", "tpstreams") in panel.list_items("provider")
    assert ("FastPix", "fastpix") in panel.list_items("provider")
    for button in ("go_live", "prepare", "end_stream", "test_credentials"):
        assert panel.shown(button)
    assert panel.shown("tp_org_id") and panel.shown("tp_api_token")
    assert not panel.shown("fp_token_id") and not panel.shown("fp_secret_key")
    assert panel.shown("tp_options") and not panel.shown("fp_options")
    assert panel.prop("tp_api_token").extra["text_type"] == CONSTANTS["OBS_TEXT_PASSWORD"]

    assert panel.change("provider", "fastpix") is True  # exactly True: OBS refreshes the panel
    assert panel.refreshes == 1
    assert panel.shown("fp_token_id") and panel.shown("fp_secret_key")
    assert not panel.shown("tp_org_id") and not panel.shown("tp_api_token")
    assert panel.shown("fp_options") and not panel.shown("tp_options")
    assert script.app.config.provider == "fastpix"  # script_update saw the change

    assert panel.change("use_env", True) is True
    assert not panel.shown("fp_token_id") and not panel.shown("fp_secret_key")

    assert panel.change("mode", "existing") is True
    assert panel.shown("stream_id") and not panel.shown("title")


# --- going live -----------------------------------------------------------------


def test_go_live_button_creates_the_stream_fills_in_obs_and_goes_live(script: Script, studio: FakeObsStudio,
                                                                     backend):
    script.load()
    panel = script.panel()

    assert panel.click("go_live") is True
    script.wait_for_start_request()

    assert backend.calls[0] == ("create", "Data science live class")
    assert studio.service.describe() == custom_service()
    assert studio.saved_service == custom_service()  # written to the profile's service.json
    assert studio.start_requests == 1
    assert studio.streaming is False  # only asked: OBS answers with events
    assert script.status.startswith("Starting OBS streaming")

    studio.begin_start()
    assert studio.output.started_with == custom_service()  # what the RTMP output connects with
    studio.connected()
    script.wait_until_live()

    assert PLAYBACK in studio.log_text()
    assert backend.count("end") == 0


def test_the_session_is_published_for_obs_websocket_clients(script: Script, studio: FakeObsStudio):
    script.load()
    script.go_live()

    published = studio.persistent_data()["obs_livestream_session"]  # GetPersistentData, profile realm
    assert published["state"] == "live"
    assert published["playback_url"] == PLAYBACK
    assert published["status_line"].startswith("Live")

    studio.stop()
    script.tick_until(lambda: studio.persistent_data()["obs_livestream_session"]["state"] == "ended",
                      what="the published end")


def test_go_live_hotkey_fills_in_obs_and_starts_streaming(script: Script, studio: FakeObsStudio, backend):
    script.load()

    studio.trigger_hotkey(GO_LIVE)  # obs-websocket TriggerHotkeyByName: press, then release
    script.wait_for_start_request()

    assert backend.count("create") == 1
    assert studio.service.describe() == custom_service()
    studio.start_and_connect()
    script.wait_until_live()
    script.ticks(5)
    assert backend.count("create") == 1
    assert studio.start_requests == 1


def test_releasing_the_go_live_hotkey_does_nothing(script: Script, studio: FakeObsStudio, backend):
    script.load()

    studio.hotkey_event(GO_LIVE, False)
    script.ticks(20)

    assert backend.calls == []
    assert studio.start_requests == 0
    assert studio.service.describe() == ORIGINAL_SERVICE


def test_prepare_hotkey_fills_in_settings_without_starting(script: Script, studio: FakeObsStudio, backend):
    script.load()

    studio.trigger_hotkey(PREPARE)
    script.tick_until(lambda: script.status.startswith("Ready"), what="Ready")

    assert studio.service.describe() == custom_service()
    assert studio.saved_service == custom_service()
    script.ticks(10)
    assert studio.start_requests == 0

    # Go live afterwards starts OBS with the prepared stream: no second create.
    studio.trigger_hotkey(GO_LIVE)
    script.wait_for_start_request()
    studio.start_and_connect()
    script.wait_until_live()
    assert backend.count("create") == 1


def test_stopping_in_obs_ends_the_provider_stream_once_and_restores_previous_settings(
        script: Script, studio: FakeObsStudio, backend):
    script.load()
    script.go_live()

    studio.stop()  # the user presses Stop Streaming in OBS
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")

    assert backend.calls.count(("end", "s1")) == 1
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.saved_service == ORIGINAL_SERVICE
    script.ticks(20)
    assert backend.count("end") == 1
    assert studio.stop_requests == 0


def test_end_stream_button_while_live_stops_streaming_and_ends_the_provider_stream(
        script: Script, studio: FakeObsStudio, backend):
    script.load()
    script.go_live()

    script.panel().click("end_stream")
    script.tick_until(lambda: "stop" in studio.pending, what="a stop request to OBS")
    assert backend.count("end") == 0  # OBS stops first; the stream ends after STOPPED

    studio.stop()
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
    assert backend.calls.count(("end", "s1")) == 1
    assert studio.service.describe() == ORIGINAL_SERVICE


def test_end_stream_hotkey_while_live_ends_the_stream(script: Script, studio: FakeObsStudio, backend):
    script.load()
    script.go_live()

    studio.trigger_hotkey(END_STREAM)
    script.tick_until(lambda: "stop" in studio.pending, what="a stop request to OBS")
    studio.stop()
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
    assert backend.count("end") == 1


def test_open_player_button_opens_the_playback_url(script: Script, monkeypatch: pytest.MonkeyPatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    script.load()
    script.go_live()

    assert script.panel().click("open_player") is False
    assert opened == [PLAYBACK]


# --- refusals ---------------------------------------------------------------------


def test_missing_title_shows_an_error_and_creates_nothing(script: Script, studio: FakeObsStudio, backend):
    script.load(title="   ")

    script.panel().click("go_live")
    script.ticks(10)

    assert "Enter a title" in script.status
    assert script.panel().prop("status").info_type == CONSTANTS["OBS_TEXT_INFO_ERROR"]  # shown in red
    assert backend.calls == []
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.start_requests == 0


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"provider": "tpstreams", "use_env": False}, "No TP Streams credentials entered"),
        ({"provider": "tpstreams", "use_env": True}, "TP Streams credentials are missing"),
        ({"provider": "fastpix", "use_env": False, "fp_token_id": "only-the-id"},
         "The FastPix credentials are incomplete"),
        ({"provider": "fake", "use_env": False}, "No Fake Provider credentials entered"),
    ],
)
def test_missing_credentials_show_an_error_and_create_nothing(script: Script, studio: FakeObsStudio, backend,
                                                              settings, expected):
    script.load(**settings)

    assert script.panel().click("go_live") is True
    script.ticks(10)

    assert expected in script.status
    assert backend.calls == []
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.start_requests == 0
    assert expected in studio.log_text()


def test_a_linked_account_is_refused_with_disconnect_account_advice(script: Script, studio: FakeObsStudio,
                                                                   backend):
    studio.profile.sections["Auth"] = {"Type": "Twitch"}
    script.load()

    script.panel().click("go_live")
    script.tick_until(lambda: "Twitch" in script.status, what="the linked-account refusal")

    assert "Disconnect Account" in script.status
    assert backend.calls == []
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.start_requests == 0


OBS_30_2, OBS_32 = (30 << 24) | (2 << 16) | 3, (32 << 24) | (2 << 16) | 2


@pytest.mark.parametrize("version", [OBS_30_2, OBS_32])
def test_enhanced_broadcasting_is_refused_in_obs_30_2_and_later(script: Script, studio: FakeObsStudio, backend,
                                                                version: int):
    studio.version = version  # OBS 32 names the profile in user.ini, 30.2 in global.ini
    studio.profile.sections["Stream1"] = {"EnableMultitrackVideo": "true"}
    script.load()

    studio.trigger_hotkey(GO_LIVE)
    script.tick_until(lambda: "Enhanced Broadcasting" in script.status, what="the multitrack refusal")

    assert "Settings > Stream" in script.status
    assert backend.calls == []
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.start_requests == 0


def test_a_multitrack_setting_left_by_a_newer_obs_does_not_block_obs_29(script: Script, studio: FakeObsStudio):
    studio.profile.sections["Stream1"] = {"EnableMultitrackVideo": "true"}  # 29.0 has no such output
    script.load()
    script.go_live()
    assert studio.streaming


def test_a_linked_account_in_an_obs_32_profile_is_found_through_user_ini(script: Script, studio: FakeObsStudio,
                                                                         backend):
    studio.version = OBS_32
    studio.profile.sections["Auth"] = {"Type": "Twitch"}
    script.load()

    studio.trigger_hotkey(GO_LIVE)
    script.tick_until(lambda: "Twitch" in script.status, what="the linked-account refusal")
    assert backend.calls == []


def test_go_live_is_refused_while_obs_is_already_streaming(script: Script, studio: FakeObsStudio, backend):
    studio.streaming = True  # the user streams to their own service already
    script.load()

    studio.trigger_hotkey(GO_LIVE)
    script.tick_until(lambda: "already streaming" in script.status, what="the refusal")

    assert backend.calls == []
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.start_requests == 0


# --- OBS's side going wrong ----------------------------------------------------------


def test_a_connect_failure_ends_the_provider_stream_and_restores_settings(script: Script, studio: FakeObsStudio,
                                                                         backend):
    script.load()
    script.panel().click("go_live")
    script.wait_for_start_request()

    studio.begin_start()
    studio.fail_to_connect(code=-2)  # "stop" with OBS_OUTPUT_CONNECT_FAILED, then STOPPED only
    # Until the flow has settled: the end call is counted before its answer is handled.
    script.tick_until(lambda: backend.count("end") == 1 and script.state == "failed",
                      what="the stream to be ended after the failed connect")

    assert "STREAMING_STARTED" not in studio.events_fired
    assert backend.calls.count(("end", "s1")) == 1
    assert studio.service.describe() == ORIGINAL_SERVICE
    assert studio.saved_service == ORIGINAL_SERVICE
    assert "Could not connect to server" in script.status  # OBS's own words (obs_output_get_last_error)


def test_reconnecting_does_not_end_the_provider_stream(script: Script, studio: FakeObsStudio, backend):
    script.load()
    script.go_live()

    studio.lose_connection()  # output "reconnect"; no frontend event, OBS retries by itself
    script.tick_until(lambda: "reconnecting" in script.status, what="the reconnecting status")
    script.ticks(30)
    assert backend.count("end") == 0
    assert script.state == "live"

    studio.reconnected()
    script.tick_until(lambda: script.status.startswith("Live"), what="Live again")
    assert backend.count("end") == 0

    # The connection drops for good: OBS gives up, "stop" (disconnected), STOPPED.
    studio.lose_connection()
    studio.stop(code=-5)
    script.tick_until(lambda: backend.count("end") == 1, what="the stream to be ended")
    script.tick_until(lambda: studio.service.describe() == ORIGINAL_SERVICE, what="settings restored")


# --- exit, reload, recovery --------------------------------------------------------


def test_obs_exit_while_live_ends_the_provider_stream(script: Script, studio: FakeObsStudio, backend, tmp_path):
    script.load(end_on_exit=True)
    script.go_live()
    assert open_entry(tmp_path)["stream_id"] == "s1"

    script.host.exit_obs()  # SCRIPTING_SHUTDOWN, then the script is destroyed; no STOPPED

    assert backend.calls.count(("end", "s1")) == 1
    # OBS still streams while scripts shut down, so it will not take the old settings
    # back yet: the entry is ended, and marked to restore them at the next start.
    entry = open_entry(tmp_path)
    assert (entry["state"], entry["restore_pending"]) == ("ended", True)
    assert "on exit" in studio.log_text()


def test_obs_exit_while_live_keeps_the_stream_when_told_to(script: Script, studio: FakeObsStudio, backend,
                                                           tmp_path):
    script.load(end_on_exit=False)
    script.go_live()

    script.host.exit_obs()

    assert backend.count("end") == 0
    assert open_entry(tmp_path)["state"] == "open"  # offered again at the next start


def test_obs_exit_while_live_puts_the_previous_stream_settings_back(script: Script, studio: FakeObsStudio,
                                                                    backend, tmp_path):
    script.load(end_on_exit=True)
    script.go_live()

    script.host.exit_obs()
    studio.stop()  # OBS closes its output after the scripts are gone

    script.host.load()  # the next start of OBS
    script.tick_until(lambda: studio.service.describe() == ORIGINAL_SERVICE, what="settings restored")
    script.tick_until(lambda: "Restored your stream settings" in script.status, what="the restore notice")
    assert open_entry(tmp_path) is None
    assert backend.calls.count(("end", "s1")) == 1  # not ended twice


def test_reload_while_live_keeps_the_stream_and_recovers_as_live(script: Script, studio: FakeObsStudio, backend,
                                                                 tmp_path):
    script.load()
    script.go_live()

    script.host.reload()  # Tools > Scripts > Reload: script_unload, re-import, load

    assert backend.count("end") == 0
    assert open_entry(tmp_path)["stream_id"] == "s1"
    script.tick_until(lambda: script.status.startswith("Live (recovered"), what="the recovered Live status")
    assert backend.count("end") == 0

    # The recovered session still ends the stream and restores settings when OBS stops.
    studio.stop()
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
    assert backend.calls.count(("end", "s1")) == 1
    assert studio.service.describe() == ORIGINAL_SERVICE


def test_reload_while_live_still_sees_reconnects(script: Script, studio: FakeObsStudio, backend):
    script.load()
    script.go_live()
    script.host.reload()
    script.tick_until(lambda: script.status.startswith("Live (recovered"), what="recovered")

    studio.lose_connection()
    script.tick_until(lambda: "reconnecting" in script.status, what="the reconnecting status")
    assert backend.count("end") == 0


@pytest.mark.parametrize("button", ["end_stream", "go_live"])
def test_a_stream_left_open_is_offered_for_resume_or_end_at_next_load(script: Script, studio: FakeObsStudio,
                                                                      backend, button):
    script.load()
    script.go_live()
    script.host.unload()  # e.g. a scene-collection switch...
    studio.stop()  # ...and OBS stopped streaming while no script was loaded
    assert backend.count("end") == 0

    script.host.load()
    script.tick_until(lambda: "resume" in script.status and "End stream" in script.status,
                      what="the resume-or-end offer")

    script.panel().click(button)
    if button == "end_stream":
        script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")
        assert backend.calls.count(("end", "s1")) == 1
        assert studio.service.describe() == ORIGINAL_SERVICE
    else:
        script.wait_for_start_request()
        assert studio.service.describe() == custom_service()
        studio.start_and_connect()
        script.wait_until_live()
        assert backend.count("create") == 1 and backend.count("end") == 0


def test_script_save_stores_hotkey_bindings_and_load_restores_them(script: Script, studio: FakeObsStudio):
    script.load()
    studio.bind_hotkey(GO_LIVE, "OBS_KEY_F9")

    saved = script.host.save()

    assert saved["hotkey_go_live"] == [{"key": "OBS_KEY_F9"}]
    assert saved["hotkey_prepare"] == [] and saved["hotkey_end_stream"] == []

    script.host.reload()
    assert studio.hotkey_by_name(GO_LIVE)["bindings"] == ["OBS_KEY_F9"]
    assert studio.hotkey_by_name(PREPARE)["bindings"] == []


# --- secrets and threads ---------------------------------------------------------------


def test_secrets_never_reach_the_script_log_or_the_panel(script: Script, studio: FakeObsStudio, backend):
    token, secret_key = "tp-secret-token-5551234", "fp-secret-key-7778889"
    script.load(tp_org_id="org1", tp_api_token=token, fp_token_id="id1", fp_secret_key=secret_key)
    script.go_live()
    studio.stop()
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")

    # A provider error that quotes secrets (as an HTTP library's message might).
    error_cls = sys.modules["livestream.errors"].AuthenticationError  # the script's own import
    backend.fail["create"] = error_cls(
        f"401 from https://api.invalid/?token={token}&secret={secret_key}&key={FAKE_KEY}&old=live_user_own_key_0042"
    )
    script.panel().click("go_live")
    script.tick_until(lambda: script.state == "failed", what="the failure")
    script.ticks(3)

    saved = script.host.save()  # the scene collection (credential fields hold secrets by design)
    shown = [text for _, text in studio.log] + [script.status]
    shown += [str(saved.get(name, "")) for name in ("status", "playback_url", "chat_url")]
    shown += [json.dumps(studio.persistent_data())]  # what obs-websocket clients read
    for secret in (token, secret_key, FAKE_KEY, "live_user_own_key_0042"):
        leaked = [line for line in shown if secret in line]
        assert leaked == [], f"{secret!r} shown in {leaked}"
    assert "401 from" in script.status  # the error itself is still shown


def test_no_obspython_call_happens_off_obs_threads(script: Script, studio: FakeObsStudio, backend):
    script.load()

    studio.trigger_hotkey(GO_LIVE)
    script.wait_for_start_request()
    studio.start_and_connect()
    script.wait_until_live()
    studio.lose_connection()
    studio.reconnected()
    script.panel().click("refresh_status")
    script.tick_until(lambda: backend.count("get") >= 1, what="a status check")
    studio.trigger_hotkey(END_STREAM)
    script.tick_until(lambda: "stop" in studio.pending, what="a stop request")
    studio.stop()
    script.tick_until(lambda: script.status.startswith("Ended"), what="Ended")

    main = threading.current_thread().name
    provider_threads = {name for _, name in backend.threads}
    assert provider_threads and main not in provider_threads  # the provider ran on the worker
    assert DEFER_THREAD not in provider_threads  # a hotkey acts at once, but never on the network
    assert studio.off_main_calls() == []
    # Nothing at all on the output's thread: the script connects no output signal handlers.
    assert {c.thread.name for c in studio.calls} <= {main, DEFER_THREAD}
    assert not any(c.name.startswith("signal_handler_") for c in studio.calls)


# --- missing dependencies ---------------------------------------------------------------


class _BlockPydantic:
    """A meta-path finder that makes pydantic look uninstalled."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in ("pydantic", "pydantic_core"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def test_missing_pydantic_shows_one_message_with_the_pip_command(studio: FakeObsStudio,
                                                                  monkeypatch: pytest.MonkeyPatch, capsys):

    for name in [n for n in sys.modules if n.split(".")[0] in ("pydantic", "pydantic_core")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_BlockPydantic(), *sys.meta_path])

    host = ScriptHost(studio, SCRIPT)
    host.load()  # no exception
    try:
        description = host.description()
        panel = host.panel()
        host.save()

        assert "pydantic" in description and "pip install" in description
        assert panel.names() == ["missing"]
        message = panel.prop("missing").description
        assert "pydantic" in message and "pip install" in message
        assert panel.prop("missing").info_type == CONSTANTS["OBS_TEXT_INFO_ERROR"]
        assert "pip install" in capsys.readouterr().out  # print() goes to the script log in OBS
        assert [cb for cb in studio.callbacks if not cb.removed] == []
    finally:
        host.unload()


# --- panel tasks on the worker ------------------------------------------------------------


def test_test_credentials_button_reports_the_providers_answer(script: Script, backend):
    script.load()

    assert script.panel().click("test_credentials") is True
    script.tick_until(lambda: "accepted the credentials" in script.status, what="the credentials check")
    assert backend.count("check_credentials") == 1


def test_test_credentials_button_shows_a_rejection(script: Script, backend):
    script.load()
    backend.fail["check_credentials"] = sys.modules["livestream.errors"].AuthenticationError(
        "Fake Provider rejected the token", hint="check the API token")

    script.panel().click("test_credentials")
    script.tick_until(lambda: "rejected the token" in script.status, what="the rejection")


def test_refresh_list_offers_the_scheduled_streams(script: Script, backend):
    script.load(mode="scheduled")
    backend.key_after_polls = None  # scheduled streams have no ingest until started
    not_started = sys.modules["livestream.models"].StreamStatus.NOT_STARTED
    backend.streams["s9"] = {"title": "Monday class", "status": not_started, "polls": 0}

    panel = script.panel()
    assert panel.shown("scheduled_id") and panel.shown("refresh_scheduled") and not panel.shown("title")
    panel.click("refresh_scheduled")
    script.tick_until(lambda: "1 scheduled stream(s) found" in script.status, what="the list")

    assert ("Monday class", "s9") in script.panel().list_items("scheduled_id")
    # The open panel (not rebuilt) shows them at its next refresh, e.g. the next click.
    panel.click("refresh_scheduled")
    assert ("Monday class", "s9") in panel.list_items("scheduled_id")


@pytest.mark.parametrize("settings", [
    {"provider": "tpstreams", "use_env": False, "tp_org_id": "org1", "tp_api_token": "tok-Vb8nM3kQ\nline-2"},
    {"provider": "fastpix", "use_env": False, "fp_token_id": "id-1", "fp_secret_key": "key-Vb8nM3kQ-\u20ac"},
])
def test_a_credential_that_cannot_be_sent_is_refused_without_showing_it(script: Script, studio: FakeObsStudio,
                                                                        backend, settings):
    script.load(**settings)

    script.panel().click("go_live")
    script.ticks(10)

    assert "credentials cannot be used" in script.status
    assert "Vb8nM3kQ" not in script.status and "Vb8nM3kQ" not in studio.log_text()
    assert "Traceback" not in studio.log_text()
    assert backend.calls == []
    assert studio.service.describe() == ORIGINAL_SERVICE


def test_picking_srt_for_mux_warns_in_the_panel_and_the_log(script: Script, studio: FakeObsStudio):
    """Mux's SRT stream id is the stream key, and OBS logs it when an SRT connection fails."""
    script.load(provider="mux", mux_protocol="srt")
    assert "stream id is the stream key" in script.status and "pick RTMPS" in script.status, script.status
    script.ticks(5)  # the timer hands the script's log lines to OBS
    assert "stream id is the stream key" in studio.log_text()
