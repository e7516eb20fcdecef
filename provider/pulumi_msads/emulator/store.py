"""The emulator's persistence: a small document store on SQLite.

The store knows nothing about customers or accounts beyond a kind, an id, an owner, a name and a
number to look them up by; the service layer (``backend``) owns every rule. Lookups and searches
say what they want as a ``Match`` (ids, owners, names, numbers, a body field, owned entities), which
becomes one indexed query with its order and page, so that their cost follows what they find and
not what is stored. Each entity keeps a
``stamp``: a counter value shared by all kinds, bumped on every write, which the backend hands
out as the opaque ``TimeStamp`` the real service uses for optimistic concurrency.

Durability: WAL journal with ``synchronous=NORMAL``. A committed transaction is in the WAL file
before ``commit()`` returns, so killing the process (even with SIGKILL) loses nothing that was
acknowledged; only an operating-system crash could. All access goes through one connection under
a lock: SQLite allows one writer at a time anyway, and emulator operations take well under a
millisecond, so the lock costs less than per-thread connections contending on the file lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

SCHEMA = """
-- Every lookup is WHERE kind = ? AND <column> ... ORDER BY <column>, id: each index ends with id, so the planner
-- finds the rows and their order in the index instead of walking the primary key past every other entity (the
-- first indexes lacked id, and SQLite preferred the primary key to avoid a sort). name_key and number_key hold
-- the casefolded name and number (``fold``), which the searches compare and order by: SQLite's NOCASE and lower()
-- fold ASCII only, Python's casefold() all of Unicode (\u00df is ss), and the searches' answers are casefold's.
-- tests/emulator/test_store_plans.py runs EXPLAIN QUERY PLAN on every query a realistic workload makes.
CREATE TABLE IF NOT EXISTS entities (
    kind       TEXT    NOT NULL,
    id         INTEGER NOT NULL,
    parent_id  INTEGER,
    name       TEXT,
    number     TEXT,
    stamp      INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL DEFAULT '',
    number_key TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
INDEXES = """
DROP INDEX IF EXISTS entities_parent;
DROP INDEX IF EXISTS entities_name;
DROP INDEX IF EXISTS entities_number;
DROP INDEX IF EXISTS entities_by_name;
CREATE INDEX IF NOT EXISTS entities_by_parent ON entities (kind, parent_id, id);
CREATE INDEX IF NOT EXISTS entities_by_name_key ON entities (kind, name_key, id);
CREATE INDEX IF NOT EXISTS entities_by_number ON entities (kind, number, id);
CREATE INDEX IF NOT EXISTS entities_by_number_key ON entities (kind, number_key, id);
"""
"""Created after the columns they cover exist (a store written before name_key gets them first, ``_migrate``)."""
KEY_COLUMNS = ("name_key", "number_key")


def fold(text: str | None) -> str:
    """How names and numbers compare in a lookup or a search: casefolded, none as the empty text."""
    return (text or "").casefold()


@dataclass(frozen=True)
class Record:
    kind: str
    id: int
    parent_id: int | None
    name: str | None
    number: str | None
    stamp: int
    body: dict[str, Any]


TextOperator = Literal["equals", "contains", "starts"]
Text = tuple[TextOperator, str]
"""A condition on a folded name or number: equal to, containing or starting with ``fold(value)``."""


@dataclass(frozen=True)
class Match:
    """Which entities of one kind ``Transaction.select`` returns: those meeting every condition given.

    Each condition but ``body`` is one SQL term on an indexed column (``SCHEMA``), so that a search that
    names ids, an owner or a name reads the entities it names and not every entity of the kind; ``body``
    is checked on the rows the others find (or, alone, on those a page walks through). ``contains`` is the
    one that no b-tree can seek: it scans the kind's ``entities_by_name_key`` (or ``_number_key``) entries,
    the narrowest index holding the folded text, and reads only the rows that match.
    """

    kind: str
    ids: frozenset[int] | None = None
    parent_ids: frozenset[int] | None = None
    name: Text | None = None
    number: Text | None = None
    numbers: frozenset[str] | None = None
    """Any of these numbers (each folded)."""
    body: tuple[tuple[str, str], ...] = ()
    """(field, value): the body's field is this very text (json_extract, exact)."""
    parents: Match | None = None
    """Owned by an entity that meets this match (parent_id IN the ids it selects)."""
    children: tuple[Match, ...] = ()
    """Owning, for each of these matches, at least one entity that meets it (id IN the parent ids it selects)."""


ORDER_COLUMNS = {
    ("id", False): "id",
    ("id", True): "id DESC",
    ("name", False): "name_key, id",
    ("name", True): "name_key DESC, id DESC",
    ("number", False): "number, id",
    ("number", True): "number DESC, id",
}
"""ORDER BY of each ``select`` order (column, descending): by folded name then id; by number, ties by id ascending
either way (the stable sort the searches' paging had, in Python, over entities listed by id). A number is never
the empty text (the emulator makes every one, ``entities.customer_number``), so SQL's "none first" is Python's
"none as the empty text"."""


PRIMARY_KEY = "sqlite_autoindex_entities_1"
"""SQLite's name for the index of PRIMARY KEY (kind, id): the table's first key, so the same in every store."""
ORDER_INDEXES = {"id": PRIMARY_KEY, "name": "entities_by_name_key", "number": "entities_by_number"}


def _source(match: Match, order: str = "id") -> tuple[str, list[Any]]:
    """``entities INDEXED BY <index> WHERE ...`` for ``match``, and its parameters.

    The index is chosen here rather than by the planner, which has no statistics and, ordering by id,
    prefers walking the primary key over every entity of the kind to seeking an owner or a list of
    ids (then sorting the few rows found). The narrowest condition drives: ids (the primary key),
    owners, numbers, a name; then the ids of the owners or owned entities a sub-match selects; then
    a Contains, which scans the kind's entries of the index holding the folded text and reads the
    rows of the matches only; with no condition at all, the index of the order asked for.
    """
    terms: list[str] = ["kind = ?"]
    params: list[Any] = [match.kind]
    drivers: list[tuple[int, str]] = []
    for rank, column, values in (
        (0, "id", match.ids),
        (1, "parent_id", match.parent_ids),
        (2, "number_key", match.numbers),
    ):
        if values is None:
            continue
        listed = sorted(fold(str(v)) for v in values) if column == "number_key" else sorted(values)
        if len(listed) == 1:  # = keeps the index's id order after the value: no sort
            terms.append(f"{column} = ?")
            params.append(listed[0])
        else:  # one parameter however many values: json_each, not a placeholder per value
            terms.append(f"{column} IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(listed))
        drivers.append((rank, (PRIMARY_KEY, "entities_by_parent", "entities_by_number_key")[rank]))
    for column, text, index in (
        ("number_key", match.number, "entities_by_number_key"),
        ("name_key", match.name, "entities_by_name_key"),
    ):
        if text is not None:
            term, term_params = _text_term(column, *text)
            if term:
                terms.append(term)
                params += term_params
                seeks = text[0] != "contains"
                drivers.append((3 if seeks else 7 if column == "name_key" else 8, index))
    for field, value in match.body:
        terms.append("json_extract(body, ?) = ?")
        params += [f'$."{field}"', value]
    for child in match.children:
        inner, inner_params = _source(child)
        terms.append(f"id IN (SELECT parent_id FROM {inner})")
        params += inner_params
        drivers.append((5, PRIMARY_KEY))
    if match.parents is not None:
        inner, inner_params = _source(match.parents)
        terms.append(f"parent_id IN (SELECT id FROM {inner})")
        params += inner_params
        drivers.append((6, "entities_by_parent"))
    index = min(drivers)[1] if drivers else ORDER_INDEXES[order]
    return f"entities INDEXED BY {index} WHERE " + " AND ".join(terms), params


def _text_term(column: str, operator: TextOperator, value: str) -> tuple[str, list[Any]]:
    folded = fold(value)
    if operator == "equals":
        return f"{column} = ?", [folded]
    if operator == "contains":
        return f"instr({column}, ?) > 0", [folded]
    # starts: the range [prefix, the first text after every text starting with it), which an index can seek
    # (SQLite's BINARY order is the UTF-8 bytes', that is the code points', as Python's).
    successor = _successor(folded)
    if not folded:
        return "", []
    if successor is None:
        return f"{column} >= ?", [folded]
    return f"{column} >= ? AND {column} < ?", [folded, successor]


def _successor(prefix: str) -> str | None:
    """The least text greater than every text that starts with ``prefix``; None when there is none."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(0xE000 if last == 0xD7FF else last + 1)  # no surrogate: not UTF-8 text
        prefix = prefix[:-1]
    return None


class Transaction:
    """The operations available inside one ``Store.transaction()``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def next_value(self, counter: str, start: int) -> int:
        """The next value of a named counter; its first value is ``start``."""
        return self.next_values(counter, start, 1)

    def next_values(self, counter: str, start: int, count: int) -> int:
        """The first of ``count`` consecutive values of a named counter, taken at once; the first ever is ``start``."""
        row = self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + ? RETURNING value",
            (counter, start + count - 1, count),
        ).fetchone()
        return int(row[0]) - count + 1

    def get(self, kind: str, entity_id: int) -> Record | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM entities WHERE kind = ? AND id = ?", (kind, entity_id)
        ).fetchone()
        return _record(row) if row else None

    def find(self, kind: str, *, parent_id: int | None = None, name: str | None = None) -> list[Record]:
        """Entities of ``kind`` with this owner and this name (``fold``ed), by id."""
        return self.select(
            Match(
                kind,
                parent_ids=None if parent_id is None else frozenset({parent_id}),
                name=None if name is None else ("equals", name),
            )
        )

    def select(
        self, match: Match, *, order: tuple[str, bool] = ("id", False), limit: int | None = None, offset: int = 0
    ) -> list[Record]:
        """The entities meeting ``match``, ordered (``ORDER_COLUMNS``), ``limit`` of them from ``offset``."""
        source, params = _source(match, order[0])
        query = f"SELECT {_COLUMNS} FROM {source} ORDER BY {ORDER_COLUMNS[order]}"
        if limit is not None:
            query += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_record(row) for row in self._db.execute(query, params).fetchall()]

    def select_ids(self, match: Match) -> list[int]:
        """The ids of the entities meeting ``match``, in order, without reading their bodies."""
        source, params = _source(match)
        return [int(row[0]) for row in self._db.execute(f"SELECT id FROM {source} ORDER BY id", params)]

    def put(self, record: Record) -> Record:
        """Insert or replace an entity, giving it a fresh stamp; returns it as stored."""
        return self.put_all([record])[0]

    def put_all(self, records: list[Record]) -> list[Record]:
        """Insert or replace entities in one statement (``executemany``), each with a fresh stamp, in order."""
        if not records:
            return []
        first = self.next_values("stamp", 1, len(records))
        stored = [replace(r, stamp=first + i) for i, r in enumerate(records)]
        self._db.executemany(
            f"INSERT OR REPLACE INTO entities ({_COLUMNS}, name_key, number_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.kind,
                    r.id,
                    r.parent_id,
                    r.name,
                    r.number,
                    r.stamp,
                    json.dumps(r.body, sort_keys=True),
                    fold(r.name),
                    fold(r.number),
                )
                for r in stored
            ],
        )
        return stored


