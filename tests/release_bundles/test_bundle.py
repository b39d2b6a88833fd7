"""The release bundles: what each archive holds, that it is reproducible, and that every
vendored folder holds wheels built for exactly its Python version and platform.

The Windows and macOS bundles cannot run here; what can be checked is checked from the
files themselves: the wheels' WHEEL tags, the compiled libraries' file names and their
machine code's architecture (PE, Mach-O headers), each distribution's dependencies
(evaluated for that platform), and that the pure-Python packages import under this
host's Python. The Linux bundle runs in a real OBS in ``tests/e2e/test_bundle_obs.py``.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from livestream.vendor import PLATFORMS
from release.archive import APPENDIX, COMMON
from release.bundle import SIZE_AIM, main
from release.wheels import TARGETS, parse_headers, read_lock
from tests.release_bundles.built import REPO, build_bundle

TOP = "obs-livestream/"
NAMES = [t.name for t in TARGETS]
FOLDERS = [(t.name, tag) for t in TARGETS for tag in t.tags()]

# Per platform: the OS seen by environment markers, the wheel platform tags it loads,
# the compiled-extension file name and the machine code it must contain.
MARKERS = {
    "win_amd64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
    "macosx_arm64": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
                     "platform_machine": "arm64"},
    "macosx_x86_64": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
                      "platform_machine": "x86_64"},
    "linux_x86_64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                     "platform_machine": "x86_64"},
}
# Pure-Python distributions' import names: what must import under any Python 3.10+.
PURE_IMPORTS = ["requests", "urllib3", "idna", "certifi", "charset_normalizer", "typing_extensions",
                "annotated_types", "typing_inspection", "websocket"]


@pytest.fixture(scope="module", params=NAMES)
def bundle(request) -> Path:
    return build_bundle(request.param).path


def unpacked(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """The archive unzipped (once per module) into an empty folder."""
    folder = tmp_path_factory.getbasetemp() / f"unzipped-{name}"
    if not folder.exists():
        with zipfile.ZipFile(build_bundle(name).path) as archive:
            archive.extractall(folder)
    return folder / TOP.rstrip("/")


def test_every_bundle_holds_the_script_lib_docs_licences_and_its_vendored_pythons(bundle):
    target = next(t for t in TARGETS if bundle.name.endswith(f"-{t.name}.zip"))
    names = zipfile.ZipFile(bundle).namelist()
    assert all(n.startswith(TOP) for n in names)
    files = {n[len(TOP):] for n in names}
    for required in ("obs_livestream.py", "README.md", "LICENSE", "requirements.txt", "THIRD-PARTY-LICENSES.txt"):
        assert required in files
    shipped_lib = {f for f in files if f.startswith("lib/")}
    # The product package only: the sandbox, the headless launcher, the demo and the fakes
    # beside it in lib/ are repository tooling the script never runs.
    product = {p.relative_to(REPO).as_posix() for p in (REPO / "lib" / "livestream").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert product <= shipped_lib
    assert {f.split("/")[1] for f in shipped_lib} == {"livestream"}
    # One folder per Python, and the pure-Python packages they all share (archive.share_pure).
    assert {f.split("/")[1] for f in files if f.startswith("vendor/")} == {*target.tags(), COMMON}
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


@pytest.mark.parametrize("name", NAMES)
def test_the_command_prints_each_archive_with_its_size_within_the_aim(name):
    built = build_bundle(name)
    size = built.path.stat().st_size
    assert f"{built.path.name}  {size / 1e6:.1f} MB" in built.output
    assert size <= SIZE_AIM, built.output


def test_archive_entries_are_sorted_with_one_time_stamp_and_fixed_permissions(bundle):
    infos = zipfile.ZipFile(bundle).infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert len({i.date_time for i in infos}) == 1
    assert {(i.external_attr >> 16, i.create_system, i.compress_type) for i in infos} == {
        (0o100644, 3, zipfile.ZIP_DEFLATED)}
    assert not [i for i in infos if i.is_dir() or i.extra]


def test_building_again_gives_the_same_bytes(tmp_path):
    first = build_bundle("linux-x86_64").path
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    again = subprocess.run([sys.executable, "-m", "release.bundle", "--target", "linux-x86_64", "--out",
                            str(tmp_path)], cwd=str(REPO), capture_output=True, text=True, env=env, timeout=900)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / first.name).read_bytes() == first.read_bytes()


@pytest.mark.parametrize("name,tag", FOLDERS, ids=[tag for _, tag in FOLDERS])
def test_each_vendored_folder_holds_exactly_the_locked_distributions_with_their_dependencies(
        tmp_path_factory, name, tag):
    folder = unpacked(tmp_path_factory, name) / "vendor" / tag
    platform = tag.split("-", 1)[1]
    minor = int(tag[3:tag.index("-")])
    found = {}
    for dist_info in [*folder.glob("*.dist-info"), *(folder.parent / COMMON).glob("*.dist-info")]:
        headers = parse_headers((dist_info / "METADATA").read_text(encoding="utf-8"))
        found[canonicalize_name(headers["Name"])] = (headers["Version"], headers.get_all("Requires-Dist") or [])
    assert {n: v for n, (v, _) in found.items()} == read_lock()
    for top in (Requirement(line) for line in (REPO / "requirements.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")):
        assert top.specifier.contains(found[canonicalize_name(top.name)][0]), top
    environment = {**MARKERS[platform], "python_version": f"3.{minor}", "python_full_version": f"3.{minor}.0",
                   "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}
    for dist, (_, requires) in found.items():
        for requirement in map(Requirement, requires):
            if requirement.marker is None or requirement.marker.evaluate(environment):
                name_found = canonicalize_name(requirement.name)
                assert name_found in found, f"{dist} needs {requirement} on {tag}: not vendored"
                assert requirement.specifier.contains(found[name_found][0], prereleases=True), (dist, requirement)


def _tag_loads(wheel_tag: str, minor: int, platform: str) -> bool:
    """Whether CPython 3.<minor> on ``platform`` loads a wheel with this WHEEL ``Tag``."""
    interpreter, abi, plat = wheel_tag.split("-")
    if abi == f"cp3{minor}":
        python_ok = interpreter == f"cp3{minor}"
    elif abi == "abi3":
        python_ok = interpreter.startswith("cp3") and int(interpreter[3:]) <= minor
    else:
        python_ok = abi == "none" and (interpreter in ("py3", f"cp3{minor}") or
                                       (interpreter.startswith("py3") and int(interpreter[3:]) <= minor))
    if plat == "any" or not python_ok:
        return python_ok
    if platform == "win_amd64":
        return plat == "win_amd64"
    if platform.startswith("macosx_"):
        match = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", plat)
        arch = platform.split("_", 1)[1]
        return bool(match) and (int(match[1]), int(match[2])) <= (11, 0) and match[3] in (arch, "universal2")
    match = re.fullmatch(r"manylinux(?:_(\d+)_(\d+)|1|2010|2014)_x86_64", plat)
    return bool(match) and (match[1] is None or (int(match[1]), int(match[2])) <= (2, 17))


@pytest.mark.parametrize("name,tag", FOLDERS, ids=[tag for _, tag in FOLDERS])
def test_each_vendored_wheel_is_built_for_the_folders_python_and_platform(tmp_path_factory, name, tag):
    folder = unpacked(tmp_path_factory, name) / "vendor" / tag
    platform = tag.split("-", 1)[1]
    minor = int(tag[3:tag.index("-")])
    compiled = []
    for dist_info in sorted([*folder.glob("*.dist-info"), *(folder.parent / COMMON).glob("*.dist-info")]):
        wheel = parse_headers((dist_info / "WHEEL").read_text(encoding="utf-8"))
        tags = wheel.get_all("Tag")
        assert any(_tag_loads(t, minor, platform) for t in tags), f"{dist_info.name} {tags} does not load on {tag}"
        if wheel["Root-Is-Purelib"].strip() == "false":
            compiled.append(dist_info.name)
    assert any(n.startswith("pydantic_core-") for n in compiled), compiled


_SUFFIX = {"win_amd64": ".cp3{m}-win_amd64.pyd", "macosx_arm64": ".cpython-3{m}-darwin.so",
           "macosx_x86_64": ".cpython-3{m}-darwin.so", "linux_x86_64": ".cpython-3{m}-x86_64-linux-gnu.so"}


def _architectures(binary: bytes) -> set[str]:
    """The CPU architectures a PE, Mach-O (thin or universal) or ELF file holds code for."""
    if binary[:2] == b"MZ":
        offset = struct.unpack_from("<I", binary, 0x3C)[0]
        return {{0x8664: "x86_64", 0xAA64: "arm64", 0x14C: "x86"}.get(struct.unpack_from("<H", binary, offset + 4)[0],
                                                                        "?")}
    cpu = {0x0100000C: "arm64", 0x01000007: "x86_64"}
    if binary[:4] == b"\xcf\xfa\xed\xfe":  # 64-bit Mach-O, little endian
        return {cpu.get(struct.unpack_from("<I", binary, 4)[0], "?")}
    if binary[:4] == b"\xca\xfe\xba\xbe":  # universal: big-endian list of architectures
        count = struct.unpack_from(">I", binary, 4)[0]
        return {cpu.get(struct.unpack_from(">I", binary, 8 + 20 * i)[0], "?") for i in range(count)}
    if binary[:4] == b"\x7fELF":
        return {{62: "x86_64", 183: "arm64"}.get(struct.unpack_from("<H", binary, 18)[0], "?")}
    return {"?"}


@pytest.mark.parametrize("name,tag", FOLDERS, ids=[tag for _, tag in FOLDERS])
def test_each_compiled_library_is_for_the_folders_python_and_cpu(tmp_path_factory, name, tag):
    folder = unpacked(tmp_path_factory, name) / "vendor" / tag
    platform = tag.split("-", 1)[1]
    minor = int(tag[3:tag.index("-")])
    binaries = [p for p in folder.rglob("*") if p.suffix in (".so", ".pyd", ".dylib", ".dll")]
    assert any(p.parent.name == "pydantic_core" for p in binaries), binaries
    arch = "x86_64" if platform.endswith("x86_64") or platform == "win_amd64" else "arm64"
    for path in binaries:
        assert path.name.endswith(_SUFFIX[platform].format(m=minor)), path.name
        assert arch in _architectures(path.read_bytes()), f"{path.name} holds no {arch} code"


@pytest.mark.parametrize("name,tag", FOLDERS, ids=[tag for _, tag in FOLDERS])
def test_pure_python_packages_import_under_this_hosts_python(tmp_path_factory, name, tag):
    folder = unpacked(tmp_path_factory, name) / "vendor" / tag
    common = folder.parent / COMMON
    code = ("import sys, importlib; sys.path[:0] = sys.argv[1:3]; "
            "print('\\n'.join(importlib.import_module(n).__file__ for n in sys.argv[3:]))")
    result = subprocess.run([sys.executable, "-I", "-c", code, str(folder), str(common), *PURE_IMPORTS],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert all(line.startswith((str(folder), str(common))) for line in result.stdout.split()), result.stdout


def test_the_linux_bundle_runs_the_cli_with_no_installed_packages(tmp_path_factory):
    """This host is Linux x86_64: its Python takes its own folder, compiled pydantic-core included."""
    script = unpacked(tmp_path_factory, "linux-x86_64") / "obs_livestream.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run([sys.executable, "-I", str(script), "providers"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "tpstreams" in result.stdout and "fastpix" in result.stdout
    code = (f"import sys; sys.path.insert(0, {str(script.parent)!r}); import obs_livestream; "
            "import pydantic, pydantic_core, requests, websocket; "
            "print(pydantic.__file__, pydantic_core._pydantic_core.__file__, requests.__file__, websocket.__file__)")
    where = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert where.returncode == 0, where.stderr
    vendored = (str(script.parent / "vendor" / f"cp3{sys.version_info[1]}-linux_x86_64"),
                str(script.parent / "vendor" / COMMON))
    assert len(where.stdout.split()) == 4
    assert all(path.startswith(vendored) for path in where.stdout.split()), where.stdout
    assert where.stdout.split()[1].startswith(vendored[0]), "compiled pydantic-core from this Python's folder"


def test_third_party_licences_name_every_vendored_distribution_with_its_licence_text(bundle):
    archive = zipfile.ZipFile(bundle)
    text, *appendix = archive.read(TOP + "THIRD-PARTY-LICENSES.txt").decode("utf-8").split(APPENDIX + "\n")
    listed, lesser = {}, []
    for block in text.split("=" * 78 + "\n")[1:]:
        title, licence = block.splitlines()[:2]
        name, version = title.rsplit(" ", 1)
        texts = re.findall(r"^--- \S+ ---\n(.+?)(?=^--- |\Z)", block, re.M | re.S)
        assert licence.startswith("Licence: ") and len(licence) > len("Licence: ")
        assert texts and all(t.strip() for t in texts), title
        listed[canonicalize_name(name)] = version
        if "LGPL-3" in licence:
            lesser.append(name)
    assert listed == read_lock()
    # The LGPL-3.0 (recurring-ical-events, x-wr-timezone) asks for the GPL-3.0's text beside its own.
    assert lesser and len(appendix) == 1, "an LGPL-3.0 distribution is vendored: the GPL-3.0 text must follow"
    assert "GNU GENERAL PUBLIC LICENSE" in appendix[0] and "Version 3, 29 June 2007" in appendix[0]
    dist_infos = {n.split("/")[3] for n in archive.namelist() if n.count("/") >= 4 and ".dist-info/" in n}
    for dist_info in dist_infos:  # and every folder keeps the licence files next to the code
        assert [n for n in archive.namelist() if f"/{dist_info}/" in n and re.search(r"/(licenses/|LICEN[CS]E)", n)]


def test_an_unknown_target_is_refused_with_the_known_ones(capsys):
    with pytest.raises(SystemExit):
        main(["--target", "windows-arm64"])
    error = capsys.readouterr().err
    assert all(name in error for name in NAMES), error


def test_platform_names_match_the_scripts_selection():
    assert {t.platform for t in TARGETS} == set(PLATFORMS)
