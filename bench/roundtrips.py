"""Section 1: service round trips per lifecycle step, counted by the emulator.

Every step runs through the real provider server the way the engine drives it; the emulator's call counts are reset
before the step and read after it. Targets are the fewest calls the API allows for the step.
"""

from __future__ import annotations

from typing import Any

from tests.harness import Engine, ResourceState

from .common import Bench, bare_service, customer_inputs, signup


def _row(step: str, calls: dict[str, int], target: int | None, floor: str = "", note: str = "") -> dict[str, Any]:
    total = sum(calls.values())
    return {
        "step": step,
        "calls": calls,
        "total": total,
        "target": target,
        "ok": None if target is None else total <= target,
        "floor": floor,
        "note": note,
    }


def _state(state: ResourceState | None) -> ResourceState:
    assert state is not None, "the step left no state"
    return state


def run(bench: Bench) -> dict[str, Any]:
    bench.reset()
    service = bare_service(bench.url)
    parent = bench.parent_id(service)
    rows: list[dict[str, Any]] = []
    control = bench.control

    def measure(step: str, action: Any, target: int | None, floor: str = "", note: str = "") -> Any:
        control.reset_calls()
        result = action()
        rows.append(_row(step, control.calls(), target, floor, note))
        return result

    with bench.provider_server("roundtrips") as server:
        customers: Engine = bench.customers(server)
        accounts: Engine = bench.accounts(server)

        # A fresh provider process that is not told the parent customer finds it once (GetUser), then remembers it.
        measure(
            "Customer create, first in a process, parent not declared",
            lambda: customers.up_create(customer_inputs("Bench first"), name="first"),
            3,
            "3: GetUser (once per process) + GetCustomersInfo (the create guard) + SignupCustomer",
        )
        inputs = customer_inputs("Bench customer", parent, deletion_policy="deactivate")
        state = _state(
            measure(
                "Customer create",
                lambda: customers.up_create(inputs, name="customer").state,
                2,
                "2: GetCustomersInfo (the create guard: no namesake) + SignupCustomer",
            )
        )
        measure(
            "Customer no-op preview",
            lambda: customers.preview_update(state, inputs),
            0,
            "0: Check + Diff only",
        )
        measure("Customer no-op up", lambda: customers.up_update(state, inputs), 0, "0: Check + Diff only")
        renamed = customer_inputs("Bench customer 2", parent, deletion_policy="deactivate")
        renamed["account"] = inputs["account"]
        state = _state(
            measure(
                "Customer update, one customer field",
                lambda: customers.up_update(state, renamed).state,
                2,
                "2: GetCustomer (TimeStamp) + UpdateCustomer",
            )
        )
        retimed = customer_inputs("Bench customer 2", parent, deletion_policy="deactivate")
        retimed["account"] = {**inputs["account"], "time_zone": "EasternTimeUSCanada"}
        state = _state(
            measure(
                "Customer update, one account field",
                lambda: customers.up_update(state, retimed).state,
                2,
                "2: GetAccount (TimeStamp) + UpdateAccount",
            )
        )
        state = _state(
            measure(
                "Customer refresh (no drift)",
                lambda: customers.refresh(state).state,
                2,
                "2: GetCustomer + GetAccount",
            )
        )

        # Adoption of a customer made outside Pulumi with exactly the declared values: read, find the account, no write.
        adopted_id, _ = signup(service, parent, "Bench adopted")
        adopt = customer_inputs("Bench adopted", parent, adopt_id=str(adopted_id))
        measure(
            "Customer adopt (already as declared)",
            lambda: customers.up_create(adopt, name="adopted"),
            3,
            "3: GetCustomer + GetAccountsInfo (find the account) + GetAccount",
        )
        drifted_id, _ = signup(service, parent, "Bench adopted 2")
        adopt_changed = customer_inputs("Bench adopted 2b", parent, adopt_id=str(drifted_id))
        adopt_changed["account"]["name"] = "Bench adopted 2 - Search"
        measure(
            "Customer adopt (one customer field differs)",
            lambda: customers.up_create(adopt_changed, name="adopted2"),
            4,
            "4: the three reads + UpdateCustomer (the read supplies the TimeStamp)",
        )

        # Account resource.
        account_state = _state(
            measure(
                "Account create",
                lambda: (
                    accounts.up_create(
                        {
                            "customer_id": state.id,
                            "name": "Bench brand",
                            "currency_code": "USD",
                            "business_address": dict(inputs["account"]["business_address"]),
                            "deletion_policy": "deactivate",
                        },
                        name="account",
                    ).state
                ),
                2,
                "2: SearchAccounts (the create guard: no namesake) + AddAccount",
            )
        )
        account_inputs = {k: v for k, v in account_state.plain_inputs().items()}
        measure("Account no-op preview", lambda: accounts.preview_update(account_state, account_inputs), 0, "0")
        account_state = _state(
            measure(
                "Account update, one field",
                lambda: accounts.up_update(account_state, {**account_inputs, "name": "Bench brand 2"}).state,
                2,
                "2: GetAccount (TimeStamp) + UpdateAccount",
            )
        )
        account_state = _state(
            measure("Account refresh (no drift)", lambda: accounts.refresh(account_state).state, 1, "1: GetAccount")
        )
        measure(
            "Account delete",
            lambda: accounts.destroy(account_state),
            2,
            "2: GetAccount (TimeStamp) + DeleteAccount",
        )
        measure(
            "Customer delete (deletion_policy deactivate)",
            lambda: customers.destroy(state),
            2,
            "2: GetAccount (TimeStamp) + DeleteAccount of its primary account only",
        )
    return {"rows": rows}
