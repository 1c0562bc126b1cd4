"""What every adapter shares: the state of a unit (open or not, its events), the ``with``
block, the five repositories, the repositories' filter checks and paging, the SQL adapters'
listings, the outbox's checks and the state store's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, Self, Unpack

import attrs

from leadmodel._kernel.checks import MAX_VERSION
from leadmodel._kernel.frozen_json import JSON
from leadmodel.domain.events import EVENT_TYPES, DomainEvent
from leadmodel.domain.model import Company, Contact, Customer, Interest, Lead
from leadmodel.errors import Problem, StorageError, ValidationError
from leadmodel.storage import _rows
from leadmodel.storage.protocols import (
    DEFAULT_PAGE_SIZE,
    KINDS,
    EntityT,
    FindFilters,
    Indexed,
    Outbox,
    Page,
    Repository,
    StateStore,
    StoredEvent,
    StoredState,
)

_EVENT_CLASSES = tuple(EVENT_TYPES.values())


class UnitState:
    """Open/closed bookkeeping and the event list of one unit of work."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.open = False
        self._events: list[DomainEvent] = []

    @property
    def events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._events)

    def enter(self) -> None:
        if self.open:
            msg = (
                f"this {self.name} is already in a `with` block; units of work do not nest — "
                "finish the first unit, or make a second unit of work object"
            )
            raise StorageError(msg)
        self.open = True
        self._events.clear()

    def exit(self) -> None:
        self.open = False
        self._events.clear()

    def require_open(self) -> None:
        if not self.open:
            msg = f"use the {self.name} inside `with uow:` (then call uow.commit())"
            raise StorageError(msg)

    def emit(self, event: DomainEvent) -> None:
        self.require_open()
        if not isinstance(event, _EVENT_CLASSES):
            msg = "emit takes a domain event (leadmodel.events: LeadCreated, StatusChanged...)"
            raise ValidationError([Problem("event", msg, event)], model=self.name)
        self._events.append(event)

    def clear_events(self) -> None:
        self._events.clear()


class AdapterUnit:
    """What every adapter's unit of work shares: its repositories, outbox, state store, events
    and ``with`` block.

    Subclasses set ``_state``, call :meth:`_wire` once and define ``rollback``; ``_end``
    (what leaving the block does) rolls back whatever was not committed unless a subclass
    does more.
    """

    interests: Repository[Interest]
    leads: Repository[Lead]
    contacts: Repository[Contact]
    companies: Repository[Company]
    customers: Repository[Customer]
    outbox: Outbox
    states: StateStore
    _state: UnitState

    def _wire(
        self,
        repository: Callable[[_rows.Kind], Repository[Any]],
        outbox: Outbox,
        states: StateStore,
    ) -> None:
        """Give the unit its outbox, its state store and one repository per kind
        (:data:`KINDS`), made by ``repository(kind)``: the one place every adapter's
        repositories are made."""
        for name in KINDS:
            setattr(self, name, repository(_rows.KIND[name]))
        self.outbox = outbox
        self.states = states

    @property
    def events(self) -> tuple[DomainEvent, ...]:
        """Events recorded in the current unit, not yet committed."""
        return self._state.events

    def emit(self, event: DomainEvent) -> None:
        """Record an event; it reaches the outbox on commit and is dropped on rollback."""
        self._state.emit(event)

    def rollback(self) -> None:  # pragma: no cover - every adapter defines it
        raise NotImplementedError

    def _start(self) -> None:
        """Called when the block begins (after the state is open)."""

    def _end(self) -> None:
        self.rollback()

    def __enter__(self) -> Self:
        self._state.enter()
        self._start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._end()
        finally:
            self._state.exit()


