"""Synthetic funnels: realistic, seeded leads to try reports, notebooks and benchmarks on.

:func:`simulate` makes ``n`` valid :class:`~leadmodel.Lead` cards of one pipeline: arrivals
that follow the hour of day, the weekday and a monthly wave in each market's own time zone;
sources with their cost per lead or campaign-level :class:`Spend`; owners in several time zones
whose first responses land in their working time and whose skill moves their win rate and
speed; log-normal deal values; a status history that replays through the pipeline and ends
won (converted into a customer), lost (a reason allowed at that status) or still open as of
the simulation's end. The same arguments give the same leads: one ``random.Random(seed)``
and no clock.

>>> sim = simulate(300, seed=7)
>>> sim.won + sim.lost + sim.open == len(sim.leads) == 300
True
>>> lead = sim.leads[0]
>>> sim.pipeline.replay(lead.history) == lead.status
True
>>> simulate(300, seed=7) == sim
True

How it works, and what it costs (about 35 µs a lead on one core; a million leads in about
40 s and 1.7 GB): the calendars become sorted lists of working intervals in UTC seconds once,
so business time is two bisections; a time zone becomes the list of its offset changes, so a
datetime is one ``fromtimestamp``; a log-normal draw is a lookup among normal quantiles.
Sources, names and deal amounts are shared objects. Each lead runs :class:`~leadmodel.Lead`'s
own validation (about a third of the cost); its status moves, activities, loss and conversion
are made from values this module keeps valid, as :meth:`~leadmodel.Pipeline.move` makes its
records, and its contact point from a template checked once in full (see ``_Template``). The
cyclic garbage collector is paused while the leads are made, and restored as it was.
"""

from __future__ import annotations

import gc
import math
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal
from statistics import NormalDist
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.copy import unchecked
from leadmodel.domain.model.activities import Activity, ActivityKind, Direction
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import ConversionLinks, LossInfo, StatusChange
from leadmodel.domain.model.stages import LifecycleStage, StageChange
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.pipeline.presets import KEYCRM_REQUESTS
from leadmodel.domain.values.contact import ContactKind, ContactPoint
from leadmodel.domain.values.ids import CustomerId, LeadId
from leadmodel.domain.values.money import Money
from leadmodel.domain.values.source import Channel, Source, Spend
from leadmodel.domain.worktime import Shift, WorkCalendar
from leadmodel.errors import Problem, TransitionError, ValidationError

__all__ = [
    "DEFAULT_MARKETS",
    "DEFAULT_OWNERS",
    "DEFAULT_SOURCES",
    "DEFAULT_START",
    "SimFunnel",
    "SimMarket",
    "SimOwner",
    "SimSeasonality",
    "SimSource",
    "SimValue",
    "Simulation",
    "simulate",
]

DEFAULT_START: Final = datetime(2026, 1, 1, tzinfo=UTC)
"""Where a simulation starts unless told: 2026-01-01 00:00 UTC (the domain reads no clock)."""

_LANGUAGES = ("uk", "en")


def _number(value: object) -> float | None:
    """``value`` as a finite float when it is an int or a float (never a bool), else None."""
    if type(value) not in (int, float):
        return None
    number = float(value)  # type: ignore[arg-type] # an int or a float
    return number if math.isfinite(number) else None


def _positive(p: c.Problems, path: str, value: object, what: str) -> None:
    number = _number(value)
    if number is None or number <= 0:
        p.append(Problem(path, f"{what} must be a finite number above 0", value))


def _share(p: c.Problems, path: str, value: object, what: str, most: float = 1.0) -> None:
    number = _number(value)
    if number is None or not 0 <= number <= most:
        p.append(Problem(path, f"{what} is a number from 0 to {most:g}", value))


def _cost(p: c.Problems, path: str, value: object, what: str) -> None:
    if c.opt_instance(p, path, value, Money) and isinstance(value, Money):
        c.non_negative(p, path, value.amount, what)


# -- the configuration --------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class SimSource:
    """One source of leads: a channel and its UTM ``name``, ``campaign`` and ``medium``.

    ``weight``: its share of the leads, relative to the other sources. ``cost_per_lead``: what
    each lead cost (paid per lead or per click), recorded on the lead's
    :class:`~leadmodel.Source` with a spread of ±40 % around it; ``spend``: a campaign-level
    budget for the source's active days instead (a trade show, a boosted post), recorded as one
    :class:`Spend` — one of the two or neither (free: referrals, organic). ``conversion_lift``
    multiplies the win rate of its leads. ``active_days``: ``(first, last + 1)`` days after the
    start when it brings leads (``None``: all of them).

    >>> from leadmodel import Channel, Money
    >>> SimSource(channel=Channel.form, name="google", campaign="brand", medium="cpc",
    ...           cost_per_lead=Money.of(150, "UAH")).weight
    1.0
    >>> SimSource(channel=Channel.event, name="expo", weight=0, cost_per_lead=Money.of(1, "UAH"),
    ...           spend=Money.of(500, "UAH"))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      SimSource.weight: the weight must be a finite number above 0; got 0
      SimSource.spend: give cost_per_lead or spend, not both: a lead's cost would count twice;
      got Money(amount=Decimal('500'), currency='UAH')
    """

    channel: Channel
    name: str
    campaign: str | None = None
    medium: str | None = None
    weight: float = 1.0
    cost_per_lead: Money | None = None
    spend: Money | None = None
    conversion_lift: float = 1.0
    active_days: tuple[int, int] | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "channel", self.channel, Channel)
        c.text(p, "name", self.name, "the source name")
        c.opt_text(p, "campaign", self.campaign, "the campaign")
        c.opt_text(p, "medium", self.medium, "the medium")
        _positive(p, "weight", self.weight, "the weight")
        _cost(p, "cost_per_lead", self.cost_per_lead, "a cost per lead")
        _cost(p, "spend", self.spend, "a spend")
        if self.cost_per_lead is not None and self.spend is not None:
            msg = "give cost_per_lead or spend, not both: a lead's cost would count twice"
            p.append(Problem("spend", msg, self.spend))
        _share(p, "conversion_lift", self.conversion_lift, "the conversion lift", 100.0)
        days = self.active_days
        if days is not None and not (
            type(days) is tuple
            and len(days) == 2  # noqa: PLR2004 - a pair
            and all(type(d) is int for d in days)
            and 0 <= days[0] < days[1]
        ):
            msg = "active days are (first, last + 1) days after the start, e.g. (30, 33)"
            p.append(Problem("active_days", msg, days))
        if p:
            c.fail("SimSource", p)


