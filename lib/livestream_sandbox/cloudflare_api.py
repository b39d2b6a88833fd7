"""A Cloudflare Stream-compatible live input API (https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/).

``/client/v4/accounts/{account_id}/stream/live_inputs`` (GET list, POST create) and
``.../live_inputs/{uid}`` (GET, PUT, DELETE), ``Authorization: Bearer <API token>``, and
every answer in the v4 envelope ``{"success", "errors": [{"code", "message"}], "messages",
"result"}``. The live input object and the timeline are in ``cloudflare_state``.

The documented parts are the paths, the bodies and the envelope. Where the docs are
silent the sandbox chooses, and says so here (UNVERIFIED against the real service):
the error codes (10000 "Authentication error" with 403 for a wrong token, as public
reports show; 6003/6111 with 400 for a malformed Authorization header; 7003 for an
unknown route; 10003 for an unknown live input; 10005 with ``source.pointer`` for a
refused field; 971 with 429; 10001/10002 for 5xx), create answering 200, DELETE answering
200 with ``result: null``, a PUT changing only the fields it carries, and
``deleteRecordingAfterDays`` below 30 being refused ("minimum 30" in the reference).
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Optional

from .cloudflare_state import NAME, CloudflareState
from .model import route
from .web import BadBody, Request, Response, json_response

_FORCED = {  # what a forced status (faults.py) answers: code, message
    400: (10005, "Bad request"),
    401: (10000, "Authentication error"),
    403: (10000, "Authentication error"),
    404: (10003, "Live input not found"),
    405: (10405, "Method not allowed"),
    409: (10005, "Conflict"),
    422: (10005, "Bad request"),
    429: (971, "Please wait and consider throttling your request speed"),
    500: (10002, "An unknown error has occurred"),
    502: (10002, "An unknown error has occurred"),
    503: (10001, "Service temporarily unavailable"),
}
RECORDING_MODES = ("off", "automatic")
MIN_RECORDING_DAYS = 30


def ok(result: Any, status: int = 200) -> Response:
    return json_response(status, {"success": True, "errors": [], "messages": [], "result": result})


def failure(status: int, code: int, message: str, *, pointer: Optional[str] = None,
            chain: Optional[list] = None, headers: Optional[dict] = None) -> Response:
    item: dict[str, Any] = {"code": code, "message": message}
    if pointer:
        item["source"] = {"pointer": pointer}
    if chain:
        item["error_chain"] = chain
    return json_response(status, {"success": False, "errors": [item], "messages": [], "result": None}, headers)


def refused(fields: list) -> Response:
    """400 naming each refused field (``[(pointer, message), ...]``)."""
    errors = [{"code": 10005, "message": message, "source": {"pointer": pointer}} for pointer, message in fields]
    return json_response(400, {"success": False, "errors": errors, "messages": [], "result": None})


class Cloudflare(CloudflareState):
    """The routes of the Cloudflare Stream look-alike."""

    def error_response(self, status: int, retry_after: Optional[float] = None) -> Response:
        """The v4 error envelope for a forced status (faults.py)."""
        code, message = _FORCED.get(status, (10000 + status, "Request failed"))
        if status == 429:
            return failure(429, code, message, headers={"Retry-After": str(int(retry_after or 1))})
        if status in (400, 422):
            return failure(status, code, message, pointer="/meta")
        return failure(status, code, message)

    # HTTP ----------------------------------------------------------------------------------------
    def route_table(self) -> list:
        inputs = r"^/client/v4/accounts/(?P<account>[^/]+)/stream/live_inputs"
        return [
            route(inputs + r"/?$", {"GET": self._list, "POST": self._create}),
            route(inputs + r"/(?P<id>[^/]+)/?$", {"GET": self._get, "PUT": self._update, "DELETE": self._delete}),
        ]

    def not_found(self, req: Request) -> Response:
        return failure(404, 7003, f"Could not route to {req.path}, perhaps your object identifier is invalid?")

    def bad_body(self, exc: BadBody) -> Response:
        return failure(400, 10005, "The request body is not valid JSON")

    def authenticate(self, req: Request, args: dict) -> Optional[Response]:
        scheme, _, token = req.header("Authorization").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return failure(400, 6003, "Invalid request headers",
                           chain=[{"code": 6111, "message": "Invalid format for Authorization header"}])
        # A token of another account cannot reach this one: the same answer as a wrong token.
        if not (secrets.compare_digest(token.strip(), self.creds.cloudflare_api_token)
                and secrets.compare_digest(args["account"], self.creds.cloudflare_account_id)):
            return self.error_response(403)
        return None

    def _validate(self, body: dict) -> tuple[list, dict]:
        """The refused fields and the accepted changes of a create or update body."""
        fields: list = []
        changes: dict = {}
        if "meta" in body:
            if isinstance(body["meta"], dict):
                changes["meta"] = dict(body["meta"])
            else:
                fields.append(("/meta", "meta must be an object"))
        if "recording" in body:
            recording = body["recording"]
            if not isinstance(recording, dict):
                fields.append(("/recording", "recording must be an object"))
            else:
                if "mode" in recording and recording["mode"] not in RECORDING_MODES:
                    fields.append(("/recording/mode", "mode must be one of: off, automatic"))
                timeout = recording.get("timeoutSeconds", 0)
                if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
                    fields.append(("/recording/timeoutSeconds", "timeoutSeconds must be a non-negative integer"))
                changes["recording"] = recording
        if "deleteRecordingAfterDays" in body:
            days = body["deleteRecordingAfterDays"]
            if days is not None and (isinstance(days, bool) or not isinstance(days, (int, float))
                                     or days < MIN_RECORDING_DAYS):
                fields.append(("/deleteRecordingAfterDays",
                               f"deleteRecordingAfterDays must be at least {MIN_RECORDING_DAYS}"))
            changes["deleteRecordingAfterDays"] = days
        if "enabled" in body:
            if isinstance(body["enabled"], bool):
                changes["enabled"] = body["enabled"]
            else:
                fields.append(("/enabled", "enabled must be a boolean"))
        return fields, changes

    def _list(self, req: Request, account: str) -> Response:
        docs = self.core.streams(NAME)
        return ok({"liveInputs": [self.list_item(d) for d in docs], "range": 0, "total": len(docs)})

    def _create(self, req: Request, account: str) -> Response:
        body = req.data()
        if not isinstance(body, dict):
            return refused([("/", "the request body must be a JSON object")])
        fields, changes = self._validate(body)
        if fields:
            return refused(fields)
        recording = {"mode": "off", "timeoutSeconds": 0, "requireSignedURLs": False, "allowedOrigins": None,
                     "hideLiveViewerCount": False}
        recording.update(changes.get("recording", {}))
        doc = self.new_doc(time.time(), changes.get("meta", {}), recording,
                           changes.get("deleteRecordingAfterDays"), changes.get("enabled", True))
        self.core.add(doc)
        self.core.event("created", doc)
        self.core.event("key_issued", doc, boot_seconds=0)
        return ok(self.live_input(doc))

    def _get(self, req: Request, account: str, doc: dict) -> Response:
        return ok(self.live_input(doc))

    def _update(self, req: Request, account: str, doc: dict) -> Response:
        body = req.data()
        if not isinstance(body, dict):
            return refused([("/", "the request body must be a JSON object")])
        fields, changes = self._validate(body)
        if fields:
            return refused(fields)
        if "meta" in changes:
            doc["meta"] = changes["meta"]
        if "recording" in changes:
            doc["recording"].update(changes["recording"])
        if "deleteRecordingAfterDays" in changes:
            doc["deleteRecordingAfterDays"] = changes["deleteRecordingAfterDays"]
        if changes.get("enabled") is False and doc["enabled"]:
            self.disable(doc)
        elif changes.get("enabled") is True and not doc["enabled"]:
            self.enable(doc)
        doc["modified"] = time.time()
        self.core.save(doc)
        self.core.event("updated", doc, fields=sorted(changes))
        return ok(self.live_input(doc))

    def _delete(self, req: Request, account: str, doc: dict) -> Response:
        # "Prevents a live input from being streamed to": a live encoder is cut too.
        self.core.drop_publisher(doc)
        self.core.remove(doc)
        self.core.event("deleted", doc)
        return ok(None)
