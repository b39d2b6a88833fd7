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
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional

from .. import secrets
from ..errors import (
    ConfigurationError,
    IngestTimeoutError,
    LivestreamError,
    NotFoundError,
    ObsError,
    ObsRefusedError,
    ProviderRefusedError,
    ProviderUnavailableError,
    may_have_been_carried_out,
)
from ..models import EndResult, LiveStream, StreamStatus
from ..providers.base import Provider
from . import states
from .ledger import Ledger, LedgerEntry, new_entry_id
from .noted import Noted, note_answer
from .pending import PendingEnds, ProviderFor, backoff
from .ports import ObsPort, StreamService
from .request import GoLiveRequest, Policies
from .snapshot import Level, Snapshot
from .states import State
from .watch import EndWatch
from .worker import InlineWorker, Worker

log = logging.getLogger("livestream.session")

#: Looks for a stream whose create answer was lost, before the go-live gives up on it.
FIND_ATTEMPTS = 3

# --- inbox messages ---------------------------------------------------------


@dataclass(frozen=True)
class _Command:
    name: str
    request: Optional[GoLiveRequest] = None


@dataclass(frozen=True)
class _ObsEvent:
    name: str  # started | stopped | reconnecting | reconnected
    error: Optional[str] = None


@dataclass(frozen=True)
class _JobDone:
    generation: int
    kind: str
    result: Any
    error: Optional[BaseException]


Listener = Callable[[Snapshot], None]


