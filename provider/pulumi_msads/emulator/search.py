"""How the two searches read their requests: predicates, their fields and operators, and paging.

SearchAccounts and SearchCustomers share the predicate rules of ``predicate.md`` and the paging
of ``paging.md``; the operations themselves live with their entities (``accounts``, ``customers``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace

from .. import wsdl
from .entities import ACCOUNT, CUSTOMER, Body
from .errors import fault
from .store import Match, Record, Text, Transaction, fold

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
MARKET_FIELDS = ("MarketCountry", "MarketLanguage")
CREATED_AT = "_CreatedDate"
"""Body key (not a WSDL field) of a customer's signup time, which SearchCustomers' CreatedDate reads."""
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


def _ids(field: str, operator: str, value: str) -> frozenset[int]:
    """The ids an Equals or In predicate names (``predicates`` checked the list; Equals takes one id)."""
    try:
        return frozenset(int(v) for v in value.split(",")) if operator == "In" else frozenset({int(value)})
    except ValueError:
        raise fault(3030, f"{field} predicate value {value!r} is not a list of ids.") from None


def _text(operator: str, value: str) -> Text:
    """An Equals or Contains predicate on a name or number: the store folds both sides (``store.fold``)."""
    return ("equals" if operator == "Equals" else "contains", value)


def account_match(predicates: list[Body]) -> Match:
    """The accounts meeting every SearchAccounts (or SearchCustomers account) predicate, as one store match.

    Names and numbers compare case-insensitively (casefolded); an AccountNumber In list is
    comma-separated, each number without its surrounding spaces. The UserId predicate keeps every
    account: the emulator's one user can reach them all.
    """
    match = Match(ACCOUNT)
    for predicate in predicates:
        field, operator, value = predicate["Field"], predicate["Operator"], str(predicate["Value"])
        if field == "AccountId":
            match = replace(match, ids=_ids(field, operator, value))
        elif field == "AccountName":
            match = replace(match, name=_text(operator, value))
        elif field == "AccountNumber" and operator == "In":
            match = replace(match, numbers=frozenset(v.strip() for v in value.split(",")))
        elif field == "AccountNumber":
            match = replace(match, number=_text(operator, value))
        elif field == "CustomerId":
            match = replace(match, parent_ids=_ids(field, operator, value))
        elif field == "AccountLifeCycleStatus":
            match = replace(match, body=(*match.body, ("AccountLifeCycleStatus", value)))
    return match


def customer_match(predicates: list[Body], users: list[Record]) -> Match | None:
    """The customers meeting SearchCustomers' predicates on ids, names and accounts; None when none can.

    An account predicate keeps the customers owning at least one account that meets it, each
    predicate on its own (AccountId and AccountName may be met by two accounts of the customer).
    UserName (predicate.md: "search the UserName element of the User", Equals only) matches the
    customers that a user of that name can reach; ``users`` are the store's users. Our choices: the
    user name compares case-insensitively, like the other text predicates; the emulator's one user
    (the signed-in aggregator) reaches every customer, as for SearchAccounts' UserId; a user name
    nobody has matches no customer rather than being refused. CreatedDate, MarketCountry and
    MarketLanguage are read from the customer itself (``customer_kept``).
    """
    match = Match(CUSTOMER)
    for predicate in predicates:
        field, operator, value = predicate["Field"], predicate["Operator"], str(predicate["Value"])
        if field == "CustomerId":
            match = replace(match, ids=_ids(field, operator, value))
        elif field == "CustomerName":
            match = replace(match, name=_text(operator, value))
        elif field in ("AccountId", "AccountName", "AccountNumber"):
            match = replace(match, children=(*match.children, account_match([predicate])))
        elif field == "UserName" and not any(fold(u.body.get("UserName")) == fold(value) for u in users):
            return None
    return match


def customer_kept(
    predicates: list[Body], bounds: tuple[dt.date | None, dt.date | None]
) -> Callable[[Record], bool] | None:
    """What SearchCustomers checks on each customer its ``customer_match`` found; None when nothing is left.

    CreatedDate (predicate.md): GreaterThanEquals and LessThanEquals compare the creation date
    (UTC, ``created_on``) with the Value's date, the time of day of neither counting; DateRange
    bounds it too (``in_date_range``). MarketCountry and MarketLanguage compare case-insensitively.
    """
    dates = [(p["Operator"], created_date_value(str(p["Value"]))) for p in predicates if p["Field"] == "CreatedDate"]
    markets = [(p["Field"], fold(str(p["Value"]))) for p in predicates if p["Field"] in MARKET_FIELDS]
    if not dates and not markets and bounds == (None, None):
        return None

    def kept(customer: Record) -> bool:
        created = created_on(customer.body.get(CREATED_AT))
        return (
            in_date_range(created, bounds)
            and all(created >= day if op == "GreaterThanEquals" else created <= day for op, day in dates)
            and all(fold(str(customer.body.get(field) or "")) == value for field, value in markets)
        )

    return kept


def found(
    tx: Transaction,
    request: Body,
    match: Match | None,
    maximum: int,
    kept: Callable[[Record], bool] | None = None,
) -> list[Record]:
    """One page of a search: the entities meeting ``match`` and ``kept``, ordered and paged as asked.

    PageInfo is required (3080), Index is zero-based and Size at most ``maximum`` (201); at most one
    OrderBy counts: "additional elements ... will be ignored" (searchaccounts.md), by Id, Name or
    Number, Ascending unless Descending, by id when none. The store orders and pages the result
    itself when nothing is left to check in Python (``kept`` None).
    """
    page = request.get("PageInfo")
    if page is None:
        raise fault(3080)
    index, size = page.get("Index") or 0, page.get("Size") or 0
    if index < 0 or size < 0 or size > maximum:
        raise fault(201, f"PageInfo.Size must be between 0 and {maximum} and Index at least 0.")
    ordering = (request.get("Ordering") or {}).get("OrderBy") or []
    column = {"Name": "name", "Number": "number"}.get(ordering[0].get("Field"), "id") if ordering else "id"
    order = (column, bool(ordering) and ordering[0].get("Order") == "Descending")
    if match is None:
        return []
    if kept is None:
        return tx.select(match, order=order, limit=size, offset=index * size)
    return [r for r in tx.select(match, order=order) if kept(r)][index * size : (index + 1) * size]
