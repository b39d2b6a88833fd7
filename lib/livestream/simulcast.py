"""Simulcast targets: the other destinations a provider restreams one go-live to.

OBS uploads once; a provider that can restream (Mux simulcast targets, Cloudflare
Stream live input outputs, api.video restreams, FastPix simulcasts) forwards the
broadcast to each target. This module holds what does not depend on the provider:

- ``SimulcastTarget``: a name, a server URL and a stream key (a secret);
- ``targets_from_json`` / ``load_targets_file``: the CLI's ``--simulcast-file``, a JSON
  list of ``{"name", "url", "stream_key"}`` where ``"stream_key_env"`` may name an
  environment variable instead of carrying the key;
- ``check_targets``: the checks made before anything is created, against what the
  provider declares (``Capabilities.simulcast``, a ``SimulcastSupport``);
- ``TargetState``: one target as the provider reports it (connecting, live, failed...);
- ``OBS_SIDE``: what OBS itself can send to when the provider does not restream (TP
  Streams): one extra RTMP output per target sharing the main stream's encoders
  (``livestream.obs.extra_outputs``).

The provider modules do the HTTP (``Provider.add_simulcast_target`` and friends).
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence
from urllib.parse import urlsplit

from pydantic import SecretStr

from . import secrets
from .errors import ConfigurationError, LivestreamError, ProviderUnavailableError

log = logging.getLogger("livestream.simulcast")

if TYPE_CHECKING:
    from .models import EndResult
    from .providers.base import Provider

#: URL schemes a target may have; a provider declares which of them it takes.
SCHEMES = ("rtmp", "rtmps", "srt")
MAX_NAME = 64


@dataclass(frozen=True)
class SimulcastSupport:
    """How a provider restreams, declared in its ``Capabilities.simulcast``."""

    #: The most targets per stream the provider documents; None when it documents none.
    max_targets: Optional[int]
    #: The target URL schemes it takes, from ``SCHEMES``.
    schemes: tuple[str, ...]
    #: Targets can only be added while the stream is idle (Mux, FastPix): before OBS publishes.
    only_while_idle: bool = False
    #: The provider reports a status per target (Mux); otherwise a target is "added".
    reports_status: bool = False


#: Sent by OBS itself (``livestream.obs.extra_outputs``): each target is one more full upload
#: from the streamer's own connection, so a few at most; RTMP and RTMPS, the protocols of
#: OBS's ``rtmp_output`` (``plugins/obs-outputs/rtmp-stream.c``), which is what is shared.
OBS_SIDE = SimulcastSupport(max_targets=4, schemes=("rtmp", "rtmps"), reports_status=True)
#: ``TargetState.target_id`` of a target OBS sends to: the provider holds nothing to remove.
OBS_SIDE_ID = "obs"


class TargetStatus(str, enum.Enum):
    """A target's state in the panel, the dock and ``status``."""

    ADDED = "added"  # the provider took it and reports nothing more about it
    IDLE = "idle"  # waiting for the main stream to go live
    CONNECTING = "connecting"
    LIVE = "live"
    FAILED = "failed"
    REMOVED = "removed"


@dataclass(frozen=True)
class SimulcastTarget:
    """One destination. The key is a ``SecretStr`` (its repr is ``**********``) and is
    registered with ``secrets`` on creation, so no log line or message shows it."""

    name: str
    url: str
    stream_key: SecretStr

    def __post_init__(self) -> None:
        secrets.register(self.stream_key)

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()

    @property
    def host(self) -> str:
        """The URL's host, for messages (a URL may carry a key in its path or query)."""
        return urlsplit(self.url).hostname or "?"


