"""The go-live's steps and what each worker result does, as the controller's base class.

``Flow`` holds no state of its own: every method works on the ``GoLive`` it is given
(the controller's current one) and on the controller's OBS port, ledger and snapshot.
The controller dispatches worker results here from its ``_RESULTS`` table; the steps
(apply the ingest, start OBS, end the provider stream, restore the settings) are shared
by the results, the commands and the OBS events.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Optional

from ..errors import (
    LivestreamError,
    NotFoundError,
    ObsError,
    ObsUnreachableError,
    ProviderRefusedError,
    ProviderUnavailableError,
    may_have_been_carried_out,
)
from ..models import EndResult, LiveStream, StreamStatus
from ..simulcast import TargetState, TargetStatus, add_all, end_with_targets
from .golive import NEVER, GoLive, closing
from .noted import Noted, note_answer
from .ports import StreamService
from .states import State
from .worker import as_error

if TYPE_CHECKING:
    from .controller import Controller as _Base
else:
    _Base = object

log = logging.getLogger("livestream.session")

#: Looks for a stream whose create answer was lost, before the go-live gives up on it.
FIND_ATTEMPTS = 3


class Flow(_Base):
    """Worker results and steps of a go-live (mixed into ``Controller``)."""

    # --- worker results ---------------------------------------------------

    def _done_created(self, go: GoLive, answer: Optional[Noted], error: Optional[BaseException]) -> None:
        if error is not None:
            err = as_error(error)
            if go.request is not None and go.request.mode == "new" and may_have_been_carried_out(err):
                # The stream may exist: look for it (and carry on with it) before giving up.
                go.lost_create = err
                self._message(f"{err.message}; looking for the stream on {go.name}", level="warning")
                self._find_created(go)
                return
            if go.record:
                go.record.forget()  # the provider said no, or nothing reached it: nothing was created
            if self._retry_create(go, err):
                return  # a recovery's new stream: the API may come back, so it tries again later
            raise err
        assert answer is not None and answer.stream is not None
        self._take_stream(go, answer)

    def _find_created(self, go: GoLive) -> None:
        go.next_find_at = NEVER
        entry = go.record.entry if go.record else None
        assert entry is not None
        known = {e.stream_id for e in self.ledger.entries() if e.stream_id}
        ledger, provider = self.ledger, go.provider
        self._submit(go, "found", lambda: note_answer(ledger, entry.entry_id, provider.find_created(
            reference=entry.reference, title=entry.title, sent_at=entry.create_sent_at or entry.created_at,
            exclude=known), first=True))

    def _done_found(self, go: GoLive, answer: Optional[Noted], error: Optional[BaseException]) -> None:
        if answer is not None and answer.stream is not None:
            log.info("Found %s stream %s, made by the create whose answer was lost", go.name, answer.stream.id)
            self._take_stream(go, answer)
            return
        go.find_attempts += 1
        if error is not None:
            log.warning("Looking for the stream failed: %s", as_error(error))
        if go.find_attempts < FIND_ATTEMPTS and not go.cancel_requested:
            go.next_find_at = self.clock() + go.poll_interval()
            return
        lost = go.lost_create or LivestreamError("The create's answer was lost")
        self._to_pending(go, lost)
        if self._retry_create(go, lost):
            return  # pending ends end that stream if it turns up; recovery tries a new one
        raise type(lost)(
            f"{lost.message}, and {go.name} shows no stream from it yet",
            hint="obs-livestream keeps looking for it for 10 minutes and ends it if it turns up; "
            "press Go live to try again",
        )

    def _take_stream(self, go: GoLive, answer: Noted) -> None:
        """The stream the create made (or that was found again): wait for its ingest."""
        stream = answer.stream
        assert stream is not None
        go.stream_id = stream.id
        self._update_from_stream(stream)
        go.applying_on_disk = answer.applying_on_disk
        # The worker wrote it already: keep the copy in memory the same; else write it now.
        self._save(go, write=not answer.on_disk)
        if go.cancel_requested:
            self._begin_ending(go, "Cancelled: ending the live stream")
            return
        go.watch.reset()
        verdict = go.watch.judge(stream, had_key=False)
        if verdict == "ended" or stream.status is StreamStatus.DISABLED:
            go.failure = ProviderRefusedError(
                f"{go.name} stream {stream.id} cannot take a broadcast (status: {stream.provider_status})",
                hint="create a new live stream",
            )
            self._begin_ending(go, "The stream cannot be used")
            return
        self._enter(State.WAITING_FOR_INGEST, f"Waiting for the {go.name} server")
        if verdict == "unconfirmed":
            self._unconfirmed_end(go, stream)
            return
        self._check_ingest(go, stream)

    def _done_resumed(self, go: GoLive, stream: Optional[LiveStream], error: Optional[BaseException]) -> None:
        if error is not None:
            raise as_error(error)
        assert stream is not None
        self._update_from_stream(stream)
        if not stream.ingest_ready or stream.status.is_terminal:
            go.failure = ProviderRefusedError(
                f"{go.name} stream {stream.id} can no longer take a broadcast (status: {stream.provider_status})",
                hint="press Go live to create a new live stream",
            )
            self._begin_ending(go, "The earlier stream cannot be resumed")
            return
        self._apply_ingest(go, stream)

    def _done_poll(self, go: GoLive, answer: Optional[Noted], error: Optional[BaseException]) -> None:
        if self.state is not State.WAITING_FOR_INGEST:
            return
        if error is not None:
            err = as_error(error)
            if isinstance(err, ProviderUnavailableError):
                # Passing trouble: keep waiting until the ingest timeout.
                log.warning("Status check failed, will retry: %s", err)
                go.next_poll_at = max(go.next_poll_at, self.clock() + go.poll_interval(err))
                return
            raise err
        assert answer is not None and answer.stream is not None
        stream = answer.stream
        self._update_from_stream(stream)
        go.applying_on_disk = go.applying_on_disk or answer.applying_on_disk
        verdict = go.watch.judge(stream, had_key=False)
        if verdict == "ended":  # Error, Stopped, Completed; or Recording twice in a row
            go.failure = ProviderRefusedError(
                f"The {go.name} stream reported {stream.provider_status!r} while starting",
                hint="press Go live again to create a new live stream",
            )
            self._begin_ending(go, "The provider stream failed to start")
        elif verdict == "unconfirmed":
            self._unconfirmed_end(go, stream)
        else:
            self._check_ingest(go, stream)

    def _done_status(self, go: GoLive, stream: Optional[LiveStream], error: Optional[BaseException]) -> None:
        if error is not None:
            log.warning("Status check failed: %s", as_error(error))
            return
        assert stream is not None
        self._update_from_stream(stream)
        if self.state is not State.LIVE:
            return
        verdict = go.watch.judge(stream, had_key=go.service_applied)
        if verdict == "ended" and self._try_recovery(go, f"The {go.name} stream reported {stream.provider_status!r}",
                                                     stream_over=True):
            return
        if verdict == "ended":
            go.provider_end_shown = True
            self._message(f"The {go.name} stream has ended on the provider's side ({stream.provider_status})",
                          level="error")
        elif verdict == "unconfirmed":
            self._unconfirmed_end(go, stream)
        elif go.provider_end_shown:
            go.provider_end_shown = False
            self._message("Live")  # a later answer says it is running after all
        else:
            self._emit()  # the status and its age are shown at once, not at the next second's emit

    def _unconfirmed_end(self, go: GoLive, stream: LiveStream) -> None:
        """An end-of-stream word that may not mean the end (``watch``): ask again soon, act on
        nothing until then. While waiting for the ingest the poll pace asks again anyway."""
        log.info("%s reports %r for stream %s; checking again before acting on it", go.name,
                 stream.provider_status, stream.id)
        now = self.clock()
        if self.state is State.LIVE:
            go.next_status_at = min(go.next_status_at, now + go.poll_interval())
        elif self.state is State.WAITING_FOR_INGEST and go.next_poll_at == NEVER:
            go.next_poll_at = now + go.provider.poll_delay(now - self.snapshot.since)

    def _done_end(self, go: GoLive, result: Optional[EndResult], error: Optional[BaseException]) -> None:
        if error is not None:
            err = as_error(error)
            if isinstance(err, NotFoundError):
                result = EndResult(ended=False, message="the stream no longer exists")
            elif isinstance(err, ProviderUnavailableError) and go.end_attempts < self.policies.end_attempts:
                go.end_attempts += 1
                delay = go.poll_interval(err)
                log.warning("Ending failed (%s); trying again in %.0f s", err, delay)
                go.next_end_at = self.clock() + delay
                return
            else:
                self._end_failed(go, err)
                return
        assert result is not None
        self._restore_previous(go)
        if go.record:
            # Settings OBS did not take back (unreachable, still streaming): restored at the next load or 'end'.
            go.record.ended(service_applied=go.service_applied, previous=go.previous,
                            restore_pending=bool(go.service_applied and self.policies.restore_previous))
        if go.failure is not None:
            self._fail(go.failure)
            return
        # One last look, for the recording URL the user will want; then its client is closed.
        provider, stream_id = go.provider, go.stream_id
        self._submit(go, "final", closing(provider, lambda: provider.get(stream_id)), worker=self._lookups)
        why = go.ended_because or (result.message if not result.ended else None)
        self._enter(State.ENDED, f"Ended ({why})" if why else "Ended")

    def _end_failed(self, go: GoLive, err: LivestreamError) -> None:
        """Ending failed for good here: the ledger keeps it (retried until the provider confirms)."""
        if go.record:
            go.record.failed(err, service_applied=go.service_applied)
            self._show_pending()
        self._restore_previous(go)
        self._fail(
            type(err)(
                f"Could not end {go.name} stream {go.stream_id}: {err.message}",
                hint="obs-livestream keeps trying until the provider confirms (End stream tries "
                f"again now); or run 'python obs_livestream.py ledger end {go.stream_id}'",
            ),
            keep_record=True,
        )

    def _done_final(self, _go: GoLive, stream: Optional[LiveStream], _error: Optional[BaseException]) -> None:
        if stream is not None:
            self._update_from_stream(stream)
            self._emit()

    # --- steps --------------------------------------------------------------

    def _check_ingest(self, go: GoLive, stream: LiveStream) -> None:
        if stream.ingest_ready:
            self._apply_ingest(go, stream)
        elif go.next_poll_at == NEVER:
            now = self.clock()
            go.next_poll_at = now + go.provider.poll_delay(now - self.snapshot.since)

    def _apply_ingest(self, go: GoLive, stream: LiveStream) -> None:
        assert stream.ingest is not None
        if go.request is not None and go.request.simulcast and not go.targets_added:
            if self._obs_side(go):
                self._plan_obs_targets(go)  # OBS sends them itself once it is live
            else:
                # Before OBS publishes: Mux and FastPix take targets only while the stream is idle.
                self._add_targets(go, stream)
                return
        if "targets" in go.jobs:
            return  # a poll answered while the targets are being added: their answer goes on
        if not go.applying_on_disk:
            # Write-ahead: the ledger says the settings are being replaced before they are, so
            # a crash in between still puts the user's own back (``noted``). Usually the worker
            # wrote it with the answer, and nothing is written between the answer and the start.
            self._save(go, applying=True)
            go.applying_on_disk = True
        try:
            self.obs.set_stream_service(StreamService.custom(**stream.ingest.obs_service_settings()))
        except ObsError as exc:
            go.failure = exc
            self._begin_ending(go, "OBS refused the stream settings: ending the provider stream")
            return
        go.service_applied = True
        self._enter(State.READY, "Ready: OBS has the server and stream key")
        if go.start_streaming:
            self._start_obs(go)

    def _add_targets(self, go: GoLive, stream: LiveStream) -> None:
        go.targets_added = True
        assert go.request is not None and go.stream_id
        targets, provider, stream_id = list(go.request.simulcast), go.provider, go.stream_id
        self._message(f"Adding {len(targets)} simulcast target{'s' if len(targets) != 1 else ''} on {go.name}")
        self._submit(go, "targets", lambda: (add_all(provider, stream_id, targets), stream))

    def _done_targets(self, go: GoLive, answer: Optional[tuple[list[TargetState], LiveStream]],
                      error: Optional[BaseException]) -> None:
        if error is not None:  # add_all answers every refusal itself: this is a bug, not the provider
            raise as_error(error)
        assert answer is not None
        go.targets, stream = answer
        self._save(go)
        self._show_targets(go)
        failed = [t for t in go.targets if t.status is TargetStatus.FAILED]
        if failed:
            # A failed target never stops the main stream: said, and the go-live goes on.
            self._message("Not restreaming to " + "; ".join(t.describe() for t in failed)
                          + ": check that target's server URL and stream key", level="warning")
        if self.state is State.WAITING_FOR_INGEST and not go.cancel_requested:
            self._apply_ingest(go, stream)
        elif go.cancel_requested:
            self._begin_ending(go, "Cancelled: ending the live stream")

    def _start_obs(self, go: GoLive) -> None:
        self._enter(State.STARTING, "Starting OBS streaming")
        try:
            self.obs.start_streaming()
        except ObsError as exc:
            go.failure = exc
            self._begin_ending(go, "OBS could not start streaming: ending the provider stream")

    def _resume(self, go: GoLive, start_streaming: Optional[bool]) -> None:
        """Resume a recovered session: re-read the stream, re-apply its ingest, start."""
        go.recovered = False
        go.start_policy(self.policies, start_streaming)
        self._message(f"Resuming {go.name} stream {go.stream_id}")
        provider, stream_id = go.provider, go.stream_id
        self._submit(go, "resumed", lambda: provider.get(stream_id))

    def _begin_ending(self, go: GoLive, message: str) -> None:
        was = self.state
        if go.record is not None and go.stream_id:
            # In the ledger before OBS is told anything: a reload from here on ends the stream.
            go.record.ending(restore_pending=bool(go.service_applied and self.policies.restore_previous),
                             previous=go.previous)
        self._enter(State.ENDING, message, level="warning" if go.failure else "info")
        self._stop_obs_targets(go)  # before the main stream: they share its encoders
        if was in (State.STARTING, State.LIVE) and self._still_streaming():
            go.waiting_for_obs_stop = True
            go.stop_requested_at = self.clock()
            self.obs.stop_streaming()
        else:
            self._end_provider_stream(go)

    def _still_streaming(self) -> bool:
        """Whether OBS still streams; an OBS that cannot be reached (crashed under the CLI) does not,
        and its provider stream must be ended all the same."""
        try:
            return self.obs.is_streaming()
        except ObsUnreachableError:
            return False

    def _end_provider_stream(self, go: GoLive) -> None:
        if not go.stream_id:
            # Nothing was created: only settings may need restoring.
            self._restore_previous(go)
            if go.record:
                go.record.forget()
            if go.failure is not None:
                self._fail(go.failure)
            else:
                self._enter(State.ENDED, "Ended")
            return
        # The user's settings go back now, whatever the provider answers and however long it takes.
        self._restore_previous(go)
        if go.record is not None and not go.service_applied:
            go.record.restored()
        provider, stream_id, targets = go.provider, go.stream_id, list(go.targets)
        self._submit(go, "end", lambda: end_with_targets(provider, stream_id, targets))

    def _restore_previous(self, go: GoLive) -> None:
        if not (go.service_applied and self.policies.restore_previous and go.previous):
            return
        try:
            if self.obs.is_streaming():
                log.warning("OBS is still streaming; stream settings will be restored later")
                return
            self.obs.set_stream_service(go.previous)
            go.service_applied = False
            log.info("Restored the previous stream settings (%s)", go.previous.service_type)
        except ObsError as exc:
            log.warning("Could not restore the previous stream settings: %s", exc)

    def _to_pending(self, go: GoLive, error: Optional[LivestreamError]) -> None:
        """The stream of an unanswered create may exist: pending ends look for it and end it."""
        if go.record and go.record.entry is not None:
            go.record.to_pending(error)
            self._show_pending()

    def _read_targets(self, go: GoLive) -> None:
        """Each target's status, where the provider reports one (Mux), with the stream's."""
        if go.stream_id and go.targets and not go.obs_targets and go.provider.capabilities.simulcast is not None \
                and go.provider.capabilities.simulcast.reports_status and "target_status" not in go.jobs:
            provider, stream_id = go.provider, go.stream_id
            self._submit(go, "target_status", lambda: provider.simulcast_targets(stream_id), worker=self._lookups)

    def _done_target_status(self, go: GoLive, held: Optional[list[TargetState]],
                            error: Optional[BaseException]) -> None:
        if error is not None or held is None:
            log.warning("Reading the simulcast targets' status failed: %s", as_error(error) if error else "no answer")
            return
        by_id = {t.target_id: t for t in held}
        go.targets = [replace(t, status=by_id[t.target_id].status, reason=by_id[t.target_id].reason)
                      if t.target_id in by_id else t for t in go.targets]
        self._show_targets(go)
        self._emit()

    def _show_targets(self, go: GoLive) -> None:
        """The go-live's targets as front ends show them (the snapshot holds plain dicts)."""
        self._snapshot_update(targets=tuple(t.to_dict() for t in go.targets))

    def _read_status(self, go: GoLive) -> Any:
        """Ask the provider for the stream's status now (once at a time). On the look-up
        thread: an End pressed meanwhile must not wait behind a slow status answer."""
        if go.stream_id and "status" not in go.jobs:
            provider, stream_id = go.provider, go.stream_id
            self._submit(go, "status", lambda: provider.get(stream_id), worker=self._lookups)

    # --- the timer, per state ---------------------------------------------

    def _tick_creating(self, go: GoLive, now: float) -> None:
        if now >= go.next_find_at:
            self._find_created(go)

    def _tick_waiting(self, go: GoLive, now: float) -> None:
        if now >= go.next_poll_at and "poll" not in go.jobs:
            # Paced from the start of each poll, so a slow answer does not slow the pace.
            go.next_poll_at = now + go.provider.poll_delay(now - self.snapshot.since)
            go.last_poll_at = now
            provider, stream_id, ledger = go.provider, go.stream_id, self.ledger
            entry_id = (go.record.entry_id if go.record else None) or ""
            self._submit(go, "poll", lambda: note_answer(ledger, entry_id, provider.get(stream_id), first=False))

    def _tick_live(self, go: GoLive, now: float) -> None:
        if now >= go.next_status_at and "status" not in go.jobs:
            go.next_status_at = now + self.policies.status_interval
            self._read_status(go)
            self._read_targets(go)
        self._poll_obs_targets(go)

    def _tick_ready(self, go: GoLive, now: float) -> None:
        if self._tick_retry(go, now):
            return
        if go.recovered and now >= go.offer_until:
            # Nobody pressed anything (an unattended machine): the billed stream must not stay open.
            go.ended_because = f"nobody resumed it within {_duration(now - self.snapshot.since)}"
            log.warning("%s stream %s from an earlier session was not resumed: ending it (%s)", go.name,
                        go.stream_id, go.ended_because)
            self._begin_ending(go, f"{go.name} stream {go.stream_id} from an earlier session: {go.ended_because}; "
                               "ending it")

    def _tick_ending(self, go: GoLive, now: float) -> None:
        if go.next_end_at and now >= go.next_end_at:
            go.next_end_at = 0.0
            self._end_provider_stream(go)
        elif go.waiting_for_obs_stop and now - go.stop_requested_at > 30 and not self.obs.is_streaming():
            # The stop event never came (e.g. OBS lost it): carry on.
            go.waiting_for_obs_stop = False
            self._end_provider_stream(go)


def _duration(seconds: float) -> str:
    seconds = int(round(max(0.0, seconds)))
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"
