"""A FastPix-compatible live-stream API, as FastPix's OpenAPI spec describes it.

Timeline (https://docs.fastpix.io/docs/live-stream-disconnects and the statuses of
FastPix's OpenAPI spec, https://github.com/FastPix/fastpix-python/blob/v1.1.3/fastpix_python/fastpix.yaml):
an encoder connects -> "preparing"
(webhooks ``connected``, ``preparing``) -> after ``prepare_delay`` "active" (``active``,
``recording``); on disconnect ``disconnected``, and after ``reconnectWindow`` seconds
without a reconnect -> "idle" (``idle``) and the recording is listed in ``mediaIds``
(``video.media.created``). ``/finish`` and ``/live-disable`` end the broadcast at
once and cut the encoder. Webhooks (https://docs.fastpix.io/docs/live-events) are signed with
``FastPix-Signature`` (https://docs.fastpix.io/docs/webhook-signature-verification).

Source: the spec, https://github.com/FastPix/fastpix-python/blob/v1.1.3/fastpix_python/fastpix.yaml
(paths, bodies, envelopes, errors, statuses), with https://docs.fastpix.io/reference/create-new-stream.
Paths under ``/v1/live/streams``, HTTP Basic with the access token id and secret
key, camelCase ``{success, data}`` envelopes and ``{success:false, error:{code,
message, description}}`` errors, 422 with ``error.fields`` for validation, the
stream object (above) and its four statuses. The key is in the
201 create answer. The sandbox's choices where the docs are silent: list ``limit`` is
1..50 (the cap of FastPix's WordPress plugin, ``PAGE_MAX`` in
https://github.com/FastPix/wordpress/blob/947c38f0b762bc2b79428bc201674e18e0d93bbe/includes/class-fastpix-api-client.php);
an unknown ``orderBy`` is a 422; a trailing slash
is tolerated; private playback IDs play without a token; enable sends a
``video.live_stream.enabled`` webhook (Mux's name).
"""

from __future__ import annotations

import json
import math
import re
import secrets
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from .model import ProviderModel, basic_auth_matches, is_bool, number_in, one_of, present, refusals, route
from .restream import add_target
from .timeline import Words
from .web import BadBody, Request, Response, json_response
from .webhooks import fastpix_signature

NAME = "fastpix"
IDLE, PREPARING, ACTIVE, DISABLED = "idle", "preparing", "active", "disabled"
RESOLUTIONS = ("1080p", "720p", "480p")
POLICIES = ("public", "private")
MAX_RECONNECT_WINDOW = 1800  # "The maximum allowed ... is 1,800 seconds" (docs.fastpix.io/docs/live-stream-disconnects)
MAX_LIMIT = 50
#: The spec's inputMediaSettings fields (CreateLiveStreamRequest), an update's too.
RULES = (
    ("maxResolution", one_of(RESOLUTIONS), "maxResolution must be one of: " + ", ".join(RESOLUTIONS)),
    ("reconnectWindow", number_in(0, MAX_RECONNECT_WINDOW),
     f"reconnectWindow must be an integer between 0 and {MAX_RECONNECT_WINDOW}"),
    ("mediaPolicy", one_of(POLICIES), "mediaPolicy must be one of: public, private"),
    ("metadata", lambda meta: isinstance(meta, dict) and len(meta) <= 10 and all(
        isinstance(v, str) and len(k) <= 255 and len(v) <= 255 for k, v in meta.items()),
     "metadata must map strings to strings (at most 10 entries, 255 chars)"),
    ("enableDvrMode", is_bool, "enableDvrMode must be a boolean"),
    ("enableRecording", is_bool, "enableRecording must be a boolean"),
)

