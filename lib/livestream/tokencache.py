"""A small on-disk cache of login tokens (TP Streams username/password logins).

TP Streams allows at most 20 auth tokens per organization and every
``POST /api/auth/login/`` mints a new one (providers.md 2.1), so a token obtained
from a login is kept and reused across client instances, script reloads and OBS
restarts instead of logging in on every call.

Where: ``tokens.json`` in the state directory of ``livestream.paths``
(``$OBS_LIVESTREAM_STATE_DIR`` if set, else ``$XDG_CONFIG_HOME/obs-livestream`` or
``~/.config/obs-livestream``; the platform's config folder on Windows and macOS). The
directory is created with mode 0700 and the file written atomically with mode 0600:
the tokens are credentials. Entries are keyed by ``origin|organization|username`` so a sandbox
and the real service, or two organizations, never share a token.

Values read from the cache are registered with ``livestream.secrets`` so they are
redacted wherever they might appear.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Mapping, Optional

from . import paths, secrets

log = logging.getLogger(__name__)

FILE_NAME = "tokens.json"

# Tokens other instances saved are seen at once: the in-memory layer is process-wide.
_memory: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


def cache_key(origin: str, organization_id: str, username: str) -> str:
    """The key of one login: the service origin, the organization and the user."""
    return f"{origin}|{organization_id}|{username}"


class TokenCache:
    """Tokens by key, in memory and in ``<state dir>/tokens.json``."""

    def __init__(self, path: Optional[Path] = None, *, environ: Optional[Mapping[str, str]] = None) -> None:
        self.path = Path(path) if path is not None else paths.state_dir(environ) / FILE_NAME

    def __repr__(self) -> str:
        return f"TokenCache({str(self.path)!r})"

    def get(self, key: str) -> Optional[str]:
        """The cached token for ``key``, or None."""
        with _lock:
            token = _memory.get((str(self.path), key))
            if token is None:
                token = self._read().get(key)
                if token:
                    _memory[(str(self.path), key)] = token
        if token:
            secrets.register(token)
        return token or None

    def put(self, key: str, token: str) -> None:
        """Remember ``token`` for ``key`` (in memory always; on disk if it can be written)."""
        secrets.register(token)
        with _lock:
            _memory[(str(self.path), key)] = token
            tokens = self._read()
            tokens[key] = token
            self._write(tokens)

    def discard(self, key: str, token: Optional[str] = None) -> None:
        """Forget ``key`` (only if it still holds ``token``, when given: another
        instance may already have saved a fresher one)."""
        with _lock:
            current = _memory.get((str(self.path), key)) or self._read().get(key)
            if token is not None and current is not None and current != token:
                return
            _memory.pop((str(self.path), key), None)
            tokens = self._read()
            if tokens.pop(key, None) is not None:
                self._write(tokens)

    def _read(self) -> dict[str, str]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Ignoring the unreadable token cache %s (%s)", self.path, type(exc).__name__)
            return {}
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, dict):
            return {}
        return {str(k): v for k, v in tokens.items() if isinstance(v, str) and v}

    def _write(self, tokens: dict[str, str]) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            paths.write_private(self.path, json.dumps({"version": 1, "tokens": tokens}, indent=1, sort_keys=True))
            os.chmod(self.path, 0o600)  # also when an older file had looser bits
        except OSError as exc:
            # Still usable from memory; the next process logs in again.
            log.warning("Could not save the token cache %s (%s)", self.path, type(exc).__name__)


def forget_memory() -> None:
    """Drop the in-memory layer (tests only: simulates a new process)."""
    with _lock:
        _memory.clear()
