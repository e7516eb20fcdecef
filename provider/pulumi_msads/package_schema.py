"""The Pulumi package schema of ``msads``: the first step of a native provider (issue 15).

A native plugin (``pulumi-resource-msads``) serves ``msads:index:Customer`` and ``msads:index:Account``
from this schema, and SDKs are generated from it. Everything in it is derived from what the dynamic
provider already runs on, read through ``model_schema`` as the reference (``reference``) reads it:

- inputs, their types, required inputs, descriptions and limits, and ``replaceOnChanges`` from the
  pydantic models' JSON Schemas (the ``x-replace-on-change`` marks); nested models become object
  types named after the model (``BusinessAddressModel`` -> ``msads:index:BusinessAddress``);
- enumerations from the WSDL (``wsdl.enum_values``), in the WSDL's order, as enum types named after
  the WSDL's type (``msads:index:CurrencyCode``); a value set that is no WSDL type (``deletion_policy``,
  ``msads:environment``) is named after its property;
- output-only properties from ``resources`` (``model_schema.KINDS``), with ``model_schema.OUTPUTS``;
- configuration from ``config``: the keys (``KEYS``), their types (``ProviderConfig`` and
  ``RetryPolicy``), descriptions (``DESCRIPTIONS``) and secrets (``SECRET_SETTINGS``).

Property names are camelCase, as Pulumi schemas and SDKs name them (``market_country`` ->
``marketCountry``), through ``naming.camel``; the native provider translates between these names
and the snake_case properties the dynamic provider and the models use through that one function
and its inverse, ``naming.snake``. Descriptions that name a property get its schema name too
(``set adopt_id`` -> ``set adoptId``; ``schema_names``).

Regenerate with ``python -m pulumi_msads.package_schema > provider/pulumi_msads/schema.json``; a test
fails when the committed file differs from a fresh generation.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
import sys
import types
import typing
from typing import Any

from . import config, model_schema, wsdl
from .naming import camel, pascal

NAME = "msads"
DISTRIBUTION = "pulumi-msads"
COMMAND = "python -m pulumi_msads.package_schema > provider/pulumi_msads/schema.json"
Spec = dict[str, Any]


_SNAKE_WORD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@functools.cache
def property_names() -> frozenset[str]:
    """Every property of the resources and their nested models, as the models name them."""
    names: set[str] = set()
    for kind in model_schema.KINDS:
        schema = kind.model.model_json_schema()
        for node in (schema, *schema.get("$defs", {}).values()):
            names.update(node.get("properties", {}))
        names.update(kind.outputs)
    return frozenset(names)


def schema_names(text: str) -> str:
    """``text`` with the properties it names as the models do (``adopt_id``) named as the schema does (``adoptId``)."""
    names = property_names()
    return _SNAKE_WORD.sub(lambda word: camel(word[0]) if word[0] in names else word[0], text)


def token(name: str) -> str:
    return f"{NAME}:index:{name}"


def import_commands(kind: model_schema.Kind) -> list[str]:
    """``pulumi import`` of each of the resource's example ids, as the schema and the reference show them."""
    return [f"pulumi import {token(kind.name)} <name> {example}" for example in kind.import_examples]


def import_section(kind: model_schema.Kind) -> str:
    """The ``## Import`` part of a resource's description, the section Pulumi's docs and SDKs show for it."""
    commands = "\n".join(f"$ {command}" for command in import_commands(kind))
    return f"## Import\n\nThe id to import is {kind.import_id}.\n\n```sh\n{commands}\n```"


def ref(name: str) -> Spec:
    return {"$ref": f"#/types/{token(name)}"}


