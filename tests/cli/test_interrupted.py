"""A `pulumi up` killed half way, under the real CLI: nobody is signed up twice, and the way back is documented.

The GitOps example is applied against an emulator with latency, and the CLI's whole process group
gets SIGKILL while requests are in flight; the emulator finishes them after the client is gone, as
the service would. Then the README's recovery ("When a deployment is interrupted"): `pulumi cancel`
for the lock the killed CLI left, `pulumi up`, whose create guard stops at every object the killed
run made and names it, one `adopt_id` line per named entry, and `pulumi up` again. Afterwards every
declared customer and account exists exactly once and the stack previews no change.

The wire does not matter here (both transports' creates go through the same guard), so these run
over the default, REST.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pulumi_msads.emulator.process import EmulatorProcess

from .conftest import EMULATOR_ARGS, STACK_SECRETS, stack_config, web_ui
from .examples import GITOPS
from .support import (
    REPO,
    Project,
    Run,
    Stack,
    assert_no_traceback,
    assert_shows_readme_quote,
    kill_cli,
    steps,
    writes,
)

pytestmark = [pytest.mark.cli, pytest.mark.slow]

LATENCY = 0.4
"""Seconds the emulator adds to every call: long enough to kill the CLI with requests in flight."""
NAMES = {"Contoso Outdoor": 1, "Fabrikam Fiber": 1, "Tailspin Toys": 1}
ACCOUNTS = {"Contoso Outdoor - Brand", "Fabrikam Fiber - Ireland"}
REFUSED = re.compile(
    r"error: name: (?:a customer|customer \d+ already has an account) named '(?P<name>[^']+)'"
    r".*?set adopt_id: '(?P<id>\d+)'"
)
"""A create the guard refused, as the CLI prints its error: the declared name, and the id to adopt."""


class Interrupted:
    """The GitOps example's stack on an emulator of its own, and the commands of the documented recovery."""

    def __init__(self, folder: Path, pulumi_cli: Path, emulator: EmulatorProcess) -> None:
        self.emulator = emulator
        self.project: Project = GITOPS.copy(folder)
        self.stack = Stack(pulumi_cli, self.project.folder, "test", folder / "home")
        self.stack.init(stack_config(emulator), STACK_SECRETS)

    def up_killed_when(self, reached: Callable[[dict[str, int]], bool], command: str = "up") -> None:
        """`pulumi up` (or ``command``), killed (SIGKILL, its whole process group) once the emulator's calls
        satisfy ``reached``."""
        self.emulator.control.reset_calls()
        self.emulator.control.set_latency(LATENCY)
        command_line = ["pulumi", command, "--yes", "--non-interactive", "--stack", "test", "--color", "never"]
        process = subprocess.Popen(
            command_line,
            cwd=self.project.folder,
            env=self.stack.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while not reached(self.emulator.control.calls()):
            assert process.poll() is None, "the up finished before the kill point"
            assert time.monotonic() < deadline, "the kill point was never reached"
            time.sleep(0.02)
        kill_cli(process, grace=LATENCY * 3)  # in-flight requests commit after the client is gone, as on the service
        self.emulator.control.set_latency(0)

    def recover(self) -> list[str]:
        """The README's recovery; returns the names it adopted (``refusals`` keeps the failed ups)."""
        self.stack.run("cancel", "--yes")  # the lock a killed CLI leaves on a file backend
        adopted: list[str] = []
        self.refusals: list[Run] = []
        for _ in range(3):  # customers first; their accounts can be named once the customers are in the stack
            run = self.stack.up(expect=None)
            assert_no_traceback(run)
            if run.returncode == 0:
                return adopted
            refused = {m["name"]: m["id"] for m in REFUSED.finditer(run.output)}
            assert refused, f"the up failed for another reason:\n{run}"
            self.refusals.append(run)
            for name, object_id in refused.items():
                if name not in adopted:  # the CLI prints each error twice
                    self.adopt(name, object_id)
                    adopted.append(name)
        raise AssertionError("the recovery did not converge in three `pulumi up`")

    def pending(self, *args: str) -> Run:
        """`msads pending` in the project folder, for this stack, with the CLI on PATH as a user has it."""
        command = (str(REPO / ".venv" / "bin" / "msads"), "pending", "--stack", "test", *args)
        done = subprocess.run(command, cwd=self.project.folder, env=self.stack.env, capture_output=True, text=True)
        run = Run(command, done.returncode, done.stdout, done.stderr)
        assert run.returncode == 0, str(run)
        return run

    def adopt(self, name: str, object_id: str) -> None:
        """The one YAML line the refusal asks for: ``adopt_id`` on the entry with that name."""
        path = self.project.folder / GITOPS.main
        text = path.read_text()
        (line,) = re.findall(rf"^( +)name: {re.escape(name)}\n", text, re.M)
        path.write_text(text.replace(f"{line}name: {name}\n", f"{line}adopt_id: '{object_id}'\n{line}name: {name}\n"))

    def live(self) -> tuple[dict[str, int], dict[str, int]]:
        """How many customers carry each declared name, and how many live accounts each declared account name."""
        soap = web_ui(self.emulator.url)
        infos = soap.GetCustomersInfo(CustomerNameFilter="", TopN=1000).CustomersInfo.CustomerInfo
        customers = {name: sum(1 for c in infos if c.Name == name) for name in NAMES}
        accounts = dict.fromkeys(ACCOUNTS, 0)
        for info in infos:
            listed = soap.GetAccountsInfo(CustomerId=info.Id, OnlyParentAccounts=True).AccountsInfo
            for account in listed.AccountInfo if listed else []:
                if account.Name in accounts and account.AccountLifeCycleStatus != "Inactive":
                    accounts[account.Name] += 1
        return customers, accounts


@pytest.fixture
def interrupted(tmp_path: Path, pulumi_cli: Path) -> Iterator[Interrupted]:
    with EmulatorProcess(tmp_path / "emulator.sqlite3", args=EMULATOR_ARGS) as emulator:
        yield Interrupted(tmp_path, pulumi_cli, emulator)


KILL_POINTS: dict[str, Callable[[dict[str, int]], bool]] = {
    "during the signups": lambda calls: calls.get("SignupCustomer", 0) >= 1,
    "during AddAccount": lambda calls: calls.get("AddAccount", 0) >= 1,
}


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_a_killed_up_signs_nobody_up_twice_and_converges_with_the_documented_recovery(
    interrupted: Interrupted, point: str
) -> None:
    interrupted.up_killed_when(KILL_POINTS[point])
    made = dict(interrupted.emulator.control.calls())
    interrupted.emulator.control.reset_calls()
    adopted = interrupted.recover()
    recovery = interrupted.emulator.control.calls()
    assert adopted, "the killed run had made something that the recovery adopted"
    if point == "during the signups":
        assert_shows_readme_quote(interrupted.refusals[0], "interrupted")
    assert "UpdateCustomer" not in recovery and "UpdateAccount" not in recovery, "adopted with zero changes"
    customers, accounts = interrupted.live()
    assert customers == NAMES, f"every declared customer exactly once (the killed run made {made})"
    assert accounts == dict.fromkeys(ACCOUNTS, 1), "every declared account exactly once"
    interrupted.emulator.control.reset_calls()
    again = interrupted.stack.preview("--refresh", "--expect-no-changes")
    assert steps(again.stdout) == {}, "the stack converged"


def test_msads_pending_writes_the_adopt_id_lines_and_one_up_converges(interrupted: Interrupted) -> None:
    """The one-command way back: after `pulumi cancel`, `msads pending --write` adds an adopt_id for each
    pending create the service carried out, and the next `pulumi up` adopts them instead of refusing."""
    interrupted.up_killed_when(KILL_POINTS["during the signups"])
    interrupted.stack.run("cancel", "--yes")
    interrupted.emulator.control.reset_calls()

    report = interrupted.pending("--write", GITOPS.main)

    assert writes(interrupted.emulator.control.calls()) == {}, "it only reads"
    assert "adopting it changes nothing" in report.stdout, report
    assert_shows_readme_quote(report, "pending")
    interrupted.emulator.control.reset_calls()
    applied = interrupted.stack.up()  # no refusal: every customer the killed run made is adopted
    recovery = interrupted.emulator.control.calls()
    assert "UpdateCustomer" not in recovery and "UpdateAccount" not in recovery, "adopted with zero changes"
    assert_no_traceback(applied)
    customers, accounts = interrupted.live()
    assert customers == NAMES and accounts == dict.fromkeys(ACCOUNTS, 1)
    assert steps(interrupted.stack.preview("--refresh", "--expect-no-changes").stdout) == {}


def test_import_pending_creates_drops_a_dynamic_resource_instead_of_importing_it(interrupted: Interrupted) -> None:
    """Canary for the README: `pulumi refresh --import-pending-creates URN ID` clears the pending creates of our
    resources but does not bring them into the stack (the engine's import Read has no ``__provider`` for a
    dynamic provider, as with `pulumi import`, pulumi/pulumi#16175). When this starts keeping them, the README
    can offer it as the recovery."""
    interrupted.up_killed_when(lambda calls: calls.get("SignupCustomer", 0) >= 1)
    stack = interrupted.stack
    stack.run("cancel", "--yes")
    pending = [op["resource"] for op in stack.export()["deployment"].get("pending_operations", [])]
    soap = web_ui(interrupted.emulator.url)
    infos = soap.GetCustomersInfo(CustomerNameFilter="", TopN=1000).CustomersInfo.CustomerInfo
    pairs = [
        (resource["urn"], str(info.Id))
        for resource in pending
        if resource["type"].endswith(":Customer")
        for info in infos
        if info.Name == resource["inputs"]["name"]
    ]
    assert pairs, "the killed up left pending creates of customers that exist"
    imports = [arg for urn, id_ in pairs for arg in ("--import-pending-creates", urn, "--import-pending-creates", id_)]
    stack.run("refresh", "--yes", *imports)
    after = stack.export()["deployment"]
    assert after.get("pending_operations", []) == [], "the pending creates are cleared"
    kept = {resource["urn"] for resource in after.get("resources", [])}
    assert not any(urn in kept for urn, _ in pairs), "but the resources are not in the stack"


def test_a_killed_update_converges_with_the_next_up(interrupted: Interrupted) -> None:
    """An update writes the declared values over a fresh read: whatever the kill left, the next up finishes it."""
    stack, project = interrupted.stack, interrupted.project
    stack.up()
    project.edit(GITOPS.main, "    name: Fabrikam Fiber\n", "    name: Fabrikam Fiber Group\n")
    project.edit(GITOPS.main, "    name: Tailspin Toys\n", "    name: Tailspin Toys Group\n")
    interrupted.up_killed_when(lambda calls: calls.get("UpdateCustomer", 0) >= 1)
    stack.run("cancel", "--yes")
    stack.up()
    soap = web_ui(interrupted.emulator.url)
    names = sorted(c.Name for c in soap.GetCustomersInfo(CustomerNameFilter="", TopN=1000).CustomersInfo.CustomerInfo)
    assert names == ["Contoso Outdoor", "Emulator Aggregator", "Fabrikam Fiber Group", "Tailspin Toys Group"]
    assert steps(stack.preview("--refresh", "--expect-no-changes").stdout) == {}


def test_a_killed_destroy_under_deactivate_deactivates_each_account_once_and_the_next_destroy_finishes(
    interrupted: Interrupted,
) -> None:
    stack, project = interrupted.stack, interrupted.project
    project.prepend(GITOPS.main, "deletion_policy: deactivate\n")
    stack.up()
    managed = [r["outputs"].get("account_id") or r["id"] for r in stack.resources().values()]
    interrupted.up_killed_when(lambda calls: calls.get("DeleteAccount", 0) >= 1, command="destroy")
    stack.run("cancel", "--yes")
    stack.destroy()
    soap = web_ui(interrupted.emulator.url)
    assert {str(soap.GetAccount(AccountId=int(a)).Account.AccountLifeCycleStatus) for a in managed} == {"Inactive"}
    infos = soap.GetCustomersInfo(CustomerNameFilter="", TopN=1000).CustomersInfo.CustomerInfo
    assert all(soap.GetCustomer(CustomerId=c.Id).Customer.CustomerLifeCycleStatus == "Active" for c in infos)
    assert stack.resources() == {}


def test_a_killed_refresh_loses_nothing_and_the_next_refresh_sees_the_drift(interrupted: Interrupted) -> None:
    stack = interrupted.stack
    stack.up()
    before = {name: (r["id"], r["outputs"]) for name, r in stack.resources().items()}
    soap = web_ui(interrupted.emulator.url)
    account_id = before["contoso/brand"][0]
    live = soap.GetAccount(AccountId=int(account_id)).Account
    live.Name = "Renamed in the web UI"
    soap.UpdateAccount(Account=live)

    interrupted.up_killed_when(lambda calls: calls.get("GetCustomer", 0) >= 1, command="refresh")
    stack.run("cancel", "--yes")

    assert {name: (r["id"], r["outputs"]) for name, r in stack.resources().items()} == before, "nothing lost"
    interrupted.emulator.control.reset_calls()
    refreshed = stack.refresh()
    assert "contoso/brand" in refreshed.stdout and writes(interrupted.emulator.control.calls()) == {}
    stack.up()
    assert soap.GetAccount(AccountId=int(account_id)).Account.Name == "Contoso Outdoor - Brand"
    assert steps(stack.preview("--refresh", "--expect-no-changes").stdout) == {}


def test_a_killed_destroy_under_abandon_and_deactivate_changes_only_what_each_policy_says(
    interrupted: Interrupted,
) -> None:
    """Fabrikam's entries say ``deactivate``, the rest of the file ``abandon``: killed while an account is
    being deactivated, then finished by the next destroy, Fabrikam's accounts end Inactive and every
    other account as it was; no customer is touched."""
    stack, project = interrupted.stack, interrupted.project
    project.prepend(GITOPS.main, "deletion_policy: abandon\n")
    project.edit(
        GITOPS.main, "    name: Fabrikam Fiber\n", "    name: Fabrikam Fiber\n    deletion_policy: deactivate\n"
    )
    project.edit(
        GITOPS.main,
        "        name: Fabrikam Fiber - Ireland\n",
        "        name: Fabrikam Fiber - Ireland\n        deletion_policy: deactivate\n",
    )
    stack.up()
    resources = stack.resources()
    accounts = {name: str(r["outputs"].get("account_id") or r["id"]) for name, r in resources.items()}
    soap = web_ui(interrupted.emulator.url)
    status = {
        name: str(soap.GetAccount(AccountId=int(a)).Account.AccountLifeCycleStatus) for name, a in accounts.items()
    }

    interrupted.up_killed_when(lambda calls: calls.get("DeleteAccount", 0) >= 1, command="destroy")
    stack.run("cancel", "--yes")
    interrupted.emulator.control.reset_calls()
    stack.destroy()

    assert stack.resources() == {}
    after = {
        name: str(soap.GetAccount(AccountId=int(a)).Account.AccountLifeCycleStatus) for name, a in accounts.items()
    }
    expected = {name: "Inactive" if name.startswith("fabrikam") else status[name] for name in accounts}
    assert after == expected
    assert interrupted.emulator.control.calls().get("DeleteAccount", 0) <= 2, "each Fabrikam account at most once more"
    infos = soap.GetCustomersInfo(CustomerNameFilter="", TopN=1000).CustomersInfo.CustomerInfo
    assert all(soap.GetCustomer(CustomerId=c.Id).Customer.CustomerLifeCycleStatus == "Active" for c in infos)


def test_a_killed_destroy_under_prevent_leaves_the_stack_and_the_service_as_they_were(interrupted: Interrupted) -> None:
    """Under the default policy a destroy refuses before any call; killed while it does, the stack keeps every
    resource, and a refresh finds nothing changed."""
    stack = interrupted.stack
    stack.up()
    before = {name: r["id"] for name, r in stack.resources().items()}
    process = subprocess.Popen(
        ["pulumi", "destroy", "--yes", "--non-interactive", "--stack", "test"],
        cwd=interrupted.project.folder,
        env=stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    refused = False
    for line in process.stdout:  # killed when the first refusal is printed, with the engine still running
        if "deletion_policy is 'prevent'" in line:
            refused = True
            break
    assert refused, "the destroy refused"
    kill_cli(process)
    # The state is saved by one rename, with no .attrs sidecar that a kill can leave empty (support.Stack).
    assert list((stack.home / "state").rglob("*.attrs")) == []
    stack.run("cancel", "--yes", expect=None)  # a lock only if the kill came before the engine let go of it
    interrupted.emulator.control.reset_calls()

    assert {name: r["id"] for name, r in stack.resources().items()} == before
    stack.refresh("--expect-no-changes")
    assert writes(interrupted.emulator.control.calls()) == {}
