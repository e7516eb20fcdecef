"""Store scale: the emulator's operations as its store grows from 300 to 100,000 customers (three accounts each).

The emulator stands in for a service that answers in the same time whatever it holds, so its store must stay flat:
a read, a write or a search that names ids, an owner or a name costs the same at 100,000 customers as at 300 (issue
12). The estate grows in place, size after size, seeded through ``POST /_emulator/seed`` in chunks (each customer
with three accounts, as the agency of ``bench.export``), and at each size every operation is timed through a bare
REST client: the request's JSON is encoded before the clock starts, and the clock covers the HTTP exchange alone
(the emulator's decoding, rules, store and encoding), at zero added latency, ``iterations`` calls per operation in a
rotating order, median milliseconds. Each call has a target of its own (random, repeatable), so that no answer is
read from a cache the last call warmed; writes read their TimeStamp first, off the clock.

GetUser is the exception by definition: its aggregator's LinkedAccountIds lists every account of every client
customer, so its answer grows with the agency (three ids per customer); the store reads them in one query.

Run alone: ``python -m bench.store_scale --sizes 300,3000,30000,100000`` prints the Markdown table and the JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from pulumi_msads import rest_codec, rest_operations
from pulumi_msads.emulator.process import EmulatorProcess

from .common import HEADERS, Bench, median
from .export import ACCOUNT_SUFFIXES, ADDRESS

SIZES = (300, 3_000, 30_000, 100_000)
ACCOUNTS_PER_CUSTOMER = 3
ITERATIONS = 15
SEED_CHUNK = 5_000
"""Customers per seed request: 100,000 at once would pass the control plane's 64 MiB body limit."""
IN_IDS = 100
PAGE = {"Index": 0, "Size": 100}
FLAT_RATIO = 2.0
"""Issue 12's target: each operation within this factor of its time at the smallest size."""
GROWS_BY_DEFINITION = "GetUser"
"""The one operation whose answer grows with the estate (every linked account id), so it has no flat target."""
OPERATIONS = {
    "GetCustomer": "GetCustomer",
    "GetAccount": "GetAccount",
    "GetAccountsInfo": "GetAccountsInfo (a customer's)",
    "SearchAccounts CustomerId": "SearchAccounts, CustomerId Equals",
    "SearchAccounts AccountId In": f"SearchAccounts, AccountId In ({IN_IDS} ids)",
    "SearchCustomers CustomerId In": f"SearchCustomers, CustomerId In ({IN_IDS} ids)",
    "SearchCustomers AccountId": "SearchCustomers, AccountId Equals",
    "SearchCustomers CustomerName": "SearchCustomers, CustomerName Equals",
    "UpdateAccount": "UpdateAccount (name)",
    "UpdateCustomer": "UpdateCustomer (name)",
    "AddAccount": "AddAccount",
    "SignupCustomer": "SignupCustomer",
    "GetUser": "GetUser (LinkedAccountIds: every client account, by definition)",
}


@dataclass(frozen=True)
class Client:
    """A client customer of the estate, as seeded: its id and name, and its accounts' ids."""

    id: int
    name: str
    account_ids: tuple[int, ...]


class Rest:
    """REST JSON over one HTTP session, as Microsoft's ``msads`` sends it, with nothing in between."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {HEADERS['AuthenticationToken']}",
                "DeveloperToken": HEADERS["DeveloperToken"],
            }
        )

    def prepared(self, operation: str, arguments: dict[str, Any]) -> Callable[[], bytes]:
        """The call, its JSON encoded now: calling it sends the request and returns the answer's bytes."""
        method, path = rest_operations.route(operation)
        payload = json.dumps(rest_codec.request_to_json(operation, arguments))

        def send() -> bytes:
            answer = self.session.request(method, self.base_url + path, data=payload, timeout=600)
            if answer.status_code != 200:
                raise RuntimeError(f"{operation}: HTTP {answer.status_code}: {answer.text[:500]}")
            return answer.content

        return send

    def call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        """The call's answer, decoded (for what a timed call needs first: a TimeStamp, the aggregator)."""
        answer: dict[str, Any] = rest_codec.response_from_json(
            operation, json.loads(self.prepared(operation, arguments)())
        )
        return answer


