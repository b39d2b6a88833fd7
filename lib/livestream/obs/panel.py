"""The script's panel in Tools > Scripts: properties, defaults, visibility.

The provider list, credential boxes, option groups, modes and Advanced fields are
built from the registered providers' declarations (``providers.declare``); only the
chosen provider's credentials and options are shown. Callbacks are passed in from
``entry`` because OBS's Python bridge takes only plain module-level functions as
callbacks (bound methods are silently ignored; the properties API:
https://docs.obsproject.com/reference-properties).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Optional

import obspython as obs

from .. import bounds, providers
from ..dock.server import BIND_CHOICES
from ..providers.declare import Declaration, StreamOption
from ..session import localtime
from .config import DEFAULT_PROVIDER, SIMULCAST_SLOTS, PanelConfig, base_url_key, declarations, fields

DOCK_STEPS = (
    "A live status page with Go live / Prepare / End for a dock, updated every second. Add it once: "
    "Docks > Custom Browser Docks, any name, and the URL below (it stays the same across restarts). "
    "Or open it in any browser on this computer. Keep the URL private: it can start and end your stream."
)
DOCK_OFF = "The status dock is not running (the script log says why)."
DOCK_BEYOND_LOOPBACK = (
    "Warning: the status dock listens on every network interface. Anyone who can reach this computer and has "
    "the dock URL's token can read the session and its metrics (the buttons answer only to this computer). "
    "Allow the port only from your Prometheus server in the firewall.")
LEVELS = {"info": "OBS_TEXT_INFO_NORMAL", "warning": "OBS_TEXT_INFO_WARNING", "error": "OBS_TEXT_INFO_ERROR"}


def providers_list() -> tuple[tuple[str, str], ...]:
    """(name, display name) of every registered provider."""
    return tuple((d.name, d.display_name) for d in declarations())


def modes() -> tuple[tuple[str, str], ...]:
    """The go-live modes, each offered only if some provider can, naming those that can."""
    decls = declarations()
    scheduling = [d.display_name for d in decls if d.capabilities.scheduling]
    reuse = [d.display_name for d in decls if d.capabilities.reuse]
    items = [("new", "Create a new live stream now")]
    if scheduling:
        items.append(("scheduled", f"Start a scheduled stream ({', '.join(scheduling)})"))
    if reuse:
        items.append(("existing", f"Reuse an existing stream ID ({', '.join(reuse)})"))
    return tuple(items)


def env_help() -> str:
    """The "Read credentials from environment variables" tooltip: each provider's variables."""
    parts = []
    for decl in declarations():
        names = ", ".join(f.env for f in decl.credential_fields)
        note = f" ({decl.credentials_note})" if decl.credentials_note else ""
        parts.append(f"{decl.display_name}: {names}{note}")
    return "; ".join(parts) + ". Keeps secrets out of the scene collection file."


def options_group(decl: Declaration) -> str:
    """The name of a provider's options group ("<prefix>_options")."""
    return f"{decl.settings_prefix}_options"


def set_defaults(settings: Any) -> None:
    for key, default in fields().items():
        if isinstance(default, bool):
            obs.obs_data_set_default_bool(settings, key, default)
        elif isinstance(default, int):
            obs.obs_data_set_default_int(settings, key, default)
        else:
            obs.obs_data_set_default_string(settings, key, default)


def read_config(settings: Any) -> PanelConfig:
    values: dict[str, Any] = {}
    for key, default in fields().items():
        if isinstance(default, bool):
            values[key] = obs.obs_data_get_bool(settings, key)
        elif isinstance(default, int):
            values[key] = obs.obs_data_get_int(settings, key)
        else:
            values[key] = obs.obs_data_get_string(settings, key)
    return PanelConfig.from_mapping(values)


