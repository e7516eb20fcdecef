"""Safety: the provider never takes over, duplicates or deactivates what the user did not ask for.

Each case drives the real provider server against the emulator, injects the fault that used to do
harm, and then checks exactly what the emulator holds: the namesake untouched, one customer where
one was meant, no account deactivated that was not asked for. Every case also lands in the fault
matrix's table (``conftest.record_case``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pulumi_msads import AccountProvider, CustomerProvider, fields, gitops
from pulumi_msads.emulator.process import EmulatorControl

from ..conftest import Soap
from ..harness import Engine, OperationError, ProviderServer, ResourceState
from ..samples import ACCOUNT_TYPE, CUSTOMER_TYPE, account_inputs, customer_inputs
from .conftest import RECOVERY_WAIT, TIMEOUT, record_case

LOST_BEFORE_COMMIT = {
    "HTTP 503": {"http_status": 503},
    "InternalError 0": {"code": 0},
    "InternalError 2208": {"code": 2208},
    "dropped before commit": {"drop": True, "phase": "before"},
    "slower than the timeout, never committed": {"delay": TIMEOUT + 0.5, "code": 0},
}
"""Answers that leave it open whether the create happened, injected where it did not."""


@dataclass
class World:
    """The provider's engines, the emulator, and someone else's client for what already exists."""

    customers: Engine
    accounts: Engine
    soap: Soap
    emulator: EmulatorControl

    def sign_up(self, name: str = "Contoso Outdoor", account_name: str = "Contoso Outdoor - Search") -> Any:
        """A customer someone else signed up: the declaration's namesake, equal in every field."""
        parent = self.soap.GetUser(UserId=None).CustomerRoles.CustomerRole[0].CustomerId
        declared = customer_inputs(name=name)
        return self.soap.SignupCustomer(
            Customer=fields.to_api(fields.customer_fields(), declared),
            Account={
                **fields.to_api(fields.account_fields(), {**declared["account"], "name": account_name}),
                "ParentCustomerId": parent,
            },
            ParentCustomerId=parent,
        )

    def customers_named(self, name: str) -> list[str]:
        found = self.soap.GetCustomersInfo(CustomerNameFilter=name, TopN=1000).CustomersInfo
        return sorted(str(c.Id) for c in (found.CustomerInfo if found else []) if c.Name == name)

    def accounts_named(self, customer_id: Any, name: str) -> list[Any]:
        infos = self.soap.GetAccountsInfo(CustomerId=int(customer_id), OnlyParentAccounts=True).AccountsInfo
        return [a for a in (infos.AccountInfo if infos else []) if a.Name == name]

    def stamps(self, customer_id: Any, account_id: Any) -> tuple[bytes, bytes]:
        """The TimeStamps of a customer and an account: any write changes them."""
        customer = self.soap.GetCustomer(CustomerId=int(customer_id)).Customer
        return customer.TimeStamp, self.soap.GetAccount(AccountId=int(account_id)).Account.TimeStamp

    def status(self, account_id: Any) -> str:
        return str(self.soap.GetAccount(AccountId=int(account_id)).Account.AccountLifeCycleStatus)


@pytest.fixture
def world(server: ProviderServer, emulator: EmulatorControl, zeep_client: Any) -> World:
    return World(
        Engine(server, CustomerProvider, CUSTOMER_TYPE),
        Engine(server, AccountProvider, ACCOUNT_TYPE),
        Soap(zeep_client),
        emulator,
    )


def attempt(step: Callable[[], Any]) -> tuple[str, str]:
    """('ok', '') or ('error', the error's message) for one lifecycle step."""
    try:
        step()
    except OperationError as error:
        return "error", error.message
    return "ok", ""


def wait_for(found: Callable[[], Any], seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := found()):
        assert time.monotonic() < deadline, "it never appeared"
        time.sleep(0.1)
    return value


# -- takeover ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", sorted(LOST_BEFORE_COMMIT))
def test_a_namesake_stops_the_create_before_any_signup_whatever_the_fault(world: World, fault: str) -> None:
    namesake = world.sign_up()
    world.emulator.add_fault(operation="SignupCustomer", **LOST_BEFORE_COMMIT[fault])
    world.emulator.reset_calls()
    outcome, message = attempt(lambda: world.customers.up_create(customer_inputs()))
    calls = world.emulator.calls()
    record_case("SignupCustomer", f"namesake present, {fault}", outcome, calls.get("SignupCustomer", 0), message)
    assert outcome == "error" and f"adopt_id: '{namesake.CustomerId}'" in message
    assert "SignupCustomer" not in calls, "refused before signing up"
    assert world.customers_named("Contoso Outdoor") == [str(namesake.CustomerId)]


