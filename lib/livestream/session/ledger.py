"""The ledger: every provider stream this product created or started, until its end is confirmed.

One JSON file (``ledger.json`` in the state folder, mode 0600 in a 0700 folder) holds
one ``LedgerEntry`` per stream. An entry is written *before* the create request
leaves (state ``creating``, with a marker to find the stream again if the answer is
lost), follows the go-live (``open``), and when the stream is being ended goes
``ending`` -> ``ended``, or ``end-failed`` while the provider cannot be reached, in
which case ``livestream.session.pending`` keeps retrying. A later go-live adds a new
entry; it never overwrites one that is still open. Ended entries stay for a day,
then are pruned.

Several processes write the same file (the script inside OBS, the remote CLI, the
``ledger`` command), so every change is a read-modify-write of one entry under an
exclusive lock on ``ledger.lock``, then an atomic replace of the file. A damaged
file is kept aside as ``ledger.json.bad`` and the ledger starts empty, so a broken
file never stops a go-live.

The ledger also survives its own file while a stream is open: each ``Ledger`` keeps
in memory the entries it wrote until they are settled and on disk. If the file
vanishes, turns to garbage or loses an entry, the next read writes them back; if the
file cannot be written, the change is kept in memory (``write_problem`` says why)
and the go-live and its end go on. Only a *new* entry that cannot be written is
refused, so a full or read-only state folder stops a go-live before anything exists.

The entry of a go-live also holds what the front end needs to resume it after a
reload or crash (the user's previous stream settings, which hold their stream key,
as OBS's own ``service.json`` does: hence the 0600 mode).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Optional

from pydantic import BaseModel, Field, ValidationError

from .. import paths
from .ports import StreamService

log = logging.getLogger(__name__)

EntryState = Literal["creating", "open", "ending", "end-failed", "ended"]
Origin = Literal["panel", "hotkey", "remote", "cli", "schedule", "recovered"]

#: The owner of a stream the provider CLI's ``create``/``start`` made: the user's own, open
#: until they end it ('stop', 'delete', 'ledger end'); no other command ends it for them.
MADE_BY_HAND = "cli"

#: States in which the provider stream may still be running (and billing).
UNSETTLED: frozenset[str] = frozenset({"creating", "open", "ending", "end-failed"})
#: How long an ended entry is kept, so a person can see what was ended.
KEEP_ENDED_SECONDS = 24 * 3600
#: How many ended entries are kept at most (the newest), however recent: each one stayed in
#: memory and in every rewrite of the file, so a day of go-lives made each go-live cost more.
KEEP_ENDED_ENTRIES = 20


def new_entry_id() -> str:
    return uuid.uuid4().hex[:12]


class LedgerEntry(BaseModel):
    """One provider stream, from before its create until its end is confirmed."""

    entry_id: str = Field(default_factory=new_entry_id)
    provider: str
    #: How users know the provider ("TP Streams"), for messages.
    provider_display: Optional[str] = None
    stream_id: Optional[str] = None
    title: Optional[str] = None
    #: Who started it: the panel, a hotkey, the remote CLI...
    origin: str = "panel"
    #: Which front end runs the go-live: "script" inside OBS, "remote:<host>:<port>" for the CLI.
    owner: str = "script"
    state: EntryState = "creating"
    #: The go-live controller's state while a front end runs it (for resume after a restart).
    session_state: Optional[str] = None
    last_error: Optional[str] = None
    api_base_url: Optional[str] = None
    #: Put on the stream at create (FastPix metadata) to find it if the create's answer is lost.
    reference: Optional[str] = None
    #: Wall-clock time the create request left; with the title, finds a TP Streams stream again.
    create_sent_at: Optional[float] = None
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)
    ended_at: Optional[float] = None
    #: End attempts after the first failure, and when the next one is due (wall clock).
    attempts: int = 0
    next_attempt_at: Optional[float] = None
    previous_service: Optional[dict[str, Any]] = None
    service_applied: bool = False
    #: The stream ended while OBS still held its settings: restore them at the next load.
    restore_pending: bool = False
    playback_url: Optional[str] = None
    chat_url: Optional[str] = None
    #: Simulcast targets added for this go-live (``TargetState.to_dict``: no keys): removed at its end.
    targets: list[dict[str, Any]] = Field(default_factory=list)
    #: Recovery by itself (``session.recovery``): each try on this stream, ``{"at", "kind", "why"}``.
    recovery_tries: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def settled(self) -> bool:
        return self.state not in UNSETTLED

    def previous(self) -> Optional[StreamService]:
        return StreamService.from_dict(self.previous_service) if self.previous_service else None

    @property
    def made_by_hand(self) -> bool:
        """Made by the provider CLI and not being ended: the user's to end."""
        return self.owner == MADE_BY_HAND and self.state in ("creating", "open")

    def label(self) -> str:
        """How a person recognises it: "TP Streams stream 4PtERT9d9uK (Data science Live class)"."""
        what = self.stream_id or "(its id unknown yet)"
        return f"{self.provider_display or self.provider} stream {what}" + (f" ({self.title})" if self.title else "")

    def public_view(self, now: Optional[float] = None) -> dict[str, Any]:
        """What status views show: no previous settings (they hold the user's stream key)."""
        now = time.time() if now is None else now
        retry_in = None
        if self.state in ("ending", "end-failed") and self.next_attempt_at:
            retry_in = max(0, int(round(self.next_attempt_at - now)))
        return {
            "entry_id": self.entry_id,
            "provider": self.provider,
            "provider_display": self.provider_display or self.provider,
            "stream_id": self.stream_id,
            "title": self.title,
            "origin": self.origin,
            "owner": self.owner,
            "state": self.state,
            "last_error": self.last_error,
            "retry_in": retry_in,
            "created_at": self.created_at,
            "ended_at": self.ended_at,
            "targets": [dict(t) for t in self.targets],
        }

    def __repr__(self) -> str:
        # previous_service holds a stream key: never in a repr.
        return (
            f"LedgerEntry(entry_id={self.entry_id!r}, provider={self.provider!r}, "
            f"stream_id={self.stream_id!r}, state={self.state!r}, owner={self.owner!r})"
        )

    __str__ = __repr__


