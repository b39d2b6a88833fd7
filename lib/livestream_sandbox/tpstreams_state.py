"""TP Streams look-alike, the state side: asset JSON, status words, timeline, webhooks.

Timeline (https://developer.tpstreams.com/docs/live-stream-api/create_live_stream_instantly,
https://github.com/testpress/streams-docs/blob/46162ee56aa21934875507f86513e00d53dbbd7b/docs/server-api/live-stream-api/live-stream/start-server.md
and https://developer.tpstreams.com/docs/live-stream-api/live-stream-event-status): create-now or ``start_server`` boots
a server for ``boot_delay`` seconds, then ``rtmp_url``/``stream_key`` appear (status
stays "Not Started"); a publish gives "Streaming", its end "Disconnected";
``stop_live_stream`` gives "Stopped", then "Recording", then "Completed" with a
``video`` whose ``playback_url`` plays the recording; a failed boot gives "Error".
Every change is POSTed to the org's webhooks with ``x-streams-token``
(https://developer.tpstreams.com/docs/server-api/webhooks,
https://developer.tpstreams.com/docs/live-stream-api/webhook-response).
The HTTP routes are in ``tpstreams_api``.
"""

from __future__ import annotations

import json
import secrets
import string
import uuid
from datetime import datetime
from typing import Optional

from .model import ProviderModel

NAME = "tpstreams"
NOT_STARTED, STREAMING, DISCONNECTED = "Not Started", "Streaming", "Disconnected"
STOPPED, RECORDING, COMPLETED, ERROR = "Stopped", "Recording", "Completed", "Error"
LATENCIES = ("Low Latency", "Normal Latency")
RESOLUTIONS = ["240p", "480p", "720p"]
_ALPHABET = string.ascii_letters + string.digits


def _activity(word: str) -> dict:
    # as documented: {"status": "On Publish", "timestamp": "September 22, 2025, 05:59 PM"}
    return {"status": word, "timestamp": datetime.now().strftime("%B %d, %Y, %I:%M %p")}


