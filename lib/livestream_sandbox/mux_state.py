"""Mux Video look-alike, the state side: the live stream object, statuses, recordings, playback.

Timeline (https://www.mux.com/docs/guides/start-live-streaming): a new stream is
``idle``; an encoder connects and, once media flows (after ``prepare_delay``), it is
``active`` with an ``active_asset_id`` (the recording of this broadcast). When the
encoder leaves and ``reconnect_window`` seconds pass without a reconnect, or at once on
``PUT .../complete``, it is ``idle`` again and the asset moves to ``recent_asset_ids``
(remuxed from nginx-rtmp's recording when ``new_asset_settings`` asked for one).
``disabled`` refuses encoders. No Mux webhooks are sent. The HTTP routes are in
``mux_api``.
"""

from __future__ import annotations

import secrets
from typing import Any, Optional

from .media import _FILE, file_response
from .model import ProviderModel
from .timeline import Timeline, Words
from .web import Request, Response, text

NAME = "mux"
IDLE, ACTIVE, DISABLED = "idle", "active", "disabled"
#: Where the sandbox plays a playback ID (the real service: https://stream.mux.com/{id}.m3u8).
PLAYBACK_PREFIX = "/mux/stream/"


def mux_id() -> str:
    """An ID in Mux's style: 44 URL-safe characters."""
    return secrets.token_urlsafe(33)


class MuxState(ProviderModel):
    """Streams, their JSON and what happens to them over time."""

    name = NAME

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self.timeline = Timeline(self, Words(live=ACTIVE, ended=IDLE))

    # rendering ---------------------------------------------------------------------------------
    def stream(self, doc: dict) -> dict:
        """The ``LiveStream`` object of the API reference (only the fields that are set)."""
        out = {
            "id": doc["id"], "stream_key": doc["key"], "srt_passphrase": doc["srt_passphrase"],
            "status": doc["status"], "created_at": str(int(doc["created"])),
            "playback_ids": [dict(p) for p in doc["playback_ids"]],
            "reconnect_window": doc["reconnect_window"], "latency_mode": doc["latency_mode"],
            "max_continuous_duration": 43200,
        }
        if doc.get("new_asset_settings") is not None:
            out["new_asset_settings"] = doc["new_asset_settings"]
        for key in ("passthrough", "meta"):
            if doc.get(key) is not None:
                out[key] = doc[key]
        if doc.get("test"):
            out["test"] = True
        if doc["recent_asset_ids"]:
            out["recent_asset_ids"] = list(doc["recent_asset_ids"])
        if doc["status"] == ACTIVE:
            out["active_ingest_protocol"] = "rtmp"
            if doc.get("active_asset_id"):
                out["active_asset_id"] = doc["active_asset_id"]
        return out

    def playback_url(self, playback_id: str) -> str:
        return f"{self.core.places.api_url}{PLAYBACK_PREFIX}{playback_id}.m3u8"

    def media_url(self, asset_id: str) -> str:
        return f"{self.core.places.api_url}/transcoded/{asset_id}/video.m3u8"

    # the timeline's hooks (timeline.py) -----------------------------------------------------
    def window(self, doc: dict) -> float:
        return doc["reconnect_window"]

    def went_live(self, doc: dict) -> None:
        doc["active_asset_id"] = mux_id() if doc.get("new_asset_settings") else None

    def ended(self, doc: dict) -> Optional[str]:
        """Idle again: the broadcast's asset is listed, remuxed once the FLV is closed."""
        asset_id = doc.pop("active_asset_id", None)
        if doc.get("broadcast") and asset_id:
            doc["recent_asset_ids"].append(asset_id)
        return asset_id

    def on_publish(self, doc: dict, now: float) -> Optional[str]:
        return "live stream is disabled" if doc["status"] == DISABLED else super().on_publish(doc, now)

    # for the media server and the admin API ----------------------------------------------------
    def by_playback_id(self, playback_id: str) -> Optional[dict]:
        for doc in self.core.streams(NAME):
            if any(p["id"] == playback_id for p in doc["playback_ids"]):
                return doc
        return None

    def playback(self, req: Request) -> Response:
        """``/mux/stream/<playback_id>.m3u8`` and its segments ``/mux/stream/<playback_id>/<n>.ts``."""
        if req.method not in ("GET", "HEAD"):
            return text(405, "Method not allowed")
        rest = [p for p in req.path[len(PLAYBACK_PREFIX):].split("/") if p]
        if not rest or len(rest) > 2 or any(not _FILE.match(p) for p in rest):
            return text(404, "Not found")
        playback_id = rest[0][: -len(".m3u8")] if len(rest) == 1 and rest[0].endswith(".m3u8") else rest[0]
        with self.core.lock:
            doc = self.by_playback_id(playback_id)
            folder = self.core.places.hls_dir / doc["key"] if doc else None
        if folder is None or not folder.is_dir():
            return text(404, "Not found")
        if len(rest) == 2:
            return file_response(folder / rest[1], req) if rest[1].endswith(".ts") else text(404, "Not found")
        if not rest[0].endswith(".m3u8"):
            return text(404, "Not found")
        answer = file_response(folder / "index.m3u8", req)
        if answer.status == 200:  # segments stay under /mux/stream/<playback_id>/, never the key
            lines = answer.body.decode("utf-8", "replace").splitlines()
            answer.body = ("\n".join(ln if not ln.strip() or ln.startswith("#") else f"{playback_id}/{ln.strip()}"
                                     for ln in lines) + "\n").encode("utf-8")
        return answer

    def summary(self, doc: dict) -> dict:
        return {"status": doc["status"], "connected": doc.get("connected", False),
                "reconnect_window": doc["reconnect_window"], "idle_at": doc.get("idle_at"),
                "playback_urls": [self.playback_url(p["id"]) for p in doc["playback_ids"]],
                "media_ids": list(doc["recent_asset_ids"]),
                "recording_urls": [self.media_url(a) for a in doc["recent_asset_ids"]
                                   if self.core.job_state(doc, a) == "ready"]}