@attrs.frozen(kw_only=True)
class SimOwner:
    """A manager leads are routed to: ``key`` (the lead's ``owner``), the ``time_zone`` they
    work in (leads from a market on the same continent go to them), their working ``calendar``
    (first responses and moves land in it) and ``skill``: 1 is average; 1.2 wins 20 % more
    often and works 20 % faster.

    >>> owner = SimOwner(key="mike", time_zone="America/New_York", skill=1.1,
    ...     calendar=WorkCalendar.weekdays("America/New_York", "09:00", "17:00"))
    >>> owner.calendar.time_zone
    'America/New_York'
    >>> SimOwner(key="mike", time_zone="New York", calendar=owner.calendar, skill=-1)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      SimOwner.time_zone: not a time zone name; use an IANA name such as 'Europe/Kyiv';
      got 'New York'
      SimOwner.skill: the skill must be a finite number above 0; got -1
    """

    key: str
    time_zone: str
    calendar: WorkCalendar
    skill: float = 1.0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the owner key")
        if self.time_zone is None:
            p.append(Problem("time_zone", "an owner works in a time zone, e.g. 'Europe/Kyiv'"))
        c.time_zone(p, "time_zone", self.time_zone)
        c.instance(p, "calendar", self.calendar, WorkCalendar)
        _positive(p, "skill", self.skill, "the skill")
        if p:
            c.fail("SimOwner", p)


@attrs.frozen(kw_only=True)
class SimMarket:
    """Where leads come from: their ``time_zone`` (arrivals follow its clock), a ``weight``
    relative to the other markets, and the ``language`` of names and topics (``"uk"`` or
    ``"en"``; phones are Ukrainian or American accordingly).

    >>> SimMarket(time_zone="America/New_York", weight=0.2, language="en").language
    'en'
    """

    time_zone: str
    weight: float = 1.0
    language: str = "uk"

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        if self.time_zone is None:
            p.append(Problem("time_zone", "a market has a time zone, e.g. 'Europe/Kyiv'"))
        c.time_zone(p, "time_zone", self.time_zone)
        _positive(p, "weight", self.weight, "the weight")
        if self.language not in _LANGUAGES:
            p.append(Problem("language", f"expected one of {c.listed(_LANGUAGES)}", self.language))
        if p:
            c.fail("SimMarket", p)


@attrs.frozen(kw_only=True)
class SimValue:
    """Deal values in one currency: log-normal around ``median`` with spread ``sigma``,
    rounded to ``step``; ``weight`` is the share of leads priced in it (against other values).

    >>> SimValue(currency="USD", median=Decimal(400), step=Decimal(10)).currency
    'USD'
    """

    currency: str = "UAH"
    median: Decimal = Decimal(15_000)
    sigma: float = 0.8
    step: Decimal = Decimal(100)
    weight: float = 1.0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        try:  # the currency and the amounts are checked as Money checks them
            Money(amount=self.median, currency=self.currency)
            Money(amount=self.step, currency=self.currency)
        except ValidationError as exc:
            p.extend(exc.problems)
        else:
            _positive(p, "median", float(self.median), "the median")
            _positive(p, "step", float(self.step), "the step")
        _share(p, "sigma", self.sigma, "sigma", 3.0)
        _positive(p, "weight", self.weight, "the weight")
        if p:
            c.fail("SimValue", p)


@attrs.frozen(kw_only=True)
class SimFunnel:
    """How cards move, for a source with lift 1 and an owner of skill 1.

    ``win_rate``: the share won; ``stall_rate``: the share of the rest that is never closed;
    ``missed_rate``: the share never answered (left in the first status); ``skip_rate``: the
    chance a move skips an open status. ``response_minutes`` and ``stage_hours``: the median
    working time to the first response and spent in each open status. ``reply_rate``: the share
    of people who write back; ``meeting_rate``: the share of later contacts that are meetings.

    >>> SimFunnel(win_rate=0.3).stage_hours
    12.0
    """

    win_rate: float = 0.2
    stall_rate: float = 0.06
    missed_rate: float = 0.02
    skip_rate: float = 0.08
    response_minutes: float = 30.0
    stage_hours: float = 12.0
    reply_rate: float = 0.65
    meeting_rate: float = 0.25

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        for name in ("win_rate", "stall_rate", "missed_rate", "skip_rate", "reply_rate"):
            _share(p, name, getattr(self, name), name.replace("_", " "))
        _share(p, "meeting_rate", self.meeting_rate, "the meeting rate")
        _positive(p, "response_minutes", self.response_minutes, "response minutes")
        _positive(p, "stage_hours", self.stage_hours, "stage hours")
        if p:
            c.fail("SimFunnel", p)


_HOURS = (0.12, 0.07, 0.04, 0.03, 0.03, 0.05, 0.12, 0.3, 0.65, 1.0, 1.15, 1.2,
          1.1, 1.1, 1.15, 1.1, 1.0, 0.9, 0.8, 0.75, 0.7, 0.55, 0.4, 0.22)  # fmt: skip
_WEEKDAYS = (1.0, 1.05, 1.0, 0.95, 0.9, 0.5, 0.4)


@attrs.frozen(kw_only=True)
class SimSeasonality:
    """When leads arrive, in each market's local time: ``hours`` (24 weights, midnight
    first), ``weekdays`` (7 weights, Monday first) and a wave of ``wave_amplitude`` (0.2:
    ±20 %) over ``wave_days`` days (a monthly budget cycle by default).

    >>> SimSeasonality().weekdays[5] < SimSeasonality().weekdays[0]  # fewer on Saturday
    True
    """

    hours: tuple[float, ...] = _HOURS
    weekdays: tuple[float, ...] = _WEEKDAYS
    wave_amplitude: float = 0.2
    wave_days: float = 30.0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        for name, count in (("hours", 24), ("weekdays", 7)):
            weights = getattr(self, name)
            if not (
                type(weights) is tuple
                and len(weights) == count
                and all(type(w) in (int, float) and 0 <= w < math.inf for w in weights)
                and sum(weights) > 0
            ):
                msg = f"{name} is a tuple of {count} weights, not negative, not all 0"
                p.append(Problem(name, msg, weights))
        _share(p, "wave_amplitude", self.wave_amplitude, "the wave amplitude", 0.99)
        _positive(p, "wave_days", self.wave_days, "wave days")
        if p:
            c.fail("SimSeasonality", p)