@pytest.mark.parametrize("fault", sorted(LOST_BEFORE_COMMIT))
def test_a_lost_answer_beside_a_namesake_takes_nothing_over(world: World, fault: str) -> None:
    """allow_duplicate_name: the namesake is in the guard's snapshot, so recovery can never adopt it."""
    namesake = world.sign_up()
    before = world.stamps(namesake.CustomerId, namesake.AccountId)
    world.emulator.add_fault(operation="SignupCustomer", **LOST_BEFORE_COMMIT[fault])
    world.emulator.reset_calls()
    outcome, message = attempt(lambda: world.customers.up_create(customer_inputs(allow_duplicate_name=True)))
    calls = world.emulator.calls()
    record_case("SignupCustomer", f"namesake, duplicate allowed, {fault}", outcome, calls["SignupCustomer"], message)
    assert outcome == "error" and "may or may not have been created" in message
    assert calls["SignupCustomer"] == 1, "never sent twice"
    assert world.stamps(namesake.CustomerId, namesake.AccountId) == before, "the namesake was not written"
    assert world.customers_named("Contoso Outdoor") == [str(namesake.CustomerId)]


def test_a_lost_answer_that_did_commit_is_recovered_exactly_beside_a_namesake(world: World) -> None:
    namesake = world.sign_up()
    before = world.stamps(namesake.CustomerId, namesake.AccountId)
    world.emulator.add_fault(operation="SignupCustomer", drop=True, phase="after")
    created = world.customers.up_create(customer_inputs(allow_duplicate_name=True)).state
    assert created is not None and created.id != str(namesake.CustomerId)
    record_case("SignupCustomer", "namesake, duplicate allowed, dropped after commit", "ok", 1, "")
    assert world.customers_named("Contoso Outdoor") == sorted([str(namesake.CustomerId), created.id])
    assert world.stamps(namesake.CustomerId, namesake.AccountId) == before


def test_a_new_namesake_that_differs_from_the_declaration_is_not_taken_for_ours(world: World) -> None:
    """Someone else signs up the same name while our answer is lost: another industry, so not ours."""
    world.emulator.add_fault(operation="SignupCustomer", http_status=503)
    world.emulator.add_fault(operation="GetCustomersInfo", delay=0.01, skip=1)  # marks the first recovery look

    def someone_else() -> None:
        wait_for(lambda: world.emulator.faults() == [] or None)
        parent = world.soap.GetUser(UserId=None).CustomerRoles.CustomerRole[0].CustomerId
        declared = customer_inputs(industry="Entertainment")
        world.soap.SignupCustomer(
            Customer=fields.to_api(fields.customer_fields(), declared),
            Account={**fields.to_api(fields.account_fields(), declared["account"]), "ParentCustomerId": parent},
            ParentCustomerId=parent,
        )

    other = threading.Thread(target=someone_else)
    other.start()
    outcome, message = attempt(lambda: world.customers.up_create(customer_inputs()))
    other.join()
    record_case("SignupCustomer", "new namesake differs, HTTP 503", outcome, 1, message)
    assert outcome == "error" and "differs in industry: not ours, so left alone" in message
    [theirs] = world.customers_named("Contoso Outdoor")
    assert world.soap.GetCustomer(CustomerId=int(theirs)).Customer.Industry == "Entertainment"


@pytest.fixture
def customer(world: World) -> ResourceState:
    state = world.customers.up_create(customer_inputs()).state
    assert state is not None
    world.emulator.reset_calls()
    return state


