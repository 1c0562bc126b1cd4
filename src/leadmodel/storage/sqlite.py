"""The embedded default: SQLite through the standard library's ``sqlite3``.

Each entity is a JSON document (:mod:`leadmodel.serde`) in a table of its kind, beside indexed
columns for lookups (owner, pipeline, status, creation time) and one row per match key in
``leadmodel_keys``; the state store's values are rows of ``leadmodel_states``. Every lead also
has its rows in the flat analytics projection (``leadmodel_lead_facts``, one per lead;
``leadmodel_status_changes``, one per history entry), written in the same transaction as the
lead, which :mod:`leadmodel.analytics.sql` reports on. The database
runs in WAL mode; a unit of work is one transaction. A unit that only reads takes no lock:
readers never wait for each other or for the writer. The first write takes the write lock
(``BEGIN IMMEDIATE``, or an upgrade of the reading transaction), so writing units in other
threads and processes wait for each other (up to ``timeout`` seconds) instead of failing
half-way. The schema carries its version in ``leadmodel_schema`` and is migrated forward when
a unit first connects; a database made by a newer leadmodel is refused, not damaged.

>>> import tempfile, pathlib
>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, Interest, Source
>>> path = pathlib.Path(tempfile.mkdtemp()) / "crm.sqlite"
>>> interest = Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
...     source=Source(channel=Channel.phone_call), topic="windows")
>>> uow = SQLiteUnitOfWork(path)
>>> with uow:
...     _ = uow.interests.add(interest)
...     uow.commit()
>>> with uow:
...     uow.interests.get("I-1") == interest
True
>>> uow.close()
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, Generic, ParamSpec, TypeVar

from leadmodel.errors import StorageError
from leadmodel.storage import _rows
from leadmodel.storage._rows import (
    KEYS_TABLE,
    LEAD_FACTS_TABLE,
    OUTBOX_TABLE,
    SCHEMA_TABLE,
    STATES_TABLE,
    STATUS_CHANGES_TABLE,
    Resealed,
    table,
)
from leadmodel.storage._unit import (
    AdapterOutbox,
    AdapterRepository,
    AdapterStates,
    AdapterUnit,
    StoredRows,
    UnitState,
    Unpublished,
    listing,
    reseal,
    walk,
)
from leadmodel.storage.protocols import DEFAULT_PAGE_SIZE, KINDS, EntityT, Indexed, StoredState

__all__ = ["SCHEMA_VERSION", "SQLiteUnitOfWork"]


def _kind_tables() -> list[str]:
    statements = []
    for kind in KINDS:
        name = table(kind)
        statements.append(
            f"CREATE TABLE {name} (id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, "
            "doc TEXT NOT NULL, owner TEXT, pipeline TEXT, status TEXT, created INTEGER)"
        )
        spec = _rows.KIND[kind]
        if spec.owner:
            statements.append(f"CREATE INDEX ix_{kind}_owner ON {name} (owner)")
        if spec.status:
            statements.append(f"CREATE INDEX ix_{kind}_status ON {name} (status)")
            statements.append(f"CREATE INDEX ix_{kind}_pipeline ON {name} (pipeline, status)")
        if spec.created:
            statements.append(f"CREATE INDEX ix_{kind}_created ON {name} (created)")
    return statements


def _paging_indexes() -> list[str]:
    """Version 2: the indexes of the equality filters (owner, status, pipeline and status) end
    in id, so a page of ``find(..., after=...)`` is one index range (:attr:`_rows.Kind.indexes`)."""
    statements = []
    for kind in KINDS:
        for suffix, columns in _rows.KIND[kind].indexes.items():
            if columns[-1] == "id":
                name = f"ix_{kind}_{suffix}"
                statements.append(f"DROP INDEX IF EXISTS {name}")
                statements.append(f"CREATE INDEX {name} ON {table(kind)} ({', '.join(columns)})")
    return statements


_LEADS = table("leads")


def _timeline_columns() -> list[str]:
    """Version 4: the leads' ``owed`` and ``idle`` columns and their indexes."""
    statements = [f"ALTER TABLE {_LEADS} ADD COLUMN {name} INTEGER" for name in ("owed", "idle")]
    for suffix in ("owed", "idle"):
        columns = ", ".join(_rows.KIND["leads"].indexes[suffix])
        statements.append(f"CREATE INDEX ix_leads_{suffix} ON {_LEADS} ({columns})")
    return statements


def _fill_timeline(conn: sqlite3.Connection) -> None:
    """Version 4: the ``owed`` and ``idle`` of the leads stored before it, read from their
    documents (one pass; a read of every lead document)."""
    read = f"SELECT id, CAST(doc AS BLOB) FROM {_LEADS} WHERE id > ? ORDER BY id LIMIT 1000"  # noqa: S608
    write = f"UPDATE {_LEADS} SET owed = ?, idle = ? WHERE id = ?"  # noqa: S608
    after = ""
    while rows := conn.execute(read, (after,)).fetchall():
        conn.executemany(write, [(*_rows.timeline_columns(*row), row[0]) for row in rows])
        after = rows[-1][0]


