"""The repositories, the outbox and the state store of :mod:`leadmodel.storage.sql`
(SQLAlchemy Core).

They use their unit of work through :class:`Transaction` only, so this module does not import
the unit's (which imports this one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, Final, Protocol

import sqlalchemy as sa

from leadmodel.errors import ConcurrencyError, StorageError
from leadmodel.storage import _rows
from leadmodel.storage._unit import (
    AdapterOutbox,
    AdapterRepository,
    AdapterStates,
    StoredRows,
    Unpublished,
    listing,
    walk,
)
from leadmodel.storage.protocols import DEFAULT_PAGE_SIZE, EntityT, Indexed, StoredState
from leadmodel.storage.sql._tables import (
    KEYS,
    LEAD_FACTS,
    OUTBOX,
    STATES,
    STATUS_CHANGES,
    TABLES,
    projection_rows,
)
from leadmodel.storage.sql._text import VerbatimText

__all__ = ["Duplicate", "SqlOutbox", "SqlRepository", "SqlStates", "Transaction"]

_CHUNK: Final = 1000  # ids per ``IN (...)`` lookup


class Transaction(Protocol):
    """What the repositories and the outbox use of their unit of work: its transaction, and
    how its database stores ids and indexed text."""

    @property
    def dialect(self) -> str:
        """The database's SQLAlchemy dialect name: ``"postgresql"``, ``"sqlite"``..."""
        ...

    @property
    def text(self) -> VerbatimText:
        """The stored forms of ids and indexed values on this database."""
        ...

    def begin(self) -> sa.Connection:
        """The unit's connection in its transaction, begun if needed (outside ``with uow:``:
        :class:`~leadmodel.errors.StorageError`)."""
        ...

    def run(self, statement: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        """Execute in the unit's transaction; a unique key refusing an insert raises
        :class:`Duplicate`, other database errors a :class:`~leadmodel.errors.LeadModelError`."""
        ...


def _document(transaction: Transaction, column: sa.Column[str]) -> sa.ColumnElement[Any]:
    """The document column as read back. SQLite keeps whatever bytes a text column was given:
    read them as bytes, so a document that is not UTF-8 reaches serde (a ValidationError naming
    the row) instead of failing inside the driver. Other databases check encodings on write."""
    if transaction.dialect == "sqlite":
        return sa.cast(column, sa.LargeBinary())
    return column


class Duplicate(ConcurrencyError):
    """A row with the same key is stored already (a unique constraint refused the insert).

    The database does not say which entity: ``kind`` and ``id`` are ``None`` (``add_many``
    finds the id and raises the full :class:`~leadmodel.errors.ConcurrencyError` instead).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, kind=None, id=None)


class SqlRepository(AdapterRepository[EntityT]):
    """The entities of one kind in a :class:`~leadmodel.storage.sql.SqlUnitOfWork`."""

    def __init__(self, transaction: Transaction, kind: _rows.Kind) -> None:
        self._transaction = transaction
        self._kind = kind
        self._table = t = TABLES[kind.name]
        self._select = sa.select(t.c.id, _document(transaction, t.c.doc), t.c.seal)
        columns = ["version", "doc", "seal", "owner", "pipeline", "status", "created"]
        if kind.timeline:
            columns += ["owed", "idle"]
        self._update = (
            sa.update(t)
            .where(t.c.id == sa.bindparam("b_id"), t.c.version == sa.bindparam("b_version"))
            .values({c: sa.bindparam(c) for c in columns})
        )
        self._key_rows = KEYS.delete().where(
            KEYS.c.kind == kind.name, KEYS.c.id == sa.bindparam("b_id")
        )

    def _decode(self, found: Any) -> EntityT:
        """The entity of a stored ``(id, doc, seal)`` row."""
        entity: EntityT = _rows.decode(
            self._kind, self._transaction.text.id_back(found[0]), found[1], found[2]
        )
        return entity

    def _stored_id(self, id: str) -> str:
        return self._transaction.text.id(_rows.check_id(self._kind, id))

    def get(self, id: str) -> EntityT:
        found = self._transaction.run(self._select.where(self._table.c.id == self._stored_id(id)))
        row = found.first()
        if row is None:
            raise _rows.not_found(self._kind, id)
        return self._decode(row)

    def _find(self, wanted: _rows.Filters) -> list[EntityT]:
        return listing(self._kind, self._fetch, wanted)

    def _fetch(self, wanted: _rows.Filters) -> StoredRows:
        """``(id, document, seal)`` of the rows passing ``wanted``, in id order, the ids as
        the entities have them (:data:`~leadmodel.storage._unit.Fetch`)."""
        query = self._select.where(*self._where(wanted)).order_by(self._table.c.id)
        if wanted.limit is not None:
            query = query.limit(wanted.limit)
        back = self._transaction.text.id_back
        found: Iterable[Any] = self._transaction.run(query)
        return [(back(row[0]), row[1], row[2]) for row in found]

    def _count(self, wanted: _rows.Filters) -> int:
        query = sa.select(sa.func.count()).select_from(self._table).where(*self._where(wanted))
        return int(self._transaction.run(query).scalar_one())

    def _ids(self, wanted: _rows.Filters) -> list[str]:
        """The ids of the rows passing ``wanted``, in id order, as the entities have them (one
        query over the indexed columns; no document read)."""
        back = self._transaction.text.id_back
        return [back(row[0]) for row in self._listed(("id",), wanted)]

    def _indexed(self, wanted: _rows.Filters) -> list[Indexed]:
        """What the rows passing ``wanted`` index, in id order. An owner, pipeline or status
        too long to index is stored as its hash: that row's document is read for it."""
        timeline: tuple[str, ...] = ("owed", "idle") if self._kind.timeline else ()
        text = self._transaction.text
        out: list[Indexed] = []
        for row in self._listed((*_rows.INDEXED_COLUMNS, *timeline), wanted):
            row_id, version, owner, pipeline, status, *rest = row
            if any(map(text.hashed, (owner, pipeline, status))):
                out.append(
                    _rows.indexed_of(_rows.row_of(self._kind, self.get(text.id_back(row_id))))
                )
                continue
            back: tuple[str | None, ...] = (
                text.indexed_back(owner),
                text.indexed_back(pipeline),
                text.indexed_back(status),
            )
            out.append(_rows.indexed((text.id_back(row_id), version, *back, *rest)))
        return out

    def _listed(self, columns: tuple[str, ...], wanted: _rows.Filters) -> list[Any]:
        """``columns`` of the rows passing ``wanted``, in id order (one query)."""
        t = self._table
        query = sa.select(*(t.c[name] for name in columns)).where(*self._where(wanted))
        query = query.order_by(t.c.id)
        if wanted.limit is not None:
            query = query.limit(wanted.limit)
        return list(self._transaction.run(query))

    def _where(self, wanted: _rows.Filters) -> list[sa.ColumnElement[bool]]:
        text = self._transaction.text
        out: list[sa.ColumnElement[bool]] = []
        for column, operator, value in _rows.conditions(wanted):
            if column == "key":
                keyed = sa.select(KEYS.c.id).where(
                    KEYS.c.kind == self._kind.name, KEYS.c.key == text.indexed(value)
                )
                out.append(self._table.c.id.in_(keyed))
            elif column == "id":  # after: stored ids sort as the ids do (the escape keeps order)
                out.append(self._table.c.id > text.id(value))
            elif column in ("created", "owed", "idle"):  # a time range
                stored = self._table.c[column]
                out.append(stored >= value if operator == ">=" else stored < value)
            else:
                out.append(self._table.c[column] == text.indexed(value))
        return out

    def add_many(self, entities: Iterable[EntityT]) -> None:
        given = list(entities)
        rows = [_rows.row_of(self._kind, e) for e in given]
        conn = self._transaction.begin()
        if not rows:
            return
        values = [self._values(r) for r in rows]
        try:
            with conn.begin_nested():
                self._transaction.run(sa.insert(self._table), values)
                self._insert_keys(rows, [v["id"] for v in values])
                if self._kind.projected:
                    self._project(given, [v["id"] for v in values])
        except Duplicate:
            raise _rows.taken(self._kind, *self._first_taken([r.id for r in rows])) from None
        except sa.exc.DBAPIError as exc:  # the savepoint's end, after the database refused
            # (a full SQLite database rolls the whole transaction back, savepoint included)
            raise StorageError(f"the database refused the statement: {exc.orig}") from exc

    def _values(self, row: _rows.Row) -> dict[str, Any]:
        text = self._transaction.text
        return {
            "id": text.new_id(self._kind.name, row.id),
            "version": row.version,
            "doc": row.doc,
            "seal": _rows.seal_of(row.doc),
            "owner": text.indexed(row.owner),
            "pipeline": text.indexed(row.pipeline),
            "status": text.indexed(row.status),
            "created": row.created,
            **({"owed": row.owed, "idle": row.idle} if self._kind.timeline else {}),
        }

    def _project(self, leads: list[Any], stored_ids: list[str]) -> None:
        """Insert the analytics projection of ``leads`` (stored under ``stored_ids``)."""
        text = self._transaction.text
        facts: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for lead, stored_id in zip(leads, stored_ids, strict=True):
            fact, moves = projection_rows(text, _rows.projection(lead), stored_id)
            facts.append(fact)
            changes.extend(moves)
        self._transaction.run(sa.insert(LEAD_FACTS), facts)
        if changes:
            self._transaction.run(sa.insert(STATUS_CHANGES), changes)

    def _forget(self, stored_id: str) -> None:
        """Delete a lead's analytics projection."""
        self._transaction.run(sa.delete(LEAD_FACTS).where(LEAD_FACTS.c.id == stored_id))
        self._transaction.run(sa.delete(STATUS_CHANGES).where(STATUS_CHANGES.c.id == stored_id))

    def _insert_keys(self, rows: list[_rows.Row], stored_ids: list[str]) -> None:
        text, kind = self._transaction.text, self._kind.name
        pairs = [
            {"kind": kind, "key": text.indexed(key), "id": stored}
            for row, stored in zip(rows, stored_ids, strict=True)
            for key in row.keys
        ]
        if pairs:
            self._transaction.run(sa.insert(KEYS), pairs)

    def _first_taken(self, ids: list[str]) -> tuple[str, int | None]:
        """The first id of a failed batch that is stored (with its version) or repeats in it
        (version ``None``)."""
        text, column = self._transaction.text, self._table.c.id
        stored: dict[str, int] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = [text.id(i) for i in ids[start : start + _CHUNK]]
            query = sa.select(column, self._table.c.version).where(column.in_(chunk))
            found: list[Any] = list(self._transaction.run(query))
            stored.update((text.id_back(stored_id), version) for stored_id, version in found)
        seen: set[str] = set()
        for entity_id in ids:
            if entity_id in stored:
                return entity_id, stored[entity_id]
            if entity_id in seen:
                return entity_id, None
            seen.add(entity_id)
        return ids[0], None  # pragma: no cover - an IntegrityError always has a cause above

    def save(self, entity: EntityT) -> EntityT:
        row, saved = _rows.bumped(self._kind, entity)
        values = self._values(row)
        stored_id = values.pop("id")
        params = {**values, "b_id": stored_id, "b_version": entity.version}
        if self._transaction.run(self._update, params).rowcount != 1:
            found = self._transaction.run(
                sa.select(self._table.c.version).where(self._table.c.id == stored_id)
            ).first()
            if found is None:
                raise _rows.not_found(self._kind, row.id)
            raise _rows.stale(self._kind, entity, found[0])
        self._transaction.run(self._key_rows, {"b_id": stored_id})
        self._insert_keys([row], [stored_id])
        if self._kind.projected:
            self._forget(stored_id)
            self._project([saved], [stored_id])
        result: EntityT = saved
        return result

    def _reseal(self, after: str | None, size: int) -> tuple[str | None, Counter[str]]:
        """One page of ``reseal()`` (:data:`~leadmodel.storage._unit.ResealPage`; ``after`` a
        stored id). A seal is written only at the version read: a row saved meanwhile keeps
        the seal its save wrote."""
        t = self._table
        query = sa.select(t.c.id, _document(self._transaction, t.c.doc), t.c.seal, t.c.version)
        if after is not None:
            query = query.where(t.c.id > after)
        rows: list[Any] = list(self._transaction.run(query.order_by(t.c.id).limit(size)))
        back = self._transaction.text.id_back
        found: Counter[str] = Counter()
        sealed = []
        for stored_id, doc, seal, version in rows:
            outcome, new = _rows.reseal(self._kind, back(stored_id), doc, seal)
            found[outcome] += 1
            if new is not None:
                sealed.append({"b_id": stored_id, "b_version": version, "b_seal": new})
        if sealed:
            write = (
                sa.update(t)
                .where(t.c.id == sa.bindparam("b_id"), t.c.version == sa.bindparam("b_version"))
                .values(seal=sa.bindparam("b_seal"))
            )
            self._transaction.run(write, sealed)
        return (rows[-1][0] if len(rows) == size else None), found

    def remove(self, id: str) -> None:
        stored_id = self._stored_id(id)
        gone = self._transaction.run(sa.delete(self._table).where(self._table.c.id == stored_id))
        if gone.rowcount != 1:
            raise _rows.not_found(self._kind, id)
        self._transaction.run(self._key_rows, {"b_id": stored_id})
        if self._kind.projected:
            self._forget(stored_id)

    def iter_all(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[EntityT]:
        return walk(self._kind, self._fetch, page_size)


class SqlOutbox(AdapterOutbox):
    """The outbox table of a :class:`~leadmodel.storage.sql.SqlUnitOfWork`."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction
        self._unpublished_rows = (
            sa.select(OUTBOX.c.seq, OUTBOX.c.type, _document(transaction, OUTBOX.c.doc))
            .where(OUTBOX.c.published == sa.false())
            .order_by(OUTBOX.c.seq)
        )

    def _unpublished(self, limit: int) -> Unpublished:
        found: list[Any] = list(self._transaction.run(self._unpublished_rows.limit(limit)))
        return found

    def _publish(self, seqs: list[int]) -> None:
        self._transaction.begin()
        for start in range(0, len(seqs), _CHUNK):
            chunk = seqs[start : start + _CHUNK]
            done = sa.update(OUTBOX).where(OUTBOX.c.seq.in_(chunk)).values(published=True)
            self._transaction.run(done)


class SqlStates(AdapterStates):
    """The state store of a :class:`~leadmodel.storage.sql.SqlUnitOfWork`: the rows of
    ``leadmodel_states``, names stored as ids are (escaped on PostgreSQL, in code point order)."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction
        self._select = sa.select(STATES.c.version, _document(transaction, STATES.c.doc))

    def _name(self, name: str) -> sa.ColumnElement[bool]:
        return STATES.c.name == self._transaction.text.id(name)

    def _stored(self, name: str) -> StoredState | None:
        row: Any = self._transaction.run(self._select.where(self._name(name))).first()
        return None if row is None else _rows.decode_state(name, row[0], row[1])

    def _version(self, name: str) -> int | None:
        found = self._transaction.run(sa.select(STATES.c.version).where(self._name(name)))
        row = found.first()
        return None if row is None else int(row[0])

    def _insert(self, state: StoredState) -> bool:
        conn = self._transaction.begin()
        row = {
            "name": self._transaction.text.id(state.name),
            "version": state.version,
            "doc": _rows.state_document(state),
        }
        try:
            with conn.begin_nested():  # PostgreSQL: a refused insert must not end the unit
                self._transaction.run(sa.insert(STATES), row)
        except Duplicate:
            return False
        except sa.exc.DBAPIError as exc:  # the savepoint's end, after the database refused
            raise StorageError(f"the database refused the statement: {exc.orig}") from exc
        return True

    def _replace(self, state: StoredState) -> bool:
        changed = (
            sa.update(STATES)
            .where(self._name(state.name), STATES.c.version == state.version - 1)
            .values(version=state.version, doc=_rows.state_document(state))
        )
        return bool(self._transaction.run(changed).rowcount == 1)

    def _delete(self, name: str) -> bool:
        gone = self._transaction.run(sa.delete(STATES).where(self._name(name)))
        return bool(gone.rowcount == 1)

    def _names(self, prefix: str) -> list[str]:
        # the names in one range of the primary key: [prefix, the least text above them)
        text, column = self._transaction.text, STATES.c.name
        low = text.id(prefix)
        high = _rows.prefix_end(low)
        query = sa.select(column).where(column >= low).order_by(column)
        if high is not None:
            query = query.where(column < high)
        return [text.id_back(row[0]) for row in self._transaction.run(query)]
