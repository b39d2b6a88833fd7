"""Remote control over obs-websocket: go-live, end, status, trigger.

``go-live`` and ``end`` run the same controller as the script, with the OBS port over
obs-websocket. ``trigger`` presses the script's hotkeys and follows the session the
script publishes (``livestream.session.bridge``); ``status`` shows OBS's output, the
script's session and this machine's own go-live, whichever exist.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Optional

from .. import errors, providers, secrets
from ..dock.feed import HealthMeter
from ..errors import ConfigurationError, LivestreamError, ObsRefusedError
from ..remote.port import RemoteObsPort
from ..remote.slots import cli_claim, refuse_if_panel_busy
from ..session import bridge
from ..session.controller import Controller
from ..session.ledger import Ledger, LedgerEntry
from ..session.request import GoLiveRequest, Policies
from ..session.states import State
from ..session.worker import Worker
from ..simulcast import TargetState
from .common import (
    add_provider_arguments,
    add_simulcast_argument,
    add_stream_options,
    build_provider,
    provider_name,
    seconds,
    simulcast_targets,
    stream_options,
)
from .connection import add_obs_arguments, connect, provider_for_entry
from .ledger_commands import end_entries
from .output import emit, printable, progress, progress_done
from .schedule_commands import summary as schedule_summary
from .status_watch import published_targets, status_line, watch

HOTKEYS = {"go-live": "obs_livestream.go_live", "prepare": "obs_livestream.prepare", "end": "obs_livestream.end_stream"}
TICK = 0.1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "go-live", help="go live on OBS over obs-websocket (create, wait, set, start)",
        description="Create (or start) the provider stream, wait for its ingest, put it into OBS's stream "
        "settings over obs-websocket, start streaming and print the playback and chat URLs. Returns once "
        "live; 'end' ends it later. With --follow it stays until Ctrl-C or until OBS stops streaming, "
        "then ends the provider stream. Ctrl-C before going live cancels cleanly.",
    )
    add_obs_arguments(p)
    add_provider_arguments(p)
    p.add_argument("--title", "-t", default="", help="title of the new live stream")
    can = {what: ", ".join(c.display_name for c in providers.all_providers()
                           if getattr(c.declaration().capabilities, what)) or "no provider"
           for what in ("scheduling", "reuse")}
    p.add_argument("--scheduled", metavar="ID", help=f"start this scheduled stream ({can['scheduling']}) instead")
    p.add_argument("--stream-id", metavar="ID", help=f"reuse this existing stream ({can['reuse']}) instead")
    p.add_argument("--prepare", action="store_true", help="only fill in OBS's stream settings, do not start")
    p.add_argument("--ingest-timeout", type=seconds, default=180.0, metavar="SECONDS",
                   help="give up (and stop the provider stream) if the ingest is not ready (default 180)")
    p.add_argument("--no-restore", action="store_true", help="keep the provider's settings in OBS afterwards")
    p.add_argument("--follow", action="store_true", help="stay attached; end everything on Ctrl-C or OBS stop")
    add_stream_options(p)
    add_simulcast_argument(p)
    p.set_defaults(func=cmd_go_live)

    p = sub.add_parser(
        "end", help="end the live stream: stop OBS, end the provider stream, restore settings",
        description="Stop OBS streaming, end the provider stream and restore the previous stream settings, "
        "for a go-live started by 'go-live' from this machine or by the script inside OBS. "
        "Harmless when nothing is live.",
    )
    add_obs_arguments(p)
    p.add_argument("--api-base-url", metavar="URL", help="the provider API's origin (default: as when started)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_end)

    p = sub.add_parser("status", help="OBS's stream status and the live session, wherever it was started",
                       description="Show OBS's stream output status, the session of the script inside OBS "
                       "(if loaded) and a go-live started from this machine, with its provider status.")
    add_obs_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--watch", action="store_true", help="redraw every second until Ctrl-C")
    p.add_argument("--hosts", metavar="FILE", type=Path,
                   help="every room in FILE at once, one line each (see docs/remote-and-cli.md)")
    p.add_argument("--show-secrets", action="store_true",
                   help="also show the status dock's URL (it carries the token that lets it start and end streams)")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("trigger", help="press the script's go-live / prepare / end hotkey and follow it",
                       description="Press one of the script's hotkeys in OBS over obs-websocket and follow "
                       "the script's session until it succeeds or fails, with the reason.")
    add_obs_arguments(p)
    p.add_argument("action", choices=sorted(HOTKEYS), help="which hotkey to press")
    p.add_argument("--wait", type=seconds, default=240.0, metavar="SECONDS", help="give up after (default 240)")
    p.add_argument("--json", action="store_true", help="print the final session as JSON")
    p.add_argument("--hosts", metavar="FILE", type=Path,
                   help="press it in every room in FILE at once, one line each (see docs/remote-and-cli.md)")
    p.set_defaults(func=cmd_trigger)


def _owner(client: Any) -> str:
    """This machine's name, in the ledger, for go-lives it runs on that OBS."""
    return "remote:" + re.sub(r"[^A-Za-z0-9.:-]+", "-", f"{client.host}:{client.port}")


