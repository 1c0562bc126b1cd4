"""Conversion: a lead becomes a customer; customers born from orders and imports (DOMAIN §1).

B2C makes (or reuses) a Contact and a person Customer; B2B makes (or reuses) a Company and its
Contact, and the Customer is the company. Existing records passed in are updated, never
duplicated: a known person or company never gets a second customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

import attrs

from leadmodel.domain.capture.consent import rehome
from leadmodel.domain.ladder.lifecycle import stage_change
from leadmodel.domain.model.entities import (
    Company,
    Contact,
    Customer,
    CustomerKind,
    CustomerOrigin,
    Lead,
)
from leadmodel.domain.model.records import ConversionLinks
from leadmodel.domain.model.stages import LifecycleStage
from leadmodel.domain.model.timeline import check_not_before
from leadmodel.domain.values.contact import ContactPoint, merge_points
from leadmodel.domain.values.ids import CompanyId, ContactId, CustomerId, IdFactory, uuid7
from leadmodel.errors import AlreadyConvertedError, Problem, RuleViolation, ValidationError

__all__ = ["Conversion", "convert", "customer_from_import", "customer_from_order"]

CustomerKindArg = Literal["auto", "person", "company"] | CustomerKind


@attrs.frozen(kw_only=True)
class Conversion:
    """What a conversion produced: the lead (with its links), the contact, company and customer.

    Each of ``contact``, ``company`` and ``customer`` is new or the existing record passed in,
    updated. ``lead`` is ``None`` for customers born from an order or an import; ``company``
    is ``None`` for a person customer without a company.
    """

    lead: Lead | None
    contact: Contact | None
    company: Company | None
    customer: Customer


def customer_kind_of(
    lead: Lead, requested: CustomerKindArg, company: Company | None
) -> CustomerKind:
    """The kind of customer :func:`convert` makes of ``lead`` (``"auto"``: a company when the
    lead names or links one, or ``company`` is given)."""
    if requested == "auto":
        b2b = company is not None or lead.company_id is not None or lead.company_name is not None
        return CustomerKind.company if b2b else CustomerKind.person
    try:
        return CustomerKind(requested)
    except ValueError:
        problem = Problem("customer_kind", "use 'auto', 'person' or 'company'", requested)
        raise ValidationError([problem], model="convert") from None


def _contact_for(
    lead: Lead, contact: Contact | None, company_id: CompanyId | None, ids: IdFactory
) -> Contact:
    if contact is None:
        made = Contact(
            id=ContactId(ids()),
            name=lead.person_name,
            contact_points=lead.contact_points,
            company_id=company_id,
            time_zone=lead.time_zone,
            consent=lead.consent,
            do_not_contact=lead.do_not_contact,
        )
        return attrs.evolve(made, consents=rehome(lead.consents, made.id))
    held = [c for c in rehome(lead.consents, contact.id) if c not in contact.consents]
    return attrs.evolve(
        contact,
        contact_points=merge_points(contact.contact_points, lead.contact_points),
        company_id=contact.company_id or company_id,
        time_zone=contact.time_zone or lead.time_zone,
        do_not_contact=contact.do_not_contact or lead.do_not_contact,
        consents=(*contact.consents, *held),
    )


def _company_for(lead: Lead, company: Company | None, ids: IdFactory) -> Company:
    if company is not None:
        return company
    name = lead.company_name
    if not name:
        problem = Problem("company_name", "a B2B conversion needs the company: pass company=")
        raise ValidationError([problem], model="convert")
    return Company(id=lead.company_id or CompanyId(ids()), name=name)


def _customer_for(
    customer: Customer | None,
    kind: CustomerKind,
    party: tuple[ContactId | None, CompanyId | None],
    *,
    at: datetime,
    origin: CustomerOrigin,
    lead: Lead | None,
    order_ref: str | None,
    ids: IdFactory,
) -> Customer:
    lead_ids = (lead.id,) if lead is not None else ()
    orders = (order_ref,) if order_ref else ()
    contact_id, company_id = party
    if customer is None:
        return Customer(
            id=CustomerId(ids()),
            kind=kind,
            since=at,
            origin=origin,
            contact_id=contact_id,
            company_id=company_id,
            lead_ids=lead_ids,
            order_refs=orders,
        )
    owner = customer.contact_id if customer.kind is CustomerKind.person else customer.company_id
    expected = contact_id if customer.kind is CustomerKind.person else company_id
    if customer.kind is not kind or owner != expected:
        who = f"contact {contact_id}" if kind is CustomerKind.person else f"company {company_id}"
        raise RuleViolation(
            f"customer {customer.id} is not the customer of {who}; pass the right one"
        )
    return attrs.evolve(
        customer,
        lead_ids=customer.lead_ids + tuple(i for i in lead_ids if i not in customer.lead_ids),
        order_refs=customer.order_refs + tuple(o for o in orders if o not in customer.order_refs),
    )


def convert(
    lead: Lead,
    *,
    at: datetime,
    by: str | None = None,
    customer_kind: CustomerKindArg = "auto",
    contact: Contact | None = None,
    company: Company | None = None,
    customer: Customer | None = None,
    deal_ref: str | None = None,
    ids: IdFactory = uuid7,
) -> Conversion:
    """Turn a lead into a customer: the deal is concluded (offer accepted, contract, payment).

    ``customer_kind="auto"`` makes a company customer (B2B) when the lead has a company, else
    a person customer. Pass the existing ``contact``, ``company`` and ``customer`` records of a
    known person or company: they are updated, not duplicated. The lead records
    :class:`~leadmodel.ConversionLinks` and moves to the ``customer`` lifecycle stage, the
    move recorded in ``stages`` with ``by`` (a lead already at ``customer`` or ``evangelist``
    stays there).

    Raises :class:`~leadmodel.errors.AlreadyConvertedError` (with ``links``) for a lead
    converted before, :class:`RuleViolation` for a lost lead (reopen it first) or for
    records that belong to someone else, and :class:`~leadmodel.errors.LifecycleError` for a
    disqualified lead (recycle it first), and :class:`~leadmodel.errors.TimeOrderError` for an
    ``at`` before the lead's last entry (a move, an assessment, its creation...).

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),), created_at=at,
    ...     source=lm.Source(channel=lm.Channel.form), company_name="ТОВ «Меблі-Сервіс»")
    >>> done = lm.convert(lead, at=at, deal_ref="D-17", ids=lm.sequential_ids("id"))
    >>> done.customer.kind.value, done.company.name, done.contact.name, done.lead.lifecycle.value
    ('company', 'ТОВ «Меблі-Сервіс»', 'Олена Коваль', 'customer')
    >>> done.lead.converted.customer_id, done.lead.converted.deal_ref
    ('id-3', 'D-17')
    >>> lm.convert(done.lead, at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.AlreadyConvertedError: lead lead-1 was converted at 2026-03-02T09:00:00+00:00
    into customer id-3
    """
    if lead.converted is not None:
        raise AlreadyConvertedError(
            f"lead {lead.id} was converted at {lead.converted.at.isoformat()} "
            f"into customer {lead.converted.customer_id}",
            links=lead.converted,
        )
    if lead.lost is not None:
        raise RuleViolation(
            f"lead {lead.id} is lost ({lead.lost.reason}): reopen it before converting"
        )
    check_not_before(lead, at, "convert")
    lifecycle, stages = lead.lifecycle, lead.stages
    if lifecycle not in (LifecycleStage.customer, LifecycleStage.evangelist):
        stages = (*stages, stage_change(lead, LifecycleStage.customer, at=at, by=by))
        lifecycle = LifecycleStage.customer
    kind = customer_kind_of(lead, customer_kind, company)
    the_company = _company_for(lead, company, ids) if kind is CustomerKind.company else company
    company_id = the_company.id if the_company is not None else None
    the_contact = _contact_for(lead, contact, company_id, ids)
    the_customer = _customer_for(
        customer,
        kind,
        (the_contact.id, company_id),
        at=at,
        origin=CustomerOrigin.from_lead,
        lead=lead,
        order_ref=deal_ref,
        ids=ids,
    )
    links = ConversionLinks(
        customer_id=the_customer.id,
        at=at,
        contact_id=the_contact.id,
        company_id=company_id,
        deal_ref=deal_ref,
    )
    converted = attrs.evolve(
        lead,
        converted=links,
        customer_id=the_customer.id,
        company_id=lead.company_id or company_id,
        lifecycle=lifecycle,
        stages=stages,
    )
    return Conversion(
        lead=converted, contact=the_contact, company=the_company, customer=the_customer
    )


def _born(
    *,
    at: datetime,
    origin: CustomerOrigin,
    name: str | None,
    contact_points: Iterable[ContactPoint],
    company: Company | None,
    contact: Contact | None,
    customer: Customer | None,
    order_ref: str | None,
    ids: IdFactory,
) -> Conversion:
    if contact is None and name is not None:
        contact = Contact(
            id=ContactId(ids()),
            name=name,
            contact_points=tuple(contact_points),
            company_id=company.id if company else None,
        )
    elif contact is not None:
        contact = attrs.evolve(
            contact, contact_points=merge_points(contact.contact_points, contact_points)
        )
    if contact is None and company is None:
        problem = Problem("name", "say who the customer is: a name, a contact or a company")
        raise ValidationError([problem], model="Customer")
    kind = CustomerKind.company if company is not None else CustomerKind.person
    party = (contact.id if contact else None, company.id if company else None)
    the_customer = _customer_for(
        customer, kind, party, at=at, origin=origin, lead=None, order_ref=order_ref, ids=ids
    )
    return Conversion(lead=None, contact=contact, company=company, customer=the_customer)


def customer_from_order(
    *,
    at: datetime,
    order_ref: str,
    name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    contact: Contact | None = None,
    company: Company | None = None,
    customer: Customer | None = None,
    ids: IdFactory = uuid7,
) -> Conversion:
    """A customer born from an order with no lead before it (a marketplace purchase).

    Pass ``name`` and ``contact_points`` for a new buyer, or the known ``contact``/``company``
    and ``customer`` (the order is added to that customer, never a second one).

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> born = lm.customer_from_order(at=at, order_ref="PROM-1001", name="Олена Коваль",
    ...     contact_points=[lm.ContactPoint.phone("+380501234567")], ids=lm.sequential_ids("id"))
    >>> born.customer.id, born.customer.origin.value, born.contact.name
    ('id-2', 'from_order', 'Олена Коваль')
    >>> again = lm.customer_from_order(at=at, order_ref="PROM-1002", contact=born.contact,
    ...     customer=born.customer)
    >>> again.customer.id, again.customer.order_refs
    ('id-2', ('PROM-1001', 'PROM-1002'))
    """
    return _born(
        at=at,
        origin=CustomerOrigin.from_order,
        name=name,
        contact_points=contact_points,
        company=company,
        contact=contact,
        customer=customer,
        order_ref=order_ref,
        ids=ids,
    )


def customer_from_import(
    *,
    at: datetime,
    name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    contact: Contact | None = None,
    company: Company | None = None,
    customer: Customer | None = None,
    order_ref: str | None = None,
    ids: IdFactory = uuid7,
) -> Conversion:
    """A customer brought in from another system's file (CSV import); ``at`` is its ``since``.

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2025, 12, 31, tzinfo=timezone.utc)
    >>> company = lm.Company(id=lm.CompanyId("company-1"), name="ТОВ «Меблі-Сервіс»")
    >>> born = lm.customer_from_import(at=at, company=company, ids=lm.sequential_ids("customer"))
    >>> born.customer.id, born.customer.kind.value, born.customer.company_id
    ('customer-1', 'company', 'company-1')
    >>> lm.customer_from_import(at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Customer.name: say who the customer is: a name, a contact
    or a company
    """
    return _born(
        at=at,
        origin=CustomerOrigin.from_import,
        name=name,
        contact_points=contact_points,
        company=company,
        contact=contact,
        customer=customer,
        order_ref=order_ref,
        ids=ids,
    )
