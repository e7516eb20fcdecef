"""Fixtures for lifecycle tests: the real provider server, configured for the session's emulator."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import zeep

from pulumi_msads import AccountProvider, CustomerProvider
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from ..conftest import Soap
from ..harness import Engine, ProviderServer, ResourceState

CUSTOMER_TYPE = "pulumi-python:dynamic/msads:Customer"
ACCOUNT_TYPE = "pulumi-python:dynamic/msads:Account"
ADDRESS = {
    "business_name": "Contoso Outdoor",
    "line1": "1 Microsoft Way",
    "city": "Redmond",
    "state_or_province": "WA",
    "postal_code": "98052",
    "country_code": "US",
}
CUSTOMER: dict[str, Any] = {
    "name": "Contoso Outdoor",
    "industry": "Retail",
    "market_country": "US",
    "market_language": "English",
    "account": {"name": "Contoso Outdoor - Search", "currency_code": "USD", "business_address": ADDRESS},
}


def provider_config(url: str, **extra: str) -> dict[str, Any]:
    """Stack config for the emulator, with retries that do not wait (tests count calls, not seconds)."""
    return {
        "msads:environment": "local",
        "msads:endpoint": url,
        "msads:retryBaseDelay": "0",
        "msads:retryMaxDelay": "0",
        "msads:throttleDelay": "0",
        **extra,
    }


@pytest.fixture(scope="session")
def provider_server(
    emulator_process: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderServer]:
    with ProviderServer(provider_config(emulator_process.url), log_dir=tmp_path_factory.mktemp("provider")) as server:
        yield server


@pytest.fixture
def customers(provider_server: ProviderServer, emulator: EmulatorControl) -> Engine:
    return Engine(provider_server, CustomerProvider, CUSTOMER_TYPE)


@pytest.fixture
def accounts(provider_server: ProviderServer, emulator: EmulatorControl) -> Engine:
    return Engine(provider_server, AccountProvider, ACCOUNT_TYPE)


def customer_inputs(**changes: Any) -> dict[str, Any]:
    inputs = copy.deepcopy(CUSTOMER)
    inputs.update(changes)
    return inputs


def account_inputs(customer_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "name": "Contoso Outdoor - Brand",
        "currency_code": "USD",
        "business_address": dict(ADDRESS),
        **changes,
    }


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
