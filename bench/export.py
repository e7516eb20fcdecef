"""Section 9: ``msads export`` of an agency-sized estate, then its adoption, which must write nothing.

Issue 11's agency: 300 client customers with 900 accounts between them (three each: the primary account SignupCustomer
made, and two more as AddAccount makes them), seeded into the shared emulator in one ``EmulatorControl.seed`` call.
Then ``pulumi_msads.export.export`` reads it back through a ``ServiceClient`` on the default transport (REST), the
file it wrote is loaded with ``gitops.loads``, and every resource it declares is applied through the real provider
server, as the first ``pulumi up`` on the file would: each Customer (with ``adopt_id``) and then its Accounts, four
customers at a time (the Python dynamic-provider server runs four RPCs at once). The adoption must make no call that
changes the estate: no SignupCustomer, AddAccount, UpdateCustomer, UpdateAccount or DeleteAccount, and must find
every object by the id the file names.

Times are wall seconds of one run each, calls the emulator's counts. The provider server is started before the
adoption's clock starts; its worker threads' first calls (client construction) are inside it, as in a real ``up``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.harness import Engine, ProviderServer, provider_blob
from tests.samples import ACCOUNT_TYPE, CUSTOMER_TYPE, provider_config

from pulumi_msads import AccountProvider, CustomerProvider, gitops
from pulumi_msads.client import ServiceClient
from pulumi_msads.config import ProviderConfig
from pulumi_msads.export import export as export_estate

from .common import ENGINE_CONCURRENCY, Bench, PerThread, cpu_seconds, provider_pid, self_cpu

TRANSPORT = "rest"
"""The provider's default transport: what ``msads export`` and then ``pulumi up`` use unless told otherwise."""
ESTATE_CHANGING = ("SignupCustomer", "AddAccount", "UpdateCustomer", "UpdateAccount", "DeleteAccount")
MAX_ACCOUNTS = 6
"""Accounts a customer may have (the emulator's ``check_room``, as the service's)."""
ADDRESS = {
    "BusinessName": "Bench Agency Client",
    "Line1": "1 Microsoft Way",
    "City": "Redmond",
    "StateOrProvince": "WA",
    "PostalCode": "98052",
    "CountryCode": "US",
}
ACCOUNT_SUFFIXES = ("Search", "Brand", "Shopping", "Display", "Local", "Video")


def fixture(customers: int, accounts: int) -> dict[str, Any]:
    """An agency of ``customers`` client customers with ``accounts`` accounts in all, spread as evenly as possible."""
    if not customers <= accounts <= customers * MAX_ACCOUNTS:
        raise ValueError(f"{accounts} accounts cannot be spread over {customers} customers (one to six each)")
    each, extra = divmod(accounts, customers)
    entries = []
    for i in range(customers):
        name = f"Bench Client {i + 1:04d}"
        entries.append(
            {
                "Name": name,
                "Industry": "Retail",
                "MarketCountry": "US",
                "MarketLanguage": "English",
                "accounts": [
                    {"Name": f"{name} - {suffix}", "CurrencyCode": "USD", "BusinessAddress": ADDRESS}
                    for suffix in ACCOUNT_SUFFIXES[: each + (1 if i < extra else 0)]
                ],
            }
        )
    return {"customers": entries}


def _cpu(bench: Bench, server: ProviderServer | None = None) -> tuple[float, ...]:
    pids = [bench.emulator_pid] + ([provider_pid(server)] if server else [])
    return (self_cpu(), *(cpu_seconds(pid) for pid in pids))


def _cpu_row(before: tuple[float, ...], after: tuple[float, ...], parts: Sequence[str]) -> dict[str, float]:
    return {part: round(b - a, 3) for part, a, b in zip(parts, before, after, strict=True)}


