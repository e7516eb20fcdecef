"""The mapping between our snake_case properties and the API's PascalCase fields, both ways."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_msads import fields, wsdl
from pulumi_msads.fields import ApiField
from pulumi_msads.models import AccountFieldsModel, AccountModel, AddressModel, CustomerModel

from .support import account, address, customer

ALL_MODEL_FIELDS = sorted(
    set(CustomerModel.model_fields) | set(AccountModel.model_fields) | set(AddressModel.model_fields)
)


# -- names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prop", ALL_MODEL_FIELDS)
def test_snake_undoes_pascal_for_every_model_field(prop: str) -> None:
    assert fields.snake(fields.pascal(prop)) == prop


@pytest.mark.parametrize(
    ("prop", "api"),
    [
        ("name", "Name"),
        ("market_country", "MarketCountry"),
        ("forward_compatibility_map", "ForwardCompatibilityMap"),
        ("line1", "Line1"),
        ("state_or_province", "StateOrProvince"),
        ("customer_life_cycle_status", "CustomerLifeCycleStatus"),
    ],
)
def test_pascal_and_snake_convert_between_property_and_api_names(prop: str, api: str) -> None:
    assert (fields.pascal(prop), fields.snake(api)) == (api, prop)


@pytest.mark.parametrize("api", [spec.name for spec in wsdl.complex_fields("AdvertiserAccount")])
def test_pascal_undoes_snake_for_every_advertiser_account_field(api: str) -> None:
    assert fields.pascal(fields.snake(api)) == api


# -- which fields, of which kind -----------------------------------------------------------------------------

CUSTOMER_FIELDS = {
    "name": ("Name", "scalar", False),
    "industry": ("Industry", "scalar", False),
    "market_country": ("MarketCountry", "scalar", True),
    "market_language": ("MarketLanguage", "scalar", True),
    "customer_address": ("CustomerAddress", "address", False),
    "forward_compatibility_map": ("ForwardCompatibilityMap", "map", False),
}
ACCOUNT_FIELDS = {
    "name": ("Name", "scalar", False),
    "currency_code": ("CurrencyCode", "scalar", True),
    "time_zone": ("TimeZone", "scalar", False),
    "auto_tag_type": ("AutoTagType", "scalar", False),
    "language": ("Language", "scalar", False),
    "business_address": ("BusinessAddress", "address", False),
    "tax_information": ("TaxInformation", "map", False),
    "forward_compatibility_map": ("ForwardCompatibilityMap", "map", False),
}


def as_table(api: tuple[ApiField, ...]) -> dict[str, tuple[str, str, bool]]:
    return {f.prop: (f.api, f.kind, f.replace) for f in api}


def test_customer_fields_map_each_customer_property_to_its_api_field() -> None:
    assert as_table(fields.customer_fields()) == CUSTOMER_FIELDS


def test_account_fields_map_each_account_property_to_its_api_field() -> None:
    assert as_table(fields.account_fields()) == ACCOUNT_FIELDS


@pytest.mark.parametrize(
    ("model", "wsdl_type", "api"),
    [
        (CustomerModel, "Customer", fields.customer_fields),
        (AccountFieldsModel, "AdvertiserAccount", fields.account_fields),
    ],
)
def test_api_fields_are_exactly_the_model_fields_the_wsdl_type_has(model: Any, wsdl_type: str, api: Any) -> None:
    in_wsdl = {spec.name for spec in wsdl.complex_fields(wsdl_type)}
    expected = [prop for prop in model.model_fields if fields.pascal(prop) in in_wsdl]
    assert [f.prop for f in api()] == expected


@pytest.mark.parametrize("prop", ["parent_customer_id", "adopt_id", "account"])
def test_customer_properties_of_ours_are_not_api_fields(prop: str) -> None:
    assert prop not in as_table(fields.customer_fields())


def test_account_resource_properties_of_ours_are_not_api_fields() -> None:
    ours = set(AccountModel.model_fields) - set(AccountFieldsModel.model_fields)
    assert ours == {"customer_id", "adopt_id", "deletion_policy"}
    assert ours.isdisjoint(as_table(fields.account_fields()))


@pytest.mark.parametrize(
    ("api", "prop"),
    [
        (fields.customer_fields, "market_country"),
        (fields.customer_fields, "market_language"),
        (fields.account_fields, "currency_code"),
    ],
)
def test_values_the_api_cannot_change_replace_the_resource(api: Any, prop: str) -> None:
    assert as_table(api())[prop][2] is True


def test_address_properties_leave_out_the_system_fields() -> None:
    assert dict(fields.address_props()) == {
        "city": "City",
        "country_code": "CountryCode",
        "line1": "Line1",
        "line2": "Line2",
        "line3": "Line3",
        "line4": "Line4",
        "postal_code": "PostalCode",
        "state_or_province": "StateOrProvince",
        "business_name": "BusinessName",
    }


# -- to_api / from_api ---------------------------------------------------------------------------------------

API_ADDRESS = {
    "BusinessName": "Contoso",
    "Line1": "One Microsoft Way",
    "Line2": None,
    "Line3": None,
    "Line4": None,
    "City": "Redmond",
    "StateOrProvince": "WA",
    "PostalCode": "98052",
    "CountryCode": "US",
}


def test_to_api_names_scalars_in_pascal_case() -> None:
    sent = fields.to_api(fields.customer_fields(), {"name": "Contoso", "market_country": "US"})
    assert sent == {"Name": "Contoso", "MarketCountry": "US"}


def test_to_api_leaves_out_absent_properties_and_non_api_ones() -> None:
    sent = fields.to_api(fields.customer_fields(), customer(parent_customer_id="251000001"))
    assert set(sent) == {"Name", "Industry", "MarketCountry", "MarketLanguage"}


def test_to_api_sends_every_address_field() -> None:
    sent = fields.to_api(fields.account_fields(), {"business_address": address()})
    assert sent == {"BusinessAddress": API_ADDRESS}


def test_to_api_sends_a_map_as_key_value_pairs() -> None:
    sent = fields.to_api(fields.account_fields(), {"tax_information": {"VATNumber": "FR1", "CNPJ": "2"}})
    pairs = sent["TaxInformation"]["KeyValuePairOfstringstring"]
    assert sorted((p["key"], p["value"]) for p in pairs) == [("CNPJ", "2"), ("VATNumber", "FR1")]


def test_to_api_sends_an_empty_map_as_nothing() -> None:
    assert fields.to_api(fields.account_fields(), {"tax_information": {}}) == {"TaxInformation": None}


def test_from_api_reads_an_address_without_its_id_and_time_stamp() -> None:
    read = {"BusinessAddress": {**API_ADDRESS, "Id": 123, "TimeStamp": b"\x00\x01"}}
    assert fields.from_api(fields.account_fields(), read) == {"business_address": address()}


def test_from_api_reads_key_value_pairs_as_a_map() -> None:
    read = {"TaxInformation": {"KeyValuePairOfstringstring": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}}
    assert fields.from_api(fields.account_fields(), read) == {"tax_information": {"a": "1", "b": "2"}}


@pytest.mark.parametrize("empty", [None, {}, {"KeyValuePairOfstringstring": None}, {"KeyValuePairOfstringstring": []}])
def test_from_api_reads_an_empty_key_value_array_as_no_map(empty: Any) -> None:
    assert fields.from_api(fields.account_fields(), {"Name": "Main", "TaxInformation": empty}) == {"name": "Main"}


def test_from_api_ignores_read_only_and_unmapped_fields() -> None:
    read = {"Id": 1, "Name": "Contoso", "TimeStamp": b"\x01", "CustomerLifeCycleStatus": "Active", "Number": "C1"}
    assert fields.from_api(fields.customer_fields(), read) == {"name": "Contoso"}


def test_from_api_drops_an_address_that_has_only_system_fields() -> None:
    read = {"Name": "Contoso", "CustomerAddress": {"Id": 5, "TimeStamp": b"\x01", "City": None}}
    assert fields.from_api(fields.customer_fields(), read) == {"name": "Contoso"}


@pytest.mark.parametrize(
    ("api", "props"),
    [
        (fields.customer_fields, {k: v for k, v in customer().items() if k != "account"}),
        (fields.customer_fields, {"name": "C", "customer_address": {"city": "Paris", "country_code": "FR"}}),
        (fields.customer_fields, {"name": "C", "forward_compatibility_map": {"x": "1", "a": "2"}}),
        (fields.account_fields, account(time_zone="Alaska", auto_tag_type="Preserve", language="German")),
        (fields.account_fields, account(tax_information={"VATNumber": "DE1", "Other": "x"})),
    ],
    ids=["customer", "customer-address", "customer-map", "account", "account-map"],
)
def test_from_api_undoes_to_api(api: Any, props: dict[str, Any]) -> None:
    assert fields.from_api(api(), fields.to_api(api(), props)) == props


def test_maps_compare_equal_whatever_the_order_of_the_pairs() -> None:
    one = {"TaxInformation": {"KeyValuePairOfstringstring": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}}
    other = {"TaxInformation": {"KeyValuePairOfstringstring": [{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]}}
    assert fields.from_api(fields.account_fields(), one) == fields.from_api(fields.account_fields(), other)


# -- apply ---------------------------------------------------------------------------------------------------

FRESH_ACCOUNT = {
    "Id": 1510000001,
    "Name": "Old name",
    "CurrencyCode": "USD",
    "TimeZone": "Alaska",
    "AccountLifeCycleStatus": "Active",
    "TimeStamp": b"\x00\x00\x00\x00\x00\x00\x00\x07",
    "ParentCustomerId": 251000002,
    "BusinessAddress": {**API_ADDRESS, "City": "Old city", "Id": 99, "TimeStamp": b"\x00\x02"},
    "TaxInformation": None,
}


def test_apply_writes_the_declared_values_over_the_fresh_read() -> None:
    body = fields.apply(fields.account_fields(), FRESH_ACCOUNT, {"name": "New name"})
    assert body == {**FRESH_ACCOUNT, "Name": "New name"}


def test_apply_keeps_the_fresh_reads_other_fields() -> None:
    body = fields.apply(fields.account_fields(), FRESH_ACCOUNT, account(name="New name"))
    kept = ("Id", "TimeStamp", "AccountLifeCycleStatus", "ParentCustomerId", "TimeZone")
    assert {k: body[k] for k in kept} == {k: FRESH_ACCOUNT[k] for k in kept}


def test_apply_keeps_the_address_id_of_the_edited_address() -> None:
    body = fields.apply(fields.account_fields(), FRESH_ACCOUNT, {"business_address": address(city="New city")})
    assert body["BusinessAddress"] == {**API_ADDRESS, "City": "New city", "Id": 99}


def test_apply_gives_a_new_address_no_id() -> None:
    fresh = {**FRESH_ACCOUNT, "BusinessAddress": None}
    body = fields.apply(fields.account_fields(), fresh, {"business_address": address()})
    assert body["BusinessAddress"] == API_ADDRESS


def test_apply_does_not_change_the_fresh_read() -> None:
    fresh = {**FRESH_ACCOUNT, "BusinessAddress": dict(FRESH_ACCOUNT["BusinessAddress"])}
    fields.apply(fields.account_fields(), fresh, account(name="New name", business_address=address(city="X")))
    assert fresh == FRESH_ACCOUNT


def test_apply_sends_maps_as_key_value_pairs() -> None:
    body = fields.apply(fields.account_fields(), FRESH_ACCOUNT, {"tax_information": {"VATNumber": "FR1"}})
    assert body["TaxInformation"] == {"KeyValuePairOfstringstring": [{"key": "VATNumber", "value": "FR1"}]}


# -- normalize -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ({"a": None, "b": 1}, {"b": 1}),
        ({"a": {}, "b": 1}, {"b": 1}),
        ({"a": {"b": None}}, {}),
        ({"a": {"b": {"c": None}}, "d": "x"}, {"d": "x"}),
        ({"a": {"b": None, "c": 2}}, {"a": {"c": 2}}),
        ({"a": "", "b": [], "c": 0, "d": False}, {"b": [], "c": 0, "d": False}),
        ({"tax": {"VATNumber": ""}}, {}),
        ("text", "text"),
        (None, None),
    ],
)
def test_normalize_drops_none_empty_strings_and_empty_maps_at_every_depth(value: Any, normalized: Any) -> None:
    assert fields.normalize(value) == normalized


def test_normalize_makes_absent_none_and_empty_map_equal() -> None:
    declared = [{"name": "A"}, {"name": "A", "tax_information": None}, {"name": "A", "tax_information": {}}]
    assert [fields.normalize(d) for d in declared] == [{"name": "A"}] * 3


def test_normalize_does_not_change_its_argument() -> None:
    value = {"a": None, "b": {"c": None}}
    fields.normalize(value)
    assert value == {"a": None, "b": {"c": None}}
