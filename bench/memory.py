"""Memory per go-live/end cycle: does a long-running OBS with the script keep growing?

Two OBS instances, one after the other, against the same in-process sandbox:

* **script**: OBS with ``obs_livestream.py`` loaded (FastPix-like sandbox provider); each
  cycle presses the Go live hotkey, stays live about 1 s and stops streaming (the provider
  stream is ended and the settings restored);
* **plain**: OBS without the script; each cycle sets the stream settings over obs-websocket,
  ``StartStream``, about 1 s live, ``StopStream``.

Each OBS runs ``WARM_UP`` cycles first, then ``count`` (at least 50) cycles, reading OBS's
resident memory (``/proc/<pid>/status`` VmRSS) after every one. A kind's growth per cycle is
the least-squares slope of those readings: a slope uses every reading, so one page-sized
jump or a slow trend at the start weighs less than in a mean of the changes. Running the
kinds in separate processes keeps what the script keeps out of the plain figure (in one OBS
a growth the script causes also shows after the plain cycles that follow it). Threads
(``/proc/<pid>/task``) and open files (``/proc/<pid>/fd``) are printed before and after.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

# Both OBS grow steeply over their first 15-20 go-lives (encoder, output and allocator
# buffers reaching their working size), then slowly: the first run of this benchmark read
# 263 -> 282 MiB over 22 script cycles, then 0.1 MiB per cycle. The slope is of what comes after.
WARM_UP = 20
MIN_CYCLES = 50
GOAL_RATIO = 1.5  # the script's growth per cycle at most this times plain OBS's (issue #22)


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


def stats(pid: int) -> dict:
    return {"rss": rss_mib(pid), "threads": threads(pid), "files": open_files(pid)}


def measure(pid: int, cycle: Callable[[], Any], count: int, say: Callable[[str], None], name: str) -> dict:
    """``WARM_UP`` cycles, then ``count`` cycles with OBS's RSS read after each; the slope per cycle."""
    if count < MIN_CYCLES:
        say(f"  note: {count} cycles is fewer than the {MIN_CYCLES} the figure is meant to rest on")
    for _ in range(WARM_UP):
        cycle()
    before = stats(pid)
    samples = [before["rss"]]
    for i in range(count):
        cycle()
        samples.append(rss_mib(pid))
        if (i + 1) % 10 == 0:
            say(f"  {name}: {i + 1} cycles, RSS {samples[-1]:.1f} MiB")
    after = stats(pid)
    per_cycle = slope(samples)
    say(f"  {name}: {per_cycle * 1024:.0f} KiB per cycle (slope over {count} cycles after {WARM_UP} warm-up); "
        f"threads {before['threads']} -> {after['threads']}, open files {before['files']} -> {after['files']}, "
        f"RSS {before['rss']:.1f} -> {after['rss']:.1f} MiB")
    return {"before": before, "after": after, "per_cycle": per_cycle, "samples": samples, "cycles": count}


def ratio(script: dict, plain: dict) -> float:
    """The script's growth per cycle over plain OBS's (inf when plain OBS did not grow but the script did)."""
    if plain["per_cycle"] <= 0:
        return 0.0 if script["per_cycle"] <= 0 else float("inf")
    return script["per_cycle"] / plain["per_cycle"]


def libobs_leaks(log_text: str) -> str:
    """libobs's count of its allocations never freed, from the "Number of memory leaks" line
    OBS logs at exit: a libobs object or string the script did not release shows here."""
    found = re.findall(r"Number of memory leaks: (\d+)", log_text)
    return found[-1] if found else "n/a"
