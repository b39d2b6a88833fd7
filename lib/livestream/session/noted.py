"""A provider's answer put on disk by the worker, the moment it arrives.

The ledger entry of a go-live is written before the create request leaves; what the
provider answers (the stream id, and that OBS is about to get its server and key) must
be on disk before anything could lose it. Writing it on the script's timer put one or two
fsync'd ledger writes between the answer and OBS's start, on OBS's render thread. The
worker writes it instead, right after the answer and before handing it over: the timer
then finds it on disk already, and the write overlaps the wait for the next timer tick.

A crash at any point leaves a ledger that says enough: before the write, the entry is
``creating`` with the marker that finds the stream again (pending ends look for it and
end it); after it, the entry is ``open`` with the stream id, and says the settings may be
replaced (``service_applied``) *before* OBS gets them, so a restart puts the user's own
settings back (putting back settings that were never replaced changes nothing).

Only the ledger is touched here (a file): never OBS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Optional

from ..models import LiveStream
from .ledger import Ledger

log = logging.getLogger("livestream.session")


@dataclass(frozen=True)
class Noted:
    """A provider answer, and whether the worker put it on disk."""

    stream: Optional[LiveStream]
    on_disk: bool = False
    #: The disk says OBS's stream settings are (about to be) replaced by this stream's.
    applying_on_disk: bool = False


def note_answer(ledger: Ledger, entry_id: str, stream: Optional[LiveStream], *, first: bool) -> Noted:
    """Record ``stream`` in the entry ``entry_id`` (on the worker). ``first``: the answer
    that gives the stream its id (create, start, fetch, or found again); later ones (the
    polls) are written only when they bring the ingest, which OBS gets next."""
    if stream is None or not (first or stream.ingest_ready):
        return Noted(stream)
    changes: dict[str, Any] = {}
    if first:
        changes.update(stream_id=stream.id, state="open")
        if stream.title:
            changes["title"] = stream.title
    if stream.playback_url:
        changes["playback_url"] = stream.playback_url
    if stream.chat_url:
        changes["chat_url"] = stream.chat_url
    if stream.ingest_ready:
        changes["service_applied"] = True
    try:
        found = ledger.update(entry_id, **changes)
    except OSError as exc:
        # The timer writes it again (and says so if it cannot): never lose the answer here.
        log.warning("Could not write the provider's answer to the ledger yet: %s", exc)
        return Noted(stream)
    if found is None:
        return Noted(stream)  # the entry is gone (settled meanwhile): nothing to add to
    return Noted(stream, on_disk=True, applying_on_disk=stream.ingest_ready)
