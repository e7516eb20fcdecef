"""How the two searches read their requests: predicates, their fields and operators, and paging.

SearchAccounts and SearchCustomers share the predicate rules of ``predicate.md`` and the paging
of ``paging.md``; the operations themselves live with their entities (``accounts``, ``customers``).
"""

from __future__ import annotations

import datetime as dt
import re
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
    "CreatedDate": ("GreaterThanEquals", "LessThanEquals"),
    "CustomerId": ("Equals", "In"),
    "CustomerName": ("Contains", "Equals"),
    "MarketCountry": ("Equals",),
    "MarketLanguage": ("Equals",),
    "UserName": ("Equals",),
}
"""Predicate fields and operators per search (predicate.md). SearchCustomers' ApplicationScope
predicate ("For internal use only") is not modelled."""
ID_PREDICATE_FIELDS = ("AccountId", "CustomerId", "UserId")
CREATED_DATE_MAX = 2
"""searchcustomers.md #predicates: "you can include two predicates with the Field value set to
CreatedDate, and otherwise may only use each predicate field once"."""
NEVER_CREATED = dt.date(1970, 1, 1)
"""Our choice: the creation date of a customer stored without one (the aggregator of a store seeded
before creation dates were kept), so that it is older than any date a search names."""
_XS_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?"
)
_DATE_RANGE_DATE = re.compile(r"\d{8}")


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
        if field == "CreatedDate":
            created_date_value(str(value))
    return predicates


def created_date_value(value: str) -> dt.date:
    """The date of a CreatedDate predicate's Value: an xs:dateTime whose time is ignored (3030 otherwise).

    predicate.md (SearchCustomers Predicates, CreatedDate): the format is "the dateTime entry in
    Primitive XML Data Types", and "Only the month, day, and year of the specified string are used
    for search. If you specify the hour, minutes, and seconds of a date they will be ignored." Our
    choice: the date is read as written, a time zone offset included (it is not converted to UTC),
    and a bare date (``2024-05-01``, xs:date) is accepted too.
    """
    match = _XS_DATE_TIME.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise fault(
            3030, f"CreatedDate predicate value {value!r} is not an xs:dateTime such as 2024-05-01T00:00:00Z."
        ) from None


def date_range(request: Body) -> tuple[dt.date | None, dt.date | None]:
    """SearchCustomers' DateRange: the first and last creation dates to return, None when unbounded.

    searchcustomers.md #daterange: "Determines the minimum and maximum customer creation date
    range. This request element is optional." daterange.md: MinDate and MaxDate are strings in the
    format "yyyyMMdd" (e.g. "20200403"). Our choices, where the pages are silent: both ends are
    inclusive; a nil or empty MinDate or MaxDate leaves that end open (the SOAP face reads an empty
    element as nil, so the REST face's empty string means the same); a value in another format is refused
    with 3030 (the code of the CreatedDate predicates, which filter the same date), with details;
    a MinDate after the MaxDate is no error and matches nothing.
    """
    given = request.get("DateRange") or {}
    bounds: list[dt.date | None] = []
    for name in ("MinDate", "MaxDate"):
        value = given.get(name)
        if value in (None, ""):
            bounds.append(None)
            continue
        try:
            if not _DATE_RANGE_DATE.fullmatch(str(value)):
                raise ValueError(value)
            bounds.append(dt.datetime.strptime(str(value), "%Y%m%d").date())
        except ValueError:
            raise fault(
                3030, f"DateRange.{name} {value!r} is not a date in the format yyyyMMdd, e.g. 20200403."
            ) from None
    return bounds[0], bounds[1]


def created_on(created: str | None) -> dt.date:
    """The UTC date of a customer's stored creation time (an ISO string), or ``NEVER_CREATED``.

    predicate.md (CreatedDate): "The date is stored in Coordinated Universal Time (UTC)."
    """
    if not created:
        return NEVER_CREATED
    return dt.datetime.fromisoformat(created).astimezone(dt.UTC).date()


def in_date_range(created: dt.date, bounds: tuple[dt.date | None, dt.date | None]) -> bool:
    """Whether a creation date lies within a ``date_range`` (both ends inclusive, our choice)."""
    low, high = bounds
    return (low is None or low <= created) and (high is None or created <= high)


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


def customer_matches(tx: Transaction, customer: Record, predicate: Body, created: dt.date, users: list[Record]) -> bool:
    """Whether ``customer``, created on ``created`` (UTC), meets one SearchCustomers predicate; ``users``
    are the store's users, read once per search rather than once per customer.

    CreatedDate (predicate.md): GreaterThanEquals and LessThanEquals compare the creation date
    with the Value's date, the time of day of neither counting. UserName (predicate.md: "search the
    UserName element of the User", Equals only) matches the customers that a user of that name can
    reach. Our choices: the user name compares case-insensitively, like the other text predicates;
    the emulator's one user (the signed-in aggregator) reaches every customer, as for SearchAccounts'
    UserId; a user name nobody has matches no customer rather than being refused.
    """
    field, operator, value = predicate["Field"], predicate["Operator"], predicate["Value"]
    if field == "CreatedDate":
        _require_operator(field, operator, ("GreaterThanEquals", "LessThanEquals"))
        wanted = created_date_value(str(value))
        return created >= wanted if operator == "GreaterThanEquals" else created <= wanted
    if field == "UserName":
        _require_operator(field, operator, ("Equals",))
        return any(str(u.body.get("UserName") or "").casefold() == str(value).casefold() for u in users)
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
