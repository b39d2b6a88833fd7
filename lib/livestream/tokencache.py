"""A small on-disk cache of login tokens (TP Streams username/password logins).

TP Streams allows at most 20 auth tokens per organization and every
``POST /api/auth/login/`` mints a new one (https://developer.tpstreams.com/docs/server-api/authentication),
so a token obtained
from a login is kept and reused across client instances, script reloads and OBS
restarts instead of logging in on every call.

Where: ``tokens.json`` in the state directory of ``livestream.paths``
(``$OBS_LIVESTREAM_STATE_DIR`` if set, else ``$XDG_CONFIG_HOME/obs-livestream`` or
``~/.config/obs-livestream``; the platform's config folder on Windows and macOS). The
directory is created with mode 0700 and the file written atomically with mode 0600:
the tokens are credentials. Entries are keyed by ``origin|organization|username|password
fingerprint`` so a sandbox and the real service, or two organizations, never share a
token, and a wrong password never gets the token a right one obtained (it must be
refused by TP Streams, as it would be without the cache). The fingerprint is a
PBKDF2-HMAC-SHA256 of the password with a random salt kept in the file: never the
password itself, and not a plain hash that a copied file would let anyone test
guesses against cheaply.

Values read from the cache are registered with ``livestream.secrets`` so they are
redacted wherever they might appear.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets as random_secrets
import threading
from pathlib import Path
from typing import Mapping, Optional

from . import paths, secrets

log = logging.getLogger(__name__)

FILE_NAME = "tokens.json"

# PBKDF2 rounds: about 0.05 s once per client, on the worker thread (the key is made
# when the first request needs a token), against guessing passwords from a copied file.
_ROUNDS = 100_000

# Tokens other instances saved are seen at once: the in-memory layer is process-wide.
_memory: dict[tuple[str, str], str] = {}
_salts: dict[str, bytes] = {}
_lock = threading.Lock()


def cache_key(origin: str, organization_id: str, username: str, fingerprint: str) -> str:
    """The key of one login: the service origin, the organization, the user and the
    password's fingerprint (``TokenCache.key_for`` makes it)."""
    return f"{origin}|{organization_id}|{username}|{fingerprint}"


class TokenCache:
    """Tokens by key, in memory and in ``<state dir>/tokens.json``."""

    def __init__(self, path: Optional[Path] = None, *, environ: Optional[Mapping[str, str]] = None) -> None:
        self.path = Path(path) if path is not None else paths.state_dir(environ) / FILE_NAME

    def __repr__(self) -> str:
        return f"TokenCache({str(self.path)!r})"

    def key_for(self, origin: str, organization_id: str, username: str, password: str) -> str:
        """The key of a login with this password (a salted, slow fingerprint of it)."""
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), self._salt(), _ROUNDS)
        return cache_key(origin, organization_id, username, digest.hex()[:32])

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
        """Remember ``token`` for ``key`` (in memory always; on disk if it can be written).

        The same user's tokens under other fingerprints (an earlier password) or in the
        older key form without one are dropped: nothing will look them up again.
        """
        secrets.register(token)
        login = key.rsplit("|", 1)[0]
        with _lock:
            _memory[(str(self.path), key)] = token
            tokens = {k: v for k, v in self._read().items() if k == key or (
                k != login and k.rsplit("|", 1)[0] != login)}
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

    def _salt(self) -> bytes:
        """This cache's random salt: from the file, else made now and saved with it."""
        with _lock:
            salt = _salts.get(str(self.path))
            if salt is None:
                salt = self._load().get("salt")
                if not salt:
                    salt = random_secrets.token_bytes(16)
                    _salts[str(self.path)] = salt
                    self._write(self._read())
                _salts[str(self.path)] = salt
        return salt

    def _load(self) -> dict:
        """The file's tokens and salt (empty when absent or unreadable)."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("Ignoring the unreadable token cache %s (%s)", self.path, type(exc).__name__)
            return {}
        if not isinstance(data, dict):
            return {}
        tokens = data.get("tokens")
        loaded: dict = {"tokens": {str(k): v for k, v in tokens.items() if isinstance(v, str) and v}
                        if isinstance(tokens, dict) else {}}
        try:
            salt = bytes.fromhex(str(data.get("salt") or ""))
        except ValueError:
            salt = b""
        if len(salt) >= 16:
            loaded["salt"] = salt
        return loaded

    def _read(self) -> dict[str, str]:
        return dict(self._load().get("tokens") or {})

    def _write(self, tokens: dict[str, str]) -> None:
        salt = _salts.get(str(self.path)) or self._load().get("salt")
        data = {"version": 2, "tokens": tokens, **({"salt": salt.hex()} if salt else {})}
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            paths.write_private(self.path, json.dumps(data, indent=1, sort_keys=True))
            os.chmod(self.path, 0o600)  # also when an older file had looser bits
        except OSError as exc:
            # Still usable from memory; the next process logs in again.
            log.warning("Could not save the token cache %s (%s)", self.path, type(exc).__name__)


def forget_memory() -> None:
    """Drop the in-memory layer (tests only: simulates a new process)."""
    with _lock:
        _memory.clear()
        _salts.clear()
