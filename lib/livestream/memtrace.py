"""Debugging memory growth: ``tracemalloc`` top statistics written to a file.

Off unless ``OBS_LIVESTREAM_TRACEMALLOC`` names a file. Then tracing starts when the
script loads, and ``dump`` (called when a go-live settles and when the script unloads)
writes the allocations that grew since the first dump, grouped by source line, largest
first: what each go-live keeps shows as lines whose size grows with every dump. The
memory benchmark (``bench/run.py memory --tracemalloc``) sets it; nothing else does.
Tracing slows Python down several times: never for a real stream.
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from typing import Optional

ENV = "OBS_LIVESTREAM_TRACEMALLOC"
TOP = 40

_lock = threading.Lock()
_baseline: Optional[tracemalloc.Snapshot] = None
_dumps = 0


def path() -> Optional[str]:
    return os.environ.get(ENV) or None


def start() -> None:
    """Start tracing when the debug variable is set (idempotent)."""
    if path() and not tracemalloc.is_tracing():
        tracemalloc.start(8)


def _filtered(snapshot: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    return snapshot.filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),
                                   tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")))


def dump(reason: str) -> None:
    """Append the growth since the first dump to the file (the first dump sets the baseline)."""
    global _baseline, _dumps
    target = path()
    if not target or not tracemalloc.is_tracing():
        return
    with _lock:
        snapshot = _filtered(tracemalloc.take_snapshot())
        current, peak = tracemalloc.get_traced_memory()
        _dumps += 1
        lines = [f"== dump {_dumps} ({reason}) at {time.strftime('%H:%M:%S')}: traced {current / 1024:.0f} KiB, "
                 f"peak {peak / 1024:.0f} KiB"]
        if _baseline is None:
            _baseline = snapshot
            lines.append("   (baseline)")
        else:
            for stat in snapshot.compare_to(_baseline, "lineno")[:TOP]:
                lines.append(f"   {stat}")
        with open(target, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
