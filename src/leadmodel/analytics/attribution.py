"""Attribution: which channels brought the conversions and the won revenue, by first touch, last
touch, linear, position-based (40/20/40), time decay and the data-driven Markov removal effect.

The input is a :class:`Journey` per lead: its touches (channel, time) in order, whether it
converted and the value it converted for. Journeys without touches are skipped (and counted);
the other models read the converted journeys only, Markov reads every journey.

For a converted journey of ``n`` touches at times ``t_1 ≤ … ≤ t_n``, the share of each touch:

* ``first`` and ``last``: 1 to the first (the last) touch.
* ``linear``: ``1/n`` to each.
* ``position`` (U-shaped): ``2/5`` to the first and to the last touch, ``1/5`` split equally
  among the ``n − 2`` between; one touch takes 1, two take ``1/2`` each.
* ``time_decay``: weight ``2^(−(T − t_i)/h)`` (``T`` the conversion, ``h`` the half-life),
  normalised to sum to 1. ``T`` cancels in the normalisation — the shares are
  ``2^(−(t_n − t_i)/h) / Σ_k 2^(−(t_n − t_k)/h)`` — so a journey needs no conversion time, and
  measured from the last touch no weight underflows.
* ``markov``: states ``start``, one per channel, and the absorbing ``conversion`` and ``null``;
  every journey with touches walks ``start → its channels → conversion`` (or ``null`` if it did
  not convert), and each state's moves are its counted steps over its steps out (first order: a
  channel touched twice in a row adds a self-loop, which changes no absorption probability).
  With ``s`` the start → channel row, ``Q`` channel → channel and ``r`` channel → conversion,
  the conversion probability is ``P = s · (I − Q)⁻¹ r``. Removing channel ``c`` sends every
  step into it to ``null``: ``P₋c`` is the same solve without ``c``'s row and column. Its
  removal effect is ``RE_c = 1 − P₋c / P``, and its share of every conversion and of the revenue
  is ``RE_c / Σ_k RE_k`` (extra ``numpy``).

A touch's share goes to its channel (a channel touched twice takes both). Credits stay exact
rationals until each channel's total is rounded, once: conversions to 0.0001, revenue to the
cent (or the finest digit that currency's values have), by the largest remainder method — so
each column sums exactly to the conversions counted and to the revenue in each currency.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics._extras import optional
from leadmodel.analytics._groups import EXACT, money_sum
from leadmodel.analytics._table import Table, money_field
from leadmodel.domain.model import Lead
from leadmodel.domain.values import Money
from leadmodel.errors import Problem

if TYPE_CHECKING:  # pragma: no cover - the extra is optional
    from matplotlib.axes import Axes

__all__ = ["MODELS", "Attribution", "AttributionRow", "Journey", "Model", "attribution"]

Model = Literal["first", "last", "linear", "position", "time_decay", "markov"]
MODELS: Final[tuple[Model, ...]] = ("first", "last", "linear", "position", "time_decay", "markov")
"""The attribution models :func:`attribution` knows."""

_TITLES: Final = {
    "first": "first touch",
    "last": "last touch",
    "linear": "linear",
    "position": "position-based (40/20/40)",
    "time_decay": "time decay",
    "markov": "Markov removal effect",
}
_CREDIT: Final = Decimal("0.0001")  # the conversions credited are rounded to this
_ENDS: Final = Fraction(2, 5)  # position-based: the first and the last touch each
_MIDDLE: Final = Fraction(1, 5)  # position-based: the touches between, together
_WEEK: Final = timedelta(days=7)


def _touches(value: object) -> Any:
    """An attrs converter: touches as a tuple of ``(channel text, fixed-offset time)`` pairs
    (a :class:`~leadmodel.Channel` becomes its text); anything else unchanged, for the check."""
    given = c.as_tuple(value)
    if type(given) is not tuple:
        return given
    return tuple(
        (str(t[0]) if isinstance(t[0], str) else t[0], c.fixed_offset(t[1]))
        if isinstance(t, tuple | list) and len(t) == 2  # noqa: PLR2004 - a (channel, at) pair
        else t
        for t in given
    )


@attrs.frozen(kw_only=True)
class Journey:
    """One lead's way to conversion: its ``touches`` — ``(channel, at)`` pairs in time order, the
    channel any key (``"google_ads"``, a :class:`~leadmodel.Channel`) — whether it ``converted``,
    and the ``value`` it converted for (the won revenue; ``None`` for a conversion without one).
    Built from a stored lead's touches with :meth:`of`; a journey that did not convert matters
    to the Markov model only.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.attribution import Journey
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> Journey(lead_id="L-1", touches=[(lm.Channel.form, at), ("call", at)], converted=True,
    ...         value=lm.Money.of("900", "UAH")).channels
    ('form', 'call')
    >>> Journey(lead_id="L-2", touches=[("ads", at)], value=lm.Money.of("900", "UAH"))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Journey.value: only a converted journey has a value (the
    revenue its conversion brought); pass converted=True or no value; got Money(...)
    """

    lead_id: str
    touches: tuple[tuple[str, datetime], ...] = attrs.field(converter=_touches)
    converted: bool = False
    value: Money | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "lead_id", self.lead_id, "the lead id")
        _check_touches(p, self.touches)
        c.flag(p, "converted", self.converted)
        if c.opt_instance(p, "value", self.value, Money) and self.value is not None:
            if self.converted is not True:
                why = "only a converted journey has a value (the revenue its conversion brought)"
                p.append(Problem("value", f"{why}; pass converted=True or no value", self.value))
            elif self.value.amount < 0:
                why = "the revenue credited cannot be negative; leave refunds out of attribution"
                p.append(Problem("value", why, self.value))
        if p:
            c.fail("Journey", p)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels touched, in order (a channel touched twice appears twice)."""
        return tuple(channel for channel, _ in self.touches)

    @classmethod
    def of(cls, lead: Lead, *, by: Literal["channel", "source", "campaign"] = "channel") -> Journey:
        """The journey of a stored ``lead``: its ``touches`` in order, keyed ``by`` channel, UTM
        source or campaign (a touch without one counts as its channel); converted when the lead
        was, worth its ``expected_value`` then (the won revenue).

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], created_at=at,
        ...     source=lm.Source(channel=lm.Channel.form), expected_value=lm.Money.of("900", "UAH"),
        ...     converted=lm.ConversionLinks(customer_id="C-1", at=at + timedelta(days=3)),
        ...     touches=[lm.Touch(channel=lm.Channel.landing, source="google", at=at),
        ...              lm.Touch(channel=lm.Channel.email, at=at + timedelta(days=1))])
        >>> journey = Journey.of(lead, by="source")
        >>> journey.channels, journey.converted, journey.value
        (('google', 'email'), True, Money(amount=Decimal('900'), currency='UAH'))
        """
        if by not in ("channel", "source", "campaign"):
            c.fail("Journey.of", [Problem("by", "'channel', 'source' or 'campaign'", by)])
        touches = []
        for touch in lead.touches:
            key = touch.channel.value if by == "channel" else getattr(touch, by)
            touches.append((key or touch.channel.value, touch.at))
        converted = lead.converted is not None
        value = lead.expected_value if converted else None
        return cls(lead_id=lead.id, touches=touches, converted=converted, value=value)


