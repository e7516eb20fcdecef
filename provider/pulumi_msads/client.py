"""The SOAP client: zeep over the v13 WSDL, typed faults, bounded retries.

One zeep client per thread, built lazily inside the provider process: zeep clients hold a
thread-local and cannot be pickled, and Pulumi's provider server runs up to four calls at once.
Every call returns plain dicts in the WSDL's field names (PascalCase); mapping to our property
names happens elsewhere (``fields``), once.

Retries: transient failures (throttling, internal errors, HTTP 5xx, connection failures) are
retried with backoff on calls that are safe to repeat. SignupCustomer and AddAccount are not:
they are sent once, and the caller (``operations``) decides, after an ambiguous failure, whether
the object was created before trying again. An expired token (109) is refreshed once and the
call repeated, as the official SDK does.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.helpers import serialize_object
from zeep.transports import Transport

from . import wsdl
from .auth import TokenSource, token_source
from .codes import TRANSIENT_CODES, lookup
from .config import ProviderConfig, RetryPolicy
from .errors import ApiError, AuthenticationError, ErrorDetail, MsadsError, ProtocolError, TransportError

log = logging.getLogger("pulumi_msads.client")


class _RedactCredentials(logging.Filter):
    """Blank out the credential headers of the SOAP envelopes that zeep logs at debug level.

    zeep's transport logs every request envelope, SOAP headers included, to ``zeep.transports``;
    anyone who turns on debug logging for the whole process would otherwise log the tokens.
    """

    HEADERS = re.compile(r"(<(?:[\w.-]+:)?(?:DeveloperToken|AuthenticationToken|Password|UserName)\b[^>]*>)[^<]*(</)")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.HEADERS.sub(r"\1***\2", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


logging.getLogger("zeep.transports").addFilter(_RedactCredentials())

BINDING = f"{{{wsdl.SERVICE_NS}}}BasicHttpBinding_ICustomerManagementService"
SEARCH_PAGE_SIZE = 1000
CUSTOMERS_INFO_TOP = 1000
"""SearchAccounts' largest page."""
NOT_IDEMPOTENT = frozenset({"SignupCustomer", "AddAccount"})
"""Operations that create something: repeating one after a lost answer could create it twice."""

Body = dict[str, Any]
T = TypeVar("T")
U = TypeVar("U")
sleep: Callable[[float], None] = time.sleep
"""Indirection so tests can observe backoff without waiting."""


def _plain(value: Any) -> Any:
    return serialize_object(value, target_cls=dict)  # type: ignore[no-untyped-call]


def _text(node: etree._Element, name: str) -> str | None:
    for child in node:
        if etree.QName(child).localname == name:
            return child.text
    return None


def _children(node: etree._Element | None, *path: str) -> list[etree._Element]:
    """Descendants along a path of local names (namespaces differ between the two fault shapes)."""
    nodes = [node] if node is not None else []
    for name in path:
        nodes = [child for n in nodes for child in n if etree.QName(child).localname == name]
    return nodes


def parse_fault(operation: str, fault: zeep.exceptions.Fault, http_status: int | None = None) -> ApiError:
    """The typed error for a SOAP fault: every AdApiError or OperationError, and the TrackingId."""
    detail = fault.detail
    errors: list[ErrorDetail] = []
    tracking_id = None
    for shape, container, item, details_field in (
        ("AdApiFaultDetail", "Errors", "AdApiError", "Detail"),
        ("ApiFault", "OperationErrors", "OperationError", "Details"),
    ):
        for node in _children(detail, shape):
            tracking_id = tracking_id or _text(node, "TrackingId")
            for error in _children(node, container, item):
                code = int(_text(error, "Code") or 0)
                errors.append(
                    ErrorDetail(
                        code=code,
                        error_code=_text(error, "ErrorCode") or lookup(code).name,
                        message=_text(error, "Message") or lookup(code).message,
                        details=_text(error, details_field),
                    )
                )
    if tracking_id is None:
        match = re.search(r"TrackingId:\s*([0-9a-fA-F-]{8,})", fault.message or "")
        tracking_id = match.group(1) if match else None
    if not errors:
        # A fault without either detail shape (for example WCF's ExceptionDetail): keep its text.
        errors.append(ErrorDetail(0, "InternalError", (fault.message or "SOAP fault").strip()))
    return ApiError.build(operation, errors, tracking_id, http_status)


