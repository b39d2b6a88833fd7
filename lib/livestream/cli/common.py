"""Options shared by the provider commands and the remote go-live: which provider,
where its API is, its credentials (from the environment) and per-stream options."""

from __future__ import annotations

import argparse
import math
import os
from datetime import datetime
from typing import Any, Optional

from .. import providers
from ..errors import ConfigurationError
from ..providers.base import Provider

# flag dest -> (provider name, option field); the field names are the providers' Options models'.
STREAM_OPTIONS = {
    "latency": ("tpstreams", "latency"),
    "drm_recording": ("tpstreams", "enable_drm_for_recording"),
    "access_policy": ("fastpix", "access_policy"),
    "max_resolution": ("fastpix", "max_resolution"),
    "reconnect_window": ("fastpix", "reconnect_window"),
    "media_policy": ("fastpix", "media_policy"),
    "dvr": ("fastpix", "enable_dvr"),
    "recording": ("fastpix", "enable_recording"),
    "protocol": ("fastpix", "protocol"),
}


def add_provider_arguments(parser: argparse.ArgumentParser, *, json_output: bool = True) -> None:
    parser.add_argument(
        "--provider", "-p", default=os.environ.get("OBS_LIVESTREAM_PROVIDER"),
        help="tpstreams or fastpix (default: $OBS_LIVESTREAM_PROVIDER)",
    )
    parser.add_argument(
        "--api-base-url", metavar="URL",
        help="the provider API's origin, e.g. http://127.0.0.1:8080 for the sandbox "
        "(default: $TPSTREAMS_API_BASE_URL / $FASTPIX_API_BASE_URL, else the real service)",
    )
    if json_output:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--show-secrets", action="store_true", help="print stream keys and SRT passphrases in clear"
    )


def add_stream_options(parser: argparse.ArgumentParser) -> None:
    tp = parser.add_argument_group("TP Streams options")
    tp.add_argument("--latency", choices=["low", "normal"], help="'Low Latency' or 'Normal Latency'")
    tp.add_argument("--drm-recording", action="store_true", default=None, help="DRM for the recording")
    fp = parser.add_argument_group("FastPix options")
    fp.add_argument("--access-policy", choices=["public", "private"], help="playback access (default public)")
    fp.add_argument("--max-resolution", choices=["1080p", "720p", "480p"])
    fp.add_argument("--reconnect-window", type=int, metavar="SECONDS", help="0-1800 (default 60)")
    fp.add_argument("--media-policy", choices=["public", "private"], help="access to the recording")
    fp.add_argument("--dvr", action="store_true", default=None, help="enable DVR mode")
    fp.add_argument("--no-recording", dest="recording", action="store_false", default=None,
                    help="do not record the stream")
    fp.add_argument("--protocol", choices=["rtmps", "srt"], help="ingest protocol (default rtmps)")


def stream_options(args: argparse.Namespace, provider_name: str) -> dict[str, Any]:
    """The per-stream options the user set, checked against the chosen provider."""
    options: dict[str, Any] = {}
    for dest, (owner, field) in STREAM_OPTIONS.items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        if owner != provider_name:
            flag = "--" + ("no-recording" if dest == "recording" else dest.replace("_", "-"))
            raise ConfigurationError(
                f"{flag} is a {providers.get(owner).display_name} option",
                hint=f"drop it or use --provider {owner}",
            )
        if dest == "latency":
            value = {"low": "Low Latency", "normal": "Normal Latency"}[value]
        options[field] = value
    return options


def provider_name(args: argparse.Namespace) -> str:
    if not args.provider:
        raise ConfigurationError(
            "No provider chosen", hint=f"pass --provider ({' or '.join(providers.names())}) "
            "or set OBS_LIVESTREAM_PROVIDER",
        )
    providers.get(args.provider)  # unknown names get a clear message
    return args.provider


def build_provider(args: argparse.Namespace, environ: Optional[dict[str, str]] = None) -> Provider:
    """The chosen provider's client, with credentials from the environment."""
    cls = providers.get(provider_name(args))
    credentials = cls.credentials_from_env(os.environ if environ is None else environ)
    return cls(credentials, base_url=args.api_base_url or None)


def parse_start(value: str) -> datetime:
    """``--start "YYYY-MM-DD HH:MM:SS"`` as TP Streams documents it."""
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise argparse.ArgumentTypeError('use the form "YYYY-MM-DD HH:MM:SS", e.g. "2026-12-01 15:30:00"') from None


def seconds(value: str) -> float:
    """A duration flag (``--timeout 30``): a finite number of seconds above zero.

    ``float()`` alone accepts "nan", "inf" and negatives: ``--timeout nan`` never
    times out (every comparison with NaN is false) and polled ten times a second.
    """
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"give a number of seconds above 0, not {value!r}")
    return number
