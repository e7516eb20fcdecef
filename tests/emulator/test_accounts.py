"""AddAccount, GetAccount, UpdateAccount, DeleteAccount, GetAccountsInfo and SearchAccounts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from pulumi_msads.emulator.process import EmulatorControl

from .conftest import Added, Signup
from .support import account, address, brazil_account, entity_dict, fault_of, kvps, page, predicates


def current(soap: Any, account_id: int) -> dict[str, Any]:
    """The account as GetAccount returns it, as a dict ready for UpdateAccount."""
    return entity_dict(soap.GetAccount(AccountId=account_id).Account)


def new_account(parent: int, **overrides: Any) -> dict[str, Any]:
    """An account to add to ``parent``, named apart from the parent's signup account."""
    return account(**({"ParentCustomerId": parent, "Name": "Added account"} | overrides))


@pytest.fixture
def parent(signup: Signup) -> int:
    """A customer (with its signup account, which is Active) to add accounts to."""
    return int(signup().CustomerId)


# -- AddAccount -----------------------------------------------------------------------------------------


def test_add_account_returns_the_new_id_and_number(soap: Any, parent: int) -> None:
    added = soap.AddAccount(Account=new_account(parent))
    assert added.AccountId > 0
    assert re.fullmatch(r"[A-Z0-9]{8}", added.AccountNumber)
    assert added.CreateTime.utcoffset() == dt.timedelta(0)


def test_a_new_account_starts_in_draft(soap: Any, parent: int) -> None:
    added = soap.AddAccount(Account=new_account(parent))
    got = soap.GetAccount(AccountId=added.AccountId).Account
    assert (got.AccountLifeCycleStatus, got.ParentCustomerId, got.Number) == ("Draft", parent, added.AccountNumber)


def test_no_account_can_be_added_while_the_customer_has_one_in_draft(soap: Any, parent: int) -> None:
    soap.AddAccount(Account=new_account(parent, Name="First"))
    fault = fault_of(soap.AddAccount, Account=new_account(parent, Name="Second"))
    assert fault.code == 202
    assert "Draft" in (fault.errors[0].details or "")


def test_an_account_can_be_added_once_the_draft_one_is_activated(
    soap: Any, emulator: EmulatorControl, parent: int
) -> None:
    first = soap.AddAccount(Account=new_account(parent, Name="First")).AccountId
    emulator.set_account_status(first, "Active")
    assert soap.GetAccount(AccountId=first).Account.AccountLifeCycleStatus == "Active"
    assert soap.AddAccount(Account=new_account(parent, Name="Second")).AccountId


def test_a_draft_account_in_another_customer_does_not_block(soap: Any, signup: Signup) -> None:
    one, other = signup().CustomerId, signup().CustomerId
    soap.AddAccount(Account=account(ParentCustomerId=one, Name="Draft one"))
    assert soap.AddAccount(Account=account(ParentCustomerId=other, Name="Draft two")).AccountId


def test_add_account_defaults_time_zone_and_auto_tag_type(soap: Any, parent: int) -> None:
    got = soap.GetAccount(AccountId=soap.AddAccount(Account=new_account(parent)).AccountId).Account
    assert (got.TimeZone, got.AutoTagType) == ("PacificTimeUSCanadaTijuana", "Inactive")


def test_the_language_cannot_be_set_by_add_account(soap: Any, parent: int) -> None:
    added = soap.AddAccount(Account=new_account(parent, Language="French"))
    assert soap.GetAccount(AccountId=added.AccountId).Account.Language == "English"  # the user's language


def test_a_business_address_without_country_takes_the_parents_market_country(soap: Any, signup: Signup) -> None:
    parent = signup(customer_overrides={"MarketCountry": "CA"}).CustomerId
    business = address(StateOrProvince="ON")
    del business["CountryCode"]
    added = soap.AddAccount(Account=new_account(parent, BusinessAddress=business, CurrencyCode="CAD"))
    assert soap.GetAccount(AccountId=added.AccountId).Account.BusinessAddress.CountryCode == "CA"


@pytest.mark.parametrize(("field", "code"), [("Name", 201), ("CurrencyCode", 201), ("BusinessAddress", 1139)])
def test_add_account_requires_a_field(soap: Any, parent: int, field: str, code: int) -> None:
    sent = new_account(parent)
    del sent[field]
    assert fault_of(soap.AddAccount, Account=sent).code == code


