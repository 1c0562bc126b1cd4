"""Conditions a fit rule states as data: a field's value, a numeric range, a tag, free mail.

Each condition has ``matches(lead) -> bool`` and ``describe() -> str`` (the reason shown in a
score's explanation). Field paths name a Lead field, ``source.<field>``,
``expected_value.amount`` or ``custom.<key>``.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source
>>> lead = Lead(id=LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
...             contact_points=(ContactPoint.email("olena@ukr.net"),),
...             source=Source(channel=Channel.referral), custom={"employees": 120},
...             created_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
>>> FieldBetween(field="custom.employees", low=50, high=500).matches(lead)
True
>>> FieldIs(field="source.channel", values=("referral", "event")).describe()
"source.channel is one of 'referral', 'event'"
>>> FreeMail().matches(lead), HasTag(tag="vip").matches(lead)
(True, False)

Conditions are specs: each names itself in a document with ``condition``.

>>> FieldBetween(field="custom.employees", low=50).to_dict()
{'schema_version': 1, 'condition': 'field_between', 'field': 'custom.employees', 'low': 50}
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec, Tag
from leadmodel.domain.matching.keys import is_free_mail
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.paths import check_path, lead_value
from leadmodel.domain.values.contact import ContactKind
from leadmodel.errors import Problem

__all__ = ["FieldBetween", "FieldIs", "FitCondition", "FreeMail", "HasTag"]

MAX_MAGNITUDE = 1e9
"""The largest points, bound or cap a score model accepts (in magnitude)."""


def number(p: c.Problems, path: str, value: object, what: str) -> bool:
    """A finite int or float (not a bool) of magnitude ≤ 1e9; returns whether it is one."""
    if type(value) not in (int, float) or not abs(value) <= MAX_MAGNITUDE:  # type: ignore[arg-type]
        p.append(Problem(path, f"{what} must be a finite number up to 1e9 in size", value))
        return False
    return True


def _show(value: object) -> str:
    return repr(str(value)) if isinstance(value, str) else repr(value)


@attrs.frozen(kw_only=True)
class FieldIs(Spec, tag=Tag(key="condition", value="field_is")):
    """The lead's ``field`` equals one of ``values`` (``"source.channel"``, ``"custom.role"``).

    ``field`` is a Lead field, ``source.<field>``, ``expected_value.amount`` or
    ``custom.<key>``; an absent value is ``None``. ``True`` never equals ``1`` here.
    """

    field: str
    values: tuple[str | int | float | bool | None, ...]

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        check_path(p, "field", self.field)
        if type(self.values) is not tuple or not self.values:
            p.append(Problem("values", "a non-empty tuple of values to match", self.values))
        else:
            for i, item in enumerate(self.values):
                if item is not None and not isinstance(item, str | int | float):
                    p.append(Problem(f"values[{i}]", "a string, number, bool or None", item))
                c.unicode(p, f"values[{i}]", item)
        if p:
            c.fail("FieldIs", p)

    def matches(self, lead: Lead) -> bool:
        """Whether the lead's value equals one of ``values``.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), custom={"role": "director"},
        ...                created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> lm.FieldIs(field="custom.role", values=("director", "purchasing")).matches(lead)
        True
        >>> lm.FieldIs(field="custom.country", values=(None,)).matches(lead)  # absent is None
        True
        """
        got = lead_value(lead, self.field)
        return any(v == got and isinstance(v, bool) == isinstance(got, bool) for v in self.values)

    def describe(self) -> str:
        """The condition in words.

        >>> import leadmodel as lm
        >>> lm.FieldIs(field="custom.role", values=("director", "purchasing")).describe()
        "custom.role is one of 'director', 'purchasing'"
        >>> lm.FieldIs(field="role", values=("director",))
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: FieldIs.field: not a Lead field; use a Lead field such as
        'company_name', 'source.channel' or 'custom.employees'; got 'role'
        """
        shown = ", ".join(_show(v) for v in self.values)
        return f"{self.field} is {shown if len(self.values) == 1 else f'one of {shown}'}"


@attrs.frozen(kw_only=True)
class FieldBetween(Spec, tag=Tag(key="condition", value="field_between")):
    """The lead's numeric ``field`` lies from ``low`` to ``high`` (inclusive; either may be None).

    For sizes and amounts: ``FieldBetween(field="custom.employees", low=50, high=500)``. A value
    that is absent or not a number (``"50"``, ``True``) does not match.
    """

    field: str
    low: float | None = None
    high: float | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        check_path(p, "field", self.field)
        ok = [self.low is None or number(p, "low", self.low, "low")]
        ok.append(self.high is None or number(p, "high", self.high, "high"))
        if self.low is None and self.high is None:
            p.append(Problem("low", "give low, high or both"))
        elif all(ok) and self.low is not None and self.high is not None and self.low > self.high:
            p.append(Problem("high", f"high must not be below low ({self.low:g})", self.high))
        if p:
            c.fail("FieldBetween", p)

    def matches(self, lead: Lead) -> bool:
        """Whether the lead's value is a number within the bounds.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), custom={"employees": 120},
        ...                created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> lm.FieldBetween(field="custom.employees", low=50, high=500).matches(lead)
        True
        >>> lm.FieldBetween(field="custom.revenue", low=0).matches(lead)  # absent: no match
        False
        """
        got = lead_value(lead, self.field)
        if isinstance(got, bool) or not isinstance(got, int | float | Decimal):
            return False
        return (self.low is None or got >= self.low) and (self.high is None or got <= self.high)

    def describe(self) -> str:
        """The condition in words.

        >>> import leadmodel as lm
        >>> lm.FieldBetween(field="custom.employees", low=50, high=500).describe()
        'custom.employees from 50 to 500'
        >>> lm.FieldBetween(field="custom.employees", low=50).describe()
        'custom.employees at least 50'
        >>> lm.FieldBetween(field="custom.employees", low=500, high=50)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: FieldBetween.high: high must not be below low (500);
        got 50
        """
        if self.low is not None and self.high is not None:
            return f"{self.field} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{self.field} at least {self.low:g}"
        return f"{self.field} at most {self.high:g}"


@attrs.frozen(kw_only=True)
class HasTag(Spec, tag=Tag(key="condition", value="has_tag")):
    """The lead carries ``tag``."""

    tag: str

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "tag", self.tag, "the tag")
        if p:
            c.fail("HasTag", p)

    def matches(self, lead: Lead) -> bool:
        """Whether ``tag`` is among the lead's tags.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), tags=frozenset({"vip"}),
        ...                created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> lm.HasTag(tag="vip").matches(lead), lm.HasTag(tag="student").matches(lead)
        (True, False)
        """
        return self.tag in lead.tags

    def describe(self) -> str:
        """The condition in words.

        >>> import leadmodel as lm
        >>> lm.HasTag(tag="student").describe()
        "tagged 'student'"
        """
        return f"tagged {self.tag!r}"


@attrs.frozen(kw_only=True)
class FreeMail(Spec, tag=Tag(key="condition", value="free_mail")):
    """Every email address of the lead is on a free-mail domain (gmail.com, ukr.net...).

    A lead with no email address does not match; see :func:`~leadmodel.is_free_mail`.
    """

    def matches(self, lead: Lead) -> bool:
        """Whether the lead has emails and all are free mail.

        >>> from datetime import datetime, timezone
        >>> import attrs
        >>> import leadmodel as lm
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@ukr.net"),),
        ...                source=lm.Source(channel=lm.Channel.form),
        ...                created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> work = attrs.evolve(lead, contact_points=(lm.ContactPoint.email("olena@mebli.ua"),))
        >>> lm.FreeMail().matches(lead), lm.FreeMail().matches(work)
        (True, False)
        """
        domains = [
            cp.key.rpartition("@")[2] for cp in lead.contact_points if cp.kind is ContactKind.email
        ]
        return bool(domains) and all(is_free_mail(d) for d in domains)

    def describe(self) -> str:
        """The condition in words.

        >>> import leadmodel as lm
        >>> lm.FreeMail().describe()
        'every email address is on a free-mail domain'
        """
        return "every email address is on a free-mail domain"


FitCondition: TypeAlias = FieldIs | FieldBetween | HasTag | FreeMail
"""The conditions a :class:`~leadmodel.domain.scoring.score_model.FitRule` can state as data."""
