"""A Cloudflare Stream-compatible live input API (https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/).

Timeline (https://developers.cloudflare.com/stream/stream-live/): a live input is created
with its RTMPS stream key and SRT passphrase at once, ``status`` null. An encoder
connects -> ``connected`` (``reconnected`` when it comes back); it leaves ->
``client_disconnect``. With ``recording.mode`` "automatic" the input plays over HLS while
live and, ``recording.timeoutSeconds`` after the encoder left without coming back, the
recording becomes a video (here: remuxed under ``vod/<video uid>/``). ``enabled: false``
refuses (and cuts) the encoder; DELETE forgets the input. The RTMPS URL answered is the
sandbox's own loopback ``rtmp://`` ingest; there is no SRT or WebRTC ingest here (their
URLs are only given).

``/client/v4/accounts/{account_id}/stream/live_inputs`` (GET list, POST create) and
``.../live_inputs/{uid}`` (GET, PUT, DELETE), ``Authorization: Bearer <API token>``, and
every answer in the v4 envelope ``{"success", "errors": [{"code", "message"}], "messages",
"result"}``. The live input object and the timeline are above.

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

import re
import secrets
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from .model import ProviderModel, Refused, is_bool, number_in, one_of, present, refusals, route
from .restream import add_target
from .timeline import Words
from .web import BadBody, Request, Response, json_response, text

NAME = "cloudflare"
CONNECTED, RECONNECTED, CLIENT_DISCONNECT = "connected", "reconnected", "client_disconnect"
RECORDING_MODES = ("off", "automatic")
MIN_RECORDING_DAYS = 30
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
#: The fields of a create or update body ("/" + field is the refusal's pointer), refused in this order.
FIELDS = ("meta", "recording", "deleteRecordingAfterDays", "enabled")
ENABLED = ("enabled", is_bool, "enabled must be a boolean")
RULES = (
    ("meta", lambda meta: isinstance(meta, dict), "meta must be an object"),
    ("recording", lambda recording: isinstance(recording, dict), "recording must be an object"),
)
RECORDING_RULES = (
    ("mode", one_of(RECORDING_MODES), "mode must be one of: off, automatic"),
    ("timeoutSeconds", number_in(0), "timeoutSeconds must be a non-negative integer"),
)
LATER_RULES = (
    ("deleteRecordingAfterDays", lambda days: days is None or number_in(MIN_RECORDING_DAYS, None, (int, float))(days),
     f"deleteRecordingAfterDays must be at least {MIN_RECORDING_DAYS}"),
    ENABLED,
)
NOT_AN_OBJECT = [("/", "the request body must be a JSON object")]


def iso(ts: float) -> str:
    """The API's time format, e.g. "2021-09-23T05:05:53.451415Z"."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_uid() -> str:
    return uuid.uuid4().hex  # 32 hex characters, like Cloudflare's uids


def ok(result: Any, status: int = 200) -> Response:
    return json_response(status, {"success": True, "errors": [], "messages": [], "result": result})


def failure(status: int, code: int, message: str, *, pointer: Optional[str] = None,
            chain: Optional[list] = None) -> Response:
    item = {"code": code, "message": message,
            **present(source={"pointer": pointer} if pointer else None, error_chain=chain or None)}
    return json_response(status, {"success": False, "errors": [item], "messages": [], "result": None})


def refused(fields: list) -> Response:
    """400 naming each refused field (``[(pointer, message), ...]``)."""
    errors = [{"code": 10005, "message": message, "source": {"pointer": pointer}} for pointer, message in fields]
    return json_response(400, {"success": False, "errors": errors, "messages": [], "result": None})


