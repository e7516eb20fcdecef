"""Fixtures for lifecycle tests: the real provider server, configured for the session's emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zeep

from pulumi_msads import AccountProvider, CustomerProvider
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.emulator.updates import SEMANTICS

from ..conftest import Soap
from ..harness import Engine, ProviderServer, ResourceState
from ..samples import ACCOUNT_TYPE, CUSTOMER_TYPE, TRANSPORTS, customer_inputs, provider_config


@pytest.fixture(scope="session", params=TRANSPORTS)
def provider_server(
    request: pytest.FixtureRequest, emulator_process: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderServer]:
    """The provider server, once per transport: every test that uses it runs over REST and over SOAP."""
    config = provider_config(emulator_process.url, request.param)
    with ProviderServer(config, log_dir=tmp_path_factory.mktemp(f"provider-{request.param}")) as server:
        yield server


@pytest.fixture(params=SEMANTICS)
def emulator(request: pytest.FixtureRequest, emulator_process: EmulatorProcess) -> EmulatorControl:
    """The session's emulator, emptied, answering updates by one reading of the documentation, then the other.

    The pages disagree on what an update does to a field left out (docs/emulator.md, "Update semantics"):
    every lifecycle and fault test runs under both readings, since the provider must be right whichever the
    service follows.
    """
    emulator_process.control.reset()
    emulator_process.control.settings(update_semantics=request.param)
    return emulator_process.control


@pytest.fixture
def customers(provider_server: ProviderServer, emulator: EmulatorControl) -> Engine:
    return Engine(provider_server, CustomerProvider, CUSTOMER_TYPE)


@pytest.fixture
def accounts(provider_server: ProviderServer, emulator: EmulatorControl) -> Engine:
    return Engine(provider_server, AccountProvider, ACCOUNT_TYPE)


@pytest.fixture
def customer(customers: Engine, emulator: EmulatorControl) -> ResourceState:
    """A customer created through the engine, with the call counts reset afterwards."""
    state = customers.up_create(customer_inputs()).state
    assert state is not None
    emulator.reset_calls()
    return state


@pytest.fixture
def other_client(zeep_client: zeep.Client, emulator: EmulatorControl) -> Soap:
    """Somebody else working on the same customers through the API: makes drift and races."""
    return Soap(zeep_client)
