"""The resource reference (docs/reference.md), generated from the models and the package schema.

Inputs come from the pydantic models' JSON Schemas (types, limits, descriptions, the
``x-replace-on-change`` marks), enumerations from the WSDL, output names from ``resources``, all
read through ``model_schema``, which the package schema (``package_schema``) reads them through too;
the native provider's configuration from the package schema itself (the Pulumi schema has no place for the
models' limits, so the property tables are written from the models).
Regenerate with ``python -m pulumi_msads.reference > docs/reference.md``; a test fails when the
committed file differs from a fresh generation.
"""

from __future__ import annotations

import sys
from typing import Any

from . import fields, model_schema, naming, package_schema, wsdl
from .providers import MANAGED

COMMAND = "python -m pulumi_msads.reference > docs/reference.md"
SCHEMA_LINK = "[accounts.schema.json](../examples/gitops/accounts.schema.json)"
LISTED = 25
"""Enumerations with more values than this get a count and a pointer instead of the list."""
OUTPUTS = model_schema.OUTPUTS
"""What each output-only property means (kept in ``model_schema``, which the package schema reads too)."""


def _enum_text(values: list[str], name: str | None) -> str:
    where = f"the WSDL's `{name}`" if name else "the WSDL"
    if len(values) <= LISTED:
        return ", ".join(f"`{v}`" for v in values)
    return f"{len(values)} values of {where} (read from bingads' WSDL at run time; full list in {SCHEMA_LINK})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _names(name: str) -> str:
    """A property's name, then the native provider's: the package schema's camelCase (as package_schema names it)."""
    return f"`{name}` | `{naming.camel(name)}`"


def _anchor(title: str) -> str:
    return "#" + "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