def _range(key: str) -> tuple[int, int]:
    """A number box's range, from the bounds table the script checks saved values against."""
    bound = bounds.BOUNDS[key]
    return int(bound.low), int(bound.high)


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
    callbacks: Mapping[str, Callable], status: tuple[str, str], scheduled: list[tuple[str, str]], pending: str = "",
    ledger_problem: Optional[str] = None,
) -> Any:
    """The whole panel. ``callbacks`` maps button and modified-callback names to functions;
    ``pending`` says which earlier streams are still open (shown with a button to end them);
    ``ledger_problem`` why the ledger file cannot be written (open streams kept in memory)."""
    props = obs.obs_properties_create()

    text, level = status
    info = obs.obs_properties_add_text(props, "status", "Status", obs.OBS_TEXT_INFO)
    obs.obs_property_text_set_info_type(info, getattr(obs, LEVELS.get(level, LEVELS["info"])))
    if ledger_problem:
        # The go-live and its end go on from memory, but a crash now would lose the entry.
        problem = obs.obs_properties_add_text(props, "ledger_problem", f"Ledger: {ledger_problem}", obs.OBS_TEXT_INFO)
        obs.obs_property_text_set_info_type(problem, obs.OBS_TEXT_INFO_ERROR)
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
    bind = obs.obs_properties_add_list(dock, "dock_bind", "Listen on", obs.OBS_COMBO_TYPE_LIST,
                                       obs.OBS_COMBO_FORMAT_STRING)
    for value, label in BIND_CHOICES.items():
        obs.obs_property_list_add_string(bind, label, value)
    obs.obs_property_set_long_description(bind, "Every interface lets a Prometheus on another computer scrape "
                                                "/metrics; every request still needs the URL's token")
    obs.obs_property_set_modified_callback(bind, callbacks["changed"])  # shows or hides the warning
    warning = obs.obs_properties_add_text(dock, "dock_bind_warning", DOCK_BEYOND_LOOPBACK, obs.OBS_TEXT_INFO)
    obs.obs_property_text_set_info_type(warning, obs.OBS_TEXT_INFO_WARNING)

    _schedule_group(props, callbacks)
    _notify_group(props, callbacks)

    decls = declarations()
    provider = _list(props, "provider", "Provider", providers_list())
    obs.obs_property_set_modified_callback(provider, callbacks["changed"])

    creds = _group(props, "credentials", "Credentials")
    use_env = obs.obs_properties_add_bool(creds, "use_env", "Read credentials from environment variables")
    obs.obs_property_set_long_description(use_env, env_help())
    obs.obs_property_set_modified_callback(use_env, callbacks["changed"])
    for decl in decls:
        for cred in decl.credential_fields:
            box = obs.obs_properties_add_text(creds, decl.setting_key(cred), cred.label,
                                              obs.OBS_TEXT_PASSWORD if cred.secret else obs.OBS_TEXT_DEFAULT)
            if cred.help:
                obs.obs_property_set_long_description(box, cred.help)
    obs.obs_properties_add_button(creds, "test_credentials", "Test credentials", callbacks["test_credentials"])

    stream = _group(props, "stream", "Stream")
    mode = _list(stream, "mode", "Mode", modes())
    obs.obs_property_set_modified_callback(mode, callbacks["changed"])
    obs.obs_properties_add_text(stream, "title", "Title", obs.OBS_TEXT_DEFAULT)
    _list(stream, "scheduled_id", "Scheduled stream", tuple(scheduled) or (("", "(press Refresh list)"),))
    obs.obs_properties_add_button(stream, "refresh_scheduled", "Refresh list", callbacks["refresh_scheduled"])
    obs.obs_properties_add_text(stream, "stream_id", "Stream ID", obs.OBS_TEXT_DEFAULT)

    for decl in decls:
        shown = [o for o in decl.stream_options if o.panel]
        if shown:
            group = _group(props, options_group(decl), f"{decl.display_name} options")
            for option in shown:
                _option(group, decl.setting_key(option), option)

    _simulcast_group(props, callbacks)

    behaviour = _group(props, "behaviour", "Behaviour")
    obs.obs_properties_add_bool(behaviour, "start_when_ready", "Start streaming when the ingest is ready")
    obs.obs_properties_add_bool(behaviour, "end_on_stop", "End the provider stream when OBS stops streaming")
    obs.obs_properties_add_bool(behaviour, "restore_previous", "Restore my previous stream settings afterwards")
    obs.obs_properties_add_bool(behaviour, "end_on_exit", "End the provider stream when OBS exits")
    armed = obs.obs_properties_add_bool(behaviour, "arm_on_start", armed_label(None))
    obs.obs_property_set_long_description(armed, ARMED_HELP)
    obs.obs_properties_add_int(behaviour, "ingest_timeout", "Give up waiting for the ingest after (s)",
                               *_range("ingest_timeout"), 10)
    obs.obs_properties_add_bool(behaviour, "safety_recording", "Also record locally while live (safety recording)")
    obs.obs_properties_add_int(behaviour, "safety_recording_keep_days",
                               "Remove safety recordings after (days; 0: all kept)",
                               *_range("safety_recording_keep_days"), 1)

    advanced = _group(props, "advanced", "Advanced")
    for decl in decls:
        url = obs.obs_properties_add_text(advanced, base_url_key(decl), f"{decl.display_name} API base URL",
                                          obs.OBS_TEXT_DEFAULT)
        obs.obs_property_set_long_description(url, f"Empty: {decl.default_base_url} (or ${decl.base_url_env})")
        for setting in decl.settings:
            box = obs.obs_properties_add_text(advanced, decl.setting_key(setting), setting.label,
                                              obs.OBS_TEXT_DEFAULT)
            if setting.help:
                obs.obs_property_set_long_description(box, setting.help)
    return props


