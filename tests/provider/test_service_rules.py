"""The provider's check refuses what the service would refuse, before any call, naming the property.

The rules are the ones the emulator enforces (pulumi_msads.rules, one table for both faces); each test
names the page of the API reference it follows.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_msads.codes import ADDRESS_MESSAGES
from pulumi_msads.errors import ApiError, ErrorDetail, TimestampMismatchError
from pulumi_msads.models import CustomerModel
from pulumi_msads.providers import AccountProvider, CustomerProvider, check_inputs

from .support import account, address, customer, failures, standalone_account


def reasons(inputs: dict[str, Any], model: Any = CustomerModel) -> str:
    return " | ".join(f"{k}: {v}" for k, v in failures(check_inputs(model, inputs)).items())


# -- address.md, advertiseraccount.md #businessaddress ---------------------------------------------------------


def test_a_state_with_its_country_prefix_is_refused_saying_what_to_send() -> None:
    found = reasons(customer(account=account(business_address=address(state_or_province="US-WA"))))
    assert "account.business_address" in found
    assert "state_or_province 'US-WA' has a country prefix; use 'WA'" in found


@pytest.mark.parametrize("country", ["BR", "IN"])
@pytest.mark.parametrize("field", ["postal_code", "state_or_province"])
def test_brazil_and_india_need_postal_code_and_state(country: str, field: str) -> None:
    business = address(country_code=country) | {field: None}
    found = reasons(customer(account=account(business_address=business)))
    assert f"{field} required for an address in {country}" in found


def test_lengths_are_counted_in_utf16_units_as_the_service_counts_them() -> None:
    found = reasons(customer(account=account(business_address=address(city="🏙" * 18))))
    assert "account.business_address.city" in found
    assert "36 characters as the service counts them" in found


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\ufffe"])
def test_characters_xml_cannot_carry_are_refused_anywhere(char: str) -> None:
    found = reasons(customer(name=f"Contoso{char}"))
    assert f"U+{ord(char):04X}" in found
    assert f"U+{ord(char):04X}" in reasons(customer(account=account(tax_information={"CPF": f"1{char}"})))


# -- advertiseraccount.md #taxinformation -------------------------------------------------------------------------


def test_a_tax_key_of_another_country_is_refused() -> None:
    found = reasons(customer(account=account(tax_information={"VATNumber": "DE1"})))
    assert "tax_information key 'VATNumber' applies to AT" in found
    assert "not to an account in US" in found


def test_an_unknown_tax_key_is_refused_listing_the_known_ones() -> None:
    found = reasons(customer(account=account(tax_information={"VatNumber": "DE1"})))
    assert "'VatNumber' is not a tax key; allowed: AUGSTNumber" in found


def india(**overrides: Any) -> dict[str, Any]:
    business = address(country_code="IN", state_or_province="MH", postal_code="400001", city="Mumbai")
    return customer(market_country="IN", account=account(business_address=business, currency_code="INR", **overrides))


def test_a_new_account_without_the_tax_keys_its_country_requires_fails_check() -> None:
    result = CustomerProvider().check({}, india())
    assert [(f.property, f.reason) for f in result.failures] == [
        ("", "account.tax_information: PanNumber is required for an account in IN")
    ]


def test_the_required_tax_keys_are_not_required_of_an_update_or_an_adoption() -> None:
    assert CustomerProvider().check(india(), india()).failures == []
    assert CustomerProvider().check({}, {**india(), "adopt_id": "251000002"}).failures == []


def test_an_account_with_its_required_tax_key_passes() -> None:
    assert CustomerProvider().check({}, india(tax_information={"PanNumber": "ABCDE1234F"})).failures == []


def test_an_additional_account_is_checked_the_same_way() -> None:
    business = address(country_code="AU", state_or_province="NSW", postal_code="2000", city="Sydney")
    result = AccountProvider().check({}, standalone_account(business_address=business, currency_code="AUD"))
    assert [(f.property, f.reason) for f in result.failures] == [
        ("tax_information", "AUGSTNumber is required for an account in AU")
    ]


# -- operation-error-codes.md: 209 twice --------------------------------------------------------------------------


def test_a_209_about_the_postal_code_is_a_validation_error_not_a_timestamp_conflict() -> None:
    postal = ApiError.build("UpdateAccount", [ErrorDetail.of(209, message=ADDRESS_MESSAGES[209])], "t")
    stamp = ApiError.build("UpdateAccount", [ErrorDetail.of(209)], "t")
    assert (type(postal), type(stamp)) == (ApiError, TimestampMismatchError)
