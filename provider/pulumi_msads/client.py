"""The service client: the Customer Management operations, over REST or SOAP, with bounded retries.

The transport (``rest_transport`` or ``soap_transport``, picked by ``msads:transport``) sends one
operation and returns its body, or raises a typed error; everything else is here, once for both:
retries, token refresh, the operations' argument shapes. Every call returns plain dicts in the
WSDL's shape and field names (PascalCase), whichever transport spoke; mapping to our property
names happens elsewhere (``fields``), once.

Retries: transient failures (throttling, internal errors, HTTP 5xx, connection failures) are
retried with backoff on calls that are safe to repeat. SignupCustomer and AddAccount are not:
they are sent once, and the caller (``operations``) decides, after an ambiguous failure, whether
the object was created before trying again. An expired token (109) is refreshed once and the
call repeated, as the official SDK does. A retried failure that is given up on says after how many
attempts, and why (``msads:maxRetries`` or ``msads:retryBudget``).

Pacing: every attempt, retries included, first waits for room in the client's ``Pacer``
(``msads:maxCallsPerMinute``), shared by every thread of the process, so that a large ``pulumi up``
waits its turn rather than being refused with 117.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from .auth import TokenSource, token_source
from .bulk_reads import BulkReads
from .codes import TRANSIENT_CODES
from .config import ProviderConfig, RetryPolicy
from .errors import ApiError, AuthenticationError, CancelledError, MsadsError, TransportError
from .pacing import Pacer

log = logging.getLogger("pulumi_msads.client")

SEARCH_PAGE_SIZE = 1000
"""SearchAccounts' largest page."""
CUSTOMERS_INFO_TOP = 1000
NOT_IDEMPOTENT = frozenset({"SignupCustomer", "AddAccount"})
"""Operations that create something: repeating one after a lost answer could create it twice."""

Body = dict[str, Any]
T = TypeVar("T")
U = TypeVar("U")
sleep: Callable[[float], None] = time.sleep
"""Indirection so tests can observe backoff without waiting."""


class Transport(Protocol):
    """Sends one operation: its body in the WSDL's shape, or a typed MsadsError (ApiError for a fault)."""

    name: str
    url: str

    def send(self, operation: str, arguments: Body, developer_token: str, access_token: str) -> Body: ...


def transport_for(config: ProviderConfig) -> Transport:
    """The configured transport; each is imported only when used (zeep takes a while to load)."""
    if config.transport == "soap":
        from .soap_transport import SoapTransport

        return SoapTransport(config)
    from .rest_transport import RestTransport

    return RestTransport(config)


def is_transient(error: MsadsError) -> bool:
    """True for failures after which the same call may succeed unchanged."""
    if isinstance(error, TransportError):
        return error.http_status is None or error.http_status >= 500 or error.http_status == 429
    return isinstance(error, ApiError) and error.code in TRANSIENT_CODES


def retry_delay(policy: RetryPolicy, retry: int, error: MsadsError) -> float:
    """How long to wait before retry number ``retry`` after ``error``: throttling waits longer."""
    return policy.delay(retry, throttled=isinstance(error, ApiError) and error.code == 117)