class _Session:
    """A controller over obs-websocket, ticked by this process."""

    def __init__(self, client: Any, policies: Policies) -> None:
        self.port = RemoteObsPort(client)
        self.owner = _owner(client)
        self.ledger = Ledger()
        self.controller = Controller(self.port, policies=policies, ledger=self.ledger, worker=Worker(),
                                     owner=self.owner, provider_for=provider_for_entry)
        self.port.attach(self.controller)
        from ..notify.glue import Notifications  # OBS_LIVESTREAM_NOTIFY_URLS; posts on its own thread

        # go-live checked the thresholds first; an 'end' is never refused over one
        self.notifications = Notifications.from_env(strict=False)
        self.controller.add_listener(self.notifications.observe)
        self._meter = HealthMeter()
        self._last_line = ""
        self._obs_watch: Any = None

    def run_until(self, done: set[State], *, timeout: Optional[float] = None) -> State:
        """Tick until the state is in ``done``, printing progress; Ctrl-C ends cleanly."""
        started = time.monotonic()
        interrupted = False
        while True:
            try:
                if self._obs_watch is not None:
                    self._obs_watch.check()
                self.controller.tick()
                self.notifications.watch(health_of=self._health, open_streams=self._open_streams)
                snap = self.controller.snapshot
                line = snap.status_line(time.monotonic())
                if line != self._last_line:
                    progress(line)
                    self._last_line = line
                if snap.state in done or snap.state is State.FAILED:
                    progress_done()
                    return snap.state
                if timeout is not None and time.monotonic() - started > timeout:
                    progress_done()
                    return snap.state
                time.sleep(TICK)
            except KeyboardInterrupt:
                if interrupted:
                    raise  # a second Ctrl-C: leave now; the record stays for 'end'
                interrupted = True
                progress_done()
                progress("Interrupted: ending cleanly (Ctrl-C again to leave it for 'end')")
                self.controller.end()
                done = {State.ENDED, State.IDLE}

    def _health(self) -> Optional[dict[str, Any]]:
        """OBS's output health over obs-websocket, for the dropped-frames alert (once a second)."""
        try:
            return self._meter.sample_stream_status(time.monotonic(), self.port.client.stream_status())
        except LivestreamError:
            return None  # OBS not answering: the go-live's own state says so

    def _open_streams(self) -> list[dict[str, Any]]:
        """The earlier streams this go-live's pending ends still holds, for the open-stream alert."""
        from ..notify.alerts import open_stream_views

        return open_stream_views(self.controller.pending)

    def close(self) -> None:
        if self.controller.claim is not None:
            try:  # leaving (live, or Ctrl-C twice): the claim is not left to expire
                self.controller.claim.release()
            except LivestreamError:
                pass  # OBS is gone: the claim lapses by itself
        self.port.detach()
        self.controller.worker.stop()
        self.notifications.close(timeout=15.0)  # a CLI may wait: let "live"/"ended" go out

    def watch_obs(self) -> None:
        """From now on, OBS unreachable for a few seconds counts as its stream stopped (``obs_lost``)."""
        from .obs_lost import LostObsWatch

        self._obs_watch = LostObsWatch(self.port.client, self.controller, say=progress)


def cmd_go_live(args: argparse.Namespace) -> int:
    name = provider_name(args)
    mode = "scheduled" if args.scheduled else "existing" if args.stream_id else "new"
    if mode == "new" and not args.title.strip():
        raise ConfigurationError("A title is needed for a new live stream", hint="pass --title")
    from ..notify.alerts import Thresholds

    Thresholds.from_env(os.environ)  # a bad OBS_LIVESTREAM_NOTIFY_* value: exit 2 before any provider call
    with contextlib.ExitStack() as cleanup:  # closed in reverse: session, OBS connection, provider
        provider = cleanup.enter_context(build_provider(args))
        request = GoLiveRequest(
            provider=provider, mode=mode, title=args.title.strip(), stream_id=args.scheduled or args.stream_id,
            options=stream_options(args, name), start_streaming=False if args.prepare else True, origin="remote",
            simulcast=simulcast_targets(args, provider),
        )
        client = connect(args)
        cleanup.callback(client.close)
        existing = Ledger().resumable(_owner(client))
        if existing is not None and not existing.restore_pending:
            raise ObsRefusedError(
                f"A go-live from this machine is still open ({existing.provider} stream {existing.stream_id})",
                hint="run 'obs_livestream.py end' first",
            )
        refuse_if_panel_busy(client)
        session = _Session(client, Policies(ingest_timeout=args.ingest_timeout,
                                            restore_previous=not args.no_restore))
        cleanup.callback(session.close)
        # One go-live at a time on this OBS: the script's and other machines' honour it too.
        session.port.claim = session.controller.claim = cli_claim(client)
        session.controller.go_live(request)
        target = {State.READY} if args.prepare else {State.LIVE}
        state = session.run_until(target | {State.ENDED})
        snap = session.controller.snapshot
        if state is State.FAILED:
            raise snap.error or LivestreamError(snap.message)
        if state is State.ENDED:
            print("Cancelled; the provider stream was ended and the stream settings restored.")
            return 130
        emit(_summary(snap), as_json=args.json)
        if args.follow and state is State.LIVE:
            session.watch_obs()  # OBS killed under us must not leave the provider stream open
            state = session.run_until({State.ENDED, State.READY})
            if state is State.FAILED:
                raise session.controller.snapshot.error or LivestreamError(session.controller.snapshot.message)
            print(printable(session.controller.snapshot.message or "Ended"))
        return 0


