"""Another Debian release's OBS, run from a root file system on this machine.

Debian 12's OBS is 29.0.2; streamers run 30, 31 and 32. Debian trixie ships OBS 30.2
(Python 3.13) and sid OBS 32 (Python 3.14), so the end-to-end tests can run in those
too: ``mmdebstrap`` (a Debian package) makes a root file system of that release with
``obs-studio`` in it, once, under ``build/obs-roots/<suite>``, and OBS runs in it with
``chroot`` under the host's Xvfb.

How a command runs in a root (``ObsRoot.command``): ``unshare --mount`` gives it a
private mount namespace, where /proc, /sys, /dev, /tmp (the X socket, the tests'
homes) and the checkout are bound into the root before ``exec chroot``. The binds
exist only in that namespace, which the kernel drops when its last process exits: a
SIGKILLed test run leaves no mount behind, and nothing is ever unmounted by hand.
``exec`` all the way keeps one process id, so the caller stops OBS by its pid as
before. The network is shared: OBS in the root reaches the host's loopback (the
sandbox, nginx-rtmp) and obs-websocket listens on it.

The script's dependencies are installed with ``pip --target`` into a folder of their own
in the root (``/opt/obs-livestream-deps``), for the root's own Python (OBS embeds that
one), using the host's pip configuration and CA bundle, copied in. ``HeadlessObs`` puts
that folder on OBS's ``PYTHONPATH`` for the end-to-end tests; without it the root's
Python has no packages at all, as a streamer's may, which the release bundle's test
needs (``HeadlessObs(root_packages=False)``). Roots whose stamp predates that folder
had the dependencies pip-installed into the root's system Python: ``ensure`` removes
them (and rebuilds the root should its Python still import them).

    python -m livestream_headless ensure [trixie sid]   # what scripts/setup runs
    python -m livestream_headless list                  # which are built: OBS and Python versions
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

__all__ = ["ObsRoot", "OBS_VERSIONS", "DEPS_DIR", "RootError", "roots_dir", "selected_versions", "debian_mirror",
           "ensure"]

REPO = Path(__file__).resolve().parents[2]
# The OBS versions the end-to-end tests know, and where each comes from: None is the
# host's own OBS (Debian 12: 29.0.2), a name is a Debian suite built into a root.
OBS_VERSIONS: Dict[str, Optional[str]] = {"29": None, "30": "trixie", "32": "sid"}
VERSIONS_ENV = "LIVESTREAM_OBS_VERSIONS"  # e.g. "29" or "30,32": only these while iterating
PACKAGES = ("obs-studio", "xvfb", "xauth", "python3-pip", "ca-certificates")
# sid's Release file in a frozen mirror is past its Valid-Until date.
SUITE_APT_OPTIONS = {"sid": ("Acquire::Check-Valid-Until \"false\"",)}
STAMP = ".livestream-root.json"
# The script's dependencies, inside the root, apart from its Python's own packages.
DEPS_DIR = "/opt/obs-livestream-deps"
BINDS_RECURSIVE = ("/proc", "/sys", "/dev", "/tmp")


class RootError(RuntimeError):
    """A root file system could not be built or used; the message says what to do."""


def roots_dir() -> Path:
    """``build/obs-roots``, or ``LIVESTREAM_OBS_ROOTS`` (roots built once, shared by checkouts)."""
    override = os.environ.get("LIVESTREAM_OBS_ROOTS")
    return Path(override) if override else REPO / "build" / "obs-roots"


def selected_versions(value: Optional[str] = None) -> List[str]:
    """The OBS versions to test: ``LIVESTREAM_OBS_VERSIONS`` (comma-separated; empty or "all": all)."""
    raw = os.environ.get(VERSIONS_ENV, "") if value is None else value
    wanted = [v.strip() for v in raw.replace(" ", ",").split(",") if v.strip() and v.strip() != "all"]
    unknown = [v for v in wanted if v not in OBS_VERSIONS]
    if unknown:
        raise RootError(f"unknown OBS version(s) {', '.join(unknown)} in {VERSIONS_ENV}; "
                        f"known: {', '.join(OBS_VERSIONS)}")
    return wanted or list(OBS_VERSIONS)


@dataclass(frozen=True)
class ObsRoot:
    """A root file system with OBS in it (``build/obs-roots/<suite>``)."""

    path: Path

    @classmethod
    def for_suite(cls, suite: str) -> ObsRoot:
        return cls(roots_dir() / suite)

    @property
    def ready(self) -> bool:
        """Built completely (the stamp is written last) and holding OBS."""
        return (self.path / STAMP).is_file() and (self.path / "usr" / "bin" / "obs").exists()

    def command(self, argv: Sequence[str], *, binds: Iterable[os.PathLike | str] = (),
                workdir: Optional[str] = None) -> List[str]:
        """``argv`` run inside the root, with the standard binds plus ``binds`` (same paths inside).

        The folders are bound at the same absolute paths, so file names (a script's path,
        HOME) mean the same thing on both sides.
        """
        root = str(self.path.resolve())
        extra = _outermost(Path(b).resolve() for b in binds)
        lines = ["set -e"]
        for source in BINDS_RECURSIVE:
            lines.append(f"mount --rbind {source} {shlex.quote(root + source)}")
        for folder in extra:
            if any(folder == Path(b) or Path(b) in folder.parents for b in BINDS_RECURSIVE):
                continue  # already there through /tmp (or /dev...)
            target = Path(root + str(folder))
            target.mkdir(parents=True, exist_ok=True)  # the mount point, in the root
            lines.append(f"mount --bind {shlex.quote(str(folder))} {shlex.quote(str(target))}")
        chroot = ["chroot", root]
        if workdir:
            chroot = ["chroot", root, "sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", workdir]
        lines.append("exec " + shlex.join([*chroot, *argv]))
        # A private mount namespace: the binds vanish with its last process.
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "\n".join(lines)]

    def run(self, argv: Sequence[str], *, binds: Iterable[os.PathLike | str] = (), timeout: float = 600,
            env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(argv, binds=binds), capture_output=True, text=True,
                              timeout=timeout, env=env)

    def packages_env(self) -> Dict[str, str]:
        """The environment that lets the root's Python (and OBS's) import the script's dependencies."""
        return {"PYTHONPATH": DEPS_DIR}

    def python_version(self) -> Optional[str]:
        """``3.13``: the root's ``python3``, which its OBS embeds."""
        found = sorted(self.path.glob("usr/bin/python3.[0-9]*"))
        names = [p.name for p in found if re.fullmatch(r"python3\.\d+", p.name)]
        return names[-1].removeprefix("python") if names else None

    def stamp(self) -> dict:
        try:
            return json.loads((self.path / STAMP).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


def _outermost(paths: Iterable[Path]) -> List[Path]:
    """The folders without those inside another one of them (binding the outer is enough)."""
    unique = sorted(set(paths), key=lambda p: len(p.parts))
    kept: List[Path] = []
    for path in unique:
        if not any(path == k or k in path.parents for k in kept):
            kept.append(path)
    return kept


# --- building ----------------------------------------------------------------------------

MIRROR_ENV = "LIVESTREAM_DEBIAN_MIRROR"  # e.g. http://<your mirror>/debian, when apt's sources name none
APT_SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))