@attrs.frozen(kw_only=True)
class Simulation:
    """What :func:`simulate` made: the ``leads`` of ``pipeline`` in order of arrival, the
    campaign-level ``spend``, the period ``[start, at)`` (open cards are open as of ``at``)
    and how many cards ended ``won``, ``lost`` or are still ``open``.

    >>> sim = simulate(50, seed=1)
    >>> sim
    Simulation(pipeline=Pipeline('requests', 6 statuses), start=..., at=..., won=..., lost=...,
    open=..., spend=(...))
    >>> sim.at - sim.start
    datetime.timedelta(days=90)
    """

    leads: tuple[Lead, ...] = attrs.field(repr=False)
    pipeline: Pipeline
    start: datetime = attrs.field(converter=c.fixed_offset)
    at: datetime = attrs.field(converter=c.fixed_offset)
    won: int
    lost: int
    open: int
    spend: tuple[Spend, ...]


# -- the defaults ------------------------------------------------------------------------------
def _uah(amount: int) -> Money:
    return Money(amount=Decimal(amount), currency="UAH")


DEFAULT_SOURCES: Final[tuple[SimSource, ...]] = (
    SimSource(channel=Channel.form, name="google", campaign="brand-search", medium="cpc",
              weight=0.26, cost_per_lead=_uah(180), conversion_lift=1.1),
    SimSource(channel=Channel.landing, name="google", campaign="generic-search", medium="cpc",
              weight=0.16, cost_per_lead=_uah(120), conversion_lift=0.7),
    SimSource(channel=Channel.instagram_dm, name="instagram", campaign="spring-collection",
              medium="paid_social", weight=0.2, spend=_uah(90_000), conversion_lift=0.8),
    SimSource(channel=Channel.telegram, name="telegram", medium="messenger", weight=0.12,
              conversion_lift=1.0),
    SimSource(channel=Channel.referral, name="referral", medium="referral", weight=0.08,
              conversion_lift=1.8),
    SimSource(channel=Channel.event, name="trade show Kyiv", campaign="furniture-expo",
              medium="offline", weight=0.05, spend=_uah(60_000), conversion_lift=1.4,
              active_days=(30, 33)),
    SimSource(channel=Channel.phone_call, name="phone", medium="direct", weight=0.06,
              conversion_lift=1.3),
    SimSource(channel=Channel.form, name="website", medium="organic", weight=0.07,
              conversion_lift=1.0),
)  # fmt: skip
"""Google search ads paid per lead (brand and generic), an Instagram campaign with a budget,
Telegram messages, referrals, a three-day trade show with a budget, phone calls and organic
website forms; prices in UAH."""


def _weekdays(zone: str, start: str, end: str, *, key: str) -> WorkCalendar:
    return WorkCalendar.weekdays(zone, start, end, key=key)


DEFAULT_OWNERS: Final[tuple[SimOwner, ...]] = (
    SimOwner(key="anna", time_zone="Europe/Kyiv", skill=1.25,
             calendar=_weekdays("Europe/Kyiv", "09:00", "18:00", key="anna")),
    SimOwner(key="taras", time_zone="Europe/Kyiv", skill=0.85,
             calendar=_weekdays("Europe/Kyiv", "10:00", "19:00", key="taras")),
    SimOwner(key="olha", time_zone="Europe/Kyiv", skill=1.0,
             calendar=WorkCalendar(time_zone="Europe/Kyiv", key="olha", week={
                 day: (Shift(start=time(9), end=time(13)), Shift(start=time(14), end=time(18)))
                 for day in (1, 2, 3, 4, 5)})),
    SimOwner(key="mike", time_zone="America/New_York", skill=1.1,
             calendar=_weekdays("America/New_York", "09:00", "17:00", key="mike")),
)  # fmt: skip
"""Three managers in Kyiv (one works Tuesday to Saturday with a lunch break) and one in New
York, of different skill."""

DEFAULT_MARKETS: Final[tuple[SimMarket, ...]] = (
    SimMarket(time_zone="Europe/Kyiv", weight=0.8, language="uk"),
    SimMarket(time_zone="Europe/Warsaw", weight=0.08, language="uk"),
    SimMarket(time_zone="America/New_York", weight=0.12, language="en"),
)
"""Most leads in Ukraine, some Ukrainians in Poland, some customers in the United States."""


