"""What goes into a bundle, and the reproducible zip it is written as.

Same inputs, same bytes: entries sorted by name, one fixed time stamp (that of the last
commit changing the shipped files, or ``SOURCE_DATE_EPOCH``), fixed permissions (0644),
fixed compression, no directory entries and no extra fields. A commit time rather than a
constant: a newer bundle unzipped where an older one was gets newer file times, so Python
does not reuse byte code cached for the old sources (it compares source time and size only).
"""

from __future__ import annotations

import os
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Dict, Iterable, Mapping, Optional

from .wheels import BundleError, is_licence_file, parse_headers, wheel_files

TOP = "obs-livestream"  # the folder the archive unzips into; the same in every version
PROJECT_FILES = ("obs_livestream.py", "README.md", "LICENSE", "requirements.txt")
NOTICES = "THIRD-PARTY-LICENSES.txt"
PRODUCT_PACKAGE = "lib/livestream"
#: The vendored folder every Python of a bundle puts on ``sys.path`` after its own.
COMMON = "common"
_ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip entry can hold


def project_entries(root: Path) -> Dict[str, bytes]:
    """The script, the product package ``lib/livestream/`` (without byte code), README, LICENSE
    and requirements.txt. The sandbox, the headless OBS launcher, the demo and the test fakes
    beside it in ``lib/`` are repository tooling the script never runs: not shipped."""
    entries = {name: (root / name).read_bytes() for name in PROJECT_FILES}
    for path in sorted((root / PRODUCT_PACKAGE).rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix not in (".pyc", ".pyo"):
            entries[relative.as_posix()] = path.read_bytes()
    return entries


def vendored_entries(tag: str, wheels: Iterable[Path]) -> Dict[str, bytes]:
    """Every wheel unpacked into ``vendor/<tag>/``, as pip would install it."""
    entries: Dict[str, bytes] = {}
    for wheel in wheels:
        for name, data in wheel_files(wheel):
            key = f"vendor/{tag}/{name}"
            if key in entries and entries[key] != data:
                raise BundleError(f"two wheels for {tag} install different {name}")
            entries[key] = data
    return entries


def share_pure(entries: Dict[str, bytes], tags: Iterable[str]) -> Dict[str, bytes]:
    """Move what every Python's folder holds byte for byte (pure-Python packages and their
    .dist-info) into ``vendor/common/``, once instead of once per Python.

    Decided per top-level name (a package, a module, a .dist-info folder), never per file:
    a package split across two folders on ``sys.path`` would not import (only the first
    folder holding it is searched). Compiled packages differ between Pythons and stay.
    """
    tags = list(tags)
    if len(tags) < 2:
        return entries
    per_tag: Dict[str, Dict[str, Dict[str, bytes]]] = {tag: {} for tag in tags}
    for name, data in entries.items():
        parts = name.split("/", 2)
        if len(parts) == 3 and parts[0] == "vendor" and parts[1] in per_tag:
            top = parts[2].split("/", 1)[0]
            per_tag[parts[1]].setdefault(top, {})[parts[2]] = data
    first = per_tag[tags[0]]
    shared = [top for top, files in first.items() if all(per_tag[t].get(top) == files for t in tags[1:])]
    out = dict(entries)
    for top in shared:
        for inner, data in first[top].items():
            for tag in tags:
                del out[f"vendor/{tag}/{inner}"]
            out[f"vendor/{COMMON}/{inner}"] = data
    return out


def notices(entries: Mapping[str, bytes]) -> bytes:
    """One text file with each vendored distribution's name, version, licence and licence texts."""
    dists: Dict[str, Dict[str, bytes]] = {}  # "pydantic_core-2.50.5.dist-info" -> {inner path: bytes}
    for name in sorted(entries):
        parts = name.split("/", 3)
        if len(parts) == 4 and parts[0] == "vendor" and parts[2].endswith(".dist-info"):
            dists.setdefault(parts[2], {}).setdefault(parts[3], entries[name])
    lines = ["Third-party software vendored in vendor/<python>-<platform>/ and vendor/common/ (pure Python, "
             "shared by every Python), the same versions in every folder.",
             "Each distribution's licence files are also in its .dist-info folder there.", ""]
    lesser = False
    for dist_info in sorted(dists, key=str.lower):
        files = dists[dist_info]
        headers = parse_headers(files["METADATA"].decode("utf-8"))
        texts = [inner for inner in sorted(files) if is_licence_file(inner)]
        if not texts:
            raise BundleError(f"{dist_info} ships no licence file: the bundle may not redistribute it as is")
        classifiers = [c.split(" :: ")[-1] for c in headers.get_all("Classifier") or [] if c.startswith("License ::")]
        licence = headers.get("License-Expression") or ", ".join(classifiers) or \
            (headers.get("License") or "see below").splitlines()[0]
        lines += ["=" * 78, f"{headers['Name']} {headers['Version']}", f"Licence: {licence}"]
        lines += [f"Components compiled into it, with their licences: vendor/<tag>/{dist_info}/{inner}"
                  for inner in sorted(files) if inner.startswith("sboms/")]
        for inner in texts:
            lines += ["", f"--- {dist_info}/{inner} ---", files[inner].decode("utf-8", errors="replace").rstrip()]
        lines.append("")
        lesser = lesser or "LGPL-3" in licence or "Lesser General Public License v3" in licence
    if lesser:
        lines += _gpl_appendix()
    return ("\n".join(lines) + "\n").encode("utf-8")


#: Ends the per-distribution blocks when the GPL's text follows them.
APPENDIX = "#" * 78
GPL_TEXT = Path(__file__).with_name("licences") / "GPL-3.0.txt"


def _gpl_appendix() -> list:
    """The LGPL-3.0 is a set of permissions added to the GPL-3.0, and its section 4(b) asks
    that a combined work carry both texts (https://www.gnu.org/licenses/lgpl-3.0.html); the
    libraries stay unmodified Python source in vendor/, so a user can replace them (4(d))."""
    return [APPENDIX, "GNU General Public License, version 3",
            "Distributions above under the LGPL-3.0 are vendored as unmodified Python source in vendor/ and "
            "may be replaced there by any other version; the LGPL-3.0 supplements this licence:", "",
            GPL_TEXT.read_text(encoding="utf-8").rstrip(), ""]


def source_date_epoch(root: Path, environ: Optional[Mapping[str, str]] = None) -> int:
    """``SOURCE_DATE_EPOCH`` if set, else the time of the last commit that changed what a
    bundle holds (a commit of tests only leaves the archives as they were)."""
    env = os.environ if environ is None else environ
    if env.get("SOURCE_DATE_EPOCH"):
        return int(env["SOURCE_DATE_EPOCH"])
    shipped = [*PROJECT_FILES, PRODUCT_PACKAGE, "release/requirements.lock"]
    try:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct", "--", *shipped],
                             capture_output=True, text=True)
    except OSError:
        out = None
    if out is None or out.returncode != 0 or not out.stdout.strip():
        raise BundleError("not a git checkout: set SOURCE_DATE_EPOCH (seconds since 1970) for the files' time stamp")
    return int(out.stdout.strip())


def write_zip(path: Path, entries: Mapping[str, bytes], epoch: int) -> int:
    """Write ``entries`` under ``obs-livestream/`` reproducibly; returns the archive's size."""
    date_time = time.gmtime(max(epoch, _ZIP_EPOCH_MIN))[:6]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{TOP}/{name}", date_time)
            info.create_system = 3  # Unix, whatever builds it, so the permission bits below are read
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name], compresslevel=9)
    os.replace(partial, path)
    return path.stat().st_size
