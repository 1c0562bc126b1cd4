"""The fields a PredictiveScorer looks at, as data: where each value comes from.

A field reads one value from a lead, from exactly one source:

* ``field=``, a Lead field path (:mod:`~leadmodel.domain.model.paths`): ``"source.channel"``,
  ``"owner"``, ``"custom.segment"``, ``"expected_value.amount"``; an enum counts as its value;
* ``derived=``, a :class:`DerivedValue` key, for what no single path holds (the phone's country,
  whether the lead speaks for a company);
* ``tagged=``, whether the lead carries this tag (a :class:`Categorical` only).

``name`` keys the field's columns, counts and explanations; it defaults to the path, the
derived key or ``tag:<tag>``. For experiments, ``get=`` takes a function of the lead instead:
such a field works, but a scorer holding it cannot be dumped.

>>> Categorical(field="custom.segment").name, Categorical.tag("vip").name
('custom.segment', 'tag:vip')
>>> Categorical.phone_country() == Categorical(derived=DerivedValue.phone_country)
True
>>> Binned.expected_value((1000, 10000), currency="UAH").label(1)
'[1000, 10000)'
>>> Categorical(field="source.campain")
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: Categorical.field: source has no field like this (known: ...
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from enum import Enum, StrEnum
from itertools import pairwise
from typing import cast

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.code import NOT_DATA
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.paths import check_path, reader
from leadmodel.domain.values import normalise
from leadmodel.domain.values.contact import ContactKind
from leadmodel.domain.values.money import currency_problem
from leadmodel.errors import CurrencyMismatchError, Problem

__all__ = ["AMOUNT", "Binned", "Categorical", "DerivedValue", "Field"]

AMOUNT = "expected_value.amount"
"""The path of the lead's expected amount: a :class:`Binned` field of it names its currency."""

_AS_DATA = (
    "read the value from data instead: field='custom.<key>' (store what the function computes "
    "in a custom field), derived=DerivedValue.<key> or tagged='<tag>'"
)


class DerivedValue(StrEnum):
    """A value read from a lead by a named rule, where no single field path holds it."""

    phone_country = "phone_country"
    """The country (ISO region, ``"UA"``) of the lead's first phone; ``None`` without a phone.

    Read from the number with the ``phone`` extra; without it, the region the phone was
    entered with, if any.
    """
    has_company = "has_company"
    """Whether the lead speaks for a company (a company name or id is set)."""


def _phone_country(lead: Lead) -> str | None:
    for point in lead.contact_points:
        if point.kind is ContactKind.phone:
            return normalise.phone_region(point.key, point.region)
    return None


def _has_company(lead: Lead) -> bool:
    return lead.company_name is not None or lead.company_id is not None


_DERIVED: dict[DerivedValue, Callable[[Lead], object]] = {
    DerivedValue.phone_country: _phone_country,
    DerivedValue.has_company: _has_company,
}


def _plain(read: Callable[[Lead], object]) -> Callable[[Lead], object]:
    """``read``, with an enum counted as its value: ``Channel.referral`` is ``"referral"``."""

    def plain(lead: Lead) -> object:
        value = read(lead)
        return value.value if isinstance(value, Enum) else value

    return plain


def _check_source(p: c.Problems, sources: Mapping[str, object], name: str) -> None:
    """Exactly one source is given and it is well-formed; a function's field has a name."""
    given = [key for key, value in sources.items() if value is not None]
    if len(given) != 1:
        choices = ", ".join(f"{key}=" for key in sources)
        got = " and ".join(given) or "none"
        p.append(Problem("field", f"give exactly one of {choices}; got {got}"))
    if sources.get("field") is not None:
        check_path(p, "field", sources["field"])
    derived = sources.get("derived")
    if derived is not None and not isinstance(derived, DerivedValue):
        known = ", ".join(repr(d.value) for d in DerivedValue)
        p.append(Problem("derived", f"expected a DerivedValue key ({known})", derived))
    if sources.get("tagged") is not None:
        c.text(p, "tagged", sources["tagged"], "the tag")
    get = sources["get"]
    if get is not None and not callable(get):
        p.append(Problem("get", "expected a function that takes a Lead and returns a value", get))
    if get is not None and not name:
        p.append(Problem("name", "a field read by a function needs a name"))
    elif name:
        c.text(p, "name", name, "the field name")