def _projection_tables() -> list[str]:
    """Version 5: the analytics projection, one row per lead and one per status change, with
    the columns of :data:`_rows.LEAD_FACT_COLUMNS` and :data:`_rows.STATUS_CHANGE_COLUMNS`."""

    def columns(spec: tuple[tuple[str, _rows.ColumnType], ...], key: tuple[str, ...]) -> str:
        typed = (
            f"{name} {'TEXT' if kind is str else 'INTEGER'}{' NOT NULL' if name in key else ''}"
            for name, kind in spec
        )
        return f"{', '.join(typed)}, PRIMARY KEY ({', '.join(key)})"

    return [
        f"CREATE TABLE {LEAD_FACTS_TABLE} ({columns(_rows.LEAD_FACT_COLUMNS, ('id',))})",
        f"CREATE INDEX ix_lead_facts_pipeline ON {LEAD_FACTS_TABLE} "
        f"({', '.join(_rows.FACTS_INDEX)})",
        f"CREATE TABLE {STATUS_CHANGES_TABLE} "
        f"({columns(_rows.STATUS_CHANGE_COLUMNS, ('id', 'seq'))}) WITHOUT ROWID",
    ]


def _marks(spec: tuple[tuple[str, Any], ...]) -> str:
    return f"({', '.join(name for name, _ in spec)}) VALUES ({', '.join('?' for _ in spec)})"


# Table names are constants of this module, never input: the f-strings are not injection.
_INSERT_FACT = f"INSERT INTO {LEAD_FACTS_TABLE} {_marks(_rows.LEAD_FACT_COLUMNS)}"
_INSERT_CHANGE = f"INSERT INTO {STATUS_CHANGES_TABLE} {_marks(_rows.STATUS_CHANGE_COLUMNS)}"
_DELETE_FACT = f"DELETE FROM {LEAD_FACTS_TABLE} WHERE id = ?"  # noqa: S608
_DELETE_CHANGES = f"DELETE FROM {STATUS_CHANGES_TABLE} WHERE id = ?"  # noqa: S608


def _write_projection(conn: sqlite3.Connection, projections: Iterable[_rows.Projection]) -> None:
    """Insert the projection rows of leads that have none."""
    made = list(projections)
    conn.executemany(_INSERT_FACT, [p.fact for p in made])
    conn.executemany(_INSERT_CHANGE, [change for p in made for change in p.changes])


_FACT_NAMES = ", ".join(name for name, _ in _rows.LEAD_FACT_COLUMNS)
_CHANGE_NAMES = ", ".join(name for name, _ in _rows.STATUS_CHANGE_COLUMNS)
_SELECT_FACT = f"SELECT {_FACT_NAMES} FROM {LEAD_FACTS_TABLE} WHERE id = ?"  # noqa: S608
_SELECT_CHANGES = f"SELECT {_CHANGE_NAMES} FROM {STATUS_CHANGES_TABLE} WHERE id = ? ORDER BY seq"  # noqa: S608


def _sync_projection(conn: sqlite3.Connection, rows: _rows.Projection) -> None:
    """A saved lead's projection rows made ``rows``, writing only what changed: the fact row
    when it differs, the history rows a move appended (all of them when the history was
    rewritten, by a merge)."""
    lead_id = rows.fact[0]
    if conn.execute(_SELECT_FACT, (lead_id,)).fetchone() != rows.fact:
        conn.execute(_DELETE_FACT, (lead_id,))
        conn.execute(_INSERT_FACT, rows.fact)
    stored = conn.execute(_SELECT_CHANGES, (lead_id,)).fetchall()
    held = len(stored)
    if held and tuple(stored) != rows.changes[:held]:
        conn.execute(_DELETE_CHANGES, (lead_id,))
        held = 0
    if held < len(rows.changes):
        conn.executemany(_INSERT_CHANGE, rows.changes[held:])


def _fill_projection(conn: sqlite3.Connection) -> None:
    """Version 5: the projection of the leads stored before it, read from their documents (one
    pass; an unreadable document gets no rows)."""
    conn.execute(f"DELETE FROM {LEAD_FACTS_TABLE}")  # noqa: S608 - a host may have made them
    conn.execute(f"DELETE FROM {STATUS_CHANGES_TABLE}")  # noqa: S608
    read = f"SELECT id, CAST(doc AS BLOB) FROM {_LEADS} WHERE id > ? ORDER BY id LIMIT 1000"  # noqa: S608
    after = ""
    while rows := conn.execute(read, (after,)).fetchall():
        found = (_rows.stored_projection(*row) for row in rows)
        _write_projection(conn, (p for p in found if p is not None))
        after = rows[-1][0]


