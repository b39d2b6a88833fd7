"""A Mux Video-compatible live-stream API (https://www.mux.com/docs/api-reference/video/live-streams).

Timeline (https://www.mux.com/docs/guides/start-live-streaming): a new stream is
``idle``; an encoder connects and, once media flows (after ``prepare_delay``), it is
``active`` with an ``active_asset_id`` (the recording of this broadcast). When the
encoder leaves and ``reconnect_window`` seconds pass without a reconnect, or at once on
``PUT .../complete``, it is ``idle`` again and the asset moves to ``recent_asset_ids``
(remuxed from nginx-rtmp's recording when ``new_asset_settings`` asked for one).
``disabled`` refuses encoders. No Mux webhooks are sent.

Paths under ``/video/v1/live-streams``, HTTP Basic with the access token ID and secret
(https://www.mux.com/docs/core/make-api-requests), snake_case ``{"data": ...}``
answers and ``{"error": {"type", "messages"}}`` errors, the live stream object and its
``idle``/``active``/``disabled`` statuses (above). The key is in the 201
create answer. The sandbox's choices where the docs are silent: list ``limit`` is
1..100; ``complete`` on a stream that is not active answers 200 and does nothing;
the error body shape (UNVERIFIED, see ``livestream.providers.mux``).
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Optional

from .model import ProviderModel, basic_auth_matches, is_bool, number_in, one_of, present, refusals, route, short_text
from .restream import add_target
from .timeline import Words
from .web import BadBody, Request, Response, empty, json_response

NAME = "mux"
IDLE, ACTIVE, DISABLED = "idle", "active", "disabled"
#: Where the sandbox plays a playback ID (the real service: https://stream.mux.com/{id}.m3u8).
PLAYBACK_PREFIX = "/mux/stream/"
MAX_RECONNECT_WINDOW = 1800  # "Max: 1800s (30 minutes)"
MAX_LIMIT = 100
POLICIES = ("public", "signed")
LATENCY_MODES = ("low", "reduced", "standard")
PASSTHROUGH = ("passthrough", short_text(255), "passthrough must be a string of at most 255 characters")
#: What a create body may carry besides its playback policies (the API reference's limits).
RULES = (
    ("latency_mode", one_of(LATENCY_MODES), "latency_mode must be one of: low, reduced, standard"),
    ("reconnect_window", number_in(0, MAX_RECONNECT_WINDOW, (int, float)),
     f"reconnect_window must be a number from 0 to {MAX_RECONNECT_WINDOW}"),
    PASSTHROUGH,
    ("meta", lambda meta: isinstance(meta, dict) and short_text(512)(meta.get("title", "")),
     "meta must be an object whose title has at most 512 characters"),
    ("test", is_bool, "test must be a boolean"),
    ("new_asset_settings", lambda settings: isinstance(settings, dict), "new_asset_settings must be an object"),
)

_ERRORS = {
    400: ("invalid_parameters", "The request could not be processed."),
    401: ("unauthorized", "Unauthorized request"),
    403: ("forbidden", "The access token does not have permission for this request."),
    404: ("not_found", "The requested resource could not be found."),
    405: ("method_not_allowed", "This method is not allowed on this resource."),
    429: ("too_many_requests", "Too many requests. Please slow down."),
    500: ("internal_server_error", "Something went wrong on our side."),
    502: ("bad_gateway", "The upstream service did not answer."),
    503: ("service_unavailable", "The service is temporarily unavailable."),
}


def mux_id() -> str:
    """An ID in Mux's style: 44 URL-safe characters."""
    return secrets.token_urlsafe(33)


def error(status: int, *messages: str) -> Response:
    kind, default = _ERRORS.get(status, ("error", "The request failed."))
    return json_response(status, {"error": {"type": kind, "messages": list(messages) or [default]}})


def _policies(body: dict) -> Any:
    policies = body.get("playback_policies", body.get("playback_policy", []))
    return [policies] if isinstance(policies, str) else policies  # "a single string ... in place of the array"


