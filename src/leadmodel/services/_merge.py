"""Merging stored duplicates, and re-pointing what pointed at the absorbed records."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar, overload

import attrs

from leadmodel.domain.events import LeadsMerged
from leadmodel.domain.matching import Merged, repoint_customer
from leadmodel.domain.matching import merge as _merge
from leadmodel.domain.model import Contact, Lead
from leadmodel.errors import Problem, ValidationError
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._links import linked
from leadmodel.services._versions import load_expected
from leadmodel.storage.protocols import Repository, UnitOfWork

M = TypeVar("M", Lead, Contact)


def _repoint_to_lead(uow: UnitOfWork, merged: Merged[Lead], absorbed: list[Lead]) -> None:
    """Interests and customers that pointed at an absorbed lead now point at the survivor.

    Found through the links the leads carry (``interest_ids``, ``customer_id`` and the
    conversion's customer), so the work grows with the merged records, not the store.
    """
    survivor = merged.survivor
    gone = frozenset(merged.absorbed_ids)
    for interest_id in survivor.interest_ids:
        interest = linked(uow.interests, interest_id)
        if interest is not None and interest.lead_id in gone:
            uow.interests.save(attrs.evolve(interest, lead_id=survivor.id))
    customer_ids = {lead.customer_id for lead in absorbed} | {
        lead.converted.customer_id for lead in absorbed if lead.converted is not None
    }
    for customer_id in sorted(i for i in customer_ids if i is not None):
        customer = linked(uow.customers, customer_id)
        if customer is None:
            continue
        repointed = repoint_customer(customer, merged)
        if repointed is not customer:
            uow.customers.save(repointed)


def _repoint_to_contact(uow: UnitOfWork, merged: Merged[Contact], absorbed: list[Contact]) -> None:
    """Customers of an absorbed contact become the survivor's (found by their
    ``contact_id:…`` lookup key)."""
    moved = {
        customer.id: customer
        for contact in absorbed
        for customer in uow.customers.find(key=f"contact_id:{contact.id}")
    }
    for customer in moved.values():
        uow.customers.save(repoint_customer(customer, merged))


def _merged(
    repository: Repository[M],
    survivor_id: str,
    other_ids: tuple[str, ...],
    *,
    at: datetime,
    by: str | None,
    status_from: str | None = None,
    expected_version: int | None = None,
) -> tuple[Merged[M], list[M]]:
    """Load, merge, save the survivor (with its record of the merge), remove the others."""
    primary = load_expected(repository, survivor_id, expected_version)
    others = [repository.get(i) for i in other_ids]
    merged = _merge(primary, *others, at=at, by=by, status_from=status_from)
    merged = attrs.evolve(merged, survivor=repository.save(merged.survivor))
    for other in others:
        repository.remove(other.id)
    return merged, others


@overload
def merge(
    uow: UnitOfWork,
    survivor_id: str,
    *other_ids: str,
    kind: Literal["leads"] = "leads",
    by: str | None = None,
    status_from: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> Merged[Lead]: ...


@overload
def merge(
    uow: UnitOfWork,
    survivor_id: str,
    *other_ids: str,
    kind: Literal["contacts"],
    by: str | None = None,
    status_from: None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> Merged[Contact]: ...


def merge(
    uow: UnitOfWork,
    survivor_id: str,
    *other_ids: str,
    kind: Literal["leads", "contacts"] = "leads",
    by: str | None = None,
    status_from: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> Merged[Lead] | Merged[Contact]:
    """Merge stored duplicates into the survivor (:func:`leadmodel.merge`); nothing is lost.

    ``kind`` says which repository the records are in: ``"leads"`` or ``"contacts"``. Saves
    the survivor, removes the absorbed records, and re-points what pointed at them: the
    interests' ``lead_id`` and the customers' ``lead_ids`` (leads), the customers'
    ``contact_id`` (contacts; found by their ``contact_id:…`` key). Emits ``LeadsMerged``.
    Returns the :class:`~leadmodel.Merged` result with the stored survivor.

    What the absorbed records knew and the survivor cannot hold (a later history, a loss,
    conflicting values such as another owner) is stored with the survivor, in its
    ``merges``: read it back with ``uow.leads.get(survivor_id).merges[-1]``. ``status_from``
    is the id of the record whose status (and loss) the survivor takes; by default the
    survivor's own, or the first record's in a pipeline.

    Not re-pointed: another lead's ``previous_lead_id`` and a lead's ``converted`` links
    (they record what was true then; ``LeadsMerged`` maps the old ids to the survivor).
    Raises :class:`~leadmodel.errors.ValidationError` for an unknown ``kind``, no others, an
    id given twice or a ``status_from`` that is not one of the ids;
    :class:`~leadmodel.errors.TimeOrderError` when the clock reads before a record's last
    entry.

    ``expected_version`` is the survivor's version as the caller read it: another stored
    version raises :class:`~leadmodel.errors.ConcurrencyError` and nothing changes. The
    absorbed records take no expected version (one number cannot name several records): they
    are merged as stored when the unit reads them, and the unit's own isolation keeps another
    unit's change between that read and the commit from being lost.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> def lead_of(point):
    ...     dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...         topic="Chairs", person_name="Ivan", contact_points=[point], clock=clock, ids=ids)
    ...     return lm.services.promote(uow, dm.id, clock=clock, ids=ids)
    >>> a = lead_of(lm.ContactPoint.email("ivan@example.com"))
    >>> b = lead_of(lm.ContactPoint.phone("+380671112233"))
    >>> merged = lm.services.merge(uow, a.id, b.id, by="anna", clock=clock)
    >>> merged.absorbed_ids, merged.survivor.interest_ids
    (('id-4',), ('id-1', 'id-3'))
    >>> with uow:  # the absorbed lead's interest now points at the survivor
    ...     uow.interests.get("id-3").lead_id
    'id-2'
    >>> lm.services.merge(uow, "id-2", "id-4", clock=clock)
    Traceback (most recent call last):
    ...
    leadmodel.errors.NotFoundError: no lead with id 'id-4' in this store; ...
    """
    if kind not in ("leads", "contacts"):
        problem = Problem("kind", "merge 'leads' or 'contacts'", kind)
        raise ValidationError([problem], model="services.merge")
    at = now(clock, at)
    with uow:
        result: Merged[Lead] | Merged[Contact]
        if kind == "leads":
            result, leads = _merged(
                uow.leads,
                survivor_id,
                other_ids,
                at=at,
                by=by,
                status_from=status_from,
                expected_version=expected_version,
            )
            _repoint_to_lead(uow, result, leads)
        else:
            result, contacts = _merged(
                uow.contacts,
                survivor_id,
                other_ids,
                at=at,
                by=by,
                status_from=status_from,
                expected_version=expected_version,
            )
            _repoint_to_contact(uow, result, contacts)
        uow.emit(LeadsMerged.of(result))
        uow.commit()
    return result
