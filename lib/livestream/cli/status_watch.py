"""``status --watch``: the status dock's information, redrawn in the terminal until Ctrl-C.

Once a second it reads, over obs-websocket, OBS's stream output (``GetStreamStatus``)
and the session the script publishes (``livestream.session.bridge``), and draws: the
state and its elapsed time, the provider and its status, the title, stream id and
links, each simulcast target's status, OBS's output health (bitrate from the bytes sent between two reads, dropped
frames, reconnecting) and, when the script publishes them, earlier streams still open.
On a terminal the screen is redrawn in place; piped, a frame is printed when it changes.
If OBS goes away it says so and keeps trying.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Mapping, Optional, TextIO

from .. import secrets
from ..dock.feed import HealthMeter, open_stream_view, target_view
from ..errors import LivestreamError
from ..session import bridge
from ..session.snapshot import Snapshot
from ..session.states import State

INTERVAL = 1.0
CLEAR = "\033[H\033[2J"


def watch(client: Any, *, show_secrets: bool = False, out: TextIO = sys.stdout,
          sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
          interval: float = INTERVAL) -> int:
    """Redraw until Ctrl-C (then 0). ``client`` is a connected ``ObsClient``."""
    meter = HealthMeter()
    tty = out.isatty()
    last_body = None
    try:
        while True:
            now = clock()
            try:
                obs_status = client.stream_status()
                published = bridge.read(client)
                problem = None
            except LivestreamError as exc:
                obs_status, published, problem = {}, None, f"OBS unreachable ({exc}); trying again every second"
            health = meter.sample_stream_status(now, obs_status)
            body = render(published, health, now=now, problem=problem, show_secrets=show_secrets)
            header = f"obs-livestream status  {time.strftime('%H:%M:%S', time.localtime(now))}  (Ctrl-C to stop)"
            if tty:
                out.write(CLEAR + header + "\n\n" + body + "\n")
            elif body != last_body:
                out.write(header + "\n" + body + "\n\n")
            last_body = body
            out.flush()
            sleep(interval)
    except KeyboardInterrupt:
        out.write("\n")
        return 0


def render(published: Optional[Mapping[str, Any]], health: Optional[Mapping[str, Any]], *, now: float,
           problem: Optional[str] = None, show_secrets: bool = False) -> str:
    """The screen's text (no header), secrets masked; the dock URL only with ``show_secrets``."""
    lines: list[str] = []
    if problem:
        lines.append(problem)
    elif not published:
        lines.append("The obs-livestream script is not loaded in OBS (or has published nothing yet).")
    else:
        lines.extend(_session_lines(published, now))
    lines.append("")
    lines.append("OBS output  " + _health_line(health, streaming_known=problem is None))
    if published:
        open_streams = published.get("open_streams") or []
        if open_streams:
            lines.extend(["", "Earlier streams still open:"])
        for entry in open_streams:
            view = open_stream_view(entry)
            text = " · ".join(v for v in (view["provider"], view["title"] or view["stream_id"], view["state"]) if v)
            lines.append(f"  - {text}" + (f"  [{view['stream_id']}]" if view["title"] and view["stream_id"] else ""))
            if view["last_error"]:
                lines.append(f"    last error: {view['last_error']}")
        if published.get("dock_url"):
            lines.append("")
            lines.append("Status dock " + (published["dock_url"] if show_secrets
                                           else "running (its URL carries a token: --show-secrets prints it)"))
    text = "\n".join(lines)
    return text if show_secrets else secrets.redact(text)


def status_line(data: Mapping[str, Any], now: float) -> str:
    """The published session's status line as of ``now`` (wall clock), e.g. "Waiting for the
    TP Streams server... 12 s": the script publishes when something changes, not every
    second, so the elapsed part is computed here from ``state_since``."""
    try:
        state = State(data.get("state"))
    except ValueError:
        return str(data.get("status_line") or "")
    since = data.get("state_since")
    if not isinstance(since, (int, float)):
        return str(data.get("status_line") or "")
    # Snapshot.status_line, with its clock set to the seconds since the state began.
    return secrets.redact(Snapshot(state=state, since=0.0, message=str(data.get("message") or ""))
                          .status_line(max(0.0, now - since)))


def _session_lines(data: Mapping[str, Any], now: float) -> list[str]:
    try:
        state = State(data.get("state"))
    except ValueError:
        return [f"Unknown state {data.get('state')!r} (a newer script?)"]
    head = state.label.upper() if state is State.LIVE else state.label
    since = data.get("state_since")
    if state.is_active and state is not State.READY and isinstance(since, (int, float)):
        elapsed = max(0, int(now - since))
        head += f"  {elapsed // 60}:{elapsed % 60:02d}" if state is State.LIVE else f"  {elapsed} s"
    if data.get("reconnecting") and state is State.LIVE:
        head += "  (reconnecting)"
    lines = [head]
    message = data.get("message")
    if message and message != state.label:
        lines.append(f"  {message}")
    fields = (("Provider", _join(data.get("provider"), data.get("provider_status"))), ("Title", data.get("title")),
              ("Stream", data.get("stream_id")), ("Playback", data.get("playback_url")),
              ("Chat", data.get("chat_url")), ("Recording", data.get("recording_url")))
    lines.extend(f"  {name:<10}{value}" for name, value in fields if value)
    for n, target in enumerate(published_targets(data.get("targets"))):
        # One line per simulcast target: its status, OBS's or the provider's reason, who sends it.
        why = f" ({target['reason']})" if target["reason"] else ""
        by = "OBS" if target["sent_by"] == "obs" else str(data.get("provider") or "the provider")
        lines.append(f"  {'Also to' if n == 0 else '':<10}{target['name']}: {target['status']}{why} · sent by {by}")
    return lines


def published_targets(items: Any) -> list[dict[str, Any]]:
    """The simulcast targets of what the script published, as the dock shows them
    (``target_view``: name, status, reason, host, who sends them; no other field)."""
    return [target_view(t) for t in (items if isinstance(items, list) else []) if isinstance(t, Mapping)]


def _health_line(health: Optional[Mapping[str, Any]], *, streaming_known: bool) -> str:
    if not streaming_known:
        return "unknown"
    if not health:
        return "not streaming"
    bitrate = "measuring" if health.get("bitrate_kbps") is None else f"{health['bitrate_kbps']} kb/s"
    text = (f"streaming · {bitrate} · {health['dropped_frames']} of {health['total_frames']} frames dropped "
            f"({health['dropped_percent']}%)")
    return text + (" · RECONNECTING" if health.get("reconnecting") else "")


def _join(*values: Any) -> str:
    return " · ".join(str(v) for v in values if v)
