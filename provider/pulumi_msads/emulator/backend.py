"""What the emulated Customer Management service does, operation by operation.

This is the emulator's model layer (moto's ``models.py``): plain dicts in, plain dicts out, in the
WSDL's own field names, with every rule the real service documents (``shared/reference``) that a
provider can run into. It never sees XML: the SOAP layer deserializes requests with zeep before
calling in and serializes what it returns. Where the documentation is silent and a choice had to
be made, the docstring of the rule says so.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .. import wsdl
from .errors import ErrorItem, ServiceError, fault
from .store import Record, Store, Transaction

Body = dict[str, Any]

CUSTOMER, ACCOUNT, USER = "customer", "account", "user"

# Id ranges look like the real service's (nine-digit ids); the first values of each counter.
FIRST_ID = {CUSTOMER: 251_000_001, ACCOUNT: 187_000_001, USER: 210_000_001, "address": 90_000_001}
AGGREGATOR_ROLE_ID = 33

CUSTOMER_NAME_MAX = 90
ACCOUNT_NAME_MIN, ACCOUNT_NAME_MAX = 3, 100
PREDICATE_VALUE_MIN = 4
"""predicate.md: "The length of this string must be four or greater, unless the field is set to
MarketCountry or MarketLanguage"."""
ADDRESS_LIMITS = {
    "City": 35,
    "Line1": 35,
    "Line2": 35,
    "Line3": 35,
    "Line4": 35,
    "PostalCode": 10,
    "BusinessName": 100,
}
COUNTRIES_NEEDING_POSTAL_CODE_AND_STATE = ("BR", "IN")
"""Business addresses in Brazil and India also need PostalCode and StateOrProvince (advertiseraccount.md)."""
ADDRESS_FIELD_CODES = {"City": 200, "Line1": 205, "Line3": 207}
"""Documented per-field address codes; the others (and 209, which collides with
TimestampNotMatch) are reported as 1140 BusinessAddressInvalid."""

SEARCH_ACCOUNTS_PAGE_MAX, SEARCH_CUSTOMERS_PAGE_MAX = 1000, 1024
SEARCH_ACCOUNTS_PREDICATES = {
    "AccountId": ("Equals", "In"),
    "AccountLifeCycleStatus": ("Equals",),
    "AccountName": ("Contains", "Equals"),
    "AccountNumber": ("Contains", "Equals", "In"),
    "CustomerId": ("Equals",),
    "UserId": ("Equals",),
}
SEARCH_CUSTOMERS_PREDICATES = {
    "AccountId": ("Equals",),
    "AccountName": ("Contains", "Equals"),
    "AccountNumber": ("Contains", "Equals"),
    "CustomerId": ("Equals", "In"),
    "CustomerName": ("Contains", "Equals"),
    "MarketCountry": ("Equals",),
    "MarketLanguage": ("Equals",),
}
"""Predicate fields and operators per search (predicate.md). SearchCustomers' ApplicationScope,
CreatedDate and UserName predicates are not modelled."""
ID_PREDICATE_FIELDS = ("AccountId", "CustomerId", "UserId")

# Fields a caller may set (everything else in the WSDL type is read-only and ignored on write).
CUSTOMER_SIGNUP_FIELDS = (
    "Industry",
    "MarketCountry",
    "ForwardCompatibilityMap",
    "MarketLanguage",
    "Name",
    "CustomerAddress",
)
CUSTOMER_UPDATE_FIELDS = ("Industry", "ForwardCompatibilityMap", "Name", "CustomerAddress")
ACCOUNT_ADD_FIELDS = (
    "CurrencyCode",
    "Name",
    "PaymentMethodId",
    "PrimaryUserId",
    "TimeZone",
    "ForwardCompatibilityMap",
    "LinkedAgencies",
    "TaxInformation",
    "BusinessAddress",
    "AutoTagType",
    "SoldToPaymentInstrumentId",
)
ACCOUNT_SIGNUP_FIELDS = (*ACCOUNT_ADD_FIELDS, "Language")
ACCOUNT_UPDATE_FIELDS = (
    "Language",
    "Name",
    "PaymentMethodId",
    "PrimaryUserId",
    "TimeZone",
    "ForwardCompatibilityMap",
    "TaxInformation",
    "BackUpPaymentInstrumentId",
    "BillingThresholdAmount",
    "BusinessAddress",
    "AutoTagType",
    "SoldToPaymentInstrumentId",
)
ADDITIONAL_ACCOUNT_FIELDS = ("TaxCertificate", "AccountMode", "ParentCustomerNumber")
"""Returned by GetAccount and SearchAccounts only when asked for in ReturnAdditionalFields."""
KEPT_WHEN_OMITTED = ("ForwardCompatibilityMap", "BusinessAddress")
"""Updates are full overwrites except for these: ForwardCompatibilityMap by the documentation
(services-protocol.md); BusinessAddress by our choice, since clearing a required address makes no
sense and the documentation makes it read-only for invoice accounts."""


