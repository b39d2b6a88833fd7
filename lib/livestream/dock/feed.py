"""What the status dock shows, as plain data, and the hand-over between threads.

The script's timer builds a *view* (a JSON-ready dict, no secrets) from the controller's
``Snapshot``, OBS's output health and, when given, the provider streams still open from
earlier sessions, and ``publish``-es it to a ``DockFeed``. The dock server's threads only
read the feed (``latest``, ``wait``): they never see the controller or obspython.

View fields (all optional for a reader except ``state``)::

    state, label, message, level, elapsed (s in this state), provider, provider_status,
    stream_id, title, playback_url, chat_url, recording_url, reconnecting, notice,
    can (which buttons make sense: go_live, prepare, end), history (this go-live's
    states with the seconds each took), health ({active, bitrate_kbps, dropped_frames,
    total_frames, dropped_percent, reconnecting} or None), error_kind (the last
    error's class name or None), targets (the go-live's simulcast targets, a list of
    {name, status, reason, host}: never a key), open_streams (a list of
    {provider, stream_id, title, state, last_error}; absent when nobody supplies it)
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Mapping
from typing import Any, Iterable, Optional

from .. import secrets
from ..session.snapshot import Snapshot
from ..session.states import State
from ..simulcast import OBS_SIDE_ID

OPEN_STREAM_FIELDS = ("provider", "stream_id", "title", "state", "last_error")
#: What the dock shows of a simulcast target (``TargetState.to_dict`` without the provider's id).
TARGET_FIELDS = ("name", "status", "reason", "host")


class DockFeed:
    """The latest view, with a version number readers can wait on (thread-safe)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._view: dict[str, Any] = {"state": State.IDLE.value, "label": State.IDLE.label}
        self._since = clock()
        self._version = 0
        self._closed = False

    def publish(self, view: Mapping[str, Any], *, since: Optional[float] = None) -> None:
        """Replace the view if it changed; ``since`` (monotonic) is when its state began."""
        view = dict(view)
        with self._cond:
            if since is not None:
                self._since = since
            if view != self._view:
                self._view = view
                self._version += 1
                self._cond.notify_all()

    def latest(self) -> tuple[int, dict[str, Any]]:
        """(version, view with ``elapsed`` computed now)."""
        with self._cond:
            return self._version, self._stamped()

    def wait(self, after: int, timeout: float) -> tuple[int, dict[str, Any]]:
        """The view once its version differs from ``after``, or after ``timeout`` anyway."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != after or self._closed, timeout)
            return self._version, self._stamped()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Wake every waiting reader for good (the script unloads)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _stamped(self) -> dict[str, Any]:
        view = dict(self._view)
        now = self._clock()
        view["elapsed"] = round(max(0.0, now - self._since), 1)
        if "status_read_at" in view:
            read_at = view.pop("status_read_at")
            view["provider_status_age"] = None if read_at is None else round(max(0.0, now - read_at), 1)
        return view


class HealthMeter:
    """OBS's stream output health from raw counters sampled about once a second.

    Bitrate is the bytes sent between two samples; a counter going backwards means a
    new output session (OBS resets them), so the meter starts over."""

    def __init__(self) -> None:
        self._last: Optional[tuple[float, int]] = None

    def sample(self, now: float, *, active: bool, total_bytes: int, dropped_frames: int, total_frames: int,
               reconnecting: bool) -> Optional[dict[str, Any]]:
        if not active:
            self._last = None
            return None
        bitrate: Optional[int] = None
        if self._last is not None:
            then, sent = self._last
            if total_bytes >= sent and now > then:
                bitrate = int(round((total_bytes - sent) * 8 / 1000 / (now - then)))
        self._last = (now, total_bytes)
        percent = round(100.0 * dropped_frames / total_frames, 1) if total_frames > 0 else 0.0
        return {
            "active": True,
            "bitrate_kbps": bitrate,
            "dropped_frames": int(dropped_frames),
            "total_frames": int(total_frames),
            "dropped_percent": percent,
            "reconnecting": bool(reconnecting),
        }

    def sample_stream_status(self, now: float, status: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        """The same from obs-websocket's ``GetStreamStatus`` answer (the CLI's view of OBS)."""
        return self.sample(now, active=bool(status.get("outputActive")),
                           total_bytes=int(status.get("outputBytes") or 0),
                           dropped_frames=int(status.get("outputSkippedFrames") or 0),
                           total_frames=int(status.get("outputTotalFrames") or 0),
                           reconnecting=bool(status.get("outputReconnecting")))


class History:
    """The states of the current go-live and how long each lasted, for the dock's timeline."""

    def __init__(self) -> None:
        self._steps: list[tuple[State, float]] = []  # (state, monotonic start)

    def observe(self, snapshot: Snapshot) -> None:
        if self._steps and self._steps[-1][0] is snapshot.state:
            return
        starting = snapshot.state in (State.CREATING, State.READY) and (
            not self._steps or not self._steps[-1][0].is_active)
        if starting or snapshot.state is State.IDLE:
            self._steps = []
        if snapshot.state is not State.IDLE:
            self._steps.append((snapshot.state, snapshot.since))

    def view(self, now: float) -> list[dict[str, Any]]:
        out = []
        for i, (state, start) in enumerate(self._steps):
            end = self._steps[i + 1][1] if i + 1 < len(self._steps) else None
            out.append({"state": state.value, "label": state.label,
                        "seconds": round(end - start, 1) if end is not None else None})
        return out


