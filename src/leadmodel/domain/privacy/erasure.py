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

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

import attrs

from leadmodel.domain.model.activities import Activity
from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead
from leadmodel.domain.model.merges import MergeRecord, SetAside
from leadmodel.domain.model.records import Assessment
from leadmodel.domain.model.timeline import check_not_before
from leadmodel.domain.values.custom_json import EMPTY
from leadmodel.errors import Problem, ValidationError

__all__ = ["ERASED_COMPANY_NAME", "erase", "is_personal_company_name"]

Erasable = TypeVar("Erasable", Interest, Lead, Contact, Company, Customer)

ERASED_COMPANY_NAME = "erased"
"""The name an erased company keeps (a company needs a name; this one says what happened)."""

_WORD = re.compile(r"[^\W\d_]+")
# Legal forms that make a company name a person's own: a sole proprietor trades under it.
_SOLE_PROPRIETOR = (
    ("фоп",),
    ("флп",),
    ("спд",),
    ("фо", "п"),
    ("ип",),
    ("sole", "proprietor"),
    ("sole", "trader"),
    ("jdg",),
    ("e", "k"),
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _has_run(words: list[str], run: tuple[str, ...]) -> bool:
    return any(tuple(words[i : i + len(run)]) == run for i in range(len(words)))


def is_personal_company_name(company_name: str | None, names: Iterable[str | None]) -> bool:
    """Whether ``company_name`` names the person called ``names`` (their name is its name).

    The rule: it does when it has a sole-proprietor legal form (ФОП, ФЛП, СПД, ИП, "sole
    proprietor", "sole trader", JDG, e.K.), whose trade name is the owner's own; or when it
    holds every word of one of the person's names (case and order aside); or, for a name of
    two or more words, two of them.

    >>> is_personal_company_name("ФОП Маркерчук З. П.", [])
    True
    >>> is_personal_company_name("Koval & Sons", ["Olena Koval"])
    False
    >>> is_personal_company_name("Olena Koval Design", ["Koval Olena"])
    True
    """
    if not company_name:
        return False
    words = _words(company_name)
    if any(_has_run(words, form) for form in _SOLE_PROPRIETOR):
        return True
    present = set(words)
    for name in names:
        own = set(_words(name or ""))
        if own and (own <= present or len(own & present) >= 2):  # noqa: PLR2004 - two words
            return True
    return False


def _company_name(name: str | None, names: Iterable[str | None]) -> str | None:
    return None if is_personal_company_name(name, names) else name


# what a merge kept that may name or reach the person: conflicting names, contact points,
# company names and custom values; the notes of set-aside moves and losses, the notes of
# set-aside activities
_PERSONAL_CONFLICTS = ("person_name", "name", "company_name", "contact_points[", "custom.")


def _merge_record(record: MergeRecord) -> MergeRecord:
    conflicts = tuple(c for c in record.conflicts if not c.field.startswith(_PERSONAL_CONFLICTS))
    return attrs.evolve(
        record, conflicts=conflicts, set_aside=tuple(_set_aside(s) for s in record.set_aside)
    )


def _set_aside(kept: SetAside) -> SetAside:
    if kept.field == "history":
        return attrs.evolve(kept, value=tuple(attrs.evolve(c, note=None) for c in kept.value))
    if kept.field == "lost":
        return attrs.evolve(kept, value=attrs.evolve(kept.value, note=None))
    if kept.field == "activities":
        return attrs.evolve(kept, value=_activities(kept.value))
    return kept


def _activities(activities: tuple[Activity, ...]) -> tuple[Activity, ...]:
    """The contacts without what was said: times, kinds, directions, channels and who stay."""
    return tuple(a if a.note is None else attrs.evolve(a, note=None) for a in activities)


def _assessment(assessment: Assessment) -> Assessment:
    answers = tuple(attrs.evolve(a, value=None, note=None) for a in assessment.answers)
    return attrs.evolve(assessment, answers=answers)


def erase(entity: Erasable, *, at: datetime, names: Iterable[str | None] = ()) -> Erasable:
    """Remove the personal data of a record; keep what statistics need.

    Interests, leads and contacts lose names, contact points, free text (messages, notes of
    moves and losses, answer notes and values, activity notes), custom fields, what their
    ``merges`` kept of these (conflicting names, contact points, company names and custom
    values; notes set aside), and their ``company_name`` when it is the person's
    (:func:`is_personal_company_name`, against their own name and ``names``, the person's
    other names). Kept: ids, statuses and history (moves, times, who
    moved, reasons), the activities without their notes (times, kinds, directions,
    channels, who on our side, ids: speed-to-lead statistics), amounts, sources, topics,
    tags, lifecycle, links to other records.
    The result is marked ``erased_at`` and ``do_not_contact``; consent becomes ``False``. Each
    consent record is erased (:meth:`~leadmodel.Consent.erase`: its source and evidence go, the
    record stays, withdrawn, so the person is never contacted again for its purpose); touches
    lose their referrer and click ids (:meth:`~leadmodel.Touch.erased`; the campaign stays for
    attribution); an interest loses its spam verdict and idempotency key (a fingerprint of the
    person's submission), a lead its ``possible_duplicates``.

    A company (erase it when it is the person's, such as a sole proprietor's) keeps its id and
    is renamed :data:`ERASED_COMPANY_NAME`; its legal name, tax id, domain, contact points and
    custom fields go. A customer keeps its kind, dates, links and order references and loses
    its custom fields (free-form values that may hold anything about the person).

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
    >>> lm.erase(lm.Company(id=lm.CompanyId("company-1"), name="ФОП Коваль О. П."), at=at).name
    'erased'
    >>> lm.erase("Олена", at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: erase.entity: erase takes an Interest, a Lead, a Contact,
    a Company or a Customer; got 'Олена'
    """
    if isinstance(entity, Interest | Lead | Contact | Customer):
        check_not_before(entity, at, "erase")
    if isinstance(entity, Lead):
        return attrs.evolve(
            entity,
            person_name="",
            merges=tuple(_merge_record(m) for m in entity.merges),
            company_name=_company_name(entity.company_name, [entity.person_name, *names]),
            contact_points=(),
            history=tuple(attrs.evolve(c, note=None) for c in entity.history),
            lost=attrs.evolve(entity.lost, note=None) if entity.lost else None,
            assessments=tuple(_assessment(a) for a in entity.assessments),
            activities=_activities(entity.activities),
            touches=tuple(touch.erased() for touch in entity.touches),
            consents=tuple(consent.erase(at) for consent in entity.consents),
            possible_duplicates=(),
            custom=EMPTY,
            consent=False,
            do_not_contact=True,
            erased_at=at,
        )
    if isinstance(entity, Interest):
        return attrs.evolve(
            entity,
            person_name=None,
            company_name=_company_name(entity.company_name, [entity.person_name, *names]),
            contact_points=(),
            message=None,
            topic=entity.topic if entity.topic is not None else "erased",
            touch=entity.touch.erased() if entity.touch else None,
            consents=tuple(consent.erase(at) for consent in entity.consents),
            spam=None,
            idempotency_key=None,
            custom=EMPTY,
            do_not_contact=True,
            erased_at=at,
        )
    if isinstance(entity, Contact):
        return attrs.evolve(
            entity,
            name="",
            merges=tuple(_merge_record(m) for m in entity.merges),
            contact_points=(),
            consents=tuple(consent.erase(at) for consent in entity.consents),
            custom=EMPTY,
            consent=False,
            do_not_contact=True,
            erased_at=at,
        )
    if isinstance(entity, Company):
        return attrs.evolve(
            entity,
            name=ERASED_COMPANY_NAME,
            legal_name=None,
            tax_id=None,
            domain=None,
            contact_points=(),
            custom=EMPTY,
        )
    if isinstance(entity, Customer):
        return attrs.evolve(entity, custom=EMPTY)
    what = "erase takes an Interest, a Lead, a Contact, a Company or a Customer"
    problem = Problem("entity", what, entity)
    raise ValidationError([problem], model="erase")