Step = str | Callable[[sqlite3.Connection], None]
"""A migration step: an SQL statement, or a function that runs its own on the connection."""

MIGRATIONS: Final[tuple[tuple[int, tuple[Step, ...]], ...]] = (
    (
        1,
        (
            *_kind_tables(),
            f"CREATE TABLE {KEYS_TABLE} (kind TEXT NOT NULL, key TEXT NOT NULL, "
            "id TEXT NOT NULL, PRIMARY KEY (kind, key, id)) WITHOUT ROWID",
            f"CREATE INDEX ix_keys_id ON {KEYS_TABLE} (kind, id)",
            f"CREATE TABLE {OUTBOX_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "type TEXT NOT NULL, doc TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0)",
            f"CREATE INDEX ix_outbox_pending ON {OUTBOX_TABLE} (seq) WHERE published = 0",
        ),
    ),
    (2, tuple(_paging_indexes())),
    (
        3,
        (
            # the state store (StateStore): a named JSON document and its version
            f"CREATE TABLE {STATES_TABLE} (name TEXT PRIMARY KEY NOT NULL, "
            "version INTEGER NOT NULL, doc TEXT NOT NULL)",
        ),
    ),
    # the leads' timeline facts for the SLA sweep: find(owed_to=..., idle_to=...)
    (4, (*_timeline_columns(), _fill_timeline)),
    # the leads' analytics projection, for the reports of leadmodel.analytics.sql
    (5, (*_projection_tables(), _fill_projection)),
    # each document's seal (storage._rows.seal_of): rows stored before it have none, and are
    # read in full until saved again
    (6, tuple(f"ALTER TABLE {table(kind)} ADD COLUMN seal BLOB" for kind in KINDS)),
)
"""Schema migrations in order: (version, statements). Never edit one that shipped; add one."""

SCHEMA_VERSION: Final = MIGRATIONS[-1][0]
"""The schema version this leadmodel writes."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema of ``conn`` to :data:`SCHEMA_VERSION`; return the version found.

    Raises :class:`StorageError` for a database made by a newer leadmodel. A schema that is
    current is only read: opening a connection takes no write lock (readers never wait).
    """
    found = _schema_version(conn)
    if found == SCHEMA_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL)")
        found = conn.execute(f"SELECT max(version) FROM {SCHEMA_TABLE}").fetchone()[0] or 0  # noqa: S608
        if found > SCHEMA_VERSION:
            raise StorageError(_rows.newer_schema(found, SCHEMA_VERSION))
        for version, statements in MIGRATIONS:
            if version > found:
                for statement in statements:
                    if isinstance(statement, str):
                        conn.execute(statement)
                    else:
                        statement(conn)
                conn.execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (?)", (version,))  # noqa: S608
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(found)


def _schema_version(conn: sqlite3.Connection) -> int:
    """The recorded schema version, read without a lock (0 for a file with no schema table)."""
    try:
        found = conn.execute(f"SELECT max(version) FROM {SCHEMA_TABLE}").fetchone()[0]  # noqa: S608
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return 0
        raise
    return int(found or 0)


def locked(path: str, timeout: float, exc: sqlite3.Error, doing: str) -> str:
    """The message for a unit that could not open ``path`` or take its write lock: what the
    error really was (the write lock held by another connection, or a file that is not SQLite)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_BUSY:
        why = (
            f"another connection held the write lock (a unit of work writing, in this or another "
            f"process) for longer than timeout={timeout} s; readers never take it, so retry, "
            "keep writing units short, or raise timeout"
        )
    elif code == sqlite3.SQLITE_NOTADB:
        why = "the file is not an SQLite database; check the path"
    else:
        why = "check the path and the file's permissions"
    return f"SQLite database {path!r}: cannot {doing}: {exc} ({why})"


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _storage_errors(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn the ``sqlite3.Error`` a unit's or repository's statements raise (a full disk or
    database, a damaged file, a lock held too long) into :class:`StorageError`: no driver
    exception leaves the adapter. A repository's add_many handles IntegrityError itself."""

    @functools.wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            unit = getattr(args[0], "_unit", args[0])
            raise StorageError(
                f"SQLite database {getattr(unit, 'path', '?')!r} refused the statement: {exc} "
                "(a full disk or database, a damaged file, or a lock held too long); nothing "
                "of this unit is kept — fix the cause and run the unit again"
            ) from exc

    return run


