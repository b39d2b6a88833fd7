"""The files a throw-away OBS home needs: global.ini, a profile, a scene collection.

Layout under ``$HOME/.config/obs-studio``, as measured running Debian's OBS 29.0.2 (and
30.2.3, 32.2.2) headless on this project's kind of machine::

    global.ini                         [General] first-run flags, [Basic] which profile and
                                       collection to open, [OBSWebSocket] server settings
    user.ini                           the same [General], [Basic] and [BasicWindow]: OBS 31+
                                       reads the user's choices from here instead
    plugin_config/obs-websocket/config.json
                                       obs-websocket 5.5+ (OBS 30.2+) server settings
    basic/profiles/<dir>/basic.ini     canvas, fps, simple output (x264, bitrate)
    basic/profiles/<dir>/service.json  optional initial stream service
    basic/scenes/<file>.json           a scene with a colour and a text source, and the
                                       scripts OBS loads at start-up ("scripts-tool")

Pure functions, no OBS needed, so they are unit-tested on their own.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

__all__ = ["ObsHomeConfig", "ScriptEntry", "write_home", "obs_semantic_version", "semantic_version"]

# ABGR as OBS stores colours: opaque dark teal, white.
_BACKGROUND = 0xFF5A4A1E
_WHITE = 0xFFFFFFFF


@dataclass(frozen=True)
class ScriptEntry:
    """One script OBS loads from the scene collection: its absolute path and settings."""

    path: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ObsHomeConfig:
    """What goes into a throw-away OBS home. ``password`` is the obs-websocket password."""

    port: int
    password: str
    profile: str = "Livestream E2E"
    profile_dir: str = "livestream-e2e"
    collection: str = "Livestream E2E"
    collection_file: str = "livestream-e2e"
    scene: str = "Scene"
    width: int = 640
    height: int = 360
    fps: int = 30
    video_bitrate: int = 400
    audio_bitrate: int = 64
    x264_preset: str = "ultrafast"
    text: str = "obs-livestream"
    # {"type": "rtmp_custom", "settings": {"server": ..., "key": ...}} or None
    service: Optional[Mapping[str, Any]] = None
    scripts: Sequence[ScriptEntry] = ()
    # Extra profile sections, e.g. {"Auth": {"Type": "Twitch"}} to fake a linked account.
    profile_sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Extra global.ini sections merged over the defaults.
    global_sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    last_version: Optional[int] = None

    def __repr__(self) -> str:  # the password stays out
        return f"ObsHomeConfig(port={self.port}, profile={self.profile!r}, collection={self.collection!r})"


def obs_semantic_version(obs: str = "obs") -> Optional[int]:
    """OBS's ``MAKE_SEMANTIC_VERSION(major, minor, patch)`` of the installed ``obs``, or None."""
    try:
        out = subprocess.run([obs, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return semantic_version(out)


def semantic_version(text: str) -> Optional[int]:
    """``MAKE_SEMANTIC_VERSION`` of the first ``major.minor.patch`` in ``text`` ("OBS Studio - 30.2.3")."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        return None
    major, minor, patch = (int(x) for x in match.groups())
    return (major << 24) | (minor << 16) | patch


def _ini(sections: Mapping[str, Mapping[str, Any]]) -> str:
    lines: List[str] = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            lines.append(f"{key}={value}")
        lines.append("")
    return "\n".join(lines)


def _merge(base: Dict[str, Dict[str, Any]], extra: Mapping[str, Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    merged = {name: dict(values) for name, values in base.items()}
    for name, values in extra.items():
        merged.setdefault(name, {}).update(values)
    return merged


def _global_sections(cfg: ObsHomeConfig) -> Dict[str, Dict[str, Any]]:
    general: Dict[str, Any] = {
        # Not the first run: no auto-configuration wizard question.
        "FirstRun": True,
        # Defaults migrations are done (OBS writes these itself after a first start).
        "Pre19Defaults": False,
        "Pre21Defaults": False,
        "Pre23Defaults": False,
        "Pre24.1Defaults": False,
        # Updates and "what's new" only exist on Windows/macOS, but say no anyway.
        "EnableAutoUpdates": False,
    }
    if cfg.last_version:
        general["LastVersion"] = cfg.last_version
    sections: Dict[str, Dict[str, Any]] = {
        "General": general,
        "Basic": {
            "Profile": cfg.profile,
            "ProfileDir": cfg.profile_dir,
            "SceneCollection": cfg.collection,
            "SceneCollectionFile": cfg.collection_file,
            "ConfigOnNewProfile": False,
        },
        "BasicWindow": {
            # No tray icon (there is no tray under Xvfb) and no tray notifications.
            "SysTrayEnabled": False,
            "SysTrayWhenStarted": False,
            "ShowNotifications": False,
            "WarnBeforeStartingStream": False,
            "WarnBeforeStoppingStream": False,
            "WarnBeforeStoppingRecord": False,
            "RecordWhenStreaming": False,
            "KeepRecordingWhenStreamStops": False,
            "PreviewEnabled": True,
        },
        # obs-websocket 5.1 (OBS 29) reads its settings from here; 5.5+ from
        # plugin_config/obs-websocket/config.json (and moves these there once).
        "OBSWebSocket": {
            "ServerEnabled": True,
            "ServerPort": cfg.port,
            "AuthRequired": True,
            "ServerPassword": cfg.password,
            "AlertsEnabled": False,
            "FirstLoad": False,
        },
    }
    return _merge(sections, cfg.global_sections)


def global_ini(cfg: ObsHomeConfig) -> str:
    return _ini(_global_sections(cfg))


def user_ini(cfg: ObsHomeConfig) -> str:
    """OBS 31+ keeps the user's choices (first run, profile, collection, window) in user.ini.

    OBS 31 copies them from global.ini only when upgrading from an older version
    (``LastVersion`` < 31), so a fresh home needs them here (frontend/OBSApp.cpp,
    ``InitGlobalConfig``/``InitUserConfig``).
    """
    sections = _global_sections(cfg)
    return _ini({name: values for name, values in sections.items() if name != "OBSWebSocket"})


def websocket_config(cfg: ObsHomeConfig) -> Dict[str, Any]:
    """obs-websocket 5.5+'s config.json (obs-websocket src/Config.cpp)."""
    return {"first_load": False, "server_enabled": True, "server_port": cfg.port, "alerts_enabled": False,
            "auth_required": True, "server_password": cfg.password}


def basic_ini(cfg: ObsHomeConfig) -> str:
    sections: Dict[str, Dict[str, Any]] = {
        "General": {"Name": cfg.profile},
        "Video": {
            "BaseCX": cfg.width,
            "BaseCY": cfg.height,
            "OutputCX": cfg.width,
            "OutputCY": cfg.height,
            "FPSType": 0,
            "FPSCommon": cfg.fps,
            "ScaleType": "bilinear",
        },
        "Audio": {"SampleRate": 48000, "ChannelSetup": "Stereo"},
        "Output": {"Mode": "Simple", "RetryDelay": 2, "MaxRetries": 2, "Reconnect": True},
        "SimpleOutput": {
            "StreamEncoder": "x264",
            "RecEncoder": "x264",
            "RecQuality": "Stream",
            "VBitrate": cfg.video_bitrate,
            "ABitrate": cfg.audio_bitrate,
            "Preset": cfg.x264_preset,
            "UseAdvanced": False,
        },
    }
    return _ini(_merge(sections, cfg.profile_sections))


def scene_collection(cfg: ObsHomeConfig) -> Dict[str, Any]:
    """The scene collection JSON: one scene with a full-canvas colour and a text on top."""
    colour, text = "Background", "Label"

    def item(name: str, item_id: int, x: float, y: float) -> Dict[str, Any]:
        return {
            "name": name,
            "id": item_id,
            "visible": True,
            "locked": False,
            "rot": 0.0,
            "pos": {"x": x, "y": y},
            # libobs reads scale with no default: without it the item is 0x0, invisible.
            "scale": {"x": 1.0, "y": 1.0},
            "align": 5,  # top-left
            "bounds_type": 0,
            "bounds_align": 0,
            "bounds": {"x": 0.0, "y": 0.0},
            "crop_left": 0,
            "crop_top": 0,
            "crop_right": 0,
            "crop_bottom": 0,
        }

    sources = [
        {
            "id": "scene",
            "versioned_id": "scene",
            "name": cfg.scene,
            "enabled": True,
            "settings": {
                "id_counter": 2,
                "custom_size": False,
                "items": [item(colour, 1, 0.0, 0.0), item(text, 2, 24.0, 24.0)],
            },
            "flags": 0,
            "volume": 1.0,
            "muted": False,
        },
        {
            "id": "color_source",
            "versioned_id": "color_source_v3",
            "name": colour,
            "enabled": True,
            "settings": {"color": _BACKGROUND, "width": cfg.width, "height": cfg.height},
            "flags": 0,
        },
        {
            "id": "text_ft2_source",
            "versioned_id": "text_ft2_source_v2",
            "name": text,
            "enabled": True,
            "settings": {
                "text": cfg.text,
                "font": {"face": "DejaVu Sans", "style": "Book", "size": max(16, cfg.height // 10), "flags": 0},
                "color1": _WHITE,
                "color2": _WHITE,
                "outline": False,
                "drop_shadow": True,
            },
            "flags": 0,
        },
    ]
    return {
        "name": cfg.collection,
        "current_scene": cfg.scene,
        "current_program_scene": cfg.scene,
        "scene_order": [{"name": cfg.scene}],
        "sources": sources,
        "groups": [],
        "transitions": [],
        "current_transition": "Fade",
        "transition_duration": 300,
        "quick_transitions": [],
        "saved_projectors": [],
        "preview_locked": False,
        "scaling_enabled": False,
        "modules": {
            "scripts-tool": [{"path": s.path, "settings": dict(s.settings)} for s in cfg.scripts],
        },
    }


def write_home(home: Path, cfg: ObsHomeConfig) -> Tuple[Path, Path, Path]:
    """Write the OBS configuration under ``home``; returns (config dir, profile dir, collection file)."""
    config_dir = Path(home) / ".config" / "obs-studio"
    profile_dir = config_dir / "basic" / "profiles" / cfg.profile_dir
    scenes_dir = config_dir / "basic" / "scenes"
    profile_dir.mkdir(parents=True, exist_ok=True)
    scenes_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "global.ini").write_text(global_ini(cfg), encoding="utf-8")
    (config_dir / "user.ini").write_text(user_ini(cfg), encoding="utf-8")
    websocket_dir = config_dir / "plugin_config" / "obs-websocket"
    websocket_dir.mkdir(parents=True, exist_ok=True)
    (websocket_dir / "config.json").write_text(json.dumps(websocket_config(cfg), indent=1), encoding="utf-8")
    (profile_dir / "basic.ini").write_text(basic_ini(cfg), encoding="utf-8")
    service_file = profile_dir / "service.json"
    if cfg.service is not None:
        service = {"type": cfg.service.get("type", "rtmp_custom"), "settings": dict(cfg.service.get("settings") or {})}
        service_file.write_text(json.dumps(service, indent=1), encoding="utf-8")
    elif service_file.exists():
        service_file.unlink()
    collection = scenes_dir / f"{cfg.collection_file}.json"
    collection.write_text(json.dumps(scene_collection(cfg), indent=1), encoding="utf-8")
    for path in (config_dir / "global.ini", websocket_dir / "config.json"):
        path.chmod(0o600)  # holds the websocket password
    return config_dir, profile_dir, collection
