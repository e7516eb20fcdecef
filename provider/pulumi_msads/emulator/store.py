"""The emulator's persistence: a small document store on SQLite.

The store knows nothing about customers or accounts beyond a kind, an id, an owner, a name and a
number to look them up by; the service layer (``backend``) owns every rule. Each entity keeps a
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
-- Every lookup is WHERE kind = ? AND <column> = ? ORDER BY id: each index ends with id, so the planner
-- finds the rows and their order in the index instead of walking the primary key past every other
-- entity (the first indexes lacked id, and SQLite preferred the primary key to avoid a sort).
-- tests/emulator/test_store_plans.py runs EXPLAIN QUERY PLAN on every query the store issues.
CREATE TABLE IF NOT EXISTS entities (
    kind      TEXT    NOT NULL,
    id        INTEGER NOT NULL,
    parent_id INTEGER,
    name      TEXT,
    number    TEXT,
    stamp     INTEGER NOT NULL,
    body      TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
);
DROP INDEX IF EXISTS entities_parent;
DROP INDEX IF EXISTS entities_name;
DROP INDEX IF EXISTS entities_number;
CREATE INDEX IF NOT EXISTS entities_by_parent ON entities (kind, parent_id, id);
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (kind, name COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS entities_by_number ON entities (kind, number, id);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Record:
    kind: str
    id: int
    parent_id: int | None
    name: str | None
    number: str | None
    stamp: int
    body: dict[str, Any]


class Transaction:
    """The operations available inside one ``Store.transaction()``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def next_value(self, counter: str, start: int) -> int:
        """The next value of a named counter; its first value is ``start``."""
        row = self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            (counter, start),
        ).fetchone()
        return int(row[0])

    def get(self, kind: str, entity_id: int) -> Record | None:
        row = self._db.execute(
            "SELECT kind, id, parent_id, name, number, stamp, body FROM entities WHERE kind = ? AND id = ?",
            (kind, entity_id),
        ).fetchone()
        return _record(row) if row else None

    def find(
        self,
        kind: str,
        *,
        parent_id: int | None = None,
        name: str | None = None,
        number: str | None = None,
    ) -> list[Record]:
        """Entities of ``kind`` matching every given criterion (names compare case-insensitively), by id."""
        clauses, params = ["kind = ?"], [kind]
        for column, value in (("parent_id", parent_id), ("number", number)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)  # type: ignore[arg-type]
        if name is not None:
            clauses.append("name = ? COLLATE NOCASE")
            params.append(name)
        rows = self._db.execute(
            "SELECT kind, id, parent_id, name, number, stamp, body FROM entities WHERE "
            + " AND ".join(clauses)
            + " ORDER BY id",
            params,
        ).fetchall()
        return [_record(row) for row in rows]

    def put(self, record: Record) -> Record:
        """Insert or replace an entity, giving it a fresh stamp; returns it as stored."""
        stamp = self.next_value("stamp", 1)
        self._db.execute(
            "INSERT OR REPLACE INTO entities (kind, id, parent_id, name, number, stamp, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.kind,
                record.id,
                record.parent_id,
                record.name,
                record.number,
                stamp,
                json.dumps(record.body, sort_keys=True),
            ),
        )
        return Record(record.kind, record.id, record.parent_id, record.name, record.number, stamp, record.body)


def _record(row: tuple[Any, ...]) -> Record:
    kind, entity_id, parent_id, name, number, stamp, body = row
    return Record(kind, entity_id, parent_id, name, number, stamp, json.loads(body))


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