class _Builder:
    """Builds property specs, collecting the object and enum types they refer to."""

    def __init__(self) -> None:
        self.types: dict[str, Spec] = {}

    def _add(self, name: str, spec: Spec) -> Spec:
        known = self.types.setdefault(token(name), spec)
        if known != spec:
            raise ValueError(f"two different types would be named {token(name)}")
        return ref(name)

    def enum(self, name: str, values: tuple[Any, ...], description: str) -> Spec:
        kind = {bool: "boolean", int: "integer", float: "number"}.get(type(values[0]), "string")
        spec = {"type": kind, "description": description, "enum": [{"value": v} for v in values]}
        return self._add(name, spec)

    def wsdl_enum(self, name: str) -> Spec:
        return self.enum(name, wsdl.enum_values(name), f"The WSDL's `{name}` enumeration, in the WSDL's order.")

    def value_type(self, prop: str, node: Spec, definitions: dict[str, Spec]) -> Spec:
        """The type of one value: a reference to an object or enum type, a map, or a primitive."""
        if "$ref" in node:
            model = node["$ref"].rsplit("/", 1)[-1]
            self.object_type(model, definitions)
            return ref(model.removesuffix("Model"))
        if "enum" in node:
            values = tuple(node["enum"])
            wsdl_name = model_schema.wsdl_enums().get(values)
            if wsdl_name:
                return self.wsdl_enum(wsdl_name)
            return self.enum(pascal(prop), values, f"The values of `{camel(prop)}`.")
        if node.get("type") == "object":
            items = node.get("additionalProperties")
            return {"type": "object", "additionalProperties": self.value_type(prop, items or {"type": "string"}, {})}
        if node.get("type") not in ("string", "boolean", "integer", "number"):
            raise ValueError(f"{prop}: no package schema type for {node}")
        return {"type": node["type"]}

    def property(self, prop: str, schema: Spec, definitions: dict[str, Spec]) -> Spec:
        node = model_schema.option(schema)
        description = schema_names(model_schema.description(schema))
        if not description:
            raise ValueError(f"{prop} has no description: give its model field one")
        limits = model_schema.limits(node)
        spec = {
            **self.value_type(prop, node, definitions),
            "description": f"{description} Limits: {', '.join(limits)}." if limits else description,
        }
        if schema.get("x-replace-on-change"):
            spec["replaceOnChanges"] = True
        return spec

    def properties(self, schema: Spec, definitions: dict[str, Spec]) -> tuple[dict[str, Spec], list[str]]:
        """(property specs, required names) of one model's JSON Schema."""
        specs = {camel(n): self.property(n, p, definitions) for n, p in schema["properties"].items()}
        return specs, [camel(n) for n in schema.get("required", [])]

    def object_type(self, model: str, definitions: dict[str, Spec]) -> None:
        name = model.removesuffix("Model")
        if token(name) in self.types:
            return
        schema = definitions[model]
        self.types[token(name)] = {}  # claimed first: a model that refers to itself ends here
        properties, required = self.properties(schema, definitions)
        spec: Spec = {"type": "object", "description": schema_names(schema["description"]), "properties": properties}
        if required:
            spec["required"] = required
        self.types[token(name)] = spec

    def resource(self, kind: model_schema.Kind) -> Spec:
        schema = kind.model.model_json_schema()
        inputs, required_inputs = self.properties(schema, schema.get("$defs", {}))
        outputs: dict[str, Spec] = {}
        for name in kind.outputs:
            enum = model_schema.output_enum(name)
            base = inputs.get(camel(name)) or (self.wsdl_enum(enum) if enum else {"type": "string"})
            outputs[camel(name)] = {**base, "description": schema_names(model_schema.output_description(name))}
        return {
            "description": f"{schema_names(schema['description'])}\n\n{import_section(kind)}",
            "inputProperties": inputs,
            "requiredInputs": required_inputs,
            "properties": {**inputs, **outputs},
            "required": [*required_inputs, *(n for n in outputs if n not in required_inputs)],
        }

    def setting(self, name: str) -> Spec:
        """One configuration setting, typed from ``ProviderConfig`` (or its ``RetryPolicy``)."""
        key, variable = config.KEYS[name]
        hint = _setting_hint(name)
        options = [a for a in typing.get_args(hint) if a is not type(None)] if _is_union(hint) else [hint]
        if len(options) != 1:
            raise ValueError(f"setting {name}: no package schema type for {hint}")
        kind = options[0]
        if typing.get_origin(kind) is typing.Literal:
            spec = self.enum(pascal(name), typing.get_args(kind), f"The values of `{key}`.")
        elif kind in (str, config.Secret):
            spec = {"type": "string"}
        elif kind in (int, float, bool):
            spec = {"type": {int: "integer", float: "number", bool: "boolean"}[kind]}
        else:
            raise ValueError(f"setting {name}: no package schema type for {kind}")
        try:
            description = config.DESCRIPTIONS[name]
        except KeyError:
            raise KeyError(f"no description for setting {name!r}: add it to config.DESCRIPTIONS") from None
        spec = {**spec, "description": f"{description} Also read from `{variable}`."}
        if name in config.SECRET_SETTINGS:
            spec["secret"] = True
        return spec


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _setting_hint(name: str) -> Any:
    """The type of a setting: its ``ProviderConfig`` field, else its ``RetryPolicy`` one (``retry_budget`` is
    ``budget``), as ``ProviderConfig.from_sources`` reads them."""
    hints = typing.get_type_hints(config.ProviderConfig)
    if name in hints:
        return hints[name]
    retry = typing.get_type_hints(config.RetryPolicy)
    for field in (name, name.removeprefix("retry_")):
        if field in retry:
            return retry[field]
    raise KeyError(f"setting {name!r} is no field of ProviderConfig or RetryPolicy")


def generate() -> dict[str, Any]:
    """The package schema, as the JSON document's object."""
    builder = _Builder()
    resources = {token(kind.name): builder.resource(kind) for kind in model_schema.KINDS}
    variables: dict[str, Spec] = {}
    for name, (key, _) in config.KEYS.items():
        if not key.startswith(f"{NAME}:"):
            raise ValueError(f"configuration key {key!r} is not in the {NAME} namespace")
        variables[key.removeprefix(f"{NAME}:")] = builder.setting(name)
    metadata = importlib.metadata.metadata(DISTRIBUTION)
    return {
        "name": NAME,
        "displayName": "Microsoft Advertising",
        "description": "Microsoft Advertising (Bing Ads) customers and accounts, through the Customer Management "
        "API v13.",
        "keywords": ["pulumi", NAME, "microsoft-advertising", "bing-ads"],
        "license": metadata["License-Expression"] or metadata["License"] or "",
        "version": metadata["Version"],
        "config": {"variables": variables},
        "provider": {
            "description": f"The provider type of the {NAME} package: an explicit provider instance takes the "
            f"settings of the `{NAME}:*` configuration as its inputs.",
            "inputProperties": variables,
        },
        "resources": resources,
        "types": builder.types,
        "language": {
            # Not "pulumi_msads", the default for a package named msads: that is this project's own
            # package (the dynamic provider), and a generated SDK of that name would shadow it.
            # respectSchemaVersion: the SDKs ask the engine for the plugin's own version (the distribution's),
            # not the generators' placeholder 0.0.0, which made every refresh warn of an older msads package.
            "python": {"packageName": "pulumi_msads_sdk", "respectSchemaVersion": True},
            "nodejs": {"packageName": f"@pulumi-{NAME}/{NAME}", "respectSchemaVersion": True},
        },
    }


def text() -> str:
    """The schema as committed: sorted keys, two-space indents, a final newline."""
    return json.dumps(generate(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    sys.stdout.write(text())


if __name__ == "__main__":
    main()
