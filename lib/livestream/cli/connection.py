"""What the OBS-facing commands share: the obs-websocket options and client, and the
provider client for a ledger entry (``go-live``/``end``/``status``, ``ledger end``,
``schedule``). Its own module so those command modules import it, not each other."""

from __future__ import annotations

import argparse
import os
from typing import Any, Optional

from .. import providers, secrets
from ..remote.client import ObsClient
from ..session.ledger import LedgerEntry
from .common import seconds


def add_obs_arguments(p: argparse.ArgumentParser) -> None:
    """The ``OBS connection`` option group: URL, password, deadline."""
    g = p.add_argument_group("OBS connection")
    g.add_argument("--obs-url", default=os.environ.get("OBS_WEBSOCKET_URL") or "ws://localhost:4455",
                   help="obs-websocket URL (default: $OBS_WEBSOCKET_URL or ws://localhost:4455)")
    g.add_argument("--obs-password", default=None,
                   help="obs-websocket password (better: $OBS_WEBSOCKET_PASSWORD, kept out of the process list)")
    g.add_argument("--obs-timeout", type=seconds, default=10.0, metavar="SECONDS",
                   help="connect and request deadline (default 10)")


def connect(args: argparse.Namespace) -> ObsClient:
    """A connected obs-websocket client from the options; the password is a secret from here on."""
    password = args.obs_password if args.obs_password is not None else os.environ.get("OBS_WEBSOCKET_PASSWORD")
    secrets.register(password)
    return ObsClient(args.obs_url, password, timeout=args.obs_timeout).connect()


def provider_for_entry(entry: LedgerEntry, base_url: Optional[str] = None) -> Any:
    """A client for a ledger entry's provider, with this machine's credentials (environment)."""
    cls = providers.get(entry.provider)
    return cls(cls.credentials_from_env(os.environ), base_url=base_url or entry.api_base_url)


__all__ = ["add_obs_arguments", "connect", "provider_for_entry"]
