"""Printing results: human-readable lines or ``--json``, secrets masked unless revealed."""

from __future__ import annotations

import json
import sys
from typing import Any, Iterable, Mapping

from .. import secrets


def emit(data: Any, *, as_json: bool, reveal: bool = False) -> None:
    """Print ``data`` (a mapping or a list of mappings) to stdout."""
    if as_json:
        text = json.dumps(data, indent=2, default=str)
    elif isinstance(data, Mapping):
        text = _lines(data)
    else:
        text = "\n\n".join(_lines(item) for item in data) if data else "(none)"
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
    return str(value)


def progress(text: str) -> None:
    """A progress line on stderr, rewritten in place on a terminal."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + secrets.redact(text))
    else:
        sys.stderr.write(secrets.redact(text) + "\n")
    sys.stderr.flush()


def progress_done() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")
        sys.stderr.flush()
