"""Removing resources under the CLI, by the deletion policy each declares (README "Reliability").

The quickstart declares ``deletion_policy="deactivate"``: `pulumi destroy` deactivates the
accounts it manages with DeleteAccount and leaves the customer record (DeleteCustomer is Microsoft
staff's alone). The GitOps example declares none, so the default ``prevent`` refuses every removal
until the file says otherwise; ``abandon`` drops resources from the stack and leaves them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .examples import GITOPS, QUICKSTART
from .support import assert_no_traceback, steps
from .worlds import World, deploy

pytestmark = [pytest.mark.cli, pytest.mark.slow]


@pytest.fixture
def quickstart(tmp_path: Path, pulumi_cli: Path, transport: str) -> Iterator[World]:
    yield from deploy(QUICKSTART, tmp_path, pulumi_cli, transport)


@pytest.fixture
def gitops(tmp_path: Path, pulumi_cli: Path, transport: str) -> Iterator[World]:
    yield from deploy(GITOPS, tmp_path, pulumi_cli, transport)


@pytest.fixture(scope="module")
def deployed_gitops(tmp_path_factory: pytest.TempPathFactory, pulumi_cli: Path, transport: str) -> Iterator[World]:
    yield from deploy(GITOPS, tmp_path_factory.mktemp("gitops-refusals"), pulumi_cli, transport)


@pytest.fixture
def refusing(deployed_gitops: World) -> Iterator[World]:
    """The GitOps example under the default policy, shared by the tests whose command is refused (they
    change nothing); its files are restored after each."""
    deployed_gitops.control.reset_calls()
    yield deployed_gitops
    deployed_gitops.project.restore()


def statuses(world: World) -> dict[str, str]:
    """Every account of the stack's customers, managed or not, by id: its AccountLifeCycleStatus."""
    soap = world.soap()
    customers = [r["id"] for r in world.stack.resources().values() if r["type"].endswith(":Customer")]
    return {
        str(a.Id): str(a.AccountLifeCycleStatus)
        for customer_id in customers
        for a in soap.GetAccountsInfo(CustomerId=int(customer_id), OnlyParentAccounts=True).AccountsInfo.AccountInfo
    }


def test_destroy_under_deactivate_deactivates_each_managed_account_once_and_keeps_the_customer(
    quickstart: World,
) -> None:
    resources = quickstart.stack.resources()
    customer_id = quickstart.resource_id("contoso")
    accounts = statuses(quickstart)
    quickstart.control.reset_calls()

    run = quickstart.stack.destroy()

    assert f"- {len(resources) + 1} deleted" in run.stdout, "every resource and the stack"
    assert quickstart.stack.resources() == {}
    soap = quickstart.soap()
    assert {
        a: str(soap.GetAccount(AccountId=int(a)).Account.AccountLifeCycleStatus) for a in accounts
    } == dict.fromkeys(accounts, "Inactive")
    assert soap.GetCustomer(CustomerId=int(customer_id)).Customer.CustomerLifeCycleStatus == "Active"
    assert f"customer {customer_id}: its primary account" in run.output and "the customer record remains" in run.output
    calls = quickstart.control.calls()
    assert calls["DeleteAccount"] == len(accounts), "each account once"
    assert "DeleteCustomer" not in calls
    assert_no_traceback(run)


def test_destroy_under_the_default_policy_fails_naming_each_resource_and_changes_nothing(refusing: World) -> None:
    gitops = refusing
    before, resources = statuses(gitops), gitops.stack.resources()
    gitops.control.reset_calls()

    refused = gitops.stack.destroy(expect=None)

    assert refused.returncode != 0
    assert refused.output.count("its deletion_policy is 'prevent' (the default)") >= 1
    assert "'abandon' drops it from the stack" in refused.output and "cannot be undone" in refused.output
    assert gitops.control.calls().get("DeleteAccount", 0) == 0
    assert statuses(gitops) == before, "no account deactivated"
    assert set(gitops.stack.resources()) == set(resources), "every resource still in the stack"
    assert_no_traceback(refused)


def test_an_entry_removed_under_abandon_leaves_the_stack_and_its_accounts_stay_as_they_are(gitops: World) -> None:
    project, stack = gitops.project, gitops.stack
    project.prepend(GITOPS.main, "deletion_policy: abandon\n")
    gitops.control.reset_calls()
    applied = stack.up()
    assert sum(gitops.control.calls().values()) == 0 and "~ " in applied.stdout, "state-only updates, no call"
    before = statuses(gitops)
    fabrikam = gitops.resource_id("fabrikam")
    text = (project.folder / GITOPS.main).read_text()
    project.edit(GITOPS.main, text[text.index("  fabrikam:\n") : text.index("  tailspin:\n")], "")
    gitops.control.reset_calls()

    removed = stack.up()

    assert "fabrikam" not in stack.resources() and not any(n.startswith("fabrikam/") for n in stack.resources())
    assert sum(gitops.control.calls().values()) == 0, "abandon makes no call"
    assert {a: str(gitops.soap().GetAccount(AccountId=int(a)).Account.AccountLifeCycleStatus) for a in before} == (
        before
    ), "nothing deactivated, the abandoned customer's accounts included"
    assert f"customer {fabrikam}" in removed.output and "'abandon'" in removed.output
    assert gitops.soap().GetCustomer(CustomerId=int(fabrikam)).Customer.CustomerLifeCycleStatus == "Active"
    assert_no_traceback(removed)


@pytest.mark.wire_independent
def test_a_currency_change_under_the_default_policy_fails_the_preview_saying_what_to_do(refusing: World) -> None:
    gitops = refusing
    gitops.project.edit(
        GITOPS.main,
        "        name: Contoso Outdoor - Brand\n        currency_code: USD\n",
        "        name: Contoso Outdoor - Brand\n        currency_code: CAD\n",
    )
    gitops.control.reset_calls()
    refused = gitops.stack.preview(expect=None)
    assert refused.returncode != 0
    account_id = gitops.resource_id("contoso/brand")
    assert f"account {account_id}: changing currency_code needs a new one" in refused.output
    assert "deletion_policy 'prevent' (the default) forbids" in refused.output
    assert sum(gitops.control.calls().values()) == 0
    assert_no_traceback(refused)


@pytest.mark.wire_independent
def test_an_empty_file_fails_the_preview_unless_it_says_allow_empty(refusing: World) -> None:
    gitops = refusing
    text = (gitops.project.folder / GITOPS.main).read_text()
    gitops.project.edit(GITOPS.main, text, "customers: {}\n")
    refused = gitops.stack.preview(expect=None)
    assert refused.returncode != 0
    assert "no customers: applying this file would remove every customer" in refused.output
    assert "allow_empty: true" in refused.output

    gitops.project.edit(GITOPS.main, "customers: {}\n", "allow_empty: true\ncustomers: {}\n")
    accepted = gitops.stack.preview()
    assert set(steps(accepted.stdout).values()) == {"delete"}, "loaded: every resource would be removed..."
    assert len(steps(accepted.stdout)) == len(gitops.stack.resources()), "...each by its deletion_policy at up"


@pytest.mark.wire_independent
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
