"""From the controller's snapshots to notification events: live, ended, failed.

``EventWatcher`` is a controller listener (``controller.add_listener``): it sees every
snapshot, remembers the last state and yields an event dict on the transitions a viewer
cares about. Building the dict is cheap and does no I/O; the ``Notifier`` posts it.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from .. import secrets
from ..session.snapshot import Snapshot, duration_text
from ..session.states import State

DEFAULT_LIVE_TEMPLATE = "{title} is live: {playback_url}"
TEMPLATE_FIELDS = ("title", "provider", "stream_id", "playback_url", "chat_url")


def render(template: str, fields: dict[str, Any]) -> str:
    """The user's template with ``{title}`` etc.; an unknown ``{name}`` stays as written."""
    class _Keep(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"
    values = _Keep({k: ("" if fields.get(k) is None else fields[k]) for k in TEMPLATE_FIELDS})
    try:
        return template.format_map(values)
    except (ValueError, IndexError):  # a lone "{" or "{0}": send the template as written
        return template


def event_for(kind: str, snap: Snapshot, *, live_template: str = DEFAULT_LIVE_TEMPLATE,
              duration_s: Optional[float] = None, origin: str = "obs") -> dict[str, Any]:
    """One event dict: the generic fields, plus ``text``, ``headline`` and ``tags`` for the formats."""
    title = snap.title or "The stream"
    event = base_event(kind, snap, origin=origin)
    if kind == "live":
        text = render(live_template, {**event, "title": title})
        if snap.chat_url and "{chat_url}" not in live_template:
            text += f"\nChat: {snap.chat_url}"
        event.update(headline=f"{title} is live", tags=["red_circle"])
    elif kind == "ended":
        took = f" after {duration_text(duration_s)}" if duration_s is not None else ""
        text = f"{title} has ended{took}."
        if snap.recording_url:
            text += f"\nRecording: {snap.recording_url}"
            event["recording_url"] = snap.recording_url
        if duration_s is not None:
            event["duration_s"] = round(duration_s)
        event.update(headline=f"{title} has ended", tags=["checkered_flag"])
    elif kind == "failed":
        err = snap.error
        why = (err.message if err is not None else "") or snap.message or "unknown reason"
        text = f"Going live failed: {why}"
        hint = getattr(err, "hint", None)
        if hint:
            text += f"\nWhat to do: {hint}"
            event["hint"] = hint
        event.update(headline="Going live failed", tags=["warning"])
    else:  # "test" and future kinds carry their text in the snapshot's message
        text = snap.message or kind
        event.update(headline="OBS livestream notification", tags=["bell"])
    return finish(event, text)


def base_event(kind: str, snap: Optional[Snapshot], *, origin: str) -> dict[str, Any]:
    """The generic fields every event has (``None`` where there is no go-live to name)."""
    return {
        "event": kind, "provider": snap.provider if snap else None, "stream_id": snap.stream_id if snap else None,
        "title": snap.title if snap else None, "playback_url": snap.playback_url if snap else None,
        "chat_url": snap.chat_url if snap else None,
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "origin": origin,
    }


def finish(event: dict[str, Any], text: str) -> dict[str, Any]:
    """The event with its text, every registered secret masked."""
    event["text"] = event["message"] = text
    # A provider's error may quote a token or a key (an HTTP library's message): mask every
    # registered secret before anything leaves the machine.
    return {k: secrets.redact(v) if isinstance(v, str) else v for k, v in event.items()}


class EventWatcher:
    """A controller listener that calls ``emit(event)`` on live / ended / failed."""

    def __init__(self, emit: Callable[[dict[str, Any]], None], *,
                 live_template: Callable[[], str] = lambda: DEFAULT_LIVE_TEMPLATE,
                 clock: Callable[[], float] = time.monotonic, origin: str = "obs") -> None:
        self._emit = emit
        self._template = live_template
        self._clock = clock
        self._origin = origin
        self._state: Optional[State] = None
        self._live_since: Optional[float] = None
        self._live_snap: Optional[Snapshot] = None  # set while live: the "ended" event's URLs

    def __call__(self, snap: Snapshot) -> None:
        old, self._state = self._state, snap.state
        if snap.state is old:
            if snap.state is State.LIVE:
                self._live_snap = snap  # keep the latest URLs for the "ended" event
            return
        if snap.state is State.LIVE:
            self._live_snap = snap
            if old in (None, State.IDLE):
                # Recovered after a script reload with OBS still streaming: it was announced
                # when it went live; how long it has been live is not known here.
                self._live_since = None
                return
            self._live_since = self._clock()
            self._emit(event_for("live", snap, live_template=self._template() or DEFAULT_LIVE_TEMPLATE,
                                 origin=self._origin))
        elif snap.state is State.ENDED and self._live_snap is not None:
            base = self._live_snap
            merged = dataclasses.replace(base, state=snap.state,
                                         recording_url=snap.recording_url or base.recording_url)
            duration = None if self._live_since is None else self._clock() - self._live_since
            self._live_since = self._live_snap = None
            self._emit(event_for("ended", merged, duration_s=duration, origin=self._origin))
        elif snap.state is State.FAILED:
            self._live_since = self._live_snap = None
            self._emit(event_for("failed", snap, origin=self._origin))
