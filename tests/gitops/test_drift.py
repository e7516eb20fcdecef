"""The GitOps example against the emulator, through the real provider server: what `pulumi up` then the drift job see.

The harness plays the engine, for speed: each resource of accounts.yaml is created in the program's order, then
refreshed the way `pulumi preview --refresh --expect-no-changes` does. tests/cli/test_stacks.py runs the same
example under the real CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zeep

from pulumi_msads import AccountProvider, CustomerProvider, gitops
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from ..conftest import Soap
from ..harness import Engine, ProviderServer, ResourceState

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gitops" / "accounts.yaml"
CUSTOMER_TYPE = "pulumi-python:dynamic/msads:Customer"
ACCOUNT_TYPE = "pulumi-python:dynamic/msads:Account"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def provider_server(
    emulator_process: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderServer]:
    config = {"msads:environment": "local", "msads:endpoint": emulator_process.url}
    with ProviderServer(config, log_dir=tmp_path_factory.mktemp("gitops-provider")) as server:
        yield server


@pytest.fixture
def applied(provider_server: ProviderServer, emulator: EmulatorControl) -> dict[str, ResourceState]:
    """`pulumi up` of the example on an empty emulator: every resource by its logical name."""
    customers = Engine(provider_server, CustomerProvider, CUSTOMER_TYPE)
    accounts = Engine(provider_server, AccountProvider, ACCOUNT_TYPE)
    states: dict[str, ResourceState] = {}
    for key, entry in gitops.load(EXAMPLE).customers.items():
        created = customers.up_create(entry.customer_inputs(), name=key)
        assert created.failures == [] and created.state is not None, created.failures
        states[key] = created.state
        for account_key, account in entry.accounts.items():
            name = gitops.account_name(key, account_key)
            inputs = {**gitops.account_inputs(account), "customer_id": created.state.id}
            added = accounts.up_create(inputs, name=name)
            assert added.failures == [] and added.state is not None, added.failures
            states[name] = added.state
    emulator.reset_calls()
    return states


def engine_for(provider_server: ProviderServer, name: str) -> Engine:
    if "/" in name:
        return Engine(provider_server, AccountProvider, ACCOUNT_TYPE)
    return Engine(provider_server, CustomerProvider, CUSTOMER_TYPE)


def test_the_example_applies_and_then_the_drift_job_finds_nothing(
    provider_server: ProviderServer, applied: dict[str, ResourceState], emulator: EmulatorControl
) -> None:
    assert sorted(applied) == ["contoso", "contoso/brand", "fabrikam", "fabrikam/ireland", "tailspin"]
    for name, state in applied.items():
        assert engine_for(provider_server, name).refresh(state).op == "same", name
    assert set(emulator.calls()) <= {"GetCustomer", "GetAccount"}, "refresh only reads"


def test_a_change_made_in_the_web_ui_is_drift_on_that_resource_only(
    provider_server: ProviderServer, applied: dict[str, ResourceState], zeep_client: zeep.Client
) -> None:
    other = Soap(zeep_client)
    live = other.GetAccount(AccountId=int(applied["fabrikam/ireland"].id)).Account
    live.Name = "Fabrikam Ireland (renamed by hand)"
    other.UpdateAccount(Account=live)

    drifted = {name for name, state in applied.items() if engine_for(provider_server, name).refresh(state).op != "same"}
    assert drifted == {"fabrikam/ireland"}
