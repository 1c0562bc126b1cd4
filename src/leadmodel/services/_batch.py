"""Several service calls in one transaction: :func:`batch` and the open unit it hands out.

A batch keeps what its steps read and write (an identity map, as an ORM session does): a
step that reads an entity an earlier step stored gets it without a database read, and an
entity changed by several steps is written once, when the batch ends or before a query of
its kind (``find``, ``count``, ``ids``, ``iter_all``) that must see it. Each entity a batch changes
is stored at one version more than it had (new ones at the version they were added with),
however many steps changed it: a version names a committed state, and a batch commits one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from types import TracebackType
from typing import Any, Generic, Self, cast

from leadmodel._kernel import checks as c
from leadmodel._kernel.copy import replace
from leadmodel.domain.events import DomainEvent
from leadmodel.domain.model import Company, Contact, Customer, Interest, Lead
from leadmodel.errors import (
    ConcurrencyError,
    Problem,
    StorageError,
    ValidationError,
)
from leadmodel.storage.protocols import (
    KIND_CLASSES,
    KINDS,
    EntityT,
    Outbox,
    Repository,
    StateStore,
    UnitOfWork,
)


class _State(Enum):
    clean = "clean"  # as stored
    new = "new"  # added in this batch, not yet written
    changed = "changed"  # saved in this batch, not yet written; stored at version - 1


class _Repository(Generic[EntityT]):
    """A repository of the batch: reads through its map, writes when the batch flushes."""

    def __init__(self, kind: str, real: Repository[EntityT]) -> None:
        self._kind = kind
        self._cls = KIND_CLASSES[kind]
        self._real: Repository[EntityT] = real
        self._known: dict[str, tuple[EntityT, _State]] = {}

    def _check_type(self, entity: object) -> None:
        if type(entity) is not self._cls:
            msg = (
                f"the {self._kind} repository stores {self._cls.__name__} objects; "
                "use the matching repository"
            )
            raise ValidationError([Problem("entity", msg, entity)], model=self._kind)

    def get(self, id: str) -> EntityT:
        known = self._known.get(id)
        if known is not None:
            return known[0]
        entity = self._real.get(id)
        self._known[id] = (entity, _State.clean)
        return entity

    def add(self, entity: EntityT) -> EntityT:
        self.add_many((entity,))
        return entity

    def add_many(self, entities: Iterable[EntityT]) -> None:
        batch = list(entities)
        seen: set[str] = set()
        for entity in batch:
            self._check_type(entity)
            if entity.id in self._known or entity.id in seen:
                found = self._known[entity.id][0].version if entity.id in self._known else None
                raise ConcurrencyError(
                    f"{self._kind} entry {entity.id!r} is already stored; add it once, or "
                    "save the stored one",
                    kind=self._kind,
                    id=entity.id,
                    expected=None,
                    found=found,
                )
            seen.add(entity.id)
        for entity in batch:
            self._known[entity.id] = (entity, _State.new)

    def save(self, entity: EntityT) -> EntityT:
        self._check_type(entity)
        current, state = self._known.get(entity.id) or (self._real.get(entity.id), _State.clean)
        if entity.version != current.version:
            raise ConcurrencyError(
                f"{self._kind} entry {entity.id!r} is at version {current.version} in this "
                f"batch, not {entity.version}: save the entity as you last read or saved it",
                kind=self._kind,
                id=entity.id,
                expected=entity.version,
                found=current.version,
            )
        if state is _State.clean:
            if entity.version >= c.MAX_VERSION:
                msg = "the version cannot grow past 2**63 - 1; copy the entity under a new id"
                raise ValidationError([Problem("version", msg, entity.version)], model=self._kind)
            entity, state = replace(entity, version=entity.version + 1), _State.changed
        self._known[entity.id] = (entity, state)
        return entity

    def remove(self, id: str) -> None:
        self.flush()
        self._real.remove(id)
        self._known.pop(id, None)

    def find(self, **filters: Any) -> list[EntityT]:
        self.flush()
        found: list[EntityT] = self._real.find(**filters)
        return found

    def page(self, **filters: Any) -> Any:
        self.flush()
        return self._real.page(**filters)

    def iter_all(self, **options: Any) -> Iterator[EntityT]:
        self.flush()
        walk: Iterator[EntityT] = self._real.iter_all(**options)
        return walk

    def count(self, **filters: Any) -> int:
        self.flush()
        counted: int = self._real.count(**filters)
        return counted

    def ids(self, **filters: Any) -> list[str]:
        self.flush()
        found: list[str] = self._real.ids(**filters)
        return found

    def flush(self) -> None:
        """Write what the batch added and changed of this kind to the wrapped unit."""
        new = [entity for entity, state in self._known.values() if state is _State.new]
        if new:
            self._real.add_many(new)
        for entity, state in list(self._known.values()):
            if state is _State.changed:
                self._real.save(replace(entity, version=entity.version - 1))
        self._known = {id: (entity, _State.clean) for id, (entity, _) in self._known.items()}


class Batch:
    """An open unit of work that services share; made by :func:`batch`, never by hand.

    It is a :class:`~leadmodel.storage.UnitOfWork`: give it to any service (or read and write
    its repositories yourself). Entering it does not open a unit and ``commit()`` does not
    commit: the unit it wraps stays open until the ``batch`` block ends, which commits every
    step at once. A step that raises marks the batch failed: later steps refuse to run and
    the block ends with nothing committed. ``rollback()`` abandons the batch: nothing is
    committed and the block ends quietly.

    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> with lm.services.batch(uow) as unit:
    ...     print(type(unit).__name__, unit.events)
    Batch ()
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._repositories = {kind: _Repository(kind, getattr(uow, kind)) for kind in KINDS}
        self._failure: BaseException | None = None
        self._abandoned = False
        self._closed = False

    @property
    def interests(self) -> Repository[Interest]:
        """The wrapped unit's interests.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.interests.count()
        0
        """
        self._live()
        return cast(Repository[Interest], self._repositories["interests"])

    @property
    def leads(self) -> Repository[Lead]:
        """The wrapped unit's leads.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.leads.count()
        0
        """
        self._live()
        return cast(Repository[Lead], self._repositories["leads"])

    @property
    def contacts(self) -> Repository[Contact]:
        """The wrapped unit's contacts.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.contacts.count()
        0
        """
        self._live()
        return cast(Repository[Contact], self._repositories["contacts"])

    @property
    def companies(self) -> Repository[Company]:
        """The wrapped unit's companies.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.companies.count()
        0
        """
        self._live()
        return cast(Repository[Company], self._repositories["companies"])

    @property
    def customers(self) -> Repository[Customer]:
        """The wrapped unit's customers.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.customers.count()
        0
        """
        self._live()
        return cast(Repository[Customer], self._repositories["customers"])

    @property
    def outbox(self) -> Outbox:
        """The wrapped unit's outbox.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.outbox.pending()
        []
        """
        return self._live().outbox

    @property
    def states(self) -> StateStore:
        """The wrapped unit's state store: its puts are the batch's, committed when it ends.

        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with lm.services.batch(uow) as unit:
        ...     unit.states.put("routing:sales", {"cursor": "anna"}, expected_version=None).version
        0
        >>> with uow:
        ...     uow.states.names()
        ['routing:sales']
        """
        return self._live().states

    @property
    def events(self) -> tuple[DomainEvent, ...]:
        """The events every step so far recorded; they reach the outbox when the batch commits.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.events
        ()
        """
        return self._live().events

    @property
    def failed(self) -> bool:
        """Whether a step raised (the batch will commit nothing).

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.failed
        False
        """
        return self._failure is not None

    def emit(self, event: DomainEvent) -> None:
        """Record an event in the wrapped unit.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.emit("not an event")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: ...
        """
        self._live().emit(event)

    def commit(self) -> None:
        """Nothing now: the batch commits every step when its block ends.

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.commit()
        """
        self._live()

    def rollback(self) -> None:
        """Abandon the batch: undo every step now; the block ends with nothing committed.

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> uow = lm.MemoryUnitOfWork()
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> with lm.services.batch(uow) as unit:
        ...     _ = lm.services.capture_interest(unit, source=lm.Source(channel=lm.Channel.form),
        ...         topic="Office chairs", at=at)
        ...     unit.rollback()
        >>> with uow:
        ...     uow.interests.count()
        0
        """
        self._live().rollback()
        self._abandoned = True

    def flush(self) -> None:
        """Write every step's changes to the wrapped unit now (the batch does it at its end).

        >>> import leadmodel as lm
        >>> with lm.services.batch(lm.MemoryUnitOfWork()) as unit:
        ...     unit.flush()
        """
        self._live()
        for repository in self._repositories.values():
            repository.flush()

    def _live(self) -> UnitOfWork:
        if self._closed or self._abandoned:
            why = "was rolled back" if self._abandoned else "has ended"
            msg = f"this batch {why}; start another `with services.batch(uow) as unit:`"
            raise StorageError(msg)
        return self._uow

    def __enter__(self) -> Self:
        self._live()
        if self._failure is not None:
            msg = (
                f"an earlier step of this batch failed ({self._failure!r}), so nothing of it "
                "will be committed and no further step runs; end the block and start again"
            )
            raise StorageError(msg)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None and self._failure is None:
            self._failure = exc


