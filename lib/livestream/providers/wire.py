"""Small readers and checks every provider module needs for its wire objects.

Kept here once: how an optional text field is read, how an ingest URL override is
checked, and how a playback URL template is checked, with messages that name the
provider and the environment variable to fix.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlsplit

from ..errors import ConfigurationError

INGEST_PROTOCOLS = ("rtmps", "rtmp", "srt")


def text(value: Any) -> Optional[str]:
    """A JSON string field, stripped; None when absent, empty or not a string."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def lower(value: Any) -> Any:
    """A string lower-cased and stripped (choices compared case-insensitively); others as given."""
    return value.strip().lower() if isinstance(value, str) else value


def protocol_of(url: str) -> str:
    """The ingest protocol of a server URL: its scheme (the sandbox serves plain rtmp)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme if scheme in INGEST_PROTOCOLS else "rtmps"


def ingest_url(url: str, schemes: tuple[str, ...], env_name: str, *, service: str) -> str:
    """An ingest server override, checked: one of ``schemes`` with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise ConfigurationError(f"The {service} ingest URL {url!r} is not a {' or '.join(schemes)} URL",
                                 hint=f"fix {env_name} (or the ingest URL setting), or unset it")
    return url


def playback_template(template: str, env_name: str, *, service: str, placeholder: str = "playback_id") -> str:
    """A playback URL template with ``{placeholder}`` and no other placeholder."""
    try:
        template.format(**{placeholder: "x"})
    except (KeyError, IndexError, ValueError):
        raise ConfigurationError(
            f"The {service} playback URL template is invalid",
            hint=f"{env_name} must contain {{{placeholder}}} and no other placeholder",
        ) from None
    if "{" + placeholder + "}" not in template:
        raise ConfigurationError(f"The {service} playback URL template has no {{{placeholder}}}",
                                 hint=f"fix {env_name}")
    return template
