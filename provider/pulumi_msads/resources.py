"""The resources a Pulumi program declares: ``Customer`` and ``Account``, with their argument types.

Arguments are plain dataclasses whose fields accept Pulumi inputs (values or Outputs), named like
the properties (the API's field names in snake_case). Validation happens in the provider's
``check`` (``models``), where it also covers values that only become known during deployment.
"""

import dataclasses
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from .providers import ACCOUNT_OUTPUTS, CUSTOMER_OUTPUTS, AccountProvider, CustomerProvider


@dataclasses.dataclass(kw_only=True)
class AddressArgs:
    """A postal address. An account's business address needs business_name, line1, city, country_code."""

    business_name: pulumi.Input[str] | None = None
    line1: pulumi.Input[str] | None = None
    line2: pulumi.Input[str] | None = None
    line3: pulumi.Input[str] | None = None
    line4: pulumi.Input[str] | None = None
    city: pulumi.Input[str] | None = None
    state_or_province: pulumi.Input[str] | None = None
    postal_code: pulumi.Input[str] | None = None
    country_code: pulumi.Input[str] | None = None


@dataclasses.dataclass(kw_only=True)
class _AccountSettingsArgs:
    """The settable fields of an advertiser account, shared by both kinds of account."""

    name: pulumi.Input[str]
    currency_code: pulumi.Input[str]
    business_address: AddressArgs | Mapping[str, Any]
    time_zone: pulumi.Input[str] | None = None
    auto_tag_type: pulumi.Input[str] | None = None
    language: pulumi.Input[str] | None = None
    tax_information: pulumi.Input[Mapping[str, str]] | None = None
    forward_compatibility_map: pulumi.Input[Mapping[str, str]] | None = None


@dataclasses.dataclass(kw_only=True)
class PrimaryAccountArgs(_AccountSettingsArgs):
    """The account SignupCustomer creates with the customer."""


@dataclasses.dataclass(kw_only=True)
class CustomerArgs:
    """A client customer and its primary account."""

    name: pulumi.Input[str]
    industry: pulumi.Input[str]
    market_country: pulumi.Input[str]
    market_language: pulumi.Input[str]
    account: PrimaryAccountArgs | Mapping[str, Any]
    customer_address: AddressArgs | Mapping[str, Any] | None = None
    forward_compatibility_map: pulumi.Input[Mapping[str, str]] | None = None
    parent_customer_id: pulumi.Input[str] | None = None
    adopt_id: pulumi.Input[str] | None = None
    allow_duplicate_name: pulumi.Input[bool] | None = None
    deletion_policy: pulumi.Input[str] | None = None
    """'prevent' (the default) | 'abandon' | 'deactivate': what removing the resource does (see the README)."""


@dataclasses.dataclass(kw_only=True)
class AccountArgs(_AccountSettingsArgs):
    """An additional account under an existing customer."""

    customer_id: pulumi.Input[str]
    adopt_id: pulumi.Input[str] | None = None
    deletion_policy: pulumi.Input[str] | None = None
    """'prevent' (the default) | 'abandon' | 'deactivate': what removing the resource does (see the README)."""


def to_props(value: Any) -> Any:
    """Args (dataclasses or mappings, nested) as the property dict the engine receives; None left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_props(v) for k, v in value.items() if v is not None}
    return value


def _args(args: Any, kwargs: dict[str, Any], kind: str) -> dict[str, Any]:
    if args is not None and kwargs:
        raise TypeError(f"{kind}: pass either args or keyword arguments, not both")
    props = to_props(args if args is not None else kwargs)
    if not isinstance(props, dict):
        raise TypeError(f"{kind}: args must be {kind}Args or a mapping, not {type(args).__name__}")
    return props


class Customer(Resource, module="msads", name="Customer"):
    """A Microsoft Advertising client customer with its primary account (type ``pulumi-python:dynamic/msads:Customer``).

    Created with one SignupCustomer call under an aggregator (``parent_customer_id``); ``adopt_id``
    manages an existing customer instead. The id is the customer id, and ``customer_id`` is the
    same Output as ``id``.
    """

    customer_id: pulumi.Output[str]
    customer_number: pulumi.Output[str]
    customer_life_cycle_status: pulumi.Output[str]
    customer_financial_status: pulumi.Output[str]
    account_id: pulumi.Output[str]
    account_number: pulumi.Output[str]
    account_life_cycle_status: pulumi.Output[str]
    account_financial_status: pulumi.Output[str]
    parent_customer_id: pulumi.Output[str]
    create_time: pulumi.Output[str]
    last_modified_time: pulumi.Output[str]
    name: pulumi.Output[str]
    account: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        resource_name: str,
        args: CustomerArgs | Mapping[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        props = _args(args, kwargs, "Customer")
        outputs = dict.fromkeys((*CUSTOMER_OUTPUTS, "parent_customer_id", "name", "account"))
        del outputs["customer_id"]
        super().__init__(CustomerProvider(), resource_name, {**outputs, **props}, opts)
        # The same Output as ``.id``: an update's preview keeps the old id, while every output that
        # is not an input is unknown there (dynamic providers answer supportsPreview=false; see
        # tests/cli). An Account wired to ``customer.customer_id`` so never previews a replacement
        # when only the customer changes.
        self.customer_id = self.id


class Account(Resource, module="msads", name="Account"):
    """An additional advertiser account of a customer (type ``pulumi-python:dynamic/msads:Account``).

    Created with AddAccount, which starts it in Draft until billing is set up; ``adopt_id`` manages
    an existing account instead. The id is the account id, and ``account_id`` is the same Output.
    """

    account_id: pulumi.Output[str]
    account_number: pulumi.Output[str]
    account_life_cycle_status: pulumi.Output[str]
    account_financial_status: pulumi.Output[str]
    customer_id: pulumi.Output[str]
    create_time: pulumi.Output[str]
    last_modified_time: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: AccountArgs | Mapping[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        props = _args(args, kwargs, "Account")
        outputs = dict.fromkeys((*ACCOUNT_OUTPUTS, "customer_id", "name"))
        del outputs["account_id"]
        super().__init__(AccountProvider(), resource_name, {**outputs, **props}, opts)
        self.account_id = self.id  # known in an update's preview, as Customer.customer_id is
