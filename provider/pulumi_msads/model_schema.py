"""What the generated documents read from the models: the reference (``reference``) and the package schema
(``package_schema``) both describe the resources through these, so that neither has a rule of its own.

Inputs come from the pydantic models' JSON Schemas, enumerations from the WSDL, output-only
properties from ``resources`` with their descriptions here (``OUTPUTS``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import naming, wsdl
from .models import AccountModel, CustomerModel
from .providers import ACCOUNT_OUTPUTS, CUSTOMER_OUTPUTS

OUTPUTS: dict[str, str] = {
    "customer_id": "The customer's id, a number as a string; also the Customer resource's id.",
    "customer_number": "The customer's number, the one the web UI shows.",
    "customer_life_cycle_status": "The customer's status.",
    "customer_financial_status": "The customer's credit status.",
    "account_id": "The account's id, a number as a string.",
    "account_number": "The account's number, the one the web UI shows.",
    "account_life_cycle_status": "The account's status: an account added with AddAccount stays Draft until billing "
    "is set up.",
    "account_financial_status": "The account's credit status.",
    "create_time": "When the service created it (ISO 8601), as the create call returned; kept in state.",
    "last_modified_time": "When it was last changed (ISO 8601), as last read from the service.",
    "parent_customer_id": "The aggregator customer that owns this one: the declared one, else the one the "
    "provider resolved (msads:parentCustomerId, or the caller's only aggregator).",
}
"""What each output-only property means; a missing entry fails the generation (and so the tests)."""


@dataclass(frozen=True)
class Kind:
    """One resource: its model and the properties the provider always sets (output-only, or resolved inputs)."""

    name: str
    model: type[BaseModel]
    outputs: tuple[str, ...]
    import_id: str
    """What ``pulumi import`` (and ``.get()``) takes as its id, as ``operations`` reads it."""
    import_examples: tuple[str, ...]


CUSTOMER = Kind(
    "Customer",
    CustomerModel,
    (*CUSTOMER_OUTPUTS, "parent_customer_id"),
    "the customer id; for a customer with more than one live account, `<customer id>/<primary account id>`, "
    "since nothing in the service says which account is its primary one (by its id alone it is refused, "
    "listing its accounts). The resource's id is the customer id either way",
    ("251000002", "251000002/180000003"),
)
ACCOUNT = Kind("Account", AccountModel, ACCOUNT_OUTPUTS, "the account id", ("180000004",))
KINDS = (CUSTOMER, ACCOUNT)


@functools.cache
def wsdl_enums() -> dict[tuple[str, ...], str]:
    """Every enumeration of the WSDL's entities, by its values."""
    names = {n.get("name", "") for n in wsdl.wsdl_document().iter(f"{{{wsdl.XSD_NS}}}simpleType")}
    found: dict[tuple[str, ...], str] = {}
    for name in sorted(names):
        try:
            found.setdefault(wsdl.enum_values(name), name)
        except KeyError:
            continue
    return found


def option(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a property's value: an optional property's ``anyOf`` without its ``null``."""
    options: list[dict[str, Any]] = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return options[0]


def description(schema: dict[str, Any]) -> str:
    """A property's description: the field's own, else its type's."""
    text: str = schema.get("description") or next(
        (o.get("description", "") for o in schema.get("anyOf", []) if o.get("description")), ""
    )
    return text


def limits(node: dict[str, Any]) -> list[str]:
    """A string's length limits and pattern, in words."""
    found = []
    low, high = node.get("minLength"), node.get("maxLength")
    if low and high:
        found.append(f"{low} to {high} characters")
    elif high:
        found.append(f"at most {high} characters")
    elif low:
        found.append(f"at least {low} character{'s' if low > 1 else ''}")
    if "pattern" in node:
        found.append(f"matches `{node['pattern']}`")
    return found


def output_description(name: str) -> str:
    try:
        return OUTPUTS[name]
    except KeyError:
        raise KeyError(f"no description for output {name!r}: add it to model_schema.OUTPUTS") from None


def output_enum(name: str) -> str | None:
    """The WSDL enumeration an output's values come from: the one named after it (``CustomerLifeCycleStatus``)."""
    try:
        wsdl.enum_values(naming.pascal(name))
    except KeyError:
        return None
    return naming.pascal(name)
