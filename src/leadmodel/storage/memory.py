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

import bisect
import itertools
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from leadmodel.storage import _rows
from leadmodel.storage._unit import AdapterRepository, AdapterStates, AdapterUnit, UnitState
from leadmodel.storage.protocols import (
    DEFAULT_PAGE_SIZE,
    KINDS,
    EntityT,
    Indexed,
    StoredEvent,
    StoredState,
)

__all__ = ["MemoryStore", "MemoryUnitOfWork"]

_ABSENT = None  # version of a row that is not stored


@attrs.frozen
class _Stored:
    row: _rows.Row
    entity: Any


class MemoryStore:
    """The committed state that :class:`MemoryUnitOfWork` instances share (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tables: dict[str, dict[str, _Stored]] = {kind: {} for kind in KINDS}
        self.outbox: list[StoredEvent] = []
        self.states: dict[str, StoredState] = {}


class _Repository(AdapterRepository[EntityT]):
    def __init__(self, unit: MemoryUnitOfWork, kind: _rows.Kind) -> None:
        self._unit = unit
        self._kind = kind

    def _view(self, entity_id: str) -> _Stored | None:
        return self._unit._read(self._kind.name, entity_id)

    def get(self, id: str) -> EntityT:
        found = self._view(_rows.check_id(self._kind, id))
        if found is None:
            raise _rows.not_found(self._kind, id)
        entity: EntityT = found.entity
        return entity

    def _find(self, wanted: _rows.Filters) -> list[EntityT]:
        return [found.entity for found in self._matching(wanted)]

    def _ids(self, wanted: _rows.Filters) -> list[str]:
        return [found.row.id for found in self._matching(wanted)]

    def _indexed(self, wanted: _rows.Filters) -> list[Indexed]:
        return [_rows.indexed_of(found.row) for found in self._matching(wanted)]

    def _matching(self, wanted: _rows.Filters) -> list[_Stored]:
        """The stored entities passing ``wanted``, in id order."""
        out: list[_Stored] = []
        ids = self._unit._ids(self._kind.name)
        start = 0 if wanted.after is None else bisect.bisect_right(ids, wanted.after)
        for entity_id in itertools.islice(ids, start, None):
            if wanted.limit is not None and len(out) >= wanted.limit:
                break
            found = self._view(entity_id)
            if found is not None and wanted.accepts(found.row):
                out.append(found)
        return out

    def _count(self, wanted: _rows.Filters) -> int:
        views = map(self._view, self._unit._ids(self._kind.name))
        return sum(1 for found in views if found is not None and wanted.accepts(found.row))

    def add_many(self, entities: Iterable[EntityT]) -> None:
        batch = list(entities)
        rows = [_rows.row_of(self._kind, e) for e in batch]
        seen: set[str] = set()
        for row in rows:
            stored = self._view(row.id)
            if stored is not None:
                raise _rows.taken(self._kind, row.id, stored.row.version)
            if row.id in seen:
                raise _rows.taken(self._kind, row.id, None)
            seen.add(row.id)
        for row, entity in zip(rows, batch, strict=True):
            self._unit._write(self._kind.name, row.id, _Stored(row, entity))

    def save(self, entity: EntityT) -> EntityT:
        row, saved = _rows.bumped(self._kind, entity)
        stored = self._view(row.id)
        if stored is None:
            raise _rows.not_found(self._kind, row.id)
        if stored.row.version != entity.version:
            raise _rows.stale(self._kind, entity, stored.row.version)
        self._unit._write(self._kind.name, row.id, _Stored(row, saved))
        result: EntityT = saved
        return result

    def remove(self, id: str) -> None:
        self.get(id)
        self._unit._write(self._kind.name, id, None)

    def iter_all(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[EntityT]:
        _rows.check_page_size(page_size)
        for entity_id in self._unit._ids(self._kind.name):
            found = self._view(entity_id)
            if found is not None:
                yield found.entity


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


class _States(AdapterStates):
    def __init__(self, unit: MemoryUnitOfWork) -> None:
        self._unit = unit

    def _stored(self, name: str) -> StoredState | None:
        return self._unit._read_state(name)

    def _version(self, name: str) -> int | None:
        stored = self._stored(name)
        return None if stored is None else stored.version

    def _insert(self, state: StoredState) -> bool:
        if self._stored(state.name) is not None:
            return False
        self._unit._write_state(state.name, state)
        return True

    def _replace(self, state: StoredState) -> bool:
        if self._version(state.name) != state.version - 1:
            return False
        self._unit._write_state(state.name, state)
        return True

    def _delete(self, name: str) -> bool:
        if self._stored(name) is None:
            return False
        self._unit._write_state(name, None)
        return True

    def _names(self, prefix: str) -> list[str]:
        self._unit._state.require_open()
        with self._unit.store.lock:
            names = {name for name in self._unit.store.states if name.startswith(prefix)}
        names.update(name for name in self._unit._state_changes if name.startswith(prefix))
        return sorted(name for name in names if self._stored(name) is not None)


class MemoryUnitOfWork(AdapterUnit):
    """A unit of work over a :class:`MemoryStore` (a new, empty one unless one is passed).

    Make one per thread; units sharing a store see each other's commits.
    """

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self._wire(lambda kind: _Repository(self, kind), _Outbox(self), _States(self))
        self._state = UnitState("MemoryUnitOfWork")
        self._changes: dict[str, dict[str, _Stored | None]] = {k: {} for k in KINDS}
        self._state_changes: dict[str, StoredState | None] = {}
        self._based_on: dict[tuple[str, str], int | None] = {}
        self._published: set[int] = set()

    def _start(self) -> None:
        self._forget()

    def commit(self) -> None:
        """Copy the unit's changes into the store, after checking nobody changed them since.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> interest = lm.Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...     source=lm.Source(channel=lm.Channel.form), topic="chairs")
        >>> store = lm.MemoryStore()
        >>> mine, theirs = lm.MemoryUnitOfWork(store), lm.MemoryUnitOfWork(store)
        >>> with mine:
        ...     _ = mine.interests.add(interest)
        ...     with theirs:  # another unit over the store commits the same id first
        ...         _ = theirs.interests.add(interest)
        ...         theirs.commit()
        ...     mine.commit()
        Traceback (most recent call last):
        ...
        leadmodel.errors.ConcurrencyError: interests entry 'I-1' was changed by another unit ...
        """
        self._state.require_open()
        store = self.store
        with store.lock:
            for (kind, entry), version in self._based_on.items():
                found = self._committed_version(kind, entry)
                if found != version:
                    self._forget()
                    raise _rows.changed_since_read(kind, entry, version, found)
            for kind, changes in self._changes.items():
                _apply(store.tables[kind], changes)
            _apply(store.states, self._state_changes)
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
        """Drop the unit's changes and events.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> interest = lm.Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...     source=lm.Source(channel=lm.Channel.form), topic="chairs")
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.interests.add(interest)
        ...     uow.emit(lm.InterestCaptured.of(interest))
        ...     uow.rollback()
        ...     uow.interests.count(), uow.events
        (0, ())
        """
        self._forget()

    def _forget(self) -> None:
        for changes in self._changes.values():
            changes.clear()
        self._state_changes.clear()
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
            self._based_on[kind, entity_id] = self._committed_version(kind, entity_id)
        self._changes[kind][entity_id] = stored

    def _read_state(self, name: str) -> StoredState | None:
        self._state.require_open()
        if name in self._state_changes:
            return self._state_changes[name]
        return self.store.states.get(name)

    def _write_state(self, name: str, state: StoredState | None) -> None:
        self._state.require_open()
        if (_rows.STATES, name) not in self._based_on:
            self._based_on[_rows.STATES, name] = self._committed_version(_rows.STATES, name)
        self._state_changes[name] = state

    def _committed_version(self, kind: str, entry: str) -> int | None:
        """The version of an entity (or a state: kind ``"states"``) the store holds."""
        if kind == _rows.STATES:
            state = self.store.states.get(entry)
            return state.version if state else _ABSENT
        stored = self.store.tables[kind].get(entry)
        return stored.row.version if stored else _ABSENT

    def _ids(self, kind: str) -> list[str]:
        self._state.require_open()
        with self.store.lock:
            ids = set(self.store.tables[kind])
        ids.update(self._changes[kind])
        return sorted(ids)


_V = TypeVar("_V")


def _apply(table: dict[str, _V], changes: dict[str, _V | None]) -> None:
    """Copy a unit's changes into a committed table (``None``: removed)."""
    for key, stored in changes.items():
        if stored is None:
            table.pop(key, None)
        else:
            table[key] = stored
