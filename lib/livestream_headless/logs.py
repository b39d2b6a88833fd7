"""Reading what OBS 29 writes to its log (``$HOME/.config/obs-studio/logs/<date time>.txt``).

Each line starts with ``HH:MM:SS.mmm: ``. The lines that matter to this project, as
OBS 29.0.2 writes them (libobs ``obs-output.c`` and ``media-io/video-io.c``):

* when an output stops::

      Output 'simple_stream': stopping
      Output 'simple_stream': Total frames output: 61
      Output 'simple_stream': Total drawn frames: 31 (75 attempted)
      Output 'simple_stream': Number of lagged frames due to rendering lag/stalls: 44 (58.7%)

  ("Total drawn frames" has the "(N attempted)" part only when frames were missed;
  the lagged line only when there were lagged frames).
* right after that, only if the encoder fell behind (seen with 1280x720, 60 fps,
  x264 "slower" on 2 cores)::

      Video stopped, number of skipped frames due to encoding lag: 6/676 (0.9%)

* a script's lines (``print``, ``sys.stderr``, the ``logging`` module's default
  stderr output and ``obspython.script_log``)::

      [Python: obs_livestream.py] text

  at level info for stdout and LOG_INFO, error for stderr (``error:`` on OBS's
  stdout). Printed from a plain Python thread while OBS is not calling into the
  script, the prefix is ``[Unknown Script] `` instead (``script_lines`` skips those).
  OBS 29 opens its Script Log window on its own when a script logs a warning or an
  error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

__all__ = [
    "OutputFrames",
    "EncodingLag",
    "output_frames",
    "encoding_lag",
    "lagged_frames",
    "script_lines",
    "strip_timestamps",
]

_TIMESTAMP = re.compile(r"^\d\d:\d\d:\d\d\.\d\d\d: ", re.MULTILINE)
_TOTAL = re.compile(r"Output '(?P<output>[^']*)': Total frames output: (?P<n>\d+)(?: \((?P<a>\d+) attempted\))?")
_DRAWN = re.compile(r"Output '(?P<output>[^']*)': Total drawn frames: (?P<n>\d+)(?: \((?P<a>\d+) attempted\))?")
_LAGGED = re.compile(
    r"Output '(?P<output>[^']*)': Number of lagged frames due to rendering lag/stalls: (?P<n>\d+) "
    r"\((?P<p>[\d.]+)%\)"
)
_STOPPING = re.compile(r"Output '(?P<output>[^']*)': stopping")
_ENCODING = re.compile(
    r"Video stopped, number of skipped frames due to encoding lag: (?P<n>\d+)/(?P<t>\d+) \((?P<p>[\d.]+)%\)"
)


@dataclass(frozen=True)
class OutputFrames:
    """Frame counts OBS logs when one output (``simple_stream``, ``adv_stream``...) stops."""

    output: str
    total_frames: Optional[int] = None
    drawn_frames: Optional[int] = None
    drawn_attempted: Optional[int] = None
    lagged_frames: int = 0
    lagged_percent: float = 0.0


@dataclass(frozen=True)
class EncodingLag:
    """``Video stopped, number of skipped frames due to encoding lag: skipped/total (percent%)``."""

    skipped: int
    total: int
    percent: float


def strip_timestamps(text: str) -> str:
    """The log without the ``HH:MM:SS.mmm: `` prefixes."""
    return _TIMESTAMP.sub("", text)


def output_frames(text: str) -> List[OutputFrames]:
    """One entry per output stop, in log order."""
    results: List[dict] = []
    current: dict = {}
    for line in strip_timestamps(text).splitlines():
        match = _STOPPING.search(line)
        if match:
            current = {"output": match["output"]}
            results.append(current)
            continue
        for pattern, key in ((_TOTAL, "total_frames"), (_DRAWN, "drawn_frames")):
            match = pattern.search(line)
            if match:
                if current.get("output") != match["output"]:
                    current = {"output": match["output"]}
                    results.append(current)
                current[key] = int(match["n"])
                if key == "drawn_frames" and match["a"]:
                    current["drawn_attempted"] = int(match["a"])
        match = _LAGGED.search(line)
        if match:
            if current.get("output") != match["output"]:
                current = {"output": match["output"]}
                results.append(current)
            current["lagged_frames"] = int(match["n"])
            current["lagged_percent"] = float(match["p"])
    return [OutputFrames(**entry) for entry in results]


def lagged_frames(text: str) -> int:
    """Frames lagged by rendering stalls, summed over every output stop in the log."""
    return sum(entry.lagged_frames for entry in output_frames(text))


def encoding_lag(text: str) -> List[EncodingLag]:
    """Each "Video stopped, number of skipped frames due to encoding lag" line."""
    return [
        EncodingLag(int(m["n"]), int(m["t"]), float(m["p"])) for m in _ENCODING.finditer(strip_timestamps(text))
    ]


def script_lines(text: str, script: Optional[str] = None, *, with_prefix: bool = False) -> List[str]:
    """Lines scripts logged (``[Python: name.py] text``), without timestamps.

    ``script`` is the file name (``obs_livestream.py``); None matches every script.
    The ``[Python: name.py] `` prefix is removed unless ``with_prefix``.
    """
    name = re.escape(script) if script else r"[^\]]+"
    pattern = re.compile(rf"^\[(?:Python|Lua): {name}\] ")
    lines = []
    for line in strip_timestamps(text).splitlines():
        match = pattern.match(line)
        if match:
            lines.append(line if with_prefix else line[match.end():])
    return lines
