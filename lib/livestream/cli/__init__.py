"""``python obs_livestream.py <command>``: the command line, no OBS needed.

Each command module registers its sub-commands (``register(subparsers)``) and sets
``func`` on them; ``main`` runs the chosen one and turns errors into exit codes:

    0 ok · 2 usage or configuration · 3 the provider refused (auth, validation,
    not found) · 4 network or provider unavailable · 5 OBS unreachable or wrong
    obs-websocket password · 6 OBS refused (already streaming, linked account, start
    failed) · 7 the go-live flow failed (e.g. the ingest never became ready) ·
    130 interrupted
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from .. import __version__, paths, providers, secrets
from ..errors import LivestreamError
from . import (
    demo_commands,
    ledger_commands,
    provider_commands,
    remote_commands,
    sandbox_commands,
    schedule_commands,
)
from .output import PrintableFormatter, make_output_safe, printable

# In the order ``--help`` lists their commands.
COMMAND_MODULES = (provider_commands, remote_commands, ledger_commands, sandbox_commands, demo_commands,
                   schedule_commands)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="obs_livestream.py",
        description="Go live on a streaming provider's API "
        f"({', '.join(c.display_name for c in providers.all_providers())}) from OBS Studio. "
        "Load this file in OBS (Tools > Scripts) for the panel, or use these commands.",
        epilog="Exit codes: 0 ok, 2 usage or configuration, 3 provider refused, 4 network or provider "
        "unavailable, 5 OBS unreachable, 6 OBS refused, 7 go-live failed. "
        "Run 'obs_livestream.py COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"obs-livestream {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    # "-v" after the command too ("list -p NAME -vv"), as users type it; not set unless given.
    for command in sub.choices.values():
        command.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                             help="more log output (-vv for debug)")
    return parser


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    secrets.install_filter([handler])
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def main(argv: Optional[Sequence[str]] = None) -> int:
    make_output_safe()
    parser = build_parser()
    # A command that hands its flags to its own parser (``sandbox``) sets ``passthrough``.
    args, extra = parser.parse_known_args(argv)
    if getattr(args, "passthrough", False):
        args.passthrough_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    setup_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        paths.check_state_dir()  # a file in its place: a clear exit 2, not a traceback later
        return int(args.func(args) or 0)
    except LivestreamError as exc:
        print(f"error: {printable(secrets.redact(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
