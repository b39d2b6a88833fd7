"""obs-livestream benchmarks: real OBS (under Xvfb) with the script loaded, against the sandbox.

    bash scripts/bench                      # every benchmark (about 6-8 minutes on 2 cores)
    .venv/bin/python bench/run.py latency stalls load requests --runs 5

Each benchmark PRINTS figures (no assertions); the last lines are a Markdown table for
bench/RESULTS.md. What is measured, and how:

1. latency   Go-live latency, medians of ``--runs`` runs each:
             * FastPix-like: pressing the script's Go live hotkey (TriggerHotkeyByName over
               obs-websocket) -> first publish at the ingest (the sandbox's ``publish_started``
               event timestamp; same clock, same machine);
             * TP Streams-like: the provider making the key available (sandbox ``key_issued``)
               -> first publish: the script's detection overhead (it polls every 0.5 s
               inside the documented 20-30 s boot window; the sandbox boots in 20-29 s), and
               the provider requests per second while waiting;
             * plain OBS: ``StartStream`` with the stream settings already set -> first publish.
             The FastPix-like and plain runs alternate, so a shared machine's changing load
             weighs on both alike.
2. stalls    Rendering stalls: OBS's render-thread skipped frames (obs-websocket ``GetStats``
             ``renderSkippedFrames``, before/after) and the output's "lagged frames" log line,
             for a go-live + end through the script with 2 s of provider latency on every API
             call (sandbox fault ``all:latency=2``), against a plain StartStream/StopStream.
3. load      The script's load time inside OBS (OBS log: the line before "Loaded python script:
             obs_livestream.py" -> that line) against an empty script, and the import time of
             the library's modules the script imports (fresh /usr/bin/python3 processes, the venv
             on sys.path) next to the official ``fastpix-python`` SDK (installed into a
             throw-away venv under build/bench/).
4. requests  HTTP requests the script makes per go-live, per minute while live and while idle,
             counted inside the sandbox's HTTP router (every provider API request).
5. memory    OBS's memory growth per go-live/end cycle through the script (one OBS with it
             loaded) against plain StartStream/StopStream cycles (another OBS without it), each
             the least-squares slope of RSS over ``--cycles`` (default 50) cycles after warm-up,
             and their ratio; threads and open files before and after (bench/memory.py).
6. simulcast OBS's CPU and dropped frames over 30 s live with one simulcast target sent by OBS
             itself (TP Streams-like) against none, a fresh OBS per run (bench/simulcast.py).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lib"))
sys.path.insert(0, str(REPO / "bench"))

from livestream.session import bridge  # noqa: E402
from livestream_headless import HeadlessObs, ScriptEntry  # noqa: E402
from livestream_sandbox import Sandbox  # noqa: E402

SCRIPT = REPO / "obs_livestream.py"
BUILD = REPO / "build" / "bench"
PREVIOUS_SERVICE = {"type": "rtmp_custom",
                    "settings": {"server": "rtmp://previous.example.invalid/app", "key": "bench-own-key"}}
ALL = ("latency", "stalls", "load", "requests", "memory", "simulcast")
RESULTS: list[tuple[str, str, str]] = []  # (benchmark, figure, value) for the final table


def say(text: str = "") -> None:
    print(text, flush=True)


def record(bench: str, figure: str, value: str) -> None:
    RESULTS.append((bench, figure, value))
    say(f"  {figure}: {value}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    if not values:
        return "n/a"
    return (f"median {median(values):.{digits}f} {unit} (min {min(values):.{digits}f}, "
            f"max {max(values):.{digits}f}, n={len(values)})")


# --- the studio: sandbox + OBS ------------------------------------------------------------------


class CountingSandbox:
    """An in-process sandbox whose HTTP router counts provider API requests (method, path)."""

    def __init__(self, data_dir: Path, boot_delay: float) -> None:
        self.sandbox = Sandbox(data_dir=data_dir, boot_delay=boot_delay).start()
        self.requests: list[tuple[float, str, str, str]] = []  # (ts, provider, method, path)
        self.durations: list[tuple[float, str, float]] = []  # (ts, method, seconds the sandbox took)
        self._lock = threading.Lock()
        router = self.sandbox._http.router  # bench-only peek: the sandbox logs no API requests
        original = router.dispatch

        def counted(req: Any) -> Any:
            provider = router.provider_of(req.path)
            started = time.time()
            if provider is not None:
                with self._lock:
                    self.requests.append((started, provider, req.method, req.path))
            try:
                return original(req)
            finally:
                if provider is not None:
                    with self._lock:
                        self.durations.append((started, req.method, time.time() - started))

        router.dispatch = counted

    def provider_time(self, start: float, end: float, method: str = "POST") -> float:
        """Seconds the provider spent on ``method`` requests that arrived between start and end."""
        with self._lock:
            return sum(d for ts, m, d in self.durations if start <= ts <= end and m == method)

    def count(self, start: float, end: float) -> list[tuple[float, str, str, str]]:
        with self._lock:
            return [r for r in self.requests if start <= r[0] <= end]

    def stop(self) -> None:
        self.sandbox.stop()


def start_obs(provider: str, cs: CountingSandbox, home: Path, extra_env: Optional[dict] = None, *,
              extra_settings: Optional[dict] = None,
              **kwargs: Any) -> HeadlessObs:
    sb = cs.sandbox
    env = {**sb.env(), **(extra_env or {})}
    env["OBS_LIVESTREAM_STATE_DIR"] = str(home / "state")
    settings = {"provider": provider, "use_env": True, "title": f"bench {provider}",
                "tp_api_base_url": sb.api_url, "fp_api_base_url": sb.api_url, "ingest_timeout": 120,
                **(extra_settings or {})}
    obs = HeadlessObs(script=str(SCRIPT), script_settings=settings, env=env, service=PREVIOUS_SERVICE,
                      home=str(home / "obs-home"), **kwargs)
    obs.start()
    return obs


def wait_state(client: Any, states: tuple[str, ...], timeout: float = 90.0, step: float = 0.05,
               after_seq: int = -1, not_stream: Optional[str] = None, since: float = 0.0) -> dict:
    """The script's published session once in one of ``states`` (and newer than ``after_seq``,
    in a state entered after ``since``; with ``not_stream``, a session about another stream:
    the last go-live's late "final" update, published after its end, does not count as this
    go-live's outcome)."""
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        last = bridge.read(client) or {}
        stale = not_stream is not None and last.get("stream_id") == not_stream and last.get("state") != "failed"
        if (last.get("state") in states and int(last.get("seq") or 0) > after_seq and not stale
                and float(last.get("state_since") or 0) >= since):
            return last
        time.sleep(step)
    raise RuntimeError(f"script did not reach {states}: {last}")


