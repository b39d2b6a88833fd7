"""The safety recording: OBS records locally while live, so a class survives a provider's
failure. The rules, without OBS (``livestream.obs.recording`` carries them out):

* start when the go-live is live and OBS is not recording already; a recording the user
  started is never stopped, nor one started after ours was stopped;
* stop the one we started when the go-live settles (ended or failed), after OBS stopped
  streaming;
* every file this feature made is listed in ``safety_recordings.json`` in the state folder,
  and removed once older than the set number of days; a file not on that list (the user's
  own recordings, in the same folder) is never touched.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable, Optional

from .. import paths
from ..statefile import StateFile

log = logging.getLogger(__name__)

FILE_NAME = "safety_recordings.json"
DAY = 86400.0
#: What the go-live's state means for the recording.
_SETTLED = frozenset({"ended", "failed", "idle"})


class SafetyRecordings:
    """Whether a safety recording runs, and the list of the files it made."""

    def __init__(self, path: Optional[Path] = None, *, clock: Callable[[], float] = time.time) -> None:
        self.file = StateFile(path or paths.state_dir() / FILE_NAME, "the list of safety recordings")
        self.clock = clock
        #: We asked OBS to record for the go-live under way (and it has not stopped since).
        self.ours = False
        #: This go-live already had its chance (started, or found OBS recording): no second start.
        self._decided = False

    # --- when to start and stop ---------------------------------------------------

    def on_state(self, state: str, *, enabled: bool, recording_active: bool) -> Optional[str]:
        """"start", "stop" or None for the go-live entering ``state``."""
        if state == "live" and not self._decided:
            self._decided = True
            if enabled and not recording_active:
                self.ours = True
                return "start"
            return None
        if state in _SETTLED:
            self._decided = False
            if self.ours:
                return "stop"  # ``stopped`` clears ``ours`` when OBS says it stopped
        return None

    def stopped(self, path: Optional[str]) -> Optional[str]:
        """OBS stopped recording. Ours: list its file (``path``: None when OBS cannot tell,
        before 29.1) and say where it is; someone else's: None, nothing noted."""
        if not self.ours:
            return None
        self.ours = False
        if not path:
            return ("The safety recording stopped; this OBS cannot tell its file's name (OBS 29.1 and "
                    "later can) and the profile sets no recording folder: it is in OBS's default "
                    "recording folder (Settings > Output > Recording)")
        entries = self._load()
        entries.append({"path": str(path), "stopped_at": self.clock()})
        self.file.write(entries)
        return f"Safety recording saved: {path}"

    # --- removing old files -------------------------------------------------------

    def remove_expired(self, keep_days: float) -> list[str]:
        """Delete listed files older than ``keep_days`` (0: keep them all); the paths removed."""
        if keep_days <= 0:
            return []
        now = self.clock()
        kept, removed = [], []
        for entry in self._load():
            if now - float(entry.get("stopped_at") or now) <= keep_days * DAY:
                kept.append(entry)
                continue
            path = Path(str(entry.get("path")))
            try:
                if path.is_file():
                    path.unlink()
                removed.append(str(path))
            except OSError as exc:  # kept on the list: tried again next time
                log.warning("Could not remove the old safety recording %s: %s", path, exc)
                kept.append(entry)
        if removed:
            self.file.write(kept)
        return removed

    def listed(self) -> list[str]:
        return [str(e.get("path")) for e in self._load()]

    def _load(self) -> list[dict]:
        data = self.file.read("the files it lists are not removed")
        return [e for e in data if isinstance(e, dict) and e.get("path")] if isinstance(data, list) else []