def run(bench: Bench, customers: int, accounts: int) -> dict[str, Any]:
    bench.reset()
    agency = fixture(customers, accounts)

    # Seeding: one control-plane request, every entity checked by the rules of SignupCustomer and AddAccount.
    started = time.perf_counter()
    created = bench.control.seed(agency)["customers"]
    seed_s = time.perf_counter() - started
    seeded = {str(c["Id"]): {str(a["Id"]) for a in c["accounts"]} for c in created}
    assert len(seeded) == customers and sum(map(len, seeded.values())) == accounts

    # The export: a ServiceClient as the `msads export` command builds one from its settings.
    client = ServiceClient(ProviderConfig.from_sources(provider_config(bench.url, TRANSPORT), {}))
    bench.control.reset_calls()
    cpu_before = _cpu(bench)
    started = time.perf_counter()
    result = export_estate(client)
    export_s = time.perf_counter() - started
    export_cpu = _cpu_row(cpu_before, _cpu(bench), ("bench", "emulator"))
    export_calls = bench.control.calls()
    started = time.perf_counter()
    state = gitops.loads(result.text, "accounts.yaml")
    loads_s = time.perf_counter() - started
    declared = {
        str(entry.adopt_id): {str(account.adopt_id) for account in entry.accounts.values()}
        for entry in state.customers.values()
    }
    exported_all = result.customers == customers and result.accounts == accounts and not result.skipped
    assert exported_all, (result.customers, result.accounts, result.skipped)

    # The adoption: Customer then its Accounts, four customers at a time, through one provider server.
    provider_blob(CustomerProvider)  # built once, before the worker threads race to build (and cache) them
    provider_blob(AccountProvider)
    server = ProviderServer(provider_config(bench.url, TRANSPORT), log_dir=bench.log_dir / "export")
    with server:
        engines = PerThread(
            lambda: (Engine(server, CustomerProvider, CUSTOMER_TYPE), Engine(server, AccountProvider, ACCOUNT_TYPE))
        )

        def adopt(item: tuple[str, gitops.CustomerEntry]) -> tuple[str, set[str], list[str]]:
            """One customer's resources, as the engine's waves apply them: (customer id, account ids, steps)."""
            key, entry = item
            customer_engine, account_engine = engines.get()
            made = customer_engine.up_create(entry.customer_inputs(state.deletion_policy), name=key)
            assert made.state is not None, (key, made.op, made.failures)
            customer_id = str(made.state.outputs["customer_id"])
            ops = [made.op]
            adopted = {str(made.state.outputs["account_id"])}  # the primary account, found by its name
            for account_key, account in entry.accounts.items():
                inputs = {**gitops.account_inputs(account, state.deletion_policy), "customer_id": customer_id}
                added = account_engine.up_create(inputs, name=gitops.account_name(key, account_key))
                assert added.state is not None, (key, account_key, added.op, added.failures)
                adopted.add(str(added.state.outputs["account_id"]))
                ops.append(added.op)
            return customer_id, adopted, ops

        bench.control.reset_calls()
        cpu_before = _cpu(bench, server)
        started = time.perf_counter()
        with ThreadPoolExecutor(ENGINE_CONCURRENCY, thread_name_prefix="engine") as pool:
            outcomes = list(pool.map(adopt, state.customers.items()))
        adopt_s = time.perf_counter() - started
        adopt_cpu = _cpu_row(cpu_before, _cpu(bench, server), ("bench", "emulator", "provider"))
        adopt_calls = bench.control.calls()
    # Every resource found the object the file names (the customer and each additional account by its adopt_id),
    # and together they are the whole seeded agency, primary accounts included.
    adopted_ids = {customer_id: adopted for customer_id, adopted, _ in outcomes}
    same_ids = set(adopted_ids) == set(declared) == set(seeded) and all(
        declared[c] <= adopted_ids[c] and adopted_ids[c] == seeded[c] for c in seeded
    )
    resources = sum(len(ops) for _, _, ops in outcomes)
    writes = {op: adopt_calls.get(op, 0) for op in ESTATE_CHANGING}
    zero_writes = not any(writes.values())
    bench.reset()
    return {
        "transport": TRANSPORT,
        "concurrency": ENGINE_CONCURRENCY,
        "customers": customers,
        "accounts": accounts,
        "seed_s": round(seed_s, 3),
        "export": {
            "seconds": round(export_s, 3),
            "calls": dict(sorted(export_calls.items())),
            "total_calls": sum(export_calls.values()),
            "cpu_s": export_cpu,
            "customers": result.customers,
            "accounts": result.accounts,
            "bytes": len(result.text.encode("utf-8")),
            "loads_s": round(loads_s, 3),
            "complete": exported_all,
        },
        "adoption": {
            "seconds": round(adopt_s, 3),
            "resources": resources,
            "ops": dict(Counter(op for _, _, ops in outcomes for op in ops)),
            "calls": dict(sorted(adopt_calls.items())),
            "total_calls": sum(adopt_calls.values()),
            "cpu_s": adopt_cpu,
            "ms_per_resource": round(adopt_s * 1000 / resources, 3),
            "writes": writes,
            "zero_writes": zero_writes,
            "same_ids": same_ids,
        },
        "ok": exported_all and zero_writes and same_ids,
    }
