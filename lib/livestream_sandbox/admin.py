"""The sandbox's own control and inspection API under ``/_sandbox/``, and a client for it.

No provider credentials are needed (it listens on loopback only), and stream keys are
masked (``org-…jKP4``) unless ``?reveal=1`` is given.

======================================  ===========================================================
``GET /_sandbox/info``                  URLs, credentials (secrets masked unless ``reveal=1``), env
``GET /_sandbox/health``                ``{"ok": true}``
``GET /_sandbox/streams``               every stream, newest first (``provider=``, ``reveal=1``)
``GET /_sandbox/streams/<id>``          one stream
``POST /_sandbox/streams/<id>/disconnect``  cut the current publisher (a network drop)
``GET /_sandbox/events``                the event log (``since=<seq>``, ``provider=``,
                                        ``stream_id=``, ``kind=``, ``limit=``); each has
                                        ``seq``, ``ts`` (epoch s), ``time``, ``kind``...
``GET|POST|DELETE /_sandbox/faults``    list, add (``{"spec": "..."}`` or fields), clear
                                        (``provider=``); ``DELETE /_sandbox/faults/<id>``
``GET|PATCH /_sandbox/config``          timings and the FastPix webhook URL/secret
``POST /_sandbox/reset``                forget streams, events, webhooks, faults, files
``POST /_sandbox/rtmp/<callback>``      nginx-rtmp's on_publish/on_update/... (ingest.py)
======================================  ===========================================================

Event kinds: ``created``, ``server_start_requested``, ``key_issued``, ``boot_failed``,
``status_changed`` (``from``/``to``), ``publish_started``, ``publish_ended``,
``publish_refused`` (``reason``), ``stop_requested``, ``finish_requested``,
``enabled``, ``disabled``, ``updated``, ``deleted``, ``recording_file_closed``,
``recording_started``, ``recording_ready``, ``recording_failed``, ``webhook_registered``,
``webhook_delivered``, ``webhook_failed``, ``login``, ``fault_applied``.
A ``disabled`` that cuts an attached encoder follows its ``publish_ended`` (``Core.cut_off``),
whichever of the two reached the sandbox first.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Optional

from . import faults as faultlib
from .config import TIMINGS, bounded
from .core import Core
from .web import BadBody, Request, Response, json_response


def mask(value: Optional[str]) -> Optional[str]:
    if not value:
        return value
    return f"{value[:4]}…{value[-4:]}" if len(value) > 12 else "***"


#: What ``PATCH /_sandbox/config`` may change: name -> (value, name) -> the value to keep (``ValueError``
#: if it is not one).
_SETTABLE: dict[str, Callable[[Any, str], Any]] = {
    **dict.fromkeys(TIMINGS, bounded), "tpstreams_page_size": lambda value, name: int(bounded(value, name, 1, 1000)),
    "fastpix_webhook_url": lambda value, name: value or None, "fastpix_webhook_secret": lambda value, name: value or "",
}


class Admin:
    """Routes of ``/_sandbox/``."""

    def __init__(self, core: Core, info: Callable[[bool], dict]) -> None:
        self.core = core
        self.info = info
        # An explicit table: a lookup by URL name (getattr) let "/_sandbox/_init__"
        # call __init__ with the request and break every admin route until a restart.
        self.routes: dict[str, Callable[[Request, list], Response]] = {
            "info": lambda req, rest: json_response(200, self.info(req.flag("reveal"))),
            "health": lambda req, rest: json_response(200, {"ok": True}),
            "streams": self._streams, "events": self._events, "faults": self._faults, "config": self._config,
            "reset": self._reset,
        }

    def view(self, doc: dict, reveal: bool) -> dict:
        key = doc.get("key")
        return {"provider": doc["provider"], "id": doc["id"], "created": doc["created"],
                "publishing": doc.get("publishing", False),
                "stream_key": key if reveal else mask(key),
                **self.core.models[doc["provider"]].summary(doc)}

    def handle(self, req: Request) -> Response:
        parts = [p for p in req.path.split("/") if p][1:]  # after "_sandbox"
        head = parts[0] if parts else "info"
        try:
            if head == "rtmp" and len(parts) == 2 and req.method == "POST":
                answer = self.core.rtmp_callback(parts[1], req)
                return answer if answer.body or answer.status != 200 else json_response(200, {"ok": True})
            handler = self.routes.get(head)
            if handler is None:
                return json_response(404, {"error": f"no admin endpoint {req.path}"})
            return handler(req, parts[1:])
        except (ValueError, BadBody) as exc:
            return json_response(400, {"error": str(exc)})

    def _streams(self, req: Request, rest: list) -> Response:
        reveal = req.flag("reveal")
        with self.core.lock:
            if not rest:
                docs = self.core.streams(req.query.get("provider") or None)
                return json_response(200, {"streams": [self.view(d, reveal) for d in docs]})
            doc = next((d for d in self.core.streams() if d["id"] == rest[0]), None)
            if doc is None:
                return json_response(404, {"error": f"no stream {rest[0]}"})
            if rest[1:] == ["disconnect"] and req.method == "POST":
                self.core.drop_publisher(doc)
                self.core.event("disconnect_requested", doc)
            return json_response(200, self.view(doc, reveal))

    def _events(self, req: Request, rest: list) -> Response:
        q = req.query
        events = self.core.store.events(since=int(q.get("since") or 0), provider=q.get("provider"),
                                        stream_id=q.get("stream_id"), kind=q.get("kind"),
                                        limit=int(q.get("limit") or 1000))
        return json_response(200, {"events": events})

    def _faults(self, req: Request, rest: list) -> Response:
        book = self.core.faults
        if req.method == "DELETE":
            if rest:
                return json_response(200, {"removed": int(book.remove(int(rest[0])))})
            return json_response(200, {"removed": book.clear(req.query.get("provider") or None)})
        if req.method == "POST":
            data = req.data()
            added = [book.add(faultlib.from_dict(item)) for item in (data if isinstance(data, list) else [data])]
            for fault in added:
                fields = fault.to_dict()
                self.core.event("fault_added", provider=fields.pop("provider"), fault=fields)
            return json_response(201, {"faults": [f.to_dict() for f in added]})
        return json_response(200, {"faults": [f.to_dict() for f in book.list()]})

    def _config(self, req: Request, rest: list) -> Response:
        config = self.core.config
        if req.method in ("PATCH", "PUT", "POST"):
            data = req.data()
            if not isinstance(data, dict):
                raise ValueError("config changes must be a JSON object")
            for name, value in data.items():
                if name not in _SETTABLE:
                    raise ValueError(f"unknown config field {name!r}")
                setattr(config, name, _SETTABLE[name](value, name))
        out = {name: getattr(config, name) for name in _SETTABLE}
        if not req.flag("reveal"):
            out["fastpix_webhook_secret"] = "***"
        return json_response(200, out)

    def _reset(self, req: Request, rest: list) -> Response:
        if req.method != "POST":
            return json_response(405, {"error": "POST /_sandbox/reset"})
        self.core.reset()
        self.core.faults.clear()
        places = self.core.places
        shutil.rmtree(places.vod_dir, ignore_errors=True)
        for flv in places.record_dir.glob("*.flv") if places.record_dir.is_dir() else []:
            flv.unlink(missing_ok=True)
        return json_response(200, {"ok": True})


class AdminError(RuntimeError):
    """The admin API answered with an error."""


class AdminClient:
    """A stdlib client for ``/_sandbox/`` (tests, the demo, benchmarks)."""

    def __init__(self, api_url: str, timeout: float = 10.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        params = {k: (1 if v is True else v) for k, v in query.items() if v not in (None, False)}
        url = f"{self.api_url}/_sandbox/{path.lstrip('/')}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise AdminError(f"{method} {path}: HTTP {exc.code} {exc.read().decode('utf-8', 'replace')}") from None

    def info(self, reveal: bool = False) -> dict:
        return self.call("GET", "info", reveal=reveal)

    def health(self) -> bool:
        return bool(self.call("GET", "health").get("ok"))

    def streams(self, provider: Optional[str] = None, reveal: bool = False) -> list:
        return self.call("GET", "streams", provider=provider, reveal=reveal)["streams"]

    def stream(self, stream_id: str, reveal: bool = False) -> dict:
        return self.call("GET", f"streams/{stream_id}", reveal=reveal)

    def disconnect(self, stream_id: str) -> dict:
        return self.call("POST", f"streams/{stream_id}/disconnect")

    def events(self, since: int = 0, provider: Optional[str] = None, stream_id: Optional[str] = None,
               kind: Optional[str] = None, limit: Optional[int] = None) -> list:
        """Events after ``since`` (a ``seq``), oldest first, at most ``limit`` (default 1000)."""
        return self.call("GET", "events", since=since or None, provider=provider, stream_id=stream_id,
                         kind=kind, limit=limit)["events"]

    def add_fault(self, spec: Optional[str] = None, **fields: Any) -> dict:
        """``add_fault("tpstreams:status=503,count=2")`` or ``add_fault(kind="latency", value=2)``."""
        return self.call("POST", "faults", {"spec": spec} if spec else fields)["faults"][0]

    def faults(self) -> list:
        return self.call("GET", "faults")["faults"]

    def clear_faults(self, provider: Optional[str] = None) -> int:
        return self.call("DELETE", "faults", provider=provider)["removed"]

    def remove_fault(self, fault_id: int) -> bool:
        return bool(self.call("DELETE", f"faults/{fault_id}")["removed"])

    def config(self, **changes: Any) -> dict:
        return self.call("PATCH", "config", changes) if changes else self.call("GET", "config")

    def set_fastpix_webhook(self, url: Optional[str], secret: Optional[str] = None) -> dict:
        changes: dict = {"fastpix_webhook_url": url}
        if secret is not None:
            changes["fastpix_webhook_secret"] = secret
        return self.config(**changes)

    def reset(self) -> None:
        self.call("POST", "reset", {})

    def simulate_publish(self, stream_key: str, client_id: str = "simulated") -> bool:
        """Play nginx-rtmp's ``on_publish`` for ``stream_key`` without an encoder; True if accepted.

        The stream then behaves as if an encoder were live (statuses, webhooks), minus the
        media: no HLS, no recording. ``simulate_unpublish`` plays ``on_publish_done``.
        """
        try:
            self.call("POST", "rtmp/on_publish", {"call": "publish", "app": "live", "name": stream_key,
                                                  "clientid": client_id})
            return True
        except AdminError:
            return False

    def simulate_unpublish(self, stream_key: str, client_id: str = "simulated") -> None:
        self.call("POST", "rtmp/on_publish_done", {"call": "publish_done", "app": "live", "name": stream_key,
                                                   "clientid": client_id})

    def wait_for_event(self, kind: str, *, stream_id: Optional[str] = None, since: int = 0,
                       timeout: float = 15.0, where: Optional[Callable[[dict], bool]] = None) -> dict:
        """The first event of ``kind`` (after ``since``) that matches; ``TimeoutError`` otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            page = self.events(since=since, stream_id=stream_id, kind=kind)  # at most 1000 per call
            for event in page:
                if where is None or where(event):
                    return event
            if page:
                since = page[-1]["seq"]
                if len(page) >= 1000:
                    continue
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {kind!r} event for {stream_id or 'any stream'} within {timeout:g}s")
            time.sleep(0.1)

    def wait_for_status(self, stream_id: str, status: str, timeout: float = 15.0) -> dict:
        """Poll the admin view until the stream reaches ``status`` (a provider's own word)."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.stream(stream_id)
            if view["status"] == status:
                return view
            if time.monotonic() > deadline:
                raise TimeoutError(f"stream {stream_id} is {view['status']!r}, not {status!r}, after {timeout:g}s")
            time.sleep(0.1)
