"""Secret lists and environment scrubs built from the providers' own declarations.

Every provider declares its credential fields (``secret=True`` for a token, a key or a
password) and the environment variables it reads (credentials, settings, base URL).
The "no secret leaked" checks and the scrubs of a developer's shell take their names
from there, so a sixth provider is covered by registering it, with nothing to add here.
"""

from __future__ import annotations

from typing import Iterable, List, Mapping, Set, Tuple

from livestream import providers

#: Variables of this project itself that a developer's shell may hold (not a provider's).
PROJECT_PREFIXES = ("OBS_WEBSOCKET_", "OBS_LIVESTREAM_")


def provider_env_names() -> Set[str]:
    """Every environment variable a registered provider declares it reads."""
    names: Set[str] = set()
    for provider in providers.all_providers():
        declared = provider.declaration()
        names.add(declared.base_url_env)
        names.update(f.env for f in declared.credential_fields if f.env)
        names.update(s.env for s in declared.settings if s.env)
    return names


def provider_env_prefixes() -> Tuple[str, ...]:
    """The providers' variable prefixes ("TPSTREAMS_", "MUX_"...), for variables they may add later."""
    return tuple(sorted({name.split("_", 1)[0] + "_" for name in provider_env_names() if "_" in name}))


def secret_env_names() -> Set[str]:
    """The variables that hold a secret credential (a token, a secret key, a password)."""
    return {f.env for provider in providers.all_providers() for f in provider.declaration().credential_fields
            if f.secret and f.env}


def secrets_in_env(environ: Mapping[str, str]) -> List[str]:
    """The secret credentials an environment gives (e.g. the sandbox's ``env()``), every provider's."""
    return sorted({environ[name] for name in secret_env_names() if environ.get(name)})


def scrubbed_env(environ: Mapping[str, str], extra_prefixes: Iterable[str] = PROJECT_PREFIXES) -> dict:
    """``environ`` without any provider's variables (declared, or under a provider's prefix) and
    without ``extra_prefixes``: what a test starts from, whatever the developer's shell holds."""
    drop = provider_env_names()
    prefixes = provider_env_prefixes() + tuple(extra_prefixes)
    return {k: v for k, v in environ.items() if k not in drop and not k.startswith(prefixes)}
