"""OBS's entry points (``script_*``) and every callback OBS calls, as plain functions.

OBS looks the ``script_*`` functions up by name on ``obs_livestream.py``, which
re-exports this module; and it accepts only plain functions as callbacks (no bound
methods, no partials: its ``PyFunction_Check`` in
https://github.com/obsproject/obs-studio/blob/29.0.2/deps/obs-scripting/obs-scripting-python.c
ignores anything else silently). Each one hands over to the ``ScriptApp``.

If requests or pydantic cannot be imported by OBS's Python, the script still loads
and its panel shows one message with the command that fixes it, not a traceback.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from typing import Any, Callable, Optional

import obspython as obs

from .. import memtrace, vendor

_HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _missing_dependencies() -> Optional[str]:
    missing = []
    for module in ("requests", "pydantic"):
        try:
            __import__(module)
        except Exception:  # ImportError, or a compiled module built for another Python
            missing.append(module)
    if not missing:
        return None
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    bundle_advice = vendor.advice(vendor.available(_HERE), vendor.current())
    if bundle_advice:  # a release bundle with no vendored folder for this Python
        return f"obs-livestream needs {' and '.join(missing)}. {bundle_advice}"
    requirements = os.path.join(_HERE, "requirements.txt")
    return (
        f"obs-livestream needs {' and '.join(missing)} in OBS's Python {version}. "
        f"Install them with that exact Python: python{version} -m pip install --user -r \"{requirements}\" "
        f"(Linux: or run 'bash scripts/setup' in \"{_HERE}\", which builds a .venv OBS picks up), "
        "then restart OBS."
    )


MISSING = _missing_dependencies()
app: Any = None  # the ScriptApp while loaded

if MISSING is None:
    from . import panel
    from .app import HOTKEYS, TICK_MS, ScriptApp


def _provider_names() -> str:
    """The registered providers' names ("TP Streams or FastPix"), or a general word when the
    dependencies are missing (the registry cannot be loaded then)."""
    try:
        from .. import providers

        names = [cls.display_name for cls in providers.all_providers()]
    except ImportError:
        return "your streaming provider"
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def script_description() -> str:
    text = (
        f"<b>obs-livestream</b>: go live on {_provider_names()} with one press. "
        "It creates the live stream, waits for the ingest, fills in OBS's stream settings, "
        "starts streaming, ends the provider stream when you stop and restores your settings."
    )
    if MISSING:
        text += f"<br><br><span style='color:#e04040'>{MISSING}</span>"
    return text


def script_defaults(settings: Any) -> None:
    if MISSING is None:
        panel.set_defaults(settings)


def script_properties() -> Any:
    if MISSING is not None:
        props = obs.obs_properties_create()
        prop = obs.obs_properties_add_text(props, "missing", MISSING, obs.OBS_TEXT_INFO)
        obs.obs_property_text_set_info_type(prop, obs.OBS_TEXT_INFO_ERROR)
        return props
    if app is not None:
        app.write_status()
        if app.settings is not None:
            panel.show_dock(app.settings, app.dock.url)
    status = app.status() if app else ("", "info")
    scheduled = app.scheduled if app else []
    props = panel.build(CALLBACKS, status, scheduled, app.pending_line() if app else "",
                        app.ledger.write_problem if app else None)
    if app is not None and app.settings is not None:
        panel.apply_visibility(props, app.settings)
    if app is not None:
        panel.fill_timetable(props, app.schedule.upcoming())
    return props


def script_load(settings: Any) -> None:
    global app
    if MISSING is not None:
        print(MISSING)
        return
    memtrace.start()  # debugging memory growth only: off unless its variable is set
    app = ScriptApp(settings)
    app.update(panel.read_config(settings))
    obs.timer_add(_on_tick, TICK_MS)
    obs.obs_frontend_add_event_callback(_on_frontend_event)
    for key, (name, description) in HOTKEYS.items():
        hotkey_id = obs.obs_hotkey_register_frontend(name, description, HOTKEY_CALLBACKS[key])
        saved = obs.obs_data_get_array(settings, f"hotkey_{key}")
        obs.obs_hotkey_load(hotkey_id, saved)
        obs.obs_data_array_release(saved)
        app.hotkey_ids[key] = hotkey_id


def script_update(settings: Any) -> None:
    if app is not None:
        app.settings = settings
        app.update(panel.read_config(settings))


def script_save(settings: Any) -> None:
    if app is None:
        return
    for key, hotkey_id in app.hotkey_ids.items():
        array = obs.obs_hotkey_save(hotkey_id)
        obs.obs_data_set_array(settings, f"hotkey_{key}", array)
        obs.obs_data_array_release(array)


def script_unload() -> None:
    """Reload, scene-collection switch or exit: OBS removes our timers and callbacks
    itself; we stop our thread and keep the record so the next load can resume."""
    global app
    if app is not None:
        app.shutdown(end_stream=False)
        app = None
        memtrace.dump("unload")


# --- callbacks (plain functions) ---------------------------------------------


def _on_tick() -> None:
    if app is not None:
        app.tick()


def _on_frontend_event(event: int) -> None:
    if app is not None:
        app.on_frontend_event(event)


def _hk_go_live(pressed: bool) -> None:
    # obs-websocket's TriggerHotkeyByName sends press then release: act on press only.
    if pressed and app is not None:
        app.go_live(origin="hotkey")
        app.act_now()


def _hk_prepare(pressed: bool) -> None:
    if pressed and app is not None:
        app.go_live(start_streaming=False, origin="hotkey")
        app.act_now()


def _hk_end_stream(pressed: bool) -> None:
    if pressed and app is not None:
        app.end_stream()
        app.act_now()


def _btn_go_live(props: Any, prop: Any) -> bool:
    app.go_live()
    app.act_now()
    app.write_status()
    return True  # only an exact True refreshes the panel


def _btn_prepare(props: Any, prop: Any) -> bool:
    app.go_live(start_streaming=False)
    app.act_now()
    app.write_status()
    return True


def _btn_end_stream(props: Any, prop: Any) -> bool:
    app.end_stream()
    app.act_now()
    app.write_status()
    return True


def _btn_end_all(props: Any, prop: Any) -> bool:
    app.end_all()
    app.write_status()
    return True


def _btn_refresh_status(props: Any, prop: Any) -> bool:
    app.refresh_status()
    app.write_status()
    panel.set_status(props, app.status()[1])
    return True


def _btn_test_credentials(props: Any, prop: Any) -> bool:
    app.test_credentials()
    app.write_status()
    return True


def _btn_notify_test(props: Any, prop: Any) -> bool:
    app.send_test_notification()
    app.write_status()
    return True


def _btn_refresh_scheduled(props: Any, prop: Any) -> bool:
    panel.fill_scheduled(props, app.scheduled)  # what the last fetch found; the next one starts now
    app.fetch_scheduled()
    app.write_status()
    return True


def _btn_schedule(props: Any, prop: Any) -> bool:
    app.schedule.schedule_from_panel()
    app.write_status()
    return True


def _btn_schedule_cancel(props: Any, prop: Any) -> bool:
    app.schedule.cancel()
    app.write_status()
    return True


def _btn_timetable(action: str) -> Callable[[Any, Any], bool]:
    def clicked(props: Any, prop: Any) -> bool:
        app.schedule.timetable_picked(action)
        panel.fill_timetable(props, app.schedule.upcoming())
        app.write_status()
        return True

    return clicked


def _btn_open_player(props: Any, prop: Any) -> bool:
    url = app.controller.snapshot.playback_url
    if url:
        webbrowser.open(url)
    return False


def _btn_open_chat(props: Any, prop: Any) -> bool:
    url = app.controller.snapshot.chat_url
    if url:
        webbrowser.open(url)
    return False


def _btn_open_dock(props: Any, prop: Any) -> bool:
    if app.dock.url:
        webbrowser.open(app.dock.url)
    return False


def _on_changed(props: Any, prop: Any, settings: Any) -> bool:
    panel.apply_visibility(props, settings)
    if app is not None:
        panel.fill_scheduled(props, app.scheduled)
        panel.fill_timetable(props, app.schedule.upcoming())
    return True


CALLBACKS = {
    "go_live": _btn_go_live,
    "prepare": _btn_prepare,
    "end_stream": _btn_end_stream,
    "end_all": _btn_end_all,
    "refresh_status": _btn_refresh_status,
    "test_credentials": _btn_test_credentials,
    "notify_test": _btn_notify_test,
    "refresh_scheduled": _btn_refresh_scheduled,
    "open_player": _btn_open_player,
    "open_chat": _btn_open_chat,
    "open_dock": _btn_open_dock,
    "changed": _on_changed,
    "schedule": _btn_schedule,
    "schedule_cancel": _btn_schedule_cancel,
    "timetable_skip": _btn_timetable("skip"),
    "timetable_remove": _btn_timetable("remove"),
}
HOTKEY_CALLBACKS = {"go_live": _hk_go_live, "prepare": _hk_prepare, "end_stream": _hk_end_stream}

__all__ = [
    "script_description", "script_defaults", "script_properties", "script_load",
    "script_update", "script_save", "script_unload",
]