@dataclass(frozen=True)
class TargetState:
    """A target the provider holds for a stream: its ``target_id`` is the provider's own
    (Mux and Cloudflare ids, FastPix ``simulcastId``; api.video has none: the name)."""

    name: str
    target_id: str
    status: TargetStatus = TargetStatus.ADDED
    reason: Optional[str] = None
    host: str = ""
    #: Of a target OBS sends: ``url_digest`` of its server URL, so a go-live adopted after
    #: a reload can tell whether the panel's saved target is the same one (the ledger keeps
    #: no key, and no URL: a URL may carry one).
    url_digest: str = ""

    def describe(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.name}: {self.status.value}{why}"

    def to_dict(self) -> dict[str, Any]:
        """What the ledger keeps and ``status --json`` shows: never the key."""
        data = {"name": self.name, "target_id": self.target_id, "status": self.status.value,
                "reason": self.reason, "host": self.host}
        return {**data, "url_digest": self.url_digest} if self.url_digest else data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetState:
        try:
            status = TargetStatus(data.get("status") or "added")
        except ValueError:
            status = TargetStatus.ADDED
        return cls(name=str(data.get("name") or ""), target_id=str(data.get("target_id") or ""), status=status,
                   reason=data.get("reason"), host=str(data.get("host") or ""),
                   url_digest=str(data.get("url_digest") or ""))


def url_digest(url: str) -> str:
    """A short SHA-256 of a target's server URL: tells two URLs apart without keeping one."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]


def target_from_mapping(item: Any, index: int, environ: Mapping[str, str]) -> SimulcastTarget:
    """One JSON object as a target; ``ConfigurationError`` names the entry, never the key."""
    where = f"simulcast target #{index + 1}"
    if not isinstance(item, Mapping):
        raise ConfigurationError(f"The {where} is not an object",
                                 hint='write each target as {"name": ..., "url": ..., "stream_key": ...}')
    unknown = sorted(set(item) - {"name", "url", "stream_key", "stream_key_env"})
    if unknown:
        raise ConfigurationError(f"The {where} has unknown fields: {', '.join(map(str, unknown))}",
                                 hint="use name, url and stream_key (or stream_key_env)")
    name = item.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise ConfigurationError(f"The {where} has no name", hint='give it one, such as "YouTube"')
    where = f"simulcast target {name!r}"
    url = item.get("url")
    url = url.strip() if isinstance(url, str) else ""
    key = item.get("stream_key")
    env_name = item.get("stream_key_env")
    if key is not None and env_name is not None:
        raise ConfigurationError(f"The {where} has both stream_key and stream_key_env", hint="keep one of them")
    if env_name is not None:
        if not isinstance(env_name, str) or not env_name.strip():
            raise ConfigurationError(f"The {where} has an empty stream_key_env",
                                     hint="name the environment variable that holds its key")
        key = environ.get(env_name.strip())
        if not key:
            raise ConfigurationError(f"The {where} reads its key from {env_name.strip()}, which is not set",
                                     hint=f"export {env_name.strip()} before running the command")
    key = key.strip() if isinstance(key, str) else ""
    return SimulcastTarget(name=name, url=url, stream_key=SecretStr(key))


def targets_from_json(data: Any, environ: Mapping[str, str]) -> list[SimulcastTarget]:
    """The targets of a decoded ``--simulcast-file``."""
    if not isinstance(data, list):
        raise ConfigurationError("The simulcast file is not a JSON list",
                                 hint='write [{"name": "YouTube", "url": "rtmp://...", "stream_key": "..."}]')
    return [target_from_mapping(item, i, environ) for i, item in enumerate(data)]


def load_targets_file(path: str, environ: Mapping[str, str]) -> list[SimulcastTarget]:
    """Read and check the shape of a ``--simulcast-file``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"Cannot read the simulcast file {path}: {error.strerror or error}",
                                 hint="check the path") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        # The decoder's message quotes no input, only where it stopped.
        raise ConfigurationError(f"The simulcast file {path} is not valid JSON ({error})",
                                 hint="fix it: a JSON list of targets") from None
    return targets_from_json(data, environ)


