"""The service's documented input rules as data, for the emulator and the provider's check alike.

One table per rule, each citing the page of ``shared/reference/api-docs`` it comes from, so that
the emulator refuses exactly what the provider's ``check`` refuses before any call: the two faces
of one rule never drift apart. Enumerations are not here: they come from the WSDL (``wsdl``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

CUSTOMER_NAME_MAX = 90
"""customer.md, Name: "The name can contain a maximum of 90 characters"."""
ACCOUNT_NAME_MIN, ACCOUNT_NAME_MAX = 3, 100
"""advertiseraccount.md, Name: "between 3 and 100 characters"."""
ACCOUNTS_PER_CUSTOMER_MAX = 6
"""guides/entity-hierarchy-limits.md, Customers: "Each customer can have between one and six accounts"."""
AGGREGATOR_ROLE_ID, SUPER_ADMIN_ROLE_ID = 33, 41
"""customerrole.md #roleid: "33 - The user has the Aggregator role", "41 - ... the Super Admin role"."""


def aggregator_roles(user: dict[str, Any]) -> list[dict[str, Any]]:
    """A GetUser answer's CustomerRoles with RoleId 33 (the Aggregator role), as the emulator writes them
    and the provider reads them: the customers aggregated and the accounts signed up under them."""
    roles: list[dict[str, Any]] = (user.get("CustomerRoles") or {}).get("CustomerRole") or []
    return [r for r in roles if r.get("RoleId") == AGGREGATOR_ROLE_ID]


ADDRESS_LIMITS = {
    "BusinessName": 100,
    "City": 35,
    "Line1": 35,
    "Line2": 35,
    "Line3": 35,
    "Line4": 35,
    "PostalCode": 10,
}
"""address.md: the maximum number of characters of each field."""

ADDRESS_REQUIRED_ON_ADD = ("BusinessName", "City", "Line1", "CountryCode")
"""advertiseraccount.md, BusinessAddress, Add: BusinessName, City and Line1 "are required for all
countries"; address.md also makes CountryCode (and PostalCode, see below) required on add."""
ADDRESS_REQUIRED_ON_CHANGE = ("BusinessName", "City", "CountryCode", "Line1")
"""advertiseraccount.md, BusinessAddress, Update: "if you want to make any changes to the Address
then you must set its BusinessName, City, CountryCode, Line1, and StateOrProvince elements (where
applicable)"."""
COUNTRIES_NEEDING_POSTAL_CODE_AND_STATE = ("BR", "IN")
"""advertiseraccount.md, BusinessAddress: "For Brazil (BR) and India (IN), the PostalCode and
StateOrProvince elements are also required". address.md says PostalCode is required on add for
every country; the account page is the more specific one and is what the emulator enforces (see
docs/emulator.md, "Where the pages disagree")."""

ADDRESS_FIELD_CODES = {"City": 200, "Line1": 205, "Line3": 207, "PostalCode": 209}
"""Documented per-field address codes (operation-error-codes.md: "The Address City property is
invalid", ...). 209 is also TimestampNotMatch: the message tells them apart. Other fields have no
code of their own and are reported as 1140 BusinessAddressInvalid."""


@dataclass(frozen=True)
class TaxKey:
    """One row of advertiseraccount.md's "AdvertiserAccount TaxInformation" table."""

    key: str
    countries: tuple[str, ...]
    required_on_add: bool
    read_only_on_update: bool


EU_VAT_COUNTRIES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "GR", "ES", "FI", "FR", "GB", "HR",
    "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip
"""The VATNumber row's countries, by name in the table, here as country codes."""

TAX_KEYS = {
    row.key: row
    for row in (
        TaxKey("AUGSTNumber", ("AU",), required_on_add=True, read_only_on_update=False),
        TaxKey("CCM", ("BR",), required_on_add=False, read_only_on_update=False),
        TaxKey("CNPJ", ("BR",), required_on_add=False, read_only_on_update=False),
        TaxKey("CPF", ("BR",), required_on_add=False, read_only_on_update=False),
        TaxKey("GSTINNumber", ("IN",), required_on_add=False, read_only_on_update=True),
        TaxKey("GSTNumber", ("SG",), required_on_add=False, read_only_on_update=True),
        TaxKey("NZGSTNumber", ("NZ",), required_on_add=False, read_only_on_update=True),
        TaxKey("PanNumber", ("IN",), required_on_add=True, read_only_on_update=True),
        TaxKey("VATNumber", EU_VAT_COUNTRIES, required_on_add=False, read_only_on_update=True),
    )
}
"""CNPJ is required for business accounts and CPF for personal ones in Brazil: one of the two
(``ONE_OF_REQUIRED_ON_ADD``). CCM is required only in the city of Sao Paulo (``CCM_CITY``)."""
ONE_OF_REQUIRED_ON_ADD = {"BR": ("CNPJ", "CPF")}
CCM_CITY = "sao paulo"
PAN_REQUIRED, TAX_NOT_APPLICABLE, TAX_INVALID_KEYS = 1148, 1144, 1145
"""1148 "The PAN number is required."; 1144 "The tax information is not applicable for the business
address" (a key of another country); 1145 "invalid or duplicate keys". Other missing keys have no
code of their own: 201 ApiInputValidationError (our choice)."""