def _check_touches(p: c.Problems, touches: object) -> None:
    if type(touches) is not tuple:
        p.append(Problem("touches", "expected a sequence of (channel, at) pairs", touches))
        return
    previous: datetime | None = None
    for i, touch in enumerate(touches):
        if type(touch) is not tuple or len(touch) != 2:  # noqa: PLR2004 - a (channel, at) pair
            p.append(Problem(f"touches[{i}]", "expected a (channel, at) pair", touch))
            continue
        channel, at = touch
        c.text(p, f"touches[{i}][0]", channel, "the channel")
        known = len(p)
        c.aware(p, f"touches[{i}][1]", at)
        if len(p) > known:  # not a time: no order to check
            continue
        if previous is not None and at < previous:
            why = "touches must be in time order; sort them by their time"
            p.append(Problem(f"touches[{i}][1]", why, at))
        previous = at


@attrs.frozen(kw_only=True, slots=True)
class AttributionRow:
    """One channel: the ``conversions`` credited to it (a ``Decimal`` to 0.0001), the
    ``revenue`` credited per currency (a column per currency in
    :meth:`~leadmodel.analytics.Table.records`) and, for the Markov model, its
    ``removal_effect`` (``None`` for the other models, and when nothing converted).

    >>> from decimal import Decimal
    >>> AttributionRow(channel="ads", conversions=Decimal("0.5000")).channel
    'ads'
    """

    channel: str
    conversions: Decimal
    revenue: tuple[Money, ...] = money_field()
    removal_effect: float | None = None


