"""The sandbox's settings: where it listens, its demo credentials, its timings.

Each provider model names its credentials with a readable default (``registry``), so a
demo works out of the box; each can be set by a constructor argument or CLI flag named
``<provider>_<field>`` (``--fastpix-secret-key``) or a ``SANDBOX_<PROVIDER>_<FIELD>``
environment variable (``SANDBOX_FASTPIX_SECRET_KEY``). The FastPix webhook URL and
secret are set the same way (``--fastpix-webhook-url``, ``SANDBOX_FASTPIX_WEBHOOK_SECRET``).

The sandbox only ever binds to loopback (``127.0.0.0/8``, ``::1``, ``localhost``).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from . import registry

ENV_PREFIX = "SANDBOX_"
#: The timings of ``SandboxConfig`` that the admin API may change at run time.
TIMINGS = ("boot_delay", "prepare_delay", "recording_delay", "complete_delay")

#: The numbers a sandbox takes beside its address (``Sandbox(boot_delay=...)``, ``--boot-delay``):
#: name -> (default, what it is).
OPTIONS = {
    "boot_delay": (20.0, "seconds a TP Streams server boots before its key appears"),
    "prepare_delay": (1.0, "seconds a FastPix stream stays 'preparing'"),
    "recording_delay": (1.0, "seconds from TP 'Stopped' to 'Recording'"),
    "complete_delay": (1.0, "minimum seconds from TP 'Recording' to 'Completed'"),
    "tpstreams_page_size": (20, "TP Streams list page size when the request has no limit"),
}

#: Settings that are not credentials but are set like them (flag, ``SANDBOX_*``): name -> default.
WEBHOOK_DEFAULTS = {"fastpix_webhook_url": None, "fastpix_webhook_secret": "sandbox-webhook-secret"}


def credential_defaults() -> dict:
    """constructor/flag name -> (environment variable without the prefix, default)."""
    names = {name: default for name, default, _, _ in registry.credential_fields()}
    names.update(WEBHOOK_DEFAULTS)
    return {name: (name.upper(), default) for name, default in names.items()}


class Credentials:
    """The demo accounts the sandbox accepts: ``tpstreams_org_id``, ``fastpix_secret_key``... (``registry``)."""

    def __init__(self, **values: str) -> None:
        for name, default, _, _ in registry.credential_fields():
            setattr(self, name, values.pop(name, default))
        if values:
            raise TypeError(f"unknown credential(s): {', '.join(sorted(values))}")

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name, _, _, _ in registry.credential_fields()}

    def masked(self) -> dict:
        """The credentials with the secret ones hidden (for logs and the admin API)."""
        return {name: "***" if secret else getattr(self, name) for name, _, secret, _ in registry.credential_fields()}

    def __repr__(self) -> str:
        return f"Credentials({self.masked()})"


@dataclass
class SandboxConfig:
    """Everything a sandbox needs to start; ``Sandbox(**kwargs)`` fills one in."""

    data_dir: Optional[Path] = None
    host: str = "127.0.0.1"
    port: int = 0
    rtmp_port: int = 0
    #: TP Streams: seconds a server boots before rtmp_url/stream_key appear (documented: "around 20-30 seconds").
    boot_delay: float = 20.0
    #: FastPix: seconds in "preparing" after the encoder connects, before "active" (FastPix's statuses).
    prepare_delay: float = 1.0
    #: TP Streams: seconds from "Stopped" to "Recording" (its webhook-response page: a stopped stream records).
    recording_delay: float = 1.0
    #: TP Streams: minimum seconds from "Recording" to "Completed" (also waits for the remux).
    complete_delay: float = 1.0
    #: TP Streams list page size when the request has no ``limit`` (DRF LimitOffsetPagination).
    tpstreams_page_size: int = 20
    credentials: Credentials = field(default_factory=Credentials)
    fastpix_webhook_url: Optional[str] = None
    fastpix_webhook_secret: str = "sandbox-webhook-secret"
    fastpix_workspace_id: str = "sandbox-workspace"
    fastpix_workspace_name: str = "Sandbox workspace"
    #: Fault specs applied at start (``faults.parse_spec`` syntax).
    faults: Sequence[str] = ()
    #: Require nginx-rtmp and ffmpeg (True) or run the HTTP APIs alone (False).
    ingest: bool = True
    seed: Optional[int] = None
    webhook_attempts: int = 3
    webhook_timeout: float = 2.0


def credentials_from(values: Mapping[str, Optional[str]], environ: Mapping[str, str]) -> tuple:
    """(Credentials, webhook url, webhook secret): explicit values, else SANDBOX_* env, else defaults."""
    resolved = {}
    for name, (env_name, default) in credential_defaults().items():
        value = values.get(name)
        if value is None:
            value = environ.get(ENV_PREFIX + env_name) or default
        resolved[name] = value
    url = resolved.pop("fastpix_webhook_url")
    secret = resolved.pop("fastpix_webhook_secret")
    return Credentials(**resolved), url, secret


#: The longest delay the sandbox accepts anywhere (timings, fault latency, Retry-After): a day.
MAX_DELAY = 86400.0


def bounded(value: object, name: str, low: float = 0.0, high: float = MAX_DELAY) -> float:
    """``value`` as a finite number from ``low`` to ``high``; ``ValueError`` saying the range otherwise.

    NaN and infinity would pass a plain ``< 0`` test and then make every JSON answer that
    shows them invalid (``json.dumps`` writes ``NaN``/``Infinity``), so they are refused here.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}")
    return number


def check_timings(config: SandboxConfig) -> None:
    """Refuse timings that are negative, NaN, infinite or longer than ``MAX_DELAY``."""
    for name in TIMINGS:
        setattr(config, name, bounded(getattr(config, name), name))


def check_loopback(host: str) -> None:
    """Refuse any host that is not loopback: the sandbox is for this machine only."""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"the sandbox binds to loopback only (127.0.0.1, ::1 or localhost), not {host!r}")

