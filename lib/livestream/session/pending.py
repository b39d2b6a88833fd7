"""Pending ends: every ledger entry that must be ended and no running go-live holds.

A provider stream whose end failed (the provider was down), a stream found again
after its create answer was lost, and streams left by an OBS that was killed all
sit in the ledger as ``ending`` or ``end-failed``. ``PendingEnds`` ends them: one
attempt at a time on the controller's worker (never on an OBS thread), retried with
a capped backoff (5, 10, 20, 40, then every 60 s, or later if the provider asks with
Retry-After) until the provider confirms. "Already ended" and "no such stream" count
as confirmed. An entry with no stream id (the create's answer was lost) is first
looked for (``Provider.find_created``); if the provider still shows no such stream
``LOOK_FOR_LOST_CREATE`` seconds after the create was sent, nothing was created.

The owner (the controller's tick) calls ``tick()``; results are applied there too.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .. import secrets
from ..errors import LivestreamError, NotFoundError
from ..models import EndResult
from ..providers.base import Provider
from ..simulcast import end_with_targets
from .ledger import Ledger, LedgerEntry
from .worker import InlineWorker, Worker

log = logging.getLogger("livestream.session")

#: Seconds between attempts after the 1st, 2nd... failure; the last one repeats.
BACKOFF = (5.0, 10.0, 20.0, 40.0, 60.0)
#: A create whose answer was lost may still land late; look for its stream this long.
LOOK_FOR_LOST_CREATE = 600.0
#: How often the ledger file is looked at for entries another process added.
SCAN_INTERVAL = 1.0
PRUNE_INTERVAL = 3600.0

ProviderFor = Callable[[LedgerEntry], Provider]


def backoff(attempts: int, retry_after: Optional[float] = None) -> float:
    """Seconds before the next attempt after ``attempts`` failures (at least Retry-After)."""
    delay = BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]
    return max(delay, float(retry_after)) if retry_after else delay


@dataclass(frozen=True)
class _Outcome:
    entry_id: str
    stream_id: Optional[str]
    result: Optional[EndResult] = None
    error: Optional[LivestreamError] = None
    not_found: bool = False


class PendingEnds:
    """Ends the ledger's ``ending``/``end-failed`` entries, retrying until confirmed."""

    def __init__(
        self,
        ledger: Ledger,
        worker: Worker | InlineWorker,
        provider_for: ProviderFor,
        *,
        is_held: Callable[[str], bool] = lambda entry_id: False,
        wall: Callable[[], float] = time.time,
        on_change: Optional[Callable[[], None]] = None,
    ) -> None:
        self.ledger = ledger
        self.worker = worker
        self.provider_for = provider_for
        self.is_held = is_held
        self.wall = wall
        self.on_change = on_change
        self._results: queue.Queue = queue.Queue()
        self._in_flight: set[str] = set()
        self._entries: list[LedgerEntry] = []
        self._last_scan = float("-inf")
        self._last_prune = float("-inf")
        self._providers: dict[tuple[str, Optional[str]], Provider] = {}
        #: Set by ``end_all_now``; cleared once every pending end is confirmed, or one fails
        #: (then ``last_failure`` says why).
        self.requested = False
        self.last_failure: Optional[LivestreamError] = None
        #: End was pressed with nothing live and acted on these ends: the status line
        #: waits for their outcome (``answered``).
        self._answer_due = False

    # --- what front ends show ----------------------------------------------------

    def entries(self) -> list[LedgerEntry]:
        """The entries being ended, as last seen."""
        return list(self._entries)

    def summary(self) -> str:
        """e.g. "1 earlier stream still open on TP Streams: ending it (retrying in 30 s)"."""
        if not self._entries:
            return ""
        now = self.wall()
        providers = sorted({e.provider_display or _display(e.provider) for e in self._entries})
        count = len(self._entries)
        text = f"{count} earlier stream{'s' if count > 1 else ''} still open on {' and '.join(providers)}"
        due = [e.next_attempt_at for e in self._entries if e.next_attempt_at]
        if any(e.entry_id in self._in_flight for e in self._entries) or not due:
            return f"{text}: ending {'them' if count > 1 else 'it'} now"
        wait = max(0, int(round(min(due) - now)))
        return f"{text}: ending {'them' if count > 1 else 'it'} (retrying in {wait} s)"

    def refresh(self) -> None:
        """Re-read the ledger now (an entry was just handed over to be ended)."""
        self._scan(force=True)

    # --- commands ------------------------------------------------------------------

    def end_all_now(self, *, answer: bool = False) -> int:
        """Try every pending end now (End / "End all open streams"); how many there are.
        ``answer``: the user waits for their outcome on the status line (``answered``)."""
        self._scan(force=True)
        now = self.wall()
        for entry in self._entries:
            if entry.entry_id not in self._in_flight:
                self.ledger.update(entry.entry_id, next_attempt_at=now)
        self._scan(force=True)
        self.requested = bool(self._entries)
        self.last_failure = None
        self._answer_due = self._answer_due or (answer and self.requested)
        return len(self._entries)

    def answered(self) -> bool:
        """True once, when the ends asked for with ``end_all_now(answer=True)`` are over:
        all confirmed, or one failed (``last_failure``)."""
        if self._answer_due and not self.requested:
            self._answer_due = False
            return True
        return False

    def adopt_orphans(self, owner: str, *, keep: Optional[str] = None) -> list[LedgerEntry]:
        """Entries ``owner`` left open or creating in an earlier run (OBS killed, a crash),
        other than ``keep`` (the one being resumed): mark them to be ended."""
        adopted = []
        for entry in self.ledger.unsettled():
            if entry.owner == owner and entry.state in ("creating", "open") and entry.entry_id != keep:
                why = ("OBS stopped before the create's answer arrived" if entry.state == "creating"
                       else "left open by an earlier session")
                log.warning("Ending %s: %s", entry.label(), why)
                adopted.append(self.ledger.update(entry.entry_id, state="ending", last_error=why,
                                                  next_attempt_at=self.wall(), session_state=None))
        self._scan(force=True)
        return [e for e in adopted if e is not None]

    # --- the owner's thread --------------------------------------------------------

    def tick(self) -> None:
        changed = self._apply_results()
        now = self.wall()
        changed = self._scan() or changed
        for entry in self._entries:
            if entry.entry_id in self._in_flight:
                continue
            if entry.next_attempt_at is None or entry.next_attempt_at <= now:
                self._attempt(entry)
                changed = True
        if now - self._last_prune >= PRUNE_INTERVAL:
            self._last_prune = now
            try:
                self.ledger.prune(now)
            except OSError as exc:  # pragma: no cover - a full disk must not stop the timer
                log.warning("Could not prune the ledger: %s", exc)
        if changed and self.on_change:
            self.on_change()

    def close(self) -> None:
        for provider in self._providers.values():
            try:
                provider.close()
            except Exception:  # pragma: no cover
                pass
        self._providers.clear()

    # --- internals -----------------------------------------------------------------

    def _scan(self, force: bool = False) -> bool:
        now = self.wall()
        if not force and now - self._last_scan < SCAN_INTERVAL:
            return False
        self._last_scan = now
        try:
            entries = [e for e in self.ledger.unsettled()
                       if e.state in ("ending", "end-failed") and not self.is_held(e.entry_id)]
        except OSError as exc:
            log.warning("Could not read the ledger: %s", exc)
            return False
        before = [(e.entry_id, e.state, e.next_attempt_at) for e in self._entries]
        self._entries = entries
        return before != [(e.entry_id, e.state, e.next_attempt_at) for e in entries]

    def _provider(self, entry: LedgerEntry) -> Provider:
        key = (entry.provider, entry.api_base_url)
        if key not in self._providers:
            self._providers[key] = self.provider_for(entry)
        return self._providers[key]

    def _attempt(self, entry: LedgerEntry) -> None:
        try:
            provider = self._provider(entry)
        except LivestreamError as exc:
            # e.g. the credentials for that provider are not set (any more): say so, retry later.
            self._record_failure(entry, exc)
            return
        known = {e.stream_id for e in self.ledger.entries() if e.stream_id and e.entry_id != entry.entry_id}
        self._in_flight.add(entry.entry_id)
        snapshot = entry.model_copy()

        def job() -> _Outcome:
            return _end_entry(provider, snapshot, known)

        def done(result: Any, error: Optional[BaseException]) -> None:
            if error is not None:  # a bug in _end_entry: report it as a failed attempt
                result = _Outcome(snapshot.entry_id, snapshot.stream_id,
                                  error=LivestreamError(f"Internal error: {secrets.redact(error)}"))
            self._results.put(result)

        self.worker.submit(job, done)

    def _apply_results(self) -> bool:
        changed = False
        while True:
            try:
                outcome: _Outcome = self._results.get_nowait()
            except queue.Empty:
                return changed
            changed = True
            self._in_flight.discard(outcome.entry_id)
            entry = self.ledger.get(outcome.entry_id)
            if entry is None or entry.settled:
                continue  # ended meanwhile by another process
            if outcome.stream_id and not entry.stream_id:
                entry = self.ledger.update(entry.entry_id, stream_id=outcome.stream_id) or entry
                log.info("Found %s again (its create's answer had been lost)", entry.label())
            if outcome.result is not None:
                self._confirmed(entry, outcome.result.message or "ended")
            elif isinstance(outcome.error, NotFoundError):
                self._confirmed(entry, "the stream no longer exists")
            elif outcome.not_found:
                sent = entry.create_sent_at or entry.created_at
                if self.wall() - sent >= LOOK_FOR_LOST_CREATE:
                    self._confirmed(entry, "the provider never made a stream for that create")
                else:
                    self._record_failure(entry, None, note="looking for the stream its lost create made")
            else:
                assert outcome.error is not None
                self._record_failure(entry, outcome.error)
            self._scan(force=True)
            if self.requested and not self._entries:
                self.requested = False

    def _confirmed(self, entry: LedgerEntry, how: str) -> None:
        log.info("Ended %s: %s", entry.label(), how)
        self.ledger.update(entry.entry_id, state="ended", ended_at=self.wall(), next_attempt_at=None)

    def _record_failure(self, entry: LedgerEntry, error: Optional[LivestreamError], *, note: str = "") -> None:
        attempts = entry.attempts + 1
        delay = backoff(attempts, getattr(error, "retry_after", None))
        text = secrets.redact(error) if error is not None else note
        if error is not None:
            log.warning("Could not end %s (%s); retrying in %.0f s", entry.label(), text, delay)
        self.ledger.update(entry.entry_id, state="end-failed" if error is not None else entry.state,
                           attempts=attempts, last_error=text, next_attempt_at=self.wall() + delay)
        if error is not None and self.requested:
            self.requested = False
            self.last_failure = error


def _end_entry(provider: Provider, entry: LedgerEntry, known: set[str]) -> _Outcome:
    """On the worker: find the stream if its id is unknown, then end it."""
    stream_id = entry.stream_id
    try:
        if not stream_id:
            found = provider.find_created(reference=entry.reference, title=entry.title,
                                          sent_at=entry.create_sent_at or entry.created_at, exclude=known)
            if found is None:
                return _Outcome(entry.entry_id, None, not_found=True)
            stream_id = found.id
        return _Outcome(entry.entry_id, stream_id, result=end_with_targets(provider, stream_id, entry.targets))
    except LivestreamError as exc:
        return _Outcome(entry.entry_id, stream_id, error=exc)


def _display(provider_name: str) -> str:
    from .. import providers

    try:
        return providers.get(provider_name).display_name
    except LivestreamError:
        return provider_name
