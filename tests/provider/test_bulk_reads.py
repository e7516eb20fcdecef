"""Refresh in bulk: many reads in one process share a few paged searches, and never change an answer.

Reads run four at a time, as the dynamic provider server runs them (its limit), against the session
emulator over HTTP; calls are counted by the emulator's control plane. ``bulk_reads`` says why and when.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from bench.export import fixture as agency

from pulumi_msads import CustomerProvider, bulk_reads, operations
from pulumi_msads.bulk_reads import PROBE_AFTER, BulkReads
from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess

from ..harness import Engine, ProviderServer
from ..samples import CUSTOMER_TYPE, TRANSPORTS, customer_inputs, provider_config

CONCURRENCY = 4
"""The dynamic provider server's limit: at most this many reads are under way when a snapshot starts."""
SEARCHES = ("GetUser", "SearchAccounts", "SearchCustomers")


@dataclass(frozen=True)
class Estate:
    """Seeded customers: (customer id, primary account id) and the other accounts' ids."""

    customers: list[tuple[str, str]]
    accounts: list[str]

    @property
    def one_by_one(self) -> int:
        """Calls a refresh makes without bulk reads: GetCustomer + GetAccount a customer, GetAccount an account."""
        return 2 * len(self.customers) + len(self.accounts)


def _seed(emulator: EmulatorControl, customers: int, accounts: int) -> Estate:
    created = emulator.seed(agency(customers, accounts))["customers"]
    emulator.reset_calls()
    return Estate(
        [(str(c["Id"]), str(c["accounts"][0]["Id"])) for c in created],
        [str(a["Id"]) for c in created for a in c["accounts"][1:]],
    )


def _client(url: str, transport: str, seconds: str = "30") -> ServiceClient:
    return ServiceClient(
        ProviderConfig.from_sources(provider_config(url, transport, **{"msads:readCacheSeconds": seconds}), {})
    )


def refresh(client: ServiceClient, estate: Estate) -> dict[str, Any]:
    """Every resource of the estate read as a refresh reads it, four at a time: {id: what the read returned}."""
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        customers = pool.map(lambda c: (c[0], operations.read_customer(client, c[0], c[1])), estate.customers)
        accounts = pool.map(lambda a: (a, operations.read_account(client, a)), estate.accounts)
        return dict([*customers, *accounts])


def _searches(emulator: EmulatorControl) -> dict[str, int]:
    calls = emulator.calls()
    return {name: calls.get(name, 0) for name in SEARCHES}


def _single_reads(emulator: EmulatorControl) -> int:
    calls = emulator.calls()
    return calls.get("GetCustomer", 0) + calls.get("GetAccount", 0)


@pytest.fixture
def client(emulator_process: EmulatorProcess, emulator: EmulatorControl) -> ServiceClient:
    """A client with bulk reads on, over REST: what they do does not depend on the wire (the searches' bodies
    over both wires are compared in test_bulk_and_single_reads_answer_the_same)."""
    return _client(emulator_process.url, "rest")