_INDEXED: Final = ("owner", "pipeline", "status", "created")  # after id, version, doc
_TIMELINE_NAMES: Final = ("owed", "idle")  # leads only (schema version 4)
_COLUMNS = ", ".join(("id", "version", "doc", *_INDEXED))
_TIMELINE = "".join(f", {name}" for name in _TIMELINE_NAMES)
_TAKE_WRITE_LOCK = f"DELETE FROM {SCHEMA_TABLE} WHERE 0"  # noqa: S608 - a write that changes nothing
# Table names are constants of this module, never input: the f-strings below are not injection.
_INSERT_KEYS = f"INSERT INTO {KEYS_TABLE} (kind, key, id) VALUES (?, ?, ?)"  # noqa: S608
_DELETE_KEYS = f"DELETE FROM {KEYS_TABLE} WHERE kind = ? AND id = ?"  # noqa: S608
_DELETE_KEY = f"DELETE FROM {KEYS_TABLE} WHERE kind = ? AND key = ? AND id = ?"  # noqa: S608
_SELECT_KEYS = f"SELECT key FROM {KEYS_TABLE} WHERE kind = ? AND id = ?"  # noqa: S608
_HAS_KEY = f"id IN (SELECT id FROM {KEYS_TABLE} WHERE kind = ? AND key = ?)"  # noqa: S608


_MAX_READS: Final = 1_000
"""The most entities a repository remembers having read in one transaction (:class:`_Reads`)."""


class _Reads(Generic[EntityT]):
    """The entities a repository read in the unit's current transaction, by id: exactly what
    their rows hold, since nothing else writes them before the transaction ends (the unit holds
    a snapshot, then the write lock; a snapshot begun again forgets them all). A save over one
    of them then knows whether the key and projection rows stay as they are
    (:func:`~leadmodel.storage._rows.kept`) without making, reading and comparing them. Only
    the :data:`_MAX_READS` read last are kept: a speed-up, never a copy of the table."""

    def __init__(self) -> None:
        self._transaction = -1
        self._by_id: dict[str, EntityT] = {}

    def put(self, transaction: int, entity: EntityT) -> None:
        if transaction != self._transaction:
            self._by_id.clear()
            self._transaction = transaction
        by_id = self._by_id
        by_id.pop(entity.id, None)  # the latest read last
        by_id[entity.id] = entity
        if len(by_id) > _MAX_READS:
            del by_id[next(iter(by_id))]

    def get(self, transaction: int, entity: EntityT) -> EntityT | None:
        """The entity of ``entity``'s id and version read in ``transaction``, or ``None``."""
        if transaction != self._transaction:
            return None
        read = self._by_id.get(entity.id)
        return read if read is not None and read.version == entity.version else None

    def forget(self, entity_id: str) -> None:
        self._by_id.pop(entity_id, None)


