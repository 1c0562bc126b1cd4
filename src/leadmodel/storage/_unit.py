"""What every adapter shares: the state of a unit (open or not, its events), the ``with``
block, and the repositories' filter checks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Generic, Self, TypeVar

from leadmodel.domain.events import EVENT_TYPES, DomainEvent
from leadmodel.domain.matching.keys import MatchKey
from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead
from leadmodel.errors import Problem, StorageError, ValidationError
from leadmodel.storage import _rows

T = TypeVar("T", Interest, Lead, Contact, Company, Customer)

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


class UnitBase:
    """What every adapter's unit of work shares: its events and the ``with`` block.

    Subclasses set ``_state`` and define ``rollback``; ``_end`` (what leaving the block
    does) rolls back whatever was not committed unless a subclass does more.
    """

    _state: UnitState

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


class RepositoryBase(Generic[T]):
    """What every adapter's repository shares: checking ``find``'s filters, ``add``."""

    _kind: _rows.Kind

    def find(
        self,
        *,
        status: str | None = None,
        pipeline: str | None = None,
        owner: str | None = None,
        key: MatchKey | str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        limit: int | None = None,
    ) -> list[T]:
        """The stored entities that pass every given filter, in id order."""
        given = {
            "status": status,
            "pipeline": pipeline,
            "owner": owner,
            "key": key,
            "created_from": created_from,
            "created_to": created_to,
            "limit": limit,
        }
        return self._find(_rows.filters(self._kind, given))

    def _find(self, wanted: _rows.Filters) -> list[T]:  # pragma: no cover - abstract
        raise NotImplementedError

    def add(self, entity: T) -> T:
        """Store a new entity and return it."""
        self.add_many((entity,))
        return entity

    def add_many(self, entities: Iterable[T]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
