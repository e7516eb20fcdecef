"""Microsoft's REST SDK ``msads`` against the emulator's REST face: the peer checks, as one script.

Usage: ``.venv-msads/bin/python tests/peer/msads_suite.py http://127.0.0.1:PORT``

The REST twin of ``tests/emulator/test_official_sdk.py``. It runs under ``.venv-msads`` (made by
``scripts/msads-env``), because msads installs a top-level ``bingads`` package of its own that
clashes with the SOAP SDK in the main environment; so it imports nothing from pulumi_msads and
calls the service with msads's own client only, built the way Microsoft's samples build it: a
``ServiceClient`` with an OAuth access token, request models from ``openapi_client.models.customer``
and one request object per call (``customer-management-rest.md`` section 5.4). ``location`` points
the client at the emulator; msads appends ``/CustomerManagement/v13/...`` to it.

The checks run in order, each on what the earlier ones created (a customer with its account
signed up under the caller's aggregator customer, then a second account added to it). It prints
one JSON object on stdout: ``{"checks": [{"name", "ok", "detail"}, ...], "ids": {...}}``, with the
ids of what it created so that a caller can read them over another face. A failing check is a
result, not an error: the exit status is 0 whenever the report was written, and 2, with the
traceback on stderr, when the script itself broke.
"""

from __future__ import annotations

import json
import sys
import traceback
import uuid
from collections.abc import Callable
from typing import Any

try:
    from bingads.authorization import AuthorizationData, OAuthDesktopMobileImplicitGrant, OAuthTokens
    from bingads.service_client import ServiceClient
    from openapi_client.exceptions import ApiException
    from openapi_client.models.customer import (
        AddAccountRequest,
        Address,
        AdvertiserAccount,
        ApplicationFault,
        Customer,
        DeleteAccountRequest,
        GetAccountRequest,
        GetAccountsInfoRequest,
        GetCustomerRequest,
        GetCustomersInfoRequest,
        GetUserRequest,
        Paging,
        Predicate,
        SearchAccountsRequest,
        SignupCustomerRequest,
        TimeZoneType,
        UpdateAccountRequest,
        UpdateCustomerRequest,
    )
except ImportError:
    traceback.print_exc()
    print("msads_suite: run it with .venv-msads/bin/python (scripts/msads-env makes it)", file=sys.stderr)
    sys.exit(2)

DEVELOPER_TOKEN, ACCESS_TOKEN = "test-developer-token", "test-access-token"
AGGREGATOR_ROLE = 33
"""RoleId of the signed-in user's role on its own (aggregator) customer: the parent of every signup."""
TIMESTAMP_NOT_MATCH = 209
TIMEOUT = 30.0
"""Seconds per call: msads has no timeout of its own, and a hung emulator must not hang the suite."""
UNKNOWN_ACCOUNT_ID = "987654321012"


class CheckError(Exception):
    """A check saw something other than what it expects; the message says what it saw."""


def expect(condition: object, detail: str) -> None:
    if not condition:
        raise CheckError(detail)


def text(value: Any) -> Any:
    """An enum member as its wire name; anything else as it is."""
    return getattr(value, "value", value)