@attrs.frozen(kw_only=True)
class Categorical:
    """A field whose values are categories: a channel, an owner, whether a tag is set.

    Give one source: ``field`` (a Lead field path), ``derived`` (a :class:`DerivedValue` key) or
    ``tagged``; or, not to be dumped, ``get`` (a function of the lead). Its value is a str, int,
    float, bool or ``None`` (missing: a category of its own); values equal in Python (``1``,
    ``1.0`` and ``True``) are one category. Raises ``ValidationError`` listing every problem.
    """

    name: str = ""
    field: str | None = None
    derived: DerivedValue | None = None
    tagged: str | None = None
    get: Callable[[Lead], object] | None = attrs.field(default=None, metadata={NOT_DATA: _AS_DATA})

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        sources = {
            "field": self.field,
            "derived": self.derived,
            "tagged": self.tagged,
            "get": self.get,
        }
        _check_source(p, sources, self.name)
        if p:
            c.fail("Categorical", p)
        if not self.name:
            default = self.field or (self.derived and self.derived.value) or f"tag:{self.tagged}"
            object.__setattr__(self, "name", default)

    def read(self, lead: Lead) -> object:
        """The field's value for ``lead``, as it is counted (``None`` when missing).

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.referral), tags=frozenset({"vip"}),
        ...     created_at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> lm.Categorical.channel().read(lead), lm.Categorical.tag("vip").read(lead)
        ('referral', True)
        >>> print(lm.Categorical.time_zone().read(lead))
        None
        """
        return self.reader()(lead)

    def reader(self) -> Callable[[Lead], object]:
        """A function of the lead that reads the field; made once, it reads many leads fast.

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.form), owner="Андрій",
        ...     created_at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> read_owner = lm.Categorical.owner().reader()  # make it once, call it for each lead
        >>> read_owner(lead)
        'Андрій'
        """
        if self.get is not None:
            return self.get
        if self.field is not None:
            return _plain(reader(self.field))
        if self.derived is not None:
            return _DERIVED[self.derived]
        tag = self.tagged
        return lambda lead: tag in lead.tags

    @classmethod
    def channel(cls) -> Categorical:
        """The channel the lead came through (``"instagram_dm"``, ``"referral"``...).

        >>> import leadmodel as lm
        >>> channel = lm.Categorical.channel()
        >>> channel.name, channel.field
        ('channel', 'source.channel')
        """
        return cls(name="channel", field="source.channel")

    @classmethod
    def owner(cls) -> Categorical:
        """The lead's owner (the salesperson).

        >>> import leadmodel as lm
        >>> lm.Categorical.owner() == lm.Categorical(field="owner")
        True
        >>> lm.Categorical.owner().name
        'owner'
        """
        return cls(field="owner")

    @classmethod
    def time_zone(cls) -> Categorical:
        """The lead's IANA time zone (``"Europe/Kyiv"``), a stand-in for its country.

        >>> import leadmodel as lm
        >>> zone = lm.Categorical.time_zone()
        >>> zone.name, zone.field
        ('time_zone', 'time_zone')
        """
        return cls(field="time_zone")

    @classmethod
    def phone_country(cls) -> Categorical:
        """The country (ISO region, ``"UA"``) of the lead's first phone (:class:`DerivedValue`).

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.form),
        ...     created_at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> country = lm.Categorical.phone_country()
        >>> country.name, country.read(lead)
        ('phone_country', 'UA')
        """
        return cls(derived=DerivedValue.phone_country)

    @classmethod
    def has_company(cls) -> Categorical:
        """Whether the lead speaks for a company (a company name or id is set).

        >>> import leadmodel as lm
        >>> b2b = lm.Categorical.has_company()
        >>> b2b.name, b2b.derived is lm.DerivedValue.has_company
        ('has_company', True)
        """
        return cls(derived=DerivedValue.has_company)

    @classmethod
    def tag(cls, tag: str) -> Categorical:
        """Whether the lead carries ``tag``; the field is named ``tag:<tag>``.

        >>> import leadmodel as lm
        >>> vip = lm.Categorical.tag("vip")
        >>> vip.name, vip.tagged
        ('tag:vip', 'vip')
        """
        return cls(tagged=tag)

    @classmethod
    def custom(cls, key: str) -> Categorical:
        """The custom field ``key`` (missing when absent), named by its path ``custom.<key>``.

        >>> import leadmodel as lm
        >>> lm.Categorical.custom("segment").name
        'custom.segment'
        >>> lm.Categorical.custom("")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: Categorical.key: the custom field key must not be blank;
        got ''
        """
        p: c.Problems = []
        c.text(p, "key", key, "the custom field key")
        if p:
            c.fail("Categorical", p)
        return cls(field=f"custom.{key}")


def _check_edges(p: c.Problems, edges: object) -> None:
    if type(edges) is not tuple or not edges:
        p.append(
            Problem("edges", "expected a non-empty tuple of numbers, e.g. (1000, 5000)", edges)
        )
        return
    for i, edge in enumerate(edges):
        if type(edge) not in (int, float) or not math.isfinite(edge):
            p.append(Problem(f"edges[{i}]", "an edge is a finite int or float", edge))
            return
    if any(a >= b for a, b in pairwise(edges)):
        p.append(Problem("edges", "edges must be strictly increasing", edges))


def _check_currency(p: c.Problems, field: str | None, currency: object) -> None:
    """An amount of money is binned in one currency, named; nothing else has a currency."""
    if field == "expected_value":
        msg = f"a Money is not a number; bin {AMOUNT!r} and give its currency"
        p.append(Problem("field", msg, field))
    elif currency is None and field == AMOUNT:
        msg = "amounts in different currencies cannot share bins: name the edges' currency ('UAH')"
        p.append(Problem("currency", msg))
    elif currency is not None and field != AMOUNT:
        p.append(Problem("currency", f"only {AMOUNT!r} has a currency; leave it out", currency))
    elif currency is not None and (problem := currency_problem(currency)):
        p.append(Problem("currency", problem, currency))


