"""The current OBS profile's files, for what OBS 29's Python bindings cannot reach.

OBS 29's ``obspython`` hands out ``config_t`` pointers (``obs_frontend_get_profile_config``)
but no ``config_get_string``/``config_set_string`` to use them (nor, up to 32, the
``obs_frontend_get_current_profile_path`` of the C API). So the script finds the
profile folder the way OBS does, from the config root (``os_get_config_path_ptr``):

* OBS 29-30: ``global.ini`` ``[Basic] ProfileDir``, under ``<root>/basic/profiles``;
* OBS 31+: the user's choices moved to ``user.ini`` and the folders may be moved
  (``global.ini`` ``[Locations] Configuration`` / ``Profiles``, by default the folder
  above the root): ``<Configuration>/obs-studio/user.ini`` ``[Basic] ProfileDir``,
  under ``<Profiles>/obs-studio/basic/profiles`` (frontend/OBSApp.cpp
  ``InitGlobalConfig``, frontend/widgets/OBSBasic_Profiles.cpp).

and reads or writes its files directly:

* ``basic.ini`` ``[Auth] Type``: the linked streaming account, which OBS saves at once
  when an account is connected or disconnected (UI/auth-base.cpp ``Auth::Save``);
* ``basic.ini`` ``[Stream1] EnableMultitrackVideo``: Enhanced Broadcasting (30.2+);
* ``obsWebSocketPersistentData.json``: obs-websocket's profile "persistent data",
  which its ``GetPersistentData`` re-reads from disk on every request, so a slot the
  script writes there is what remote clients read (``livestream.session.bridge``).
  obs-websocket 5.5 moved only its *global* persistent data (and its settings) to
  ``plugin_config/obs-websocket/``; the profile realm still lives in the profile.
"""

from __future__ import annotations

import configparser
import json
import threading
from pathlib import Path
from typing import Any, Optional

import obspython as obs

from .. import paths, profile_rules


