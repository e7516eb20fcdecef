"""The lifecycle scenarios of tests/lifecycle, under the official Pulumi CLI.

tests/lifecycle drives the provider server through a stand-in of the engine; here every scenario
that the CLI can express runs through `pulumi` itself, and where the two disagree the CLI is right.
The program is one someone else could have written: a project outside this repository (its own
Pulumi.yaml, naming the virtualenv by absolute path) whose program, programs/declared, declares
what the JSON file beside it lists. Each test states its scenario by rewriting that file.

One stack is deployed for the module, with a family of resources of its own for each test that
changes anything (a customer, and an account under it where the scenario needs one: a customer
takes no second new account while one is in Draft). A test starts from a converged stack, touches
only its own family and ends converged; what the file then says is what the next test starts from
(``settled``). A test that stops before that is followed by an `up --refresh` of the last settled
file. The emulator lets DeleteCustomer succeed (the service reserves it to Microsoft staff), so a
test can delete a customer out of band; no test here destroys a customer itself.

Every `pulumi up` runs as a user types it, preview first, except one that follows a test's own
`pulumi preview` of the same program: that one skips its preview (``--skip-preview``), which would
print what the test has just read, and saves two of its four seconds.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pulumi_msads import fields
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from ..conftest import Soap
from .conftest import EMULATOR_ARGS, STACK_SECRETS, stack_config, web_ui
from .support import REPO, Project, Run, Stack, assert_no_traceback, changes, steps, writes

pytestmark = [pytest.mark.cli, pytest.mark.slow]

PROGRAM = Path(__file__).parent / "programs" / "declared" / "__main__.py"
DECLARATIONS = "declarations.json"
PULUMI_YAML = """\
name: msads-declared
description: Customers and accounts as declarations.json says (a test project outside the repository).
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: {venv}
"""
FAILED = 1
"""`pulumi`'s exit code for a command that failed (ExitCodeError, pkg/cmd/pulumi/cmd/exit_codes.go, v3.274.1)."""
CHANGES = 7
"""Its exit code for a preview that proposes changes under --expect-no-changes (ExitNoChanges, same file)."""
CHANGES_THE_STACK = ("up", "refresh", "destroy", "import")

ADDRESS = {"business_name": "Contoso Outdoor", "line1": "1 Microsoft Way", "city": "Redmond", "country_code": "US"}


def customer(name: str, account: dict[str, Any] | None = None, **props: Any) -> dict[str, Any]:
    """A Customer declaration: ``name`` with its primary account ``<name> - Search``."""
    primary = {
        "name": f"{name} - Search",
        "currency_code": "USD",
        "time_zone": "PacificTimeUSCanadaTijuana",
        "business_address": ADDRESS,
        **(account or {}),
    }
    args = {"name": name, "industry": "Retail", "market_country": "US", "market_language": "English"}
    return {"type": "Customer", "args": {**args, "account": primary, **props}}


def account(owner: str, name: str, **props: Any) -> dict[str, Any]:
    """An Account declaration under the customer declared as ``owner``, wired to its id. Tests here remove and
    replace accounts, so they say ``deletion_policy: deactivate`` (test_destroy covers the other policies)."""
    args = {
        "customer_id": {"$ref": owner},
        "name": name,
        "currency_code": "USD",
        "business_address": ADDRESS,
        "deletion_policy": "deactivate",
    }
    return {"type": "Account", "args": {**args, **props}}