def test_an_account_beside_a_same_named_one_is_refused_even_after_a_503(world: World, customer: ResourceState) -> None:
    existing = world.soap.AddAccount(
        Account={
            **fields.to_api(fields.account_fields(), account_inputs(customer.id, time_zone="Arizona")),
            "ParentCustomerId": int(customer.id),
        }
    )
    before = world.soap.GetAccount(AccountId=existing.AccountId).Account
    world.emulator.add_fault(operation="AddAccount", http_status=503)
    world.emulator.reset_calls()
    outcome, message = attempt(lambda: world.accounts.up_create(account_inputs(customer.id)))
    calls = world.emulator.calls()
    record_case("AddAccount", "same-named account present, HTTP 503", outcome, calls.get("AddAccount", 0), message)
    assert outcome == "error" and f"adopt_id: '{existing.AccountId}'" in message
    assert "AddAccount" not in calls and world.emulator.faults() != [], "refused before adding"
    after = world.soap.GetAccount(AccountId=existing.AccountId).Account
    assert (after.TimeZone, after.TimeStamp) == ("Arizona", before.TimeStamp), "not adopted, not written"


@pytest.mark.parametrize("fault", sorted(LOST_BEFORE_COMMIT))
def test_a_lost_add_account_answer_adopts_no_other_account(world: World, customer: ResourceState, fault: str) -> None:
    """A deactivated account with the same name is in the guard's snapshot: never taken for the new one."""
    old = world.soap.AddAccount(
        Account={
            **fields.to_api(fields.account_fields(), account_inputs(customer.id)),
            "ParentCustomerId": int(customer.id),
        }
    )
    stamp = world.soap.GetAccount(AccountId=old.AccountId).Account.TimeStamp
    world.soap.DeleteAccount(AccountId=old.AccountId, TimeStamp=stamp)
    world.emulator.add_fault(operation="AddAccount", **LOST_BEFORE_COMMIT[fault])
    world.emulator.reset_calls()
    outcome, message = attempt(lambda: world.accounts.up_create(account_inputs(customer.id)))
    calls = world.emulator.calls()
    record_case("AddAccount", f"deactivated namesake, {fault}", outcome, calls["AddAccount"], message)
    assert outcome == "error" and "may or may not have been created" in message
    assert calls["AddAccount"] == 1
    assert [a.Id for a in world.accounts_named(customer.id, "Contoso Outdoor - Brand")] == [old.AccountId]


# -- duplicates --------------------------------------------------------------------------------------------------


def test_a_signup_that_commits_after_twice_the_timeout_is_never_sent_again_and_the_next_up_names_it(
    world: World,
) -> None:
    late = TIMEOUT + RECOVERY_WAIT + 1.5  # seconds after it was sent: after recovery stopped looking
    world.emulator.add_fault(operation="SignupCustomer", delay=late)
    outcome, message = attempt(lambda: world.customers.up_create(customer_inputs()))
    assert outcome == "error" and "It may still appear" in message and "msads:recoveryWait" in message
    [late_one] = wait_for(lambda: world.customers_named("Contoso Outdoor"))
    again, refusal = attempt(lambda: world.customers.up_create(customer_inputs()))
    calls = world.emulator.calls()["SignupCustomer"]
    record_case("SignupCustomer", "commits after 2x the timeout; next up", again, calls, refusal)
    assert again == "error" and f"adopt_id: '{late_one}'" in refusal, "the next up names it"
    assert calls == 1, "signed up once, in all"
    assert world.customers_named("Contoso Outdoor") == [late_one]


def test_a_signup_that_commits_while_recovery_looks_is_recorded_once(world: World) -> None:
    world.emulator.add_fault(operation="SignupCustomer", delay=TIMEOUT + RECOVERY_WAIT / 2)
    created = world.customers.up_create(customer_inputs()).state
    assert created is not None
    record_case(
        "SignupCustomer", "commits within the recovery window", "ok", world.emulator.calls()["SignupCustomer"], ""
    )
    assert world.customers_named("Contoso Outdoor") == [created.id]
    assert world.emulator.calls()["SignupCustomer"] == 1


def test_a_signup_whose_recovery_lookups_fail_is_not_repeated_and_the_next_up_names_it(world: World) -> None:
    world.emulator.add_fault(operation="SignupCustomer", drop=True, phase="after")
    world.emulator.add_fault(operation="GetCustomersInfo", http_status=503, count=1000, skip=1)  # the guard's passes
    outcome, message = attempt(lambda: world.customers.up_create(customer_inputs()))
    assert outcome == "error" and "the last look failed: GetCustomersInfo failed: HTTP 503" in message
    world.emulator.clear_faults()
    [committed] = world.customers_named("Contoso Outdoor")
    again, refusal = attempt(lambda: world.customers.up_create(customer_inputs()))
    calls = world.emulator.calls()["SignupCustomer"]
    record_case("SignupCustomer", "recovery lookups fail; next up", again, calls, refusal)
    assert again == "error" and f"adopt_id: '{committed}'" in refusal
    assert calls == 1 and world.customers_named("Contoso Outdoor") == [committed]


