"""The current OBS profile's files, for what OBS 29's Python bindings cannot reach.

OBS 29's ``obspython`` hands out ``config_t`` pointers (``obs_frontend_get_profile_config``)
but no ``config_get_string``/``config_set_string`` to use them. So the script finds the
profile folder the way OBS does (the config root from ``os_get_config_path_ptr``, then
``global.ini`` ``[Basic] ProfileDir``) and reads or writes its files directly:

* ``basic.ini`` ``[Auth] Type``: the linked streaming account, which OBS saves at once
  when an account is connected or disconnected (UI/auth-base.cpp ``Auth::Save``);
* ``obsWebSocketPersistentData.json``: obs-websocket's profile "persistent data",
  which its ``GetPersistentData`` re-reads from disk on every request, so a slot the
  script writes there is what remote clients read (``livestream.session.bridge``).
"""

from __future__ import annotations

import configparser
import json
from pathlib import Path
from typing import Any, Optional

import obspython as obs

from .. import paths


def _read_ini(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # OBS's keys are case-sensitive
    try:
        parser.read_string(path.read_text(encoding="utf-8-sig"))
    except (OSError, configparser.Error, UnicodeDecodeError):
        pass
    return parser


def config_root() -> Optional[Path]:
    """OBS's config folder (``~/.config/obs-studio``, ``%APPDATA%\\obs-studio``...)."""
    root = obs.os_get_config_path_ptr("obs-studio")
    return Path(root) if root else None


_profile_cache: dict[str, Any] = {}


def profile_dir() -> Optional[Path]:
    """The current profile's folder, or None if it cannot be found.

    ``global.ini`` is read again only when it changed (its size or modification time):
    the session is published on every change while live, and the file changes only when
    the user switches profiles."""
    root = config_root()
    if root is None:
        return None
    ini = root / "global.ini"
    try:
        stat = ini.stat()
        key: Any = (str(ini), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key is None or _profile_cache.get("key") != key:
        basic = _read_ini(ini)
        name = basic.get("Basic", "ProfileDir", fallback="") or basic.get("Basic", "Profile", fallback="")
        _profile_cache.update(key=key, folder=root / "basic" / "profiles" / name if name else None)
    folder = _profile_cache["folder"]
    return folder if folder is not None and folder.is_dir() else None


def linked_account() -> Optional[str]:
    """The linked account's service name from ``basic.ini`` ``[Auth] Type``, or None."""
    folder = profile_dir()
    if folder is None:
        return None
    value = _read_ini(folder / "basic.ini").get("Auth", "Type", fallback="").strip()
    return None if not value or value.lower() == "none" else value


def write_persistent_slot(slot: str, value: Any) -> bool:
    """Set one slot of obs-websocket's profile persistent data; False if no profile."""
    folder = profile_dir()
    if folder is None:
        return False
    path = folder / "obsWebSocketPersistentData.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[slot] = value
    paths.write_private(path, json.dumps(data))
    return True


__all__ = ["config_root", "profile_dir", "linked_account", "write_persistent_slot"]
