"""The Account resource driven through the real provider server, the way the engine calls it."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_msads.emulator.process import EmulatorControl

from ..conftest import Soap
from ..harness import Engine, OperationError, ProviderServer, ResourceState, unknown
from ..samples import account_inputs


def outputs(state: ResourceState | None) -> dict[str, Any]:
    assert state is not None
    return state.plain_outputs()


@pytest.fixture
def account(accounts: Engine, customer: ResourceState, emulator: EmulatorControl) -> ResourceState:
    state = accounts.up_create(account_inputs(customer.id)).state
    assert state is not None
    emulator.reset_calls()
    return state


def test_preview_with_an_unknown_customer_id_checks_and_calls_nothing(
    accounts: Engine, emulator: EmulatorControl
) -> None:
    outcome = accounts.preview_create(account_inputs(unknown()))
    assert outcome.rpcs == ["Check"] and outcome.failures == []
    assert emulator.total_calls() == 0


def test_create_is_a_name_check_and_one_add_account_call_and_starts_in_draft(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    outcome = accounts.up_create(account_inputs(customer.id))
    assert emulator.calls() == {"SearchAccounts": 1, "AddAccount": 1}
    assert outcome.state is not None
    assert outputs(accounts.refresh(outcome.state).state)["account_life_cycle_status"] == "Draft"


def test_language_which_add_account_ignores_is_set_by_a_follow_up_update(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    outcome = accounts.up_create(account_inputs(customer.id, language="German"))
    assert emulator.calls() == {"SearchAccounts": 1, "AddAccount": 1, "GetAccount": 1, "UpdateAccount": 1}
    assert outputs(outcome.state)["language"] == "German"


def test_unchanged_program_makes_no_call(accounts: Engine, account: ResourceState, emulator: EmulatorControl) -> None:
    assert accounts.up_update(account, account_inputs(outputs(account)["customer_id"])).op == "same"
    assert emulator.total_calls() == 0


def test_update_reads_then_writes_the_account(
    accounts: Engine, account: ResourceState, emulator: EmulatorControl, other_client: Soap
) -> None:
    customer_id = outputs(account)["customer_id"]
    outcome = accounts.up_update(account, account_inputs(customer_id, time_zone="EasternTimeUSCanada"))
    assert outcome.op == "update"
    assert emulator.calls() == {"GetAccount": 1, "UpdateAccount": 1}
    assert other_client.GetAccount(AccountId=int(account.id)).Account.TimeZone == "EasternTimeUSCanada"


def replacing(customer_id: str, prop: str, **settings: Any) -> dict[str, Any]:
    """The sample account's inputs with ``prop`` changed in a way the API cannot make in place."""
    if prop == "customer_id":
        return account_inputs("251000001", **settings)  # the aggregator's own customer
    return account_inputs(customer_id, currency_code="CAD", **settings)


@pytest.mark.parametrize("prop", ["currency_code", "customer_id"])
def test_currency_or_owner_change_replaces_deleting_the_old_account_first(
    accounts: Engine, customer: ResourceState, prop: str
) -> None:
    created = accounts.up_create(account_inputs(customer.id, deletion_policy="deactivate")).state
    assert created is not None
    outcome = accounts.up_update(created, replacing(customer.id, prop, deletion_policy="deactivate"))
    assert outcome.op == "replace"
    assert outcome.rpcs == ["Check", "Diff", "Check", "Delete", "Create"], "names are unique: delete first"


@pytest.mark.parametrize("prop", ["currency_code", "customer_id"])
def test_a_replacement_under_deletion_policy_prevent_fails_the_preview_and_says_what_to_do(
    accounts: Engine, account: ResourceState, customer: ResourceState, emulator: EmulatorControl, prop: str
) -> None:
    with pytest.raises(OperationError) as refused:
        accounts.preview_update(account, replacing(customer.id, prop))
    assert refused.value.rpc == "Diff"
    message = refused.value.message
    assert f"account {account.id}: changing {prop} needs a new one" in message
    assert "deletion_policy 'prevent'" in message and "Declare the live value again" in message
    assert emulator.total_calls() == 0