def random_id(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


class TPStreamsState(ProviderModel):
    """Streams, their asset JSON and what happens to them over time."""

    name = NAME

    # URLs ----------------------------------------------------------------------------------------
    def _hls_url(self, doc: dict) -> str:
        return f"{self.core.places.api_url}/live/{doc['org']}/{doc['id']}/video.m3u8"

    def _chat_url(self, doc: dict) -> str:
        return f"{self.core.places.api_url}/live-chat/{doc['org']}/{doc['id']}/"

    def asset(self, doc: dict, *, detail_view: bool = False) -> dict:
        """The asset JSON of the docs' create/webhook examples."""
        booted = bool(doc.get("booted"))
        live = {
            "rtmp_url": self.core.places.rtmp_url if booted else "",
            "stream_key": doc.get("key") if booted else None,
            "status": doc["status"],
            "hls_url": self._hls_url(doc),
            "start": doc.get("start"),
            "transcode_recorded_video": True,
            "enable_drm_for_recording": doc["enable_drm_for_recording"],
            "enable_drm": doc["enable_drm_for_recording"],
            "enable_llhls": False,
            "latency": doc["latency"],
            "chat_embed_url": self._chat_url(doc) if doc.get("chat") else None,
            "resolutions": list(RESOLUTIONS),
            "activities": list(doc.get("activities", [])),
        }
        asset = {"title": doc["title"], "bytes": None, "type": "livestream", "video": doc.get("video"),
                 "id": doc["id"], "live_stream": live, "parent": None, "parent_id": None}
        if detail_view:
            asset["views_count"] = 0
        return asset

    def notify(self, doc: dict) -> None:
        """POST the asset to every webhook of the org (developer.tpstreams.com/docs/server-api/webhooks)."""
        hooks = self.core.store.webhooks(doc["org"])
        if not hooks:
            return
        body = json.dumps(self.asset(doc)).encode("utf-8")
        for hook in hooks:
            self.core.send_webhook(hook["url"], body, {"x-streams-token": hook["secret_token"]},
                                   provider=NAME, stream_id=doc["id"], status=doc["status"])

    def _status(self, doc: dict, status: str, activity: Optional[str] = None) -> None:
        if activity:
            doc.setdefault("activities", []).append(_activity(activity))
        self.core.set_status(doc, status)
        self.notify(doc)


    def _boot(self, doc: dict, now: float) -> None:
        doc["boot_ready_at"] = now + self.core.config.boot_delay
        self.core.event("server_start_requested", doc, ready_in=self.core.config.boot_delay)
        self.core.save(doc)

    def _find(self, stream_id: str) -> Optional[dict]:
        return self.core.get(NAME, stream_id)


    # ingest and timers (core.py calls these with the lock held) -------------------------------------
    def on_publish(self, doc: dict, now: float) -> Optional[str]:
        if not doc.get("booted"):
            return "server not ready"
        if doc.get("stop_phase") or doc["status"] not in (NOT_STARTED, DISCONNECTED):
            return f"stream is {doc['status']}"
        return None

    def after_publish(self, doc: dict, now: float) -> None:
        self._status(doc, STREAMING, "On Publish")

    def on_publish_done(self, doc: dict, now: float) -> None:
        if doc["status"] == STREAMING:
            self._status(doc, DISCONNECTED, "On Publish Done")

    def recover(self, doc: dict, now: float) -> None:
        if doc["status"] == STREAMING:  # nginx went down with the sandbox: the encoder is gone
            self._status(doc, DISCONNECTED, "On Publish Done")

    def tick(self, doc: dict, now: float) -> None:
        ready_at = doc.get("boot_ready_at")
        if ready_at is not None and not doc.get("booted") and now >= ready_at:
            faults = self.core.faults
            if faults.active(NAME, "never_ready"):
                return  # the server never comes up while the fault is on
            doc["boot_ready_at"] = None
            if faults.consume(NAME, "boot_error"):
                self.core.event("boot_failed", doc)
                self._status(doc, ERROR)
                return
            doc.update(booted=True, chat=True, key=f"org-{doc['org']}-live-{doc['id']}-{random_id(4)}")
            self.core.event("key_issued", doc, boot_seconds=round(now - (ready_at - self.core.config.boot_delay), 3))
            self.core.save(doc)
            # create_live_stream_instantly: the webhook delivers the key "as soon as the server is established"
            self.notify(doc)
        phase = doc.get("stop_phase")
        if phase == "stopping" and now >= doc["recording_at"]:
            if doc.get("publishing") and now < doc["recording_at"] + 5:
                return  # wait for nginx to cut the encoder and close the FLV
            media_id = str(uuid.uuid4())
            if self.core.start_remux(doc, media_id):
                doc.update(stop_phase="recording", media_id=media_id,
                           complete_at=now + self.core.config.complete_delay)
                self._status(doc, RECORDING, "Recording")
            else:
                doc["stop_phase"] = "done"  # nothing was ever published: it stays "Stopped"
                self.core.save(doc)
        elif phase == "recording" and now >= doc["complete_at"]:
            state = self.core.job_state(doc, doc.get("media_id"))
            if state == "ready":
                doc["stop_phase"] = "done"
                doc["video"] = self._video(doc)
                self._status(doc, COMPLETED, "Completed")
            elif state == "failed":
                doc["stop_phase"] = "done"
                self._status(doc, ERROR)

    def _video(self, doc: dict) -> dict:
        """The ``video`` object of the seed's stop webhook."""
        base = f"{self.core.places.api_url}/transcoded/{doc['media_id']}"
        return {"progress": 100, "thumbnails": [], "status": "Completed", "playback_url": f"{base}/video.m3u8",
                "dash_url": None, "preview_thumbnail_url": None, "format": "abr", "resolutions": list(RESOLUTIONS),
                "video_codec": "h264", "audio_codec": "aac", "enable_drm": doc["enable_drm_for_recording"],
                "tracks": [], "inputs": []}  # the same folder also serves video.mp4

    # for the media server and the admin API ----------------------------------------------------------
    def hls_key(self, org: str, stream_id: str) -> Optional[str]:
        doc = self._find(stream_id)
        if doc is None or doc["org"] != org:
            return None
        return doc.get("key")

    def summary(self, doc: dict) -> dict:
        return {"title": doc["title"], "status": doc["status"], "booted": doc.get("booted", False),
                "boot_ready_at": doc.get("boot_ready_at"), "scheduled": doc.get("scheduled"),
                "hls_url": self._hls_url(doc),
                "rtmp_url": self.core.places.rtmp_url if doc.get("booted") else "",
                "recording_url": (doc.get("video") or {}).get("playback_url")}
