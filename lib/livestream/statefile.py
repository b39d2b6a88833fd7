"""One small private JSON file in the state folder (``paths.state_dir``), such as the
armed setting's own stream settings, a recovery's due new stream or the list of safety
recordings.

Each is written atomically and readable by the user only (``paths.write_private``), and
none of them may stop the go-live when the disk misbehaves: a file that cannot be read is
taken as missing, a write or a removal that fails is said in the log and what is in
memory goes on.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from . import paths

log = logging.getLogger("livestream.state")


class StateFile:
    """``read``, ``write`` and ``remove`` one JSON file; ``what`` names it in the log."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = Path(path)
        self.what = what

    def read(self, consequence: str = "") -> Any:
        """The file's data; None when it is missing, or cannot be read or parsed (warned,
        with ``consequence``: what follows for the user)."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("Could not read %s (%s: %s)%s", self.what, self.path.name, exc,
                        f": {consequence}" if consequence else "")
            return None

    def write(self, data: Any, *, indent: int = 1) -> bool:
        """Write ``data``; False (warned) when the disk refused it."""
        try:
            paths.write_private(self.path, json.dumps(data, indent=indent))
        except OSError as exc:
            log.warning("Could not write %s (%s): %s", self.what, self.path.name, exc)
            return False
        return True

    def remove(self) -> None:
        """Remove the file; a missing one is fine, a failure is warned."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("Could not remove %s (%s): %s", self.what, self.path.name, exc)
