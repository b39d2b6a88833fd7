"""The summary tables plugin (tests/matrix_plugin.py): rows a test adds reach the run's summary
through its report, as they do from a pytest-xdist worker, and print as one aligned table."""

from __future__ import annotations

from types import SimpleNamespace

from tests.matrix_plugin import SummaryTables, add_row, format_table


class Reporter:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write_sep(self, sep: str, title: str) -> None:
        self.lines.append(f"== {title} ==")

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def test_rows_from_two_tests_print_as_one_table_in_the_order_the_tests_ended() -> None:
    tables = SummaryTables()
    for name, message in (("first row", "ended"), ("a longer second row", "failed: 401")):
        node = SimpleNamespace(user_properties=[])
        add_row(node, "reliability matrix", ("scenario", "message"), (name, message))
        for when in ("setup", "call", "teardown"):  # only the teardown report counts: no row twice
            tables.pytest_runtest_logreport(SimpleNamespace(when=when, user_properties=node.user_properties))
    reporter = Reporter()
    tables.pytest_terminal_summary(reporter)
    assert reporter.lines == ["== reliability matrix ==",
                              "scenario            | message",
                              "first row           | ended",
                              "a longer second row | failed: 401"]


def test_a_report_without_rows_prints_nothing() -> None:
    tables = SummaryTables()
    tables.pytest_runtest_logreport(SimpleNamespace(when="teardown", user_properties=[("other", 1)]))
    reporter = Reporter()
    tables.pytest_terminal_summary(reporter)
    assert reporter.lines == []
    assert format_table(("a", "b"), [("1", "22")]) == ["a | b", "1 | 22"]
