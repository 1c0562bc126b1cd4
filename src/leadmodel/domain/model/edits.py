"""Edits: change what a person may change of a lead, contact, company or customer.

An edit is a copy with some fields replaced, validated as the entity validates itself. Each
kind lists the fields an edit may change (:data:`EDITABLE`); the others have their own
operation (a status is moved, an assessment recorded, a conversion made) and an edit that
names one says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeVar

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.copy import replace
from leadmodel.domain.model.entities import LEAD_ALONE, Alone, Company, Contact, Customer, Lead
from leadmodel.errors import Problem, RuleViolation, ValidationError

__all__ = ["EDITABLE", "changed_fields", "edit"]

Editable = TypeVar("Editable", Lead, Contact, Company, Customer)

EDITABLE: Final[Mapping[type, frozenset[str]]] = {
    Lead: frozenset(
        {
            "person_name",
            "contact_points",
            "topic",
            "source",
            "company_name",
            "company_id",
            "owner",
            "expected_value",
            "time_zone",
            "tags",
            "custom",
            "consent",
            "do_not_contact",
        }
    ),
    Contact: frozenset(
        {
            "name",
            "contact_points",
            "company_id",
            "role",
            "time_zone",
            "custom",
            "consent",
            "do_not_contact",
        }
    ),
    Company: frozenset({"name", "legal_name", "tax_id", "domain", "contact_points", "custom"}),
    Customer: frozenset({"contact_id", "company_id", "order_refs", "custom"}),
}
"""The fields an edit may change, per kind."""

_ELSEWHERE: Final = {
    "id": "an id never changes",
    "version": "the store sets the version",
    "pipeline": "move the card with Pipeline.transfer",
    "status": "move the card with Pipeline.move (services.move)",
    "history": "history is written by moves",
    "lifecycle": "move the lifecycle with leadmodel.advance",
    "stages": "stages are written by lifecycle moves",
    "assessments": "record one with leadmodel.assess (services.assess)",
    "score": "set it with a score model",
    "converted": "convert the lead with leadmodel.convert (services.convert)",
    "lost": "move the card to a lost status with a reason",
    "merges": "merge duplicates with services.merge",
    "activities": "log a contact with leadmodel.log_activity or respond (services.log_activity)",
    "erased_at": "erase a person with services.erase_person",
    "interest_ids": "attach an interest with leadmodel.attach_interest",
    "lead_ids": "a conversion links the lead",
}


def edit(entity: Editable, **changes: object) -> Editable:
    """A copy of ``entity`` with ``changes`` applied and validated as the entity validates itself.

    Only the fields of :data:`EDITABLE` may change; naming another raises
    :class:`~leadmodel.errors.ValidationError` saying which operation changes it, and every
    bad value is reported at once by the entity's own checks (for a lead's owner and tags, which
    no other field's rule involves, only theirs run). An erased person's record
    refuses edits (:class:`~leadmodel.errors.RuleViolation`): erasure is final.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form),
    ...     created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> edited = lm.edit(lead, owner="anna", expected_value=lm.Money.of("12000", "UAH"))
    >>> edited.owner, str(edited.expected_value), lead.owner
    ('anna', '12000 UAH', None)
    >>> lm.edit(lead, status="won", colour="red")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      Lead.colour: a lead has no field 'colour'; ...
      Lead.status: move the card with Pipeline.move (services.move); an edit changes only ...
    """
    kind = type(entity)
    allowed = EDITABLE.get(kind)
    if allowed is None:
        msg = "edit takes a Lead, Contact, Company or Customer"
        raise ValidationError([Problem("entity", msg, entity)], model="edit")
    problems = []
    for name in sorted(changes.keys() - allowed):  # most edits: none
        fields = ", ".join(sorted(allowed))
        if name not in attrs.fields_dict(kind):
            article = "an" if kind.__name__[0] in "AEIOU" else "a"
            why = f"{article} {kind.__name__.lower()} has no field {name!r}; edit one of {fields}"
            problems.append(Problem(name, why))
        else:
            how = _ELSEWHERE.get(name, "it is set by the library")
            problems.append(Problem(name, f"{how}; an edit changes only {fields}"))
    if problems:
        raise ValidationError(problems, model=kind.__name__)
    if getattr(entity, "erased_at", None) is not None and changes:
        msg = (
            f"{kind.__name__.lower()} {entity.id} belongs to an erased person; it cannot be edited"
        )
        raise RuleViolation(msg)
    alone = _ALONE.get(kind)
    if alone is not None and changes.keys() <= alone.keys():
        return _alone(entity, changes, alone)
    edited: Editable = attrs.evolve(entity, **changes)  # type: ignore[arg-type]
    return edited


_ALONE: Final[Mapping[type, Mapping[str, Alone]]] = {Lead: LEAD_ALONE}


def _alone(entity: Editable, changes: Mapping[str, object], alone: Mapping[str, Alone]) -> Editable:
    """``entity`` with ``changes`` to fields checked alone: each made and checked as the class
    makes and checks it; the other fields copied (the entity checked them)."""
    p: c.Problems = []
    made: dict[str, object] = {}
    for name, (convert, check) in alone.items():  # the class's order: its problems' order
        if name in changes:
            made[name] = value = convert(changes[name])
            check(p, value)
    if p:
        c.fail(type(entity).__name__, p)
    return replace(entity, **made)


def changed_fields(before: Editable, after: Editable) -> tuple[str, ...]:
    """The names of the editable fields that differ between two versions of one entity.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form),
    ...     created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> lm.changed_fields(lead, lm.edit(lead, owner="anna", topic="Chairs"))
    ('owner',)
    """
    allowed = EDITABLE.get(type(before), frozenset())
    return tuple(sorted(name for name in allowed if getattr(before, name) != getattr(after, name)))
