"""examples/yaml, a Pulumi YAML program on the native provider, under the real CLI and the YAML language host
(``pulumi-language-yaml``, built by scripts/pulumi-cli): the same engine steps a Python program gets, with
the properties checked against the provider's schema before anything is called.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .native_projects import NativeStack, native_stack
from .support import REPO, assert_no_traceback, writes

pytestmark = [pytest.mark.cli, pytest.mark.slow]

EXAMPLE = REPO / "examples" / "yaml" / "Pulumi.yaml"


@pytest.fixture
def yaml_stack(tmp_path: Path, pulumi_cli: Path) -> Iterator[NativeStack]:
    if not (pulumi_cli / "pulumi-language-yaml").exists() and shutil.which("pulumi-language-yaml") is None:
        pytest.fail(f"no pulumi-language-yaml beside {pulumi_cli}: run scripts/pulumi-cli to build it")
    with native_stack(tmp_path, pulumi_cli, EXAMPLE.read_text()) as made:
        yield made


def test_up_creates_the_customers_and_accounts_with_the_fewest_calls_then_previews_no_changes(
    yaml_stack: NativeStack,
) -> None:
    yaml_stack.stack.up()
    stored = yaml_stack.emulator.control.data()
    names = {c["Name"] for c in stored["customers"]}
    assert {"Contoso Outdoor", "Fabrikam Fiber"} <= names
    accounts = {a["Name"]: a for a in stored["accounts"]}
    assert accounts["Fabrikam Fiber - Ireland"]["ParentId"] == next(
        c["Id"] for c in stored["customers"] if c["Name"] == "Fabrikam Fiber"
    )
    assert writes(yaml_stack.emulator.control.calls()) == {"SignupCustomer": 2, "AddAccount": 2}
    outputs = yaml_stack.stack.outputs()
    assert str(outputs["contosoCustomerId"]).isdigit() and str(outputs["fabrikamIrelandAccountId"]).isdigit()

    yaml_stack.emulator.control.reset_calls()
    yaml_stack.stack.preview("--expect-no-changes")
    yaml_stack.stack.refresh("--yes")
    yaml_stack.stack.preview("--expect-no-changes")
    assert writes(yaml_stack.emulator.control.calls()) == {}
    yaml_stack.assert_no_credentials()


def test_an_edit_previews_as_an_update_of_that_field_and_up_writes_it_once(yaml_stack: NativeStack) -> None:
    yaml_stack.stack.up()
    yaml_stack.edit("Pulumi.yaml", "name: Contoso Outdoor - Brand", "name: Contoso Outdoor - Brand (US)")
    yaml_stack.emulator.control.reset_calls()
    shown = yaml_stack.stack.preview("--diff")
    assert "~ msads:index:Account: (update)" in shown.output and "Contoso Outdoor - Brand (US)" in shown.output, shown
    assert "replace" not in shown.output, shown
    yaml_stack.stack.up()
    assert writes(yaml_stack.emulator.control.calls()) == {"UpdateAccount": 1}


def test_a_value_outside_the_schema_fails_the_preview_naming_the_property_and_calls_nothing(
    yaml_stack: NativeStack,
) -> None:
    yaml_stack.edit("Pulumi.yaml", "currencyCode: GBP", "currencyCode: Pounds")
    failed = yaml_stack.stack.preview(expect=None)
    # pulumi-yaml checks the program against the provider's schema (GetSchema): the WSDL's currency codes
    assert failed.returncode != 0 and "currencyCode" in failed.output and "Allowed values" in failed.output, failed
    assert_no_traceback(failed)
    assert writes(yaml_stack.emulator.control.calls()) == {}
