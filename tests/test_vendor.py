"""The script picks the vendored folder built for the running Python, or says what to do.

Every (platform, Python version) pair a bundle serves finds its own folder and only
that one; Pythons no folder serves (too old, too new, another platform, 32-bit, ARM,
free-threaded) get a message naming the running Python and the way out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from livestream import vendor
from livestream.vendor import Interpreter

REPO = Path(__file__).resolve().parents[1]

# What each bundle serves: Windows/macOS OBS load a user-installed 3.10-3.12, Linux OBS
# its distribution's 3.11 (Debian 12) to 3.14 (Debian sid).
DESKTOP = [(3, 10), (3, 11), (3, 12)]
SERVED = {
    "win_amd64": DESKTOP,
    "macosx_arm64": DESKTOP,
    "macosx_x86_64": DESKTOP,
    "linux_x86_64": [(3, 11), (3, 12), (3, 13), (3, 14)],
}
PAIRS = [(platform, version) for platform, versions in SERVED.items() for version in versions]


def make_bundle(root: Path, platform: str) -> list[str]:
    """A bundle's layout: lib/ and one vendor folder per served Python, each with a marker module."""
    (root / "lib").mkdir(parents=True)
    tags = []
    for version in SERVED[platform]:
        tag = Interpreter(version, platform).tag
        folder = root / "vendor" / tag
        folder.mkdir(parents=True)
        (folder / "which_vendor.py").write_text(f"TAG = {tag!r}\n", encoding="utf-8")
        tags.append(tag)
    return tags


@pytest.mark.parametrize("platform,version", PAIRS, ids=[f"{p}-{v[0]}.{v[1]}" for p, v in PAIRS])
def test_each_served_python_gets_its_own_folder_right_after_lib(tmp_path, platform, version):
    make_bundle(tmp_path, platform)
    lib = str(tmp_path / "lib")
    path = [lib, "/usr/lib/python3", "/site-packages"]

    folder = vendor.activate(str(tmp_path), Interpreter(version, platform), path)

    expected = str(tmp_path / "vendor" / f"cp{version[0]}{version[1]}-{platform}")
    assert folder == expected
    assert path == [lib, expected, "/usr/lib/python3", "/site-packages"]
    assert vendor.advice(vendor.available(str(tmp_path)), Interpreter(version, platform)) is None


def test_activating_twice_adds_the_folder_once(tmp_path):
    make_bundle(tmp_path, "linux_x86_64")
    path = [str(tmp_path / "lib")]
    for _ in range(2):
        vendor.activate(str(tmp_path), Interpreter((3, 13), "linux_x86_64"), path)
    assert path == [str(tmp_path / "lib"), str(tmp_path / "vendor" / "cp313-linux_x86_64")]


def test_a_checkout_without_vendor_folders_changes_nothing_and_says_nothing(tmp_path):
    (tmp_path / "lib").mkdir()
    path = [str(tmp_path / "lib")]
    python = Interpreter((3, 11), "linux_x86_64")
    assert vendor.activate(str(tmp_path), python, path) is None
    assert path == [str(tmp_path / "lib")]
    assert vendor.advice(vendor.available(str(tmp_path)), python) is None


@pytest.mark.parametrize("platform,version,suggested", [
    ("win_amd64", (3, 13), "3.12"),   # newer than the bundle: OBS also loads the newest served
    ("win_amd64", (3, 9), "3.10"),    # older: OBS 29.0 stops at 3.10, so the nearest, not the newest
    ("macosx_arm64", (3, 13), "3.12"),
    ("macosx_x86_64", (3, 8), "3.10"),
])
def test_desktop_python_no_folder_serves_is_told_which_python_to_set_in_obs(tmp_path, platform, version, suggested):
    tags = make_bundle(tmp_path, platform)
    python = Interpreter(version, platform)
    path = [str(tmp_path / "lib")]
    assert vendor.activate(str(tmp_path), python, path) is None
    assert path == [str(tmp_path / "lib")]

    message = vendor.advice(tags, python)
    assert f"OBS runs Python {version[0]}.{version[1]} on {vendor.PLATFORMS[platform][1]}" in message
    assert "3.10, 3.11, 3.12" in message
    assert f"Install {'64-bit ' if platform == 'win_amd64' else ''}Python {suggested} from python.org" in message
    assert "Tools > Scripts > Python Settings" in message
    if platform.startswith("macosx"):
        assert f"/Library/Frameworks/Python.framework/Versions/{suggested}" in message
    else:
        assert f"Python{suggested.replace('.', '')}" in message