_MESSAGES = {
    400: ("Bad Request", "The request could not be processed."),
    401: ("Unauthorized", "Invalid or missing access token id / secret key."),
    403: ("Forbidden", "The access token does not have permission for this operation."),
    404: ("Not Found", "The requested resource was not found."),
    405: ("Method Not Allowed", "This method is not allowed on this resource."),
    422: ("Validation failed", "The request failed validation."),
    429: ("Too Many Requests", "Rate limit exceeded."),
    500: ("Internal Server Error", "Something went wrong on our side."),
    502: ("Bad Gateway", "The upstream service did not answer."),
    503: ("Service Unavailable", "The service is temporarily unavailable."),
}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts % 1 * 1000):03d}Z"


def error(status: int, message: Optional[str] = None, description: Optional[str] = None,
          fields: Optional[list] = None) -> Response:
    default_message, default_description = _MESSAGES.get(status, ("Error", "The request failed."))
    return json_response(status, {"success": False, "error": {
        "code": status, "message": message or default_message, "description": description or default_description,
        **present(fields=fields)}})


def invalid(problems: list, description: str = "One or more fields are invalid.") -> Response:
    """422 naming each refused field (``[(field, message), ...]``)."""
    return error(422, description=description, fields=[{"field": f, "message": m} for f, m in problems])


def done() -> Response:
    return json_response(200, {"success": True})


