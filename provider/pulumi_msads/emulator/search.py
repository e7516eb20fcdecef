"""How the two searches read their requests: predicates, their fields and operators, and paging.

SearchAccounts and SearchCustomers share the predicate rules of ``predicate.md`` and the paging
of ``paging.md``; the operations themselves live with their entities (``accounts``, ``customers``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import wsdl
from .entities import ACCOUNT, Body
from .errors import fault
from .store import Record, Transaction

PREDICATE_VALUE_MIN = 4
"""predicate.md: "The length of this string must be four or greater, unless the field is set to
MarketCountry or MarketLanguage"."""
SEARCH_ACCOUNTS_PAGE_MAX, SEARCH_CUSTOMERS_PAGE_MAX = 1000, 1024
SEARCH_ACCOUNTS_PREDICATES = {
    "AccountId": ("Equals", "In"),
    "AccountLifeCycleStatus": ("Equals",),
    "AccountName": ("Contains", "Equals"),
    "AccountNumber": ("Contains", "Equals", "In"),
    "CustomerId": ("Equals",),
    "UserId": ("Equals",),
}
SEARCH_CUSTOMERS_PREDICATES = {
    "AccountId": ("Equals",),
    "AccountName": ("Contains", "Equals"),
    "AccountNumber": ("Contains", "Equals"),
    "CustomerId": ("Equals", "In"),
    "CustomerName": ("Contains", "Equals"),
    "MarketCountry": ("Equals",),
    "MarketLanguage": ("Equals",),
}
"""Predicate fields and operators per search (predicate.md). SearchCustomers' ApplicationScope,
CreatedDate and UserName predicates are not modelled."""
ID_PREDICATE_FIELDS = ("AccountId", "CustomerId", "UserId")


def predicates(request: Body, allowed: dict[str, tuple[str, ...]], operation: str) -> list[Body]:
    """The request's predicates, each checked before any entity is looked at (3030 when invalid).

    ``allowed`` maps each supported field to its operators (predicate.md). Values have at least
    four characters, except for MarketCountry and MarketLanguage. Id fields must hold
    ids (a comma-separated list for In); AccountLifeCycleStatus a value of its enumeration.
    """
    predicates = list((request.get("Predicates") or {}).get("Predicate") or [])
    for predicate in predicates:
        field, operator, value = predicate.get("Field"), predicate.get("Operator"), predicate.get("Value")
        if not field or value is None or not operator:
            raise fault(3030, "Every predicate needs a Field, an Operator and a Value.")
        if field not in allowed:
            raise fault(3030, f"Predicate field {field!r} is not supported by {operation}.")
        _require_operator(field, operator, allowed[field])
        if len(str(value)) < PREDICATE_VALUE_MIN and field not in ("MarketCountry", "MarketLanguage"):
            raise fault(3030, f"The {field} predicate's Value must be at least {PREDICATE_VALUE_MIN} characters long.")
        if field in ID_PREDICATE_FIELDS:
            try:
                [int(v) for v in str(value).split(",")]
            except ValueError:
                raise fault(3030, f"{field} predicate value {value!r} is not an id or a list of ids.") from None
        if field == "AccountLifeCycleStatus" and value not in wsdl.enum_values("AccountLifeCycleStatus"):
            raise fault(3030, f"AccountLifeCycleStatus predicate value {value!r} is not a status.")
    return predicates


def _require_operator(field: str, operator: str, allowed: tuple[str, ...]) -> None:
    if operator not in allowed:
        raise fault(3030, f"Operator {operator} is not valid for {field}; allowed: {', '.join(allowed)}.")


def _text_matches(actual: str | None, operator: str, value: str, field: str) -> bool:
    _require_operator(field, operator, ("Equals", "Contains"))
    actual_folded, value_folded = (actual or "").casefold(), value.casefold()
    return actual_folded == value_folded if operator == "Equals" else value_folded in actual_folded


def _id_matches(actual: int, operator: str, value: str, field: str) -> bool:
    _require_operator(field, operator, ("Equals", "In"))
    try:
        wanted = {int(v) for v in value.split(",")} if operator == "In" else {int(value)}
    except ValueError:
        raise fault(3030, f"{field} predicate value {value!r} is not a list of ids.") from None
    return actual in wanted


def account_matches(account: Record, predicate: Body) -> bool:
    field, operator, value = predicate["Field"], predicate["Operator"], predicate["Value"]
    if field == "AccountId":
        return _id_matches(account.id, operator, value, field)
    if field == "AccountName":
        return _text_matches(account.name, operator, value, field)
    if field == "AccountNumber":
        _require_operator(field, operator, ("Equals", "Contains", "In"))
        number = (account.number or "").casefold()
        if operator == "In":
            return number in {v.strip().casefold() for v in value.split(",")}
        return _text_matches(account.number, operator, value, field)
    if field == "CustomerId":
        _require_operator(field, operator, ("Equals",))
        return _id_matches(account.parent_id or 0, operator, value, field)
    if field == "AccountLifeCycleStatus":
        _require_operator(field, operator, ("Equals",))
        return account.body.get("AccountLifeCycleStatus") == str(value)
    if field == "UserId":
        _require_operator(field, operator, ("Equals",))
        return True  # the emulator's one user can reach every account
    raise fault(3030, f"Predicate field {field!r} is not supported by SearchAccounts.")


def page(request: Body, records: list[Record], maximum: int) -> list[Record]:
    """Order and page a result: PageInfo is required, Index is zero-based, Size is bounded."""
    page = request.get("PageInfo")
    if page is None:
        raise fault(3080)
    index, size = page.get("Index") or 0, page.get("Size") or 0
    if index < 0 or size < 0 or size > maximum:
        raise fault(201, f"PageInfo.Size must be between 0 and {maximum} and Index at least 0.")
    ordering = (request.get("Ordering") or {}).get("OrderBy") or []
    if ordering:  # at most one OrderBy counts: "additional elements ... will be ignored" (searchaccounts.md)
        order = ordering[0]
        key: Callable[[Record], Any] = {
            "Id": lambda r: r.id,
            "Name": lambda r: ((r.name or "").casefold(), r.id),
            "Number": lambda r: r.number or "",
        }.get(order.get("Field"), lambda r: r.id)
        records = sorted(records, key=key, reverse=order.get("Order") == "Descending")
    return records[index * size : (index + 1) * size]


def customer_matches(tx: Transaction, customer: Record, predicate: Body) -> bool:
    field, operator, value = predicate["Field"], predicate["Operator"], predicate["Value"]
    if field == "CustomerName":
        return _text_matches(customer.name, operator, value, field)
    if field == "CustomerId":
        return _id_matches(customer.id, operator, value, field)
    if field in ("AccountId", "AccountName", "AccountNumber"):
        return any(account_matches(a, predicate) for a in tx.find(ACCOUNT, parent_id=customer.id))
    if field in ("MarketCountry", "MarketLanguage"):
        _require_operator(field, operator, ("Equals",))
        return str(customer.body.get(field) or "").casefold() == str(value).casefold()
    raise fault(3030, f"Predicate field {field!r} is not supported by SearchCustomers.")
