"""The README is a short landing page, and every relative link in it and in ``docs/`` leads
to a file of the repository, and to a heading of it when the link names one (a moved or
renamed page or section breaks no link)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_README_LINES = 250

#: ``[text](target)`` and ``![alt](target)``; the target ends at a space (a title) or ``)``.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
#: Pages another branch of this change adds: a link to one may be missing until it is
#: merged, then it is checked like every other (drop the entry once the page exists).
ADDED_ELSEWHERE: set = set()


def markdown_pages() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the headings of ``page``: lower case, punctuation dropped,
    spaces as hyphens."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", page.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def relative_targets(page: Path, *, with_anchor: bool = False) -> list[str]:
    """The link targets of ``page`` that point inside the repository (without their
    anchors unless ``with_anchor``); a bare ``#anchor`` is a link to ``page`` itself."""
    text = page.read_text(encoding="utf-8")
    # Code blocks and inline code hold examples, not links.
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # https://..., mailto:
        if target.startswith("#"):
            target = page.name + target
        targets.append(unquote(target if with_anchor else target.split("#", 1)[0]))
    return targets


def broken_links(pages: list[Path], root: Path = ROOT) -> list[str]:
    """``page: target`` for each relative link whose file does not exist."""
    broken = []
    for page in pages:
        for target in relative_targets(page):
            resolved = (page.parent / target).resolve()
            name = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)
            if not resolved.exists() and name not in ADDED_ELSEWHERE:
                broken.append(f"{page.relative_to(root).as_posix()}: {target}")
    return broken


def missing_anchors(pages: list[Path], root: Path = ROOT) -> list[str]:
    """``page: target#anchor`` for each link to a Markdown heading that is not there."""
    missing = []
    for page in pages:
        for target in relative_targets(page, with_anchor=True):
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve()
            if anchor and resolved.suffix == ".md" and resolved.is_file() and anchor not in anchors(resolved):
                missing.append(f"{page.relative_to(root).as_posix()}: {target}")
    return missing


def test_every_relative_link_in_the_readme_and_docs_leads_to_a_file():
    assert broken_links(markdown_pages()) == []


def test_every_link_to_a_section_leads_to_its_heading():
    assert missing_anchors(markdown_pages()) == []


def test_the_readme_is_a_landing_page_of_at_most_250_lines():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move details into docs/"


def test_a_link_to_a_missing_file_is_reported(tmp_path):
    (tmp_path / "there.md").write_text("x")
    page = tmp_path / "page.md"
    page.write_text("[ok](there.md#part) [gone](missing.md) `[code](nowhere.md)` "
                    "[web](https://example.org/x.md) [here](#top) ![pic](img/none.png)\n"
                    "```\n[block](inside.md)\n```\n")
    assert broken_links([page], root=tmp_path.resolve()) == ["page.md: missing.md", "page.md: img/none.png"]


def test_a_link_to_a_missing_heading_is_reported(tmp_path):
    (tmp_path / "there.md").write_text("# Title\n\n## The ledger: no forgotten stream\n")
    page = tmp_path / "page.md"
    page.write_text("[a](there.md#the-ledger-no-forgotten-stream) [b](there.md#gone) [c](#here)\n\n## Here\n")
    assert missing_anchors([page], root=tmp_path.resolve()) == ["page.md: there.md#gone"]