class Model(ProviderModel):
    name = NAME
    api_paths = re.compile(r"^/v1/")
    playback_prefix = ("stream",)
    playback_pattern = "/stream/<playback_id>.m3u8"
    credentials = {"access_token_id": "sandbox-fastpix-token-id", "secret_key": "sandbox-fastpix-secret-key"}
    api_root = "/v1/live/streams"
    words = Words(live=ACTIVE, ended=IDLE, preparing=PREPARING)
    challenge = 'Basic realm="FastPix"'
    disabled_refusal = "stream is disabled"
    playback_field, media_field, window_field = "playbackIds", "mediaIds", "reconnectWindow"

    @classmethod
    def extra_env(cls, api_url: str, rtmp_url: str, srt_url: str) -> dict:
        """What the product reads but does not declare as a setting."""
        return {"FASTPIX_INGEST_SRT_URL": srt_url,
                "FASTPIX_PLAYBACK_URL_TEMPLATE": api_url + "/stream/{playback_id}.m3u8"}

    # rendering (the spec's live stream object) ----------------------------------------------------
    def ok(self, result: Any, status: int = 200) -> Response:
        return json_response(status, {"success": True, "data": result})

    def render(self, doc: dict) -> dict:
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
            "simulcastResponses": [self.simulcast(t) for t in doc.get("targets", {}).values()],
        }

    @staticmethod
    def simulcast(target: dict) -> dict:
        return {"simulcastId": target["id"], "url": target["url"], "streamKey": target["key"],
                "isEnabled": target["enabled"], "metadata": dict(target.get("metadata") or {})}

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
                "data": data if data is not None else self.render(doc),
                "createdAt": _iso(time.time()), "attempts": [],
            }
            body = json.dumps(envelope).encode("utf-8")
            signature = fastpix_signature(body, self.core.config.fastpix_webhook_secret)
            self.core.send_webhook(url, body, {"FastPix-Signature": signature},
                                   provider=NAME, stream_id=doc["id"], type=event_type)

    # the timeline's hooks (timeline.py) -------------------------------------------------------------
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
                          "playbackUrl": self.recording_url(media_id)})
        return media_id

    # HTTP (playback: ``/stream/<id>.m3u8``, as ``stream.fastpix.com/{id}.m3u8``) -------------------
    def error_body(self, status: int, wait: int) -> Response:
        """The documented error envelope (the OpenAPI spec's error schemas) for a forced status."""
        if status == 429:
            return error(429, description=f"Rate limit exceeded. Retry after {wait} seconds.")
        return error(status, fields=[{"field": "body", "message": "Validation failed."}] if status == 422 else None)

    def route_table(self) -> list:
        one = r"^/v1/live/streams/(?P<id>[^/]+)"
        return [
            route(r"^/v1/live/streams/?$", {"GET": self._list, "POST": self._create}),
            route(one + r"/?$", {"GET": self.get_stream, "PATCH": self._update, "DELETE": self._delete}),
            route(one + r"/finish/?$", {"PUT": self._finish}),
            route(one + r"/live-enable/?$", {"PUT": self._enable}),
            route(one + r"/live-disable/?$", {"PUT": self._disable}),
            route(one + r"/viewer-count/?$", {"GET": self._viewers}),
            route(one + r"/simulcast/?$", {"POST": self._add_simulcast}),
            route(one + r"/simulcast/(?P<target>[^/]+)/?$",
                  {"GET": self._get_simulcast, "PUT": self._update_simulcast, "DELETE": self._delete_simulcast}),
        ]

    def missing(self, req: Request) -> Response:
        return error(404, "Stream not found", "No live stream exists with this streamId.")

    def bad_body(self, exc: BadBody) -> Response:
        return error(400, description="The request body is not valid JSON.")

    def authenticate(self, req: Request, args: dict) -> Optional[Response]:
        if basic_auth_matches(req, self.creds.fastpix_access_token_id, self.creds.fastpix_secret_key):
            return None
        return self.error_response(401)

    def _list(self, req: Request) -> Response:
        problems = []

        def integer(name: str, default: int, low: int, high: Optional[int] = None) -> int:
            value = req.integer(name, default, low, high)
            if value is None:
                bounds = f"between {low} and {high}" if high else f"greater than or equal to {low}"
                problems.append((name, f"{name} must be an integer {bounds}"))
            return value or low

        limit = integer("limit", 10, 1, MAX_LIMIT)
        page = integer("offset", 1, 1)  # the spec: offset is a 1-based PAGE number (default 1); 0 is a 422
        order = req.query.get("orderBy", "desc")
        if order not in ("asc", "desc"):
            problems.append(("orderBy", "orderBy must be one of: asc, desc"))
        if problems:
            return invalid(problems, "Invalid query parameters.")
        docs = self.core.streams(NAME)
        if order == "asc":
            docs.reverse()
        chunk = docs[(page - 1) * limit: page * limit]
        return json_response(200, {"success": True, "data": [self.render(d) for d in chunk],
                                   "pagination": {"totalRecords": len(docs), "currentOffset": page,
                                                  "offsetCount": max(1, math.ceil(len(docs) / limit))}})

    def _create(self, req: Request) -> Response:
        body = self.json_object(req, error(422, description="The request body must be a JSON object.",
                                           fields=[{"field": "body", "message": "must be an object"}]))
        problems = []
        playback = body.get("playbackSettings")
        if not isinstance(playback, dict):
            problems.append(("playbackSettings", "playbackSettings is required"))
            playback = {}
        elif playback.get("accessPolicy") not in POLICIES:
            problems.append(("playbackSettings.accessPolicy", "accessPolicy must be one of: public, private"))
        settings = body.get("inputMediaSettings", {})
        if not isinstance(settings, dict):
            problems.append(("inputMediaSettings", "inputMediaSettings must be an object"))
            settings = {}
        problems += refusals(settings, RULES, "inputMediaSettings.")
        if problems:
            return invalid(problems)
        allow_all = {"defaultPolicy": "allow", "allow": [], "deny": []}
        doc = self.add_stream(
            uuid.uuid4().hex, secrets.token_hex(16), IDLE, srt_secret=secrets.token_hex(16),
            maxResolution=settings.get("maxResolution", "1080p"), reconnectWindow=settings.get("reconnectWindow", 60),
            enableRecording=settings.get("enableRecording", True),
            enableDvrMode=settings.get("enableDvrMode", False), mediaPolicy=settings.get("mediaPolicy", "public"),
            metadata=dict(settings.get("metadata", {})),
            playbackIds=[{"id": str(uuid.uuid4()), "accessPolicy": playback.get("accessPolicy", "public"),
                          "accessRestrictions": {"domains": dict(allow_all), "userAgents": dict(allow_all)}}],
            mediaIds=[], srt_playback_id=secrets.token_hex(16), srt_playback_secret=secrets.token_hex(16))
        self.notify(doc, "created")
        return self.ok(self.render(doc), 201)

    def _add_simulcast(self, req: Request, doc: dict) -> Response:
        """"A simulcast can only be created when the parent live stream is in idle state"."""
        body = req.data()
        if not isinstance(body, dict) or not isinstance(body.get("url"), str) \
                or not body["url"].startswith(("rtmp://", "rtmps://")) or not isinstance(body.get("streamKey"), str):
            return error(422, "Invalid request", "url (an RTMP URL) and streamKey are required")
        if "metadata" in body and not isinstance(body["metadata"], dict):
            return error(422, "Invalid request", "metadata must be an object")
        if doc["status"] != "idle":
            return error(400, "Bad request", "a simulcast can only be created while the stream is idle")
        target = add_target(doc, url=body["url"], key=body["streamKey"])
        target["metadata"] = dict(body.get("metadata") or {})
        self.core.save(doc)
        self.notify(doc, "simulcast_target.created", data=self.simulcast(target))
        return self.ok(self.simulcast(target), 201)

    def _get_simulcast(self, req: Request, doc: dict, target: str) -> Response:
        return self.ok(self.simulcast(self.target(doc, target)))

    def _update_simulcast(self, req: Request, doc: dict, target: str) -> Response:
        refusal = error(422, "Invalid request", "isEnabled must be a boolean")
        return self.ok(self.simulcast(self.toggle_target(req, doc, target, "isEnabled", refusal)))

    def _delete_simulcast(self, req: Request, doc: dict, target: str) -> Response:
        self.drop_target(doc, target)
        self.notify(doc, "simulcast_target.deleted", data={"simulcastId": target})
        return done()

    def _update(self, req: Request, doc: dict) -> Response:
        body = self.json_object(req, error(422, fields=[{"field": "body", "message": "must be an object"}]))
        if doc["status"] == DISABLED:
            return error(400, "stream is disabled", "A disabled stream cannot be updated; enable it first.")
        changes = {k: body[k] for k in ("metadata", "reconnectWindow", "maxResolution") if k in body}
        problems = refusals(changes, RULES)
        if problems:
            return invalid(problems)
        doc.update(changes)
        self.core.save(doc)
        self.core.event("updated", doc, fields=sorted(changes))
        self.notify(doc, "updated")
        return self.ok(self.render(doc))

    def _delete(self, req: Request, doc: dict) -> Response:
        self.delete_stream(doc)
        self.notify(doc, "deleted")
        return done()

    def _finish(self, req: Request, doc: dict) -> Response:
        # Verbatim, as FastPix's live API answered it:
        # https://github.com/FastPix/node-sdk/blob/V2.0.6/tests/NON_GET_ENDPOINTS_VALIDATION_REPORT.md
        if doc["status"] != ACTIVE:
            return error(400, "stream cannot be completed", "Only active streams can be marked as completed.")
        self.core.event("finish_requested", doc)
        self.end_now(doc)
        return done()

    def _enable(self, req: Request, doc: dict) -> Response:
        if doc["status"] != DISABLED:
            return error(400, "stream already enabled", "The stream is already active, idle, or preparing.")
        self.core.event("enabled", doc)
        self.core.set_status(doc, IDLE)
        self.notify(doc, "enabled")
        return done()

    def _disable(self, req: Request, doc: dict) -> Response:
        if doc["status"] == DISABLED:
            return error(400, "stream already disabled", "The stream is already disabled.")
        self.core.cut_off(doc, "disabled")
        self.end_now(doc, DISABLED)
        return done()

    def _viewers(self, req: Request, doc: dict) -> Response:
        return self.ok({"views": 0})