# -- simulate ----------------------------------------------------------------------------------
def simulate(
    n: int,
    *,
    seed: int,
    start: datetime | None = None,
    days: int = 90,
    pipeline: Pipeline = KEYCRM_REQUESTS,
    sources: Sequence[SimSource] = DEFAULT_SOURCES,
    owners: Sequence[SimOwner] = DEFAULT_OWNERS,
    markets: Sequence[SimMarket] = DEFAULT_MARKETS,
    values: Sequence[SimValue] = (SimValue(),),
    funnel: SimFunnel = SimFunnel(),
    seasonality: SimSeasonality = SimSeasonality(),
    id_prefix: str = "lead",
) -> Simulation:
    """``n`` synthetic leads of ``pipeline`` arriving over ``days`` days from ``start``.

    The same arguments and ``seed`` give equal results. Moves are those the pipeline allows,
    found by replaying them: to the next open status or (``skip_rate``) the one after, and from
    any open status to won or lost; a lost card carries a reason its lost status lists, and a
    won one :class:`~leadmodel.ConversionLinks` to a customer id (``customer-<lead number>``;
    no Customer records are made) and the ``customer`` lifecycle stage. Guards and frameworks a
    status requires are not simulated: the leads carry ``owner`` and ``expected_value``.

    Raises :class:`~leadmodel.errors.ValidationError` naming each bad argument: ``n`` below 0,
    a naive ``start``, ``days`` below 1, an empty list, an owner with no working time.

    >>> sim = simulate(1000, seed=1)
    >>> len(sim.leads), sim.leads[0].id, sim.leads[0].pipeline
    (1000, 'lead-0001', 'requests')
    >>> sorted({lead.owner for lead in sim.leads})
    ['anna', 'mike', 'olha', 'taras']
    >>> [(s.source, str(s.amount)) for s in sim.spend]
    [('instagram', '90000 UAH'), ('trade show Kyiv', '60000 UAH')]
    >>> simulate(-1, seed=1, days=0)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      simulate.n: the number of leads is an int, 0 or more; got -1
      simulate.days: days is an int from 1 to 36525; got 0
    """
    begin = DEFAULT_START if start is None else start
    lists = (sources, owners, markets, values)
    settings = (funnel, seasonality, id_prefix)
    configs = _checked(
        n, seed=seed, start=begin, days=days, pipeline=pipeline, lists=lists, settings=settings
    )
    begin = c.fixed_offset(begin)  # checked aware: from here on, times are instants
    rnd = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    world = _World(rnd, start=begin, days=days, pipeline=pipeline, configs=configs,
                   funnel=funnel, season=seasonality)  # fmt: skip
    world.width = len(str(n))
    prefix = f"{id_prefix}-"
    arrivals = world.arrivals(n)
    collecting = gc.isenabled()
    # Why: the leads are millions of objects that form no cycle, and each full collection
    # the cyclic collector runs while they pile up walks all of them (a third of the time at
    # a million leads). Paused while they are made, then back as the caller had it.
    gc.disable()
    try:
        leads = tuple(world.lead(i, key, prefix) for i, key in enumerate(arrivals))
    finally:
        if collecting:
            gc.enable()
    kinds = {s.key: s.kind for s in pipeline.statuses}
    counts = Counter(kinds[lead.status] for lead in leads)  # type: ignore[index] # always set
    end = begin + timedelta(days=days)
    return Simulation(
        leads=leads,
        pipeline=pipeline,
        start=begin,
        at=end,
        won=counts[StatusKind.won],
        lost=counts[StatusKind.lost],
        open=counts[StatusKind.open],
        spend=tuple(
            _spend(s, begin, days) for s in configs[0] if s.spend is not None and _window(s, days)
        ),
    )


def _window(source: SimSource, days: int) -> tuple[int, int] | None:
    """The days a source brings leads, cut to the ``days`` simulated; ``None`` for none."""
    first, last = source.active_days or (0, days)
    return (first, min(last, days)) if first < days else None


def _spend(source: SimSource, start: datetime, days: int) -> Spend:
    first, last = _window(source, days) or (0, days)
    return Spend(
        channel=source.channel,
        source=source.name,
        campaign=source.campaign,
        medium=source.medium,
        amount=source.spend,  # type: ignore[arg-type] # only sources with a spend
        start=(start + timedelta(days=first)).date(),
        end=(start + timedelta(days=last) - timedelta(microseconds=1)).date(),  # days included
    )


_MAX_DAYS = 36_525  # the most a WorkCalendar walks in one call (MAX_CALENDAR_SPAN)


def _items(p: c.Problems, name: str, value: object, cls: type[Any]) -> tuple[Any, ...]:
    items: tuple[Any, ...] = c.as_tuple(value) if not isinstance(value, str | Mapping) else ()
    if not items:
        p.append(Problem(name, f"give at least one {cls.__name__}", value))
    c.tuple_of(p, name, items, cls)
    return items


def _checked(
    n: object,
    *,
    seed: object,
    start: object,
    days: object,
    pipeline: object,
    lists: tuple[object, ...],
    settings: tuple[object, object, object],
) -> tuple[tuple[Any, ...], ...]:
    """The arguments of :func:`simulate` checked, every problem at once; the lists as tuples."""
    p: c.Problems = []
    if type(n) is not int or n < 0:
        p.append(Problem("n", "the number of leads is an int, 0 or more", n))
    if type(seed) is not int:
        p.append(Problem("seed", "the seed is an int", seed))
    c.aware(p, "start", start)
    if type(days) is not int or not 1 <= days <= _MAX_DAYS:
        p.append(Problem("days", f"days is an int from 1 to {_MAX_DAYS}", days))
    c.instance(p, "pipeline", pipeline, Pipeline)
    names = ("sources", "owners", "markets", "values")
    classes = (SimSource, SimOwner, SimMarket, SimValue)
    found = tuple(_items(p, *args) for args in zip(names, lists, classes, strict=True))
    if (
        type(days) is int
        and days >= 1
        and found[0]
        and not any(isinstance(s, SimSource) and _window(s, days) for s in found[0])
    ):
        msg = f"no source is active within the {days} days simulated: check their active_days"
        p.append(Problem("sources", msg))
    funnel, seasonality, prefix = settings
    c.instance(p, "funnel", funnel, SimFunnel)
    c.instance(p, "seasonality", seasonality, SimSeasonality)
    c.text(p, "id_prefix", prefix, "the id prefix")
    if p:
        c.fail("simulate", p)
    return found


# -- the engine --------------------------------------------------------------------------------
_NEVER: Final = 2**62  # an instant after any simulation: "not within the period"
# a log-normal draw is a lookup: 1,024 quantiles of the standard normal (±3.3 sigma)
_Z: Final = tuple(NormalDist().inv_cdf((k + 0.5) / 1024) for k in range(1024))
_WON, _LOST, _STALL = "won", "lost", "stall"
_NUDGE_AFTER = 7200  # a person not answered for two hours sometimes writes again
_NUDGE_RATE = 0.15
_REPLY_SECONDS = 7200.0  # the median time a person takes to write back


class _Clock:
    """A time zone over the period as its offset changes: a datetime is one bisection and one
    ``fromtimestamp`` with a fixed offset (the datetime rule of the entities)."""

    __slots__ = ("cuts", "zones")

    def __init__(self, zone: str, first: int, last: int) -> None:
        info = ZoneInfo(zone)

        def offset(ts: int) -> timedelta:
            return datetime.fromtimestamp(ts, info).utcoffset() or timedelta(0)

        was = offset(first)
        self.cuts, self.zones = [first], [timezone(was)]
        step = 6 * 3600  # offsets change twice a year at most, never twice in six hours
        for ts in range(first, last, step):
            now = offset(ts + step)
            if now != was:
                lo, hi = ts, ts + step
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    lo, hi = (mid, hi) if offset(mid) == was else (lo, mid)
                self.cuts.append(hi)
                self.zones.append(timezone(now))
                was = now

    def at(self, ts: int) -> datetime:
        return datetime.fromtimestamp(ts, self.zones[bisect_right(self.cuts, ts) - 1])