class _File(BaseModel):
    format: int = 1
    entries: list[LedgerEntry] = Field(default_factory=list)


class Ledger:
    """The ledger file: read it, change one entry at a time under a lock."""

    def __init__(self, path: Optional[Path] = None, *, name: str = "ledger.json") -> None:
        self.path = Path(path) if path else paths.state_dir() / name
        self._lock_path = self.path.with_name(self.path.name.replace(".json", "") + ".lock")
        self._cache: Optional[list[LedgerEntry]] = None
        self._cache_stamp: Optional[tuple[int, int, int]] = None
        #: Entries this ledger wrote that are unsettled or not yet on disk: never lost.
        self._held: dict[str, LedgerEntry] = {}
        #: Ids whose newest version is only in memory (the last write failed).
        self._unsaved: set[str] = set()
        #: Why the file cannot be written right now (None when it can), for the panel and log.
        self.write_problem: Optional[str] = None

    # --- reading -------------------------------------------------------------

    def entries(self) -> list[LedgerEntry]:
        """Every entry, oldest first. Re-read only when the file changed."""
        stamp = self._stamp()
        if self._cache is not None and stamp == self._cache_stamp:
            return [e.model_copy() for e in self._cache]
        with self._locked():
            entries = self._read()
        return [e.model_copy() for e in entries]

    def get(self, entry_id: str) -> Optional[LedgerEntry]:
        return next((e for e in self.entries() if e.entry_id == entry_id), None)

    def find(self, key: str) -> Optional[LedgerEntry]:
        """An entry by its entry id or its provider stream id."""
        return next((e for e in self.entries() if key in (e.entry_id, e.stream_id)), None)

    def unsettled(self) -> list[LedgerEntry]:
        return [e for e in self.entries() if not e.settled]

    def resumable(self, owner: str) -> Optional[LedgerEntry]:
        """The go-live ``owner`` was running when it stopped (a reload, a crash): its newest
        open entry, or an ended one whose stream settings still need restoring."""
        for entry in reversed(self.entries()):
            if entry.owner == owner and (entry.state == "open" or entry.restore_pending):
                return entry
        return None

    # --- writing -------------------------------------------------------------

    def put(self, entry: LedgerEntry) -> LedgerEntry:
        """Add ``entry`` or replace the one with its id."""
        entry.updated_at = time.time()
        # A copy: the caller keeps changing its object (the controller's go-live entry), and
        # the cache must hold what is on disk, also for a write from another thread.
        stored = entry.model_copy(deep=True)

        def change(entries: list[LedgerEntry]) -> None:
            for i, e in enumerate(entries):
                if e.entry_id == stored.entry_id:
                    entries[i] = stored
                    return
            entries.append(stored)

        self._modify(change, stored.entry_id)
        return entry

    def update(self, entry_id: str, **changes: Any) -> Optional[LedgerEntry]:
        """Change some fields of one entry; None if it is gone."""
        found: list[LedgerEntry] = []

        def change(entries: list[LedgerEntry]) -> None:
            for i, e in enumerate(entries):
                if e.entry_id == entry_id:
                    data = e.model_dump()
                    data.update(changes, updated_at=time.time())
                    entries[i] = LedgerEntry.model_validate(data)
                    found.append(entries[i])
                    return

        self._modify(change, entry_id)
        return found[0] if found else None

    def remove(self, entry_id: str) -> None:
        def change(entries: list[LedgerEntry]) -> None:
            entries[:] = [e for e in entries if e.entry_id != entry_id]

        self._modify(change, entry_id)

    def prune(self, now: Optional[float] = None, *, keep_seconds: float = KEEP_ENDED_SECONDS) -> int:
        """Drop ended entries older than ``keep_seconds``; how many were dropped."""
        now = time.time() if now is None else now
        dropped: list[int] = []

        def change(entries: list[LedgerEntry]) -> None:
            keep = [e for e in entries
                    if not (e.settled and not e.restore_pending and now - (e.ended_at or e.updated_at) > keep_seconds)]
            dropped.append(len(entries) - len(keep))
            entries[:] = keep

        self._modify(change)
        return dropped[0] if dropped else 0

    # --- internals -----------------------------------------------------------

    def _modify(self, change: Callable[[list[LedgerEntry]], None], entry_id: Optional[str] = None) -> None:
        with self._locked():
            entries = self._read()
            known = entry_id in self._held or any(e.entry_id == entry_id for e in entries)
            change(entries)
            self._trim_ended(entries)
            changed = next((e for e in entries if e.entry_id == entry_id), None)
            try:
                self._write(entries)
            except OSError:
                if entry_id is not None and not known:
                    # A new entry nobody can find again after a crash: refuse it (nothing created yet).
                    self._cache = None  # it holds the refused entry; the next read rebuilds it
                    raise
                if entry_id is not None:
                    self._unsaved.add(entry_id)
            if entry_id is not None:
                if changed is None:
                    self._held.pop(entry_id, None)
                    self._unsaved.discard(entry_id)
                else:
                    self._held[entry_id] = changed.model_copy(deep=True)
            self._settle_held()
            self._cache, self._cache_stamp = entries, self._stamp()

    def _write(self, entries: list[LedgerEntry]) -> None:
        """Replace the file (caller holds the lock); on failure say so once and re-raise."""
        try:
            paths.write_private(self.path, _File(entries=entries).model_dump_json(indent=2))
        except OSError as exc:
            problem = f"the ledger file cannot be written ({exc.strerror or exc}); open streams are kept in memory"
            if problem != self.write_problem:
                log.warning("%s: %s", self.path.name, problem)
            self.write_problem = problem
            raise
        if self.write_problem:
            log.warning("%s: the ledger file can be written again", self.path.name)
        self.write_problem = None
        self._unsaved.clear()

    def _trim_ended(self, entries: list[LedgerEntry]) -> None:
        """Keep the newest ``KEEP_ENDED_ENTRIES`` ended entries; never one still to restore,
        unsettled, or only in memory (its last write failed)."""
        ended = [e for e in entries if e.settled and not e.restore_pending and e.entry_id not in self._unsaved]
        if len(ended) > KEEP_ENDED_ENTRIES:
            oldest = sorted(ended, key=lambda e: e.ended_at or e.updated_at)[:len(ended) - KEEP_ENDED_ENTRIES]
            dropped = {e.entry_id for e in oldest}
            entries[:] = [e for e in entries if e.entry_id not in dropped]

    def _settle_held(self) -> None:
        """Forget held entries that are settled and on disk."""
        for key in [k for k, e in self._held.items() if e.settled and k not in self._unsaved]:
            del self._held[key]

    def _merge_held(self, entries: list[LedgerEntry]) -> bool:
        """Put back what the file lost of the entries this ledger holds; True if it changed."""
        changed = False
        for key, held in list(self._held.items()):
            index = next((i for i, e in enumerate(entries) if e.entry_id == key), None)
            if index is None:
                log.warning("The ledger file lost %s; writing it back", held.label())
                entries.append(held.model_copy(deep=True))
                changed = True
                continue
            on_file = entries[index]
            newer_on_file = on_file.updated_at > held.updated_at or (
                on_file.updated_at == held.updated_at and key not in self._unsaved)
            if newer_on_file:
                # Another process changed it since (``ledger end``): the file is the truth.
                self._held[key] = on_file.model_copy(deep=True)
                self._unsaved.discard(key)
            else:
                entries[index] = held.model_copy(deep=True)
                changed = True
        self._settle_held()
        return changed

    def _read(self) -> list[LedgerEntry]:
        """The file's entries, with the held ones put back (caller holds the lock)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            entries: list[LedgerEntry] = []
        else:
            try:
                entries = _File.model_validate(json.loads(text)).entries
            except (ValueError, ValidationError):
                # A damaged ledger must not stop the user from going live; keep it for a human.
                log.warning("The ledger file was damaged; kept as %s.bad and started afresh", self.path.name)
                with contextlib.suppress(OSError):
                    self.path.replace(self.path.with_name(self.path.name + ".bad"))
                entries = []
        if self._merge_held(entries):
            with contextlib.suppress(OSError):  # write_problem says why; memory still holds them
                self._write(entries)
        self._cache, self._cache_stamp = entries, self._stamp()
        return entries

    def _stamp(self) -> Optional[tuple[int, int, int]]:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        paths.private_dir(self.path.parent)
        fd = os.open(str(self._lock_path), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                time.sleep(0.05)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