FAMILIES: dict[str, dict[str, Any]] = {
    # read by tests that change nothing: outputs, refresh, invalid inputs, import
    "contoso": customer("Contoso Outdoor"),
    "contoso_brand": account("contoso", "Contoso Outdoor - Brand"),
    # one customer (and account) per test that changes something
    "both": customer("Both Fields"),
    "kept": customer("Kept Fields"),
    "race": customer("Race"),
    "busy": customer("Busy"),
    "lang": customer("Language"),
    "refused": customer("Refused Language"),
    "moved": customer("Moved"),
    "moved_account": account("moved", "Moved - Brand"),
    "adopter": customer("Adopter"),
    "dropped": customer("Dropped"),
    "dropped_account": account("dropped", "Dropped - Brand", auto_tag_type="Inactive"),
    "drifted": customer("Drifted"),
    "drifted_account": account("drifted", "Drifted - Brand", auto_tag_type="Inactive"),
    "doomed": customer("Doomed"),
    "holder": customer("Holder"),
    "lost_account": account("holder", "Holder - Brand"),
    "keeper": customer("Keeper"),
    "vanished_account": account("keeper", "Keeper - Brand"),
}
"""What the module's stack is created with: one up, every SignupCustomer and AddAccount at once."""


def dump(declarations: dict[str, Any]) -> str:
    return json.dumps(declarations, indent=2) + "\n"


@dataclass(repr=False)
class Deployed:
    """The module's stack of the declared program, on an emulator of its own."""

    project: Project
    stack: Stack
    emulator: EmulatorProcess
    created: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each resource's state right after the first `pulumi up`."""
    settled_at: int = 0
    _soap: Soap | None = None
    _exported: tuple[int, dict[str, dict[str, Any]]] | None = None

    def __repr__(self) -> str:  # not the whole transcript in every failure report
        return f"Deployed({self.project.folder}, stack {self.stack.name!r})"

    @property
    def control(self) -> EmulatorControl:
        return self.emulator.control

    def soap(self) -> Soap:
        """Somebody working in the web UI (any other client of the API)."""
        if self._soap is None:
            self._soap = web_ui(self.emulator.url)
        return self._soap

    # -- the program ---------------------------------------------------------------------------------

    def declared(self) -> dict[str, Any]:
        declarations: dict[str, Any] = json.loads((self.project.folder / DECLARATIONS).read_text())
        return declarations

    def declare(self, **specs: dict[str, Any] | None) -> None:
        """Declare these resources as well (None: stop declaring it)."""
        declarations = self.declared()
        for name, spec in specs.items():
            if spec is None:
                del declarations[name]
            else:
                declarations[name] = spec
        (self.project.folder / DECLARATIONS).write_text(dump(declarations))

    def change(self, resource: str, /, **props: Any) -> None:
        """Declare ``resource`` with these properties changed: a dict is merged into the declared one,
        None stops declaring the property."""
        spec = copy.deepcopy(self.declared()[resource])
        for prop, value in props.items():
            if value is None:
                del spec["args"][prop]
            elif isinstance(value, dict):
                spec["args"][prop] = {**spec["args"][prop], **value}
            else:
                spec["args"][prop] = value
        self.declare(**{resource: spec})

    def settled(self) -> None:
        """The stack is converged with what the file declares now: the next test starts from it."""
        self.project.originals[DECLARATIONS] = (self.project.folder / DECLARATIONS).read_text()
        self.settled_at = len(self.stack.transcript)

    def withdraw(self) -> None:
        """Take back an edit of the program that the test showed changed nothing (a refused up, a preview)."""
        self.project.restore()
        self.settled_at = len(self.stack.transcript)

    def unsettled(self) -> bool:
        """Does the file differ from the last settled one, or did a command since then change the stack?"""
        edited = (self.project.folder / DECLARATIONS).read_text() != self.project.originals[DECLARATIONS]
        since = self.stack.transcript[self.settled_at :]
        return edited or any(run.args[0] in CHANGES_THE_STACK for run in since)

    # -- the stack -----------------------------------------------------------------------------------

    def resources(self) -> dict[str, dict[str, Any]]:
        """The dynamic resources in state, by logical name (exported again after any command that changes it)."""
        changed = sum(run.args[0] in CHANGES_THE_STACK for run in self.stack.transcript)
        if self._exported is None or self._exported[0] != changed:
            self._exported = (changed, self.stack.resources())
        return self._exported[1]

    def state(self, name: str) -> dict[str, Any]:
        resources = self.resources()
        assert name in resources, f"{name!r} is not in the state: {sorted(resources)}"
        return resources[name]

    def id(self, name: str) -> str:
        return str(self.state(name)["id"])


