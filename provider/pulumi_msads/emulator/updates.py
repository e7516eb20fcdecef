"""What an update does to the fields it is sent: the two readings of the documentation.

updateaccount.md and updatecustomer.md say "This operation performs a full update, and not a
partial update": every settable field is replaced by what is sent, and a field left out is
cleared (``OVERWRITE``). The field tables of advertiseraccount.md, address.md and customer.md say,
field by field, "Update: Optional. If no value is set for the update, this setting is not
changed" (``PER_FIELD``, the default): a field left out (nil) keeps its value, an empty string
clears a text field, and TaxInformation is merged key by key, a key sent with an empty value
being removed ("To remove a key and value pair, set the key and then set the value to an empty
string"). The emulator answers by one reading (``--update-semantics``); the provider is tested
against both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from .entities import Body, pairs, plain
from .taxes import as_dict

Semantics = Literal["per-field", "overwrite"]
PER_FIELD: Semantics = "per-field"
OVERWRITE: Semantics = "overwrite"
SEMANTICS: tuple[Semantics, ...] = (PER_FIELD, OVERWRITE)

ADDRESS_FIELDS = ("CustomerAddress", "BusinessAddress")
MERGED_MAPS = ("TaxInformation",)
"""Merged key by key under the per-field reading; ForwardCompatibilityMap, which the field tables
say nothing about, is replaced whole when sent under both."""
KEPT_WHEN_OMITTED = ("ForwardCompatibilityMap", "BusinessAddress")
"""Under full overwrite, these keep their value when left out: ForwardCompatibilityMap by the
documentation (services-protocol.md); BusinessAddress by our choice, since clearing a required
address makes no sense and it is read-only for invoice accounts."""


def _text(value: Any) -> Any:
    """An empty string is no value: stored as none."""
    return None if value == "" else value


def _address(stored: Any, sent: Any, semantics: Semantics) -> Any:
    if sent is None:
        return stored
    if semantics == OVERWRITE or not stored:
        result = {k: _text(plain(v)) for k, v in sent.items()}
    else:
        result = dict(stored)
        for name, value in sent.items():
            if value is not None:
                result[name] = _text(plain(value))
    result["Id"] = sent.get("Id") or (stored or {}).get("Id")
    return result


def _map(name: str, stored: Any, sent: Any, semantics: Semantics) -> Any:
    if sent is None:
        return stored
    merged = as_dict(stored) if semantics == PER_FIELD and name in MERGED_MAPS else {}
    for pair in sent.get("KeyValuePairOfstringstring") or []:
        key, value = pair.get("key"), pair.get("value")
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    return pairs(merged)


def merged(stored: Body, sent: Body, names: Iterable[str], semantics: Semantics) -> Body:
    """The stored entity after an update that sent ``sent``, for the settable fields ``names``.

    Read-only fields keep their stored values whatever was sent. The addresses' Ids are the
    caller's to assign (``addresses.stored``).
    """
    body = dict(stored)
    for name in names:
        value = sent.get(name)
        if value is None:
            if semantics == OVERWRITE and name not in KEPT_WHEN_OMITTED:
                body[name] = None
            continue
        if name in ADDRESS_FIELDS:
            body[name] = _address(stored.get(name), value, semantics)
        elif isinstance(value, dict) and "KeyValuePairOfstringstring" in value:
            body[name] = _map(name, stored.get(name), value, semantics)
        else:
            body[name] = _text(plain(value))
    return body