def debian_mirror(sources: Sequence[Path] = APT_SOURCES, environ: Optional[Mapping[str, str]] = None) -> str:
    """The Debian mirror to build the roots from: ``LIVESTREAM_DEBIAN_MIRROR``, else the one this
    machine's apt uses (not its security mirror); ``RootError`` saying how to set one if neither.

    Reads one-line ``deb URI suite`` entries (``*.list``) and deb822 stanzas (``*.sources``:
    ``Types``, ``URIs``, ``Suites``, ``Enabled``), as sources.list(5) describes them.
    """
    chosen = (os.environ if environ is None else environ).get(MIRROR_ENV, "").strip()
    if chosen:
        return chosen.rstrip("/")
    files: List[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(sorted(p for p in source.iterdir() if p.suffix in (".list", ".sources")))
        elif source.is_file():
            files.append(source)
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found = _deb822_mirror(text) if path.suffix == ".sources" else _one_line_mirror(text)
        if found:
            return found
    where = ", ".join(str(s) for s in sources)
    raise RootError(f"no Debian mirror found in apt's sources ({where}): set {MIRROR_ENV} to the Debian "
                    f"mirror to build the OBS roots from, e.g. {MIRROR_ENV}=http://<your mirror>/debian")


def _deb822_mirror(text: str) -> Optional[str]:
    for stanza in re.split(r"\n\s*\n", text):
        fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.+)$", stanza, re.M))
        enabled = fields.get("Enabled", "yes").strip().lower() != "no"
        suites = fields.get("Suites", "")
        if enabled and "deb" in fields.get("Types", "").split():
            for uri in fields.get("URIs", "").split():
                if _is_debian_main(uri, suites):
                    return uri.rstrip("/")
    return None


