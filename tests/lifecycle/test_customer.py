"""The Customer resource driven through the real provider server, the way the engine calls it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pulumi_msads import AccountProvider, CustomerProvider, fields
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from ..conftest import Soap
from ..harness import Engine, OperationError, ProviderServer, ResourceState, unknown
from ..samples import ACCOUNT_TYPE, ADDRESS, CUSTOMER_TYPE, account_inputs, customer_inputs, provider_config


def outputs(state: ResourceState | None) -> dict[str, Any]:
    assert state is not None
    return state.plain_outputs()


def test_preview_with_unknown_values_checks_and_calls_nothing(customers: Engine, emulator: EmulatorControl) -> None:
    outcome = customers.preview_create(customer_inputs(name=unknown()))
    assert outcome.rpcs == ["Check"]
    assert outcome.failures == []
    assert emulator.total_calls() == 0


def test_create_is_a_name_check_and_one_signup_call(
    customers: Engine, emulator: EmulatorControl, other_client: Soap
) -> None:
    parent = str(other_client.GetUser(UserId=None).CustomerRoles.CustomerRole[0].CustomerId)
    emulator.reset_calls()
    outcome = customers.up_create(customer_inputs(parent_customer_id=parent))
    assert outcome.op == "create"
    assert emulator.calls() == {"GetCustomersInfo": 1, "SignupCustomer": 1}
    assert outputs(outcome.state)["parent_customer_id"] == parent


def test_create_outputs_ids_as_strings_and_numbers_in_their_formats(customers: Engine) -> None:
    state = customers.up_create(customer_inputs()).state
    outs = outputs(state)
    assert state is not None and state.id == outs["customer_id"]
    assert re.fullmatch(r"[1-9][0-9]*", outs["customer_id"]) and re.fullmatch(r"[1-9][0-9]*", outs["account_id"])
    assert re.fullmatch(r"[A-Z0-9]{10}", outs["customer_number"])
    assert re.fullmatch(r"[A-Z0-9]{8}", outs["account_number"])
    assert outs["account"]["name"] == "Contoso Outdoor - Search"
    assert outs["parent_customer_id"]


def test_unchanged_program_after_create_makes_no_call(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    outcome = customers.up_update(customer, customer_inputs())
    assert outcome.op == "same"
    assert emulator.total_calls() == 0


def test_refresh_without_drift_reads_twice_and_shows_no_diff(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    outcome = customers.refresh(customer)
    assert outcome.op == "same"
    assert emulator.calls() == {"GetAccount": 1, "GetCustomer": 1}
    emulator.reset_calls()
    assert outcome.state is not None
    assert customers.up_update(outcome.state, customer_inputs()).op == "same"
    assert emulator.total_calls() == 0


def test_refresh_fills_in_statuses_and_service_defaults(customers: Engine, customer: ResourceState) -> None:
    outs = outputs(customers.refresh(customer).state)
    assert outs["customer_life_cycle_status"] == "Active"
    assert outs["account_life_cycle_status"] == "Active"
    assert outs["account"]["time_zone"] == "PacificTimeUSCanadaTijuana"
    assert outs["account"]["auto_tag_type"] == "Inactive"


CUSTOMER_CHANGES = [
    ("name", "Contoso Outdoor Europe"),
    ("industry", "Entertainment"),
    ("customer_address", {"city": "Seattle", "country_code": "US", "line1": "2 Pine St"}),
    ("forward_compatibility_map", {"reserved": "value"}),
]
ACCOUNT_CHANGES = [
    ("name", "Contoso Outdoor - Search EU"),
    ("time_zone", "EasternTimeUSCanada"),
    ("auto_tag_type", "Preserve"),
    ("language", "French"),
]
"""The primary account SignupCustomer makes is billed by the aggregator's invoice, so its business address is
read-only (test_update_semantics.py); the sample's US address takes no tax key at all."""


