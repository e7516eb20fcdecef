"""Reads of many resources in one engine operation served by a few paged bulk reads.

Why: ``pulumi refresh`` reads every resource on its own, four at a time (the dynamic provider
server's limit): a Customer is GetCustomer + GetAccount, an Account a GetAccount, so an agency of
300 customers and 900 accounts costs 1,500 calls, 30-100 s at the service's latency, and as much
of ``msads:maxCallsPerMinute``. The same data comes in pages of up to 1,000: SearchAccounts with
an ``AccountId In`` predicate and SearchCustomers with ``CustomerId In`` (predicate.md; page sizes
in paging.md: SearchAccounts 1,000, SearchCustomers 1,024).

Which ids: GetUser's aggregator roles list, as LinkedAccountIds, the accounts of the client
customers signed up under the aggregator (customerrole.md #linkedaccountids); their accounts'
ParentCustomerId names the customers. A snapshot is therefore 1 + ceil(A/1000) + ceil(C/1000)
calls for an estate of C customers and A accounts, whichever of them the stack declares.

When: a stack may declare 5 customers of an agency of 10,000, for which a snapshot (about 40
calls) costs more than the reads it saves. So reads start one by one, and a snapshot is taken only
once the one-by-one reads of this process have cost as many calls as the snapshot will (the
ski-rental rule: never more than about twice the cheaper of the two, whatever the stack's size).
The snapshot's price is learnt from one GetUser after ``PROBE_AFTER`` calls of single reads.

Freshness (the cache "never serves data older than the refresh it belongs to"): a snapshot lives
in the provider process, which the engine starts for one operation, and for at most
``msads:readCacheSeconds`` (default 30 s; 0 turns bulk reads off). Every write the client sends
(SignupCustomer, AddAccount, Update*, Delete*) drops it, before it is sent and after it returns,
and a snapshot whose reading overlapped a write is thrown away rather than kept. Only ``read``
(refresh, drift detection) uses it: an update's GetCustomer/GetAccount for a fresh TimeStamp, a
delete's, the create guard and adoption always ask the service. What a snapshot lacks (a customer
linked to the aggregator some other way, one deleted, an account added by hand after GetUser) is
read on its own, exactly as without a snapshot, so a bulk read can only save calls, never change
an answer. If a bulk read fails, bulk reads are off for the rest of the process and the reads go
on one by one: a refresh never fails because of this optimisation.

Assumption, stated where the pages are silent: SearchCustomers and SearchAccounts return the same
Customer and AdvertiserAccount objects as GetCustomer and GetAccount (both pages give those types
as their results; tests/provider/test_bulk_reads.py proves the emulator's are identical), and an
``In`` predicate takes as many ids as a page holds (predicate.md gives no limit; we send 1,000).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import rules
from .errors import MsadsError

if TYPE_CHECKING:
    from .client import ServiceClient

log = logging.getLogger("pulumi_msads.bulk_reads")

Body = dict[str, Any]
IN_CHUNK = 1000
"""Ids per ``In`` predicate and per page: SearchAccounts' largest page (SearchCustomers' is 1,024)."""
PROBE_AFTER = 10
"""Calls of single reads after which the snapshot's price is asked (one GetUser): five customers'. A
stack of a few resources never pays for the question."""
WRITES = frozenset(
    {"SignupCustomer", "AddAccount", "UpdateCustomer", "UpdateAccount", "DeleteAccount", "DeleteCustomer"}
)
"""Operations that change what a snapshot holds; each drops it."""


@dataclass(frozen=True)
class Snapshot:
    """Customers and accounts by id, as read starting at ``taken`` (monotonic seconds)."""

    taken: float
    customers: dict[str, Body]
    accounts: dict[str, Body]


@dataclass
class _State:
    generation: int = 0
    """Bumped by every write: a snapshot read across a write is not kept."""
    snapshot: Snapshot | None = None
    single_calls: int = 0
    """Calls spent by reads made one by one in this process."""
    price: int | None = None
    """Calls a snapshot costs, once learnt; ``OFF`` when bulk reads cannot help or failed."""
    loading: threading.Event | None = None
    counts: dict[str, int] = field(default_factory=dict)


OFF = -1


class BulkReads:
    """The read cache of one ServiceClient (so of one provider configuration in one process)."""

    def __init__(self, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._state = _State(price=OFF if max_age <= 0 else None)

    # -- what the client tells it --------------------------------------------------------------

    @staticmethod
    def is_write(operation: str) -> bool:
        return operation in WRITES

    def invalidate(self) -> None:
        """Drop the snapshot: something was (or is being) written."""
        with self._lock:
            self._state.generation += 1
            self._state.snapshot = None

    # -- what reads ask --------------------------------------------------------------------------

    def customer(self, client: ServiceClient, customer_id: str, account_id: str) -> tuple[Body, Body] | None:
        """The customer and its account from a fresh snapshot, or None: read them one by one (2 calls)."""
        snapshot = self._snapshot(client, 2)
        if snapshot is None:
            return None
        customer, account = snapshot.customers.get(customer_id), snapshot.accounts.get(account_id)
        if customer is None or account is None:
            self._count("missed", 2)
            return None
        self._count("served", 1)
        return customer, account

    def account(self, client: ServiceClient, account_id: str) -> Body | None:
        """The account from a fresh snapshot, or None: read it on its own (1 call)."""
        snapshot = self._snapshot(client, 1)
        found = snapshot.accounts.get(account_id) if snapshot else None
        if snapshot is not None:
            self._count("served" if found is not None else "missed", 1)
        return found

    def counts(self) -> dict[str, int]:
        """How reads went in this process: served (from a snapshot), missed (read on their own), snapshots."""
        with self._lock:
            return dict(self._state.counts)

    # -- inside ------------------------------------------------------------------------------------

    def _count(self, what: str, n: int) -> None:
        with self._lock:
            self._state.counts[what] = self._state.counts.get(what, 0) + n

    def _fresh(self) -> Snapshot | None:
        snapshot = self._state.snapshot
        if snapshot is not None and self._clock() - snapshot.taken > self.max_age:
            self._state.snapshot = snapshot = None
        return snapshot

    def _snapshot(self, client: ServiceClient, calls: int) -> Snapshot | None:
        """A fresh snapshot if there is one or it is time to take one; else None, and the ``calls``
        the caller is about to make on its own are counted towards the snapshot's price."""
        with self._lock:
            state = self._state
            if state.price == OFF:
                return None
            snapshot = self._fresh()
            if snapshot is not None:
                return snapshot
            waiting = state.loading
            if waiting is None:
                due = PROBE_AFTER if state.price is None else state.price
                if state.single_calls < due:
                    state.single_calls += calls
                    return None
                state.loading = threading.Event()
        if waiting is not None:  # another thread is reading the snapshot or its price: wait for it
            waiting.wait()
            with self._lock:
                snapshot = self._fresh() if self._state.price != OFF else None
        else:
            try:
                snapshot = self._load(client)
            finally:
                with self._lock:
                    done, self._state.loading = self._state.loading, None
                if done is not None:
                    done.set()
        if snapshot is None:
            with self._lock:
                self._state.single_calls += calls
        return snapshot

    def _load(self, client: ServiceClient) -> Snapshot | None:
        """Learn the snapshot's price (one GetUser) and, if single reads have cost as much, take it."""
        with self._lock:
            generation = self._state.generation
        started = self._clock()
        try:
            linked = linked_account_ids(client.current_user())
            price = snapshot_price(len(linked))
            with self._lock:
                self._state.single_calls += 1
                self._state.price = price if linked else OFF
                due = self._state.single_calls >= price
            if not (linked and due):
                log.debug("bulk reads: a snapshot of %d accounts costs %d calls; not yet", len(linked), price)
                return None
            accounts = _by_id(search_in(client, ACCOUNTS, "AccountId", linked))
            parents = sorted(
                {str(a["ParentCustomerId"]) for a in accounts.values() if a.get("ParentCustomerId")}, key=int
            )
            customers = _by_id(search_in(client, CUSTOMERS, "CustomerId", parents))
        except MsadsError as error:
            log.warning("bulk reads are off for this run (each resource is read on its own): %s", error)
            with self._lock:
                self._state.price = OFF
            return None
        snapshot = Snapshot(started, customers, accounts)
        with self._lock:
            self._state.counts["snapshots"] = self._state.counts.get("snapshots", 0) + 1
            if self._state.generation != generation:  # a write overlapped the reading: not to be trusted
                return None
            self._state.snapshot = snapshot
        log.debug("bulk reads: snapshot of %d customers and %d accounts", len(customers), len(accounts))
        return snapshot


