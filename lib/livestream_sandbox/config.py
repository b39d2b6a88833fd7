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
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Optional

from . import registry

ENV_PREFIX = "SANDBOX_"


def _option(default: float, what: str) -> Any:
    """A number a sandbox takes beside its address (``Sandbox(boot_delay=...)``, ``--boot-delay``)."""
    return field(default=default, metadata={"help": what})


class Credentials:
    """The demo accounts the sandbox accepts: ``tpstreams_org_id``, ``fastpix_secret_key``... (``registry``)."""

    def __init__(self, **values: str) -> None:
        for name, default, _, _ in registry.credential_fields():
            setattr(self, name, values.pop(name, default))
        if values:
            raise TypeError(f"unknown credential(s): {', '.join(sorted(values))}")

    def as_dict(self, reveal: bool = True) -> dict:
        """The credentials, the secret ones hidden unless ``reveal`` (for logs and the admin API)."""
        return {name: "***" if secret and not reveal else getattr(self, name)
                for name, _, secret, _ in registry.credential_fields()}

    def __repr__(self) -> str:
        return f"Credentials({self.as_dict(reveal=False)})"


@dataclass
class SandboxConfig:
    """Everything a sandbox needs to start; ``Sandbox(**kwargs)`` fills one in."""

    data_dir: Optional[Path] = None
    host: str = "127.0.0.1"
    port: int = 0
    rtmp_port: int = 0
    #: TP Streams: seconds a server boots before rtmp_url/stream_key appear (documented: "around 20-30 seconds").
    boot_delay: float = _option(20.0, "seconds a TP Streams server boots before its key appears")
    #: FastPix: seconds in "preparing" after the encoder connects, before "active" (FastPix's statuses).
    prepare_delay: float = _option(1.0, "seconds a FastPix stream stays 'preparing'")
    #: TP Streams: seconds from "Stopped" to "Recording" (its webhook-response page: a stopped stream records).
    recording_delay: float = _option(1.0, "seconds from TP 'Stopped' to 'Recording'")
    #: TP Streams: minimum seconds from "Recording" to "Completed" (also waits for the remux).
    complete_delay: float = _option(1.0, "minimum seconds from TP 'Recording' to 'Completed'")
    #: TP Streams list page size when the request has no ``limit`` (DRF LimitOffsetPagination).
    tpstreams_page_size: int = _option(20, "TP Streams list page size when the request has no limit")
    credentials: Credentials = field(default_factory=Credentials)
    #: Not credentials, but set like them (flag, ``SANDBOX_*``) and changed by the admin API.
    fastpix_webhook_url: Optional[str] = None
    fastpix_webhook_secret: str = "sandbox-webhook-secret"
    fastpix_workspace_id: str = "sandbox-workspace"
    fastpix_workspace_name: str = "Sandbox workspace"
    #: Require nginx-rtmp and ffmpeg (True) or run the HTTP APIs alone (False).
    ingest: bool = True
    seed: Optional[int] = None
    webhook_attempts: int = 3
    webhook_timeout: float = 2.0


#: The ``_option`` numbers: name -> (default, what it is).
OPTIONS = {f.name: (f.default, f.metadata["help"]) for f in fields(SandboxConfig) if "help" in f.metadata}
#: The timings, which the admin API may change at run time.
TIMINGS = tuple(name for name, (default, _) in OPTIONS.items() if isinstance(default, float))
_WEBHOOK = ("fastpix_webhook_url", "fastpix_webhook_secret")


def credential_defaults() -> dict:
    """constructor/flag name -> (environment variable without the prefix, default): the credentials
    (``registry``) and the FastPix webhook settings."""
    names = {name: default for name, default, _, _ in registry.credential_fields()}
    names.update((name, getattr(SandboxConfig, name)) for name in _WEBHOOK)
    return {name: (name.upper(), default) for name, default in names.items()}


def credentials_from(values: Mapping[str, Optional[str]], environ: Mapping[str, str]) -> dict:
    """``SandboxConfig`` fields (``credentials`` and the webhook settings): explicit values, else
    ``SANDBOX_*`` environment variables, else the defaults."""
    resolved = {name: environ.get(ENV_PREFIX + env_name) or default if values.get(name) is None else values[name]
                for name, (env_name, default) in credential_defaults().items()}
    webhook = {name: resolved.pop(name) for name in _WEBHOOK}
    return {"credentials": Credentials(**resolved), **webhook}


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
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost
        loopback = False
    if not loopback:
        raise ValueError(f"the sandbox binds to loopback only (127.0.0.1, ::1 or localhost), not {host!r}")
