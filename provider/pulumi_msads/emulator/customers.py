"""The customer operations: SignupCustomer (a customer and its first account), GetCustomer,
UpdateCustomer, DeleteCustomer, GetCustomersInfo and SearchCustomers (customer.md, signupcustomer.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import rules, wsdl
from . import addresses, search, updates
from .accounts import ACCOUNT_ADD_FIELDS, account_errors, insert_account, language_of
from .core import Core
from .entities import (
    ACCOUNT,
    CUSTOMER,
    FIRST_ID,
    USER,
    Body,
    check_stamp,
    customer_number,
    now,
    plain,
    raise_if,
    stamp_bytes,
    with_body,
)
from .errors import ErrorItem, fault
from .store import Match, Record, Transaction

CUSTOMER_SIGNUP_FIELDS = (
    "Industry",
    "MarketCountry",
    "ForwardCompatibilityMap",
    "MarketLanguage",
    "Name",
    "CustomerAddress",
)
CUSTOMER_UPDATE_FIELDS = ("Industry", "ForwardCompatibilityMap", "Name", "CustomerAddress")
ACCOUNT_SIGNUP_FIELDS = (*(f for f in ACCOUNT_ADD_FIELDS if f != "LinkedAgencies"), "Language")
"""LinkedAgencies is ignored on signup: "Aggregators cannot link as agencies in this context"
(advertiseraccount.md #linkedagencies); PaymentMethodId is the aggregator's invoice."""
CREATED_AT = search.CREATED_AT
"""Body key of a customer's signup time (SearchCustomers' CreatedDate reads it, ``search``)."""
INVOICE_PAYMENT_METHOD = "_InvoicePaymentMethodId"
"""Body key (not a WSDL field) of the aggregator's invoice payment instrument."""


def customer_errors(customer: Body, fields: Iterable[str]) -> list[ErrorItem]:
    found = []
    for name in ("Name", "Industry", "MarketCountry", "MarketLanguage"):
        if name in fields and customer.get(name) in (None, ""):
            found.append(ErrorItem(201, f"Customer.{name} is required."))
    name = customer.get("Name") or ""
    if rules.service_length(name) > rules.CUSTOMER_NAME_MAX:
        found.append(
            ErrorItem(
                211,
                f"Customer.Name is {rules.service_length(name)} characters; at most {rules.CUSTOMER_NAME_MAX} "
                "are allowed.",
            )
        )
    found += addresses.errors(customer.get("CustomerAddress"), "Customer.CustomerAddress", creating=False)
    return found


def customer_out(record: Record) -> Body:
    out = {f.name: record.body.get(f.name) for f in wsdl.complex_fields("Customer")}
    out.update(Id=record.id, Number=record.number, TimeStamp=stamp_bytes(record.stamp))
    return out


def signup_errors(customer: Body, account: Body, invitation: Any) -> list[ErrorItem]:
    """What SignupCustomer refuses in a customer and its first account before touching the store.

    Shared with ``seed``, so that a fixture's customer passes exactly the rules a signup does.
    ``account`` already has its default business country (``addresses.with_default_country``).
    """
    errors = customer_errors(customer, CUSTOMER_SIGNUP_FIELDS)
    if customer.get("ServiceLevel") is not None:
        errors.append(ErrorItem(201, "Customer.ServiceLevel is read-only and must not be set on signup."))
    errors += account_errors(account, creating=True, prefix="Account")
    if account.get("PaymentMethodId") is not None and invitation is None:
        errors.append(
            ErrorItem(201, "Account.PaymentMethodId must be null: the account is billed to the aggregator's invoice.")
        )
    return errors


def insert_signup(
    tx: Transaction,
    customer: Body,
    account: Body,
    *,
    parent: Record | None,
    user: Record,
    created: str,
    status: str = "Active",
) -> tuple[Record, Record]:
    """Store a signed-up customer and its first account, billed to ``parent``'s invoice when there is one.

    What SignupCustomer writes once its checks pass; ``seed`` writes a fixture's customers with it
    too (``status`` lets a fixture declare the first account's life-cycle status). Returns the
    customer and account records as stored.
    """
    customer_id = tx.next_value(CUSTOMER, FIRST_ID[CUSTOMER])
    body = {f: plain(customer.get(f)) for f in CUSTOMER_SIGNUP_FIELDS}
    body["CustomerAddress"] = addresses.stored(tx, body.get("CustomerAddress"))
    body.update(
        CustomerLifeCycleStatus="Active",
        CustomerFinancialStatus="ClearFinancialStatus",
        ServiceLevel="SelfServe",
        LastModifiedTime=created,
        LastModifiedByUserId=user.id,
        **{CREATED_AT: created},
    )
    stored = tx.put(
        Record(
            CUSTOMER, customer_id, parent.id if parent else None, body["Name"], customer_number(customer_id), 0, body
        )
    )
    account_body = {f: plain(account.get(f)) for f in ACCOUNT_SIGNUP_FIELDS}
    account_body["BusinessAddress"] = addresses.stored(tx, account_body.get("BusinessAddress"))
    if not account_body.get("Language"):
        account_body["Language"] = language_of(user.body.get("Lcid"))
    if parent is not None:
        account_body["PaymentMethodId"] = parent.body.get(INVOICE_PAYMENT_METHOD)
    record = insert_account(
        tx,
        account_body,
        customer_id,
        status=status,
        bill_to=parent.id if parent else customer_id,
        user_id=user.id,
        created=created,
    )
    return stored, record


class CustomerOperations(Core):
    def op_SignupCustomer(self, request: Body) -> Body:  # noqa: N802 - the WSDL's operation name
        customer, account = request.get("Customer"), request.get("Account")
        if customer is None:
            raise fault(310, "Customer is null.")
        if account is None:
            raise fault(203, "Account is null.")
        invitation = request.get("UserInvitation")
        parent_id = request.get("ParentCustomerId")
        account = addresses.with_default_country(account, customer)
        raise_if(signup_errors(customer, account, invitation))
        with self.store.transaction() as tx:
            user = self.current_user(tx)
            if parent_id is None and invitation is None:
                raise fault(203, "ParentCustomerId is required when no UserInvitation is sent.")
            parent = tx.get(CUSTOMER, int(parent_id)) if parent_id is not None else None
            if parent_id is not None and parent is None:
                raise fault(106, f"The user cannot sign up customers under customer {parent_id}.")
            created = now()
            stored, record = insert_signup(tx, customer, account, parent=parent, user=user, created=created)
        return {
            "CustomerId": stored.id,
            "CustomerNumber": stored.number,
            "AccountId": record.id,
            "AccountNumber": record.number,
            "CreateTime": created,
        }

    def op_GetCustomer(self, request: Body) -> Body:  # noqa: N802
        with self.store.transaction() as tx:
            return {"Customer": customer_out(self._customer(tx, request.get("CustomerId")))}

    def op_UpdateCustomer(self, request: Body) -> Body:  # noqa: N802
        customer = request.get("Customer")
        if customer is None:
            raise fault(310, "Customer is null.")
        if customer.get("Id") is None:
            raise fault(203, "Customer.Id is required.")
        raise_if(customer_errors(customer, CUSTOMER_UPDATE_FIELDS))
        with self.store.transaction() as tx:
            record = self._customer(tx, customer["Id"])
            check_stamp(record, customer.get("TimeStamp"), "Customer")
            if record.body.get("CustomerLifeCycleStatus") == "Inactive":
                raise fault(202, f"Customer {record.id} is inactive and cannot be updated.")
            body = updates.merged(record.body, customer, CUSTOMER_UPDATE_FIELDS, self.settings.update_semantics)
            raise_if(
                addresses.change_errors(
                    customer.get("CustomerAddress"),
                    record.body.get("CustomerAddress"),
                    body.get("CustomerAddress"),
                    "Customer.CustomerAddress",
                    require_on_change=False,
                )
            )
            body["CustomerAddress"] = addresses.stored(tx, body.get("CustomerAddress"))
            body.update(LastModifiedTime=now(), LastModifiedByUserId=self.current_user(tx).id)
            tx.put(Record(CUSTOMER, record.id, record.parent_id, body["Name"], record.number, 0, body))
            return {"LastModifiedTime": body["LastModifiedTime"]}

    def op_DeleteCustomer(self, request: Body) -> Body:  # noqa: N802
        """Refused as on the real service (Microsoft staff only) unless the emulator allows it."""
        if not self.settings.allow_customer_delete:
            raise fault(106, "Only Microsoft Advertising staff can delete customers.")
        with self.store.transaction() as tx:
            record = self._customer(tx, request.get("CustomerId"))
            check_stamp(record, request.get("TimeStamp"), "Customer")
            stamp = now()
            tx.put(with_body(record, CustomerLifeCycleStatus="Inactive", LastModifiedTime=stamp))
            for account in tx.find(ACCOUNT, parent_id=record.id):
                tx.put(with_body(account, AccountLifeCycleStatus="Inactive", LastModifiedTime=stamp))
        return {}

    def op_GetCustomersInfo(self, request: Body) -> Body:  # noqa: N802
        """Customers whose name starts with the filter (case-insensitive), at most TopN of them."""
        top = request.get("TopN")
        if not isinstance(top, int) or top < 1:
            raise fault(201, "TopN must be a positive, nonzero integer.")
        prefix = request.get("CustomerNameFilter") or ""
        with self.store.transaction() as tx:
            found = tx.select(Match(CUSTOMER, name=("starts", prefix)), limit=top)
        return {"CustomersInfo": {"CustomerInfo": [{"Id": c.id, "Name": c.name} for c in found]}}

    def op_SearchCustomers(self, request: Body) -> Body:  # noqa: N802
        """Customers meeting every predicate and created within the DateRange (searchcustomers.md).

        CreatedDate may come twice and every other field once (searchcustomers.md #predicates); the
        creation date is the signup time, which the predicates and DateRange read (``search``).
        """
        predicates = search.predicates(request, search.SEARCH_CUSTOMERS_PREDICATES, "SearchCustomers")
        if not predicates:
            raise fault(3079)
        if len(predicates) > 10:
            raise fault(3030, "At most 10 predicates are allowed.")
        fields = [p["Field"] for p in predicates]
        for field in set(fields):
            if field != "CreatedDate" and fields.count(field) > 1:
                raise fault(3030, f"The {field} predicate may appear only once.")
        if fields.count("CreatedDate") > search.CREATED_DATE_MAX:
            raise fault(3030, f"The CreatedDate predicate may appear at most {search.CREATED_DATE_MAX} times.")
        if ("MarketCountry" in fields) != ("MarketLanguage" in fields):
            raise fault(3030, "MarketCountry and MarketLanguage predicates must be sent together.")
        bounds = search.date_range(request)
        with self.store.transaction() as tx:
            match = search.customer_match(predicates, tx.find(USER))
            kept = search.customer_kept(predicates, bounds)
            page = search.found(tx, request, match, search.SEARCH_CUSTOMERS_PAGE_MAX, kept)
            return {"Customers": {"Customer": [customer_out(c) for c in page]}}
