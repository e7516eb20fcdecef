"""Section 10: an agency's estate through one provider server per engine operation, at the service's latency.

300 customers (each signed up with its primary account) and 600 more accounts, 900 in all, declared as the
GitOps stack declares them: ``up`` creates them, four operations at a time (the dynamic provider server's limit),
the control plane then activates every account (as Microsoft's billing would), a no-op ``up`` (Check and Diff of
every resource, no call), and ``refresh`` with bulk reads (the default) and one by one (``msads:readCacheSeconds``
0). Each operation gets a provider server of its own, as the CLI starts one per command (bulk reads count on it).

For every operation: calls (the emulator's count), wall time, and the ideal, calls x latency / concurrency (the
time if the provider added nothing and kept four calls in flight), with efficiency = ideal / wall, measured in
the same run. A refresh in bulk makes far fewer calls than that ideal assumes of one by one, so its gain is
reported as the ratio of the two refreshes measured side by side.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from tests.harness import Engine, ProviderServer, ResourceState, provider_blob
from tests.samples import provider_config

from pulumi_msads import AccountProvider, CustomerProvider

from .common import ENGINE_CONCURRENCY, Bench, PerThread, account_inputs, customer_inputs, ms, provider_pid
from .scale import measure_phase

TRANSPORT = "rest"
"""The provider's default wire, which users get."""
BULK = {"msads:readCacheSeconds": "30"}
ONE_BY_ONE = {"msads:readCacheSeconds": "0"}


def _server(bench: Bench, name: str, **extra: str) -> ProviderServer:
    return ProviderServer(provider_config(bench.url, TRANSPORT, **extra), log_dir=bench.log_dir / name)


def _plan(customers: int, accounts: int) -> list[int]:
    """Accounts beyond the primary one, per customer: ``accounts`` in all, spread as evenly as possible."""
    extra, rest = divmod(accounts - customers, customers)
    return [extra + (1 if i < rest else 0) for i in range(customers)]


def _engines(bench: Bench, server: ProviderServer) -> tuple[PerThread, PerThread]:
    return PerThread(lambda: bench.customers(server)), PerThread(lambda: bench.accounts(server))


def _one_latency(bench: Bench, customers: int, accounts: int, latency: float) -> list[dict[str, Any]]:
    bench.reset(latency)
    parent = bench.parent_id()
    extra = _plan(customers, accounts)
    customer_news = [customer_inputs(f"Agency {i:04d}", parent) for i in range(customers)]
    rows: list[dict[str, Any]] = []

    with _server(bench, f"agency-{ms(latency):g}-up", **BULK) as server:
        pid = provider_pid(server)
        people, books = _engines(bench, server)

        def create_customer(i: int) -> ResourceState:
            state = people.get().up_create(customer_news[i], name=f"c{i}").state
            assert state is not None
            return state

        row, customer_states = measure_phase(
            bench, pid, "up: customers", range(customers), create_customer, latency=latency
        )
        rows.append(row)
        account_news = [
            [(f"a{i}-{j}", account_inputs(str(state.id), f"Agency {i:04d} - Extra {j}")) for j in range(extra[i])]
            for i, state in enumerate(customer_states)
        ]

        def create_accounts(items: list[tuple[str, dict[str, Any]]]) -> list[ResourceState]:
            """One customer's accounts in turn: AddAccount leaves each in Draft, and none is added to a customer
            while one is in Draft, so each is activated (as billing would) before the next."""
            states = []
            for name, news in items:
                state = books.get().up_create(news, name=name).state
                assert state is not None
                bench.control.set_account_status(state.id, "Active")
                states.append(state)
            return states

        row, per_customer = measure_phase(
            bench, pid, "up: accounts", account_news, create_accounts, latency=latency, resources=accounts - customers
        )
        rows.append(row)
        account_states = [state for states in per_customer for state in states]
        account_news = [[item for items in account_news for item in items]]

    started = time.perf_counter()
    for state in customer_states:  # the primary accounts
        bench.control.set_account_status(state.outputs["account_id"], "Active")
    activation = time.perf_counter() - started

    customer_set = {id(s) for s in customer_states}
    pairs = [(s, n) for s, n in zip(customer_states, customer_news, strict=True)]
    pairs += [(s, n) for s, (_, n) in zip(account_states, account_news[0], strict=True)]
    with _server(bench, f"agency-{ms(latency):g}-noop", **BULK) as server:
        pid = provider_pid(server)
        people, books = _engines(bench, server)

        def noop(pair: tuple[ResourceState, dict[str, Any]]) -> None:
            engine: Engine = (people if id(pair[0]) in customer_set else books).get()
            assert engine.up_update(*pair).op == "same"

        row, _ = measure_phase(bench, pid, "no-op up", pairs, noop, latency=latency)
        rows.append(row)

    for label, extra_config in (("refresh (bulk reads)", BULK), ("refresh (one by one)", ONE_BY_ONE)):
        with _server(bench, f"agency-{ms(latency):g}-{label[9:13]}", **extra_config) as server:
            pid = provider_pid(server)
            people, books = _engines(bench, server)

            def refresh(state: ResourceState, people: PerThread = people, books: PerThread = books) -> None:
                engine: Engine = (people if id(state) in customer_set else books).get()
                outcome = engine.refresh(state)
                assert outcome.state is not None, outcome.op

            row, _ = measure_phase(bench, pid, label, [*customer_states, *account_states], refresh, latency=latency)
            rows.append(row)
    for row in rows:
        row["latency_ms"] = ms(latency)
    rows[-1]["activation_s"] = round(activation, 3)
    return rows


def run(bench: Bench, customers: int, accounts: int, latencies: Sequence[float]) -> dict[str, Any]:
    provider_blob(CustomerProvider), provider_blob(AccountProvider)  # built before the worker threads race to
    rows = [row for latency in latencies for row in _one_latency(bench, customers, accounts, latency)]
    bench.reset()
    ratios = []
    for latency in latencies:
        at = {r["phase"]: r for r in rows if r["latency_ms"] == ms(latency)}
        bulk, single = at["refresh (bulk reads)"], at["refresh (one by one)"]
        ratios.append(
            {
                "latency_ms": ms(latency),
                "fewer_calls": round(single["calls"] / bulk["calls"], 1) if bulk["calls"] else None,
                "faster": round(single["seconds"] / bulk["seconds"], 2),
            }
        )
    return {
        "customers": customers,
        "accounts": accounts,
        "transport": TRANSPORT,
        "concurrency": ENGINE_CONCURRENCY,
        "rows": rows,
        "refresh_ratios": ratios,
    }
