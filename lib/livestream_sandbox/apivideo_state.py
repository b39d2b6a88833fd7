"""api.video look-alike, the state side: the live stream object, ``broadcasting``, timeline, playback.

Timeline (https://docs.api.video/live-streaming): an encoder connects -> after
``prepare_delay`` ``broadcasting`` is true; on disconnect it stays true for the
reconnect window (api.video: "reconnect within 1 minute") and then turns false; ``PUT
.../complete`` answers 202 and cuts the encoder within about a second. Each broadcast
is recorded into a "video" (``vi...``, remuxed under ``/transcoded/<id>/``): api.video
records live streams into its Videos API, which this sandbox does not serve; the admin
API lists the recordings. A stream can be broadcast to again afterwards.

Playback: ``assets.hls`` is ``<api_url>/apivideo-live/<liveStreamId>.m3u8`` (the real
service: ``https://live.api.video/<liveStreamId>.m3u8``), served by ``media`` through
``media_prefix``/``media``. The HTTP routes are in ``apivideo_api``.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timezone
from typing import Any, Optional

from .media import file_response
from .model import ProviderModel
from .timeline import Timeline, Words
from .web import Request, Response, text

NAME = "apivideo"
IDLE, BROADCASTING = "idle", "broadcasting"  # sandbox words for the event log; the API says a bool
#: Seconds an encoder may be gone before the broadcast ends (api.video documents one minute).
RECONNECT_WINDOW = 60.0
#: Seconds from ``complete`` to the end of the broadcast ("within seconds", asynchronously).
COMPLETE_DELAY = 1.0
MEDIA_PREFIX = "apivideo-live"
_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """An id shaped like api.video's: a two-letter prefix and 22 letters or digits."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(22))


def iso(ts: float) -> str:
    """ATOM time with an offset, as in the documented examples ("2020-07-29T10:45:35+00:00")."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class ApiVideoState(ProviderModel):
    """Live streams, their JSON and what happens to them over time."""

    name = NAME
    media_prefix = MEDIA_PREFIX
    reconnect_window = RECONNECT_WINDOW

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self.timeline = Timeline(self, Words(live=BROADCASTING, ended=IDLE), early_leave_ends=True)

    # rendering ------------------------------------------------------------------------------------
    def stream(self, doc: dict) -> dict:
        """The documented live stream object (https://docs.api.video/reference/api/Live-Streams)."""
        base = f"{self.core.places.api_url}/{MEDIA_PREFIX}/{doc['id']}"
        body = {
            "liveStreamId": doc["id"], "createdAt": iso(doc["created"]), "updatedAt": iso(doc["updated"]),
            "streamKey": doc["key"], "restreams": [], "name": doc["name"], "public": doc["public"],
            "broadcasting": doc["status"] == BROADCASTING,
            "assets": {
                "iframe": f'<iframe src="{base}" width="100%" height="100%" frameborder="0" scrolling="no" '
                          'allowfullscreen=""></iframe>',
                "player": base, "hls": base + ".m3u8", "thumbnail": base + "/thumbnail.jpg",
            },
        }
        if doc.get("playerId"):
            body["playerId"] = doc["playerId"]
        return body

    def playback_url(self, doc: dict) -> str:
        return f"{self.core.places.api_url}/{MEDIA_PREFIX}/{doc['id']}.m3u8"

    # the timeline's hooks (timeline.py) and ``complete`` ---------------------------------------
    def window(self, doc: dict) -> float:
        return self.reconnect_window

    def connected(self, doc: dict, back: bool) -> None:
        doc["complete_at"] = None

    def ended(self, doc: dict) -> Optional[str]:
        """Not broadcasting: the recording becomes a video once the FLV is closed."""
        doc["complete_at"] = None
        if not doc.get("broadcast"):
            return None
        video_id = new_id("vi")
        doc["videos"].append(video_id)
        return video_id

    def complete(self, doc: dict, now: float) -> None:
        """``PUT .../complete``: end the broadcast shortly, cutting the encoder."""
        self.core.event("complete_requested", doc)
        doc["complete_at"] = now + COMPLETE_DELAY
        self.core.save(doc)

    def tick(self, doc: dict, now: float) -> None:
        if doc.get("complete_at") is not None and now >= doc["complete_at"]:
            self.core.drop_publisher(doc)
            doc["connected"] = False
            self.timeline.end(doc)
        self.timeline.tick(doc, now)

    # playback (media.py hands ``/apivideo-live/...`` here) -------------------------------------
    def media(self, req: Request, rest: list) -> Response:
        """``<id>.m3u8`` (segment URIs rewritten under ``<id>/``) and ``<id>/<segment>.ts``."""
        stream_id = rest[0][: -len(".m3u8")] if len(rest) == 1 and rest[0].endswith(".m3u8") else rest[0]
        with self.core.lock:
            doc = self.core.get(NAME, stream_id)
            key = doc.get("key") if doc else None
        folder = self.core.places.hls_dir / key if key else None
        if folder is None or not folder.is_dir() or len(rest) > 2:
            return text(404, "Not found")
        if len(rest) == 2:
            return file_response(folder / rest[1], req) if rest[1].endswith(".ts") else text(404, "Not found")
        if not rest[0].endswith(".m3u8"):
            return text(404, "Not found")
        answer = file_response(folder / "index.m3u8", req)
        if answer.status == 200:
            lines = answer.body.decode("utf-8", "replace").splitlines()
            answer.body = ("\n".join(ln if not ln.strip() or ln.startswith("#") else f"{stream_id}/{ln.strip()}"
                                     for ln in lines) + "\n").encode("utf-8")
        return answer

    # for the admin API ----------------------------------------------------------------------------
    def video_url(self, video_id: str) -> str:
        return f"{self.core.places.api_url}/transcoded/{video_id}/video.m3u8"

    def summary(self, doc: dict) -> dict:
        return {"status": doc["status"], "broadcasting": doc["status"] == BROADCASTING,
                "connected": doc.get("connected", False), "idle_at": doc.get("idle_at"),
                "playback_urls": [self.playback_url(doc)], "media_ids": list(doc["videos"]),
                "recording_urls": [self.video_url(v) for v in doc["videos"]
                                   if self.core.job_state(doc, v) == "ready"]}