def required_tax_keys(country: str | None, city: str | None) -> list[tuple[str, ...]]:
    """The keys a new account in ``country`` must carry, each as the tuple of keys that satisfy it."""
    needed: list[tuple[str, ...]] = [
        (row.key,) for row in TAX_KEYS.values() if row.required_on_add and country in row.countries
    ]
    needed += [ONE_OF_REQUIRED_ON_ADD[country]] if country in ONE_OF_REQUIRED_ON_ADD else []
    if country == "BR" and fold_city(city) == CCM_CITY:
        needed.append(("CCM",))
    return needed


def fold_city(city: str | None) -> str:
    """A city name compared without case or accents: "São Paulo" is "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", city or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def has_country_prefix(state: str | None, country: str | None) -> bool:
    """address.md, StateOrProvince: "use the state or province code without country prefix" (WA, not US-WA)."""
    if not state or not country:
        return False
    return state.upper().startswith(country.upper() + "-")


def service_length(text: str) -> int:
    """A string's length as the service (.NET) counts it: UTF-16 code units, so an emoji counts two."""
    return len(text.encode("utf-16-le")) // 2


def xml_unsafe(text: str) -> str | None:
    """The first character XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF, lone surrogates), or None."""
    for char in text:
        point = ord(char)
        if point in (0x9, 0xA, 0xD):
            continue
        if point < 0x20 or 0xD800 <= point <= 0xDFFF or point in (0xFFFE, 0xFFFF):
            return char
    return None


@dataclass(frozen=True)
class Problem:
    """One broken rule: the API field, the service's error code, and what is wrong (without the path)."""

    field: str
    code: int
    message: str


def address_problems(address: dict[str, object], *, creating: bool) -> list[Problem]:
    """An address as the service would judge it (API field names): required on add, lengths, state prefix."""
    found = []
    if creating:
        for name in required_address_fields(address, ADDRESS_REQUIRED_ON_ADD):
            if not address.get(name):
                found.append(Problem(name, 1140, "is required" + _for_country(name, address)))
    for name, limit in ADDRESS_LIMITS.items():
        value = address.get(name)
        if isinstance(value, str) and service_length(value) > limit:
            code = ADDRESS_FIELD_CODES.get(name, 1140)
            found.append(Problem(name, code, f"is {service_length(value)} characters; at most {limit} are allowed"))
    prefixed = state_prefix_problem(address)
    return found + ([prefixed] if prefixed else [])


def state_prefix_problem(address: dict[str, object]) -> Problem | None:
    """address.md, StateOrProvince: the code without its country prefix (``WA``, not ``US-WA``)."""
    state, country = address.get("StateOrProvince"), address.get("CountryCode")
    if isinstance(state, str) and isinstance(country, str) and has_country_prefix(state, country):
        return Problem("StateOrProvince", 1140, f"{state!r} has a country prefix; use {state.split('-', 1)[1]!r}")
    return None


def required_address_fields(address: dict[str, object], base: tuple[str, ...]) -> list[str]:
    """``base``, and PostalCode and StateOrProvince where the address's country requires them."""
    needed = list(base)
    if address.get("CountryCode") in COUNTRIES_NEEDING_POSTAL_CODE_AND_STATE:
        needed += [n for n in ("PostalCode", "StateOrProvince") if n not in needed]
    return needed


def _for_country(name: str, address: dict[str, object]) -> str:
    if name in ("PostalCode", "StateOrProvince") and name not in ADDRESS_REQUIRED_ON_ADD:
        return f" for an address in {address.get('CountryCode')}"
    return ""


def tax_key_problems(keys: list[str], country: str | None) -> list[Problem]:
    """Tax keys that are unknown (1145), repeated (1145) or of another country (1144)."""
    found = []
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        found.append(Problem(key, TAX_INVALID_KEYS, "appears more than once"))
    for key in dict.fromkeys(keys):
        row = TAX_KEYS.get(key)
        if row is None:
            found.append(Problem(key, TAX_INVALID_KEYS, f"is not a tax key; allowed: {', '.join(TAX_KEYS)}"))
        elif country not in row.countries:
            where = ", ".join(row.countries)
            found.append(Problem(key, TAX_NOT_APPLICABLE, f"applies to {where}, not to an account in {country}"))
    return found


def missing_tax_keys(keys: list[str], country: str | None, city: str | None) -> list[Problem]:
    """The keys a new account in ``country`` must carry but lacks: 1148 for PanNumber, else 201."""
    found = []
    for options in required_tax_keys(country, city):
        if not any(key in keys for key in options):
            code = PAN_REQUIRED if options == ("PanNumber",) else 201
            found.append(Problem(options[0], code, f"{' or '.join(options)} is required for an account in {country}"))
    return found


def read_only_tax_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The keys read-only on update whose value an update would add, change or remove."""
    return [k for k, row in TAX_KEYS.items() if row.read_only_on_update and before.get(k) != after.get(k)]


def text_problem(value: str, limit: int | None = None) -> str | None:
    """What the service would refuse in a text value: a character XML 1.0 cannot carry, or its length."""
    bad = xml_unsafe(value)
    if bad is not None:
        return f"contains the character U+{ord(bad):04X}, which XML 1.0 (and so the service) cannot carry"
    if limit is not None and service_length(value) > limit:
        return (
            f"is {service_length(value)} characters as the service counts them (UTF-16 units: characters "
            f"outside the Basic Multilingual Plane, such as emoji, count twice); at most {limit} are allowed"
        )
    return None