def test_an_add_account_whose_recovery_lookups_fail_is_not_repeated_and_the_next_up_names_it(
    world: World, customer: ResourceState
) -> None:
    world.emulator.add_fault(operation="AddAccount", drop=True, phase="after")
    world.emulator.add_fault(operation="SearchAccounts", http_status=503, count=1000, skip=1)
    outcome, message = attempt(lambda: world.accounts.up_create(account_inputs(customer.id)))
    assert outcome == "error" and "the last look failed: SearchAccounts failed: HTTP 503" in message
    world.emulator.clear_faults()
    [committed] = world.accounts_named(customer.id, "Contoso Outdoor - Brand")
    again, refusal = attempt(lambda: world.accounts.up_create(account_inputs(customer.id)))
    calls = world.emulator.calls()["AddAccount"]
    record_case("AddAccount", "recovery lookups fail; next up", again, calls, refusal)
    assert again == "error" and f"adopt_id: '{committed.Id}'" in refusal
    assert calls == 1 and len(world.accounts_named(customer.id, "Contoso Outdoor - Brand")) == 1


# -- removal under each deletion policy --------------------------------------------------------------------------

FILE = """\
customers:
  acme:
    name: Acme
    industry: Retail
    market_country: US
    market_language: English
    account:
      name: Acme - Search
      currency_code: USD
      business_address: {business_name: Acme, line1: 1 Main Street, city: Springfield, country_code: US}
    accounts:
      brand:
        name: Acme - Brand
        currency_code: USD
        business_address: {business_name: Acme, line1: 1 Main Street, city: Springfield, country_code: US}
  globex:
    name: Globex
    industry: Retail
    market_country: US
    market_language: English
    account:
      name: Globex - Search
      currency_code: USD
      business_address: {business_name: Globex, line1: 2 Main Street, city: Springfield, country_code: US}
"""
EDITS: dict[str, Callable[[str], str]] = {
    "entry removed": lambda text: text[: text.index("  globex:")],
    "file truncated inside an entry": lambda text: text[
        : text.index("      currency_code: USD\n      business_address: {business_name: Globex")
    ],
    "file truncated to nothing": lambda text: "",
    "customers: {}": lambda text: "customers: {}\n",
    "customers: {} with allow_empty": lambda text: "allow_empty: true\ncustomers: {}\n",
}
REMOVES_NOTHING = {"file truncated inside an entry", "file truncated to nothing", "customers: {}"}
"""Edits after which the file does not load (or is refused as empty): `pulumi up` stops before any step."""


@dataclass
class Deployed:
    """The file's resources as the engine holds them, by logical name."""

    states: dict[str, ResourceState]
    account_ids: dict[str, str]
    """The live account each resource manages (a Customer: its primary account)."""


def deploy(world: World, text: str, policy: str) -> Deployed:
    desired = gitops.loads(f"deletion_policy: {policy}\n{text}")
    states: dict[str, ResourceState] = {}
    for key, entry in desired.customers.items():
        customer = world.customers.up_create(entry.customer_inputs(desired.deletion_policy), name=key).state
        assert customer is not None
        states[key] = customer
        for account_key, account in entry.accounts.items():
            inputs = {**gitops.account_inputs(account, desired.deletion_policy), "customer_id": customer.id}
            created = world.accounts.up_create(inputs, name=gitops.account_name(key, account_key)).state
            assert created is not None
            states[gitops.account_name(key, account_key)] = created
    ids = {name: s.plain_outputs().get("account_id") or s.id for name, s in states.items()}
    return Deployed(states, {name: str(i) for name, i in ids.items()})