def _in_currency(currency: str) -> Callable[[Lead], object]:
    def amount(lead: Lead) -> object:
        money = lead.expected_value
        if money is None:
            return None
        if money.currency != currency:
            msg = (
                f"the expected value is in {money.currency}, this field bins {currency} "
                "amounts; convert it first, or use one field per currency"
            )
            problem = Problem("expected_value", msg, money.currency)
            raise CurrencyMismatchError([problem], model="Binned")
        return money.amount

    return amount


@attrs.frozen(kw_only=True)
class Binned:
    """A numeric field cut into bins at ``edges``: bin ``i`` holds ``edges[i-1] ≤ x < edges[i]``.

    Give ``field`` (a Lead field path to a number) or, not to be dumped, ``get`` (a function of
    the lead). The value is an int, float, ``Decimal`` or ``None`` (missing: a category of its
    own), compared with the edges as floats; the edges are kept as floats. Binning
    ``expected_value.amount`` needs its ``currency``: an amount in another currency is an error.
    """

    name: str = ""
    field: str | None = None
    edges: tuple[float, ...]
    currency: str | None = None
    get: Callable[[Lead], object] | None = attrs.field(default=None, metadata={NOT_DATA: _AS_DATA})

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _check_source(p, {"field": self.field, "get": self.get}, self.name)
        _check_edges(p, self.edges)
        _check_currency(p, self.field, self.currency)
        if p:
            c.fail("Binned", p)
        object.__setattr__(self, "edges", tuple(float(edge) for edge in self.edges))
        if not self.name:
            object.__setattr__(self, "name", self.field)

    def read(self, lead: Lead) -> object:
        """The field's number for ``lead`` (``None`` when missing).

        Raises :class:`~leadmodel.errors.CurrencyMismatchError` when the expected value is in
        another currency than ``currency``.

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.form), expected_value=lm.Money.of(12000, "UAH"),
        ...     created_at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> lm.Binned.expected_value((5000, 20000), currency="UAH").read(lead)
        Decimal('12000')
        >>> lm.Binned.expected_value((200, 500), currency="EUR").read(lead)
        Traceback (most recent call last):
        ...
        leadmodel.errors.CurrencyMismatchError: Binned.expected_value: ... is in UAH, ...
        """
        return self.reader()(lead)

    def reader(self) -> Callable[[Lead], object]:
        """A function of the lead that reads the field; made once, it reads many leads fast.

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.form), custom={"employees": 40},
        ...     created_at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> read_staff = lm.Binned.custom("employees", (10, 50, 250)).reader()
        >>> read_staff(lead)
        40
        """
        if self.get is not None:
            return self.get
        if self.currency is not None:
            return _in_currency(self.currency)
        return reader(cast(str, self.field))  # the one source: checked on construction

    def label(self, category: int | None) -> str:
        """A bin's name for people: ``< 1000``, ``[1000, 5000)``, ``≥ 5000`` or ``missing``.

        >>> import leadmodel as lm
        >>> staff = lm.Binned.custom("employees", (10, 50, 250))
        >>> [staff.label(bin) for bin in (0, 1, 3, None)]
        ['< 10', '[10, 50)', '≥ 250', 'missing']
        """
        edges = self.edges
        if category is None:
            return "missing"
        if category == 0:
            return f"< {edges[0]:g}"
        if category == len(edges):
            return f"≥ {edges[-1]:g}"
        return f"[{edges[category - 1]:g}, {edges[category]:g})"

    @classmethod
    def expected_value(cls, edges: tuple[float, ...], *, currency: str) -> Binned:
        """The lead's expected amount in ``currency``, named ``expected_value``.

        >>> import leadmodel as lm
        >>> deal = lm.Binned.expected_value((5000, 20000), currency="UAH")
        >>> deal.name, deal.field, deal.edges, deal.label(1)
        ('expected_value', 'expected_value.amount', (5000.0, 20000.0), '[5000, 20000)')
        """
        return cls(name="expected_value", field=AMOUNT, edges=edges, currency=currency)

    @classmethod
    def custom(cls, key: str, edges: tuple[float, ...]) -> Binned:
        """The numeric custom field ``key``, binned, named by its path ``custom.<key>``.

        >>> import leadmodel as lm
        >>> lm.Binned.custom("employees", (10, 50, 250)).name
        'custom.employees'
        >>> lm.Binned.custom("employees", (50, 10))
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: Binned.edges: edges must be strictly increasing;
        got (50, 10)
        """
        p: c.Problems = []
        c.text(p, "key", key, "the custom field key")
        if p:
            c.fail("Binned", p)
        return cls(field=f"custom.{key}", edges=edges)


Field = Categorical | Binned
"""A field of a :class:`~leadmodel.domain.scoring.predictive.PredictiveScorer`."""
