"""The script's panel in Tools > Scripts: properties, defaults, visibility.

Only the chosen provider's credentials and options are shown. Callbacks are passed
in from ``entry`` because OBS accepts only plain module-level functions
(reference/obs.md, "Properties": bound methods are silently ignored).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Optional

import obspython as obs

from ..session import localtime
from .config import CREDENTIAL_FIELDS, FIELDS, PanelConfig

PROVIDERS = (("tpstreams", "TP Streams"), ("fastpix", "FastPix"))
MODES = (
    ("new", "Create a new live stream now"),
    ("scheduled", "Start a scheduled stream (TP Streams)"),
    ("existing", "Reuse an existing stream ID (FastPix)"),
)
TP_LATENCY = (("", "Provider default"), ("Low Latency", "Low latency"), ("Normal Latency", "Normal latency"))
FP_POLICY = (("public", "Public"), ("private", "Private"))
FP_RESOLUTION = (("1080p", "1080p"), ("720p", "720p"), ("480p", "480p"))
FP_PROTOCOL = (("rtmps", "RTMPS"), ("srt", "SRT (unstable networks)"))
DOCK_STEPS = (
    "A live status page with Go live / Prepare / End for a dock, updated every second. Add it once: "
    "Docks > Custom Browser Docks, any name, and the URL below (it stays the same across restarts). "
    "Or open it in any browser on this computer. Keep the URL private: it can start and end your stream."
)
DOCK_OFF = "The status dock is not running (the script log says why)."
LEVELS = {"info": "OBS_TEXT_INFO_NORMAL", "warning": "OBS_TEXT_INFO_WARNING", "error": "OBS_TEXT_INFO_ERROR"}


def set_defaults(settings: Any) -> None:
    for key, default in FIELDS.items():
        if isinstance(default, bool):
            obs.obs_data_set_default_bool(settings, key, default)
        elif isinstance(default, int):
            obs.obs_data_set_default_int(settings, key, default)
        else:
            obs.obs_data_set_default_string(settings, key, default)


def read_config(settings: Any) -> PanelConfig:
    values: dict[str, Any] = {}
    for key, default in FIELDS.items():
        if isinstance(default, bool):
            values[key] = obs.obs_data_get_bool(settings, key)
        elif isinstance(default, int):
            values[key] = obs.obs_data_get_int(settings, key)
        else:
            values[key] = obs.obs_data_get_string(settings, key)
    return PanelConfig.from_mapping(values)


def _list(props: Any, name: str, label: str, items: tuple, editable: bool = False) -> Any:
    kind = obs.OBS_COMBO_TYPE_EDITABLE if editable else obs.OBS_COMBO_TYPE_LIST
    prop = obs.obs_properties_add_list(props, name, label, kind, obs.OBS_COMBO_FORMAT_STRING)
    for value, text in items:
        obs.obs_property_list_add_string(prop, text, value)
    return prop


def _group(props: Any, name: str, label: str) -> Any:
    sub = obs.obs_properties_create()
    obs.obs_properties_add_group(props, name, label, obs.OBS_GROUP_NORMAL, sub)
    return sub


def build(
    callbacks: Mapping[str, Callable], status: tuple[str, str], scheduled: list[tuple[str, str]], pending: str = ""
) -> Any:
    """The whole panel. ``callbacks`` maps button and modified-callback names to functions;
    ``pending`` says which earlier streams are still open (shown with a button to end them)."""
    props = obs.obs_properties_create()

    text, level = status
    info = obs.obs_properties_add_text(props, "status", "Status", obs.OBS_TEXT_INFO)
    obs.obs_property_text_set_info_type(info, getattr(obs, LEVELS.get(level, LEVELS["info"])))
    if pending:
        # Earlier provider streams the ledger is still ending (e.g. the provider was down).
        warn = obs.obs_properties_add_text(props, "open_streams", "Still open", obs.OBS_TEXT_INFO)
        obs.obs_property_text_set_info_type(warn, obs.OBS_TEXT_INFO_WARNING)
        obs.obs_properties_add_button(props, "end_all", "End all open streams", callbacks["end_all"])
    obs.obs_properties_add_button(props, "go_live", "Go live", callbacks["go_live"])
    obs.obs_properties_add_button(props, "prepare", "Prepare (fill in stream settings only)", callbacks["prepare"])
    obs.obs_properties_add_button(props, "end_stream", "End stream", callbacks["end_stream"])
    obs.obs_properties_add_button(props, "refresh_status", "Refresh status", callbacks["refresh_status"])
    obs.obs_properties_add_button(props, "open_player", "Open player in browser", callbacks["open_player"])
    obs.obs_properties_add_button(props, "open_chat", "Open chat in browser", callbacks["open_chat"])

    dock = _group(props, "dock", "Status dock")
    obs.obs_properties_add_text(dock, "dock_help", "", obs.OBS_TEXT_INFO)
    obs.obs_properties_add_text(dock, "dock_url", "Dock URL", obs.OBS_TEXT_DEFAULT)
    obs.obs_properties_add_button(dock, "open_dock", "Open the dock in a browser", callbacks["open_dock"])

    _schedule_group(props, callbacks)

    provider = _list(props, "provider", "Provider", PROVIDERS)
    obs.obs_property_set_modified_callback(provider, callbacks["changed"])

    creds = _group(props, "credentials", "Credentials")
    use_env = obs.obs_properties_add_bool(creds, "use_env", "Read credentials from environment variables")
    obs.obs_property_set_long_description(
        use_env,
        "TPSTREAMS_ORG_ID, TPSTREAMS_API_TOKEN (or TPSTREAMS_USERNAME/TPSTREAMS_PASSWORD); "
        "FASTPIX_ACCESS_TOKEN_ID, FASTPIX_SECRET_KEY. Keeps secrets out of the scene collection file.",
    )
    obs.obs_property_set_modified_callback(use_env, callbacks["changed"])
    for fields in CREDENTIAL_FIELDS.values():
        for key, _, label, secret in fields:
            obs.obs_properties_add_text(creds, key, label, obs.OBS_TEXT_PASSWORD if secret else obs.OBS_TEXT_DEFAULT)
    obs.obs_properties_add_button(creds, "test_credentials", "Test credentials", callbacks["test_credentials"])

    stream = _group(props, "stream", "Stream")
    mode = _list(stream, "mode", "Mode", MODES)
    obs.obs_property_set_modified_callback(mode, callbacks["changed"])
    obs.obs_properties_add_text(stream, "title", "Title", obs.OBS_TEXT_DEFAULT)
    _list(stream, "scheduled_id", "Scheduled stream", tuple(scheduled) or (("", "(press Refresh list)"),))
    obs.obs_properties_add_button(stream, "refresh_scheduled", "Refresh list", callbacks["refresh_scheduled"])
    obs.obs_properties_add_text(stream, "stream_id", "Stream ID", obs.OBS_TEXT_DEFAULT)

    tp = _group(props, "tp_options", "TP Streams options")
    _list(tp, "tp_latency", "Latency", TP_LATENCY)
    obs.obs_properties_add_bool(tp, "tp_drm", "DRM for the recording")

    fp = _group(props, "fp_options", "FastPix options")
    _list(fp, "fp_access_policy", "Playback access", FP_POLICY)
    _list(fp, "fp_max_resolution", "Max resolution", FP_RESOLUTION)
    obs.obs_properties_add_bool(fp, "fp_dvr", "DVR mode")
    obs.obs_properties_add_bool(fp, "fp_recording", "Record the stream")
    obs.obs_properties_add_int(fp, "fp_reconnect_window", "Reconnect window (s)", 0, 1800, 10)
    _list(fp, "fp_protocol", "Ingest protocol", FP_PROTOCOL)

    behaviour = _group(props, "behaviour", "Behaviour")
    obs.obs_properties_add_bool(behaviour, "start_when_ready", "Start streaming when the ingest is ready")
    obs.obs_properties_add_bool(behaviour, "end_on_stop", "End the provider stream when OBS stops streaming")
    obs.obs_properties_add_bool(behaviour, "restore_previous", "Restore my previous stream settings afterwards")
    obs.obs_properties_add_bool(behaviour, "end_on_exit", "End the provider stream when OBS exits")
    obs.obs_properties_add_int(behaviour, "ingest_timeout", "Give up waiting for the ingest after (s)", 30, 900, 10)

    advanced = _group(props, "advanced", "Advanced")
    obs.obs_properties_add_text(advanced, "tp_api_base_url", "TP Streams API base URL", obs.OBS_TEXT_DEFAULT)
    obs.obs_properties_add_text(advanced, "fp_api_base_url", "FastPix API base URL", obs.OBS_TEXT_DEFAULT)
    obs.obs_properties_add_text(advanced, "fp_ingest_url", "FastPix ingest server override", obs.OBS_TEXT_DEFAULT)
    return props


def _schedule_group(props: Any, callbacks: Mapping[str, Callable]) -> None:
    """Go live at a set time and end after a duration (``livestream.obs.schedule``)."""
    group = _group(props, "schedule", "Schedule")
    obs.obs_properties_add_text(group, "schedule_status", "Scheduled", obs.OBS_TEXT_INFO)
    zone = localtime.zone_name(time.time())
    at = obs.obs_properties_add_text(group, "schedule_at", f"Go live at (YYYY-MM-DD HH:MM, {zone})",
                                     obs.OBS_TEXT_DEFAULT)
    obs.obs_property_set_long_description(at, f"Local time of this computer ({zone}), e.g. {localtime.EXAMPLE}")
    end = obs.obs_properties_add_int(group, "schedule_end_after", "End after (minutes, 0: no set end)", 0, 24 * 60, 5)
    obs.obs_property_set_long_description(end, "Applies to every go-live, scheduled or not; Stop Streaming in OBS "
                                          "still ends at once")
    obs.obs_properties_add_int(group, "schedule_late_minutes",
                               "If OBS was closed at that time, start up to (minutes late; 0: skip)", 0, 24 * 60, 5)
    obs.obs_properties_add_int(group, "schedule_boot_seconds", "TP Streams server boot time (s), until measured",
                               5, 600, 5)
    obs.obs_properties_add_button(group, "schedule_set", "Schedule", callbacks["schedule"])
    obs.obs_properties_add_button(group, "schedule_cancel", "Cancel schedule", callbacks["schedule_cancel"])


def apply_visibility(props: Any, settings: Any) -> None:
    """Show only what the chosen provider, mode and credential source need."""
    provider = obs.obs_data_get_string(settings, "provider") or "tpstreams"
    mode = obs.obs_data_get_string(settings, "mode") or "new"
    use_env = obs.obs_data_get_bool(settings, "use_env")

    def show(name: str, visible: bool) -> None:
        prop = obs.obs_properties_get(props, name)
        if prop is not None:
            obs.obs_property_set_visible(prop, visible)

    for name, fields in CREDENTIAL_FIELDS.items():
        for key, *_ in fields:
            show(key, name == provider and not use_env)
    show("tp_options", provider == "tpstreams")
    show("fp_options", provider == "fastpix")
    show("title", mode == "new")
    show("scheduled_id", mode == "scheduled")
    show("refresh_scheduled", mode == "scheduled")
    show("stream_id", mode == "existing")


def fill_scheduled(props: Any, scheduled: list[tuple[str, str]]) -> None:
    """Refill the scheduled-stream list in place (the fetch answers after the click returned)."""
    prop = obs.obs_properties_get(props, "scheduled_id")
    if prop is None:
        return
    obs.obs_property_list_clear(prop)
    for value, text in scheduled or [("", "(press Refresh list)")]:
        obs.obs_property_list_add_string(prop, text, value)


def show_dock(settings: Any, url: Optional[str]) -> None:
    """The dock's URL and how to add it. Written as defaults, which OBS does not save
    into the scene collection, so the URL's token does not travel with a shared collection."""
    obs.obs_data_erase(settings, "dock_url")  # anything typed into the field
    obs.obs_data_set_default_string(settings, "dock_url", url or "")
    obs.obs_data_set_default_string(settings, "dock_help", DOCK_STEPS if url else DOCK_OFF)


def set_status(props: Any, level: str) -> None:
    prop = obs.obs_properties_get(props, "status")
    if prop is not None:
        obs.obs_property_text_set_info_type(prop, getattr(obs, LEVELS.get(level, LEVELS["info"])))
