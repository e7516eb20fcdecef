"""Bodies in the SOAP shape <-> the REST API's JSON, both ways, by the WSDL's own types.

The provider's client and the emulator's rules work on one shape of body: what zeep makes of a
SOAP message (``serialize_object``): array types as a wrapper with the item element's name
(``{"AccountInfo": [...]}``), ``xs:long`` as int, ``TimeStamp`` as bytes, ``xs:dateTime`` as
datetime, key/value pairs as ``{"key": ..., "value": ...}``. The REST face of the same service
(``customer-management-rest.md`` beside the reference notes, as Microsoft's ``msads`` SDK writes
and reads it) differs only in encoding: longs are strings, base64Binary is its base64 text, a
dateTime is ISO text, arrays are bare JSON lists, an ``xs:list`` is one ``", "``-joined string,
and pairs are ``Key``/``Value``. So one walk over the WSDL's type of each field converts a body
either way, for the client's REST transport and for the emulator's REST face alike; no field or
type is listed here by hand.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from . import wsdl

Body = dict[str, Any]
Kind = Literal["long", "base64", "datetime", "list", "number", "scalar", "array", "complex"]
XS = f"{{{wsdl.XSD_NS}}}"
_NUMBERS = frozenset({"int", "short", "unsignedByte", "byte", "double", "float", "decimal", "unsignedInt"})
_PAIR_KEYS = {"key": "Key", "value": "Value"}


class CodecError(ValueError):
    """A JSON value that cannot be what the WSDL says the field is (a long that is not digits, ...)."""


@dataclass(frozen=True)
class Field:
    name: str
    type_name: str


@dataclass(frozen=True)
class TypeInfo:
    """How values of one XSD type are encoded: its kind, and for complex and array types their parts."""

    kind: Kind
    fields: tuple[Field, ...] = ()
    item: Field | None = None
    """An array type's one repeated element (``AccountInfo`` of ``ArrayOfAccountInfo``)."""


def _local(qname: str | None) -> str:
    return (qname or "").rsplit(":", 1)[-1]


@functools.cache
def _definitions() -> dict[str, etree._Element]:
    """Every named simple and complex type of the WSDL's schemas, by local name (they do not collide)."""
    found: dict[str, etree._Element] = {}
    for schema in wsdl._schemas().values():
        for node in schema:
            if node.tag in (f"{XS}complexType", f"{XS}simpleType") and node.get("name"):
                found.setdefault(node.get("name", ""), node)
    return found


@functools.cache
def _elements() -> dict[str, etree._Element]:
    """The service's top-level elements (``GetAccountRequest``, ``GetAccountResponse``, faults), by name."""
    found: dict[str, etree._Element] = {}
    for schema in wsdl._schemas().values():
        for node in schema.findall(f"{XS}element"):
            found.setdefault(node.get("name", ""), node)
    return found


def _sequence(complex_type: etree._Element) -> list[Field]:
    fields: list[Field] = []
    extension = complex_type.find(f".//{XS}extension")
    if extension is not None:
        fields += list(type_info(_local(extension.get("base"))).fields)
    for element in complex_type.iter(f"{XS}element"):
        fields.append(Field(element.get("name", ""), _local(element.get("type"))))
    return fields


@functools.cache
def type_info(type_name: str) -> TypeInfo:
    """How a value of the named XSD type is encoded; unknown names (xs:string, ...) are scalars."""
    if type_name == "long":
        return TypeInfo("long")
    if type_name == "base64Binary":
        return TypeInfo("base64")
    if type_name == "dateTime":
        return TypeInfo("datetime")
    if type_name in _NUMBERS:
        return TypeInfo("number")
    node = _definitions().get(type_name)
    if node is None:
        return TypeInfo("scalar")
    if node.tag == f"{XS}simpleType":
        return TypeInfo("list" if node.find(f"{XS}list") is not None else "scalar")
    elements = node.findall(f"{XS}sequence/{XS}element")
    if len(elements) == 1 and elements[0].get("maxOccurs") == "unbounded" and node.find(f".//{XS}extension") is None:
        only = elements[0]
        return TypeInfo("array", item=Field(only.get("name", ""), _local(only.get("type"))))
    return TypeInfo("complex", fields=tuple(_sequence(node)))


@functools.cache
def element_info(element_name: str) -> TypeInfo:
    """The type of a top-level element such as ``GetAccountRequest``, inline or named."""
    node = _elements().get(element_name)
    if node is None:
        raise KeyError(f"no element named {element_name!r} in the WSDL")
    if node.get("type"):
        return type_info(_local(node.get("type")))
    inline = node.find(f"{XS}complexType")
    return TypeInfo("complex", fields=tuple(_sequence(inline))) if inline is not None else TypeInfo("complex")