def first_event(sb: Any, kind: str, stream_id: str, timeout: float = 60.0) -> float:
    return float(sb.admin.wait_for_event(kind, stream_id=stream_id, timeout=timeout)["ts"])


def render_stats(client: Any) -> tuple[int, int]:
    stats = client.call("GetStats")
    return int(stats.get("renderSkippedFrames", 0)), int(stats.get("outputSkippedFrames", 0))


def script_cycle(client: Any, cs: CountingSandbox, live_seconds: float, idle_seconds: float = 0.0) -> dict:
    """Press Go live, stay live, stop; timestamps, request counts and render stats."""
    sb = cs.sandbox
    before = wait_state(client, ("idle", "ended", "failed"), 30)
    render0 = render_stats(client)
    pressed = time.time()
    client.trigger_hotkey("obs_livestream.go_live")
    session = wait_state(client, ("live", "failed", "ended"), 120, after_seq=int(before.get("seq") or 0),
                         not_stream=before.get("stream_id"), since=pressed)
    live_at = time.time()
    if session["state"] != "live":
        raise RuntimeError(f"go-live failed: {session.get('status_line')}")
    stream_id = session["stream_id"]
    published = first_event(sb, "publish_started", stream_id)
    key_issued = first_event(sb, "key_issued", stream_id)
    time.sleep(live_seconds)
    live_end = time.time()
    client.stop_stream()
    session = wait_state(client, ("ended", "failed"), 60)
    ended_at = time.time()
    render1 = render_stats(client)
    idle_end = ended_at
    if idle_seconds:
        time.sleep(idle_seconds)
        idle_end = time.time()
    return {
        "stream_id": stream_id, "pressed": pressed, "key_issued": key_issued, "published": published,
        "provider_seconds": cs.provider_time(pressed, published),
        "live_at": live_at, "ended_at": ended_at, "final": session["state"],
        "render_skipped": render1[0] - render0[0], "output_skipped": render1[1] - render0[1],
        "req_go_live": len(cs.count(pressed, live_at)),
        "req_live": len(cs.count(live_at + 0.5, live_end)), "live_window": live_end - live_at - 0.5,
        "req_end": len(cs.count(live_end, ended_at)),
        "req_idle": len(cs.count(ended_at + 0.5, idle_end)), "idle_window": max(0.0, idle_end - ended_at - 0.5),
        "detail_go_live": Counter(f"{m} {re.sub(r'[0-9a-f]{32}|[A-Za-z0-9]{11}(?=/)', '<id>', p)}"
                                  for _, _, m, p in cs.count(pressed, live_at)),
    }


