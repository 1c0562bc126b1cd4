"""The storage contract: :class:`Repository` and :class:`UnitOfWork` protocols.

leadmodel never owns the host app's storage: it defines these protocols, ships adapters that
pass one contract suite (:mod:`leadmodel.testing.contract`), and services that only talk to
the protocols. Semantics every adapter keeps:

* ``get(id)`` returns the stored entity or raises :class:`~leadmodel.errors.NotFoundError`.
* ``add(entity)`` stores a new entity (its ``version`` as given, normally 0); adding an id
  that exists raises :class:`~leadmodel.errors.ConcurrencyError` (someone stored it first).
* ``save(entity)`` replaces the stored entity when the stored ``version`` equals
  ``entity.version``, stores ``version + 1`` and returns the stored entity; otherwise it
  raises :class:`~leadmodel.errors.ConcurrencyError` (reload, re-apply, save again). Saving
  an id that is not stored raises :class:`~leadmodel.errors.NotFoundError`.
* ``remove(id)`` deletes (``NotFoundError`` when absent).
* ``find(...)`` filters with AND; results are ordered by id. ``iter_all(page_size=...)``
  walks every entity in id order, a page at a time, so huge stores fit in memory.
* Everything happens inside a unit of work: ``with uow: ...; uow.commit()``. Leaving the
  block without ``commit()`` (or with an exception) rolls back every change and every event
  of the unit. Reads inside the unit see the unit's own writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar, runtime_checkable

import attrs

from leadmodel.domain.events import DomainEvent
from leadmodel.domain.matching.keys import MatchKey
from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead

__all__ = ["DEFAULT_PAGE_SIZE", "Entity", "Outbox", "Repository", "StoredEvent", "UnitOfWork"]

Entity = Interest | Lead | Contact | Company | Customer
"""What the repositories store."""

T = TypeVar("T", Interest, Lead, Contact, Company, Customer)

DEFAULT_PAGE_SIZE = 500
"""How many entities ``iter_all`` reads at a time unless told otherwise."""


@runtime_checkable
class Repository(Protocol[T]):
    """The stored entities of one kind (leads, contacts...) inside a unit of work.

    Filters of :meth:`find` (all optional, combined with AND; a filter the kind does not have
    raises :class:`~leadmodel.errors.ValidationError` naming it):

    * ``status``, ``pipeline``: leads only;
    * ``owner``: interests and leads;
    * ``key``: a :class:`~leadmodel.MatchKey` (or its ``str``, ``"email:anna@example.com"``)
      from :func:`~leadmodel.match_keys` — interests, leads, contacts and companies; customers
      by the records they link to: ``"contact_id:…"``, ``"company_id:…"``, ``"lead_id:…"``;
    * ``created_from`` (inclusive), ``created_to`` (exclusive): aware datetimes compared with
      the entity's creation time (``occurred_at`` of interests, ``created_at`` of leads,
      ``since`` of customers);
    * ``limit``: at most this many, in id order.
    """

    def get(self, id: str) -> T:
        """The stored entity with this id (:class:`~leadmodel.errors.NotFoundError` if none)."""
        ...

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
        ...

    def add(self, entity: T) -> T:
        """Store a new entity and return it."""
        ...

    def add_many(self, entities: Iterable[T]) -> None:
        """Store many new entities at once: all of them, or none (an id already stored raises
        :class:`~leadmodel.errors.ConcurrencyError` and adds nothing)."""
        ...

    def save(self, entity: T) -> T:
        """Replace the stored entity of the same id and version; return it with version + 1."""
        ...

    def remove(self, id: str) -> None:
        """Delete the stored entity with this id."""
        ...

    def iter_all(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[T]:
        """Every stored entity in id order, read ``page_size`` at a time."""
        ...

    def count(self) -> int:
        """How many entities are stored."""
        ...


@attrs.frozen(kw_only=True)
class StoredEvent:
    """An event in the outbox: its position ``seq`` (increasing), the event, and whether the
    host has marked it published."""

    seq: int
    event: DomainEvent
    published: bool = False


@runtime_checkable
class Outbox(Protocol):
    """Committed events waiting to be published by the host (the transactional outbox)."""

    def pending(self, *, limit: int = 100) -> list[StoredEvent]:
        """Unpublished events in the order they were committed, oldest first."""
        ...

    def mark_published(self, seqs: Sequence[int]) -> None:
        """Mark events published (inside the unit of work: it counts once committed)."""
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    """One transaction over every repository: all of it is committed, or none of it.

    ``events`` lists the events recorded in this unit so far (:meth:`emit`); ``commit()``
    stores them in the outbox together with the changes.
    """

    @property
    def interests(self) -> Repository[Interest]:
        """The stored interests."""
        ...

    @property
    def leads(self) -> Repository[Lead]:
        """The stored leads."""
        ...

    @property
    def contacts(self) -> Repository[Contact]:
        """The stored contacts."""
        ...

    @property
    def companies(self) -> Repository[Company]:
        """The stored companies."""
        ...

    @property
    def customers(self) -> Repository[Customer]:
        """The stored customers."""
        ...

    @property
    def outbox(self) -> Outbox:
        """Committed events waiting to be published."""
        ...

    @property
    def events(self) -> tuple[DomainEvent, ...]:
        """Events recorded in the current unit, not yet committed."""
        ...

    def emit(self, event: DomainEvent) -> None:
        """Record an event; it reaches the outbox on commit and is dropped on rollback."""
        ...

    def commit(self) -> None:
        """Make every change and event of the unit permanent."""
        ...

    def rollback(self) -> None:
        """Undo every change and event of the unit."""
        ...

    def __enter__(self) -> Self:
        """Begin a unit (a transaction)."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """End the unit, rolling back whatever was not committed."""
        ...
