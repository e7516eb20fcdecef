"""Every query the emulator's store issues reads through an index (EXPLAIN QUERY PLAN), searches included.

Without this the store was flat only on paper: SQLite answered ``WHERE kind = ? AND parent_id = ? ORDER BY id``
by walking the primary key over every entity of the kind, so an account lookup slowed down with every customer
stored; and the searches read and decoded every entity of their kind to match predicates in Python. The queries
are the ones a realistic workload makes, every search shape among them, recorded as SQLite runs them.

The rule each plan must meet: every read of ``entities`` seeks an index on more than the kind, except

* a Contains predicate, which no b-tree can seek: it may scan the kind's entries of the index holding the folded
  text it looks in (``entities_by_name_key`` or ``entities_by_number_key``), the narrowest there is;
* a page with no condition an index holds (UserId Equals, perhaps with an AccountLifeCycleStatus, which is in
  the body), which walks the index of its order and stops at the page's end (it has a LIMIT);
* the users, of which the emulator has one.

A sort (TEMP B-TREE) is allowed over what such a seek or Contains scan found, never over a whole kind walked.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pulumi_msads.emulator.backend import Backend
from pulumi_msads.emulator.store import Record, Store

from .support import account, customer, page, predicates

FOLDED_INDEXES = {"name_key": "entities_by_name_key", "number_key": "entities_by_number_key"}


def _search_accounts(backend: Backend, *triples: tuple[str, str, str], **extra: Any) -> list[int]:
    request = {"Predicates": predicates(*triples), "PageInfo": page()} | extra
    return [int(a["Id"]) for a in backend.op_SearchAccounts(request)["Accounts"]["AdvertiserAccount"]]


def _search_customers(backend: Backend, *triples: tuple[str, str, str], **extra: Any) -> list[int]:
    request = {"Predicates": predicates(*triples), "PageInfo": page()} | extra
    return [int(c["Id"]) for c in backend.op_SearchCustomers(request)["Customers"]["Customer"]]


def _sign_up(backend: Backend, aggregator: int, name: str, account_name: str) -> dict[str, Any]:
    """A client customer and its account signed up under ``aggregator``; SignupCustomer's answer."""
    made: dict[str, Any] = backend.op_SignupCustomer(
        {"Customer": customer(Name=name), "Account": account(Name=account_name), "ParentCustomerId": aggregator}
    )
    return made


def workload(backend: Backend) -> None:
    """Signups, an added account, reads, an update, a delete and every search shape: every kind of lookup."""
    aggregator = int(backend.op_GetUser({"UserId": None})["User"]["CustomerId"])
    created = [_sign_up(backend, aggregator, f"Client {i}", f"Client {i} main") for i in range(3)]
    first = created[0]
    backend.set_account_status(first["AccountId"], "Active")
    added = backend.op_AddAccount({"Account": account(Name="Second", ParentCustomerId=first["CustomerId"])})
    got = backend.op_GetAccount({"AccountId": added["AccountId"]})["Account"]
    backend.op_UpdateAccount({"Account": got | {"Name": "Second renamed"}})
    backend.op_GetAccountsInfo({"CustomerId": first["CustomerId"]})
    backend.op_GetCustomersInfo({"CustomerNameFilter": "Cli", "TopN": 10})
    backend.op_GetCustomersInfo({"CustomerNameFilter": "", "TopN": 10})
    backend.op_GetUser({"UserId": None})  # LinkedAccountIds: the accounts of the aggregator's child customers
    account_ids = ",".join(str(c["AccountId"]) for c in created)
    customer_ids = ",".join(str(c["CustomerId"]) for c in created)
    by_name = {"Ordering": {"OrderBy": [{"Field": "Name", "Order": "Descending"}]}, "PageInfo": page(1, 2)}
    by_number = {"Ordering": {"OrderBy": [{"Field": "Number", "Order": "Descending"}]}}
    # SearchAccounts: each field it takes, alone, with a status, ordered and paged.
    _search_accounts(backend, ("CustomerId", "Equals", str(first["CustomerId"])))
    _search_accounts(backend, ("CustomerId", "Equals", str(first["CustomerId"])), **by_name)
    _search_accounts(backend, ("AccountId", "In", account_ids))
    _search_accounts(backend, ("AccountId", "Equals", str(first["AccountId"])))
    _search_accounts(backend, ("AccountName", "Equals", "Client 1 main"))
    _search_accounts(backend, ("AccountName", "Contains", "main"), **by_number)
    _search_accounts(backend, ("AccountNumber", "Equals", str(first["AccountNumber"]).lower()))
    _search_accounts(backend, ("AccountNumber", "Contains", str(first["AccountNumber"])[-4:]))
    _search_accounts(backend, ("AccountNumber", "In", f"{first['AccountNumber']}, {created[1]['AccountNumber']}"))
    _search_accounts(backend, ("UserId", "Equals", "12345"), **by_name)
    _search_accounts(backend, ("UserId", "Equals", "12345"), **by_number)
    _search_accounts(backend, ("UserId", "Equals", "12345"), ("AccountLifeCycleStatus", "Equals", "Active"))
    # SearchCustomers: ids, names, each account field, and a creation date checked over what they found.
    _search_customers(backend, ("CustomerId", "In", customer_ids), **by_name)
    _search_customers(backend, ("CustomerId", "Equals", str(first["CustomerId"])))
    _search_customers(backend, ("CustomerName", "Equals", "client 2"))
    _search_customers(backend, ("CustomerName", "Contains", "Client"))
    _search_customers(backend, ("AccountId", "Equals", str(created[2]["AccountId"])))
    _search_customers(backend, ("AccountName", "Equals", "Second renamed"), ("AccountNumber", "Contains", "F000"))
    _search_customers(backend, ("AccountName", "Contains", "main"), **by_number)
    _search_customers(backend, ("AccountNumber", "Equals", str(created[1]["AccountNumber"])))
    _search_customers(
        backend, ("CustomerName", "Contains", "Client"), ("CreatedDate", "GreaterThanEquals", "2020-01-01T00:00:00Z")
    )
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
    shapes = (
        "parent_id =",  # an owner's entities
        "id =",  # one entity
        "id IN (SELECT value FROM json_each",  # a list of ids
        "number_key IN (SELECT value FROM json_each",  # a list of numbers
        "name_key =",  # a name
        "instr(name_key",  # a name contains
        "instr(number_key",  # a number contains
        "id IN (SELECT parent_id FROM",  # customers by their accounts
        "parent_id IN (SELECT id FROM",  # accounts of the child customers
        "json_extract(body",  # a status
        "ORDER BY name_key DESC",
        "ORDER BY number DESC",
        "LIMIT",
    )
    assert [shape for shape in shapes if shape not in joined] == [], joined


