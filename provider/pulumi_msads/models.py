"""The resources' inputs as pydantic models: every input is validated here before any call.

Property names are the API's field names in snake_case; ``fields`` derives the API name of each
property from it, and the WSDL decides which properties are API fields and of which type. Enum
value sets come from the WSDL at import time (``wsdl.enum_values``), never from a copied list.
Field metadata says what the generated reference says: descriptions, limits, and
``x-replace-on-change`` for values the API cannot change after creation.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, get_args

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from . import rules, wsdl
from .naming import pascal, snake

REPLACE: JsonDict = {"x-replace-on-change": True}
"""Field metadata: changing this value replaces the resource (the API cannot change it)."""


def wsdl_enum(type_name: str, description: str) -> Any:
    """A string restricted to a WSDL enumeration, with a helpful error that suggests close values."""
    values = wsdl.enum_values(type_name)
    allowed = frozenset(values)

    def check(value: str) -> str:
        if value in allowed:
            return value
        folded = {v.casefold(): v for v in values}
        close = [folded[value.casefold()]] if value.casefold() in folded else []
        close += [v for v in difflib.get_close_matches(value, values, n=3, cutoff=0.6) if v not in close]
        hint = f"did you mean {' or '.join(repr(v) for v in close)}? " if close else ""
        listing = ", ".join(values) if len(values) <= 25 else ", ".join(values[:12]) + f", ... ({len(values)} values)"
        message = f"{value!r} is not a valid {type_name}; {hint}allowed: {listing}"
        raise PydanticCustomError("wsdl_enum", "{message}", {"message": message})

    return Annotated[
        str,
        AfterValidator(check),
        WithJsonSchema({"type": "string", "enum": list(values), "description": description}),
    ]


def coerce_id(value: Any) -> Any:
    """Ids are strings; the engine turns numbers into floats, so take whole floats and ints too."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


