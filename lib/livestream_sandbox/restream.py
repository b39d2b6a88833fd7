"""Restreaming, as the providers do it: each simulcast target of a live stream gets a relay.

A stream document keeps its targets in ``doc["targets"]`` (target id -> ``{name, url,
key, enabled, status, error}``); the provider modules add and remove them through their
own routes (Mux simulcast targets, Cloudflare outputs, FastPix simulcasts, api.video
restreams) and render them in their own words. ``Restreamer.sync``, on the sandbox's
timer, does the media side the same way for all of them: while an encoder publishes to
the stream, every enabled target has an ffmpeg relay copying the stream from the
sandbox's nginx-rtmp to the target's URL (``-c copy``: the target gets what OBS sent);
when the encoder leaves or the target goes, the relay stops. A relay that exits while
wanted is the target's error. The sandbox's nginx has a ``simulcast`` application that
records what reaches it, so a test can check that media arrived at a target.

Target statuses use Mux's words (``idle``, ``starting``, ``broadcasting``, ``errored``):
https://www.mux.com/docs/api-reference/video/live-streams (SimulcastTarget.status).
"""

from __future__ import annotations

import logging
import secrets
import subprocess
from typing import Any, Collection, Optional

from .ingest import TiedChild

log = logging.getLogger(__name__)

IDLE, STARTING, BROADCASTING, ERRORED = "idle", "starting", "broadcasting", "errored"
#: Seconds a relay must run before its target counts as broadcasting.
SETTLE = 2.0


def add_target(doc: dict, *, url: str, key: str, name: str = "", enabled: bool = True) -> dict:
    """A new target on ``doc`` (its ``id`` is the provider's target id)."""
    target = {"id": secrets.token_hex(16), "name": name, "url": url, "key": key, "enabled": enabled,
              "status": IDLE, "error": None}
    doc.setdefault("targets", {})[target["id"]] = target
    return target


def relay_destination(target: dict) -> str:
    """Where the relay publishes: RTMP(S) as server URL + "/" + key; SRT as given."""
    url = target["url"]
    if url.startswith("srt://") or not target.get("key"):
        return url
    return url.rstrip("/") + "/" + target["key"]


class Restreamer:
    """ffmpeg relays from the sandbox's ingest to each live stream's enabled targets."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self._relays: dict[tuple[str, str], tuple[TiedChild, float]] = {}

    def sync(self, doc: dict, now: float) -> None:
        """Start, watch and stop ``doc``'s relays (called with the core's lock held)."""
        for target_id, target in list(doc.get("targets", {}).items()):
            ref = (self.core.ref(doc), target_id)
            wanted = bool(doc.get("publishing") and target.get("enabled", True))
            running = self._relays.get(ref)
            if wanted and running is None and target["status"] != ERRORED:
                self._start(ref, doc, target, now)
            elif running is not None and not wanted:
                self._stop(ref)
                target["status"] = IDLE
            elif running is not None:
                child, started = running
                code = child.poll()
                if code is not None:
                    self._relays.pop(ref, None)
                    child.stop(0.1)
                    target.update(status=ERRORED, error=f"the relay to {target['url']} stopped (exit {code})")
                    self.core.event("simulcast_errored", doc, target=target_id)
                elif target["status"] == STARTING and now - started >= SETTLE:
                    target["status"] = BROADCASTING
                    self.core.event("simulcast_broadcasting", doc, target=target_id)
            elif not wanted and target["status"] == ERRORED and not doc.get("publishing"):
                target.update(status=IDLE, error=None)  # tried again at the next broadcast
        self.forget(doc, keep=doc.get("targets", {}))  # the targets removed while relaying

    def forget(self, doc: dict, keep: Collection[str] = ()) -> None:
        """The relays of ``doc`` stop but those to ``keep``'s targets: all of them when it is deleted."""
        for ref in [r for r in self._relays if r[0] == self.core.ref(doc) and r[1] not in keep]:
            self._stop(ref)

    def stop_all(self) -> None:
        for ref in list(self._relays):
            self._stop(ref)

    def _start(self, ref: tuple[str, str], doc: dict, target: dict, now: float) -> None:
        ffmpeg: Optional[str] = self.core.ffmpeg
        if not ffmpeg:
            target.update(status=ERRORED, error="the sandbox has no ffmpeg to relay with")
            return
        source = f"{self.core.places.rtmp_url}/{doc['key']}"
        # A long probe: a relay that joins OBS's broadcast gets audio at once but video only from
        # the next keyframe (seen here 8 s later); ffmpeg's default 5 s probe then misses the
        # video and the copy would carry audio only.
        cmd = [ffmpeg, "-nostdin", "-loglevel", "warning", "-rw_timeout", "5000000",
               "-analyzeduration", "20000000", "-probesize", "50000000", "-i", source,
               "-c", "copy", "-f", "flv" if not target["url"].startswith("srt://") else "mpegts",
               relay_destination(target)]
        logs = self.core.places.data_dir / "relays"
        logs.mkdir(exist_ok=True)
        # Its errors go to a file per target (what a test or a person reads when one fails).
        with open(logs / f"{ref[1]}.log", "ab") as log_file:
            self._relays[ref] = (TiedChild(cmd, "relay", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=log_file), now)
        target.update(status=STARTING, error=None)
        self.core.event("simulcast_starting", doc, target=ref[1])

    def _stop(self, ref: tuple[str, str]) -> None:
        entry = self._relays.pop(ref, None)
        if entry is not None:
            entry[0].stop(2.0)
