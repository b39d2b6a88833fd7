"""The bundle targets, and the wheels pip resolves for each (platform, Python version).

Each target is one archive; each of its Python versions one vendored folder, named by
``livestream.vendor`` (the script's own selection logic) so the two cannot disagree.
``release/requirements.lock`` pins every distribution: the same lock gives the same
wheels, hence the same archive bytes.
"""

from __future__ import annotations

import email.message
import email.parser
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from livestream.vendor import PLATFORMS, Interpreter  # noqa: E402 - lib/ is a plain folder, not installed

REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "release" / "requirements.lock"


@dataclass(frozen=True)
class Target:
    """One archive: a platform and the Python versions its OBS can load."""

    platform: str  # livestream.vendor.PLATFORMS key, e.g. "win_amd64"
    pip_platforms: Tuple[str, ...]  # pip download --platform values (wheel platform tags)
    versions: Tuple[Tuple[int, int], ...]

    @property
    def name(self) -> str:
        return PLATFORMS[self.platform][0]

    def tags(self) -> List[str]:
        return [Interpreter(v, self.platform).tag for v in self.versions]


# Windows and macOS OBS load a Python the user installs: 3.10 (OBS 29.0) up to 3.12 (30.1+).
# Linux OBS loads the distribution's Python: 3.11 (Debian 12) to 3.14 (Debian sid).
# macOS: OBS 28 and later need macOS 11; manylinux_2_17 (glibc 2.17) covers every
# distribution that packages OBS 29 or later.
_DESKTOP = ((3, 10), (3, 11), (3, 12))
TARGETS = (
    Target("win_amd64", ("win_amd64",), _DESKTOP),
    Target("macosx_arm64", ("macosx_11_0_arm64",), _DESKTOP),
    Target("macosx_x86_64", ("macosx_11_0_x86_64",), _DESKTOP),
    Target("linux_x86_64", ("manylinux_2_17_x86_64", "manylinux2014_x86_64"), ((3, 11), (3, 12), (3, 13), (3, 14))),
)


class BundleError(Exception):
    """The bundle cannot be built; the message says what to do."""


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them (pydantic_core == pydantic-core)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = LOCK) -> Dict[str, str]:
    """``{normalized name: version}`` from ``name==version`` lines."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            if not sep:
                raise BundleError(f"{path.name}: '{line}' is not name==version")
            pins[normalize(name)] = version.strip()
    return pins


def wheel_name_version(filename: str) -> Tuple[str, str]:
    """Distribution name and version from a wheel's file name (PEP 427)."""
    parts = filename[: -len(".whl")].split("-")
    return normalize(parts[0]), parts[1]


def pip_download(dest: Path, target: Target, version: Tuple[int, int], *, constraints: Sequence[Path]) -> List[Path]:
    """The wheels of requirements.txt for one platform and Python version, into ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--progress-bar", "off", "--dest", str(dest), "--only-binary=:all:", "--implementation", "cp",
               "--python-version", f"{version[0]}.{version[1]}", "-r", str(REQUIREMENTS)]
    for platform in target.pip_platforms:
        command += ["--platform", platform]
    for path in constraints:
        command += ["-c", str(path)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if "is ignored" not in line]
        raise BundleError(f"pip could not resolve the wheels for Python {version[0]}.{version[1]} on "
                          f"{target.name}:\n" + "\n".join(errors[-15:]))
    return sorted(dest.glob("*.whl"))


def cached_wheels(cache: Path, target: Target, version: Tuple[int, int]) -> List[Path]:
    """The locked wheels for one vendored folder, downloaded once into ``cache/<tag>``."""
    tag = Interpreter(version, target.platform).tag
    folder = cache / tag
    stamp = hashlib.sha256("\n".join([
        REQUIREMENTS.read_text(encoding="utf-8"), LOCK.read_text(encoding="utf-8"), repr(target), repr(version),
    ]).encode()).hexdigest()
    stamp_file = folder / ".stamp"
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return sorted(folder.glob("*.whl"))
    wheels = pip_download(folder, target, version, constraints=[LOCK])
    pins = read_lock()
    for wheel in wheels:
        name, got = wheel_name_version(wheel.name)
        if pins.get(name) != got:
            raise BundleError(f"{wheel.name} is not pinned by release/requirements.lock (it pins "
                              f"{name} {pins.get(name, 'not at all')}): run 'bash scripts/bundle --update-lock'")
    stamp_file.write_text(stamp)
    return wheels


def update_lock(work: Path) -> Dict[str, str]:
    """Resolve the newest versions for every folder of every target; they must agree."""
    seen: Dict[str, Dict[str, List[str]]] = {}
    for target in TARGETS:
        for version in target.versions:
            tag = Interpreter(version, target.platform).tag
            for wheel in pip_download(work / tag, target, version, constraints=[]):
                name, got = wheel_name_version(wheel.name)
                seen.setdefault(name, {}).setdefault(got, []).append(tag)
    split = {name: found for name, found in seen.items() if len(found) > 1}
    if split:
        raise BundleError("the newest versions differ between folders; pin one in requirements.txt: "
                          + "; ".join(f"{name}: {found}" for name, found in sorted(split.items())))
    pins = {name: next(iter(found)) for name, found in sorted(seen.items())}
    LOCK.write_text("# Every vendored distribution, pinned: the same lock gives the same bundles.\n"
                    "# Written by 'bash scripts/bundle --update-lock' from requirements.txt.\n"
                    + "".join(f"{name}=={version}\n" for name, version in pins.items()), encoding="utf-8")
    return pins


def wheel_files(wheel: Path) -> Iterator[Tuple[str, bytes]]:
    """(path relative to site-packages, content) of every file a wheel installs as a library.

    ``<name>.data/purelib`` and ``platlib`` go to the top, as pip installs them; console
    scripts, headers and data files are left out: a script folder runs no commands.
    """
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            top, _, rest = name.partition("/")
            if top.endswith(".data"):
                kind, _, inner = rest.partition("/")
                if kind not in ("purelib", "platlib"):
                    continue
                name = inner
            yield name, archive.read(info)


def parse_headers(text: str) -> email.message.Message:
    """METADATA and WHEEL files are RFC 822 style headers."""
    return email.parser.Parser().parsestr(text, headersonly=True)


def is_licence_file(path_in_dist_info: str) -> bool:
    """Licence and notice files in a dist-info, PEP 639 (``licenses/``) or older layouts."""
    parts = path_in_dist_info.split("/")
    return parts[0] == "licenses" or bool(re.match(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", parts[-1], re.I))


def environment_ok() -> None:
    """Fail early, with what to do, when this Python has no pip."""
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        raise BundleError(f"{sys.executable} has no pip: run 'bash scripts/setup' and build with .venv/bin/python")


__all__ = ["TARGETS", "Target", "BundleError", "cached_wheels", "update_lock", "wheel_files", "read_lock",
           "parse_headers", "is_licence_file", "environment_ok", "normalize"]
