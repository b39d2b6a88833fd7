"""The alerts: what goes wrong while nobody watches the studio, as notification events.

Each watcher is fed plain data and returns the events to send (no I/O, no obspython):

* ``ReconnectWatch`` (snapshots): OBS has been reconnecting for ``reconnect_seconds``;
* ``ProviderWatch`` (snapshots): the provider reports the live stream disconnected or in error;
* ``OpenStreamWatch`` (the open streams, once a second): an earlier provider stream is
  still open ``open_minutes`` after its go-live ended (pending ends keeps failing);
* ``DroppedFramesWatch`` (OBS's output counters, once a second): more than
  ``dropped_percent`` of the frames of the last ``WINDOW`` seconds were dropped;
* ``schedule_event``: the scheduler's pre-flight problem or missed go-live (it says when).

Each fires once per episode (it re-arms when the condition clears), and the ``Notifier``'s
rate limit per kind applies on top. Events carry no secret (``events.finish`` masks them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional

from .. import bounds
from ..errors import LivestreamError
from ..session.snapshot import Snapshot, duration_text
from ..session.states import State
from .events import base_event, event_for, finish

#: Kind -> (headline, ntfy tag). The kinds are the generic JSON's ``event`` values.
ALERTS = {
    "reconnecting": ("OBS is reconnecting", "warning"),
    "provider_disconnected": ("The provider reports the stream disconnected", "warning"),
    "provider_error": ("The provider reports the stream in error", "rotating_light"),
    "stream_left_open": ("A provider stream is still open", "warning"),
    "schedule_problem": ("A scheduled go-live has a problem", "warning"),
    "schedule_missed": ("A scheduled go-live was missed", "rotating_light"),
    "dropped_frames": ("OBS is dropping frames", "warning"),
}
PROVIDER_KINDS = {"disconnected": "provider_disconnected", "error": "provider_error"}
WINDOW = 30.0  # seconds of frames the dropped-frames share is taken over
MIN_FRAMES = 150  # fewer frames than this (5 s at 30 fps) say nothing yet

# The panel's settings (their ranges in ``bounds.BOUNDS``) and their defaults.
SETTINGS = {"notify_reconnect_seconds": 30, "notify_open_minutes": 15, "notify_dropped_percent": 5}


@dataclass(frozen=True)
class Thresholds:
    reconnect_seconds: float = SETTINGS["notify_reconnect_seconds"]
    open_minutes: float = SETTINGS["notify_open_minutes"]
    dropped_percent: float = SETTINGS["notify_dropped_percent"]

    @classmethod
    def from_settings(cls, number: Callable[[str], float]) -> Thresholds:
        """From the panel (``PanelConfig.number``: each inside its bound, else its default)."""
        return cls(number("notify_reconnect_seconds"), number("notify_open_minutes"),
                   number("notify_dropped_percent"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Thresholds:
        """For the CLI's own go-lives: ``OBS_LIVESTREAM_NOTIFY_RECONNECT_SECONDS`` and the others
        (``env_name``); unset or empty is the default, a value outside its bound is refused
        (``ConfigurationError``, exit 2) with the variable's name and the range."""
        def number(key: str) -> float:
            name = env_name(key)
            text = environ.get(name, "").strip()
            return float(SETTINGS[key]) if not text else bounds.check(key, text, label=name)

        return cls.from_settings(number)


def env_name(setting: str) -> str:
    """A panel setting's environment variable: ``notify_open_minutes`` -> ``OBS_LIVESTREAM_NOTIFY_OPEN_MINUTES``."""
    return "OBS_LIVESTREAM_" + setting.upper()


def alert(kind: str, text: str, *, snap: Optional[Snapshot] = None, origin: str = "obs",
          **details: Any) -> dict[str, Any]:
    """One alert event: the generic fields, its headline and tag, ``details`` (flat values)."""
    headline, tag = ALERTS[kind]
    event = base_event(kind, snap, origin=origin)
    event.update({k: v for k, v in details.items() if v is not None}, headline=headline, tags=[tag])
    return finish(event, text)


def _name(snap: Snapshot) -> str:
    return f'"{snap.title}"' if snap.title else "the stream"


class ReconnectWatch:
    """OBS's output reconnecting for ``reconnect_seconds`` while live (the controller
    re-emits the snapshot once a second while a go-live is active, so time is seen passing)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._since: Optional[float] = None
        self._sent = False

    def __call__(self, snap: Snapshot, limits: Thresholds, origin: str) -> list[dict[str, Any]]:
        if snap.state is not State.LIVE or not snap.reconnecting:
            self._since, self._sent = None, False
            return []
        now = self._clock()
        self._since = now if self._since is None else self._since
        took = now - self._since
        if self._sent or took < limits.reconnect_seconds:
            return []
        self._sent = True
        text = (f"OBS lost the connection to {snap.provider or 'the ingest'} while streaming {_name(snap)} and has "
                f"been reconnecting for {duration_text(took)}. What to do: check this computer's network; "
                "OBS keeps retrying per Settings > Advanced > Automatically Reconnect")
        return [alert("reconnecting", text, snap=snap, origin=origin, reconnecting_s=round(took))]


class ProviderWatch:
    """The provider's status while live: "disconnected" or "error" (once each, until it recovers)."""

    def __init__(self) -> None:
        self._reported: Optional[str] = None

    def __call__(self, snap: Snapshot, limits: Thresholds, origin: str) -> list[dict[str, Any]]:
        status = snap.stream_status if snap.state is State.LIVE else None
        kind = PROVIDER_KINDS.get(status or "")
        if kind is None:
            if status not in ("unknown", None) or snap.state is not State.LIVE:
                self._reported = None  # running again (or over): a new drop is news again
            return []
        if status == self._reported:
            return []
        self._reported = status
        who = snap.provider or "The provider"
        word = snap.provider_status or status
        if kind == "provider_disconnected":
            text = (f"{who} reports {_name(snap)} as {word}: it no longer receives OBS's stream. "
                    "What to do: check OBS's connection; the script keeps the stream while OBS reconnects")
        else:
            text = (f"{who} reports {_name(snap)} as {word}: the provider failed the stream. "
                    "What to do: end it and go live again (a new stream)")
        return [alert(kind, text, snap=snap, origin=origin, provider_status=word)]


