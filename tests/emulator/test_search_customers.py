"""SearchCustomers by creation date and user name: the CreatedDate and UserName predicates and DateRange.

predicate.md (SearchCustomers Predicates): CreatedDate takes GreaterThanEquals and LessThanEquals
and an xs:dateTime whose time is ignored; UserName takes Equals. searchcustomers.md: DateRange
bounds the creation date, in daterange.md's "yyyyMMdd" format; CreatedDate may come twice. The
emulator has no clock to set, so every date here is relative to the day a customer was signed up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from .conftest import Signup, Soap
from .support import fault_of, page, predicates
from .test_rest_face import Rest, rest_client  # noqa: F401 - the fixture, used by name

NAMED = ("CustomerName", "Equals", "Datable Customer")
"""A predicate that isolates the customer these tests sign up."""


def search(soap: Soap, *triples: tuple[str, str, str], **kwargs: Any) -> list[int]:
    kwargs.setdefault("PageInfo", page())
    result = soap.SearchCustomers(Predicates=predicates(*triples), **kwargs).Customers
    return [c.Id for c in result.Customer] if result else []


def iso(day: dt.date, time: str = "T00:00:00Z") -> str:
    return day.isoformat() + time


def compact(day: dt.date | None) -> str | None:
    return None if day is None else day.strftime("%Y%m%d")


@pytest.fixture
def created(signup: Signup) -> tuple[int, dt.date]:
    """A customer signed up now, and its creation date (UTC) as SignupCustomer's CreateTime gives it."""
    response = signup(customer_overrides={"Name": NAMED[2]})
    return int(response.CustomerId), response.CreateTime.astimezone(dt.UTC).date()


DAY = dt.timedelta(days=1)


# -- CreatedDate ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "days", "found"),
    [
        ("GreaterThanEquals", 0, True),
        ("GreaterThanEquals", 1, False),
        ("LessThanEquals", 0, True),
        ("LessThanEquals", -1, False),
    ],
    ids=["gte-same-day", "gte-next-day", "lte-same-day", "lte-day-before"],
)
def test_created_date_compares_the_creation_day_inclusively(
    soap: Soap, created: tuple[int, dt.date], operator: str, days: int, found: bool
) -> None:
    customer_id, day = created
    value = iso(day + days * DAY)
    assert (customer_id in search(soap, NAMED, ("CreatedDate", operator, value))) is found


@pytest.mark.parametrize(
    ("operator", "time"),
    [("GreaterThanEquals", "T23:59:59Z"), ("LessThanEquals", "T00:00:00Z")],
    ids=["gte-end-of-day", "lte-start-of-day"],
)
def test_created_date_ignores_the_time_of_day(
    soap: Soap, created: tuple[int, dt.date], operator: str, time: str
) -> None:
    customer_id, day = created
    assert search(soap, NAMED, ("CreatedDate", operator, iso(day, time))) == [customer_id]


@pytest.mark.parametrize(
    ("low", "high", "found"),
    [(-1, 1, True), (1, 2, False), (-2, -1, False)],
    ids=["around", "after", "before"],
)
def test_two_created_date_predicates_make_a_range(
    soap: Soap, created: tuple[int, dt.date], low: int, high: int, found: bool
) -> None:
    customer_id, day = created
    bounds = (
        ("CreatedDate", "GreaterThanEquals", iso(day + low * DAY)),
        ("CreatedDate", "LessThanEquals", iso(day + high * DAY)),
    )
    assert (search(soap, NAMED, *bounds) == [customer_id]) is found


@pytest.mark.parametrize(
    "time",
    ["", "T08:30:00", "T08:30:00.125Z", "T23:30:00-08:00", "T00:30:00+14:00"],
    ids=["bare-date", "no-zone", "fraction", "negative-offset", "positive-offset"],
)
def test_created_date_takes_the_date_as_written_in_any_date_time_form(
    soap: Soap, created: tuple[int, dt.date], time: str
) -> None:
    customer_id, day = created
    both = (("CreatedDate", "GreaterThanEquals", iso(day, time)), ("CreatedDate", "LessThanEquals", iso(day, time)))
    assert search(soap, NAMED, *both) == [customer_id]


def test_the_aggregator_counts_as_created_when_the_emulator_was_seeded(
    soap: Soap, aggregator: int, created: tuple[int, dt.date]
) -> None:
    _, day = created  # the reset before this test seeded the aggregator the same day
    assert aggregator in search(soap, ("CreatedDate", "GreaterThanEquals", iso(day)))
    assert aggregator not in search(soap, ("CreatedDate", "LessThanEquals", iso(day - DAY)))


def test_created_date_may_not_come_three_times(soap: Soap, created: tuple[int, dt.date]) -> None:
    _, day = created
    three = predicates(*[("CreatedDate", "GreaterThanEquals", iso(day))] * 3)
    fault = fault_of(soap.SearchCustomers, Predicates=three, PageInfo=page())
    assert fault.code == 3030
    assert "CreatedDate" in (fault.errors[0].details or "")