class _Hours:
    """A calendar's working intervals over the period in UTC seconds, with the working time
    before each (``worked``): adding working time is two bisections, as ``WorkCalendar.add``
    with the result always inside working time (a duration used up at a shift's end lands at
    the next shift's start)."""

    __slots__ = ("ends", "starts", "worked")

    def __init__(self, calendar: WorkCalendar, start: datetime, end: datetime) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.worked = [0]
        for a, b in calendar.intervals(start, end):
            self.starts.append(int(a.timestamp()))
            self.ends.append(int(b.timestamp()))
            self.worked.append(self.worked[-1] + self.ends[-1] - self.starts[-1])

    def add(self, ts: int, seconds: int) -> int:
        """The instant ``seconds`` of working time after ``ts``; ``_NEVER`` past the period."""
        i = bisect_right(self.starts, ts) - 1
        if i >= 0 and ts < self.ends[i]:
            done = self.worked[i] + ts - self.starts[i]
        else:
            done = self.worked[i + 1]
        target = done + seconds
        j = bisect_right(self.worked, target) - 1
        if j >= len(self.starts):
            return _NEVER
        return self.starts[j] + target - self.worked[j]


class _Owner:
    """An owner's hours and clock, and the log-normal working times of their first response
    and of a stay in a status (one per normal quantile; shorter with skill)."""

    __slots__ = ("add", "clock", "hours", "key", "respond", "skill", "stay", "zone")

    def __init__(self, owner: SimOwner, hours: _Hours, clock: _Clock, funnel: SimFunnel) -> None:
        self.key, self.skill, self.zone = owner.key, owner.skill, owner.time_zone
        self.hours, self.clock, self.add = hours, clock, hours.add
        self.respond = _spread(funnel.response_minutes * 60 / owner.skill, 1.0)
        self.stay = _spread(funnel.stage_hours * 3600 / owner.skill, 0.9)


def _spread(median: float, sigma: float) -> list[int]:
    """Log-normal seconds around ``median``, at least a minute: one per normal quantile."""
    return [max(60, int(median * math.exp(sigma * z))) for z in _Z]


_REASON_BIAS: Final[Mapping[str, tuple[float, float]]] = {
    # reason: (weight early in the funnel, weight late in it); other reasons weigh (1, 1)
    "no_answer": (3.0, 0.3), "not_target": (2.0, 0.3), "not_a_fit": (2.0, 0.5),
    "no_budget": (1.0, 1.5), "competitor": (0.3, 2.0), "no_decision": (0.2, 1.5),
    "timing": (0.5, 1.0), "other": (0.5, 0.5),
}  # fmt: skip


class _Route:
    """The moves of a pipeline the simulation makes, checked once by replaying each: from every
    open status to the next open one or the one after, to a won status, to a lost one (with
    the cumulative weights of its reasons at that point of the funnel)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.key = pipeline.key
        opens = [s.key for s in pipeline.statuses if s.kind is StatusKind.open]
        wins = [s.key for s in pipeline.statuses if s.kind is StatusKind.won]
        losses = [s for s in pipeline.statuses if s.kind is StatusKind.lost and s.lost_reasons]
        self.opens = opens
        self.ahead: list[tuple[int, ...]] = []
        self.win: list[str | None] = []
        self.lose: list[tuple[str, tuple[str, ...], list[float]] | None] = []
        for i, here in enumerate(opens):
            ahead = [
                j for j in (i + 1, i + 2) if j < len(opens) and _allowed(pipeline, here, opens[j])
            ]
            self.ahead.append(tuple(ahead))
            self.win.append(next((w for w in wins if _allowed(pipeline, here, w)), None))
            lost = next(
                (s for s in losses if _allowed(pipeline, here, s.key, s.lost_reasons[0])), None
            )
            self.lose.append(
                None
                if lost is None
                else _reasons(lost.key, lost.lost_reasons, i / max(len(opens) - 1, 1))
            )
        weights = [0.7**i if self.lose[i] else 0.0 for i in range(len(opens))]
        self.loss_at = _cumulative(weights)

    def loss_stage(self, u: float) -> int:
        """The open status a lost card is lost from, for a uniform ``u``: early ones more."""
        return _pick(self.loss_at, u) if self.loss_at[-1] else 0


def _reasons(
    status: str, reasons: tuple[str, ...], late: float
) -> tuple[str, tuple[str, ...], list[float]]:
    bias = [_REASON_BIAS.get(r, (1.0, 1.0)) for r in reasons]
    return status, reasons, _cumulative([a * (1 - late) + b * late for a, b in bias])


def _allowed(pipeline: Pipeline, here: str, to: str, reason: str | None = None) -> bool:
    at = DEFAULT_START
    enter = StatusChange(pipeline=pipeline.key, from_status=None, to_status=here, at=at)
    move = StatusChange(pipeline=pipeline.key, from_status=here, to_status=to, at=at, reason=reason)
    try:
        pipeline.replay((enter, move))
    except TransitionError:
        return False
    return True


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# people: (name, ASCII stem) pools per language, topics, companies and phone prefixes
_FIRST = {
    "uk": (("Олена", "olena"), ("Андрій", "andrii"), ("Ірина", "iryna"), ("Тарас", "taras"),
           ("Наталія", "nataliia"), ("Олександр", "oleksandr"), ("Марія", "mariia"),
           ("Дмитро", "dmytro"), ("Юлія", "yuliia"), ("Сергій", "serhii"), ("Оксана", "oksana"),
           ("Максим", "maksym"), ("Катерина", "kateryna"), ("Богдан", "bohdan")),
    "en": (("Emily", "emily"), ("James", "james"), ("Olivia", "olivia"), ("Michael", "michael"),
           ("Sophia", "sophia"), ("Daniel", "daniel"), ("Emma", "emma"), ("David", "david"),
           ("Ava", "ava"), ("Robert", "robert")),
}  # fmt: skip
_LAST = {
    "uk": (("Коваль", "koval"), ("Шевченко", "shevchenko"), ("Бондаренко", "bondarenko"),
           ("Мельник", "melnyk"), ("Ткаченко", "tkachenko"), ("Кравченко", "kravchenko"),
           ("Олійник", "oliinyk"), ("Лисенко", "lysenko"), ("Руденко", "rudenko"),
           ("Мороз", "moroz"), ("Павленко", "pavlenko"), ("Савченко", "savchenko")),
    "en": (("Smith", "smith"), ("Johnson", "johnson"), ("Brown", "brown"), ("Miller", "miller"),
           ("Davis", "davis"), ("Wilson", "wilson"), ("Taylor", "taylor"), ("Moore", "moore")),
}  # fmt: skip
_TOPICS = {
    "uk": ("Офісні меблі", "Кухня на замовлення", "Шафа-купе", "Меблі для кафе",
           "Дитяча кімната", "Ремонт меблів"),
    "en": ("Office furniture", "Custom kitchen", "Wardrobe", "Restaurant furniture",
           "Kids' room"),
}  # fmt: skip
_COMPANIES = {
    "uk": ("ТОВ «Меблі-Сервіс»", "ТОВ «Кава Плюс»", "ТОВ «Агро-Світ»", "ФОП Мельник"),
    "en": ("Acme Corp", "Blue Bottle LLC", "Northwind Inc"),
}
_DOMAINS = {"uk": ("gmail.com", "ukr.net", "i.ua"), "en": ("gmail.com", "outlook.com", "yahoo.com")}
_PHONES = {"uk": ("+38050", "+38067", "+38063", "+38093", "+38097"), "en": ("+1212", "+1646")}
_COMPANY_SHARE = 0.25
_MESSENGERS = {Channel.telegram, Channel.viber, Channel.whatsapp, Channel.facebook_messenger}
_INSTAGRAM = {Channel.instagram_dm, Channel.instagram_comment, Channel.instagram_story_reply,
              Channel.instagram_like}  # fmt: skip
_COST_SPREAD = tuple(Decimal(f) / 10 for f in range(6, 15))  # 0.6 … 1.4, mean 1
_CENT = Decimal("0.01")

# records made from values this module guarantees valid, as Pipeline.move makes its own
_change = unchecked(StatusChange)
_activity = unchecked(Activity)
_loss = unchecked(LossInfo)
_links = unchecked(ConversionLinks)
_stage = unchecked(StageChange)
_point = unchecked(ContactPoint)
_OUT, _IN, _MEETING = Direction.outbound, Direction.inbound, ActivityKind.meeting
_Event = tuple[int, int, ActivityKind, Direction, Channel | None, datetime, str | None]


def _reply(channel: Channel) -> tuple[ActivityKind, Channel]:
    """How an owner answers a lead that came through ``channel``."""
    if channel is Channel.phone_call:
        return ActivityKind.call, Channel.phone_call
    if channel in _INSTAGRAM:
        return ActivityKind.message, Channel.instagram_dm
    if channel in _MESSENGERS or channel is Channel.live_chat:
        return ActivityKind.message, channel
    return ActivityKind.email, Channel.email


def _reach(channel: Channel) -> str:
    """The contact point a lead of ``channel`` leaves: an email, a phone or a network's handle."""
    if channel is Channel.phone_call:
        return "phone"
    if channel in _INSTAGRAM:
        return "instagram"
    if channel is Channel.facebook_messenger:
        return "facebook"
    return channel.value if channel in _MESSENGERS else "email"


