"""Which vendored folder of a release bundle serves the running Python, and what to do if none.

A release bundle (``bash scripts/bundle``) carries the script's dependencies unpacked
once per Python it supports, in ``vendor/<tag>/`` where the tag is
``cp<major><minor>-<platform>``, e.g. ``vendor/cp312-win_amd64``: compiled packages
(pydantic-core) load only in the exact CPython version, operating system and
architecture they were built for. ``obs_livestream.py`` calls ``activate()`` before it
imports anything else; when no folder fits, ``advice()`` says which Python OBS runs and
what to do.

Standard library only, and plain enough for any Python 3: it runs before the
dependencies can be imported.
"""

from __future__ import annotations

import os
import platform
import struct
import sys
import sysconfig
from typing import List, NamedTuple, Optional, Sequence, Tuple

from . import __version__

VENDOR_DIR = "vendor"
COMMON_DIR = "common"

# The platforms a bundle can serve: tag suffix -> (archive name, what users call it).
PLATFORMS = {
    "win_amd64": ("windows-x86_64", "Windows 64-bit (x86_64)"),
    "macosx_arm64": ("macos-arm64", "macOS on Apple silicon (arm64)"),
    "macosx_x86_64": ("macos-x86_64", "macOS on Intel (x86_64)"),
    "linux_x86_64": ("linux-x86_64", "Linux x86_64"),
}

# Platforms no bundle serves, named for the message that says so.
OTHER_PLATFORMS = {
    "win32": "Windows 32-bit", "win_arm64": "Windows on ARM (arm64)",
    "linux_aarch64": "Linux on ARM (aarch64)", "musllinux_x86_64": "Linux with musl libc (x86_64)",
}


class Interpreter(NamedTuple):
    """What decides whether compiled wheels load: CPython version, platform, free-threading."""

    version: Tuple[int, int]
    platform: str  # a PLATFORMS key, or e.g. "win_arm64", "linux_aarch64" that no bundle serves
    free_threaded: bool = False

    @property
    def tag(self) -> str:
        major, minor = self.version
        return f"cp{major}{minor}{'t' if self.free_threaded else ''}-{self.platform}"

    @property
    def version_text(self) -> str:
        return _dotted(self.version) + (" (free-threaded)" if self.free_threaded else "")

    @property
    def platform_text(self) -> str:
        if self.platform in PLATFORMS:
            return PLATFORMS[self.platform][1]
        return OTHER_PLATFORMS.get(self.platform, self.platform)


def platform_key(sys_platform: str, build_platform: str, machine: str, libc: str = "") -> str:
    """The platform part of a tag, from ``sys.platform``, ``sysconfig.get_platform()``,
    ``platform.machine()`` and ``os.confstr("CS_GNU_LIBC_VERSION")``."""
    arch = machine.lower()
    if sys_platform == "win32":
        # The build platform is the interpreter's own: a 64-bit OBS on Windows on ARM runs
        # an x86_64 Python under emulation and needs win_amd64 wheels.
        return {"win-amd64": "win_amd64", "win32": "win32", "win-arm64": "win_arm64"}.get(
            build_platform, build_platform.replace("-", "_").replace(".", "_"))
    if sys_platform == "darwin":
        # A universal2 Python runs as arm64 natively and as x86_64 under Rosetta:
        # platform.machine() reports the architecture this process runs as.
        return "macosx_" + ("arm64" if arch in ("arm64", "aarch64") else arch)
    if sys_platform.startswith("linux"):
        arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)
        # manylinux wheels need glibc; musl (Alpine) would need musllinux ones.
        return ("linux_" if not libc or libc.startswith("glibc") else "musllinux_") + arch
    return f"{sys_platform}_{arch}"


def current() -> Interpreter:
    """The running interpreter (OBS's embedded Python, or the one running the CLI)."""
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        libc = ""
    # Windows needs only the build platform; platform.machine() there may query WMI, which is slow.
    machine = "" if sys.platform == "win32" else platform.machine()
    key = platform_key(sys.platform, sysconfig.get_platform(), machine, libc)
    if sys.platform == "win32" and key == "win_amd64" and struct.calcsize("P") == 4:
        key = "win32"
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return Interpreter((sys.version_info[0], sys.version_info[1]), key, free_threaded)