_COLUMNS = "kind, id, parent_id, name, number, stamp, body"


def _record(row: tuple[Any, ...]) -> Record:
    kind, entity_id, parent_id, name, number, stamp, body = row
    return Record(kind, entity_id, parent_id, name, number, stamp, json.loads(body))


def _migrate(db: sqlite3.Connection) -> None:
    """Give a store written before the folded columns existed its ``name_key`` and ``number_key``, filled in."""
    columns = {str(row[1]) for row in db.execute("PRAGMA table_info(entities)")}
    missing = [c for c in KEY_COLUMNS if c not in columns]
    if not missing:
        return
    db.create_function("msads_fold", 1, fold, deterministic=True)
    db.execute("BEGIN IMMEDIATE")
    for column in missing:
        db.execute(f"ALTER TABLE entities ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE entities SET name_key = msads_fold(name), number_key = msads_fold(number)")
    db.execute("COMMIT")


class Store:
    """A SQLite file (or ``:memory:``) holding the emulator's entities."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        _migrate(self._db)
        self._db.executescript(INDEXES)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One atomic unit of work: committed when the block ends, rolled back if it raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def reset(self) -> None:
        """Forget every entity and counter."""
        with self.transaction():
            self._db.execute("DELETE FROM entities")
            self._db.execute("DELETE FROM counters")

    def integrity_check(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