def project_outside_the_repository(folder: Path) -> Project:
    """The declared program with a Pulumi.yaml of its own, in ``folder``; the file declares FAMILIES."""
    folder.mkdir(parents=True)
    shutil.copy(PROGRAM, folder / "__main__.py")
    (folder / "Pulumi.yaml").write_text(PULUMI_YAML.format(venv=REPO / ".venv"))
    (folder / DECLARATIONS).write_text(dump(FAMILIES))
    return Project(folder, {DECLARATIONS: dump(FAMILIES)})


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, pulumi_cli: Path, transport: str) -> Iterator[Deployed]:
    folder = tmp_path_factory.mktemp("lifecycle")
    args = (*EMULATOR_ARGS, "--allow-customer-delete")
    with EmulatorProcess(folder / "emulator.sqlite3", args=args) as emulator:
        project = project_outside_the_repository(folder / "project")
        stack = Stack(pulumi_cli, project.folder, "test", folder / "home")
        stack.init(stack_config(emulator, transport), STACK_SECRETS)
        stack.up()
        world = Deployed(project, stack, emulator)
        world.created = world.resources()
        world.settled()
        yield world


@pytest.fixture
def world(deployed: Deployed) -> Iterator[Deployed]:
    """The module's stack, converged, with no fault rule and the call counts reset; after a test that
    did not end settled, the last settled program is applied again."""
    deployed.control.clear_faults()
    deployed.control.reset_calls()
    deployed.settled_at = len(deployed.stack.transcript)
    yield deployed
    if deployed.unsettled():
        deployed.control.clear_faults()
        deployed.project.restore()
        deployed.stack.up("--skip-preview", "--refresh", expect=None)
        deployed.settled_at = len(deployed.stack.transcript)


def assert_failed(run: Run) -> None:
    """The command failed, and the provider said why in its message alone, with no traceback."""
    assert run.returncode == FAILED, str(run)
    assert_no_traceback(run)


# -- 1. outputs --------------------------------------------------------------------------------------------


def test_up_outputs_ids_as_digit_strings_and_numbers_in_their_formats(world: Deployed) -> None:
    exported = world.stack.outputs()["resources"]
    customer_out, account_out = exported["contoso"], exported["contoso_brand"]
    for value in (customer_out["customer_id"], customer_out["account_id"], account_out["account_id"]):
        assert re.fullmatch(r"[1-9][0-9]*", value), value
    assert re.fullmatch(r"[A-Z0-9]{10}", customer_out["customer_number"])
    assert re.fullmatch(r"[A-Z0-9]{8}", customer_out["account_number"])
    assert re.fullmatch(r"[A-Z0-9]{8}", account_out["account_number"])
    assert world.created["contoso"]["id"] == customer_out["customer_id"], "a Customer's id is its customer_id"
    assert world.created["contoso_brand"]["id"] == account_out["account_id"], "an Account's id is its account_id"


# -- 2. refresh ----------------------------------------------------------------------------------------------


def test_refresh_fills_in_statuses_and_service_defaults_and_previews_no_change(world: Deployed) -> None:
    created = world.created["contoso"]["outputs"]
    assert "customer_life_cycle_status" not in created, "SignupCustomer returns ids and numbers only"
    assert "auto_tag_type" not in created["account"]

    world.stack.refresh("--target", world.state("contoso")["urn"])
    outputs = world.state("contoso")["outputs"]
    assert outputs["customer_life_cycle_status"] == "Active"
    assert outputs["account_life_cycle_status"] == "Active"
    assert outputs["account"]["auto_tag_type"] == "Inactive", "the service's default, which the program leaves out"
    assert writes(world.control.calls()) == {}, "a refresh only reads"

    preview = world.stack.preview("--expect-no-changes")
    assert steps(preview.stdout) == {}
    world.settled()


