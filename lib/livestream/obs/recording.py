"""The safety recording inside OBS: carries out what ``livestream.session.recording`` decides.

* Every snapshot of the go-live reaches ``observe`` (a controller listener, on the thread
  that runs the controller: the timer or a hotkey callback, both OBS threads): live ->
  ``obs_frontend_recording_start``, settled -> ``obs_frontend_recording_stop``.
* OBS's ``RECORDING_STOPPED`` event (``on_frontend_event``) lists the file and removes
  the listed ones older than the set days. The file's name comes from
  ``obs_frontend_get_last_recording``, which OBS has since 29.1
  (https://github.com/obsproject/obs-studio/blob/29.1.0/UI/obs-frontend-api/obs-frontend-api.h);
  on 29.0 the file is the newest one that appeared in the recording folder the profile
  sets (``profile.recording_folder``) since the recording started, and when OBS records
  into its default folder (not in the profile), the panel says to look there instead.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Optional

import obspython as obs

from ..session.recording import SafetyRecordings
from ..session.snapshot import Snapshot
from . import profile

log = logging.getLogger("livestream.obs")


class RecordingGlue:
    """The script's safety recording (panel: ``safety_recording``, ``safety_recording_keep_days``)."""

    def __init__(self, app: Any, rules: Optional[SafetyRecordings] = None) -> None:
        self.app = app
        self.rules = rules or SafetyRecordings()
        #: The last file this feature saved (shown with the stream), or its notice.
        self.last: str = ""
        self._started_at = 0.0  # wall clock of our start: the file is newer than that
        app.controller.add_listener(self.observe)

    def observe(self, snapshot: Snapshot) -> None:
        # A timetable entry's own choice wins over the panel's ``safety_recording``.
        enabled = self.app.schedule.safety_recording(bool(self.app.config.values.get("safety_recording")))
        action = self.rules.on_state(snapshot.state.value, enabled=enabled,
                                     recording_active=bool(obs.obs_frontend_recording_active()))
        if action == "start":
            log.info("Starting the safety recording")
            self._started_at = time.time()
            obs.obs_frontend_recording_start()
        elif action == "stop" and obs.obs_frontend_recording_active():
            log.info("Stopping the safety recording")
            obs.obs_frontend_recording_stop()

    def on_frontend_event(self, event: int) -> Optional[str]:
        """RECORDING_STOPPED: what the panel says of our file (None for the user's own)."""
        if event != obs.OBS_FRONTEND_EVENT_RECORDING_STOPPED:
            return None
        path = (_last_recording() or self._newest_file()) if self.rules.ours else None
        message = self.rules.stopped(path)
        if message is None:
            return None  # the user's own recording
        self.last = message
        log.info("%s", message)
        keep_days = self.app.config.number("safety_recording_keep_days")
        for path in self.rules.remove_expired(keep_days):
            log.info("Removed a safety recording older than %g days: %s", keep_days, path)
        return message


    def _newest_file(self) -> Optional[str]:
        """OBS 29.0: the newest file of the profile's recording folder since our start."""
        folder = profile.recording_folder()
        if folder is None:
            return None
        try:
            fresh = [(p.stat().st_mtime, p) for p in Path(folder).iterdir()
                     if p.is_file() and p.stat().st_mtime >= self._started_at - 1]
        except OSError:
            return None
        return str(max(fresh)[1]) if fresh else None


def _last_recording() -> Optional[str]:
    get = getattr(obs, "obs_frontend_get_last_recording", None)  # OBS 29.1+
    return (get() or None) if get is not None else None