class Model(ProviderModel):
    name = NAME
    api_paths = re.compile(r"^/video/")
    playback_prefix = ("mux", "stream")
    playback_pattern = PLAYBACK_PREFIX + "<playback_id>.m3u8"
    playback_template = PLAYBACK_PREFIX + "{playback_id}.m3u8"
    credentials = {"token_id": "sandbox-mux-token-id", "token_secret": "sandbox-mux-token-secret"}
    api_root = "/video/v1/live-streams"
    words = Words(live=ACTIVE, ended=IDLE)
    challenge = 'Basic realm="Mux"'
    disabled_refusal = "live stream is disabled"
    playback_field, media_field, window_field = "playback_ids", "recent_asset_ids", "reconnect_window"

    # rendering ---------------------------------------------------------------------------------
    def ok(self, result: Any, status: int = 200) -> Response:
        return json_response(status, {"data": result})

    def render(self, doc: dict) -> dict:
        """The ``LiveStream`` object of the API reference (only the fields that are set)."""
        out = {
            "id": doc["id"], "stream_key": doc["key"], "srt_passphrase": doc["srt_passphrase"],
            "status": doc["status"], "created_at": str(int(doc["created"])),
            "playback_ids": [dict(p) for p in doc["playback_ids"]],
            "reconnect_window": doc["reconnect_window"], "latency_mode": doc["latency_mode"],
            "max_continuous_duration": 43200,
            **present(new_asset_settings=doc.get("new_asset_settings"), passthrough=doc.get("passthrough"),
                      meta=doc.get("meta"), test=True if doc.get("test") else None,
                      recent_asset_ids=list(doc["recent_asset_ids"]) or None,
                      simulcast_targets=[self.target_object(t) for t in doc.get("targets", {}).values()] or None),
        }
        if doc["status"] == ACTIVE:
            out.update(present(active_ingest_protocol="rtmp", active_asset_id=doc.get("active_asset_id") or None))
        return out

    @staticmethod
    def target_object(target: dict) -> dict:
        """A ``SimulcastTarget``: id, passthrough, status, stream_key, url."""
        return present(id=target["id"], status=target["status"], url=target["url"],
                       stream_key=target.get("key") or None, passthrough=target.get("name") or None,
                       error_severity="normal" if target["status"] == "errored" else None)

    # the timeline's hooks (timeline.py) -----------------------------------------------------
    def went_live(self, doc: dict) -> None:
        doc["active_asset_id"] = mux_id() if doc.get("new_asset_settings") else None

    def ended(self, doc: dict) -> Optional[str]:
        """Idle again: the broadcast's asset is listed, remuxed once the FLV is closed."""
        asset_id = doc.pop("active_asset_id", None)
        if doc.get("broadcast") and asset_id:
            doc["recent_asset_ids"].append(asset_id)
        return asset_id

    # HTTP ----------------------------------------------------------------------------------------
    def error_body(self, status: int, wait: int) -> Response:
        return error(status)

    def not_object(self) -> Response:
        return error(400, "The request body must be a JSON object")

    def route_table(self) -> list:
        one = r"^/video/v1/live-streams/(?P<id>[^/]+)"
        return [
            route(r"^/video/v1/live-streams/?$", {"GET": self._list, "POST": self._create}),
            route(one + r"/?$", {"GET": self.get_stream, "DELETE": self.delete}),
            route(one + r"/complete/?$", {"PUT": self._complete}),
            route(one + r"/enable/?$", {"PUT": self._enable}),
            route(one + r"/disable/?$", {"PUT": self._disable}),
            route(one + r"/simulcast-targets/?$", {"POST": self._add_target}),
            route(one + r"/simulcast-targets/(?P<target>[^/]+)/?$",
                  {"GET": self._get_target, "DELETE": self._delete_target}),
        ]

    def bad_body(self, exc: BadBody) -> Response:
        return error(400, "Invalid JSON in the request body")

    def authenticate(self, req: Request, args: dict) -> Optional[Response]:
        if basic_auth_matches(req, self.creds.mux_token_id, self.creds.mux_token_secret):
            return None
        return self.error_response(401)

    def _list(self, req: Request) -> Response:
        problems = []
        numbers = {}
        for name, default, high in (("limit", 25, MAX_LIMIT), ("page", 1, None)):
            numbers[name] = req.integer(name, default, 1, high)
            if numbers[name] is None:
                problems.append(f"{name} must be an integer from 1" + (f" to {high}" if high else ""))
        status = req.query.get("status")
        if status is not None and status not in (IDLE, ACTIVE, DISABLED):
            problems.append("status must be one of: idle, active, disabled")
        if problems:
            return error(400, *problems)
        docs = self.core.streams(NAME)
        if status:
            docs = [d for d in docs if d["status"] == status]
        if req.query.get("stream_key"):
            docs = [d for d in docs if d["key"] == req.query["stream_key"]]
        limit, page = numbers["limit"], numbers["page"]
        return self.ok([self.render(d) for d in docs[(page - 1) * limit: page * limit]])

    def _create(self, req: Request) -> Response:
        body = self.json_object(req)
        policies = _policies(body)
        problems = [] if isinstance(policies, list) and all(p in POLICIES for p in policies) else [
            "playback_policies must be a list of: public, signed"]
        problems += [message for _, message in refusals(body, RULES)]
        if problems:
            return error(400, *problems)
        doc = self.add_stream(
            mux_id(), secrets.token_hex(16), IDLE, srt_passphrase=secrets.token_urlsafe(24),
            playback_ids=[{"policy": p, "id": mux_id()} for p in policies],
            reconnect_window=body.get("reconnect_window", 60), latency_mode=body.get("latency_mode", "standard"),
            new_asset_settings=body.get("new_asset_settings"), passthrough=body.get("passthrough"),
            meta=body.get("meta"), test=body.get("test", False), recent_asset_ids=[])
        return self.ok(self.render(doc), 201)

    def _complete(self, req: Request, doc: dict) -> Response:
        """End the broadcast now: the recording is completed and the encoder is cut."""
        if doc["status"] == ACTIVE:
            self.core.event("finish_requested", doc)  # the demo's "provider stream ended" step
            self.end_now(doc)
        return self.ok({})

    def _add_target(self, req: Request, doc: dict) -> Response:
        """``POST .../simulcast-targets``: "only allowed when the parent live stream is idle"."""
        body = self.json_object(req)
        url = body.get("url")
        if not isinstance(url, str) or not re.match(r"^(rtmps?|srt)://[^/\s]+", url):
            return error(400, "url must be an RTMP(s) or SRT URL")
        if refusals(body, (PASSTHROUGH,)):
            return error(400, PASSTHROUGH[2])
        if doc["status"] != IDLE:
            return error(400, "Simulcast targets can only be added while the live stream is idle")
        target = add_target(doc, url=url, key=str(body.get("stream_key") or ""), name=body.get("passthrough") or "")
        self.core.event("simulcast_target_created", doc, target=target["id"])
        self.core.save(doc)
        return self.ok(self.target_object(target), 201)

    def _get_target(self, req: Request, doc: dict, target: str) -> Response:
        return self.ok(self.target_object(self.target(doc, target)))

    def _delete_target(self, req: Request, doc: dict, target: str) -> Response:
        self.drop_target(doc, target, "simulcast_target_deleted")
        return empty(204)

    def _enable(self, req: Request, doc: dict) -> Response:
        if doc["status"] == DISABLED:
            self.core.event("enabled", doc)
            self.core.set_status(doc, IDLE)
        return self.ok({})

    def _disable(self, req: Request, doc: dict) -> Response:
        if doc["status"] != DISABLED:
            self.core.cut_off(doc, "disabled")
            self.end_now(doc)
            self.core.set_status(doc, DISABLED)
        return self.ok({})