def test_add_account_requires_the_parent_customer(soap: Any) -> None:
    assert fault_of(soap.AddAccount, Account=account()).code == 203


def test_add_account_to_an_unknown_customer_is_entity_not_existent(soap: Any) -> None:
    assert fault_of(soap.AddAccount, Account=account(ParentCustomerId=123456)).code == 210


def test_add_account_requires_an_account(soap: Any) -> None:
    assert fault_of(soap.AddAccount).code == 203


@pytest.mark.parametrize(("length", "code"), [(2, 201), (101, 211)])
def test_add_account_name_has_3_to_100_characters(soap: Any, parent: int, length: int, code: int) -> None:
    assert fault_of(soap.AddAccount, Account=new_account(parent, Name="a" * length)).code == code


@pytest.mark.parametrize("name", ["Contoso main", "CONTOSO MAIN"])
def test_account_names_are_unique_within_a_customer(soap: Any, parent: int, name: str) -> None:
    fault = fault_of(soap.AddAccount, Account=new_account(parent, Name=name))
    assert fault.code == 201  # our choice: the documentation names no code
    assert "already used" in (fault.errors[0].details or "")


def test_a_deleted_account_frees_its_name(soap: Any, signup: Signup) -> None:
    created = signup()
    soap.DeleteAccount(AccountId=created.AccountId, TimeStamp=current(soap, created.AccountId)["TimeStamp"])
    again = soap.AddAccount(Account=account(ParentCustomerId=created.CustomerId, Name="Contoso main"))
    assert current(soap, again.AccountId)["Name"] == current(soap, created.AccountId)["Name"]


def test_the_same_account_name_may_be_used_by_another_customer(soap: Any, signup: Signup) -> None:
    first, second = signup(), signup()
    assert soap.GetAccount(AccountId=first.AccountId).Account.Name == "Contoso main"
    assert soap.GetAccount(AccountId=second.AccountId).Account.Name == "Contoso main"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("AccountLifeCycleStatus", "Active"),
        ("BillToCustomerId", 42),
        ("BackUpPaymentInstrumentId", 42),
        ("BillingThresholdAmount", Decimal(100)),
        ("PauseReason", 1),
        ("Number", "XXXXXXXX"),
    ],
)
def test_read_only_fields_are_ignored_on_add(soap: Any, parent: int, field: str, value: Any) -> None:
    added = soap.AddAccount(Account=new_account(parent, **{field: value}))
    assert current(soap, added.AccountId)[field] != value


# -- GetAccount -------------------------------------------------------------------------------------------


def test_get_account_of_an_unknown_id_is_invalid_account_id(soap: Any) -> None:
    fault = fault_of(soap.GetAccount, AccountId=123456)
    assert fault.shape == "ApiFault"
    assert fault.code == 2108


def test_get_account_requires_an_id(soap: Any) -> None:
    assert fault_of(soap.GetAccount).code == 203


def test_get_account_returns_a_utc_last_modified_time(soap: Any, signup: Signup) -> None:
    assert current(soap, signup().AccountId)["LastModifiedTime"].utcoffset() == dt.timedelta(0)


def test_additional_fields_come_back_only_when_asked_for(soap: Any, signup: Signup) -> None:
    created = signup()
    plain = soap.GetAccount(AccountId=created.AccountId).Account
    extra = soap.GetAccount(AccountId=created.AccountId, ReturnAdditionalFields=["AccountMode", "ParentCustomerNumber"])
    assert (plain.AccountMode, plain.ParentCustomerNumber) == (None, None)
    assert (extra.Account.AccountMode, extra.Account.ParentCustomerNumber) == ("Expert", created.CustomerNumber)


def test_payment_method_type_and_tax_certificate_always_come_back_null(soap: Any, signup: Signup) -> None:
    got = soap.GetAccount(AccountId=signup().AccountId, ReturnAdditionalFields=["TaxCertificate"]).Account
    assert (got.PaymentMethodType, got.TaxCertificate) == (None, None)


# -- UpdateAccount ---------------------------------------------------------------------------------------