def _option(props: Any, key: str, option: StreamOption) -> Any:
    """One declared option as its widget: a list, a checkbox, a number box or a text box."""
    if option.kind == "choice":
        items = tuple((str(value), text) for value, text in option.choices)
        if option.default is None:
            items = (("", "Provider default"),) + items
        prop = _list(props, key, option.label, items)
    elif option.kind == "bool":
        prop = obs.obs_properties_add_bool(props, key, option.label)
    elif option.kind == "int":
        low = option.minimum if option.minimum is not None else 0
        high = option.maximum if option.maximum is not None else 2**31 - 1
        prop = obs.obs_properties_add_int(props, key, option.label, low, high, option.step)
    else:
        prop = obs.obs_properties_add_text(props, key, option.label, obs.OBS_TEXT_DEFAULT)
    if option.help and prop is not None:
        obs.obs_property_set_long_description(prop, option.help)
    return prop


def _simulcast_group(props: Any, callbacks: Mapping[str, Callable]) -> None:
    """"Also stream to": destinations the provider restreams to (its simulcast), keys as passwords."""
    group = _group(props, "simulcast", "Also stream to")
    obs.obs_properties_add_text(group, "simulcast_help", "", obs.OBS_TEXT_INFO)
    from_obs = obs.obs_properties_add_bool(group, "simulcast_from_obs", FROM_OBS_LABEL)
    obs.obs_property_set_long_description(from_obs, "OBS uploads to each destination itself (one more upload "
                                                    "from this computer each); the provider adds none")
    obs.obs_property_set_modified_callback(from_obs, callbacks["changed"])  # the help text follows it
    for n in range(1, SIMULCAST_SLOTS + 1):
        obs.obs_properties_add_text(group, f"simulcast_{n}_name", f"#{n} name", obs.OBS_TEXT_DEFAULT)
        url = obs.obs_properties_add_text(group, f"simulcast_{n}_url", f"#{n} server URL", obs.OBS_TEXT_DEFAULT)
        obs.obs_property_set_long_description(url, "rtmp:// or rtmps:// (srt:// where the provider takes it), "
                                                   "e.g. rtmp://a.rtmp.youtube.com/live2")
        obs.obs_properties_add_text(group, f"simulcast_{n}_key", f"#{n} stream key", obs.OBS_TEXT_PASSWORD)


FROM_OBS_LABEL = "Send these from OBS instead of the provider"