@pytest.mark.parametrize("operator", ["Equals", "Contains", "In"])
def test_created_date_takes_only_greater_or_less_than_equals(soap: Soap, operator: str) -> None:
    fault = fault_of(
        soap.SearchCustomers, Predicates=predicates(("CreatedDate", operator, "2024-05-01T00:00:00Z")), PageInfo=page()
    )
    assert fault.code == 3030
    assert "CreatedDate" in (fault.errors[0].details or "")


@pytest.mark.parametrize(
    "value",
    ["20240501", "2024-13-01T00:00:00Z", "2024-02-30", "2024-05-01T25:00:00Z", "2024-05-01 00:00:00", "yesterday"],
    ids=["compact", "month-13", "february-30", "hour-25", "space-separated", "words"],
)
def test_created_date_refuses_a_value_that_is_no_date_time(soap: Soap, value: str) -> None:
    call = {"Predicates": predicates(("CreatedDate", "GreaterThanEquals", value)), "PageInfo": page()}
    fault = fault_of(soap.SearchCustomers, **call)
    assert fault.code == 3030
    assert "CreatedDate" in (fault.errors[0].details or "")


# -- UserName ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [str, str.upper], ids=["as-is", "upper-case"])
def test_the_signed_in_user_name_finds_every_customer(
    soap: Soap, aggregator: int, created: tuple[int, dt.date], spelling: Any
) -> None:
    name = soap.GetCurrentUser().User.UserName
    assert search(soap, ("UserName", "Equals", spelling(name))) == sorted([aggregator, created[0]])


def test_a_user_name_nobody_has_finds_no_customer(soap: Soap, created: tuple[int, dt.date]) -> None:
    assert search(soap, ("UserName", "Equals", "nobody@example.com")) == []


@pytest.mark.parametrize("operator", ["Contains", "In", "GreaterThanEquals"])
def test_user_name_takes_only_equals(soap: Soap, operator: str) -> None:
    name = soap.GetCurrentUser().User.UserName
    fault = fault_of(soap.SearchCustomers, Predicates=predicates(("UserName", operator, name)), PageInfo=page())
    assert fault.code == 3030
    assert "UserName" in (fault.errors[0].details or "")


# -- DateRange --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "found"),
    [
        (0, 0, True),
        (-1, None, True),
        (None, 1, True),
        (None, None, True),
        (1, None, False),
        (None, -1, False),
    ],
    ids=["same-day", "from-day-before", "up-to-next-day", "open", "from-next-day", "up-to-day-before"],
)
def test_date_range_bounds_the_creation_day_inclusively(
    soap: Soap, created: tuple[int, dt.date], low: int | None, high: int | None, found: bool
) -> None:
    customer_id, day = created
    days = [None if n is None else day + n * DAY for n in (low, high)]
    date_range = {"MinDate": compact(days[0]), "MaxDate": compact(days[1])}
    assert (search(soap, NAMED, DateRange=date_range) == [customer_id]) is found


def test_date_range_and_predicates_both_apply(soap: Soap, aggregator: int, created: tuple[int, dt.date]) -> None:
    customer_id, day = created
    everyone = ("UserName", "Equals", soap.GetCurrentUser().User.UserName)
    date_range = {"MinDate": compact(day), "MaxDate": compact(day)}
    assert search(soap, everyone, DateRange=date_range) == sorted([aggregator, customer_id])
    assert search(soap, everyone, ("CreatedDate", "GreaterThanEquals", iso(day + DAY)), DateRange=date_range) == []


def test_a_min_date_after_the_max_date_finds_nothing(soap: Soap, created: tuple[int, dt.date]) -> None:
    _, day = created
    assert search(soap, NAMED, DateRange={"MinDate": compact(day + DAY), "MaxDate": compact(day)}) == []


@pytest.mark.parametrize("element", ["MinDate", "MaxDate"])
@pytest.mark.parametrize(
    "value",
    ["2024-05-01", "20241301", "2024051", "May 2024"],
    ids=["iso", "month-13", "seven-digits", "words"],
)
def test_date_range_refuses_a_date_not_in_yyyymmdd(soap: Soap, element: str, value: str) -> None:
    fault = fault_of(soap.SearchCustomers, Predicates=predicates(NAMED), DateRange={element: value}, PageInfo=page())
    assert fault.code == 3030
    assert f"DateRange.{element}" in (fault.errors[0].details or "")


def test_a_date_range_is_no_predicate(soap: Soap) -> None:
    assert fault_of(soap.SearchCustomers, DateRange={"MinDate": "20200101"}, PageInfo=page()).code == 3079


# -- over REST --------------------------------------------------------------------------------------------


def test_date_range_and_created_date_over_rest(rest_client: Rest, created: tuple[int, dt.date]) -> None:  # noqa: F811
    customer_id, day = created
    answer = rest_client(
        "SearchCustomers",
        {
            "Predicates": [
                {"Field": NAMED[0], "Operator": NAMED[1], "Value": NAMED[2]},
                {"Field": "CreatedDate", "Operator": "LessThanEquals", "Value": iso(day)},
            ],
            "DateRange": {"MinDate": compact(day), "MaxDate": None},
            "PageInfo": {"Index": 0, "Size": 10},
        },
    )
    assert [customer["Id"] for customer in answer["Customers"]] == [str(customer_id)]