# -- to JSON ----------------------------------------------------------------------------------------------------


def to_json(info: TypeInfo, value: Any) -> Any:
    """A value in the SOAP shape as the REST API writes it."""
    if value is None:
        return None
    if info.kind == "long":
        return str(value)
    if info.kind == "base64":
        return value if isinstance(value, str) else base64.b64encode(value).decode("ascii")
    if info.kind == "datetime":
        return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else str(value)
    if info.kind == "number":
        if isinstance(value, str):  # a Decimal kept as text: the REST API writes numbers as numbers
            try:
                return float(value) if "." in value or "e" in value.lower() else int(value)
            except ValueError:
                return value
        return float(value) if isinstance(value, decimal.Decimal) else value
    if info.kind == "list":
        return ", ".join(value) if isinstance(value, (list, tuple)) else str(value)
    if info.kind == "array":
        assert info.item is not None
        items = value.get(info.item.name) if isinstance(value, dict) else value
        item_info = type_info(info.item.type_name)
        return [to_json(item_info, item) for item in (items or []) if item is not None]
    if info.kind == "complex" and isinstance(value, dict):
        known = {f.name: f.type_name for f in info.fields}
        out = {}
        for key, item in value.items():
            name = _PAIR_KEYS.get(key, key) if key in _PAIR_KEYS and key in known else key
            out[name] = to_json(type_info(known[key]), item) if key in known else item
        return out
    return value


# -- from JSON --------------------------------------------------------------------------------------------------

_FRACTION = re.compile(r"(\.\d{6})\d+")


def _datetime(text: str, where: str) -> dt.datetime:
    """ISO text as the REST API writes it: 7-digit fractions (.NET) and a ``Z`` suffix included."""
    try:
        return dt.datetime.fromisoformat(_FRACTION.sub(r"\1", text).replace("Z", "+00:00"))
    except ValueError:
        raise CodecError(f"{where or 'value'}: {text!r} is not an ISO-8601 date and time") from None


def from_json(info: TypeInfo, value: Any, where: str = "", *, strict: bool = True) -> Any:
    """A REST JSON value in the SOAP shape; CodecError names the field when it cannot be that type.

    ``strict`` refuses a long written as a JSON number, as Microsoft's SDK does: the emulator reads
    requests strictly. The client reads answers with ``strict=False``, since whether the live
    service ever writes a number is unconfirmed and an id is an id either way.
    """
    if value is None:
        return None
    if info.kind == "long":
        if isinstance(value, bool) or (strict and not isinstance(value, str)):
            raise CodecError(f"{where or 'value'}: {value!r} is not a long (an id as a string of digits)")
        if not re.fullmatch(r"-?\d{1,19}", str(value)):
            raise CodecError(f"{where or 'value'}: {value!r} is not a long (an id as a string of digits)")
        return int(value)
    if info.kind == "base64":
        try:
            return base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise CodecError(f"{where or 'value'}: {value!r} is not base64") from None
    if info.kind == "datetime":
        return _datetime(str(value), where)
    if info.kind == "list":
        names = value if isinstance(value, list) else str(value).split(",")
        return [name.strip() for name in names if name.strip() and name.strip() != "None"]
    if info.kind == "array":
        assert info.item is not None
        if not isinstance(value, list):
            raise CodecError(f"{where or 'value'}: expected a JSON array")
        item_info = type_info(info.item.type_name)
        items = [from_json(item_info, item, f"{where}[{i}]", strict=strict) for i, item in enumerate(value)]
        return {info.item.name: items}
    if info.kind == "complex" and isinstance(value, dict):
        known = {f.name: f.type_name for f in info.fields}
        by_pair = {wire.casefold(): soap for soap, wire in _PAIR_KEYS.items() if soap in known}
        out = {}
        for key, item in value.items():
            name = by_pair.get(str(key).casefold(), str(key))  # Key/Value, as the SDK writes; key/value, as docs do
            path = f"{where}.{name}" if where else name
            out[name] = from_json(type_info(known[name]), item, path, strict=strict) if name in known else item
        return out
    return value


# -- whole messages ---------------------------------------------------------------------------------------------


def request_to_json(operation: str, body: Body) -> Body:
    encoded: Body = to_json(element_info(f"{operation}Request"), body)
    return encoded


def request_from_json(operation: str, data: Body) -> Body:
    decoded: Body = from_json(element_info(f"{operation}Request"), data)
    return decoded


def response_to_json(operation: str, body: Body) -> Body:
    encoded: Body = to_json(element_info(f"{operation}Response"), body)
    return encoded


def response_from_json(operation: str, data: Body) -> Body:
    decoded: Body = from_json(element_info(f"{operation}Response"), data, strict=False)
    return decoded
