"""The service-side steps behind each resource operation, in the API's field names.

Read-modify-write with TimeStamps (updates are full overwrites, so every write starts from a fresh
read with the declared values applied over it and retries on TimestampNotMatch), recovery after
an ambiguous create (look for what may have been created before trying again, so a lost answer
never makes a duplicate), adoption of existing objects, and the DeleteCustomer fallback.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import client as client_module
from . import fields
from .client import ServiceClient, is_transient, outcome, retry_delay
from .errors import (
    AccountInDraftError,
    ApiError,
    ConfigurationError,
    InputError,
    MsadsError,
    NotFoundError,
    PermissionDeniedError,
    TimestampMismatchError,
    TransportError,
)
from .fields import Props

log = logging.getLogger("pulumi_msads")

WRITE_ATTEMPTS = 3
"""Read-modify-write attempts before giving up on an object that keeps changing under us."""
RECOVERY_WINDOW = dt.timedelta(minutes=15)
"""How far back (clock skew included) a found customer may have been written to count as ours."""
AGGREGATOR_ROLE_ID = 33
INACTIVE = "Inactive"


@dataclass
class CreatedCustomer:
    customer_id: str
    account_id: str
    parent_customer_id: str | None
    customer_number: str | None = None
    account_number: str | None = None
    create_time: Any = None
    customer: Props | None = None
    """The whole customer, when creation read it (adoption, recovery); None after a plain signup."""
    account: Props | None = None


@dataclass
class CreatedAccount:
    account_id: str
    account_number: str | None = None
    create_time: Any = None
    account: Props | None = None
    pending: tuple[str, ...] = ()
    """Declared properties a step after AddAccount failed to set: the account exists without them."""


def _is_ambiguous(error: MsadsError) -> bool:
    """Might the failed create have happened? Throttling and refusals mean no; a lost answer, maybe."""
    if isinstance(error, TransportError):
        return error.ambiguous
    return isinstance(error, ApiError) and error.code in (0, 2208)


def _retry_create(client: ServiceClient, what: str, attempt: Callable[[], Any], recover: Callable[[], Any]) -> Any:
    """Call a create; after a transient failure, recover what it may have made, else call it again.

    ``recover`` returns the created object or None; it runs only when the failure was ambiguous.
    """
    policy = client.config.retry
    retries = 0
    while True:
        try:
            return attempt()
        except (ApiError, TransportError) as error:
            if not is_transient(error) or retries >= policy.max_retries:
                raise
            if _is_ambiguous(error):
                found = recover()
                if found is None and isinstance(error, TransportError) and error.timed_out:
                    # The service may still be working on the request we gave up on: give it as long
                    # again as we waited before looking a second time, or a retry could duplicate it.
                    log.debug(
                        "%s: timed out; waiting %.0fs before looking for what it created", what, client.config.timeout
                    )
                    client_module.sleep(client.config.timeout)
                    found = recover()
                if found is not None:
                    log.warning(
                        "%s: the service's answer was lost (%s) but the object exists; adopting it", what, error
                    )
                    return found
            retries += 1
            delay = retry_delay(policy, retries, error)
            log.debug("%s: %s; trying again in %.2fs (%d of %d)", what, error, delay, retries, policy.max_retries)
            client_module.sleep(delay)


# -- writes ----------------------------------------------------------------------------------------------


def _write(
    client: ServiceClient,
    get: Callable[[], Props],
    update: Callable[[Props], Props],
    api: tuple[fields.ApiField, ...],
    desired: Props,
    *,
    what: str,
    fresh: Props | None = None,
) -> Props:
    """Apply the declared values to the object, reading it first for its TimeStamp.

    Starts from ``fresh`` when the caller has just read the object. Writes nothing when the object
    already has the declared values (a retried write may have landed). Returns the object as written.
    """
    declared = {f.prop: desired[f.prop] for f in api if f.prop in desired}
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        current = fresh if fresh is not None else get()
        fresh = None
        now = fields.from_api(api, current)
        if all(fields.normalize(now.get(k)) == fields.normalize(v) for k, v in declared.items()):
            return current
        body = fields.apply(api, current, declared)
        try:
            result = update(body)
        except TimestampMismatchError as error:
            if attempt == WRITE_ATTEMPTS:
                raise MsadsError(
                    f"{what} kept changing while it was being updated: TimestampNotMatch (209) "
                    f"{WRITE_ATTEMPTS} times in a row [TrackingId: {error.tracking_id}]. Someone else is writing "
                    "it right now; run the update again when they are done."
                ) from error
            log.debug("%s: TimeStamp changed since the read (attempt %d); reading again", what, attempt)
            # A short jittered pause before reading again, so two writers do not keep colliding.
            client_module.sleep(client.config.retry.delay(attempt, throttled=False))
            continue
        return {**body, "LastModifiedTime": result.get("LastModifiedTime"), "TimeStamp": None}
    raise AssertionError("unreachable")


def write_customer(client: ServiceClient, customer_id: str, desired: Props, fresh: Props | None = None) -> Props:
    return _write(
        client,
        lambda: client.get_customer(customer_id),
        client.update_customer,
        fields.customer_fields(),
        desired,
        what=f"customer {customer_id}",
        fresh=fresh,
    )


def write_account(client: ServiceClient, account_id: str, desired: Props, fresh: Props | None = None) -> Props:
    return _write(
        client,
        lambda: client.get_account(account_id),
        client.update_account,
        fields.account_fields(),
        desired,
        what=f"account {account_id}",
        fresh=fresh,
    )


def write_customer_and_account(
    client: ServiceClient,
    customer_id: str | None,
    customer: Props,
    account_id: str | None,
    account: Props,
) -> tuple[Props | None, Props | None]:
    """Write the customer and/or its account (None: leave it alone), both at once when both changed."""
    if customer_id is None or account_id is None:
        return (
            write_customer(client, customer_id, customer) if customer_id is not None else None,
            write_account(client, account_id, account) if account_id is not None else None,
        )
    written, written_account = client.together(
        lambda: write_customer(client, customer_id, customer), lambda: write_account(client, account_id, account)
    )
    for result in (written, written_account):
        if isinstance(result, MsadsError):
            raise result
    return written, written_account  # type: ignore[return-value]


# -- customers -------------------------------------------------------------------------------------------


def parent_customer(client: ServiceClient, declared: str | None) -> str:
    """The aggregator customer to sign up under: declared, configured, else the caller's only one."""
    if declared:
        return declared
    if client.config.parent_customer_id:
        return client.config.parent_customer_id
    # One GetUser per process: the engine creates up to four customers at once, and the others wait
    # for the first one's answer rather than each asking.
    with _PARENT_LOOKUP:
        cached = client.cache.get("parent_customer_id")
        if cached:
            return str(cached)
        roles = (client.current_user().get("CustomerRoles") or {}).get("CustomerRole") or []
        parents = sorted({str(r["CustomerId"]) for r in roles if r.get("RoleId") == AGGREGATOR_ROLE_ID})
        if len(parents) != 1:
            found = f"aggregator of {', '.join(parents)}" if parents else "not an aggregator of any customer"
            raise ConfigurationError(
                f"no parent customer: the signed-in user is {found}; set parent_customer_id on the resource "
                "or msads:parentCustomerId"
            )
        client.cache["parent_customer_id"] = parents[0]
        return parents[0]


