"""The repository is self-contained: nothing in it cites notes that live outside it.

The team's reference notes (a providers reference, an OBS reference, a design note and
the documentation pages they were compiled from) sit beside the checkout on the team's
machines only. A reader of this repository cannot open them, so comments, docstrings and
docs cite the public sources instead (vendor docs, the providers' OpenAPI specs and
repositories, obs-studio / obs-websocket files at a tag), or say in words that a fact was
measured here. This test lists every tracked text file line that still points at them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()

#: What a citation of the outside notes looks like: their file names and folders.
OUTSIDE_REFERENCE = re.compile(r"providers\.md|reference/obs\.md|design\.md|seeds/|\.\./shared")


def tracked_files(root: Path) -> list[str]:
    """The files git tracks under ``root`` (what a clone contains)."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True).stdout
    return [name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]


def outside_references(root: Path, names: list[str]) -> list[str]:
    """``file:line: text`` for each line of a text file that cites the outside notes."""
    hits = []
    for name in names:
        path = root / name
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:  # binary: images, archives
            continue
        text = data.decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_REFERENCE.search(line):
                hits.append(f"{name}:{number}: {line.strip()}")
    return hits


def test_no_tracked_file_cites_notes_outside_the_repository():
    # This file names the patterns it looks for, so it is the one file left out.
    names = [name for name in tracked_files(ROOT) if name != THIS_FILE]
    assert names, "git ls-files listed nothing: is this a git checkout?"
    hits = outside_references(ROOT, names)
    assert not hits, (
        "These lines cite notes that exist only outside this repository; cite the public "
        "source (a URL) instead, or say the fact was measured here:\n" + "\n".join(hits)
    )


def test_the_scan_finds_each_kind_of_outside_citation(tmp_path):
    cited = {
        "a.py": "# paths as in providers.md 2.2\n",
        "b.py": '"""See reference/obs.md, "Threads"."""\n',
        "c.md": "ok line\nsee design.md\n",
        "d.txt": "verbatim from seeds/000_x.txt\n",
        "e.py": "# ../shared/reference notes\n",
    }
    clean = {"f.py": "# https://docs.fastpix.io/reference/create-new-stream\n", "g.bin": "providers.md\0"}
    for name, text in {**cited, **clean}.items():
        (tmp_path / name).write_text(text)
    hits = outside_references(tmp_path, sorted([*cited, *clean]))
    assert [hit.split(":", 2)[:2] for hit in hits] == [
        ["a.py", "1"], ["b.py", "1"], ["c.md", "2"], ["d.txt", "1"], ["e.py", "1"],
    ]