class _Source:
    __slots__ = ("first", "last", "lift", "reach", "reply", "variants")

    def __init__(self, source: SimSource, window: tuple[int, int]) -> None:
        self.lift, self.reach = source.conversion_lift, _reach(source.channel)
        self.first, self.last = window
        self.reply = _reply(source.channel)
        cpl = source.cost_per_lead
        # what a lead costs varies around the price: nine shared Sources, not one a lead
        costs = [None] if cpl is None else [
            Money(amount=(cpl.amount * f).quantize(_CENT), currency=cpl.currency)
            for f in _COST_SPREAD
        ]  # fmt: skip
        self.variants = tuple(
            Source(channel=source.channel, name=source.name, campaign=source.campaign,
                   medium=source.medium, cost=cost)
            for cost in costs
        )  # fmt: skip


class _Template:
    """Contact points that differ only in a run of digits (``olena.koval{n}@ukr.net``): the
    match key is read from one ContactPoint made and checked in full, and confirmed with a
    second, so each lead's is two string joins, as valid as the ones checked. (Were the key
    not the digits in a frame, each would be made and checked in full.)"""

    __slots__ = ("key", "kind", "network", "value")

    def __init__(self, kind: ContactKind, network: str | None, value: tuple[str, str]) -> None:
        self.kind, self.network, self.value = kind, network, value
        key = ContactPoint(kind=kind, value="7390146".join(value), network=network).key
        frame = key.split("7390146")
        again = ContactPoint(kind=kind, value="2000001".join(value), network=network).key
        framed = len(frame) == 2 and again == "2000001".join(frame)  # noqa: PLR2004 - a pair
        self.key = (frame[0], frame[-1]) if framed else None

    def point(self, digits: str) -> ContactPoint:
        a, b = self.value
        if self.key is None:  # pragma: no cover - no kind keys digits otherwise today
            return ContactPoint(kind=self.kind, value=a + digits + b, network=self.network)
        return _point(kind=self.kind, value=a + digits + b, label=None, network=self.network,
                      region=None, key=self.key[0] + digits + self.key[1])  # fmt: skip


class _Market:
    __slots__ = ("clock", "companies", "domains", "names", "owners", "phones", "templates",
                 "topics", "zone")  # fmt: skip

    def __init__(self, market: SimMarket, clock: _Clock, owners: list[_Owner]) -> None:
        lang = market.language
        self.zone, self.clock = market.time_zone, clock
        here = market.time_zone.split("/")[0]
        self.owners = [o for o in owners if o.zone.split("/")[0] == here] or owners
        self.names = [(f"{first} {last}", f"{a}.{b}")
                      for first, a in _FIRST[lang] for last, b in _LAST[lang]]  # fmt: skip
        self.topics, self.companies = _TOPICS[lang], _COMPANIES[lang]
        self.domains, self.phones = _DOMAINS[lang], _PHONES[lang]
        self.templates: dict[tuple[str, str, str], _Template] = {}

    def template(self, reach: str, stem: str, place: str) -> _Template:
        """The template of ``reach`` for a person ``stem`` (email domain or phone ``place``)."""
        found = self.templates.get((reach, stem, place))
        if found is None:
            found = self.templates[reach, stem, place] = _template(reach, stem, place)
        return found


