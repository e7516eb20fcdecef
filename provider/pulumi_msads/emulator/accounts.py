"""The advertiser-account operations: AddAccount, GetAccount, UpdateAccount, DeleteAccount,
GetAccountsInfo and SearchAccounts, with the AdvertiserAccount rules of advertiseraccount.md."""

from __future__ import annotations

import time
from typing import Any

from .. import rules, wsdl
from . import addresses, search, taxes, updates
from .core import Core
from .entities import (
    ACCOUNT,
    CUSTOMER,
    FIRST_ID,
    Body,
    account_number,
    check_stamp,
    now,
    pairs,
    plain,
    raise_if,
    stamp_bytes,
    with_body,
)
from .errors import ErrorItem, fault
from .store import Record, Transaction

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
"""Fields a caller may set on AddAccount; everything else in the WSDL type is read-only."""
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
CREATED_AT = "_CreatedAt"
"""Body key (not a WSDL field, so never returned) of an account's creation, as a Unix time."""


def account_errors(account: Body, *, creating: bool, prefix: str) -> list[ErrorItem]:
    """An account as sent: its name, and on add its currency, business address and tax keys."""
    found = []
    name = account.get("Name")
    if not name:
        found.append(ErrorItem(201, f"{prefix}.Name is required."))
    elif rules.service_length(name) > rules.ACCOUNT_NAME_MAX:
        found.append(
            ErrorItem(
                211,
                f"{prefix}.Name is {rules.service_length(name)} characters; at most {rules.ACCOUNT_NAME_MAX} are "
                "allowed.",
            )
        )
    elif rules.service_length(name) < rules.ACCOUNT_NAME_MIN:
        found.append(ErrorItem(201, f"{prefix}.Name must have at least {rules.ACCOUNT_NAME_MIN} characters."))
    address = account.get("BusinessAddress")
    if creating:
        if not account.get("CurrencyCode"):
            found.append(ErrorItem(201, f"{prefix}.CurrencyCode is required."))
        if address is None:
            found.append(ErrorItem(1139, f"{prefix}.BusinessAddress is required."))
        found += taxes.add_errors(account.get("TaxInformation"), address, f"{prefix}.TaxInformation")
    found += addresses.errors(address, f"{prefix}.BusinessAddress", creating=creating)
    return found


def is_invoice_account(record: Record) -> bool:
    """Billed to another customer (the aggregator's monthly invoice): an account SignupCustomer made."""
    bill_to = record.body.get("BillToCustomerId")
    return bill_to is not None and bill_to != record.parent_id


def check_unique_name(siblings: list[Record], name: Any, own_id: int | None) -> None:
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


def check_no_draft(siblings: list[Record]) -> None:
    """No account is added to a customer while one of its accounts is in Draft (billing not set up yet)."""
    if any(s.body.get("AccountLifeCycleStatus") == "Draft" for s in siblings):
        raise fault(202, "No account can be added while the customer has an account in Draft status.")


def check_room(siblings: list[Record], customer_id: int) -> None:
    """At most six accounts per customer (guides/entity-hierarchy-limits.md). The page gives no code
    and does not say whether deleted accounts count: 202 ApiExecutionError, Inactive ones not counted
    (our choices)."""
    live = [s for s in siblings if s.body.get("AccountLifeCycleStatus") != "Inactive"]
    if len(live) >= rules.ACCOUNTS_PER_CUSTOMER_MAX:
        raise fault(
            202,
            f"Customer {customer_id} already has {len(live)} accounts; a customer can have at most "
            f"{rules.ACCOUNTS_PER_CUSTOMER_MAX}.",
        )


def add_account(
    tx: Transaction, account: Body, customer_id: int, user: Record, *, status: str, created: str, language: Any = None
) -> Record:
    """A customer's next account, checked and written as AddAccount does (seeding too): none while a sibling is
    Draft, six at most, a name of its own; billed to the customer itself. ``language`` defaults to the user's
    (AddAccount takes none: "Read-only for AddAccount")."""
    siblings = tx.find(ACCOUNT, parent_id=customer_id)
    check_no_draft(siblings)
    check_room(siblings, customer_id)
    check_unique_name(siblings, account.get("Name"), None)
    body = {f: plain(account.get(f)) for f in ACCOUNT_ADD_FIELDS}
    body["BusinessAddress"] = addresses.stored(tx, body.get("BusinessAddress"))
    body["Language"] = language or language_of(user.body.get("Lcid"))
    return insert_account(tx, body, customer_id, status=status, bill_to=customer_id, user_id=user.id, created=created)


def insert_account(
    tx: Transaction, body: Body, customer_id: int, *, status: str, bill_to: int, user_id: int, created: str
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
        TaxInformation=taxes_pairs(body.get("TaxInformation")),
        **{CREATED_AT: time.time()},
    )
    return tx.put(Record(ACCOUNT, account_id, customer_id, body["Name"], account_number(account_id), 0, body))


def taxes_pairs(value: Any) -> Body | None:
    """TaxInformation as stored: without the keys sent with an empty value."""
    return pairs(taxes.as_dict(value))


