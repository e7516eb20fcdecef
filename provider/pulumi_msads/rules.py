"""The service's documented input rules as data, for the emulator and the provider's check alike.

One table per rule, each citing the page of ``shared/reference/api-docs`` it comes from, so that
the emulator refuses exactly what the provider's ``check`` refuses before any call: the two faces
of one rule never drift apart. Enumerations are not here: they come from the WSDL (``wsdl``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

CUSTOMER_NAME_MAX = 90
"""customer.md, Name: "The name can contain a maximum of 90 characters"."""
ACCOUNT_NAME_MIN, ACCOUNT_NAME_MAX = 3, 100
"""advertiseraccount.md, Name: "between 3 and 100 characters"."""
ACCOUNTS_PER_CUSTOMER_MAX = 6
"""guides/entity-hierarchy-limits.md, Customers: "Each customer can have between one and six accounts"."""

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