def apply(world: World, deployed: Deployed, text: str) -> tuple[list[str], list[str]]:
    """What `pulumi up` does with the edited file: nothing if it does not load; else delete what it no
    longer declares, accounts before their customers. Returns (removed, refused) logical names."""
    try:
        desired = gitops.loads(text)
    except gitops.DesiredStateError:
        return [], []
    declared = set(desired.customers) | {
        gitops.account_name(k, a) for k, entry in desired.customers.items() for a in entry.accounts
    }
    removed, refused = [], []
    for name in sorted(set(deployed.states) - declared, key=lambda n: "/" not in n):
        engine = world.accounts if "/" in name else world.customers
        try:
            engine.destroy(deployed.states[name])
        except OperationError as error:
            assert "its deletion_policy is 'prevent'" in error.message
            refused.append(name)
        else:
            removed.append(name)
    return removed, refused


@pytest.mark.parametrize("policy", ["prevent", "abandon", "deactivate"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_removal_truncation_and_an_empty_file_under_each_deletion_policy(world: World, edit: str, policy: str) -> None:
    deployed = deploy(world, FILE, policy)
    before = {name: world.status(account_id) for name, account_id in deployed.account_ids.items()}
    world.emulator.reset_calls()
    removed, refused = apply(world, deployed, EDITS[edit](FILE))
    after = {name: world.status(account_id) for name, account_id in deployed.account_ids.items()}
    changed = sorted(name for name in after if after[name] != before[name])
    gone = removed + refused
    record_case(
        "DeleteAccount",
        f"{edit}, {policy}",
        f"{len(changed)} deactivated",
        world.emulator.calls().get("DeleteAccount", 0),
        ", ".join(gone),
    )
    if policy == "prevent":
        assert removed == [] and changed == [], "nothing removed, nothing deactivated"
    elif policy == "abandon":
        assert refused == [] and changed == [], "dropped from the stack, left as they are"
    else:
        assert refused == [] and changed == sorted(removed), "exactly the removed ones"
        assert all(after[name] == "Inactive" for name in changed)
    customers = [n for n in deployed.states if "/" not in n]
    for name in customers:
        live = world.soap.GetCustomer(CustomerId=int(deployed.states[name].id)).Customer
        assert live.CustomerLifeCycleStatus == "Active", "a customer record is never deleted"
    if edit in REMOVES_NOTHING:
        assert gone == [], "a file that does not load, or is empty without allow_empty, removes nothing"
    else:
        assert gone, "the edit removes resources"


def test_destroying_an_adopted_customer_deactivates_its_primary_account_and_never_its_others(world: World) -> None:
    signed_up = world.sign_up(name="Fabrikam", account_name="Contoso Outdoor - Search")
    other = world.soap.AddAccount(
        Account={
            **fields.to_api(
                fields.account_fields(), account_inputs(str(signed_up.CustomerId), name="Fabrikam - Other")
            ),
            "ParentCustomerId": signed_up.CustomerId,
        }
    )
    adopted = world.customers.up_create(
        customer_inputs(name="Fabrikam", adopt_id=str(signed_up.CustomerId), deletion_policy="deactivate")
    ).state
    assert adopted is not None and adopted.plain_outputs()["account_id"] == str(signed_up.AccountId)
    world.emulator.reset_calls()
    world.customers.destroy(adopted)
    record_case(
        "DeleteAccount",
        "adopted customer with another account, deactivate",
        "ok",
        world.emulator.calls()["DeleteAccount"],
        "",
    )
    assert world.emulator.calls()["DeleteAccount"] == 1
    assert world.status(signed_up.AccountId) == "Inactive"
    assert world.status(other.AccountId) == "Draft", "the account the stack never managed is untouched"
    assert world.soap.GetCustomer(CustomerId=signed_up.CustomerId).Customer.CustomerLifeCycleStatus == "Active"


def test_adopting_with_a_primary_account_name_that_matches_nothing_renames_nothing(world: World) -> None:
    signed_up = world.sign_up(name="Fabrikam", account_name="Fabrikam - Main")
    before = world.stamps(signed_up.CustomerId, signed_up.AccountId)
    outcome, message = attempt(
        lambda: world.customers.up_create(customer_inputs(name="Fabrikam", adopt_id=str(signed_up.CustomerId)))
    )
    record_case(
        "UpdateAccount",
        "adopt, primary name matches nothing",
        outcome,
        world.emulator.calls().get("UpdateAccount", 0),
        message,
    )
    assert outcome == "error" and f"{signed_up.AccountId} 'Fabrikam - Main' (Active)" in message
    assert world.stamps(signed_up.CustomerId, signed_up.AccountId) == before
