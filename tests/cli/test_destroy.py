"""`pulumi destroy` of each example under the CLI, by the deletion policy the README states.

Microsoft reserves DeleteCustomer to its staff (the emulator refuses it by default, as the
service does), so destroying a Customer deactivates its accounts with DeleteAccount and leaves
the customer record; an Account is deactivated with DeleteAccount.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .examples import EXAMPLES, QUICKSTART, Example
from .support import assert_no_traceback
from .worlds import World, deploy

pytestmark = [pytest.mark.cli, pytest.mark.slow]


@pytest.fixture(params=EXAMPLES, ids=lambda e: e.name)
def world(request: pytest.FixtureRequest, tmp_path: Path, pulumi_cli: Path) -> Iterator[World]:
    example: Example = request.param
    yield from deploy(example, tmp_path, pulumi_cli)


def test_destroy_deactivates_every_account_and_says_the_customers_remain(world: World) -> None:
    resources = world.stack.resources()
    customers = [r["id"] for r in resources.values() if r["type"].endswith(":Customer")]
    soap = world.soap()
    accounts = {
        str(a.Id)
        for customer_id in customers
        for a in soap.GetAccountsInfo(CustomerId=int(customer_id), OnlyParentAccounts=True).AccountsInfo.AccountInfo
    }
    world.control.reset_calls()

    run = world.stack.destroy()

    assert f"- {len(resources) + 1} deleted" in run.stdout, "every resource and the stack"
    assert world.stack.resources() == {}
    for account_id in accounts:
        assert soap.GetAccount(AccountId=int(account_id)).Account.AccountLifeCycleStatus == "Inactive"
    for customer_id in customers:
        assert soap.GetCustomer(CustomerId=int(customer_id)).Customer.CustomerLifeCycleStatus != "Inactive"
        assert f"customer {customer_id}: DeleteCustomer is reserved to Microsoft staff" in run.output
    calls = world.control.calls()
    assert calls["DeleteAccount"] == len(accounts), "each account once"
    assert 1 <= calls.get("DeleteCustomer", 0) <= len(customers), "asked, refused, not asked again in vain"
    assert_no_traceback(run)


@pytest.fixture
def quickstart(tmp_path: Path, pulumi_cli: Path) -> Iterator[World]:
    yield from deploy(QUICKSTART, tmp_path, pulumi_cli)


def test_a_broken_config_stored_by_up_skip_preview_tells_destroy_what_to_do(quickstart: World) -> None:
    """`up --skip-preview` stores the provider configuration before any check can refuse it, and
    destroy uses the stored one (pulumi/pulumi#7370): fixing the stack's config alone is not enough."""
    stack = quickstart.stack
    stack.set_config({"msads:environment": "prodution"})
    assert stack.up("--skip-preview", expect=None).returncode != 0
    stack.set_config({"msads:environment": "local"})

    refused = stack.destroy(expect=None)
    assert refused.returncode != 0
    assert "Refresh and destroy use the configuration stored by the last `pulumi up`" in refused.output
    assert "run `pulumi up` (or `pulumi destroy --run-program`)" in refused.output
    assert_no_traceback(refused)

    done = stack.destroy("--run-program")
    assert stack.resources() == {}, done.output
