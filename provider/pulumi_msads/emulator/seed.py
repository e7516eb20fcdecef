"""Seeding the store from a fixture: an agency's customers and their accounts in one request (``POST /_emulator/seed``).

A test or a demo that needs 300 clients should not have to make 900 SOAP calls first, and what it
gets must still be data the real service could hold. So a fixture's entities go through the very
rules of SignupCustomer and AddAccount, called rather than copied: the WSDL's schemas (each
customer read as a ``Customer``, each account as an ``AdvertiserAccount``, by the SOAP face's own
parser), then ``customers.signup_errors`` for a customer and its first account,
``accounts.account_errors`` for the others, and in the store ``accounts.check_room`` (six accounts)
and ``accounts.check_unique_name``. The first account of a customer is written by
``customers.insert_signup``, as SignupCustomer writes it: billed to the aggregator's invoice; the
others as AddAccount writes them, billed to the customer itself.

The fixture, JSON or YAML, in the WSDL's own field names::

    customers:
      - Name: Fabrikam Outdoor          # Customer fields SignupCustomer takes: Name, Industry,
        Industry: Retail                # MarketCountry, MarketLanguage (required), CustomerAddress,
        MarketCountry: US               # ForwardCompatibilityMap
        MarketLanguage: English
        accounts:                       # one to six; the first is the primary account
          - Name: Fabrikam US
            CurrencyCode: USD
            BusinessAddress: {BusinessName: Fabrikam, Line1: 1 Main St, City: Seattle,
                              StateOrProvince: WA, PostalCode: "98101", CountryCode: US}
            AccountLifeCycleStatus: Active   # optional, any value of the enumeration; default Active

An account takes the fields AddAccount takes (Name, CurrencyCode, BusinessAddress, TaxInformation,
TimeZone, AutoTagType, PrimaryUserId, ForwardCompatibilityMap, SoldToPaymentInstrumentId,
PaymentMethodId, LinkedAgencies), plus Language and AccountLifeCycleStatus; the first account
takes neither PaymentMethodId (it is the aggregator's invoice) nor LinkedAgencies, as on signup.
TaxInformation and ForwardCompatibilityMap may be written as plain mappings (``{CPF: "..."}``).
Any other field (Id, Number, ServiceLevel, a typo) is refused rather than ignored.

Every account is Active unless it says otherwise: a seed stands for a book of business that has
passed billing review, and a Draft account would make the customer refuse any further AddAccount
(the same rule applies here: an account after a Draft one of its customer is refused).

All or nothing: the entities are checked first, then written in one transaction, so a bad one
(named by its index path and name in the error) leaves the store as it was. Seeding adds to what
is stored; it is not a service call, so it is not counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from . import addresses, rest
from .accounts import ACCOUNT_ADD_FIELDS, account_errors, add_account
from .core import Core
from .customers import ACCOUNT_SIGNUP_FIELDS, CUSTOMER_SIGNUP_FIELDS, insert_signup, signup_errors
from .entities import CUSTOMER, Body, now, pairs
from .errors import ErrorItem, ServiceError
from .store import Match, Record, Store, Transaction

STATUS = "AccountLifeCycleStatus"
DEFAULT_STATUS = "Active"
CUSTOMER_FIELDS = frozenset(CUSTOMER_SIGNUP_FIELDS)
FIRST_ACCOUNT_FIELDS = frozenset({*ACCOUNT_SIGNUP_FIELDS, STATUS})
OTHER_ACCOUNT_FIELDS = frozenset({*ACCOUNT_ADD_FIELDS, "Language", STATUS})
KEY_VALUE_FIELDS = ("TaxInformation", "ForwardCompatibilityMap")
WSDL_TYPES = {"Customer": "Customer", "Account": "AdvertiserAccount"}
"""The WSDL type of each request element an entity is checked as, for the messages."""
JSON_TYPES = frozenset({"", "application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})


class SeedError(ValueError):
    """A fixture the emulator refuses; the message names the entity (``customers[3].accounts[1] 'X'``)."""

    def __init__(self, message: str, codes: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.codes = codes


class MediaTypeError(ValueError):
    """A seed request in a format other than JSON or YAML (answered 415)."""


# -- reading a fixture ------------------------------------------------------------------------------------


def parse(payload: bytes, content_type: str | None) -> Any:
    """The fixture in a request body: JSON by default, YAML for the YAML media types."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in JSON_TYPES | YAML_TYPES:
        raise MediaTypeError(f"send the fixture as application/json or application/yaml, not {media!r}")
    try:
        if media in JSON_TYPES:
            return json.loads(payload or b"null")
        return _yaml(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise SeedError(f"the fixture is not valid {'JSON' if media in JSON_TYPES else 'YAML'}: {error}") from None


def read_file(path: str | Path) -> Any:
    """A fixture file (``--seed``): JSON when it ends in ``.json``, YAML (a superset of JSON) otherwise."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text) if str(path).lower().endswith(".json") else _yaml(text)
    except (ValueError, yaml.YAMLError) as error:
        raise SeedError(f"{path} is not a valid fixture file: {error}") from None


def _yaml(text: str) -> Any:
    """Safe YAML, with libyaml's loader when PyYAML has it: five times faster on an agency-sized file."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


# -- checking it (no store needed) ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    path: str
    body: Body
    status: str


@dataclass(frozen=True)
class _Customer:
    path: str
    body: Body
    accounts: tuple[_Account, ...]


def _label(path: str, body: Any) -> str:
    """How an error names an entity: its index path, and its name when it has one."""
    name = body.get("Name") if isinstance(body, dict) else None
    return f"{path} {name!r}" if name else path


def _refuse(path: str, body: Any, items: list[ErrorItem]) -> SeedError:
    details = " ".join(item.details or item.message for item in items)
    return SeedError(f"{_label(path, body)}: {details}", tuple(item.code for item in items))


def _key_values(entity: Body) -> Body:
    """TaxInformation and ForwardCompatibilityMap as the WSDL carries them, when written as plain mappings."""
    out = dict(entity)
    for name in KEY_VALUE_FIELDS:
        value = out.get(name)
        if isinstance(value, dict) and "KeyValuePairOfstringstring" not in value:
            out[name] = pairs({str(k): v for k, v in value.items()})
    return out


def _as_wsdl_type(operation: str, element: str, path: str, entity: Body) -> Body:
    """``entity`` as the SOAP face would hand it to the backend: checked by the WSDL's schemas, typed.

    Each entity goes through an operation that carries its type alone (UpdateCustomer's Customer,
    AddAccount's AdvertiserAccount), so that a schema error names the one entity it is about.
    """
    try:
        # The REST face's own way through the schemas: one parser for every entity that is not SOAP-encoded.
        body: Body = rest._through_soap(operation, {element: entity})[element]
    except ServiceError as error:
        said, meant = f"The {operation} request does not match", f"The {WSDL_TYPES[element]} does not match"
        items = [replace(e, details=e.details.replace(said, meant, 1)) for e in error.errors]
        raise _refuse(path, entity, items) from None
    return body


class _Schemas:
    """``_as_wsdl_type`` for one fixture, once per entity that differs from the others by more than its Name.

    An agency's entities are alike but for their names: its accounts share an address, a currency and a time
    zone. Going through zeep and the schemas costs some milliseconds an entity, minutes for 100,000 customers,
    and a Name cannot change what the schemas make of the rest: it is an xs:string in Customer and
    AdvertiserAccount alike (no facet), which takes any printable text as it is. So an entity whose Name is
    printable text is checked once per shape (its other fields, ``repr`` telling ``"1"`` from ``1`` and a date
    from its text), and its twins get a copy of that result with their own Name; any other entity is checked
    on its own, as is the first of each shape.
    """

    def __init__(self) -> None:
        self._typed: dict[str, Body] = {}

    def as_type(self, operation: str, element: str, path: str, entity: Body) -> Body:
        name = entity.get("Name")
        if not isinstance(name, str) or not name.isprintable():
            return _as_wsdl_type(operation, element, path, entity)
        shape = repr((operation, element, {k: v for k, v in entity.items() if k != "Name"}))
        typed = self._typed.get(shape)
        if typed is None:
            typed = self._typed[shape] = _as_wsdl_type(operation, element, path, entity)
        return {**_copied(typed), "Name": name}


def _copied(value: Any) -> Any:
    """A copy of a typed entity that its twin may change: new dicts and lists, the same immutable leaves."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def _fields(path: str, entity: Any, allowed: frozenset[str], what: str) -> Body:
    if not isinstance(entity, dict):
        raise SeedError(f"{path}: {what} must be a mapping of its fields, not {type(entity).__name__}")
    unknown = sorted(set(entity) - allowed)
    if unknown:
        raise SeedError(
            f"{_label(path, entity)}: {what} does not take {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return _key_values(entity)


def _checked_account(schemas: _Schemas, path: str, entity: Any, customer: Body, *, first: bool) -> _Account:
    what = "a primary account" if first else "an account"
    fields = _fields(path, entity, FIRST_ACCOUNT_FIELDS if first else OTHER_ACCOUNT_FIELDS, what)
    body = addresses.with_default_country(schemas.as_type("AddAccount", "Account", path, fields), customer)
    if not first:
        errors = account_errors(body, creating=True, prefix="Account")
        if errors:
            raise _refuse(path, fields, errors)
    return _Account(path, body, body.get(STATUS) or DEFAULT_STATUS)


def _checked_customer(schemas: _Schemas, index: int, entity: Any) -> _Customer:
    """One customer and its accounts, checked as SignupCustomer and AddAccount check them."""
    path = f"customers[{index}]"
    fields = _fields(path, entity, CUSTOMER_FIELDS | {"accounts"}, "a customer")
    declared = fields.pop("accounts", None)
    if not isinstance(declared, list) or not declared:
        raise SeedError(f"{_label(path, fields)}: accounts must list the customer's accounts, its primary one first")
    customer = schemas.as_type("UpdateCustomer", "Customer", path, fields)
    accounts = tuple(
        _checked_account(schemas, f"{path}.accounts[{j}]", entity, customer, first=j == 0)
        for j, entity in enumerate(declared)
    )
    primary = accounts[0]
    errors = signup_errors(customer, primary.body, None)
    if errors:
        mine = [e for e in errors if not e.details.startswith("Account.")]
        if mine:
            raise _refuse(path, fields, mine)
        raise _refuse(primary.path, primary.body, errors)
    return _Customer(path, customer, accounts)


def checked(fixture: Any) -> list[_Customer]:
    """The fixture's customers, every entity checked against the rules that need no store."""
    if not isinstance(fixture, dict) or set(fixture) - {"customers"} or not isinstance(fixture.get("customers"), list):
        raise SeedError('a fixture is a mapping with one key, "customers", listing the customers to create')
    schemas = _Schemas()
    return [_checked_customer(schemas, i, entity) for i, entity in enumerate(fixture["customers"])]


# -- writing it ----------------------------------------------------------------------------------------------


def _add_account(tx: Transaction, account: _Account, customer: Record, user: Record, created: str) -> Record:
    """A customer's second to sixth account, written as AddAccount writes one, with its declared status."""
    try:
        return add_account(
            tx,
            account.body,
            customer.id,
            user,
            status=account.status,
            created=created,
            language=account.body.get("Language"),
        )
    except ServiceError as error:
        raise _refuse(account.path, account.body, error.errors) from None


def _entry(record: Record) -> Body:
    return {"Id": record.id, "Number": record.number, "Name": record.name}


def load(service: Core, fixture: Any) -> Body:
    """Create the fixture's customers and accounts under the signed-in aggregator, all or none.

    Returns what was created, in the fixture's order: ``{"customers": [{"Id", "Number", "Name",
    "accounts": [{"Id", "Number", "Name"}]}]}``. Raises SeedError naming the first bad entity.
    """
    customers = checked(fixture)
    created = now()
    out = []
    with service.store.transaction() as tx:
        user = service.current_user(tx)
        aggregator = tx.get(CUSTOMER, int(user.parent_id or 0))
        for customer in customers:
            primary = customer.accounts[0]
            stored, first = insert_signup(
                tx, customer.body, primary.body, parent=aggregator, user=user, created=created, status=primary.status
            )
            records = [first] + [_add_account(tx, a, stored, user, created) for a in customer.accounts[1:]]
            out.append({**_entry(stored), "accounts": [_entry(r) for r in records]})
    return {"customers": out}


def holds_no_clients(store: Store) -> bool:
    """Whether the store holds nothing but the aggregator: where ``--seed`` loads its fixture.

    Restarting on the same ``--db`` file then does not seed the same agency twice.
    """
    with store.transaction() as tx:
        return len(tx.select(Match(CUSTOMER), limit=2)) <= 1
