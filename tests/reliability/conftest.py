"""Collects the fault matrix's cases and prints them as a table at the end of the run."""

from __future__ import annotations

from typing import Any

_CASES: list[tuple[str, str, str, int, str]] = []


def record_case(operation: str, fault: str, outcome: str, calls: int, detail: str) -> None:
    _CASES.append((operation, fault, outcome, calls, detail))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _CASES:
        return
    terminalreporter.section(f"fault matrix: {len(_CASES)} cases")
    terminalreporter.write_line(f"{'operation':<16} {'fault':<42} {'outcome':<8} {'calls':>5}  detail")
    for operation, fault, outcome, calls, detail in _CASES:
        terminalreporter.write_line(f"{operation:<16} {fault:<42} {outcome:<8} {calls:>5}  {detail[:90]}")


# The lifecycle tests' provider server and engines, shared rather than defined twice.
from ..lifecycle.conftest import accounts, customers, provider_server  # noqa: E402, F401