class OpenStreamWatch:
    """Earlier provider streams still open ``open_minutes`` after they were handed to
    pending ends (their go-live ended, or the script found them at load)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._first_seen: dict[str, float] = {}
        self._sent: set[str] = set()

    def __call__(self, streams: Iterable[Mapping[str, Any]], limits: Thresholds,
                 origin: str) -> list[dict[str, Any]]:
        now = self._clock()
        by_id = {str(s.get("entry_id") or s.get("stream_id")): s for s in streams}
        self._first_seen = {k: self._first_seen.get(k, now) for k in by_id}
        self._sent &= set(by_id)
        due = [k for k in by_id if k not in self._sent and now - self._first_seen[k] >= limits.open_minutes * 60]
        if not due:
            return []
        self._sent.update(due)
        lines = []
        for key in due:
            s = by_id[key]
            why = f" ({s['last_error']})" if s.get("last_error") else ""
            lines.append(f"{s.get('provider') or 'provider'} stream {s.get('stream_id')}"
                         f"{' ' + repr(s['title']) if s.get('title') else ''}{why}")
        text = (f"Still open {duration_text(limits.open_minutes * 60)} after its go-live ended: {'; '.join(lines)}. "
                "What to do: press End all open streams in the panel, or end it on the provider's site; "
                "an open stream may keep costing")
        first = by_id[due[0]]
        return [alert("stream_left_open", text, origin=origin, stream_ids=", ".join(
            str(by_id[k].get("stream_id")) for k in due), open_state=first.get("state"))]


def open_stream_views(pending: Any) -> list[dict[str, Any]]:
    """What ``OpenStreamWatch`` (and the dock) reads of a ``PendingEnds`` (None: nothing pending)."""
    if pending is None:
        return []
    return [dict(e.public_view(), provider=e.provider_display or e.provider) for e in pending.entries()]


class DroppedFramesWatch:
    """OBS's cumulative dropped/total frames (``dock.HealthMeter``'s health), as a share over
    the last ``WINDOW`` seconds: a burst long ago does not keep alerting, a new one does."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._samples: list[tuple[float, int, int]] = []
        self._sent = False

    def __call__(self, health: Optional[Mapping[str, Any]], limits: Thresholds, origin: str,
                 snap: Optional[Snapshot] = None) -> list[dict[str, Any]]:
        if not health or not health.get("active"):
            self._samples, self._sent = [], False
            return []
        now = self._clock()
        dropped, total = int(health.get("dropped_frames") or 0), int(health.get("total_frames") or 0)
        if self._samples and total < self._samples[-1][2]:
            self._samples = []  # a new output session: OBS restarted its counters
        self._samples.append((now, dropped, total))
        while len(self._samples) > 1 and now - self._samples[1][0] >= WINDOW:
            self._samples.pop(0)  # keep one sample at least WINDOW old as the baseline
        then, dropped0, total0 = self._samples[0]
        frames = total - total0
        if frames < MIN_FRAMES:
            return []
        percent = 100.0 * (dropped - dropped0) / frames
        if percent < limits.dropped_percent:
            self._sent = False
            return []
        if self._sent:
            return []
        self._sent = True
        text = (f"OBS dropped {percent:.1f}% of the frames in the last {duration_text(now - then)} "
                f"({dropped - dropped0} of {frames}; the limit is {limits.dropped_percent:g}%). What to do: "
                "lower the bitrate or check the upload (dropped frames are the network's)")
        return [alert("dropped_frames", text, snap=snap, origin=origin, dropped_percent=round(percent, 1),
                      dropped_frames=dropped - dropped0, frames=frames)]


def schedule_event(kind: str, text: str, *, origin: str = "obs", hint: str = "") -> dict[str, Any]:
    """The scheduler's own words for a pre-flight problem, a missed go-live, or (``failed``) a
    go-live refused at its time before any session began: the same ``failed`` event as a
    session's failure (why, and "What to do:" with ``hint``)."""
    if kind == "failed":
        snap = Snapshot(state=State.FAILED, since=0.0, message=text,
                        error=LivestreamError(text, hint=hint or "check the schedule and the panel, then "
                                              "go live by hand or schedule again"))
        return event_for("failed", snap, origin=origin)
    hints = {"schedule_problem": "\nWhat to do: fix it before the set time, or the go-live fails then.",
             "schedule_missed": ""}
    return alert(kind, text + hints[kind], origin=origin)
