"""The one mapping between our snake_case properties and the API's PascalCase fields.

Written once, used both ways: ``to_api`` builds the values a write sends, ``from_api`` turns
what a read returns into properties. Which model fields are API fields, and whether each is a
scalar, an Address or a key/value array, is decided by the WSDL type the model stands for; the
API name of a property is its name in PascalCase (``market_country`` -> ``MarketCountry``).

Both directions end in ``normalize``, so a value read back compares equal to the same value as
declared: absent, ``None`` and an empty map are the same thing, map order does not matter, and
an address never carries its system-generated Id or TimeStamp.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from . import wsdl
from .models import AccountFieldsModel, AddressModel, CustomerModel
from .naming import pascal, snake

Kind = Literal["scalar", "address", "map"]
Props = dict[str, Any]

ADDRESS_SYSTEM_FIELDS = frozenset({"Id", "TimeStamp"})
KVP_ARRAY = "KeyValuePairOfstringstring"


@dataclass(frozen=True)
class ApiField:
    prop: str
    api: str
    kind: Kind
    replace: bool


@functools.cache
def api_fields(model: type[BaseModel], wsdl_type: str) -> tuple[ApiField, ...]:
    """The model's properties that are fields of ``wsdl_type``, with their API names and kinds."""
    specs = {spec.name: spec for spec in wsdl.complex_fields(wsdl_type)}
    fields = []
    for name, info in model.model_fields.items():
        spec = specs.get(pascal(name))
        if spec is None:
            continue
        kind: Kind = "address" if spec.type_name == "Address" else "map" if KVP_ARRAY in spec.type_name else "scalar"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        fields.append(ApiField(name, spec.name, kind, bool(extra.get("x-replace-on-change"))))
    return tuple(fields)


def customer_fields() -> tuple[ApiField, ...]:
    return api_fields(CustomerModel, "Customer")


def account_fields() -> tuple[ApiField, ...]:
    return api_fields(AccountFieldsModel, "AdvertiserAccount")


def address_props() -> tuple[tuple[str, str], ...]:
    """(property, API field) pairs of an address, system fields left out."""
    return tuple((snake(s.name), s.name) for s in wsdl.complex_fields("Address") if s.name not in ADDRESS_SYSTEM_FIELDS)


def _check_address_model() -> None:
    """Fail at import if the address model and the WSDL's Address type ever disagree."""
    wanted = {p for p, _ in address_props()}
    if set(AddressModel.model_fields) != wanted:
        raise RuntimeError(f"AddressModel fields {set(AddressModel.model_fields)} differ from the WSDL's {wanted}")


_check_address_model()


def normalize(value: Any) -> Any:
    """Drop None, empty strings and empty maps inside maps, at every depth; everything else stays.

    An empty string is no value to the service: a TaxInformation key sent empty is removed, an
    address line sent empty is cleared. Declaring one therefore compares equal to its absence.
    """
    if isinstance(value, dict):
        out = {k: normalize(v) for k, v in value.items() if v is not None and v != ""}
        return {k: v for k, v in out.items() if v is not None and v != {}}
    return value


def _value_to_api(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind == "address":
        return {api: value.get(prop) for prop, api in address_props()}
    if kind == "map":
        return {KVP_ARRAY: [{"key": k, "value": v} for k, v in sorted(value.items())]} if value else None
    return value


def _value_from_api(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind == "address":
        return normalize({prop: value.get(api) for prop, api in address_props()})
    if kind == "map":
        pairs = value.get(KVP_ARRAY) or [] if isinstance(value, dict) else []
        return {p["key"]: p["value"] for p in pairs if p.get("key") is not None and p.get("value") not in (None, "")}
    return value


def to_api(fields: tuple[ApiField, ...], props: Props) -> Props:
    """API values for the properties present in ``props`` (absent ones are not mentioned)."""
    return {f.api: _value_to_api(f.kind, props[f.prop]) for f in fields if f.prop in props}


def from_api(fields: tuple[ApiField, ...], entity: Props) -> Props:
    """Properties for every field of ``fields`` that ``entity`` (an API object) has a value for."""
    props: Props = normalize({f.prop: _value_from_api(f.kind, entity.get(f.api)) for f in fields})
    return props


def _cleared(kind: Kind, value: Any, previous: Any) -> Any:
    """``value`` with what it no longer has but ``previous`` had sent as empty strings.

    The service's pages disagree on what an update does to a field left out (docs/emulator.md,
    "Update semantics"): the operation pages say it is cleared, the field tables that it is kept.
    An empty string clears under both readings (for TaxInformation it is the documented way to
    remove a key), so a removed address line or tax key is sent as ``""``, never merely left out.
    """
    if kind == "address" and value is not None and isinstance(previous, dict):
        sent = {**value, "Id": previous.get("Id")}  # the same address, edited: keep its system id
        return {
            k: "" if v is None and previous.get(k) not in (None, "") and k not in ADDRESS_SYSTEM_FIELDS else v
            for k, v in sent.items()
        }
    if kind == "map":
        live = _value_from_api(kind, previous) or {}
        pairs = list((value or {}).get(KVP_ARRAY) or [])
        named = {p["key"] for p in pairs}
        pairs += [{"key": k, "value": ""} for k in sorted(live) if k not in named]
        return {KVP_ARRAY: pairs} if pairs else None
    return value


def apply(fields: tuple[ApiField, ...], entity: Props, props: Props) -> Props:
    """``entity`` (a fresh read) with the declared ``props`` written over it: the body of a full update."""
    updated = dict(entity)
    kinds = {f.api: f.kind for f in fields}
    for api, value in to_api(fields, props).items():
        updated[api] = _cleared(kinds[api], value, entity.get(api))
    return updated
