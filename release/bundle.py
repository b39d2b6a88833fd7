"""Build the self-contained release bundles: ``bash scripts/bundle`` (``python -m release.bundle``).

One zip per platform in ``dist/``: the script, ``lib/``, README, LICENSE,
requirements.txt, THIRD-PARTY-LICENSES.txt and ``vendor/<tag>/`` for each Python its
OBS can load, with requests, pydantic (+ pydantic-core), websocket-client and their
dependencies unpacked from wheels pip resolved for exactly that platform and version
(``--platform/--python-version/--only-binary=:all:``). Wheels are cached in
``build/bundle/wheels/<tag>`` until requirements.txt or the lock changes.

    bash scripts/bundle                          # every bundle into dist/
    bash scripts/bundle --target linux-x86_64    # one
    bash scripts/bundle --update-lock            # re-pin the newest versions, then build
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from . import archive
from .wheels import ROOT, TARGETS, BundleError, Target, cached_wheels, environment_ok, update_lock

SIZE_AIM = 15 * 1000 * 1000  # bytes per archive: a download that stays quick


def version() -> str:
    from livestream import __version__  # lib/ is on sys.path (release.wheels puts it there)

    return __version__


def archive_name(target: Target) -> str:
    return f"obs-livestream-{version()}-{target.name}.zip"


def build(target: Target, out: Path, cache: Path, epoch: int) -> Path:
    """Write one bundle; returns its path."""
    entries = archive.project_entries(ROOT)
    for python, tag in zip(target.versions, target.tags()):
        entries.update(archive.vendored_entries(tag, cached_wheels(cache, target, python)))
    entries = archive.share_pure(entries, target.tags())
    entries[archive.NOTICES] = archive.notices(entries)
    path = out / archive_name(target)
    archive.write_zip(path, entries, epoch)
    return path


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def main(argv: Optional[Sequence[str]] = None) -> int:
    names = [t.name for t in TARGETS]
    parser = argparse.ArgumentParser(prog="scripts/bundle", description=__doc__.splitlines()[0])
    parser.add_argument("--target", action="append", choices=names, help="build only this one (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the zips go (default: dist/)")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "bundle" / "wheels",
                        help="where downloaded wheels are kept (default: build/bundle/wheels/)")
    parser.add_argument("--update-lock", action="store_true",
                        help="resolve the newest versions allowed by requirements.txt into release/requirements.lock")
    args = parser.parse_args(argv)
    try:
        environment_ok()
        if args.update_lock:
            with tempfile.TemporaryDirectory(prefix="bundle-lock-") as work:
                pins = update_lock(Path(work))
            print("release/requirements.lock: " + ", ".join(f"{n} {v}" for n, v in pins.items()))
        epoch = archive.source_date_epoch(ROOT)
        built: Dict[str, int] = {}
        for target in TARGETS:
            if args.target and target.name not in args.target:
                continue
            path = build(target, args.out, args.cache, epoch)
            built[str(path)] = path.stat().st_size
            versions = ", ".join(f"{v[0]}.{v[1]}" for v in target.versions)
            over = "  OVER the 15 MB aim" if built[str(path)] > SIZE_AIM else ""
            shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
            print(f"{shown}  {_mb(built[str(path)])}  (Python {versions}){over}")
    except BundleError as exc:
        print(f"bundle: {exc}", file=sys.stderr)
        return 2
    return 0


def built_paths(out: Path, targets: Sequence[Target] = TARGETS) -> List[Path]:
    """Where ``main`` puts each target's archive under ``out``."""
    return [out / archive_name(t) for t in targets]


if __name__ == "__main__":
    sys.exit(main())