def fastpix_stream_key(sb: Any) -> tuple[str, str]:
    """Create a FastPix stream straight at the sandbox API; (stream id, key)."""
    creds = sb.credentials
    token = base64.b64encode(f"{creds.fastpix_access_token_id}:{creds.fastpix_secret_key}".encode()).decode()
    req = urllib.request.Request(
        sb.api_url + "/v1/live/streams", method="POST",
        data=json.dumps({"playbackSettings": {"accessPolicy": "public"}}).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as answer:
        data = json.loads(answer.read())["data"]
    return data["streamId"], data["streamKey"]


def plain_cycle(client: Any, cs: CountingSandbox, live_seconds: float) -> dict:
    """Plain OBS: stream settings already set, StartStream -> first publish; then StopStream."""
    sb = cs.sandbox
    stream_id, key = fastpix_stream_key(sb)
    client.call("SetStreamServiceSettings", streamServiceType="rtmp_custom",
                streamServiceSettings={"server": sb.rtmp_url, "key": key, "use_auth": False})
    render0 = render_stats(client)
    started = time.time()
    client.call("StartStream")
    for _ in range(3):
        try:
            published = first_event(sb, "publish_started", stream_id, timeout=15)
            break
        except TimeoutError:
            # OBS's frontend drops a start that comes while it is still finishing the last
            # stop (obs-websocket answers OK all the same): ask again.
            if not client.is_streaming():
                started = time.time()
                client.call("StartStream")
    else:
        raise RuntimeError("plain StartStream never published")
    time.sleep(live_seconds)
    client.stop_stream(wait=15)
    render1 = render_stats(client)
    return {"started": started, "published": published, "render_skipped": render1[0] - render0[0],
            "output_skipped": render1[1] - render0[1]}


def output_lagged(obs: HeadlessObs) -> list[int]:
    return [f.lagged_frames for f in obs.output_frames()]


# --- 1 + 2 + 4: OBS with the script ---------------------------------------------------------


def bench_latency_stalls_requests(runs: int, which: set[str], work: Path) -> None:
    say("== go-live: latency, rendering stalls, request economy ==")
    cs = CountingSandbox(work / "sandbox", boot_delay=3.0)
    try:
        fp_cycles: list[dict] = []
        plain: list[dict] = []
        tp_cycles: list[dict] = []
        stall_cycles: list[dict] = []
        obs = start_obs("fastpix", cs, work / "fastpix")
        try:
            with obs.client() as client:
                if "latency" in which or "stalls" in which:
                    for i in range(runs):
                        fp_cycles.append(script_cycle(client, cs, live_seconds=2.0))
                        c = fp_cycles[-1]
                        say(f"  fastpix run {i + 1}: press->publish {c['published'] - c['pressed']:.2f} s "
                            f"(provider {c['provider_seconds']:.3f} s), render skipped {c['render_skipped']}")
                        plain.append(plain_cycle(client, cs, live_seconds=2.0))
                        c = plain[-1]
                        say(f"  plain run {i + 1}: StartStream->publish {c['published'] - c['started']:.2f} s, "
                            f"render skipped {c['render_skipped']}")
                if "stalls" in which:
                    cs.sandbox.admin.add_fault("all:latency=2")
                    try:
                        for i in range(max(3, runs // 2 + 1)):
                            stall_cycles.append(script_cycle(client, cs, live_seconds=2.0))
                            c = stall_cycles[-1]
                            say(f"  fastpix + 2 s API latency run {i + 1}: press->publish "
                                f"{c['published'] - c['pressed']:.2f} s, render skipped {c['render_skipped']}")
                    finally:
                        cs.sandbox.admin.clear_faults()
                fp_economy = None
                if "requests" in which:
                    fp_economy = script_cycle(client, cs, live_seconds=30.0, idle_seconds=20.0)
            lagged_log = output_lagged(obs)
        finally:
            obs.close()

        obs = start_obs("tpstreams", cs, work / "tpstreams")
        tp_economy = None
        try:
            with obs.client() as client:
                if "latency" in which:
                    for i in range(runs):
                        # Boot times spread over TP Streams' documented 20-30 s, and their fractions
                        # over a second, so the key appears at every phase of the once-a-second
                        # polling (whole-second boots would all land just before a poll).
                        boot = 20.0 + 10.0 * i / runs + (i + 0.5) / runs
                        cs.sandbox.admin.config(boot_delay=boot)
                        tp_cycles.append(script_cycle(client, cs, live_seconds=1.0))
                        c = tp_cycles[-1]
                        say(f"  tpstreams run {i + 1}: key issued->publish {c['published'] - c['key_issued']:.2f} s "
                            f"(press->publish {c['published'] - c['pressed']:.2f} s, boot {boot:.1f} s)")
                    cs.sandbox.admin.config(boot_delay=3.0)
                if "requests" in which:
                    tp_economy = script_cycle(client, cs, live_seconds=30.0, idle_seconds=20.0)
        finally:
            obs.close()
    finally:
        cs.stop()

    if "latency" in which:
        say("-- 1. go-live latency")
        fp = [c["published"] - c["pressed"] for c in fp_cycles]
        tp = [c["published"] - c["key_issued"] for c in tp_cycles]
        tp_total = [c["published"] - c["pressed"] for c in tp_cycles]
        pl = [c["published"] - c["started"] for c in plain]
        record("latency", "FastPix-like: Go live pressed -> first publish", spread(fp))
        fp_own = [c["published"] - c["pressed"] - c["provider_seconds"] for c in fp_cycles]
        record("latency", "FastPix-like: the same, less the provider's time on the create", spread(fp_own))
        record("latency", "TP Streams-like: key issued -> first publish (polls every 0.5 s in the 20-30 s "
               "boot window, every 3 s before it; goal 0.6 s)", spread(tp))
        record("latency", "TP Streams-like: Go live pressed -> first publish (sandbox boot 20-29 s)",
               spread(tp_total))
        waiting = [c["req_go_live"] / max(1.0, c["key_issued"] - c["pressed"]) for c in tp_cycles]
        record("latency", "TP Streams-like: provider requests per second while waiting (goal at most 1)",
               spread(waiting, "req/s"))
        record("latency", "plain OBS: StartStream (settings already set) -> first publish", spread(pl))
        # Each FastPix-like run against the plain run right after it: less sensitive to the
        # load of a shared machine drifting between runs than the ratio of the medians.
        extra = [(c["published"] - c["pressed"] - c["provider_seconds"]) - (p["published"] - p["started"])
                 for c, p in zip(fp_cycles, plain)]
        record("latency", "FastPix-like beyond the provider's time, minus the plain run next to it",
               spread([e * 1000 for e in extra], "ms", 0))
        if pl and median(pl) > 0:
            record("latency", "ratio FastPix-like / plain", f"{median(fp) / median(pl):.1f}x")
            record("latency", "ratio FastPix-like beyond the provider's time / plain (goal 1.3x)",
                   f"{median(fp_own) / median(pl):.2f}x")
            record("latency", "ratio TP key->publish / plain", f"{median(tp) / median(pl):.1f}x")
    if "stalls" in which:
        say("-- 2. rendering stalls (frames skipped by the render thread, GetStats)")
        record("stalls", "script go-live + 2 s live + end, no fault: render-skipped frames",
               spread([float(c["render_skipped"]) for c in fp_cycles], "frames", 0))
        record("stalls", "script go-live + 2 s live + end, 2 s latency on every API call: render-skipped frames",
               spread([float(c["render_skipped"]) for c in stall_cycles], "frames", 0))
        record("stalls", "plain StartStream + 2 s live + StopStream: render-skipped frames",
               spread([float(c["render_skipped"]) for c in plain], "frames", 0))
        record("stalls", "output 'lagged frames' log lines (all FastPix-OBS output stops)",
               f"{sum(lagged_log)} lagged frames over {len(lagged_log)} output sessions")
        if stall_cycles:
            durations = [c["ended_at"] - c["pressed"] for c in stall_cycles]
            record("stalls", "go-live + end wall time with 2 s latency", spread(durations))
    if "requests" in which:
        say("-- 4. request economy (provider API requests counted in the sandbox's router)")
        for name, c in (("FastPix", fp_economy), ("TP Streams", tp_economy)):
            if c is None:
                continue
            record("requests", f"{name}: requests per go-live (press -> live)",
                   f"{c['req_go_live']} ({', '.join(f'{v}x {k}' for k, v in sorted(c['detail_go_live'].items()))})")
            record("requests", f"{name}: requests per minute while live",
                   f"{c['req_live'] * 60 / c['live_window']:.1f} ({c['req_live']} in {c['live_window']:.0f} s)")
            record("requests", f"{name}: requests to end (stop -> ended)", str(c["req_end"]))
            record("requests", f"{name}: requests per minute while idle (after the end)",
                   f"{c['req_idle'] * 60 / max(c['idle_window'], 1):.1f} ({c['req_idle']} in {c['idle_window']:.0f} s)")


# --- 3: load cost ------------------------------------------------------------------------------

_LOADED = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d): \[obs-scripting\]: Loaded python script: (\S+)")
_TS = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d): ")


def _seconds(match: re.Match) -> float:
    h, m, s, ms = (int(x) for x in match.groups()[:4])
    return h * 3600 + m * 60 + s + ms / 1000


def script_load_ms(log_text: str, name: str) -> Optional[float]:
    """Milliseconds between the log line before "Loaded python script: NAME" and that line."""
    previous: Optional[float] = None
    for line in log_text.splitlines():
        loaded = _LOADED.match(line)
        if loaded and loaded.group(5) == name:
            return None if previous is None else (_seconds(loaded) - previous) * 1000
        stamp = _TS.match(line)
        if stamp:
            previous = _seconds(stamp)
    return None


def _import_time(python: str, code_imports: str, extra_path: list[str]) -> float:
    code = ("import sys, time\n"
            f"sys.path[:0] = {extra_path!r}\n"
            "t = time.perf_counter()\n"
            f"{code_imports}\n"
            "print((time.perf_counter() - t) * 1000)\n")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")})
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-400:])
    return float(out.stdout.strip().splitlines()[-1])


