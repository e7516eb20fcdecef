"""GetCustomer, UpdateCustomer, DeleteCustomer, GetCustomersInfo and SearchCustomers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pulumi_msads.emulator.process import EmulatorControl

from .conftest import Signup, Soap
from .support import account, address, customer, entity_dict, fault_of, kvps, page, predicates


def current(soap: Any, customer_id: int) -> dict[str, Any]:
    """The customer as GetCustomer returns it, as a dict ready for UpdateCustomer."""
    return entity_dict(soap.GetCustomer(CustomerId=customer_id).Customer)


# -- GetCustomer ----------------------------------------------------------------------------------------


def test_get_customer_of_an_unknown_id_is_entity_not_existent(soap: Any) -> None:
    fault = fault_of(soap.GetCustomer, CustomerId=123456)
    assert fault.shape == "ApiFault"
    assert fault.code == 210


def test_get_customer_requires_an_id(soap: Any) -> None:
    assert fault_of(soap.GetCustomer).code == 203


def test_get_customer_returns_a_utc_last_modified_time(soap: Any, signup: Signup) -> None:
    got = soap.GetCustomer(CustomerId=signup().CustomerId).Customer
    assert got.LastModifiedTime.utcoffset() == dt.timedelta(0)


def test_the_aggregator_customer_exists_from_the_start(soap: Any, aggregator: int) -> None:
    got = soap.GetCustomer(CustomerId=aggregator).Customer
    assert got.CustomerLifeCycleStatus == "Active"


# -- UpdateCustomer ---------------------------------------------------------------------------------------


def test_update_customer_changes_name_and_industry(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    sent = current(soap, customer_id) | {"Name": "Renamed", "Industry": "Healthcare"}
    soap.UpdateCustomer(Customer=sent)
    got = soap.GetCustomer(CustomerId=customer_id).Customer
    assert (got.Name, got.Industry) == ("Renamed", "Healthcare")


def test_update_customer_returns_the_new_utc_last_modified_time(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    before = current(soap, customer_id)
    returned = soap.UpdateCustomer(Customer=before).LastModifiedTime
    assert returned.utcoffset() == dt.timedelta(0)
    assert returned >= before["LastModifiedTime"]
    assert soap.GetCustomer(CustomerId=customer_id).Customer.LastModifiedTime == returned


def test_every_update_changes_the_time_stamp(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    stamps = [current(soap, customer_id)["TimeStamp"]]
    for _ in range(3):
        soap.UpdateCustomer(Customer=current(soap, customer_id))
        stamps.append(current(soap, customer_id)["TimeStamp"])
    assert len(set(stamps)) == 4


def test_reading_does_not_change_the_time_stamp(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    assert current(soap, customer_id)["TimeStamp"] == current(soap, customer_id)["TimeStamp"]


def test_update_with_a_stale_time_stamp_is_timestamp_not_match(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    stale = current(soap, customer_id)
    soap.UpdateCustomer(Customer=stale | {"Name": "First writer"})
    fault = fault_of(soap.UpdateCustomer, Customer=stale | {"Name": "Second writer"})
    assert fault.shape == "ApiFault"
    assert fault.code == 209
    assert soap.GetCustomer(CustomerId=customer_id).Customer.Name == "First writer"


def test_a_time_stamp_of_another_entity_does_not_match(soap: Any, signup: Signup) -> None:
    first, second = signup().CustomerId, signup().CustomerId
    sent = current(soap, first) | {"TimeStamp": current(soap, second)["TimeStamp"]}
    assert fault_of(soap.UpdateCustomer, Customer=sent).code == 209


@pytest.mark.parametrize("stamp", [b"\x00", b"not a stamp at all"])
def test_a_malformed_time_stamp_does_not_match(soap: Any, signup: Signup, stamp: bytes) -> None:
    customer_id = signup().CustomerId
    assert fault_of(soap.UpdateCustomer, Customer=current(soap, customer_id) | {"TimeStamp": stamp}).code == 209


def test_update_customer_requires_the_time_stamp(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    fault = fault_of(soap.UpdateCustomer, Customer=current(soap, customer_id) | {"TimeStamp": None})
    assert fault.code == 203
    assert "TimeStamp" in (fault.errors[0].details or "")


def test_update_customer_requires_the_id(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    assert fault_of(soap.UpdateCustomer, Customer=current(soap, customer_id) | {"Id": None}).code == 203


def test_update_customer_of_an_unknown_id_is_entity_not_existent(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    assert fault_of(soap.UpdateCustomer, Customer=current(soap, customer_id) | {"Id": 123456}).code == 210


def test_update_customer_requires_a_customer(soap: Any) -> None:
    assert fault_of(soap.UpdateCustomer).code == 310


@pytest.mark.parametrize("field", ["Name", "Industry"])
def test_update_customer_requires_the_fields_signup_requires(soap: Any, signup: Signup, field: str) -> None:
    customer_id = signup().CustomerId
    fault = fault_of(soap.UpdateCustomer, Customer=current(soap, customer_id) | {field: None})
    assert fault.code == 201
    assert f"Customer.{field}" in (fault.errors[0].details or "")


def test_update_customer_name_has_at_most_90_characters(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    assert fault_of(soap.UpdateCustomer, Customer=current(soap, customer_id) | {"Name": "n" * 91}).code == 211


@pytest.mark.parametrize(("field", "value"), [("MarketCountry", "FR"), ("MarketLanguage", "French")])
def test_market_country_and_language_cannot_change(soap: Any, signup: Signup, field: str, value: str) -> None:
    customer_id = signup().CustomerId
    before = current(soap, customer_id)
    soap.UpdateCustomer(Customer=before | {field: value})
    assert current(soap, customer_id)[field] == before[field]


@pytest.mark.parametrize(("field", "value"), [("MarketCountry", None), ("MarketLanguage", None)])
def test_market_country_and_language_need_not_be_sent(soap: Any, signup: Signup, field: str, value: None) -> None:
    customer_id = signup().CustomerId
    before = current(soap, customer_id)
    soap.UpdateCustomer(Customer=before | {field: value})
    assert current(soap, customer_id)[field] == before[field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Number", "XXXXXXXXXX"),
        ("CustomerLifeCycleStatus", "Inactive"),
        ("CustomerFinancialStatus", "CreditHold"),
        ("ServiceLevel", "Internal"),
        ("LastModifiedByUserId", 42),
        ("LastModifiedTime", dt.datetime(2001, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_read_only_fields_are_ignored_on_update(soap: Any, signup: Signup, field: str, value: Any) -> None:
    customer_id = signup().CustomerId
    soap.UpdateCustomer(Customer=current(soap, customer_id) | {field: value})
    assert current(soap, customer_id)[field] != value


@pytest.mark.parametrize(("semantics", "city"), [("per-field", "Redmond"), ("overwrite", None)])
def test_an_omitted_customer_address_is_kept_or_cleared_by_the_update_semantics(
    soap: Any, emulator: EmulatorControl, signup: Signup, semantics: str, city: str | None
) -> None:
    emulator.settings(update_semantics=semantics)
    customer_id = signup(customer_overrides={"CustomerAddress": address()}).CustomerId
    before = current(soap, customer_id)
    assert before["CustomerAddress"]["City"] == "Redmond"
    soap.UpdateCustomer(Customer=before | {"CustomerAddress": None})
    assert (current(soap, customer_id)["CustomerAddress"] or {}).get("City") == city


def test_update_keeps_the_customer_address_id(soap: Any, signup: Signup) -> None:
    customer_id = signup(customer_overrides={"CustomerAddress": address()}).CustomerId
    before = current(soap, customer_id)
    soap.UpdateCustomer(Customer=before | {"CustomerAddress": before["CustomerAddress"] | {"City": "Seattle"}})
    after = current(soap, customer_id)["CustomerAddress"]
    assert (after["City"], after["Id"]) == ("Seattle", before["CustomerAddress"]["Id"])


def test_update_keeps_an_omitted_forward_compatibility_map(soap: Any, signup: Signup) -> None:
    customer_id = signup(customer_overrides={"ForwardCompatibilityMap": kvps(Feature="on")}).CustomerId
    soap.UpdateCustomer(Customer=current(soap, customer_id) | {"ForwardCompatibilityMap": None})
    kept = current(soap, customer_id)["ForwardCompatibilityMap"]["KeyValuePairOfstringstring"]
    assert [(p["key"], p["value"]) for p in kept] == [("Feature", "on")]


def test_update_replaces_a_forward_compatibility_map_that_is_sent(soap: Any, signup: Signup) -> None:
    customer_id = signup(customer_overrides={"ForwardCompatibilityMap": kvps(Feature="on")}).CustomerId
    soap.UpdateCustomer(Customer=current(soap, customer_id) | {"ForwardCompatibilityMap": kvps(Other="x")})
    kept = current(soap, customer_id)["ForwardCompatibilityMap"]["KeyValuePairOfstringstring"]
    assert [(p["key"], p["value"]) for p in kept] == [("Other", "x")]


def test_update_does_not_touch_the_customers_accounts(soap: Any, signup: Signup) -> None:
    created = signup()
    account_stamp = soap.GetAccount(AccountId=created.AccountId).Account.TimeStamp
    soap.UpdateCustomer(Customer=current(soap, created.CustomerId) | {"Name": "Renamed"})
    assert soap.GetAccount(AccountId=created.AccountId).Account.TimeStamp == account_stamp


# -- DeleteCustomer ----------------------------------------------------------------------------------------


def test_delete_customer_is_refused_as_for_anyone_outside_microsoft(soap: Any, signup: Signup) -> None:
    customer_id = signup().CustomerId
    stamp = current(soap, customer_id)["TimeStamp"]
    fault = fault_of(soap.DeleteCustomer, CustomerId=customer_id, TimeStamp=stamp)
    assert fault.shape == "AdApiFaultDetail"
    assert fault.code == 106
    assert soap.GetCustomer(CustomerId=customer_id).Customer.CustomerLifeCycleStatus == "Active"


@pytest.fixture
def deleted(deleting_soap: Soap) -> tuple[Soap, Any, int]:
    """A customer with two accounts, deleted on the emulator that allows it."""
    soap = deleting_soap
    aggregator = soap.GetUser(UserId=None).User.CustomerId
    created = soap.SignupCustomer(Customer=customer(), Account=account(), ParentCustomerId=aggregator)
    second = soap.AddAccount(Account=account(ParentCustomerId=created.CustomerId, Name="Second account"))
    soap.DeleteCustomer(CustomerId=created.CustomerId, TimeStamp=current(soap, created.CustomerId)["TimeStamp"])
    return soap, created, second.AccountId


def test_a_deleted_customer_stays_readable_as_inactive(deleted: tuple[Soap, Any, int]) -> None:
    soap, created, _ = deleted
    assert soap.GetCustomer(CustomerId=created.CustomerId).Customer.CustomerLifeCycleStatus == "Inactive"


def test_deleting_a_customer_makes_its_accounts_inactive(deleted: tuple[Soap, Any, int]) -> None:
    soap, created, second = deleted
    statuses = [soap.GetAccount(AccountId=a).Account.AccountLifeCycleStatus for a in (created.AccountId, second)]
    assert statuses == ["Inactive", "Inactive"]


def test_a_deleted_customer_cannot_be_updated(deleted: tuple[Soap, Any, int]) -> None:
    soap, created, _ = deleted
    assert fault_of(soap.UpdateCustomer, Customer=current(soap, created.CustomerId)).code == 202


def test_no_account_can_be_added_to_a_deleted_customer(deleted: tuple[Soap, Any, int]) -> None:
    soap, created, _ = deleted
    fault = fault_of(soap.AddAccount, Account=account(Name="Late account", ParentCustomerId=created.CustomerId))
    assert fault.code == 202


def test_delete_customer_with_a_stale_time_stamp_is_timestamp_not_match(deleting_soap: Soap) -> None:
    soap = deleting_soap
    aggregator = soap.GetUser(UserId=None).User.CustomerId
    created = soap.SignupCustomer(Customer=customer(), Account=account(), ParentCustomerId=aggregator)
    stale = current(soap, created.CustomerId)
    soap.UpdateCustomer(Customer=stale)
    assert fault_of(soap.DeleteCustomer, CustomerId=created.CustomerId, TimeStamp=stale["TimeStamp"]).code == 209
    assert soap.GetCustomer(CustomerId=created.CustomerId).Customer.CustomerLifeCycleStatus == "Active"


def test_delete_customer_of_an_unknown_id_is_entity_not_existent(deleting_soap: Soap) -> None:
    assert fault_of(deleting_soap.DeleteCustomer, CustomerId=123456, TimeStamp=b"\x00" * 8).code == 210


# -- GetCustomersInfo ------------------------------------------------------------------------------------


@pytest.fixture
def named_customers(signup: Signup) -> dict[str, int]:
    names = ["Alpine Ski House", "alpine bikes", "Blue Yonder Airlines", "Coho Winery"]
    return {name: signup(customer_overrides={"Name": name}).CustomerId for name in names}


def customers_info(soap: Any, name_filter: str, top: int) -> list[Any]:
    result = soap.GetCustomersInfo(CustomerNameFilter=name_filter, TopN=top).CustomersInfo
    return list(result.CustomerInfo) if result else []


def test_get_customers_info_filters_by_case_insensitive_name_prefix(soap: Any, named_customers: dict[str, int]) -> None:
    found = customers_info(soap, "ALPINE", 10)
    assert sorted((c.Id, c.Name) for c in found) == sorted(
        (named_customers[n], n) for n in ("Alpine Ski House", "alpine bikes")
    )


def test_get_customers_info_prefix_does_not_match_inside_names(soap: Any, named_customers: dict[str, int]) -> None:
    assert customers_info(soap, "Winery", 10) == []


def test_get_customers_info_with_an_empty_filter_returns_every_customer(
    soap: Any, aggregator: int, named_customers: dict[str, int]
) -> None:
    found = customers_info(soap, "", 100)
    assert {c.Id for c in found} == {aggregator, *named_customers.values()}


def test_get_customers_info_returns_at_most_top_n(soap: Any, named_customers: dict[str, int]) -> None:
    assert len(customers_info(soap, "", 2)) == 2


@pytest.mark.parametrize("top", [0, -1])
def test_get_customers_info_top_n_must_be_positive(soap: Any, top: int) -> None:
    assert fault_of(soap.GetCustomersInfo, CustomerNameFilter="", TopN=top).code == 201


# -- SearchCustomers ---------------------------------------------------------------------------------------


def search_customers(soap: Any, *triples: tuple[str, str, str], **kwargs: Any) -> list[Any]:
    kwargs.setdefault("PageInfo", page())
    result = soap.SearchCustomers(Predicates=predicates(*triples), **kwargs).Customers
    return list(result.Customer) if result else []


def test_search_customers_by_name_equals_is_case_insensitive(soap: Any, named_customers: dict[str, int]) -> None:
    found = search_customers(soap, ("CustomerName", "Equals", "coho winery"))
    assert [c.Id for c in found] == [named_customers["Coho Winery"]]


def test_search_customers_by_name_contains(soap: Any, named_customers: dict[str, int]) -> None:
    found = search_customers(soap, ("CustomerName", "Contains", "LPINE"))
    assert sorted(c.Id for c in found) == sorted(named_customers[n] for n in ("Alpine Ski House", "alpine bikes"))


def test_search_customers_returns_whole_customers_with_time_stamps(soap: Any, named_customers: dict[str, int]) -> None:
    (found,) = search_customers(soap, ("CustomerName", "Equals", "Coho Winery"))
    assert found == soap.GetCustomer(CustomerId=found.Id).Customer


def test_search_customers_by_id(soap: Any, named_customers: dict[str, int]) -> None:
    wanted = named_customers["Blue Yonder Airlines"]
    assert [c.Id for c in search_customers(soap, ("CustomerId", "Equals", str(wanted)))] == [wanted]


def test_search_customers_by_account_name(soap: Any, signup: Signup) -> None:
    created = signup(account_overrides={"Name": "Findable Account"})
    found = search_customers(soap, ("AccountName", "Equals", "Findable Account"))
    assert [c.Id for c in found] == [created.CustomerId]


def test_search_customers_by_market_country_and_language(soap: Any, signup: Signup) -> None:
    wanted = signup(customer_overrides={"MarketCountry": "DE", "MarketLanguage": "German"}).CustomerId
    signup(customer_overrides={"MarketCountry": "DE", "MarketLanguage": "English"})
    found = search_customers(soap, ("MarketCountry", "Equals", "DE"), ("MarketLanguage", "Equals", "German"))
    assert [c.Id for c in found] == [wanted]


@pytest.mark.parametrize("field", ["MarketCountry", "MarketLanguage"])
def test_market_country_and_language_predicates_come_together(soap: Any, field: str) -> None:
    value = "DE" if field == "MarketCountry" else "German"
    assert fault_of(soap.SearchCustomers, Predicates=predicates((field, "Equals", value)), PageInfo=page()).code == 3030


def test_search_customers_combines_predicates_with_and(soap: Any, named_customers: dict[str, int]) -> None:
    wanted = named_customers["Alpine Ski House"]
    assert search_customers(soap, ("CustomerName", "Contains", "ski h"), ("CustomerId", "Equals", str(wanted)))
    assert not search_customers(soap, ("CustomerName", "Contains", "bikes"), ("CustomerId", "Equals", str(wanted)))


EVERY_US_CUSTOMER = (("MarketCountry", "Equals", "US"), ("MarketLanguage", "Equals", "English"))
"""Short values are allowed for these two fields only; every customer here, the aggregator too, matches."""


def test_search_customers_orders_by_name(soap: Any, named_customers: dict[str, int]) -> None:
    ordering = {"OrderBy": [{"Field": "Name", "Order": "Descending"}]}
    found = search_customers(soap, *EVERY_US_CUSTOMER, Ordering=ordering)
    names = [c.Name for c in found]
    assert names == sorted(names, key=str.casefold, reverse=True)


def test_search_customers_pages_with_a_zero_based_index(
    soap: Any, aggregator: int, named_customers: dict[str, int]
) -> None:
    ordering = {"OrderBy": [{"Field": "Id", "Order": "Ascending"}]}
    pages = [
        [c.Id for c in search_customers(soap, *EVERY_US_CUSTOMER, PageInfo=page(i, 3), Ordering=ordering)]
        for i in range(3)
    ]
    assert pages[0] + pages[1] == sorted([aggregator, *named_customers.values()])
    assert (len(pages[0]), len(pages[1]), pages[2]) == (3, 2, [])


def test_search_customers_needs_a_predicate(soap: Any) -> None:
    assert fault_of(soap.SearchCustomers, PageInfo=page()).code == 3079


def test_search_customers_needs_page_info(soap: Any) -> None:
    assert fault_of(soap.SearchCustomers, Predicates=predicates(("CustomerName", "Contains", "alpine"))).code == 3080


def test_search_customers_page_size_is_at_most_1024(soap: Any) -> None:
    call = {"Predicates": predicates(*EVERY_US_CUSTOMER)}
    assert soap.SearchCustomers(**call, PageInfo=page(0, 1024)).Customers.Customer
    assert fault_of(soap.SearchCustomers, **call, PageInfo=page(0, 1025)).code == 201


@pytest.mark.parametrize(
    "triple",
    [
        ("Industry", "Equals", "Retail"),
        ("CustomerName", "StartsWith", "alpine"),
        ("CustomerId", "Equals", "not-an-id"),
        ("CustomerName", "Contains", "ab"),
    ],
    ids=["unknown-field", "unsupported-operator", "bad-id", "value-shorter-than-4"],
)
def test_search_customers_refuses_an_invalid_predicate(soap: Any, triple: tuple[str, str, str]) -> None:
    fault = fault_of(soap.SearchCustomers, Predicates=predicates(triple), PageInfo=page())
    assert fault.code == 3030
    assert triple[0] in (fault.errors[0].details or "")


def test_search_customers_allows_each_field_once(soap: Any) -> None:
    twice = predicates(("CustomerName", "Contains", "alpha"), ("CustomerName", "Contains", "beta"))
    fault = fault_of(soap.SearchCustomers, Predicates=twice, PageInfo=page())
    assert fault.code == 3030
    assert "CustomerName" in (fault.errors[0].details or "")


def test_search_customers_allows_at_most_10_predicates(soap: Any) -> None:
    eleven = predicates(*[("CustomerId", "Equals", str(n)) for n in range(11)])
    assert fault_of(soap.SearchCustomers, Predicates=eleven, PageInfo=page()).code == 3030