def _template(reach: str, stem: str, place: str) -> _Template:
    if reach == "email":
        return _Template(ContactKind.email, None, (stem, f"@{place}"))
    if reach == "phone":
        return _Template(ContactKind.phone, None, (place, ""))
    if reach in ("viber", "whatsapp"):
        return _Template(ContactKind.messenger, reach, (place, ""))
    if reach == "instagram":
        return _Template(ContactKind.social, reach, (f"@{stem}", ""))
    return _Template(ContactKind.messenger, reach, (f"@{stem.replace('.', '_')}", ""))


def _slots(
    clock: _Clock, season: SimSeasonality, t0: int, window: tuple[int, int]
) -> tuple[int, list[float]]:
    """The hours of ``window`` (days after ``t0``) with the cumulative weights of arrivals."""
    base = t0 + window[0] * 86400
    weights = []
    for h in range((window[1] - window[0]) * 24):
        ts = base + h * 3600
        local = clock.at(ts)
        wave = math.sin(2 * math.pi * (ts - t0) / 86400 / season.wave_days)
        weights.append(
            season.hours[local.hour]
            * season.weekdays[local.weekday()]
            * (1 + season.wave_amplitude * wave)
        )
    if not any(weights):  # a window that falls wholly on hours weighed 0: spread it evenly
        weights = [1.0] * len(weights)
    return base, _cumulative(weights)


def _pick(cumulative: list[float], u: float) -> int:
    """The index ``u`` (uniform in [0, 1)) falls on in ``cumulative`` weights."""
    return min(bisect_right(cumulative, u * cumulative[-1]), len(cumulative) - 1)


