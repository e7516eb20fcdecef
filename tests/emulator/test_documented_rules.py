"""The rules the API reference documents for addresses, tax information, invoice accounts and limits.

Each test names the page (under shared/reference/api-docs/customer-management-service/) that the rule
comes from. Calls go over HTTP through zeep; a sample also through Microsoft's official SDK (test_official_sdk.py).
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from pulumi_msads import codes, rules
from pulumi_msads.emulator.process import EmulatorControl

from .conftest import Added, Signup, StartEmulator
from .support import account, address, brazil_account, customer, entity_dict, fault_of, kvps

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"


def current_account(soap: Any, account_id: int) -> dict[str, Any]:
    return entity_dict(soap.GetAccount(AccountId=account_id).Account)


def codes_of(fault: Any) -> list[int]:
    return [e.code for e in fault.errors]


# -- advertiseraccount.md #businessaddress ------------------------------------------------------------------


def test_an_invoice_accounts_business_address_is_read_only(soap: Any, signup: Signup) -> None:
    """ "Read-only for monthly invoice accounts": SignupCustomer bills the new account to the aggregator's invoice."""
    account_id = signup().AccountId
    before = current_account(soap, account_id)
    changed = before["BusinessAddress"] | {"Line2": "Building 92"}
    fault = fault_of(soap.UpdateAccount, Account=before | {"BusinessAddress": changed})
    assert codes_of(fault) == [1138]
    assert fault.errors[0].message == "Invoice accounts are not allowed to add or update the business address."
    assert current_account(soap, account_id)["BusinessAddress"] == before["BusinessAddress"]


def test_an_invoice_account_may_send_its_business_address_unchanged(soap: Any, signup: Signup) -> None:
    account_id = signup().AccountId
    before = current_account(soap, account_id)
    soap.UpdateAccount(Account=before | {"Name": "Renamed"})
    assert current_account(soap, account_id)["Name"] == "Renamed"


def test_an_added_account_is_billed_to_its_own_customer_and_can_change_its_address(soap: Any, added: Added) -> None:
    account_id = added()
    before = current_account(soap, account_id)
    assert before["BillToCustomerId"] == before["ParentCustomerId"]
    soap.UpdateAccount(Account=before | {"BusinessAddress": before["BusinessAddress"] | {"Line2": "Building 92"}})
    assert current_account(soap, account_id)["BusinessAddress"]["Line2"] == "Building 92"


@pytest.mark.parametrize("field", rules.ADDRESS_REQUIRED_ON_CHANGE)
def test_changing_an_address_needs_its_required_fields_in_the_request(
    soap: Any, emulator: EmulatorControl, added: Added, field: str
) -> None:
    """ "if you want to make any changes to the Address then you must set its BusinessName, City, CountryCode,
    Line1": even under the per-field reading, where a field left out would otherwise be kept."""
    account_id = added()
    before = current_account(soap, account_id)
    sent = before["BusinessAddress"] | {"Line2": "Building 92", field: None}
    fault = fault_of(soap.UpdateAccount, Account=before | {"BusinessAddress": sent})
    assert codes_of(fault) == [1140]
    assert f"BusinessAddress.{field} is required when the address changes" in (fault.errors[0].details or "")


def test_the_address_id_must_be_the_stored_one(soap: Any, added: Added) -> None:
    """address.md, Id: "Update: Required"."""
    account_id = added()
    before = current_account(soap, account_id)
    for sent_id in (None, 12345):
        sent = before["BusinessAddress"] | {"Id": sent_id, "City": "Seattle"}
        fault = fault_of(soap.UpdateAccount, Account=before | {"BusinessAddress": sent})
        assert codes_of(fault) == [1140]
        assert f"stored address's Id {before['BusinessAddress']['Id']}" in (fault.errors[0].details or "")


def test_state_or_province_must_not_carry_the_country_prefix(soap: Any, signup: Signup) -> None:
    """address.md, StateOrProvince: "use only the WA suffix for Washington state"."""
    fault = fault_of(
        soap.SignupCustomer, **signup_request(soap, account(BusinessAddress=address(StateOrProvince="US-WA")))
    )
    assert codes_of(fault) == [1140]
    assert "'US-WA' has a country prefix; use 'WA'" in (fault.errors[0].details or "")


def test_an_invalid_postal_code_is_209_with_the_postal_code_message_not_a_timestamp_conflict(
    soap: Any, signup: Signup
) -> None:
    """operation-error-codes.md lists 209 twice: TimestampNotMatch, and "The Address PostalCode property is invalid"."""
    fault = fault_of(soap.SignupCustomer, **signup_request(soap, account(BusinessAddress=address(PostalCode="9" * 11))))
    assert codes_of(fault) == [209]
    assert fault.errors[0].message == "The Address PostalCode property is invalid."


def test_lengths_are_counted_as_the_service_counts_them(soap: Any, signup: Signup) -> None:
    """.NET strings count UTF-16 units: 18 emoji are 36 units, past the City's 35."""
    fault = fault_of(soap.SignupCustomer, **signup_request(soap, account(BusinessAddress=address(City="🏙" * 18))))
    assert codes_of(fault) == [200]