@pytest.fixture
def estate(emulator: EmulatorControl) -> Estate:
    """An agency of 30 customers with 75 accounts in all."""
    return _seed(emulator, 30, 75)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pages of 10 ids, so that a small estate needs several pages (and a snapshot has a price to weigh)."""
    monkeypatch.setattr(bulk_reads, "IN_CHUNK", 10)
    yield


def test_a_refresh_of_an_agency_costs_a_few_paged_searches(
    client: ServiceClient, estate: Estate, emulator: EmulatorControl
) -> None:
    results = refresh(client, estate)

    assert all(results.values())
    assert _searches(emulator) == {"GetUser": 1, "SearchAccounts": 1, "SearchCustomers": 1}
    # Reads made one by one: until they had cost PROBE_AFTER calls, plus those already under way (2 calls each).
    assert _single_reads(emulator) <= PROBE_AFTER + 2 * CONCURRENCY
    assert emulator.total_calls() <= PROBE_AFTER + 2 * CONCURRENCY + 3 < estate.one_by_one / 4


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_bulk_and_single_reads_answer_the_same(
    transport: str, estate: Estate, emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    one_by_one = refresh(_client(emulator_process.url, transport, seconds="0"), estate)

    assert refresh(_client(emulator_process.url, transport), estate) == one_by_one


def test_bulk_reads_off_reads_every_resource_on_its_own(
    emulator_process: EmulatorProcess, estate: Estate, emulator: EmulatorControl
) -> None:
    refresh(_client(emulator_process.url, "rest", seconds="0"), estate)

    assert _searches(emulator) == {"GetUser": 0, "SearchAccounts": 0, "SearchCustomers": 0}
    assert emulator.total_calls() == estate.one_by_one


def test_a_small_stack_makes_only_its_own_reads(
    client: ServiceClient, estate: Estate, emulator: EmulatorControl
) -> None:
    small = Estate(estate.customers[:2], estate.accounts[:1])

    refresh(client, small)

    assert emulator.calls() == {"GetCustomer": 2, "GetAccount": 3}


def test_a_snapshot_is_taken_once_single_reads_have_cost_what_it_costs(
    client: ServiceClient, estate: Estate, emulator: EmulatorControl, small_pages: None
) -> None:
    price = bulk_reads.snapshot_price(75)  # GetUser, then 8 pages of accounts and (at most) 8 of customers
    for customer_id, account_id in estate.customers:
        operations.read_customer(client, customer_id, account_id)
        if emulator.calls().get("SearchAccounts"):
            break
    single = _single_reads(emulator) + 1  # the GetUser that learnt the price counts as a single read's call

    assert price <= single < price + 2
    assert _searches(emulator) == {"GetUser": 2, "SearchAccounts": 8, "SearchCustomers": 3}


@pytest.mark.parametrize("declared", [3, 6, 9, 12, 30])
def test_a_refresh_never_costs_much_more_than_one_by_one(
    client: ServiceClient, estate: Estate, emulator: EmulatorControl, small_pages: None, declared: int
) -> None:
    """Ski rental: whatever share of the agency the stack declares, at most about twice the calls of reading
    its resources one by one (and far fewer when it declares much of it)."""
    stack = Estate(estate.customers[:declared], [])

    refresh(client, stack)

    assert emulator.total_calls() <= 2 * stack.one_by_one + 2


def test_a_write_drops_the_snapshot(client: ServiceClient, estate: Estate, emulator: EmulatorControl) -> None:
    refresh(client, estate)
    account = client.get_account(estate.accounts[0])
    client.update_account({**account, "Name": "Renamed by this process"})

    assert operations.read_account(client, estate.accounts[0])["Name"] == "Renamed by this process"
    assert client.reads.counts()["snapshots"] == 2


def test_a_snapshot_older_than_its_age_is_read_again(
    client: ServiceClient, estate: Estate, emulator_process: EmulatorProcess
) -> None:
    now = [0.0]
    client.reads = BulkReads(30, clock=lambda: now[0])
    refresh(client, estate)
    someone_else = _client(emulator_process.url, "rest", seconds="0")
    account = someone_else.get_account(estate.accounts[0])
    someone_else.update_account({**account, "Name": "Renamed by hand"})

    now[0] = 31.0

    assert operations.read_account(client, estate.accounts[0])["Name"] == "Renamed by hand"


def test_what_a_snapshot_lacks_is_read_on_its_own(
    client: ServiceClient, estate: Estate, emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    refresh(client, estate)
    someone_else = _client(emulator_process.url, "rest", seconds="0")
    customer = someone_else.get_customer(estate.customers[0][0])
    primary = someone_else.get_account(estate.customers[0][1])
    added = someone_else.add_account(
        {
            "Name": "Added by hand",
            "CurrencyCode": "USD",
            "ParentCustomerId": customer["Id"],
            "PrimaryUserId": primary["PrimaryUserId"],
            "BusinessAddress": {k: v for k, v in primary["BusinessAddress"].items() if k != "Id"},
        }
    )
    emulator.reset_calls()

    read = operations.read_account(client, str(added["AccountId"]))

    assert read is not None and read["Name"] == "Added by hand"
    assert emulator.calls() == {"GetAccount": 1}


def test_an_account_deleted_before_the_snapshot_reads_as_gone(
    client: ServiceClient, estate: Estate, emulator_process: EmulatorProcess
) -> None:
    someone_else = _client(emulator_process.url, "rest", seconds="0")
    gone = estate.accounts[0]
    someone_else.delete_account(gone, someone_else.get_account(gone)["TimeStamp"])

    results = refresh(client, estate)

    assert results[gone] is None
    assert sum(1 for r in results.values() if r is None) == 1


def test_a_failed_search_turns_bulk_reads_off_and_the_refresh_goes_on(
    client: ServiceClient, estate: Estate, emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    emulator.add_fault(operation="SearchAccounts", code=3030)
    one_by_one = refresh(_client(emulator_process.url, client.transport.name, seconds="0"), estate)
    emulator.reset_calls()

    assert refresh(client, estate) == one_by_one
    assert _searches(emulator) == {"GetUser": 1, "SearchAccounts": 1, "SearchCustomers": 0}


def test_reads_through_the_provider_server_share_the_snapshot(
    emulator_process: EmulatorProcess, emulator: EmulatorControl, tmp_path: Any
) -> None:
    """The engine's path: Read RPCs four at a time into one provider server, which configures bulk reads by default."""
    config = {k: v for k, v in provider_config(emulator_process.url).items() if k != "msads:readCacheSeconds"}
    with ProviderServer(config, log_dir=tmp_path) as server:
        customers = Engine(server, CustomerProvider, CUSTOMER_TYPE)
        states = [customers.up_create(customer_inputs(name=f"Bulk {i:02d}"), name=f"c{i}").state for i in range(24)]
        emulator.reset_calls()

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            outcomes = list(pool.map(customers.refresh, states))

    assert [o.op for o in outcomes] == ["same"] * 24
    assert _searches(emulator) == {"GetUser": 1, "SearchAccounts": 1, "SearchCustomers": 1}
    assert emulator.total_calls() <= PROBE_AFTER + 2 * CONCURRENCY + 3 < 2 * 24
