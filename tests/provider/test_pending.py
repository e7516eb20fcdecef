"""`msads pending`: the live objects an interrupted deployment's creates made, and the adopt_id for each.

The checkpoints here have the shape of `pulumi stack export` (tests/cli/test_interrupted.py runs the
command on a real one); the objects are made on the emulator with the provider's own create.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pulumi_msads import commands, gitops, operations, pending
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from ..samples import ACCOUNT_TYPE, CUSTOMER_TYPE, account_inputs, customer_inputs
from .conftest import MakeClient

GITOPS_FILE = Path(__file__).parents[2] / "examples" / "gitops" / "accounts.yaml"


def checkpoint(
    pending_ops: list[tuple[str, str, str, dict[str, Any]]], resources: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """A stack export with these pending operations: (operation, type, logical name, inputs)."""
    return {
        "version": 3,
        "deployment": {
            "manifest": {},
            "resources": list(resources),
            "pending_operations": [
                {
                    "resource": {"urn": f"urn:pulumi:test::gitops::{kind}::{name}", "type": kind, "inputs": inputs},
                    "type": op,
                }
                for op, kind, name, inputs in pending_ops
            ],
        },
    }


def managed(customer_id: str, account_id: str) -> dict[str, Any]:
    """A Customer resource as the checkpoint records a finished create."""
    return {
        "urn": "urn:pulumi:test::gitops::x::contoso",
        "type": CUSTOMER_TYPE,
        "id": customer_id,
        "outputs": {"customer_id": customer_id, "account_id": account_id},
    }


@pytest.fixture
def client(make_client: MakeClient) -> Any:
    return make_client()


def test_a_pending_signup_that_committed_is_found_with_the_id_to_adopt(client: Any) -> None:
    made = operations.create_customer(client, customer_inputs())
    (finding,) = pending.find(client, checkpoint([("creating", CUSTOMER_TYPE, "contoso", customer_inputs())]))
    assert finding.adopt_id == made.customer_id
    (candidate,) = finding.candidates
    assert candidate.differs == (), "the interrupted create's own customer: adopting it changes nothing"
    assert candidate.account and candidate.account.startswith(made.account_id)
    assert candidate.last_changed, "when it was made (its last change)"


def test_a_pending_signup_that_never_reached_the_service_has_no_candidate(client: Any) -> None:
    (finding,) = pending.find(client, checkpoint([("creating", CUSTOMER_TYPE, "contoso", customer_inputs())]))
    assert finding.candidates == () and finding.adopt_id is None


def test_a_namesake_the_stack_manages_is_never_a_candidate(client: Any) -> None:
    ours = operations.create_customer(client, customer_inputs())
    state = checkpoint(
        [("creating", CUSTOMER_TYPE, "contoso-2", customer_inputs())], [managed(ours.customer_id, ours.account_id)]
    )
    (finding,) = pending.find(client, state)
    assert finding.candidates == ()


def test_two_unmanaged_namesakes_are_listed_and_neither_is_chosen(client: Any) -> None:
    operations.create_customer(client, customer_inputs())
    operations.create_customer(client, customer_inputs(allow_duplicate_name=True))
    (finding,) = pending.find(client, checkpoint([("creating", CUSTOMER_TYPE, "contoso", customer_inputs())]))
    assert len(finding.candidates) == 2
    assert finding.adopt_id is None, "a namesake that predates the deployment is never taken over by a guess"


def test_a_candidate_that_differs_says_what_adopting_it_would_write(client: Any) -> None:
    operations.create_customer(client, customer_inputs(industry="TravelHospitality"))
    (finding,) = pending.find(client, checkpoint([("creating", CUSTOMER_TYPE, "contoso", customer_inputs())]))
    assert finding.candidates[0].differs == ("industry",)


def test_a_namesake_without_the_declared_primary_account_is_listed_but_not_adopted(client: Any) -> None:
    """SignupCustomer makes the customer and its account together: a namesake without that account is not
    the interrupted create's, and adopting it would fail."""
    other = customer_inputs()
    other["account"] = {**other["account"], "name": "Somebody else's account"}
    operations.create_customer(client, other)
    (finding,) = pending.find(client, checkpoint([("creating", CUSTOMER_TYPE, "contoso", customer_inputs())]))
    (candidate,) = finding.candidates
    assert not candidate.adoptable and "no live account named 'Contoso Outdoor - Search'" in str(candidate.blocked)
    assert finding.adopt_id is None


