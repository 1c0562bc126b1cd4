"""The fields a PredictiveScorer looks at: categorical and binned, with ready-made ones.

A field is data: a ``name`` and a getter ``get(lead) -> value``. The ready-made fields use
getters that compare equal when their settings do, so two scorers built alike are equal.

>>> Categorical.channel().name, Categorical.tag("vip").name
('channel', 'tag:vip')
>>> Binned.expected_value((1000, 10000), currency="UAH").label(1)
'[1000, 10000)'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from itertools import pairwise

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.values import _normalise
from leadmodel.domain.values.contact import ContactKind
from leadmodel.domain.values.money import currency_problem
from leadmodel.errors import Problem

__all__ = ["Binned", "Categorical", "Field"]


def _name_and_getter(p: c.Problems, name: object, get: object) -> None:
    c.text(p, "name", name, "the field name")
    if not callable(get):
        p.append(Problem("get", "expected a callable that takes a Lead and returns a value", get))


# -- getters of the ready-made fields (module functions and small frozen callables compare
#    equal by value, unlike lambdas) ------------------------------------------------------------
def _channel(lead: Lead) -> str:
    return lead.source.channel.value


def _owner(lead: Lead) -> str | None:
    return lead.owner


def _time_zone(lead: Lead) -> str | None:
    return lead.time_zone


def _has_company(lead: Lead) -> bool:
    return lead.company_name is not None or lead.company_id is not None


def _phone_country(lead: Lead) -> str | None:
    """The ISO region of the lead's first phone (``phone`` extra), else the region it was given."""
    for point in lead.contact_points:
        if point.kind is ContactKind.phone:
            pn = _normalise._pn  # looked up on each call: tests switch the extra off
            if pn is None:
                return point.region
            region = pn.region_code_for_number(pn.parse(point.key, point.region))
            return str(region) if region and region != "ZZ" else point.region
    return None


@attrs.frozen
class _Tag:
    tag: str

    def __call__(self, lead: Lead) -> bool:
        return self.tag in lead.tags


@attrs.frozen
class _Custom:
    key: str

    def __call__(self, lead: Lead) -> object:
        return lead.custom.get(self.key)


@attrs.frozen
class _ExpectedValue:
    currency: str

    def __call__(self, lead: Lead) -> Decimal | None:
        money = lead.expected_value
        if money is None:
            return None
        if money.currency != self.currency:
            raise ValueError(
                f"the expected value is in {money.currency}, this field bins {self.currency} "
                "amounts; convert it first, or use one field per currency"
            )
        return money.amount


@attrs.frozen(kw_only=True)
class Categorical:
    """A field whose values are categories: a channel, an owner, whether a tag is set.

    ``get(lead)`` returns a str, int, float, bool or ``None`` (missing: a category of its
    own). Values equal in Python (``1``, ``1.0`` and ``True``) are one category.
    """

    name: str
    get: Callable[[Lead], object]

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _name_and_getter(p, self.name, self.get)
        if p:
            c.fail("Categorical", p)

    @classmethod
    def channel(cls) -> Categorical:
        """The channel the lead came through (``"instagram_dm"``, ``"referral"``...)."""
        return cls(name="channel", get=_channel)

    @classmethod
    def owner(cls) -> Categorical:
        """The lead's owner (the salesperson)."""
        return cls(name="owner", get=_owner)

    @classmethod
    def time_zone(cls) -> Categorical:
        """The lead's IANA time zone (``"Europe/Kyiv"``), a stand-in for its country."""
        return cls(name="time_zone", get=_time_zone)

    @classmethod
    def phone_country(cls) -> Categorical:
        """The country (ISO region, ``"UA"``) of the lead's first phone.

        Needs the ``phone`` extra to read the country from an international number; without
        it, the region the phone was entered with, if any.
        """
        return cls(name="phone_country", get=_phone_country)

    @classmethod
    def has_company(cls) -> Categorical:
        """Whether the lead speaks for a company (a company name or id is set)."""
        return cls(name="has_company", get=_has_company)

    @classmethod
    def tag(cls, tag: str) -> Categorical:
        """Whether the lead carries ``tag``; the field is named ``tag:<tag>``."""
        p: c.Problems = []
        c.text(p, "tag", tag, "the tag")
        if p:
            c.fail("Categorical", p)
        return cls(name=f"tag:{tag}", get=_Tag(tag))

    @classmethod
    def custom(cls, key: str) -> Categorical:
        """The custom field ``key`` (missing when absent); the field is named ``custom:<key>``."""
        p: c.Problems = []
        c.text(p, "key", key, "the custom field key")
        if p:
            c.fail("Categorical", p)
        return cls(name=f"custom:{key}", get=_Custom(key))


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


@attrs.frozen(kw_only=True)
class Binned:
    """A numeric field cut into bins at ``edges``: bin ``i`` holds ``edges[i-1] ≤ x < edges[i]``.

    ``get(lead)`` returns an int, float, ``Decimal`` or ``None`` (missing: a category of its
    own). Values are compared with the edges as floats; the edges are kept as floats.
    """

    name: str
    get: Callable[[Lead], object]
    edges: tuple[float, ...]

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _name_and_getter(p, self.name, self.get)
        _check_edges(p, self.edges)
        if p:
            c.fail("Binned", p)
        object.__setattr__(self, "edges", tuple(float(edge) for edge in self.edges))

    def label(self, category: int | None) -> str:
        """A bin's name for people: ``< 1000``, ``[1000, 5000)``, ``≥ 5000`` or ``missing``."""
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
        """The lead's expected value in ``currency``; an amount in another currency is an error."""
        problem = currency_problem(currency)
        if problem:
            c.fail("Binned", [Problem("currency", problem, currency)])
        return cls(name="expected_value", get=_ExpectedValue(currency), edges=edges)

    @classmethod
    def custom(cls, key: str, edges: tuple[float, ...]) -> Binned:
        """The numeric custom field ``key``, binned; the field is named ``custom:<key>``."""
        p: c.Problems = []
        c.text(p, "key", key, "the custom field key")
        if p:
            c.fail("Binned", p)
        return cls(name=f"custom:{key}", get=_Custom(key), edges=edges)


Field = Categorical | Binned
"""A field of a :class:`~leadmodel.domain.scoring.predictive.PredictiveScorer`."""