class _Writer:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions

    @staticmethod
    def title(ref: str) -> str:
        name = ref.rsplit("/", 1)[-1]
        return _TYPE_TITLES.get(name, name)

    def describe(self, schema: dict[str, Any]) -> tuple[str, str]:
        """(type, values and limits) of one property's schema."""
        node = model_schema.option(schema)
        if "$ref" in node:
            title = self.title(node["$ref"])
            return f"[{title}]({_anchor(title)})", ""
        if "enum" in node:
            return "string", _enum_text(node["enum"], model_schema.wsdl_enums().get(tuple(node["enum"])))
        if node.get("type") == "object":
            return "map of string to string", "keys are not empty"
        return node.get("type", "any"), ", ".join(model_schema.limits(node))

    def inputs(self, schema: dict[str, Any], updatable: frozenset[str] | None = None) -> list[str]:
        """The table of a model's properties; ``updatable`` (default: all) are the ones an update sends."""
        rows = [
            "| Property | Native provider | Type | Required | Values and limits | Change | Description |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            kind, limits = self.describe(prop)
            if prop.get("x-replace-on-change"):
                replace = "replaces"
            elif updatable is None or name in updatable:
                replace = "updates"
            else:
                replace = "nothing"
            needed = "required" if name in required else "optional"
            description = model_schema.description(prop)
            rows.append(f"| {_names(name)} | {kind} | {needed} | {_cell(limits)} | {replace} | {_cell(description)} |")
        return rows


_TYPE_TITLES = {
    "PrimaryAccountModel": "Primary account",
    "BusinessAddressModel": "Business address",
    "AddressModel": "Address",
}


def _outputs(names: tuple[str, ...]) -> list[str]:
    rows = ["| Property | Native provider | Type | Values | Description |", "| --- | --- | --- | --- | --- |"]
    for name in names:
        description = model_schema.output_description(name)
        enum = model_schema.output_enum(name)
        values = _enum_text(list(wsdl.enum_values(enum)), enum) if enum else ""
        rows.append(f"| {_names(name)} | string | {_cell(values)} | {_cell(description)} |")
    return rows


def _resource(kind: model_schema.Kind, token: str, updatable: frozenset[str]) -> tuple[list[str], _Writer]:
    title, model = kind.name, kind.model
    schema = model.model_json_schema()
    writer = _Writer(schema.get("$defs", {}))
    lines = [
        f"## {title}",
        "",
        f"`pulumi_msads.{title}`, type `{token}`; on the native provider `{package_schema.token(title)}`. "
        f"{model.__doc__ or ''}".strip(),
        "",
        f"`pulumi import` (native provider only) takes {kind.import_id}: "
        + ", ".join(f"`{command}`" for command in package_schema.import_commands(kind))
        + ".",
        "",
        "### Inputs",
        "",
        *writer.inputs(schema, updatable),
        "",
        "### Outputs",
        "",
        "Every input is an output too, with the value last read from the service. Output only:",
        "",
        *_outputs(kind.outputs),
        "",
    ]
    return lines, writer


def _native_configuration(document: dict[str, Any]) -> list[str]:
    """The native provider's settings as its package schema declares them: the config keys, which an explicit
    provider takes as inputs of the same names."""
    rows = [
        "## Native provider configuration",
        "",
        f"From the package schema ([schema.json](../provider/pulumi_msads/schema.json), version "
        f"{document['version']}): each setting is the stack configuration key `{package_schema.NAME}:<setting>` "
        "and an input of the same name on an explicit provider. **Secret** settings are stored encrypted.",
        "",
        "| Setting | Type | Secret | Description |",
        "| --- | --- | --- | --- |",
    ]
    for name, spec in document["config"]["variables"].items():
        kind = spec.get("type", "")
        if "$ref" in spec:
            enum = document["types"][spec["$ref"].removeprefix("#/types/")]
            kind = "one of " + ", ".join(f"`{v['value']}`" for v in enum["enum"])
        secret = "secret" if spec.get("secret") else ""
        rows.append(f"| `{name}` | {kind} | {secret} | {_cell(spec['description'])} |")
    return [*rows, ""]


def generate() -> str:
    """The whole reference, as Markdown."""
    customer, customer_writer = _resource(
        model_schema.CUSTOMER,
        "pulumi-python:dynamic/msads:Customer",
        frozenset({f.prop for f in fields.customer_fields()} | {"account"}),
    )
    account, _ = _resource(
        model_schema.ACCOUNT, "pulumi-python:dynamic/msads:Account", frozenset(f.prop for f in fields.account_fields())
    )
    types: list[str] = []
    for name in ("PrimaryAccountModel", "BusinessAddressModel", "AddressModel"):
        schema = customer_writer.definitions[name]
        title = _TYPE_TITLES[name]
        types += [f"### {title}", "", schema.get("description", ""), "", *customer_writer.inputs(schema), ""]
    head = [
        "# Resource reference",
        "",
        f"<!-- Generated from the provider's models and package schema by `{COMMAND}`; do not edit by hand. -->",
        "",
        "Property names are the same in a Pulumi program (`CustomerArgs`, `AccountArgs`, or plain mappings),",
        "in the GitOps file (see [gitops.md](gitops.md)) and, in PascalCase, in the Customer Management API.",
        "Every input is checked before any call; an invalid value fails `pulumi preview` with its path and what",
        "is allowed. An optional property left out is not managed: the service keeps its value and it never",
        "shows as a difference. On the native provider (`msads:index:Customer`, `msads:index:Account`, in any",
        "language) the same properties carry the package schema's camelCase names (column **Native provider**).",
        "",
        "**Change** says what changing a value after creation does: `updates` it in place; `replaces` the",
        "resource, because the API cannot change it (deleted and created again; for a property of a",
        "Customer's primary account, the whole Customer); `nothing`, for a value only read at creation.",
        "",
        f"Both resources also keep `{MANAGED}` in their state: the property paths the program declares",
        "(`name`, `account.time_zone`, ...). `pulumi refresh` hands back exactly those as inputs, with their",
        "live values, so a preview after a refresh shows only what the program declares.",
        "",
    ]
    configuration = _native_configuration(package_schema.generate())
    return "\n".join([*head, *customer, *account, "## Types", "", *types, *configuration]).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate())
