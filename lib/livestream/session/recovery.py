"""Recovery by itself: a class nobody watches goes live again after the network dropped.

Only for go-lives nobody is at: a scheduled or timetable entry, or an armed start
(``RECOVER_ORIGINS``). Elsewhere today's behaviour stays: a stop ends the provider stream.

When OBS gives up reconnecting (STREAMING_STOPPED with an error while live, not asked by
anyone) or the provider reports the stream over (Error, Stopped, Completed), the go-live
backs off and goes live again:

* on the **same** provider stream while the provider still holds the broadcast open for a
  reconnect (its reconnect window: a stream option the provider declares,
  ``Capabilities.reconnect_window_option``, e.g. FastPix's and Mux's ``reconnect_window``),
  so the class stays one broadcast and one recording;
* else (the window is over, the provider has none, or it said the stream is over) the stream
  is ended as usual and a **new** one is created with the same request.

Caps: ``RecoveryCaps.tries`` tries in all and ``streams`` new streams per go-live (a
timetable entry), then it gives up and ends as before. Every try is said in the log and
written in the ledger entry of its stream (``last_error``), and each new stream is an entry
of its own with the same origin.

``Recovery`` is the pure rule (a clock passed in); ``Recovering`` is the controller's part.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Mapping, Optional

from .. import secrets
from ..errors import LivestreamError
from .recovery_saved import FILE_NAME, RecoveryStore
from .states import State

if TYPE_CHECKING:
    from ..providers.base import Provider
    from .controller import Controller as _Base
    from .golive import GoLive
    from .request import GoLiveRequest
else:
    _Base = object

log = logging.getLogger("livestream.recovery")

#: The error of an OBS stop nobody asked for whose output gave no reason (OBS giving up a
#: reconnect leaves none): a failure all the same, shown in words around it.
UNASKED_STOP = "stopped by itself"

#: Go-lives nobody may be at: the schedule (panel or remote), the timetable, an armed start.
RECOVER_ORIGINS = frozenset({"schedule", "timetable", "armed"})


@dataclass(frozen=True)
class RecoveryCaps:
    """How far recovery goes for one go-live (one timetable entry, one armed start)."""

    #: Tries in all (same stream or new), then it gives up.
    tries: int = 6
    #: New provider streams after the first, then it gives up.
    streams: int = 3
    #: Seconds before each try; the last one repeats.
    backoff: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0, 60.0)


@dataclass(frozen=True)
class Try:
    """What to do after a loss: ``same`` stream at ``at``, a ``new`` one at ``at``, or ``give_up``."""

    kind: Literal["same", "new", "give_up"]
    at: float = 0.0
    number: int = 0
    reason: str = ""


def reconnect_window(provider: Provider, options: Mapping[str, Any]) -> float:
    """Seconds the provider keeps a broadcast open after the encoder left (0: none known)."""
    name = provider.capabilities.reconnect_window_option
    if not name:
        return 0.0
    default = next((o.default for o in provider.declaration().stream_options if o.name == name), None)
    value = options.get(name, default)
    try:
        return max(0.0, float(value)) if value is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


@dataclass
class Recovery:
    """The tries of one go-live, carried across the new streams it makes."""

    window: float
    caps: RecoveryCaps = field(default_factory=RecoveryCaps)
    tries: int = 0
    streams: int = 0
    #: When the encoder was last seen leaving the current stream (the window counts from it).
    lost_since: Optional[float] = None
    #: The ledger entry of the stream last lost: a try that made no stream is written there.
    entry_id: Optional[str] = None

    def decide(self, now: float, *, stream_over: bool = False) -> Try:
        """A loss at ``now``: the next try, or give up. ``stream_over``: the provider says the
        stream cannot take the encoder back, whatever the window."""
        if self.lost_since is None:
            self.lost_since = now
        if self.tries >= self.caps.tries:
            return Try("give_up", reason=f"{self.tries} tries already")
        delay = self.caps.backoff[min(self.tries, len(self.caps.backoff) - 1)]
        at = now + delay
        self.tries += 1
        if not stream_over and at < self.lost_since + self.window:
            return Try("same", at, self.tries)
        if self.streams >= self.caps.streams:
            self.tries -= 1
            return Try("give_up", reason=f"{self.streams} new streams already")
        self.streams += 1
        return Try("new", at, self.tries)

    def back_live(self) -> None:
        """OBS is live again: the next loss starts a new window."""
        self.lost_since = None

    def new_stream(self) -> None:
        """A new provider stream is being made: its window starts when it is lost."""
        self.lost_since = None

    def create_failed(self, now: float) -> Try:
        """The create of a new stream failed (the provider's API down, or refusing for now):
        no stream was made, so it does not count against ``streams``; the next create waits
        the back-off, within the tries."""
        self.streams = max(0, self.streams - 1)
        return self.decide(now, stream_over=True)


class Recovering(_Base):
    """The controller's part (mixed into ``Controller``): the hooks call these."""

    _again: Optional[tuple[float, GoLiveRequest, Recovery]] = None
    _again_store: Optional[RecoveryStore] = None

    def saved_recovery(self) -> RecoveryStore:
        """The due new stream on disk, next to the ledger (a reload carries it on)."""
        if self._again_store is None:
            self._again_store = RecoveryStore(self.ledger.path.with_name(FILE_NAME))
        return self._again_store

    def _set_again(self, at: float, request: GoLiveRequest, rec: Recovery) -> None:
        self._again = (at, request, rec)
        self.saved_recovery().save(due_at=self.wall() + (at - self.clock()), request=request, recovery=rec)

    def _drop_again(self) -> None:
        self._again = None
        self.saved_recovery().clear()

    def resume_recovery(self, saved: Mapping[str, Any], request: GoLiveRequest) -> None:
        """At load (the owner's thread): the new stream an earlier run left due, with its tries so far."""
        rec = self._recovery_for(request) or Recovery(window=0.0, caps=self._caps())
        rec.window = float(saved.get("window") or rec.window)
        rec.tries, rec.streams = int(saved.get("tries") or 0), int(saved.get("streams") or 0)
        rec.entry_id = saved.get("entry_id")
        due = self.clock() + max(0.0, float(saved["due_at"]) - self.wall())
        log.warning("Recovery: carrying on from before the reload: a new %s stream in %.0f s (try %d of %d)",
                    request.provider.display_name, due - self.clock(), rec.tries, rec.caps.tries)
        self._set_again(due, request, rec)

    def _caps(self) -> RecoveryCaps:
        policies = self.policies
        return RecoveryCaps(tries=policies.recovery_tries, streams=policies.recovery_streams)

    @property
    def recovering(self) -> bool:
        """A recovery ended its stream and a new one is due: the go-live is not over (the
        schedule keeps its end time for the new stream)."""
        return self._again is not None

    def _recovery_for(self, request: GoLiveRequest, carried: Optional[Recovery] = None) -> Optional[Recovery]:
        if carried is not None:
            return carried
        if request.origin not in RECOVER_ORIGINS:
            return None
        return Recovery(window=reconnect_window(request.provider, request.options), caps=self._caps())

    @staticmethod
    def _stop_words(what: str, error: str) -> str:
        """``what`` with OBS's own reason, if it gave one."""
        return what if error == UNASKED_STOP else f"{what} ({error})"

    def _try_recovery(self, go: GoLive, why: str, *, stream_over: bool = False) -> bool:
        """After a loss while live (or a failed try): True if recovery took it over."""
        rec = go.recovery
        if rec is None or go.request is None or go.cancel_requested:
            return False
        now = self.clock()
        step = rec.decide(now, stream_over=stream_over)
        if step.kind == "give_up":
            log.error("Recovery: %s; giving up (%s): ending as usual", why, step.reason)
            return False
        of = f"try {step.number} of {rec.caps.tries}"
        wait = f"{step.at - now:.0f} s"
        if go.record is not None and go.record.entry is not None:
            # In the entry of this stream; written with the state change below.
            rec.entry_id = go.record.entry_id
            go.record.entry.last_error = f"{why}; recovery {of}: {step.kind} stream"
            go.record.entry.recovery_tries.append({"at": self.wall(), "kind": step.kind, "why": why})
        if step.kind == "same":
            log.warning("Recovery: %s; going live again on the same %s stream %s in %s (%s, inside its %.0f s "
                        "reconnect window)", why, go.name, go.stream_id, wait, of, rec.window)
            go.retry_at = step.at
            self._enter(State.READY, f"{why}; going live again on the same stream in {wait} ({of})",
                        level="warning")
            self._save(go)
            return True
        log.warning("Recovery: %s; ending %s stream %s and going live on a new one in %s (%s)", why, go.name,
                    go.stream_id, wait, of)
        self._set_again(step.at, go.request, rec)
        go.ended_because = f"{why}; a new stream follows in {wait} ({of})"
        self._begin_ending(go, f"{why}: ending this stream, a new one follows in {wait} ({of})")
        return True

    def _retry_create(self, go: GoLive, error: LivestreamError) -> bool:
        """The create of a recovery's new stream failed and made nothing (its record is
        settled already): True if another create follows after the back-off, within the
        caps. Else the go-live fails as before, with nothing left open."""
        rec = go.recovery
        if rec is None or rec.streams == 0 or go.request is None or go.cancel_requested:
            return False  # not a recovery's new stream: today's behaviour
        now = self.clock()
        why = f"creating a new {go.name} stream failed: {secrets.redact(error)}"
        step = rec.create_failed(now)
        if step.kind == "give_up":
            log.error("Recovery: %s; giving up (%s)", why, step.reason)
            self._note_try(rec, why, f"gave up ({step.reason})", "give_up")
            return False
        of = f"try {step.number} of {rec.caps.tries}"
        wait = f"{step.at - now:.0f} s"
        log.warning("Recovery: %s; creating one again in %s (%s)", why, wait, of)
        self._note_try(rec, why, f"recovery {of}: new stream", "new")
        self._set_again(step.at, go.request, rec)
        self._enter(State.ENDING, f"{why}: a new try in {wait} ({of})", level="warning")
        self._enter(State.ENDED, f"{why}; a new try in {wait} ({of})", level="warning")
        return True

    def _note_try(self, rec: Recovery, why: str, outcome: str, kind: str) -> None:
        """A try that made no stream, in the ledger entry of the stream the recovery lost."""
        entry = self.ledger.get(rec.entry_id) if rec.entry_id else None
        if entry is None:
            return
        tries = [*entry.recovery_tries, {"at": self.wall(), "kind": kind, "why": why}]
        try:
            self.ledger.update(entry.entry_id, recovery_tries=tries, last_error=f"{why}; {outcome}")
        except OSError as exc:
            log.warning("Could not write the recovery try to the ledger of provider streams: %s", exc)

    def _tick_retry(self, go: GoLive, now: float) -> bool:
        """READY and a same-stream try is due: start OBS on it again."""
        if go.retry_at and now >= go.retry_at:
            go.retry_at = 0.0
            log.info("Recovery: starting OBS again on %s stream %s", go.name, go.stream_id)
            self._start_obs(go)
            return True
        return False

    def _tick_again(self, now: float) -> None:
        """Idle after a recovery ended its stream: the new go-live, when due."""
        again = self._again
        if again is None or self.state.is_active or now < again[0]:
            return
        self._drop_again()
        _, request, rec = again
        rec.new_stream()
        log.info("Recovery: going live on a new %s stream", request.provider.display_name)
        self._cmd_go_live(request, recovery=rec)

    def _cancel_recovery(self) -> bool:
        """End pressed while a new stream is only due: nothing more is tried. True if one was."""
        if self._again is None:
            return False
        self._drop_again()
        log.info("Recovery: cancelled, no new stream")
        return True
