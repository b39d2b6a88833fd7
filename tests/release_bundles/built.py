"""The release bundles, built once per test run with the real command (``python -m release.bundle``).

Wheels come from PyPI the first time and are then cached in ``build/bundle/wheels``;
the archives go to a temporary folder of this test process, never to the user's ``dist/``.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from release.bundle import archive_name
from release.wheels import TARGETS

REPO = Path(__file__).resolve().parents[2]
# One folder per test process: parallel workers and other checkouts sharing build/ must not
# write the same archive at once (one's rename of its .partial file then fails the other).
OUT = Path(tempfile.mkdtemp(prefix="livestream-test-bundles-"))
atexit.register(shutil.rmtree, OUT, ignore_errors=True)


@dataclass(frozen=True)
class Built:
    path: Path
    output: str  # what the command printed (the archive and its size)


@functools.cache
def build_bundle(target: str, out: Path = OUT) -> Built:
    """Build one target's archive (e.g. ``"linux-x86_64"``) into ``out``; fails the test with pip's words."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-m", "release.bundle", "--target", target, "--out", str(out)],
                            cwd=str(REPO), capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0:
        raise AssertionError(f"building the {target} bundle failed:\n{result.stdout}{result.stderr}")
    path = out / archive_name(next(t for t in TARGETS if t.name == target))
    assert path.is_file(), f"the command printed {result.stdout!r} but wrote no {path.name}"
    return Built(path, result.stdout)
