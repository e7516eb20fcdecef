"""The TaxInformation rules of advertiseraccount.md's "AdvertiserAccount TaxInformation" table.

Which keys exist, for which countries, which a new account must carry and which cannot change
once the account exists all come from ``rules.TAX_KEYS``, the table the provider's check uses too.
"""

from __future__ import annotations

from typing import Any

from .. import rules
from .entities import kvps
from .errors import ErrorItem


def as_dict(value: Any) -> dict[str, str]:
    """TaxInformation pairs as a dict, without empty values (an empty value removes its key)."""
    return {p["key"]: p["value"] for p in kvps(value) if p.get("key") and p.get("value") not in (None, "")}


def _key_errors(sent: Any, country: str | None, path: str) -> list[ErrorItem]:
    keys = [str(p.get("key")) for p in kvps(sent)]
    return [ErrorItem(p.code, f"{path} key {p.field!r} {p.message}.") for p in rules.tax_key_problems(keys, country)]


def add_errors(sent: Any, address: Any, path: str) -> list[ErrorItem]:
    """A new account's tax keys: known, of its business country, and the ones that country requires."""
    country, city = (address or {}).get("CountryCode"), (address or {}).get("City")
    missing = rules.missing_tax_keys(list(as_dict(sent)), country, city)
    return _key_errors(sent, country, path) + [ErrorItem(p.code, f"{path}: {p.message}.") for p in missing]


def update_errors(sent: Any, stored: Any, result: Any, address: Any, path: str) -> list[ErrorItem]:
    """An update's tax keys: known, of the business country, and no read-only key changed or removed.

    The table marks GSTINNumber, GSTNumber, NZGSTNumber, PanNumber and VATNumber "Update: Read-only".
    Whether the service ignores such a change or refuses it is not documented: refused here (201,
    our choice), so that a client that relies on the change is caught.
    """
    if sent is None:
        return []
    found = _key_errors(sent, (address or {}).get("CountryCode"), path)
    for key in rules.read_only_tax_changes(as_dict(stored), as_dict(result)):
        found.append(
            ErrorItem(201, f"{path} key {key!r} is read-only on update: it cannot be added, changed or removed.")
        )
    return found
