"""Updates converge whichever reading of the documentation the service follows, and changes the API cannot make
fail the preview.

The ``emulator`` fixture (conftest.py) runs each test twice: updates answered per field (a field left out keeps its
value, the field tables' reading) and as full overwrites (the operation pages' reading). Removing a declared value
must clear it under both, and what the program declares must read back equal, so that the next ``up`` does nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_msads.emulator.process import EmulatorControl

from ..conftest import Soap
from ..harness import Engine, OperationError, ResourceState
from ..samples import ADDRESS, account_inputs, customer_inputs

BRAZIL = {
    "business_address": {
        **ADDRESS,
        "country_code": "BR",
        "city": "Rio de Janeiro",
        "state_or_province": "RJ",
        "postal_code": "20000-000",
    },
    "currency_code": "BRL",
}


def outputs(state: ResourceState | None) -> dict[str, Any]:
    assert state is not None
    return state.plain_outputs()


def converged(engine: Engine, state: ResourceState | None, inputs: dict[str, Any], emulator: EmulatorControl) -> bool:
    """The next ``up`` of the same program changes nothing and calls nothing."""
    assert state is not None
    emulator.reset_calls()
    return engine.up_update(state, inputs).op == "same" and emulator.total_calls() == 0


def test_an_address_line_removed_from_the_program_is_cleared(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl, other_client: Soap
) -> None:
    with_line2 = account_inputs(customer.id, business_address={**ADDRESS, "line2": "Building 92"})
    created = accounts.up_create(with_line2).state
    assert created is not None
    without = account_inputs(customer.id)
    updated = accounts.up_update(created, without).state
    assert other_client.GetAccount(AccountId=int(created.id)).Account.BusinessAddress.Line2 in (None, "")
    assert converged(accounts, updated, without, emulator)


def test_a_tax_key_removed_from_the_program_is_removed(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl, other_client: Soap
) -> None:
    both = account_inputs(customer.id, tax_information={"CPF": "12345678909", "CNPJ": "11222333000181"}, **BRAZIL)
    created = accounts.up_create(both).state
    assert created is not None
    one = account_inputs(customer.id, tax_information={"CNPJ": "11222333000181"}, **BRAZIL)
    updated = accounts.up_update(created, one).state
    live = other_client.GetAccount(AccountId=int(created.id)).Account.TaxInformation.KeyValuePairOfstringstring
    assert [(p.key, p.value) for p in live] == [("CNPJ", "11222333000181")]
    assert converged(accounts, updated, one, emulator)


def test_a_tax_key_declared_empty_converges_instead_of_writing_at_every_up(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    inputs = account_inputs(customer.id, tax_information={"CPF": "12345678909", "CNPJ": ""}, **BRAZIL)
    created = accounts.up_create(inputs).state
    assert outputs(created)["tax_information"] == {"CPF": "12345678909"}
    assert converged(accounts, created, inputs, emulator)


def test_a_customer_address_line_removed_from_the_program_is_cleared(
    customers: Engine, emulator: EmulatorControl, other_client: Soap
) -> None:
    address = {"line1": "1 Main St", "line2": "Suite 5", "city": "Redmond", "country_code": "US"}
    created = customers.up_create(customer_inputs(customer_address=address)).state
    assert created is not None
    without = customer_inputs(customer_address={k: v for k, v in address.items() if k != "line2"})
    updated = customers.up_update(created, without).state
    assert other_client.GetCustomer(CustomerId=int(created.id)).Customer.CustomerAddress.Line2 in (None, "")
    assert converged(customers, updated, without, emulator)


def test_a_primary_accounts_business_address_change_fails_the_preview_saying_why_and_what_to_do(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    """SignupCustomer bills the primary account to the aggregator's invoice: its business address is read-only."""
    inputs = customer_inputs()
    inputs["account"]["business_address"] = {**ADDRESS, "line2": "Building 92"}
    with pytest.raises(OperationError) as refused:
        customers.preview_update(customer, inputs)
    assert refused.value.rpc == "Diff"
    message = refused.value.message
    assert "its business_address cannot change: it is billed by monthly invoice" in message
    assert "Declare the live address again (business_name: Contoso Outdoor, line1: 1 Microsoft Way, city" in message
    assert "account manager or support" in message
    assert emulator.total_calls() == 0


def test_a_read_only_tax_key_change_fails_the_preview_naming_the_live_value(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    germany = {"business_address": {**ADDRESS, "country_code": "DE", "state_or_province": None}, "currency_code": "EUR"}
    created = accounts.up_create(account_inputs(customer.id, tax_information={"VATNumber": "DE1"}, **germany)).state
    assert created is not None
    emulator.reset_calls()
    with pytest.raises(OperationError) as refused:
        accounts.preview_update(created, account_inputs(customer.id, tax_information={"VATNumber": "DE2"}, **germany))
    assert refused.value.rpc == "Diff"
    assert "tax_information.VATNumber cannot be added, changed or removed once the account exists" in (
        refused.value.message
    )
    assert "Declare the live value 'DE1' again" in refused.value.message
    assert emulator.total_calls() == 0


def test_nothing_depends_on_new_accounts_being_listed_at_once(
    customers: Engine, accounts: Engine, emulator: EmulatorControl
) -> None:
    """getaccountsinfo.md: new accounts "may take up to five minutes" to be listed. With the emulator's listing
    delay longer than the test, creating, adopting and reading a customer and an account still work."""
    emulator.settings(listing_delay=300)
    created = customers.up_create(customer_inputs()).state
    assert created is not None
    adopted = customers.up_create(customer_inputs(adopt_id=created.id), name="again").state
    assert adopted is not None and outputs(adopted)["account_id"] == outputs(created)["account_id"]
    account = accounts.up_create(account_inputs(created.id)).state
    assert account is not None
    assert customers.refresh(created).op == "same" and accounts.refresh(account).op == "same"
    assert "GetAccountsInfo" not in emulator.calls()