@pytest.mark.parametrize(("prop", "value"), CUSTOMER_CHANGES, ids=[c[0] for c in CUSTOMER_CHANGES])
def test_customer_field_update_reads_then_writes_the_customer_only(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl, prop: str, value: Any
) -> None:
    outcome = customers.up_update(customer, customer_inputs(**{prop: value}))
    assert outcome.op == "update"
    assert emulator.calls() == {"GetCustomer": 1, "UpdateCustomer": 1}
    assert outputs(outcome.state)[prop] == value
    emulator.reset_calls()
    assert outcome.state is not None
    refreshed = customers.refresh(outcome.state)
    assert outputs(refreshed.state)[prop] == value, "the service has the new value"


@pytest.mark.parametrize(("prop", "value"), ACCOUNT_CHANGES, ids=[c[0] for c in ACCOUNT_CHANGES])
def test_account_field_update_reads_then_writes_the_account_only(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl, prop: str, value: Any
) -> None:
    inputs = customer_inputs()
    inputs["account"][prop] = value
    outcome = customers.up_update(customer, inputs)
    assert outcome.op == "update"
    assert emulator.calls() == {"GetAccount": 1, "UpdateAccount": 1}
    assert outcome.state is not None
    refreshed = customers.refresh(outcome.state)
    assert outputs(refreshed.state)["account"][prop] == value


@pytest.mark.parametrize(
    ("path", "value"),
    [("market_country", "CA"), ("market_language", "French"), ("account.currency_code", "CAD")],
)
def test_immutable_field_change_replaces_the_customer_when_the_deletion_policy_allows_it(
    customers: Engine, path: str, value: str
) -> None:
    settings = {"deletion_policy": "deactivate", "allow_duplicate_name": True}
    customer = customers.up_create(customer_inputs(**settings)).state
    assert customer is not None
    inputs = customer_inputs(**settings)
    target, _, prop = path.rpartition(".")
    (inputs[target] if target else inputs)[prop] = value
    outcome = customers.up_update(customer, inputs)
    assert outcome.op == "replace"
    assert outcome.diff is not None and path.split(".", maxsplit=1)[0] in outcome.diff.replaces, (
        "replace keys are top-level"
    )
    assert outcome.rpcs == ["Check", "Diff", "Check", "Create", "Delete"]
    assert outcome.state is not None and outcome.state.id != customer.id


