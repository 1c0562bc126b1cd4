"""The ladder: an interest becomes a lead, a lead becomes a customer (DOMAIN §1).

Seed rules enforced here:

* "A company name plus a corporate phone number is not a lead": promotion needs a person's
  name, at least one contact point and the area of interest (:class:`NotALeadError` says which
  are missing).
* A lead becomes a customer when the deal is concluded; the lead keeps links to what it
  produced (customer, contact, company, deal/order) — :func:`convert`.
* Customers are born three ways: from a lead, from an order with no lead, by import.
* B2B: the lead is a person, the customer is the company.
* A known customer's new interest is a repeat lead linked to the customer, never a second
  customer; a lost lead can come back (recycling) with the first attempt's history kept.
* The lifecycle: promotion records inquiry → lead; :func:`recycle` is the only way back
  (for a lost lead, and for a disqualified one).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter

import attrs

from leadmodel.domain.capture.consent import rehome
from leadmodel.domain.ladder.lifecycle import stage_change
from leadmodel.domain.model.entities import Contact, Customer, Interest, Lead
from leadmodel.domain.model.stages import LifecycleStage, StageChange
from leadmodel.domain.model.timeline import check_not_before
from leadmodel.domain.values.contact import ContactPoint, merge_points
from leadmodel.domain.values.ids import IdFactory, LeadId, uuid7
from leadmodel.errors import LifecycleError, NotALeadError, RuleViolation

__all__ = ["attach_interest", "promote", "recycle", "repeat_lead"]

_NOT_A_LEAD = (
    'seed rule: "a lead is a concrete person who can be reached" — a company name and a '
    "corporate phone are not a lead until a named person who speaks for the company is attached"
)


_DISQUALIFIED_OR_CUSTOMER = frozenset(
    {LifecycleStage.disqualified, LifecycleStage.customer, LifecycleStage.evangelist}
)


def promote(
    interest: Interest,
    *,
    at: datetime,
    person_name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    topic: str | None = None,
    company_name: str | None = None,
    owner: str | None = None,
    by: str | None = None,
    ids: IdFactory = uuid7,
) -> Lead:
    """Make a lead of an interest once the person gave a name, a way back and the topic.

    Values passed here complete what the interest carries. The lead records the interest in
    ``interest_ids``; mark the interest with :func:`attach_interest`. Its lifecycle history
    starts with the move inquiry → lead at ``at``, made ``by`` whoever promoted it. Raises
    :class:`~leadmodel.errors.NotALeadError` whose ``missing`` lists ``person_name``,
    ``contact_point`` and/or ``topic``; :class:`~leadmodel.errors.RuleViolation` if the
    interest was promoted before; :class:`~leadmodel.errors.TimeOrderError` for an ``at``
    before the interest occurred.

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> call = lm.Interest(id=lm.InterestId("I-1"), occurred_at=at, topic="Офісні меблі",
    ...     source=lm.Source(channel=lm.Channel.phone_call))
    >>> lead = lm.promote(call, at=at, person_name="Олена Коваль",
    ...     contact_points=[lm.ContactPoint.phone("+380501234567")], ids=lm.sequential_ids("lead"))
    >>> lead.id, lead.person_name, lead.interest_ids
    ('lead-1', 'Олена Коваль', ('I-1',))
    >>> lm.promote(call, at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.NotALeadError: interest I-1 is not a lead, missing person_name,
    contact_point: ...
    """
    if interest.lead_id is not None:
        raise RuleViolation(
            f"interest {interest.id} was already promoted to lead {interest.lead_id}; "
            "attach_interest() adds a further interest to an existing lead"
        )
    check_not_before(interest, at, "promote")
    name = person_name if person_name is not None else interest.person_name
    points = merge_points(interest.contact_points, contact_points)
    about = topic if topic is not None else interest.topic
    missing = [
        field
        for field, ok in (
            ("person_name", bool(name and name.strip())),
            ("contact_point", bool(points)),
            ("topic", bool(about and about.strip())),
        )
        if not ok
    ]
    if missing:
        raise NotALeadError(
            f"interest {interest.id} is not a lead, missing {', '.join(missing)}: {_NOT_A_LEAD}",
            missing=missing,
        )
    lead_id = LeadId(ids())
    return Lead(
        id=lead_id,
        person_name=name or "",
        contact_points=points,
        topic=about or "",
        source=interest.source,
        created_at=at,
        company_name=company_name if company_name is not None else interest.company_name,
        interest_ids=(interest.id,),
        owner=owner if owner is not None else interest.owner,
        do_not_contact=interest.do_not_contact,
        touches=(interest.as_touch(),),
        consents=rehome(interest.consents, lead_id),
        stages=(
            StageChange(
                from_stage=LifecycleStage.inquiry, to_stage=LifecycleStage.lead, at=at, by=by
            ),
        ),
    )


def attach_interest(lead: Lead, interest: Interest) -> tuple[Lead, Interest]:
    """Link an interest and a lead both ways (several interests may feed one lead).

    Returns the lead with the interest id in ``interest_ids``, its touch
    (:meth:`~leadmodel.Interest.as_touch`) among the lead's ``touches`` in time order and its
    consents now about the lead, and the interest with ``lead_id`` set; linking again is a
    no-op. Raises :class:`RuleViolation` if the interest
    already belongs to another lead.

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> call = lm.Interest(id=lm.InterestId("I-2"), occurred_at=at, topic="Офісні крісла",
    ...     source=lm.Source(channel=lm.Channel.phone_call))
    >>> lead, call = lm.attach_interest(lead, call)
    >>> lead.interest_ids, call.lead_id
    (('I-2',), 'lead-1')
    """
    if interest.lead_id not in (None, lead.id):
        raise RuleViolation(f"interest {interest.id} already belongs to lead {interest.lead_id}")
    if interest.id not in lead.interest_ids:
        touch = interest.as_touch()
        touches = lead.touches
        if touch not in touches:  # in time order; after the touches of the same instant
            touches = tuple(sorted((*touches, touch), key=attrgetter("at")))
        held = [c for c in rehome(interest.consents, lead.id) if c not in lead.consents]
        lead = attrs.evolve(
            lead,
            interest_ids=(*lead.interest_ids, interest.id),
            touches=touches,
            consents=(*lead.consents, *held),
        )
    if interest.lead_id is None:
        interest = attrs.evolve(interest, lead_id=lead.id)
    return lead, interest


def repeat_lead(
    customer: Customer,
    interest: Interest,
    *,
    at: datetime,
    contact: Contact | None = None,
    person_name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    topic: str | None = None,
    ids: IdFactory = uuid7,
) -> Lead:
    """A known customer's new interest: a lead linked to the customer, never a second customer.

    The person's name and contact points come from the arguments, the interest, or the
    customer's ``contact`` when given. ``previous_lead_id`` points to the customer's latest lead.

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> born = lm.customer_from_order(at=at, order_ref="PROM-1001", name="Олена Коваль",
    ...     contact_points=[lm.ContactPoint.phone("+380501234567")], ids=lm.sequential_ids("id"))
    >>> call = lm.Interest(id=lm.InterestId("I-7"), occurred_at=at, topic="Стелажі для складу",
    ...     source=lm.Source(channel=lm.Channel.phone_call))
    >>> lead = lm.repeat_lead(born.customer, call, at=at, contact=born.contact,
    ...     ids=lm.sequential_ids("lead"))
    >>> lead.id, lead.person_name, lead.customer_id, lead.contact_points[0].key
    ('lead-1', 'Олена Коваль', 'id-2', '+380501234567')
    """
    if contact is not None and customer.contact_id not in (None, contact.id):
        raise RuleViolation(f"contact {contact.id} is not the contact of customer {customer.id}")
    lead = promote(
        interest,
        at=at,
        person_name=person_name or interest.person_name or (contact.name if contact else None),
        contact_points=merge_points(contact_points, contact.contact_points if contact else ()),
        topic=topic,
        ids=ids,
    )
    previous = customer.lead_ids[-1] if customer.lead_ids else None
    return attrs.evolve(lead, customer_id=customer.id, previous_lead_id=previous)


def recycle(
    lead: Lead,
    *,
    at: datetime,
    by: str | None = None,
    reason: str | None = None,
    ids: IdFactory = uuid7,
) -> Lead:
    """Bring a lost or disqualified lead back: the one way back in the lifecycle.

    A **lost** lead comes back as a new lead (a new id, created ``at``): it copies every
    field of the lost one (person, contact points, topic, source, company, owner, interests,
    tags, custom fields...) but the record of the first attempt, points to the lost one in
    ``previous_lead_id``, starts with no status, history, assessments, score, loss or
    activities (the first attempt's contacts stay on the lost lead; put the new one into a
    pipeline with ``pipeline.enter``), and carries the lost lead's lifecycle history
    (``stages``) plus the move to ``recycled``; the lost lead itself is untouched. A
    **disqualified** lead (not
    lost) is the same lead, moved to ``recycled`` with its status and histories kept.

    Raises :class:`~leadmodel.errors.LifecycleError` (a :class:`RuleViolation`) with ``why``:
    ``customer`` for a lead at the customer or evangelist stage (a customer's new interest is
    a repeat lead: :func:`repeat_lead`), ``not_recyclable`` for a lead neither lost nor
    disqualified. Raises :class:`~leadmodel.errors.TimeOrderError` for an ``at`` before the
    lead's last entry (its loss, a move, its creation...).

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lost = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),), created_at=at,
    ...     source=lm.Source(channel=lm.Channel.form),
    ...     lost=lm.LossInfo(status="lost", reason="Ціна", at=at))
    >>> later = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
    >>> back = lm.recycle(lost, at=later, by="Андрій", ids=lm.sequential_ids("lead", start=2))
    >>> back.id, back.previous_lead_id, back.lifecycle.value, back.lost
    ('lead-2', 'lead-1', 'recycled', None)
    >>> lm.recycle(back, at=later)
    Traceback (most recent call last):
    ...
    leadmodel.errors.LifecycleError: lead lead-2 is neither lost nor disqualified: ...
    """
    stage = lead.lifecycle
    # a customer is refused by stage_change below, with the "repeat lead" fix
    if lead.lost is None and stage not in _DISQUALIFIED_OR_CUSTOMER:
        raise LifecycleError(
            f"lead {lead.id} is neither lost nor disqualified: only lost leads and "
            "disqualified ones are recycled; move it on with advance or a pipeline",
            from_stage=stage,
            to_stage=LifecycleStage.recycled,
            why="not_recyclable",
        )
    check_not_before(lead, at, "recycle")
    change = stage_change(lead, LifecycleStage.recycled, at=at, by=by, reason=reason)
    stages = (*lead.stages, change)
    if lead.lost is None:
        return attrs.evolve(lead, lifecycle=LifecycleStage.recycled, stages=stages)
    # a new lead: name only what starts afresh, so a field added to Lead is carried over
    new_id = LeadId(ids())
    return attrs.evolve(
        lead,
        id=new_id,
        consents=rehome(lead.consents, new_id),  # the person's consents, about the new card
        possible_duplicates=(),
        created_at=at,
        pipeline=None,
        status=None,
        history=(),
        lifecycle=LifecycleStage.recycled,
        stages=stages,
        assessments=(),
        score=None,
        converted=None,
        lost=None,
        previous_lead_id=lead.id,
        erased_at=None,
        merges=(),
        activities=(),
        version=0,
    )