def _site_packages(venv: Path) -> str:
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    return str(found[0]) if found else ""


def _fastpix_sdk(python: str) -> tuple[Optional[Path], str, str]:
    """A throw-away venv with the official fastpix-python SDK; (venv, import name, version or error)."""
    venv = BUILD / "fastpix-sdk-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                          "--disable-pip-version-check", "fastpix-python"], capture_output=True, text=True,
                         timeout=600)
    if pip.returncode != 0:
        return None, "", f"pip install fastpix-python failed: {pip.stderr.strip()[-300:]}"
    show = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "show", "-f", "fastpix-python"],
                          capture_output=True, text=True)
    version = next((ln.split(":", 1)[1].strip() for ln in show.stdout.splitlines() if ln.startswith("Version:")), "?")
    tops = {ln.strip().split("/")[0] for ln in show.stdout.splitlines()
            if ln.startswith("  ") and "/" in ln and ".dist-info" not in ln}
    name = "fastpix_python" if "fastpix_python" in tops else sorted(tops)[0] if tops else "fastpix_python"
    return venv, name, version


def bench_load(runs: int, work: Path) -> None:
    say("== 3. load cost ==")
    python = "/usr/bin/python3"
    venv_site = _site_packages(REPO / ".venv")
    lib = str(REPO / "lib")
    ours = ("import livestream.session.controller, livestream.session.bridge, livestream.session.ledger, "
            "livestream.session.worker, livestream.obs.config, livestream.providers.tpstreams, "
            "livestream.providers.fastpix")
    deps = "import requests, pydantic"
    lib_ms = [_import_time(python, ours, [lib, venv_site]) for _ in range(runs)]
    dep_ms = [_import_time(python, deps, [venv_site]) for _ in range(runs)]
    record("load", f"import of the script's library modules ({python}, fresh process)", spread(lib_ms, "ms", 0))
    record("load", "  of which requests + pydantic alone", spread(dep_ms, "ms", 0))
    venv, name, version = _fastpix_sdk(python)
    if venv is None:
        record("load", "official fastpix-python SDK import", version)
    else:
        sdk_ms = [_import_time(python, f"import {name}", [_site_packages(venv)]) for _ in range(runs)]
        record("load", f"official fastpix-python {version} SDK import (import {name})", spread(sdk_ms, "ms", 0))
        if lib_ms and sdk_ms:
            record("load", "ratio library (both providers) / fastpix-python SDK",
                   f"{median(lib_ms) / median(sdk_ms):.2f}x")

    empty = work / "empty_script.py"
    empty.write_text("def script_description():\n    return 'empty'\n", encoding="utf-8")
    ours_ms, empty_ms, startup = [], [], []
    for _ in range(runs):
        for path, sink in ((SCRIPT, ours_ms), (empty, empty_ms)):
            home = Path(tempfile.mkdtemp(prefix="bench-load-", dir=work))
            settings = {"provider": "fastpix", "use_env": False} if path == SCRIPT else {}
            obs = HeadlessObs(scripts=[ScriptEntry(str(path), settings)], home=str(home))
            try:
                obs.start()
                obs.wait_for_log(f"Loaded python script: {path.name}", timeout=20)
                value = script_load_ms(obs.log_text(), path.name)
                if value is not None:
                    sink.append(value)
                if path == SCRIPT and obs.startup_seconds:
                    startup.append(obs.startup_seconds)
            finally:
                obs.close()
    record("load", "obs_livestream.py load inside OBS (log line before -> 'Loaded python script')",
           spread(ours_ms, "ms", 0))
    record("load", "an empty script, same measure (baseline)", spread(empty_ms, "ms", 0))
    record("load", "OBS start to obs-websocket ready, with the script", spread(startup, "s", 2))