def test_a_pending_add_account_that_committed_is_found_under_its_customer(client: Any) -> None:
    customer = operations.create_customer(client, customer_inputs())
    added = operations.create_account(client, account_inputs(customer.customer_id))
    state = checkpoint(
        [("creating", ACCOUNT_TYPE, "contoso/brand", account_inputs(customer.customer_id))],
        [managed(customer.customer_id, customer.account_id)],
    )
    (finding,) = pending.find(client, state)
    assert finding.adopt_id == added.account_id and finding.candidates[0].differs == ()


@pytest.mark.parametrize("operation", ["updating", "deleting"])
def test_a_pending_update_or_delete_needs_no_adoption_and_reads_nothing(
    client: Any, emulator: EmulatorControl, operation: str
) -> None:
    emulator.reset_calls()
    (finding,) = pending.find(client, checkpoint([(operation, CUSTOMER_TYPE, "contoso", customer_inputs())]))
    assert finding.candidates == () and finding.adopt_id is None
    assert emulator.calls() == {}


def test_resources_of_other_providers_are_left_out(client: Any) -> None:
    state = checkpoint([("creating", "aws:s3/bucket:Bucket", "logs", {"name": "Contoso Outdoor"})])
    assert pending.find(client, state) == []


# -- the command ---------------------------------------------------------------------------------------------


@pytest.fixture
def command_env(monkeypatch: pytest.MonkeyPatch, emulator_process: EmulatorProcess, emulator: EmulatorControl) -> None:
    """The command's settings from the environment (no stack config with --state)."""
    for variable in ("MSADS_DEVELOPER_TOKEN", "MSADS_ACCESS_TOKEN", "MSADS_REFRESH_TOKEN", "MSADS_PARENT_CUSTOMER_ID"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("MSADS_ENVIRONMENT", "local")
    monkeypatch.setenv("MSADS_ENDPOINT", emulator_process.url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = commands.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_adds_the_adopt_id_lines_to_the_gitops_file_and_nothing_else(
    command_env: None, client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desired = gitops.load(GITOPS_FILE)
    fabrikam = desired.customers["fabrikam"].customer_inputs()
    made = operations.create_customer(client, fabrikam)
    state = tmp_path / "state.json"
    state.write_text(json.dumps(checkpoint([("creating", CUSTOMER_TYPE, "fabrikam", fabrikam)])))
    copy = tmp_path / "accounts.yaml"
    shutil.copy(GITOPS_FILE, copy)

    status, out, _ = run(capsys, "pending", "--state", str(state), "--write", str(copy))

    assert status == 0
    assert f"live customer {made.customer_id} (number" in out and "adopting it changes nothing" in out
    assert f"added to {copy} at customers.fabrikam:  adopt_id: '{made.customer_id}'" in out
    before, after = GITOPS_FILE.read_text().splitlines(), copy.read_text().splitlines()
    assert [line for line in after if line not in before] == [f"    adopt_id: '{made.customer_id}'"]
    assert len(after) == len(before) + 1, "comments and every other line kept"
    assert gitops.load(copy).customers["fabrikam"].adopt_id == made.customer_id


def test_the_command_prints_json_for_scripts(
    command_env: None, client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = operations.create_customer(client, customer_inputs())
    state = tmp_path / "state.json"
    state.write_text(json.dumps(checkpoint([("creating", CUSTOMER_TYPE, "contoso", customer_inputs())])))
    status, out, _ = run(capsys, "pending", "--state", str(state), "--json")
    assert status == 0
    (finding,) = json.loads(out)
    assert finding["name"] == "contoso" and finding["adopt_id"] == made.customer_id
    assert finding["candidates"][0]["differs"] == []


def test_the_command_says_when_nothing_is_pending(
    command_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(checkpoint([])))
    assert run(capsys, "pending", "--state", str(state))[1].startswith("No pending operation")


def test_a_state_file_that_is_not_an_export_fails_in_one_line(
    command_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    state.write_text("[1, 2]")
    status, _, err = run(capsys, "pending", "--state", str(state))
    assert status == 1 and err == f"msads pending: {state} is not a stack export (a JSON object)\n"