# -- 3. customer and primary account fields at once -----------------------------------------------------------


def test_a_customer_field_and_a_primary_account_field_change_in_one_update_writing_each_once(world: Deployed) -> None:
    world.change("both", industry="Entertainment", account={"time_zone": "EasternTimeUSCanada"})

    preview = world.stack.preview()
    assert steps(preview.stdout) == {"both": "update"}
    assert changes(preview.stdout, "both", "update") == ["~account", "~account.time_zone", "~industry"]
    assert world.control.calls() == {}, "a preview calls nothing"

    run = world.stack.up("--skip-preview")
    assert steps(run.stdout) == {"both": "update"}
    assert world.control.calls() == {"GetCustomer": 1, "UpdateCustomer": 1, "GetAccount": 1, "UpdateAccount": 1}
    soap = world.soap()
    assert soap.GetCustomer(CustomerId=int(world.id("both"))).Customer.Industry == "Entertainment"
    primary = world.state("both")["outputs"]["account_id"]
    assert soap.GetAccount(AccountId=int(primary)).Account.TimeZone == "EasternTimeUSCanada"
    world.settled()


# -- 4. fields someone else changed ---------------------------------------------------------------------------


def test_an_update_keeps_a_field_someone_else_changed_that_the_program_does_not_declare(world: Deployed) -> None:
    soap, customer_id = world.soap(), int(world.id("kept"))
    live = soap.GetCustomer(CustomerId=customer_id).Customer
    live.CustomerAddress = {"City": "Paris", "CountryCode": "FR", "Line1": "1 rue de Rivoli"}
    soap.UpdateCustomer(Customer=live)
    world.control.reset_calls()

    world.change("kept", name="Kept Fields Europe")
    run = world.stack.up()

    assert steps(run.stdout) == {"kept": "update"}
    assert world.control.calls() == {"GetCustomer": 1, "UpdateCustomer": 1}
    after = soap.GetCustomer(CustomerId=customer_id).Customer
    assert after.Name == "Kept Fields Europe"
    assert (after.CustomerAddress.City, after.CustomerAddress.Line1) == ("Paris", "1 rue de Rivoli")
    world.settled()


# -- 5. TimeStamp races ---------------------------------------------------------------------------------------


def test_a_timestamp_race_is_retried_once_with_a_fresh_read(world: Deployed) -> None:
    world.control.add_fault(operation="UpdateCustomer", code=209, count=1)
    world.change("race", name="Race Won")

    run = world.stack.up()

    assert steps(run.stdout) == {"race": "update"}
    assert world.control.calls() == {"GetCustomer": 2, "UpdateCustomer": 2}
    assert world.soap().GetCustomer(CustomerId=int(world.id("race"))).Customer.Name == "Race Won"
    world.settled()


def test_a_customer_that_keeps_changing_fails_the_up_clearly_and_converges_once_it_stops(world: Deployed) -> None:
    customer_id = world.id("busy")
    world.control.add_fault(operation="UpdateCustomer", code=209, count=3)
    world.change("busy", name="Busy Again")

    failed = world.stack.up(expect=None)
    assert_failed(failed)
    assert f"customer {customer_id} kept changing while it was being updated" in failed.output
    assert re.search(r"TimestampNotMatch \(209\) 3 times in a row \[TrackingId: [0-9a-f-]{36}\]", failed.output)
    assert world.control.calls() == {"GetCustomer": 3, "UpdateCustomer": 3}

    world.control.clear_faults()  # the other writer is done
    world.control.reset_calls()
    converged = world.stack.up()
    assert steps(converged.stdout) == {"busy": "update"}
    assert world.control.calls() == {"GetCustomer": 1, "UpdateCustomer": 1}
    assert world.soap().GetCustomer(CustomerId=int(customer_id)).Customer.Name == "Busy Again"
    world.settled()


# -- 6. adopting a customer -----------------------------------------------------------------------------------


