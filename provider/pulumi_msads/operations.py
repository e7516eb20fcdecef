"""The service-side steps behind each resource operation, in the API's field names.

Read-modify-write with TimeStamps (updates are full overwrites, so every write starts from a fresh
read with the declared values applied over it and retries on TimestampNotMatch); creates that never
duplicate and never take over (a guard that stops at a same-named object, and after a lost answer
a search for exactly the object the request made, never a second request); adoption that only
manages what it was pointed at; and the deletion policies.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from . import fields, rules
from .client import ServiceClient, is_transient, outcome, retry_delay
from .errors import (
    AccountInDraftError,
    ApiError,
    CancelledError,
    ConfigurationError,
    CreateOutcomeUnknownError,
    DeletionPreventedError,
    IncompleteCreateError,
    InputError,
    MsadsError,
    NameTakenError,
    NotFoundError,
    TimestampMismatchError,
    TransportError,
    UnchangeableError,
)
from .fields import Props
from .models import AddressModel

log = logging.getLogger("pulumi_msads")

WRITE_ATTEMPTS = 3
"""Read-modify-write attempts before giving up on an object that keeps changing under us."""
RECOVERY_FIRST_PAUSE, RECOVERY_MAX_PAUSE = 0.5, 10.0
"""Seconds between looks for what a lost create made: doubling from the first to the most."""
INACTIVE = "Inactive"
T = TypeVar("T")


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
    incomplete: IncompleteCreateError | None = None
    """Why that step failed (``pending`` is not empty): a provider that can record a partial create says so."""


def _is_ambiguous(error: MsadsError) -> bool:
    """Might the failed create have happened? Throttling and refusals mean no; a lost answer, maybe."""
    if isinstance(error, TransportError):
        return error.ambiguous
    return isinstance(error, ApiError) and error.code in (0, 2208)


def _create_once(client: ServiceClient, what: str, attempt: Callable[[], T], recover: Callable[[MsadsError], T]) -> T:
    """Call a create, and never send it again once its answer may have been lost.

    A refusal that says the request did nothing and may pass later (throttling, 117; a refused
    connection) is retried with backoff. After a failure that leaves it open whether the request
    committed (HTTP 5xx, code 0 or 2208, a dropped connection, a timeout), ``recover`` finds out
    what it made; sending it again could make a second customer or account.
    """
    policy = client.config.retry
    retries = 0
    while True:
        try:
            return attempt()
        except (ApiError, TransportError) as error:
            if _is_ambiguous(error):
                return recover(error)
            if not is_transient(error) or retries >= policy.max_retries:
                raise
            retries += 1
            delay = retry_delay(policy, retries, error)
            log.debug("%s: %s; trying again in %.2fs (%d of %d)", what, error, delay, retries, policy.max_retries)
            client.pause(delay, f"{what} not retried")  # the refusal said it made nothing: stopping is safe


def _look_for_created(
    client: ServiceClient,
    what: str,
    lost: MsadsError,
    *,
    look: Callable[[], T | None],
    notes: Callable[[], str],
    guard: str,
) -> T:
    """What a create with a lost answer made, looked for until it could no longer commit.

    ``look`` returns the one object that is new (absent from the guard's snapshot) and matches every
    declared field, or None; a failing look counts as not found yet. After the recovery window
    (``msads:recoveryWait``) without it, the create fails with an error that says it may still
    appear and that ``guard`` (the next ``pulumi up``'s guard) will then stop at it.
    """
    window = client.config.recovery_window
    started, waited, pause = time.monotonic(), 0.0, RECOVERY_FIRST_PAUSE
    failure: MsadsError | None = None
    looks = 0
    cancelled = False
    while True:
        looks += 1
        try:
            found, failure = look(), None
        except (ApiError, TransportError) as error:
            found, failure = None, error
        except CancelledError:  # not a proof that nothing was made: the outcome stays unknown
            cancelled, found = True, None
            break
        if found is not None:
            log.warning("%s: the answer was lost (%s), but what it created was found; recording it", what, lost)
            return found
        wait = min(pause, window - max(time.monotonic() - started, waited))
        if wait <= 0:
            break
        log.debug("%s: not there yet (look %d); looking again in %.1fs", what, looks, wait)
        try:
            client.pause(wait, f"looking for what {what} made")
        except CancelledError:
            cancelled = True
            break
        waited += wait
        pause = min(pause * 2, RECOVERY_MAX_PAUSE)
    seen = notes()
    details = f"{f' (the last look failed: {failure})' if failure else ''}{f'; {seen}' if seen else ''}"
    searched = (
        f"The deployment was cancelled after {looks} look(s), before the time the request could take to commit "
        f"had passed{details}."
        if cancelled
        else f"Nothing matching the declaration turned up in {looks} look(s) over {window:.0f}s, the time the "
        f"request could still take to commit{details}."
    )
    raise CreateOutcomeUnknownError(
        f"{what}: the answer was lost ({lost}), so it may or may not have been created. {searched} "
        f"Nothing was recorded in the stack, and no second request was sent. It may still appear: the next "
        f"`pulumi up` will not create another while {guard}, and will name it so that it can be adopted "
        "(adopt_id). To wait longer here, raise msads:recoveryWait."
    )


def differing_props(
    api: tuple[fields.ApiField, ...], entity: Props, desired: Props, ignore: tuple[str, ...] = ()
) -> list[str]:
    """The declared properties whose live value differs from the declared one."""
    now = fields.from_api(api, entity)
    declared = [f.prop for f in api if f.prop in desired and f.prop not in ignore]
    return [p for p in declared if fields.normalize(now.get(p)) != fields.normalize(desired[p])]


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
        if not differing_props(api, current, desired):
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
            client.pause(client.config.retry.delay(attempt, throttled=False), f"{what}: read again")
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
        parents = aggregated_customers(client.current_user())
        if len(parents) != 1:
            found = f"aggregator of {', '.join(parents)}" if parents else "not an aggregator of any customer"
            raise ConfigurationError(
                f"no parent customer: the signed-in user is {found}; set parent_customer_id on the resource "
                "or msads:parentCustomerId"
            )
        client.cache["parent_customer_id"] = parents[0]
        return parents[0]


_PARENT_LOOKUP = threading.Lock()


def aggregated_customers(user: Props) -> list[str]:
    """The customers a GetUser answer makes the user an aggregator of (RoleId 33), by id."""
    ids = {str(r["CustomerId"]) for r in rules.aggregator_roles(user) if r.get("CustomerId")}
    return sorted(ids, key=int)


def _primary_account(accounts: list[Props], name: str, customer_id: str) -> str:
    """The adopted customer's account that the declaration names: never a guess.

    Picking "the only live account" when no name matches would rename and rewrite an account the
    user never pointed at; an Inactive one cannot be changed or reactivated through the API.
    """
    named = [a for a in accounts if str(a.get("Name", "")).casefold() == name.casefold()]
    live = [a for a in named if a.get("AccountLifeCycleStatus") != INACTIVE]
    if live:
        return str(live[0]["Id"])
    listing = ", ".join(f"{a['Id']} {a.get('Name')!r} ({a.get('AccountLifeCycleStatus')})" for a in accounts)
    if named:
        reason = (
            f"account {named[0]['Id']} {name!r} of customer {customer_id} is Inactive (deactivated): the API "
            "can neither change nor reactivate it, so it cannot be managed"
        )
    else:
        reason = (
            f"customer {customer_id} has no account named {name!r}, so which account is its primary one is "
            f"unknown; declare account.name as the name of one of its accounts: {listing or 'it has none'}"
        )
    raise InputError([("account.name", reason)])


def _only_live_account(accounts: list[Props], customer_id: str) -> str:
    """The primary account of a customer read by its id alone: its only live account, never a guess among more.

    That is a customer recorded before account ids were kept, or one named by ``pulumi import`` / ``.get()``;
    with several live accounts, the id must name the primary one (``customer_read_id``).
    """
    live = [a for a in accounts if a.get("AccountLifeCycleStatus") != INACTIVE]
    if not live:
        raise MsadsError(
            f"customer {customer_id} has no live account: every one is Inactive, which the API can "
            "neither change nor reactivate, so it cannot be managed"
        )
    if len(live) > 1:
        listing = ", ".join(f"{a['Id']} {a.get('Name')!r}" for a in live)
        raise MsadsError(
            f"customer {customer_id} has {len(live)} live accounts ({listing}) and nothing says which is its "
            f"primary one: import or read it as {customer_id}/<account id>, naming that account"
        )
    return str(live[0]["Id"])


def customer_read_id(id_: str) -> tuple[str, str | None]:
    """A customer's id as ``pulumi import`` and ``.get()`` may give it: ``<customer id>[/<primary account id>]``.

    The account part is how a user says which account is the primary one of a customer that has several; the
    resource's id stays the customer id.
    """
    customer_id, slash, account_id = id_.partition("/")
    if not customer_id.isdigit() or (slash and not account_id.isdigit()):
        raise InputError([("id", f"{id_!r} is not <customer id> or <customer id>/<primary account id> (digits)")])
    return customer_id, account_id or None


def _refuse_unmanageable_account(account: Props, account_id: str, customer_id: str, path: str, owner: str) -> None:
    """Refuse an account the user names by id (``adopt_id``, or an import id's primary account) that cannot be
    this resource's: one of another customer than ``owner`` (``customer_id``), or an Inactive one."""
    if str(account.get("ParentCustomerId")) != customer_id:
        reason = f"account {account_id} belongs to customer {account.get('ParentCustomerId')}, not to {owner}"
    elif account.get("AccountLifeCycleStatus") == INACTIVE:
        reason = f"account {account_id} is Inactive (deactivated): the API can neither change nor reactivate it"
    else:
        return
    raise InputError([(path, reason)])


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


def adopt_customer(client: ServiceClient, inputs: Props) -> CreatedCustomer:
    """Manage an existing customer: read it and the primary account it names, then converge the declared fields."""
    customer_id = str(inputs["adopt_id"])
    try:
        customer = client.get_customer(customer_id)
    except NotFoundError:
        raise InputError([("adopt_id", f"no customer {customer_id} exists for this user")]) from None
    account_inputs = inputs.get("account") or {}
    account_id = _primary_account(client.accounts_of(customer_id), account_inputs.get("name", ""), customer_id)
    account = client.get_account(account_id)
    _check_immutable(customer, fields.customer_fields(), inputs, f"customer {customer_id}")
    _check_immutable(account, fields.account_fields(), account_inputs, f"account {account_id}", "account.")
    try:
        customer = write_customer(client, customer_id, inputs, fresh=customer)
        account = write_account(client, account_id, account_inputs, fresh=account)
    except MsadsError as error:
        # Failing here would leave the stack without a customer that is now ours to manage. Record it
        # as it was read; the next up sees the differences and converges.
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


def last_changed(entity: Props) -> str | None:
    """An object's LastModifiedTime as text: for one an interrupted create made, when it was created (neither
    Customer nor AdvertiserAccount carries a creation time)."""
    modified = entity.get("LastModifiedTime")
    if modified is None:
        return None
    return modified.isoformat(timespec="seconds") if isinstance(modified, dt.datetime) else str(modified)


def _describe_customers(client: ServiceClient, ids: list[str]) -> str:
    """Ids with what tells them apart (number, status, last change), read only on the way to an error."""
    rows = []
    for customer_id in ids[:5]:
        found = outcome(partial(client.get_customer, customer_id))
        if isinstance(found, dict):
            rows.append(
                f"{customer_id} (number {found.get('Number')}, {found.get('CustomerLifeCycleStatus')}, last changed "
                f"{last_changed(found)})"
            )
        else:
            rows.append(customer_id)
    return ", ".join(rows) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _guard_customer_name(client: ServiceClient, inputs: Props) -> frozenset[str]:
    """The create guard: the ids of the customers named as declared, or a refusal if there are any.

    One GetCustomersInfo call. A second customer with the same name is almost always a mistake (an
    earlier `pulumi up` that signed it up and then failed or was killed, an entry put back after
    removal); ``allow_duplicate_name`` says it is not. The ids found are the snapshot that recovery
    compares against, so a namesake is never taken for the customer a lost answer made.
    """
    name = inputs["name"]
    ids = [str(info["Id"]) for info in client.customers_named(name)]
    if ids and not inputs.get("allow_duplicate_name"):
        raise NameTakenError(
            "name",
            f"a customer named {name!r} exists already: {_describe_customers(client, ids)}. Nothing was signed up. "
            f"If it is the one this resource should manage (for example one that an interrupted or failed "
            f"`pulumi up` signed up), set adopt_id: '{ids[0]}'; to sign up another customer with the same name "
            "anyway, set allow_duplicate_name: true",
            ids,
        )
    return frozenset(ids)


def _find_signed_up(
    client: ServiceClient, inputs: Props, known: frozenset[str], differing: dict[str, list[str]]
) -> CreatedCustomer | None:
    """The customer a SignupCustomer with a lost answer made: named as declared, absent from the
    guard's snapshot, and equal to the declaration in every field, its primary account included.

    None while there is no such customer (new namesakes that differ go into ``differing``); an error
    if several match, rather than a guess.
    """
    matches = []
    for info in client.customers_named(inputs["name"]):
        customer_id = str(info["Id"])
        if customer_id in known:
            continue
        customer = client.get_customer(customer_id)
        if customer.get("CustomerLifeCycleStatus") == INACTIVE:
            continue
        differs = differing_props(fields.customer_fields(), customer, inputs)
        account = None
        if not differs:
            declared = inputs["account"]
            named = client.accounts_named(customer_id, declared["name"])
            listed = [a for a in named if a.get("AccountLifeCycleStatus") != INACTIVE]
            if not listed:
                continue  # its account is not listed yet: look again
            differs = [f"account.{p}" for p in differing_props(fields.account_fields(), listed[0], declared)]
            account = listed[0]
        if differs:
            differing[customer_id] = differs
        else:
            matches.append((customer, account))
    if len(matches) > 1:
        ids = ", ".join(str(c["Id"]) for c, _ in matches)
        raise MsadsError(
            f"SignupCustomer's answer was lost and the new customers {ids} all match {inputs['name']!r}: "
            "nothing was recorded; set adopt_id to the one that is yours"
        )
    if not matches:
        return None
    customer, account = matches[0]
    assert account is not None
    numbers = customer.get("Number"), account.get("Number")
    return CreatedCustomer(str(customer["Id"]), str(account["Id"]), None, *numbers, None, customer, account)


def _differing_note(kind: str, differing: dict[str, list[str]]) -> str:
    return "; ".join(
        f"new {kind} {object_id} has the same name but differs in {', '.join(props)}: not ours, so left alone"
        for object_id, props in differing.items()
    )


def create_customer(client: ServiceClient, inputs: Props) -> CreatedCustomer:
    """Sign up a customer with its primary account, or adopt one.

    Two calls: the guard's GetCustomersInfo, then one SignupCustomer (sent again only after a refusal
    that says it did nothing, such as throttling; after a lost answer, recovery finds out instead).
    """
    if inputs.get("adopt_id"):
        return adopt_customer(client, inputs)
    parent = parent_customer(client, inputs.get("parent_customer_id"))
    known = _guard_customer_name(client, inputs)
    customer_body = fields.to_api(fields.customer_fields(), inputs)
    account_body = fields.to_api(fields.account_fields(), inputs["account"])
    what = f"SignupCustomer {inputs['name']!r}"
    differing: dict[str, list[str]] = {}

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

    def recover(lost: MsadsError) -> CreatedCustomer:
        return _look_for_created(
            client,
            what,
            lost,
            look=lambda: _find_signed_up(client, inputs, known, differing),
            notes=lambda: _differing_note("customer", differing),
            guard=f"a customer named {inputs['name']!r} exists",
        )

    created = _create_once(client, what, signup, recover)
    created.parent_customer_id = created.parent_customer_id or parent
    return created


def read_customer(
    client: ServiceClient, customer_id: str, account_id: Any, named: bool = False
) -> tuple[Props, Props] | None:
    """The customer and its primary account, read at the same time when the account id is known;
    None when the customer is gone (a deleted customer reads as Inactive). A refresh of many is served
    by bulk reads once they pay (``bulk_reads``); what a snapshot lacks is read here as ever. ``named``:
    the account id comes from an import id, not from the state, so it is checked to be the customer's."""
    found: Props | MsadsError
    account: Props | MsadsError
    bulk = client.reads.customer(client, customer_id, str(account_id)) if account_id is not None else None
    if bulk is not None:
        found, account = bulk
    elif account_id is None:
        found = outcome(lambda: client.get_customer(customer_id))
        if isinstance(found, dict):
            account_id = _only_live_account(client.accounts_of(customer_id), customer_id)
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
    if named:
        if isinstance(account, MsadsError):
            raise account
        _refuse_unmanageable_account(account, str(account_id), customer_id, "id", f"customer {customer_id}")
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


# -- deletion policies ---------------------------------------------------------------------------------------

PREVENT, ABANDON, DEACTIVATE = "prevent", "abandon", "deactivate"


def deletion_policy(props: Props) -> str:
    """The policy a resource was last deployed with: 'prevent' unless it said otherwise."""
    return str(props.get("deletion_policy") or PREVENT)


def _opt_in(what: str, effect: str) -> str:
    return (
        f"To remove it anyway, set deletion_policy on the resource (in accounts.yaml: on its entry) and run "
        f"`pulumi up` first: 'abandon' drops it from the stack and leaves {what} as it is in Microsoft Advertising; "
        f"'deactivate' {effect}, which cannot be undone (an Inactive account can be neither changed nor reactivated)"
    )


def refuse_replacement(props: Props, what: str, replaced: list[str], effect: str) -> None:
    """A replacement deletes the old object: under 'prevent' it fails the preview (``diff``) instead."""
    if replaced and deletion_policy(props) == PREVENT:
        raise DeletionPreventedError(
            f"{what}: changing {', '.join(replaced)} needs a new one, because the API cannot change "
            f"{'it' if len(replaced) == 1 else 'them'} after creation, and the old one would then be deleted, which "
            f"its deletion_policy 'prevent' (the default) forbids. Declare the live value again to keep it as it is; "
            f"or to replace it, {_opt_in(what, effect).removeprefix('To remove it anyway, ')}, then make the change"
        )


def refuse_unchangeable(olds: Props, news: Props, what: str, owner: Any) -> None:
    """Fail the preview (``diff``) for a change the API cannot make to an existing account.

    ``olds`` are the account's last known outputs (with ``bill_to_customer_id``), ``news`` its
    declared inputs, ``owner`` the id of the customer that owns it. Two such changes: the business
    address of an account billed by monthly invoice (advertiseraccount.md #businessaddress, error
    1138), and the TaxInformation keys marked "Update: Read-only" (#taxinformation).
    """
    problems = []
    bill_to = olds.get("bill_to_customer_id")
    address = news.get("business_address")
    if (
        address is not None
        and bill_to is not None
        and str(bill_to) != str(owner)
        and fields.normalize(address) != fields.normalize(olds.get("business_address"))
    ):
        problems.append(
            f"its business_address cannot change: it is billed by monthly invoice (to customer {bill_to}), and the "
            "API makes an invoice account's business address read-only (error 1138). Declare the live address "
            f"again ({_address_text(olds.get('business_address'))}); to change it, ask your Microsoft Advertising "
            "account manager or support, then declare the new address once it is live"
        )
    if "tax_information" in news:
        before, after = olds.get("tax_information") or {}, fields.normalize(news.get("tax_information") or {})
        for key in rules.read_only_tax_changes(before, after):
            live = f"the live value {before[key]!r}" if key in before else "no value"
            problems.append(
                f"tax_information.{key} cannot be added, changed or removed once the account exists (the API makes "
                f"it read-only on update). Declare {live} again; to change it, ask Microsoft Advertising support"
            )
    if problems:
        raise UnchangeableError(f"{what}: " + "; ".join(problems) + ".")


def _address_text(address: Any) -> str:
    if not isinstance(address, dict):
        return "none"
    order = list(AddressModel.model_fields)  # as people write an address: name, street lines, city, ...
    return ", ".join(f"{k}: {address[k]}" for k in sorted(address, key=lambda k: order.index(k) if k in order else 99))


def _removal_allowed(props: Props, what: str, effect: str) -> bool:
    """True to deactivate; False (with a warning) to abandon; raises under 'prevent'."""
    policy = deletion_policy(props)
    if policy == DEACTIVATE:
        return True
    if policy == ABANDON:
        log.warning(
            "%s left the stack; by its deletion_policy 'abandon' it was left as it is in Microsoft Advertising", what
        )
        return False
    raise DeletionPreventedError(
        f"{what} was not deleted: its deletion_policy is 'prevent' (the default), and the resource stays in the "
        f"stack. If it was removed from the program by mistake, put it back. {_opt_in(what, effect)}. "
        "Or, to leave it without a deployment, `pulumi state delete` its URN."
    )


def delete_customer(connect: Callable[[], ServiceClient], customer_id: str, props: Props) -> None:
    """Remove a Customer by its deletion policy; 'deactivate' deactivates its primary account only.

    The customer record always stays (DeleteCustomer is reserved to Microsoft staff), and accounts
    of the customer that the resource does not manage (an adopted customer's others, Account
    resources of their own) are never touched. No call at all for 'prevent' and 'abandon'.
    """
    account_id = str(props.get("account_id") or "")
    what = f"customer {customer_id} (primary account {account_id})"
    if not _removal_allowed(props, what, f"deactivates account {account_id} with DeleteAccount"):
        return
    delete_account(connect(), account_id)
    log.warning(
        "customer %s: its primary account %s was deactivated (deletion_policy 'deactivate'); the customer record "
        "remains, because only Microsoft staff can delete customers, and its other accounts were not touched",
        customer_id,
        account_id,
    )


# -- accounts --------------------------------------------------------------------------------------------


def adopt_account(client: ServiceClient, inputs: Props) -> CreatedAccount:
    account_id = str(inputs["adopt_id"])
    try:
        account = client.get_account(account_id)
    except NotFoundError:
        raise InputError([("adopt_id", f"no account {account_id} exists for this user")]) from None
    customer_id = str(inputs["customer_id"])
    _refuse_unmanageable_account(account, account_id, customer_id, "adopt_id", f"customer_id {customer_id}")
    _check_immutable(account, fields.account_fields(), inputs, f"account {account_id}")
    account = write_account(client, account_id, inputs, fresh=account)
    return CreatedAccount(account_id, account.get("Number"), None, account)


NOT_SET_BY_ADD_ACCOUNT = ("language",)
"""Declared properties AddAccount ignores: a separate update sets them after the account exists."""


def _guard_account_name(client: ServiceClient, customer_id: str, name: str) -> frozenset[str]:
    """The create guard for accounts: the ids of the customer's accounts with this name, or a refusal
    if one of them is live. One SearchAccounts call (GetAccountsInfo may not list an account for
    five minutes after it was added). Names are unique within a customer, so the service would refuse
    a second one; an account this stack did not create is never taken over without ``adopt_id``."""
    same = client.accounts_named(customer_id, name)
    live = [a for a in same if a.get("AccountLifeCycleStatus") != INACTIVE]
    if live:
        ids = [str(a["Id"]) for a in live]
        listing = ", ".join(f"{a['Id']} (number {a.get('Number')}, {a.get('AccountLifeCycleStatus')})" for a in live)
        raise NameTakenError(
            "name",
            f"customer {customer_id} already has an account named {name!r}: {listing}. Nothing was added, and account "
            f"names are unique within a customer. If it is the one this resource should manage (for example one that "
            f"an interrupted or failed `pulumi up` added), set adopt_id: '{ids[0]}'; otherwise choose another name",
            ids,
        )
    return frozenset(str(a["Id"]) for a in same)


def _find_added(
    client: ServiceClient, customer_id: str, inputs: Props, known: frozenset[str], differing: dict[str, list[str]]
) -> CreatedAccount | None:
    """The account an AddAccount with a lost answer made: named as declared, absent from the guard's
    snapshot, and equal to the declaration in every field AddAccount sets."""
    for account in client.accounts_named(customer_id, inputs["name"]):
        account_id = str(account["Id"])
        if account_id in known or account.get("AccountLifeCycleStatus") == INACTIVE:
            continue
        differs = differing_props(fields.account_fields(), account, inputs, ignore=NOT_SET_BY_ADD_ACCOUNT)
        if differs:
            differing[account_id] = differs
            continue
        return CreatedAccount(account_id, account.get("Number"), None, account)  # names are unique: the only one
    return None


def create_account(client: ServiceClient, inputs: Props) -> CreatedAccount:
    """AddAccount under the customer, after the guard's SearchAccounts; Language, which AddAccount
    ignores, follows with one update."""
    if inputs.get("adopt_id"):
        return adopt_account(client, inputs)
    customer_id = str(inputs["customer_id"])
    known = _guard_account_name(client, customer_id, inputs["name"])
    body = fields.to_api(fields.account_fields(), {k: v for k, v in inputs.items() if k not in NOT_SET_BY_ADD_ACCOUNT})
    body["ParentCustomerId"] = int(customer_id)
    what = f"AddAccount {inputs['name']!r}"
    differing: dict[str, list[str]] = {}

    def add() -> CreatedAccount:
        try:
            r = client.add_account(body)
        except ApiError as error:
            if is_transient(error) or type(error) is not ApiError:  # throttled, auth, not found...: not the rule
                raise
            raise _draft_sibling(client, customer_id, inputs["name"], error) or error from None
        return CreatedAccount(str(r["AccountId"]), r.get("AccountNumber"), r.get("CreateTime"))

    def recover(lost: MsadsError) -> CreatedAccount:
        return _look_for_created(
            client,
            what,
            lost,
            look=lambda: _find_added(client, customer_id, inputs, known, differing),
            notes=lambda: _differing_note("account", differing),
            guard=f"customer {customer_id} has an account named {inputs['name']!r}",
        )

    created = _create_once(client, what, add, recover)
    unset = [p for p in NOT_SET_BY_ADD_ACCOUNT if p in inputs]
    if created.account is not None:
        unset = differing_props(fields.account_fields(), created.account, {p: inputs[p] for p in unset})
    if unset:
        try:
            created.account = write_account(client, created.account_id, inputs, fresh=created.account)
        except MsadsError as error:
            # The account exists: fail now and the stack would not know it (the guard would then stop
            # the next up at it). Record it without these instead; the next up sees the difference.
            log.warning(
                "account %s %r was added, but setting %s failed: %s. It is recorded without it; "
                "the next `pulumi up` sets it.",
                created.account_id,
                inputs["name"],
                ", ".join(unset),
                error,
            )
            created.pending = tuple(unset)
            created.incomplete = IncompleteCreateError(f"account {created.account_id} {inputs['name']!r}", unset, error)
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
    account = client.reads.account(client, account_id)
    try:
        account = account or client.get_account(account_id)
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


def remove_account(connect: Callable[[], ServiceClient], account_id: str, props: Props) -> None:
    """Remove an Account by its deletion policy: 'deactivate' is DeleteAccount; no call otherwise."""
    if _removal_allowed(props, f"account {account_id}", "deactivates it with DeleteAccount"):
        delete_account(connect(), account_id)