def simulcast_help(decl: Declaration, from_obs: bool = False) -> str:
    """What the "Also stream to" group says for the chosen provider (``from_obs``: the user
    asked OBS to send them although the provider restreams)."""
    support = decl.capabilities.simulcast
    if support is None or from_obs:
        # In the script OBS can send them itself (``obs.extra_outputs``).
        obs_side = providers.simulcast_support(decl, obs_side=True, from_obs=True)
        assert obs_side is not None
        takes = ", ".join(f"{s}://" for s in obs_side.schemes)
        who = f"{decl.display_name} does not restream" if support is None else \
            f"{decl.display_name} adds no target"
        return (f"{who}: OBS sends this go-live itself to up to "
                f"{obs_side.max_targets} destinations ({takes}), one more upload from this computer each, "
                "started once the stream is live and stopped before it ends.")
    most = f"up to {support.max_targets}" if support.max_targets else "several"
    takes = ", ".join(f"{s}://" for s in support.schemes)
    return (f"{decl.display_name} restreams this go-live to {most} destinations ({takes}); each is added "
            "before OBS starts and removed when the stream ends. OBS uploads once.")


def _notify_group(props: Any, callbacks: Mapping[str, Callable]) -> None:
    """Webhook URLs (livestream.notify) and the "live" announcement's template."""
    group = _group(props, "notify", "Notifications")
    urls = obs.obs_properties_add_text(group, "notify_urls", "Webhook URLs (one per line)", obs.OBS_TEXT_MULTILINE)
    obs.obs_property_set_long_description(
        urls, "Discord or Slack webhooks, ntfy topics (https://ntfy.sh/topic, or ntfy:https://your.server/topic), "
              "or any URL for JSON. They carry tokens: keep them private.")
    template = obs.obs_properties_add_text(group, "notify_live_template", "Live message", obs.OBS_TEXT_DEFAULT)
    obs.obs_property_set_long_description(template, "Fields: {title} {playback_url} {chat_url} {provider} {stream_id}")
    # The alerts' thresholds (livestream.notify.alerts), their ranges from the bounds table.
    obs.obs_properties_add_int(group, "notify_reconnect_seconds", "Alert when OBS reconnects for (s)",
                               *_range("notify_reconnect_seconds"), 5)
    obs.obs_properties_add_int(group, "notify_open_minutes", "Alert when a stream is still open after (min)",
                               *_range("notify_open_minutes"), 5)
    obs.obs_properties_add_int(group, "notify_dropped_percent", "Alert when dropping more frames than (%)",
                               *_range("notify_dropped_percent"), 1)
    obs.obs_properties_add_button(group, "notify_test", "Send a test notification", callbacks["notify_test"])


def _schedule_group(props: Any, callbacks: Mapping[str, Callable]) -> None:
    """Go live at a set time and end after a duration (``livestream.obs.schedule``)."""
    group = _group(props, "schedule", "Schedule")
    obs.obs_properties_add_text(group, "schedule_status", "Scheduled", obs.OBS_TEXT_INFO)
    zone = localtime.zone_name(time.time())
    at = obs.obs_properties_add_text(group, "schedule_at", f"Go live at (YYYY-MM-DD HH:MM, {zone})",
                                     obs.OBS_TEXT_DEFAULT)
    obs.obs_property_set_long_description(at, f"Local time of this computer ({zone}), e.g. {localtime.EXAMPLE}")
    end = obs.obs_properties_add_int(group, "schedule_end_after", "End after (minutes, 0: no set end)",
                                     *_range("schedule_end_after"), 5)
    obs.obs_property_set_long_description(end, "Applies to every go-live, scheduled or not; Stop Streaming in OBS "
                                          "still ends at once")
    obs.obs_properties_add_int(group, "schedule_late_minutes",
                               "If OBS was closed at that time, start up to (minutes late; 0: skip)",
                               *_range("schedule_late_minutes"), 5)
    tries = obs.obs_properties_add_int(group, "recovery_tries", "Recovery: tries per class when the network drops",
                                       *_range("recovery_tries"), 1)
    obs.obs_property_set_long_description(tries, "A timetable, scheduled or armed class goes live again by itself "
                                          "after OBS gave up reconnecting: at most this many tries")
    obs.obs_properties_add_int(group, "recovery_streams", "Recovery: new provider streams per class (0: same only)",
                               *_range("recovery_streams"), 1)
    booting = [d.display_name for d in declarations() if d.capabilities.boots_server]
    boot = obs.obs_properties_add_int(group, "schedule_boot_seconds",
                                      f"{' / '.join(booting) or 'Provider'} server boot time (s), until measured",
                                      *_range("schedule_boot_seconds"), 5)
    obs.obs_property_set_visible(boot, bool(booting))
    obs.obs_properties_add_button(group, "schedule_set", "Schedule", callbacks["schedule"])
    obs.obs_properties_add_button(group, "schedule_cancel", "Cancel schedule", callbacks["schedule_cancel"])
    # The timetable (``schedule add`` / ``schedule import`` on the command line): its next three.
    obs.obs_properties_add_text(group, "timetable_next", "Timetable, next", obs.OBS_TEXT_INFO)
    _list(group, "timetable_pick", "Timetable go-live", (("", "(none)"),))
    obs.obs_properties_add_button(group, "timetable_skip", "Skip this go-live once", callbacks["timetable_skip"])
    obs.obs_properties_add_button(group, "timetable_remove", "Remove its timetable entry",
                                  callbacks["timetable_remove"])