def test_adopt_id_manages_an_existing_customer_converging_it_without_a_signup(world: Deployed) -> None:
    soap = world.soap()
    parent = soap.GetUser(UserId=None).CustomerRoles.CustomerRole[0].CustomerId
    existing = soap.SignupCustomer(
        Customer={
            "Name": "Fabrikam (by hand)",
            "Industry": "Retail",
            "MarketCountry": "US",
            "MarketLanguage": "English",
        },
        Account={
            "Name": "Fabrikam Fiber - Search",
            "CurrencyCode": "USD",
            "ParentCustomerId": parent,
            "BusinessAddress": {fields.pascal(k): v for k, v in ADDRESS.items()},
        },
        ParentCustomerId=parent,
    )
    world.control.reset_calls()
    world.declare(fabrikam=customer("Fabrikam Fiber", adopt_id=str(existing.CustomerId)))

    run = world.stack.up()

    assert steps(run.stdout) == {"fabrikam": "create"}
    assert world.id("fabrikam") == str(existing.CustomerId), "the adopted customer is the resource"
    calls = world.control.calls()
    assert "SignupCustomer" not in calls
    assert writes(calls) == {"UpdateCustomer": 1}, "the name differed; the account had the declared values"
    assert soap.GetCustomer(CustomerId=existing.CustomerId).Customer.Name == "Fabrikam Fiber"
    world.settled()


def test_adopt_id_of_a_customer_that_does_not_exist_fails_naming_adopt_id_and_records_nothing(
    world: Deployed,
) -> None:
    world.declare(ghost=customer("Ghost", adopt_id="999999999"))

    failed = world.stack.up(expect=None)

    assert_failed(failed)
    assert "adopt_id: no customer 999999999 exists" in failed.output
    assert "ghost" not in world.resources()
    assert writes(world.control.calls()) == {}
    world.withdraw()


# -- 7. invalid inputs ----------------------------------------------------------------------------------------


@pytest.mark.wire_independent  # no call at all
def test_invalid_inputs_fail_the_preview_naming_each_property_with_what_is_allowed_and_call_nothing(
    world: Deployed,
) -> None:
    world.declare(invalid=customer("Invalid", account={"currency_code": "usd"}, market_country="USA"))

    failed = world.stack.preview(expect=None)

    assert_failed(failed)
    assert re.search(
        r"property market_country .*: 'USA' is not a two-letter country code in capitals, such as 'US'", failed.output
    )
    assert re.search(
        r"has a problem: account\.currency_code: 'usd' is not a valid CurrencyCode; did you mean 'USD'\? allowed: AED,",
        failed.output,
    ), "a nested path leads the reason: the engine would print its value as {<nil>}"
    assert "<nil>" not in failed.output
    assert world.control.calls() == {}
    world.withdraw()


# -- 8. pulumi import -----------------------------------------------------------------------------------------


@pytest.mark.wire_independent  # no call at all
def test_import_canary_pulumi_import_still_fails_for_dynamic_providers(world: Deployed) -> None:
    """pulumi/pulumi#16175: when this fails because the import worked, adopt_id can give way to `pulumi import`."""
    customer_id = world.id("contoso")

    run = world.stack.run(
        "import", "pulumi-python:dynamic/msads:Customer", "imported", customer_id, "--yes", expect=None
    )

    assert run.returncode == FAILED, str(run)
    assert "KeyError: '__provider'" in run.output, "the dynamic-provider server finds no provider to read with"
    assert "imported" not in world.resources()
    assert world.control.calls() == {}
    world.settled()


# -- 9. deleted out of band -----------------------------------------------------------------------------------


def test_refresh_drops_a_customer_deleted_out_of_band(world: Deployed) -> None:
    soap, customer_id = world.soap(), int(world.id("doomed"))
    soap.DeleteCustomer(CustomerId=customer_id, TimeStamp=soap.GetCustomer(CustomerId=customer_id).Customer.TimeStamp)
    world.control.reset_calls()

    run = world.stack.refresh("--target", world.state("doomed")["urn"])

    assert "doomed" not in world.resources()
    assert "1 deleted" in run.stdout, str(run)
    assert world.control.calls() == {"GetCustomer": 2, "GetAccount": 2}, "the customer and its account, per phase"
    world.declare(doomed=None)  # the program lets go of it too
    world.settled()