def cmd_end(args: argparse.Namespace) -> int:
    client = connect(args)
    try:
        record = Ledger().resumable(_owner(client))
        if record is not None:
            return _end_own(args, client, record)
        published = bridge.read(client)
        if published and (State(published["state"]).is_active or published.get("open_streams")):
            # The script's go-live, or earlier streams the script is still ending: its End acts on both.
            args.action, args.wait = "end", 120.0
            return _trigger(args, client)
        if any(not e.made_by_hand for e in Ledger().unsettled()):  # not the streams 'create' made
            return end_entries(Ledger(), None, api_base_url=args.api_base_url, as_json=args.json,
                               keep_made_by_hand=True)
        message = "Nothing is live"
        if client.is_streaming():
            message += " through obs-livestream (OBS is streaming something else; stop it in OBS)"
        emit({"state": "idle", "message": message}, as_json=args.json)
        return 0
    finally:
        client.close()


def _end_own(args: argparse.Namespace, client: Any, record: LedgerEntry) -> int:
    provider = provider_for_entry(record, args.api_base_url)
    session = _Session(client, Policies())
    try:
        session.controller.recover(record, provider)
        session.controller.end()
        # IDLE: the record held only the user's settings to put back (its stream already ended).
        state = session.run_until({State.ENDED, State.IDLE})
        snap = session.controller.snapshot
        if state is State.FAILED:
            raise snap.error or LivestreamError(snap.message)
        emit(_summary(snap), as_json=args.json)
        return 0
    finally:
        session.close()
        provider.close()


def cmd_status(args: argparse.Namespace) -> int:
    if args.hosts is not None:
        from . import rooms

        return rooms.run(rooms.load_rooms(args.hosts, args.obs_timeout), as_json=args.json, watch=args.watch)
    client = connect(args)
    if args.watch:
        try:
            return watch(client, show_secrets=args.show_secrets)
        finally:
            client.close()
    try:
        obs_status = client.stream_status()
        obs_version = client.obs_version()
        published = bridge.read(client)
        ledger = Ledger()
        record = ledger.resumable(_owner(client))
        unsettled = ledger.unsettled()
    finally:
        client.close()
    result: dict[str, Any] = {
        "obs": {
            "version": obs_version,
            "streaming": bool(obs_status.get("outputActive")),
            "reconnecting": bool(obs_status.get("outputReconnecting")),
            "duration": obs_status.get("outputTimecode"),
            "bytes": obs_status.get("outputBytes"),
        },
        "script_session": _published_view(published) if published else None,
        "remote_session": None,
        # The script's scheduled go-live and the set end of the current one (schedule_commands).
        "schedule": _schedule_summary(published),
        # Streams not yet confirmed ended: the script's (inside OBS) and this machine's ledger.
        "open_streams": _open_streams(published, unsettled),
    }
    if record is not None:
        view: dict[str, Any] = {"provider": record.provider, "stream_id": record.stream_id, "state": record.state,
                                "playback_url": record.playback_url, "chat_url": record.chat_url,
                                "simulcast": [TargetState.from_dict(t).describe() for t in record.targets]}
        try:
            with provider_for_entry(record) as provider:
                view["provider_status"] = provider.get(record.stream_id).provider_status
        except LivestreamError as exc:
            view["provider_status"] = f"unknown ({exc})"
        result["remote_session"] = view
    if not result["script_session"] and not result["remote_session"]:
        result["message"] = "No obs-livestream session is active"
    if result["open_streams"]:
        count = len(result["open_streams"])
        result["message"] = (f"{count} provider stream{'s' if count > 1 else ''} not yet confirmed ended: "
                             "'obs_livestream.py end' (or 'ledger end --all') ends them")
    if args.show_secrets and published and published.get("dock_url"):
        result["dock_url"] = published["dock_url"]
    emit(result, as_json=args.json, reveal=args.show_secrets)
    return 0


