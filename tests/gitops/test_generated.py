"""The committed schema and reference are exactly what the commands generate from the models today."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pulumi_msads import gitops, reference, wsdl
from pulumi_msads.models import AccountModel, AddressModel, CustomerModel, PrimaryAccountModel
from pulumi_msads.providers import ACCOUNT_OUTPUTS, CUSTOMER_OUTPUTS

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "examples" / "gitops" / "accounts.schema.json"
EXAMPLE = REPO / "examples" / "gitops" / "accounts.yaml"
REFERENCE = REPO / "docs" / "reference.md"


def test_the_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == gitops.schema_text(), (
        "regenerate: .venv/bin/python -m pulumi_msads.gitops schema > examples/gitops/accounts.schema.json"
    )


def test_the_committed_reference_is_the_generated_one() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == reference.generate(), f"regenerate: .venv/bin/{reference.COMMAND}"


def test_the_reference_names_every_property_of_the_native_providers_package_schema() -> None:
    """Each resource's and type's properties as the schema names them, and both resource tokens."""
    package = json.loads((REPO / "provider" / "pulumi_msads" / "schema.json").read_text(encoding="utf-8"))
    text = REFERENCE.read_text(encoding="utf-8")
    nodes = [*package["resources"].items(), *package["types"].items()]
    missing = [
        f"{token}.{name}" for token, node in nodes for name in node.get("properties", {}) if f"| `{name}` |" not in text
    ]
    assert missing == []
    assert all(f"`{token}`" in text for token in package["resources"])


def test_the_example_points_editors_at_the_schema() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./accounts.schema.json"


def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_the_schema_accepts_the_example() -> None:
    assert [e.message for e in validator().iter_errors(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))] == []


def _set(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(document)
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[part]
    node[last] = value
    return document


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("customers.contoso.account.currency_code", "usd"),
        ("customers.contoso.name", "x" * 91),
        ("customers.contoso.accounts.brand.curency_code", "USD"),
        ("customers.contoso.account.business_address.postal_code", 98052),
        ("customers.contoso.market_country", "USA"),
        ("customers.Contoso", {}),
        ("customers.contoso.accounts.Brand", {}),
        ("customers.contoso.adopt_id", "C123"),
    ],
)
def test_editors_flag_what_the_loader_refuses(path: str, value: Any) -> None:
    """The schema comes from the same models, so an editor underlines what `load` would report."""
    document = _set(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), path, value)
    assert list(validator().iter_errors(document)), "the schema accepts it"
    with pytest.raises(gitops.DesiredStateError):
        gitops.loads(yaml.safe_dump(document))


@pytest.mark.parametrize(
    ("path", "value", "said"),
    [
        ("customers.contoso.account.time_zone", "Pacific", "is not one of ['AbuDhabiMuscat'"),
        ("customers.contoso.accounts.brand.auto_tag_type", "inactive", "is not one of ['Inactive'"),
        ("customers.contoso.deletion_policy", "delete", "is not one of ['prevent', 'abandon', 'deactivate'"),
        ("customers.contoso.adopt_id", "C123", "does not match '^[1-9][0-9]{0,18}$'"),
    ],
)
def test_editors_name_what_is_wrong_with_an_optional_value(path: str, value: Any, said: str) -> None:
    """Not "is not valid under any of the given schemas": the values allowed, or the pattern."""
    document = _set(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), path, value)
    messages = [e.message for e in validator().iter_errors(document)]
    assert len(messages) == 1 and said in messages[0], messages


def test_an_optional_value_may_still_be_null_for_editors() -> None:
    document = _set(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), "customers.contoso.account.time_zone", None)
    assert list(validator().iter_errors(document)) == []


def test_the_schema_lists_the_wsdls_values() -> None:
    account = gitops.json_schema()["definitions"]["AccountEntry"]["properties"]
    assert account["currency_code"]["enum"] == list(wsdl.enum_values("CurrencyCode"))


@pytest.mark.parametrize("model", [CustomerModel, AccountModel, PrimaryAccountModel, AddressModel])
def test_the_reference_has_every_property(model: type[Any]) -> None:
    text = reference.generate()
    for name in model.model_fields:
        assert f"| `{name}` |" in text, name


def test_the_reference_has_every_output_with_a_description() -> None:
    text = reference.generate()
    for name in {*CUSTOMER_OUTPUTS, *ACCOUNT_OUTPUTS, "parent_customer_id"}:
        assert re.search(rf"\| `{name}` \| `[a-zA-Z]+` \| string \|", text), name


def test_the_reference_marks_what_replaces_and_points_at_the_full_lists() -> None:
    rows = {line.split("|")[1].strip(): line for line in reference.generate().splitlines() if line.startswith("| `")}
    assert "| replaces |" in rows["`market_country`"] and "| replaces |" in rows["`customer_id`"]
    assert "| updates |" in rows["`time_zone`"]
    assert f"{len(wsdl.enum_values('CurrencyCode'))} values of the WSDL's `CurrencyCode`" in rows["`currency_code`"]
    assert "accounts.schema.json" in rows["`currency_code`"]


def test_an_output_without_a_description_fails_the_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(reference.OUTPUTS, "create_time")
    with pytest.raises(KeyError, match="create_time"):
        reference.generate()