def delete_account_out_of_band(world: Deployed, name: str) -> None:
    soap, account_id = world.soap(), int(world.id(name))
    soap.DeleteAccount(AccountId=account_id, TimeStamp=soap.GetAccount(AccountId=account_id).Account.TimeStamp)
    world.control.reset_calls()


def test_refresh_drops_an_account_deleted_out_of_band(world: Deployed) -> None:
    urn = world.state("lost_account")["urn"]
    delete_account_out_of_band(world, "lost_account")

    run = world.stack.refresh("--target", urn)

    assert "lost_account" not in world.resources()
    assert "1 deleted" in run.stdout, str(run)
    assert world.control.calls() == {"GetAccount": 2}, "one read by the refresh's preview, one by the refresh"
    world.declare(lost_account=None)
    world.settled()


def test_destroy_of_an_account_deleted_out_of_band_succeeds(world: Deployed) -> None:
    urn = world.state("vanished_account")["urn"]
    delete_account_out_of_band(world, "vanished_account")

    run = world.stack.destroy("--target", urn)

    assert "1 deleted" in run.stdout, str(run)
    assert "vanished_account" not in world.resources()
    assert world.control.calls() == {"GetAccount": 1}, "found Inactive: nothing left to delete"
    world.declare(vanished_account=None)
    world.settled()


# -- 10, 11. an account's language ----------------------------------------------------------------------------


def test_an_account_created_with_a_language_is_added_then_updated_once(world: Deployed) -> None:
    world.declare(lang_account=account("lang", "Language - German", language="German"))

    run = world.stack.up()

    assert steps(run.stdout) == {"lang_account": "create"}
    assert world.control.calls() == {"SearchAccounts": 1, "AddAccount": 1, "GetAccount": 1, "UpdateAccount": 1}
    assert world.soap().GetAccount(AccountId=int(world.id("lang_account"))).Account.Language == "German"
    world.settled()


def test_an_account_whose_language_update_is_refused_is_recorded_without_it_and_the_next_up_sets_it(
    world: Deployed,
) -> None:
    world.control.add_fault(operation="UpdateAccount", code=1001, count=1)  # a refusal: not retried
    world.declare(refused_account=account("refused", "Refused - German", language="German"))

    created = world.stack.up()

    assert steps(created.stdout) == {"refused_account": "create"}
    assert "setting language failed" in created.output
    assert "language" not in world.state("refused_account")["outputs"], "state says what the service has"

    world.control.reset_calls()
    finished = world.stack.up()
    assert steps(finished.stdout) == {"refused_account": "update"}
    assert world.control.calls() == {"GetAccount": 1, "UpdateAccount": 1}
    assert world.soap().GetAccount(AccountId=int(world.id("refused_account"))).Account.Language == "German"
    world.settled()


# -- 12. replacement ------------------------------------------------------------------------------------------


def test_a_currency_change_replaces_the_account_deleting_the_old_one_first(world: Deployed) -> None:
    old_id = world.id("moved_account")
    world.change("moved_account", currency_code="CAD")

    preview = world.stack.preview()
    assert steps(preview.stdout) == {"moved_account": "replace"}
    assert changes(preview.stdout, "moved_account", "replace") == ["~currency_code"]
    assert world.control.calls() == {}, "a preview calls nothing"

    run = world.stack.up("--skip-preview")
    assert steps(run.stdout) == {"moved_account": "replace"}
    new_id = world.id("moved_account")
    assert new_id != old_id
    soap = world.soap()
    old, new = soap.GetAccount(AccountId=int(old_id)).Account, soap.GetAccount(AccountId=int(new_id)).Account
    assert old.AccountLifeCycleStatus == "Inactive"
    assert (new.Name, new.CurrencyCode) == ("Moved - Brand", "CAD"), "the name is free once the old one is deleted"
    created = dt.datetime.fromisoformat(world.state("moved_account")["outputs"]["create_time"])
    assert created >= old.LastModifiedTime, "the old account was deleted before its replacement was added"
    assert writes(world.control.calls()) == {"DeleteAccount": 1, "AddAccount": 1}
    world.settled()


