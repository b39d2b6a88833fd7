"""FastPix look-alike, the state side: the stream object, statuses, timeline, webhooks.

Timeline (https://docs.fastpix.io/docs/live-stream-disconnects and the statuses of
FastPix's OpenAPI spec, https://github.com/FastPix/fastpix-python/blob/v1.1.3/fastpix_python/fastpix.yaml):
an encoder connects -> "preparing"
(webhooks ``connected``, ``preparing``) -> after ``prepare_delay`` "active" (``active``,
``recording``); on disconnect ``disconnected``, and after ``reconnectWindow`` seconds
without a reconnect -> "idle" (``idle``) and the recording is listed in ``mediaIds``
(``video.media.created``). ``/finish`` and ``/live-disable`` end the broadcast at
once and cut the encoder. Webhooks (https://docs.fastpix.io/docs/live-events) are signed with
``FastPix-Signature`` (https://docs.fastpix.io/docs/webhook-signature-verification).
The HTTP routes are in ``fastpix_api``.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from .model import ProviderModel
from .timeline import Timeline, Words
from .webhooks import fastpix_signature

NAME = "fastpix"
IDLE, PREPARING, ACTIVE, DISABLED = "idle", "preparing", "active", "disabled"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts % 1 * 1000):03d}Z"


class FastPixState(ProviderModel):
    """Streams, their JSON and what happens to them over time."""

    name = NAME

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self.timeline = Timeline(self, Words(live=ACTIVE, ended=IDLE, preparing=PREPARING))

    # rendering (the spec's live stream object) ----------------------------------------------------
    def stream(self, doc: dict) -> dict:
        return {
            "streamId": doc["id"], "streamKey": doc["key"], "srtSecret": doc["srt_secret"], "trial": False,
            "status": doc["status"], "maxResolution": doc["maxResolution"], "maxDuration": 28800,
            "createdAt": _iso(doc["created"]), "reconnectWindow": doc["reconnectWindow"],
            "enableRecording": doc["enableRecording"], "enableDvrMode": doc["enableDvrMode"],
            "lowLatency": False, "closedCaptions": False, "mediaPolicy": doc["mediaPolicy"],
            "metadata": dict(doc["metadata"]), "playbackIds": [dict(p) for p in doc["playbackIds"]],
            "mediaIds": list(doc["mediaIds"]),
            "srtPlaybackResponse": {"srtPlaybackStreamId": doc["srt_playback_id"],
                                    "srtPlaybackSecret": doc["srt_playback_secret"]},
            "simulcastResponses": [],
        }

    def playback_url(self, playback_id: str) -> str:
        return f"{self.core.places.api_url}/stream/{playback_id}.m3u8"

    def notify(self, doc: dict, *types: str, data: Optional[dict] = None, obj: Optional[dict] = None) -> None:
        """Send ``video.live_stream.<type>`` webhooks (docs.fastpix.io/docs/live-events) if a URL is configured."""
        url = self.core.config.fastpix_webhook_url
        for kind in types:
            event_type = kind if "." in kind else f"video.live_stream.{kind}"
            if not url:
                continue
            envelope = {
                "type": event_type, "id": str(uuid.uuid4()),
                "object": obj or {"type": "live", "id": doc["id"]},
                "workspace": {"id": self.core.config.fastpix_workspace_id,
                              "name": self.core.config.fastpix_workspace_name},
                "data": data if data is not None else self.stream(doc),
                "createdAt": _iso(time.time()), "attempts": [],
            }
            body = json.dumps(envelope).encode("utf-8")
            signature = fastpix_signature(body, self.core.config.fastpix_webhook_secret)
            self.core.send_webhook(url, body, {"FastPix-Signature": signature},
                                   provider=NAME, stream_id=doc["id"], type=event_type)

    # the timeline's hooks (timeline.py) -------------------------------------------------------------
    def window(self, doc: dict) -> float:
        return doc["reconnectWindow"]

    def connected(self, doc: dict, back: bool) -> None:
        self.notify(doc, "connected", "active" if back else "preparing")

    def went_live(self, doc: dict) -> None:
        self.notify(doc, "active", "recording")

    def disconnected(self, doc: dict) -> None:
        self.notify(doc, "disconnected")

    def ended(self, doc: dict) -> Optional[str]:
        """Idle (or disabled): the recording is listed in mediaIds now, remuxed once the FLV is closed."""
        self.notify(doc, "idle" if doc["status"] == IDLE else "disabled")
        if not doc.get("broadcast") or not doc["enableRecording"]:
            return None
        media_id = str(uuid.uuid4())
        doc["mediaIds"].append(media_id)
        self.notify(doc, "video.media.created", obj={"type": "media", "id": media_id},
                    data={"id": media_id, "streamId": doc["id"], "status": "created",
                          "playbackUrl": self.media_url(media_id)})
        return media_id

    def media_url(self, media_id: str) -> str:
        return f"{self.core.places.api_url}/transcoded/{media_id}/video.m3u8"

    def on_publish(self, doc: dict, now: float) -> Optional[str]:
        return "stream is disabled" if doc["status"] == DISABLED else super().on_publish(doc, now)

    # for the media server and the admin API ----------------------------------------------------
    def by_playback_id(self, playback_id: str) -> Optional[dict]:
        for doc in self.core.streams(NAME):
            if any(p["id"] == playback_id for p in doc["playbackIds"]):
                return doc
        return None

    def summary(self, doc: dict) -> dict:
        return {"status": doc["status"], "connected": doc.get("connected", False),
                "reconnect_window": doc["reconnectWindow"], "idle_at": doc.get("idle_at"),
                "playback_urls": [self.playback_url(p["id"]) for p in doc["playbackIds"]],
                "media_ids": list(doc["mediaIds"]),
                "recording_urls": [self.media_url(m) for m in doc["mediaIds"]
                                   if self.core.job_state(doc, m) == "ready"]}
