"""The sandbox's shared state: streams, the event log, timers, publishing and recordings.

Provider models (``registry``: ``tpstreams``, ``fastpix``...) own their status words and JSON;
this module holds what they share: the stream documents (in memory, written through
to ``store``), one lock, a scheduler thread that calls each model's ``tick`` ten times
a second (deadlines are epoch seconds, so they survive a restart), the nginx-rtmp
callbacks (a key is looked up and the owning model says yes or no), the remux jobs
and webhook delivery reporting.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from . import recording
from .config import SandboxConfig
from .faults import FaultBook
from .restream import Restreamer
from .store import Store
from .web import Request, Response, empty, text
from .webhooks import Delivery, WebhookDispatcher

log = logging.getLogger("livestream_sandbox")

TICK = 0.1
#: A stream's publisher fields while no encoder is attached.
NO_PUBLISHER = {"publishing": False, "client_id": None, "drop_publisher": False}


@dataclass
class Places:
    """Where things are: folders in the data dir (nginx writes HLS, recordings and what reaches the
    simulcast application there) and the URLs the sandbox answers on."""

    data_dir: Path
    api_url: str = ""
    rtmp_url: str = ""
    srt_url: str = ""

    def __post_init__(self) -> None:
        self.hls_dir, self.record_dir, self.vod_dir, self.simulcast_dir = (
            self.data_dir / name for name in ("hls", "recordings", "vod", "simulcast"))


class Core:
    """Streams and what happens to them over time."""

    def __init__(self, config: SandboxConfig, store: Store, faults: FaultBook, places: Places,
                 ffmpeg: Optional[str]) -> None:
        self.config = config
        self.store = store
        self.faults = faults
        self.places = places
        self.ffmpeg = ffmpeg
        self.lock = threading.RLock()
        self.docs: dict[str, dict] = {}
        self.models: dict[str, Any] = {}
        self.webhooks = WebhookDispatcher(self._webhook_result, attempts=config.webhook_attempts,
                                          timeout=config.webhook_timeout)
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.restreamer = Restreamer(self)

    # lifecycle ---------------------------------------------------------------------------------
    def register(self, model: Any) -> None:
        self.models[model.name] = model

    def load(self) -> None:
        """Read the streams back from the store and let each model fix what a restart broke."""
        now = time.time()
        with self.lock:
            for doc in self.store.load_streams():
                self.docs[self.ref(doc)] = doc
                doc.update(NO_PUBLISHER)
                self._after_publish(doc)  # the publisher went with the old nginx
                self.models[doc["provider"]].recover(doc, now)
                for media_id, job in doc.get("jobs", {}).items():
                    if job.get("state") == "running":
                        self._run_job(doc, media_id, job["files"])
                self.save(doc)

    def start(self) -> None:
        self.webhooks.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sandbox-timers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2.0)
            self._thread = None
        self.restreamer.stop_all()
        self.webhooks.stop()

    def _loop(self) -> None:
        while not self._stop.wait(TICK):
            now = time.time()
            with self.lock:
                for doc in list(self.docs.values()):
                    try:
                        self.models[doc["provider"]].tick(doc, now)
                        self.restreamer.sync(doc, now)
                    except Exception:  # one broken stream must not stop every timer
                        log.exception("timer failed for %s %s", doc["provider"], doc["id"])

    # stream documents --------------------------------------------------------------------------
    @staticmethod
    def ref(doc: dict) -> str:
        return f"{doc['provider']}/{doc['id']}"

    def add(self, doc: dict) -> None:
        for name, value in {**NO_PUBLISHER, "consumed": [], "jobs": {}}.items():
            doc.setdefault(name, value)
        self.docs[self.ref(doc)] = doc
        self.save(doc)

    def save(self, doc: dict) -> None:
        self.store.save_stream(doc)

    def remove(self, doc: dict) -> None:
        self.restreamer.forget(doc)
        self.docs.pop(self.ref(doc), None)
        self.store.delete_stream(doc["provider"], doc["id"])

    def get(self, provider: str, stream_id: str) -> Optional[dict]:
        return self.docs.get(f"{provider}/{stream_id}")

    def streams(self, provider: Optional[str] = None) -> list[dict]:
        """Newest first."""
        docs = [d for d in self.docs.values() if provider in (None, d["provider"])]
        return sorted(docs, key=lambda d: (d["created"], d["id"]), reverse=True)

    def reset(self) -> None:
        with self.lock:
            for doc in list(self.docs.values()):
                doc["drop_publisher"] = True
            self.docs.clear()
            self.store.reset()

    # events ------------------------------------------------------------------------------------
    def event(self, kind: str, doc: Optional[dict] = None, *, provider: Optional[str] = None,
              stream_id: Optional[str] = None, **detail: Any) -> None:
        if doc is not None:
            provider, stream_id = doc["provider"], doc["id"]
        self.store.add_event(time.time(), provider, stream_id, kind, detail)
        log.debug("event %s %s %s %s", kind, provider, stream_id, detail)

    def set_status(self, doc: dict, status: str) -> bool:
        old = doc.get("status")
        if old == status:
            return False
        doc["status"] = status
        self.event("status_changed", doc, **{"from": old, "to": status})
        self.save(doc)
        return True

    # webhooks ----------------------------------------------------------------------------------
    def send_webhook(self, url: str, body: bytes, headers: dict, **meta: Any) -> None:
        self.webhooks.send(Delivery(url, body, headers, meta))

    def _webhook_result(self, job: Delivery, ok: bool, status: Optional[int], error: str, attempts: int) -> None:
        meta = dict(job.meta)
        provider, stream_id = meta.pop("provider", None), meta.pop("stream_id", None)
        self.event("webhook_delivered" if ok else "webhook_failed", provider=provider, stream_id=stream_id,
                   url=job.url, status_code=status, attempts=attempts, error=error, **meta)

    # nginx-rtmp callbacks (ingest.py) ----------------------------------------------------------
    def rtmp_callback(self, name: str, req: Request) -> Response:
        form = req.data() if req.body else dict(req.query)
        key = str(form.get("name", ""))
        client = str(form.get("clientid", ""))
        now = time.time()
        with self.lock:
            doc = next((d for d in self.docs.values() if key and d.get("key") == key), None)
            if name == "on_publish":
                return self._on_publish(doc, key, client, now, form)
            if name == "on_update":  # a player (a simulcast relay: update_play) is not the publisher it guards
                cut = form.get("call") != "update_play" and (doc is None or doc.get("drop_publisher")
                                                             or doc.get("client_id") != client)
                return text(403, "stop") if cut else empty(200)
            if name not in ("on_publish_done", "on_record_done"):
                return text(404, "unknown callback")
            if name == "on_publish_done" and doc is not None and doc.get("client_id") == client:
                self._publisher_left(doc, now)
            elif name == "on_record_done" and doc is not None:
                self.event("recording_file_closed", doc, file=Path(str(form.get("path", ""))).name)
        return empty(200)

    def _on_publish(self, doc: Optional[dict], key: str, client: str, now: float, form: dict) -> Response:
        if str(form.get("app", "live")) != "live":
            reason = "unknown application"
        elif doc is None:
            reason = "unknown stream key"
        elif doc.get("publishing"):
            reason = "already publishing"
        else:
            reason = self.models[doc["provider"]].on_publish(doc, now)
        if reason:
            self.event("publish_refused", doc, reason=reason, **({} if doc else {"key_hint": key[:4]}))
            return text(403, reason)
        assert doc is not None
        doc.update(publishing=True, client_id=client, drop_publisher=False, last_publish_at=now)
        self.event("publish_started", doc)
        self.models[doc["provider"]].after_publish(doc, now)
        self.save(doc)
        return empty(200)

    def drop_publisher(self, doc: dict) -> None:
        """Make nginx cut the current publisher at its next ``on_update`` (within about a second)."""
        if doc.get("publishing"):
            doc["drop_publisher"] = True

    def cut_off(self, doc: dict, kind: str) -> None:
        """Record ``kind`` ("disabled") and cut the publisher, in one defined order of events.

        A client that ends a broadcast stops its encoder and disables the stream; under load
        nginx's ``on_publish_done`` may arrive before or after the API call. Either way the
        events read ``publish_ended`` then ``kind``: while an encoder is still attached,
        ``kind`` waits for its ``publish_ended`` (within about a second, see above)."""
        if doc.get("publishing"):
            doc["drop_publisher"] = True
            doc.setdefault("after_publish", []).append(kind)
        else:
            self.event(kind, doc)

    def publishers_gone(self) -> None:
        """The ingest server went away with its publishers (``Sandbox.stop_ingest``): each one
        leaves as if nginx had said ``on_publish_done``, so its reconnect window starts and the
        ingest brought back takes the same key again."""
        now = time.time()
        with self.lock:
            for doc in self.docs.values():
                if doc.get("publishing"):
                    self._publisher_left(doc, now)

    def _publisher_left(self, doc: dict, now: float) -> None:
        """nginx's ``on_publish_done``: the encoder is gone; the model says what that means."""
        doc.update(NO_PUBLISHER)
        self.event("publish_ended", doc)
        self._after_publish(doc)
        self.models[doc["provider"]].on_publish_done(doc, now)
        self.save(doc)

    def _after_publish(self, doc: dict) -> None:
        """The events ``cut_off`` held back until the publisher was gone."""
        for kind in doc.pop("after_publish", []):
            self.event(kind, doc)

    # recordings --------------------------------------------------------------------------------
    def start_remux(self, doc: dict, media_id: str) -> bool:
        """Remux the FLV files of this stream's key that no VOD has used yet into ``vod/<media_id>/``
        on a worker thread; False if there are none."""
        key, folder = doc.get("key"), self.places.record_dir
        files = sorted(folder.glob(f"{key}-*.flv")) if key and folder.is_dir() else []
        names = [f.name for f in files if f.name not in doc["consumed"] and f.stat().st_size > 0]
        if not names or not self.ffmpeg:
            return False
        doc["consumed"].extend(names)
        doc["jobs"][media_id] = {"state": "running", "files": names}
        self.event("recording_started", doc, media_id=media_id, files=len(names))
        self.save(doc)
        self._run_job(doc, media_id, names)
        return True

    def _run_job(self, doc: dict, media_id: str, names: list) -> None:
        paths = [self.places.record_dir / n for n in names]

        def work() -> None:
            ok, error = recording.remux(self.ffmpeg or "ffmpeg", paths, self.places.vod_dir / media_id)
            with self.lock:
                doc["jobs"][media_id] = {"state": "ready" if ok else "failed", "files": names, "error": error}
                self.event("recording_ready" if ok else "recording_failed", doc, media_id=media_id, error=error)
                if self.docs.get(self.ref(doc)) is doc:
                    self.save(doc)

        threading.Thread(target=work, name=f"sandbox-remux-{media_id[:8]}", daemon=True).start()

    def job_state(self, doc: dict, media_id: Optional[str]) -> Optional[str]:
        job = doc.get("jobs", {}).get(media_id or "")
        return job.get("state") if job else None
