"""The provider registry: find a provider class by its name.

Adding a provider means adding one module here that defines a ``Provider``
subclass decorated with ``@register``, and importing it at the bottom of this file.
"""

from __future__ import annotations

from ..errors import ConfigurationError
from .base import Provider

_registry: dict[str, type[Provider]] = {}


def register(cls: type[Provider]) -> type[Provider]:
    """Class decorator: make ``cls`` findable by ``cls.name``."""
    _registry[cls.name] = cls
    return cls


def get(name: str) -> type[Provider]:
    """The provider class called ``name``; ``ConfigurationError`` lists the known ones."""
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "none"
        raise ConfigurationError(
            f"Unknown provider {name!r}", hint=f"choose one of: {known}"
        ) from None


def names() -> list[str]:
    """Registered provider names, sorted."""
    return sorted(_registry)


def all_providers() -> list[type[Provider]]:
    """Registered provider classes, sorted by name."""
    return [_registry[n] for n in names()]


__all__ = ["Provider", "register", "get", "names", "all_providers"]

# Import the built-in providers so they register themselves.
from . import fastpix, tpstreams  # noqa: E402,F401
