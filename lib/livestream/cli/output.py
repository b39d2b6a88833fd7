"""Printing results: human-readable lines or ``--json``, secrets masked unless revealed.

Text that came from a provider (titles, status words, error messages) is printed
through ``printable``: an answer could otherwise carry escape sequences that recolour,
retitle or clear the user's terminal, or a carriage return that overwrites a line
(e.g. a warning) with something else. ``--json`` needs nothing: JSON escapes them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any, Iterable, Mapping

from .. import secrets

# ECMA-48 sequences: CSI (ESC [ or the C1 CSI), OSC/DCS/PM/APC strings up to their
# terminator (BEL or ST), and the two-character ESC sequences.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P^_X]|[\x90\x9d\x9e\x9f\x98])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
# C0 controls except tab and newline, DEL, C1 controls; and the Unicode bidirectional
# overrides, which reorder what the terminal shows.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` without terminal escape sequences and control characters (newline and tab kept)."""
    return _CONTROLS.sub("", _ESCAPE_SEQUENCES.sub("", str(text)))


class PrintableFormatter(logging.Formatter):
    """A log formatter whose lines (messages may quote a provider) are ``printable``."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: A003 - logging's name
        return printable(super().format(record))


def make_output_safe() -> None:
    """Never crash on printing: characters the terminal's encoding lacks (an ASCII
    locale, ``PYTHONIOENCODING=ascii``) are written as escapes instead of raising
    UnicodeEncodeError after the work (e.g. a create) was done."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # closed, or not a text stream we may change
                pass


def emit(data: Any, *, as_json: bool, reveal: bool = False) -> None:
    """Print ``data`` (a mapping or a list of mappings) to stdout."""
    if as_json:
        text = json.dumps(data, indent=2, default=str)
    elif isinstance(data, Mapping):
        text = printable(_lines(data))
    else:
        text = printable("\n\n".join(_lines(item) for item in data)) if data else "(none)"
    print(text if reveal else secrets.redact(text))


def _lines(data: Mapping[str, Any], indent: str = "") -> str:
    out = []
    for key, value in data.items():
        if value is None or value == {}:
            continue
        if isinstance(value, Mapping):
            out.append(f"{indent}{key}:")
            out.append(_lines(value, indent + "  "))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            # e.g. the open streams in 'status': one indented block each
            out.append(f"{indent}{key}:")
            for item in value:
                block = _lines(item, indent + "    ")
                out.append(indent + "  - " + block.lstrip())
        elif isinstance(value, list) and not value:
            continue
        else:
            out.append(f"{indent}{key}: {value}")
    return "\n".join(out)


def table(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    rows = list(rows)
    widths = {c: max([len(c)] + [len(_cell(r.get(c))) for r in rows]) for c in columns}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip()]
    for r in rows:
        lines.append("  ".join(_cell(r.get(c)).ljust(widths[c]) for c in columns).rstrip())
    return "\n".join(lines)


def _cell(value: Any) -> str:
    """A table cell: empty for None, "yes"/"no" for booleans (False used to print as blank)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(printable(value).split())  # one line per row, whatever the provider sent


def progress(text: str) -> None:
    """A progress line on stderr, rewritten in place on a terminal."""
    text = printable(text)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + secrets.redact(text))
    else:
        sys.stderr.write(secrets.redact(text) + "\n")
    sys.stderr.flush()


def progress_done() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")
        sys.stderr.flush()
