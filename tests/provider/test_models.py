"""Input validation as ``check`` runs it: what is accepted, what is rejected, and what the failure says.

Every test goes through ``check_inputs``, the function behind both providers' ``check``, and reads
the Pulumi ``CheckResult`` the engine would get. Paths are the property paths the engine shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi.output import Unknown
from pydantic import BaseModel

from pulumi_msads import fields, wsdl
from pulumi_msads.models import AccountModel, CustomerModel
from pulumi_msads.providers import check_inputs

from .support import account, address, customer, failures, standalone_account

Inputs = dict[str, Any]
Builder = Callable[..., Inputs]

CUSTOMER = (CustomerModel, customer)
ACCOUNT = (AccountModel, standalone_account)


def with_value(inputs: Inputs, path: str, value: Any) -> Inputs:
    """``inputs`` with the property at dotted ``path`` set to ``value``."""
    *parents, last = path.split(".")
    node = inputs
    for name in parents:
        node = node[name]
    node[last] = value
    return inputs


def without(inputs: Inputs, path: str) -> Inputs:
    *parents, last = path.split(".")
    node = inputs
    for name in parents:
        node = node[name]
    del node[last]
    return inputs


def check(model: type[BaseModel], inputs: Inputs) -> dict[str, str]:
    return failures(check_inputs(model, inputs))


# -- valid inputs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "build"), [CUSTOMER, ACCOUNT], ids=["customer", "account"])
def test_valid_inputs_pass_and_come_back_as_declared(model: type[BaseModel], build: Builder) -> None:
    result = check_inputs(model, build())
    assert result.failures == []
    assert result.inputs == build()


def test_absent_optional_properties_are_not_added() -> None:
    inputs = customer()
    inputs["account"]["business_address"] = address(line2=None)
    del inputs["account"]["business_address"]["postal_code"]
    result = check_inputs(CustomerModel, inputs)
    assert set(result.inputs) == {"name", "industry", "market_country", "market_language", "account"}
    assert "postal_code" not in result.inputs["account"]["business_address"]


@pytest.mark.parametrize(
    ("path", "empty"),
    [
        ("customer_address", None),
        ("forward_compatibility_map", None),
        ("forward_compatibility_map", {}),
        ("account.tax_information", {}),
        ("account.forward_compatibility_map", {}),
        ("account.time_zone", None),
        ("account.business_address.line2", None),
    ],
)
def test_none_and_empty_maps_are_dropped_from_valid_inputs(path: str, empty: Any) -> None:
    result = check_inputs(CustomerModel, with_value(customer(), path, empty))
    assert result.failures == []
    assert result.inputs == customer()


def test_maps_come_back_with_their_entries() -> None:
    taxes = {"VATNumber": "FR12345678901", "CNPJ": "12.345.678/0001-95"}
    result = check_inputs(AccountModel, standalone_account(tax_information=taxes))
    assert result.inputs["tax_information"] == taxes


def test_the_provider_key_is_not_validated_as_an_input() -> None:
    result = check_inputs(CustomerModel, customer(__provider="serialized provider"))
    assert result.failures == []
    assert "__provider" not in result.inputs


# -- names and lengths ---------------------------------------------------------------------------------------


def test_customer_name_of_90_characters_passes() -> None:
    assert check(CustomerModel, customer(name="x" * 90)) == {}


def test_customer_name_of_91_characters_is_rejected() -> None:
    assert check(CustomerModel, customer(name="x" * 91)) == {
        "name": "is 91 characters; at most 90 characters are allowed"
    }


def test_empty_customer_name_is_rejected() -> None:
    assert list(check(CustomerModel, customer(name=""))) == ["name"]


@pytest.mark.parametrize(("model", "build", "path"), [(*CUSTOMER, "account.name"), (*ACCOUNT, "name")])
@pytest.mark.parametrize("length", [3, 100])
def test_account_name_of_3_to_100_characters_passes(
    model: type[BaseModel], build: Builder, path: str, length: int
) -> None:
    assert check(model, with_value(build(), path, "x" * length)) == {}


@pytest.mark.parametrize(("model", "build", "path"), [(*CUSTOMER, "account.name"), (*ACCOUNT, "name")])
@pytest.mark.parametrize(
    ("length", "reason"),
    [
        (2, "is 2 characters; at least 3 characters needed"),
        (101, "is 101 characters; at most 100 characters are allowed"),
    ],
)
def test_account_name_outside_3_to_100_characters_is_rejected(
    model: type[BaseModel], build: Builder, path: str, length: int, reason: str
) -> None:
    assert check(model, with_value(build(), path, "x" * length)) == {path: reason}


ADDRESS_LIMITS = [
    ("business_name", 100),
    ("line1", 35),
    ("line2", 35),
    ("line3", 35),
    ("line4", 35),
    ("city", 35),
    ("state_or_province", 35),
    ("postal_code", 10),
]
ADDRESSES = ["account.business_address", "customer_address"]


@pytest.mark.parametrize("where", ADDRESSES)
@pytest.mark.parametrize(("field", "limit"), ADDRESS_LIMITS)
def test_address_field_at_its_length_limit_passes(where: str, field: str, limit: int) -> None:
    inputs = with_value(customer(customer_address=address()), f"{where}.{field}", "x" * limit)
    assert check(CustomerModel, inputs) == {}


@pytest.mark.parametrize("where", ADDRESSES)
@pytest.mark.parametrize(("field", "limit"), ADDRESS_LIMITS)
def test_address_field_over_its_length_limit_is_rejected_at_its_path(where: str, field: str, limit: int) -> None:
    inputs = with_value(customer(customer_address=address()), f"{where}.{field}", "x" * (limit + 1))
    assert check(CustomerModel, inputs) == {
        f"{where}.{field}": f"is {limit + 1} characters; at most {limit} characters are allowed"
    }


def test_address_limits_cover_every_address_field_but_the_country() -> None:
    limited = {name for name, _ in ADDRESS_LIMITS}
    assert limited | {"country_code"} == {prop for prop, _ in fields.address_props()}


# -- required properties -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "build", "path"),
    [
        (*CUSTOMER, "name"),
        (*CUSTOMER, "industry"),
        (*CUSTOMER, "market_country"),
        (*CUSTOMER, "market_language"),
        (*CUSTOMER, "account"),
        (*CUSTOMER, "account.name"),
        (*CUSTOMER, "account.currency_code"),
        (*CUSTOMER, "account.business_address"),
        (*ACCOUNT, "customer_id"),
        (*ACCOUNT, "name"),
        (*ACCOUNT, "currency_code"),
        (*ACCOUNT, "business_address"),
    ],
)
def test_missing_required_property_is_reported_at_its_path(model: type[BaseModel], build: Builder, path: str) -> None:
    assert check(model, without(build(), path)) == {path: "required property is missing"}


BUSINESS_ADDRESS_REQUIRED = ["business_name", "line1", "city", "country_code"]


@pytest.mark.parametrize("field", BUSINESS_ADDRESS_REQUIRED)
def test_business_address_without_a_required_field_is_rejected(field: str) -> None:
    inputs = without(customer(), f"account.business_address.{field}")
    assert check(CustomerModel, inputs) == {f"account.business_address.{field}": "required property is missing"}


@pytest.mark.parametrize("field", ["business_name", "line1", "city"])
def test_business_address_with_an_empty_required_field_is_rejected(field: str) -> None:
    inputs = with_value(customer(), f"account.business_address.{field}", "")
    assert list(check(CustomerModel, inputs)) == [f"account.business_address.{field}"]


@pytest.mark.parametrize("field", ["line2", "line3", "line4", "state_or_province", "postal_code"])
def test_business_address_optional_fields_may_be_left_out(field: str) -> None:
    inputs = customer(account=account(business_address=address(line2="Suite 2", line3="Floor 3", line4="Desk 4")))
    assert check(CustomerModel, without(inputs, f"account.business_address.{field}")) == {}


def test_empty_business_address_names_each_missing_field() -> None:
    inputs = standalone_account(business_address={})
    assert check(AccountModel, inputs) == {
        f"business_address.{field}": "required property is missing" for field in BUSINESS_ADDRESS_REQUIRED
    }


def test_customer_address_has_no_required_fields() -> None:
    assert check(CustomerModel, customer(customer_address={"city": "Redmond"})) == {}


# -- enumerations --------------------------------------------------------------------------------------------

ENUM_FIELDS = [
    (*CUSTOMER, "industry", "Industry"),
    (*CUSTOMER, "market_language", "LanguageType"),
    (*CUSTOMER, "account.currency_code", "CurrencyCode"),
    (*CUSTOMER, "account.time_zone", "TimeZoneType"),
    (*CUSTOMER, "account.auto_tag_type", "AutoTagType"),
    (*CUSTOMER, "account.language", "LanguageType"),
    (*ACCOUNT, "currency_code", "CurrencyCode"),
    (*ACCOUNT, "time_zone", "TimeZoneType"),
    (*ACCOUNT, "auto_tag_type", "AutoTagType"),
    (*ACCOUNT, "language", "LanguageType"),
]
ENUM_IDS = [f"{model.__name__}.{path}" for model, _, path, _ in ENUM_FIELDS]


def test_the_enum_table_lists_every_enum_typed_api_field() -> None:
    """The table above is complete: every model field whose WSDL type is an enumeration is in it."""
    tables = [("", fields.customer_fields(), "Customer"), ("account.", fields.account_fields(), "AdvertiserAccount")]
    enum_typed = set()
    for prefix, api, wsdl_type in tables:
        specs = {spec.name: spec for spec in wsdl.complex_fields(wsdl_type)}
        enum_typed |= {(prefix + f.prop, specs[f.api].type_name) for f in api if specs[f.api].is_enum}
    listed = {(path, type_name) for model, _, path, type_name in ENUM_FIELDS if model is CustomerModel}
    assert listed == enum_typed


@pytest.mark.parametrize(("model", "build", "path", "type_name"), ENUM_FIELDS, ids=ENUM_IDS)
def test_enum_field_accepts_every_value_of_its_wsdl_enumeration(
    model: type[BaseModel], build: Builder, path: str, type_name: str
) -> None:
    rejected = {value for value in wsdl.enum_values(type_name) if check(model, with_value(build(), path, value))}
    assert rejected == set()


@pytest.mark.parametrize(("model", "build", "path", "type_name"), ENUM_FIELDS, ids=ENUM_IDS)
def test_enum_field_schema_lists_exactly_the_wsdl_values(
    model: type[BaseModel], build: Builder, path: str, type_name: str
) -> None:
    schema = model.model_json_schema()
    node: dict[str, Any] = schema
    for name in path.split("."):
        node = node["properties"][name]
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    options = node.get("anyOf", [node])
    enum = next(option["enum"] for option in options if "enum" in option)
    assert tuple(enum) == wsdl.enum_values(type_name)


@pytest.mark.parametrize(("model", "build", "path", "type_name"), ENUM_FIELDS, ids=ENUM_IDS)
def test_enum_field_rejects_a_value_outside_the_wsdl_naming_the_type(
    model: type[BaseModel], build: Builder, path: str, type_name: str
) -> None:
    found = check(model, with_value(build(), path, "NotAValue"))
    assert list(found) == [path]
    assert f"'NotAValue' is not a valid {type_name}" in found[path]


@pytest.mark.parametrize(
    ("path", "bad", "suggested"),
    [
        ("industry", "retail", "Retail"),
        ("industry", "Retial", "Retail"),
        ("market_language", "english", "English"),
        ("account.currency_code", "usd", "USD"),
        ("account.time_zone", "osakasapporotokyo", "OsakaSapporoTokyo"),
        ("account.auto_tag_type", "preserve", "Preserve"),
        ("account.language", "Germn", "German"),
    ],
)
def test_enum_failure_suggests_the_closest_values(path: str, bad: str, suggested: str) -> None:
    reason = check(CustomerModel, with_value(customer(), path, bad))[path]
    assert f"did you mean {suggested!r}" in reason


def test_enum_failure_without_a_close_value_lists_the_allowed_ones() -> None:
    reason = check(CustomerModel, with_value(customer(), "account.auto_tag_type", "zzzz"))["account.auto_tag_type"]
    assert "did you mean" not in reason
    assert reason.endswith("allowed: " + ", ".join(wsdl.enum_values("AutoTagType")))


def test_enum_failure_for_a_long_enumeration_says_how_many_values_there_are() -> None:
    reason = check(CustomerModel, with_value(customer(), "account.currency_code", "zzzz"))["account.currency_code"]
    assert f"({len(wsdl.enum_values('CurrencyCode'))} values)" in reason


def test_enum_failure_quotes_the_value_exactly_as_given() -> None:
    reason = check(CustomerModel, customer(industry="{Retail}"))["industry"]
    assert reason.startswith("'{Retail}' is not a valid Industry")


# -- country codes and ids -----------------------------------------------------------------------------------


COUNTRY_PATHS = ["market_country", "account.business_address.country_code", "customer_address.country_code"]


@pytest.mark.parametrize("path", COUNTRY_PATHS)
@pytest.mark.parametrize("bad", ["us", "USA", "U", "U1", "", "Us"])
def test_country_code_must_be_two_capital_letters(path: str, bad: str) -> None:
    found = check(CustomerModel, with_value(customer(customer_address=address()), path, bad))
    assert found == {path: f"{bad!r} is not a two-letter country code in capitals, such as 'US'"}


@pytest.mark.parametrize("path", COUNTRY_PATHS)
def test_country_code_of_two_capital_letters_passes(path: str) -> None:
    assert check(CustomerModel, with_value(customer(customer_address=address()), path, "DE")) == {}


ID_FIELDS = [
    (*CUSTOMER, "parent_customer_id"),
    (*CUSTOMER, "adopt_id"),
    (*ACCOUNT, "customer_id"),
    (*ACCOUNT, "adopt_id"),
]
ID_IDS = [f"{model.__name__}.{path}" for model, _, path in ID_FIELDS]


@pytest.mark.parametrize(("model", "build", "path"), ID_FIELDS, ids=ID_IDS)
@pytest.mark.parametrize("given", ["251000001", 251000001, 251000001.0], ids=["string", "int", "float"])
def test_id_comes_back_as_a_numeric_string(model: type[BaseModel], build: Builder, path: str, given: Any) -> None:
    result = check_inputs(model, with_value(build(), path, given))
    assert result.failures == []
    assert result.inputs[path] == "251000001"


@pytest.mark.parametrize(("model", "build", "path"), ID_FIELDS, ids=ID_IDS)
@pytest.mark.parametrize("bad", ["abc", "", "0", "0123", "-5", "12 34", "1" * 20, 251000001.5, True])
def test_id_that_is_not_a_positive_whole_number_is_rejected(
    model: type[BaseModel], build: Builder, path: str, bad: Any
) -> None:
    assert list(check(model, with_value(build(), path, bad))) == [path]


def test_id_failure_shows_the_value_and_an_example() -> None:
    found = check(AccountModel, standalone_account(customer_id="abc"))
    assert found == {"customer_id": "'abc' is not a numeric id such as '251000002'"}


# -- maps ----------------------------------------------------------------------------------------------------


def test_map_value_that_is_not_a_string_is_rejected_at_its_key() -> None:
    found = check(AccountModel, standalone_account(tax_information={"VATNumber": 12}))
    assert found == {"tax_information.VATNumber": "Input should be a valid string"}


def test_map_with_an_empty_key_is_rejected_at_the_map() -> None:
    found = check(AccountModel, standalone_account(tax_information={"": "x"}))
    assert found == {'tax_information[""]': "is 0 characters; at least 1 character needed"}


# -- unknown properties --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "build", "path", "suggested"),
    [
        (*CUSTOMER, "naem", "name"),
        (*CUSTOMER, "account.currency", "currency_code"),
        (*CUSTOMER, "account.business_address.cty", "city"),
        (*CUSTOMER, "customer_address.postcode", "postal_code"),
        (*ACCOUNT, "customerId", "customer_id"),
        (*ACCOUNT, "business_address.line_1", "line1"),
    ],
)
def test_unknown_property_is_rejected_with_the_closest_name(
    model: type[BaseModel], build: Builder, path: str, suggested: str
) -> None:
    inputs = with_value(build(customer_address=address()) if model is CustomerModel else build(), path, "x")
    found = check(model, inputs)
    assert list(found) == [path]
    assert found[path].startswith(f"unknown property; did you mean {suggested!r}?")


def test_unknown_property_failure_lists_the_allowed_names() -> None:
    found = check(CustomerModel, with_value(customer(), "account.business_address.colour", "blue"))
    allowed = "business_name, line1, line2, line3, line4, city, state_or_province, postal_code, country_code"
    assert found == {"account.business_address.colour": f"unknown property; allowed: {allowed}"}


def test_several_failures_are_all_reported() -> None:
    inputs = customer(name="", industry="Retial", market_country="usa")
    inputs["account"]["business_address"]["city"] = "x" * 36
    assert set(check(CustomerModel, inputs)) == {"name", "industry", "market_country", "account.business_address.city"}


# -- unknown values (preview) --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "name",
        "industry",
        "market_country",
        "account",
        "account.currency_code",
        "account.business_address",
        "account.business_address.city",
        "account.tax_information",
        "parent_customer_id",
    ],
)
def test_unknown_value_passes_check(path: str) -> None:
    assert check(CustomerModel, with_value(customer(), path, Unknown())) == {}


def test_unknown_map_entry_passes_check() -> None:
    assert check(AccountModel, standalone_account(tax_information={"VATNumber": Unknown()})) == {}


def test_required_property_missing_because_it_is_unknown_passes_check() -> None:
    inputs = with_value(standalone_account(), "customer_id", Unknown())
    assert check(AccountModel, inputs) == {}


def test_required_properties_under_an_unknown_object_pass_check() -> None:
    assert check(CustomerModel, customer(account=Unknown())) == {}


@pytest.mark.parametrize(
    ("unknown_path", "bad_path", "bad"),
    [
        ("name", "industry", "Retial"),
        ("account", "market_country", "usa"),
        ("account.business_address", "account.currency_code", "usd"),
        ("account.business_address.city", "account.business_address.line1", "x" * 36),
        ("account.name", "naem", "x"),
    ],
)
def test_known_values_are_still_validated_next_to_unknown_ones(unknown_path: str, bad_path: str, bad: Any) -> None:
    inputs = with_value(with_value(customer(), unknown_path, Unknown()), bad_path, bad)
    assert list(check(CustomerModel, inputs)) == [bad_path]


def test_inputs_with_unknown_values_come_back_with_them() -> None:
    name = Unknown()
    result = check_inputs(CustomerModel, customer(name=name))
    assert result.inputs["name"] is name


def test_ids_are_normalized_even_when_another_value_is_unknown() -> None:
    result = check_inputs(AccountModel, standalone_account(name=Unknown(), customer_id=251000001.0))
    assert result.inputs["customer_id"] == "251000001"


def test_unknown_property_is_rejected_even_when_its_value_is_unknown() -> None:
    assert list(check(CustomerModel, customer(naem=Unknown()))) == ["naem"]
