"""The quickstart and GitOps stacks under the official Pulumi CLI: what a reviewer sees is what happens.

Each example is deployed once per module (its own emulator, project copy and stack); every test
starts from that converged stack and leaves it converged. Call counts come from the emulator's
control plane, diffs from what `pulumi preview --diff` printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..samples import TRANSPORTS
from .conftest import ACCESS_TOKEN, DEVELOPER_TOKEN
from .examples import EXAMPLES
from .support import assert_no_traceback, assert_shows_readme_quote, changes, parse_diff, steps, writes
from .worlds import World, deploy

pytestmark = [pytest.mark.cli, pytest.mark.slow]


WORLDS = list(zip(EXAMPLES, TRANSPORTS, strict=True))
"""Each example over one wire, each wire under one example: (quickstart, REST), (GitOps, SOAP). A program
does not know the wire (only the provider's client does, tested over both wires in tests/lifecycle and
tests/reliability, and under the CLI in test_lifecycle.py), so the other two pairs only repeated these
tests: 4 stacks were a fifth of the suite's time, 2 cover every example and every wire under the CLI."""


@pytest.fixture(scope="module", params=WORLDS, ids=lambda pair: "-".join((pair[0].name, pair[1])))
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pulumi_cli: Path
) -> Iterator[World]:
    example, transport = request.param
    yield from deploy(example, tmp_path_factory.mktemp(example.name), pulumi_cli, transport)


@pytest.fixture
def converged(world: World) -> Iterator[World]:
    """The deployed example, with call counts reset; its program files are restored after the test
    (a test that changes the stack converges it again itself)."""
    world.control.reset_calls()
    yield world
    world.project.restore()


# -- up ----------------------------------------------------------------------------------------------------


def test_up_creates_every_resource_with_the_fewest_calls(world: World) -> None:
    assert world.created_calls == world.example.created_calls
    created = {b.name for b in parse_diff(world.created.stdout) if b.step == "create" and "dynamic/" in b.type}
    assert created == set(world.stack.resources())


def test_a_second_up_calls_nothing(converged: World) -> None:
    run = converged.stack.up()
    assert converged.control.calls() == {}, "no read and no write"
    assert steps(run.stdout) == {}


@pytest.mark.wire_independent
def test_switching_the_transport_changes_nothing_in_the_stack(converged: World) -> None:
    """State does not depend on the wire: the stack made over REST previews, refreshes and applies no change
    over SOAP, and again over REST."""
    stack = converged.stack
    other = "soap" if converged.transport == "rest" else "rest"
    try:
        stack.set_config({"msads:transport": other})
        stack.preview("--refresh", "--expect-no-changes")
        run = stack.up("--refresh")
        assert steps(run.stdout) == {}
        assert writes(converged.control.calls()) == {}, f"reads only, over {other}"
    finally:
        stack.set_config({"msads:transport": converged.transport})
        stack.up()


# -- what a pull request's preview shows --------------------------------------------------------------------


def test_one_edited_field_previews_as_that_field_only(converged: World) -> None:
    example = converged.example
    example.rename_account(converged.project, example.account_name + " Shop")
    run = converged.stack.preview()
    assert steps(run.stdout) == {example.account: "update"}, "one update, nothing replaced"
    assert changes(run.stdout, example.account, "update") == ["~name"], f"no phantom lines\n{run}"
    assert "1 to update" in run.stdout
    assert converged.control.calls() == {}, "a preview calls nothing"
    assert_shows_readme_quote(run, "edit")


@pytest.mark.wire_independent
def test_a_customer_rename_with_protected_accounts_previews_and_applies_as_one_update(converged: World) -> None:
    example, stack, project = converged.example, converged.stack, converged.project
    example.protect_everything(project, stack)
    try:
        stack.up()  # protection is a state change only
        example.rename_customer(project, example.customer_name + " Group")
        preview = stack.preview()
        assert steps(preview.stdout) == {example.customer: "update"}, f"no account is replaced\n{preview}"
        assert changes(preview.stdout, example.customer, "update") == ["~name"]
        converged.control.reset_calls()
        stack.up()
        assert converged.control.calls() == {"GetCustomer": 1, "UpdateCustomer": 1}
    finally:
        project.restore()
        example.unprotect(stack)
        stack.up()


# -- drift ---------------------------------------------------------------------------------------------------