def test_a_second_account_while_one_is_in_draft_names_the_draft_one_and_what_to_do(
    accounts: Engine, account: ResourceState
) -> None:
    with pytest.raises(OperationError) as refused:
        accounts.up_create(account_inputs(outputs(account)["customer_id"], name="Contoso Outdoor - Third"))
    message = refused.value.message
    assert f"has account {account.id} 'Contoso Outdoor - Brand' in Draft" in message
    assert "Set up billing for it in the web UI, then run `pulumi up` again" in message
    assert "AddAccount: 202" in message and "TrackingId: " in message, "the service's own answer is kept"
    assert "Traceback" not in message


def test_a_second_account_after_the_first_is_activated_succeeds(
    accounts: Engine, account: ResourceState, emulator: EmulatorControl
) -> None:
    emulator.set_account_status(account.id, "Active")
    outcome = accounts.up_create(account_inputs(outputs(account)["customer_id"], name="Contoso Outdoor - Third"))
    assert outcome.op == "create"


def test_drift_is_detected_and_reverted(accounts: Engine, account: ResourceState, other_client: Soap) -> None:
    live = other_client.GetAccount(AccountId=int(account.id)).Account
    live.AutoTagType = "Replace"
    other_client.UpdateAccount(Account=live)
    customer_id = outputs(account)["customer_id"]
    refreshed = accounts.refresh(account)
    assert outputs(refreshed.state)["auto_tag_type"] == "Replace"
    assert refreshed.state is not None
    outcome = accounts.up_update(refreshed.state, account_inputs(customer_id, auto_tag_type="Inactive"))
    assert outcome.op == "update"
    assert other_client.GetAccount(AccountId=int(account.id)).Account.AutoTagType == "Inactive"


def with_policy(accounts: Engine, account: ResourceState, policy: str, emulator: EmulatorControl) -> ResourceState:
    """The account after `pulumi up` set its deletion_policy: a state-only update, no call."""
    updated = accounts.up_update(account, {**account.plain_inputs(), "deletion_policy": policy})
    assert updated.op == "update" and updated.state is not None
    assert emulator.total_calls() == 0
    return updated.state


def test_destroy_under_deletion_policy_deactivate_deactivates_the_account(
    accounts: Engine, account: ResourceState, other_client: Soap, emulator: EmulatorControl
) -> None:
    state = with_policy(accounts, account, "deactivate", emulator)
    assert accounts.destroy(state).rpcs == ["Delete"]
    assert emulator.calls() == {"GetAccount": 1, "DeleteAccount": 1}
    assert other_client.GetAccount(AccountId=int(account.id)).Account.AccountLifeCycleStatus == "Inactive"


def test_destroy_under_the_default_deletion_policy_is_refused_and_calls_nothing(
    accounts: Engine, account: ResourceState, other_client: Soap, emulator: EmulatorControl
) -> None:
    with pytest.raises(OperationError) as refused:
        accounts.destroy(account)
    message = refused.value.message
    assert f"account {account.id} was not deleted: its deletion_policy is 'prevent'" in message
    assert "'abandon'" in message and "'deactivate'" in message and "cannot be undone" in message
    assert emulator.total_calls() == 0
    assert other_client.GetAccount(AccountId=int(account.id)).Account.AccountLifeCycleStatus == "Draft"


def test_destroy_under_deletion_policy_abandon_leaves_the_account_as_it_is_and_says_so(
    accounts: Engine,
    account: ResourceState,
    other_client: Soap,
    emulator: EmulatorControl,
    provider_server: ProviderServer,
) -> None:
    state = with_policy(accounts, account, "abandon", emulator)
    assert accounts.destroy(state).state is None
    assert emulator.total_calls() == 0
    assert other_client.GetAccount(AccountId=int(account.id)).Account.AccountLifeCycleStatus == "Draft"
    assert f"account {account.id} left the stack; by its deletion_policy 'abandon'" in provider_server.stderr()


def test_refresh_keeps_the_deletion_policy_as_an_input(
    accounts: Engine, account: ResourceState, emulator: EmulatorControl
) -> None:
    state = with_policy(accounts, account, "abandon", emulator)
    refreshed = accounts.refresh(state)
    assert refreshed.op == "same" and refreshed.state is not None
    assert refreshed.state.plain_inputs()["deletion_policy"] == "abandon"


@pytest.fixture
def deleted_out_of_band(
    accounts: Engine, account: ResourceState, other_client: Soap, emulator: EmulatorControl
) -> ResourceState:
    """The account (deletion_policy deactivate), deleted by someone else through the API since it was created."""
    state = with_policy(accounts, account, "deactivate", emulator)
    live = other_client.GetAccount(AccountId=int(account.id)).Account
    other_client.DeleteAccount(AccountId=int(account.id), TimeStamp=live.TimeStamp)
    return state


