"""Merging stored duplicates, and re-pointing what pointed at the absorbed records."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar, overload

import attrs

from leadmodel.domain.events import LeadsMerged
from leadmodel.domain.matching.merging import Merged
from leadmodel.domain.matching.merging import merge as _merge
from leadmodel.domain.model.entities import Contact, Lead
from leadmodel.errors import Problem, ValidationError
from leadmodel.services._common import Clock, linked, now, utc_now
from leadmodel.storage.protocols import Repository, UnitOfWork

M = TypeVar("M", Lead, Contact)


def _repoint_to_lead(uow: UnitOfWork, absorbed: list[Lead], survivor: Lead) -> None:
    """Interests and customers that pointed at an absorbed lead now point at the survivor.

    Found through the links the leads carry (``interest_ids``, ``customer_id`` and the
    conversion's customer), so the work grows with the merged records, not the store.
    """
    gone = frozenset(lead.id for lead in absorbed)
    for interest_id in survivor.interest_ids:
        interest = linked(uow.interests, interest_id)
        if interest is not None and interest.lead_id in gone:
            uow.interests.save(attrs.evolve(interest, lead_id=survivor.id))
    customer_ids = {lead.customer_id for lead in absorbed} | {
        lead.converted.customer_id for lead in absorbed if lead.converted is not None
    }
    for customer_id in sorted(i for i in customer_ids if i is not None):
        customer = linked(uow.customers, customer_id)
        if customer is not None and gone.intersection(customer.lead_ids):
            # the absorbed ids become the survivor's, each id once, in order
            lead_ids = tuple(
                dict.fromkeys(survivor.id if i in gone else i for i in customer.lead_ids)
            )
            uow.customers.save(attrs.evolve(customer, lead_ids=lead_ids))


def _repoint_to_contact(uow: UnitOfWork, absorbed: list[Contact], survivor: Contact) -> None:
    """Customers of an absorbed contact become the survivor's (found by their
    ``contact_id:…`` lookup key)."""
    moved = {
        customer.id: customer
        for contact in absorbed
        for customer in uow.customers.find(key=f"contact_id:{contact.id}")
    }
    for customer in moved.values():
        uow.customers.save(attrs.evolve(customer, contact_id=survivor.id))


def _merged(
    repository: Repository[M],
    survivor_id: str,
    other_ids: tuple[str, ...],
    *,
    at: datetime,
    by: str | None,
) -> tuple[Merged[M], list[M]]:
    """Load, merge, save the survivor, remove the others; the result and the absorbed."""
    primary = repository.get(survivor_id)
    others = [repository.get(i) for i in other_ids]
    merged = _merge(primary, *others, at=at, by=by)
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
    clock: Clock = utc_now,
) -> Merged[Lead]: ...


@overload
def merge(
    uow: UnitOfWork,
    survivor_id: str,
    *other_ids: str,
    kind: Literal["contacts"],
    by: str | None = None,
    clock: Clock = utc_now,
) -> Merged[Contact]: ...


def merge(
    uow: UnitOfWork,
    survivor_id: str,
    *other_ids: str,
    kind: Literal["leads", "contacts"] = "leads",
    by: str | None = None,
    clock: Clock = utc_now,
) -> Merged[Lead] | Merged[Contact]:
    """Merge stored duplicates into the survivor (:func:`leadmodel.merge`); nothing is lost.

    ``kind`` says which repository the records are in: ``"leads"`` or ``"contacts"``. Saves
    the survivor, removes the absorbed records, and re-points what pointed at them: the
    interests' ``lead_id`` and the customers' ``lead_ids`` (leads), the customers'
    ``contact_id`` (contacts; found by their ``contact_id:…`` key). Emits ``LeadsMerged``.
    Returns the :class:`~leadmodel.Merged` result with the stored survivor.

    Not re-pointed: another lead's ``previous_lead_id`` and a lead's ``converted`` links
    (they record what was true then; ``LeadsMerged`` maps the old ids to the survivor).
    Raises :class:`~leadmodel.errors.ValidationError` for an unknown ``kind``, no others, or
    an id given twice.
    """
    if kind not in ("leads", "contacts"):
        problem = Problem("kind", "merge 'leads' or 'contacts'", kind)
        raise ValidationError([problem], model="services.merge")
    at = now(clock)
    with uow:
        result: Merged[Lead] | Merged[Contact]
        if kind == "leads":
            result, leads = _merged(uow.leads, survivor_id, other_ids, at=at, by=by)
            _repoint_to_lead(uow, leads, result.survivor)
        else:
            result, contacts = _merged(uow.contacts, survivor_id, other_ids, at=at, by=by)
            _repoint_to_contact(uow, contacts, result.survivor)
        uow.emit(
            LeadsMerged(
                entity=kind,
                survivor_id=result.survivor.id,
                absorbed_ids=result.absorbed_ids,
                at=at,
                by=by,
            )
        )
        uow.commit()
    return result
