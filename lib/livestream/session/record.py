"""``Record``: the ledger entry of one go-live, through its whole life.

Written before the create request leaves (``Record.open``), brought up to date as the
go-live moves (``save``, from the go-live's facts: the entry is written from them,
never edited beside them), and settled exactly one way: ``ended`` (the provider
confirmed), ``failed`` (the end failed: pending ends retry it), ``to_pending`` (a
create whose answer was lost: pending ends look for its stream) or ``forget`` (nothing
was created). After that the record holds no entry and every call is a no-op, so a
second settling cannot undo the first.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from .. import secrets
from ..errors import ConfigurationError, LivestreamError
from .ledger import Ledger, LedgerEntry, new_entry_id
from .pending import backoff
from .ports import StreamService
from .request import GoLiveRequest

log = logging.getLogger("livestream.session")


def put_new(ledger: Ledger, entry: LedgerEntry) -> LedgerEntry:
    """Put a new entry on disk before its request leaves; refuse (nothing created) if it cannot be."""
    try:
        return ledger.put(entry)
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot write the ledger of provider streams ({exc.strerror or exc})",
            hint=f"check free disk space and the permissions of {ledger.path.parent}; nothing was created",
        ) from None


class Record:
    """One go-live's entry in the ledger."""

    def __init__(self, ledger: Ledger, entry: LedgerEntry, *, wall: Callable[[], float]) -> None:
        self.ledger = ledger
        self.entry: Optional[LedgerEntry] = entry
        self.wall = wall

    @classmethod
    def open(cls, ledger: Ledger, request: GoLiveRequest, *, owner: str, wall: Callable[[], float],
             previous: Optional[StreamService]) -> Record:
        """Put the entry on disk before the create leaves, with the marker that finds the
        stream again if the answer is lost. Refuses (nothing created) if it cannot be written."""
        provider, new = request.provider, request.mode == "new"
        entry = LedgerEntry(
            provider=provider.name, provider_display=provider.display_name,
            stream_id=None if new else request.stream_id, title=request.title or None,
            origin=request.origin, owner=owner, state="creating", session_state="creating",
            api_base_url=getattr(provider, "base_url", None), reference=new_entry_id() if new else None,
            create_sent_at=wall(), previous_service=previous.to_dict() if previous else None,
        )
        return cls(ledger, put_new(ledger, entry), wall=wall)

    @property
    def entry_id(self) -> Optional[str]:
        return self.entry.entry_id if self.entry else None

    @property
    def creating(self) -> bool:
        """The create's answer has not come: its stream may or may not exist."""
        return self.entry is not None and self.entry.state == "creating"

    def mark(self, session_state: str) -> None:
        """The go-live's state, kept in the entry in memory (written with the next save)."""
        if self.entry is not None:
            self.entry.session_state = session_state

    def sync(self, **facts: Any) -> bool:
        """Bring the entry in memory up to ``facts`` (``stream_id``, ``title``,
        ``session_state``, ``previous``, ``service_applied``, URLs); False if settled."""
        entry = self.entry
        if entry is None:
            return False
        entry.stream_id = facts.get("stream_id") or entry.stream_id
        entry.title = facts.get("title") or entry.title
        if entry.stream_id and entry.state == "creating":
            entry.state = "open"
        previous = facts.get("previous")
        entry.session_state = facts.get("session_state", entry.session_state)
        entry.previous_service = previous.to_dict() if previous else None
        entry.service_applied = bool(facts.get("service_applied"))
        entry.playback_url = facts.get("playback_url")
        entry.chat_url = facts.get("chat_url")
        if "targets" in facts:
            entry.targets = [t.to_dict() for t in facts["targets"]]
        return True

    def save(self, **facts: Any) -> None:
        """``sync``, then write the entry."""
        if self.sync(**facts):
            assert self.entry is not None
            self.ledger.put(self.entry)

    def ending(self, *, restore_pending: bool, previous: Optional[StreamService]) -> None:
        """The end begins: on disk before OBS is told to stop, so a reload or a crash from
        here on hands the stream to pending ends (it is no longer offered for resume), and
        ``restore_pending`` has the next load put the user's settings back if OBS still holds them."""
        entry = self.entry
        if entry is None or not entry.stream_id:
            return
        entry.state, entry.session_state = "ending", "ending"
        entry.restore_pending = restore_pending
        entry.previous_service = previous.to_dict() if previous else entry.previous_service
        self._write("the end")

    def restored(self) -> None:
        """OBS has the user's own settings back: nothing left for the next load to restore."""
        if self.entry is not None and self.entry.restore_pending:
            self.entry.restore_pending, self.entry.service_applied = False, False
            self._write("the restored settings")

    def ended(self, *, service_applied: bool, previous: Optional[StreamService],
              restore_pending: bool = False) -> None:
        """The provider confirmed the end: the entry is settled (pruned after a day).
        ``restore_pending``: OBS still holds the stream's settings; the next load restores them."""
        self._settle(state="ended", ended_at=self.wall(), session_state=None, next_attempt_at=None,
                     restore_pending=restore_pending, service_applied=service_applied,
                     previous_service=previous.to_dict() if restore_pending and previous else None)

    def failed(self, error: LivestreamError, *, service_applied: bool) -> None:
        """Ending failed for good in this session: pending ends retry it from now on."""
        self._settle(state="end-failed", last_error=secrets.redact(error), attempts=1,
                     next_attempt_at=self.wall() + backoff(1, getattr(error, "retry_after", None)),
                     session_state=None, service_applied=service_applied)

    def to_pending(self, error: Optional[LivestreamError]) -> None:
        """The stream of an unanswered create may exist: pending ends look for it and end it."""
        self._settle(state="ending", session_state=None, last_error=secrets.redact(error) if error else None,
                     next_attempt_at=self.wall() + backoff(1))

    def forget(self) -> None:
        """Nothing was created (the provider refused, or nothing reached it)."""
        if self.entry is not None:
            self.ledger.remove(self.entry.entry_id)
            self.entry = None

    def _write(self, what: str) -> None:
        """Write the entry as it stands; a ledger that cannot be written must not stop the
        end itself (the entry in memory still knows the stream, and the next write tries again)."""
        assert self.entry is not None
        try:
            self.ledger.put(self.entry)
        except OSError as exc:
            log.warning("Could not write %s to the ledger of provider streams: %s", what, exc)

    def _settle(self, **changes: Any) -> None:
        if self.entry is not None:
            self.ledger.update(self.entry.entry_id, **changes)
            self.entry = None
