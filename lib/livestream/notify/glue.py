"""``Notifications``: the one object a front end holds (the script, the CLI).

It is a controller listener (``controller.add_listener(notifications.observe)``), keeps
its targets in step with the settings (``configure``, ``thresholds``), and sends a test
message on request. The script's timer also hands it, once a second, what only OBS and
pending ends know (``watch``: OBS's output health, the open streams) and the scheduler's
alerts (``schedule_alert``). Everything slow happens on the ``Notifier``'s own thread.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Callable, Iterable, Mapping, Optional

from ..errors import ConfigurationError
from ..session.snapshot import Snapshot
from ..session.states import State
from . import alerts
from .events import DEFAULT_LIVE_TEMPLATE, EventWatcher, event_for
from .formats import parse_targets
from .sender import Notifier

log = logging.getLogger(__name__)

ENV_URLS = "OBS_LIVESTREAM_NOTIFY_URLS"
WATCH_EVERY = 1.0  # seconds between looks at the health and open streams (OBS's counters move per second)


class Notifications:
    def __init__(self, *, origin: str = "obs", **notifier_kw: Any) -> None:
        self._origin = origin
        self._notifier_kw = notifier_kw
        self._urls: Optional[str] = None
        self.template = DEFAULT_LIVE_TEMPLATE
        self.notifier = Notifier([], **notifier_kw)
        self.problem = ""  # why the URLs cannot be used, for the panel
        self._watcher = EventWatcher(self._submit, live_template=lambda: self.template, origin=origin)
        self.thresholds = alerts.Thresholds()
        self._snapshot_alerts = (alerts.ReconnectWatch(), alerts.ProviderWatch())
        self._open_watch = alerts.OpenStreamWatch()
        self._frames_watch = alerts.DroppedFramesWatch()
        self._last_snap: Optional[Snapshot] = None
        self._watched_at = float("-inf")

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, *, strict: bool = True,
                 **kw: Any) -> Notifications:
        """For the CLI's own go-lives: the URLs in ``OBS_LIVESTREAM_NOTIFY_URLS``, the alerts'
        thresholds in ``OBS_LIVESTREAM_NOTIFY_*`` (``alerts.Thresholds.from_env``). A bad value
        raises ``ConfigurationError``; with ``strict=False`` (an ``end``, which must not be
        refused over an alert setting) it is logged and the defaults are used."""
        env = os.environ if environ is None else environ
        try:
            thresholds = alerts.Thresholds.from_env(env)
        except ConfigurationError as exc:
            if strict:
                raise
            log.warning("%s; using the default alert thresholds", exc)
            thresholds = alerts.Thresholds()
        self = cls(origin="cli", **kw)
        self.thresholds = thresholds
        self.configure(env.get(ENV_URLS, ""), env.get("OBS_LIVESTREAM_NOTIFY_LIVE_TEMPLATE", ""))
        return self

    def configure(self, urls: str, template: str = "") -> None:
        """New settings; the targets are rebuilt only when the URLs changed."""
        self.template = template.strip() or DEFAULT_LIVE_TEMPLATE
        if urls == self._urls:
            return
        self._urls = urls
        try:
            targets = parse_targets(urls)
            self.problem = ""
        except ValueError as exc:
            targets, self.problem = [], str(exc)
            log.warning("%s", exc)
        old, self.notifier = self.notifier, Notifier(targets, **self._notifier_kw)
        old.close(timeout=0)
        if targets:
            log.info("notifications go to %s", ", ".join(t.name for t in targets))

    def observe(self, snap: Snapshot) -> None:
        """The controller listener: cheap, never blocks (posting is queued)."""
        self._watcher(snap)
        self._last_snap = snap
        for watch in self._snapshot_alerts:
            self._submit_all(watch(snap, self.thresholds, self._origin))

    def watch(self, *, health: Optional[Mapping[str, Any]] = None,
              open_streams: Callable[[], Iterable[Mapping[str, Any]]] = tuple,
              health_of: Optional[Callable[[], Optional[Mapping[str, Any]]]] = None) -> None:
        """From the script's timer (or the CLI's loop), about once a second: OBS's output health
        (``dock.HealthMeter``; or ``health_of``, a callable asked only then, for the CLI whose read
        is a request to OBS) and (a callable, asked only then) the earlier streams pending ends
        still holds. Posting is queued."""
        now = time.monotonic()
        if now - self._watched_at < WATCH_EVERY:
            return
        self._watched_at = now
        if health_of is not None:
            health = health_of()
        self._submit_all(self._frames_watch(health, self.thresholds, self._origin, self._last_snap))
        self._submit_all(self._open_watch(open_streams(), self.thresholds, self._origin))

    def schedule_alert(self, kind: str, text: str, *, hint: str = "") -> None:
        """The scheduler's pre-flight problem, missed go-live, or go-live refused at its time
        (``schedule_problem``/``schedule_missed``/``failed``, with ``hint``: what to do)."""
        self._submit(alerts.schedule_event(kind, text, origin=self._origin, hint=hint))

    def send_test(self) -> str:
        """The panel's "Send a test notification"; returns what to show the user."""
        if self.problem:
            return self.problem
        targets = self.notifier.targets
        if not targets:
            return "No notification URLs entered: add one per line under Notifications"
        snap = Snapshot(state=State.IDLE, since=0.0, title="Test",
                        message="Test notification from obs-livestream: notifications work.")
        self.notifier.submit(event_for("test", snap, origin=self._origin), force=True)
        return f"Sending a test notification to {', '.join(t.name for t in targets)}"

    def close(self, timeout: float = 5.0) -> None:
        self.notifier.close(timeout)

    def _submit(self, event: dict[str, Any]) -> None:
        self.notifier.submit(event)

    def _submit_all(self, events: Iterable[dict[str, Any]]) -> None:
        for event in events:
            self._submit(event)