def _matching(pattern: str, what: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError("pattern", "{message}", {"message": f"{value!r} is not {what}"})
        return value

    return AfterValidator(check)


ID_PATTERN, COUNTRY_PATTERN = r"[1-9][0-9]{0,18}", r"[A-Z]{2}"
Id = Annotated[
    str,
    BeforeValidator(coerce_id),
    _matching(ID_PATTERN, "a numeric id such as '251000002'"),
    WithJsonSchema({"type": "string", "pattern": f"^{ID_PATTERN}$", "description": "A numeric id, as a string."}),
]
CountryCode = Annotated[
    str,
    _matching(COUNTRY_PATTERN, "a two-letter country code in capitals, such as 'US'"),
    WithJsonSchema({"type": "string", "pattern": f"^{COUNTRY_PATTERN}$", "description": "Two-letter country code."}),
]
KeyValueMap = dict[Annotated[str, StringConstraints(min_length=1)], str]

if TYPE_CHECKING:  # to a type checker these are strings; at run time, strings checked against the WSDL
    CurrencyCode: TypeAlias = str
    TimeZone: TypeAlias = str
    AutoTagType: TypeAlias = str
    Language: TypeAlias = str
    Industry: TypeAlias = str
else:
    CurrencyCode = wsdl_enum("CurrencyCode", "The account's currency (WSDL CurrencyCode).")
    TimeZone = wsdl_enum("TimeZoneType", "The account's time zone (WSDL TimeZoneType).")
    AutoTagType = wsdl_enum("AutoTagType", "Whether Microsoft Advertising adds UTM tags to landing page URLs.")
    Language = wsdl_enum("LanguageType", "A language (WSDL LanguageType).")
    Industry = wsdl_enum("Industry", "The customer's primary business segment (WSDL Industry).")


DeletionPolicy = Literal["prevent", "abandon", "deactivate"]
"""What removing a resource from the program (or destroying it) does to the live object."""
DELETION_POLICIES: tuple[str, ...] = get_args(DeletionPolicy)
DELETION_POLICY_DESCRIPTION = (
    "What removing this resource from the program, destroying it or replacing it does: 'prevent' (the default) "
    "refuses; 'abandon' drops it from the stack and leaves the live objects as they are; 'deactivate' "
    "deactivates {what} with DeleteAccount, which cannot be undone. Applied from the last deployed value: "
    "set it with `pulumi up` before removing the resource."
)


def deletion_policy_field(what: str) -> Any:
    return Field(None, description=DELETION_POLICY_DESCRIPTION.format(what=what))


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("service_rule", "{message}", {"message": message})


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_the_service_takes(cls, value: Any, info: ValidationInfo) -> Any:
        """Text the service would refuse, refused here first: characters XML 1.0 cannot carry anywhere
        (map keys and values too), and lengths counted as the service counts them (UTF-16 units)."""
        field = cls.model_fields.get(info.field_name or "")
        limit = next(
            (m.max_length for m in (field.metadata if field else []) if isinstance(m, annotated_types.MaxLen)), None
        )
        pairs = value.items() if isinstance(value, dict) else []
        texts = [value] if isinstance(value, str) else [t for kv in pairs for t in kv if isinstance(t, str)]
        for text in texts:
            problem = rules.text_problem(text, limit if isinstance(value, str) else None)
            if problem:
                raise _refuse(f"{text[:40]!r} {problem}")
        return value


class AddressModel(Model):
    """A postal address (WSDL Address). Lengths are the API's limits."""

    business_name: str | None = Field(None, max_length=100, description="Name of the business at this address.")
    line1: str | None = Field(None, max_length=35, description="First street line.")
    line2: str | None = Field(None, max_length=35, description="Second street line.")
    line3: str | None = Field(None, max_length=35, description="Third street line.")
    line4: str | None = Field(None, max_length=35, description="Fourth street line.")
    city: str | None = Field(None, max_length=35, description="City.")
    state_or_province: str | None = Field(
        None, max_length=35, description="State or province code without the country prefix: WA, not US-WA."
    )
    postal_code: str | None = Field(None, max_length=10, description="Postal code.")
    country_code: CountryCode | None = Field(None, description="Two-letter country code, such as US.")

    def api_fields(self) -> dict[str, object]:
        return {pascal(name): value for name, value in self.model_dump().items()}

    @model_validator(mode="after")
    def _state_without_country_prefix(self) -> AddressModel:
        problem = rules.state_prefix_problem(self.api_fields())
        if problem:
            raise _refuse(f"state_or_province {problem.message}")
        return self


class BusinessAddressModel(AddressModel):
    """An account's business address: business name, first line, city and country are required."""

    business_name: str = Field(max_length=100, min_length=1, description="Name of the business at this address.")
    line1: str = Field(max_length=35, min_length=1, description="First street line.")
    city: str = Field(max_length=35, min_length=1, description="City.")
    country_code: CountryCode = Field(description="Two-letter country code; it must match the currency's country.")

    @model_validator(mode="after")
    def _country_requirements(self) -> BusinessAddressModel:
        """Brazil and India also need postal_code and state_or_province (advertiseraccount.md #businessaddress)."""
        address = self.api_fields()
        missing = [snake(name) for name in rules.required_address_fields(address, ()) if not address.get(name)]
        if missing:
            raise _refuse(f"{' and '.join(missing)} required for an address in {self.country_code}")
        return self


class AccountFieldsModel(Model):
    """The settable fields of an advertiser account (WSDL AdvertiserAccount)."""

    name: str = Field(
        min_length=3, max_length=100, description="Account name: 3 to 100 characters, unique within its customer."
    )
    currency_code: CurrencyCode = Field(
        description="The account's currency; it must be accepted in the business address's country.",
        json_schema_extra=REPLACE,
    )
    time_zone: TimeZone | None = Field(
        None, description="Time zone for the web UI; the service defaults to PacificTimeUSCanadaTijuana."
    )
    auto_tag_type: AutoTagType | None = Field(None, description="UTM auto-tagging; the service defaults to Inactive.")
    language: Language | None = Field(
        None, description="Language of billing documents; defaults to the signing-up user's language."
    )
    business_address: BusinessAddressModel = Field(description="The account's business address.")
    tax_information: KeyValueMap | None = Field(
        None, description="Tax ids by key (VATNumber, CNPJ, ...); the keys allowed depend on the country."
    )
    forward_compatibility_map: KeyValueMap | None = Field(None, description="Reserved by the API for future settings.")

    @model_validator(mode="after")
    def _tax_keys_of_the_business_country(self) -> AccountFieldsModel:
        """Tax keys the service knows, of the business address's country (advertiseraccount.md #taxinformation)."""
        keys = list(self.tax_information or {})
        problems = rules.tax_key_problems(keys, self.business_address.country_code)
        if problems:
            raise _refuse("; ".join(f"tax_information key {p.field!r} {p.message}" for p in problems))
        return self

    def missing_tax_keys(self) -> list[str]:
        """What a new account in its country must carry but this one lacks (empty values count as absent)."""
        keys = [k for k, v in (self.tax_information or {}).items() if v]
        address = self.business_address
        return [
            f"tax_information: {p.message}" for p in rules.missing_tax_keys(keys, address.country_code, address.city)
        ]


class PrimaryAccountModel(AccountFieldsModel):
    """The account created together with its customer by SignupCustomer."""


class CustomerModel(Model):
    """A client customer and its primary account, created with SignupCustomer."""

    name: str = Field(min_length=1, max_length=90, description="Customer name, at most 90 characters.")
    industry: Industry = Field(description="The customer's primary business segment.")
    market_country: CountryCode = Field(
        description="Two-letter country code of the customer's market.", json_schema_extra=REPLACE
    )
    market_language: Language = Field(
        description="The language of the customer's market; it must go with market_country.", json_schema_extra=REPLACE
    )
    customer_address: AddressModel | None = Field(None, description="Not used by Microsoft Advertising itself.")
    forward_compatibility_map: KeyValueMap | None = Field(None, description="Reserved by the API for future settings.")
    parent_customer_id: Id | None = Field(
        None,
        description="The aggregator customer that owns this one; defaults to msads:parentCustomerId, else the "
        "caller's only aggregator customer.",
        json_schema_extra=REPLACE,
    )
    adopt_id: Id | None = Field(
        None,
        description="Manage this existing customer instead of signing up a new one: how the dynamic provider, "
        "which `pulumi import` cannot serve, brings one into a stack (the native provider takes `pulumi import` "
        "too). Only read at creation.",
    )
    allow_duplicate_name: bool | None = Field(
        None,
        description="Sign up a new customer even when one with the same name exists already. Without it, "
        "create stops and names the existing customers (set adopt_id to manage one of them). Only read at creation.",
    )
    deletion_policy: DeletionPolicy | None = deletion_policy_field(
        "its primary account (the customer record stays: only Microsoft staff can delete customers; "
        "other accounts of the customer are never touched)"
    )
    account: PrimaryAccountModel = Field(description="The customer's primary account.")


class AccountModel(AccountFieldsModel):
    """An additional advertiser account under an existing customer, created with AddAccount."""

    customer_id: Id = Field(description="The customer that owns the account.", json_schema_extra=REPLACE)
    adopt_id: Id | None = Field(
        None, description="Manage this existing account instead of adding a new one. Only read at creation."
    )
    deletion_policy: DeletionPolicy | None = deletion_policy_field("the account")


def failure_path(location: tuple[str | int, ...]) -> str:
    """``("customers", 2, "accounts", 0, "name")`` -> ``customers[2].accounts[0].name``.

    A map key that fails validation (pydantic marks it with a ``"[key]"`` part after the key) is
    shown in brackets, quoted: ``("tax_information", "", "[key]")`` -> ``tax_information[""]``.
    """
    path = ""
    for index, part in enumerate(location):
        if part == "[key]":
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        elif location[index + 1 : index + 2] == ("[key]",):
            path += f"[{json.dumps(part)}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def describe_errors(error: ValidationError, model: type[BaseModel]) -> list[tuple[str, str]]:
    """Each validation error as (property path, what is wrong and what is allowed)."""
    failures = []
    for item in error.errors(include_url=False):
        location = tuple(item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            allowed = fields_at(model, location[:-1])
            close = difflib.get_close_matches(str(location[-1]), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            message = f"unknown property; {hint}allowed: {', '.join(allowed)}"
        elif item["type"] == "missing":
            message = "required property is missing"
        elif item["type"] in ("string_too_long", "string_too_short") and isinstance(item.get("input"), str):
            length, ctx = len(item["input"]), item.get("ctx") or {}
            if item["type"] == "string_too_long":
                message = f"is {length} characters; at most {ctx.get('max_length')} characters are allowed"
            else:
                least = ctx.get("min_length")
                message = f"is {length} characters; at least {least} character{'s' if least != 1 else ''} needed"
        failures.append((failure_path(location), message))
    return failures


def fields_at(model: type[BaseModel], location: tuple[str | int, ...]) -> list[str]:
    current: Any = model
    for part in location:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        annotation = field.annotation if field else None
        current = next(
            (
                a
                for a in getattr(annotation, "__args__", (annotation,))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
    return list(current.model_fields) if current is not None else []
