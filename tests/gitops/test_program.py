"""The GitOps example program under pulumi.runtime.set_mocks: which resources accounts.yaml declares, and how."""

from __future__ import annotations

import json
import runpy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import MockResourceArgs
from pulumi.runtime.config import CONFIG, set_config

from pulumi_msads import gitops
from pulumi_msads.models import AccountModel, CustomerModel
from pulumi_msads.providers import check_inputs

from ..harness import RecordingMocks, RegisteredResource, run_program

CUSTOMER_TYPE = "pulumi-python:dynamic/msads:Customer"
ACCOUNT_TYPE = "pulumi-python:dynamic/msads:Account"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gitops"


def resource_id(args: MockResourceArgs) -> str:
    """Numeric ids, distinct per resource and stable per name."""
    return str(100_000 + sum(ord(c) * 31**i for i, c in enumerate(args.name)) % 900_000)


def with_ids(args: MockResourceArgs) -> dict[str, Any]:
    """What create would add: the ids, as strings of digits."""
    number = int(resource_id(args))
    outs = dict(args.inputs)
    if args.typ == CUSTOMER_TYPE:
        outs.update(customer_id=str(number), account_id=str(number + 1))
    else:
        outs.update(account_id=str(number + 1))
    return outs


def run_example(folder: Path = EXAMPLE) -> RecordingMocks:
    mocks = RecordingMocks(with_ids, resource_id)
    run_program(lambda: runpy.run_path(str(folder / "__main__.py")) and None, mocks)
    return mocks


def inputs(resource: RegisteredResource) -> dict[str, Any]:
    return {k: v for k, v in resource.inputs.items() if k != "__provider"}


def by_name(mocks: RecordingMocks) -> dict[str, RegisteredResource]:
    return {r.name: r for r in mocks.resources}


def signature(mocks: RecordingMocks) -> set[tuple[str, str, str]]:
    """(type, logical name, inputs) of every resource, comparable across runs."""
    return {(r.typ, r.name, json.dumps(inputs(r), sort_keys=True)) for r in mocks.resources}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the example program, to run against another accounts.yaml."""
    shutil.copy(EXAMPLE / "__main__.py", tmp_path / "__main__.py")
    return tmp_path


def test_each_key_is_a_resource_named_after_it() -> None:
    mocks = run_example()
    assert sorted((r.typ, r.name) for r in mocks.resources) == [
        (ACCOUNT_TYPE, "contoso/brand"),
        (ACCOUNT_TYPE, "fabrikam/ireland"),
        (CUSTOMER_TYPE, "contoso"),
        (CUSTOMER_TYPE, "fabrikam"),
        (CUSTOMER_TYPE, "tailspin"),
    ]


def test_inputs_are_the_entries_of_the_file() -> None:
    desired = gitops.load(EXAMPLE / "accounts.yaml")
    resources = by_name(run_example())
    contoso = desired.customers["contoso"]
    assert inputs(resources["contoso"]) == contoso.customer_inputs()
    assert "accounts" not in inputs(resources["contoso"]), "additional accounts are resources of their own"
    assert inputs(resources["contoso"])["account"]["business_address"]["postal_code"] == "98052"
    brand = inputs(resources["contoso/brand"])
    assert brand == {**gitops.account_inputs(contoso.accounts["brand"]), "customer_id": brand["customer_id"]}
    assert inputs(resources["fabrikam/ireland"])["tax_information"] == {"VATNumber": "IE6388047V"}


def test_accounts_are_wired_to_their_own_customers_id_output() -> None:
    resources = by_name(run_example())
    customer_ids = {name: resource_id(MockResourceArgs(CUSTOMER_TYPE, name, {})) for name in resources}
    assert resources["contoso/brand"].inputs["customer_id"] == customer_ids["contoso"]
    assert resources["fabrikam/ireland"].inputs["customer_id"] == customer_ids["fabrikam"]


def test_what_the_program_declares_passes_the_providers_check() -> None:
    """The file is checked by the provider's own models, so a valid file never fails at `pulumi preview`."""
    for resource in run_example().resources:
        model = CustomerModel if resource.typ == CUSTOMER_TYPE else AccountModel
        assert check_inputs(model, inputs(resource)).failures == [], resource.name


