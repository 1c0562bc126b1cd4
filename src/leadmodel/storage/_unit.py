"""State every unit of work keeps: whether it is open, and the events recorded so far."""

from __future__ import annotations

from leadmodel.domain.events import EVENT_TYPES, DomainEvent
from leadmodel.errors import Problem, StorageError, ValidationError

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