def _transport_error(operation: str, error: Exception) -> TransportError:
    """Classify a failure to get an answer; ``ambiguous`` unless the request surely never left."""
    if isinstance(error, zeep.exceptions.TransportError):
        return TransportError(
            operation, f"HTTP {error.status_code} from the service", ambiguous=True, http_status=error.status_code
        )
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return TransportError(operation, "timed out connecting to the service", ambiguous=False)
    if isinstance(error, requests.exceptions.Timeout):
        return TransportError(operation, "timed out waiting for the service's answer", ambiguous=True, timed_out=True)
    if isinstance(error, requests.exceptions.ConnectionError) and "refused" in str(error).lower():
        return TransportError(operation, "the service refused the connection", ambiguous=False)
    return TransportError(
        operation, f"connection failed before an answer arrived ({type(error).__name__})", ambiguous=True
    )


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

    def __init__(self, config: ProviderConfig, tokens: TokenSource | None = None) -> None:
        self.config = config
        self.tokens = tokens or token_source(config)
        self.cache: dict[str, Any] = {}
        """Facts learned once per process, such as the discovered parent customer."""
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def _service(self) -> Any:
        service = getattr(self._local, "service", None)
        if service is None:
            session = requests.Session()
            # Proxy and CA settings are read from the environment once, here, rather than by
            # requests on every call (which also reads ~/.netrc each time: 10% of a call's CPU).
            session.proxies.update(requests.utils.get_environ_proxies(self.config.endpoint))
            session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            session.trust_env = False  # verification itself is never turned off
            transport = Transport(session=session, timeout=self.config.timeout, operation_timeout=self.config.timeout)  # type: ignore[no-untyped-call]
            settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)
            client = zeep.Client(self.config.wsdl_source, transport=transport, settings=settings)  # type: ignore[no-untyped-call]
            service = client.create_service(BINDING, self.config.endpoint)  # type: ignore[no-untyped-call]
            self._local.client, self._local.service = client, service
        return service

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

    def _headers(self) -> dict[str, str]:
        developer = self.config.developer_token
        return {
            "DeveloperToken": developer.reveal() if developer else "",
            "AuthenticationToken": self.tokens.access_token(),
        }

    def call(self, operation: str, **arguments: Any) -> Body:
        """Call ``operation`` and return its response body as a dict; raise a typed error on failure."""
        policy = self.config.retry
        retryable = operation not in NOT_IDEMPOTENT
        started = time.monotonic()
        waited = 0.0
        retries = 0
        refreshed = False
        while True:
            try:
                result = getattr(self._service(), operation)(**arguments, _soapheaders=self._headers())
                body = getattr(result, "body", result)
                return _plain(body) or {}
            except zeep.exceptions.Fault as fault:
                error: MsadsError = parse_fault(operation, fault)
            except (zeep.exceptions.TransportError, requests.exceptions.RequestException) as failure:
                error = _transport_error(operation, failure)
            except (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden) as refused:
                raise ProtocolError(
                    operation, f"refused an answer with a DTD or entities ({type(refused).__name__})"
                ) from None
            except zeep.exceptions.ExternalReferenceForbidden:
                raise ProtocolError(operation, "refused an answer that references external documents") from None
            except (zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError) as bad:
                raise ProtocolError(operation, f"the answer is not a valid SOAP message: {bad}") from None
            if isinstance(error, AuthenticationError) and error.has_code(109) and not refreshed:
                refreshed = True
                if self.tokens.refresh():
                    log.debug("%s: access token expired (109); refreshed it, calling again", operation)
                    continue
                error.add_note(
                    "The configured access token expired and cannot be renewed: configure msads:refreshToken "
                    "with msads:clientId (the provider then renews tokens itself) instead of msads:accessToken."
                )
            if not (retryable and is_transient(error)) or retries >= policy.max_retries:
                raise error
            retries += 1
            delay = retry_delay(policy, retries, error)
            # The delays asked for count in full, even if ``sleep`` returned early or was replaced.
            if max(time.monotonic() - started, waited) + delay > policy.budget:
                log.debug("%s: retry budget of %.0fs spent; giving up", operation, policy.budget)
                raise error
            log.debug("%s: %s; retry %d of %d in %.2fs", operation, _brief(error), retries, policy.max_retries, delay)
            waited += delay
            sleep(delay)

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
        """The customer's own accounts (AccountInfo: Id, Name, Number, AccountLifeCycleStatus)."""
        body = self.call("GetAccountsInfo", CustomerId=int(customer_id), OnlyParentAccounts=True)
        return list((body.get("AccountsInfo") or {}).get("AccountInfo") or [])

    def customers_named(self, name: str) -> list[Body]:
        """Id and Name of the customers the user can reach whose name is ``name`` (case-insensitive).

        One GetCustomersInfo call (a name-prefix filter) rather than SearchCustomers, whose predicate
        values must be at least four characters long: a customer may well be called "Ace". When as
        many customers as the call can return share the prefix, the answer cannot prove that none
        further down has the exact name, and this says so instead of guessing.
        """
        body = self.call("GetCustomersInfo", CustomerNameFilter=name, TopN=CUSTOMERS_INFO_TOP)
        infos = list((body.get("CustomersInfo") or {}).get("CustomerInfo") or [])
        if len(infos) >= CUSTOMERS_INFO_TOP:
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
        found: list[Body] = []
        index = 0
        while True:
            body = self.call(
                "SearchAccounts",
                Predicates={"Predicate": [{"Field": "CustomerId", "Operator": "Equals", "Value": str(customer_id)}]},
                PageInfo={"Index": index, "Size": SEARCH_PAGE_SIZE},
            )
            page = list((body.get("Accounts") or {}).get("AdvertiserAccount") or [])
            found += [a for a in page if str(a.get("Name", "")).casefold() == name.casefold()]
            if len(page) < SEARCH_PAGE_SIZE:
                return found
            index += 1

    def current_user(self) -> Body:
        return self.call("GetUser", UserId=None)


def outcome(call: Callable[[], T]) -> T | MsadsError:
    """The call's value, or the package error it raised (other exceptions propagate)."""
    try:
        return call()
    except MsadsError as error:
        return error


def _brief(error: MsadsError) -> str:
    if isinstance(error, ApiError):
        return f"code {error.code} [TrackingId {error.tracking_id}]"
    return str(error)
