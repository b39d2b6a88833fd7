"""The go-live controller: the whole flow, written once for the script and the remote CLI.

It owns the state machine (``states``), asks a ``Provider`` for streams on a worker
and asks OBS, through an ``ObsPort``, to switch the stream service and start or stop.

Threading model: everything that reaches the controller (commands from buttons,
hotkeys or the CLI, OBS events, worker results) is *posted* to one thread-safe inbox;
``tick()`` drains it and does the work, including every OBS call. Inside OBS a short
script timer calls ``tick()`` once per video frame (OBS runs script timers from its
tick callback, obs_add_tick_callback in
https://github.com/obsproject/obs-studio/blob/29.0.2/deps/obs-scripting/obs-scripting-python.c),
and a hotkey or button callback calls it right after posting, on its own OBS thread,
so a go-live does not wait for the next frame; ``obs.app`` makes sure only one of them
runs it at a time. The CLI calls it in a loop. Provider calls run on the worker,
which never calls OBS.

Nothing is lost on the way: the previous stream service is remembered before it is
replaced and put back after the end; once a provider stream exists every way out
(cancel, failure, timeout, OBS unable to connect) goes through ENDING, which ends
the provider stream and restores the settings. Every provider stream is in the
ledger (``ledger``) from before its create until the provider confirms its end: a
restart resumes or ends it, an end that failed is retried (``pending``), and a
create whose answer was lost is looked for and adopted or ended.

What belongs to one go-live is on its ``GoLive`` (dropped when it settles); the claim on
OBS's stream and the command waiting for it on the ``ClaimGate``; End's wait for the
earlier streams on ``PendingEnds``. OBS's events are handled in ``obsevents``.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import replace
from typing import Any, Callable, Optional

from .. import secrets
from ..errors import LivestreamError
from ..models import LiveStream
from . import states
from .claim import StreamClaim
from .claimgate import ClaimGate
from .flow import Flow
from .golive import GoLive, first_words, obtain_stream, timed_out
from .inbox import Command, JobDone, ObsEvent
from .ledger import Ledger
from .lifecycle import Lifecycle
from .noted import note_answer
from .obsevents import OBS_EVENTS, ObsEvents
from .obsside import ObsSide, check_obs_request
from .pending import PendingEnds, ProviderFor
from .ports import ObsPort
from .preflight import refuse_if_any
from .record import Record
from .recovery import Recovering, Recovery
from .request import GoLiveRequest, Policies
from .snapshot import Level, Snapshot
from .states import State
from .worker import InlineWorker, Worker

log = logging.getLogger("livestream.session")

Listener = Callable[[Snapshot], None]

#: Results still wanted after their go-live settled (the last look, for the recording URL).
_AFTER_SETTLING = frozenset({"final"})


class Controller(ObsEvents, Lifecycle, Recovering, Flow, ObsSide):
    """Drives one go-live at a time. All public methods are thread-safe posts except
    ``tick``, ``recover`` and ``shutdown``, which run on the thread that owns OBS calls."""

    def __init__(
        self,
        obs: ObsPort,
        *,
        policies: Optional[Policies] = None,
        ledger: Optional[Ledger] = None,
        worker: Optional[Worker | InlineWorker] = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        owner: str = "script",
        provider_for: Optional[ProviderFor] = None,
    ) -> None:
        """``owner`` names this front end in the ledger ("script", "remote:host:port");
        ``provider_for`` builds a provider client for a ledger entry, so that pending
        ends can be retried (without it they are left to another front end)."""
        self.obs = obs
        self.policies = policies or Policies()
        self.ledger = ledger or Ledger()
        self.worker = worker or Worker()
        # The look-up after an end (for the recording URL) runs on its own thread: on the
        # main worker a slow provider made the next Go live wait behind it (two round trips).
        self._lookups = Worker(name="obs-livestream-lookup") if isinstance(self.worker, Worker) else self.worker
        self.clock = clock
        self.wall = wall
        self.owner = owner
        self.pending: Optional[PendingEnds] = None
        if provider_for is not None:
            self.pending = PendingEnds(self.ledger, self.worker, provider_for, is_held=self._holds, wall=wall,
                                       on_change=self._pending_changed)
        self._inbox: queue.Queue = queue.Queue()
        self._listeners: list[Listener] = []
        self._last_timer_emit = 0.0
        #: The go-live under way; None once it has settled.
        self._go: Optional[GoLive] = None
        #: One go-live at a time on this OBS, whoever asks: the claim and the command waiting for it.
        self.claim_gate = ClaimGate(self)
        self.snapshot = Snapshot(state=State.IDLE, since=clock())

    # --- posting (any thread) ---------------------------------------------

    def go_live(self, request: GoLiveRequest) -> None:
        self._inbox.put(Command("go_live", request))

    def prepare(self, request: GoLiveRequest) -> None:
        self._inbox.put(Command("go_live", replace(request, start_streaming=False)))

    def resume(self) -> None:
        """Continue a prepared or recovered session (state READY): start streaming to it."""
        self._inbox.put(Command("resume"))

    def end(self) -> None:
        """End the go-live: stop OBS streaming, end the provider stream, restore settings.
        With nothing live, end the earlier streams still pending in the ledger."""
        self._inbox.put(Command("end"))

    def end_all(self) -> None:
        """End the go-live, if any, and every earlier stream still open in the ledger now."""
        self._inbox.put(Command("end_all"))

    def refresh(self) -> None:
        self._inbox.put(Command("refresh"))

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def state(self) -> State:
        return self.snapshot.state

    @property
    def claim(self) -> Optional[StreamClaim]:
        """The claim on OBS's stream (``session.claim``), set by the front end; None: unclaimed."""
        return self.claim_gate.claim

    @claim.setter
    def claim(self, claim: Optional[StreamClaim]) -> None:
        self.claim_gate.claim = claim

    # --- the owner's thread ----------------------------------------------

    def tick(self) -> None:
        """Apply everything posted since the last tick, then time-based work. Quick."""
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            self._safely(self._handle, item)
        self._safely(self.claim_gate.tick)
        self._timers()
        if self.pending is not None:
            self.pending.tick()

    def _safely(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except LivestreamError as exc:
            self._fail(exc)
        except Exception as exc:  # a bug must not leave a stream orphaned
            log.exception("go-live controller error")
            self._fail(LivestreamError(f"Internal error: {secrets.redact(exc)}"))

    # --- dispatch -----------------------------------------------------------

    def _handle(self, item: object) -> None:
        if isinstance(item, Command):
            if not self.claim_gate.admits(item):
                return  # waits for the claim on OBS's stream, or was refused
            if item.name == "go_live":
                assert item.request is not None
                self._cmd_go_live(item.request)
            else:
                _COMMANDS[item.name](self)
        elif isinstance(item, ObsEvent):
            OBS_EVENTS[item.name](self, item.error)
        elif isinstance(item, JobDone):
            if item.go is not self._go and not (item.kind in _AFTER_SETTLING and self._go is None):
                return  # a result from a go-live that is over
            item.go.jobs.discard(item.kind)
            _RESULTS[item.kind](self, item.go, item.result, item.error)

    # --- commands -------------------------------------------------------

    def _cmd_go_live(self, request: GoLiveRequest, recovery: Optional[Recovery] = None) -> None:
        if self.state is State.READY:
            # Prepared or recovered: continue with that stream, no new one.
            self._cmd_resume(request.start_streaming)
            return
        if self.state.is_active:
            self._message(f"Already busy: {self.state.label.lower()}", level="warning")
            return
        refuse_if_any(self.obs)
        provider = request.provider
        check_obs_request(request, self.obs)  # the targets, before anything is created
        previous = self.obs.get_stream_service()
        # Stream keys of the go-lives before the last one are forgotten; what OBS holds now stays masked.
        secrets.next_go_live(*previous.secret_values())
        go = self._go = GoLive(provider, request=request, previous=previous)
        go.start_policy(self.policies, request.start_streaming)
        go.recovery = self._recovery_for(request, recovery)
        self._snapshot_update(
            provider=provider.display_name, stream_id=request.stream_id, title=request.title or None,
            provider_status=None, stream_status=None, status_read_at=None, playback_url=None, chat_url=None,
            recording_url=None,
        )
        self._enter(State.CREATING, first_words(request))
        # Written before the create leaves, with the marker that finds the stream again if
        # the answer is lost: from here on the stream cannot be forgotten.
        record = go.record = Record.open(self.ledger, request, owner=self.owner, wall=self.wall,
                                         previous=go.previous)
        reference, entry_id, ledger = record.entry.reference, record.entry_id, self.ledger
        self._submit(go, "created", lambda: note_answer(ledger, entry_id, obtain_stream(request, reference),
                                                        first=True))

    def _cmd_resume(self, start_streaming: Optional[bool] = None) -> None:
        go = self._go
        if self.state is not State.READY or go is None:
            self._message(f"Nothing to resume ({self.state.label.lower()})", level="warning")
        elif go.recovered:
            self._resume(go, start_streaming)
        elif start_streaming is not False:
            self._start_obs(go)  # "Prepare" was pressed before: now start OBS

    def _cmd_end(self) -> None:
        self.claim_gate.cancel()
        state, go = self.state, self._go
        if not state.is_active and self._cancel_recovery():
            self._message("Ended: no new stream will be made", level="info")
            return
        if not state.is_active or go is None:
            if self.pending is not None and self.pending.end_all_now(answer=True):
                # Nothing live, but earlier streams still open: End acts on them now.
                self._message(self.pending.summary(), level="warning")
                return
            self._message("Nothing is live", level="info")
        elif state is State.CREATING:
            go.cancel_requested = True
            self._message("Cancelling: the stream will be ended as soon as it is created", level="warning")
        elif state is not State.ENDING:  # already on its way: one stop request is enough
            self._begin_ending(go, "Ending the live stream")

    def _cmd_end_all(self) -> None:
        active = self.state.is_active
        self._cmd_end()
        if active and self.pending is not None:
            self.pending.end_all_now()

    def _cmd_refresh(self) -> None:
        if self._go is not None:
            self._read_status(self._go)

    # --- time -------------------------------------------------------------

    def _timers(self) -> None:
        now, go, state = self.clock(), self._go, self.state
        if go is not None and state.is_active:
            deadline = timed_out(go, state, self.policies, now - self.snapshot.since)
            if deadline is not None:
                go.failure = deadline.failure(go, float(getattr(self.policies, deadline.policy)))
                self._begin_ending(go, deadline.message)
            elif state in _STATE_TICKS:
                _STATE_TICKS[state](self, go, now)
        elif not state.is_active:
            self._tick_again(now)
        if self.snapshot.state.is_active and now - self._last_timer_emit >= 1.0:
            # Once a second, so the elapsed time on the status line moves.
            self._last_timer_emit = now
            self._emit()

    # --- bookkeeping ----------------------------------------------------

    def _submit(self, go: GoLive, kind: str, fn: Callable[[], Any], *, worker: Any = None) -> None:
        go.jobs.add(kind)

        def done(result: Any, error: Optional[BaseException]) -> None:
            self._inbox.put(JobDone(go, kind, result, error))

        (worker or self.worker).submit(fn, done)

    def _settle(self) -> None:
        """The go-live is over: drop it, and close its client after its last job."""
        go, self._go = self._go, None
        if go is None or "final" in go.jobs:  # the last look closes it itself
            return
        # After a status read still out on the look-up thread, or else the worker's last job.
        (self._lookups if "status" in go.jobs else self.worker).submit(go.provider.close, lambda _r, _e: None)

    def _enter(self, state: State, message: str = "", level: Level = "info") -> None:
        old = self.state
        if old is not state:
            states.check(old, state)
            log.info("%s -> %s: %s", old.value, state.value, message)
        self.snapshot = replace(self.snapshot, state=state, since=self.clock() if old is not state else
                                self.snapshot.since, message=message, level=level, error=None)
        if self._go is not None and self._go.record is not None and state.is_active:
            self._go.record.mark(state.value)
        if not state.is_active:
            self._settle()
        self._emit()

    def _fail(self, error: LivestreamError, *, keep_record: bool = False) -> None:
        """Settle in FAILED, carrying ``error``. While a provider stream exists, end it
        first (ENDING) and fail afterwards; ``keep_record`` says the clean-up itself
        failed, so the on-disk record stays for a later attempt."""
        go = self._go
        if go and self.state.is_active and go.stream_id and self.state is not State.ENDING and not keep_record:
            # A provider stream exists: end it first, then fail with this reason.
            go.failure = error
            self._begin_ending(go, f"{error.message}: ending the provider stream")
            return
        if go and go.record and go.record.creating and not go.stream_id:
            # The create's fate is unknown (a bug or an unexpected error): let pending ends look.
            self._to_pending(go, error)
        log.error("Go live failed: %s", error)
        if self.state is not State.FAILED:
            states.check(self.state, State.FAILED)
        self.snapshot = replace(self.snapshot, state=State.FAILED, since=self.clock(),
                                message=secrets.redact(error), level="error", error=error)
        self._settle()
        self._emit()

    def _message(self, message: str, level: Level = "info") -> None:
        self.snapshot = replace(self.snapshot, message=message, level=level)
        self._emit()

    def _snapshot_update(self, **changes: Any) -> None:
        self.snapshot = replace(self.snapshot, **changes)

    def _update_from_stream(self, stream: LiveStream) -> None:
        snap = self.snapshot
        self._snapshot_update(
            stream_id=stream.id, title=stream.title or snap.title, provider_status=stream.provider_status,
            stream_status=stream.status.value,
            status_read_at=self.clock() if stream.provider_status else snap.status_read_at,
            playback_url=stream.playback_url or snap.playback_url, chat_url=stream.chat_url or snap.chat_url,
            recording_url=stream.recording_url or snap.recording_url,
        )

    # --- the ledger -------------------------------------------------------------

    def _holds(self, entry_id: str) -> bool:
        """True if ``entry_id`` is this controller's go-live under way (not a pending end)."""
        go = self._go
        return go is not None and go.record is not None and go.record.entry_id == entry_id and self.state.is_active

    def _save(self, go: GoLive, *, applying: bool = False, write: bool = True) -> None:
        """Bring the go-live's entry up to date from its facts and write it (``write``);
        ``applying``: OBS's stream settings are about to be replaced."""
        if go.record is None:
            return
        snap = self.snapshot
        facts = dict(stream_id=go.stream_id, title=snap.title, session_state=self.state.value,
                     previous=go.previous, service_applied=go.service_applied or applying or go.applying_on_disk,
                     playback_url=snap.playback_url, chat_url=snap.chat_url, targets=go.targets)
        if write:
            go.record.save(**facts)
        else:
            go.record.sync(**facts)

    def _emit(self) -> None:
        for listener in list(self._listeners):
            try:
                listener(self.snapshot)
            except Exception:  # a display bug must not break the flow
                log.exception("session listener failed")


# The dispatch tables: every command, OBS event and worker result names its handler here.
_COMMANDS: dict[str, Callable[[Controller], None]] = {
    "resume": Controller._cmd_resume,
    "end": Controller._cmd_end,
    "end_all": Controller._cmd_end_all,
    "refresh": Controller._cmd_refresh,
}
_RESULTS: dict[str, Callable[[Controller, GoLive, Any, Optional[BaseException]], None]] = {
    "created": Controller._done_created,
    "found": Controller._done_found,
    "resumed": Controller._done_resumed,
    "poll": Controller._done_poll,
    "status": Controller._done_status,
    "targets": Controller._done_targets,
    "target_status": Controller._done_target_status,
    "end": Controller._done_end,
    "final": Controller._done_final,
}
#: What each state does on the timer, besides its deadline (``golive.DEADLINES``).
_STATE_TICKS: dict[State, Callable[[Controller, GoLive, float], None]] = {
    State.CREATING: Controller._tick_creating,
    State.WAITING_FOR_INGEST: Controller._tick_waiting,
    State.READY: Controller._tick_ready,
    State.LIVE: Controller._tick_live,
    State.ENDING: Controller._tick_ending,
}