# --- main --------------------------------------------------------------------------------------


def memory_in(obs: HeadlessObs, cycle: Callable[..., Any], cs: CountingSandbox, cycles: int, name: str) -> dict:
    """``memory.measure`` of ``cycle`` (1 s live) in the started ``obs``, which is closed after,
    with libobs's leak count from its log."""
    import memory

    try:
        with obs.client() as client:
            result = memory.measure(obs.obs_pid, lambda: cycle(client, cs, live_seconds=1.0), cycles, say, name)
    finally:
        obs.close()
    result["leaks"] = memory.libobs_leaks(obs.log_text())
    return result


def bench_memory(cycles: int, work: Path, trace: bool = False) -> None:
    """5. OBS's memory growth per go-live/end cycle: the script's in one OBS, plain OBS's in another.

    With ``trace``, the script traces its allocations (``livestream.memtrace``) and writes the
    growth after every go-live to a file: for finding a leak, not for the figures (tracing
    itself costs memory)."""
    import memory

    from livestream import memtrace

    say(f"== memory: {cycles} go-live/end cycles in an OBS with the script, as many plain ones in an OBS without ==")
    cs = CountingSandbox(work / "memory-sandbox", boot_delay=1.0)
    results: dict[str, dict] = {}
    try:
        trace_file = work / "memory-tracemalloc.txt"
        script_obs = start_obs("fastpix", cs, work / "memory-script",
                               extra_env={memtrace.ENV: str(trace_file)} if trace else None)
        results["script"] = memory_in(script_obs, script_cycle, cs, cycles, "script go-live/end")
        plain_obs = HeadlessObs(script=None, env=dict(cs.sandbox.env()), service=PREVIOUS_SERVICE,
                                home=str(work / "memory-plain" / "obs-home"))
        plain_obs.start()
        results["plain"] = memory_in(plain_obs, plain_cycle, cs, cycles, "plain StartStream/StopStream")
    finally:
        cs.stop()
    ratio = memory.ratio(results["script"], results["plain"])
    say(f"-- 5. memory per cycle (OBS VmRSS after each cycle, least-squares slope over {cycles} cycles "
        f"after {memory.WARM_UP} warm-up, one OBS per kind)")
    for kind, label in (("script", "script go-live/end (OBS with the script)"),
                        ("plain", "plain StartStream/StopStream (OBS without the script)")):
        r = results[kind]
        record("memory", f"{label}: RSS growth per cycle", f"{r['per_cycle'] * 1024:.0f} KiB")
        record("memory", f"{label}: threads, open files, RSS before -> after",
               f"{r['before']['threads']} -> {r['after']['threads']}, {r['before']['files']} -> "
               f"{r['after']['files']}, {r['before']['rss']:.1f} -> {r['after']['rss']:.1f} MiB")
        record("memory", f"{label}: libobs allocations never freed (OBS's log at exit)", str(r["leaks"]))
    verdict = "within" if ratio <= memory.GOAL_RATIO else "over"
    record("memory", f"ratio script / plain (goal at most {memory.GOAL_RATIO}x)", f"{ratio:.2f}x ({verdict})")
    (work / "memory-samples.json").write_text(json.dumps(
        {kind: r["samples"] for kind, r in results.items()}, indent=1))
    say(f"  RSS readings: {work / 'memory-samples.json'}")
    if trace:
        say(f"  tracemalloc growth per go-live (figures above include tracing): {trace_file}")


