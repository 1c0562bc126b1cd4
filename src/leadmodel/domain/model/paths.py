"""The one grammar of Lead field paths, and the one reader of the values they name.

A path is a Lead field (``company_name``, ``owner``, ``tags``), a field of the lead's source
(``source.channel``, ``source.campaign``), ``expected_value.amount``, or a custom field
(``custom.<key>``, where the key is everything after the first dot). Pipeline requirements, fit
conditions and predictive fields all name fields this way, and all read them through
:func:`lead_value`.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source
>>> lead = Lead(id=LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
...             contact_points=(ContactPoint.email("olena@ukr.net"),),
...             source=Source(channel=Channel.referral, campaign="spring"),
...             custom={"employees": 120}, created_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
>>> lead_value(lead, "source.campaign"), lead_value(lead, "custom.employees")
('spring', 120)
>>> path_problem("custom")
"name the custom field: 'custom.<key>'"
>>> requirement_problem("source.campaign") is None
True
>>> print(requirement_problem("created_at"))
every lead has created_at, so requiring it checks nothing; require a field a lead may lack, ...
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.values.source import Source
from leadmodel.errors import Problem

__all__ = [
    "ALWAYS_SET",
    "LEAD_FIELDS",
    "PATH_HINT",
    "check_path",
    "lead_value",
    "path_problem",
    "reader",
    "requirement_problem",
]

LEAD_FIELDS = frozenset(attrs.fields_dict(Lead))
"""The names a path may start with."""
# the Money field a path may reach is named here, not looked up: Money has no other number
_NESTED = {"source": frozenset(attrs.fields_dict(Source)), "expected_value": frozenset({"amount"})}
PATH_HINT = "a Lead field such as 'company_name', 'source.channel' or 'custom.employees'"
"""What a path looks like, for error messages."""
ALWAYS_SET = frozenset({"id", "version", "created_at"})
"""Lead fields every lead has: valid paths, but a pipeline status cannot require them."""


def path_problem(value: object) -> str | None:
    """Why ``value`` is not a Lead field path, or ``None`` when it is one."""
    if type(value) is not str or not value.strip():
        return f"expected {PATH_HINT}"
    if not c.is_unicode(value):
        return c.NOT_UNICODE
    head, dot, rest = value.partition(".")
    if head not in LEAD_FIELDS:
        return f"not a Lead field; use {PATH_HINT}"
    if head == "custom" and not rest:
        return "name the custom field: 'custom.<key>'"
    if dot and head != "custom" and rest not in _NESTED.get(head, ()):
        known = ", ".join(sorted(f"{head}.{f}" for f in _NESTED.get(head, ()))) or "none"
        return f"{head} has no field like this (known: {known})"
    return None


def check_path(p: c.Problems, path: str, value: object) -> None:
    """Append a problem at ``path`` when ``value`` is not a Lead field path."""
    if (problem := path_problem(value)) is not None:
        p.append(Problem(path, problem, value))


def requirement_problem(value: object) -> str | None:
    """Why ``value`` cannot be a field a pipeline status requires, or ``None`` when it can.

    A required field is a Lead field path (:func:`path_problem`) a lead may lack: not one of
    :data:`ALWAYS_SET`.
    """
    if (problem := path_problem(value)) is not None:
        return problem
    if value in ALWAYS_SET:
        return (
            f"every lead has {value}, so requiring it checks nothing; "
            "require a field a lead may lack, such as 'owner' or 'custom.budget'"
        )
    return None


def lead_value(lead: Lead, path: str) -> object:
    """The value at ``path``; ``None`` when absent. A custom key is everything after ``custom.``."""
    return reader(path)(lead)


@lru_cache(maxsize=1024)
def reader(path: str) -> Callable[[Lead], object]:
    """A function reading ``path`` from a lead, as :func:`lead_value` does, made once per path.

    For code that reads one path from many leads (predictive fields); ``path`` is assumed
    checked (:func:`path_problem`).
    """
    head, _, rest = path.partition(".")
    if head == "custom" and rest:
        return lambda lead: lead.custom.get(rest)
    outer = attrgetter(head)
    if not rest:
        return outer
    inner = attrgetter(rest)

    def read(lead: Lead) -> object:
        value = outer(lead)
        return None if value is None else inner(value)

    return read
