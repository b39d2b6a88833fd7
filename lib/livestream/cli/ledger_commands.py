"""``ledger``: the provider streams obs-livestream created or started, and ending them without OBS.

    python obs_livestream.py ledger [--json] [--all]
    python obs_livestream.py ledger end ID       # an entry id or a provider stream id
    python obs_livestream.py ledger end --all    # every stream not yet confirmed ended

The ledger lives in this machine's state folder (``livestream.session.ledger``); the
script inside OBS and the remote commands write it. Ending uses the credentials in the
environment (as the provider commands do), so it works when OBS is closed or gone.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from typing import Any, Optional

from ..errors import ConfigurationError, LivestreamError
from ..session.ledger import Ledger, LedgerEntry
from ..session.pending import PendingEnds
from ..session.worker import InlineWorker
from .connection import provider_for_entry
from .output import emit

#: Rounds of attempts ``ledger end`` makes (finding a lost create's stream, then ending it).
_ROUNDS = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ledger", help="list the provider streams obs-livestream created, or end the ones still open",
        description="Every provider stream obs-livestream created or started on this machine (from the panel, "
        "a hotkey, the remote commands, or this CLI's create and start), from before its create until "
        "the provider confirmed its end. "
        "Streams whose end failed are retried by the script while OBS runs; 'ledger end' ends them now, "
        "without OBS, with the credentials in the environment.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--all", dest="show_all", action="store_true",
                   help="also list streams already confirmed ended (kept for a day, the newest 20)")
    p.set_defaults(func=cmd_ledger)
    actions = p.add_subparsers(dest="ledger_action", metavar="ACTION")
    e = actions.add_parser("end", help="end a stream still open (or all of them) at its provider",
                           description="End one stream still open (by entry id or provider stream id), or "
                           "with --all every stream not yet confirmed ended, including one a running "
                           "OBS is live on.")
    target = e.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", metavar="ID", help="the entry id or the provider stream id")
    target.add_argument("--all", dest="end_all", action="store_true", help="every stream not yet confirmed ended")
    e.add_argument("--api-base-url", metavar="URL", help="the provider API's origin (default: as when created)")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=cmd_ledger_end)


def cmd_ledger(args: argparse.Namespace) -> int:
    entries = Ledger().entries()
    if not args.show_all:
        entries = [e for e in entries if not e.settled]
    if args.json:
        emit({"entries": [e.public_view() for e in entries]}, as_json=True)
        return 0
    if not entries:
        print("No provider stream is open." if not args.show_all else "The ledger is empty.")
        return 0
    for e in entries:
        print(_line(e))
    return 0


def cmd_ledger_end(args: argparse.Namespace) -> int:
    return end_entries(Ledger(), None if args.end_all else args.id, api_base_url=args.api_base_url,
                       as_json=args.json)


def end_entries(ledger: Ledger, key: Optional[str], *, api_base_url: Optional[str], as_json: bool,
                keep_made_by_hand: bool = False) -> int:
    """End the entry ``key`` (entry or stream id), or every unsettled one (``keep_made_by_hand``:
    but the streams 'create' made, which only the user ends); print the outcome."""
    if key is not None:
        entry = ledger.find(key)
        if entry is None:
            raise ConfigurationError(f"No stream {key!r} in the ledger", hint="'obs_livestream.py ledger' lists them")
        if entry.settled:
            emit({"message": f"{entry.label()} is already ended", "entries": [entry.public_view()]}, as_json=as_json)
            return 0
        targets = [entry]
    else:
        targets = [e for e in ledger.unsettled() if not (keep_made_by_hand and e.made_by_hand)]
        if not targets:
            emit({"message": "No provider stream is open", "entries": []}, as_json=as_json)
            return 0
    ids = {e.entry_id for e in targets}
    now = time.time()
    for entry in targets:
        ledger.update(entry.entry_id, state="end-failed" if entry.state == "end-failed" else "ending",
                      next_attempt_at=now)

    def provider_for(entry: LedgerEntry) -> Any:
        return provider_for_entry(entry, api_base_url)

    pending = PendingEnds(ledger, InlineWorker(), provider_for, is_held=lambda entry_id: entry_id not in ids)
    try:
        for _ in range(_ROUNDS):
            pending.end_all_now()
            pending.tick()  # attempts (the inline worker answers at once)
            pending.tick()  # applies the answers
            if not any(not e.settled for e in ledger.entries() if e.entry_id in ids):
                break
    finally:
        pending.close()
    after = [e for e in ledger.entries() if e.entry_id in ids]
    left = [e for e in after if not e.settled]
    for e in after:
        if not as_json:
            print(_line(e))
    if as_json:
        emit({"entries": [e.public_view() for e in after]}, as_json=True)
    if left:
        failure = pending.last_failure
        if not as_json:
            print(f"{len(left)} stream(s) still open; the script retries them while OBS runs, or run this again.")
        return failure.exit_code if isinstance(failure, LivestreamError) else 4
    return 0


def _line(e: LedgerEntry) -> str:
    when = datetime.fromtimestamp(e.created_at).strftime("%Y-%m-%d %H:%M")
    text = f"{e.entry_id}  {e.state:<10}  {e.label()}  [{e.origin}, {when}]"
    if e.last_error and not e.settled:
        text += f"\n    last error: {e.last_error}"
    return text