@dataclass(frozen=True)
class Settings:
    """Behaviour switches of one emulator instance (see the CLI flags)."""

    developer_token: str | None = None
    access_token: str | None = None
    allow_customer_delete: bool = False


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stamp_bytes(stamp: int) -> bytes:
    """The opaque TimeStamp: like SQL Server's rowversion, eight big-endian bytes."""
    return stamp.to_bytes(8, "big")


def stamp_value(timestamp: Any) -> int | None:
    if isinstance(timestamp, bytes) and len(timestamp) == 8:
        return int.from_bytes(timestamp, "big")
    return None


def _base36(value: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while value:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
    return out.rjust(width, "0")[-width:]


def customer_number(customer_id: int) -> str:
    """Ten alphanumeric characters (customer.md)."""
    return "C" + _base36(customer_id, 9)


def account_number(account_id: int) -> str:
    """Eight alphanumeric characters (advertiseraccount.md)."""
    return "F" + _base36(account_id, 7)


def _plain(value: Any) -> Any:
    """A request value as JSON can store it: dates as ISO text, decimals as text, bytes dropped."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # Decimal


def _kvps(value: Any) -> list[dict[str, Any]]:
    if not value:
        return []
    return list(value.get("KeyValuePairOfstringstring") or [])


class Backend:
    """The service's operations over a ``Store``; one instance per emulator process."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.ensure_seeded()

    # -- seed data: the caller's aggregator customer and user ----------------------------------

    def ensure_seeded(self) -> None:
        """Create the signed-in user and the aggregator customer they manage, once per store.

        On the real service the caller of SignupCustomer is an aggregator (RoleId 33) whose own
        customer is the ParentCustomerId of every client it signs up.
        """
        with self.store.transaction() as tx:
            if tx.find(USER):
                return
            customer_id = tx.next_value(CUSTOMER, FIRST_ID[CUSTOMER])
            user_id = tx.next_value(USER, FIRST_ID[USER])
            tx.put(
                Record(
                    CUSTOMER,
                    customer_id,
                    None,
                    "Emulator Aggregator",
                    customer_number(customer_id),
                    0,
                    {
                        "Industry": "AgencySalesHouse",
                        "MarketCountry": "US",
                        "MarketLanguage": "English",
                        "Name": "Emulator Aggregator",
                        "CustomerLifeCycleStatus": "Active",
                        "CustomerFinancialStatus": "ClearFinancialStatus",
                        "ServiceLevel": "Premium",
                        "LastModifiedTime": now(),
                        "LastModifiedByUserId": user_id,
                    },
                )
            )
            tx.put(
                Record(
                    USER,
                    user_id,
                    customer_id,
                    "aggregator@emulator.local",
                    None,
                    0,
                    {
                        "CustomerId": customer_id,
                        "UserName": "aggregator@emulator.local",
                        "Lcid": "EnglishUS",
                        "Name": {"FirstName": "Emulator", "LastName": "Aggregator", "MiddleInitial": None},
                        "ContactInfo": {"Email": "aggregator@emulator.local", "EmailFormat": "Html"},
                        "UserLifeCycleStatus": "Active",
                        "SecretQuestion": "None",
                        "LastModifiedTime": now(),
                    },
                )
            )

    def current_user(self, tx: Transaction) -> Record:
        return tx.find(USER)[0]

    def reset(self) -> None:
        self.store.reset()
        self.ensure_seeded()

    def dump(self) -> Body:
        """Everything stored, as ``GET /_emulator/data`` shows it: each entity's id, owner, stamp and fields."""
        with self.store.transaction() as tx:
            return {
                f"{kind}s": [{"Id": r.id, "ParentId": r.parent_id, "Stamp": r.stamp, **r.body} for r in tx.find(kind)]
                for kind in (CUSTOMER, ACCOUNT, USER)
            }

    # -- authentication ------------------------------------------------------------------------

    def authenticate(self, headers: Body) -> None:
        """Check the DeveloperToken and AuthenticationToken headers like the service does.

        Missing headers give 116 RequestMissingHeaders; wrong values 105 InvalidCredentials. Any
        non-empty value passes unless the emulator was started with the expected tokens. The
        deprecated UserName and Password headers do not replace the OAuth access token: the service
        has required OAuth since 2022.
        """
        developer = (headers or {}).get("DeveloperToken")
        access = (headers or {}).get("AuthenticationToken")
        missing = [
            name for name, value in (("DeveloperToken", developer), ("AuthenticationToken", access)) if not value
        ]
        if missing:
            raise fault(116, "Missing header(s): " + ", ".join(missing))
        if self.settings.developer_token is not None and developer != self.settings.developer_token:
            raise fault(105, "The developer token is not valid.")
        if self.settings.access_token is not None and access != self.settings.access_token:
            raise fault(105, "The authentication token is not valid.")

    # -- dispatch --------------------------------------------------------------------------------

    def operation(self, name: str) -> Callable[[Body], Body] | None:
        """The handler of a supported operation, or None."""
        handler = getattr(self, f"op_{name}", None)
        return handler if callable(handler) else None

    # -- customers -------------------------------------------------------------------------------

    def op_SignupCustomer(self, request: Body) -> Body:  # noqa: N802 - the WSDL's operation name
        customer, account = request.get("Customer"), request.get("Account")
        if customer is None:
            raise fault(310, "Customer is null.")
        if account is None:
            raise fault(203, "Account is null.")
        invitation = request.get("UserInvitation")
        parent_id = request.get("ParentCustomerId")
        account = _with_default_country(account, customer)
        errors = self._customer_errors(customer, CUSTOMER_SIGNUP_FIELDS)
        if customer.get("ServiceLevel") is not None:
            errors.append(ErrorItem(201, "Customer.ServiceLevel is read-only and must not be set on signup."))
        errors += self._account_errors(account, creating=True, prefix="Account")
        if account.get("PaymentMethodId") is not None and invitation is None:
            errors.append(
                ErrorItem(
                    201, "Account.PaymentMethodId must be null: the account is billed to the aggregator's invoice."
                )
            )
        _raise_if(errors)
        with self.store.transaction() as tx:
            user = self.current_user(tx)
            if parent_id is None and invitation is None:
                raise fault(203, "ParentCustomerId is required when no UserInvitation is sent.")
            parent = tx.get(CUSTOMER, int(parent_id)) if parent_id is not None else None
            if parent_id is not None and parent is None:
                raise fault(106, f"The user cannot sign up customers under customer {parent_id}.")
            created = now()
            customer_id = tx.next_value(CUSTOMER, FIRST_ID[CUSTOMER])
            body = {f: _plain(customer.get(f)) for f in CUSTOMER_SIGNUP_FIELDS}
            body["CustomerAddress"] = self._address(tx, body.get("CustomerAddress"))
            body.update(
                CustomerLifeCycleStatus="Active",
                CustomerFinancialStatus="ClearFinancialStatus",
                ServiceLevel="SelfServe",
                LastModifiedTime=created,
                LastModifiedByUserId=user.id,
            )
            tx.put(
                Record(
                    CUSTOMER,
                    customer_id,
                    parent.id if parent else None,
                    body["Name"],
                    customer_number(customer_id),
                    0,
                    body,
                )
            )
            account_body = {f: _plain(account.get(f)) for f in ACCOUNT_SIGNUP_FIELDS}
            account_body["BusinessAddress"] = self._address(tx, account_body.get("BusinessAddress"))
            if not account_body.get("Language"):
                account_body["Language"] = _language_of(user.body.get("Lcid"))
            account_body["ForwardCompatibilityMap"] = account_body.get("ForwardCompatibilityMap")
            record = self._insert_account(
                tx,
                account_body,
                customer_id,
                status="Active",
                bill_to=parent.id if parent else customer_id,
                user_id=user.id,
                created=created,
            )
        return {
            "CustomerId": customer_id,
            "CustomerNumber": customer_number(customer_id),
            "AccountId": record.id,
            "AccountNumber": record.number,
            "CreateTime": created,
        }

    def op_GetCustomer(self, request: Body) -> Body:  # noqa: N802
        with self.store.transaction() as tx:
            return {"Customer": self._customer_out(self._customer(tx, request.get("CustomerId")))}

    def op_UpdateCustomer(self, request: Body) -> Body:  # noqa: N802
        customer = request.get("Customer")
        if customer is None:
            raise fault(310, "Customer is null.")
        if customer.get("Id") is None:
            raise fault(203, "Customer.Id is required.")
        _raise_if(self._customer_errors(customer, CUSTOMER_UPDATE_FIELDS))
        with self.store.transaction() as tx:
            record = self._customer(tx, customer["Id"])
            _check_stamp(record, customer.get("TimeStamp"), "Customer")
            if record.body.get("CustomerLifeCycleStatus") == "Inactive":
                raise fault(202, f"Customer {record.id} is inactive and cannot be updated.")
            body = self._overwrite(tx, record.body, customer, CUSTOMER_UPDATE_FIELDS, address_field="CustomerAddress")
            body.update(LastModifiedTime=now(), LastModifiedByUserId=self.current_user(tx).id)
            tx.put(Record(CUSTOMER, record.id, record.parent_id, body["Name"], record.number, 0, body))
            return {"LastModifiedTime": body["LastModifiedTime"]}

    def op_DeleteCustomer(self, request: Body) -> Body:  # noqa: N802
        """Refused as on the real service (Microsoft staff only) unless the emulator allows it."""
        if not self.settings.allow_customer_delete:
            raise fault(106, "Only Microsoft Advertising staff can delete customers.")
        with self.store.transaction() as tx:
            record = self._customer(tx, request.get("CustomerId"))
            _check_stamp(record, request.get("TimeStamp"), "Customer")
            stamp = now()
            tx.put(_with_body(record, CustomerLifeCycleStatus="Inactive", LastModifiedTime=stamp))
            for account in tx.find(ACCOUNT, parent_id=record.id):
                tx.put(_with_body(account, AccountLifeCycleStatus="Inactive", LastModifiedTime=stamp))
        return {}

    def op_GetCustomersInfo(self, request: Body) -> Body:  # noqa: N802
        """Customers whose name starts with the filter (case-insensitive), at most TopN of them."""
        top = request.get("TopN")
        if not isinstance(top, int) or top < 1:
            raise fault(201, "TopN must be a positive, nonzero integer.")
        prefix = (request.get("CustomerNameFilter") or "").casefold()
        with self.store.transaction() as tx:
            found = [c for c in tx.find(CUSTOMER) if (c.name or "").casefold().startswith(prefix)]
        return {"CustomersInfo": {"CustomerInfo": [{"Id": c.id, "Name": c.name} for c in found[:top]]}}

    def op_SearchCustomers(self, request: Body) -> Body:  # noqa: N802
        predicates = _predicates(request, SEARCH_CUSTOMERS_PREDICATES, "SearchCustomers")
        if not predicates:
            raise fault(3079)
        if len(predicates) > 10:
            raise fault(3030, "At most 10 predicates are allowed.")
        fields = [p["Field"] for p in predicates]
        for field in set(fields):
            if field != "CreatedDate" and fields.count(field) > 1:
                raise fault(3030, f"The {field} predicate may appear only once.")
        if ("MarketCountry" in fields) != ("MarketLanguage" in fields):
            raise fault(3030, "MarketCountry and MarketLanguage predicates must be sent together.")
        with self.store.transaction() as tx:
            customers = tx.find(CUSTOMER)
            for predicate in predicates:
                customers = [c for c in customers if self._customer_matches(tx, c, predicate)]
            page = _page(request, customers, SEARCH_CUSTOMERS_PAGE_MAX)
            return {"Customers": {"Customer": [self._customer_out(c) for c in page]}}

    # -- accounts --------------------------------------------------------------------------------

    def op_AddAccount(self, request: Body) -> Body:  # noqa: N802
        account = request.get("Account")
        if account is None:
            raise fault(203, "Account is null.")
        with self.store.transaction() as tx:
            parent = self._customer(tx, account.get("ParentCustomerId"))
            account = _with_default_country(account, parent.body)
            _raise_if(self._account_errors(account, creating=True, prefix="Account"))
            if parent.body.get("CustomerLifeCycleStatus") == "Inactive":
                raise fault(202, f"Customer {parent.id} is inactive.")
            siblings = tx.find(ACCOUNT, parent_id=parent.id)
            if any(s.body.get("AccountLifeCycleStatus") == "Draft" for s in siblings):
                raise fault(202, "No account can be added while the customer has an account in Draft status.")
            _check_unique_name(siblings, account.get("Name"), None)
            user = self.current_user(tx)
            created = now()
            body = {f: _plain(account.get(f)) for f in ACCOUNT_ADD_FIELDS}
            body["BusinessAddress"] = self._address(tx, body.get("BusinessAddress"))
            body["Language"] = _language_of(user.body.get("Lcid"))
            record = self._insert_account(
                tx, body, parent.id, status="Draft", bill_to=parent.id, user_id=user.id, created=created
            )
        return {"AccountId": record.id, "AccountNumber": record.number, "CreateTime": created}

    def op_GetAccount(self, request: Body) -> Body:  # noqa: N802
        with self.store.transaction() as tx:
            record = self._account(tx, request.get("AccountId"))
            return {"Account": self._account_out(tx, record, request.get("ReturnAdditionalFields"))}

    def op_UpdateAccount(self, request: Body) -> Body:  # noqa: N802
        account = request.get("Account")
        if account is None:
            raise fault(203, "Account is null.")
        if account.get("Id") is None:
            raise fault(203, "Account.Id is required.")
        _raise_if(self._account_errors(account, creating=False, prefix="Account"))
        with self.store.transaction() as tx:
            record = self._account(tx, account["Id"])
            _check_stamp(record, account.get("TimeStamp"), "Account")
            if record.body.get("AccountLifeCycleStatus") == "Inactive":
                raise fault(2192, f"Account {record.id} is Inactive.")
            _check_unique_name(tx.find(ACCOUNT, parent_id=record.parent_id), account.get("Name"), record.id)
            body = self._overwrite(tx, record.body, account, ACCOUNT_UPDATE_FIELDS, address_field="BusinessAddress")
            body["TaxInformation"] = _without_empty_values(body.get("TaxInformation"))
            body.update(LastModifiedTime=now(), LastModifiedByUserId=self.current_user(tx).id)
            tx.put(Record(ACCOUNT, record.id, record.parent_id, body["Name"], record.number, 0, body))
            return {"LastModifiedTime": body["LastModifiedTime"]}

    def op_DeleteAccount(self, request: Body) -> Body:  # noqa: N802
        """The account stays readable and searchable, with status Inactive (DeleteAccount docs)."""
        with self.store.transaction() as tx:
            record = self._account(tx, request.get("AccountId"))
            _check_stamp(record, request.get("TimeStamp"), "Account")
            if record.body.get("AccountLifeCycleStatus") == "Inactive":
                raise fault(2192, f"Account {record.id} is already Inactive.")
            tx.put(_with_body(record, AccountLifeCycleStatus="Inactive", LastModifiedTime=now()))
        return {}

    def op_GetAccountsInfo(self, request: Body) -> Body:  # noqa: N802
        with self.store.transaction() as tx:
            customer_id = request.get("CustomerId") or self.current_user(tx).parent_id
            customer = self._customer(tx, customer_id)
            accounts = tx.find(ACCOUNT, parent_id=customer.id)
        return {
            "AccountsInfo": {
                "AccountInfo": [
                    {
                        "Id": a.id,
                        "Name": a.name,
                        "Number": a.number,
                        "AccountLifeCycleStatus": a.body.get("AccountLifeCycleStatus"),
                        "PauseReason": a.body.get("PauseReason"),
                    }
                    for a in accounts
                ]
            }
        }

    def op_SearchAccounts(self, request: Body) -> Body:  # noqa: N802
        predicates = _predicates(request, SEARCH_ACCOUNTS_PREDICATES, "SearchAccounts")
        fields = sorted(p["Field"] for p in predicates)
        with_status = len(fields) == 2 and "AccountLifeCycleStatus" in fields and len(set(fields)) == 2
        if len(fields) != 1 and not with_status:
            raise fault(
                3030,
                "SearchAccounts takes exactly one predicate, or an AccountLifeCycleStatus predicate with one other.",
            )
        if fields == ["AccountLifeCycleStatus"]:
            raise fault(3030, "An AccountLifeCycleStatus predicate needs one other predicate, such as UserId.")
        with self.store.transaction() as tx:
            accounts = tx.find(ACCOUNT)
            for predicate in predicates:
                accounts = [a for a in accounts if _account_matches(a, predicate)]
            page = _page(request, accounts, SEARCH_ACCOUNTS_PAGE_MAX)
            extra = request.get("ReturnAdditionalFields")
            return {"Accounts": {"AdvertiserAccount": [self._account_out(tx, a, extra) for a in page]}}

    # -- users -----------------------------------------------------------------------------------

    def op_GetUser(self, request: Body) -> Body:  # noqa: N802
        """GetUser with a nil UserId is the documented way to ask who is calling."""
        with self.store.transaction() as tx:
            user_id = request.get("UserId")
            user = self.current_user(tx) if user_id is None else tx.get(USER, int(user_id))
            if user is None:
                raise fault(210, f"User {user_id} does not exist.")
            roles = [
                {
                    "RoleId": AGGREGATOR_ROLE_ID,
                    "CustomerId": user.parent_id,
                    "AccountIds": None,
                    "LinkedAccountIds": None,
                    "CustomerLinkPermission": None,
                }
            ]
            return {"User": _user_out(user), "CustomerRoles": {"CustomerRole": roles}}

    def op_GetCurrentUser(self, request: Body) -> Body:  # noqa: N802
        with self.store.transaction() as tx:
            return {"User": _user_out(self.current_user(tx))}

    # -- control plane helpers (not SOAP operations) ----------------------------------------------

    def set_account_status(self, account_id: int, status: str) -> Body:
        """Move an account to another life-cycle status, as billing review would (Draft -> Active)."""
        if status not in wsdl.enum_values("AccountLifeCycleStatus"):
            raise ValueError(f"status must be one of {wsdl.enum_values('AccountLifeCycleStatus')}")
        with self.store.transaction() as tx:
            record = self._account(tx, account_id)
            tx.put(_with_body(record, AccountLifeCycleStatus=status, LastModifiedTime=now()))
        return {"AccountId": account_id, "AccountLifeCycleStatus": status}

    # -- helpers ----------------------------------------------------------------------------------

    def _customer(self, tx: Transaction, customer_id: Any) -> Record:
        if customer_id is None:
            raise fault(203, "CustomerId is required.")
        record = tx.get(CUSTOMER, int(customer_id))
        if record is None:
            raise fault(210, f"Customer {customer_id} does not exist.")
        return record

    def _account(self, tx: Transaction, account_id: Any) -> Record:
        if account_id is None:
            raise fault(203, "AccountId is required.")
        record = tx.get(ACCOUNT, int(account_id))
        if record is None:
            raise fault(2108, f"Account {account_id} does not exist.")
        return record

    def _customer_errors(self, customer: Body, fields: Iterable[str]) -> list[ErrorItem]:
        errors = []
        required = ("Name", "Industry", "MarketCountry", "MarketLanguage")
        for name in required:
            if name in fields and customer.get(name) in (None, ""):
                errors.append(ErrorItem(201, f"Customer.{name} is required."))
        name = customer.get("Name") or ""
        if len(name) > CUSTOMER_NAME_MAX:
            errors.append(
                ErrorItem(211, f"Customer.Name is {len(name)} characters; at most {CUSTOMER_NAME_MAX} are allowed.")
            )
        errors += _address_errors(customer.get("CustomerAddress"), "Customer.CustomerAddress", required=False)
        return errors

    def _account_errors(self, account: Body, *, creating: bool, prefix: str) -> list[ErrorItem]:
        errors = []
        name = account.get("Name")
        if not name:
            errors.append(ErrorItem(201, f"{prefix}.Name is required."))
        elif len(name) > ACCOUNT_NAME_MAX:
            errors.append(
                ErrorItem(211, f"{prefix}.Name is {len(name)} characters; at most {ACCOUNT_NAME_MAX} are allowed.")
            )
        elif len(name) < ACCOUNT_NAME_MIN:
            errors.append(ErrorItem(201, f"{prefix}.Name must have at least {ACCOUNT_NAME_MIN} characters."))
        if creating:
            if not account.get("CurrencyCode"):
                errors.append(ErrorItem(201, f"{prefix}.CurrencyCode is required."))
            if account.get("BusinessAddress") is None:
                errors.append(ErrorItem(1139, f"{prefix}.BusinessAddress is required."))
        errors += _address_errors(account.get("BusinessAddress"), f"{prefix}.BusinessAddress", required=creating)
        return errors

    def _address(self, tx: Transaction, address: Body | None) -> Body | None:
        """Give a written address the system-generated Id the service assigns."""
        if not address:
            return None
        address = {f.name: address.get(f.name) for f in wsdl.complex_fields("Address") if f.name != "TimeStamp"}
        if address.get("Id") is None:
            address["Id"] = tx.next_value("address", FIRST_ID["address"])
        return address

    def _overwrite(
        self, tx: Transaction, stored: Body, written: Body, fields: Iterable[str], *, address_field: str
    ) -> Body:
        """The stored entity with every settable field replaced by what the caller sent.

        Updates are full overwrites: an optional field left out is cleared, except the ones in
        ``KEPT_WHEN_OMITTED``. Read-only fields keep their stored values whatever was sent.
        """
        body = dict(stored)
        for name in fields:
            value = written.get(name)
            if value is None and name in KEPT_WHEN_OMITTED:
                continue
            body[name] = _plain(value)
        if written.get(address_field) is not None:
            previous = (stored.get(address_field) or {}).get("Id")
            address = dict(body[address_field])
            address["Id"] = address.get("Id") or previous
            body[address_field] = self._address(tx, address)
        return body

    def _insert_account(
        self, tx: Transaction, body: Body, customer_id: int, *, status: str, bill_to: int, user_id: int, created: str
    ) -> Record:
        account_id = tx.next_value(ACCOUNT, FIRST_ID[ACCOUNT])
        body.update(
            ParentCustomerId=customer_id,
            AccountLifeCycleStatus=status,
            AccountFinancialStatus="ClearFinancialStatus",
            BillToCustomerId=bill_to,
            PaymentMethodType=None,
            PauseReason=None,
            SalesHouseCustomerId=None,
            LastModifiedTime=created,
            LastModifiedByUserId=user_id,
            AccountMode="Expert",
            TimeZone=body.get("TimeZone") or "PacificTimeUSCanadaTijuana",
            AutoTagType=body.get("AutoTagType") or "Inactive",
            PrimaryUserId=body.get("PrimaryUserId") or user_id,
            BackUpPaymentInstrumentId=None,
            BillingThresholdAmount=None,
        )
        return tx.put(Record(ACCOUNT, account_id, customer_id, body["Name"], account_number(account_id), 0, body))

    def _customer_out(self, record: Record) -> Body:
        out = {f.name: record.body.get(f.name) for f in wsdl.complex_fields("Customer")}
        out.update(Id=record.id, Number=record.number, TimeStamp=stamp_bytes(record.stamp))
        return out

    def _account_out(self, tx: Transaction, record: Record, additional: Any) -> Body:
        wanted = set(additional or [])
        out = {f.name: record.body.get(f.name) for f in wsdl.complex_fields("AdvertiserAccount")}
        out.update(Id=record.id, Number=record.number, TimeStamp=stamp_bytes(record.stamp), PaymentMethodType=None)
        parent = tx.get(CUSTOMER, record.parent_id) if record.parent_id is not None else None
        out["ParentCustomerNumber"] = parent.number if parent else None
        for name in ADDITIONAL_ACCOUNT_FIELDS:
            if name not in wanted:
                out[name] = None
        out["TaxCertificate"] = None
        return out

    def _customer_matches(self, tx: Transaction, customer: Record, predicate: Body) -> bool:
        field, operator, value = predicate["Field"], predicate["Operator"], predicate["Value"]
        if field == "CustomerName":
            return _text_matches(customer.name, operator, value, field)
        if field == "CustomerId":
            return _id_matches(customer.id, operator, value, field)
        if field in ("AccountId", "AccountName", "AccountNumber"):
            return any(_account_matches(a, predicate) for a in tx.find(ACCOUNT, parent_id=customer.id))
        if field in ("MarketCountry", "MarketLanguage"):
            _require_operator(field, operator, ("Equals",))
            return str(customer.body.get(field) or "").casefold() == str(value).casefold()
        raise fault(3030, f"Predicate field {field!r} is not supported by SearchCustomers.")


def _without_empty_values(pairs: Body | None) -> Body | None:
    """TaxInformation without the keys sent with an empty value: that is how a key is removed.

    An empty element and a nil one look the same once deserialized; both remove the key.
    """
    if not pairs:
        return pairs
    kept = [p for p in _kvps(pairs) if p.get("value") not in ("", None)]
    return {"KeyValuePairOfstringstring": kept} if kept else None


def _raise_if(errors: list[ErrorItem]) -> None:
    if errors:
        raise ServiceError(errors)


def _check_stamp(record: Record, timestamp: Any, what: str) -> None:
    if timestamp is None:
        raise fault(203, f"{what}.TimeStamp is required.")
    if stamp_value(timestamp) != record.stamp:
        raise fault(209, f"{what} {record.id} was changed since the TimeStamp sent was read.")


def _check_unique_name(siblings: list[Record], name: Any, own_id: int | None) -> None:
    """Account names are unique among the customer's accounts that are not deleted.

    The documentation states the rule but gives no error code for it, nor says whether it is
    case-sensitive or whether a deleted (Inactive) account keeps its name. Our choices: 201
    ApiInputValidationError with details saying which account holds the name; names compare
    case-insensitively; a deleted account frees its name, so that a replacement can take it.
    """
    if not name:
        return
    for sibling in siblings:
        if sibling.body.get("AccountLifeCycleStatus") == "Inactive":
            continue
        if sibling.id != own_id and (sibling.name or "").casefold() == str(name).casefold():
            raise fault(201, f"Account name {name!r} is already used by account {sibling.id} of this customer.")


def _with_body(record: Record, **changes: Any) -> Record:
    return Record(
        record.kind, record.id, record.parent_id, record.name, record.number, record.stamp, {**record.body, **changes}
    )


def _with_default_country(account: Body, customer: Body) -> Body:
    """The account with its business country taken from the customer when it has none.

    The documentation requires only BusinessName, City and Line1 of a new account's business
    address; the country comes from the customer's address, else from its market country.
    """
    business = account.get("BusinessAddress")
    if business is None or business.get("CountryCode"):
        return account
    country = (customer.get("CustomerAddress") or {}).get("CountryCode") or customer.get("MarketCountry")
    return {**account, "BusinessAddress": {**business, "CountryCode": country}}


def _address_errors(address: Body | None, path: str, *, required: bool) -> list[ErrorItem]:
    if not address:
        return []
    errors = []
    if required:
        needed = ["BusinessName", "City", "Line1", "CountryCode"]
        if address.get("CountryCode") in COUNTRIES_NEEDING_POSTAL_CODE_AND_STATE:
            needed += ["PostalCode", "StateOrProvince"]
        for name in needed:
            if not address.get(name):
                errors.append(ErrorItem(1140, f"{path}.{name} is required."))
    for name, limit in ADDRESS_LIMITS.items():
        value = address.get(name)
        if value is not None and len(value) > limit:
            errors.append(
                ErrorItem(
                    ADDRESS_FIELD_CODES.get(name, 1140),
                    f"{path}.{name} is {len(value)} characters; at most {limit} are allowed.",
                )
            )
    return errors


def _language_of(lcid: Any) -> str | None:
    """The LanguageType whose name starts the user's LCID (``EnglishUS`` -> ``English``)."""
    for language in sorted(wsdl.enum_values("LanguageType"), key=len, reverse=True):
        if str(lcid or "").startswith(language):
            return language
    return None


def _user_out(record: Record) -> Body:
    out = {f.name: record.body.get(f.name) for f in wsdl.complex_fields("User")}
    out.update(Id=record.id, TimeStamp=stamp_bytes(record.stamp), Password=None, SecretAnswer=None)
    return out


def _predicates(request: Body, allowed: dict[str, tuple[str, ...]], operation: str) -> list[Body]:
    """The request's predicates, each checked before any entity is looked at (3030 when invalid).

    ``allowed`` maps each supported field to its operators (predicate.md). Values have at least
    four characters, except for MarketCountry and MarketLanguage. Id fields must hold
    ids (a comma-separated list for In); AccountLifeCycleStatus a value of its enumeration.
    """
    predicates = list((request.get("Predicates") or {}).get("Predicate") or [])
    for predicate in predicates:
        field, operator, value = predicate.get("Field"), predicate.get("Operator"), predicate.get("Value")
        if not field or value is None or not operator:
            raise fault(3030, "Every predicate needs a Field, an Operator and a Value.")
        if field not in allowed:
            raise fault(3030, f"Predicate field {field!r} is not supported by {operation}.")
        _require_operator(field, operator, allowed[field])
        if len(str(value)) < PREDICATE_VALUE_MIN and field not in ("MarketCountry", "MarketLanguage"):
            raise fault(3030, f"The {field} predicate's Value must be at least {PREDICATE_VALUE_MIN} characters long.")
        if field in ID_PREDICATE_FIELDS:
            try:
                [int(v) for v in str(value).split(",")]
            except ValueError:
                raise fault(3030, f"{field} predicate value {value!r} is not an id or a list of ids.") from None
        if field == "AccountLifeCycleStatus" and value not in wsdl.enum_values("AccountLifeCycleStatus"):
            raise fault(3030, f"AccountLifeCycleStatus predicate value {value!r} is not a status.")
    return predicates


def _require_operator(field: str, operator: str, allowed: tuple[str, ...]) -> None:
    if operator not in allowed:
        raise fault(3030, f"Operator {operator} is not valid for {field}; allowed: {', '.join(allowed)}.")


def _text_matches(actual: str | None, operator: str, value: str, field: str) -> bool:
    _require_operator(field, operator, ("Equals", "Contains"))
    actual_folded, value_folded = (actual or "").casefold(), value.casefold()
    return actual_folded == value_folded if operator == "Equals" else value_folded in actual_folded


def _id_matches(actual: int, operator: str, value: str, field: str) -> bool:
    _require_operator(field, operator, ("Equals", "In"))
    try:
        wanted = {int(v) for v in value.split(",")} if operator == "In" else {int(value)}
    except ValueError:
        raise fault(3030, f"{field} predicate value {value!r} is not a list of ids.") from None
    return actual in wanted


def _account_matches(account: Record, predicate: Body) -> bool:
    field, operator, value = predicate["Field"], predicate["Operator"], predicate["Value"]
    if field == "AccountId":
        return _id_matches(account.id, operator, value, field)
    if field == "AccountName":
        return _text_matches(account.name, operator, value, field)
    if field == "AccountNumber":
        _require_operator(field, operator, ("Equals", "Contains", "In"))
        number = (account.number or "").casefold()
        if operator == "In":
            return number in {v.strip().casefold() for v in value.split(",")}
        return _text_matches(account.number, operator, value, field)
    if field == "CustomerId":
        _require_operator(field, operator, ("Equals",))
        return _id_matches(account.parent_id or 0, operator, value, field)
    if field == "AccountLifeCycleStatus":
        _require_operator(field, operator, ("Equals",))
        return account.body.get("AccountLifeCycleStatus") == str(value)
    if field == "UserId":
        _require_operator(field, operator, ("Equals",))
        return True  # the emulator's one user can reach every account
    raise fault(3030, f"Predicate field {field!r} is not supported by SearchAccounts.")


def _page(request: Body, records: list[Record], maximum: int) -> list[Record]:
    """Order and page a result: PageInfo is required, Index is zero-based, Size is bounded."""
    page = request.get("PageInfo")
    if page is None:
        raise fault(3080)
    index, size = page.get("Index") or 0, page.get("Size") or 0
    if index < 0 or size < 0 or size > maximum:
        raise fault(201, f"PageInfo.Size must be between 0 and {maximum} and Index at least 0.")
    ordering = (request.get("Ordering") or {}).get("OrderBy") or []
    if ordering:  # at most one OrderBy counts: "additional elements ... will be ignored" (searchaccounts.md)
        order = ordering[0]
        key: Callable[[Record], Any] = {
            "Id": lambda r: r.id,
            "Name": lambda r: ((r.name or "").casefold(), r.id),
            "Number": lambda r: r.number or "",
        }.get(order.get("Field"), lambda r: r.id)
        records = sorted(records, key=key, reverse=order.get("Order") == "Descending")
    return records[index * size : (index + 1) * size]