@attrs.frozen(kw_only=True)
class Attribution(Table[AttributionRow]):
    """:func:`attribution`: a row per channel touched, by channel; the ``model`` (and its
    ``half_life`` for time decay), the ``journeys`` read (with touches), the ``conversions``
    and the ``revenue`` per currency they hold — each column of the rows sums to them exactly —
    the journeys skipped for having no touch (``untouched``) and, for Markov, the
    ``conversion_probability`` of the chain (``P``).

    >>> from datetime import datetime, timezone
    >>> from leadmodel.analytics.attribution import Journey, attribution
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> report = attribution([Journey(lead_id="L-1", touches=[("ads", at)], converted=True),
    ...                       Journey(lead_id="L-2", touches=[])], model="first")
    >>> report.records(), report.conversions, report.untouched
    ([{'channel': 'ads', 'conversions': Decimal('1.0000'), 'removal_effect': None}], 1, 1)
    """

    kind = "attribution"
    model: Model
    journeys: int
    conversions: int
    revenue: tuple[Money, ...]
    untouched: int = 0
    half_life: timedelta | None = None
    conversion_probability: float | None = None

    def _draw(self, ax: Axes) -> None:
        """A bar per channel: the conversions credited to it."""
        positions = range(len(self.rows))
        ax.barh(positions, [float(row.conversions) for row in self.rows], color="#4C72B0")
        ax.set_yticks(list(positions), [row.channel for row in self.rows])
        ax.invert_yaxis()  # the first channel on top
        ax.set_xlabel(f"conversions credited ({_TITLES[self.model]})")