# -- advertiseraccount.md #taxinformation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        ("IN", "INR", "MH", "PanNumber", 1148),
        ("AU", "AUD", "NSW", "AUGSTNumber", 201),
        ("BR", "BRL", "RJ", "CNPJ or CPF", 201),
    ],
)
def test_a_new_account_needs_the_tax_keys_its_country_requires(soap: Any, case: tuple[str, str, str, str, int]) -> None:
    country, currency, state, missing, code = case
    business = address(CountryCode=country, StateOrProvince=state, PostalCode="400001")
    fault = fault_of(
        soap.SignupCustomer, **signup_request(soap, account(BusinessAddress=business, CurrencyCode=currency))
    )
    assert codes_of(fault) == [code]
    assert f"{missing} is required for an account in {country}" in (fault.errors[0].details or "")


def test_a_business_in_sao_paulo_also_needs_its_ccm(soap: Any, signup: Signup) -> None:
    """CCM: "Required for business accounts if the BusinessAddress is within the city of Sao Paulo"."""
    paulista = brazil_account(BusinessAddress=address(CountryCode="BR", City="São Paulo", StateOrProvince="SP"))
    fault = fault_of(soap.SignupCustomer, **signup_request(soap, paulista))
    assert "CCM is required for an account in BR" in (fault.errors[0].details or "")
    with_ccm = paulista | {"TaxInformation": kvps(CPF="1", CCM="2")}
    assert soap.SignupCustomer(**signup_request(soap, with_ccm)).AccountId


def test_a_tax_key_of_another_country_is_1144(soap: Any, signup: Signup) -> None:
    fault = fault_of(soap.SignupCustomer, **signup_request(soap, account(TaxInformation=kvps(VATNumber="DE1"))))
    assert codes_of(fault) == [1144]


@pytest.mark.parametrize("pairs", [[("NotATaxKey", "1")], [("CPF", "1"), ("CPF", "2")]], ids=["unknown", "twice"])
def test_an_unknown_or_repeated_tax_key_is_1145(soap: Any, signup: Signup, pairs: list[tuple[str, str]]) -> None:
    tax = {"KeyValuePairOfstringstring": [{"key": k, "value": v} for k, v in pairs]}
    fault = fault_of(soap.SignupCustomer, **signup_request(soap, brazil_account(TaxInformation=tax)))
    assert 1145 in codes_of(fault)


@pytest.mark.parametrize("semantics", ["per-field", "overwrite"])
@pytest.mark.parametrize("change", ["changed", "removed"])
def test_a_read_only_tax_key_cannot_change_after_the_account_exists(
    soap: Any, emulator: EmulatorControl, signup: Signup, semantics: str, change: str
) -> None:
    """VATNumber, PanNumber, GSTNumber, GSTINNumber, NZGSTNumber: "Update: Read-only"."""
    emulator.settings(update_semantics=semantics)
    german = account(BusinessAddress=address(CountryCode="DE", StateOrProvince=None, City="Berlin"), CurrencyCode="EUR")
    account_id = soap.SignupCustomer(
        **signup_request(soap, german | {"TaxInformation": kvps(VATNumber="DE1")})
    ).AccountId
    before = current_account(soap, account_id)
    sent = kvps(VATNumber="DE2") if change == "changed" else kvps(VATNumber="")
    fault = fault_of(soap.UpdateAccount, Account=before | {"TaxInformation": sent})
    assert codes_of(fault) == [201]
    assert "'VATNumber' is read-only on update" in (fault.errors[0].details or "")


def test_an_updatable_tax_key_changes(soap: Any, signup: Signup) -> None:
    account_id = signup(account_overrides=brazil_account()).AccountId
    before = current_account(soap, account_id)
    soap.UpdateAccount(Account=before | {"TaxInformation": kvps(CPF="98765432100")})
    pairs = current_account(soap, account_id)["TaxInformation"]["KeyValuePairOfstringstring"]
    assert pairs == [{"key": "CPF", "value": "98765432100"}]


# -- signupcustomer.md, advertiseraccount.md: what signup sets and ignores ---------------------------------------


def test_signup_bills_the_account_to_the_aggregators_invoice(soap: Any, signup: Signup, aggregator: int) -> None:
    """PaymentMethodId: "The service picks up the payment method identifier associated with the aggregator
    customer's invoice automatically"; BillToCustomerId is then the aggregator."""
    got = current_account(soap, signup().AccountId)
    assert got["PaymentMethodId"] is not None
    assert got["BillToCustomerId"] == aggregator != got["ParentCustomerId"]


def test_linked_agencies_are_ignored_on_signup(soap: Any, signup: Signup, aggregator: int) -> None:
    """LinkedAgencies: "Aggregators cannot link as agencies in this context, and therefore cannot set this element"."""
    agencies = {"CustomerInfo": [{"Id": aggregator, "Name": "Emulator Aggregator"}]}
    account_id = signup(account_overrides={"LinkedAgencies": agencies}).AccountId
    assert current_account(soap, account_id)["LinkedAgencies"] is None


