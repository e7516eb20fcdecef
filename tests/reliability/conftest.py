"""The fault matrix's provider server, and its table of cases, printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_msads.emulator.process import EmulatorProcess

from ..harness import ProviderServer
from ..samples import TRANSPORTS, provider_config

TIMEOUT, RECOVERY_WAIT, MAX_RETRIES = 1.0, 1.0, 3
"""The client's timeout (the "slow" faults delay past it), how long after a create's lost answer recovery
keeps looking (both seconds), and the retries of one call."""


@pytest.fixture(scope="module", params=TRANSPORTS)
def server(
    request: pytest.FixtureRequest, emulator_process: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderServer]:
    """A provider server with a short timeout and recovery window, so that faults cost seconds, not minutes;
    once per transport, so that every fault case runs over REST and over SOAP."""
    settings = {"msads:timeout": TIMEOUT, "msads:recoveryWait": RECOVERY_WAIT, "msads:maxRetries": MAX_RETRIES}
    config = provider_config(emulator_process.url, request.param, **{k: str(v) for k, v in settings.items()})
    with ProviderServer(config, log_dir=tmp_path_factory.mktemp(f"faults-{request.param}")) as running:
        yield running


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