def _read_ini(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # OBS's keys are case-sensitive
    try:
        parser.read_string(path.read_text(encoding="utf-8-sig"))
    except (OSError, configparser.Error, UnicodeDecodeError):
        pass
    return parser


_root: list[Optional[Path]] = []  # OBS's config folder, asked once per process


def config_root() -> Optional[Path]:
    """OBS's config folder (``~/.config/obs-studio``, ``%APPDATA%\\obs-studio``...).

    Asked of OBS once: ``os_get_config_path_ptr`` returns a string OBS allocated for the
    caller to ``bfree``, and obspython's wrapper copies it without freeing it (no
    ``%newobject`` for it in
    https://github.com/obsproject/obs-studio/blob/29.0.2/deps/obs-scripting/obspython/obspython.i),
    so every call leaked one allocation: about eight per go-live (each publish of the
    session looks up the profile), counted in OBS's "Number of memory leaks" at exit. The
    folder is fixed for the life of the process (OBS derives it from its environment)."""
    if not _root:
        found = obs.os_get_config_path_ptr("obs-studio")
        _root.append(Path(found) if found else None)
    return _root[0]


def semantic(major: int, minor: int = 0, patch: int = 0) -> int:
    """libobs's ``MAKE_SEMANTIC_VERSION``, as ``obs_get_version()`` returns it."""
    return (major << 24) | (minor << 16) | patch


USER_INI_SINCE = semantic(31)


def obs_version() -> int:
    """The running OBS's version (``MAKE_SEMANTIC_VERSION``)."""
    return int(obs.obs_get_version())


def find_profile_dir(root: Path, version: int) -> Optional[Path]:
    """The current profile's folder under the config ``root``, as OBS ``version`` finds it."""
    app = _read_ini(root / "global.ini")
    if version >= USER_INI_SINCE:
        configuration = app.get("Locations", "Configuration", fallback="").strip() or str(root.parent)
        profiles = app.get("Locations", "Profiles", fallback="").strip() or str(root.parent)
        choices = _read_ini(Path(configuration) / "obs-studio" / "user.ini")
        base = Path(profiles) / "obs-studio" / "basic" / "profiles"
    else:
        choices, base = app, root / "basic" / "profiles"
    name = choices.get("Basic", "ProfileDir", fallback="") or choices.get("Basic", "Profile", fallback="")
    folder = base / name if name else None
    return folder if folder is not None and folder.is_dir() else None


_profile_cache: dict[str, Any] = {}


def _stamp(path: Path) -> Optional[tuple[int, int]]:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def profile_dir() -> Optional[Path]:
    """The current profile's folder, or None if it cannot be found.

    ``global.ini`` (and ``user.ini``, OBS 31+) are read again only when they changed:
    the session is published on every change while live, and the file changes only when
    the user switches profiles."""
    root = config_root()
    if root is None:
        return None
    version = obs_version()
    # Read again only when global.ini or user.ini changed (the user switched profiles).
    key = (str(root), version, _stamp(root / "global.ini"), _stamp(root / "user.ini"))
    if _profile_cache.get("key") != key:
        _profile_cache.update(key=key, folder=find_profile_dir(root, version))
    folder = _profile_cache["folder"]
    return folder if folder is not None and folder.is_dir() else None


def linked_account() -> Optional[str]:
    """The linked account's service name from ``basic.ini`` ``[Auth] Type``, or None."""
    folder = profile_dir()
    if folder is None:
        return None
    return profile_rules.linked_account(_read_ini(folder / "basic.ini").get("Auth", "Type", fallback=None))


def multitrack_video_in(profile_folder: Path, version: int) -> bool:
    """Enhanced Broadcasting (multitrack video) is on in this profile for OBS ``version``.

    OBS 30.2+ then builds its own multitrack output for a custom server too (its
    service settings or ``rtmp_custom``: frontend/utility/BasicOutputHandler.cpp), which
    is not the server and key the script set. Older OBS has no such thing.
    """
    value = _read_ini(profile_folder / "basic.ini").get("Stream1", "EnableMultitrackVideo", fallback=None)
    return profile_rules.multitrack_video(value, ((version >> 24) & 0xFF, (version >> 16) & 0xFF))


def multitrack_video() -> bool:
    """Enhanced Broadcasting is on in the current profile of the running OBS."""
    folder = profile_dir()
    return folder is not None and multitrack_video_in(folder, obs_version())


#: The session is published from the timer and the claim taken from a hotkey's thread: one
#: read-modify-write of the file at a time, so neither loses the other's slot.
_persistent_lock = threading.Lock()
def recording_folder() -> Optional[Path]:
    """The folder OBS records into, as the current profile's ``basic.ini`` sets it, or None
    (not set: OBS's default, which the script does not guess). Simple output mode:
    ``[SimpleOutput] FilePath``; advanced: ``[AdvOut] RecFilePath`` (``FFFilePath`` when the
    recording type is FFmpeg), as OBS reads them when it starts recording
    (UI/window-basic-main-outputs.cpp in
    https://github.com/obsproject/obs-studio/blob/29.0.2/UI/window-basic-main-outputs.cpp)."""
    folder = profile_dir()
    if folder is None:
        return None
    ini = _read_ini(folder / "basic.ini")
    if ini.get("Output", "Mode", fallback="Simple") == "Advanced":
        ffmpeg = ini.get("AdvOut", "RecType", fallback="Standard") == "FFmpeg"
        value = ini.get("AdvOut", "FFFilePath" if ffmpeg else "RecFilePath", fallback="")
    else:
        value = ini.get("SimpleOutput", "FilePath", fallback="")
    path = Path(value.strip()) if value.strip() else None
    return path if path is not None and path.is_dir() else None


#: obs-websocket's profile persistent data, in the profile's folder.
PERSISTENT_FILE = "obsWebSocketPersistentData.json"


def write_persistent_slot(slot: str, value: Any) -> bool:
    """Set one slot of obs-websocket's profile persistent data; False if no profile."""
    folder = profile_dir()
    if folder is None:
        return False
    with _persistent_lock:
        return _write_slot(folder / PERSISTENT_FILE, slot, value)


def _read_slots(path: Path) -> dict:
    """Every slot of the file; empty when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_slot(path: Path, slot: str, value: Any) -> bool:
    data = _read_slots(path)
    data[slot] = value
    # Not fsync'd, like obs-websocket's own write of this file (a temporary file renamed
    # over, no fsync): it mirrors the script's memory, is written again at the next load,
    # and this runs on OBS's render thread at each change of the go-live.
    paths.write_private(path, json.dumps(data), durable=False)
    return True


def read_persistent_slot(slot: str) -> Any:
    """One slot of obs-websocket's profile persistent data (None if unset or unreadable)."""
    folder = profile_dir()
    return None if folder is None else _read_slots(folder / PERSISTENT_FILE).get(slot)


class PersistentSlot:
    """A slot of the profile persistent data as a ``session.claim.ClaimStore``."""

    def __init__(self, slot: str) -> None:
        self.slot = slot

    def read(self) -> Any:
        return read_persistent_slot(self.slot)

    def write(self, value: Any) -> bool:
        try:
            return write_persistent_slot(self.slot, value)
        except OSError:
            return False  # a profile folder that cannot be written: nobody can see a claim there


__all__ = ["config_root", "profile_dir", "find_profile_dir", "linked_account", "multitrack_video",
           "multitrack_video_in", "recording_folder", "write_persistent_slot", "read_persistent_slot",
           "PersistentSlot"]
