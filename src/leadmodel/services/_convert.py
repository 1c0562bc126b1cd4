"""Conversion in the store: find the records a lead's conversion must update, then convert."""

from __future__ import annotations

from datetime import datetime

import attrs

from leadmodel.domain.events import LeadConverted, StatusChanged
from leadmodel.domain.ladder import convert as _convert
from leadmodel.domain.ladder.conversion import Conversion, CustomerKindArg, customer_kind_of
from leadmodel.domain.matching import DEFAULT_RULES, KeyKind, MatchRule, find_duplicates, match_keys
from leadmodel.domain.model import Company, Contact, Customer, CustomerKind, Lead
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.registry import Registry
from leadmodel.domain.values import IdFactory, uuid7
from leadmodel.errors import Problem, ValidationError
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._links import linked
from leadmodel.services._resolve import pipeline_of
from leadmodel.services._versions import load_expected
from leadmodel.storage.protocols import EntityT, Repository, UnitOfWork

_PERSON_KEYS = frozenset({KeyKind.email, KeyKind.phone, KeyKind.handle})
_COMPANY_KEYS = (KeyKind.domain, KeyKind.company)  # most telling first


def _matching_contact(uow: UnitOfWork, lead: Lead, rules: tuple[MatchRule, ...]) -> Contact | None:
    """The stored contact that ``rules`` say is the lead's person (the first by id), if any.

    Candidates share an email, phone or handle key with the lead (indexed lookups); the
    matching rules then decide, so a shared phone with another name is not the same person.
    """
    candidates: dict[str, Contact] = {}
    for key in sorted(k for k in match_keys(lead) if k.kind in _PERSON_KEYS):
        for contact in uow.contacts.find(key=key):
            candidates.setdefault(contact.id, contact)
    if not candidates:
        return None
    for group in find_duplicates([lead, *candidates.values()], rules):
        if any(member is lead for member in group.members):
            same = [m for m in group.members if isinstance(m, Contact)]
            return same[0] if same else None
    return None


def _matching_company(uow: UnitOfWork, lead: Lead) -> Company | None:
    """The stored company with the lead's web domain, else with its company name, if any."""
    keys = match_keys(lead)
    for kind in _COMPANY_KEYS:
        for key in sorted(k for k in keys if k.kind is kind):
            found = uow.companies.find(key=key, limit=1)
            if found:
                return found[0]
    return None


def _customer_of(
    uow: UnitOfWork, kind: CustomerKind, contact: Contact | None, company: Company | None
) -> Customer | None:
    """The stored customer of that kind whose party is ``contact`` (person) or ``company``,
    found by the customers' ``contact_id:…``/``company_id:…`` lookup keys (an index)."""
    party = company if kind is CustomerKind.company else contact
    if party is None:
        return None
    link = "company_id" if kind is CustomerKind.company else "contact_id"
    found = [c for c in uow.customers.find(key=f"{link}:{party.id}") if c.kind is kind]
    return found[0] if found else None


@attrs.frozen(kw_only=True)
class _Known:
    contact: Contact | None = None
    company: Company | None = None
    customer: Customer | None = None


def _known_records(
    uow: UnitOfWork,
    lead: Lead,
    given: _Known,
    *,
    kind: CustomerKindArg,
    rules: tuple[MatchRule, ...] | None,
) -> _Known:
    """The stored records a conversion of ``lead`` must update rather than duplicate.

    Given records first, then the links (the lead's customer and company, the customer's
    contact and company), then, unless ``rules`` is ``None``, matching: the contact by the
    lead's keys, the company by domain or name (only for a B2B conversion, as the domain's
    ``customer_kind_of`` decides), and the customer of that contact or company.
    """
    customer = given.customer or linked(uow.customers, lead.customer_id)
    contact = given.contact or linked(uow.contacts, customer.contact_id if customer else None)
    company_id = lead.company_id or (customer.company_id if customer else None)
    company = given.company or linked(uow.companies, company_id)
    if rules is None:
        return _Known(contact=contact, company=company, customer=customer)
    contact = contact or _matching_contact(uow, lead, rules)
    # the domain's rule decides B2B or B2C: a company is looked for only for a B2B customer
    b2b = customer_kind_of(lead, kind, company) is CustomerKind.company
    if b2b and company is None and company_id is None:
        company = _matching_company(uow, lead)
    if customer is None and (contact is not None or company is not None):
        customer = _customer_of(uow, customer_kind_of(lead, kind, company), contact, company)
    return _Known(contact=contact, company=company, customer=customer)


def _keep(repository: Repository[EntityT], record: EntityT, known: EntityT | None) -> EntityT:
    """Store what a conversion produced: add a new record, save a changed known one."""
    if known is None:
        return repository.add(record)
    return known if record == known else repository.save(record)


