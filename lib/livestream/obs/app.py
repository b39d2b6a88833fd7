"""The script's running state inside OBS: controller, worker, timer, events, hotkeys.

One ``ScriptApp`` exists while the script is loaded. OBS calls in through the plain
functions of ``livestream.obs.entry``; this class does the work:

* the timer (every ``TICK_MS``) drains the controller's inbox, which makes every
  OBS call, publishes the session once per tick if it changed, feeds the status dock
  and flushes the log queue into OBS's script log;
* frontend events and hotkeys only *post* to the controller (no output signal handlers:
  see ``on_frontend_event``);
* every provider call runs on the worker thread, which never touches obspython.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from typing import Any, Callable, Optional

import obspython as obs

from .. import memtrace, providers, secrets
from ..dock.feed import next_go_live_at
from ..errors import LivestreamError
from ..notify.alerts import Thresholds, open_stream_views
from ..notify.glue import Notifications
from ..providers.declare import option_warnings
from ..session import bridge, claim
from ..session.armed import Armed
from ..session.claim import StreamClaim
from ..session.controller import Controller
from ..session.ledger import Ledger, LedgerEntry
from ..session.recovery import UNASKED_STOP
from ..session.recovery_saved import resume_at_load
from ..session.snapshot import Snapshot
from ..session.states import State
from ..session.worker import Worker
from . import profile
from .config import PanelConfig
from .dock import ScriptDock
from .port import ScriptObsPort
from .recording import RecordingGlue
from .schedule import ScheduleGlue

# OBS runs script timers from its render loop, so this is about one tick per frame at
# 30 fps. A command or a provider answer waits for the next tick: at 100 ms that was
# ~0.1 s of the go-live's hot path (two waits); a tick that finds nothing to do is a
# few queue and clock reads.
TICK_MS = 20
#: This front end's name in the ledger of provider streams.
OWNER = "script"
HOTKEYS = {
    "go_live": ("obs_livestream.go_live", "obs-livestream: Go live"),
    "prepare": ("obs_livestream.prepare", "obs-livestream: Prepare (fill in stream settings)"),
    "end_stream": ("obs_livestream.end_stream", "obs-livestream: End stream"),
}

log = logging.getLogger("livestream.obs")


class QueueLogHandler(logging.Handler):
    """Collects log lines from any thread; the timer prints them into OBS's script log.

    Printing from a non-OBS thread shows as "[Unknown Script]"
    (https://github.com/obsproject/obs-studio/issues/3209) and can crash OBS on exit,
    so only the timer writes.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: queue.Queue = queue.Queue()
        self.setFormatter(logging.Formatter("%(message)s"))
        secrets.install_filter([self])

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.put((record.levelno, self.format(record)))
        except Exception:  # pragma: no cover
            self.handleError(record)

    def flush_to_obs(self) -> None:
        while True:
            try:
                level, text = self.lines.get_nowait()
            except queue.Empty:
                return
            obs_level = obs.LOG_ERROR if level >= logging.ERROR else obs.LOG_WARNING if level >= logging.WARNING \
                else obs.LOG_INFO
            obs.script_log(obs_level, secrets.redact(text))


class ScriptApp:
    """Everything the loaded script holds."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.config = PanelConfig()
        self.log_handler = QueueLogHandler()
        root = logging.getLogger("livestream")
        root.handlers[:] = [self.log_handler]
        root.setLevel(logging.INFO)
        root.propagate = False
        self.worker = Worker()
        self.port = ScriptObsPort()
        self.ledger = Ledger()
        # Armed (arm_on_start): a start from outside goes live; the controller's port tells it
        # which settings the go-live set, so they are never kept as the user's own.
        self.armed = Armed(self.port, profile=lambda: getattr(profile.profile_dir(), "name", ""))
        self.controller = Controller(self.armed.port, ledger=self.ledger, worker=self.worker, owner=OWNER,
                                     provider_for=self._provider_for_entry)
        # One go-live at a time on this OBS, whoever asks: the remote CLI honours it too.
        self.controller.claim = StreamClaim(profile.PersistentSlot(claim.SLOT), "panel", socket.gethostname(),
                                            inherits=True)
        # A go-live adopted after a reload sends its OBS-side targets again from the saved ones.
        self.controller.saved_targets = lambda: self.config.simulcast_targets()
        self.controller.add_listener(self._on_snapshot)
        self.hotkey_ids: dict[str, int] = {}
        self.tasks: queue.Queue = queue.Queue()  # results of panel tasks (lists, credential tests)
        self.scheduled: list[tuple[str, str]] = []  # (id, label) of scheduled streams
        self.notice: tuple[str, str] = ("", "info")  # a panel message outside the go-live
        self._recovery_checked = False
        self._reconnecting = False
        self._stop_asked = False
        self._reconnect_checked = 0.0
        self._shut_down = False
        self._snapshot_seen: Optional[Snapshot] = None
        self._publish_seq = int(time.time() * 1000)  # grows across reloads too
        self._published: Optional[tuple[Snapshot, Optional[str], str]] = None
        self._publish_due = False
        # Held while the controller runs: by the timer, or by a hotkey or button callback
        # acting at once (``act_now``). Never waited for: whoever finds it taken leaves the
        # work to the other (OBS holds its hotkey lock while calling a hotkey callback).
        self._controller_busy = threading.Lock()
        self.dock = ScriptDock({"go_live": self.go_live, "prepare": lambda: self.go_live(start_streaming=False),
                                "end": self.end_stream}).start()
        self.controller.add_listener(self.dock.observe)
        self.notifications = Notifications()  # posts on its own thread
        self.controller.add_listener(self.notifications.observe)
        self.dock.open_streams = self._open_streams  # earlier streams still being ended
        self.dock.next_go_live = lambda: next_go_live_at(self.schedule.view())  # for the dock's /metrics
        # Import the provider clients now, off OBS's threads, rather than on the first Go live.
        self.worker.submit(providers.names, lambda result, error: None)
        self.schedule = ScheduleGlue(self)  # scheduled go-live, end after a duration
        self.recording = RecordingGlue(self)  # the optional safety recording while live

    # --- lifecycle ----------------------------------------------------------

    def update(self, config: PanelConfig) -> None:
        self.config = config
        self.controller.policies = config.policies()
        self.armed.enabled = bool(config.arm_on_start)
        self.notifications.configure(config.notify_urls, config.notify_live_template)
        self.notifications.thresholds = Thresholds.from_settings(config.number)
        self.dock.rebind(config.dock_bind)
        self._warn_about_options(config)

    def _warn_about_options(self, config: PanelConfig) -> None:
        """A chosen option the provider declares a warning for (Mux's SRT): the status line."""
        try:
            cls = config.provider_class()
        except LivestreamError:
            return
        texts = option_warnings(cls.stream_options, config.options())
        text = f"{cls.display_name} {'; '.join(texts)}" if texts else ""
        if text and self.notice[0] != text:
            self.notice = (text, "warning")
            log.warning("%s", text)

    def tick(self) -> None:
        """The timer: recovery on the first tick, then the controller, then the log."""
        if self._controller_busy.acquire(blocking=False):  # else a callback runs it: next frame
            try:
                if not self._recovery_checked:
                    self._recovery_checked = True
                    self._publish(self.controller.snapshot)  # replace what an earlier run left
                    self._recover()
                    self._resume_recovery()
                self._watch_reconnect()
                if self.armed.tick(active=self.controller.state.is_active):
                    self._go_live_armed()
                self.controller.tick()
                self.schedule.tick()
                self._drain_tasks()
                # One reading of OBS's output and the open streams, for the dock and the alerts
                # alike: the alerts keep working when the dock's server could not start.
                studio = self.dock.reader
                studio.tick()
                self.dock.tick(self.controller.snapshot, self.notice)
                self.notifications.watch(health=studio.health, open_streams=lambda: studio.open_streams or ())
            finally:
                self._controller_busy.release()
        self._flush_publish()
        self.log_handler.flush_to_obs()

    def act_now(self) -> None:
        """From a hotkey or button callback (an OBS thread, never a worker): act on the
        command just posted now, not at the next timer tick. The timer runs once per video
        frame, so the wait was up to a frame (33 ms at 30 fps) at the start of every go-live.
        If the timer is running the controller at this moment, it takes the command itself."""
        if self._shut_down or not self._recovery_checked:
            return  # the first tick recovers an earlier session before any command
        if self._controller_busy.acquire(blocking=False):
            try:
                if not self._shut_down:  # checked again: the unload may have run meanwhile
                    self.controller.tick()
            finally:
                self._controller_busy.release()

    def shutdown(self, *, end_stream: bool) -> None:
        """OBS exits (``end_stream`` per policy) or the script unloads (keep the record)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.dock.stop()
        self.port.extra.release()  # simulcast sent by OBS: its outputs go with the script
        # A hotkey callback may be running the controller this instant (it never waits, so
        # this wait is short); after this, act_now does nothing.
        held = self._controller_busy.acquire(timeout=2.0)
        try:
            self.controller.shutdown(end_stream=end_stream)
            self.armed.release()  # the user's own stream settings, unless OBS still streams
        finally:
            if held:
                self._controller_busy.release()
        # A short grace for the "ended" post; the thread is a daemon, so this is the only wait.
        self.notifications.close(timeout=1.0)
        self._flush_publish()
        self.log_handler.flush_to_obs()

    def send_test_notification(self) -> None:
        """The panel's "Send a test notification" button (queued: no wait here)."""
        self.notice = (self.notifications.send_test(), "error" if self.notifications.problem else "info")

    # --- commands from buttons, hotkeys (any thread) --------------------------

    def go_live(self, *, start_streaming: Optional[bool] = None, origin: str = "panel") -> None:
        """Go live (or only prepare, with ``start_streaming=False``) from the panel's settings."""
        if self.controller.state is State.READY:
            # Prepared, or recovered after a restart: continue with that stream.
            if start_streaming is not False:
                self.controller.resume()
            return
        try:
            request = self.config.request(start_streaming=start_streaming)
        except LivestreamError as exc:
            self.notice = (str(exc), "error")
            log.error("%s", exc)
            return
        self.notice = ("", "info")
        request.origin = origin
        if start_streaming is False:
            self.controller.prepare(request)
        else:
            self.controller.go_live(request)

    def _go_live_armed(self) -> None:
        """OBS was started from outside (its button, obs-websocket, a Stream Deck) while armed."""
        name = self.config.provider
        try:
            name = self.config.provider_class().display_name
        except LivestreamError:
            pass
        log.info("Armed: OBS was started from outside obs-livestream; going live through %s", name)
        self.go_live(origin="armed")

    def end_stream(self) -> None:
        self.controller.end()

    def end_all(self) -> None:
        """The "End all open streams" button: the go-live, if any, and every earlier stream."""
        self.controller.end_all()

    def pending_line(self) -> str:
        """e.g. "1 earlier stream still open on TP Streams: ending it (retrying in 30 s)"."""
        pending = self.controller.pending
        return secrets.redact(pending.summary()) if pending is not None else ""

    def _open_streams(self) -> list[dict[str, Any]]:
        """The earlier streams pending ends is still ending, from memory (for the dock)."""
        return open_stream_views(self.controller.pending)

    def _provider_for_entry(self, entry: LedgerEntry) -> Any:
        """A client for an earlier stream's provider, with the panel's credentials for it."""
        return self.config.build_provider(entry.provider, base_url=entry.api_base_url)

    def refresh_status(self) -> None:
        self.controller.refresh()

    def run_task(self, description: str, fn: Callable[[], Any], on_result: Callable[[Any], None]) -> None:
        """Run ``fn`` on the worker; ``on_result`` runs later on the timer."""
        self.notice = (f"{description}...", "info")

        def done(result: Any, error: Optional[BaseException]) -> None:
            self.tasks.put((on_result, result, error))

        self.worker.submit(fn, done)

    def _provider_or_notice(self) -> Optional[Any]:
        """The provider client from the panel, or None with the reason on the status line."""
        try:
            return self.config.build_provider()
        except LivestreamError as exc:
            self.notice = (str(exc), "error")
            return None

    def test_credentials(self) -> None:
        provider = self._provider_or_notice()
        if provider is None:
            return
        name = provider.display_name

        def ok(_: Any) -> None:
            self.notice = (f"{name} accepted the credentials", "info")
            log.info("%s accepted the credentials", name)

        self.run_task(f"Checking the {name} credentials", provider.check_credentials, ok)

    def fetch_scheduled(self) -> None:
        provider = self._provider_or_notice()
        if provider is None:
            return

        def got(streams: list) -> None:
            from ..models import StreamStatus

            self.scheduled = [
                (s.id, f"{s.title or s.id} ({s.scheduled_start:%Y-%m-%d %H:%M})" if s.scheduled_start
                 else f"{s.title or s.id}")
                for s in streams
                if s.status is StreamStatus.NOT_STARTED and not s.ingest_ready
            ]
            self.notice = (f"{len(self.scheduled)} scheduled stream(s) found", "info")

        self.run_task("Fetching the scheduled streams", provider.list, got)

    # --- OBS events -------------------------------------------------------

    def on_frontend_event(self, event: int) -> None:
        if event == obs.OBS_FRONTEND_EVENT_STREAMING_STARTING:
            self.armed.starting(active=self.controller.state.is_active)
        elif event == obs.OBS_FRONTEND_EVENT_STREAMING_STARTED:
            self._reconnecting = False
            self.armed.started()
            self.controller.streaming_started()
        elif event == obs.OBS_FRONTEND_EVENT_STREAMING_STOPPING:
            self._stop_asked = True  # only a stop someone asked for has one; a failure only STOPPED
        elif event == obs.OBS_FRONTEND_EVENT_STREAMING_STOPPED:
            self.armed.stopped()
            # Only a stop someone asked for has STOPPING first; without it the output failed, and
            # OBS's giving up on a reconnect leaves no last error: say so, for recovery by itself.
            error = None if self._stop_asked else (self._output_error() or UNASKED_STOP)
            self._stop_asked = False
            self.controller.streaming_stopped(error)
        elif event == obs.OBS_FRONTEND_EVENT_RECORDING_STOPPED:
            saved = self.recording.on_frontend_event(event)
            if saved:
                self.notice = (saved, "info")
                self._publish_due = True  # the file's name goes out with the session
        elif event == obs.OBS_FRONTEND_EVENT_SCRIPTING_SHUTDOWN:
            # OBS is exiting and stops streaming without telling scripts.
            self.shutdown(end_stream=bool(self.config.end_on_exit))

    # No output signal handlers: OBS calls Python signal callbacks on the output's own
    # thread and swaps its global "current script" there, which races with the timer
    # and the UI thread (OBS died after a stop in our tests with them connected). The
    # same facts are read from OBS threads instead: the stop reason when STOPPED
    # arrives, and reconnecting from the timer.

    def _output_error(self) -> Optional[str]:
        """Why the stream output stopped, if it failed (OBS's own words), on the UI thread."""
        output = obs.obs_frontend_get_streaming_output()
        if output is None:
            return None
        try:
            return obs.obs_output_get_last_error(output) or None
        finally:
            obs.obs_output_release(output)

    def _watch_reconnect(self) -> None:
        """From the timer, about once a second while live: has OBS started or ended a reconnect?"""
        now = time.monotonic()
        if self.controller.state is not State.LIVE or now - self._reconnect_checked < 1.0:
            return
        self._reconnect_checked = now
        output = obs.obs_frontend_get_streaming_output()
        if output is None:
            return
        try:
            reconnecting = bool(obs.obs_output_reconnecting(output))
        finally:
            obs.obs_output_release(output)
        if reconnecting != self._reconnecting:
            self._reconnecting = reconnecting
            if reconnecting:
                self.controller.streaming_reconnecting()
            else:
                self.controller.streaming_reconnected()

    # --- internals ----------------------------------------------------------

    def _recover(self) -> None:
        """At load: resume (or offer to end) the go-live an earlier run left, and hand
        every other stream it left open (OBS killed mid-create, say) to pending ends."""
        record = self.ledger.resumable(OWNER)
        if self.controller.pending is not None:
            self.controller.pending.adopt_orphans(OWNER, keep=record.entry_id if record else None)
        if record is None:
            return
        try:
            provider = self.config.build_provider(record.provider, base_url=record.api_base_url)
        except LivestreamError as exc:
            self.notice = (
                f"A {record.provider} stream ({record.stream_id}) from before is still open, but: {exc}",
                "error",
            )
            log.error("%s", self.notice[0])
            return
        log.info("Found the stream %s from an earlier session", record.stream_id)
        self.controller.recover(record, provider)

    def _resume_recovery(self) -> None:
        """At load: the new stream a recovery had due when the script was reloaded (or OBS crashed)."""
        end = self.schedule.scheduler.end
        resume_at_load(self.controller, now=time.time(), armed=bool(self.config.arm_on_start),
                       in_class=end is not None, class_end=end.end_at if end is not None else None,
                       build_provider=self.config.build_provider, request_now=self.config.request)

    def _drain_tasks(self) -> None:
        while True:
            try:
                on_result, result, error = self.tasks.get_nowait()
            except queue.Empty:
                return
            if error is not None:
                text = str(error) if isinstance(error, LivestreamError) else f"Unexpected error: {error}"
                self.notice = (secrets.redact(text), "error")
                log.error("%s", text)
            else:
                on_result(result)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        previous = self._snapshot_seen
        self._snapshot_seen = snapshot
        # Published at the end of the tick, once: a go-live passes READY and STARTING in
        # one tick, and each write (with its fsync) would come before OBS is asked to start.
        self._publish_due = True
        if previous is None or previous.state is not snapshot.state or previous.message != snapshot.message:
            self.notice = ("", "info")
            level = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}[snapshot.level]
            # The controller logs each change of state with its message ("live -> ending: ..."):
            # an info line saying it again doubled the script log, which OBS keeps whole in
            # memory (``ScriptLogWindow::AddLogMsg`` appends every line to one string, in
            # https://github.com/obsproject/obs-studio/blob/29.0.2/UI/frontend-plugins/frontend-tools/scripts.cpp).
            if previous is None or previous.state is snapshot.state or level > logging.INFO:
                log.log(level, "[%s] %s", snapshot.state.value, snapshot.message or snapshot.state.label)
            if snapshot.state is State.LIVE and (snapshot.playback_url or snapshot.chat_url):
                log.info("Playback: %s  Chat: %s", snapshot.playback_url or "-", snapshot.chat_url or "-")
            if snapshot.state in (State.ENDED, State.FAILED):
                memtrace.dump(snapshot.state.value)  # debugging only: off unless its variable is set

    def _flush_publish(self) -> None:
        if self._publish_due:
            self._publish_due = False
            self._publish(self.controller.snapshot)

    def _publish(self, snapshot: Snapshot) -> None:
        """Expose the session to obs-websocket clients (``livestream.session.bridge``).

        Only when it changed: the controller re-emits the same snapshot once a second while
        a go-live is active (for the panel's elapsed time), and readers compute the elapsed
        time from ``state_since``, so the file is written as often as the session changes."""
        schedule = self.schedule.view()
        # The schedule is part of what is published: its answers to remote requests travel here.
        shown = (snapshot, self.dock.url, json.dumps(schedule, sort_keys=True, default=str), self.recording.last)
        if shown == self._published:
            return
        self._published = shown
        self._publish_seq += 1
        data = bridge.encode(snapshot, seq=self._publish_seq, monotonic_now=time.monotonic())
        data["message"] = secrets.redact(data.get("message") or "")
        data["status_line"] = secrets.redact(data.get("status_line") or "")
        data["dock_url"] = self.dock.url  # holds the dock's token: the CLI shows it only with --show-secrets
        data["schedule"] = schedule
        data["safety_recording"] = self.recording.last  # the last file saved, or where to find it
        try:
            profile.write_persistent_slot(bridge.SLOT, data)
        except OSError as exc:
            log.warning("Could not publish the session for remote clients: %s", exc)

    def status(self) -> tuple[str, str]:
        """The status line and its level, for the panel."""
        text, level = self.notice
        if text:
            return secrets.redact(text), level
        snapshot, now = self.controller.snapshot, time.monotonic()
        line = snapshot.status_line(now)
        if snapshot.state is State.LIVE and snapshot.provider_status:
            # What the provider says, and how fresh that is: "TP Streams: Streaming, 3 s ago".
            line += f" | {snapshot.provider or 'Provider'}: {snapshot.provider_status_line(now)}"
        # Error messages may quote a provider's reply: never show a registered secret.
        return secrets.redact(line), snapshot.level

    def write_status(self) -> None:
        """Put the status line and URLs into the panel's settings.

        Called only from UI-thread callbacks (buttons, properties) right before the
        panel refreshes: OBS's settings object has no lock, and the Scripts dialog
        reads it on the UI thread, so the timer (render thread) never writes it."""
        text, _ = self.status()
        if self.settings is not None:
            obs.obs_data_set_string(self.settings, "status", text)
            obs.obs_data_set_string(self.settings, "open_streams", self.pending_line())
            snap = self.controller.snapshot
            obs.obs_data_set_string(self.settings, "playback_url", snap.playback_url or "")
            obs.obs_data_set_string(self.settings, "chat_url", snap.chat_url or "")
            obs.obs_data_set_string(self.settings, "schedule_status", self.schedule.line())
            obs.obs_data_set_string(self.settings, "timetable_next",
                                    "\n".join(text for _, text in self.schedule.upcoming()) or "Nothing")