def _reads(steps: list[str]) -> list[str]:
    return [s for s in steps if re.match(r"(SEARCH|SCAN) entities\b", s)]


def _unindexed_only(query: str) -> bool:
    """Whether the query's only conditions are the kind and ones no index holds (a status in the body)."""
    where = query.split(" WHERE ", 1)[1].split(" ORDER BY ", 1)[0]
    return all(t.startswith(("kind = ", "json_extract(body")) for t in where.split(" AND "))


def _problems(query: str, steps: list[str]) -> list[str]:
    """What is wrong with one query's plan, by the rules of this module's docstring."""
    problems = []
    for step in _reads(steps):
        narrowed = re.search(r"\(kind=\? AND ", step)
        index = re.search(r"USING (?:COVERING )?INDEX (\w+)", step)
        if narrowed and index:
            continue
        contains_scan = index is not None and any(
            f"instr({column}" in query and index[1] == name for column, name in FOLDED_INDEXES.items()
        )
        page_walk = _unindexed_only(query) and "LIMIT" in query
        users = "WHERE kind = 'user' " in query
        if not (contains_scan or page_walk or users):
            problems.append(f"reads the whole kind: {step}")
    whole_kind_walked = any(re.search(r"\(kind=\?\)$", s) for s in _reads(steps)) and "instr(" not in query
    if whole_kind_walked and any("TEMP B-TREE FOR ORDER BY" in s for s in steps):
        problems.append("sorts a whole kind")
    return problems


def test_every_read_uses_an_index_and_sorts_only_what_it_found(tmp_path: Path, queries: list[str]) -> None:
    store = Store(tmp_path / "explain.sqlite3")
    bad = {
        query: (_problems(query, steps), steps)
        for query in queries
        if _problems(query, steps := plan(store._db, query))
    }
    store.close()
    assert bad == {}, bad


def test_a_search_by_ids_reads_only_the_entities_it_names(tmp_path: Path) -> None:
    """No full-table decode: a search naming ids reads those rows, whatever else is stored."""
    store = Store(tmp_path / "ids.sqlite3")
    backend = Backend(store)
    aggregator = int(backend.op_GetUser({"UserId": None})["User"]["CustomerId"])
    made = [_sign_up(backend, aggregator, f"C{i:03d}", f"A{i:03d}") for i in range(20)]
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    found = _search_accounts(backend, ("AccountId", "In", f"{made[3]['AccountId']},{made[7]['AccountId']}"))
    store._db.set_trace_callback(None)
    assert found == [made[3]["AccountId"], made[7]["AccountId"]]
    searches = [q for q in seen if "json_each" in q]
    assert len(searches) == 1 and "LIMIT" in searches[0], seen
    store.close()


def test_folded_names_keep_casefolds_answers(tmp_path: Path) -> None:
    """Names compare casefolded (Python's, all of Unicode), not as SQLite's NOCASE (ASCII only) would."""
    store = Store(tmp_path / "fold.sqlite3")
    backend = Backend(store)
    aggregator = int(backend.op_GetUser({"UserId": None})["User"]["CustomerId"])
    made = _sign_up(backend, aggregator, "Straße Ölwerk", "Ölwerk")
    assert _search_customers(backend, ("CustomerName", "Equals", "STRASSE ÖLWERK")) == [made["CustomerId"]]
    assert _search_customers(backend, ("CustomerName", "Contains", "ssE Öl")) == [made["CustomerId"]]
    assert _search_customers(backend, ("AccountName", "Equals", "ölWERK")) == [made["CustomerId"]]
    info = backend.op_GetCustomersInfo({"CustomerNameFilter": "STRASS", "TopN": 5})["CustomersInfo"]["CustomerInfo"]
    assert [c["Id"] for c in info] == [made["CustomerId"]]
    store.close()


def test_a_store_written_before_the_folded_columns_gets_them(tmp_path: Path) -> None:
    """An older ``--db`` file opens with name_key and number_key filled in from its names and numbers."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE entities (kind TEXT NOT NULL, id INTEGER NOT NULL, parent_id INTEGER, name TEXT, number TEXT,"
        " stamp INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id));"
        "INSERT INTO entities VALUES ('customer', 7, NULL, 'Straße', 'C7', 1, '{}');"
    )
    db.commit()
    db.close()
    store = Store(path)
    with store.transaction() as tx:
        assert tx.find("customer", name="STRASSE") == [Record("customer", 7, None, "Straße", "C7", 1, {})]
    store.close()