_PARENT_LOOKUP = threading.Lock()


def _choose_account(accounts: list[Props], name: str | None, customer_id: str) -> str:
    named = [a for a in accounts if name and str(a.get("Name", "")).casefold() == name.casefold()]
    live = [a for a in accounts if a.get("AccountLifeCycleStatus") != INACTIVE]
    chosen = named or (live if len(live) == 1 else [])
    if not chosen:
        listing = ", ".join(f"{a['Id']} {a.get('Name')!r}" for a in accounts) or "none"
        raise InputError(
            [("account.name", f"customer {customer_id} has no account named {name!r}; its accounts: {listing}")]
        )
    return str(chosen[0]["Id"])


def _check_immutable(
    entity: Props, api: tuple[fields.ApiField, ...], desired: Props, what: str, prefix: str = ""
) -> None:
    current = fields.from_api(api, entity)
    failures = [
        (prefix + f.prop, f"{what} has {current.get(f.prop)!r}, which cannot be changed; declare that value")
        for f in api
        if f.replace and f.prop in desired and current.get(f.prop) not in (None, desired[f.prop])
    ]
    if failures:
        raise InputError(failures)


def adopt_customer(client: ServiceClient, inputs: Props, customer: Props | None = None) -> CreatedCustomer:
    """Manage an existing customer: read it and its primary account, then converge the declared fields."""
    customer_id = str(inputs.get("adopt_id") or (customer or {}).get("Id"))
    if customer is None:
        try:
            customer = client.get_customer(customer_id)
        except NotFoundError:
            raise InputError([("adopt_id", f"no customer {customer_id} exists for this user")]) from None
    account_inputs = inputs.get("account") or {}
    account_id = _choose_account(client.accounts_of(customer_id), account_inputs.get("name"), customer_id)
    account = client.get_account(account_id)
    _check_immutable(customer, fields.customer_fields(), inputs, f"customer {customer_id}")
    _check_immutable(account, fields.account_fields(), account_inputs, f"account {account_id}", "account.")
    try:
        customer = write_customer(client, customer_id, inputs, fresh=customer)
        account = write_account(client, account_id, account_inputs, fresh=account)
    except MsadsError as error:
        # Failing here would leave the stack without a customer that is now ours to manage (and after a
        # lost signup, the next up would sign up another). Record it as it was read; the next up converges.
        log.warning(
            "customer %s is now managed by this stack, but applying the declared values failed: %s. "
            "It is recorded as it was; the next `pulumi up` applies them.",
            customer_id,
            error,
        )
    parent = inputs.get("parent_customer_id") or client.config.parent_customer_id
    return CreatedCustomer(
        customer_id, account_id, parent, customer.get("Number"), account.get("Number"), None, customer, account
    )