def attribution(
    journeys: Iterable[Journey], *, model: Model = "linear", half_life: timedelta = _WEEK
) -> Attribution:
    """The conversions and the revenue of ``journeys`` credited to their channels by ``model``
    (``first``, ``last``, ``linear``, ``position``, ``time_decay`` with ``half_life``, or
    ``markov``; the formulas are in the module docstring). Raises
    :class:`~leadmodel.errors.ValidationError` naming each bad argument, and
    :class:`~leadmodel.errors.MissingExtraError` for ``markov`` without numpy.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.attribution import Journey, attribution
    >>> day = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> def journey(n, *channels, value=None):
    ...     return Journey(lead_id=f"L-{n}", converted=value is not None,
    ...         value=value and lm.Money.of(value, "UAH"),
    ...         touches=[(ch, day + timedelta(days=i)) for i, ch in enumerate(channels)])
    >>> journeys = [journey(1, "ads", "email", "call", value="900.00"), journey(2, "ads"),
    ...             journey(3, "email", "call")]
    >>> [(r.channel, str(r.conversions), str(r.revenue[0].amount))
    ...  for r in attribution(journeys)]
    [('ads', '0.3334', '300.00'), ('call', '0.3333', '300.00'), ('email', '0.3333', '300.00')]
    >>> markov = attribution(journeys, model="markov")  # P = 1/3; without ads 1/6
    >>> [(r.channel, round(r.removal_effect, 9), str(r.conversions)) for r in markov]
    [('ads', 0.5, '0.2000'), ('call', 1.0, '0.4000'), ('email', 1.0, '0.4000')]
    >>> attribution(journeys, model="w_shaped")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: attribution.model: expected one of 'first', 'last',
    'linear', 'position', 'time_decay', 'markov'; got 'w_shaped'
    """
    given = _checked(journeys, model, half_life)
    touched = tuple(journey for journey in given if journey.touches)
    channels = sorted({channel for journey in touched for channel in journey.channels})
    won = [journey for journey in touched if journey.converted]
    revenue = money_sum(journey.value for journey in won)
    probability: float | None = None
    effects: dict[str, float | None] = {}
    if model == "markov":
        probability, effects = _removal_effects(touched, channels)
        leads, money = _by_effect(effects, len(won), revenue)
    else:
        leads, money = _by_touch(won, model, half_life)
    credited = _apportion(leads, channels, Decimal(len(won)), _CREDIT)
    earned = {
        t.currency: _apportion(money[t.currency], channels, t.amount, _quantum(won, t.currency))
        for t in revenue
    }
    rows = tuple(
        AttributionRow(
            channel=channel,
            conversions=credited[channel],
            revenue=tuple(
                Money(amount=earned[t.currency][channel], currency=t.currency) for t in revenue
            ),
            removal_effect=effects.get(channel),
        )
        for channel in channels
    )
    return Attribution(
        rows=rows,
        title=f"Attribution by {_TITLES[model]}",
        model=model,
        journeys=len(touched),
        conversions=len(won),
        revenue=revenue,
        untouched=len(given) - len(touched),
        half_life=half_life if model == "time_decay" else None,
        conversion_probability=probability,
    )


def _checked(journeys: object, model: object, half_life: object) -> tuple[Journey, ...]:
    given: tuple[Journey, ...] = c.as_tuple(journeys)
    p: c.Problems = []
    c.tuple_of(p, "journeys", given, Journey)
    if model not in MODELS:
        p.append(Problem("model", c.one_of(MODELS), model))
    if not isinstance(half_life, timedelta) or half_life <= timedelta(0):
        p.append(
            Problem(
                "half_life", "expected a timedelta above zero, e.g. timedelta(days=7)", half_life
            )
        )
    if p:
        c.fail("attribution", p)
    return given


_Credits = tuple[dict[str, Fraction], dict[str, dict[str, Fraction]]]
"""Exact credits per channel: of the conversions, and of the revenue per currency."""


def _by_touch(won: Iterable[Journey], model: str, half_life: timedelta) -> _Credits:
    """Each converted journey's conversion and value shared among its touches."""
    leads: dict[str, Fraction] = defaultdict(Fraction)
    money: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for journey in won:
        for channel, part in _shares(journey, model, half_life):
            leads[channel] += part
            if journey.value is not None:
                money[journey.value.currency][channel] += part * Fraction(journey.value.amount)
    return leads, money


def _by_effect(
    effects: Mapping[str, float | None], conversions: int, revenue: Iterable[Money]
) -> _Credits:
    """The conversions and the revenue shared by removal effect (nothing when none)."""
    found = {channel: Fraction(e) for channel, e in effects.items() if e is not None}
    whole = sum(found.values())  # > 0 when anything converted: see _removal_effects
    leads = {channel: effect / whole * conversions for channel, effect in found.items()}
    money = {
        total.currency: {ch: e / whole * Fraction(total.amount) for ch, e in found.items()}
        for total in revenue
    }
    return leads, money


