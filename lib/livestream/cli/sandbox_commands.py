"""``sandbox``: run the built-in local provider (TP Streams- and FastPix-compatible APIs
in front of a real nginx-rtmp ingest) until Ctrl-C."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sandbox", help="run the local sandbox provider (APIs + real RTMP ingest + HLS)",
        description="Run a local TP Streams- and FastPix-compatible provider on loopback, with a real "
        "RTMP ingest (nginx-rtmp) and HLS playback, until Ctrl-C. Prints its URLs and demo credentials.",
    )

    def run(args: argparse.Namespace) -> int:
        from ..sandbox import cli

        return cli.run(args)

    from ..sandbox import cli as sandbox_cli

    sandbox_cli.add_arguments(p)
    p.set_defaults(func=run)
