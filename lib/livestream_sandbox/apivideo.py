"""An api.video-compatible live-stream API at the origin's root, like https://ws.api.video.

Timeline (https://docs.api.video/live-streaming): an encoder connects -> after
``prepare_delay`` ``broadcasting`` is true; on disconnect it stays true for the
reconnect window (api.video: "reconnect within 1 minute") and then turns false; ``PUT
.../complete`` answers 202 and cuts the encoder within about a second. Each broadcast
is recorded into a "video" (``vi...``, remuxed under ``/transcoded/<id>/``): api.video
records live streams into its Videos API, which this sandbox does not serve; the admin
API lists the recordings. A stream can be broadcast to again afterwards.

Playback: ``assets.hls`` is ``<api_url>/apivideo-live/<liveStreamId>.m3u8`` (the real
service: ``https://live.api.video/<liveStreamId>.m3u8``), served by ``media`` through
``playback_prefix``/``playback``.

``POST /auth/api-key {"apiKey"}`` and ``POST /auth/refresh {"refreshToken"}`` answer
``{access_token, refresh_token, token_type: "Bearer", expires_in: 3600}``
(https://docs.api.video/reference/authentication-guide); every other route wants
``Authorization: Bearer <access_token>``. Tokens live in memory: after a sandbox
restart clients get a 401 and must log in again, as after an expiry. Live streams
(https://docs.api.video/reference/api/Live-Streams): ``POST|GET /live-streams``,
``GET|PATCH|DELETE /live-streams/{liveStreamId}``, ``PUT .../complete`` (202). Errors
are problem objects ``{type, title, status, detail?, name?}`` as in the official SDK's
test payloads; 429 carries ``X-RateLimit-Retry-After``.

The sandbox's choices where the docs are silent (UNVERIFIED against the real service):
a wrong API key or refresh token is a 401 ``authentication-failed`` problem; a missing or
unknown Bearer token a 401; ``complete`` on a stream that is not broadcasting is a
harmless 202; ``pageSize`` outside 1..100 and an unknown ``sortBy`` are 400s.
"""

from __future__ import annotations

import math
import re
import secrets
import string
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from .model import ProviderModel, Refused, present, route
from .restream import add_target
from .timeline import Words
from .web import BadBody, Request, Response, empty, json_response

NAME = "apivideo"
IDLE, BROADCASTING = "idle", "broadcasting"  # sandbox words for the event log; the API says a bool
#: Seconds an encoder may be gone before the broadcast ends (api.video documents one minute).
RECONNECT_WINDOW = 60.0
#: Seconds from ``complete`` to the end of the broadcast ("within seconds", asynchronously).
COMPLETE_DELAY = 1.0
MEDIA_PREFIX = "apivideo-live"
TOKEN_SECONDS = 3600
MAX_PAGE_SIZE = 100
#: "Currently api.video supports up to 5 restreams" (https://docs.api.video/live-streaming/restreams).
MAX_RESTREAMS = 5
SORT_FIELDS = ("name", "createdAt", "updatedAt")
_ID_ALPHABET = string.ascii_letters + string.digits
_DOCS = "https://docs.api.video/reference/"
_PROBLEMS = {
    400: ("invalid-attribute", "An attribute is invalid."),
    401: ("authentication-failed", "The authentication failed."),
    403: ("forbidden", "You do not have access to this resource."),
    404: ("resource-not-found", "The requested resource was not found."),
    405: ("method-not-allowed", "This method is not allowed on this resource."),
    429: ("too-many-requests", "Too many requests."),
    500: ("internal-error", "An internal error occurred."),
    502: ("bad-gateway", "The upstream service did not answer."),
    503: ("service-unavailable", "The service is temporarily unavailable."),
}


def new_id(prefix: str) -> str:
    """An id shaped like api.video's: a two-letter prefix and 22 letters or digits."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(22))


def iso(ts: float) -> str:
    """ATOM time with an offset, as in the documented examples ("2020-07-29T10:45:35+00:00")."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def problem(status: int, *, name: Optional[str] = None, detail: Optional[str] = None,
            kind: Optional[str] = None, title: Optional[str] = None, headers: Optional[dict] = None) -> Response:
    default_kind, default_title = _PROBLEMS.get(status, ("error", "The request failed."))
    return json_response(status, {"type": _DOCS + (kind or default_kind), "title": title or default_title,
                                  "status": status, **present(detail=detail or None, name=name or None)}, headers)


def invalid(name: str, detail: str) -> Refused:
    """The first invalid attribute, as api.video answers it (one problem per answer)."""
    return Refused(problem(400, name=name, detail=detail))


