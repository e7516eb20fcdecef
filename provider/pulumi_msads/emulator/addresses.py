"""The Address rules: required fields on add and on change, lengths, StateOrProvince, the address Id.

Sources: address.md (field lengths, Id "Update: Required", StateOrProvince without a country
prefix) and advertiseraccount.md #businessaddress (required fields on add and when changing an
address; read-only for monthly-invoice accounts, which ``accounts`` enforces). Where the two
pages disagree (PostalCode on add), ``rules.COUNTRIES_NEEDING_POSTAL_CODE_AND_STATE`` says which
reading the emulator follows.
"""

from __future__ import annotations

from typing import Any

from .. import rules, wsdl
from ..codes import ADDRESS_MESSAGES
from .entities import FIRST_ID, Body
from .errors import ErrorItem
from .store import Transaction

SYSTEM_FIELDS = ("Id", "TimeStamp")


def with_default_country(account: Body, customer: Body) -> Body:
    """The account with its business country taken from the customer when it has none.

    advertiseraccount.md requires only BusinessName, City and Line1 of a new account's business
    address; the country comes from the customer's address, else from its market country.
    """
    business = account.get("BusinessAddress")
    if business is None or business.get("CountryCode"):
        return account
    country = (customer.get("CustomerAddress") or {}).get("CountryCode") or customer.get("MarketCountry")
    return {**account, "BusinessAddress": {**business, "CountryCode": country}}


def errors(address: Body | None, path: str, *, creating: bool) -> list[ErrorItem]:
    """What is wrong with an address as sent: missing fields (on add), lengths, a prefixed state."""
    if not address:
        return []
    return [
        ErrorItem(p.code, f"{path}.{p.field} {p.message}.", ADDRESS_MESSAGES.get(p.code))
        for p in rules.address_problems(address, creating=creating)
    ]


def comparable(address: Any) -> Body:
    """An address without its system fields and empty values: what a change is judged by."""
    if not address:
        return {}
    return {k: v for k, v in address.items() if k not in SYSTEM_FIELDS and v not in (None, "")}


def change_errors(
    sent: Body | None, stored: Body | None, result: Body | None, path: str, *, require_on_change: bool
) -> list[ErrorItem]:
    """An update's address: the stored address's Id, and the fields any change must carry.

    address.md makes Id "Update: Required": a sent address must name the stored one (a customer
    without an address may send one without an Id, which is then a new address). A change needs
    BusinessName, City, CountryCode and Line1, and StateOrProvince and PostalCode where the
    country requires them, in the request itself (advertiseraccount.md #businessaddress): only
    for a business address (``require_on_change``), the customer's address being unused.
    """
    if sent is None:
        return []
    found = []
    stored_id = (stored or {}).get("Id")
    if stored_id is not None and sent.get("Id") != stored_id:
        what = "is missing" if sent.get("Id") is None else f"is {sent.get('Id')}"
        found.append(ErrorItem(1140, f"{path}.Id {what}; an update must send the stored address's Id {stored_id}."))
    if require_on_change and comparable(result) != comparable(stored):
        for name in rules.required_address_fields(result or sent, rules.ADDRESS_REQUIRED_ON_CHANGE):
            if not sent.get(name):
                found.append(ErrorItem(1140, f"{path}.{name} is required when the address changes."))
    return found


def stored(tx: Transaction, address: Body | None) -> Body | None:
    """A written address as kept: the WSDL's fields, empty text as none, and a system-generated Id."""
    if not comparable(address):
        return None
    assert address is not None
    kept = {
        f.name: (None if address.get(f.name) == "" else address.get(f.name))
        for f in wsdl.complex_fields("Address")
        if f.name != "TimeStamp"
    }
    if kept.get("Id") is None:
        kept["Id"] = tx.next_value("address", FIRST_ID["address"])
    return kept
