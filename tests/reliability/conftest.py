"""The fault matrix's provider server; its table of cases is kept by tests/conftest.py (``record_case``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_msads.emulator.process import EmulatorProcess

from ..conftest import record_case, set_case_transport  # noqa: F401 - record_case: the fault matrix's table
from ..harness import ProviderServer
from ..samples import TRANSPORTS, provider_config

TIMEOUT, RECOVERY_WAIT, MAX_RETRIES = 1.0, 0.75, 3
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


@pytest.fixture(autouse=True)
def _table_rows_name_the_transport(request: pytest.FixtureRequest) -> None:
    """Rows of the fault matrix's table say which wire their case ran over, and under which update reading."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec else {}
    set_case_transport(f"{params.get('server', '')}/{params.get('emulator', '')}")


# The lifecycle tests' provider server and engines, shared rather than defined twice.
from ..lifecycle.conftest import accounts, customers, emulator, provider_server  # noqa: E402, F401
