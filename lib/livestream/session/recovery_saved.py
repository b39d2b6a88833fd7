"""A recovery's new stream that is due, kept on disk so a script reload or an OBS crash
between ending the lost stream and creating the new one does not lose it.

``recovery.json`` in the state folder (next to the ledger, 0600, written atomically) holds
what the new go-live needs and nothing secret: the provider's name (its credentials come from
the panel again at load), the mode, title, options (without any value registered as a secret),
origin, when the try is due (wall clock) and the tries so far. Simulcast targets are not
written (their stream keys are secrets): a timetable class resumed at load goes out without
them, an armed one takes the panel's as they are then.

At load (``resume_at_load``) it is carried on only while it still applies: an armed go-live
while *Go live through <provider> when OBS starts streaming* is still ticked, a scheduled or
timetable one while the schedule still holds its class (the end timer it keeps
across a recovery) and the class's set end has not passed; and never when it was due
more than ``MAX_LATE`` seconds ago (OBS was closed meanwhile: nobody expects that go-live).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from .. import secrets
from ..errors import LivestreamError
from ..statefile import StateFile
from .request import GoLiveRequest

if TYPE_CHECKING:
    from ..providers.base import Provider
    from .recovery import Recovery

log = logging.getLogger("livestream.recovery")

FILE_NAME = "recovery.json"
FORMAT = 1
#: A new stream due longer ago than this at load is not made any more.
MAX_LATE = 600.0


def plain_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options that may be written: plain values, none of them a registered secret."""
    known = secrets.registered()
    return {k: v for k, v in options.items()
            if isinstance(v, (str, int, float, bool, type(None))) and not (isinstance(v, str) and v in known)}


class RecoveryStore:
    """The one due recovery, on disk."""

    def __init__(self, path: Path) -> None:
        self.file = StateFile(path, "the due recovery")

    def save(self, *, due_at: float, request: GoLiveRequest, recovery: Recovery) -> None:
        data = {
            "format": FORMAT, "due_at": due_at, "provider": request.provider.name, "mode": request.mode,
            "title": request.title, "options": plain_options(request.options), "origin": request.origin,
            "window": recovery.window, "tries": recovery.tries, "streams": recovery.streams,
            "entry_id": recovery.entry_id,
        }
        self.file.write(data)  # refused: the recovery goes on in memory; only a reload would lose it

    def load(self) -> Optional[dict[str, Any]]:
        data = self.file.read("no new stream from before")
        ok = isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("due_at"), (int, float))
        return data if ok else None

    def clear(self) -> None:
        self.file.remove()


def why_not(saved: Mapping[str, Any], now: float, *, armed: bool, in_class: bool,
            class_end: Optional[float]) -> Optional[str]:
    """None if the saved recovery still applies at load, else why not (in words for the log).
    ``in_class``: the schedule still holds the class's go-live (its end timer), ``class_end``
    its set end (None: none set)."""
    if now - float(saved["due_at"]) > MAX_LATE:
        return "it was due too long ago (OBS was not running)"
    if saved.get("origin") == "armed":
        return None if armed else "going live when OBS starts streaming is no longer ticked"
    if not in_class:
        return "the schedule no longer holds its class"
    if class_end is not None and now >= class_end:
        return "its class is over"
    return None


def resume_at_load(controller: Any, *, now: float, armed: bool, in_class: bool, class_end: Optional[float],
                   build_provider: Callable[[str], Provider],
                   request_now: Optional[Callable[[], GoLiveRequest]] = None) -> bool:
    """Carry on the recovery an earlier run left, if it still applies; True if it does.
    ``request_now``: the panel's request as it is now (an armed go-live takes it, with its targets)."""
    store: RecoveryStore = controller.saved_recovery()
    saved = store.load()
    if saved is None:
        return False
    reason = why_not(saved, now, armed=armed, in_class=in_class, class_end=class_end)
    if reason is None and controller.state.is_active:
        reason = "a go-live is under way"
    request: Optional[GoLiveRequest] = None
    if reason is None:
        try:
            if saved.get("origin") == "armed" and request_now is not None:
                request = request_now()
            else:
                request = GoLiveRequest(provider=build_provider(str(saved["provider"])),
                                        mode=saved.get("mode") or "new", title=str(saved.get("title") or ""),
                                        options=dict(saved.get("options") or {}))
            request.origin = str(saved.get("origin") or "schedule")
        except LivestreamError as exc:
            reason = f"its request cannot be made again ({secrets.redact(exc)})"
    if reason is not None or request is None:
        log.info("Recovery: not making the new stream an earlier run left due: %s", reason)
        store.clear()
        return False
    controller.resume_recovery(saved, request)
    return True