# -- guides/entity-hierarchy-limits.md ----------------------------------------------------------------------------


def test_a_customer_has_at_most_six_accounts(soap: Any, emulator: EmulatorControl, signup: Signup) -> None:
    """ "Each customer can have between one and six accounts"."""
    customer_id = signup().CustomerId
    for index in range(rules.ACCOUNTS_PER_CUSTOMER_MAX - 1):
        added = soap.AddAccount(Account=account(Name=f"Contoso {index}", ParentCustomerId=customer_id)).AccountId
        emulator.set_account_status(added, "Active")  # no account can be added while one is Draft
    fault = fault_of(soap.AddAccount, Account=account(Name="Contoso seventh", ParentCustomerId=customer_id))
    assert codes_of(fault) == [202]
    assert "at most 6" in (fault.errors[0].details or "")


# -- getaccountsinfo.md: "may take up to five minutes" -------------------------------------------------------------


def test_with_a_listing_delay_a_new_account_is_listed_only_after_it(
    soap: Any, emulator: EmulatorControl, signup: Signup
) -> None:
    emulator.settings(listing_delay=0.5)
    created = signup()
    assert soap.GetAccountsInfo(CustomerId=created.CustomerId).AccountsInfo is None
    assert soap.GetAccount(AccountId=created.AccountId).Account.Id == created.AccountId, "readable by id at once"
    time.sleep(0.6)
    listed = soap.GetAccountsInfo(CustomerId=created.CustomerId).AccountsInfo.AccountInfo
    assert [a.Id for a in listed] == [created.AccountId]


def test_the_command_line_sets_the_update_semantics_and_the_listing_delay(start_emulator: StartEmulator) -> None:
    started = start_emulator("--update-semantics", "overwrite", "--listing-delay", "2.5", db=":memory:")
    assert started.control.settings() == {"update_semantics": "overwrite", "listing_delay": 2.5}


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        ("--update-semantics", "partial", "invalid choice: 'partial' (choose from 'per-field', 'overwrite')"),
        ("--listing-delay", "-1", "must be between 0 and 600 seconds, not -1"),
        ("--listing-delay", "soon", "must be a number of seconds, not 'soon'"),
    ],
)
def test_a_bad_setting_on_the_command_line_exits_2_saying_what_is_allowed(flag: str, value: str, said: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pulumi_msads.emulator", flag, value], capture_output=True, text=True)
    assert done.returncode == 2
    assert said in done.stderr


def test_a_reset_returns_to_the_command_lines_settings(emulator: EmulatorControl) -> None:
    emulator.settings(update_semantics="overwrite", listing_delay=3)
    emulator.reset()
    assert emulator.settings() == {"update_semantics": "per-field", "listing_delay": 0.0}


@pytest.mark.parametrize(
    "changes", [{"update_semantics": "partial"}, {"listing_delay": -1}, {"listing_delay": True}, {"colour": "blue"}]
)
def test_a_bad_setting_is_refused_with_what_is_allowed(emulator: EmulatorControl, changes: dict[str, Any]) -> None:
    response = requests.post(f"{emulator.base_url}/_emulator/settings", json=changes, timeout=5)
    assert response.status_code == 400
    assert "allowed" in response.json()["error"] or "must be" in response.json()["error"]


# -- operation-error-codes.md: the messages -----------------------------------------------------------------------

EXPLANATIONS = ("Typically", "For example", "For more information")


def documented_messages() -> dict[int, set[str]]:
    """Each code's documented descriptions, up to the documentation's own explanation of them."""
    table: dict[int, set[str]] = {}
    with (REFERENCE / "notes" / "operation-error-codes.tsv").open(encoding="utf-8") as handle:
        for code, _name, description in csv.reader(handle, delimiter="\t"):
            cut = min([i for i in (description.find(" " + e) for e in EXPLANATIONS) if i > 0], default=len(description))
            table.setdefault(int(code), set()).add(description[:cut].strip())
    return table


@pytest.mark.parametrize("code", sorted(codes.CODES))
def test_every_message_is_the_documented_description(code: int) -> None:
    assert codes.CODES[code].message in documented_messages().get(code, set())


@pytest.mark.parametrize("code", sorted(codes.ADDRESS_MESSAGES))
def test_every_address_message_is_the_documented_description(code: int) -> None:
    assert codes.ADDRESS_MESSAGES[code] in documented_messages()[code]


def test_the_117_fault_carries_the_full_documented_text(soap: Any, emulator: EmulatorControl) -> None:
    emulator.add_fault(operation="GetUser", code=117)
    fault = fault_of(soap.GetUser, UserId=None)
    assert fault.errors[0].message == (
        "You have exceeded the number of calls that you are allowed to make in a minute. "
        "Please reduce the number of calls that you make per minute."
    )


def signup_request(soap: Any, account_body: dict[str, Any]) -> dict[str, Any]:
    aggregator = int(soap.GetUser(UserId=None).User.CustomerId)
    country = (account_body.get("BusinessAddress") or {}).get("CountryCode", "US")
    return {"Customer": customer(MarketCountry=country), "Account": account_body, "ParentCustomerId": aggregator}
