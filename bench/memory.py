"""Memory per go-live/end cycle: does a long-running OBS with the script keep growing?

In one OBS (FastPix-like sandbox provider, the script loaded), ``--cycles`` plain OBS
cycles (stream settings set over obs-websocket, StartStream, 1 s live, StopStream) and
as many script cycles (Go live hotkey, 1 s live, StopStream: the provider stream is
ended and the settings restored), in turn, after five warm-up cycles of each. OBS's
resident memory (``/proc/<pid>/status`` VmRSS) is read after every cycle; a kind's
growth per cycle is the mean of the changes right after its cycles. Threads
(``/proc/<pid>/task``) and open files (``/proc/<pid>/fd``) are printed before and after.
"""

from __future__ import annotations

import os
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


def stats(pid: int) -> dict:
    return {"rss": rss_mib(pid), "threads": threads(pid), "files": open_files(pid)}


def compare(pid: int, cycles: dict[str, Callable[[], Any]], count: int, say: Callable[[str], None]) -> dict:
    """Run the kinds of ``cycles`` in turn (A B A B ...), ``count`` of each after warm-up, and
    attribute each RSS change to the cycle that ran just before: both kinds share OBS's own
    slow warm-up trend, which would otherwise favour whichever kind runs last."""
    for _ in range(WARM_UP):
        for cycle in cycles.values():
            cycle()
    before = stats(pid)
    deltas: dict[str, list[float]] = {name: [] for name in cycles}
    samples = [before["rss"]]
    rss = before["rss"]
    for i in range(count):
        for name, cycle in cycles.items():
            cycle()
            now = rss_mib(pid)
            deltas[name].append(now - rss)
            samples.append(now)
            rss = now
        if (i + 1) % 10 == 0:
            say(f"  {i + 1} cycles of each, RSS {rss:.1f} MiB")
    after = stats(pid)
    result = {"before": before, "after": after, "overall_per_cycle": slope(samples),
              "per_cycle": {name: sum(d) / len(d) for name, d in deltas.items()}}
    for name, growth in result["per_cycle"].items():
        say(f"  {name}: {growth * 1024:.0f} KiB per cycle after warm-up")
    say(f"  threads {before['threads']} -> {after['threads']}, open files {before['files']} -> {after['files']}, "
        f"RSS {before['rss']:.1f} -> {after['rss']:.1f} MiB over {count * len(cycles)} cycles")
    return result
