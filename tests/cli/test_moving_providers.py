"""Moving a stack from the dynamic provider to the native one, under the real CLI, with nothing written.

The stack starts as the quickstart on the dynamic provider (the repository's __main__.py) and becomes the same
quickstart on the native provider (examples/native/__main__.py), in the same project and stack, either way the
README gives: aliases naming the dynamic types, or ``pulumi state delete`` then ``pulumi import`` of each id (the
customer's as ``<customer id>/<primary account id>``: it has two accounts).
Each way ends with the native provider's outputs in the state and a preview proposing nothing, and sends no
write to the service (and with aliases, no call at all).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .native_projects import NativeStack, native_stack
from .support import REPO, assert_no_traceback, writes

pytestmark = [pytest.mark.cli, pytest.mark.slow]

DYNAMIC_PROGRAM = REPO / "__main__.py"
NATIVE_PROGRAM = REPO / "examples" / "native" / "__main__.py"
PROJECT = (REPO / "examples" / "native" / "Pulumi.yaml").read_text()
ALIASES = {  # logical name -> the dynamic provider's type token, as the README's migration snippet names them
    "contoso": "pulumi-python:dynamic/msads:Customer",
    "contoso-brand": "pulumi-python:dynamic/msads:Account",
}
NATIVE_TYPES = {"contoso": "msads:index:Customer", "contoso-brand": "msads:index:Account"}


@pytest.fixture
def moved(tmp_path: Path, pulumi_cli: Path) -> Iterator[NativeStack]:
    """A stack that went up on the dynamic provider; its program is then the native quickstart."""
    with native_stack(tmp_path, pulumi_cli, PROJECT, files=[DYNAMIC_PROGRAM]) as made:
        made.stack.up()
        assert writes(made.emulator.control.calls()) == {"SignupCustomer": 1, "AddAccount": 1}
        made.emulator.control.reset_calls()
        (made.folder / "__main__.py").write_text(NATIVE_PROGRAM.read_text())
        yield made


def ours(made: NativeStack) -> dict[str, dict[str, Any]]:
    """The stack's msads resources (either provider's) by logical name."""
    return {
        r["urn"].rsplit("::", 1)[1]: r
        for r in made.stack.export()["deployment"]["resources"]
        if r["type"] in {*ALIASES.values(), *NATIVE_TYPES.values()}
    }


def with_aliases(program: str) -> str:
    for name, old_type in ALIASES.items():
        declared = f'    "{name}",\n'
        assert program.count(declared) == 1, name
        alias = f'    opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="{old_type}")]),\n'
        program = program.replace(declared, declared + alias)
    return program


def assert_native_state(made: NativeStack, ids: dict[str, str]) -> None:
    resources = ours(made)
    assert {name: r["type"] for name, r in resources.items()} == NATIVE_TYPES
    assert {name: r["id"] for name, r in resources.items()} == ids
    for resource in resources.values():  # the schema's names, readable by programs in any language
        assert "__provider" not in resource["outputs"] and "accountId" in resource["outputs"], resource["outputs"]
    assert resources["contoso"]["outputs"]["customerId"] == ids["contoso"]


def test_aliases_move_both_resources_with_no_call_and_leave_nothing_to_change(moved: NativeStack) -> None:
    ids = {name: r["id"] for name, r in ours(moved).items()}
    program = moved.folder / "__main__.py"
    program.write_text(with_aliases(program.read_text()))

    preview = moved.stack.preview("--diff")
    assert "2 to update" in preview.output and "to create" not in preview.output, preview
    assert "to replace" not in preview.output and "to delete" not in preview.output, preview
    moved.stack.up()
    assert moved.emulator.control.calls() == {}
    assert_native_state(moved, ids)
    moved.stack.preview("--expect-no-changes")
    moved.stack.refresh("--expect-no-changes")
    assert writes(moved.emulator.control.calls()) == {}
    moved.assert_no_credentials()


def test_state_delete_then_import_moves_both_resources_with_no_write(moved: NativeStack) -> None:
    before = ours(moved)  # one `pulumi stack export`
    ids = {name: r["id"] for name, r in before.items()}
    urns = {name: r["urn"] for name, r in before.items()}
    primary = before["contoso"]["outputs"]["account_id"]
    for name in ("contoso-brand", "contoso"):  # the account first: it depends on the customer
        moved.stack.run("state", "delete", urns[name], "--yes")
    assert ours(moved) == {} and moved.emulator.control.calls() == {}

    # The customer has two live accounts, so its import id names the primary one, as the README says.
    import_ids = {**ids, "contoso": f"{ids['contoso']}/{primary}"}
    for name, token in NATIVE_TYPES.items():
        imported = moved.stack.run(
            "import", token, name, import_ids[name], "--yes", "--protect=false", "--generate-code=false"
        )
        assert_no_traceback(imported)
    moved.stack.up()
    assert_native_state(moved, ids)
    moved.stack.preview("--expect-no-changes")
    assert writes(moved.emulator.control.calls()) == {}
    moved.assert_no_credentials()
