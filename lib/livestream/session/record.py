"""The persisted record of the active go-live, so nothing is lost across a restart.

Written (atomically, mode 0600) as soon as a provider stream exists and on every
state change after that; removed when the session ends cleanly. After a script
reload, a scene-collection switch or an OBS crash the front end finds it and offers
to resume or end the stream, and the previous stream settings it holds are put back.

The file holds the user's previous stream key, as OBS's own ``service.json`` does,
hence the 0600 mode.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, Field, ValidationError

from .. import paths
from .ports import StreamService

log = logging.getLogger(__name__)


class SessionRecord(BaseModel):
    """What is needed to resume or end a go-live after a restart."""

    provider: str
    stream_id: str
    title: Optional[str] = None
    state: str = "creating"
    api_base_url: Optional[str] = None
    previous_service: Optional[dict[str, Any]] = None
    service_applied: bool = False
    playback_url: Optional[str] = None
    chat_url: Optional[str] = None
    created_at: float = Field(default_factory=time.time)

    def previous(self) -> Optional[StreamService]:
        return StreamService.from_dict(self.previous_service) if self.previous_service else None

    def __repr__(self) -> str:
        # previous_service holds a stream key: never in a repr.
        return (
            f"SessionRecord(provider={self.provider!r}, stream_id={self.stream_id!r}, "
            f"state={self.state!r}, service_applied={self.service_applied})"
        )

    __str__ = __repr__


class RecordStore:
    """One JSON file holding at most one ``SessionRecord``."""

    def __init__(self, path: Optional[Path] = None, *, name: str = "active-stream.json") -> None:
        self.path = Path(path) if path else paths.state_dir() / name

    def load(self) -> Optional[SessionRecord]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return SessionRecord.model_validate(json.loads(text))
        except (ValueError, ValidationError):
            # A damaged record must not stop the user from going live again; keep
            # a copy for a human to look at.
            log.warning("Ignoring a damaged session record; kept as %s.bad", self.path.name)
            self.path.replace(self.path.with_name(self.path.name + ".bad"))
            return None

    def save(self, record: SessionRecord) -> None:
        paths.write_private(self.path, record.model_dump_json(indent=2))

    def clear(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
