"""Adopting a go-live found at start-up, leaving one on exit, and the earlier streams.

Part of the ``Controller`` (its base class, as ``flow.Flow``): ``recover`` takes up a
go-live the ledger says is still open after a reload or a crash; ``shutdown`` makes sure
a go-live under way on exit is on record, and ends its stream if asked; the pending ends
(earlier streams still open) are shown in the snapshot as they change.
"""

from __future__ import annotations

import logging
import queue
import time
from typing import TYPE_CHECKING

from ..errors import LivestreamError, NotFoundError
from ..models import EndResult
from ..providers.base import Provider
from ..simulcast import end_with_targets
from .golive import GoLive
from .inbox import JobDone
from .ledger import LedgerEntry
from .noted import Noted
from .record import Record
from .request import MAX_RESUME_OFFER
from .states import State
from .worker import call_with_deadline

if TYPE_CHECKING:
    from .controller import Controller as _Base
else:
    _Base = object

log = logging.getLogger("livestream.session")


class Lifecycle(_Base):
    """Start-up, exit and the earlier streams still open (mixed into ``Controller``)."""

    def recover(self, record: LedgerEntry, provider: Provider) -> None:
        """Adopt a go-live found in the ledger after a reload, collection switch or crash."""
        if self.state.is_active:
            return
        go = GoLive(provider, previous=record.previous(), service_applied=record.service_applied)
        if record.restore_pending:
            # Ended on exit while OBS still held the stream settings: put them back now.
            self._restore_previous(go)
            if not go.service_applied:
                self.ledger.update(record.entry_id, restore_pending=False, service_applied=False)
                self._message("Restored your stream settings from the last session")
            self.worker.submit(provider.close, lambda _result, _error: None)
            return
        go.record, go.stream_id = Record(self.ledger, record, wall=self.wall), record.stream_id
        self._go = go
        self._adopt_targets(go, record)  # the ledger's simulcast targets (obsside)
        self._snapshot_update(provider=provider.display_name, stream_id=record.stream_id, title=record.title,
                              playback_url=record.playback_url, chat_url=record.chat_url)
        if self.obs.is_streaming():
            self._enter(State.LIVE, "Live (recovered after a restart)")
            go.next_status_at = self.clock()
            self._start_obs_targets(go)
            return
        go.recovered = True
        offer = max(0.0, min(float(self.policies.resume_offer), MAX_RESUME_OFFER))
        go.offer_until = self.clock() + offer
        self._enter(State.READY, f"{provider.display_name} stream {record.stream_id} from an earlier session is "
                    "still open: press Go live to resume it or End stream to end it (it is ended in "
                    f"{int(offer)} s if nobody does)", level="warning")

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
        go = self._go
        if go is not None and self.state is State.CREATING and go.stream_id is None:
            self._await_created(go, deadline)
        self.worker.stop(timeout=0.5)
        if self.pending is not None:
            self.pending.close()
        self._lookups.stop(timeout=0.1)
        if not (self.state.is_active and go and go.stream_id):
            # A create still unanswered stays "creating" in the ledger: the next start
            # looks for its stream and ends it.
            return
        self._save(go)
        if end_stream:
            self._end_on_exit(go, max(0.5, deadline - time.monotonic()))

    def _end_on_exit(self, go: GoLive, timeout: float) -> None:
        """End the provider stream on this thread, within ``timeout``; else leave it to pending ends."""
        provider, stream_id, record, targets = go.provider, go.stream_id, go.record, list(go.targets)
        try:
            result = call_with_deadline(lambda: end_with_targets(provider, stream_id, targets), timeout)
        except NotFoundError:
            result = EndResult(ended=False, message="the stream no longer exists")
        except LivestreamError as exc:
            log.warning("Could not end the stream on exit (%s); it will be retried at next start", exc)
            if record:
                record.failed(exc, service_applied=go.service_applied)
            return
        if result is None:
            log.warning("Ending the stream on exit timed out; it will be retried at next start")
            if record:
                record.failed(LivestreamError("ending timed out on exit"), service_applied=go.service_applied)
            return
        log.info("Ended %s stream %s on exit", provider.display_name, stream_id)
        self._restore_previous(go)
        if record:
            # OBS refused the restore (still streaming): the next load puts the settings back.
            record.ended(service_applied=go.service_applied, previous=go.previous,
                         restore_pending=bool(go.service_applied and self.policies.restore_previous))

    def _await_created(self, go: GoLive, deadline: float) -> None:
        """Wait for the in-flight create's result and take its stream id, for the record."""
        while time.monotonic() < deadline:
            try:
                item = self._inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(item, JobDone) and item.kind == "created" and item.go is go:
                if isinstance(item.result, Noted) and item.result.stream is not None:
                    go.stream_id = item.result.stream.id
                    self._update_from_stream(item.result.stream)
                return

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
        if self.pending.answered():
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