def machine() -> str:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name")), "")
    except OSError:
        pass
    obs_version = subprocess.run(["obs", "--version"], capture_output=True, text=True).stdout.strip()
    py = subprocess.run(["/usr/bin/python3", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, "
            f"{obs_version}, OBS's Python: {py}")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmarks", nargs="*", metavar="BENCHMARK",
                        help="latency, stalls, load, requests, memory, simulcast (default: all)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (default 5)")
    parser.add_argument("--cycles", type=int, default=50, help="go-live/end cycles for 'memory' (default 50)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="'memory': the script writes tracemalloc's growth after each go-live to a file")
    args = parser.parse_args(argv)
    which = set(args.benchmarks or ALL)
    if which - set(ALL):
        parser.error(f"unknown benchmark(s): {', '.join(sorted(which - set(ALL)))}; choose from {', '.join(ALL)}")
    BUILD.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=BUILD))
    say(f"machine: {machine()}")
    started = time.monotonic()
    steps: list[Callable[[], None]] = []
    if which & {"latency", "stalls", "requests"}:
        steps.append(lambda: bench_latency_stalls_requests(args.runs, which, work))
    if "load" in which:
        steps.append(lambda: bench_load(args.runs, work))
    if "memory" in which:
        steps.append(lambda: bench_memory(args.cycles, work, args.tracemalloc))
    if "simulcast" in which:
        import simulcast  # bench/simulcast.py

        steps.append(lambda: simulcast.bench_simulcast(min(args.runs, 2), 30.0, work))
    for step in steps:
        step()
    say()
    say(f"all done in {time.monotonic() - started:.0f} s; table for bench/RESULTS.md:")
    say()
    say("| benchmark | figure | value |")
    say("| --- | --- | --- |")
    for bench, figure, value in RESULTS:
        say(f"| {bench} | {figure.strip()} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
