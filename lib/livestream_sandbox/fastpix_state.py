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
from typing import Optional

from .model import ProviderModel
from .webhooks import fastpix_signature

NAME = "fastpix"
IDLE, PREPARING, ACTIVE, DISABLED = "idle", "preparing", "active", "disabled"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts % 1 * 1000):03d}Z"


class FastPixState(ProviderModel):
    """Streams, their JSON and what happens to them over time."""

    name = NAME

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

    # ingest and timers -------------------------------------------------------------------------
    def _end_broadcast(self, doc: dict) -> None:
        """A broadcast is over: list its recording in mediaIds now, remux it once the FLV is closed."""
        if not doc.get("broadcast"):
            return
        doc["broadcast"] = False
        if doc["enableRecording"]:
            media_id = str(uuid.uuid4())
            doc["mediaIds"].append(media_id)
            doc["pending_media"].append(media_id)
            self.notify(doc, "video.media.created", obj={"type": "media", "id": media_id},
                        data={"id": media_id, "streamId": doc["id"], "status": "created",
                              "playbackUrl": self.media_url(media_id)})
        self.core.save(doc)

    def media_url(self, media_id: str) -> str:
        return f"{self.core.places.api_url}/transcoded/{media_id}/video.m3u8"

    def on_publish(self, doc: dict, now: float) -> Optional[str]:
        if doc["status"] == DISABLED:
            return "stream is disabled"
        if self.core.faults.active(NAME, "never_ready"):
            return "ingest refused (fault never_ready)"
        return None

    def after_publish(self, doc: dict, now: float) -> None:
        doc.update(connected=True, idle_at=None)
        if doc["status"] == ACTIVE:  # reconnected inside the reconnect window
            self.notify(doc, "connected", "active")
            self.core.save(doc)
            return
        doc.update(broadcast=True, active_at=now + self.core.config.prepare_delay)
        self.core.set_status(doc, PREPARING)
        self.notify(doc, "connected", "preparing")

    def on_publish_done(self, doc: dict, now: float) -> None:
        doc["connected"] = False
        if doc["status"] in (PREPARING, ACTIVE):
            doc["idle_at"] = now + doc["reconnectWindow"]
            self.notify(doc, "disconnected")
        self.core.save(doc)

    def recover(self, doc: dict, now: float) -> None:
        if doc.get("connected"):
            self.on_publish_done(doc, now)

    def tick(self, doc: dict, now: float) -> None:
        if doc["status"] == PREPARING and doc.get("connected") and now >= (doc.get("active_at") or now):
            doc["active_at"] = None
            self.core.set_status(doc, ACTIVE)
            self.notify(doc, "active", "recording")
        if doc.get("idle_at") is not None and not doc.get("connected") and now >= doc["idle_at"]:
            doc.update(idle_at=None, active_at=None)
            self.core.set_status(doc, IDLE)
            self.notify(doc, "idle")
            self._end_broadcast(doc)
        if doc.get("pending_media") and not doc.get("publishing"):
            for media_id in list(doc["pending_media"]):
                doc["pending_media"].remove(media_id)
                if not self.core.start_remux(doc, media_id):
                    self.core.event("recording_failed", doc, media_id=media_id, error="nothing was recorded")
            self.core.save(doc)

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