def test_reordering_and_reformatting_the_file_changes_nothing(folder: Path) -> None:
    """Keys, not positions, name the resources: the same entries in another order are the same resources."""
    data = yaml.safe_load((EXAMPLE / "accounts.yaml").read_text(encoding="utf-8"))

    def reversed_mapping(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reversed_mapping(v) for k, v in reversed(list(value.items()))}
        return value

    shuffled = reversed_mapping(data)
    assert list(shuffled["customers"]) != list(data["customers"])
    text = yaml.safe_dump(shuffled, sort_keys=False, indent=4, width=1000, allow_unicode=True)  # no anchors, new layout
    (folder / "accounts.yaml").write_text(text, encoding="utf-8")
    assert signature(run_example(folder)) == signature(run_example())


def test_an_invalid_file_stops_the_program_before_any_resource(folder: Path) -> None:
    text = (EXAMPLE / "accounts.yaml").read_text(encoding="utf-8")
    (folder / "accounts.yaml").write_text(text.replace("currency_code: GBP", "currency_code: gbp"), encoding="utf-8")
    mocks = RecordingMocks(with_ids)
    with pytest.raises(pulumi.RunError) as raised:
        run_program(lambda: runpy.run_path(str(folder / "__main__.py")) and None, mocks)
    message = str(raised.value)
    assert "customers.fabrikam.account.currency_code" in message and "did you mean 'GBP'" in message
    assert "nothing was sent" in message
    assert mocks.resources == []


@pytest.fixture
def gitops_config() -> Iterator[None]:
    yield
    for key in ("gitops:file", "gitops:protect", "msads:environment"):
        CONFIG.get().pop(key, None)


def only_contoso(folder: Path, name: str = "accounts.yaml") -> None:
    text = (EXAMPLE / "accounts.yaml").read_text(encoding="utf-8").split("\n  fabrikam:")[0]
    (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.usefixtures("gitops_config")
def test_the_stack_config_can_name_another_file(folder: Path) -> None:
    only_contoso(folder, "clients.yaml")
    set_config("gitops:file", "clients.yaml")
    assert sorted(r.name for r in run_example(folder).resources) == ["contoso", "contoso/brand"]


@pytest.mark.usefixtures("gitops_config")
@pytest.mark.parametrize(("setting", "protected"), [(None, False), ("true", True), ("false", False)])
def test_the_stack_config_can_protect_every_resource(folder: Path, setting: str | None, protected: bool) -> None:
    only_contoso(folder)
    if setting is not None:
        set_config("gitops:protect", setting)
    names: dict[str, Any] = {}
    run_program(lambda: names.update(runpy.run_path(str(folder / "__main__.py"))), RecordingMocks(with_ids))
    assert names["customer"]._protect is protected
    assert names["accounts"]["brand"]._protect is protected


ENVIRONMENT_IDS = """
    environments:
      sandbox: {adopt_id: "9000001", parent_customer_id: "9000000"}
      production: {adopt_id: "251000777"}
"""


@pytest.mark.usefixtures("gitops_config")
@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (None, ("251000777", None)),
        ("production", ("251000777", None)),
        ("sandbox", ("9000001", "9000000")),
        ("local", (None, None)),
    ],
)
def test_each_stack_takes_the_ids_its_environment_declares(
    folder: Path, monkeypatch: pytest.MonkeyPatch, environment: str | None, expected: tuple[str | None, str | None]
) -> None:
    """One file for the sandbox and the production stacks: msads:environment picks each entry's ids."""
    only_contoso(folder)
    text = (folder / "accounts.yaml").read_text(encoding="utf-8")
    (folder / "accounts.yaml").write_text(
        text.replace("\n    account:", ENVIRONMENT_IDS.rstrip() + "\n    account:", 1)
    )
    monkeypatch.delenv("MSADS_ENVIRONMENT", raising=False)
    if environment is not None:
        set_config("msads:environment", environment)
    contoso = inputs(by_name(run_example(folder))["contoso"])
    assert (contoso.get("adopt_id"), contoso.get("parent_customer_id")) == expected
    assert "environments" not in contoso