def cmd_trigger(args: argparse.Namespace) -> int:
    if args.hosts is not None:
        from . import hosts, rooms

        return hosts.run(rooms.load_rooms(args.hosts, args.obs_timeout),
                         lambda client: follow_trigger(client, args.action, args.wait, show=False),
                         wait=args.wait, as_json=args.json)
    client = connect(args)
    try:
        return _trigger(args, client)
    finally:
        client.close()


def _trigger(args: argparse.Namespace, client: Any) -> int:
    code, result = follow_trigger(client, args.action, args.wait)
    if code == 0:
        emit(result, as_json=args.json)
    else:
        print(f"error: {printable(result['error'])}", file=sys.stderr)
    return code


def follow_trigger(client: Any, action: str, wait: float, *, show: bool = True) -> tuple[int, dict[str, Any]]:
    """Press ``action``'s hotkey and follow the script's session: (0, the session) when it
    succeeded, (exit code, {"error": why}) when the go-live failed. Raises when the script
    is not loaded, did not react or took longer than ``wait``. ``show``: progress on stderr."""
    hotkey = HOTKEYS[action]
    names = {h.get("hotkeyName") if isinstance(h, dict) else h for h in client.call("GetHotkeyList").get("hotkeys", [])}
    if hotkey not in names:
        raise ObsRefusedError("The obs-livestream script is not loaded in OBS",
                              hint="add obs_livestream.py in OBS under Tools > Scripts")
    before = bridge.read(client) or {}
    client.trigger_hotkey(hotkey)
    success = {"go-live": {"live"}, "prepare": {"ready"}, "end": {"ended", "idle"}}[action]
    ending_earlier = action == "end" and not State(before.get("state") or "idle").is_active
    started, last_line, reacted = time.monotonic(), "", False
    while time.monotonic() - started < wait:
        data = bridge.read(client) or {}
        if data.get("seq") != before.get("seq"):
            reacted = True
        line = status_line(data, time.time())  # the script publishes changes, not every second
        if show and reacted and line and line != last_line:
            progress(line)
        last_line = line if reacted and line else last_line
        state = data.get("state")
        # End with nothing live ends the earlier streams still open: done when none is left.
        still_open = ending_earlier and bool(data.get("open_streams"))
        if reacted and state in success and not still_open:
            if show:
                progress_done()
            return 0, _published_view(data)
        failed_now = state == "failed" and (
            before.get("state") != "failed" or data.get("state_since") != before.get("state_since")
        )
        if reacted and failed_now:
            if show:
                progress_done()
            error_cls = getattr(errors, data.get("error_type") or "", LivestreamError)
            return getattr(error_cls, "exit_code", 1), {"error": secrets.redact(data.get("message") or "failed")}
        if not reacted and time.monotonic() - started > 10:
            break
        time.sleep(0.25)
    if show:
        progress_done()
    if not reacted:
        raise ObsRefusedError("The obs-livestream script did not react to the hotkey",
                              hint="check the script log in OBS (Tools > Scripts > Script Log)")
    raise errors.SessionError(f"Gave up after {int(wait)} s; last state: {last_line or 'unknown'}")


def _open_streams(published: Optional[dict[str, Any]], unsettled: list[LedgerEntry]) -> list[dict[str, Any]]:
    """Open streams, each once: what the script published, then this machine's ledger."""
    seen: dict[str, dict[str, Any]] = {}
    for item in (published or {}).get("open_streams") or []:
        if isinstance(item, dict) and item.get("entry_id"):
            seen[item["entry_id"]] = {k: item.get(k) for k in _OPEN_KEYS}
    for entry in unsettled:
        if entry.state in ("ending", "end-failed"):
            seen.setdefault(entry.entry_id, {k: entry.public_view().get(k) for k in _OPEN_KEYS})
    return list(seen.values())


_OPEN_KEYS = ("entry_id", "provider", "stream_id", "title", "state", "last_error", "retry_in")


def _schedule_summary(published: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    return schedule_summary((published or {}).get("schedule"))


def _published_view(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("state", "status_line", "provider", "stream_id", "title", "provider_status", "playback_url",
            "chat_url", "recording_url")
    return {**{k: data.get(k) for k in keys}, "targets": published_targets(data.get("targets"))}


def _summary(snap: Any) -> dict[str, Any]:
    return {"state": snap.state.value, "message": snap.message, "provider": snap.provider,
            "stream_id": snap.stream_id, "title": snap.title, "playback_url": snap.playback_url,
            "chat_url": snap.chat_url, "recording_url": snap.recording_url,
            "simulcast": [TargetState.from_dict(t).describe() for t in snap.targets]}
