"""Cloudflare Stream look-alike, the state side: the live input object, statuses, recordings, HLS.

Timeline (https://developers.cloudflare.com/stream/stream-live/): a live input is created
with its RTMPS stream key and SRT passphrase at once, ``status`` null. An encoder
connects -> ``connected`` (``reconnected`` when it comes back); it leaves ->
``client_disconnect``. With ``recording.mode`` "automatic" the input plays over HLS while
live and, ``recording.timeoutSeconds`` after the encoder left without coming back, the
recording becomes a video (here: remuxed under ``vod/<video uid>/``). ``enabled: false``
refuses (and cuts) the encoder; DELETE forgets the input. The RTMPS URL answered is the
sandbox's own loopback ``rtmp://`` ingest; there is no SRT or WebRTC ingest here (their
URLs are only given). The HTTP routes are in ``cloudflare_api``.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from .media import file_response
from .model import ProviderModel
from .timeline import Timeline, Words
from .web import Request, Response, text

NAME = "cloudflare"
CONNECTED, RECONNECTED, CLIENT_DISCONNECT = "connected", "reconnected", "client_disconnect"


def iso(ts: float) -> str:
    """The API's time format, e.g. "2021-09-23T05:05:53.451415Z"."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_uid() -> str:
    return uuid.uuid4().hex  # 32 hex characters, like Cloudflare's uids


class CloudflareState(ProviderModel):
    """Live inputs, their JSON and what happens to them over time."""

    name = NAME

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self.timeline = Timeline(self, Words(live=CONNECTED, gone=CLIENT_DISCONNECT, reconnected=RECONNECTED),
                                 prepare=False)

    # rendering -----------------------------------------------------------------------------------
    def new_doc(self, now: float, meta: dict, recording: dict, delete_after: Optional[int],
                enabled: bool) -> dict:
        uid = new_uid()
        return {
            "provider": NAME, "id": uid, "key": secrets.token_hex(16) + uid, "srt_passphrase": secrets.token_hex(16),
            "playback_key": secrets.token_hex(16), "created": now, "modified": now, "status": None,
            "enabled": enabled, "meta": meta, "recording": recording, "deleteRecordingAfterDays": delete_after,
            "videos": [], "pending_media": [], "broadcast": False, "connected": False, "idle_at": None,
        }

    def live_input(self, doc: dict) -> dict:
        """The live input object (https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/)."""
        places = self.core.places
        body = {
            "uid": doc["id"], "created": iso(doc["created"]), "modified": iso(doc["modified"]),
            "meta": dict(doc["meta"]), "enabled": doc["enabled"], "recording": dict(doc["recording"]),
            "rtmps": {"url": places.rtmp_url, "streamKey": doc["key"]},
            # Playback over RTMPS/SRT/WebRTC is not served by the sandbox: the shapes only.
            "rtmpsPlayback": {"url": places.rtmp_url, "streamKey": doc["playback_key"]},
            "srt": {"url": places.srt_url, "streamId": doc["id"], "passphrase": doc["srt_passphrase"]},
            "srtPlayback": {"url": places.srt_url, "streamId": "play" + doc["id"],
                            "passphrase": doc["playback_key"]},
            "webRTC": {"url": f"{places.api_url}/cloudflare/{doc['id']}/webRTC/publish"},
            "webRTCPlayback": {"url": f"{places.api_url}/cloudflare/{doc['id']}/webRTC/play"},
            "status": doc["status"],
        }
        if doc.get("deleteRecordingAfterDays") is not None:
            body["deleteRecordingAfterDays"] = doc["deleteRecordingAfterDays"]
        return body

    @staticmethod
    def list_item(doc: dict) -> dict:
        """A list entry: no credentials and no status ("request a single live input")."""
        item = {"uid": doc["id"], "created": iso(doc["created"]), "modified": iso(doc["modified"]),
                "meta": dict(doc["meta"])}
        if doc.get("deleteRecordingAfterDays") is not None:
            item["deleteRecordingAfterDays"] = doc["deleteRecordingAfterDays"]
        return item

    def playback_url(self, doc: dict) -> str:
        """Where the sandbox plays it (the real one: customer-<code>.cloudflarestream.com/<uid>/...)."""
        return f"{self.core.places.api_url}/cloudflare/{doc['id']}/manifest/video.m3u8"

    def video_url(self, video_uid: str) -> str:
        return f"{self.core.places.api_url}/transcoded/{video_uid}/video.m3u8"

    # changes ---------------------------------------------------------------------------------
    def disable(self, doc: dict) -> None:
        """``enabled: false``: the encoder is cut and refused until the input is enabled again."""
        doc["enabled"] = False
        self.core.drop_publisher(doc)
        self.core.event("disabled", doc)

    def enable(self, doc: dict) -> None:
        doc["enabled"] = True
        self.core.event("enabled", doc)

    # the timeline's hooks (timeline.py) -----------------------------------------------------
    def window(self, doc: dict) -> float:
        # "timeoutSeconds": how long the input waits for the encoder before the recording
        # becomes a video; 0 means the platform default (here: at once).
        return int(doc["recording"].get("timeoutSeconds") or 0)

    def ended(self, doc: dict) -> Optional[str]:
        if doc["recording"].get("mode") != "automatic":
            self.core.event("broadcast_ended", doc)
            return None
        video_uid = new_uid()
        doc["videos"].append(video_uid)
        self.core.event("broadcast_ended", doc, video_uid=video_uid)
        return video_uid

    def on_publish(self, doc: dict, now: float) -> Optional[str]:
        return "live input is disabled" if not doc.get("enabled", True) else super().on_publish(doc, now)

    # for the media server and the admin API ----------------------------------------------------
    def media(self, req: Request, rest: list) -> Response:
        """``/cloudflare/<uid>/manifest/video.m3u8`` and its segments: live HLS while the input
        records (recording mode "off": "not available for playback")."""
        if len(rest) != 3 or rest[1] != "manifest":
            return text(404, "Not found")
        with self.core.lock:
            doc = self.core.get(NAME, rest[0])
            key = doc.get("key") if doc and doc["recording"].get("mode") == "automatic" else None
        folder = self.core.places.hls_dir / key if key else None
        if folder is None or not folder.is_dir():
            return text(404, "Not found")
        if rest[2] == "video.m3u8":
            return file_response(folder / "index.m3u8", req)
        return file_response(folder / rest[2], req) if rest[2].endswith(".ts") else text(404, "Not found")

    def summary(self, doc: dict) -> dict:
        return {"status": doc["status"], "enabled": doc["enabled"], "meta": dict(doc["meta"]),
                "playback_urls": [self.playback_url(doc)], "media_ids": list(doc["videos"]),
                "recording_urls": [self.video_url(v) for v in doc["videos"]
                                   if self.core.job_state(doc, v) == "ready"]}