def test_update_account_changes_the_writable_fields(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    changes = {
        "Name": "Renamed",
        "TimeZone": "EasternTimeUSCanada",
        "AutoTagType": "Replace",
        "Language": "German",
        "BackUpPaymentInstrumentId": 77,
        "BillingThresholdAmount": Decimal("250.50"),
    }
    soap.UpdateAccount(Account=current(soap, account_id) | changes)
    got = current(soap, account_id)
    assert {k: got[k] for k in changes} == changes


def test_update_account_returns_the_new_last_modified_time(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    returned = soap.UpdateAccount(Account=current(soap, account_id)).LastModifiedTime
    assert returned.utcoffset() == dt.timedelta(0)
    assert current(soap, account_id)["LastModifiedTime"] == returned


def test_every_account_update_changes_the_time_stamp(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    first = current(soap, account_id)
    soap.UpdateAccount(Account=first)
    assert current(soap, account_id)["TimeStamp"] != first["TimeStamp"]


def test_update_account_with_a_stale_time_stamp_is_timestamp_not_match(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    stale = current(soap, account_id)
    soap.UpdateAccount(Account=stale | {"Name": "First writer"})
    assert fault_of(soap.UpdateAccount, Account=stale | {"Name": "Second writer"}).code == 209
    assert current(soap, account_id)["Name"] == "First writer"


def test_update_account_requires_the_time_stamp(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    assert fault_of(soap.UpdateAccount, Account=current(soap, account_id) | {"TimeStamp": None}).code == 203


def test_update_account_requires_the_id(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    assert fault_of(soap.UpdateAccount, Account=current(soap, account_id) | {"Id": None}).code == 203


def test_update_account_of_an_unknown_id_is_invalid_account_id(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    assert fault_of(soap.UpdateAccount, Account=current(soap, account_id) | {"Id": 123456}).code == 2108


def test_update_account_requires_an_account(soap: Any) -> None:
    assert fault_of(soap.UpdateAccount).code == 203


def test_update_account_requires_the_name(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    assert fault_of(soap.UpdateAccount, Account=current(soap, account_id) | {"Name": None}).code == 201


@pytest.mark.parametrize(("length", "code"), [(2, 201), (101, 211)])
def test_update_account_name_has_3_to_100_characters(soap: Any, signup: Signup, length: int, code: int) -> None:
    account_id = signup().AccountId
    assert fault_of(soap.UpdateAccount, Account=current(soap, account_id) | {"Name": "a" * length}).code == code


def test_update_account_cannot_take_the_name_of_a_sibling(soap: Any, emulator: EmulatorControl, signup: Signup) -> None:
    created = signup()
    sibling = soap.AddAccount(Account=account(ParentCustomerId=created.CustomerId, Name="Sibling")).AccountId
    assert fault_of(soap.UpdateAccount, Account=current(soap, created.AccountId) | {"Name": "sibling"}).code == 201
    assert fault_of(soap.UpdateAccount, Account=current(soap, sibling) | {"Name": "Contoso main"}).code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("CurrencyCode", "EUR"),
        ("ParentCustomerId", 42),
        ("AccountLifeCycleStatus", "Pause"),
        ("AccountFinancialStatus", "Hold"),
        ("Number", "XXXXXXXX"),
        ("BillToCustomerId", 42),
        ("PauseReason", 1),
        ("LinkedAgencies", {"CustomerInfo": [{"Id": 42, "Name": "Agency"}]}),
        ("LastModifiedTime", dt.datetime(2001, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_read_only_fields_are_ignored_on_update(soap: Any, signup: Signup, field: str, value: Any) -> None:
    account_id = signup().AccountId
    before = current(soap, account_id)
    soap.UpdateAccount(Account=before | {field: value})
    after = current(soap, account_id)
    assert after[field] != value
    if field != "LastModifiedTime":
        assert after[field] == before[field]


OPTIONAL_ON_UPDATE = {
    "TimeZone": "EasternTimeUSCanada",
    "AutoTagType": "Preserve",
    "Language": "French",
    "BackUpPaymentInstrumentId": 77,
    "PaymentMethodId": 88,
}
"""advertiseraccount.md: "Update: Optional. If no value is set for the update, this setting is not changed"."""


@pytest.mark.parametrize("field", [*OPTIONAL_ON_UPDATE, "PrimaryUserId"])
def test_by_default_a_field_left_out_of_an_update_keeps_its_value(soap: Any, signup: Signup, field: str) -> None:
    account_id = signup().AccountId
    soap.UpdateAccount(Account=current(soap, account_id) | OPTIONAL_ON_UPDATE)
    before = current(soap, account_id)[field]
    soap.UpdateAccount(Account=current(soap, account_id) | {field: None})
    assert current(soap, account_id)[field] == before is not None


@pytest.mark.parametrize("field", [*OPTIONAL_ON_UPDATE, "PrimaryUserId"])
def test_under_overwrite_semantics_a_field_left_out_is_cleared(
    soap: Any, emulator: EmulatorControl, signup: Signup, field: str
) -> None:
    """updateaccount.md: "This operation performs a full update, and not a partial update"."""
    emulator.settings(update_semantics="overwrite")
    account_id = signup().AccountId
    soap.UpdateAccount(Account=current(soap, account_id) | OPTIONAL_ON_UPDATE)
    assert current(soap, account_id)[field] is not None
    soap.UpdateAccount(Account=current(soap, account_id) | {field: None})
    assert current(soap, account_id)[field] is None


@pytest.mark.parametrize(("semantics", "kept"), [("per-field", ["CPF", "CNPJ"]), ("overwrite", ["CNPJ"])])
def test_tax_keys_are_merged_key_by_key_or_replaced_whole(
    soap: Any, emulator: EmulatorControl, signup: Signup, semantics: str, kept: list[str]
) -> None:
    emulator.settings(update_semantics=semantics)
    account_id = signup(account_overrides=brazil_account()).AccountId
    soap.UpdateAccount(Account=current(soap, account_id) | {"TaxInformation": kvps(CNPJ="11222333000181")})
    assert [p["key"] for p in current(soap, account_id)["TaxInformation"]["KeyValuePairOfstringstring"]] == kept


@pytest.mark.parametrize("semantics", ["per-field", "overwrite"])
def test_a_tax_key_sent_with_an_empty_value_is_removed(
    soap: Any, emulator: EmulatorControl, signup: Signup, semantics: str
) -> None:
    emulator.settings(update_semantics=semantics)
    account_id = signup(account_overrides=brazil_account(TaxInformation=kvps(CPF="123", CNPJ="456"))).AccountId
    soap.UpdateAccount(Account=current(soap, account_id) | {"TaxInformation": kvps(CPF="", CNPJ="789")})
    assert current(soap, account_id)["TaxInformation"]["KeyValuePairOfstringstring"] == [
        {"key": "CNPJ", "value": "789"}
    ]


def test_update_account_keeps_an_omitted_business_address(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    before = current(soap, account_id)
    soap.UpdateAccount(Account=before | {"BusinessAddress": None})
    assert current(soap, account_id)["BusinessAddress"] == before["BusinessAddress"]


def test_update_account_keeps_an_omitted_forward_compatibility_map(soap: Any, signup: Signup) -> None:
    account_id = signup(account_overrides={"ForwardCompatibilityMap": kvps(Feature="on")}).AccountId
    soap.UpdateAccount(Account=current(soap, account_id) | {"ForwardCompatibilityMap": None})
    kept = current(soap, account_id)["ForwardCompatibilityMap"]["KeyValuePairOfstringstring"]
    assert kept == [{"key": "Feature", "value": "on"}]


def test_update_account_changes_the_business_address_and_keeps_its_id(soap: Any, added: Added) -> None:
    account_id = added()
    before = current(soap, account_id)
    soap.UpdateAccount(Account=before | {"BusinessAddress": before["BusinessAddress"] | {"City": "Seattle"}})
    after = current(soap, account_id)["BusinessAddress"]
    assert (after["City"], after["Id"]) == ("Seattle", before["BusinessAddress"]["Id"])


def test_update_account_checks_the_business_address(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    before = current(soap, account_id)
    fault = fault_of(soap.UpdateAccount, Account=before | {"BusinessAddress": address(City="c" * 36)})
    assert fault.code == 200


def test_an_inactive_account_cannot_be_updated(soap: Any, emulator: EmulatorControl, signup: Signup) -> None:
    account_id = signup().AccountId
    emulator.set_account_status(account_id, "Inactive")
    assert fault_of(soap.UpdateAccount, Account=current(soap, account_id)).code == 2192


# -- DeleteAccount ----------------------------------------------------------------------------------------


def test_a_deleted_account_stays_readable_as_inactive(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    assert soap.DeleteAccount(AccountId=account_id, TimeStamp=current(soap, account_id)["TimeStamp"]) is None
    assert current(soap, account_id)["AccountLifeCycleStatus"] == "Inactive"


def test_a_deleted_account_stays_searchable(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    soap.DeleteAccount(AccountId=account_id, TimeStamp=current(soap, account_id)["TimeStamp"])
    found = search_accounts(soap, ("AccountId", "Equals", str(account_id)))
    assert [(a.Id, a.AccountLifeCycleStatus) for a in found] == [(account_id, "Inactive")]


def test_delete_account_changes_the_time_stamp(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    stamp = current(soap, account_id)["TimeStamp"]
    soap.DeleteAccount(AccountId=account_id, TimeStamp=stamp)
    assert current(soap, account_id)["TimeStamp"] != stamp


def test_delete_account_with_a_stale_time_stamp_is_timestamp_not_match(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    stale = current(soap, account_id)
    soap.UpdateAccount(Account=stale)
    assert fault_of(soap.DeleteAccount, AccountId=account_id, TimeStamp=stale["TimeStamp"]).code == 209
    assert current(soap, account_id)["AccountLifeCycleStatus"] == "Active"


def test_delete_account_requires_the_time_stamp(soap: Any, signup: Signup) -> None:
    assert fault_of(soap.DeleteAccount, AccountId=signup().AccountId).code == 203


def test_delete_account_of_an_unknown_id_is_invalid_account_id(soap: Any) -> None:
    assert fault_of(soap.DeleteAccount, AccountId=123456, TimeStamp=b"\x00" * 8).code == 2108


def test_an_account_cannot_be_deleted_twice(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    soap.DeleteAccount(AccountId=account_id, TimeStamp=current(soap, account_id)["TimeStamp"])
    again = fault_of(soap.DeleteAccount, AccountId=account_id, TimeStamp=current(soap, account_id)["TimeStamp"])
    assert again.code == 2192


def test_deleting_the_draft_account_lets_another_be_added(soap: Any, parent: int) -> None:
    draft = soap.AddAccount(Account=new_account(parent, Name="Draft")).AccountId
    soap.DeleteAccount(AccountId=draft, TimeStamp=current(soap, draft)["TimeStamp"])
    assert soap.AddAccount(Account=new_account(parent, Name="Next")).AccountId


# -- GetAccountsInfo ----------------------------------------------------------------------------------------


def accounts_info(soap: Any, **kwargs: Any) -> list[Any]:
    result = soap.GetAccountsInfo(**kwargs).AccountsInfo
    return list(result.AccountInfo) if result else []


def test_get_accounts_info_lists_the_customers_accounts(soap: Any, signup: Signup) -> None:
    created = signup()
    draft = soap.AddAccount(Account=account(ParentCustomerId=created.CustomerId, Name="Second"))
    signup()  # another customer's account is not listed
    found = accounts_info(soap, CustomerId=created.CustomerId, OnlyParentAccounts=True)
    assert [(a.Id, a.Name, a.Number, a.AccountLifeCycleStatus) for a in found] == [
        (created.AccountId, "Contoso main", created.AccountNumber, "Active"),
        (draft.AccountId, "Second", draft.AccountNumber, "Draft"),
    ]


def test_get_accounts_info_without_a_customer_lists_the_callers(soap: Any, aggregator: int) -> None:
    added = soap.AddAccount(Account=account(ParentCustomerId=aggregator))
    assert [a.Id for a in accounts_info(soap)] == [added.AccountId]


def test_get_accounts_info_of_an_unknown_customer_is_entity_not_existent(soap: Any) -> None:
    assert fault_of(soap.GetAccountsInfo, CustomerId=123456).code == 210


# -- SearchAccounts --------------------------------------------------------------------------------------


def search_accounts(soap: Any, *triples: tuple[str, str, str], **kwargs: Any) -> list[Any]:
    kwargs.setdefault("PageInfo", page())
    result = soap.SearchAccounts(Predicates=predicates(*triples), **kwargs).Accounts
    return list(result.AdvertiserAccount) if result else []


@pytest.fixture
def accounts(soap: Any, emulator: EmulatorControl, parent: int) -> dict[str, Any]:
    """Accounts of one customer by name (the signup account is "Contoso main"), all Active."""
    found = {a.Name: a for a in search_accounts(soap, ("CustomerId", "Equals", str(parent)))}
    for name in ["Northwind Search", "northwind shopping", "Tailspin Toys"]:
        added = soap.AddAccount(Account=new_account(parent, Name=name))
        emulator.set_account_status(added.AccountId, "Active")
        found[name] = soap.GetAccount(AccountId=added.AccountId).Account
    return found


def ids(found: list[Any]) -> list[int]:
    return [a.Id for a in found]


def test_search_accounts_by_id(soap: Any, accounts: dict[str, Any]) -> None:
    wanted = accounts["Tailspin Toys"].Id
    assert ids(search_accounts(soap, ("AccountId", "Equals", str(wanted)))) == [wanted]


def test_search_accounts_by_ids_in_a_list(soap: Any, accounts: dict[str, Any]) -> None:
    wanted = sorted(accounts[n].Id for n in ("Tailspin Toys", "Contoso main"))
    assert sorted(ids(search_accounts(soap, ("AccountId", "In", ",".join(map(str, wanted)))))) == wanted


def test_search_accounts_by_name_equals_is_case_insensitive(soap: Any, accounts: dict[str, Any]) -> None:
    assert ids(search_accounts(soap, ("AccountName", "Equals", "TAILSPIN TOYS"))) == [accounts["Tailspin Toys"].Id]


def test_search_accounts_by_name_contains(soap: Any, accounts: dict[str, Any]) -> None:
    found = search_accounts(soap, ("AccountName", "Contains", "northwind"))
    assert sorted(a.Name for a in found) == ["Northwind Search", "northwind shopping"]


@pytest.mark.parametrize("operator", ["Equals", "Contains", "In"])
def test_search_accounts_by_number(soap: Any, accounts: dict[str, Any], operator: str) -> None:
    number = accounts["Tailspin Toys"].Number
    value = number[2:] if operator == "Contains" else number.lower()
    assert accounts["Tailspin Toys"].Id in ids(search_accounts(soap, ("AccountNumber", operator, value)))


def test_search_accounts_by_numbers_in_a_list(soap: Any, accounts: dict[str, Any]) -> None:
    numbers = [accounts[n].Number for n in ("Tailspin Toys", "Northwind Search")]
    found = search_accounts(soap, ("AccountNumber", "In", ",".join(numbers)))
    assert sorted(a.Number for a in found) == sorted(numbers)


def test_search_accounts_by_customer(soap: Any, signup: Signup, parent: int, accounts: dict[str, Any]) -> None:
    signup()  # another customer's account is not found
    assert sorted(ids(search_accounts(soap, ("CustomerId", "Equals", str(parent))))) == sorted(
        a.Id for a in accounts.values()
    )


def test_search_accounts_by_user_finds_every_account_of_the_caller(
    soap: Any, accounts: dict[str, Any], signup: Signup
) -> None:
    other = signup().AccountId
    user_id = soap.GetUser(UserId=None).User.Id
    found = ids(search_accounts(soap, ("UserId", "Equals", str(user_id))))
    assert set(found) == {*(a.Id for a in accounts.values()), other}


def test_search_accounts_by_life_cycle_status_with_a_user(
    soap: Any, emulator: EmulatorControl, accounts: dict[str, Any]
) -> None:
    paused = accounts["Tailspin Toys"].Id
    emulator.set_account_status(paused, "Pause")
    user_id = soap.GetUser(UserId=None).User.Id
    found = search_accounts(soap, ("AccountLifeCycleStatus", "Equals", "Pause"), ("UserId", "Equals", str(user_id)))
    assert ids(found) == [paused]


def test_a_life_cycle_status_predicate_needs_another_one(soap: Any) -> None:
    fault = fault_of(
        soap.SearchAccounts, Predicates=predicates(("AccountLifeCycleStatus", "Equals", "Active")), PageInfo=page()
    )
    assert fault.code == 3030


def test_search_accounts_takes_exactly_one_predicate(soap: Any) -> None:
    two = predicates(("AccountName", "Contains", "contoso"), ("CustomerId", "Equals", "251000001"))
    assert fault_of(soap.SearchAccounts, Predicates=two, PageInfo=page()).code == 3030
    assert fault_of(soap.SearchAccounts, PageInfo=page()).code == 3030


@pytest.mark.parametrize(
    "triple",
    [
        ("Industry", "Equals", "Retail"),
        ("AccountName", "In", "a,b"),
        ("AccountId", "Contains", "1"),
        ("CustomerId", "In", "1,2"),
        ("AccountId", "Equals", "twelve"),
    ],
    ids=["unknown-field", "name-in", "id-contains", "customer-in", "bad-id"],
)
def test_search_accounts_refuses_an_invalid_predicate(soap: Any, triple: tuple[str, str, str]) -> None:
    fault = fault_of(soap.SearchAccounts, Predicates=predicates(triple), PageInfo=page())
    assert fault.code == 3030
    assert triple[0] in (fault.errors[0].details or "")


@pytest.mark.parametrize(
    ("field", "order"), [("Name", "Ascending"), ("Name", "Descending"), ("Id", "Descending"), ("Number", "Ascending")]
)
def test_search_accounts_orders_results(
    soap: Any, parent: int, accounts: dict[str, Any], field: str, order: str
) -> None:
    found = search_accounts(
        soap, ("CustomerId", "Equals", str(parent)), Ordering={"OrderBy": [{"Field": field, "Order": order}]}
    )
    key = {"Name": lambda a: a.Name.casefold(), "Id": lambda a: a.Id, "Number": lambda a: a.Number}[field]
    assert ids(found) == ids(sorted(accounts.values(), key=key, reverse=order == "Descending"))


def test_search_accounts_uses_only_the_first_order_by(soap: Any, parent: int, accounts: dict[str, Any]) -> None:
    ordering = {"OrderBy": [{"Field": "Id", "Order": "Descending"}, {"Field": "Name", "Order": "Ascending"}]}
    found = search_accounts(soap, ("CustomerId", "Equals", str(parent)), Ordering=ordering)
    assert ids(found) == sorted(ids(list(accounts.values())), reverse=True)


def test_search_accounts_pages_with_a_zero_based_index(soap: Any, parent: int, accounts: dict[str, Any]) -> None:
    ordering = {"OrderBy": [{"Field": "Id", "Order": "Ascending"}]}
    pages = [
        ids(search_accounts(soap, ("CustomerId", "Equals", str(parent)), PageInfo=page(i, 3), Ordering=ordering))
        for i in range(3)
    ]
    assert pages == [sorted(ids(list(accounts.values())))[:3], sorted(ids(list(accounts.values())))[3:], []]


@pytest.mark.parametrize("paging", [{"Index": -1, "Size": 10}, {"Index": 0, "Size": -1}], ids=["index", "size"])
def test_search_accounts_refuses_a_negative_page(soap: Any, paging: dict[str, int]) -> None:
    assert (
        fault_of(
            soap.SearchAccounts, Predicates=predicates(("AccountName", "Contains", "contoso")), PageInfo=paging
        ).code
        == 201
    )


def test_a_predicate_needs_a_value(soap: Any) -> None:
    no_value = {"Predicate": [{"Field": "AccountName", "Operator": "Equals"}]}
    assert fault_of(soap.SearchAccounts, Predicates=no_value, PageInfo=page()).code == 3030


def test_search_accounts_needs_page_info(soap: Any) -> None:
    assert fault_of(soap.SearchAccounts, Predicates=predicates(("AccountName", "Contains", "contoso"))).code == 3080


def test_search_accounts_page_size_is_at_most_1000(soap: Any, signup: Signup) -> None:
    signup()
    call = {"Predicates": predicates(("AccountName", "Contains", "contoso"))}
    assert soap.SearchAccounts(**call, PageInfo=page(0, 1000)).Accounts.AdvertiserAccount
    assert fault_of(soap.SearchAccounts, **call, PageInfo=page(0, 1001)).code == 201


def test_search_accounts_returns_additional_fields_when_asked(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    (found,) = search_accounts(soap, ("AccountId", "Equals", str(account_id)), ReturnAdditionalFields=["AccountMode"])
    assert found.AccountMode == "Expert"


def test_search_accounts_returns_whole_accounts_with_time_stamps(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    (found,) = search_accounts(soap, ("AccountId", "Equals", str(account_id)))
    assert found == soap.GetAccount(AccountId=account_id).Account


@pytest.mark.parametrize("value", ["a", "abc"])
def test_a_predicate_value_has_at_least_four_characters(soap: Any, value: str) -> None:
    fault = fault_of(soap.SearchAccounts, Predicates=predicates(("AccountName", "Contains", value)), PageInfo=page())
    assert fault.code == 3030
    assert "at least 4 characters" in (fault.errors[0].details or "")
