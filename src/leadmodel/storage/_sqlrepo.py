"""The repositories and the outbox of :mod:`leadmodel.storage.sql` (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

import sqlalchemy as sa

from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead
from leadmodel.errors import ConcurrencyError, NotFoundError
from leadmodel.storage import _rows
from leadmodel.storage._sqltables import KEYS, OUTBOX, TABLES
from leadmodel.storage._unit import RepositoryBase
from leadmodel.storage.protocols import DEFAULT_PAGE_SIZE, StoredEvent

if TYPE_CHECKING:
    from leadmodel.storage.sql import SqlUnitOfWork

__all__ = ["Duplicate", "SqlOutbox", "SqlRepository"]

T = TypeVar("T", Interest, Lead, Contact, Company, Customer)

_CHUNK: Final = 1000  # ids per ``IN (...)`` lookup


def _document(unit: SqlUnitOfWork, column: sa.Column[str]) -> sa.ColumnElement[Any]:
    """The document column as read back. SQLite keeps whatever bytes a text column was given:
    read them as bytes, so a document that is not UTF-8 reaches serde (a ValidationError naming
    the row) instead of failing inside the driver. Other databases check encodings on write."""
    if unit.engine.dialect.name == "sqlite":
        return sa.cast(column, sa.LargeBinary())
    return column


class Duplicate(ConcurrencyError):
    """A row with the same key is stored already (a unique constraint refused the insert)."""


class SqlRepository(RepositoryBase[T]):
    """The entities of one kind in a :class:`~leadmodel.storage.sql.SqlUnitOfWork`."""

    def __init__(self, unit: SqlUnitOfWork, kind: str) -> None:
        self._unit = unit
        self._kind = _rows.KIND[kind]
        self._table = t = TABLES[kind]
        self._select = sa.select(t.c.id, _document(unit, t.c.doc))
        self._update = (
            sa.update(t)
            .where(t.c.id == sa.bindparam("b_id"), t.c.version == sa.bindparam("b_version"))
            .values(
                {
                    c: sa.bindparam(c)
                    for c in ("version", "doc", "owner", "pipeline", "status", "created")
                }
            )
        )
        self._key_rows = KEYS.delete().where(KEYS.c.kind == kind, KEYS.c.id == sa.bindparam("b_id"))

    def _decode(self, found: Any) -> T:
        """The entity of a stored ``(id, doc)`` row."""
        entity: T = _rows.decode(self._kind, self._unit._text.id_back(found[0]), found[1])
        return entity

    def _stored_id(self, id: str) -> str:
        return self._unit._text.id(_rows.check_id(self._kind, id))

    def get(self, id: str) -> T:
        found = self._unit._run(self._select.where(self._table.c.id == self._stored_id(id)))
        row = found.first()
        if row is None:
            raise NotFoundError(f"no {self._kind.name} entry with id {id!r}")
        return self._decode(row)

    def _find(self, wanted: _rows.Filters) -> list[T]:
        query = self._select.where(*self._where(wanted)).order_by(self._table.c.id)
        if wanted.limit is not None:
            query = query.limit(wanted.limit)
        return [self._decode(r) for r in self._unit._run(query)]

    def _where(self, wanted: _rows.Filters) -> list[sa.ColumnElement[bool]]:
        text = self._unit._text
        out: list[sa.ColumnElement[bool]] = []
        for column, operator, value in _rows.conditions(wanted):
            if column == "key":
                keyed = sa.select(KEYS.c.id).where(
                    KEYS.c.kind == self._kind.name, KEYS.c.key == text.indexed(value)
                )
                out.append(self._table.c.id.in_(keyed))
            elif column == "created":
                stored = self._table.c.created
                out.append(stored >= value if operator == ">=" else stored < value)
            else:
                out.append(self._table.c[column] == text.indexed(value))
        return out

    def add_many(self, entities: Iterable[T]) -> None:
        rows = [_rows.row_of(self._kind, e) for e in entities]
        self._unit._state.require_open()
        if not rows:
            return
        values = [self._values(r) for r in rows]
        conn = self._unit._tx()
        try:
            with conn.begin_nested():
                self._unit._run(sa.insert(self._table), values)
                self._insert_keys(rows, [v["id"] for v in values])
        except Duplicate:
            taken = self._first_stored([r.id for r in rows])
            raise ConcurrencyError(
                f"{self._kind.name} entry {taken!r} is already stored; nothing was added"
            ) from None

    def _values(self, row: _rows.Row) -> dict[str, Any]:
        text = self._unit._text
        return {
            "id": text.new_id(self._kind.name, row.id),
            "version": row.version,
            "doc": row.doc,
            "owner": text.indexed(row.owner),
            "pipeline": text.indexed(row.pipeline),
            "status": text.indexed(row.status),
            "created": row.created,
        }

    def _insert_keys(self, rows: list[_rows.Row], stored_ids: list[str]) -> None:
        text, kind = self._unit._text, self._kind.name
        pairs = [
            {"kind": kind, "key": text.indexed(key), "id": stored}
            for row, stored in zip(rows, stored_ids, strict=True)
            for key in row.keys
        ]
        if pairs:
            self._unit._run(sa.insert(KEYS), pairs)

    def _first_stored(self, ids: list[str]) -> str:
        """The first id of a failed batch that was stored already (or repeats in the batch)."""
        text, column = self._unit._text, self._table.c.id
        stored: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = [text.id(i) for i in ids[start : start + _CHUNK]]
            found = self._unit._run(sa.select(column).where(column.in_(chunk)))
            stored.update(text.id_back(r[0]) for r in found)
        seen: set[str] = set()
        for entity_id in ids:
            if entity_id in seen or entity_id in stored:
                return entity_id
            seen.add(entity_id)
        return ids[0]  # pragma: no cover - an IntegrityError always has a cause above

    def save(self, entity: T) -> T:
        row, saved = _rows.bumped(self._kind, entity)
        values = self._values(row)
        stored_id = values.pop("id")
        params = {**values, "b_id": stored_id, "b_version": entity.version}
        if self._unit._run(self._update, params).rowcount != 1:
            found = self._unit._run(
                sa.select(self._table.c.version).where(self._table.c.id == stored_id)
            ).first()
            if found is None:
                raise NotFoundError(f"no {self._kind.name} entry with id {row.id!r} to save")
            raise ConcurrencyError(_rows.stale(self._kind, entity, found[0]))
        self._unit._run(self._key_rows, {"b_id": stored_id})
        self._insert_keys([row], [stored_id])
        result: T = saved
        return result

    def remove(self, id: str) -> None:
        stored_id = self._stored_id(id)
        gone = self._unit._run(sa.delete(self._table).where(self._table.c.id == stored_id))
        if gone.rowcount != 1:
            raise NotFoundError(f"no {self._kind.name} entry with id {id!r} to remove")
        self._unit._run(self._key_rows, {"b_id": stored_id})

    def iter_all(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[T]:
        size = _rows.check_page_size(page_size)
        after = ""
        column = self._table.c.id
        while True:
            query = self._select.where(column > after).order_by(column).limit(size)
            page = self._unit._run(query).all()
            for found in page:
                yield self._decode(found)
            if len(page) < size:
                return
            after = page[-1][0]

    def count(self) -> int:
        query = sa.select(sa.func.count()).select_from(self._table)
        return int(self._unit._run(query).scalar_one())


class SqlOutbox:
    """The outbox table of a :class:`~leadmodel.storage.sql.SqlUnitOfWork`."""

    def __init__(self, unit: SqlUnitOfWork) -> None:
        self._unit = unit

    def pending(self, *, limit: int = 100) -> list[StoredEvent]:
        size = _rows.check_limit(limit)
        query = (
            sa.select(OUTBOX.c.seq, OUTBOX.c.type, _document(self._unit, OUTBOX.c.doc))
            .where(OUTBOX.c.published == sa.false())
            .order_by(OUTBOX.c.seq)
            .limit(size)
        )
        found: list[Any] = list(self._unit._run(query))
        return [StoredEvent(seq=s, event=_rows.decode_event(s, t, d)) for s, t, d in found]

    def mark_published(self, seqs: Sequence[int]) -> None:
        wanted = _rows.check_seqs(seqs)
        self._unit._tx()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            done = sa.update(OUTBOX).where(OUTBOX.c.seq.in_(chunk)).values(published=True)
            self._unit._run(done)