class _World:
    """Everything a lead is drawn from, prepared once: a lead is then draws and lookups."""

    def __init__(
        self,
        rnd: random.Random,
        *,
        start: datetime,
        days: int,
        pipeline: Pipeline,
        configs: tuple[tuple[Any, ...], ...],
        funnel: SimFunnel,
        season: SimSeasonality,
    ) -> None:
        sources, owners, markets, values = configs
        self.r = rnd.random  # the one source of chance: every draw is r()
        self.t0 = math.ceil(start.timestamp())
        self.t1 = self.t0 + days * 86400
        end = start + timedelta(days=days)
        zones = {o.time_zone for o in owners} | {m.time_zone for m in markets}
        clocks = {zone: _Clock(zone, self.t0 - 86400, self.t1 + 86400) for zone in zones}
        self.owners = [
            _Owner(o, _Hours(o.calendar, start, end), clocks[o.time_zone], funnel) for o in owners
        ]
        idle = [Problem(f"owners[{i}].calendar", "no working time in the simulated period: no "
                        "lead could be answered; give the owner hours", o.calendar.key)
                for i, o in enumerate(owners) if not self.owners[i].hours.starts]  # fmt: skip
        if idle:
            c.fail("simulate", idle)
        self.markets = [_Market(m, clocks[m.time_zone], self.owners) for m in markets]
        active = [(s, w) for s in sources if (w := _window(s, days))]
        self.sources = [_Source(s, w) for s, w in active]
        self.market_at = _cumulative([m.weight for m in markets])
        self.source_at = _cumulative([s.weight for s, _ in active])
        windows = {(s.first, s.last) for s in self.sources}
        tables = {(m, w): _slots(market.clock, season, self.t0, w)
                  for m, market in enumerate(self.markets) for w in windows}  # fmt: skip
        self.slots = [
            tables[m, (s.first, s.last)] for m in range(len(markets)) for s in self.sources
        ]
        self.values = [(v.currency, float(v.median), self.spread(v.sigma), v.step) for v in values]
        self.value_at = _cumulative([v.weight for v in values])
        self.money: dict[tuple[int, int], Money] = {}
        self.route, self.funnel = _Route(pipeline), funnel
        self.reply = [int(_REPLY_SECONDS * f) for f in self.spread(1.2)]
        self.width = 1  # of the lead numbers in ids: set for the n asked

    @staticmethod
    def spread(sigma: float) -> list[float]:
        """Log-normal factors (median 1) of spread ``sigma``, one per normal quantile."""
        return [math.exp(sigma * z) for z in _Z]

    def arrivals(self, n: int) -> list[int]:
        """``n`` arrivals in time order, each ``(ts * markets + market) * sources + source``."""
        r, markets, sources = self.r, len(self.markets), len(self.sources)
        keys = []
        for _ in range(n):
            m = _pick(self.market_at, r())
            s = _pick(self.source_at, r())
            base, hours = self.slots[m * sources + s]
            ts = base + _pick(hours, r()) * 3600 + int(r() * 3600)
            keys.append((ts * markets + m) * sources + s)
        keys.sort()
        return keys

    def value(self) -> Money:
        """A deal value: a currency by weight, a log-normal amount rounded to its step."""
        v = _pick(self.value_at, self.r()) if len(self.values) > 1 else 0
        currency, median, spread, step = self.values[v]
        units = max(1, round(median * spread[int(self.r() * 1024)] / float(step)))
        money = self.money.get((v, units))
        if money is None:
            money = self.money[v, units] = Money(amount=step * units, currency=currency)
        return money

    def lead(self, i: int, key: int, prefix: str) -> Lead:
        """The ``i``-th lead, arrived as ``key`` says (see :meth:`arrivals`)."""
        r = self.r
        rest, s = divmod(key, len(self.sources))
        ts, m = divmod(rest, len(self.markets))
        market, source = self.markets[m], self.sources[s]
        owner = market.owners[int(r() * len(market.owners))]
        name, stem = market.names[int(r() * len(market.names))]
        number = i + 1
        created = market.clock.at(ts)
        history, events, status, lost, won = self.journey(ts, created, owner, source, market)
        converted, lifecycle, customer = None, LifecycleStage.lead, None
        stages: tuple[StageChange, ...] = ()
        if won is not None:  # converted as lm.convert converts: links and the customer stage
            customer = CustomerId(f"customer-{number}")
            converted = _links(customer_id=customer, at=won, contact_id=None, company_id=None,
                               deal_ref=None)  # fmt: skip
            lifecycle = LifecycleStage.customer
            stages = (_stage(from_stage=LifecycleStage.lead, to_stage=lifecycle, at=won,
                             by=owner.key, reason=None),)  # fmt: skip
        if len(events) > 1:
            events.sort()
        variants = source.variants
        return Lead(
            id=LeadId(f"{prefix}{number:0{self.width}d}"),
            person_name=name,
            contact_points=(self.contact(market, source.reach, stem, number),),
            topic=market.topics[int(r() * len(market.topics))],
            source=variants[int(r() * len(variants))],
            created_at=created,
            company_name=market.companies[int(r() * len(market.companies))]
            if r() < _COMPANY_SHARE else None,
            pipeline=self.route.key,
            status=status,
            history=history,
            lifecycle=lifecycle,
            stages=stages,
            owner=owner.key,
            expected_value=self.value(),
            time_zone=market.zone,
            converted=converted,
            lost=lost,
            customer_id=customer,
            activities=[_activity(at=e[5], kind=e[2], direction=e[3], by=e[6], channel=e[4],
                                  note=None, id=None) for e in events],
        )  # fmt: skip

    def contact(self, market: _Market, reach: str, stem: str, number: int) -> ContactPoint:
        """The lead's one contact point, of the kind its channel gives: unique by ``number``."""
        r = self.r
        if reach == "email":
            domain = market.domains[int(r() * len(market.domains))]
            return market.template(reach, stem, domain).point(str(number))
        if reach in ("phone", "viber", "whatsapp"):
            place = market.phones[int(r() * len(market.phones))]
            return market.template(reach, "", place).point(str(2_000_000 + number % 8_000_000))
        return market.template(reach, stem, "").point(str(number))

    def journey(
        self, ts: int, created: datetime, owner: _Owner, source: _Source, market: _Market
    ) -> tuple[tuple[StatusChange, ...], list[_Event], str, LossInfo | None, datetime | None]:
        """The lead's moves and contacts: the status it ends in, its loss or when it was won."""
        route, funnel, r = self.route, self.funnel, self.r
        first = route.opens[0]
        history = [_change(pipeline=route.key, from_status=None, to_status=first, at=created,
                           by=None, reason=None, note=None, from_pipeline=None)]  # fmt: skip
        answered = (
            _NEVER if r() < funnel.missed_rate else owner.add(ts, owner.respond[int(r() * 1024)])
        )
        if answered >= self.t1:  # never answered, or not yet: the card waits where it came in
            return tuple(history), [], first, None, None
        kind, channel = source.reply
        events: list[_Event] = [
            (answered, 0, kind, _OUT, channel, owner.clock.at(answered), owner.key)
        ]
        fate, stop = self.fate(source, owner)
        i, now = self.walk(owner, source, history, events, stop)
        status, lost, won = route.opens[i], None, None
        if now < self.t1 and fate is not _STALL:
            status, lost, won = self.close(owner, history, fate, i, now)
        if not (lost and lost.reason == "no_answer") and r() < funnel.reply_rate:
            back = answered + self.reply[int(r() * 1024)]
            if back < self.t1:
                events.append((back, 1, kind, _IN, channel, market.clock.at(back), owner.key))
        if answered - ts > _NUDGE_AFTER and r() < _NUDGE_RATE:
            again = ts + int(r() * (answered - ts))
            events.append((again, 1, kind, _IN, channel, market.clock.at(again), None))
        return tuple(history), events, status, lost, won

    def fate(self, source: _Source, owner: _Owner) -> tuple[str, int]:
        """Won, lost or stalled, and the open status (by position) where it ends."""
        r, route, funnel = self.r, self.route, self.funnel
        chance = min(0.95, funnel.win_rate * source.lift * owner.skill)
        u = r()
        if u < chance:
            return _WON, len(route.opens) - 1
        if u < chance + (1 - chance) * funnel.stall_rate:
            return _STALL, int(r() * len(route.opens))
        return _LOST, route.loss_stage(r())

    def walk(
        self,
        owner: _Owner,
        source: _Source,
        history: list[StatusChange],
        events: list[_Event],
        stop: int,
    ) -> tuple[int, int]:
        """Move through the open statuses towards position ``stop``: the first move when the
        lead is answered, each later one a stay later, with a contact. Where it got, and when."""
        route, r, by, skip = self.route, self.r, owner.key, self.funnel.skip_rate
        i, now, at = 0, events[0][0], events[0][5]
        while i < stop and route.ahead[i]:
            ahead = route.ahead[i]
            j = ahead[1] if len(ahead) > 1 and r() < skip else ahead[0]
            if len(history) > 1:
                now = owner.add(now, owner.stay[int(r() * 1024)])
                if now >= self.t1:
                    return i, now
                at = owner.clock.at(now)
                kind, channel = (_MEETING, None) if r() < self.funnel.meeting_rate else source.reply
                events.append((now, 2, kind, _OUT, channel, at, by))
            history.append(_change(pipeline=route.key, from_status=route.opens[i],
                                   to_status=route.opens[j], at=at, by=by, reason=None,
                                   note=None, from_pipeline=None))  # fmt: skip
            i = j
        return i, now

    def close(
        self, owner: _Owner, history: list[StatusChange], fate: str, i: int, now: int
    ) -> tuple[str, LossInfo | None, datetime | None]:
        """Close the card from open position ``i`` a stay after ``now``, as ``fate`` says and
        the pipeline allows: the status, the loss, the time it was won."""
        route, by, here = self.route, owner.key, self.route.opens[i]
        now = owner.add(now, owner.stay[int(self.r() * 1024)])
        lose = route.lose[i]
        to = route.win[i] if fate is _WON else (lose[0] if lose else None)
        if now >= self.t1 or to is None:
            return here, None, None
        at = owner.clock.at(now)
        reason, lost = None, None
        if fate is _LOST and lose is not None:
            reason = lose[1][_pick(lose[2], self.r())]
            lost = _loss(status=to, reason=reason, at=at, by=by, note=None, from_status=here)
        history.append(_change(pipeline=route.key, from_status=here, to_status=to, at=at, by=by,
                               reason=reason, note=None, from_pipeline=None))  # fmt: skip
        return to, lost, (at if fate is _WON else None)