# -- 13. adopting an account ----------------------------------------------------------------------------------


def test_adopt_id_manages_an_existing_account_of_the_customer_without_adding_one(world: Deployed) -> None:
    soap, owner = world.soap(), int(world.id("adopter"))
    existing = soap.AddAccount(
        Account={
            "Name": "Adopter - Legacy",
            "CurrencyCode": "USD",
            "ParentCustomerId": owner,
            "BusinessAddress": {fields.pascal(k): v for k, v in ADDRESS.items()},
        }
    ).AccountId
    world.control.set_account_status(existing, "Active")  # its billing was set up long ago
    world.control.reset_calls()
    world.declare(legacy=account("adopter", "Adopter - Legacy", adopt_id=str(existing), time_zone="Arizona"))

    run = world.stack.up()

    assert steps(run.stdout) == {"legacy": "create"}
    assert world.id("legacy") == str(existing)
    assert world.control.calls() == {"GetAccount": 1, "UpdateAccount": 1}
    assert soap.GetAccount(AccountId=existing).Account.TimeZone == "Arizona"
    world.settled()


def test_adopt_id_of_an_account_of_another_customer_is_refused_naming_adopt_id(world: Deployed) -> None:
    someone_elses = world.id("contoso_brand")
    world.declare(stolen=account("adopter", "Contoso Outdoor - Brand", adopt_id=someone_elses))

    failed = world.stack.up(expect=None)

    assert_failed(failed)
    owner = world.id("contoso")
    assert f"adopt_id: account {someone_elses} belongs to customer {owner}, not to customer_id" in failed.output
    assert "stolen" not in world.resources()
    assert writes(world.control.calls()) == {}
    world.withdraw()


# -- 14. a declaration dropped --------------------------------------------------------------------------------


def test_a_dropped_declaration_previews_as_that_line_updates_state_only_and_stays_dropped(world: Deployed) -> None:
    world.change("dropped_account", auto_tag_type=None)

    preview = world.stack.preview()
    assert steps(preview.stdout) == {"dropped_account": "update"}
    assert changes(preview.stdout, "dropped_account", "update") == ["-auto_tag_type"]

    run = world.stack.up("--skip-preview")
    assert steps(run.stdout) == {"dropped_account": "update"}
    assert world.control.calls() == {}, "nothing to write: the service keeps the value"

    again = world.stack.preview("--refresh", "--expect-no-changes")
    assert steps(again.stdout) == {}, "the dropped property does not come back from a refresh"
    world.settled()


# -- 15. drift ------------------------------------------------------------------------------------------------


def test_drift_of_a_declared_field_fails_the_drift_check_naming_it_and_up_refresh_writes_it_back(
    world: Deployed,
) -> None:
    soap, account_id = world.soap(), int(world.id("drifted_account"))
    live = soap.GetAccount(AccountId=account_id).Account
    live.AutoTagType = "Replace"  # changed in the web UI
    soap.UpdateAccount(Account=live)

    drift = world.stack.preview("--refresh", "--expect-no-changes", expect=None)
    assert drift.returncode == CHANGES, str(drift)
    assert changes(drift.stdout, "drifted_account", "update") == ["~auto_tag_type"]

    world.control.reset_calls()
    fixed = world.stack.up("--refresh")
    assert steps(fixed.stdout) == {"drifted_account": "update"}
    assert writes(world.control.calls()) == {"UpdateAccount": 1}
    assert soap.GetAccount(AccountId=account_id).Account.AutoTagType == "Inactive"
    world.settled()