class Model(ProviderModel):
    name = NAME
    api_paths = re.compile(r"^/client/v4/")
    playback_prefix = ("cloudflare",)
    playback_pattern = "/cloudflare/<uid>/manifest/video.m3u8"
    playback_template = "/cloudflare/{uid}/manifest/video.m3u8"
    # The account ID of the API reference's examples; any token string.
    credentials = {"account_id": "023e105f4ecef8ad9ca31a8372d0c353", "api_token": "sandbox-cloudflare-api-token"}
    api_root = "/client/v4/accounts/{cloudflare_account_id}/stream/live_inputs"
    words = Words(live=CONNECTED, gone=CLIENT_DISCONNECT, reconnected=RECONNECTED)
    timeline_options = {"prepare": False}  # live the moment the encoder connects
    disabled_refusal = "live input is disabled"
    media_field = "videos"  # played by uid (the real URL: customer-<code>.cloudflarestream.com/<uid>/manifest/...)

    # rendering -----------------------------------------------------------------------------------
    ok = staticmethod(ok)  # the v4 envelope

    def render(self, doc: dict) -> dict:
        """The live input object (https://developers.cloudflare.com/api/resources/stream/subresources/live_inputs/)."""
        places = self.core.places
        return {
            **self.list_item(doc), "enabled": doc["enabled"], "recording": dict(doc["recording"]),
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

    @staticmethod
    def list_item(doc: dict) -> dict:
        """A list entry: no credentials and no status ("request a single live input")."""
        return {"uid": doc["id"], "created": iso(doc["created"]), "modified": iso(doc["modified"]),
                "meta": dict(doc["meta"]), **present(deleteRecordingAfterDays=doc.get("deleteRecordingAfterDays"))}

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

    # for the media server and the admin API ----------------------------------------------------
    def playback(self, req: Request, rest: list) -> Response:
        """``/cloudflare/<uid>/manifest/video.m3u8`` and its segments: live HLS while the input
        records (recording mode "off": "not available for playback")."""
        if len(rest) != 3 or rest[1] != "manifest":
            return text(404, "Not found")
        return self.live_hls(req, rest[0], rest[2], lambda doc: doc["recording"].get("mode") == "automatic")

    def summary(self, doc: dict) -> dict:
        return {**super().summary(doc), "enabled": doc["enabled"], "meta": dict(doc["meta"])}

    def error_body(self, status: int, wait: int) -> Response:
        """The v4 error envelope for a forced status (faults.py)."""
        code, message = _FORCED.get(status, (10000 + status, "Request failed"))
        return failure(status, code, message, pointer="/meta" if status in (400, 422) else None)

    def not_object(self) -> Response:
        return refused(NOT_AN_OBJECT)

    # HTTP ----------------------------------------------------------------------------------------
    def route_table(self) -> list:
        inputs = r"^/client/v4/accounts/(?P<account>[^/]+)/stream/live_inputs"
        return [
            route(inputs + r"/?$", {"GET": self._list, "POST": self._create}),
            route(inputs + r"/(?P<id>[^/]+)/?$", {"GET": self.get_stream, "PUT": self._update, "DELETE": self._delete}),
            route(inputs + r"/(?P<id>[^/]+)/outputs/?$", {"GET": self._outputs, "POST": self._add_output}),
            route(inputs + r"/(?P<id>[^/]+)/outputs/(?P<output>[^/]+)/?$",
                  {"PUT": self._update_output, "DELETE": self._delete_output}),
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

    def _changes(self, req: Request) -> dict:
        """The accepted changes of a create or update body (else the refused fields)."""
        body = self.json_object(req)
        fields = refusals(body, RULES, "/")
        if isinstance(body.get("recording"), dict):
            fields += refusals(body["recording"], RECORDING_RULES, "/recording/")
        fields += refusals(body, LATER_RULES, "/")
        if fields:
            raise Refused(refused(fields))
        changes = {field: body[field] for field in FIELDS if field in body}
        return {**changes, "meta": dict(body["meta"])} if "meta" in body else changes

    def _list(self, req: Request, account: str) -> Response:
        docs = self.core.streams(NAME)
        return ok({"liveInputs": [self.list_item(d) for d in docs], "range": 0, "total": len(docs)})

    def _create(self, req: Request, account: str) -> Response:
        changes = self._changes(req)
        recording = {"mode": "off", "timeoutSeconds": 0, "requireSignedURLs": False, "allowedOrigins": None,
                     "hideLiveViewerCount": False, **changes.get("recording", {})}
        uid = new_uid()
        doc = self.add_stream(
            uid, secrets.token_hex(16) + uid, None, srt_passphrase=secrets.token_hex(16),
            playback_key=secrets.token_hex(16), enabled=changes.get("enabled", True), meta=changes.get("meta", {}),
            recording=recording, deleteRecordingAfterDays=changes.get("deleteRecordingAfterDays"), videos=[])
        doc["modified"] = doc["created"]
        self.core.save(doc)
        return ok(self.render(doc))

    def _update(self, req: Request, account: str, doc: dict) -> Response:
        changes = self._changes(req)
        for field in ("meta", "deleteRecordingAfterDays"):
            if field in changes:
                doc[field] = changes[field]
        doc["recording"].update(changes.get("recording", {}))
        if changes.get("enabled", doc["enabled"]) != doc["enabled"]:
            doc["enabled"] = changes["enabled"]
            if doc["enabled"]:
                self.core.event("enabled", doc)
            else:  # the encoder is cut, and refused until the input is enabled again
                self.core.cut_off(doc, "disabled")
        doc["modified"] = time.time()
        self.core.save(doc)
        self.core.event("updated", doc, fields=sorted(changes))
        return ok(self.render(doc))

    # outputs: "used to simulcast or restream live video to other RTMP or SRT destinations"
    @staticmethod
    def output(target: dict) -> dict:
        return {"uid": target["id"], "url": target["url"], "streamKey": target["key"],
                "enabled": target["enabled"]}

    def _outputs(self, req: Request, account: str, doc: dict) -> Response:
        return ok([self.output(t) for t in doc.get("targets", {}).values()])

    def _add_output(self, req: Request, account: str, doc: dict) -> Response:
        body = self.json_object(req)
        url, key = body.get("url"), body.get("streamKey")
        fields = []
        if not isinstance(url, str) or not url.startswith(("rtmp://", "rtmps://", "srt://")):
            fields.append(("/url", "url must be an RTMP(S) or SRT URL"))
        if not isinstance(key, str):
            fields.append(("/streamKey", "streamKey must be a string"))
        fields += refusals(body, (ENABLED,), "/")
        if fields:
            return refused(fields)
        target = add_target(doc, url=url, key=key, enabled=body.get("enabled", True))
        self.core.save(doc)
        self.core.event("output_created", doc, target=target["id"])
        return ok(self.output(target))

    def _update_output(self, req: Request, account: str, doc: dict, output: str) -> Response:
        refusal = refused([("/enabled", "enabled must be a boolean")])
        return ok(self.output(self.toggle_target(req, doc, output, "enabled", refusal)))

    def _delete_output(self, req: Request, account: str, doc: dict, output: str) -> Response:
        self.drop_target(doc, output, "output_deleted")
        return ok(None)

    def _delete(self, req: Request, account: str, doc: dict) -> Response:
        # "Prevents a live input from being streamed to": a live encoder is cut too.
        self.delete_stream(doc)
        return ok(None)

