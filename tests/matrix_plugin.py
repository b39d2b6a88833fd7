"""A pytest plugin that prints tables of figures the tests gathered (the reliability matrix,
the scheduled go-live timings) in the run's summary, where a person running the test
command sees them without ``-s``.

A test adds a row with ``add_row(request.node, title, header, row)``. The row travels on
the test's report (``user_properties``), so it reaches the summary from pytest-xdist's
worker processes too; rows of one title form one table, in the order their tests ended.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

import pytest

_PROPERTY = "summary_table_row"


def add_row(node: pytest.Item, title: str, header: Sequence[str], row: Sequence[Any]) -> None:
    """Add ``row`` (cells under ``header``) to the table ``title`` printed after the run."""
    node.user_properties.append((_PROPERTY, {"title": title, "header": [str(h) for h in header],
                                             "row": [str(cell) for cell in row]}))


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    """The table as aligned text lines, the header first."""
    lines = [list(header), *[list(r) for r in rows]]
    widths = [max(len(line[i]) if i < len(line) else 0 for line in lines) for i in range(len(header))]
    return [" | ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]


class SummaryTables:
    """Collects the rows from the reports (this process's or the workers') and prints them."""

    def __init__(self) -> None:
        self.tables: Dict[str, Tuple[List[str], List[List[str]]]] = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":  # the teardown report carries every row the test added
            return
        for name, value in getattr(report, "user_properties", ()):
            if name == _PROPERTY:
                header, rows = self.tables.setdefault(value["title"], (value["header"], []))
                rows.append(value["row"])

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for title, (header, rows) in self.tables.items():
            terminalreporter.write_sep("=", title)
            for line in format_table(header, rows):
                terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SummaryTables(), "summary-tables")