class Controller:
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
        self._end_pending_requested = False
        self._inbox: queue.Queue = queue.Queue()
        self._listeners: list[Listener] = []
        self._generation = 0
        self._last_timer_emit = 0.0
        self._reset_session()
        self.snapshot = Snapshot(state=State.IDLE, since=clock())

    # --- posting (any thread) ---------------------------------------------

    def go_live(self, request: GoLiveRequest) -> None:
        self._inbox.put(_Command("go_live", request))

    def prepare(self, request: GoLiveRequest) -> None:
        self._inbox.put(_Command("go_live", replace(request, start_streaming=False)))

    def resume(self) -> None:
        """Continue a prepared or recovered session (state READY): start streaming to it."""
        self._inbox.put(_Command("resume"))

    def end(self) -> None:
        """End the go-live: stop OBS streaming, end the provider stream, restore settings.
        With nothing live, end the earlier streams still pending in the ledger."""
        self._inbox.put(_Command("end"))

    def end_all(self) -> None:
        """End the go-live, if any, and every earlier stream still open in the ledger now."""
        self._inbox.put(_Command("end_all"))

    def refresh(self) -> None:
        self._inbox.put(_Command("refresh"))

    def streaming_started(self) -> None:
        self._inbox.put(_ObsEvent("started"))

    def streaming_stopped(self, error: Optional[str] = None) -> None:
        self._inbox.put(_ObsEvent("stopped", error))

    def streaming_reconnecting(self) -> None:
        self._inbox.put(_ObsEvent("reconnecting"))

    def streaming_reconnected(self) -> None:
        self._inbox.put(_ObsEvent("reconnected"))

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def state(self) -> State:
        return self.snapshot.state

    # --- the owner's thread ----------------------------------------------

    def tick(self) -> None:
        """Apply everything posted since the last tick, then time-based work. Quick."""
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            try:
                self._handle(item)
            except LivestreamError as exc:
                self._fail(exc)
            except Exception as exc:  # a bug must not leave a stream orphaned
                log.exception("go-live controller error")
                self._fail(LivestreamError(f"Internal error: {secrets.redact(exc)}"))
        self._timers()
        if self.pending is not None:
            self.pending.tick()

    def recover(self, record: LedgerEntry, provider: Provider) -> None:
        """Adopt a go-live found in the ledger after a reload, collection switch or crash."""
        if self.state.is_active:
            return
        self._reset_session()
        self._provider = provider
        if record.restore_pending:
            # Ended on exit while OBS still held the stream settings: put them back now.
            self._previous, self._service_applied = record.previous(), record.service_applied
            self._restore_previous()
            if not self._service_applied:
                self.ledger.update(record.entry_id, restore_pending=False, service_applied=False)
                self._message("Restored your stream settings from the last session")
            return
        self._entry = record
        self._stream_id = record.stream_id
        self._previous = record.previous()
        self._service_applied = record.service_applied
        self._snapshot_update(
            provider=provider.display_name,
            stream_id=record.stream_id,
            title=record.title,
            playback_url=record.playback_url,
            chat_url=record.chat_url,
        )
        if self.obs.is_streaming():
            self._enter(State.LIVE, "Live (recovered after a restart)")
            self._next_status_at = self.clock()
        else:
            self._enter(
                State.READY,
                f"{provider.display_name} stream {record.stream_id} from an earlier session is still open: "
                "press Go live to resume it or End stream to end it",
                level="warning",
            )
            self._recovered = True

    def shutdown(self, *, end_stream: bool, timeout: float = 5.0) -> None:
        """OBS is exiting (or the script unloading): no more events will come.

        A create still in flight is waited for (up to ``timeout``), so the stream it
        makes is on record and not orphaned. With ``end_stream`` the provider stream is
        then ended *now*, on this thread, with a short deadline (OBS stops streaming on
        exit without telling scripts). Without it the record stays on disk so the next
        load offers to resume or end the stream. Settings OBS will not take back now
        (it is still streaming) are restored at the next load, from the record.
        """
        deadline = time.monotonic() + timeout
        if self.state is State.CREATING and self._stream_id is None:
            self._await_created(deadline)
        self.worker.stop(timeout=0.5)
        if self.pending is not None:
            self.pending.close()
        self._lookups.stop(timeout=0.1)
        if not (self.state.is_active and self._provider and self._stream_id):
            # A create still unanswered stays "creating" in the ledger: the next start
            # looks for its stream and ends it.
            return
        self._save_entry()
        if not end_stream:
            return
        provider, stream_id = self._provider, self._stream_id
        try:
            result = _call_with_deadline(lambda: provider.end(stream_id), max(0.5, deadline - time.monotonic()))
        except NotFoundError:
            result = EndResult(ended=False, message="the stream no longer exists")
        except LivestreamError as exc:
            log.warning("Could not end the stream on exit (%s); it will be retried at next start", exc)
            self._entry_failed(exc)
            return
        if result is None:
            log.warning("Ending the stream on exit timed out; it will be retried at next start")
            self._entry_failed(LivestreamError("ending timed out on exit"))
            return
        log.info("Ended %s stream %s on exit", provider.display_name, stream_id)
        self._restore_previous()
        # OBS refused the restore (still streaming): the next load puts the settings back.
        restore_pending = bool(self._service_applied and self.policies.restore_previous)
        self._entry_ended(restore_pending=restore_pending)

    def _await_created(self, deadline: float) -> None:
        """Wait for the in-flight create's result and take its stream id, for the record."""
        while time.monotonic() < deadline:
            try:
                item = self._inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(item, _JobDone) and item.kind == "created" and item.generation == self._generation:
                if isinstance(item.result, Noted) and item.result.stream is not None:
                    self._stream_id = item.result.stream.id
                    self._update_from_stream(item.result.stream)
                return

    # --- dispatch -----------------------------------------------------------

    def _handle(self, item: object) -> None:
        if isinstance(item, _Command):
            if item.name == "go_live":
                assert item.request is not None
                self._cmd_go_live(item.request)
            else:
                getattr(self, f"_cmd_{item.name}")()
        elif isinstance(item, _ObsEvent):
            getattr(self, f"_obs_{item.name}")(item.error)
        elif isinstance(item, _JobDone):
            if item.generation != self._generation:
                return  # a result from a session that is over
            self._jobs_in_flight.discard(item.kind)
            getattr(self, f"_done_{item.kind}")(item.result, item.error)

    # --- commands -------------------------------------------------------

    def _cmd_go_live(self, request: GoLiveRequest) -> None:
        if self.state is State.READY:
            # Prepared or recovered: continue with that stream, no new one.
            self._cmd_resume(request.start_streaming)
            return
        if self.state.is_active:
            self._message(f"Already busy: {self.state.label.lower()}", level="warning")
            return
        if self.obs.is_streaming():
            raise ObsRefusedError(
                "OBS is already streaming", hint="stop streaming in OBS first, then press Go live"
            )
        account = self.obs.linked_account()
        if account:
            raise ObsRefusedError(
                f"A {account} account is linked in Settings > Stream",
                hint="OBS would replace the stream key (or open its broadcast dialog); "
                "press Disconnect Account there, or use a separate OBS profile for obs-livestream",
            )
        if self.obs.multitrack_video():
            raise ObsRefusedError(
                "Enhanced Broadcasting (multitrack video) is on in Settings > Stream",
                hint="OBS would stream to its own server instead of the provider's; untick it there, "
                "or use a separate OBS profile for obs-livestream",
            )
        provider = request.provider
        self._reset_session()
        self._provider = provider
        self._request = request
        self._start_streaming = (
            self.policies.start_when_ready if request.start_streaming is None else request.start_streaming
        )
        self._previous = self.obs.get_stream_service()
        self._snapshot_update(
            provider=provider.display_name, stream_id=request.stream_id, title=request.title or None,
            provider_status=None, playback_url=None, chat_url=None, recording_url=None,
        )
        if request.mode == "new":
            verb = f"Creating the {provider.display_name} live stream"
        elif request.mode == "scheduled":
            verb = f"Starting the scheduled {provider.display_name} stream"
        else:
            verb = f"Fetching {provider.display_name} stream {request.stream_id}"
        self._enter(State.CREATING, verb)
        # Written before the create leaves, with the marker that finds the stream again if
        # the answer is lost: from here on the stream cannot be forgotten.
        self._entry = LedgerEntry(
            provider=provider.name,
            provider_display=provider.display_name,
            stream_id=request.stream_id if request.mode != "new" else None,
            title=request.title or None,
            origin=request.origin,
            owner=self.owner,
            state="creating",
            session_state=State.CREATING.value,
            api_base_url=getattr(provider, "base_url", None),
            reference=new_entry_id() if request.mode == "new" else None,
            create_sent_at=self.wall(),
            previous_service=self._previous.to_dict() if self._previous else None,
        )
        try:
            self.ledger.put(self._entry)
        except OSError as exc:
            self._entry = None
            raise ConfigurationError(
                f"Cannot write the ledger of provider streams ({exc.strerror or exc})",
                hint=f"check free disk space and the permissions of {self.ledger.path.parent}; nothing was created",
            ) from None
        reference, entry_id = self._entry.reference, self._entry.entry_id
        ledger = self.ledger
        self._submit("created", lambda: note_answer(ledger, entry_id, _obtain_stream(request, reference), first=True))

    def _cmd_resume(self, start_streaming: Optional[bool] = None) -> None:
        if self.state is not State.READY:
            self._message(f"Nothing to resume ({self.state.label.lower()})", level="warning")
        elif self._recovered:
            self._resume(start_streaming)
        elif start_streaming is not False:
            self._start_obs()  # "Prepare" was pressed before: now start OBS

    def _cmd_end(self) -> None:
        state = self.state
        if state in (State.IDLE, State.ENDED, State.FAILED):
            if self.pending is not None and self.pending.end_all_now():
                # Nothing live, but earlier streams still open: End acts on them now.
                self._end_pending_requested = True
                self._message(self.pending.summary(), level="warning")
                return
            self._message("Nothing is live", level="info")
            return
        if state is State.ENDING:
            return  # already on its way; one stop request is enough
        if state is State.CREATING:
            self._cancel_requested = True
            self._message("Cancelling: the stream will be ended as soon as it is created", level="warning")
            return
        self._begin_ending("Ending the live stream")

    def _cmd_end_all(self) -> None:
        if not self.state.is_active:
            self._cmd_end()
            return
        self._cmd_end()
        if self.pending is not None:
            self.pending.end_all_now()

    def _cmd_refresh(self) -> None:
        if self._provider and self._stream_id and "status" not in self._jobs_in_flight:
            self._submit("status", lambda: self._provider.get(self._stream_id))

    # --- OBS events -----------------------------------------------------

    def _obs_started(self, _error: Optional[str]) -> None:
        if self.state in (State.STARTING, State.READY):
            self._recovered = False
            self._enter(State.LIVE, "Live")
            self._watch.reset()
            self._save_entry()
            self._next_status_at = self.clock() + self.policies.status_interval

    def _obs_stopped(self, error: Optional[str]) -> None:
        self._snapshot_update(reconnecting=False)
        if self.state is State.ENDING and self._waiting_for_obs_stop:
            self._waiting_for_obs_stop = False
            self._end_provider_stream()
        elif self.state is State.STARTING:
            reason = error or "OBS stopped before it was connected"
            self._failure = ObsRefusedError(
                f"OBS could not connect to the {self._provider_name} ingest server ({reason})",
                hint="check the network and that the stream is still open; the provider stream was ended",
            )
            self._begin_ending("OBS could not connect: ending the provider stream")
        elif self.state is State.LIVE:
            if self.policies.end_on_stop:
                self._begin_ending("OBS stopped streaming: ending the live stream")
            else:
                self._enter(
                    State.READY,
                    "OBS stopped; the provider stream is still open: press Go live to continue or End stream",
                    level="warning",
                )

    def _obs_reconnecting(self, _error: Optional[str]) -> None:
        # OBS retries by itself; the provider stream must stay up meanwhile.
        self._snapshot_update(reconnecting=True)
        self._message("OBS lost the connection and is reconnecting", level="warning")

    def _obs_reconnected(self, _error: Optional[str]) -> None:
        self._snapshot_update(reconnecting=False)
        if self.state is State.LIVE:
            self._message("Live", level="info")

    # --- worker results ---------------------------------------------------

    def _done_created(self, answer: Optional[Noted], error: Optional[BaseException]) -> None:
        if error is not None:
            err = _as_error(error)
            if self._request is not None and self._request.mode == "new" and may_have_been_carried_out(err):
                # The stream may exist: look for it (and carry on with it) before giving up.
                self._lost_create = err
                self._message(
                    f"{err.message}; looking for the stream on {self._provider_name}", level="warning"
                )
                self._find_created()
                return
            self._forget_entry()  # the provider said no, or nothing reached it: nothing was created
            raise err
        assert answer is not None and answer.stream is not None
        self._take_stream(answer)

    def _find_created(self) -> None:
        self._next_find_at = float("inf")
        provider, entry = self._provider, self._entry
        assert provider is not None and entry is not None
        known = {e.stream_id for e in self.ledger.entries() if e.stream_id}
        ledger = self.ledger
        self._submit("found", lambda: note_answer(ledger, entry.entry_id, provider.find_created(
            reference=entry.reference, title=entry.title, sent_at=entry.create_sent_at or entry.created_at,
            exclude=known), first=True))

    def _done_found(self, answer: Optional[Noted], error: Optional[BaseException]) -> None:
        if answer is not None and answer.stream is not None:
            log.info("Found %s stream %s, made by the create whose answer was lost", self._provider_name,
                     answer.stream.id)
            self._take_stream(answer)
            return
        self._find_attempts += 1
        if error is not None:
            log.warning("Looking for the stream failed: %s", _as_error(error))
        if self._find_attempts < FIND_ATTEMPTS and not self._cancel_requested:
            self._next_find_at = self.clock() + self._poll_interval()
            return
        lost = self._lost_create or LivestreamError("The create's answer was lost")
        self._entry_to_pending(lost)
        raise type(lost)(
            f"{lost.message}, and {self._provider_name} shows no stream from it yet",
            hint="obs-livestream keeps looking for it for 10 minutes and ends it if it turns up; "
            "press Go live to try again",
        )

    def _take_stream(self, answer: Noted) -> None:
        """The stream the create made (or that was found again): wait for its ingest."""
        stream = answer.stream
        assert stream is not None
        self._stream_id = stream.id
        self._update_from_stream(stream)
        self._applying_on_disk = answer.applying_on_disk
        if answer.on_disk:
            self._sync_entry()  # the worker wrote it already: keep the copy in memory the same
        else:
            self._save_entry()
        if self._cancel_requested:
            self._begin_ending("Cancelled: ending the live stream")
            return
        self._watch.reset()
        verdict = self._watch.judge(stream, had_key=False)
        if verdict == "ended" or stream.status is StreamStatus.DISABLED:
            self._failure = ProviderRefusedError(
                f"{self._provider_name} stream {stream.id} cannot take a broadcast (status: "
                f"{stream.provider_status})",
                hint="create a new live stream",
            )
            self._begin_ending("The stream cannot be used")
            return
        self._enter(State.WAITING_FOR_INGEST, f"Waiting for the {self._provider_name} server")
        self._waiting_since = self.clock()
        if verdict == "unconfirmed":
            self._unconfirmed_end(stream)
            return
        self._check_ingest(stream)

    def _done_resumed(self, stream: Optional[LiveStream], error: Optional[BaseException]) -> None:
        if error is not None:
            raise _as_error(error)
        assert stream is not None
        self._update_from_stream(stream)
        if not stream.ingest_ready or stream.status.is_terminal:
            self._failure = ProviderRefusedError(
                f"{self._provider_name} stream {stream.id} can no longer take a broadcast "
                f"(status: {stream.provider_status})",
                hint="press Go live to create a new live stream",
            )
            self._begin_ending("The earlier stream cannot be resumed")
            return
        self._apply_ingest(stream)

    def _done_poll(self, answer: Optional[Noted], error: Optional[BaseException]) -> None:
        if self.state is not State.WAITING_FOR_INGEST:
            return
        if error is not None:
            err = _as_error(error)
            if isinstance(err, ProviderUnavailableError):
                # Passing trouble: keep waiting until the ingest timeout.
                log.warning("Status check failed, will retry: %s", err)
                self._next_poll_at = max(self._next_poll_at, self.clock() + self._poll_interval(err))
                return
            raise err
        assert answer is not None and answer.stream is not None
        stream = answer.stream
        self._update_from_stream(stream)
        self._applying_on_disk = self._applying_on_disk or answer.applying_on_disk
        verdict = self._watch.judge(stream, had_key=False)
        if verdict == "ended":  # Error, Stopped, Completed; or Recording twice in a row
            self._failure = ProviderRefusedError(
                f"The {self._provider_name} stream reported {stream.provider_status!r} while starting",
                hint="press Go live again to create a new live stream",
            )
            self._begin_ending("The provider stream failed to start")
            return
        if verdict == "unconfirmed":
            self._unconfirmed_end(stream)
            return
        self._check_ingest(stream)

    def _done_status(self, stream: Optional[LiveStream], error: Optional[BaseException]) -> None:
        if error is not None:
            log.warning("Status check failed: %s", _as_error(error))
            return
        assert stream is not None
        self._update_from_stream(stream)
        if self.state is not State.LIVE:
            return
        verdict = self._watch.judge(stream, had_key=self._service_applied)
        if verdict == "ended":
            self._provider_end_shown = True
            self._message(
                f"The {self._provider_name} stream has ended on the provider's side "
                f"({stream.provider_status})",
                level="error",
            )
        elif verdict == "unconfirmed":
            self._unconfirmed_end(stream)
        elif self._provider_end_shown:
            self._provider_end_shown = False
            self._message("Live")  # a later answer says it is running after all

    def _unconfirmed_end(self, stream: LiveStream) -> None:
        """An end-of-stream word that may not mean the end (``watch``): ask again soon, act on
        nothing until then. While waiting for the ingest the poll pace asks again anyway."""
        log.info("%s reports %r for stream %s; checking again before acting on it", self._provider_name,
                 stream.provider_status, stream.id)
        if self.state is State.LIVE:
            self._next_status_at = min(self._next_status_at, self.clock() + self._poll_interval())
        elif self.state is State.WAITING_FOR_INGEST and self._next_poll_at == float("inf"):
            self._next_poll_at = self.clock() + self._provider.poll_delay(self.clock() - self._waiting_since)

    def _done_end(self, result: Optional[EndResult], error: Optional[BaseException]) -> None:
        if error is not None:
            err = _as_error(error)
            if isinstance(err, NotFoundError):
                result = EndResult(ended=False, message="the stream no longer exists")
            elif isinstance(err, ProviderUnavailableError) and self._end_attempts < self.policies.end_attempts:
                self._end_attempts += 1
                delay = self._poll_interval(err)
                log.warning("Ending failed (%s); trying again in %.0f s", err, delay)
                self._next_end_at = self.clock() + delay
                return
            else:
                self._restore_previous()
                self._entry_failed(err)  # the ledger keeps it: retried until the provider confirms
                self._fail(
                    type(err)(
                        f"Could not end {self._provider_name} stream {self._stream_id}: {err.message}",
                        hint="obs-livestream keeps trying until the provider confirms (End stream tries "
                        "again now); or run 'python obs_livestream.py ledger end "
                        f"{self._stream_id}'",
                    ),
                    keep_record=True,
                )
                return
        assert result is not None
        self._restore_previous()
        self._entry_ended()
        if self._failure is not None:
            self._fail(self._failure)
            return
        done = "Ended" if result.ended else f"Ended ({result.message})" if result.message else "Ended"
        self._enter(State.ENDED, done)
        # One last look, for the recording URL the user will want.
        provider, stream_id = self._provider, self._stream_id
        self._submit("final", lambda: provider.get(stream_id), worker=self._lookups)

    def _done_final(self, stream: Optional[LiveStream], error: Optional[BaseException]) -> None:
        if stream is not None:
            self._update_from_stream(stream)
            self._emit()

    # --- steps --------------------------------------------------------------

    def _check_ingest(self, stream: LiveStream) -> None:
        if stream.ingest_ready:
            self._apply_ingest(stream)
        elif self._next_poll_at == float("inf"):
            self._next_poll_at = self.clock() + self._provider.poll_delay(self.clock() - self._waiting_since)

    def _apply_ingest(self, stream: LiveStream) -> None:
        assert stream.ingest is not None
        if not self._applying_on_disk:
            # Write-ahead: the ledger says the settings are being replaced before they are, so
            # a crash in between still puts the user's own back (``noted``). Usually the worker
            # wrote it with the answer, and nothing is written between the answer and the start.
            self._save_entry(applying=True)
            self._applying_on_disk = True
        try:
            self.obs.set_stream_service(StreamService.custom(**stream.ingest.obs_service_settings()))
        except ObsError as exc:
            self._failure = exc
            self._begin_ending("OBS refused the stream settings: ending the provider stream")
            return
        self._service_applied = True
        self._enter(State.READY, "Ready: OBS has the server and stream key")
        if self._start_streaming:
            self._start_obs()

    def _start_obs(self) -> None:
        self._enter(State.STARTING, "Starting OBS streaming")
        self._starting_since = self.clock()
        try:
            self.obs.start_streaming()
        except ObsError as exc:
            self._failure = exc
            self._begin_ending("OBS could not start streaming: ending the provider stream")

    def _resume(self, start_streaming: Optional[bool]) -> None:
        """Resume a recovered session: re-read the stream, re-apply its ingest, start."""
        self._recovered = False
        self._start_streaming = self.policies.start_when_ready if start_streaming is None else start_streaming
        self._message(f"Resuming {self._provider_name} stream {self._stream_id}")
        provider, stream_id = self._provider, self._stream_id
        self._submit("resumed", lambda: provider.get(stream_id))

    def _begin_ending(self, message: str) -> None:
        was = self.state
        self._enter(State.ENDING, message, level="warning" if self._failure else "info")
        if was in (State.STARTING, State.LIVE) and self.obs.is_streaming():
            self._waiting_for_obs_stop = True
            self._stop_requested_at = self.clock()
            self.obs.stop_streaming()
        else:
            self._end_provider_stream()

    def _end_provider_stream(self) -> None:
        if not self._stream_id:
            # Nothing was created: only settings may need restoring.
            self._restore_previous()
            self._forget_entry()
            if self._failure is not None:
                self._fail(self._failure)
            else:
                self._enter(State.ENDED, "Ended")
            return
        provider, stream_id = self._provider, self._stream_id
        self._submit("end", lambda: provider.end(stream_id))

    def _restore_previous(self) -> None:
        if not (self._service_applied and self.policies.restore_previous and self._previous):
            return
        try:
            if self.obs.is_streaming():
                log.warning("OBS is still streaming; stream settings will be restored later")
                return
            self.obs.set_stream_service(self._previous)
            self._service_applied = False
            log.info("Restored the previous stream settings (%s)", self._previous.service_type)
        except ObsError as exc:
            log.warning("Could not restore the previous stream settings: %s", exc)

    # --- time -------------------------------------------------------------

    def _timers(self) -> None:
        now = self.clock()
        state = self.state
        if state is State.CREATING and now >= self._next_find_at:
            self._find_created()
        if state is State.WAITING_FOR_INGEST:
            if now - self._waiting_since >= self.policies.ingest_timeout:
                self._failure = IngestTimeoutError(
                    f"The {self._provider_name} server was not ready after "
                    f"{int(self.policies.ingest_timeout)} s",
                    hint="the provider stream was stopped; try Go live again, or raise the ingest "
                    "wait timeout",
                )
                self._begin_ending("Timed out waiting for the ingest: stopping the provider stream")
            elif now >= self._next_poll_at and "poll" not in self._jobs_in_flight:
                # Paced from the start of each poll, so a slow answer does not slow the pace.
                self._next_poll_at = now + self._provider.poll_delay(now - self._waiting_since)
                provider, stream_id, ledger = self._provider, self._stream_id, self.ledger
                entry_id = self._entry.entry_id if self._entry else ""
                self._submit("poll", lambda: note_answer(ledger, entry_id, provider.get(stream_id), first=False))
        elif state is State.STARTING:
            if now - self._starting_since >= self.policies.start_timeout:
                self._failure = ObsRefusedError(
                    f"OBS did not start streaming within {int(self.policies.start_timeout)} s",
                    hint="check OBS's output settings and log; the provider stream was ended",
                )
                self._begin_ending("OBS did not start: ending the provider stream")
        elif state is State.LIVE:
            if now >= self._next_status_at and "status" not in self._jobs_in_flight:
                self._next_status_at = now + self.policies.status_interval
                self._cmd_refresh()
        elif state is State.ENDING:
            if self._next_end_at and now >= self._next_end_at:
                self._next_end_at = 0.0
                self._end_provider_stream()
            elif self._waiting_for_obs_stop and now - self._stop_requested_at > 30 and not self.obs.is_streaming():
                # The stop event never came (e.g. OBS lost it): carry on.
                self._waiting_for_obs_stop = False
                self._end_provider_stream()
        if self.snapshot.state.is_active and now - self._last_timer_emit >= 1.0:
            # Once a second, so the elapsed time on the status line moves.
            self._last_timer_emit = now
            self._emit()

    def _poll_interval(self, err: Optional[LivestreamError] = None) -> float:
        retry_after = getattr(err, "retry_after", None)
        base = self._provider.poll_interval if self._provider else 3.0
        return max(base, float(retry_after)) if retry_after else base

    # --- bookkeeping ----------------------------------------------------

    def _reset_session(self) -> None:
        self._generation += 1
        old = getattr(self, "_provider", None)
        if old is not None:
            # Each go-live brings its own client (an HTTP session and its connections): close
            # the last one, on the worker, after any job of it still queued there.
            self.worker.submit(old.close, lambda _result, _error: None)
        self._provider: Optional[Provider] = None
        self._request: Optional[GoLiveRequest] = None
        self._stream_id: Optional[str] = None
        self._previous: Optional[StreamService] = None
        self._service_applied = False
        self._start_streaming = True
        self._cancel_requested = False
        self._recovered = False
        self._failure: Optional[LivestreamError] = None
        self._waiting_for_obs_stop = False
        self._entry: Optional[LedgerEntry] = None
        #: The ledger already says OBS's settings are being replaced (``noted``).
        self._applying_on_disk = False
        self._watch = EndWatch()
        self._provider_end_shown = False
        self._lost_create: Optional[LivestreamError] = None
        self._find_attempts = 0
        self._next_find_at = float("inf")
        self._jobs_in_flight: set[str] = set()
        self._waiting_since = self._starting_since = self._stop_requested_at = 0.0
        self._next_poll_at = self._next_status_at = float("inf")
        self._next_end_at = 0.0
        self._end_attempts = 1

    @property
    def _provider_name(self) -> str:
        return self._provider.display_name if self._provider else "provider"

    def _submit(self, kind: str, fn: Callable[[], Any], *, worker: Any = None) -> None:
        generation = self._generation
        self._jobs_in_flight.add(kind)

        def done(result: Any, error: Optional[BaseException]) -> None:
            self._inbox.put(_JobDone(generation, kind, result, error))

        (worker or self.worker).submit(fn, done)

    def _enter(self, state: State, message: str = "", level: Level = "info") -> None:
        old = self.state
        if old is not state:
            states.check(old, state)
            log.info("%s -> %s: %s", old.value, state.value, message)
        self.snapshot = replace(
            self.snapshot,
            state=state,
            since=self.clock() if old is not state else self.snapshot.since,
            message=message,
            level=level,
            error=None,
        )
        if self._entry is not None and state.is_active:
            self._entry.session_state = state.value
        self._emit()

    def _fail(self, error: LivestreamError, *, keep_record: bool = False) -> None:
        """Settle in FAILED, carrying ``error``. While a provider stream exists, end it
        first (ENDING) and fail afterwards; ``keep_record`` says the clean-up itself
        failed, so the on-disk record stays for a later attempt."""
        if self.state.is_active and self._stream_id and self.state is not State.ENDING and not keep_record:
            # A provider stream exists: end it first, then fail with this reason.
            self._failure = error
            self._begin_ending(f"{error.message}: ending the provider stream")
            return
        if self._entry is not None and self._entry.state == "creating" and not self._stream_id:
            # The create's fate is unknown (a bug or an unexpected error): let pending ends look.
            self._entry_to_pending(error)
        log.error("Go live failed: %s", error)
        old = self.state
        if old is not State.FAILED:
            states.check(old, State.FAILED)
        self.snapshot = replace(
            self.snapshot, state=State.FAILED, since=self.clock(), message=secrets.redact(error), level="error",
            error=error,
        )
        self._emit()

    def _message(self, message: str, level: Level = "info") -> None:
        self.snapshot = replace(self.snapshot, message=message, level=level)
        self._emit()

    def _snapshot_update(self, **changes: Any) -> None:
        self.snapshot = replace(self.snapshot, **changes)

    def _update_from_stream(self, stream: LiveStream) -> None:
        self._snapshot_update(
            stream_id=stream.id,
            title=stream.title or self.snapshot.title,
            provider_status=stream.provider_status,
            playback_url=stream.playback_url or self.snapshot.playback_url,
            chat_url=stream.chat_url or self.snapshot.chat_url,
            recording_url=stream.recording_url or self.snapshot.recording_url,
        )

    # --- the ledger -------------------------------------------------------------

    def _holds(self, entry_id: str) -> bool:
        """True if ``entry_id`` is this controller's go-live under way (not a pending end)."""
        return self._entry is not None and self._entry.entry_id == entry_id and self.state.is_active

    def _save_entry(self, *, applying: bool = False) -> None:
        """Write the go-live's entry as it stands (stream id, settings to restore, URLs);
        ``applying``: OBS's stream settings are about to be replaced."""
        if self._sync_entry(applying=applying):
            assert self._entry is not None
            self.ledger.put(self._entry)

    def _sync_entry(self, *, applying: bool = False) -> bool:
        """Bring the go-live's entry in memory up to date; False if there is none."""
        entry = self._entry
        if not (self._provider and entry):
            return False
        entry.stream_id = self._stream_id or entry.stream_id
        entry.title = self.snapshot.title or entry.title
        if self._stream_id and entry.state == "creating":
            entry.state = "open"
        entry.session_state = self.state.value
        entry.previous_service = self._previous.to_dict() if self._previous else None
        entry.service_applied = self._service_applied or applying or self._applying_on_disk
        entry.playback_url = self.snapshot.playback_url
        entry.chat_url = self.snapshot.chat_url
        return True

    def _entry_ended(self, *, restore_pending: bool = False) -> None:
        """The provider confirmed the end: the entry is settled (pruned after a day)."""
        if self._entry is not None:
            self.ledger.update(
                self._entry.entry_id, state="ended", ended_at=self.wall(), session_state=None,
                next_attempt_at=None, restore_pending=restore_pending, service_applied=self._service_applied,
                previous_service=self._previous.to_dict() if restore_pending and self._previous else None,
            )
            self._entry = None

    def _entry_failed(self, error: LivestreamError) -> None:
        """Ending failed for good in this session: pending ends retry it from now on."""
        if self._entry is not None:
            self.ledger.update(
                self._entry.entry_id, state="end-failed", last_error=secrets.redact(error), attempts=1,
                next_attempt_at=self.wall() + backoff(1, getattr(error, "retry_after", None)),
                session_state=None, service_applied=self._service_applied,
            )
            self._entry = None
            self._show_pending()

    def _entry_to_pending(self, error: Optional[LivestreamError]) -> None:
        """The stream of an unanswered create may exist: pending ends look for it and end it."""
        if self._entry is not None:
            self.ledger.update(
                self._entry.entry_id, state="ending", session_state=None,
                last_error=secrets.redact(error) if error else None,
                next_attempt_at=self.wall() + backoff(1),
            )
            self._entry = None
            self._show_pending()

    def _forget_entry(self) -> None:
        """Nothing was created (the provider refused, or nothing reached it)."""
        if self._entry is not None:
            self.ledger.remove(self._entry.entry_id)
            self._entry = None

    def _show_pending(self) -> None:
        """Put the earlier streams still open into the snapshot (emitted with the next change)."""
        if self.pending is None:
            return
        self.pending.refresh()
        self._snapshot_update(
            open_streams=tuple(e.public_view(self.wall()) for e in self.pending.entries()),
            pending_line=self.pending.summary(),
        )

    def _pending_changed(self) -> None:
        assert self.pending is not None
        self._show_pending()
        if self._end_pending_requested and not self.pending.requested:
            self._end_pending_requested = False
            failure = self.pending.last_failure
            if self.state.is_active:
                pass  # a new go-live meanwhile: its own state stays on the status line
            elif failure is not None:
                self._fail(type(failure)(
                    f"Could not end an earlier stream: {failure.message}",
                    hint="obs-livestream keeps trying until the provider confirms",
                ))
                return
            else:
                self._enter(State.IDLE, "Ended the earlier streams that were still open")
                return
        self._emit()

    def _emit(self) -> None:
        for listener in list(self._listeners):
            try:
                listener(self.snapshot)
            except Exception:  # a display bug must not break the flow
                log.exception("session listener failed")


def _obtain_stream(request: GoLiveRequest, reference: Optional[str]) -> LiveStream:
    """The worker's first job: create the stream, start a scheduled one, or fetch one."""
    provider = request.provider
    if request.mode == "new":
        return provider.create(request.title, options=request.options, reference=reference)
    if not request.stream_id:
        raise ConfigurationError("No stream ID given", hint="pick a scheduled stream or enter a stream ID")
    if request.mode == "scheduled":
        return provider.start(request.stream_id)
    return provider.get(request.stream_id)


def _as_error(error: BaseException) -> LivestreamError:
    if isinstance(error, LivestreamError):
        return error
    return LivestreamError(f"Unexpected error: {secrets.redact(error)}")


def _call_with_deadline(fn: Callable[[], Any], timeout: float) -> Any:
    """Run ``fn`` on a daemon thread; its result, or None after ``timeout`` seconds."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    thread = threading.Thread(target=run, name="obs-livestream-exit", daemon=True)
    thread.start()
    thread.join(timeout)
    if "error" in box:
        raise _as_error(box["error"])
    return box.get("result")