def snapshot_price(accounts: int) -> int:
    """Calls a snapshot of ``accounts`` accounts costs: GetUser, then accounts and customers by pages
    (customers are at most as many as accounts: each has at least one)."""
    return 1 + 2 * math.ceil(accounts / IN_CHUNK)


def linked_account_ids(user: Body) -> list[str]:
    """The LinkedAccountIds of a GetUser answer's aggregator roles, by id (roles 33 and 41 repeat them)."""
    roles = rules.aggregator_roles(user)
    ids = {str(i) for role in roles for i in ((role.get("LinkedAccountIds") or {}).get("long") or [])}
    return sorted(ids, key=int)


ACCOUNTS = ("SearchAccounts", "Accounts", "AdvertiserAccount")
CUSTOMERS = ("SearchCustomers", "Customers", "Customer")
"""A search: its operation, and where its answer holds the objects."""


def search_in(client: ServiceClient, search: tuple[str, str, str], field: str, ids: Sequence[str]) -> Iterator[Body]:
    """Every object whose ``field`` is one of ``ids``: one call per ``IN_CHUNK`` ids, each a full page."""
    operation, wrapper, item = search
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        body = client.call(
            operation,
            Predicates={"Predicate": [{"Field": field, "Operator": "In", "Value": ",".join(chunk)}]},
            PageInfo={"Index": 0, "Size": IN_CHUNK},
        )
        yield from (body.get(wrapper) or {}).get(item) or []


def _by_id(items: Iterator[Body]) -> dict[str, Body]:
    return {str(i["Id"]): i for i in items}
