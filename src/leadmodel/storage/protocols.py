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
* ``find(...)`` filters with AND; results are ordered by id. ``find(..., after=id,
  limit=n)`` is keyset paging: the first ``n`` matches whose id is above ``after``, so a page
  costs the same however deep it is; ``page(...)`` wraps it in a :class:`Page` with the
  cursor of the next one. ``count(...)`` takes ``find``'s filters. ``iter_all(page_size=...)``
  walks every entity in id order, a page at a time, so huge stores fit in memory.
* Everything happens inside a unit of work: ``with uow: ...; uow.commit()``. Leaving the
  block without ``commit()`` (or with an exception) rolls back every change and every event
  of the unit. Reads inside the unit see the unit's own writes.
* The errors say what they are about: ``NotFoundError`` has ``kind`` (the repository's name
  in :data:`KINDS`) and ``id``; ``ConcurrencyError`` has ``kind``, ``id``, ``expected`` (the
  version the operation expected stored, ``None`` for an add) and ``found`` (the stored
  version, ``None`` when none is stored).
* ``uow.states`` (:class:`StateStore`) keeps named JSON values a service needs between calls
  (a router's ``RoutingState``), versioned as entities are, in the unit's transaction; its
  errors have ``kind`` ``"states"`` and the name as ``id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import (
    Final,
    Generic,
    NamedTuple,
    Protocol,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
    runtime_checkable,
)

import attrs

from leadmodel import serde
from leadmodel._kernel import checks as c
from leadmodel._kernel.frozen_json import JSON, freeze, thaw
from leadmodel.domain.events import DomainEvent
from leadmodel.domain.matching import MatchKey
from leadmodel.domain.model import Company, Contact, Customer, Interest, Lead
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "KINDS",
    "KIND_CLASSES",
    "KIND_OF",
    "MAX_STATE_NAME",
    "Entity",
    "EntityT",
    "FindFilters",
    "Indexed",
    "Outbox",
    "Page",
    "Repository",
    "StateStore",
    "StoredEvent",
    "StoredState",
    "UnitOfWork",
]

Entity = Interest | Lead | Contact | Company | Customer
"""What the repositories store."""

EntityT = TypeVar("EntityT", Interest, Lead, Contact, Company, Customer)
"""One kind of :data:`Entity`, for code generic over the repositories (``Repository[EntityT]``)."""

KINDS: Final = ("interests", "leads", "contacts", "companies", "customers")
"""The repositories of a :class:`UnitOfWork`, by attribute name: ``getattr(uow, kind)``."""

KIND_CLASSES: Final[Mapping[str, type]] = {
    "interests": Interest,
    "leads": Lead,
    "contacts": Contact,
    "companies": Company,
    "customers": Customer,
}
"""The class each repository of :data:`KINDS` stores, by the repository's name."""

KIND_OF: Final[Mapping[type, str]] = {cls: kind for kind, cls in KIND_CLASSES.items()}
"""The repository (its name in :data:`KINDS`) that stores each entity class."""

DEFAULT_PAGE_SIZE = 500
"""How many entities ``iter_all`` reads at a time, and ``page`` returns, unless told otherwise."""


@attrs.frozen(kw_only=True)
class Page(Generic[EntityT]):
    """One page of a repository's entities (:meth:`Repository.page`): ``items`` in id order,
    and ``next``, the ``after`` that asks for the page following it — ``None`` when no entity
    follows (this is the last page).

    >>> import leadmodel as lm
    >>> page = lm.Page(items=(), next=None)
    >>> page.items, page.next
    ((), None)
    """

    items: tuple[EntityT, ...]
    next: str | None = None


class FindFilters(TypedDict, total=False):
    """The filters :meth:`Repository.find`, :meth:`~Repository.page` and
    :meth:`~Repository.count` take, all optional, combined with AND. Each kind takes those it
    has: every kind ``key`` (a match key such as ``email:olena@mebli.ua``, or a customer's
    ``contact_id:…`` link), interests and leads ``owner``, leads ``status`` and ``pipeline``,
    interests, leads and customers ``created_from`` / ``created_to`` (their time of
    creation, the end excluded), and leads two facts of their timeline, for the SLA sweep and
    for "who has waited too long" lists, as ranges of the same kind: ``owed_from`` /
    ``owed_to`` (since when an open lead has been owed a reply:
    :func:`~leadmodel.reply_owed_since`) and ``idle_from`` / ``idle_to`` (when it was last
    moved or contacted: :func:`~leadmodel.idle_since`). Another name is a
    :class:`~leadmodel.errors.ValidationError`.

    >>> import leadmodel as lm
    >>> column: lm.storage.FindFilters = {"pipeline": "requests", "status": "new"}
    >>> uow = lm.MemoryUnitOfWork()
    >>> with uow:
    ...     uow.leads.count(**column), uow.leads.find(**column, limit=50)
    (0, [])
    """

    status: str | None
    pipeline: str | None
    owner: str | None
    key: MatchKey | str | None
    created_from: datetime | None
    created_to: datetime | None
    owed_from: datetime | None
    owed_to: datetime | None
    idle_from: datetime | None
    idle_to: datetime | None