def _find_signed_up(client: ServiceClient, inputs: Props, since: dt.datetime) -> CreatedCustomer | None:
    """The customer a lost SignupCustomer answer may have created: same name, market and industry,
    written since the attempt began; none if there is no such customer, an error if several."""
    candidates = []
    for customer in client.customers_named(inputs["name"]):
        modified = customer.get("LastModifiedTime")
        if (
            customer.get("MarketCountry") == inputs["market_country"]
            and customer.get("MarketLanguage") == inputs["market_language"]
            and customer.get("Industry") == inputs["industry"]
            and customer.get("CustomerLifeCycleStatus") != INACTIVE
            and isinstance(modified, dt.datetime)
            and modified >= since - RECOVERY_WINDOW
        ):
            candidates.append(customer)
    if not candidates:
        return None
    if len(candidates) > 1:
        ids = ", ".join(str(c["Id"]) for c in candidates)
        raise MsadsError(
            f"SignupCustomer's answer was lost and customers {ids} all match {inputs['name']!r}: "
            "set adopt_id to the one that is yours"
        )
    return adopt_customer(client, inputs, candidates[0])


def create_customer(client: ServiceClient, inputs: Props) -> CreatedCustomer:
    """Sign up a customer with its primary account: one SignupCustomer call, or adopt one."""
    if inputs.get("adopt_id"):
        return adopt_customer(client, inputs)
    parent = parent_customer(client, inputs.get("parent_customer_id"))
    customer_body = fields.to_api(fields.customer_fields(), inputs)
    account_body = fields.to_api(fields.account_fields(), inputs["account"])
    since = dt.datetime.now(dt.UTC)

    def signup() -> CreatedCustomer:
        r = client.signup_customer(customer_body, account_body, parent)
        return CreatedCustomer(
            str(r["CustomerId"]),
            str(r["AccountId"]),
            parent,
            r.get("CustomerNumber"),
            r.get("AccountNumber"),
            r.get("CreateTime"),
        )

    created: CreatedCustomer = _retry_create(
        client, f"SignupCustomer {inputs['name']!r}", signup, lambda: _find_signed_up(client, inputs, since)
    )
    created.parent_customer_id = created.parent_customer_id or parent
    return created


def read_customer(client: ServiceClient, customer_id: str, account_id: Any) -> tuple[Props, Props] | None:
    """The customer and its primary account, read at the same time when the account id is known;
    None when the customer is gone (a deleted customer reads as Inactive)."""
    found: Props | MsadsError
    account: Props | MsadsError
    if account_id is None:
        found = outcome(lambda: client.get_customer(customer_id))
        if isinstance(found, dict):
            account_id = _choose_account(client.accounts_of(customer_id), None, customer_id)
            account = outcome(lambda: client.get_account(str(account_id)))
    else:
        found, account = client.together(
            lambda: client.get_customer(customer_id), lambda: client.get_account(str(account_id))
        )
    if isinstance(found, NotFoundError):
        return None
    if isinstance(found, MsadsError):
        raise found
    if found.get("CustomerLifeCycleStatus") == INACTIVE:
        return None
    if isinstance(account, NotFoundError):
        account = {"Id": account_id}
    elif isinstance(account, MsadsError):
        raise account
    return found, account


def _delete(get: Callable[[], Props], delete: Callable[[bytes], None], status_field: str) -> None:
    """Delete with a fresh TimeStamp, reading again after a race; already gone or Inactive counts as deleted.

    Any other refusal (PermissionDeniedError above all) is the caller's to handle.
    """
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            fresh = get()
        except NotFoundError:
            return
        if fresh.get(status_field) == INACTIVE:
            return
        try:
            delete(fresh["TimeStamp"])
            return
        except NotFoundError:
            return
        except TimestampMismatchError:
            if attempt == WRITE_ATTEMPTS:
                raise
        except ApiError as error:
            if error.has_code(2192):  # "not in a status that allows it": someone deactivated it just now
                return
            raise