def _fixture(start: int, count: int) -> dict[str, Any]:
    """Customers ``start`` to ``start + count - 1`` of the estate, each with its three accounts."""
    customers = []
    for i in range(start, start + count):
        name = f"Scale Client {i:06d}"
        accounts = [
            {"Name": f"{name} - {suffix}", "CurrencyCode": "USD", "BusinessAddress": ADDRESS}
            for suffix in ACCOUNT_SUFFIXES[:ACCOUNTS_PER_CUSTOMER]
        ]
        customers.append(
            {
                "Name": name,
                "Industry": "Retail",
                "MarketCountry": "US",
                "MarketLanguage": "English",
                "accounts": accounts,
            }
        )
    return {"customers": customers}


def _grow(bench: Bench, clients: list[Client], size: int) -> float:
    """Seed customers until the estate holds ``size`` of them; the seconds it took."""
    started = time.perf_counter()
    while len(clients) < size:
        count = min(SEED_CHUNK, size - len(clients))
        for made in bench.control.seed(_fixture(len(clients), count))["customers"]:
            clients.append(Client(int(made["Id"]), str(made["Name"]), tuple(int(a["Id"]) for a in made["accounts"])))
    return time.perf_counter() - started


def _signup_body(name: str, parent: int) -> dict[str, Any]:
    return {
        "Customer": {"Name": name, "Industry": "Retail", "MarketCountry": "US", "MarketLanguage": "English"},
        "Account": {"Name": f"{name} - Search", "CurrencyCode": "USD", "BusinessAddress": ADDRESS},
        "ParentCustomerId": parent,
    }


def _renamed(name: str) -> str:
    """Another name, as short as the last: a trailing dot added or taken away."""
    return name[:-1] if name.endswith(".") else name + "."


def _search(field: str, operator: str, value: str) -> dict[str, Any]:
    return {"Predicates": {"Predicate": [{"Field": field, "Operator": operator, "Value": value}]}, "PageInfo": PAGE}


class Calls:
    """Each operation's next call against the estate, prepared off the clock: ``calls[name]()`` gives the call."""

    def __init__(self, rest: Rest, clients: list[Client], parent: int, size: int) -> None:
        self.rest, self.clients, self.parent, self.size = rest, clients, parent, size
        self.random = random.Random(size)
        self.fresh = iter(self.random.sample(range(len(clients)), len(clients)))  # AddAccount: once per customer
        self.signups = 0

    def _client(self) -> Client:
        return self.clients[self.random.randrange(len(self.clients))]

    def _account(self) -> int:
        return self.random.choice(self._client().account_ids)

    def _ids(self, accounts: bool) -> str:
        picked = self.random.sample(self.clients, IN_IDS)
        return ",".join(str(self.random.choice(c.account_ids) if accounts else c.id) for c in picked)

    def next(self, operation: str) -> Callable[[], bytes]:
        rest = self.rest
        if operation == "GetCustomer":
            return rest.prepared("GetCustomer", {"CustomerId": self._client().id})
        if operation == "GetAccount":
            return rest.prepared("GetAccount", {"AccountId": self._account()})
        if operation == "GetAccountsInfo":
            return rest.prepared("GetAccountsInfo", {"CustomerId": self._client().id, "OnlyParentAccounts": False})
        if operation == "SearchAccounts CustomerId":
            return rest.prepared("SearchAccounts", _search("CustomerId", "Equals", str(self._client().id)))
        if operation == "SearchAccounts AccountId In":
            return rest.prepared("SearchAccounts", _search("AccountId", "In", self._ids(accounts=True)))
        if operation == "SearchCustomers CustomerId In":
            return rest.prepared("SearchCustomers", _search("CustomerId", "In", self._ids(accounts=False)))
        if operation == "SearchCustomers AccountId":
            return rest.prepared("SearchCustomers", _search("AccountId", "Equals", str(self._account())))
        if operation == "SearchCustomers CustomerName":
            return rest.prepared("SearchCustomers", _search("CustomerName", "Equals", self._client().name))
        if operation == "UpdateAccount":
            account = rest.call("GetAccount", AccountId=self._account())["Account"]
            return rest.prepared("UpdateAccount", {"Account": {**account, "Name": _renamed(account["Name"])}})
        if operation == "UpdateCustomer":
            customer = rest.call("GetCustomer", CustomerId=self._client().id)["Customer"]
            return rest.prepared("UpdateCustomer", {"Customer": {**customer, "Name": _renamed(customer["Name"])}})
        if operation == "AddAccount":
            client = self.clients[next(self.fresh)]
            account = {"Name": f"{client.name} - Added", "CurrencyCode": "USD", "BusinessAddress": ADDRESS}
            return rest.prepared("AddAccount", {"Account": {**account, "ParentCustomerId": client.id}})
        if operation == "SignupCustomer":
            self.signups += 1
            return rest.prepared(
                "SignupCustomer", _signup_body(f"Scale Signup {self.size} {self.signups}", self.parent)
            )
        if operation == "GetUser":
            return rest.prepared("GetUser", {"UserId": None})
        raise KeyError(operation)