def available(here: str) -> List[str]:
    """The tags of the vendored folders next to the script (none outside a bundle)."""
    folder = os.path.join(here, VENDOR_DIR)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if n.startswith("cp") and os.path.isdir(os.path.join(folder, n)))


def select(tags: Sequence[str], interpreter: Interpreter) -> Optional[str]:
    """The tag among ``tags`` that serves ``interpreter``, or None."""
    return interpreter.tag if interpreter.tag in tags else None


def activate(here: str, interpreter: Optional[Interpreter] = None, path: Optional[List[str]] = None) -> Optional[str]:
    """Put the vendored folder for this Python on ``sys.path`` (right after ``lib/``).

    The bundle's tested versions go before anything installed, so an older pydantic in
    OBS's Python cannot shadow them. Returns the folder, or None (no bundle, or no
    folder for this Python: ``advice()`` then says what to do). Safe to call again.
    """
    path = sys.path if path is None else path
    tag = select(available(here), interpreter or current())
    if tag is None:
        return None
    folder = os.path.join(here, VENDOR_DIR, tag)
    if folder not in path:
        lib = os.path.join(here, "lib")
        path.insert(path.index(lib) + 1 if lib in path else 0, folder)
    # Pure-Python packages every Python shares (release/archive.py ``share_pure``), after
    # the compiled ones of this Python's own folder.
    common = os.path.join(here, VENDOR_DIR, COMMON_DIR)
    if os.path.isdir(common) and common not in path:
        path.insert(path.index(folder) + 1, common)
    return folder


def _dotted(version: Tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def _served_versions(tags: Sequence[str], platform_name: str) -> List[Tuple[int, int]]:
    found = []
    for tag in tags:
        abi, _, plat = tag.partition("-")
        if plat == platform_name and abi[2:].isdigit():
            found.append((int(abi[2]), int(abi[3:])))
    return sorted(found)


_PIP = ("install requests, pydantic (v2) and websocket-client into OBS's Python with pip "
        "(README, \"Install into OBS\")")


def advice(tags: Sequence[str], interpreter: Interpreter) -> Optional[str]:
    """What to do when this bundle has no folder for ``interpreter``; None when it has one
    or when this is not a bundle (no vendored folders: a git checkout)."""
    if not tags or select(tags, interpreter):
        return None
    running = f"OBS runs Python {interpreter.version_text} on {interpreter.platform_text}"
    served = _served_versions(tags, interpreter.platform)
    if served:
        listed = ", ".join(_dotted(v) for v in served)
        return (f"{running}; this bundle has packages for Python {listed} on {interpreter.platform_text}"
                f"{' (regular builds, not free-threaded)' if interpreter.free_threaded else ''}. "
                + _what_to_do(interpreter, served))
    if interpreter.platform in PLATFORMS:
        bundle_platform = tags[0].partition("-")[2]
        archive = f"obs-livestream-{__version__}-{PLATFORMS[interpreter.platform][0]}.zip"
        mine = PLATFORMS[bundle_platform][1] if bundle_platform in PLATFORMS else bundle_platform
        return (f"{running}, but this is the bundle for {mine}: download {archive} instead, "
                "unzip it and add its obs_livestream.py in Tools > Scripts.")
    return f"{running}, which no obs-livestream bundle serves: {_PIP}."


def _what_to_do(interpreter: Interpreter, served: Sequence[Tuple[int, int]]) -> str:
    # The served version nearest to the running one: each OBS release loads a range of
    # Python versions, and one that runs 3.9 may be too old for 3.12 (OBS 29.0 stops at 3.10).
    version = min(served, key=lambda v: (abs((v[0] - interpreter.version[0]) * 100 + v[1] - interpreter.version[1]),
                                         -v[1]))
    text = _dotted(version)
    if interpreter.platform == "win_amd64":
        return (f"Install 64-bit Python {text} from python.org, set its folder (e.g. "
                f"C:\\Users\\<you>\\AppData\\Local\\Programs\\Python\\Python{text.replace('.', '')}) in "
                f"Tools > Scripts > Python Settings and restart OBS; or {_PIP}.")
    if interpreter.platform.startswith("macosx_"):
        return (f"Install Python {text} from python.org, set /Library/Frameworks/Python.framework/Versions/{text} "
                f"in Tools > Scripts > Python Settings and restart OBS; or {_PIP}.")
    # Linux: OBS loads the distribution's (or the Flatpak runtime's) Python; no setting changes it.
    return f"This OBS cannot load another Python: {_PIP}."
