"""Turn nginx-rtmp's FLV recordings into a playable VOD: HLS (``video.m3u8``) plus ``video.mp4``.

The remux is a stream copy (no transcode), so it takes well under a second for a test
recording. Several FLV files (an encoder that reconnected) are joined with ffmpeg's
concat demuxer. Output goes to a temporary folder renamed into place, so a served
``<data>/vod/<media_id>/`` is always complete.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Sequence


def remux(ffmpeg: str, inputs: Sequence[Path], out_dir: Path, *, timeout: float = 120.0) -> tuple[bool, str]:
    """Remux ``inputs`` into ``out_dir``; (ok, error message)."""
    out_dir = Path(out_dir)
    work = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if len(inputs) == 1:
        source = ["-i", str(inputs[0])]
    else:
        listing = work / "inputs.txt"
        # concat demuxer quoting: a ' inside '...' is written '\''
        listing.write_text("".join("file '" + str(p).replace("'", "'\\''") + "'\n" for p in inputs))
        source = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *source,
           "-map", "0", "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
           "-hls_segment_filename", str(work / "seg_%03d.ts"), str(work / "video.m3u8"),
           "-map", "0", "-c", "copy", "-movflags", "+faststart", str(work / "video.mp4")]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        ok = done.returncode == 0 and (work / "video.m3u8").exists()
        error = "" if ok else (done.stderr.strip().splitlines() or ["ffmpeg failed"])[-1]
    except (OSError, subprocess.SubprocessError) as exc:
        error = str(exc)
    if error:
        shutil.rmtree(work, ignore_errors=True)
        return False, error
    (work / "inputs.txt").unlink(missing_ok=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    work.rename(out_dir)
    return True, ""