def _measure(calls: Calls, iterations: int, warmup: int) -> dict[str, float]:
    """Median ms per call of each operation: ``warmup`` untimed rounds, then ``iterations`` in a rotating order."""
    names = list(OPERATIONS)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(warmup + iterations):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            send = calls.next(name)
            started = time.perf_counter()
            send()
            elapsed = time.perf_counter() - started
            if i >= warmup:
                times[name].append(elapsed)
    return {name: round(median(values) * 1000, 3) for name, values in times.items()}


def run(bench: Bench, sizes: tuple[int, ...] = SIZES, iterations: int = ITERATIONS, warmup: int = 2) -> dict[str, Any]:
    """Every operation's median ms at each estate size (ascending), and the seconds seeding took to reach it."""
    sizes = tuple(sorted(set(sizes)))
    if sizes[0] < IN_IDS:
        raise ValueError(f"store sizes start at {IN_IDS} customers (a search names {IN_IDS} ids), not {sizes[0]}")
    bench.reset()
    rest = Rest(bench.control.base_url)
    parent = int(rest.call("GetUser", UserId=None)["User"]["CustomerId"])
    clients: list[Client] = []
    seed_s: dict[str, float] = {}
    by_size: dict[str, dict[str, float]] = {}
    for size in sizes:
        seed_s[str(size)] = round(_grow(bench, clients, size), 3)
        by_size[str(size)] = _measure(Calls(rest, clients, parent, size), iterations, warmup)
    first, last = str(sizes[0]), str(sizes[-1])
    ratios = {
        name: round(by_size[last][name] / by_size[first][name], 2) if by_size[first][name] else None
        for name in OPERATIONS
    }
    rows: list[dict[str, Any]] = [
        {
            "operation": name,
            "label": label,
            "ms": {size: by_size[size][name] for size in by_size},
            "ratio": ratios[name],
        }
        for name, label in OPERATIONS.items()
    ]
    bench.reset()
    return {
        "sizes": list(sizes),
        "accounts_per_customer": ACCOUNTS_PER_CUSTOMER,
        "iterations": iterations,
        "seed_s": seed_s,
        "rows": rows,
        "target": f"every operation but {GROWS_BY_DEFINITION} within {FLAT_RATIO:g}x of its time at the smallest size",
        "ok": all(
            ratio is not None and ratio <= FLAT_RATIO for name, ratio in ratios.items() if name != GROWS_BY_DEFINITION
        ),
    }


def markdown(section: dict[str, Any]) -> list[str]:
    """The table: one row per operation, a column per estate size (median ms per call), and the ratio."""
    sizes = [str(s) for s in section["sizes"]]
    ratio = f"{int(sizes[-1]):,} / {int(sizes[0]):,}"
    lines = [
        f"Median ms per call through a bare REST client, zero added latency, {section['iterations']} calls per "
        f"operation and size; columns: customers stored, {section['accounts_per_customer']} accounts each.",
        "",
        "| Operation | " + " | ".join(f"{int(s):,}" for s in sizes) + f" | {ratio} |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for row in section["rows"]:
        cells = [f"{row['ms'][s]:.2f}" for s in sizes]
        shown = "" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        lines.append(f"| {row['label']} | " + " | ".join(cells) + f" | {shown} |")
    seeded = ", ".join(f"{int(s):,}: {section['seed_s'][s]:.1f} s" for s in sizes)
    lines += [
        "",
        f"Seeding, to grow the estate to each size: {seeded}. "
        f"Target: {section['target']}: {'met' if section['ok'] else 'NOT met'}.",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="customers stored, comma-separated")
    parser.add_argument("--iterations", type=int, default=ITERATIONS, help="timed calls per operation and size")
    parser.add_argument("--json", type=Path, help="write the JSON there (default: stdout, after the table)")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="msads-bench-") as scratch, EmulatorProcess() as emulator:
        section = run(Bench(emulator, Path(scratch)), sizes, args.iterations)
    print("\n".join(markdown(section)))
    if args.json:
        args.json.write_text(json.dumps(section, indent=2) + "\n")
    else:
        print()
        print(json.dumps(section, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