def test_destroy_of_an_account_deleted_out_of_band_succeeds(
    accounts: Engine, deleted_out_of_band: ResourceState
) -> None:
    assert accounts.destroy(deleted_out_of_band).state is None


def test_refresh_of_a_deleted_account_reports_it_gone(accounts: Engine, deleted_out_of_band: ResourceState) -> None:
    assert accounts.refresh(deleted_out_of_band).state is None


def test_adopt_an_existing_account_without_adding_one(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    primary = outputs(customer)["account_id"]
    outcome = accounts.up_create(
        account_inputs(customer.id, name="Contoso Outdoor - Search", adopt_id=primary, time_zone="Arizona")
    )
    assert outcome.state is not None and outcome.state.id == primary
    assert emulator.calls() == {"GetAccount": 1, "UpdateAccount": 1}


def test_adopt_of_an_account_of_another_customer_is_refused(accounts: Engine, customer: ResourceState) -> None:
    primary = outputs(customer)["account_id"]
    with pytest.raises(OperationError, match=r"adopt_id: account .* belongs to customer"):
        accounts.up_create(account_inputs("251000001", adopt_id=primary))


def test_an_account_whose_language_update_fails_is_recorded_without_it_and_converges(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl, provider_server: ProviderServer
) -> None:
    """The Python server cannot record a failed create: failing after AddAccount would orphan the account."""
    emulator.add_fault(operation="UpdateAccount", count=1, code=1001)  # a refusal, not retried
    created = accounts.up_create(account_inputs(customer.id, language="German"))
    assert created.op == "create" and created.state is not None
    assert "language" not in outputs(created.state), "state says what the service has"
    assert "setting language failed" in provider_server.stderr()
    emulator.reset_calls()
    converged = accounts.up_update(created.state, account_inputs(customer.id, language="German"))
    assert converged.op == "update"
    assert emulator.calls() == {"GetAccount": 1, "UpdateAccount": 1}
    assert outputs(converged.state)["language"] == "German"


def test_an_account_named_like_a_live_one_is_refused_pointing_to_adopt_id(
    accounts: Engine, account: ResourceState, customer: ResourceState, emulator: EmulatorControl, other_client: Soap
) -> None:
    before = other_client.GetAccount(AccountId=int(account.id)).Account
    emulator.reset_calls()
    with pytest.raises(OperationError) as refused:
        accounts.up_create(account_inputs(customer.id, time_zone="Arizona"))
    message = refused.value.message
    assert f"customer {customer.id} already has an account named 'Contoso Outdoor - Brand': {account.id}" in message
    assert f"adopt_id: '{account.id}'" in message
    assert emulator.calls() == {"SearchAccounts": 1}, "nothing added, nothing written"
    assert other_client.GetAccount(AccountId=int(account.id)).Account.TimeStamp == before.TimeStamp


def test_refresh_returns_as_inputs_exactly_what_the_program_declared(accounts: Engine, account: ResourceState) -> None:
    refreshed = accounts.refresh(account).state
    assert refreshed is not None
    assert refreshed.plain_inputs() == account_inputs(account.plain_inputs()["customer_id"])


def test_a_declaration_dropped_from_the_program_rewrites_state_without_a_call(
    accounts: Engine, customer: ResourceState, emulator: EmulatorControl
) -> None:
    created = accounts.up_create(account_inputs(customer.id, auto_tag_type="Preserve")).state
    assert created is not None
    emulator.reset_calls()
    dropped = accounts.up_update(created, account_inputs(customer.id))
    assert dropped.op == "update"
    assert emulator.total_calls() == 0
    assert "auto_tag_type" not in outputs(dropped.state)["managed_properties"]


def test_a_refusal_for_another_reason_is_not_blamed_on_a_draft_sibling(
    accounts: Engine, account: ResourceState, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="AddAccount", count=1, code=1001)  # not allowed, whatever the Draft rule says
    with pytest.raises(OperationError) as refused:
        accounts.up_create(account_inputs(outputs(account)["customer_id"], name="Contoso Outdoor - Third"))
    assert "AddAccount failed: 1001" in refused.value.message
    assert "in Draft" not in refused.value.message
    assert emulator.calls().get("SearchAccounts") == 1, "the guard's lookup only, none for a refusal not the rule's"