def test_a_change_made_out_of_band_fails_the_drift_check_naming_the_field(converged: World) -> None:
    example, stack = converged.example, converged.stack
    account_id = converged.resource_id(example.account)
    soap = converged.soap()
    live = soap.GetAccount(AccountId=int(account_id)).Account
    live.Name = "Renamed in the web UI"
    soap.UpdateAccount(Account=live)

    drift = stack.preview("--refresh", "--expect-no-changes", expect=None)
    assert drift.returncode != 0
    assert "~outputs.name" in changes(drift.stdout, example.account, "refresh")
    assert changes(drift.stdout, example.account, "update") == ["~name"], "the field, and nothing else"
    assert re.search(rf'~ name +: "Renamed in the web UI" => "{re.escape(example.account_name)}"', drift.stdout)

    converged.control.reset_calls()
    fixed = stack.up("--refresh")
    assert steps(fixed.stdout) == {example.account: "update"}, "previewed as an update"
    assert soap.GetAccount(AccountId=int(account_id)).Account.Name == example.account_name
    assert writes(converged.control.calls()) == {"UpdateAccount": 1}


def test_a_clean_refresh_then_preview_expects_no_changes(converged: World) -> None:
    converged.stack.refresh()
    assert writes(converged.control.calls()) == {}, "a refresh only reads"
    run = converged.stack.preview("--expect-no-changes")
    assert steps(run.stdout) == {}


def test_an_edit_after_a_refresh_shows_no_phantom_lines(converged: World) -> None:
    """read() hands back as inputs only what the program declares: no `- time_zone` beside the edit."""
    example = converged.example
    converged.stack.refresh()
    example.rename_account(converged.project, example.account_name + " Shop")
    run = converged.stack.preview()
    assert changes(run.stdout, example.account, "update") == ["~name"]


# -- what fails, and how it says so -------------------------------------------------------------------------


@pytest.mark.wire_independent
def test_a_broken_config_fails_the_preview_in_one_readable_line_without_a_call(converged: World) -> None:
    stack = converged.stack
    stack.set_config({"msads:environment": "prodution"})
    try:
        run = stack.preview(expect=None)
    finally:
        stack.set_config({"msads:environment": "local"})
    assert run.returncode != 0
    problem = "msads:environment (or MSADS_ENVIRONMENT) is 'prodution'; did you mean 'production'? allowed:"
    lines = [line.strip() for line in run.output.splitlines() if problem in line]
    assert lines and len(set(lines)) == 1, str(run)
    assert_no_traceback(run)
    assert converged.control.calls() == {}
    assert_shows_readme_quote(run, "config")


@pytest.mark.wire_independent
def test_two_new_accounts_under_one_customer_say_which_is_draft_and_converge_once_it_is_active(
    converged: World,
) -> None:
    example, stack, control = converged.example, converged.stack, converged.control
    for resource in stack.resources().values():
        if resource["type"].endswith(":Account"):
            control.set_account_status(resource["id"], "Active")  # their billing is set up
    try:
        new = example.add_accounts(converged.project, ("Social", "Video"))
        first = stack.up(expect=None)
        assert first.returncode != 0
        added = [name for name in new if name in stack.resources()]
        assert len(added) == 1, "the service takes one new account while it is in Draft"
        (draft,) = added
        draft_id = converged.resource_id(draft)
        assert f"has account {draft_id} " in first.output and "in Draft" in first.output
        assert "Set up billing for it in the web UI, then run `pulumi up` again" in first.output
        assert_no_traceback(first)
        assert_shows_readme_quote(first, "draft")

        control.set_account_status(draft_id, "Active")  # billing set up
        control.reset_calls()
        second = stack.up()
        assert steps(second.stdout) == {name: "create" for name in new if name != draft}
        assert writes(control.calls()) == {"AddAccount": 1}
        stack.preview("--expect-no-changes")
    finally:
        converged.project.restore()
        stack.up()


# -- what is stored and printed -----------------------------------------------------------------------------


def test_no_credential_appears_in_the_state_or_anything_the_cli_printed(converged: World) -> None:
    stack = converged.stack
    exported = str(stack.export())
    printed = "\n".join(run.output for run in stack.transcript)  # what it printed, not what we typed
    for credential in (DEVELOPER_TOKEN, ACCESS_TOKEN):
        assert credential not in exported
        assert credential not in printed
    assert converged.created_calls, "the credentials were used: the emulator accepts no other"
