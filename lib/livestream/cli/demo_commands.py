"""``demo``: go live once in a real OBS (under Xvfb) against the built-in sandbox.

The flow is in ``livestream_demo``; this only parses the options.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import providers
from .common import checkout_only


def positive_seconds(text: str) -> float:
    """``--seconds``: a number above zero, or a message that says what to type."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (e.g. --seconds 30)") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text} (e.g. --seconds 30)")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="go live in a real OBS with this script, against the built-in sandbox",
        description="Start the sandbox provider, launch OBS (under Xvfb) with obs_livestream.py loaded and "
        "pointed at it, press the script's Go live hotkey over obs-websocket, check the HLS URL plays, stream "
        "for a while (or until Ctrl-C), stop, and print a summary with each step's time and the URLs.",
    )
    names = providers.names()
    default = "tpstreams" if "tpstreams" in names else names[0]
    p.add_argument("--provider", "-p", choices=names, default=default,
                   help=f"which provider the sandbox plays (default {default})")
    p.add_argument("--seconds", "-s", type=positive_seconds, default=20.0, metavar="N",
                   help="how long to stay live, in all (default 20; Ctrl-C ends early)")
    p.add_argument("--boot-delay", type=float, default=5.0, metavar="S",
                   help="the sandbox server's boot time, for a provider that boots one "
                   "(TP Streams' real service takes 20-30 s; default 5)")
    p.add_argument("--headless", action="store_true",
                   help="run OBS under Xvfb even when a display is available")
    p.add_argument("--out", metavar="DIR", help="where to put the screenshot, logs and sandbox data; "
                   "one folder per run, the last five kept (default build/demo/ in the repository)")

    def run(args: argparse.Namespace) -> int:
        demo = checkout_only("livestream_demo", "demo")
        try:
            result = demo.run(args.provider, args.seconds, out_dir=Path(args.out) if args.out else None,
                              boot_delay=args.boot_delay, headless=args.headless)
        except demo.DemoError as exc:
            print(f"demo failed: {exc}")
            return 7
        ok = result.final_state == "ended" and result.settings_restored and bool(result.probe)
        return 0 if ok else 7

    p.set_defaults(func=run)
