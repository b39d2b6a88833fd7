"""The provider registry: find a provider class by its name.

Adding a provider means adding one module here that defines a ``Provider``
subclass decorated with ``@register``, and naming it in ``BUILTIN``. The built-in
modules are imported on the first look-up, not at import time, so code that only
needs the contract (the session, the fakes) does not pay for them.
"""

from __future__ import annotations

import importlib
import threading
from typing import Optional, Sequence

from ..errors import ConfigurationError
from ..simulcast import OBS_SIDE, SimulcastSupport, SimulcastTarget, check_targets
from .base import Provider

BUILTIN = ("tpstreams", "fastpix", "mux", "cloudflare", "apivideo")

_registry: dict[str, type[Provider]] = {}
_loaded = False
_load_lock = threading.Lock()


def _load_builtins() -> None:
    # The script imports the providers on its worker thread at load while a button may
    # look one up on the UI thread: "loaded" is set only once every module is imported.
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if not _loaded:
            for module in BUILTIN:
                importlib.import_module(f"{__name__}.{module}")
            _loaded = True


def register(cls: type[Provider]) -> type[Provider]:
    """Class decorator: make ``cls`` findable by ``cls.name``."""
    _registry[cls.name] = cls
    return cls


def get(name: str) -> type[Provider]:
    """The provider class called ``name``; ``ConfigurationError`` lists the known ones."""
    _load_builtins()
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "none"
        raise ConfigurationError(
            f"Unknown provider {name!r}", hint=f"choose one of: {known}"
        ) from None


def names() -> list[str]:
    """Registered provider names, sorted."""
    _load_builtins()
    return sorted(_registry)


def all_providers() -> list[type[Provider]]:
    """Registered provider classes, sorted by name."""
    return [_registry[n] for n in names()]


def restreaming() -> list[str]:
    """The display names of the providers that declare simulcast, for messages and help."""
    return [cls.display_name for cls in all_providers() if cls.capabilities.simulcast]


def simulcast_support(provider: Provider | type[Provider], *, obs_side: bool = False, from_obs: bool = False
                      ) -> Optional[SimulcastSupport]:
    """How a go-live on ``provider`` reaches its targets: the provider's own restreaming, else
    (``obs_side``: inside OBS, which can send the extra outputs) OBS itself; None: not at all.
    ``from_obs`` (the user asked OBS to send them) is OBS itself whatever the provider can do."""
    if from_obs:
        return OBS_SIDE
    return provider.capabilities.simulcast or (OBS_SIDE if obs_side else None)


def check_simulcast(provider: Provider | type[Provider], targets: Sequence[SimulcastTarget], *,
                    obs_side: bool = False, from_obs: bool = False) -> None:
    """``simulcast.check_targets`` against what ``provider`` declares (or, with ``obs_side``,
    what OBS can send itself; with ``from_obs``, OBS's limits whatever the provider can do),
    naming the providers that can restream when it cannot: the one check the CLI and the
    go-live both make."""
    support = simulcast_support(provider, obs_side=obs_side, from_obs=from_obs)
    sender = f"OBS (sending for {provider.display_name})" if support is OBS_SIDE else provider.display_name
    check_targets(targets, provider=sender, support=support, able=restreaming())


__all__ = ["Provider", "register", "get", "names", "all_providers", "restreaming", "check_simulcast",
           "simulcast_support"]