def check_target(target: SimulcastTarget) -> None:
    """The checks that do not depend on the provider."""
    where = f"simulcast target {target.name!r}"
    if len(target.name) > MAX_NAME:
        raise ConfigurationError(f"The {where} has a name longer than {MAX_NAME} characters", hint="shorten it")
    parts = urlsplit(target.url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ConfigurationError(f"The {where} has no rtmp://, rtmps:// or srt:// server URL",
                                 hint="copy the server URL from the destination's stream settings "
                                      "(such as rtmp://a.rtmp.youtube.com/live2)")
    if not target.stream_key.get_secret_value() and parts.scheme.lower() != "srt":
        # An SRT target may carry its stream id in the URL (?streamid=...).
        raise ConfigurationError(f"The {where} has no stream key",
                                 hint="copy the stream key from the destination's stream settings")


def check_targets(targets: Sequence[SimulcastTarget], *, provider: str,
                  support: Optional[SimulcastSupport], able: Iterable[str] = ()) -> None:
    """Refuse, before anything is created, targets the provider cannot take.

    ``provider`` is its display name, ``support`` its declaration, ``able`` the display
    names of the providers that can simulcast (for the hint).
    """
    if not targets:
        return
    if support is None:
        others = ", ".join(able)
        raise ConfigurationError(f"{provider} does not restream to other destinations",
                                 hint=f"remove the simulcast targets, or choose {others}" if others
                                 else "remove the simulcast targets")
    seen: dict[str, str] = {}
    for target in targets:
        check_target(target)
        folded = target.name.casefold()
        if folded in seen:
            raise ConfigurationError(f"Two simulcast targets are named {target.name!r}",
                                     hint="give each target its own name")
        seen[folded] = target.name
        if target.scheme not in support.schemes:
            takes = " and ".join(f"{s}://" for s in support.schemes)
            raise ConfigurationError(f"{provider} cannot restream to {target.scheme}:// "
                                     f"(simulcast target {target.name!r})",
                                     hint=f"{provider} takes {takes} destinations")
    if support.max_targets is not None and len(targets) > support.max_targets:
        raise ConfigurationError(f"{provider} restreams to at most {support.max_targets} destinations, "
                                 f"{len(targets)} were given", hint="remove some simulcast targets")


# ---------------------------------------------------------------- on the worker thread


def add_all(provider: Provider, stream_id: str, targets: Sequence[SimulcastTarget]) -> list[TargetState]:
    """Add every target, one request each; a target the provider refuses is FAILED with
    its reason (the main stream goes on: a failed target is a warning, never the end)."""
    states = []
    for target in targets:
        try:
            states.append(provider.add_simulcast_target(stream_id, target))
        except LivestreamError as refused:
            log.warning("Simulcast target %r (%s) was not added: %s", target.name, target.host, refused)
            states.append(TargetState(name=target.name, target_id="", status=TargetStatus.FAILED,
                                      reason=secrets.redact(refused.message), host=target.host))
    return states


def remove_all(provider: Provider, stream_id: str, targets: Sequence[TargetState]) -> None:
    """Remove every target this go-live added. A provider that cannot be reached raises
    (after trying each), so the end is retried with them; a refusal is logged and the
    target forgotten (nothing more can be done with it than the provider allows)."""
    unavailable: Optional[ProviderUnavailableError] = None
    for target in targets:
        if not target.target_id or target.target_id == OBS_SIDE_ID or target.status is TargetStatus.REMOVED:
            continue  # OBS sent it (``session.obsside``): the provider holds nothing to remove
        try:
            provider.remove_simulcast_target(stream_id, target)
        except ProviderUnavailableError as passing:
            unavailable = unavailable or passing
        except LivestreamError as refused:
            log.warning("Simulcast target %r could not be removed: %s", target.name, refused)
    if unavailable is not None:
        raise unavailable


def end_with_targets(provider: Provider, stream_id: str, targets: Sequence[Mapping[str, Any] | TargetState]
                     ) -> EndResult:
    """Remove the go-live's simulcast targets, then end the stream (``Provider.end``): the
    one way a stream is ended (the go-live, the pending ends, OBS unloading), so a reused
    stream never restreams to last week's destinations."""
    states = [t if isinstance(t, TargetState) else TargetState.from_dict(t) for t in targets]
    if states and provider.capabilities.simulcast is not None:
        remove_all(provider, stream_id, states)
    return provider.end(stream_id)
