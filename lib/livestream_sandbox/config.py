"""The sandbox's settings: where it listens, its demo credentials, its timings.

Every credential has a readable default so a demo works out of the box, and can be
set by a constructor argument, a CLI flag or an environment variable:

==================================  ===============================  =========================
environment variable                CLI flag                         default
==================================  ===============================  =========================
SANDBOX_TPSTREAMS_ORG_ID            --tpstreams-org-id               ``sandbx``
SANDBOX_TPSTREAMS_API_TOKEN         --tpstreams-api-token            ``sandbox-tpstreams-token``
SANDBOX_TPSTREAMS_USERNAME          --tpstreams-username             ``demo@sandbox.local``
SANDBOX_TPSTREAMS_PASSWORD          --tpstreams-password             ``sandbox-password``
SANDBOX_FASTPIX_ACCESS_TOKEN_ID     --fastpix-access-token-id        ``sandbox-fastpix-token-id``
SANDBOX_FASTPIX_SECRET_KEY          --fastpix-secret-key             ``sandbox-fastpix-secret-key``
SANDBOX_FASTPIX_WEBHOOK_URL         --fastpix-webhook-url            none (no FastPix webhooks)
SANDBOX_FASTPIX_WEBHOOK_SECRET      --fastpix-webhook-secret         ``sandbox-webhook-secret``
SANDBOX_CLOUDFLARE_ACCOUNT_ID       --cloudflare-account-id          ``023e105f4ecef8ad9ca31a8372d0c353``
SANDBOX_CLOUDFLARE_API_TOKEN        --cloudflare-api-token           ``sandbox-cloudflare-api-token``
SANDBOX_APIVIDEO_API_KEY            --apivideo-api-key               ``sandbox-apivideo-api-key``
SANDBOX_MUX_TOKEN_ID                --mux-token-id                   ``sandbox-mux-token-id``
SANDBOX_MUX_TOKEN_SECRET            --mux-token-secret               ``sandbox-mux-token-secret``
==================================  ===============================  =========================

The sandbox only ever binds to loopback (``127.0.0.0/8``, ``::1``, ``localhost``).
"""

from __future__ import annotations

import ipaddress
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

ENV_PREFIX = "SANDBOX_"
#: The timings of ``SandboxConfig`` that the admin API may change at run time.
TIMINGS = ("boot_delay", "prepare_delay", "recording_delay", "complete_delay")

#: constructor/flag name -> environment variable (without the prefix) and default.
CREDENTIAL_DEFAULTS = {
    "tpstreams_org_id": ("TPSTREAMS_ORG_ID", "sandbx"),
    "tpstreams_api_token": ("TPSTREAMS_API_TOKEN", "sandbox-tpstreams-token"),
    "tpstreams_username": ("TPSTREAMS_USERNAME", "demo@sandbox.local"),
    "tpstreams_password": ("TPSTREAMS_PASSWORD", "sandbox-password"),
    "fastpix_access_token_id": ("FASTPIX_ACCESS_TOKEN_ID", "sandbox-fastpix-token-id"),
    "fastpix_secret_key": ("FASTPIX_SECRET_KEY", "sandbox-fastpix-secret-key"),
    "fastpix_webhook_url": ("FASTPIX_WEBHOOK_URL", None),
    "fastpix_webhook_secret": ("FASTPIX_WEBHOOK_SECRET", "sandbox-webhook-secret"),
    "cloudflare_account_id": ("CLOUDFLARE_ACCOUNT_ID", "023e105f4ecef8ad9ca31a8372d0c353"),
    "cloudflare_api_token": ("CLOUDFLARE_API_TOKEN", "sandbox-cloudflare-api-token"),
    "apivideo_api_key": ("APIVIDEO_API_KEY", "sandbox-apivideo-api-key"),
    "mux_token_id": ("MUX_TOKEN_ID", "sandbox-mux-token-id"),
    "mux_token_secret": ("MUX_TOKEN_SECRET", "sandbox-mux-token-secret"),
}


@dataclass
class Credentials:
    """The demo accounts the sandbox accepts (one TP Streams org, one FastPix workspace)."""

    tpstreams_org_id: str = "sandbx"
    tpstreams_api_token: str = "sandbox-tpstreams-token"
    tpstreams_username: str = "demo@sandbox.local"
    tpstreams_password: str = "sandbox-password"
    fastpix_access_token_id: str = "sandbox-fastpix-token-id"
    fastpix_secret_key: str = "sandbox-fastpix-secret-key"
    # The account ID of the API reference's examples; any token string.
    cloudflare_account_id: str = "023e105f4ecef8ad9ca31a8372d0c353"
    cloudflare_api_token: str = "sandbox-cloudflare-api-token"
    apivideo_api_key: str = "sandbox-apivideo-api-key"
    mux_token_id: str = "sandbox-mux-token-id"
    mux_token_secret: str = "sandbox-mux-token-secret"

    def masked(self) -> dict:
        """The credentials with the secret halves hidden (for logs and the admin API)."""
        out = asdict(self)
        for name in ("tpstreams_api_token", "tpstreams_password", "fastpix_secret_key", "cloudflare_api_token",
                     "apivideo_api_key", "mux_token_secret"):
            out[name] = "***"
        return out


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
    for name, (env_name, default) in CREDENTIAL_DEFAULTS.items():
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


def default_environ() -> Mapping[str, str]:
    return os.environ
