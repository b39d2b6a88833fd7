"""Playback over HTTP: live HLS by stream or playback id (never by stream key), and recordings.

============================================  =================================================
``/live/<org>/<asset_id>/video.m3u8``         TP Streams ``hls_url`` (shape of its webhook-response page)
``/stream/<playback_id>.m3u8``                FastPix playback (``stream.fastpix.com/{id}.m3u8``)
``/cloudflare/<uid>/manifest/video.m3u8``     Cloudflare Stream live HLS (``cloudflare``)
``/transcoded/<media_id>/video.m3u8``         a recording as HLS VOD (TP ``video.playback_url``,
                                              FastPix ``mediaIds``); ``video.mp4`` alongside
``/live-chat/<org>/<asset_id>/``              a placeholder for TP ``chat_embed_url``
============================================  =================================================

nginx-rtmp writes ``<data>/hls/<stream_key>/index.m3u8``; this module finds the key from
the id, so playback URLs never reveal it. FastPix playlists are rewritten so their
segment URIs stay under ``/stream/<playback_id>/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Optional

from .core import Core
from .web import Request, Response, text

_FILE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", ".mp4": "video/mp4"}


def _not_found() -> Response:
    return text(404, "Not found")


def file_response(path: Path, req: Request) -> Response:
    """Serve a file, honouring a single ``Range: bytes=a-b`` (ffprobe seeks in mp4)."""
    try:
        data = path.read_bytes()
    except OSError:
        return _not_found()
    ctype = _TYPES.get(path.suffix, "application/octet-stream")
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "no-cache"}
    # Playlists are always sent whole (players ask for "bytes=0-" and we may rewrite them).
    match = re.match(r"^bytes=(\d*)-(\d*)$", req.header("Range").strip()) if path.suffix != ".m3u8" else None
    if match and data and (match.group(1) or match.group(2)):
        size = len(data)
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:
            start, end = max(0, size - int(match.group(2))), size - 1
        if start >= size or start > end:
            return Response(416, b"", None, {"Content-Range": f"bytes */{size}"})
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Response(206, data[start:end + 1], ctype, headers)
    return Response(200, data, ctype, headers)


def hls_folder(core: Core, key: Optional[str]) -> Optional[Path]:
    """nginx-rtmp's live HLS folder of a stream key, if it exists."""
    folder = core.places.hls_dir / key if key else None
    return folder if folder is not None and folder.is_dir() else None


def serve_live(req: Request, folder: Optional[Path], name: str, playlist: str = "video.m3u8") -> Response:
    """``<playlist>`` (nginx's ``index.m3u8``) or a segment of a live folder whose URIs stay beside it."""
    if folder is None:
        return _not_found()
    if name == playlist:
        return file_response(folder / "index.m3u8", req)
    return file_response(folder / name, req) if name.endswith(".ts") else _not_found()


def serve_by_id(core: Core, req: Request, rest: list, key_of: Callable[[str], Optional[str]]) -> Response:
    """``<id>.m3u8`` and ``<id>/<segment>.ts`` (FastPix, Mux, api.video playback): the playlist's
    segment URIs are rewritten under ``<id>/`` so the stream key never shows."""
    playlist = len(rest) == 1
    if not 1 <= len(rest) <= 2 or playlist and not rest[0].endswith(".m3u8"):
        return _not_found()
    play_id = rest[0][: -len(".m3u8")] if playlist else rest[0]
    with core.lock:
        folder = hls_folder(core, key_of(play_id))
    answer = serve_live(req, folder, rest[-1], playlist=rest[0] if playlist else "")  # "": segments only
    if playlist and answer.status == 200:
        lines = answer.body.decode("utf-8", "replace").splitlines()
        answer.body = ("\n".join(ln if not ln.strip() or ln.startswith("#") else f"{play_id}/{ln.strip()}"
                                 for ln in lines) + "\n").encode("utf-8")
    return answer


def serve(core: Core, req: Request) -> Response:
    """The GET routes for live HLS (each model's ``playback_prefix``) and recordings."""
    if req.method not in ("GET", "HEAD"):
        return text(405, "Method not allowed")
    parts = [p for p in req.path.split("/") if p]
    if not parts:
        return text(200, "obs-livestream sandbox: provider APIs, their playback, control under /_sandbox/\n")
    if any(not _FILE.match(p) for p in parts):
        return _not_found()
    head = parts[0]
    if head == "transcoded" and len(parts) == 3:
        return file_response(core.places.vod_dir / parts[1] / parts[2], req)
    if head == "live-chat" and len(parts) == 3:
        return text(200, f"<!doctype html><title>Live chat</title><p>Sandbox chat for {parts[2]}</p>",
                    "text/html; charset=utf-8")
    for model in core.models.values():
        prefix = model.playback_prefix
        if tuple(parts[:len(prefix)]) == prefix:
            return model.playback(req, parts[len(prefix):])
    return _not_found()
