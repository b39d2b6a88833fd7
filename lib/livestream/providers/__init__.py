"""The provider registry: find a provider class by its name.

Adding a provider means adding one module here that defines a ``Provider``
subclass decorated with ``@register``, and naming it in ``BUILTIN``. The built-in
modules are imported on the first look-up, not at import time, so code that only
needs the contract (the session, the fakes) does not pay for them.
"""

from __future__ import annotations

import importlib

from ..errors import ConfigurationError
from .base import Provider

BUILTIN = ("tpstreams", "fastpix")

_registry: dict[str, type[Provider]] = {}
_loaded = False


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in BUILTIN:
            importlib.import_module(f"{__name__}.{module}")


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


__all__ = ["Provider", "register", "get", "names", "all_providers"]