def _won(pipeline: Pipeline | None, lead: Lead, *, at: datetime, by: str | None) -> Lead | None:
    """The converted ``lead`` moved to its pipeline's ``convert_to`` status (``None``: no move)."""
    if pipeline is None:
        return None
    if lead.pipeline != pipeline.key:
        where = f"pipeline {lead.pipeline!r}" if lead.pipeline else "no pipeline"
        msg = f"lead {lead.id} is in {where}; give that pipeline (or none)"
        raise ValidationError([Problem("pipeline", msg, pipeline.key)], model="convert")
    target = pipeline.convert_to
    if target is None or lead.status == target:
        return None
    return pipeline.move(lead, target, at=at, by=by)


def convert(
    uow: UnitOfWork,
    lead_id: str,
    *,
    customer_kind: CustomerKindArg = "auto",
    contact_id: str | None = None,
    company_id: str | None = None,
    customer_id: str | None = None,
    deal_ref: str | None = None,
    match_existing: bool = True,
    rules: tuple[MatchRule, ...] = DEFAULT_RULES,
    pipeline: Pipeline | str | None = None,
    registry: Registry | None = None,
    by: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> Conversion:
    """Turn a stored lead into a customer (:func:`leadmodel.convert`); store everything.

    A known person or company never gets a second customer. The records the conversion
    updates are, in this order: those given by id (``contact_id``, ``company_id``,
    ``customer_id``); those the records link to (the lead's ``customer_id`` and
    ``company_id``, that customer's contact and company); and with ``match_existing``, the
    contact that ``rules`` (:data:`~leadmodel.DEFAULT_RULES`) match to the lead through a
    shared email, phone or handle (the first by id when several do), the
    company with the lead's web domain or company name (when the lead names a company or
    ``customer_kind="company"``), and the customer of that contact (B2C) or company (B2B).
    That customer is found by its ``contact_id:…``/``company_id:…`` lookup key (indexed).

    With ``pipeline`` (the lead's, or its key in ``registry``), or with only ``registry``
    (the lead's own pipeline from it), a pipeline whose ``convert_to`` names a won status moves
    the card there in the same unit (``StatusChanged`` after ``LeadConverted``), so a converted
    lead is a won card; a move the pipeline refuses refuses the conversion. Without it the
    card stays where it is.

    Stores the lead, contact, company and customer (new ones added, changed ones saved) and
    emits ``LeadConverted``. Returns the stored records. Raises
    :class:`~leadmodel.errors.AlreadyConvertedError`, and
    :class:`~leadmodel.errors.RuleViolation` for a lost lead or records of someone else, and
    :class:`~leadmodel.errors.ConcurrencyError` when ``expected_version`` (the lead's version
    as the caller read it) is not the stored one.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], clock=clock, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, clock=clock, ids=ids)
    >>> done = lm.services.convert(uow, lead.id, deal_ref="order-1042", clock=clock, ids=ids)
    >>> done.customer.id, done.customer.kind.value, done.contact.name, done.customer.order_refs
    ('id-4', 'person', 'Olena Koval', ('order-1042',))
    >>> lm.services.convert(uow, lead.id, clock=clock, ids=ids)
    Traceback (most recent call last):
    ...
    leadmodel.errors.AlreadyConvertedError: lead id-2 was converted at ... into customer id-4
    """
    at = now(clock, at)
    with uow:
        lead = load_expected(uow.leads, lead_id, expected_version)
        given = _Known(
            contact=uow.contacts.get(contact_id) if contact_id is not None else None,
            company=uow.companies.get(company_id) if company_id is not None else None,
            customer=uow.customers.get(customer_id) if customer_id is not None else None,
        )
        rules_or_none = rules if match_existing else None
        known = _known_records(uow, lead, given, kind=customer_kind, rules=rules_or_none)
        done = _convert(
            lead,
            at=at,
            by=by,
            customer_kind=customer_kind,
            contact=known.contact,
            company=known.company,
            customer=known.customer,
            deal_ref=deal_ref,
            ids=ids,
        )
        assert done.lead is not None  # noqa: S101 - a conversion of a lead returns the lead
        if pipeline is None and registry is not None:
            pipeline = registry.pipeline_of(lead) if lead.pipeline is not None else None
        if pipeline is not None:
            pipeline = pipeline_of(pipeline, registry)
        won = _won(pipeline, done.lead, at=at, by=by)
        stored = Conversion(
            lead=uow.leads.save(won or done.lead),
            contact=done.contact and _keep(uow.contacts, done.contact, known.contact),
            company=done.company and _keep(uow.companies, done.company, known.company),
            customer=_keep(uow.customers, done.customer, known.customer),
        )
        uow.emit(LeadConverted.of(stored, by=by))
        if won is not None and pipeline is not None and stored.lead is not None:
            uow.emit(StatusChanged.of(pipeline, stored.lead, stored.lead.history[-1]))
        uow.commit()
    return stored