ARMED_HELP = (
    "Then a start of streaming from anywhere (OBS's Start Streaming button, a StartStream over "
    "obs-websocket, a Stream Deck) creates the live stream and streams to it, as Go live does. While this "
    "is on and nothing is live, Settings > Stream holds a local placeholder that connects nowhere; your own "
    "settings come back when you turn it off or remove the script."
)


def armed_label(display_name: Optional[str]) -> str:
    """The armed checkbox's text, naming the chosen provider."""
    return f"Go live through {display_name or 'the provider'} when OBS starts streaming"


def apply_visibility(props: Any, settings: Any) -> None:
    """Show only what the chosen provider, mode and credential source need."""
    provider = obs.obs_data_get_string(settings, "provider") or DEFAULT_PROVIDER
    mode = obs.obs_data_get_string(settings, "mode") or "new"
    use_env = obs.obs_data_get_bool(settings, "use_env")

    def show(name: str, visible: bool) -> None:
        prop = obs.obs_properties_get(props, name)
        if prop is not None:
            obs.obs_property_set_visible(prop, visible)

    # Shown while the dock listens beyond loopback (livestream.dock.server).
    show("dock_bind_warning", (obs.obs_data_get_string(settings, "dock_bind") or "127.0.0.1") != "127.0.0.1")
    for decl in declarations():
        for cred in decl.credential_fields:
            show(decl.setting_key(cred), decl.name == provider and not use_env)
        show(options_group(decl), decl.name == provider)
    chosen = next((d for d in declarations() if d.name == provider), None)
    if chosen is not None:
        armed = obs.obs_properties_get(props, "arm_on_start")
        if armed is not None:
            obs.obs_property_set_description(armed, armed_label(chosen.display_name))
        help_text = obs.obs_properties_get(props, "simulcast_help")
        if help_text is not None:
            obs.obs_property_set_description(
                help_text, simulcast_help(chosen, obs.obs_data_get_bool(settings, "simulcast_from_obs")))
        # Only a provider that restreams leaves the choice: otherwise OBS sends them anyway.
        show("simulcast_from_obs", chosen.capabilities.simulcast is not None)
        for n in range(1, SIMULCAST_SLOTS + 1):
            for part in ("name", "url", "key"):
                show(f"simulcast_{n}_{part}", True)  # a provider that does not restream: OBS sends them
    show("title", mode == "new")
    show("scheduled_id", mode == "scheduled")
    show("refresh_scheduled", mode == "scheduled")
    show("stream_id", mode == "existing")


def fill_scheduled(props: Any, scheduled: list[tuple[str, str]]) -> None:
    """Refill the scheduled-stream list in place (the fetch answers after the click returned)."""
    _refill(props, "scheduled_id", scheduled or [("", "(press Refresh list)")])


def fill_timetable(props: Any, upcoming: list[tuple[str, str]]) -> None:
    """Refill the timetable's go-live list (value "entry_id@epoch", text its time and title)."""
    _refill(props, "timetable_pick", upcoming or [("", "(nothing in the timetable)")])


def _refill(props: Any, name: str, items: list[tuple[str, str]]) -> None:
    prop = obs.obs_properties_get(props, name)
    if prop is None:
        return
    obs.obs_property_list_clear(prop)
    for value, text in items:
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
