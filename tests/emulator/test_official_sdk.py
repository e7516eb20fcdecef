"""Microsoft's own Python SDK (``bingads``, suds) against the emulator, as a second, independent client.

Objects are built the way Microsoft's samples build them: ``factory.create('ns5:...')`` with every
unused field set to None, because suds would otherwise send empty elements, which the service (and
so the emulator) refuses for enumerations.
"""

from __future__ import annotations

from typing import Any

import pytest
from bingads.service_client import ServiceClient
from suds import WebFault

from pulumi_msads.emulator.process import EmulatorControl


def empty(sdk: ServiceClient, type_name: str) -> Any:
    """A new suds object with every element set to None (the SDK samples' set_elements_to_none)."""
    value = sdk.factory.create(f"ns5:{type_name}")
    for name, _ in value:
        value[name] = None
    return value


def signup(sdk: ServiceClient) -> Any:
    user = sdk.GetUser(UserId=None).User
    customer = empty(sdk, "Customer")
    customer.Name, customer.Industry = "Contoso", "Retail"
    customer.MarketCountry, customer.MarketLanguage = "US", "English"
    business = empty(sdk, "Address")
    business.BusinessName, business.City, business.Line1 = "Contoso", "Redmond", "One Microsoft Way"
    business.CountryCode, business.PostalCode, business.StateOrProvince = "US", "98052", "WA"
    account = empty(sdk, "AdvertiserAccount")
    account.Name, account.CurrencyCode, account.BusinessAddress = "Contoso main", "USD", business
    return sdk.SignupCustomer(Customer=customer, Account=account, ParentCustomerId=user.CustomerId)


def operation_error_codes(error: WebFault) -> list[int]:
    errors = error.fault.detail.ApiFault.OperationErrors.OperationError
    return [int(e.Code) for e in (errors if isinstance(errors, list) else [errors])]


def test_the_sdk_reads_the_signed_in_user(sdk: ServiceClient) -> None:
    response = sdk.GetUser(UserId=None)
    assert response.User.UserName
    assert response.CustomerRoles.CustomerRole[0].RoleId == 33


def test_the_sdk_reads_the_aggregator_roles_after_a_signup(sdk: ServiceClient) -> None:
    created = signup(sdk)
    response = sdk.GetUser(UserId=None)
    roles = response.CustomerRoles.CustomerRole
    assert [(r.RoleId, r.CustomerId) for r in roles] == [(33, response.User.CustomerId), (41, response.User.CustomerId)]
    assert [list(r.LinkedAccountIds.long) for r in roles] == [[created.AccountId]] * 2


def test_the_sdk_searches_customers_by_date_range(sdk: ServiceClient) -> None:
    created = signup(sdk)
    day = created.CreateTime.strftime("%Y%m%d")
    predicate = empty(sdk, "Predicate")
    predicate.Field, predicate.Operator, predicate.Value = "CustomerId", "Equals", str(created.CustomerId)
    predicates = sdk.factory.create("ns5:ArrayOfPredicate")
    predicates.Predicate.append(predicate)
    date_range = empty(sdk, "DateRange")
    date_range.MinDate, date_range.MaxDate = day, day
    paging = empty(sdk, "Paging")
    paging.Index, paging.Size = 0, 10
    found = sdk.SearchCustomers(Predicates=predicates, DateRange=date_range, Ordering=None, PageInfo=paging)
    assert [int(c.Id) for c in found.Customer] == [created.CustomerId]


def test_the_sdk_signs_up_a_customer(sdk: ServiceClient) -> None:
    created = signup(sdk)
    assert len(created.CustomerNumber) == 10
    assert len(created.AccountNumber) == 8
    assert sdk.get_response_header()["TrackingId"]


def test_the_sdk_reads_what_it_signed_up(sdk: ServiceClient) -> None:
    created = signup(sdk)
    customer = sdk.GetCustomer(CustomerId=created.CustomerId)
    account = sdk.GetAccount(AccountId=created.AccountId)
    assert (customer.Name, customer.Number) == ("Contoso", created.CustomerNumber)
    assert (account.Name, account.ParentCustomerId, account.BusinessAddress.City) == (
        "Contoso main",
        created.CustomerId,
        "Redmond",
    )


