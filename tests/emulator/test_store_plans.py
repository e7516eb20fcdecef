"""Every query the emulator's store issues uses an index for its lookup and its order (EXPLAIN QUERY PLAN).

Without this the store was flat only on paper: SQLite answered ``WHERE kind = ? AND parent_id = ? ORDER BY id``
by walking the primary key over every entity of the kind, so an account lookup slowed down with every customer
stored. The queries are the ones a realistic workload makes, recorded as SQLite runs them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pulumi_msads.emulator.backend import Backend
from pulumi_msads.emulator.store import Store

from .support import account, customer, page, predicates


def workload(backend: Backend) -> None:
    """Signups, an added account, reads, an update, a delete and both searches: every kind of lookup."""
    aggregator = int(backend.op_GetUser({"UserId": None})["User"]["CustomerId"])
    created = [
        backend.op_SignupCustomer(
            {
                "Customer": customer(Name=f"Client {i}"),
                "Account": account(Name=f"Client {i} main"),
                "ParentCustomerId": aggregator,
            }
        )
        for i in range(3)
    ]
    first = created[0]
    backend.set_account_status(first["AccountId"], "Active")
    added = backend.op_AddAccount({"Account": account(Name="Second", ParentCustomerId=first["CustomerId"])})
    got = backend.op_GetAccount({"AccountId": added["AccountId"]})["Account"]
    backend.op_UpdateAccount({"Account": got | {"Name": "Second renamed"}})
    backend.op_GetAccountsInfo({"CustomerId": first["CustomerId"]})
    backend.op_GetCustomersInfo({"CustomerNameFilter": "Cli", "TopN": 10})
    backend.op_SearchAccounts(
        {"Predicates": predicates(("CustomerId", "Equals", str(first["CustomerId"]))), "PageInfo": page()}
    )
    backend.op_SearchCustomers({"Predicates": predicates(("CustomerName", "Contains", "Client")), "PageInfo": page()})
    stamp = backend.op_GetAccount({"AccountId": added["AccountId"]})["Account"]["TimeStamp"]
    backend.op_DeleteAccount({"AccountId": added["AccountId"], "TimeStamp": stamp})


@pytest.fixture
def queries(tmp_path: Path) -> list[str]:
    """The distinct SELECTs on ``entities`` that the workload made, as SQLite saw them."""
    store = Store(tmp_path / "plans.sqlite3")
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    workload(Backend(store))
    store._db.set_trace_callback(None)
    selects = [q for q in dict.fromkeys(seen) if q.lstrip().upper().startswith("SELECT") and "FROM entities" in q]
    store.close()
    return selects


def plan(db: sqlite3.Connection, query: str) -> list[str]:
    return [str(row[3]) for row in db.execute("EXPLAIN QUERY PLAN " + query).fetchall()]


def test_the_workload_exercises_every_kind_of_lookup(queries: list[str]) -> None:
    joined = "\n".join(queries)
    assert all(f"{column} =" in joined for column in ("parent_id", "id")), joined


def test_every_lookup_by_a_column_uses_an_index_and_needs_no_sort(tmp_path: Path, queries: list[str]) -> None:
    store = Store(tmp_path / "explain.sqlite3")
    bad = {}
    for query in queries:
        steps = plan(store._db, query)
        where = query.split("WHERE", 1)[1].split("ORDER BY")[0] if "WHERE" in query else ""
        by_column = any(f"{column} =" in where for column in ("parent_id", "name", "number"))
        if any("TEMP B-TREE" in s for s in steps) or (by_column and not any("entities_by_" in s for s in steps)):
            bad[query] = steps  # a sort, or the primary key walked over every entity of the kind
    store.close()
    assert bad == {}, bad


def test_a_lookup_by_owner_uses_the_owner_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "owner.sqlite3")
    steps = plan(store._db, "SELECT id FROM entities WHERE kind = 'account' AND parent_id = 1 ORDER BY id")
    store.close()
    assert any("entities_by_parent" in s for s in steps), steps
