"""The in-memory adapter: a real unit of work without a database (tests, notebooks, demos).

Changes of a unit are kept aside and copied into the store on commit, so a rollback really
undoes them, and two units over one :class:`MemoryStore` conflict as SQL transactions would:
a save whose version is stale raises :class:`~leadmodel.errors.ConcurrencyError` at ``save``,
or at ``commit`` when another unit committed in between.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, Interest, Source
>>> uow = MemoryUnitOfWork()
>>> interest = Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
...     source=Source(channel=Channel.phone_call), topic="windows")
>>> with uow:
...     _ = uow.interests.add(interest)
...     uow.commit()
>>> with uow:
...     uow.interests.get("I-1").topic
'windows'
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead
from leadmodel.errors import ConcurrencyError, NotFoundError
from leadmodel.storage import _rows
from leadmodel.storage._unit import RepositoryBase, UnitBase, UnitState
from leadmodel.storage.protocols import DEFAULT_PAGE_SIZE, StoredEvent

__all__ = ["MemoryStore", "MemoryUnitOfWork"]

T = TypeVar("T", Interest, Lead, Contact, Company, Customer)

_ABSENT = None  # version of a row that is not stored


@attrs.frozen
class _Stored:
    row: _rows.Row
    entity: Any


class MemoryStore:
    """The committed state that :class:`MemoryUnitOfWork` instances share (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tables: dict[str, dict[str, _Stored]] = {kind: {} for kind in _rows.KINDS}
        self.outbox: list[StoredEvent] = []


class _Repository(RepositoryBase[T]):
    def __init__(self, unit: MemoryUnitOfWork, kind: str) -> None:
        self._unit = unit
        self._kind = _rows.KIND[kind]

    def _view(self, entity_id: str) -> _Stored | None:
        return self._unit._read(self._kind.name, entity_id)

    def get(self, id: str) -> T:
        found = self._view(_rows.check_id(self._kind, id))
        if found is None:
            raise NotFoundError(f"no {self._kind.name} entry with id {id!r}")
        entity: T = found.entity
        return entity

    def _find(self, wanted: _rows.Filters) -> list[T]:
        out: list[T] = []
        for entity_id in self._unit._ids(self._kind.name):
            if wanted.limit is not None and len(out) >= wanted.limit:
                break
            found = self._view(entity_id)
            if found is not None and wanted.accepts(found.row):
                out.append(found.entity)
        return out

    def add_many(self, entities: Iterable[T]) -> None:
        batch = list(entities)
        rows = [_rows.row_of(self._kind, e) for e in batch]
        seen: set[str] = set()
        for row in rows:
            if row.id in seen or self._view(row.id) is not None:
                raise ConcurrencyError(_rows.taken(self._kind, row.id))
            seen.add(row.id)
        for row, entity in zip(rows, batch, strict=True):
            self._unit._write(self._kind.name, row.id, _Stored(row, entity))

    def save(self, entity: T) -> T:
        row, saved = _rows.bumped(self._kind, entity)
        stored = self._view(row.id)
        if stored is None:
            raise NotFoundError(f"no {self._kind.name} entry with id {row.id!r} to save")
        if stored.row.version != entity.version:
            raise ConcurrencyError(_rows.stale(self._kind, entity, stored.row.version))
        self._unit._write(self._kind.name, row.id, _Stored(row, saved))
        result: T = saved
        return result

    def remove(self, id: str) -> None:
        self.get(id)
        self._unit._write(self._kind.name, id, None)

    def iter_all(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[T]:
        _rows.check_page_size(page_size)
        for entity_id in self._unit._ids(self._kind.name):
            found = self._view(entity_id)
            if found is not None:
                yield found.entity

    def count(self) -> int:
        return sum(1 for i in self._unit._ids(self._kind.name) if self._view(i) is not None)


class _Outbox:
    def __init__(self, unit: MemoryUnitOfWork) -> None:
        self._unit = unit

    def pending(self, *, limit: int = 100) -> list[StoredEvent]:
        _rows.check_limit(limit)
        done = self._unit._published
        with self._unit.store.lock:
            waiting = [e for e in self._unit.store.outbox if not e.published and e.seq not in done]
        return waiting[:limit]

    def mark_published(self, seqs: Sequence[int]) -> None:
        self._unit._state.require_open()
        self._unit._published.update(_rows.check_seqs(seqs))


class MemoryUnitOfWork(UnitBase):
    """A unit of work over a :class:`MemoryStore` (a new, empty one unless one is passed).

    Make one per thread; units sharing a store see each other's commits.
    """

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self.interests: _Repository[Interest] = _Repository(self, "interests")
        self.leads: _Repository[Lead] = _Repository(self, "leads")
        self.contacts: _Repository[Contact] = _Repository(self, "contacts")
        self.companies: _Repository[Company] = _Repository(self, "companies")
        self.customers: _Repository[Customer] = _Repository(self, "customers")
        self.outbox = _Outbox(self)
        self._state = UnitState("MemoryUnitOfWork")
        self._changes: dict[str, dict[str, _Stored | None]] = {k: {} for k in _rows.KINDS}
        self._based_on: dict[tuple[str, str], int | None] = {}
        self._published: set[int] = set()

    def _start(self) -> None:
        self._forget()

    def commit(self) -> None:
        """Copy the unit's changes into the store, after checking nobody changed them since."""
        self._state.require_open()
        store = self.store
        with store.lock:
            for (kind, entity_id), version in self._based_on.items():
                now = store.tables[kind].get(entity_id)
                if (now.row.version if now else _ABSENT) != version:
                    self._forget()
                    raise ConcurrencyError(
                        f"{kind} entry {entity_id!r} was changed by another unit of work since "
                        "this one read it; nothing was committed — reload and try again"
                    )
            for kind, changes in self._changes.items():
                table = store.tables[kind]
                for entity_id, stored in changes.items():
                    if stored is None:
                        table.pop(entity_id, None)
                    else:
                        table[entity_id] = stored
            seq = store.outbox[-1].seq if store.outbox else 0
            for event in self._state.events:
                seq += 1
                store.outbox.append(StoredEvent(seq=seq, event=event))
            if self._published:
                store.outbox[:] = [
                    attrs.evolve(e, published=True) if e.seq in self._published else e
                    for e in store.outbox
                ]
        self._forget()

    def rollback(self) -> None:
        """Drop the unit's changes and events."""
        self._forget()

    def _forget(self) -> None:
        for changes in self._changes.values():
            changes.clear()
        self._based_on.clear()
        self._published.clear()
        self._state.clear_events()

    # -- reads and writes through the unit's changes -----------------------------------------
    def _read(self, kind: str, entity_id: str) -> _Stored | None:
        self._state.require_open()
        changes = self._changes[kind]
        if entity_id in changes:
            return changes[entity_id]
        return self.store.tables[kind].get(entity_id)

    def _write(self, kind: str, entity_id: str, stored: _Stored | None) -> None:
        self._state.require_open()
        if (kind, entity_id) not in self._based_on:
            base = self.store.tables[kind].get(entity_id)
            self._based_on[kind, entity_id] = base.row.version if base else _ABSENT
        self._changes[kind][entity_id] = stored

    def _ids(self, kind: str) -> list[str]:
        self._state.require_open()
        with self.store.lock:
            ids = set(self.store.tables[kind])
        ids.update(self._changes[kind])
        return sorted(ids)