def test_the_sdk_updates_a_customer_it_read(sdk: ServiceClient) -> None:
    created = signup(sdk)
    customer = sdk.GetCustomer(CustomerId=created.CustomerId)
    customer.Name = "Contoso Renamed"
    sdk.UpdateCustomer(Customer=customer)
    assert sdk.GetCustomer(CustomerId=created.CustomerId).Name == "Contoso Renamed"


def test_the_sdk_updates_an_account_it_read(sdk: ServiceClient) -> None:
    created = signup(sdk)
    account = sdk.GetAccount(AccountId=created.AccountId)
    account.Name, account.TimeZone = "Contoso renamed", "EasternTimeUSCanada"
    sdk.UpdateAccount(Account=account)
    got = sdk.GetAccount(AccountId=created.AccountId)
    assert (got.Name, got.TimeZone) == ("Contoso renamed", "EasternTimeUSCanada")


def test_the_sdk_is_refused_a_change_to_an_invoice_accounts_business_address(sdk: ServiceClient) -> None:
    """advertiseraccount.md #businessaddress: "Read-only for monthly invoice accounts" (1138)."""
    account = sdk.GetAccount(AccountId=signup(sdk).AccountId)
    account.BusinessAddress.Line2 = "Building 92"
    with pytest.raises(WebFault) as raised:
        sdk.UpdateAccount(Account=account)
    assert operation_error_codes(raised.value) == [1138]


def test_the_sdk_is_refused_an_indian_account_without_its_pan_number(sdk: ServiceClient) -> None:
    """advertiseraccount.md #taxinformation: PanNumber, "Add: Required" (1148)."""
    user = sdk.GetUser(UserId=None).User
    customer = empty(sdk, "Customer")
    customer.Name, customer.Industry, customer.MarketCountry, customer.MarketLanguage = (
        "Contoso",
        "Retail",
        "IN",
        "English",
    )
    business = empty(sdk, "Address")
    business.BusinessName, business.City, business.Line1 = "Contoso", "Mumbai", "1 Marine Drive"
    business.CountryCode, business.PostalCode, business.StateOrProvince = "IN", "400001", "MH"
    account = empty(sdk, "AdvertiserAccount")
    account.Name, account.CurrencyCode, account.BusinessAddress = "Contoso India", "INR", business
    with pytest.raises(WebFault) as raised:
        sdk.SignupCustomer(Customer=customer, Account=account, ParentCustomerId=user.CustomerId)
    assert operation_error_codes(raised.value) == [1148]


def test_the_sdk_gets_timestamp_not_match_for_a_stale_update(sdk: ServiceClient) -> None:
    created = signup(sdk)
    stale = sdk.GetCustomer(CustomerId=created.CustomerId)
    sdk.UpdateCustomer(Customer=stale)
    with pytest.raises(WebFault) as raised:
        sdk.UpdateCustomer(Customer=stale)
    assert operation_error_codes(raised.value) == [209]
    assert raised.value.fault.detail.ApiFault.TrackingId


def test_the_sdk_deletes_an_account(sdk: ServiceClient) -> None:
    created = signup(sdk)
    stamp = sdk.GetAccount(AccountId=created.AccountId).TimeStamp
    sdk.DeleteAccount(AccountId=created.AccountId, TimeStamp=stamp)
    assert sdk.GetAccount(AccountId=created.AccountId).AccountLifeCycleStatus == "Inactive"


def test_the_sdk_reads_an_ad_api_fault_detail(sdk: ServiceClient, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetUser", code=117)
    with pytest.raises(WebFault) as raised:
        sdk.GetUser(UserId=None)
    error = raised.value.fault.detail.AdApiFaultDetail.Errors.AdApiError
    assert (int(error.Code), error.ErrorCode) == (117, "CallRateExceeded")


def test_empty_enumeration_elements_from_suds_are_refused(sdk: ServiceClient) -> None:
    user = sdk.GetUser(UserId=None).User
    customer = sdk.factory.create("ns5:Customer")  # unused enumerations left empty, unlike the samples
    customer.Name, customer.Industry, customer.MarketCountry, customer.MarketLanguage = "C", "Retail", "US", "English"
    account = empty(sdk, "AdvertiserAccount")
    account.Name, account.CurrencyCode = "Contoso main", "USD"
    with pytest.raises(WebFault) as raised:
        sdk.SignupCustomer(Customer=customer, Account=account, ParentCustomerId=user.CustomerId)
    assert operation_error_codes(raised.value) == [201]