class Indexed(NamedTuple):
    """What a store indexes of one entity, as :meth:`Repository.indexed` lists it: the ``id``
    and ``version``, the ``owner``, ``pipeline`` and ``status`` (``None`` for a kind without
    them), the time of creation (``created_at``: an interest's ``occurred_at``, a lead's
    ``created_at``, a customer's ``since``; ``None`` for contacts and companies), and for leads
    two facts of the timeline: :func:`~leadmodel.reply_owed_since` and
    :func:`~leadmodel.idle_since`. Instants are in UTC.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> row = lm.storage.Indexed(id="L-1", version=0, owner="anna", pipeline="requests",
    ...     status="new", created_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    >>> row.owner, row.idle_since
    ('anna', None)
    """

    id: str
    version: int
    owner: str | None = None
    pipeline: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    reply_owed_since: datetime | None = None
    idle_since: datetime | None = None


@runtime_checkable
class Repository(Protocol[EntityT]):
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
    * ``after``: only entities whose id is above this one (keyset paging: pass the last id
      of the page before, :attr:`Page.next`);
    * ``limit``: at most this many, in id order.

    Id order is creation order for ids made by :func:`~leadmodel.uuid7` (the library's
    default): they begin with their creation time, so paging walks oldest first (to the
    millisecond: ids of one millisecond are in random order).
    """

    def get(self, id: str) -> EntityT:
        """The stored entity with this id (:class:`~leadmodel.errors.NotFoundError` if none;
        :class:`~leadmodel.errors.ValidationError` naming the row if its document is unreadable).

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", topic="office chairs",
        ...         source=lm.Source(channel=lm.Channel.form),
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.interests.get("I-1").topic
        'office chairs'
        >>> with uow:
        ...     uow.interests.get("I-9")
        Traceback (most recent call last):
        ...
        leadmodel.errors.NotFoundError: no interest with id 'I-9' in this store; ...
        """
        ...

    def find(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[FindFilters],
    ) -> list[EntityT]:
        """The stored entities that pass every given filter, in id order.

        ``after`` and ``limit`` make a page: the first ``limit`` matches whose id is above
        ``after`` (keyset paging: on the SQL adapters a page by owner, status, or pipeline and
        status is one index range, however deep). Ids made by :func:`~leadmodel.uuid7` begin
        with their creation time, so for them id order is creation order (to the millisecond).
        A row whose document is unreadable is skipped with an
        :class:`~leadmodel.errors.UnreadableRowWarning`, and the rows after it make up the
        ``limit``. A bad filter, ``after`` that is not a non-empty string, or a ``limit`` that
        is not an int from 0 raises :class:`~leadmodel.errors.ValidationError` naming it.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> form = lm.Source(channel=lm.Channel.form)
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     for n, owner in enumerate(["anna", "ivan", "anna"], start=1):
        ...         _ = uow.interests.add(lm.Interest(id=f"I-{n}", occurred_at=at, source=form,
        ...             topic="chairs", owner=owner))
        ...     [interest.id for interest in uow.interests.find(owner="anna")]
        ...     [interest.id for interest in uow.interests.find(after="I-1", limit=1)]
        ['I-1', 'I-3']
        ['I-2']
        >>> with uow:
        ...     uow.interests.find(status="new")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: interests.find.status: interests cannot be filtered by ...
        >>> with uow:
        ...     uow.interests.find(after=2)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: interests.find.after: pass the id of the last entity ...
        """
        ...

    def page(
        self,
        *,
        after: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        **filters: Unpack[FindFilters],
    ) -> Page[EntityT]:
        """The first ``limit`` entities passing :meth:`find`'s filters whose id is above
        ``after``, as a :class:`Page` whose ``next`` asks for the following page (``None``
        when no entity follows). ``limit`` is 1 or more; anything else raises
        :class:`~leadmodel.errors.ValidationError`, as bad filters do.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> form = lm.Source(channel=lm.Channel.form)
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.interests.add_many(lm.Interest(id=f"I-{n}", occurred_at=at, source=form,
        ...         topic="chairs", owner="anna") for n in range(1, 6))
        ...     first = uow.interests.page(owner="anna", limit=2)
        ...     [interest.id for interest in first.items], first.next
        ...     last = uow.interests.page(owner="anna", after="I-4", limit=2)
        ...     [interest.id for interest in last.items], last.next
        (['I-1', 'I-2'], 'I-2')
        (['I-5'], None)
        """
        ...

    def add(self, entity: EntityT) -> EntityT:
        """Store a new entity and return it.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> interest = lm.Interest(id="I-1", topic="office chairs",
        ...     source=lm.Source(channel=lm.Channel.form),
        ...     occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.interests.add(interest).version
        ...     uow.commit()
        0
        >>> with uow:  # the same id again
        ...     uow.interests.add(interest)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ConcurrencyError: interests entry 'I-1' is already stored; ...
        """
        ...

    def add_many(self, entities: Iterable[EntityT]) -> None:
        """Store many new entities at once: all of them, or none (an id already stored raises
        :class:`~leadmodel.errors.ConcurrencyError` and adds nothing).

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> form = lm.Source(channel=lm.Channel.form)
        >>> batch = [lm.Interest(id=f"I-{n}", occurred_at=at, source=form, topic="chairs")
        ...     for n in (1, 2, 3)]
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.interests.add_many(batch[:2])
        ...     uow.commit()
        >>> with uow:  # I-1 is stored: I-3 is not added either
        ...     uow.interests.add_many(batch[2:] + batch[:1])
        Traceback (most recent call last):
        ...
        leadmodel.errors.ConcurrencyError: interests entry 'I-1' is already stored; ...
        >>> with uow:
        ...     uow.interests.count()
        2
        """
        ...

    def save(self, entity: EntityT) -> EntityT:
        """Replace the stored entity of the same id and version; return it with version + 1.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import attrs
        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     read = uow.interests.add(lm.Interest(id="I-1", topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form),
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.interests.save(attrs.evolve(read, topic="desks")).version
        ...     uow.commit()
        1
        >>> with uow:  # saving what was read before: the store has version 1 now
        ...     uow.interests.save(read)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ConcurrencyError: interests entry 'I-1' is at version 1 in the store, ...
        """
        ...

    def remove(self, id: str) -> None:
        """Delete the stored entity with this id.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form),
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.commit()
        >>> with uow:
        ...     uow.interests.remove("I-1")
        ...     uow.commit()
        >>> with uow:
        ...     uow.interests.remove("I-1")
        Traceback (most recent call last):
        ...
        leadmodel.errors.NotFoundError: no interest with id 'I-1' in this store; ...
        """
        ...

    def iter_all(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[EntityT]:
        """Every stored entity in id order, read ``page_size`` at a time (a row whose document
        is unreadable is skipped with an :class:`~leadmodel.errors.UnreadableRowWarning`).

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> form = lm.Source(channel=lm.Channel.form)
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.interests.add_many(lm.Interest(id=f"I-{n}", occurred_at=at, source=form,
        ...         topic="chairs") for n in (3, 1, 2))
        ...     [interest.id for interest in uow.interests.iter_all(page_size=2)]
        ['I-1', 'I-2', 'I-3']
        """
        ...

    def ids(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[FindFilters],
    ) -> list[str]:
        """The ids of the stored entities that pass :meth:`find`'s filters (and ``after``,
        ``limit``), in id order, read from the indexed columns alone: no document is decoded,
        so this is the cheap way to list many matches, then :meth:`get` them a few at a time
        (the SLA sweep does). A row whose document is unreadable is listed, as
        :meth:`count` counts it.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.interests.add_many(lm.Interest(id=f"I-{n}", occurred_at=at, topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form), owner=owner)
        ...         for n, owner in ((3, "anna"), (1, "anna"), (2, "ivan")))
        ...     uow.interests.ids(owner="anna"), uow.interests.ids(after="I-1", limit=1)
        (['I-1', 'I-3'], ['I-2'])
        """
        ...

    def indexed(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[FindFilters],
    ) -> list[Indexed]:
        """What the store indexes of the entities :meth:`ids` lists (same filters, same order),
        one :class:`Indexed` each: owner, pipeline, status, creation time and, for leads, when
        a reply has been owed since and when the lead was last moved or contacted — read from
        the indexed columns alone, no document decoded. The SLA sweep finds stale cards with
        it: their status, idle time and owner are all indexed.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at, owner="anna")
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.leads.add(lead)
        ...     [row] = uow.leads.indexed(owner="anna")
        >>> row.id, row.owner, row.idle_since == at, row.reply_owed_since == at
        ('L-1', 'anna', True, True)
        """
        ...

    def count(self, **filters: Unpack[FindFilters]) -> int:
        """How many stored entities pass every given filter (:meth:`find`'s, without ``after``
        and ``limit``; none: how many are stored). A row whose document is unreadable is
        counted, since its indexed columns still match: ``count(**filters)`` is
        ``len(find(**filters))`` plus the unreadable rows among the matches.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form), owner="anna",
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.interests.count(), uow.interests.count(owner="ivan"), uow.leads.count()
        (1, 0, 0)
        >>> with uow:
        ...     uow.interests.count(limit=10)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: interests.count.limit: count counts every match, ...
        """
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
        """Unpublished events in the order they were committed, oldest first.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     for lead_id in ("L-1", "L-2"):
        ...         uow.emit(lm.LeadCreated(lead_id=lead_id, interest_ids=(), at=at))
        ...     uow.outbox.pending()  # not committed yet
        ...     uow.commit()
        []
        >>> with uow:
        ...     [(stored.seq, stored.event.lead_id) for stored in uow.outbox.pending(limit=10)]
        [(1, 'L-1'), (2, 'L-2')]
        """
        ...

    def mark_published(self, seqs: Sequence[int]) -> None:
        """Mark events published (inside the unit of work: it counts once committed).

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.emit(lm.LeadCreated(lead_id="L-1", interest_ids=(), at=at))
        ...     uow.commit()
        >>> with uow:
        ...     uow.outbox.mark_published([stored.seq for stored in uow.outbox.pending()])
        ...     uow.commit()
        >>> with uow:
        ...     uow.outbox.pending()
        []
        """
        ...


_T = TypeVar("_T")

MAX_STATE_NAME: Final = 200
"""The longest name (in characters) a :class:`StateStore` keeps a value under."""


def state_name_problem(value: object) -> str | None:
    """What is wrong with ``value`` as the name of a stored state, or ``None`` when nothing is:
    a name is a non-empty string of Unicode text, at most :data:`MAX_STATE_NAME` characters."""
    if type(value) is not str or not value:
        return "a state's name is a non-empty string, such as 'routing:sales'"
    if len(value) > MAX_STATE_NAME:
        return f"a state's name holds at most {MAX_STATE_NAME} characters; use a shorter one"
    if not c.is_unicode(value):
        return c.NOT_UNICODE
    return None


@attrs.frozen(kw_only=True)
class StoredState:
    """A value a :class:`StateStore` keeps: its ``name``, its ``version`` (0 when first
    stored, one more at each ``put``) and ``doc``, a JSON object, deep-frozen (objects become
    read-only mappings, arrays tuples). Raises :class:`~leadmodel.errors.ValidationError`
    naming every bad field; ``doc`` holds at most
    :data:`~leadmodel.domain.values.custom_json.MAX_CUSTOM_NODES` values.

    >>> import leadmodel as lm
    >>> state = lm.StoredState(name="routing:sales", version=0, doc={"cursors": {"b2b": "anna"}})
    >>> state.doc["cursors"]["b2b"], state.doc == {"cursors": {"b2b": "anna"}}
    ('anna', True)
    >>> lm.StoredState(name="", version=0, doc={"cursors": float("nan")})
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      StoredState.name: a state's name is a non-empty string, such as 'routing:sales'; got ''
      StoredState.doc.cursors: numbers are finite and within ±9223372036854775807; got nan
    """

    name: str
    version: int
    doc: Mapping[str, JSON]

    def load(self, cls: type[_T]) -> _T:
        """``doc`` read as a ``cls``: the value whose ``to_dict()`` (or ``lm.to_dict``) was
        put, such as a ``RoutingState``. Raises :class:`~leadmodel.errors.ValidationError`
        as :func:`~leadmodel.from_dict` does.

        >>> import leadmodel as lm
        >>> state = lm.RoutingState(cursors={"b2b": "anna"})
        >>> stored = lm.StoredState(name="routing:sales", version=0, doc=state.to_dict())
        >>> stored.load(lm.RoutingState) == state
        True
        """
        return serde.from_dict(cls, thaw(self.doc))

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        problem = state_name_problem(self.name)
        if problem is not None:
            p.append(Problem("name", problem, self.name))
        c.version(p, self.version)
        try:
            frozen = freeze(self.doc, path="doc")
        except ValidationError as exc:
            p.extend(exc.problems)
        else:
            if frozen is not self.doc:
                object.__setattr__(self, "doc", frozen)
        if p:
            c.fail("StoredState", p)


@runtime_checkable
class StateStore(Protocol):
    """Named JSON values a service keeps between calls (a router's ``RoutingState``, a
    sequence's cursor), inside the unit of work: written in its transaction, with the entities
    and the outbox, and versioned for optimistic concurrency as entities are.

    Names are non-empty strings of at most :data:`MAX_STATE_NAME` characters; values are JSON
    objects (:class:`StoredState`). A bad name, document or version raises
    :class:`~leadmodel.errors.ValidationError` naming it. Errors about a stored value have
    ``kind`` ``"states"`` and the name as ``id``.
    """

    def get(self, name: str) -> StoredState | None:
        """The value stored under ``name`` (``None`` when none is; reads see the unit's own
        writes). A stored document that no longer decodes raises
        :class:`~leadmodel.errors.ValidationError` naming the row.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.states.get("routing:sales") is None
        ...     _ = uow.states.put("routing:sales", {"cursor": "anna"}, expected_version=None)
        ...     uow.states.get("routing:sales")
        True
        StoredState(name='routing:sales', version=0, doc=FrozenMap({'cursor': 'anna'}))
        """
        ...

    def put(
        self, name: str, doc: Mapping[str, JSON], *, expected_version: int | None
    ) -> StoredState:
        """Store ``doc`` under ``name`` and return what is stored.

        ``expected_version`` is the version you read: ``None`` stores a new name at version
        0, an int replaces the value stored at that version with version + 1. Anything else —
        the name stored when ``None`` was given, another version stored, or none — raises
        :class:`~leadmodel.errors.ConcurrencyError` (``expected``: the version given,
        ``found``: the one stored, ``None`` when none is) and stores nothing: read again,
        apply the change, put again.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     first = uow.states.put("routing:sales", {"cursor": "anna"}, expected_version=None)
        ...     uow.states.put("routing:sales", {"cursor": "ivan"}, expected_version=0).version
        ...     uow.commit()
        1
        >>> with uow:  # put over what was read before: the store has version 1 now
        ...     uow.states.put("routing:sales", {"cursor": "olga"}, expected_version=first.version)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ConcurrencyError: state 'routing:sales' is at version 1 in the store, ...
        """
        ...

    def remove(self, name: str) -> None:
        """Delete the value stored under ``name`` (:class:`~leadmodel.errors.NotFoundError`
        when none is).

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.states.put("routing:sales", {}, expected_version=None)
        ...     uow.states.remove("routing:sales")
        ...     uow.states.remove("routing:sales")
        Traceback (most recent call last):
        ...
        leadmodel.errors.NotFoundError: no state named 'routing:sales' in this store; ...
        """
        ...

    def names(self, prefix: str = "") -> list[str]:
        """The stored names that begin with ``prefix`` (all when it is empty), in code point
        order on every adapter.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     for name in ("routing:sales", "sla:support", "routing:b2b"):
        ...         _ = uow.states.put(name, {}, expected_version=None)
        ...     uow.states.names("routing:"), uow.states.names()
        (['routing:b2b', 'routing:sales'], ['routing:b2b', 'routing:sales', 'sla:support'])
        """
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
    def states(self) -> StateStore:
        """Named, versioned values kept in the unit's transaction (:class:`StateStore`)."""
        ...

    @property
    def events(self) -> tuple[DomainEvent, ...]:
        """Events recorded in the current unit, not yet committed."""
        ...

    def emit(self, event: DomainEvent) -> None:
        """Record an event; it reaches the outbox on commit and is dropped on rollback.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     uow.emit(lm.LeadCreated(lead_id="L-1", interest_ids=(),
        ...         at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     [event.type for event in uow.events]
        ['LeadCreated']
        >>> with uow:
        ...     uow.emit("lead L-1 created")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: MemoryUnitOfWork.event: emit takes a domain event ...
        """
        ...

    def commit(self) -> None:
        """Make every change and event of the unit permanent.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form),
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.commit()
        >>> with uow:
        ...     uow.interests.count()
        1
        >>> uow.commit()  # outside a unit
        Traceback (most recent call last):
        ...
        leadmodel.errors.StorageError: use the MemoryUnitOfWork inside `with uow:` ...
        """
        ...

    def rollback(self) -> None:
        """Undo every change and event of the unit.

        Example, on :class:`~leadmodel.MemoryUnitOfWork` (it implements this protocol):

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.MemoryUnitOfWork()
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form),
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.rollback()
        ...     uow.interests.count()  # the unit stays open, now empty
        0
        """
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