def test_an_immutable_field_change_under_deletion_policy_prevent_fails_the_preview(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    with pytest.raises(OperationError) as refused:
        customers.preview_update(customer, customer_inputs(market_country="CA"))
    assert refused.value.rpc == "Diff"
    message = refused.value.message
    primary = outputs(customer)["account_id"]
    assert f"customer {customer.id} (primary account {primary}): changing market_country" in message
    assert "deletion_policy 'prevent' (the default) forbids" in message
    assert emulator.total_calls() == 0


def test_drift_made_out_of_band_is_detected_by_refresh_and_reverted_by_up(
    customers: Engine, customer: ResourceState, other_client: Soap, emulator: EmulatorControl
) -> None:
    live = other_client.GetCustomer(CustomerId=int(customer.id)).Customer
    live.Name = "Renamed in the web UI"
    other_client.UpdateCustomer(Customer=live)

    refreshed = customers.refresh(customer)
    assert refreshed.diff is not None and refreshed.diff.has_changes, "refresh reports the drift"
    assert outputs(refreshed.state)["name"] == "Renamed in the web UI"
    assert refreshed.state is not None and refreshed.state.plain_inputs()["name"] == "Renamed in the web UI"

    reverted = customers.up_update(refreshed.state, customer_inputs())
    assert reverted.op == "update"
    assert other_client.GetCustomer(CustomerId=int(customer.id)).Customer.Name == "Contoso Outdoor"


def test_update_keeps_fields_someone_else_changed_that_the_program_does_not_declare(
    customers: Engine, customer: ResourceState, other_client: Soap
) -> None:
    live = other_client.GetCustomer(CustomerId=int(customer.id)).Customer
    live.CustomerAddress = {"City": "Paris", "CountryCode": "FR", "Line1": "1 rue de Rivoli"}
    other_client.UpdateCustomer(Customer=live)

    customers.up_update(customer, customer_inputs(name="Contoso Outdoor 2"))
    after = other_client.GetCustomer(CustomerId=int(customer.id)).Customer
    assert (after.Name, after.CustomerAddress.City) == ("Contoso Outdoor 2", "Paris")


def test_timestamp_race_is_retried_with_a_fresh_read(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="UpdateCustomer", code=209, count=1)
    outcome = customers.up_update(customer, customer_inputs(name="Contoso Outdoor 2"))
    assert outcome.op == "update"
    assert emulator.calls() == {"GetCustomer": 2, "UpdateCustomer": 2}


def test_a_customer_that_keeps_changing_fails_clearly_after_three_attempts(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="UpdateCustomer", code=209, count=3)
    with pytest.raises(OperationError, match=r"kept changing.*TimestampNotMatch \(209\) 3 times"):
        customers.up_update(customer, customer_inputs(name="Contoso Outdoor 2"))
    assert emulator.calls() == {"GetCustomer": 3, "UpdateCustomer": 3}


def test_adopt_reads_and_converges_without_signing_up(
    customers: Engine, other_client: Soap, emulator: EmulatorControl
) -> None:
    parent = other_client.GetUser(UserId=None).CustomerRoles.CustomerRole[0].CustomerId
    existing = other_client.SignupCustomer(
        Customer={"Name": "Fabrikam", "Industry": "Retail", "MarketCountry": "US", "MarketLanguage": "English"},
        Account={
            "Name": "Contoso Outdoor - Search",
            "CurrencyCode": "USD",
            "ParentCustomerId": parent,
            "BusinessAddress": {fields.pascal(k): v for k, v in ADDRESS.items()},
        },
        ParentCustomerId=parent,
    )
    emulator.reset_calls()
    outcome = customers.up_create(customer_inputs(adopt_id=str(existing.CustomerId)))
    assert outcome.state is not None and outcome.state.id == str(existing.CustomerId)
    calls = emulator.calls()
    assert "SignupCustomer" not in calls
    assert calls.get("UpdateCustomer") == 1, "the name differed: one update converges it"
    assert "UpdateAccount" not in calls, "the account already had the declared values"
    assert other_client.GetCustomer(CustomerId=existing.CustomerId).Customer.Name == "Contoso Outdoor"


def test_adopt_of_a_customer_that_does_not_exist_names_adopt_id(customers: Engine) -> None:
    with pytest.raises(OperationError, match=r"adopt_id: no customer 999999999 exists"):
        customers.up_create(customer_inputs(adopt_id="999999999"))


def with_policy(customers: Engine, customer: ResourceState, policy: str) -> ResourceState:
    """The customer after `pulumi up` set its deletion_policy: a state-only update."""
    updated = customers.up_update(customer, {**customer.plain_inputs(), "deletion_policy": policy})
    assert updated.op == "update" and updated.state is not None
    return updated.state


def test_destroy_under_deletion_policy_deactivate_deactivates_the_primary_account_only(
    customers: Engine, customer: ResourceState, other_client: Soap, emulator: EmulatorControl, provider_server: Any
) -> None:
    state = with_policy(customers, customer, "deactivate")
    emulator.reset_calls()
    customers.destroy(state)
    assert emulator.calls() == {"GetAccount": 1, "DeleteAccount": 1}, "no DeleteCustomer: it is Microsoft's alone"
    account = other_client.GetAccount(AccountId=int(outputs(customer)["account_id"])).Account
    assert account.AccountLifeCycleStatus == "Inactive"
    assert other_client.GetCustomer(CustomerId=int(customer.id)).Customer.CustomerLifeCycleStatus == "Active"
    assert re.search(rf"customer {customer.id}: its primary account \d+ was deactivated", provider_server.stderr())


def test_destroy_under_the_default_deletion_policy_is_refused_and_calls_nothing(
    customers: Engine, customer: ResourceState, other_client: Soap, emulator: EmulatorControl
) -> None:
    with pytest.raises(OperationError) as refused:
        customers.destroy(customer)
    assert f"customer {customer.id} (primary account {outputs(customer)['account_id']}) was not deleted" in (
        refused.value.message
    )
    assert emulator.total_calls() == 0
    account = other_client.GetAccount(AccountId=int(outputs(customer)["account_id"])).Account
    assert account.AccountLifeCycleStatus == "Active"


def test_destroy_under_deletion_policy_abandon_calls_nothing_and_leaves_everything(
    customers: Engine, customer: ResourceState, other_client: Soap, emulator: EmulatorControl
) -> None:
    state = with_policy(customers, customer, "abandon")
    emulator.reset_calls()
    assert customers.destroy(state).state is None
    assert emulator.total_calls() == 0
    account = other_client.GetAccount(AccountId=int(outputs(customer)["account_id"])).Account
    assert account.AccountLifeCycleStatus == "Active"


def test_destroy_of_a_customer_already_deactivated_succeeds(customers: Engine, customer: ResourceState) -> None:
    state = with_policy(customers, customer, "deactivate")
    customers.destroy(state)
    assert customers.destroy(state).rpcs == ["Delete"]


def test_refresh_of_a_customer_deleted_out_of_band_reports_it_gone(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    emulator.reset()  # the service forgot everything: GetCustomer answers 210
    assert customers.refresh(customer).state is None


def test_invalid_inputs_fail_check_with_property_paths_and_no_call(
    customers: Engine, emulator: EmulatorControl
) -> None:
    inputs = customer_inputs(name="x" * 91, market_country="usa")
    inputs["account"]["currency_code"] = "usd"
    outcome = customers.up_create(inputs)
    assert outcome.op == "invalid"
    failures = dict(outcome.failures)
    assert set(failures) == {"name", "market_country", ""}, "top-level properties by name, for the engine"
    assert failures[""].startswith("account.currency_code: "), "a nested one leads its reason (see providers)"
    assert "did you mean 'USD'" in failures[""]
    assert emulator.total_calls() == 0


def test_import_canary_pulumi_import_still_fails_for_dynamic_providers(
    customers: Engine, customer: ResourceState
) -> None:
    """pulumi/pulumi#16175: when this starts passing the other way, adopt_id can give way to `pulumi import`."""
    with pytest.raises(OperationError, match="__provider"):
        customers.import_read(customer.id)


def test_changing_customer_and_account_fields_writes_both_objects(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl, other_client: Soap
) -> None:
    inputs = customer_inputs(name="Contoso Outdoor 2")
    inputs["account"]["auto_tag_type"] = "Replace"
    outcome = customers.up_update(customer, inputs)
    assert outcome.op == "update"
    assert emulator.calls() == {"GetCustomer": 1, "UpdateCustomer": 1, "GetAccount": 1, "UpdateAccount": 1}
    assert other_client.GetCustomer(CustomerId=int(customer.id)).Customer.Name == "Contoso Outdoor 2"
    account_id = int(outputs(customer)["account_id"])
    assert other_client.GetAccount(AccountId=account_id).Account.AutoTagType == "Replace"


def test_a_customer_named_like_an_existing_one_is_refused_naming_it_and_the_ways_out(
    customers: Engine, customer: ResourceState, emulator: EmulatorControl, other_client: Soap
) -> None:
    with pytest.raises(OperationError) as refused:
        customers.up_create(customer_inputs(), name="again")
    assert emulator.calls() == {"GetCustomersInfo": 1, "GetCustomer": 1}, "nothing signed up, nothing written"
    message = refused.value.message
    number = other_client.GetCustomer(CustomerId=int(customer.id)).Customer.Number
    assert f"a customer named 'Contoso Outdoor' exists already: {customer.id} (number {number}, Active" in message
    assert f"set adopt_id: '{customer.id}'" in message and "allow_duplicate_name: true" in message


def test_allow_duplicate_name_signs_up_a_second_customer_with_the_same_name(
    customers: Engine, customer: ResourceState, other_client: Soap
) -> None:
    second = customers.up_create(customer_inputs(allow_duplicate_name=True), name="again").state
    assert second is not None and second.id != customer.id
    found = other_client.GetCustomersInfo(CustomerNameFilter="Contoso Outdoor", TopN=10).CustomersInfo.CustomerInfo
    assert sorted(str(c.Id) for c in found) == sorted([customer.id, second.id])


def test_adopting_a_customer_whose_accounts_do_not_include_the_declared_primary_is_refused_listing_them(
    customers: Engine, customer: ResourceState, other_client: Soap, emulator: EmulatorControl
) -> None:
    inputs = customer_inputs(adopt_id=customer.id)
    inputs["account"]["name"] = "Contoso Outdoor - Renamed"
    emulator.reset_calls()
    with pytest.raises(OperationError) as refused:
        customers.up_create(inputs, name="adopted")
    message = refused.value.message
    assert f"customer {customer.id} has no account named 'Contoso Outdoor - Renamed'" in message
    assert f"{outputs(customer)['account_id']} 'Contoso Outdoor - Search' (Active)" in message
    assert "UpdateAccount" not in emulator.calls() and "UpdateCustomer" not in emulator.calls()
    account = other_client.GetAccount(AccountId=int(outputs(customer)["account_id"])).Account
    assert account.Name == "Contoso Outdoor - Search"


# -- what refresh hands back as inputs (the CLI prints old against new inputs; see tests/cli) --------------


def test_refresh_returns_as_inputs_exactly_what_the_program_declared(
    customers: Engine, customer: ResourceState
) -> None:
    refreshed = customers.refresh(customer).state
    assert refreshed is not None
    assert refreshed.plain_inputs() == customer_inputs(), "no live field the program left out (time_zone, ...)"
    assert outputs(refreshed)["account"]["auto_tag_type"] == "Inactive", "the outputs still have them all"


def test_refresh_hands_back_a_drifted_declared_field_with_its_live_value(
    customers: Engine, customer: ResourceState, other_client: Soap
) -> None:
    live = other_client.GetAccount(AccountId=int(outputs(customer)["account_id"])).Account
    live.Name, live.AutoTagType = "Renamed in the web UI", "Replace"
    other_client.UpdateAccount(Account=live)
    refreshed = customers.refresh(customer).state
    assert refreshed is not None
    assert refreshed.plain_inputs()["account"] == {**customer_inputs()["account"], "name": "Renamed in the web UI"}


def test_a_declaration_dropped_from_the_program_is_a_state_only_update(
    customers: Engine, emulator: EmulatorControl
) -> None:
    declared = customer_inputs(customer_address={"city": "Seattle", "country_code": "US", "line1": "2 Pine St"})
    created = customers.up_create(declared).state
    assert created is not None
    emulator.reset_calls()
    dropped = customers.up_update(created, customer_inputs())
    assert dropped.op == "update", "else the old declared paths stay and come back at the next refresh"
    assert emulator.total_calls() == 0
    assert "customer_address" not in outputs(dropped.state)["managed_properties"]
    assert dropped.state is not None
    again = customers.refresh(dropped.state).state
    assert again is not None and again.plain_inputs() == customer_inputs()


def test_a_broken_configuration_fails_check_naming_the_setting_and_calls_nothing(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, tmp_path: Path
) -> None:
    config = provider_config(emulator_process.url, **{"msads:environment": "prodution"})
    with ProviderServer(config, log_dir=tmp_path) as server:
        outcome = Engine(server, CustomerProvider, CUSTOMER_TYPE).preview_create(customer_inputs())
    assert outcome.op == "invalid"
    ((prop, reason),) = outcome.failures
    assert prop == ""
    assert "msads:environment (or MSADS_ENVIRONMENT) is 'prodution'; did you mean 'production'?" in reason
    assert emulator.total_calls() == 0


def test_configuring_the_account_provider_keeps_what_the_process_learnt(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, tmp_path: Path
) -> None:
    """The server configures each provider class on first use, with the same config: the aggregator
    found for the first customer is still known for the next, after an Account came in between."""
    with ProviderServer(provider_config(emulator_process.url), log_dir=tmp_path) as server:
        customers = Engine(server, CustomerProvider, CUSTOMER_TYPE)
        first = customers.up_create(customer_inputs()).state
        assert first is not None
        Engine(server, AccountProvider, ACCOUNT_TYPE).up_create(account_inputs(first.id))
        customers.up_create(customer_inputs(name="Fabrikam Fiber"))
    assert emulator.calls()["GetUser"] == 1