class Model(ProviderModel):
    name = NAME
    # api.video's paths sit at the origin's root (https://ws.api.video/live-streams)
    api_paths = re.compile(r"^/(auth/|live-streams(?!-))")
    playback_prefix = (MEDIA_PREFIX,)
    playback_pattern = f"/{MEDIA_PREFIX}/<liveStreamId>.m3u8"
    credentials = {"api_key": "sandbox-apivideo-api-key"}
    api_root = "/live-streams"
    words = Words(live=BROADCASTING, ended=IDLE)
    timeline_options = {"early_leave_ends": True}
    reconnect_window = RECONNECT_WINDOW
    methods_first = True  # its 405 comes before the credentials are looked at
    retry_header = "X-RateLimit-Retry-After"
    media_field = "videos"

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self._access: dict[str, float] = {}  # access token -> expiry (epoch seconds)
        self._refresh_tokens: set[str] = set()

    # rendering ------------------------------------------------------------------------------------
    def render(self, doc: dict) -> dict:
        """The documented live stream object (https://docs.api.video/reference/api/Live-Streams)."""
        base = f"{self.core.places.api_url}/{MEDIA_PREFIX}/{doc['id']}"
        return {
            "liveStreamId": doc["id"], "createdAt": iso(doc["created"]), "updatedAt": iso(doc["updated"]),
            "streamKey": doc["key"], "name": doc["name"], "public": doc["public"],
            "restreams": [{"name": t["name"], "serverUrl": t["url"], "streamKey": t["key"]}
                          for t in doc.get("targets", {}).values()],
            "broadcasting": doc["status"] == BROADCASTING,
            "assets": {
                "iframe": f'<iframe src="{base}" width="100%" height="100%" frameborder="0" scrolling="no" '
                          'allowfullscreen=""></iframe>',
                "player": base, "hls": base + ".m3u8", "thumbnail": base + "/thumbnail.jpg",
            },
            **present(playerId=doc.get("playerId") or None),
        }

    # the timeline's hooks (timeline.py) and ``complete`` ---------------------------------------
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

    def tick(self, doc: dict, now: float) -> None:
        if doc.get("complete_at") is not None and now >= doc["complete_at"]:
            self.end_now(doc)
        self.timeline.tick(doc, now)

    # playback (``/apivideo-live/<liveStreamId>.m3u8``, by ``playback_ids``) and the admin API ---------
    def summary(self, doc: dict) -> dict:
        return {**super().summary(doc), "broadcasting": doc["status"] == BROADCASTING,
                "connected": doc.get("connected", False), "idle_at": doc.get("idle_at")}

    # HTTP ----------------------------------------------------------------------------------------
    def error_body(self, status: int, wait: int) -> Response:
        """The documented problem body for a forced status (faults)."""
        if status == 429:
            return problem(429, headers={"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"})
        if status == 400:
            return problem(400, name="name", detail="This value should not be blank.")
        return problem(status)

    def not_object(self) -> Response:
        return problem(400, kind="invalid-body", title="The request body must be a JSON object.")

    def route_table(self) -> list:
        one = r"^/live-streams/(?P<id>[^/]+)"
        return [
            route(r"^/auth/api-key/?$", {"POST": self._api_key}, public=True),
            route(r"^/auth/refresh/?$", {"POST": self._refresh}, public=True),
            route(r"^/live-streams/?$", {"GET": self._list, "POST": self._create}),
            route(one + r"/?$", {"GET": self.get_stream, "PATCH": self._update, "DELETE": self.delete}),
            route(one + r"/complete/?$", {"PUT": self._complete}),
        ]

    def missing(self, req: Request) -> Response:
        return problem(404, name="liveStreamId")

    def bad_body(self, exc: BadBody) -> Response:
        return problem(400, kind="invalid-body", title="The request body is not valid JSON.")

    # auth ----------------------------------------------------------------------------------------
    def _issue(self) -> Response:
        now = time.time()
        self._access = {t: exp for t, exp in self._access.items() if exp > now}
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._access[access] = now + TOKEN_SECONDS
        self._refresh_tokens.add(refresh)
        return json_response(200, {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                                   "expires_in": TOKEN_SECONDS})

    def _api_key(self, req: Request) -> Response:
        key = self.fields(req).get("apiKey")
        if not isinstance(key, str) or not key.strip():
            return problem(400, name="apiKey", detail="This value should not be blank.")
        if not secrets.compare_digest(key, self.creds.apivideo_api_key):
            self.core.event("login_refused", provider=NAME)
            return problem(401)
        self.core.event("login", provider=NAME)
        return self._issue()

    def _refresh(self, req: Request) -> Response:
        token = self.fields(req).get("refreshToken")
        if not isinstance(token, str) or token not in self._refresh_tokens:
            return problem(401)
        self._refresh_tokens.discard(token)  # a refresh token is used once
        self.core.event("token_refreshed", provider=NAME)
        return self._issue()

    def authenticate(self, req: Request, args: dict) -> Optional[Response]:
        scheme, _, token = req.header("Authorization").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return problem(401, kind="authentication-missing-authorization-header",
                           title="Missing Authorization header.")
        expiry = self._access.get(token.strip())
        if expiry is None or expiry <= time.time():
            return problem(401, kind="authentication-invalid-token", title="The access token is invalid or expired.")
        return None

    # live streams --------------------------------------------------------------------------------
    def _list(self, req: Request) -> Response:
        page, size = req.integer("currentPage", 1, 1), req.integer("pageSize", 25, 1, MAX_PAGE_SIZE)
        if page is None:
            raise invalid("currentPage", "This value should be greater than or equal to 1.")
        if size is None:
            raise invalid("pageSize", f"This value should be between 1 and {MAX_PAGE_SIZE}.")
        sort_by, order = req.query.get("sortBy"), req.query.get("sortOrder", "asc")
        if sort_by is not None and sort_by not in SORT_FIELDS:
            raise invalid("sortBy", "This value should be one of: " + ", ".join(SORT_FIELDS) + ".")
        if order not in ("asc", "desc"):
            raise invalid("sortOrder", "This value should be one of: asc, desc.")
        docs = list(reversed(self.core.streams(NAME)))  # oldest first
        for field, key in (("name", "name"), ("streamKey", "key")):
            if req.query.get(field):
                docs = [d for d in docs if d[key] == req.query[field]]
        if sort_by:
            column = {"name": "name", "createdAt": "created", "updatedAt": "updated"}[sort_by]
            docs.sort(key=lambda d: (d[column], d["id"]))
        if order == "desc":
            docs.reverse()
        pages = max(1, math.ceil(len(docs) / size))
        chunk = docs[(page - 1) * size: page * size]
        numbers = [("self", page), ("first", 1)] + [("previous", page - 1)] * (page > 1)
        numbers += [("next", page + 1)] * (page < pages) + [("last", pages)]
        links = [{"rel": rel, "uri": f"/live-streams?currentPage={number}&pageSize={size}"} for rel, number in numbers]
        return json_response(200, {"data": [self.render(d) for d in chunk], "pagination": {
            "currentPage": page, "currentPageItems": len(chunk), "pageSize": size, "pagesTotal": pages,
            "itemsTotal": len(docs), "links": links}})

    @staticmethod
    def _check(body: dict, *, creating: bool) -> None:
        """Raise the first invalid attribute."""
        if (creating or "name" in body) and not (isinstance(body.get("name"), str) and body["name"].strip()):
            raise invalid("name", "This value should not be blank.")
        if "public" in body and not isinstance(body["public"], bool):
            raise invalid("public", "This value should be of type bool.")
        if "playerId" in body and body["playerId"] is not None and not isinstance(body["playerId"], str):
            raise invalid("playerId", "This value should be of type string.")
        restreams = body.get("restreams", [])
        if not isinstance(restreams, list) or len(restreams) > MAX_RESTREAMS:
            raise invalid("restreams", f"This collection should contain {MAX_RESTREAMS} elements or less.")
        for item in restreams:
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item.get(k)
                                                     for k in ("name", "serverUrl", "streamKey")):
                raise invalid("restreams", "Each restream needs a name, serverUrl and streamKey.")
            if not item["serverUrl"].startswith(("rtmp://", "rtmps://")):
                raise invalid("restreams", "The serverUrl should be an RTMP(S) URL.")

    @staticmethod
    def set_restreams(doc: dict, restreams: list) -> None:
        """The list replaces the stream's restreams (targets kept by name keep their state)."""
        old = {t["name"]: t for t in doc.get("targets", {}).values()}
        doc["targets"] = {}
        for item in restreams:
            kept = old.get(item["name"])
            if kept and (kept["url"], kept["key"]) == (item["serverUrl"], item["streamKey"]):
                doc["targets"][kept["id"]] = kept
            else:
                add_target(doc, url=item["serverUrl"], key=item["streamKey"], name=item["name"])

    def _create(self, req: Request) -> Response:
        body = self.json_object(req)
        self._check(body, creating=True)
        doc = self.add_stream(new_id("li"), str(uuid.uuid4()), IDLE, name=body["name"],
                              public=body.get("public", True), playerId=body.get("playerId"), complete_at=None,
                              videos=[])
        doc["updated"] = doc["created"]
        self.set_restreams(doc, body.get("restreams", []))
        self.core.save(doc)
        return json_response(201, self.render(doc))

    def _update(self, req: Request, doc: dict) -> Response:
        body = self.json_object(req)
        self._check(body, creating=False)
        changes = {k: body[k] for k in ("name", "public", "playerId", "restreams") if k in body}
        if "restreams" in changes:
            self.set_restreams(doc, changes.pop("restreams"))
        doc.update(changes, updated=time.time())
        self.core.save(doc)
        self.core.event("updated", doc, fields=sorted(changes))
        return json_response(200, self.render(doc))

    def _complete(self, req: Request, doc: dict) -> Response:
        """End the broadcast shortly (``tick``), cutting the encoder."""
        self.core.event("complete_requested", doc)
        doc["complete_at"] = time.time() + COMPLETE_DELAY
        self.core.save(doc)
        return empty(202)