def _shares(journey: Journey, model: str, half_life: timedelta) -> list[tuple[str, Fraction]]:
    """Each touch's share of ``journey``'s conversion, exactly (they sum to 1)."""
    channels = journey.channels
    n = len(channels)
    if model == "first":
        return [(channels[0], Fraction(1))]
    if model == "last":
        return [(channels[-1], Fraction(1))]
    if model == "linear" or (model == "position" and n <= 2):  # noqa: PLR2004 - no middle
        return [(channel, Fraction(1, n)) for channel in channels]
    if model == "position":
        middle = _MIDDLE / (n - 2)
        inner = [(channel, middle) for channel in channels[1:-1]]
        return [(channels[0], _ENDS), *inner, (channels[-1], _ENDS)]
    last = journey.touches[-1][1]
    # a float weight is an exact binary fraction: normalised as a Fraction, the shares sum to 1
    weights = [Fraction(2.0 ** -((last - at) / half_life)) for _, at in journey.touches]
    total = sum(weights)  # ≥ 1: the last touch weighs 1
    return [(channel, w / total) for channel, w in zip(channels, weights, strict=True)]


def _removal_effects(
    journeys: Sequence[Journey], channels: Sequence[str]
) -> tuple[float | None, dict[str, float | None]]:
    """``P`` and each channel's removal effect (``None`` for all when nothing converted).

    Every channel's row has a step out (its journey goes on or ends), so from each channel
    absorption is reached with positive probability: ``I − Q`` and every principal submatrix
    are invertible. When ``P > 0`` some journey converted, and removing any of its channels
    cuts that path: the effects sum to more than 0."""
    np = optional("numpy", "attribution(model='markov')", "numpy")
    n = len(channels)
    index = {channel: i for i, channel in enumerate(channels)}
    steps = np.zeros((n, n + 2))  # to each channel, to conversion, to null
    start = np.zeros(n)
    for journey in journeys:
        path = [index[channel] for channel in journey.channels]
        start[path[0]] += 1
        for a, b in itertools.pairwise(path):
            steps[a, b] += 1
        steps[path[-1], n if journey.converted else n + 1] += 1
    moves = steps / steps.sum(axis=1, keepdims=True)
    s, q, r = start / start.sum(), moves[:, :n], moves[:, n]
    whole = _converting(np, s, q, r)
    if whole == 0.0:
        return None, dict.fromkeys(channels)
    effects: dict[str, float | None] = {}
    for i, channel in enumerate(channels):
        keep = [k for k in range(n) if k != i]
        without = _converting(np, s[keep], q[np.ix_(keep, keep)], r[keep])
        effects[channel] = min(max(1.0 - without / whole, 0.0), 1.0)  # rounding: -1e-17
    return whole, effects


def _converting(np: Any, s: Any, q: Any, r: Any) -> float:
    """``s · (I − Q)⁻¹ r``: the probability that a walk from start ends in conversion."""
    if not len(s):
        return 0.0
    return float(s @ np.linalg.solve(np.eye(len(s)) - q, r))


def _quantum(won: Iterable[Journey], currency: str) -> Decimal:
    """The unit revenue in ``currency`` is credited in: the cent, or the finest digit the
    values in it have."""
    values = [j.value.amount for j in won if j.value and j.value.currency == currency]
    places = max((-int(amount.as_tuple().exponent) for amount in values), default=0)
    return Decimal(1).scaleb(-max(places, 2))


def _apportion(
    exact: Mapping[str, Fraction], channels: Sequence[str], total: Decimal, unit: Decimal
) -> dict[str, Decimal]:
    """``exact`` (summing to ``total``) rounded to ``unit`` by the largest remainder method:
    each channel rounded down, then the units left one each to the largest remainders (ties in
    channel order), so the rounded credits sum to ``total`` exactly."""
    scaled = {channel: exact.get(channel, Fraction(0)) / Fraction(unit) for channel in channels}
    units = {channel: math.floor(x) for channel, x in scaled.items()}
    left = int(Fraction(total) / Fraction(unit)) - sum(units.values())
    for channel in sorted(channels, key=lambda ch: units[ch] - scaled[ch])[:left]:
        units[channel] += 1
    with localcontext(EXACT):
        return {channel: Decimal(units[channel]) * unit for channel in channels}
