"""The resource reference (docs/reference.md), generated from the models and the resources' outputs.

Inputs come from the pydantic models' JSON Schemas (types, limits, descriptions, the
``x-replace-on-change`` marks), enumerations from the WSDL, output names from ``resources``.
Regenerate with ``python -m pulumi_msads.reference > docs/reference.md``; a test fails when the
committed file differs from a fresh generation.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from pydantic import BaseModel

from . import fields, naming, wsdl
from .models import AccountModel, CustomerModel
from .providers import MANAGED
from .resources import ACCOUNT_OUTPUTS, CUSTOMER_OUTPUTS

COMMAND = "python -m pulumi_msads.reference > docs/reference.md"
SCHEMA_LINK = "[accounts.schema.json](../examples/gitops/accounts.schema.json)"
LISTED = 25
"""Enumerations with more values than this get a count and a pointer instead of the list."""

OUTPUTS: dict[str, str] = {
    "customer_id": "The customer's id, a number as a string; also the Customer resource's id.",
    "customer_number": "The customer's number, the one the web UI shows.",
    "customer_life_cycle_status": "The customer's status.",
    "customer_financial_status": "The customer's credit status.",
    "account_id": "The account's id, a number as a string.",
    "account_number": "The account's number, the one the web UI shows.",
    "account_life_cycle_status": "The account's status: an account added with AddAccount stays Draft until billing "
    "is set up.",
    "account_financial_status": "The account's credit status.",
    "create_time": "When the service created it (ISO 8601), as the create call returned; kept in state.",
    "last_modified_time": "When it was last changed (ISO 8601), as last read from the service.",
    "parent_customer_id": "The aggregator customer that owns this one: the declared one, else the one the "
    "provider resolved (msads:parentCustomerId, or the caller's only aggregator).",
}
"""What each output-only property means; a missing entry fails the generation (and so the test)."""


@functools.cache
def _wsdl_enums() -> dict[tuple[str, ...], str]:
    """Every enumeration of the WSDL's entities, by its values."""
    names = {n.get("name", "") for n in wsdl.wsdl_document().iter(f"{{{wsdl.XSD_NS}}}simpleType")}
    found: dict[tuple[str, ...], str] = {}
    for name in sorted(names):
        try:
            found.setdefault(wsdl.enum_values(name), name)
        except KeyError:
            continue
    return found


def _enum_text(values: list[str], name: str | None) -> str:
    where = f"the WSDL's `{name}`" if name else "the WSDL"
    if len(values) <= LISTED:
        return ", ".join(f"`{v}`" for v in values)
    return f"{len(values)} values of {where} (read from bingads' WSDL at run time; full list in {SCHEMA_LINK})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
        options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
        node = options[0]
        if "$ref" in node:
            title = self.title(node["$ref"])
            return f"[{title}]({_anchor(title)})", ""
        if "enum" in node:
            return "string", _enum_text(node["enum"], _wsdl_enums().get(tuple(node["enum"])))
        if node.get("type") == "object":
            return "map of string to string", "keys are not empty"
        limits = []
        low, high = node.get("minLength"), node.get("maxLength")
        if low and high:
            limits.append(f"{low} to {high} characters")
        elif high:
            limits.append(f"at most {high} characters")
        elif low:
            limits.append(f"at least {low} character{'s' if low > 1 else ''}")
        if "pattern" in node:
            limits.append(f"matches `{node['pattern']}`")
        return node.get("type", "any"), ", ".join(limits)

    def inputs(self, schema: dict[str, Any], updatable: frozenset[str] | None = None) -> list[str]:
        """The table of a model's properties; ``updatable`` (default: all) are the ones an update sends."""
        rows = [
            "| Property | Type | Required | Values and limits | Change | Description |",
            "| --- | --- | --- | --- | --- | --- |",
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
            description = prop.get("description") or next(
                (o.get("description", "") for o in prop.get("anyOf", []) if o.get("description")), ""
            )
            rows.append(f"| `{name}` | {kind} | {needed} | {_cell(limits)} | {replace} | {_cell(description)} |")
        return rows


_TYPE_TITLES = {
    "PrimaryAccountModel": "Primary account",
    "BusinessAddressModel": "Business address",
    "AddressModel": "Address",
}


def _outputs(names: tuple[str, ...]) -> list[str]:
    rows = ["| Property | Type | Values | Description |", "| --- | --- | --- | --- |"]
    for name in names:
        try:
            description = OUTPUTS[name]
        except KeyError:
            raise KeyError(f"no description for output {name!r}: add it to reference.OUTPUTS") from None
        try:
            values = _enum_text(list(wsdl.enum_values(naming.pascal(name))), naming.pascal(name))
        except KeyError:
            values = ""
        rows.append(f"| `{name}` | string | {_cell(values)} | {_cell(description)} |")
    return rows


def _resource(
    title: str, token: str, model: type[BaseModel], updatable: frozenset[str], outputs: tuple[str, ...]
) -> tuple[list[str], _Writer]:
    schema = model.model_json_schema()
    writer = _Writer(schema.get("$defs", {}))
    lines = [
        f"## {title}",
        "",
        f"`pulumi_msads.{title}`, type `{token}`. {model.__doc__ or ''}".strip(),
        "",
        "### Inputs",
        "",
        *writer.inputs(schema, updatable),
        "",
        "### Outputs",
        "",
        "Every input is an output too, with the value last read from the service. Output only:",
        "",
        *_outputs(outputs),
        "",
    ]
    return lines, writer


def generate() -> str:
    """The whole reference, as Markdown."""
    customer, customer_writer = _resource(
        "Customer",
        "pulumi-python:dynamic/msads:Customer",
        CustomerModel,
        frozenset({f.prop for f in fields.customer_fields()} | {"account"}),
        (*CUSTOMER_OUTPUTS, "parent_customer_id"),
    )
    account, _ = _resource(
        "Account",
        "pulumi-python:dynamic/msads:Account",
        AccountModel,
        frozenset(f.prop for f in fields.account_fields()),
        ACCOUNT_OUTPUTS,
    )
    types: list[str] = []
    for name in ("PrimaryAccountModel", "BusinessAddressModel", "AddressModel"):
        schema = customer_writer.definitions[name]
        title = _TYPE_TITLES[name]
        types += [f"### {title}", "", schema.get("description", ""), "", *customer_writer.inputs(schema), ""]
    head = [
        "# Resource reference",
        "",
        f"<!-- Generated from the provider's models by `{COMMAND}`; do not edit by hand. -->",
        "",
        "Property names are the same in a Pulumi program (`CustomerArgs`, `AccountArgs`, or plain mappings),",
        "in the GitOps file (see [gitops.md](gitops.md)) and, in PascalCase, in the Customer Management API.",
        "Every input is checked before any call; an invalid value fails `pulumi preview` with its path and what",
        "is allowed. An optional property left out is not managed: the service keeps its value and it never",
        "shows as a difference.",
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
    return "\n".join([*head, *customer, *account, "## Types", "", *types]).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate())
