"""Erasure: a person's data removed, the funnel statistics kept (DOMAIN §7).

>>> from datetime import datetime, timezone
>>> from leadmodel import Contact, ContactId, ContactPoint
>>> at = datetime(2026, 5, 1, tzinfo=timezone.utc)
>>> email = ContactPoint.email("olena@example.com")
>>> contact = Contact(id=ContactId("c-1"), name="Олена", contact_points=(email,))
>>> erased = erase(contact, at=at)
>>> erased.name, erased.contact_points, erased.do_not_contact
('', (), True)
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import attrs

from leadmodel.domain.model.entities import Contact, Interest, Lead
from leadmodel.domain.model.records import Assessment
from leadmodel.domain.values.custom_json import EMPTY
from leadmodel.errors import Problem, ValidationError

__all__ = ["erase"]

Erasable = TypeVar("Erasable", Interest, Lead, Contact)


def _assessment(assessment: Assessment) -> Assessment:
    answers = tuple(attrs.evolve(a, value=None, note=None) for a in assessment.answers)
    return attrs.evolve(assessment, answers=answers)


def erase(entity: Erasable, *, at: datetime) -> Erasable:
    """Remove the personal data of an interest, lead or contact; keep what statistics need.

    Removed: names, contact points, free text (messages, notes of moves and losses, answer
    notes and values) and custom fields. Kept: ids, statuses and history (moves, times, who
    moved, reasons), amounts, sources, topics, tags, lifecycle, links to other records.
    The result is marked ``erased_at`` and ``do_not_contact``; consent becomes ``False``.

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> erased = lm.erase(lead, at=datetime(2026, 5, 1, tzinfo=timezone.utc))
    >>> erased.person_name, erased.contact_points, erased.topic, erased.source.channel.value
    ('', (), 'Офісні меблі', 'form')
    >>> erased.erased_at.date(), erased.do_not_contact, erased.consent
    (datetime.date(2026, 5, 1), True, False)
    >>> lm.erase(lm.Company(id=lm.CompanyId("company-1"), name="ТОВ «Меблі-Сервіс»"), at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: erase.entity: erase takes an Interest, a Lead or a Contact;
    got Company(...)
    """
    if isinstance(entity, Lead):
        return attrs.evolve(
            entity,
            person_name="",
            contact_points=(),
            history=tuple(attrs.evolve(c, note=None) for c in entity.history),
            lost=attrs.evolve(entity.lost, note=None) if entity.lost else None,
            assessments=tuple(_assessment(a) for a in entity.assessments),
            custom=EMPTY,
            consent=False,
            do_not_contact=True,
            erased_at=at,
        )
    if isinstance(entity, Interest):
        return attrs.evolve(
            entity,
            person_name=None,
            contact_points=(),
            message=None,
            topic=entity.topic if entity.topic is not None else "erased",
            custom=EMPTY,
            do_not_contact=True,
            erased_at=at,
        )
    if isinstance(entity, Contact):
        return attrs.evolve(
            entity,
            name="",
            contact_points=(),
            custom=EMPTY,
            consent=False,
            do_not_contact=True,
            erased_at=at,
        )
    problem = Problem("entity", "erase takes an Interest, a Lead or a Contact", entity)
    raise ValidationError([problem], model="erase")
