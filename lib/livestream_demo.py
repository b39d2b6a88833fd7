"""The demo: the built-in sandbox, a real OBS with ``obs_livestream.py`` loaded, one go-live.

    python obs_livestream.py demo [--provider tpstreams|fastpix|cloudflare|apivideo|...] [--seconds N]

What it does, step by step, printing as it goes:

1. starts the sandbox (TP Streams- and FastPix-compatible APIs over a real nginx-rtmp
   ingest) in this process, with a short TP Streams "server boot" so the demo is quick;
2. launches OBS with the script loaded from its scene collection, pointed at the
   sandbox (credentials from the environment, as with "Read credentials from
   environment variables"), with a scene of a colour source and a text source that
   the demo turns into a clock. OBS opens its window on ``$DISPLAY`` when there is
   one (and not ``--headless``), otherwise it runs under its own Xvfb;
3. presses the script's "Go live" hotkey over obs-websocket, as a Stream Deck would,
   and follows the script's published session (``session.bridge``);
4. waits for HLS segments, checks with ffprobe that the HLS URL plays, and saves a
   screenshot of OBS's whole window while live, with the script's status dock beside
   it (Chromium showing the dock's page, when it is installed and OBS runs under Xvfb);
5. stays live for ``--seconds`` in all (or until Ctrl-C), then stops streaming in OBS:
   the script ends the provider stream and restores the previous stream settings;
6. prints a summary: the time of each step (from the sandbox's event log), how long it
   was really live, the URLs, and the recording's file on this machine (the sandbox's
   URLs stop working when the demo ends).

Each run gets a folder under ``build/demo/`` (or ``--out``); the last ``KEEP_RUNS``
are kept.

No ``obspython`` and no ``obswebsocket`` here: OBS is driven through ``ObsClient``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from livestream.session import bridge
from livestream_headless import SCREEN, HeadlessObs, require_tools, x11
from livestream_sandbox import Sandbox

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "obs_livestream.py"
HOTKEY_GO_LIVE = "obs_livestream.go_live"
CLOCK_SOURCE = "Label"  # HeadlessObs's scene: "Background" (colour) and "Label" (text)
# What the user had in Settings > Stream before the demo: it must come back at the end.
PREVIOUS_SERVICE = {"type": "rtmp_custom",
                    "settings": {"server": "rtmp://previous.example.invalid/app", "key": "demo-own-key"}}
LIVE_STATUSES = {"tpstreams": "Streaming", "fastpix": "active", "mux": "active", "cloudflare": "connected",
                 "apivideo": "broadcasting"}
KEEP_RUNS = 5
RUN_NAME = re.compile(r"^\d{8}-\d{6}(-\d+)?$")  # build/demo/<YYYYmmdd-HHMMSS>[-n]
DOCK_WIDTH = 300
# Chromium showing the dock: no sandbox (the demo may run as root), no "unsupported flag"
# bar (--test-type), and nothing fetched from the network but the dock's own page.
CHROMIUM_FLAGS = ("--no-sandbox", "--test-type", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--password-store=basic")

Printer = Callable[[str], None]


class DemoError(RuntimeError):
    """The demo could not complete a step; the message says which and why."""


@dataclass
class DemoResult:
    provider: str
    stream_id: Optional[str] = None
    playback_url: Optional[str] = None
    chat_url: Optional[str] = None
    recording: list[str] = field(default_factory=list)
    recording_files: list[Path] = field(default_factory=list)  # the recording on this machine
    dock_url: Optional[str] = None
    media_ids: list[str] = field(default_factory=list)
    probe: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds after the go-live press
    screenshot: Optional[Path] = None
    streamed_seconds: float = 0.0  # from the script saying "live" to OBS stopping
    settings_restored: bool = False
    final_state: str = ""
    final_message: str = ""
    obs_startup_seconds: Optional[float] = None


def script_settings(provider: str, sandbox: Any, title: str) -> dict[str, Any]:
    return {
        "provider": provider,
        "use_env": True,
        "title": title,
        "tp_api_base_url": sandbox.api_url,
        "fp_api_base_url": sandbox.api_url,
        "ingest_timeout": 60,
    }


def wait_state(client: Any, states: tuple[str, ...], timeout: float) -> dict[str, Any]:
    """The script's published session once it is in one of ``states``."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = bridge.read(client) or {}
        if last.get("state") in states:
            return last
        time.sleep(0.2)
    raise DemoError(f"the script did not reach {'/'.join(states)} within {timeout:g} s "
                    f"(last: {last.get('state')}: {last.get('status_line')})")


