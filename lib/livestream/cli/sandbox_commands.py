"""``sandbox``: run the built-in local provider (provider-compatible APIs in front of a
real nginx-rtmp ingest) until Ctrl-C.

The sandbox is test and demo tooling in its own package, ``livestream_sandbox`` beside
``livestream`` in ``lib/``; it is imported only when this command runs, and its own parser
reads the flags (``sandbox --help`` shows them), so ``--help`` and every other command never
load it. The release bundles do not carry it.
"""

from __future__ import annotations

import argparse

from .common import checkout_only


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sandbox", add_help=False, help="run the local sandbox provider (APIs + real RTMP ingest + HLS)",
        description="Run a local provider-compatible API server on loopback, with a real RTMP ingest "
        "(nginx-rtmp) and HLS playback, until Ctrl-C. 'sandbox --help' lists its options.",
    )
    def run(args: argparse.Namespace) -> int:
        main = checkout_only("livestream_sandbox.__main__", "sandbox").main
        return main(list(args.passthrough_args), prog="obs_livestream.py sandbox")

    p.set_defaults(func=run, passthrough=True)