@contextmanager
def batch(uow: UnitOfWork) -> Iterator[Batch]:
    """Run several service calls as one transaction: all of them are committed, or none.

    ``with services.batch(uow) as unit:`` opens ``uow`` (not yet in a ``with`` block) and
    hands out ``unit``, a :class:`Batch`: pass it to services instead of ``uow``. The block
    commits every step and every event together when it ends. When a step raises, the
    exception leaves the block (unless caught) and nothing is committed; a caught one still
    fails the batch: its end raises :class:`~leadmodel.errors.StorageError` naming the step's
    error, and commits nothing. Use a batch for a request that does several things (promote
    with an assessment and a move) and for bulk work (one transaction for a thousand moves is
    far faster than a thousand). ``batch(unit)`` inside a batch joins it.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> with lm.services.batch(uow) as unit:
    ...     dm = lm.services.capture_interest(unit, source=lm.Source(channel=lm.Channel.form),
    ...         topic="Office chairs", person_name="Olena Koval",
    ...         contact_points=[lm.ContactPoint.email("olena@mebli.ua")], at=at, ids=ids)
    ...     lead = lm.services.promote(unit, dm.id, pipeline=simple, at=at, ids=ids)
    ...     lead = lm.services.move(unit, lead.id, simple, "in_progress", at=at)
    >>> with uow:
    ...     uow.leads.get(lead.id).status, len(uow.outbox.pending())
    ('in_progress', 4)

    A failing step takes the whole batch with it:

    >>> with lm.services.batch(uow) as unit:
    ...     _ = lm.services.move(unit, lead.id, simple, "won", at=at)
    ...     _ = lm.services.move(unit, lead.id, simple, "lost", at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.TransitionError: pipeline 'simple': cannot move from 'won' to 'lost' ...
    >>> with uow:
    ...     uow.leads.get(lead.id).status
    'in_progress'
    """
    if isinstance(uow, Batch):
        yield uow
        return
    with uow:
        unit = Batch(uow)
        try:
            yield unit
        finally:
            unit._closed = True
        if unit._abandoned:
            return
        if unit._failure is not None:
            msg = (
                f"a step of this batch failed ({unit._failure!r}) and was caught; "
                "nothing of the batch was committed"
            )
            raise StorageError(msg) from unit._failure
        for repository in unit._repositories.values():
            repository.flush()
        uow.commit()