def delete_customer(client: ServiceClient, customer_id: str) -> None:
    """DeleteCustomer; where the service refuses it (it is reserved to Microsoft staff), deactivate the
    customer's accounts instead and say that the customer record remains."""
    if not client.cache.get("delete_customer_refused"):
        try:
            _delete(
                lambda: client.get_customer(customer_id),
                lambda stamp: client.delete_customer(customer_id, stamp),
                "CustomerLifeCycleStatus",
            )
            return
        except PermissionDeniedError:
            # The refusal is about the caller's role, not this customer: don't ask again in this process.
            client.cache["delete_customer_refused"] = True
    accounts = [a for a in client.accounts_of(customer_id) if a.get("AccountLifeCycleStatus") != INACTIVE]
    for account in accounts:
        delete_account(client, str(account["Id"]))
    log.warning(
        "customer %s: DeleteCustomer is reserved to Microsoft staff, so the customer record remains; "
        "%d account(s) of it were deactivated (DeleteAccount) instead: %s",
        customer_id,
        len(accounts),
        ", ".join(str(a["Id"]) for a in accounts) or "none were active",
    )


# -- accounts --------------------------------------------------------------------------------------------


def adopt_account(client: ServiceClient, inputs: Props, account: Props | None = None) -> CreatedAccount:
    account_id = str(inputs.get("adopt_id") or (account or {}).get("Id"))
    if account is None:
        try:
            account = client.get_account(account_id)
        except NotFoundError:
            raise InputError([("adopt_id", f"no account {account_id} exists for this user")]) from None
    if str(account.get("ParentCustomerId")) != str(inputs["customer_id"]):
        raise InputError(
            [
                (
                    "adopt_id",
                    f"account {account_id} belongs to customer {account.get('ParentCustomerId')}, "
                    f"not to customer_id {inputs['customer_id']}",
                )
            ]
        )
    _check_immutable(account, fields.account_fields(), inputs, f"account {account_id}")
    account = write_account(client, account_id, inputs, fresh=account)
    return CreatedAccount(account_id, account.get("Number"), None, account)


def create_account(client: ServiceClient, inputs: Props) -> CreatedAccount:
    """AddAccount under the customer; Language, which AddAccount ignores, follows with one update."""
    if inputs.get("adopt_id"):
        return adopt_account(client, inputs)
    customer_id = str(inputs["customer_id"])
    body = fields.to_api(fields.account_fields(), {k: v for k, v in inputs.items() if k != "language"})
    body["ParentCustomerId"] = int(customer_id)

    def add() -> CreatedAccount:
        try:
            r = client.add_account(body)
        except ApiError as error:
            if is_transient(error) or type(error) is not ApiError:  # throttled, auth, not found...: not the rule
                raise
            raise _draft_sibling(client, customer_id, inputs["name"], error) or error from None
        return CreatedAccount(str(r["AccountId"]), r.get("AccountNumber"), r.get("CreateTime"))

    def recover() -> CreatedAccount | None:
        live = [
            a for a in client.accounts_named(customer_id, inputs["name"]) if a.get("AccountLifeCycleStatus") != INACTIVE
        ]
        return adopt_account(client, inputs, live[0]) if live else None

    created: CreatedAccount = _retry_create(client, f"AddAccount {inputs['name']!r}", add, recover)
    if "language" in inputs and created.account is None:
        try:
            created.account = write_account(client, created.account_id, inputs)
        except MsadsError as error:
            # The account exists: fail now and the stack would not know it, and the next up would add
            # another. Record it without its language instead; the next up sees the difference and sets it.
            log.warning(
                "account %s %r was added, but setting its language failed: %s. It is recorded without it; "
                "the next `pulumi up` sets the language.",
                created.account_id,
                inputs["name"],
                error,
            )
            created.pending = ("language",)
    return created


DRAFT = "Draft"


def _draft_sibling(client: ServiceClient, customer_id: str, name: str, error: ApiError) -> AccountInDraftError | None:
    """Why AddAccount refused, when the reason is the rule that a customer takes no new account
    while one of its accounts is in Draft: one read, made only after a refusal; None otherwise."""
    accounts = outcome(lambda: client.accounts_of(customer_id))
    if not isinstance(accounts, list):
        return None
    drafts = [f"{a['Id']} {a.get('Name')!r}" for a in accounts if a.get("AccountLifeCycleStatus") == DRAFT]
    return AccountInDraftError(error, name, customer_id, drafts) if drafts else None


def read_account(client: ServiceClient, account_id: str) -> Props | None:
    """The account; None when it is gone (a deleted account reads as Inactive)."""
    try:
        account = client.get_account(account_id)
    except NotFoundError:
        return None
    return None if account.get("AccountLifeCycleStatus") == INACTIVE else account


def delete_account(client: ServiceClient, account_id: str) -> None:
    """DeleteAccount with a fresh TimeStamp; an account already gone or Inactive counts as deleted."""
    _delete(
        lambda: client.get_account(account_id),
        lambda stamp: client.delete_account(account_id, stamp),
        "AccountLifeCycleStatus",
    )
