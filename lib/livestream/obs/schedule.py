"""The scheduler inside OBS: carries out what ``livestream.session.schedule`` decides.

* The timer calls ``tick``: the scheduler's time-based actions, remote requests and the
  pre-flight results are applied there, so every OBS call stays on an OBS thread;
* every snapshot of the go-live reaches ``Scheduler.observe`` (the controller's listener,
  also on the timer);
* the pre-flight's provider call (``check_credentials``) runs on the script's worker;
* a remote client asks through obs-websocket's persistent data: it writes the slot
  ``REQUEST_SLOT`` with ``SetPersistentData``, and the timer re-reads the profile's
  ``obsWebSocketPersistentData.json`` only when its size, inode or modification time
  changed (one ``stat`` every half second). The answer is published with the session.

The panel's buttons run on the UI thread: a lock keeps the scheduler whole meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from .. import secrets
from ..errors import ConfigurationError, LivestreamError
from ..session import localtime
from ..session.preflight import preflight
from ..session.request import GoLiveRequest
from ..session.schedule import REQUEST_SLOT, Action, Scheduler, ScheduleStore
from ..session.snapshot import Snapshot
from . import profile

log = logging.getLogger("livestream.obs")

#: Seconds between looks at obs-websocket's persistent data for a remote request.
REQUEST_CHECK_EVERY = 0.5


class ScheduleGlue:
    """The script's scheduler: the panel's Schedule/Cancel, remote requests, and the timer."""

    def __init__(self, app: Any, store: Optional[ScheduleStore] = None) -> None:
        self.app = app
        self.scheduler = Scheduler(store or ScheduleStore())
        self._lock = threading.RLock()
        self._loaded = False
        self._preflight: queue.Queue = queue.Queue()
        self._request_key: Optional[tuple] = None
        self._request_checked = 0.0
        self._profile_dir: Optional[Path] = None
        self._profile_checked = 0.0
        self._published: Any = None
        #: The preset of the timetable go-live under way (None: not one), until it settles.
        self.preset_in_use: Optional[dict[str, Any]] = None
        app.controller.add_listener(self._on_snapshot)

    # --- the panel (UI thread) --------------------------------------------------------

    def schedule_from_panel(self) -> None:
        """The Schedule button: "Go live at" and "End after" from the panel."""
        config = self.app.config
        try:
            at = localtime.parse(config.schedule_at)
            end_after = self._end_after(strict=True)
            with self._lock:
                self.scheduler.set(at, end_after=end_after, origin="panel")
                line = self.scheduler.line()
            self.app.notice = (f"Scheduled. {line}", "info")
        except LivestreamError as exc:
            self.app.notice = (str(exc), "error")
            log.error("Could not schedule: %s", exc)

    def cancel(self) -> None:
        with self._lock:
            had = self.scheduler.schedule is not None
            self._do(self.scheduler.cancel())
        self.app.notice = ("Cancelled the scheduled go-live" if had else "Nothing was scheduled", "info")

    def upcoming(self) -> list[tuple[str, str]]:
        """The timetable's next three go-lives for the panel: ("entry_id@epoch", "time: title")."""
        with self._lock:
            return [(f"{o['entry_id']}@{o['at']!r}", f"{o['at_local']} ({o['entry_id']})"
                     + (f": {o['title']}" if o["title"] else ""))
                    for o in self.scheduler.timetable_view()["next"]]

    def timetable_picked(self, action: str) -> None:
        """Skip once / Remove entry for the go-live picked in the panel's list."""
        entry_id, _, at = str(self.app.config.timetable_pick or "").partition("@")
        if not entry_id:
            self.app.notice = ("Pick a go-live of the timetable first", "error")
            return
        try:
            with self._lock:
                message = self.scheduler.timetable_request(action, {"entry_id": entry_id, "at": float(at)})
            self.app.notice = (message, "info")
        except LivestreamError as exc:
            self.app.notice = (str(exc), "error")

    def line(self) -> str:
        with self._lock:
            return secrets.redact(self.scheduler.line())

    def view(self) -> Optional[dict[str, Any]]:
        with self._lock:
            return self.scheduler.view()

    # --- the timer ----------------------------------------------------------------------

    def tick(self) -> None:
        with self._lock:
            if not self._loaded:
                self._loaded = True
                late = self.app.config.number("schedule_late_minutes") * 60
                self._do(self.scheduler.loaded(late_allowed=late))
            self._read_request()
            self._apply_preflight()
            self._do(self.scheduler.tick(self.app.controller.state.value, lead=self._lead()))
            view = self.scheduler.view()
        if view != self._published:
            self._published = view
            self.app._publish(self.app.controller.snapshot)

    def safety_recording(self, default: bool) -> bool:
        """Whether the go-live under way records locally: its timetable entry's choice, if any."""
        choice = (self.preset_in_use or {}).get("safety_recording")
        return default if choice is None else bool(choice)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.state.value in ("ended", "failed"):
            self.preset_in_use = None
        end_after = self._end_after()
        with self._lock:
            self._do(self.scheduler.observe(snapshot.state.value, snapshot.stream_id, self.app.config.provider,
                                            end_after=end_after, recovering=self.app.controller.recovering))

    def _end_after(self, *, strict: bool = False) -> Optional[float]:
        minutes = self.app.config.number("schedule_end_after", strict=strict)
        return minutes * 60 if minutes > 0 else None

    def _lead(self) -> float:
        config = self.app.config
        try:
            cls = config.provider_class()
        except LivestreamError:
            return self.scheduler.timing.create_lead
        return self.scheduler.lead(cls.name, boots_server=bool(getattr(cls, "boots_server", False)),
                                   poll_interval=float(cls.poll_interval),
                                   configured_boot=self.app.config.number("schedule_boot_seconds"))

    # --- actions -----------------------------------------------------------------------

    def _do(self, actions: list[Action]) -> None:
        for action in actions:
            _ACTIONS[action.kind](self, action)

    def _act_notice(self, action: Action) -> None:
        level = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}[action.level]
        text = f"{action.text}: {action.hint}" if action.hint else action.text
        log.log(level, "%s", text)
        self.app.notice = (text, action.level)
        if action.alert:
            self.app.notifications.schedule_alert(action.alert, action.text, hint=action.hint)

    def _go_live_request(self) -> GoLiveRequest:
        """The panel's go-live, or a timetable entry's preset: its provider (with that provider's
        panel credentials), its options over the panel's, its title filled in."""
        config = self.app.config
        schedule = self.scheduler.schedule
        preset = (schedule.preset if schedule is not None else None) or {}
        if not preset:
            return config.request(start_streaming=False)
        provider = preset.get("provider") or config.provider
        title = preset.get("title") or config.title.strip()
        if not title:
            raise ConfigurationError("Enter a title for the live stream", hint="or give the timetable entry a title")
        options = config.options() if provider == config.provider else {}
        return GoLiveRequest(provider=config.build_provider(provider), mode="new", title=title,
                             options={**options, **(preset.get("options") or {})}, start_streaming=False)

    def _act_prepare(self, action: Action) -> None:
        try:
            request = self._go_live_request()
        except LivestreamError as exc:
            self._do(self.scheduler.prepare_refused(exc.message, exc.hint or ""))
            return
        log.info("%s", action.text)
        request.origin = "schedule"
        schedule = self.scheduler.schedule
        self.preset_in_use = dict(schedule.preset) if schedule is not None and schedule.preset else None
        self.app.controller.prepare(request)

    def _act_start(self, action: Action) -> None:
        log.info("%s", action.text)
        self.app.controller.resume()

    def _act_end(self, action: Action) -> None:
        log.info("%s", action.text)
        self.app.controller.end()

    def _act_preflight(self, _action: Action) -> None:
        """Everything that would stop the go-live, checked while there is still time."""
        # The same refusals the go-live would meet at the set time (``session.preflight``).
        problems = [refusal.ahead for refusal in preflight(self.app.port)]
        try:
            provider = self._go_live_request().provider
        except LivestreamError as exc:
            problems.append(str(exc))
            self._preflight.put((problems, None))
            return
        log.info("Pre-flight check for the scheduled go-live")

        def check() -> None:
            try:
                provider.check_credentials()
            finally:
                provider.close()

        self.app.worker.submit(check, lambda _result, error: self._preflight.put((problems, error)))

    def _apply_preflight(self) -> None:
        while True:
            try:
                problems, error = self._preflight.get_nowait()
            except queue.Empty:
                return
            if error is not None:
                problems = [*problems, secrets.redact(error) if isinstance(error, LivestreamError)
                            else f"unexpected error: {secrets.redact(error)}"]
            self._do(self.scheduler.preflight_result(problems))

    # --- remote requests ----------------------------------------------------------------

    def _read_request(self) -> None:
        now = time.monotonic()
        if now - self._request_checked < REQUEST_CHECK_EVERY:
            return
        self._request_checked = now
        path = self._persistent_file(now)
        if path is None:
            return
        try:
            st = os.stat(path)
        except OSError:
            return
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        if key == self._request_key:
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # being written: read it at the next look
        self._request_key = key
        request = data.get(REQUEST_SLOT) if isinstance(data, dict) else None
        answer = self.scheduler.handle_request(request)
        if answer is not None:
            self._act_notice(Action("notice", f"Remote schedule request: {answer['message']}",
                                    "info" if answer["ok"] else "error"))

    def _persistent_file(self, now: float) -> Optional[Path]:
        if self._profile_dir is None or now - self._profile_checked > 10:
            self._profile_checked = now
            self._profile_dir = profile.profile_dir()
        return self._profile_dir / profile.PERSISTENT_FILE if self._profile_dir else None


#: Each action the scheduler decides (``session.schedule.Action.kind``) and who carries it out.
_ACTIONS: dict[str, Callable[[ScheduleGlue, Action], None]] = {
    "notice": ScheduleGlue._act_notice,
    "prepare": ScheduleGlue._act_prepare,
    "start": ScheduleGlue._act_start,
    "end": ScheduleGlue._act_end,
    "preflight": ScheduleGlue._act_preflight,
}