def wait_for_hls(url: str, *, segments: int = 1, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                text = answer.read().decode("utf-8", "replace")
            if sum(1 for line in text.splitlines() if line and not line.startswith("#")) >= segments:
                return text
        except OSError:
            pass
        time.sleep(0.5)
    raise DemoError(f"no HLS segments at {url} within {timeout:g} s")


def ffprobe(url: str, timeout: float = 30.0) -> dict[str, Any]:
    """Codec, resolution and frame rate of the first video stream at ``url`` (it really plays)."""
    tool = shutil.which("ffprobe")
    if tool is None:
        raise DemoError("ffprobe is not installed (Debian package ffmpeg)")
    result = subprocess.run(
        [tool, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=codec_name,width,height,avg_frame_rate", "-of", "json", url],
        capture_output=True, text=True, timeout=timeout,
    )
    streams = json.loads(result.stdout or "{}").get("streams") or []
    if result.returncode != 0 or not streams:
        raise DemoError(f"ffprobe could not play {url}: {result.stderr.strip()[-300:]}")
    return streams[0]


def _event_times(sandbox: Any, stream_id: str) -> dict[str, float]:
    """Wall-clock time of the first event of each kind for one stream."""
    times: dict[str, float] = {}
    for event in sandbox.admin.events(stream_id=stream_id):
        times.setdefault(event["kind"], event["ts"])
    return times


def run(provider: str = "tpstreams", seconds: float = 20.0, *, out_dir: Optional[Path] = None,
        boot_delay: float = 5.0, headless: bool = False, echo: Printer = print) -> DemoResult:
    """The whole demo; returns what it measured (``DemoError`` when a step fails)."""
    if not seconds > 0:
        raise DemoError(f"--seconds must be a positive number of seconds (got {seconds:g})")
    require_tools("obs", "Xvfb", "ffmpeg", "ffprobe")
    out = Path(out_dir) if out_dir else REPO / "build" / "demo"
    run_dir = _new_run_dir(out)
    removed = _keep_last_runs(out, KEEP_RUNS)
    if removed:
        echo(f"demo: removed {len(removed)} older run(s) from {out} (keeping the last {KEEP_RUNS})")
    result = DemoResult(provider=provider)
    echo(f"demo: provider {provider}, streaming {seconds:g} s, files in {run_dir}")
    display = None if headless else os.environ.get("DISPLAY") or None
    if display:
        echo(f"demo: OBS opens its window on your display {display}")
    else:
        echo("demo: no display (or --headless): OBS runs under Xvfb; see the screenshot")

    with Sandbox(data_dir=run_dir / "sandbox", boot_delay=boot_delay) as sandbox:
        echo(f"demo: sandbox API {sandbox.api_url}, RTMP ingest {sandbox.rtmp_url}")
        env = dict(sandbox.env())
        env["OBS_LIVESTREAM_STATE_DIR"] = str(run_dir / "state")
        obs = HeadlessObs(script=str(SCRIPT),
                          script_settings=script_settings(provider, sandbox, f"obs-livestream demo ({provider})"),
                          env=env, service=PREVIOUS_SERVICE, home=str(run_dir / "obs-home"),
                          width=1280, height=720, video_bitrate=1500, text="obs-livestream demo",
                          display=display)
        try:
            obs.start()
            result.obs_startup_seconds = obs.startup_seconds
            echo(f"demo: OBS {obs.obs_version} ready in {obs.startup_seconds:.1f} s (display {obs.display})")
            with obs.client() as client:
                _go_live_and_back(client, obs, sandbox, result, seconds, run_dir, echo, own_screen=display is None)
        finally:
            obs.stop()
            log_copy = run_dir / "obs-log.txt"
            try:
                log_copy.write_text(obs.log_text(all_runs=True), encoding="utf-8")
            except OSError:
                pass
    _summary(result, echo)
    return result


def _set_clock(client: Any, started: float) -> None:
    elapsed = int(time.monotonic() - started)
    text = f"obs-livestream demo\n{time.strftime('%H:%M:%S')}   live {elapsed // 60}:{elapsed % 60:02d}"
    try:
        client.call("SetInputSettings", inputName=CLOCK_SOURCE, inputSettings={"text": text})
    except Exception:  # the clock is decoration: never fail the demo for it
        pass


def _go_live_and_back(client: Any, obs: HeadlessObs, sandbox: Any, result: DemoResult, seconds: float,
                      run_dir: Path, echo: Printer, *, own_screen: bool) -> None:
    wait_state(client, ("idle", "ended", "failed"), 30)  # the script is loaded and ticking
    _set_clock(client, time.monotonic())
    echo("demo: pressing the script's 'Go live' hotkey over obs-websocket")
    pressed = time.time()
    client.trigger_hotkey(HOTKEY_GO_LIVE)
    session = wait_state(client, ("live", "failed", "ended"), 90)
    if session.get("state") != "live":
        raise DemoError(f"go-live did not succeed: {session.get('status_line')}")
    live_at = float(session.get("state_since") or time.time())  # when the script entered LIVE
    live_started = time.monotonic() - max(0.0, time.time() - live_at)  # the same moment, monotonic
    result.stream_id = session.get("stream_id")
    result.dock_url = session.get("dock_url")
    result.playback_url = session.get("playback_url")
    result.chat_url = session.get("chat_url")
    echo(f"demo: LIVE  {session.get('status_line')}  (stream {result.stream_id})")
    echo(f"demo: HLS   {result.playback_url}")
    if result.chat_url:
        echo(f"demo: chat  {result.chat_url}")
    if not result.playback_url:
        raise DemoError("the script published no playback URL")

    wait_for_hls(result.playback_url, segments=1, timeout=40)
    result.probe = ffprobe(result.playback_url)
    echo(f"demo: ffprobe plays it: {result.probe.get('codec_name')} "
         f"{result.probe.get('width')}x{result.probe.get('height')} @ {result.probe.get('avg_frame_rate')}")

    _set_clock(client, live_started)
    result.screenshot = _screenshot_with_dock(obs, result.dock_url, run_dir / "obs-live.png", echo,
                                              own_screen=own_screen,
                                              before_shot=lambda: _set_clock(client, live_started))
    echo(f"demo: screenshot of OBS while live: {result.screenshot}")
    left = seconds - (time.monotonic() - live_started)
    echo(f"demo: live for {seconds:g} s in all, {max(0.0, left):.0f} s more (Ctrl-C ends it early)")
    try:
        while time.monotonic() - live_started < seconds:
            _set_clock(client, live_started)
            time.sleep(min(1.0, max(0.0, seconds - (time.monotonic() - live_started))))
    except KeyboardInterrupt:
        echo("demo: Ctrl-C: ending now")

    echo("demo: stopping streaming in OBS: the script ends the provider stream")
    stop_pressed = time.time()
    client.stop_stream()
    result.streamed_seconds = max(0.0, stop_pressed - live_at)  # really live: the script's LIVE to the stop
    session = wait_state(client, ("ended", "failed"), 60)
    ended_seen = time.time()
    result.final_state = str(session.get("state"))
    result.final_message = str(session.get("status_line"))
    echo(f"demo: {result.final_state.upper()}  {result.final_message}")
    service = client.get_stream_service()
    result.settings_restored = ({"type": service.service_type, "settings": dict(service.settings)}
                                == PREVIOUS_SERVICE)

    assert result.stream_id is not None
    _collect_recording(sandbox, result, session, echo)
    times = _event_times(sandbox, result.stream_id)
    steps = {
        "create (API answered)": times.get("created"),
        "ingest ready (key issued)": times.get("key_issued"),
        "first publish at the ingest": times.get("publish_started"),
        "live (script says so)": live_at,
        "stop pressed": stop_pressed,
        # TP Streams stops, FastPix finishes, api.video completes, a Cloudflare live input is
        # disabled (or deleted).
        "provider stream ended": (times.get("stop_requested") or times.get("finish_requested")
                                  or times.get("complete_requested") or times.get("disabled")
                                  or times.get("deleted")),
        "script says ended": ended_seen,
    }
    result.steps = {name: ts - pressed for name, ts in steps.items() if ts}


def _collect_recording(sandbox: Any, result: DemoResult, session: dict[str, Any], echo: Printer) -> None:
    """TP Streams: the asset's video.playback_url once Completed; FastPix: mediaIds;
    Cloudflare Stream: the videos its live input recorded (the sandbox lists them as media IDs)."""
    assert result.stream_id is not None
    deadline = time.monotonic() + 20
    view: dict[str, Any] = {}
    while time.monotonic() < deadline:
        view = sandbox.admin.stream(result.stream_id)
        if result.provider == "tpstreams":
            if view.get("recording_url") or view.get("status") in ("Completed", "Error"):
                break
        elif view.get("recording_urls") or (view.get("media_ids") and time.monotonic() > deadline - 12):
            break
        time.sleep(0.5)
    if result.provider == "tpstreams":
        url = view.get("recording_url") or session.get("recording_url")
        result.recording = [url] if url else []
        if not url:
            echo(f"demo: no recording yet (asset status {view.get('status')})")
    else:
        result.media_ids = list(view.get("media_ids") or [])
        result.recording = list(view.get("recording_urls") or [])
    result.recording_files = recording_files(sandbox.data_dir, result.recording, result.media_ids)


def recording_files(data_dir: Optional[Path], urls: list[str], media_ids: list[str]) -> list[Path]:
    """The recording's MP4 on this machine: the sandbox remuxes each recording into
    ``<data>/vod/<media id>/video.mp4`` and serves it as ``/transcoded/<media id>/...``."""
    if data_dir is None:
        return []
    ids = list(media_ids)
    for url in urls:
        found = re.search(r"/transcoded/([^/]+)/", url)
        if found and found.group(1) not in ids:
            ids.append(found.group(1))
    files = [Path(data_dir) / "vod" / media_id / "video.mp4" for media_id in ids]
    return [path for path in files if path.is_file()]


def _new_run_dir(out: Path) -> Path:
    """A fresh ``<out>/<YYYYmmdd-HHMMSS>`` (``-2``, ``-3``... within the same second)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 100):
        run_dir = out / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            run_dir.mkdir(parents=True)
            return run_dir
        except FileExistsError:
            continue
    raise DemoError(f"could not make a new run folder in {out}")


def _keep_last_runs(out: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` run folders in ``out`` (only folders named like
    runs: anything else the user put there stays); the removed folders."""
    runs = sorted((p for p in out.iterdir() if p.is_dir() and RUN_NAME.match(p.name)), key=_run_order)
    removed = runs[:-keep] if keep > 0 else runs
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def _run_order(path: Path) -> tuple[str, str, int]:
    date, clock, *n = path.name.split("-")
    return date, clock, int(n[0]) if n else 1


def _screenshot_with_dock(obs: HeadlessObs, dock_url: Optional[str], target: Path, echo: Printer, *,
                          own_screen: bool, before_shot: Callable[[], None] = lambda: None) -> Path:
    """A screenshot of OBS's whole window; under the demo's own Xvfb, with the status dock
    (Chromium showing the dock's page, as a Custom Browser Dock would) to its right."""
    chromium = shutil.which("chromium")
    main = obs.main_window()
    if not own_screen:  # the user's display: their window manager places the windows
        if dock_url:  # its URL carries a token: shown in OBS (Tools > Scripts), not printed here
            echo("demo: the script's status dock: Tools > Scripts > obs_livestream.py shows its URL "
                 "(open it in a browser, or add it under Docks > Custom Browser Docks)")
        time.sleep(1.0)
        return obs.screenshot(target)
    width = SCREEN[0] - (DOCK_WIDTH if chromium and dock_url else 0)
    if main is not None:  # OBS's default window is taller than the screen: fit it whole
        x11.move_resize(obs.display, main.id, 0, 0, width, SCREEN[1])
    if not (chromium and dock_url):
        echo("demo: no status dock in the screenshot (install the Debian package chromium to see it)")
        time.sleep(1.0)
        return obs.screenshot(target)
    profile = Path(tempfile.mkdtemp(prefix="obs-livestream-demo-chromium-"))
    before = {w.id for w in obs.windows()}
    browser = subprocess.Popen(
        [chromium, f"--app={dock_url}", f"--window-position={width},0", f"--window-size={DOCK_WIDTH},{SCREEN[1]}",
         *CHROMIUM_FLAGS, f"--user-data-dir={profile}"],
        env={**os.environ, "DISPLAY": obs.display or ""}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 15
        window = None
        while time.monotonic() < deadline and window is None:
            # Chromium's window has no WM_NAME to find it by: it is the new, large one.
            window = next((w for w in obs.windows() if w.id not in before and w.width >= DOCK_WIDTH // 2), None)
            time.sleep(0.2)
        if window is None:
            echo("demo: Chromium did not show the status dock in time; screenshot without it")
        else:
            x11.move_resize(obs.display, window.id, width, 0, DOCK_WIDTH, SCREEN[1])
            time.sleep(3.0)  # the page loads, connects and shows live with a bitrate
        before_shot()
        time.sleep(0.2)
        return obs.screenshot(target)
    finally:
        browser.terminate()  # the one process we started
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait(5)
        shutil.rmtree(profile, ignore_errors=True)


def _summary(result: DemoResult, echo: Printer) -> None:
    echo("")
    echo(f"=== obs-livestream demo summary ({result.provider}) ===")
    echo("step                              seconds after 'Go live'")
    for name, seconds in result.steps.items():
        echo(f"  {name:<32}{seconds:8.2f}")
    echo(f"stream id        {result.stream_id}")
    echo(f"playback (HLS)   {result.playback_url}")
    echo(f"chat             {result.chat_url or '-'}")
    if result.probe:
        echo(f"plays            {result.probe.get('codec_name')} {result.probe.get('width')}x"
             f"{result.probe.get('height')} @ {result.probe.get('avg_frame_rate')} (ffprobe)")
    if result.media_ids:
        echo(f"media ids        {', '.join(result.media_ids)}")
    echo(f"recording        {', '.join(str(p) for p in result.recording_files) or '-'}"
         + ("  (on this machine)" if result.recording_files else ""))
    if result.recording:
        echo(f"recording URL    {', '.join(result.recording)} (served only while the sandbox runs)")
    echo(f"streamed         {result.streamed_seconds:.1f} s (really live: from 'live' to the stop)")
    echo(f"final state      {result.final_state}: {result.final_message}")
    echo(f"settings back    {'yes' if result.settings_restored else 'NO'} (Settings > Stream as before)")
    echo(f"screenshot       {result.screenshot}")