def header(headers: Any, name: str) -> str | None:
    """A response header by name, whatever its case (urllib3's headers are case-insensitive, a dict is not)."""
    for key, value in dict(headers or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def fault_of(error: ApiException) -> dict[str, Any]:
    """The JSON fault body of an ApiException (``ex.data`` is useless for Customer faults: digest 6.2)."""
    try:
        body = json.loads(error.body)
    except (TypeError, ValueError):
        raise CheckError(f"HTTP {error.status}: the fault body is not JSON: {error.body!r}") from None
    expect(isinstance(body, dict), f"HTTP {error.status}: the fault body is not a JSON object: {error.body!r}")
    return body


def describe(error: BaseException) -> str:
    """What an unexpected exception in a check shows: for an HTTP error, its status, TrackingId and body."""
    if isinstance(error, ApiException):
        tracking = header(error.headers, "TrackingId")
        return f"{type(error).__name__}: HTTP {error.status} {error.reason}, TrackingId {tracking}, body {error.body}"
    return f"{type(error).__name__}: {error}"


def address() -> Address:
    return Address(
        BusinessName="Contoso",
        City="Redmond",
        CountryCode="US",
        Line1="One Microsoft Way",
        PostalCode="98052",
        StateOrProvince="WA",
    )


class Suite:
    """The peer checks against one REST base URL, sharing what they create."""

    def __init__(self, base_url: str) -> None:
        tokens = OAuthTokens(access_token=ACCESS_TOKEN, access_token_expires_in_seconds=3600)
        authentication = OAuthDesktopMobileImplicitGrant(client_id="emulator-peer-suite", oauth_tokens=tokens)
        authorization = AuthorizationData(developer_token=DEVELOPER_TOKEN, authentication=authentication)
        self.sdk = ServiceClient(
            "CustomerManagementService",
            version=13,
            authorization_data=authorization,
            environment="production",
            location=base_url.rstrip("/"),
        )
        self.name = f"Peer {uuid.uuid4().hex[:10]}"
        """A name no other run uses, so that GetCustomersInfo's prefix finds this run's customer only."""
        self.ids: dict[str, str | None] = dict.fromkeys(
            ("aggregator_id", "customer_id", "customer_number", "account_id", "added_account_id")
        )
        self.customer: Customer | None = None
        """The customer as GetCustomer first read it: its TimeStamp goes stale with the first update."""
        self.added_account: AdvertiserAccount | None = None
        """The added account as GetAccount first read it."""

    # -- plumbing -----------------------------------------------------------------------------------

    def call(self, operation: str, request: Any) -> Any:
        """``operation`` (msads's PascalCase alias of the snake_case method) with one request object."""
        return getattr(self.sdk, operation)(request, _request_timeout=TIMEOUT)

    def call_with_http_info(self, method: str, request: Any) -> Any:
        """The ``<op>_with_http_info`` form, whose result has the response headers (get_response_header has none)."""
        return getattr(self.sdk, f"{method}_with_http_info")(request, _request_timeout=TIMEOUT)

    def need(self, key: str) -> str:
        value = self.ids[key]
        if value is None:
            raise CheckError(f"not run: an earlier check gave no {key}")
        return value

    def refused(self, operation: str, request: Any) -> dict[str, Any]:
        """Call ``operation`` expecting a fault; return its JSON body, with the TrackingId header as ``_header``."""
        try:
            result = self.call(operation, request)
        except ApiException as error:
            body = fault_of(error)
            body["_status"], body["_header"] = error.status, header(error.headers, "TrackingId")
            return body
        raise CheckError(f"{operation} succeeded, returning {result!r}")

    def expect_timestamp_not_match(self, operation: str, request: Any) -> str:
        fault = self.refused(operation, request)
        errors = fault.get("OperationErrors") or [{}]
        seen = (fault["_status"], fault.get("Type"), errors[0].get("Code"))
        expect(
            seen == (400, "ApiFault", TIMESTAMP_NOT_MATCH),
            f"expected HTTP 400 with an ApiFault of code 209, saw {seen}: {fault}",
        )
        tracking = fault.get("TrackingId") or fault["_header"]
        expect(tracking, f"no TrackingId in the fault body nor in a TrackingId header: {fault}")
        return f"HTTP 400 ApiFault 209 ({errors[0].get('Message')}), TrackingId {tracking}"

    def read_account(self, account_id: str) -> AdvertiserAccount:
        account = self.call("GetAccount", GetAccountRequest(AccountId=account_id)).account
        expect(account is not None, f"GetAccount {account_id} returned no Account")
        return account

    # -- the checks, in order -----------------------------------------------------------------------

    def get_user(self) -> str:
        response = self.call("GetUser", GetUserRequest(UserId=None))
        expect(response.user is not None and response.user.user_name, f"no User with a UserName: {response!r}")
        roles = [role for role in response.customer_roles or [] if role is not None]
        aggregator = [role.customer_id for role in roles if role.role_id == AGGREGATOR_ROLE]
        expect(aggregator, f"no role with RoleId 33 among {[(r.role_id, r.customer_id) for r in roles]}")
        self.ids["aggregator_id"] = aggregator[0]
        return f"user {response.user.user_name}, aggregator customer {aggregator[0]}"

    def signup_customer(self) -> str:
        customer = Customer(Name=self.name, Industry="Retail", MarketCountry="US", MarketLanguage="English")
        account = AdvertiserAccount(
            Name=f"{self.name} main", CurrencyCode="USD", BusinessAddress=address(), PaymentMethodId=None
        )
        request = SignupCustomerRequest(Customer=customer, Account=account, ParentCustomerId=self.need("aggregator_id"))
        answer = self.call_with_http_info("signup_customer", request)
        created = answer.data
        seen = (created.customer_id, created.customer_number, created.account_id, created.account_number)
        expect(all(seen), f"expected CustomerId, CustomerNumber, AccountId and AccountNumber, saw {seen}")
        expect(created.customer_id.isdigit() and created.account_id.isdigit(), f"ids that are not longs: {seen}")
        tracking = header(answer.headers, "TrackingId")
        expect(tracking, f"no TrackingId response header among {dict(answer.headers or {})}")
        self.ids.update(
            customer_id=created.customer_id, customer_number=created.customer_number, account_id=created.account_id
        )
        return (
            f"customer {created.customer_id} ({created.customer_number}), account {created.account_id}"
            f" ({created.account_number}), TrackingId header {tracking}"
        )

    def get_customer(self) -> str:
        customer_id = self.need("customer_id")
        customer = self.call("GetCustomer", GetCustomerRequest(CustomerId=customer_id)).customer
        expect(customer is not None, "GetCustomer returned no Customer")
        fields = ("id", "number", "name", "industry", "market_country", "market_language")
        seen = {name: text(getattr(customer, name)) for name in fields}
        expected = dict(
            zip(fields, (customer_id, self.ids["customer_number"], self.name, "Retail", "US", "English"), strict=True)
        )
        expect(seen == expected, f"expected {expected}, saw {seen}")
        expect(customer.time_stamp, f"no TimeStamp: {customer!r}")
        self.customer = customer
        return f"customer {customer.id} {customer.name!r}, TimeStamp {customer.time_stamp}"

    def update_customer(self) -> str:
        expect(self.customer is not None, "not run: GetCustomer read no customer")
        renamed = self.customer.model_copy(deep=True)
        renamed.name = f"{self.name} renamed"
        self.call("UpdateCustomer", UpdateCustomerRequest(Customer=renamed))
        again = self.call("GetCustomer", GetCustomerRequest(CustomerId=renamed.id)).customer
        expect(again is not None and again.name == renamed.name, f"after the update GetCustomer read {again!r}")
        expect(
            again.time_stamp != self.customer.time_stamp, f"the TimeStamp stayed {again.time_stamp} after the update"
        )
        return f"renamed to {again.name!r}; TimeStamp {self.customer.time_stamp} -> {again.time_stamp}"

    def update_customer_stale(self) -> str:
        expect(self.customer is not None, "not run: GetCustomer read no customer")
        stale = self.customer.model_copy(deep=True)
        stale.name = f"{self.name} stale"
        return self.expect_timestamp_not_match("UpdateCustomer", UpdateCustomerRequest(Customer=stale))

    def add_account(self) -> str:
        customer_id = self.need("customer_id")
        account = AdvertiserAccount(
            Name=f"{self.name} second",
            CurrencyCode="USD",
            ParentCustomerId=customer_id,
            BusinessAddress=address(),
            PaymentMethodId=None,
        )
        added = self.call("AddAccount", AddAccountRequest(Account=account))
        expect(added.account_id and added.account_number, f"expected AccountId and AccountNumber, saw {added!r}")
        expect(added.account_id != self.ids["account_id"], f"AddAccount repeated the id {added.account_id}")
        self.ids["added_account_id"] = added.account_id
        return f"account {added.account_id} ({added.account_number}) under customer {customer_id}"

    def get_account(self) -> str:
        customer_id = self.need("customer_id")
        main, added = self.read_account(self.need("account_id")), self.read_account(self.need("added_account_id"))
        seen = [
            (a.name, a.parent_customer_id, text(a.currency_code), a.business_address and a.business_address.city)
            for a in (main, added)
        ]
        expected = [(f"{self.name} {suffix}", customer_id, "USD", "Redmond") for suffix in ("main", "second")]
        expect(seen == expected, f"expected (Name, ParentCustomerId, CurrencyCode, City) {expected}, saw {seen}")
        expect(main.time_stamp and added.time_stamp, f"no TimeStamp: {main.time_stamp!r}, {added.time_stamp!r}")
        self.added_account = added
        statuses = [text(a.account_life_cycle_status) for a in (main, added)]
        return f"accounts {main.id} and {added.id} as created, statuses {statuses}"

    def update_account(self) -> str:
        expect(self.added_account is not None, "not run: GetAccount read no added account")
        changed = self.added_account.model_copy(deep=True)
        changed.name, changed.time_zone = f"{self.name} second renamed", TimeZoneType.EASTERNTIMEUSCANADA
        self.call("UpdateAccount", UpdateAccountRequest(Account=changed))
        again = self.read_account(changed.id)
        seen, expected = (again.name, text(again.time_zone)), (changed.name, text(changed.time_zone))
        expect(seen == expected, f"expected (Name, TimeZone) {expected} after the update, GetAccount read {seen}")
        return f"account {again.id} now {seen}; TimeStamp {changed.time_stamp} -> {again.time_stamp}"

    def update_account_stale(self) -> str:
        expect(self.added_account is not None, "not run: GetAccount read no added account")
        stale = self.added_account.model_copy(deep=True)
        stale.name = f"{self.name} second stale"
        return self.expect_timestamp_not_match("UpdateAccount", UpdateAccountRequest(Account=stale))

    def delete_account(self) -> str:
        account_id = self.need("added_account_id")
        stamp = self.read_account(account_id).time_stamp
        result = self.call("DeleteAccount", DeleteAccountRequest(AccountId=account_id, TimeStamp=stamp))
        status = text(self.read_account(account_id).account_life_cycle_status)
        expect(status == "Inactive", f"after DeleteAccount (which returned {result!r}) the account is {status}")
        return f"account {account_id} deleted (response {result!r}), now Inactive"

    def search_accounts(self) -> str:
        customer_id, account_id = self.need("customer_id"), self.need("account_id")
        request = SearchAccountsRequest(
            Predicates=[Predicate(Field="CustomerId", Operator="Equals", Value=customer_id)],
            PageInfo=Paging(Index=0, Size=100),
        )
        accounts = [a for a in self.call("SearchAccounts", request).accounts or [] if a is not None]
        found = {a.id: (a.parent_customer_id, text(a.account_life_cycle_status)) for a in accounts}
        expect(account_id in found, f"the signup's account {account_id} is not among {found}")
        strangers = {i: v for i, v in found.items() if v[0] != customer_id}
        expect(not strangers, f"accounts of other customers: {strangers}")
        deleted = "listed" if self.ids["added_account_id"] in found else "not listed"
        return f"found {found} (the deleted account {deleted})"

    def get_customers_info(self) -> str:
        customer_id = self.need("customer_id")
        request = GetCustomersInfoRequest(CustomerNameFilter=self.name, TopN=10)
        infos = [i for i in self.call("GetCustomersInfo", request).customers_info or [] if i is not None]
        found = {i.id: i.name for i in infos}
        expect(customer_id in found, f"customer {customer_id} is not among {found} for the prefix {self.name!r}")
        return f"prefix {self.name!r} found {found}"

    def get_accounts_info(self) -> str:
        customer_id, account_id = self.need("customer_id"), self.need("account_id")
        request = GetAccountsInfoRequest(CustomerId=customer_id, OnlyParentAccounts=False)
        infos = [i for i in self.call("GetAccountsInfo", request).accounts_info or [] if i is not None]
        found = {i.id: (i.name, text(i.account_life_cycle_status)) for i in infos}
        expect(account_id in found, f"the signup's account {account_id} is not among {found}")
        return f"found {found}"

    def fault_with_tracking_id(self) -> str:
        fault = self.refused("GetAccount", GetAccountRequest(AccountId=UNKNOWN_ACCOUNT_ID))
        status, tracking, in_header = fault.pop("_status"), fault.get("TrackingId"), fault.pop("_header")
        expect(400 <= status < 500, f"expected a 4xx status, saw {status}: {fault}")
        expect(fault.get("Type") in ("ApiFault", "AdApiFaultDetail", "ApiBatchFault"), f"no known Type: {fault}")
        expect(tracking, f"no TrackingId in the body: {fault}")
        expect(in_header == tracking, f"TrackingId header {in_header!r}, body {tracking!r}")
        model = ApplicationFault.from_dict(fault)
        expect(type(model).__name__ == fault["Type"], f"msads read the fault as {type(model).__name__}")
        errors = fault.get("OperationErrors") or fault.get("Errors") or [{}]
        return f"HTTP {status} {fault['Type']} code {errors[0].get('Code')}, TrackingId {tracking} (body and header)"

    CHECKS: tuple[tuple[str, Callable[[Suite], str]], ...] = (
        ("GetUser", get_user),
        ("SignupCustomer", signup_customer),
        ("GetCustomer", get_customer),
        ("UpdateCustomer", update_customer),
        ("UpdateCustomerStaleTimeStamp", update_customer_stale),
        ("AddAccount", add_account),
        ("GetAccount", get_account),
        ("UpdateAccount", update_account),
        ("UpdateAccountStaleTimeStamp", update_account_stale),
        ("DeleteAccount", delete_account),
        ("SearchAccounts", search_accounts),
        ("GetCustomersInfo", get_customers_info),
        ("GetAccountsInfo", get_accounts_info),
        ("FaultWithTrackingId", fault_with_tracking_id),
    )

    def run(self) -> dict[str, Any]:
        checks = []
        for name, check in self.CHECKS:
            try:
                result = {"name": name, "ok": True, "detail": check(self)}
            except CheckError as failure:
                result = {"name": name, "ok": False, "detail": str(failure)}
            except Exception as error:  # any other error of a check is its failure, not the script's
                result = {"name": name, "ok": False, "detail": describe(error)}
            checks.append(result)
        return {"checks": checks, "ids": self.ids}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].startswith(("http://", "https://")):
        print("usage: msads_suite.py <rest-base-url, e.g. http://127.0.0.1:PORT>", file=sys.stderr)
        return 2
    try:
        report = Suite(argv[1]).run()
    except Exception:
        traceback.print_exc()
        return 2
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
