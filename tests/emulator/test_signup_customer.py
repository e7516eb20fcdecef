"""SignupCustomer: creates a customer and its first account under the caller's aggregator customer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from .conftest import Signup
from .support import TAXES_FOR, account, address, customer, fault_of, kvps


def test_signup_returns_the_new_ids_and_numbers(signup: Signup) -> None:
    created = signup()
    assert created.CustomerId > 0
    assert created.AccountId > 0
    assert re.fullmatch(r"[A-Z0-9]{10}", created.CustomerNumber)
    assert re.fullmatch(r"[A-Z0-9]{8}", created.AccountNumber)


def test_create_time_is_utc(signup: Signup) -> None:
    created = signup().CreateTime
    assert created.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=5)


def test_each_signup_gets_new_ids_and_numbers(signup: Signup) -> None:
    first, second = signup(), signup()
    assert first.CustomerId != second.CustomerId
    assert first.AccountId != second.AccountId
    assert first.CustomerNumber != second.CustomerNumber
    assert first.AccountNumber != second.AccountNumber


def test_the_customer_reads_back_as_sent(soap: Any, signup: Signup) -> None:
    created = signup(customer_overrides={"Name": "Fabrikam", "Industry": "Education", "MarketCountry": "CA"})
    got = soap.GetCustomer(CustomerId=created.CustomerId).Customer
    assert (got.Id, got.Number) == (created.CustomerId, created.CustomerNumber)
    assert (got.Name, got.Industry, got.MarketCountry, got.MarketLanguage) == ("Fabrikam", "Education", "CA", "English")
    assert got.CustomerLifeCycleStatus == "Active"
    assert got.TimeStamp


def test_the_account_is_active_and_belongs_to_the_new_customer(soap: Any, signup: Signup, aggregator: int) -> None:
    created = signup(account_overrides={"Name": "Fabrikam Search", "CurrencyCode": "CAD"})
    got = soap.GetAccount(AccountId=created.AccountId).Account
    assert (got.Id, got.Number, got.Name, got.CurrencyCode) == (
        created.AccountId,
        created.AccountNumber,
        "Fabrikam Search",
        "CAD",
    )
    assert got.ParentCustomerId == created.CustomerId
    assert got.BillToCustomerId == aggregator  # billed to the aggregator's invoice
    assert got.AccountLifeCycleStatus == "Active"
    assert got.PaymentMethodType is None


def test_the_account_gets_default_time_zone_and_auto_tag_type(soap: Any, signup: Signup) -> None:
    got = soap.GetAccount(AccountId=signup().AccountId).Account
    assert (got.TimeZone, got.AutoTagType) == ("PacificTimeUSCanadaTijuana", "Inactive")


def test_time_zone_and_auto_tag_type_are_kept_when_sent(soap: Any, signup: Signup) -> None:
    created = signup(account_overrides={"TimeZone": "EasternTimeUSCanada", "AutoTagType": "Preserve"})
    got = soap.GetAccount(AccountId=created.AccountId).Account
    assert (got.TimeZone, got.AutoTagType) == ("EasternTimeUSCanada", "Preserve")


def test_the_account_language_defaults_to_the_language_of_the_user(soap: Any, signup: Signup) -> None:
    lcid = soap.GetUser(UserId=None).User.Lcid
    assert lcid == "EnglishUS"
    assert soap.GetAccount(AccountId=signup().AccountId).Account.Language == "English"


def test_an_account_language_that_is_sent_is_kept(soap: Any, signup: Signup) -> None:
    created = signup(account_overrides={"Language": "French"})
    assert soap.GetAccount(AccountId=created.AccountId).Account.Language == "French"


@pytest.mark.parametrize(
    ("customer_address", "market_country", "expected"),
    [
        ({"CountryCode": "DE", "City": "Berlin", "Line1": "Unter den Linden 1"}, "US", "DE"),
        (None, "GB", "GB"),
    ],
    ids=["from-customer-address", "from-market-country"],
)
def test_a_business_address_without_country_takes_the_customers(
    soap: Any, signup: Signup, customer_address: dict[str, str] | None, market_country: str, expected: str
) -> None:
    business = address()
    del business["CountryCode"]
    created = signup(
        customer_overrides={"CustomerAddress": customer_address, "MarketCountry": market_country},
        account_overrides={"BusinessAddress": business},
    )
    assert soap.GetAccount(AccountId=created.AccountId).Account.BusinessAddress.CountryCode == expected


def test_the_business_address_gets_a_system_id(soap: Any, signup: Signup) -> None:
    got = soap.GetAccount(AccountId=signup().AccountId).Account.BusinessAddress
    assert got.Id > 0
    assert (got.City, got.Line1, got.BusinessName) == ("Redmond", "One Microsoft Way", "Contoso")


def test_forward_compatibility_map_is_stored(soap: Any, signup: Signup) -> None:
    created = signup(customer_overrides={"ForwardCompatibilityMap": kvps(Feature="on")})
    got = soap.GetCustomer(CustomerId=created.CustomerId).Customer.ForwardCompatibilityMap
    assert [(p.key, p.value) for p in got.KeyValuePairOfstringstring] == [("Feature", "on")]


# -- required fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["Name", "Industry", "MarketCountry", "MarketLanguage"])
def test_a_customer_field_is_required(soap: Any, aggregator: int, field: str) -> None:
    sent = customer()
    del sent[field]
    fault = fault_of(soap.SignupCustomer, Customer=sent, Account=account(), ParentCustomerId=aggregator)
    assert fault.shape == "ApiFault"
    assert fault.code == 201
    assert f"Customer.{field}" in (fault.errors[0].details or "")


@pytest.mark.parametrize(("field", "code"), [("Name", 201), ("CurrencyCode", 201), ("BusinessAddress", 1139)])
def test_an_account_field_is_required(soap: Any, aggregator: int, field: str, code: int) -> None:
    sent = account()
    del sent[field]
    fault = fault_of(soap.SignupCustomer, Customer=customer(), Account=sent, ParentCustomerId=aggregator)
    assert fault.code == code
    assert f"Account.{field}" in (fault.errors[0].details or "")


@pytest.mark.parametrize("field", ["BusinessName", "City", "Line1"])
def test_a_business_address_field_is_required(soap: Any, aggregator: int, field: str) -> None:
    business = address()
    del business[field]
    fault = fault_of(
        soap.SignupCustomer, Customer=customer(), Account=account(BusinessAddress=business), ParentCustomerId=aggregator
    )
    assert fault.code == 1140
    assert f"BusinessAddress.{field}" in (fault.errors[0].details or "")


@pytest.mark.parametrize("country", ["BR", "IN"])
@pytest.mark.parametrize("field", ["PostalCode", "StateOrProvince"])
def test_brazil_and_india_also_require_postal_code_and_state(
    soap: Any, aggregator: int, country: str, field: str
) -> None:
    business = address(CountryCode=country)
    del business[field]
    fault = fault_of(
        soap.SignupCustomer,
        Customer=customer(MarketCountry=country),
        Account=account(
            BusinessAddress=business,
            CurrencyCode="BRL" if country == "BR" else "INR",
            TaxInformation=kvps(**TAXES_FOR[country]),
        ),
        ParentCustomerId=aggregator,
    )
    assert fault.code == 1140
    assert field in (fault.errors[0].details or "")


def test_every_missing_field_is_reported_at_once(soap: Any, aggregator: int) -> None:
    fault = fault_of(
        soap.SignupCustomer,
        Customer={"MarketCountry": "US", "MarketLanguage": "English"},
        Account={"CurrencyCode": "USD", "BusinessAddress": address()},
        ParentCustomerId=aggregator,
    )
    assert fault.codes == [201, 201, 201]
    details = " ".join(e.details or "" for e in fault.errors)
    assert all(name in details for name in ("Customer.Name", "Customer.Industry", "Account.Name"))


def test_the_customer_is_required(soap: Any, aggregator: int) -> None:
    assert fault_of(soap.SignupCustomer, Account=account(), ParentCustomerId=aggregator).code == 310


def test_the_account_is_required(soap: Any, aggregator: int) -> None:
    assert fault_of(soap.SignupCustomer, Customer=customer(), ParentCustomerId=aggregator).code == 203


def test_the_parent_customer_is_required_without_an_invitation(soap: Any) -> None:
    assert fault_of(soap.SignupCustomer, Customer=customer(), Account=account()).code == 203


def test_an_unknown_parent_customer_is_refused(soap: Any) -> None:
    fault = fault_of(soap.SignupCustomer, Customer=customer(), Account=account(), ParentCustomerId=999)
    assert fault.shape == "AdApiFaultDetail"
    assert fault.code == 106


# -- lengths and values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "accepted"), [(1, True), (90, True), (91, False)])
def test_a_customer_name_has_at_most_90_characters(soap: Any, aggregator: int, length: int, accepted: bool) -> None:
    call = {"Customer": customer(Name="n" * length), "Account": account(), "ParentCustomerId": aggregator}
    if accepted:
        assert soap.SignupCustomer(**call).CustomerId
    else:
        assert fault_of(soap.SignupCustomer, **call).code == 211


@pytest.mark.parametrize(("length", "code"), [(2, 201), (3, None), (100, None), (101, 211)])
def test_an_account_name_has_3_to_100_characters(soap: Any, aggregator: int, length: int, code: int | None) -> None:
    call = {"Customer": customer(), "Account": account(Name="a" * length), "ParentCustomerId": aggregator}
    if code is None:
        assert soap.SignupCustomer(**call).AccountId
    else:
        assert fault_of(soap.SignupCustomer, **call).code == code


@pytest.mark.parametrize(
    ("field", "limit", "code"),
    [
        ("City", 35, 200),
        ("Line1", 35, 205),
        ("Line2", 35, 1140),
        ("Line3", 35, 207),
        ("Line4", 35, 1140),
        ("PostalCode", 10, 209),
        ("BusinessName", 100, 1140),
    ],
)
def test_address_fields_have_length_limits(soap: Any, aggregator: int, field: str, limit: int, code: int) -> None:
    def call(length: int) -> dict[str, Any]:
        return {
            "Customer": customer(),
            "Account": account(Name=f"Account {length}", BusinessAddress=address(**{field: "x" * length})),
            "ParentCustomerId": aggregator,
        }

    assert soap.SignupCustomer(**call(limit)).AccountId
    fault = fault_of(soap.SignupCustomer, **call(limit + 1))
    assert fault.code == code
    assert field in (fault.errors[0].details or "")


def test_service_level_cannot_be_set(soap: Any, aggregator: int) -> None:
    fault = fault_of(
        soap.SignupCustomer,
        Customer=customer(ServiceLevel="Premium"),
        Account=account(),
        ParentCustomerId=aggregator,
    )
    assert fault.code == 201
    assert "ServiceLevel" in (fault.errors[0].details or "")


def test_payment_method_must_be_null(soap: Any, aggregator: int) -> None:
    fault = fault_of(
        soap.SignupCustomer, Customer=customer(), Account=account(PaymentMethodId=123), ParentCustomerId=aggregator
    )
    assert fault.code == 201
    assert "PaymentMethodId" in (fault.errors[0].details or "")


# -- read-only fields -----------------------------------------------------------------------------------

LONG_AGO = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Id", 42),
        ("Number", "XXXXXXXXXX"),
        ("CustomerLifeCycleStatus", "Inactive"),
        ("CustomerFinancialStatus", "CreditHold"),
        ("LastModifiedByUserId", 42),
        ("LastModifiedTime", LONG_AGO),
    ],
)
def test_read_only_customer_fields_are_ignored(soap: Any, aggregator: int, field: str, value: Any) -> None:
    created = soap.SignupCustomer(Customer=customer(**{field: value}), Account=account(), ParentCustomerId=aggregator)
    got = soap.GetCustomer(CustomerId=created.CustomerId).Customer
    assert getattr(got, field) != value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Id", 42),
        ("Number", "XXXXXXXX"),
        ("AccountLifeCycleStatus", "Inactive"),
        ("AccountFinancialStatus", "Hold"),
        ("BillToCustomerId", 42),
        ("ParentCustomerId", 42),
        ("PauseReason", 1),
        ("SalesHouseCustomerId", 42),
        ("PaymentMethodType", "CreditCard"),
        ("BackUpPaymentInstrumentId", 42),
        ("BillingThresholdAmount", 100),
        ("LastModifiedByUserId", 42),
        ("LastModifiedTime", LONG_AGO),
    ],
)
def test_read_only_account_fields_are_ignored(soap: Any, aggregator: int, field: str, value: Any) -> None:
    created = soap.SignupCustomer(Customer=customer(), Account=account(**{field: value}), ParentCustomerId=aggregator)
    got = soap.GetAccount(AccountId=created.AccountId, ReturnAdditionalFields=["AccountMode"]).Account
    assert getattr(got, field) != value
