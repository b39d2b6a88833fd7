"""A TP Streams-compatible live-stream API, as developer.tpstreams.com documents it.

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

Paths under ``/api/v1/<org>/`` as documented (its live-stream pages, e.g.
https://developer.tpstreams.com/docs/live-stream-api/create_live_stream_instantly), ``Authorization: Token <t>``
(https://developer.tpstreams.com/docs/server-api/authentication, lower-case ``token`` accepted too),
DRF-style errors (the only bodies the docs show, in https://developer.tpstreams.com/docs/server-api/assets),
asset JSON in snake_case exactly as the docs' examples (above), status words of
https://developer.tpstreams.com/docs/live-stream-api/live-stream-event-status. The sandbox's own choices
where the docs are silent: create answers 201 (DRF ``CreateAPIView``); a valid token
for another org gets 403; lists are newest first with ``limit``/``offset`` (default
page size from the config, at most 100); ``start_server`` on a server already booting
is a no-op; stopping a stream that never published leaves it "Stopped" (nothing to
record); the login answers ``{"token": ...}`` (DRF authtoken).
"""

from __future__ import annotations

import json
import re
import secrets
import string
import time
import uuid
from datetime import datetime
from typing import Optional

from .model import ProviderModel, Refused, route
from .web import BadBody, Request, Response, empty, json_response, text

NAME = "tpstreams"
NOT_STARTED, STREAMING, DISCONNECTED = "Not Started", "Streaming", "Disconnected"
STOPPED, RECORDING, COMPLETED, ERROR = "Stopped", "Recording", "Completed", "Error"
LATENCIES = ("Low Latency", "Normal Latency")
RESOLUTIONS = ["240p", "480p", "720p"]
_ALPHABET = string.ascii_letters + string.digits
_MAX_LIMIT = 100
_ERROR_DETAIL = {
    400: "Bad request.", 401: "Invalid token.", 403: "You do not have permission to perform this action.",
    404: "Not found.", 405: "Method not allowed.", 409: "Conflict.", 422: "Unprocessable entity.",
}
_REQUIRED = ["This field is required."]


def _activity(word: str) -> dict:
    # as documented: {"status": "On Publish", "timestamp": "September 22, 2025, 05:59 PM"}
    return {"status": word, "timestamp": datetime.now().strftime("%B %d, %Y, %I:%M %p")}


