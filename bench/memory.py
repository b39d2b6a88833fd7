"""Memory per go-live/end cycle: does a long-running OBS with the script keep growing?

In one OBS (FastPix-like sandbox provider, the script loaded), ``--cycles`` plain OBS
cycles (stream settings set over obs-websocket, StartStream, 1 s live, StopStream) and
the same number of script cycles (Go live hotkey, 1 s live, StopStream: the provider
stream is ended and the settings restored), each after five warm-up cycles. OBS's
resident memory (``/proc/<pid>/status`` VmRSS) is read after each cycle; the growth per
cycle is the least-squares slope over the cycles after warm-up. Threads
(``/proc/<pid>/task``) and open files (``/proc/<pid>/fd``) are printed before and after.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

WARM_UP = 5


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def slope(values: list[float]) -> float:
    """Least-squares growth per step."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def measure(name: str, pid: int, cycle: Callable[[], Any], cycles: int, say: Callable[[str], None]) -> dict:
    for _ in range(WARM_UP):
        cycle()
    before = {"rss": rss_mib(pid), "threads": threads(pid), "files": open_files(pid)}
    samples = [before["rss"]]
    started = time.monotonic()
    for i in range(cycles):
        cycle()
        samples.append(rss_mib(pid))
        if (i + 1) % 10 == 0:
            say(f"  {name}: {i + 1} cycles, RSS {samples[-1]:.1f} MiB")
    after = {"rss": rss_mib(pid), "threads": threads(pid), "files": open_files(pid)}
    result = {"name": name, "before": before, "after": after, "per_cycle": slope(samples),
              "seconds_per_cycle": (time.monotonic() - started) / cycles}
    say(f"  {name}: {result['per_cycle'] * 1024:.0f} KiB per cycle after warm-up; threads {before['threads']} -> "
        f"{after['threads']}, open files {before['files']} -> {after['files']}, RSS {before['rss']:.1f} -> "
        f"{after['rss']:.1f} MiB")
    return result