@pytest.mark.parametrize("version", [(3, 10), (3, 15)])
def test_linux_python_no_folder_serves_is_told_to_install_the_packages(tmp_path, version):
    tags = make_bundle(tmp_path, "linux_x86_64")
    message = vendor.advice(tags, Interpreter(version, "linux_x86_64"))
    assert f"OBS runs Python {version[0]}.{version[1]} on Linux x86_64" in message
    assert "3.11, 3.12, 3.13, 3.14" in message
    assert "Python Settings" not in message  # Linux OBS has no such setting
    assert "install requests, pydantic (v2) and websocket-client into OBS's Python with pip" in message


def test_the_bundle_of_another_platform_names_the_right_one(tmp_path):
    tags = make_bundle(tmp_path, "win_amd64")
    message = vendor.advice(tags, Interpreter((3, 12), "macosx_arm64"))
    assert "this is the bundle for Windows 64-bit (x86_64)" in message
    assert "download obs-livestream-" in message and "-macos-arm64.zip" in message


@pytest.mark.parametrize("python,named", [
    (Interpreter((3, 12), "win_arm64"), "Windows on ARM (arm64)"),
    (Interpreter((3, 12), "win32"), "Windows 32-bit"),
    (Interpreter((3, 12), "linux_aarch64"), "Linux on ARM (aarch64)"),
])
def test_platforms_no_bundle_serves_are_told_to_install_the_packages(tmp_path, python, named):
    tags = make_bundle(tmp_path, "linux_x86_64")
    assert vendor.activate(str(tmp_path), python, []) is None
    message = vendor.advice(tags, python)
    assert f"OBS runs Python 3.12 on {named}, which no obs-livestream bundle serves" in message
    assert "with pip" in message


def test_a_free_threaded_python_does_not_load_regular_wheels(tmp_path):
    tags = make_bundle(tmp_path, "linux_x86_64")
    python = Interpreter((3, 14), "linux_x86_64", free_threaded=True)
    assert vendor.activate(str(tmp_path), python, []) is None
    message = vendor.advice(tags, python)
    assert "OBS runs Python 3.14 (free-threaded)" in message
    assert "not free-threaded" in message


@pytest.mark.parametrize("sys_platform,build,machine,libc,key", [
    ("win32", "win-amd64", "AMD64", "", "win_amd64"),
    ("win32", "win-amd64", "ARM64", "", "win_amd64"),   # x64 OBS emulated on Windows on ARM
    ("win32", "win-arm64", "ARM64", "", "win_arm64"),
    ("win32", "win32", "AMD64", "", "win32"),           # 32-bit Python on 64-bit Windows
    ("darwin", "macosx-11.0-arm64", "arm64", "", "macosx_arm64"),
    ("darwin", "macosx-10.9-universal2", "arm64", "", "macosx_arm64"),   # python.org universal2, native
    ("darwin", "macosx-10.9-universal2", "x86_64", "", "macosx_x86_64"),  # the same under Rosetta
    ("darwin", "macosx-10.9-x86_64", "x86_64", "", "macosx_x86_64"),
    ("linux", "linux-x86_64", "x86_64", "glibc 2.36", "linux_x86_64"),
    ("linux", "linux-aarch64", "aarch64", "glibc 2.36", "linux_aarch64"),
    ("linux", "linux-x86_64", "x86_64", "", "linux_x86_64"),
])
def test_platform_key_reads_the_interpreters_own_platform(sys_platform, build, machine, libc, key):
    assert vendor.platform_key(sys_platform, build, machine, libc) == key


def test_the_entry_point_loads_dependencies_from_the_folder_for_this_python(tmp_path):
    """``obs_livestream.py`` activates the folder before its first import of a dependency."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "obs_livestream.py").write_bytes((REPO / "obs_livestream.py").read_bytes())
    (bundle / "lib" / "livestream").mkdir(parents=True)
    for name in ("__init__.py", "vendor.py"):
        (bundle / "lib" / "livestream" / name).write_bytes((REPO / "lib" / "livestream" / name).read_bytes())
    tag = vendor.current().tag
    for other in (tag, "cp39-" + tag.split("-", 1)[1]):  # its own folder, and one for another Python
        (bundle / "vendor" / other).mkdir(parents=True)
        (bundle / "vendor" / other / "which_vendor.py").write_text(f"TAG = {other!r}\n", encoding="utf-8")

    code = ("import obs_livestream, which_vendor, sys; print(which_vendor.TAG); "
            "print(sys.path.index(obs_livestream._HERE + '/lib') + 1 == sys.path.index(obs_livestream._HERE "
            "+ '/vendor/' + which_vendor.TAG))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(bundle)!r}); {code}"],
                            capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [tag, "True"]
