"""What an interrupted deployment left half done, and which live objects its creates made.

A `pulumi up` killed while a SignupCustomer or AddAccount was in flight leaves a *pending create*
in the stack's checkpoint: the engine does not know whether the object exists. The next `pulumi up`
drops those records (non-interactively) and the create guard then refuses to sign anybody up
twice, naming the live namesake. This module answers the question before that: for each pending
create of ours, the live objects with the declared name that the stack does not manage, how they
differ from the declaration, and the ``adopt_id`` that brings one under management. It never
chooses between two candidates: where more than one could be the create's, it lists them and the
user picks (a namesake that predates the deployment would otherwise be taken over).

Reads only: GetCustomersInfo, GetCustomer and SearchAccounts per pending customer, SearchAccounts
per pending account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import fields
from .client import ServiceClient
from .operations import INACTIVE, differing_props, last_changed

CUSTOMER, ACCOUNT = "Customer", "Account"
OPERATIONS = {
    "creating": "was being created",
    "updating": "was being updated",
    "deleting": "was being deleted",
    "reading": "was being read",
    "importing": "was being imported",
}
"""The engine's pending operation types, as a sentence says them."""


@dataclass(frozen=True)
class PendingOperation:
    """One operation the checkpoint records as started and never finished, on one of our resources."""

    urn: str
    kind: str
    """``Customer`` or ``Account``."""
    operation: str
    """The engine's word: ``creating``, ``updating``, ``deleting``..."""
    inputs: dict[str, Any]

    @property
    def name(self) -> str:
        """The logical name (the URN's last part): the GitOps key, ``<customer key>/<account key>`` for accounts."""
        return self.urn.rsplit("::", 1)[-1]

    @property
    def declared_name(self) -> str:
        return str(self.inputs.get("name", ""))


@dataclass(frozen=True)
class Candidate:
    """A live object with the declared name that the stack does not manage."""

    object_id: str
    number: str | None
    status: str | None
    last_changed: str | None
    """When it was last changed: for an object the interrupted run made, when it was created
    (neither Customer nor AdvertiserAccount carries a creation time)."""
    differs: tuple[str, ...]
    """The declared properties whose live value differs: what adopting it would write."""
    account: str | None = None
    """For a customer, its account with the declared primary account's name (id and number)."""
    blocked: str | None = None
    """Why adopting it would fail, if it would (adoption needs the declared primary account)."""

    @property
    def adoptable(self) -> bool:
        return self.status != INACTIVE and self.blocked is None


@dataclass(frozen=True)
class Finding:
    pending: PendingOperation
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def adopt_id(self) -> str | None:
        """The id to adopt, when exactly one live, adoptable object can be the create's; else None."""
        usable = [c for c in self.candidates if c.adoptable]
        return usable[0].object_id if self.pending.operation == "creating" and len(usable) == 1 else None


def pending_operations(checkpoint: dict[str, Any]) -> list[PendingOperation]:
    """Our resources' pending operations in a `pulumi stack export` document, in checkpoint order."""
    deployment = checkpoint.get("deployment", checkpoint)
    found = []
    for entry in deployment.get("pending_operations") or []:
        resource = entry.get("resource") or {}
        kind = _our_kind(str(resource.get("type", "")))
        if kind:
            inputs = resource.get("inputs") or {}
            found.append(PendingOperation(str(resource["urn"]), kind, str(entry.get("type")), inputs))
    return found


def managed_ids(checkpoint: dict[str, Any]) -> frozenset[str]:
    """Ids of every customer and account the stack records: those are never a pending create's."""
    deployment = checkpoint.get("deployment", checkpoint)
    ids: set[str] = set()
    for resource in deployment.get("resources") or []:
        if _our_kind(str(resource.get("type", ""))):
            outputs = resource.get("outputs") or {}
            ids.update(str(v) for v in (resource.get("id"), outputs.get("customer_id"), outputs.get("account_id")) if v)
    return frozenset(ids)


def find(client: ServiceClient, checkpoint: dict[str, Any]) -> list[Finding]:
    """Every pending operation of ours, with the live candidates of each pending create."""
    managed = managed_ids(checkpoint)
    findings = []
    for pending in pending_operations(checkpoint):
        if pending.operation != "creating":
            findings.append(Finding(pending))
        elif pending.kind == CUSTOMER:
            findings.append(Finding(pending, tuple(_customer_candidates(client, pending.inputs, managed))))
        else:
            findings.append(Finding(pending, tuple(_account_candidates(client, pending.inputs, managed))))
    return findings


def _customer_candidates(client: ServiceClient, inputs: dict[str, Any], managed: frozenset[str]) -> list[Candidate]:
    found = []
    for info in client.customers_named(str(inputs.get("name", ""))):
        customer_id = str(info["Id"])
        if customer_id in managed:
            continue
        customer = client.get_customer(customer_id)
        differs = differing_props(fields.customer_fields(), customer, inputs)
        declared = inputs.get("account") or {}
        named = client.accounts_named(customer_id, str(declared.get("name", "")))
        live = [a for a in named if a.get("AccountLifeCycleStatus") != INACTIVE]
        account = blocked = None
        if live:
            differs += [f"account.{p}" for p in differing_props(fields.account_fields(), live[0], declared)]
            account = f"{live[0]['Id']} (number {live[0].get('Number')}, {live[0].get('AccountLifeCycleStatus')})"
        else:  # a SignupCustomer makes the customer and its account together: this one is not the create's
            blocked = f"it has no live account named {declared.get('name')!r}, the declared primary account"
        found.append(_candidate(customer, "CustomerLifeCycleStatus", differs, account, blocked))
    return found


def _account_candidates(client: ServiceClient, inputs: dict[str, Any], managed: frozenset[str]) -> list[Candidate]:
    customer_id = inputs.get("customer_id")
    if not customer_id:
        return []  # its customer was not created either: there is nothing to look under
    return [
        _candidate(account, "AccountLifeCycleStatus", differing_props(fields.account_fields(), account, inputs))
        for account in client.accounts_named(str(customer_id), str(inputs.get("name", "")))
        if str(account["Id"]) not in managed
    ]


def _candidate(
    entity: dict[str, Any],
    status_field: str,
    differs: list[str],
    account: str | None = None,
    blocked: str | None = None,
) -> Candidate:
    number = entity.get("Number")
    return Candidate(
        str(entity["Id"]),
        None if number is None else str(number),
        None if entity.get(status_field) is None else str(entity.get(status_field)),
        last_changed(entity),
        tuple(differs),
        account,
        blocked,
    )


def _our_kind(type_token: str) -> str | None:
    """``Customer`` or ``Account`` for this package's dynamic resources (``pulumi-python:dynamic/msads:<Kind>``)."""
    package, _, kind = type_token.rpartition(":")
    if package.endswith("msads") and kind in (CUSTOMER, ACCOUNT):
        return kind
    return None
