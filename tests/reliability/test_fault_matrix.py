"""The fault matrix: every operation the provider uses, under every kind of failure the service shows.

Each case runs one lifecycle step through the real provider server while the emulator injects one
fault into one operation, then checks what the emulator holds: the step either succeeded after
bounded retries or failed with a clear error, and either way there is no duplicate customer or
account, no lost field, and no overwrite of what someone else changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pulumi_msads.emulator.process import EmulatorControl

from ..conftest import Soap
from ..harness import Engine, OperationError, ProviderServer, ResourceState
from ..samples import ACCOUNT_TYPE, CUSTOMER_TYPE, account_inputs, customer_inputs
from .conftest import MAX_RETRIES, TIMEOUT, record_case

FAULTS: dict[str, dict[str, Any]] = {
    "CallRateExceeded 117": {"code": 117},
    "InternalError 0": {"code": 0},
    "HTTP 503": {"http_status": 503},
    "slower than the timeout": {"delay": TIMEOUT + 0.6},
    "dropped before commit": {"drop": True, "phase": "before"},
    "dropped after commit": {"drop": True, "phase": "after"},
    "TimestampNotMatch 209 (concurrent writer)": {"code": 209},
    "AuthenticationTokenExpired 109": {"code": 109},
}
OPERATIONS = (
    "SignupCustomer",
    "AddAccount",
    "GetCustomer",
    "UpdateCustomer",
    "GetAccount",
    "UpdateAccount",
    "DeleteAccount",
)
WRITES_WITH_TIMESTAMP = {"UpdateCustomer", "UpdateAccount", "DeleteAccount"}
CREATES = {"SignupCustomer", "AddAccount"}
LOST_UNCOMMITTED = {"InternalError 0", "HTTP 503", "dropped before commit"}
"""Answers that leave it open whether the request committed, injected where it did not."""


def expectation(operation: str, fault: str) -> str:
    """'ok' when the step must succeed; 'error' when it must fail clearly (and leave state intact);
    'unknown' when a create's answer was lost and nothing it could have made turned up."""
    if fault.startswith("AuthenticationTokenExpired"):
        return "error"  # a fixed access token cannot be renewed: the provider must say so, not loop
    if operation in CREATES and fault in LOST_UNCOMMITTED:
        return "unknown"  # never sent twice: it fails, saying the next up's guard will stop at it if it appears
    return "ok"


@dataclass
class World:
    """A customer and an extra account created before the fault is armed, and someone else's client."""

    customers: Engine
    accounts: Engine
    soap: Soap
    emulator: EmulatorControl
    customer: ResourceState
    account: ResourceState

    def customers_named(self, name: str) -> list[Any]:
        found = self.soap.GetCustomersInfo(CustomerNameFilter=name, TopN=1000).CustomersInfo
        return [c for c in (found.CustomerInfo if found else []) if c.Name.casefold() == name.casefold()]

    def accounts_named(self, customer_id: str, name: str) -> list[Any]:
        infos = self.soap.GetAccountsInfo(CustomerId=int(customer_id), OnlyParentAccounts=True).AccountsInfo
        return [a for a in (infos.AccountInfo if infos else []) if a.Name == name]


@pytest.fixture
def world(server: ProviderServer, emulator: EmulatorControl, zeep_client: Any) -> World:
    customers = Engine(server, __import__("pulumi_msads").CustomerProvider, CUSTOMER_TYPE)
    accounts = Engine(server, __import__("pulumi_msads").AccountProvider, ACCOUNT_TYPE)
    customer = customers.up_create(customer_inputs()).state
    assert customer is not None
    emulator.set_account_status(customer.plain_outputs()["account_id"], "Active")
    account = accounts.up_create(account_inputs(customer.id, deletion_policy="deactivate")).state
    assert account is not None
    emulator.set_account_status(account.id, "Active")
    return World(customers, accounts, Soap(zeep_client), emulator, customer, account)


def someone_else_edits(world: World) -> None:
    """A concurrent writer changes fields the program does not declare, just before the step."""
    live = world.soap.GetCustomer(CustomerId=int(world.customer.id)).Customer
    live.CustomerAddress = {"City": "Paris", "CountryCode": "FR", "Line1": "1 rue de Rivoli"}
    world.soap.UpdateCustomer(Customer=live)
    account = world.soap.GetAccount(AccountId=int(world.account.id)).Account
    account.AutoTagType = "Preserve"
    world.soap.UpdateAccount(Account=account)