class _Repository(AdapterRepository[EntityT]):
    def __init__(self, unit: SQLiteUnitOfWork, kind: _rows.Kind) -> None:
        self._unit = unit
        self._kind = kind
        self._reads: _Reads[EntityT] = _Reads()
        name = table(kind.name)
        # doc as bytes: a corrupted row that is not UTF-8 must reach serde (a ValidationError
        # naming the row), not fail inside sqlite3 while it decodes the text
        self._select = f"SELECT id, CAST(doc AS BLOB), seal FROM {name}"  # noqa: S608 - constant names
        extra = _TIMELINE if kind.timeline else ""
        marks = ", ?, ?" if kind.timeline else ""
        self._insert = (
            f"INSERT INTO {name} ({_COLUMNS}{extra}, seal) "  # noqa: S608 - constant names
            f"VALUES (?, ?, ?, ?, ?, ?, ?{marks}, ?)"
        )
        self._table = name
        self._columns = _INDEXED + (_TIMELINE_NAMES if kind.timeline else ())
        self._current = f"SELECT version, {', '.join(self._columns)} FROM {name} WHERE id = ?"  # noqa: S608
        self._version = f"SELECT version FROM {name} WHERE id = ?"  # noqa: S608
        self._delete = f"DELETE FROM {name} WHERE id = ?"  # noqa: S608

    def _decode(self, found: Sequence[Any]) -> EntityT:
        entity: EntityT = _rows.decode(self._kind, found[0], found[1], found[2])
        return entity

    @_storage_errors
    def get(self, id: str) -> EntityT:
        conn = self._unit._tx()
        found = conn.execute(f"{self._select} WHERE id = ?", (_rows.check_id(self._kind, id),))
        row = found.fetchone()
        if row is None:
            raise _rows.not_found(self._kind, id)
        entity = self._decode(row)
        self._reads.put(self._unit._transaction, entity)
        return entity

    def _find(self, wanted: _rows.Filters) -> list[EntityT]:
        return listing(self._kind, self._fetch, wanted)

    @_storage_errors
    def _fetch(self, wanted: _rows.Filters) -> StoredRows:
        """``(id, document)`` of the rows passing ``wanted``, in id order (:data:`Fetch`)."""
        where, params = where_clause(self._kind.name, wanted)
        # With only a time range and no statistics, SQLite would rather walk the whole table in
        # id order than use the time index; "+id" takes the order out of the index choice.
        timed = _ranged(wanted)
        sql = f"{self._select}{where} ORDER BY {'+id' if timed else 'id'}"
        if wanted.limit is not None:
            sql += " LIMIT ?"
            params.append(wanted.limit)
        found: StoredRows = self._unit._tx().execute(sql, params).fetchall()
        return found

    @_storage_errors
    def _count(self, wanted: _rows.Filters) -> int:
        where, params = where_clause(self._kind.name, wanted)
        sql = f"SELECT count(*) FROM {table(self._kind.name)}{where}"  # noqa: S608 - constant names
        return int(self._unit._tx().execute(sql, params).fetchone()[0])

    def _ids(self, wanted: _rows.Filters) -> list[str]:
        return [row[0] for row in self._listed("id", wanted)]

    def _indexed(self, wanted: _rows.Filters) -> list[Indexed]:
        columns = ", ".join(_rows.INDEXED_COLUMNS) + (_TIMELINE if self._kind.timeline else "")
        return [_rows.indexed(row) for row in self._listed(columns, wanted)]

    @_storage_errors
    def _listed(self, columns: str, wanted: _rows.Filters) -> list[tuple[Any, ...]]:
        """``columns`` (indexed ones: constants of this module) of the rows passing ``wanted``,
        in id order: one query, the documents left unread (a range picks its index; the rows
        are sorted)."""
        where, params = where_clause(self._kind.name, wanted)
        order = "+id" if _ranged(wanted) else "id"  # as _fetch: let a range pick its index
        sql = f"SELECT {columns} FROM {table(self._kind.name)}{where} ORDER BY {order}"  # noqa: S608
        if wanted.limit is not None:
            sql += " LIMIT ?"
            params.append(wanted.limit)
        found: list[tuple[Any, ...]] = self._unit._tx().execute(sql, params).fetchall()
        return found

    @_storage_errors
    def add_many(self, entities: Iterable[EntityT]) -> None:
        given = list(entities)
        rows = [_rows.row_of(self._kind, e) for e in given]
        conn = self._unit._tx(write=True)
        conn.execute("SAVEPOINT leadmodel_add")
        try:
            conn.executemany(self._insert, [_inserted(self._kind, r) for r in rows])
            self._insert_keys(conn, rows)
            if self._kind.projected:
                _write_projection(conn, _rows.projections(given))
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK TO leadmodel_add")
            conn.execute("RELEASE leadmodel_add")
            raise _rows.taken(self._kind, *self._first_taken([r.id for r in rows])) from None
        conn.execute("RELEASE leadmodel_add")

    def _first_taken(self, ids: list[str]) -> tuple[str, int | None]:
        """The first id of a failed batch that is stored (with its version) or repeats in it
        (version ``None``)."""
        seen: set[str] = set()
        conn = self._unit._tx()
        for entity_id in ids:
            stored = conn.execute(self._version, (entity_id,)).fetchone()
            if stored is not None:
                return entity_id, stored[0]
            if entity_id in seen:
                return entity_id, None
            seen.add(entity_id)
        return ids[0], None  # pragma: no cover - an IntegrityError always has a cause above

    def _insert_keys(self, conn: sqlite3.Connection, rows: list[_rows.Row]) -> None:
        kind = self._kind.name
        pairs = [(kind, key, r.id) for r in rows for key in r.keys]
        if pairs:
            conn.executemany(_INSERT_KEYS, pairs)

    @_storage_errors
    def save(self, entity: EntityT) -> EntityT:
        _rows.check_entity(self._kind, entity)
        conn = self._unit._tx(write=True)  # may begin the transaction again: reads after it
        transaction = self._unit._transaction
        read = self._reads.get(transaction, entity)
        keys_kept, rows_kept = (
            (False, False) if read is None else _rows.kept(self._kind, read, entity)
        )
        row, saved = _rows.bumped(self._kind, entity, keys=not keys_kept)
        stored = conn.execute(self._current, (row.id,)).fetchone()
        if stored is None:
            raise _rows.not_found(self._kind, row.id)
        if stored[0] != entity.version:
            raise _rows.stale(self._kind, entity, stored[0])
        # Only the indexed columns whose value changed are set: SQLite rewrites the entries of
        # every index over a column an UPDATE sets, changed or not (a save that keeps them, as
        # most do, then costs a third).
        wanted = _values(self._kind, row)[3:]  # the indexed columns, in self._columns' order
        changed: list[tuple[str, Any]] = [
            (n, v) for n, old, v in zip(self._columns, stored[1:], wanted, strict=True) if old != v
        ]
        sets = "".join(f", {n} = ?" for n, _ in changed)
        sql = (
            f"UPDATE {self._table} SET version = ?, doc = ?, seal = ?{sets} "  # noqa: S608 - constant names
            "WHERE id = ? AND version = ?"
        )
        seal = _rows.seal_of(row.doc)
        params = (row.version, row.doc, seal, *(v for _, v in changed), row.id, entity.version)
        if conn.execute(sql, params).rowcount != 1:  # pragma: no cover - the write lock is held
            raise _rows.stale(self._kind, entity, stored[0])
        if not keys_kept:
            self._sync_keys(conn, row)
        if self._kind.projected and not rows_kept:
            _sync_projection(conn, _rows.projection(saved))
        result: EntityT = saved
        self._reads.put(transaction, result)  # what its rows now hold
        return result

    def _sync_keys(self, conn: sqlite3.Connection, row: _rows.Row) -> None:
        """The entity's key rows made ``row.keys``: only those that changed are written (a save
        that keeps the keys, most saves, writes no key row and no index entry)."""
        kind = self._kind.name
        stored = {key for (key,) in conn.execute(_SELECT_KEYS, (kind, row.id))}
        wanted = set(row.keys)
        if gone := stored - wanted:
            conn.executemany(_DELETE_KEY, [(kind, key, row.id) for key in sorted(gone)])
        if new := wanted - stored:
            conn.executemany(_INSERT_KEYS, [(kind, key, row.id) for key in sorted(new)])

    @_storage_errors
    def remove(self, id: str) -> None:
        conn = self._unit._tx(write=True)
        if conn.execute(self._delete, (_rows.check_id(self._kind, id),)).rowcount != 1:
            raise _rows.not_found(self._kind, id)
        self._reads.forget(id)
        conn.execute(_DELETE_KEYS, (self._kind.name, id))
        if self._kind.projected:
            self._forget(conn, id)

    @staticmethod
    def _forget(conn: sqlite3.Connection, entity_id: str) -> None:
        """Delete a lead's projection rows."""
        conn.execute(_DELETE_FACT, (entity_id,))
        conn.execute(_DELETE_CHANGES, (entity_id,))

    def iter_all(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[EntityT]:
        return walk(self._kind, self._fetch, page_size)

    @_storage_errors
    def _reseal(self, after: str | None, size: int) -> tuple[str | None, Counter[str]]:
        """One page of ``reseal()`` (:data:`~leadmodel.storage._unit.ResealPage`), under the
        write lock: nothing changes a row between its reading and its seal."""
        conn = self._unit._tx(write=True)
        sql = f"{self._select} WHERE id > ? ORDER BY id LIMIT ?"
        rows = conn.execute(sql, (after or "", size)).fetchall()
        found: Counter[str] = Counter()
        sealed = []
        for row_id, doc, seal in rows:
            outcome, new = _rows.reseal(self._kind, row_id, doc, seal)
            found[outcome] += 1
            if new is not None:
                sealed.append((new, row_id))
        conn.executemany(f"UPDATE {self._table} SET seal = ? WHERE id = ?", sealed)  # noqa: S608
        return (rows[-1][0] if len(rows) == size else None), found


def _ranged(wanted: _rows.Filters) -> bool:
    """Whether ``wanted`` has a time range (creation, owed, idle): with only such a range and no
    statistics, SQLite would rather walk the whole table in id order than use the range's
    index, so listings order by ``+id`` (the order taken out of the index choice)."""
    return any(
        bound is not None
        for bound in (
            wanted.created_from,
            wanted.created_to,
            wanted.owed_from,
            wanted.owed_to,
            wanted.idle_from,
            wanted.idle_to,
        )
    )


def _inserted(kind: _rows.Kind, row: _rows.Row) -> tuple[Any, ...]:
    """The values of an entity's INSERT: :func:`_values`, then the document's seal."""
    return (*_values(kind, row), _rows.seal_of(row.doc))


def _values(kind: _rows.Kind, row: _rows.Row) -> tuple[Any, ...]:
    found = (row.id, row.version, row.doc, row.owner, row.pipeline, row.status, row.created)
    return (*found, row.owed, row.idle) if kind.timeline else found


def where_clause(kind: str, wanted: _rows.Filters) -> tuple[str, list[Any]]:
    """The ``WHERE`` part (with its parameters) for checked filters."""
    parts: list[str] = []
    params: list[Any] = []
    for column, operator, value in _rows.conditions(wanted):
        if column == "key":
            parts.append(_HAS_KEY)
            params.extend((kind, value))
        else:
            parts.append(f"{column} {operator} ?")
            params.append(value)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


# "published = 0", not "NOT published": SQLite uses the partial index only for its own term.
_UNPUBLISHED = (
    f"SELECT seq, type, CAST(doc AS BLOB) FROM {OUTBOX_TABLE} "  # noqa: S608
    "WHERE published = 0 ORDER BY seq LIMIT ?"
)
_PUBLISH = f"UPDATE {OUTBOX_TABLE} SET published = 1 WHERE seq = ?"  # noqa: S608


class _Outbox(AdapterOutbox):
    def __init__(self, unit: SQLiteUnitOfWork) -> None:
        self._unit = unit

    @_storage_errors
    def _unpublished(self, limit: int) -> Unpublished:
        found: Unpublished = self._unit._tx().execute(_UNPUBLISHED, (limit,)).fetchall()
        return found

    @_storage_errors
    def _publish(self, seqs: list[int]) -> None:
        self._unit._tx(write=True).executemany(_PUBLISH, [(s,) for s in seqs])


# doc as bytes, as the repositories read it: a corrupted row must reach serde, not fail in sqlite3
_STATE = f"SELECT version, CAST(doc AS BLOB) FROM {STATES_TABLE} WHERE name = ?"  # noqa: S608
_STATE_VERSION = f"SELECT version FROM {STATES_TABLE} WHERE name = ?"  # noqa: S608
_INSERT_STATE = f"INSERT INTO {STATES_TABLE} (name, version, doc) VALUES (?, ?, ?)"  # noqa: S608
_REPLACE_STATE = f"UPDATE {STATES_TABLE} SET version = ?, doc = ? WHERE name = ? AND version = ?"  # noqa: S608
_DELETE_STATE = f"DELETE FROM {STATES_TABLE} WHERE name = ?"  # noqa: S608
_STATE_NAMES = f"SELECT name FROM {STATES_TABLE} WHERE name >= ? ORDER BY name"  # noqa: S608
_STATE_NAMES_BELOW = f"SELECT name FROM {STATES_TABLE} WHERE name >= ? AND name < ? ORDER BY name"  # noqa: S608


class _States(AdapterStates):
    def __init__(self, unit: SQLiteUnitOfWork) -> None:
        self._unit = unit

    @_storage_errors
    def _stored(self, name: str) -> StoredState | None:
        row = self._unit._tx().execute(_STATE, (name,)).fetchone()
        return None if row is None else _rows.decode_state(name, row[0], row[1])

    @_storage_errors
    def _version(self, name: str) -> int | None:
        row = self._unit._tx().execute(_STATE_VERSION, (name,)).fetchone()
        return None if row is None else int(row[0])

    @_storage_errors
    def _insert(self, state: StoredState) -> bool:
        conn = self._unit._tx(write=True)
        try:
            conn.execute(_INSERT_STATE, (state.name, state.version, _rows.state_document(state)))
        except sqlite3.IntegrityError:  # the name is stored; only this statement is undone
            return False
        return True

    @_storage_errors
    def _replace(self, state: StoredState) -> bool:
        values = (state.version, _rows.state_document(state), state.name, state.version - 1)
        return self._unit._tx(write=True).execute(_REPLACE_STATE, values).rowcount == 1

    @_storage_errors
    def _delete(self, name: str) -> bool:
        return self._unit._tx(write=True).execute(_DELETE_STATE, (name,)).rowcount == 1

    @_storage_errors
    def _names(self, prefix: str) -> list[str]:
        # names in the index's range: [prefix, the least text above every name it begins)
        end = _rows.prefix_end(prefix)
        query = (_STATE_NAMES, (prefix,)) if end is None else (_STATE_NAMES_BELOW, (prefix, end))
        return [row[0] for row in self._unit._tx().execute(*query).fetchall()]


class SQLiteUnitOfWork(AdapterUnit):
    """A unit of work on an SQLite file (``":memory:"`` works too, for one unit object).

    The connection opens on first use and stays open between units (:meth:`close` ends it).
    One thread at a time: an object may pass from thread to thread (a web framework's
    dependency made in one worker and used by the handler in another), but two threads never
    use one object at once — give each request or worker its own. ``timeout``:
    how long a unit that writes waits for another writer before
    :class:`~leadmodel.errors.StorageError` (a unit that only reads never waits).
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self._wire(lambda kind: _Repository(self, kind), _Outbox(self), _States(self))
        self._state = UnitState("SQLiteUnitOfWork")
        self._conn: sqlite3.Connection | None = None
        self._writing = False  # the unit's transaction holds the write lock
        self._transaction = 0  # counts the transactions begun (what a repository read in)

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection (made, configured and migrated on first use)."""
        if self._conn is None:
            try:
                conn = sqlite3.connect(
                    self.path,
                    timeout=self.timeout,
                    isolation_level=None,
                    # one thread at a time, not always the same one: a web framework makes a
                    # request's unit in one worker thread and runs the handler in another
                    check_same_thread=False,
                )
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open SQLite database {self.path!r}: {exc}") from exc
            try:
                # migrate first: a database this leadmodel refuses is left exactly as it was
                migrate(conn)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                # Deleted and overwritten content is zeroed, not left in free pages: an erased
                # person's values must not survive in the file (docs/privacy.md).
                conn.execute("PRAGMA secure_delete = ON")
            except sqlite3.Error as exc:
                conn.close()
                raise StorageError(
                    locked(self.path, self.timeout, exc, "open it for leadmodel")
                ) from exc
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _tx(self, *, write: bool = False) -> sqlite3.Connection:
        """The connection, in the unit's transaction: a reading unit begins a deferred one (a
        WAL snapshot: it waits for nobody and nobody waits for it), and the first write takes
        the write lock, which the unit then holds until it ends."""
        self._state.require_open()
        conn = self.connection
        if not conn.in_transaction:
            self._begin(conn, "BEGIN IMMEDIATE" if write else "BEGIN")
            self._writing = write
        elif write and not self._writing:
            self._upgrade(conn)
        return conn

    def _begin(self, conn: sqlite3.Connection, statement: str) -> None:
        self._transaction += 1
        try:
            conn.execute(statement)
        except sqlite3.OperationalError as exc:
            raise StorageError(
                locked(self.path, self.timeout, exc, "start a unit that writes")
            ) from exc

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Take the write lock in a unit that has only read so far.

        SQLite does not wait for the lock inside a transaction: it refuses at once when another
        connection is writing, or has committed since this unit's first read (its snapshot is
        stale). The unit has written nothing yet, so it begins again with the write lock,
        waiting up to ``timeout``; what it read before is checked by the version every ``save``
        compares, so an entity changed in between raises ConcurrencyError, never overwritten.
        """
        try:
            conn.execute(_TAKE_WRITE_LOCK)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            conn.execute("ROLLBACK")
            self._begin(conn, "BEGIN IMMEDIATE")
        self._writing = True

    @_storage_errors
    def commit(self) -> None:
        """Write the unit's events to the outbox and commit the transaction.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> interest = lm.Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...     source=lm.Source(channel=lm.Channel.form), topic="chairs")
        >>> uow = lm.SQLiteUnitOfWork(":memory:")
        >>> with uow:
        ...     _ = uow.interests.add(interest)
        ...     uow.emit(lm.InterestCaptured.of(interest))
        ...     uow.commit()
        >>> with uow:
        ...     uow.interests.count(), [stored.event.type for stored in uow.outbox.pending()]
        (1, ['InterestCaptured'])
        >>> uow.close()
        """
        events = [_rows.encode_event(e) for e in self._state.events]
        erasure = _rows.is_erasure(self._state.events)
        conn = self._tx(write=bool(events))
        if events:
            sql = f"INSERT INTO {OUTBOX_TABLE} (type, doc) VALUES (?, ?)"  # noqa: S608
            conn.executemany(sql, events)
        conn.execute("COMMIT")
        self._state.clear_events()
        if erasure:
            # The WAL holds the erased values until a checkpoint copies the pages back:
            # copy them now and empty the WAL (a reader still open can delay it; see
            # docs/privacy.md).
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @_storage_errors
    def rollback(self) -> None:
        """Undo the unit's changes and drop its events.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> interest = lm.Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...     source=lm.Source(channel=lm.Channel.form), topic="chairs")
        >>> uow = lm.SQLiteUnitOfWork(":memory:")
        >>> with uow:
        ...     _ = uow.interests.add(interest)
        ...     uow.emit(lm.InterestCaptured.of(interest))
        ...     uow.rollback()
        ...     uow.interests.count(), uow.events
        (0, ())
        >>> uow.close()
        """
        if self._conn is not None and self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        self._state.clear_events()

    def reseal(self, *, page_size: int = 1_000) -> Resealed:
        """Seal the stored documents this leadmodel would otherwise check in full on every
        read — rows stored before schema version 6, or sealed by another leadmodel (a release
        whose checks differ) — so their reads are fast again: a row is sealed when it decodes,
        checked in full, and this leadmodel writes its entity as exactly the stored document.
        Run it after upgrading leadmodel; outside a unit (it runs one per ``page_size`` rows,
        each holding the write lock while it checks its rows).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.SQLiteUnitOfWork(":memory:")
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", occurred_at=at,
        ...         source=lm.Source(channel=lm.Channel.form), topic="chairs"))
        ...     uow.commit()
        >>> with uow:  # as an older leadmodel left it: no seal
        ...     _ = uow.connection.execute("UPDATE leadmodel_interests SET seal = NULL")
        ...     uow.commit()
        >>> uow.reseal()
        Resealed(sealed=1, kept=0, unreadable=0, outdated=0)
        >>> uow.reseal()
        Resealed(sealed=0, kept=1, unreadable=0, outdated=0)
        >>> uow.close()
        """
        return reseal(self, page_size)

    def close(self) -> None:
        """Close the connection (rolling back an unfinished unit).

        The next unit opens it again:

        >>> import pathlib, tempfile
        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.SQLiteUnitOfWork(pathlib.Path(tempfile.mkdtemp()) / "crm.sqlite")
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form),
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.commit()
        >>> uow.close()
        >>> with uow:
        ...     uow.interests.count()
        1
        >>> uow.close()
        """
        if self._conn is not None:
            self.rollback()
            self._conn.close()
            self._conn = None
