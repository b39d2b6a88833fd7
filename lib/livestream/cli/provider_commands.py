"""Provider commands: providers, create, get, list, start, wait, stop, delete.

They talk to the provider's API only (no OBS). A stream ``create`` (or ``start``) makes
is in this machine's ledger until ``stop`` or ``delete`` confirms its end, so ``ledger``
lists it and ``ledger end --all`` ends it. Credentials come from the
environment variables each provider declares; stream keys and passphrases are masked
unless ``--show-secrets``. Help texts name the providers from their declarations.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from typing import Any, Optional

from .. import providers
from ..errors import ConfigurationError, IngestTimeoutError, LivestreamError, may_have_been_carried_out
from ..models import LiveStream
from ..providers.base import Provider
from ..session.ledger import MADE_BY_HAND, Ledger, LedgerEntry, new_entry_id
from ..session.noted import note_answer
from ..session.record import put_new
from ..simulcast import add_all, end_with_targets
from .common import (
    add_provider_arguments,
    add_simulcast_argument,
    add_stream_options,
    build_provider,
    parse_start,
    seconds,
    simulcast_targets,
    stream_options,
)
from .output import emit, progress, progress_done, table


def credentials_help() -> str:
    """Which environment variables each provider reads its credentials from."""
    parts = []
    for cls in providers.all_providers():
        decl = cls.declaration()
        names = ", ".join(f.env for f in decl.credential_fields) or "none needed"
        note = f" ({decl.credentials_note})" if decl.credentials_note else ""
        parts.append(f"{decl.display_name}: {names}{note}")
    return "Credentials come from the environment: " + "; ".join(parts) + "."


def _can(what: str) -> str:
    """The display names of the providers with a capability ("TP Streams")."""
    return ", ".join(cls.display_name for cls in providers.all_providers()
                     if getattr(cls.declaration().capabilities, what)) or "no provider"


def register(sub: argparse._SubParsersAction) -> None:
    CREDENTIALS_HELP = credentials_help()  # noqa: N806 - built once per parser, from the registry
    scheduling = _can("scheduling")
    # One sentence per provider: "Mux Video signals Mux that the broadcast is complete."
    endings = " ".join(f"{cls.display_name} {cls.declaration().capabilities.ending}."
                       for cls in providers.all_providers())
    p = sub.add_parser("providers", help="list the supported providers",
                       description="List the supported providers and what they can do.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_providers)

    p = sub.add_parser("create", help="create a live stream (or schedule one with --start)",
                       description=f"Create a live stream now, or schedule one ({scheduling}) with --start. "
                       + CREDENTIALS_HELP)
    add_provider_arguments(p)
    p.add_argument("--title", "-t", required=True, help="the stream's title")
    p.add_argument("--start", type=parse_start, metavar='"YYYY-MM-DD HH:MM:SS"',
                   help=f"schedule instead of starting now ({scheduling}; start it later with 'start ID')")
    add_stream_options(p)
    add_simulcast_argument(p)
    p.set_defaults(func=cmd_create)

    for name, func, text, more in (
        ("get", cmd_get, "show one live stream", ""),
        ("start", cmd_start, f"start the server of a scheduled stream ({scheduling})", ""),
        ("stop", cmd_stop, "end a live stream's broadcast", endings + " "),
        ("delete", cmd_delete, "delete a live stream for good", ""),
    ):
        p = sub.add_parser(name, help=text,
                           description=text[0].upper() + text[1:] + ". " + more + CREDENTIALS_HELP)
        add_provider_arguments(p)
        p.add_argument("stream_id", metavar="ID", help="the provider's stream ID")
        p.set_defaults(func=func)

    p = sub.add_parser("list", help="list live streams", description="List live streams. " + CREDENTIALS_HELP)
    add_provider_arguments(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("wait", help="wait until a stream's ingest (server and key) is ready",
                       description="Poll the provider until the stream's server URL and stream key are "
                       "available, with a progress line. " + CREDENTIALS_HELP)
    add_provider_arguments(p)
    p.add_argument("stream_id", metavar="ID")
    p.add_argument("--timeout", type=seconds, default=180.0, metavar="SECONDS", help="give up after (default 180)")
    p.set_defaults(func=cmd_wait)


def cmd_providers(args: argparse.Namespace) -> int:
    rows = []
    for cls in providers.all_providers():
        decl = cls.declaration()
        caps = decl.capabilities
        rows.append({
            "name": decl.name, "display_name": decl.display_name, "scheduling": caps.scheduling,
            "reuse": caps.reuse, "protocols": ", ".join(caps.protocols), "default_api": decl.default_base_url,
            "api_env": decl.base_url_env, "credentials": ", ".join(f.env for f in decl.credential_fields),
            "options": ", ".join("--" + o.cli_flag for o in decl.stream_options),
        })
    if args.json:
        emit(rows, as_json=True)
    else:
        print(table(rows, ["name", "display_name", "scheduling", "reuse", "protocols", "default_api"]))
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    with build_provider(args) as provider:
        if args.start and not provider.supports_scheduling:
            raise ConfigurationError(f"{provider.display_name} cannot schedule streams", hint="drop --start")
        if args.start and args.start <= datetime.now():
            # Scheduling is only a date on the stream: the provider boots no server at
            # that time, so a past time does not mean "start now".
            print(f"warning: --start {args.start:%Y-%m-%d %H:%M:%S} is in the past (local time). "
                  f"{provider.display_name} does not start scheduled streams by itself: run "
                  "'obs_livestream.py start ID' (or Go live with the scheduled stream) when you are ready, "
                  "or create it without --start to start it now.", file=sys.stderr)
        targets = simulcast_targets(args, provider)  # checked before anything is created
        stream, entry_id = _create_on_record(provider, args)
        shown = stream.display(reveal=args.show_secrets)
        if targets:
            states = add_all(provider, stream.id, targets)
            if entry_id is not None:
                # With the stream's entry (names and ids, no keys): 'stop' and 'ledger end'
                # remove them before the end, as a go-live's end does.
                Ledger().update(entry_id, targets=[state.to_dict() for state in states])
            shown["simulcast"] = [state.describe() + (f" [{state.target_id}]" if state.target_id else "")
                                  for state in states]
        emit(shown, as_json=args.json, reveal=args.show_secrets)
    return 0


def _create_on_record(provider: Provider, args: argparse.Namespace) -> tuple[LiveStream, Optional[str]]:
    """The create and its ledger entry's id: in this machine's ledger from before it leaves
    until 'stop' or 'delete' confirms its end: 'ledger' lists it, 'ledger end --all' ends it.
    A scheduled stream (``--start``) bills nothing until started: it is recorded by 'start'."""
    options = stream_options(args, provider.name)
    if args.start:
        return provider.create(args.title, options=options, start=args.start), None
    ledger = Ledger()
    entry = ledger_entry(ledger, provider, title=args.title, reference=new_entry_id())
    try:
        stream = provider.create(args.title, options=options, reference=entry.reference)
    except LivestreamError as exc:
        if not may_have_been_carried_out(exc):
            ledger.remove(entry.entry_id)  # the provider said no: nothing was created
        raise  # else it stays "creating": 'ledger end --all' looks for the stream and ends it
    note_answer(ledger, entry.entry_id, stream, first=True)
    return stream, entry.entry_id


def ledger_entry(ledger: Ledger, provider: Provider, **fields: Any) -> LedgerEntry:
    """A stream this CLI made or started, on disk before the request leaves (refused if it cannot be)."""
    entry = LedgerEntry(provider=provider.name, provider_display=provider.display_name, origin="cli",
                        owner=MADE_BY_HAND, api_base_url=getattr(provider, "base_url", None),
                        create_sent_at=time.time(), **fields)
    return put_new(ledger, entry)


def _ended(stream_id: str) -> None:
    """The provider confirmed the end (or the delete) of ``stream_id``: settled in the ledger."""
    ledger = Ledger()
    for entry in ledger.unsettled():
        if entry.stream_id == stream_id:
            ledger.update(entry.entry_id, state="ended", ended_at=time.time(), last_error=None)


def cmd_get(args: argparse.Namespace) -> int:
    with build_provider(args) as provider:
        stream = provider.get(args.stream_id)
        emit(stream.display(reveal=args.show_secrets), as_json=args.json, reveal=args.show_secrets)
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    with build_provider(args) as provider:
        if not provider.supports_scheduling:
            raise ConfigurationError(f"{provider.display_name} has no scheduled streams to start",
                                     hint="its streams take a broadcast as soon as they are created")
        entry = None
        if not any(e.stream_id == args.stream_id for e in Ledger().unsettled()):
            entry = ledger_entry(Ledger(), provider, stream_id=args.stream_id, state="open")
        try:
            stream = provider.start(args.stream_id)
        except LivestreamError as exc:
            if entry is not None and not may_have_been_carried_out(exc):
                Ledger().remove(entry.entry_id)  # not started: nothing to end
            raise
        emit(stream.display(reveal=args.show_secrets), as_json=args.json, reveal=args.show_secrets)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with build_provider(args) as provider:
        streams = provider.list()
    rows = [s.display(reveal=args.show_secrets) for s in streams]
    if args.json:
        emit(rows, as_json=True, reveal=args.show_secrets)
    else:
        print(table(rows, ["id", "status", "title", "scheduled_start", "ingest_ready"]) if rows else "(none)")
    return 0


def cmd_wait(args: argparse.Namespace) -> int:
    with build_provider(args) as provider:
        started = time.monotonic()
        while True:
            stream = provider.get(args.stream_id)
            waited = time.monotonic() - started
            if stream.ingest_ready:
                progress_done()
                emit(stream.display(reveal=args.show_secrets), as_json=args.json, reveal=args.show_secrets)
                return 0
            if stream.status.is_terminal:
                progress_done()
                raise ConfigurationError(f"Stream {stream.id} has ended ({stream.provider_status})",
                                         hint="create a new live stream")
            if waited >= args.timeout:
                progress_done()
                raise IngestTimeoutError(f"The {provider.display_name} server was not ready after "
                                         f"{int(args.timeout)} s", hint="try again later or stop the stream")
            progress(f"Waiting for the {provider.display_name} server... {int(waited)} s "
                     f"({stream.provider_status})")
            time.sleep(min(provider.poll_interval, max(0.1, args.timeout - waited)))


def cmd_stop(args: argparse.Namespace) -> int:
    targets = [t for e in Ledger().unsettled() if e.stream_id == args.stream_id for t in e.targets]
    with build_provider(args) as provider:
        result = end_with_targets(provider, args.stream_id, targets)  # targets 'create' added go first
    _ended(args.stream_id)  # ended now, or there was nothing to end: nothing runs either way
    emit({"id": args.stream_id, "ended": result.ended, "message": result.message}, as_json=args.json)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with build_provider(args) as provider:
        provider.delete(args.stream_id)
    _ended(args.stream_id)
    emit({"id": args.stream_id, "deleted": True}, as_json=args.json)
    return 0