def _one_line_mirror(text: str) -> Optional[str]:
    for line in text.splitlines():
        match = re.match(r"^\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
        if match and _is_debian_main(match.group(1), match.group(2)):
            return match.group(1).rstrip("/")
    return None


def _is_debian_main(uri: str, suites: str) -> bool:
    return "security" not in uri and "security" not in suites and re.search(r"/debian/?$", uri) is not None


def _pip_config_files() -> List[Path]:
    """The host's pip configuration files, in pip's own order (site, user, env)."""
    home = Path(os.path.expanduser("~"))
    xdg = [Path(d) / "pip" / "pip.conf" for d in os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":") if d]
    candidates = [*xdg, Path("/etc/pip.conf"), home / ".pip" / "pip.conf", home / ".config" / "pip" / "pip.conf"]
    if os.environ.get("PIP_CONFIG_FILE"):
        candidates.append(Path(os.environ["PIP_CONFIG_FILE"]))
    return [p for p in candidates if p.is_file()]


def _files_pip_needs(configs: Sequence[Path]) -> List[Path]:
    """Configs plus the files they name (CA bundle, constraints), and the CA bundles in the environment."""
    needed = list(configs)
    for config in configs:
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            parser.read(config, encoding="utf-8")
        except configparser.Error:
            continue
        for section in parser.sections():
            for key in ("cert", "client-cert", "constraint", "constraints", "requirement"):
                for value in (parser.get(section, key, fallback="") or "").split():
                    if value.startswith("/"):
                        needed.append(Path(value))
    for var in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CONSTRAINT"):
        for value in os.environ.get(var, "").split():
            if value.startswith("/"):
                needed.append(Path(value))
    needed.append(Path("/etc/ssl/certs/ca-certificates.crt"))
    needed.append(Path("/etc/resolv.conf"))  # name resolution for pip in the root
    return [p for p in dict.fromkeys(needed) if p.is_file()]


def _copy_in(root: Path, files: Iterable[Path]) -> None:
    for source in files:
        # Same path inside (pip is told that path); never write through a link in the root.
        target = Path(str(root.resolve()) + str(Path(os.path.abspath(source))))
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        shutil.copyfile(source.resolve(), target)


def _requirements_digest(requirements: Path) -> str:
    return hashlib.sha256(requirements.read_bytes()).hexdigest()


def _say(text: str) -> None:
    print(f"obs-roots: {text}", file=sys.stderr, flush=True)