class ServiceClient:
    """Customer Management calls for one configuration, shared by the provider's threads."""

    def __init__(
        self, config: ProviderConfig, tokens: TokenSource | None = None, transport: Transport | None = None
    ) -> None:
        self.config = config
        self.tokens = tokens or token_source(config)
        self.transport = transport or transport_for(config)
        self.cache: dict[str, Any] = {}
        """Facts learned once per process, such as the discovered parent customer."""
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self.reads = BulkReads(config.read_cache_seconds)
        """Refresh's reads served by paged bulk reads; every write this client sends drops them."""
        self._cancelled = threading.Event()
        limit = config.max_calls_per_minute
        self.pacer: Pacer | None = Pacer(limit, cancelled=self._cancelled) if limit else None
        """``msads:maxCallsPerMinute``, for every thread that shares this client; every attempt waits its turn."""

    def cancel(self) -> None:
        """The deployment was cancelled: from now on no call is sent and no wait goes on (``CancelledError``).

        What is in flight is answered first: a create whose answer is lost is still resolved by proof, never
        by a guess, so recovery ends as an unknown outcome that the next ``up``'s guard stops at.
        """
        self._cancelled.set()
        if self.pacer is not None:
            self.pacer.wake()

    def stop_if_cancelled(self, doing: str) -> None:
        if self._cancelled.is_set():
            raise CancelledError(f"{doing}: stopped, the deployment was cancelled (Ctrl-C or `pulumi cancel`)")

    def pause(self, seconds: float, doing: str) -> None:
        """Wait ``seconds`` before ``doing`` (a retry, a look, a read again); a cancel ends the wait at once."""
        if sleep is time.sleep:
            self._cancelled.wait(seconds)
        else:  # tests record the waits instead
            sleep(seconds)
        self.stop_if_cancelled(doing)

    def together(self, first: Callable[[], T], second: Callable[[], U]) -> tuple[T | MsadsError, U | MsadsError]:
        """Run two independent calls at the same time; each result is its value or the error it raised.

        A refresh needs the customer and its account, an update may write both: two round trips
        either way, but one round trip's time instead of two.
        """
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="msads-call")
        future = self._pool.submit(outcome, second)
        return outcome(first), future.result()

    def call(self, operation: str, **arguments: Any) -> Body:
        """Call ``operation`` and return its response body as a dict; raise a typed error on failure.

        A write drops the bulk reads' snapshot before it is sent and again once it is answered (or not),
        so that no read after it is served from what was true before it.
        """
        if not self.reads.is_write(operation):
            return self._call(operation, arguments)
        self.reads.invalidate()
        try:
            return self._call(operation, arguments)
        finally:
            self.reads.invalidate()

    def _call(self, operation: str, arguments: Body) -> Body:
        policy = self.config.retry
        retryable = operation not in NOT_IDEMPOTENT
        started = time.monotonic()
        waited = 0.0
        paced = [0.0]  # seconds waited for the call limit: not retry waits, so not spent from the budget
        attempts = retries = 0
        refreshed = False
        while True:
            developer = self.config.developer_token
            self.stop_if_cancelled(f"{operation} not sent")
            try:
                access = self.tokens.access_token()  # a refresh goes to Microsoft's login, not counted here
                attempts += 1
                with self._turn(operation, paced):
                    return self.transport.send(operation, arguments, developer.reveal() if developer else "", access)
            except (ApiError, TransportError) as failure:
                error: MsadsError = failure
            if isinstance(error, AuthenticationError) and error.has_code(109) and not refreshed:
                refreshed = True
                if self.tokens.refresh():
                    log.debug("%s: access token expired (109); refreshed it, calling again", operation)
                    continue
                error.add_note(
                    "The configured access token expired and cannot be renewed: configure msads:refreshToken "
                    "with msads:clientId (the provider then renews tokens itself) instead of msads:accessToken."
                )
            if not (retryable and is_transient(error)):
                raise error
            if retries >= policy.max_retries:
                error.add_note(f"{operation}: gave up after {_attempts(attempts)} (msads:maxRetries is {retries}).")
                raise error
            delay = retry_delay(policy, retries + 1, error)
            # The delays asked for count in full, even if ``sleep`` returned early or was replaced.
            if max(time.monotonic() - started - paced[0], waited) + delay > policy.budget:
                log.debug("%s: retry budget of %.0fs spent; giving up", operation, policy.budget)
                error.add_note(
                    f"{operation}: gave up after {_attempts(attempts)}: one more would wait past "
                    f"msads:retryBudget ({policy.budget:g}s)."
                )
                raise error
            retries += 1
            log.debug("%s: %s; retry %d of %d in %.2fs", operation, _brief(error), retries, policy.max_retries, delay)
            waited += delay
            try:
                self.pause(delay, f"{operation} not retried")
            except CancelledError as cancelled:
                cancelled.add_note(f"Its last attempt failed: {error}")
                raise cancelled from error

    @contextmanager
    def _turn(self, operation: str, paced: list[float]) -> Iterator[None]:
        """Hold a place in the client-side call limit (if any) while one attempt of ``operation`` runs.

        Adds the seconds waited for it to ``paced[0]``.
        """
        if self.pacer is None:
            yield
            return
        with self.pacer.turn() as waited:
            paced[0] += waited
            if waited > 0:
                log.debug(
                    "%s: waited %.2fs for the client-side call limit (%d calls per %gs, msads:maxCallsPerMinute)",
                    operation,
                    waited,
                    self.pacer.calls,
                    self.pacer.window,
                )
            yield

    # -- the operations the provider uses, with their argument shapes ---------------------------

    def get_customer(self, customer_id: str) -> Body:
        customer: Body = self.call("GetCustomer", CustomerId=int(customer_id))["Customer"]
        return customer

    def get_account(self, account_id: str) -> Body:
        account: Body = self.call("GetAccount", AccountId=int(account_id))["Account"]
        return account

    def update_customer(self, customer: Body) -> Body:
        return self.call("UpdateCustomer", Customer=customer)

    def update_account(self, account: Body) -> Body:
        return self.call("UpdateAccount", Account=account)

    def signup_customer(self, customer: Body, account: Body, parent_customer_id: str) -> Body:
        return self.call("SignupCustomer", Customer=customer, Account=account, ParentCustomerId=int(parent_customer_id))

    def add_account(self, account: Body) -> Body:
        return self.call("AddAccount", Account=account)

    def delete_account(self, account_id: str, timestamp: bytes) -> None:
        self.call("DeleteAccount", AccountId=int(account_id), TimeStamp=timestamp)

    def delete_customer(self, customer_id: str, timestamp: bytes) -> None:
        self.call("DeleteCustomer", CustomerId=int(customer_id), TimeStamp=timestamp)

    def accounts_of(self, customer_id: str) -> list[Body]:
        """The customer's own accounts (Id, Name, Number, AccountLifeCycleStatus, ...), all pages.

        SearchAccounts rather than GetAccountsInfo, which "may take up to five minutes" to list a new
        account (getaccountsinfo.md): an adoption or a recovery right after a create must see it.
        """
        found: list[Body] = []
        index = 0
        while True:
            body = self.call(
                "SearchAccounts",
                Predicates={"Predicate": [{"Field": "CustomerId", "Operator": "Equals", "Value": str(customer_id)}]},
                PageInfo={"Index": index, "Size": SEARCH_PAGE_SIZE},
            )
            page = list((body.get("Accounts") or {}).get("AdvertiserAccount") or [])
            found += page
            if len(page) < SEARCH_PAGE_SIZE:
                return found
            index += 1

    def customers_starting_with(self, prefix: str) -> tuple[list[Body], bool]:
        """Id and Name of the customers whose names start with ``prefix`` (case-insensitive), and whether that
        is all of them: one GetCustomersInfo call, which returns at most ``CUSTOMERS_INFO_TOP``."""
        body = self.call("GetCustomersInfo", CustomerNameFilter=prefix, TopN=CUSTOMERS_INFO_TOP)
        infos = list((body.get("CustomersInfo") or {}).get("CustomerInfo") or [])
        return infos, len(infos) < CUSTOMERS_INFO_TOP

    def customers_named(self, name: str) -> list[Body]:
        """Id and Name of the customers the user can reach whose name is ``name`` (case-insensitive).

        One GetCustomersInfo call (a name-prefix filter) rather than SearchCustomers, whose predicate
        values must be at least four characters long: a customer may well be called "Ace". When as
        many customers as the call can return share the prefix, the answer cannot prove that none
        further down has the exact name, and this says so instead of guessing.
        """
        infos, complete = self.customers_starting_with(name)
        if not complete:
            raise MsadsError(
                f"GetCustomersInfo returned its maximum of {CUSTOMERS_INFO_TOP} customers whose names start with "
                f"{name!r}, so whether one is named exactly that cannot be told; declare adopt_id instead"
            )
        return [i for i in infos if str(i.get("Name") or "").casefold() == name.casefold()]

    def accounts_named(self, customer_id: str, name: str) -> list[Body]:
        """Accounts of the customer whose name is ``name`` (case-insensitive; names are unique per customer).

        SearchAccounts takes a single predicate, so this asks for the customer's accounts and
        compares names here; the AccountName predicate alone would search every customer.
        """
        return [a for a in self.accounts_of(customer_id) if str(a.get("Name", "")).casefold() == name.casefold()]

    def current_user(self) -> Body:
        return self.call("GetUser", UserId=None)


def outcome(call: Callable[[], T]) -> T | MsadsError:
    """The call's value, or the package error it raised (other exceptions propagate)."""
    try:
        return call()
    except MsadsError as error:
        return error


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _brief(error: MsadsError) -> str:
    if isinstance(error, ApiError):
        return f"code {error.code} [TrackingId {error.tracking_id}]"
    return str(error)
