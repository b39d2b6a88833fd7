"""Where obs-livestream keeps its small state files (the ledger of provider streams, the token cache).

``OBS_LIVESTREAM_STATE_DIR`` overrides the location (tests, portable installs);
otherwise the platform's per-user config folder is used.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping, Optional

from .errors import ConfigurationError

APP_DIR_NAME = "obs-livestream"


def state_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    """The folder for state files (not created here)."""
    env = os.environ if environ is None else environ
    override = env.get("OBS_LIVESTREAM_STATE_DIR")
    if override:
        return Path(override)
    home = Path(env.get("HOME") or Path.home())
    if sys.platform == "win32":
        base = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    return base / APP_DIR_NAME


def check_state_dir(folder: Optional[Path] = None) -> Path:
    """The state folder, or ``ConfigurationError`` saying what to do if it cannot be one:
    a file in its place (or in its path), or a missing folder that cannot be created
    where it would go. Not created here; a read-only *existing* folder is the ledger's
    own concern (it refuses a go-live before anything is created)."""
    folder = folder or state_dir()
    hint = "set OBS_LIVESTREAM_STATE_DIR to a folder you can write, or remove what is in the way"
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigurationError(f"The state folder {folder} cannot be used: {probe} is a file, not a folder",
                                 hint=hint)
    if probe != folder and not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigurationError(f"The state folder {folder} is missing and cannot be created in {probe}",
                                 hint=hint)
    return folder


def private_dir(folder: Path) -> Path:
    """Create ``folder`` (and its parents) if missing; the folder itself is the user's only (0700)."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(folder, 0o700)
        except OSError:  # pragma: no cover - e.g. a file system without modes
            pass
    return folder


def write_private(path: Path, data: str, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically, readable by the user only (0600).

    A crash mid-write leaves the old file or the new one, never half of one:
    write a temporary file in the same folder, fsync it, then rename over.
    ``durable=False`` skips the fsync, for a file that is only a view of what is in
    memory and is written again after a restart (the published session status): a
    crash may then leave the old content, and the fsync no longer blocks the caller.
    """
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