class AdapterRepository(Generic[EntityT]):
    """What every adapter's repository shares: checking the filters of ``find``, ``count``
    and ``page``, making a :class:`Page` of ``find``'s answer, ``add``.

    A filter name the kind does not have is a :class:`~leadmodel.errors.ValidationError`,
    not a TypeError: the methods take unknown names to report them.
    """

    _kind: _rows.Kind

    def find(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[FindFilters],
    ) -> list[EntityT]:
        """The stored entities that pass every given filter, in id order: at most ``limit``
        of those whose id is above ``after``."""
        given: dict[str, object] = {**filters, "after": after, "limit": limit}
        return self._find(_rows.filters(self._kind, given))

    def page(
        self,
        *,
        after: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        **filters: Unpack[FindFilters],
    ) -> Page[EntityT]:
        """``find``'s first ``limit`` entities above ``after`` as a :class:`Page`."""
        given: dict[str, object] = {**filters, "after": after, "limit": limit}
        wanted = _rows.filters(self._kind, given, method="page")
        size = wanted.limit or 1  # at least 1: checked above
        # One entity more than the page tells whether another page follows, so the last
        # page says so (next=None) instead of sending the caller to an empty one.
        found = self._find(attrs.evolve(wanted, limit=min(size + 1, MAX_VERSION)))
        items = tuple(found[:size])
        return Page(items=items, next=items[-1].id if len(found) > size else None)

    def count(self, **filters: Unpack[FindFilters]) -> int:
        """How many stored entities pass every given filter (unreadable rows included)."""
        return self._count(_rows.filters(self._kind, dict(filters), method="count"))

    def ids(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[FindFilters],
    ) -> list[str]:
        """The ids of the stored entities ``find`` would list, in id order, unreadable rows
        included; no document is read."""
        given: dict[str, object] = {**filters, "after": after, "limit": limit}
        return self._ids(_rows.filters(self._kind, given))

    def _ids(self, wanted: _rows.Filters) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def indexed(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[FindFilters],
    ) -> list[Indexed]:
        """What the store indexes of the entities ``ids`` lists, in id order; no document is
        read."""
        given: dict[str, object] = {**filters, "after": after, "limit": limit}
        return self._indexed(_rows.filters(self._kind, given))

    def _indexed(self, wanted: _rows.Filters) -> list[Indexed]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _find(self, wanted: _rows.Filters) -> list[EntityT]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _count(self, wanted: _rows.Filters) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def add(self, entity: EntityT) -> EntityT:
        """Store a new entity and return it."""
        self.add_many((entity,))
        return entity

    def add_many(self, entities: Iterable[EntityT]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


StoredRows = Sequence[_rows.StoredRow]
"""Rows as the SQL adapters list them: ``(id, JSON document)`` and the document's seal where the
adapter stores one, the id as the entity has it."""

Fetch = Callable[[_rows.Filters], StoredRows]
"""How an SQL adapter lists rows: those passing the filters whose id is above ``after``, in
id order, at most ``limit`` of them (each when set)."""


ResealPage = Callable[[str | None, int], tuple[str | None, Counter[str]]]
"""How an SQL repository reseals one page (its ``_reseal``), in its unit's transaction: from
after the row ``after`` (``None``: the first), at most ``size`` rows; returns the last row read
(``None``: the table ended) and the outcomes (field names of
:class:`~leadmodel.storage._rows.Resealed`)."""


def reseal(unit: Any, page_size: int) -> _rows.Resealed:
    """``reseal()`` of an SQL unit of work: every entity table, ``page_size`` rows a unit
    (each committed), through each repository's ``_reseal`` (:data:`ResealPage`)."""
    size = _rows.check_page_size(page_size)
    done: Counter[str] = Counter()
    for kind in KINDS:
        page: ResealPage = getattr(unit, kind)._reseal
        after: str | None = None
        while True:
            with unit:
                after, found = page(after, size)
                unit.commit()
            done.update(found)
            if after is None:
                break
    return _rows.Resealed(**done)


def listing(kind: _rows.Kind, fetch: Fetch, wanted: _rows.Filters) -> list[Any]:
    """``find``'s answer from an SQL adapter's rows: the readable entities, in id order, at
    most ``wanted.limit``. An unreadable row is skipped with its warning
    (:func:`~leadmodel.storage._rows.readable`) and the rows after it make up the limit: the
    next rows are read, from the last id seen, until the limit is met or the rows run out."""
    found: list[Any] = []
    page = wanted
    while True:
        rows = fetch(page)
        found.extend(_rows.readable(kind, rows))
        if wanted.limit is None or len(found) >= wanted.limit or len(rows) < (page.limit or 0):
            return found
        page = attrs.evolve(wanted, after=rows[-1][0], limit=wanted.limit - len(found))


def walk(kind: _rows.Kind, fetch: Fetch, page_size: int) -> Iterator[Any]:
    """``iter_all`` on an SQL adapter: every readable entity in id order, ``page_size`` rows
    read at a time (unreadable rows skipped with their warnings)."""
    size = _rows.check_page_size(page_size)
    page = _rows.Filters(limit=size)
    while True:
        rows = fetch(page)
        yield from _rows.readable(kind, rows)
        if len(rows) < size:
            return
        page = _rows.Filters(after=rows[-1][0], limit=size)


Unpublished = Sequence[tuple[int, str, str | bytes]]
"""Outbox rows as the SQL adapters read them: ``(seq, type, JSON document)``."""


class AdapterOutbox:
    """What the SQL adapters' outboxes share: checking the arguments and loading the events.

    Subclasses run the two statements, which stay theirs (the SQLite adapter speaks
    ``sqlite3``, the SQL adapter SQLAlchemy Core): ``_unpublished`` (at most ``limit``
    unpublished rows, oldest first) and ``_publish`` (mark these sequence numbers
    published), each in the unit's transaction.
    """

    def pending(self, *, limit: int = 100) -> list[StoredEvent]:
        """Unpublished events in the order they were committed, oldest first."""
        found = self._unpublished(_rows.check_limit(limit))
        return [StoredEvent(seq=s, event=_rows.decode_event(s, t, d)) for s, t, d in found]

    def mark_published(self, seqs: Sequence[int]) -> None:
        """Mark events published (inside the unit of work: it counts once committed)."""
        self._publish(_rows.check_seqs(seqs))

    def _unpublished(self, limit: int) -> Unpublished:  # pragma: no cover - abstract
        raise NotImplementedError

    def _publish(self, seqs: list[int]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class AdapterStates:
    """What every adapter's state store shares: checking the arguments, the versions a put
    stores, and its errors (:class:`~leadmodel.storage.StateStore`).

    Subclasses run the statements, each in the unit's transaction: ``_stored`` (the state of a
    name, or ``None``), ``_version`` (its version only), ``_insert`` (store a new name;
    ``False`` when it is stored), ``_replace`` (store ``state`` where ``state.version - 1`` is
    stored; ``False`` otherwise), ``_delete`` (``False`` when the name is not stored) and
    ``_names`` (the stored names beginning with a prefix, in code point order).
    """

    def get(self, name: str) -> StoredState | None:
        """The state stored under ``name``, or ``None``."""
        return self._stored(_rows.check_state_name(name, "get"))

    def put(
        self, name: str, doc: Mapping[str, JSON], *, expected_version: int | None
    ) -> StoredState:
        """Store ``doc`` under ``name``: new at version 0 (``expected_version=None``), or
        replacing ``expected_version`` at the next one; a ConcurrencyError stores nothing."""
        state = _rows.checked_put(name, doc, expected_version)
        stored = self._insert(state) if expected_version is None else self._replace(state)
        if not stored:
            raise _rows.state_conflict(state.name, expected_version, self._version(state.name))
        return state

    def remove(self, name: str) -> None:
        """Delete the state stored under ``name`` (NotFoundError when none is)."""
        if not self._delete(_rows.check_state_name(name, "remove")):
            raise _rows.state_missing(name)

    def names(self, prefix: str = "") -> list[str]:
        """The stored names beginning with ``prefix``, in code point order."""
        return self._names(_rows.check_prefix(prefix))

    def _stored(self, name: str) -> StoredState | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _version(self, name: str) -> int | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _insert(self, state: StoredState) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _replace(self, state: StoredState) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _delete(self, name: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _names(self, prefix: str) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError
