"""``Timeline``: what happens to a stream between an encoder's connect and the end of the broadcast.

FastPix, Mux, api.video and Cloudflare Stream share one life, told in their own words
(``Words``): an encoder connects (a "preparing" word, if any), after the prepare delay
media flows (the live word); it leaves and, when the reconnect window passes without it
coming back, the broadcast ends (the ended word) and its recording is remuxed once
nginx has closed the FLV (the pending remux). A model owns a ``Timeline`` and answers
its few questions through hooks: ``window(doc)`` (the reconnect window), ``connected(doc, back)``,
``went_live(doc)``, ``disconnected(doc)`` and ``ended(doc)`` (which names the recording,
or None). The stream document keeps ``connected``, ``broadcast``, ``live_at``,
``idle_at`` and ``pending_media``; deadlines are epoch seconds, so they survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class Words:
    """A provider's status words for each step (None: the status does not change)."""

    live: Optional[str]
    ended: Optional[str] = None
    preparing: Optional[str] = None
    #: Cloudflare says "client_disconnect" when the encoder leaves and "reconnected" when it is back.
    gone: Optional[str] = None
    reconnected: Optional[str] = None


class Timeline:
    """Connect, prepare delay, live; disconnect, reconnect window, ended; the pending remux."""

    def __init__(self, model: Any, words: Words, *, prepare: bool = True, early_leave_ends: bool = False) -> None:
        self.model = model
        self.core = model.core
        self.words = words
        #: False: live the moment the encoder connects (Cloudflare), no prepare delay.
        self.prepare = prepare
        #: An encoder gone before media flowed: the broadcast ends at once (api.video) or is forgotten (Mux).
        self.early_leave_ends = early_leave_ends

    def connect(self, doc: dict, now: float) -> None:
        """nginx accepted a publisher."""
        words = self.words
        back = doc.get("idle_at") is not None and doc["status"] in (words.live, words.gone)
        doc.update(connected=True, idle_at=None)
        if back:  # within the reconnect window: the same broadcast goes on
            if words.reconnected:
                self.core.set_status(doc, words.reconnected)
        else:
            doc["broadcast"] = True
            if self.prepare:
                doc["live_at"] = now + self.core.config.prepare_delay
                if words.preparing:
                    self.core.set_status(doc, words.preparing)
            elif words.live:
                self.core.set_status(doc, words.live)
        self.model.connected(doc, back)
        self.core.save(doc)

    def disconnect(self, doc: dict, now: float) -> None:
        """The publisher left (or the sandbox restarted under it)."""
        doc["connected"] = False
        if self.words.gone:
            self.core.set_status(doc, self.words.gone)
        if doc.get("broadcast") and (doc.get("live_at") is None or self.words.preparing):
            doc["idle_at"] = now + float(self.model.window(doc))
            self.model.disconnected(doc)
        elif doc.get("broadcast"):  # gone before media flowed
            doc["live_at"] = None
            if self.early_leave_ends:
                doc["idle_at"] = now
            else:
                doc["broadcast"] = False
        self.core.save(doc)

    def end(self, doc: dict, status: Optional[str] = None) -> None:
        """The broadcast is over (window passed, or the API ended it): its recording waits for the remux."""
        doc.update(idle_at=None, live_at=None)
        word = status or self.words.ended
        if word:
            self.core.set_status(doc, word)
        media_id = self.model.ended(doc)
        if media_id and doc.get("broadcast"):
            doc.setdefault("pending_media", []).append(media_id)
        doc["broadcast"] = False
        self.core.save(doc)

    def tick(self, doc: dict, now: float) -> None:
        if doc.get("live_at") is not None and doc.get("connected") and now >= doc["live_at"]:
            doc["live_at"] = None
            if self.words.live:
                self.core.set_status(doc, self.words.live)
            self.model.went_live(doc)
            self.core.save(doc)
        if doc.get("idle_at") is not None and not doc.get("connected") and now >= doc["idle_at"]:
            self.end(doc)
        if doc.get("pending_media") and not doc.get("publishing"):
            for media_id in list(doc["pending_media"]):
                doc["pending_media"].remove(media_id)
                if not self.core.start_remux(doc, media_id):
                    self.core.event("recording_failed", doc, media_id=media_id, error="nothing was recorded")
            self.core.save(doc)
