"""The cost of simulcast sent by OBS itself: CPU and dropped frames with one extra target against none.

    .venv/bin/python bench/simulcast.py --seconds 30 --runs 2
    .venv/bin/python bench/run.py simulcast          # the same, with the other benchmarks' table

A TP Streams-like go-live (the sandbox provider, which does not restream, so OBS sends
the target itself: ``livestream.obs.extra_outputs``), in a fresh OBS per run, kinds in
turn (none, one, none, one...) so a shared machine's changing load weighs on both:

* **none**: the go-live alone;
* **one**: the same with one simulcast target, the sandbox's nginx ``simulcast``
  application (an extra ``rtmp_output`` sharing the main stream's encoders).

Once the go-live is live (and the target too), OBS's CPU (``/proc/<pid>/stat`` utime +
stime) is read over ``--seconds``, with obs-websocket's ``GetStreamStatus`` (the main
output's skipped frames) and ``GetStats`` (frames skipped by encoding lag and by the
render thread) before and after. At the stop, the extra output's own frame counts come
from OBS's log ("Output '...': Total frames output" and, when OBS drops any, "Number of
dropped frames due to insufficient bandwidth"). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the studio helpers and the results table)

TARGET_NAME = "Bench"
TARGET_KEY = "bench-simulcast-key"
OUTPUT = f"obs_livestream_simulcast_{TARGET_NAME}"
_DROPPED = re.compile(r"Output '(?P<output>[^']+)': Number of dropped frames due to insufficient "
                      r"bandwidth/connection stalls: (?P<n>\d+)")
_TOTAL = re.compile(r"Output '(?P<output>[^']+)': Total frames output: (?P<n>\d+)")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _frames(client: Any) -> dict[str, int]:
    stream = client.call("GetStreamStatus")
    stats = client.call("GetStats")
    return {"main_skipped": int(stream.get("outputSkippedFrames", 0)),
            "main_total": int(stream.get("outputTotalFrames", 0)),
            "encoding_skipped": int(stats.get("outputSkippedFrames", 0)),
            "render_skipped": int(stats.get("renderSkippedFrames", 0))}


def _log_count(pattern: re.Pattern, text: str) -> int:
    return sum(int(m["n"]) for m in pattern.finditer(text) if m["output"] == OUTPUT)


def one_run(kind: str, seconds: float, work: Path) -> dict[str, float]:
    """A fresh OBS, one go-live (with or without the target), measured while live."""
    cs = run.CountingSandbox(work / f"{kind}-sandbox", boot_delay=1.0)
    try:
        settings = {}
        if kind == "one":
            target_app = cs.sandbox.rtmp_url.rsplit("/", 1)[0] + "/simulcast"
            settings = {"simulcast_1_name": TARGET_NAME, "simulcast_1_url": target_app,
                        "simulcast_1_key": TARGET_KEY}
        obs = run.start_obs("tpstreams", cs, work / kind, extra_settings=settings)
        try:
            with obs.client() as client:
                client.trigger_hotkey("obs_livestream.go_live")
                session = run.wait_state(client, ("live", "failed"), 120)
                if session["state"] != "live":
                    raise RuntimeError(f"go-live failed: {session.get('status_line')}")
                if kind == "one":
                    wait_for(lambda: [t.get("status") for t in (run.bridge.read(client) or {}).get("targets", [])]
                             == ["live"], 30, "the target to be live")
                time.sleep(2.0)  # the extra output's first keyframe and buffers
                pid = obs.obs_pid
                assert pid is not None
                frames0, cpu0, wall0 = _frames(client), cpu_seconds(pid), time.monotonic()
                time.sleep(seconds)
                frames1, cpu1, wall1 = _frames(client), cpu_seconds(pid), time.monotonic()
                client.stop_stream()
                run.wait_state(client, ("ended", "failed"), 60)
                wait_for(lambda: kind == "none" or _log_count(_TOTAL, obs.log_text()) > 0, 15,
                         "OBS to log the extra output's frames")
            text = obs.log_text()
        finally:
            obs.close()
    finally:
        cs.stop()
    result = {"cpu_percent": 100.0 * (cpu1 - cpu0) / (wall1 - wall0)}
    result.update({k: float(frames1[k] - frames0[k]) for k in frames0})
    result["extra_total"] = float(_log_count(_TOTAL, text))
    result["extra_dropped"] = float(_log_count(_DROPPED, text))
    return result


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {timeout:g} s")
        time.sleep(0.2)


def bench_simulcast(runs: int, seconds: float, work: Path) -> None:
    """6. OBS's CPU and dropped frames with one OBS-side simulcast target against none."""
    run.say(f"== simulcast: {runs} runs of each, {seconds:g} s live, one OBS-side target against none ==")
    results: dict[str, list[dict[str, float]]] = {"none": [], "one": []}
    for i in range(runs):
        for kind in results:
            result = one_run(kind, seconds, work / f"simulcast-{i}")
            results[kind].append(result)
            run.say(f"  run {i + 1} {kind}: CPU {result['cpu_percent']:.1f}% of a core, main output skipped "
                    f"{result['main_skipped']:.0f} of {result['main_total']:.0f} frames, encoding lag "
                    f"{result['encoding_skipped']:.0f}, render skipped {result['render_skipped']:.0f}"
                    + (f", the target's output {result['extra_total']:.0f} frames, dropped "
                       f"{result['extra_dropped']:.0f}" if kind == "one" else ""))
    run.say(f"-- 6. simulcast from OBS ({seconds:g} s live per run, OBS's CPU as % of one core)")
    for kind, label in (("none", "no target"), ("one", "one OBS-side target")):
        rows = results[kind]
        run.record("simulcast", f"OBS CPU, {label}", run.spread([r["cpu_percent"] for r in rows], "%", 1))
        run.record("simulcast", f"main output skipped frames, {label}",
                   run.spread([r["main_skipped"] for r in rows], "frames", 0))
        run.record("simulcast", f"encoding-lag skipped frames, {label}",
                   run.spread([r["encoding_skipped"] for r in rows], "frames", 0))
    one = results["one"]
    run.record("simulcast", "the target's output: dropped frames (OBS log)",
               run.spread([r["extra_dropped"] for r in one], "frames", 0))
    run.record("simulcast", "the target's output: frames sent (whole go-live, OBS log)",
               run.spread([r["extra_total"] for r in one], "frames", 0))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2, help="runs of each kind (default 2)")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds measured while live (default 30)")
    args = parser.parse_args(argv)
    run.BUILD.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="simulcast-", dir=run.BUILD))
    run.say(f"machine: {run.machine()}")
    bench_simulcast(args.runs, args.seconds, work)
    run.say()
    run.say("| benchmark | figure | value |")
    run.say("| --- | --- | --- |")
    for bench, figure, value in run.RESULTS:
        run.say(f"| {bench} | {figure} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