def build(suite: str, *, dest: Optional[Path] = None, mirror: Optional[str] = None) -> ObsRoot:
    """Make the root of ``suite`` with ``mmdebstrap`` (about 35-90 s and 850 MB each)."""
    root = ObsRoot(dest or roots_dir() / suite)
    if not shutil.which("mmdebstrap"):
        raise RootError("mmdebstrap is not installed: install the Debian package mmdebstrap (scripts/setup does it)")
    if os.geteuid() != 0:
        raise RootError("building an OBS root needs root (mmdebstrap, chroot): run scripts/setup as root")
    partial = root.path.with_name(root.path.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    if root.path.exists():
        shutil.rmtree(root.path)
    partial.parent.mkdir(parents=True, exist_ok=True)
    mirror = mirror or debian_mirror()
    command = ["mmdebstrap", "--variant=apt", f"--include={','.join(PACKAGES)}"]
    command += [f"--aptopt={option}" for option in SUITE_APT_OPTIONS.get(suite, ())]
    command += [suite, str(partial), mirror]
    _say(f"building the Debian {suite} root with OBS ({mirror}); this takes a minute or two")
    log = partial.with_name(partial.name + ".log")
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        shutil.rmtree(partial, ignore_errors=True)
        raise RootError(f"mmdebstrap {suite} failed (exit {result.returncode}):\n{tail}")
    partial.rename(root.path)
    log.unlink(missing_ok=True)
    _say(f"{suite} root built in {time.monotonic() - started:.0f} s")
    return root


def install_requirements(root: ObsRoot, requirements: Path) -> None:
    """pip-install the script's dependencies for the root's Python (which its OBS embeds) into DEPS_DIR."""
    _copy_in(root.path, _files_pip_needs(_pip_config_files()))
    requirements = requirements.resolve()
    target = Path(str(root.path) + DEPS_DIR)
    shutil.rmtree(target, ignore_errors=True)  # --target would keep what an older requirements.txt had
    argv = ["python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--root-user-action=ignore", "--target", DEPS_DIR, "-r", str(requirements)]
    result = root.run(argv, binds=[requirements.parent], env=_env_without_python())
    if result.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        tail = "\n".join(line for line in (result.stdout + result.stderr).splitlines()
                         if not line.startswith("WARNING: Location"))[-2000:]
        raise RootError(f"pip could not install {requirements.name} in {root.path.name}:\n{tail}")


def _env_without_python() -> Dict[str, str]:
    """This process's environment without a venv's or PYTHONPATH, which would leak into the root's Python."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}


def remove_system_packages(root: ObsRoot) -> List[str]:
    """Remove what pip installed into the root's system Python (the layout before DEPS_DIR).

    pip installs as root into ``/usr/local``: every file a distribution's RECORD lists
    (its package, its console scripts in /usr/local/bin), then whatever is left in
    /usr/local/lib/python3.X/dist-packages, which is empty in a fresh root. Debian's own
    packages (/usr/lib/python3/dist-packages: pip, wheel, packaging) stay. Returns the
    distributions removed.
    """
    local = (root.path / "usr" / "local").resolve()
    removed = []
    for site in sorted(root.path.glob("usr/local/lib/python3*/dist-packages")):
        for record in sorted(site.glob("*.dist-info/RECORD")):
            removed.append(record.parent.name)
            for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
                listed = (site / line.split(",", 1)[0]).resolve()
                if local in listed.parents and (listed.is_file() or listed.is_symlink()):
                    listed.unlink()
        for entry in site.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    return removed


def _imports(root: ObsRoot, module: str, env: Dict[str, str]) -> bool:
    result = root.run(["python3", "-c", f"import {module}"], env=env, timeout=120)
    return result.returncode == 0


def _bare_python_imports(root: ObsRoot) -> bool:
    """Whether the root's Python imports ``requests`` without DEPS_DIR: it must not."""
    return _imports(root, "requests", _env_without_python())


def _deps_import(root: ObsRoot) -> bool:
    return _imports(root, "requests, pydantic, websocket", {**_env_without_python(), **root.packages_env()})


def ensure(suites: Sequence[str], *, requirements: Path = REPO / "requirements.txt") -> List[ObsRoot]:
    """Build what is missing and (re)install the dependencies when requirements.txt (or their folder) changed.

    Afterwards the root's Python imports the dependencies only with DEPS_DIR on its path,
    as on a machine that built the root today.
    """
    roots = []
    for suite in suites:
        root = ObsRoot.for_suite(suite)
        stamp = root.stamp() if root.ready else {}
        if stamp.get("packages") != list(PACKAGES):
            root = build(suite)
            stamp = {}
        digest = _requirements_digest(requirements)
        if stamp.get("requirements") != digest or stamp.get("deps") != DEPS_DIR:
            if stamp and stamp.get("deps") != DEPS_DIR:
                removed = remove_system_packages(root)
                _say(f"removed {len(removed)} packages pip had installed into {suite}'s system Python; "
                     f"they go to {DEPS_DIR} now")
            if stamp and _bare_python_imports(root):
                _say(f"{suite}'s Python still imports requests on its own: building the root again")
                root = build(suite)
            _say(f"installing the script's dependencies for {suite}'s Python {root.python_version()} "
                 f"into {DEPS_DIR}")
            install_requirements(root, requirements)
            if _bare_python_imports(root) or not _deps_import(root):
                raise RootError(f"the {suite} root's Python should import requests only from {DEPS_DIR}: "
                                f"delete {root.path} and run scripts/setup to build it again")
            stamp = {"suite": suite, "packages": list(PACKAGES), "requirements": digest, "deps": DEPS_DIR,
                     "python": root.python_version(), "obs": obs_version(root)}
            (root.path / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        roots.append(root)
    return roots


def obs_version(root: ObsRoot) -> Optional[str]:
    """``30.2.3``: the root's OBS, from its package (no process started)."""
    status = root.path / "var" / "lib" / "dpkg" / "status"
    try:
        text = status.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r"^Package: obs-studio\n(?:[^\n]+\n)*?Version: (?:\d+:)?([\d.]+)", text, re.M)
    return match.group(1) if match else None


def suites_for(versions: Sequence[str]) -> List[str]:
    return [suite for v in versions if (suite := OBS_VERSIONS[v])]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livestream_headless", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ensure_cmd = sub.add_parser("ensure", help="build the roots that are missing (default: those the "
                                f"{VERSIONS_ENV} selection needs)")
    ensure_cmd.add_argument("suites", nargs="*")
    sub.add_parser("list", help="the OBS versions, their roots and whether they are built")
    args = parser.parse_args(argv)
    try:
        if args.command == "ensure":
            ensure(args.suites or suites_for(selected_versions()))
        else:
            for version, suite in OBS_VERSIONS.items():
                if suite is None:
                    print(f"OBS {version}: the host's obs")
                    continue
                root = ObsRoot.for_suite(suite)
                stamp = root.stamp() if root.ready else {}
                state = (f"OBS {stamp.get('obs')}, Python {stamp.get('python')}" if stamp else "not built")
                print(f"OBS {version}: {root.path} ({state})")
    except RootError as exc:
        print(f"obs-roots: {exc}", file=sys.stderr)
        return 2
    return 0

