"""Fixtures shared by every test: a real emulator process, reset between tests, and SOAP clients."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zeep

from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess


@pytest.fixture(autouse=True)
def package_logger_as_it_was() -> Iterator[None]:
    """Put the ``pulumi_msads`` logger back after each test. A provider configured in this process (the native
    provider's ``configure``, as its tests call it) sends the package's records to stderr and stops them
    propagating, as a provider process should; left so, every later test on the worker that reads the log with
    ``caplog`` would see nothing (test_pacing did, after the native tests ran on its worker)."""
    logger = logging.getLogger("pulumi_msads")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]


HEADERS = {"DeveloperToken": "test-developer-token", "AuthenticationToken": "test-access-token"}


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One emulator for the whole session, on a free port, with its data in a temporary file."""
    db: Path = tmp_path_factory.mktemp("emulator") / "emulator.sqlite3"
    with EmulatorProcess(db) as process:
        yield process


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorControl:
    """The session's emulator, emptied (data, call counts, fault rules) before the test."""
    emulator_process.control.reset()
    return emulator_process.control


@pytest.fixture(scope="session")
def zeep_client(emulator_process: EmulatorProcess) -> zeep.Client:
    """A plain zeep client built from the emulator's own ?wsdl, as any SOAP user would."""
    return zeep.Client(emulator_process.url + "?wsdl")


@pytest.fixture
def soap(zeep_client: zeep.Client, emulator: EmulatorControl) -> Soap:
    return Soap(zeep_client)


class Soap:
    """Calls the emulator through zeep with valid headers and returns the response body."""

    def __init__(self, client: zeep.Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = dict(HEADERS if headers is None else headers)

    def __getattr__(self, operation: str):  # type: ignore[no-untyped-def]
        method = getattr(self.client.service, operation)

        def call(**kwargs):  # type: ignore[no-untyped-def]
            return method(**kwargs, _soapheaders=self.headers).body

        return call


# -- order ---------------------------------------------------------------------------------------------------

LONGEST_FIRST = (
    "tests/cli/test_stacks.py",
    "tests/cli/test_lifecycle.py",
    "tests/cli/test_destroy.py",
    "tests/cli/test_interrupted.py",
    "tests/cli/test_quickstart_scripts.py",
    "tests/bench/test_bench_smoke.py",
    "tests/cli/test_native_provider.py",
    "tests/cli/test_yaml_program.py",
    "tests/cli/test_native_quickstarts.py",
)
"""The files that take longest (minutes, under the real CLI), first: scripts/test runs a file per worker at a
time, and a long file started last would leave one worker busy alone at the end."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _overwrite_over_one_wire(config, items)

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a file, and among the others, the collected order stays


# -- the fault matrix's table ---------------------------------------------------------------------------------

_FAULT_CASES: list[list[Any]] = []


_WIRE = {"transport": ""}
"""The transport and update semantics (``rest/per-field``) of the test now running, for its table rows (set by
tests/reliability/conftest.py)."""


def set_case_transport(transport: str) -> None:
    _WIRE["transport"] = transport


def record_case(operation: str, fault: str, outcome: str, calls: int, detail: str) -> None:
    """One row of the fault matrix's table, printed at the end of the run (tests/reliability)."""
    _FAULT_CASES.append([operation, fault, _WIRE["transport"], outcome, calls, detail])


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its rows to the controller, which prints the table."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fault_cases"] = list(_FAULT_CASES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    _FAULT_CASES.extend(getattr(node, "workeroutput", {}).get("fault_cases", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FAULT_CASES:
        return
    terminalreporter.section(f"fault matrix: {len(_FAULT_CASES)} cases")
    header = f"{'operation':<16} {'fault':<42} {'wire':<5} {'updates':<9} {'outcome':<8} {'calls':>5}  detail"
    terminalreporter.write_line(header)
    for operation, fault, wire, outcome, calls, detail in sorted(_FAULT_CASES, key=lambda row: row[:3]):
        transport, _, updates = wire.partition("/")
        terminalreporter.write_line(
            f"{operation:<16} {fault:<42} {transport:<5} {updates:<9} {outcome:<8} {calls:>5}  {detail[:90]}"
        )


def _overwrite_over_one_wire(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The overwrite update reading (tests/lifecycle/conftest.py ``emulator``) over REST only: what an update
    does to a field left out is the emulator's rule, the same whichever face the request came through, and the
    suite has ten minutes on two cores. Deselected (and counted as such) over SOAP; per-field keeps both wires."""
    dropped = [
        item
        for item in items
        if getattr(item, "callspec", None) is not None
        and item.callspec.params.get("emulator") == "overwrite"
        and item.callspec.params.get("provider_server", item.callspec.params.get("server")) == "soap"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]
