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
    found = []
    keys = [p.get("key") for p in kvps(sent)]
    for key in sorted({k for k in keys if keys.count(k) > 1}, key=str):
        found.append(ErrorItem(rules.TAX_INVALID_KEYS, f"{path} has the key {key!r} more than once."))
    for key in dict.fromkeys(keys):
        row = rules.TAX_KEYS.get(str(key))
        if row is None:
            allowed = ", ".join(rules.TAX_KEYS)
            found.append(ErrorItem(rules.TAX_INVALID_KEYS, f"{path} key {key!r} is not a tax key; allowed: {allowed}."))
        elif country not in row.countries:
            found.append(
                ErrorItem(
                    rules.TAX_NOT_APPLICABLE,
                    f"{path} key {key!r} applies to {', '.join(row.countries)}, not to the business address's "
                    f"country {country}.",
                )
            )
    return found


def add_errors(sent: Any, address: Any, path: str) -> list[ErrorItem]:
    """A new account's tax keys: known, of its business country, and the ones that country requires."""
    country, city = (address or {}).get("CountryCode"), (address or {}).get("City")
    found = _key_errors(sent, country, path)
    present = as_dict(sent)
    for options in rules.required_tax_keys(country, city):
        if not any(key in present for key in options):
            code = 1148 if options == ("PanNumber",) else 201
            found.append(ErrorItem(code, f"{path} needs {' or '.join(options)} for an account in {country}."))
    return found


def update_errors(sent: Any, stored: Any, result: Any, address: Any, path: str) -> list[ErrorItem]:
    """An update's tax keys: known, of the business country, and no read-only key changed or removed."""
    if sent is None:
        return []
    found = _key_errors(sent, (address or {}).get("CountryCode"), path)
    before, after = as_dict(stored), as_dict(result)
    for key, row in rules.TAX_KEYS.items():
        if row.read_only_on_update and before.get(key) != after.get(key):
            found.append(
                ErrorItem(201, f"{path} key {key!r} is read-only on update: it cannot be added, changed or removed.")
            )
    return found