def actions_for(state: State) -> dict[str, bool]:
    """Which dock buttons do something in ``state`` (the controller decides anyway)."""
    return {
        "go_live": state in (State.IDLE, State.ENDED, State.FAILED, State.READY),
        "prepare": state in (State.IDLE, State.ENDED, State.FAILED),
        "end": state.is_active,
    }


def session_view(snapshot: Snapshot, *, notice: tuple[str, str] = ("", "info"),
                 health: Optional[Mapping[str, Any]] = None, history: Optional[list] = None,
                 open_streams: Optional[Iterable[Any]] = None) -> dict[str, Any]:
    """The dock's view of one moment. Texts pass through ``secrets.redact``: a provider's
    error message may quote a key, and the dock must never show one."""
    notice_text, notice_level = notice
    view: dict[str, Any] = {
        "state": snapshot.state.value,
        "label": snapshot.state.label,
        "message": _text(snapshot.message),
        "level": snapshot.level,
        "provider": _text(snapshot.provider),
        "provider_status": _text(snapshot.provider_status),
        # When it was read (monotonic): the feed stamps its age at each read (``DockFeed``).
        "status_read_at": snapshot.status_read_at,
        "stream_id": _text(snapshot.stream_id),
        "title": _text(snapshot.title),
        "playback_url": _text(snapshot.playback_url),
        "chat_url": _text(snapshot.chat_url),
        "recording_url": _text(snapshot.recording_url),
        "reconnecting": snapshot.reconnecting,
        "notice": {"text": _text(notice_text), "level": notice_level} if notice_text else None,
        "can": actions_for(snapshot.state),
        "history": list(history or []),
        "health": dict(health) if health else None,
        # The class name only (for the metrics): a message may quote provider details.
        "error_kind": type(snapshot.error).__name__ if snapshot.error is not None else None,
        "targets": [target_view(t) for t in snapshot.targets],
    }
    if open_streams is not None:
        view["open_streams"] = [open_stream_view(entry) for entry in open_streams]
    return view


def next_go_live_at(schedule: Optional[Mapping[str, Any]]) -> Optional[float]:
    """When a published schedule (``Scheduler.view()``) goes live next, Unix time, or None
    once it went live or has nothing waiting."""
    if not schedule or schedule.get("state") not in ("waiting", "preparing", "starting") or schedule.get("at") is None:
        return None
    return float(schedule["at"])


def target_view(target: Mapping[str, Any]) -> dict[str, Any]:
    """One simulcast target: its name, status, reason and host, redacted (a provider's or
    OBS's reason may quote a URL with its key), and who sends it (``sent_by``: "obs" or
    "provider"); no other field, and the key itself is never in a snapshot. The dock and
    the CLI's ``status`` show this."""
    view = {name: _text(target.get(name)) for name in TARGET_FIELDS}
    return {**view, "sent_by": "obs" if target.get("target_id") == OBS_SIDE_ID else "provider"}


def open_stream_view(entry: Any) -> dict[str, Any]:
    """One earlier, still open provider stream: from a mapping or an object with the
    fields ``provider, stream_id, title, state, last_error`` (e.g. a ledger entry)."""
    get = entry.get if isinstance(entry, Mapping) else lambda name: getattr(entry, name, None)
    values = {name: get(name) for name in OPEN_STREAM_FIELDS}
    state = values.get("state")
    if isinstance(state, enum.Enum):
        values["state"] = state.value
    return {name: _text(value) for name, value in values.items()}


def _text(value: Any) -> Optional[str]:
    return None if value is None else secrets.redact(value)
