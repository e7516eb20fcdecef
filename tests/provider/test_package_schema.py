"""The package schema (provider/pulumi_msads/schema.json) says what the models, the WSDL and the configuration say.

Every expectation here is read from the sources the generator reads (the models, ``wsdl``,
``resources``, ``config``), never from a copied list; the WSDL type of an enumeration is found
through the WSDL's own field types (``wsdl.complex_fields``), not through the generator's lookup.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import pulumi_msads
from pulumi_msads import config, model_schema, operations, package_schema, wsdl
from pulumi_msads.models import DELETION_POLICIES, AddressModel, BusinessAddressModel, PrimaryAccountModel
from pulumi_msads.naming import camel, pascal, snake

SCHEMA = Path(package_schema.__file__).with_name("schema.json")
NESTED: dict[str, type[BaseModel]] = {
    "PrimaryAccount": PrimaryAccountModel,
    "BusinessAddress": BusinessAddressModel,
    "Address": AddressModel,
}
"""The object types, by the model each comes from (the model's name without ``Model``)."""
LOCAL_ENUMS: dict[str, tuple[str, ...]] = {
    "DeletionPolicy": DELETION_POLICIES,
    "Environment": config.ENVIRONMENTS,
    "Transport": config.TRANSPORTS,
}
"""The value sets that are no WSDL type, and where each is defined."""
WSDL_TYPES = ("Customer", "AdvertiserAccount")
"""The WSDL types the resources' properties are fields of."""


@functools.cache
def schema() -> dict[str, Any]:
    return package_schema.generate()


def resource(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = schema()["resources"][f"msads:index:{name}"]
    return spec


def object_type(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = schema()["types"][f"msads:index:{name}"]
    return spec


def _owners() -> Iterator[tuple[str, str, type[BaseModel], str]]:
    """(where, owner, model, field) for every field of every model the schema describes."""
    for kind in model_schema.KINDS:
        for field in kind.model.model_fields:
            yield "resource", kind.name, kind.model, field
    for name, model in NESTED.items():
        for field in model.model_fields:
            yield "type", name, model, field


FIELDS = [pytest.param(*case, id=f"{case[1]}.{case[3]}") for case in _owners()]


def _inputs(where: str, owner: str) -> tuple[dict[str, Any], list[str]]:
    """(input property specs, required names) of a resource or an object type."""
    if where == "resource":
        spec = resource(owner)
        return spec["inputProperties"], spec["requiredInputs"]
    spec = object_type(owner)
    return spec["properties"], spec.get("required", [])


def test_the_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == package_schema.text(), (
        f"regenerate: .venv/bin/{package_schema.COMMAND}"
    )


@pytest.mark.parametrize(("where", "owner", "model", "field"), FIELDS)
def test_every_model_field_is_an_input_with_its_description(
    where: str, owner: str, model: type[BaseModel], field: str
) -> None:
    properties, required = _inputs(where, owner)
    prop = model.model_json_schema()["properties"][field]
    spec = properties[camel(field)]
    assert spec["description"].startswith(package_schema.schema_names(model_schema.description(prop)))
    assert (camel(field) in required) == model.model_fields[field].is_required()


@pytest.mark.parametrize(("where", "owner", "model", "field"), FIELDS)
def test_what_the_model_marks_replaces_and_nothing_else_does(
    where: str, owner: str, model: type[BaseModel], field: str
) -> None:
    marked = bool(model.model_json_schema()["properties"][field].get("x-replace-on-change"))
    properties, _ = _inputs(where, owner)
    assert properties[camel(field)].get("replaceOnChanges", False) is marked
    if where == "resource":
        assert resource(owner)["properties"][camel(field)].get("replaceOnChanges", False) is marked


def _walk(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


def test_replace_marks_are_only_where_the_models_put_them() -> None:
    """Each mark comes from a model field (once as an input, once as a property of a resource, once in a type)."""
    expected = 0
    for where, _, model, field in _owners():
        if model.model_json_schema()["properties"][field].get("x-replace-on-change"):
            expected += 2 if where == "resource" else 1
    assert expected, "the models mark no property at all"
    assert list(_walk(schema(), "replaceOnChanges")) == [True] * expected


@pytest.mark.parametrize(
    ("kind", "output"),
    [pytest.param(kind, name, id=f"{kind.name}.{name}") for kind in model_schema.KINDS for name in kind.outputs],
)
def test_every_output_is_a_property_and_always_set(kind: model_schema.Kind, output: str) -> None:
    spec = resource(kind.name)
    assert camel(output) in spec["properties"]
    assert camel(output) in spec["required"]
    assert spec["properties"][camel(output)]["description"] == package_schema.schema_names(model_schema.OUTPUTS[output])


def test_the_resources_describe_themselves_from_the_models() -> None:
    for kind in model_schema.KINDS:
        spec = resource(kind.name)
        summary, _, _ = spec["description"].partition("\n\n## Import\n\n")
        assert summary == kind.model.model_json_schema()["description"]
        assert set(spec["properties"]) == {*spec["inputProperties"], *map(camel, kind.outputs)}


@pytest.mark.parametrize("kind", model_schema.KINDS, ids=lambda kind: kind.name)
def test_each_resource_says_how_to_import_it(kind: model_schema.Kind) -> None:
    _, _, section = resource(kind.name)["description"].partition("\n\n## Import\n\n")
    commands = re.findall(r"^\$ pulumi import (\S+) <name> (\S+)$", section, re.MULTILINE)
    assert commands == [(package_schema.token(kind.name), example) for example in kind.import_examples]


@pytest.mark.parametrize("example", model_schema.CUSTOMER.import_examples)
def test_the_customer_import_examples_are_ids_the_provider_reads(example: str) -> None:
    customer_id, account_id = operations.customer_read_id(example)
    assert example == (f"{customer_id}/{account_id}" if account_id else customer_id)


def _wsdl_enum_properties() -> Iterator[tuple[str, str, str]]:
    """(owner, property, WSDL enum type) for every property that is an enum field of the WSDL."""
    enums = {f.name: f.type_name for t in WSDL_TYPES for f in wsdl.complex_fields(t) if f.is_enum}
    for where, owner, _, field in _owners():
        if pascal(field) in enums:
            yield owner if where == "type" else f"resource:{owner}", field, enums[pascal(field)]
    for kind in model_schema.KINDS:
        for name in kind.outputs:
            if pascal(name) in enums:
                yield f"output:{kind.name}", name, enums[pascal(name)]


@pytest.mark.parametrize(
    ("owner", "field", "enum"), [pytest.param(*case, id=f"{case[0]}.{case[1]}") for case in _wsdl_enum_properties()]
)
def test_wsdl_enumerations_are_types_with_the_wsdls_values(owner: str, field: str, enum: str) -> None:
    where, _, name = owner.rpartition(":")
    if where == "resource":
        spec = resource(name)["inputProperties"][camel(field)]
    elif where == "output":
        spec = resource(name)["properties"][camel(field)]
    else:
        spec = object_type(name)["properties"][camel(field)]
    assert spec["$ref"] == f"#/types/msads:index:{enum}"
    assert [v["value"] for v in object_type(enum)["enum"]] == list(wsdl.enum_values(enum))
    assert object_type(enum)["type"] == "string"


def test_every_enumeration_comes_from_the_wsdl_or_its_definition() -> None:
    wsdl_enums = {enum for *_, enum in _wsdl_enum_properties()}
    enums = {t.removeprefix("msads:index:"): s for t, s in schema()["types"].items() if "enum" in s}
    assert set(enums) == wsdl_enums | set(LOCAL_ENUMS)
    for name, values in LOCAL_ENUMS.items():
        assert [v["value"] for v in enums[name]["enum"]] == list(values), name


def test_every_reference_resolves_and_every_type_is_used() -> None:
    refs = list(_walk(schema(), "$ref"))
    assert refs and all(r.startswith("#/types/") for r in refs), refs
    used = {r.removeprefix("#/types/") for r in refs}
    assert used == set(schema()["types"])


def test_the_object_types_are_the_nested_models() -> None:
    objects = {t.removeprefix("msads:index:") for t, s in schema()["types"].items() if s["type"] == "object"}
    assert objects == set(NESTED)
    for name, model in NESTED.items():
        assert object_type(name)["description"] == model.model_json_schema()["description"]
        assert set(object_type(name)["properties"]) == {camel(f) for f in model.model_fields}


def test_every_property_and_type_has_a_description() -> None:
    def specs() -> Iterator[tuple[str, dict[str, Any]]]:
        for token, spec in [*schema()["resources"].items(), ("provider", schema()["provider"])]:
            yield token, spec
            for group in ("inputProperties", "properties"):
                yield from ((f"{token}.{n}", s) for n, s in spec.get(group, {}).items())
        for token, spec in schema()["types"].items():
            yield token, spec
            yield from ((f"{token}.{n}", s) for n, s in spec.get("properties", {}).items())
        yield from schema()["config"]["variables"].items()

    assert [where for where, spec in specs() if not spec.get("description")] == []


def test_descriptions_name_properties_as_the_schema_does() -> None:
    customer = resource("Customer")["inputProperties"]
    assert "set adoptId to manage" in customer["allowDuplicateName"]["description"]
    assert "it must go with marketCountry" in customer["marketLanguage"]["description"]
    names = package_schema.property_names()
    for description in _walk(schema(), "description"):
        assert not [word for word in re.findall(r"\w+", description) if word in names and "_" in word], description


def test_property_names_go_back_to_the_models_names() -> None:
    """The native provider maps names both ways with naming.camel and naming.snake: no name may be lost."""
    names = package_schema.property_names()
    assert {snake(camel(name)) for name in names} == names
    assert len({camel(name) for name in names}) == len(names)


@pytest.mark.parametrize("setting", list(config.KEYS))
def test_every_setting_is_a_config_variable_and_a_provider_input(setting: str) -> None:
    key, variable = config.KEYS[setting]
    name = key.removeprefix("msads:")
    assert name == camel(setting)
    spec = schema()["config"]["variables"][name]
    assert schema()["provider"]["inputProperties"][name] == spec
    assert spec["description"].startswith(config.DESCRIPTIONS[setting])
    assert variable in spec["description"]
    assert spec.get("secret", False) is (setting in config.SECRET_SETTINGS)
    if setting in config.SECRET_SETTINGS:
        assert spec["type"] == "string"


def test_the_settings_are_typed_as_the_configuration_reads_them() -> None:
    variables = schema()["config"]["variables"]
    assert variables["environment"]["$ref"] == "#/types/msads:index:Environment"
    assert variables["transport"]["$ref"] == "#/types/msads:index:Transport"
    assert variables["maxRetries"]["type"] == "integer"
    assert variables["maxCallsPerMinute"]["type"] == "integer"
    assert variables["timeout"]["type"] == "number"
    assert variables["recoveryWait"]["type"] == "number"
    assert variables["endpoint"]["type"] == "string"
    assert set(variables) == {camel(s) for s in config.KEYS}


def test_the_package_is_msads_at_the_projects_version() -> None:
    document = schema()
    assert document["name"] == "msads"
    assert document["version"] == importlib.metadata.version("pulumi-msads")
    assert set(document["resources"]) == {f"msads:index:{kind.name}" for kind in model_schema.KINDS}


def test_the_python_sdk_does_not_shadow_this_package() -> None:
    language = schema()["language"]
    assert language["python"]["packageName"] != pulumi_msads.__name__
    assert language["nodejs"]["packageName"].endswith("/msads")


def test_an_output_without_a_description_fails_the_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(model_schema.OUTPUTS, "customer_number")
    with pytest.raises(KeyError, match="customer_number"):
        package_schema.generate()


def test_a_setting_without_a_description_fails_the_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(config.DESCRIPTIONS, "timeout")
    with pytest.raises(KeyError, match="timeout"):
        package_schema.generate()


def test_the_command_prints_the_committed_text(capsys: pytest.CaptureFixture[str]) -> None:
    package_schema.main()
    assert capsys.readouterr().out == package_schema.text()