def random_id(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def detail(status: int, message: str, headers: Optional[dict] = None) -> Response:
    return json_response(status, {"detail": message}, headers)


def invalid(message: str) -> Response:
    """DRF's 400 for a body that is wrong as a whole."""
    return json_response(400, {"non_field_errors": [message]})


def _as_bool(value: object) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    if value in (1, 0):
        return bool(value)
    lowered = str(value).strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    return None


class Model(ProviderModel):
    name = NAME
    api_paths = re.compile(r"^/api/")
    playback_prefix = ("live",)
    playback_pattern = "/live/<org>/<asset_id>/video.m3u8"
    credentials = {"org_id": "sandbx", "api_token": "sandbox-tpstreams-token", "username": "demo@sandbox.local",
                   "password": "sandbox-password"}

    api_root = "/api/v1/{tpstreams_org_id}/"
    challenge = "Token"

    @classmethod
    def env_fields(cls, login: bool) -> tuple:
        """TP Streams takes a token, or a username and password to log in with."""
        return ("org_id", "username", "password") if login else ("org_id", "api_token")

    # URLs ----------------------------------------------------------------------------------------
    def _hls_url(self, doc: dict) -> str:
        return f"{self.core.places.api_url}/live/{doc['org']}/{doc['id']}/video.m3u8"

    def asset(self, doc: dict, *, detail_view: bool = False) -> dict:
        """The asset JSON of the docs' create/webhook examples."""
        booted, places = bool(doc.get("booted")), self.core.places
        live = {
            "rtmp_url": places.rtmp_url if booted else "", "stream_key": doc.get("key") if booted else None,
            "status": doc["status"], "hls_url": self._hls_url(doc), "start": doc.get("start"),
            "transcode_recorded_video": True, "enable_drm_for_recording": doc["enable_drm_for_recording"],
            "enable_drm": doc["enable_drm_for_recording"], "enable_llhls": False, "latency": doc["latency"],
            "chat_embed_url": f"{places.api_url}/live-chat/{doc['org']}/{doc['id']}/" if doc.get("chat") else None,
            "resolutions": list(RESOLUTIONS), "activities": list(doc.get("activities", [])),
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

    recover = on_publish_done  # nginx went down with the sandbox: the encoder is gone

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
    def playback(self, req: Request, rest: list) -> Response:
        """``/live/<org>/<asset_id>/video.m3u8`` and its segments."""
        if len(rest) != 3:
            return text(404, "Not found")
        return self.live_hls(req, rest[1], rest[2], lambda doc: doc["org"] == rest[0])

    def summary(self, doc: dict) -> dict:
        return {"title": doc["title"], "status": doc["status"], "booted": doc.get("booted", False),
                "boot_ready_at": doc.get("boot_ready_at"), "scheduled": doc.get("scheduled"),
                "hls_url": self._hls_url(doc),
                "rtmp_url": self.core.places.rtmp_url if doc.get("booted") else "",
                "recording_url": (doc.get("video") or {}).get("playback_url")}

    # errors (DRF-style, as in developer.tpstreams.com/docs/server-api/assets) ---------------------
    def error_body(self, status: int, wait: int) -> Response:
        """The documented (DRF) body for a forced status."""
        if status == 429:
            return detail(429, f"Request was throttled. Expected available in {wait} seconds.")
        if status >= 500:  # Django's own 500 page and a proxy's 502/503/504 are HTML, not JSON
            return text(status, f"<h1>Server Error ({status})</h1>", "text/html; charset=utf-8")
        return detail(status, _ERROR_DETAIL.get(status, "Error."))

    # HTTP ----------------------------------------------------------------------------------------
    def route_table(self) -> list:
        org = r"^/api/v1/(?P<org>[^/]+)"
        return [
            route(r"^/api/auth/login/$", {"POST": self._login}, public=True),
            route(r"^/api/auth/logout/$", {"POST": self._logout}),
            route(org + r"/assets/live_streams/$", {"GET": self._list, "POST": self._create}),
            route(org + r"/assets/$", {"GET": self._list}),
            route(org + r"/assets/(?P<id>[^/]+)/$", {"GET": self._asset, "DELETE": self.delete}),
            route(org + r"/assets/(?P<id>[^/]+)/start_server/$", {"POST": self._start_server}),
            route(org + r"/assets/(?P<id>[^/]+)/stop_live_stream/$", {"POST": self._stop}),
            route(org + r"/webhooks/$", {"GET": self._webhooks, "POST": self._add_webhook}),
            route(org + r"/webhooks/(?P<wid>[^/]+)/$",
                  {"GET": self._webhook, "PUT": self._update_webhook, "DELETE": self._delete_webhook}),
        ]

    def not_found(self, req: Optional[Request] = None) -> Response:
        return detail(404, "Not found.")

    missing = not_found

    def not_allowed(self, req: Request) -> Response:
        return detail(405, f'Method "{req.method}" not allowed.')

    def bad_body(self, exc: BadBody) -> Response:
        return detail(400, f"JSON parse error - {exc}")

    def authenticate(self, req: Request, args: dict) -> Optional[Response]:
        scheme, _, token = req.header("Authorization").strip().partition(" ")
        if scheme.lower() != "token" or not token.strip():
            return detail(401, "Authentication credentials were not provided.", {"WWW-Authenticate": self.challenge})
        if not secrets.compare_digest(token.strip(), self.creds.tpstreams_api_token):
            return self.error_response(401)  # "Invalid token."
        if "org" in args and args["org"] != self.creds.tpstreams_org_id:
            return self.error_response(403)
        return None

    def _login(self, req: Request) -> Response:
        data = self.fields(req)
        missing = {f: _REQUIRED for f in ("username", "password", "organization_id") if not data.get(f)}
        if missing:
            return json_response(400, missing)
        ok = (data["username"] == self.creds.tpstreams_username
              and secrets.compare_digest(str(data["password"]), self.creds.tpstreams_password)
              and data["organization_id"] == self.creds.tpstreams_org_id)
        if not ok:
            return invalid("Unable to log in with provided credentials.")
        self.core.event("login", provider=NAME)
        return json_response(200, {"token": self.creds.tpstreams_api_token})

    def _logout(self, req: Request) -> Response:
        return empty(204)

    def _page(self, req: Request, items: list) -> Response:
        """DRF LimitOffsetPagination: {count, next, previous, results}."""
        def number(name: str, default: int) -> int:
            try:
                return max(0, int(req.query.get(name, "")))
            except ValueError:
                return default
        limit = min(number("limit", self.core.config.tpstreams_page_size) or
                    self.core.config.tpstreams_page_size, _MAX_LIMIT)
        offset = number("offset", 0)
        base = f"{self.core.places.api_url}{req.path}"
        nxt = f"{base}?limit={limit}&offset={offset + limit}" if offset + limit < len(items) else None
        prev = f"{base}?limit={limit}" + (f"&offset={offset - limit}" if offset > limit else "") if offset > 0 else None
        return json_response(200, {"count": len(items), "next": nxt, "previous": prev,
                                   "results": items[offset:offset + limit]})

    def _list(self, req: Request, org: str) -> Response:
        return self._page(req, [self.asset(d) for d in self.core.streams(NAME)])

    def _create(self, req: Request, org: str) -> Response:
        data = req.data()
        if not isinstance(data, dict):
            return invalid(f"Invalid data. Expected a dictionary, but got {type(data).__name__}.")
        errors: dict[str, list[str]] = {}
        title = data.get("title")
        if title is None:
            errors["title"] = ["This field is required."]
        elif not isinstance(title, str):
            errors["title"] = ["Not a valid string."]
        elif not title.strip():
            errors["title"] = ["This field may not be blank."]
        elif len(title) > 255:
            errors["title"] = ["Ensure this field has no more than 255 characters."]
        latency = data.get("latency", "Normal Latency")
        if latency not in LATENCIES:
            errors["latency"] = [f'"{latency}" is not a valid choice.']
        drm = _as_bool(data.get("enable_drm_for_recording", False))
        if drm is None:
            errors["enable_drm_for_recording"] = ["Must be a valid boolean."]
        start = data.get("start")
        if start not in (None, ""):
            try:
                start = datetime.strptime(str(start), "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                errors["start"] = ["Datetime has wrong format. Use one of these formats instead: "
                                   "YYYY-MM-DD hh:mm:ss."]
        else:
            start = None
        if errors:
            return json_response(400, errors)
        now = time.time()
        doc = {"provider": NAME, "id": random_id(11), "org": org, "title": title.strip(), "created": now,
               "status": NOT_STARTED, "latency": latency, "enable_drm_for_recording": drm, "start": start,
               "scheduled": start is not None, "booted": False, "chat": False, "key": None,
               "boot_ready_at": None, "activities": [], "video": None, "stop_phase": None}
        self.core.add(doc)
        self.core.event("created", doc, scheduled=doc["scheduled"], title=doc["title"])
        if not doc["scheduled"]:  # create-instantly boots at once; a scheduled one waits for start_server
            self._boot(doc, time.time())  # from the "created" event on, as the log shows it
        self.notify(doc)
        return json_response(201, self.asset(doc))

    def _asset(self, req: Request, org: str, doc: dict) -> Response:
        return json_response(200, self.asset(doc, detail_view=True))

    def _start_server(self, req: Request, org: str, doc: dict) -> Response:
        if doc["status"] != NOT_STARTED or doc.get("stop_phase"):
            return detail(400, f"The live stream cannot be started: it is {doc['status']}.")
        if doc.get("boot_ready_at") is None and not doc.get("booted"):
            self._boot(doc, time.time())
        doc["chat"] = True  # seed: the start_server answer already carries chat_embed_url
        self.core.save(doc)
        return json_response(200, self.asset(doc))

    def _stop(self, req: Request, org: str, doc: dict) -> Response:
        data = self.fields(req)
        trim = "start_time" in data or "end_time" in data
        if trim:
            try:
                start, end = int(data["start_time"]), int(data["end_time"])
            except (KeyError, TypeError, ValueError):
                return invalid("start_time and end_time must both be integers.")
            if start < 0 or end <= start:
                return invalid("start_time must be non-negative and less than end_time.")
        if doc["status"] not in (NOT_STARTED, STREAMING, DISCONNECTED) or doc.get("stop_phase"):
            return detail(400, f"The live stream cannot be stopped: it is {doc['status']}.")
        self.core.event("stop_requested", doc, trim=trim)
        self.core.drop_publisher(doc)
        doc.update(boot_ready_at=None, stop_phase="stopping",
                   recording_at=time.time() + self.core.config.recording_delay)
        self._status(doc, STOPPED, "Stopped")
        return json_response(200, {"message": "Live stream stopped successfully", "trim_scheduled": trim})

    # webhooks CRUD (developer.tpstreams.com/docs/server-api/webhooks) -----------------------------
    def _webhook_fields(self, req: Request) -> dict:
        data = self.fields(req)
        errors = {field: _REQUIRED for field in ("url", "secret_token") if not data.get(field)}
        url = str(data.get("url", ""))
        if "url" not in errors and not re.match(r"^https?://[^\s/]+", url):
            errors["url"] = ["Enter a valid URL."]
        if errors:
            raise Refused(json_response(400, errors))
        return {"url": url, "secret_token": str(data["secret_token"])}

    def _webhooks(self, req: Request, org: str) -> Response:
        return self._page(req, self.core.store.webhooks(org))

    def _add_webhook(self, req: Request, org: str) -> Response:
        hook = self.core.store.add_webhook(org, **self._webhook_fields(req))
        self.core.event("webhook_registered", provider=NAME, url=hook["url"], webhook_id=hook["id"])
        return json_response(201, hook)

    def _hook(self, org: str, wid: str) -> dict:
        """The org's webhook ``wid``, or DRF's 404."""
        found = next((h for h in self.core.store.webhooks(org) if str(h["id"]) == wid), None)
        if found is None:
            raise Refused(self.not_found())
        return found

    def _webhook(self, req: Request, org: str, wid: str) -> Response:
        return json_response(200, self._hook(org, wid))

    def _update_webhook(self, req: Request, org: str, wid: str) -> Response:
        self._hook(org, wid)
        return json_response(200, self.core.store.update_webhook(org, int(wid), **self._webhook_fields(req)))

    def _delete_webhook(self, req: Request, org: str, wid: str) -> Response:
        self._hook(org, wid)
        self.core.store.delete_webhook(org, int(wid))
        return empty(204)