class AccountOperations(Core):
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

    def op_AddAccount(self, request: Body) -> Body:  # noqa: N802 - the WSDL's operation name
        account = request.get("Account")
        if account is None:
            raise fault(203, "Account is null.")
        with self.store.transaction() as tx:
            parent = self._customer(tx, account.get("ParentCustomerId"))
            account = addresses.with_default_country(account, parent.body)
            raise_if(account_errors(account, creating=True, prefix="Account"))
            if parent.body.get("CustomerLifeCycleStatus") == "Inactive":
                raise fault(202, f"Customer {parent.id} is inactive.")
            user = self.current_user(tx)
            created = now()
            record = add_account(tx, account, parent.id, user, status="Draft", created=created)
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
        raise_if(account_errors(account, creating=False, prefix="Account"))
        with self.store.transaction() as tx:
            record = self._account(tx, account["Id"])
            check_stamp(record, account.get("TimeStamp"), "Account")
            if record.body.get("AccountLifeCycleStatus") == "Inactive":
                raise fault(2192, f"Account {record.id} is Inactive.")
            check_unique_name(tx.find(ACCOUNT, parent_id=record.parent_id), account.get("Name"), record.id)
            body = updates.merged(record.body, account, ACCOUNT_UPDATE_FIELDS, self.settings.update_semantics)
            raise_if(self._update_errors(record, account, body))
            body["BusinessAddress"] = addresses.stored(tx, body.get("BusinessAddress"))
            body.update(LastModifiedTime=now(), LastModifiedByUserId=self.current_user(tx).id)
            tx.put(Record(ACCOUNT, record.id, record.parent_id, body["Name"], record.number, 0, body))
            return {"LastModifiedTime": body["LastModifiedTime"]}

    def _update_errors(self, record: Record, sent: Body, result: Body) -> list[ErrorItem]:
        """What an update would do that the service refuses: the address and tax rules on update."""
        path = "Account.BusinessAddress"
        before, after = record.body.get("BusinessAddress"), result.get("BusinessAddress")
        found = addresses.change_errors(sent.get("BusinessAddress"), before, after, path, require_on_change=True)
        if is_invoice_account(record) and addresses.comparable(after) != addresses.comparable(before):
            found.append(
                ErrorItem(
                    1138,
                    f"Account {record.id} is billed by monthly invoice: its business address is read-only. "
                    "Contact your account manager or support to change it.",
                )
            )
        found += taxes.update_errors(
            sent.get("TaxInformation"),
            record.body.get("TaxInformation"),
            result.get("TaxInformation"),
            after,
            "Account.TaxInformation",
        )
        return found

    def op_DeleteAccount(self, request: Body) -> Body:  # noqa: N802
        """The account stays readable and searchable, with status Inactive (DeleteAccount docs)."""
        with self.store.transaction() as tx:
            record = self._account(tx, request.get("AccountId"))
            check_stamp(record, request.get("TimeStamp"), "Account")
            if record.body.get("AccountLifeCycleStatus") == "Inactive":
                raise fault(2192, f"Account {record.id} is already Inactive.")
            tx.put(with_body(record, AccountLifeCycleStatus="Inactive", LastModifiedTime=now()))
        return {}

    def op_GetAccountsInfo(self, request: Body) -> Body:  # noqa: N802
        """The customer's accounts; with ``--listing-delay``, new ones show only after that many seconds.

        getaccountsinfo.md: "newly created accounts may take up to five minutes to be returned".
        """
        shown_before = time.time() - self.settings.listing_delay
        with self.store.transaction() as tx:
            customer_id = request.get("CustomerId") or self.current_user(tx).parent_id
            customer = self._customer(tx, customer_id)
            accounts = tx.find(ACCOUNT, parent_id=customer.id)
        listed = [a for a in accounts if float(a.body.get(CREATED_AT) or 0) <= shown_before]
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
                    for a in listed
                ]
            }
        }

    def op_SearchAccounts(self, request: Body) -> Body:  # noqa: N802
        predicates = search.predicates(request, search.SEARCH_ACCOUNTS_PREDICATES, "SearchAccounts")
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
            page = search.found(tx, request, search.account_match(predicates), search.SEARCH_ACCOUNTS_PAGE_MAX)
            extra = request.get("ReturnAdditionalFields")
            return {"Accounts": {"AdvertiserAccount": [self._account_out(tx, a, extra) for a in page]}}

    # -- control plane helpers (not SOAP operations) ----------------------------------------------

    def set_account_status(self, account_id: int, status: str) -> Body:
        """Move an account to another life-cycle status, as billing review would (Draft -> Active)."""
        if status not in wsdl.enum_values("AccountLifeCycleStatus"):
            raise ValueError(f"status must be one of {wsdl.enum_values('AccountLifeCycleStatus')}")
        with self.store.transaction() as tx:
            record = self._account(tx, account_id)
            tx.put(with_body(record, AccountLifeCycleStatus=status, LastModifiedTime=now()))
        return {"AccountId": account_id, "AccountLifeCycleStatus": status}


def language_of(lcid: Any) -> str | None:
    """The LanguageType whose name starts the user's LCID (``EnglishUS`` -> ``English``)."""
    for language in sorted(wsdl.enum_values("LanguageType"), key=len, reverse=True):
        if str(lcid or "").startswith(language):
            return language
    return None