def step_for(operation: str, world: World) -> tuple[Callable[[], Any], Callable[[], None]]:
    """The lifecycle step that makes ``operation``'s call, and the check of the state it must leave."""
    if operation == "SignupCustomer":
        inputs = customer_inputs(name="Northwind Traders")

        def check() -> None:
            assert len(world.customers_named("Northwind Traders")) <= 1, "a duplicate customer"

        return lambda: world.customers.up_create(inputs), check
    if operation == "AddAccount":
        world.emulator.set_account_status(world.account.id, "Active")
        inputs = account_inputs(world.customer.id, name="Contoso Outdoor - Shopping")

        def check_account() -> None:
            assert len(world.accounts_named(world.customer.id, "Contoso Outdoor - Shopping")) <= 1, "a duplicate"

        return lambda: world.accounts.up_create(inputs), check_account
    if operation in ("GetCustomer", "UpdateCustomer"):
        someone_else_edits(world)

        def check_customer() -> None:
            live = world.soap.GetCustomer(CustomerId=int(world.customer.id)).Customer
            assert live.CustomerAddress.City == "Paris", "someone else's change was overwritten"
            assert live.Industry == "Retail", "a field the step did not change was lost"

        return lambda: world.customers.up_update(
            world.customer, customer_inputs(name="Contoso Outdoor 2")
        ), check_customer
    if operation in ("GetAccount", "UpdateAccount"):
        someone_else_edits(world)

        def check_other() -> None:
            live = world.soap.GetAccount(AccountId=int(world.account.id)).Account
            assert live.AutoTagType == "Preserve", "someone else's change was overwritten"
            assert live.CurrencyCode == "USD" and live.BusinessAddress.City == "Redmond", "a field was lost"

        inputs = account_inputs(world.customer.id, time_zone="EasternTimeUSCanada")
        inputs["deletion_policy"] = "deactivate"
        return lambda: world.accounts.up_update(world.account, inputs), check_other

    def check_deleted() -> None:
        assert world.soap.GetAccount(AccountId=int(world.account.id)).Account.AccountLifeCycleStatus in (
            "Inactive",
            "Active",
        )

    return lambda: world.accounts.destroy(world.account), check_deleted


def intended(operation: str, world: World) -> None:
    """After a successful step, the intended change is there, exactly once."""
    if operation == "SignupCustomer":
        assert len(world.customers_named("Northwind Traders")) == 1
    elif operation == "AddAccount":
        assert len(world.accounts_named(world.customer.id, "Contoso Outdoor - Shopping")) == 1
    elif operation in ("GetCustomer", "UpdateCustomer"):
        assert world.soap.GetCustomer(CustomerId=int(world.customer.id)).Customer.Name == "Contoso Outdoor 2"
    elif operation in ("GetAccount", "UpdateAccount"):
        assert world.soap.GetAccount(AccountId=int(world.account.id)).Account.TimeZone == "EasternTimeUSCanada"
    else:
        assert world.soap.GetAccount(AccountId=int(world.account.id)).Account.AccountLifeCycleStatus == "Inactive"


CASES = [
    pytest.param(op, fault, id=f"{op}-{fault}")
    for op in OPERATIONS
    for fault in FAULTS
    if not (fault.startswith("TimestampNotMatch") and op not in WRITES_WITH_TIMESTAMP)
]


@pytest.mark.parametrize(("operation", "fault"), CASES)
def test_fault(world: World, operation: str, fault: str) -> None:
    step, check_state = step_for(operation, world)
    world.emulator.reset_calls()
    world.emulator.add_fault(operation=operation, count=1, **FAULTS[fault])
    expected = expectation(operation, fault)
    error_text = ""
    try:
        step()
        outcome, detail = "ok", ""
    except OperationError as error:
        error_text = error.message
        lost = "may or may not have been created" in error_text
        outcome = "unknown" if lost else "error"
        detail = next(line for line in reversed(error_text.splitlines()) if "failed:" in line or lost)
    calls = world.emulator.calls().get(operation, 0)
    record_case(operation, fault, outcome, calls, detail)
    check_state()
    assert world.emulator.faults() == [], "the fault was never hit: the step does not make this call"
    assert outcome == expected, detail
    if outcome == "ok":
        intended(operation, world)
    elif outcome == "unknown":
        assert "no second request was sent" in error_text and "the next `pulumi up` will not create another" in (
            error_text
        )
        nothing_created(operation, world)
    else:
        assert "TrackingId" in detail and "109" in detail, "the error names the code and the TrackingId"
        assert "configure msads:refreshToken" in error_text, "and says what to do about it"
    assert calls <= MAX_RETRIES + 2, "retries are bounded"
    if operation in CREATES and not fault.startswith("CallRate"):
        assert calls == 1, "a create is never sent twice: only a refusal that did nothing (117) is retried"


def nothing_created(operation: str, world: World) -> None:
    if operation == "SignupCustomer":
        assert world.customers_named("Northwind Traders") == []
    else:
        assert world.accounts_named(world.customer.id, "Contoso Outdoor - Shopping") == []


def test_a_lost_signup_answer_is_recovered_even_for_a_short_name(world: World) -> None:
    """SearchCustomers wants predicate values of four characters or more; recovery must not depend on it."""
    world.emulator.add_fault(operation="SignupCustomer", drop=True, phase="after")
    outcome = world.customers.up_create(customer_inputs(name="Ace"))
    assert outcome.state is not None
    assert [c.Id for c in world.customers_named("Ace")] == [int(outcome.state.id)]


def test_recovery_adopts_the_customer_it_created_not_a_namesake(world: World) -> None:
    """A customer with the same name existed already (allow_duplicate_name): it is left alone."""
    namesake = world.customers.up_create(customer_inputs(name="Northwind Traders", industry="Entertainment")).state
    assert namesake is not None
    world.emulator.add_fault(operation="SignupCustomer", drop=True, phase="after")
    outcome = world.customers.up_create(customer_inputs(name="Northwind Traders", allow_duplicate_name=True))
    assert outcome.state is not None and outcome.state.id != namesake.id
    assert len(world.customers_named("Northwind Traders")) == 2, "one namesake and one new customer, no duplicate"
    assert world.soap.GetCustomer(CustomerId=int(namesake.id)).Customer.Industry == "Entertainment"
