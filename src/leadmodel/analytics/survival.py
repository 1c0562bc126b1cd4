"""How long cards take to close and how long they stay in a status, with the open ones counted:
Kaplan–Meier survival, its median with a confidence interval, and the cumulative incidence of
won and of lost (Aalen–Johansen), as lifelines computes them; and creation cohorts.

An open card is *censored*: it has stayed open at least as long as it has lived so far. The
mean or median of the closed cards alone forgets the slow cards still open and comes out short;
Kaplan–Meier uses every card. Everything is as of ``at``, the instant the data was read: a card
created after it is left out, a close after it is not yet a close. A close recorded before the
card's creation counts as at creation; a closed card without a close time is left out.

The algorithm: sort the durations (O(n log n)), then one pass over the distinct times ``t``
with ``n`` at risk, ``d`` events (``d_won``, ``d_lost`` of them) and the censored:

* survival ``S(t) = ∏ (1 - d/n)``; Greenwood's ``V = Σ d / (n (n - d))``; the band is the
  exponential Greenwood (log(-log)) one of lifelines' ``KaplanMeierFitter``:
  ``exp(-exp(log(-log S) ∓ z √V / log S))``;
* the median is the first time ``S ≤ 1/2``, decided exactly (within 1e-9 of a half, by the
  integer product of the steps: a float product, or lifelines' sum of logarithms, can land a
  hair above an exact half such as 3 of 6 closed, and lifelines' median is then one event time
  later); its interval runs from the first time the lower band
  is ``≤ 1/2`` to the first time the upper one is (``None``: never, so far);
* the incidence of won is ``Σ S(t-) d_won / n`` (Aalen–Johansen; ties of won and lost at one
  time need no jitter), and likewise lost.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics._groups import By, Period, check_grouping, grouper, period_of, share
from leadmodel.analytics._table import Table
from leadmodel.analytics.facts import (
    LeadFact,
    LeadFacts,
    Outcome,
    checked_leads,
    facts_of,
    lead_facts,
    status_facts,
)
from leadmodel.domain.model import Lead
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.errors import Problem

if TYPE_CHECKING:  # pragma: no cover - the extra is optional
    from matplotlib.axes import Axes

__all__ = [
    "CohortRow",
    "Cohorts",
    "DurationRow",
    "Durations",
    "Survival",
    "SurvivalMedian",
    "SurvivalRow",
    "cohorts",
    "draw_cohorts",
    "draw_survival",
    "durations",
    "time_in_status",
    "time_to_close",
]

_CENSORED, _WON, _LOST, _MOVED = 0, 1, 2, 3
_DAY = timedelta(days=1)
_Observation = tuple[timedelta, int]  # how long, and how it ended (_CENSORED: not yet)


@attrs.frozen(kw_only=True, slots=True)
class SurvivalRow:
    """One distinct time at which something happened (in one group): how many were at risk
    just before, how many ``events`` (closes; for time in status, departures — ``won`` and
    ``lost`` of them into a won or lost status) and how many were censored; then the share
    still open (``survival``) with its band, and the cumulative incidence of won and of lost."""

    time: timedelta
    at_risk: int
    events: int
    won: int
    lost: int
    censored: int
    survival: float
    ci_low: float
    ci_high: float
    won_incidence: float
    lost_incidence: float
    group: str | None = None


@attrs.frozen(kw_only=True, slots=True)
class SurvivalMedian:
    """The summary of one group's curve: how many were observed and how many ended, the median
    with its interval (``None``: the curve or band has not reached one half yet), and the
    incidence of won and of lost at the median and at the last time."""

    group: str | None
    observed: int
    events: int
    median: timedelta | None
    median_ci_low: timedelta | None
    median_ci_high: timedelta | None
    won_at_median: float | None
    lost_at_median: float | None
    won_at_end: float | None
    lost_at_end: float | None


@attrs.frozen(kw_only=True)
class Survival(Table[SurvivalRow]):
    """:func:`time_to_close` or :func:`time_in_status`: a row per distinct time (per group,
    groups in order), and a :class:`SurvivalMedian` per group in ``medians``."""

    kind = "survival"
    pipeline: str
    status: str | None = None
    """The status of :func:`time_in_status`; ``None`` for :func:`time_to_close`."""
    at: datetime
    confidence: float
    by: By | None = None
    medians: tuple[SurvivalMedian, ...] = ()

    def _draw(self, ax: Axes) -> None:
        draw_survival(self, ax)


@attrs.frozen(kw_only=True, slots=True)
class DurationRow:
    """One card as lifelines reads it: ``duration`` in days to its close, or to ``at`` while
    open; ``event`` 1 closed, 0 open; ``cause`` 0 open, 1 won, 2 lost (for
    ``AalenJohansenFitter``); ``outcome``, ``won`` and ``lost`` as of ``at``; the covariates."""

    lead_id: str
    created_at: datetime
    duration: float
    event: int
    cause: int
    outcome: Outcome
    won: int
    lost: int
    channel: str
    source: str | None
    campaign: str | None
    medium: str | None
    owner: str | None


@attrs.frozen(kw_only=True)
class Durations(Table[DurationRow]):
    """:func:`durations`: a row per card, in the order given."""

    kind = "durations"
    pipeline: str
    at: datetime


@attrs.frozen(kw_only=True, slots=True)
class CohortRow:
    """The cards created in one period (starting ``start``, local midnight): how many, won,
    lost and open as of ``at``, and the share won within each age of :attr:`Cohorts.ages`
    (``None`` for an age the cohort has not fully lived through)."""

    cohort: str
    start: datetime
    cards: int
    won: int
    lost: int
    open: int
    won_within: tuple[float | None, ...]


@attrs.frozen(kw_only=True)
class Cohorts(Table[CohortRow]):
    """:func:`cohorts`: a row per creation period, oldest first; ``ages`` in days."""

    kind = "cohorts"
    pipeline: str
    period: Literal["week", "month"]
    ages: tuple[int, ...]
    at: datetime

    def records(self) -> list[dict[str, Any]]:
        """The rows as flat dicts, ``won_within`` spread into a column per age
        (``won_within_7d``...).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> from leadmodel.analytics.survival import cohorts
        >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
        >>> list(cohorts([], lm.pipelines.SIMPLE, at=at, ages=(7,)).records())
        []
        """
        out = Table.records(self)
        for record in out:
            shares = record.pop("won_within")
            record.update({f"won_within_{a}d": s for a, s in zip(self.ages, shares, strict=True)})
        return out

    def _draw(self, ax: Axes) -> None:
        draw_cohorts(self, ax)


def time_to_close(
    leads: Iterable[Lead] | LeadFacts,
    pipeline: Pipeline,
    *,
    at: datetime,
    by: By | None = None,
    period: Period = "month",
    time_zone: str = "UTC",
    confidence: float = 0.95,
) -> Survival:
    """How long the cards of ``pipeline`` take from creation to a close (won or lost), the
    cards still open at ``at`` censored there; ``by`` groups as
    :func:`~leadmodel.analytics.funnel.funnel` does.

    Raises :class:`~leadmodel.errors.ValidationError` for a naive ``at``, a ``confidence``
    outside (0, 1) or a bad grouping.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.survival import time_to_close
    >>> t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> def card(n, status=None, days=0):
    ...     lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P",
    ...         topic="Chairs", contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=t0), at=t0)
    ...     if status is None:
    ...         return lead
    ...     return lm.pipelines.SIMPLE.move(lead, status, at=t0 + timedelta(days=days),
    ...         reason="declined" if status == "lost" else None)
    >>> leads = [card(1, "won", 2), card(2, "lost", 3), card(3, "won", 5), card(4), card(5)]
    >>> report = time_to_close(leads, lm.pipelines.SIMPLE, at=t0 + timedelta(days=10))
    >>> [(row.time.days, row.at_risk, row.events, row.censored, round(row.survival, 2))
    ...  for row in report]
    [(2, 5, 1, 0, 0.8), (3, 4, 1, 0, 0.6), (5, 3, 1, 0, 0.4), (10, 2, 0, 2, 0.4)]
    >>> [summary] = report.medians
    >>> summary.median.days, round(summary.won_at_end, 2), round(summary.lost_at_end, 2)
    (5, 0.4, 0.2)
    """
    given = facts_of("time_to_close", leads, pipeline)
    p: c.Problems = []
    c.aware(p, "at", at)
    check_grouping(p, by, period, time_zone)
    _check_confidence(p, confidence)
    if p:
        c.fail("time_to_close", p)
    group_of = grouper(by, period, time_zone)
    groups: dict[str | None, list[_Observation]] = defaultdict(list)
    for fact in given:
        observed = _close(fact, at)
        if observed is not None:
            groups[group_of(fact)].append(observed)
    title = f"Time to close in {pipeline.key}" + (f" by {by}" if by else "")
    return _survival(groups, by, confidence, title=title, pipeline=pipeline.key, at=at)


def time_in_status(
    leads: Iterable[Lead],
    pipeline: Pipeline,
    status: str,
    *,
    at: datetime,
    by: By | None = None,
    period: Period = "month",
    time_zone: str = "UTC",
    confidence: float = 0.95,
) -> Survival:
    """How long cards stay in ``status`` of ``pipeline``: every stay (a card back in the status
    stays again) from its move in to its move out, a stay not over by ``at`` censored there.
    ``events`` are departures; ``won`` and ``lost`` those into a won or lost status, and the
    incidences theirs. ``by`` groups the cards as :func:`~leadmodel.analytics.funnel.funnel`
    does.

    Raises :class:`~leadmodel.errors.ValidationError` for a status ``pipeline`` does not have,
    a naive ``at``, a ``confidence`` outside (0, 1) or a bad grouping.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.survival import time_in_status
    >>> t0, simple = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc), lm.pipelines.SIMPLE
    >>> def card(n, hours):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P", topic="Chairs",
    ...         contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=t0), at=t0)
    ...     return simple.move(lead, "in_progress", at=t0 + timedelta(hours=hours))
    >>> report = time_in_status([card(1, 2), card(2, 4), card(3, 30)], simple, "new",
    ...     at=t0 + timedelta(hours=8))
    >>> [(str(row.time), row.events, row.censored, round(row.survival, 3)) for row in report]
    [('2:00:00', 1, 0, 0.667), ('4:00:00', 1, 0, 0.333), ('8:00:00', 0, 1, 0.333)]
    >>> str(report.medians[0].median)
    '4:00:00'
    >>> time_in_status([], simple, "offer", at=t0)
    Traceback (most recent call last):
    leadmodel.errors.ValidationError: ...status: one of the statuses of simple: 'new', ...
    """
    given = checked_leads("time_in_status", leads, pipeline)
    kinds = {s.key: s.kind for s in pipeline.statuses}
    p: c.Problems = []
    if status not in kinds:
        p.append(
            Problem("status", f"one of the statuses of {pipeline.key}: {c.listed(kinds)}", status)
        )
    c.aware(p, "at", at)
    check_grouping(p, by, period, time_zone)
    _check_confidence(p, confidence)
    if p:
        c.fail("time_in_status", p)
    group_of = grouper(by, period, time_zone)
    facts = {fact.lead_id: fact for fact in lead_facts(given, pipeline)}
    moves = status_facts(given, pipeline).rows
    groups: dict[str | None, list[_Observation]] = defaultdict(list)
    for i, move in enumerate(moves):
        fact = facts.get(move.lead_id)
        if move.to_status != status or move.at > at or fact is None:
            continue
        if move.left_at is None or move.left_at > at:
            observed = (at - move.at, _CENSORED)
        else:  # the card's next move is the one out
            kind = kinds.get(moves[i + 1].to_status)
            cause = _WON if kind is StatusKind.won else _LOST if kind is StatusKind.lost else _MOVED
            observed = (move.left_at - move.at, cause)
        groups[group_of(fact)].append(observed)
    title = f"Time in {status} ({pipeline.key})" + (f" by {by}" if by else "")
    return _survival(
        groups, by, confidence, title=title, pipeline=pipeline.key, at=at, status=status
    )


def durations(leads: Iterable[Lead] | LeadFacts, pipeline: Pipeline, *, at: datetime) -> Durations:
    """A row per card of ``pipeline`` as survival libraries read it: days from creation to the
    close, or to ``at`` for a card still open then, and what ended it (see
    :class:`DurationRow`). ``.to_pandas()`` feeds ``lifelines.KaplanMeierFitter().fit(
    df["duration"], df["event"])`` and ``AalenJohansenFitter().fit(df["duration"],
    df["cause"], event_of_interest=1)`` as they are.

    Raises :class:`~leadmodel.errors.ValidationError` for a naive ``at``.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.survival import durations
    >>> t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="Olena",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=t0), at=t0)
    >>> [row] = durations([lead], lm.pipelines.SIMPLE, at=t0 + timedelta(hours=36))
    >>> row.duration, row.event, row.outcome.value, row.channel
    (1.5, 0, 'open', 'form')
    """
    given = facts_of("durations", leads, pipeline)
    p: c.Problems = []
    c.aware(p, "at", at)
    if p:
        c.fail("durations", p)
    rows: list[DurationRow] = []
    for fact in given:
        observed = _close(fact, at)
        if observed is None:
            continue
        took, cause = observed
        rows.append(
            DurationRow(
                lead_id=fact.lead_id,
                created_at=fact.created_at,
                duration=took / _DAY,
                event=int(cause != _CENSORED),
                cause=cause,
                outcome=(Outcome.open, Outcome.won, Outcome.lost)[cause],
                won=int(cause == _WON),
                lost=int(cause == _LOST),
                channel=str(fact.channel),  # a StrEnum: its text
                source=fact.source,
                campaign=fact.campaign,
                medium=fact.medium,
                owner=fact.owner,
            )
        )
    return Durations(
        rows=tuple(rows), title=f"Durations in {pipeline.key}", pipeline=pipeline.key, at=at
    )


def cohorts(
    leads: Iterable[Lead] | LeadFacts,
    pipeline: Pipeline,
    *,
    at: datetime,
    period: Literal["week", "month"] = "month",
    time_zone: str = "UTC",
    ages: Iterable[int] = (7, 14, 30, 60, 90),
) -> Cohorts:
    """The cards of ``pipeline`` by the ISO week or month of their creation (in ``time_zone``):
    how many, won, lost and open as of ``at``, and the share won within each of ``ages`` days
    of creation — only for ages the whole period has lived through by ``at`` (the period's end
    plus the age), else ``None``.

    Raises :class:`~leadmodel.errors.ValidationError` for a naive ``at``, a ``period`` other
    than ``week`` or ``month``, a bad ``time_zone`` or ages that are not positive days.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.survival import cohorts
    >>> def card(n, created, won_after=None):
    ...     lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P",
    ...         topic="Chairs", contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=created), at=created)
    ...     if won_after is None:
    ...         return lead
    ...     return lm.pipelines.SIMPLE.move(lead, "won", at=created + timedelta(days=won_after))
    >>> utc = timezone.utc
    >>> leads = [card(1, datetime(2026, 1, 5, tzinfo=utc), 3),
    ...     card(2, datetime(2026, 1, 20, tzinfo=utc), 20),
    ...     card(3, datetime(2026, 1, 25, tzinfo=utc)),
    ...     card(4, datetime(2026, 2, 10, tzinfo=utc), 1)]
    >>> report = cohorts(leads, lm.pipelines.SIMPLE, at=datetime(2026, 3, 10, tzinfo=utc),
    ...     ages=(7, 30))
    >>> [(row.cohort, row.cards, row.won, row.open) for row in report]
    [('2026-01', 3, 2, 1), ('2026-02', 1, 1, 0)]
    >>> [[None if s is None else round(s, 2) for s in row.won_within] for row in report]
    [[0.33, 0.67], [1.0, None]]
    """
    given = facts_of("cohorts", leads, pipeline)
    p: c.Problems = []
    c.aware(p, "at", at)
    if period not in ("week", "month"):
        p.append(Problem("period", "'week' or 'month' (cohorts by creation)", period))
    c.time_zone(p, "time_zone", time_zone)
    days = c.as_tuple(ages)
    if not days or not all(type(a) is int and a > 0 for a in days):
        p.append(Problem("ages", "whole days after creation, each at least 1, e.g. (7, 30)", ages))
    if p:
        c.fail("cohorts", p)
    days = tuple(sorted(set(days)))
    zone = ZoneInfo(time_zone)
    members: dict[date, list[_Observation]] = defaultdict(list)
    for fact in given:
        observed = _close(fact, at)
        if observed is not None:
            members[_start(fact.created_at.astimezone(zone).date(), period)].append(observed)
    rows = [
        _cohort(start, members[start], period=period, zone=zone, ages=days, at=at)
        for start in sorted(members)
    ]
    title = f"Cohorts of {pipeline.key} by {period}"
    return Cohorts(
        rows=tuple(rows), title=title, pipeline=pipeline.key, period=period, ages=days, at=at
    )


def draw_survival(table: Survival, ax: Axes) -> None:
    """Draw ``table``'s curves on ``ax``: a step line per group with its band shaded, days
    across. ``Survival.plot`` calls it.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.survival import draw_survival, time_to_close
    >>> figure, ax = plt.subplots()
    >>> draw_survival(time_to_close([], lm.pipelines.SIMPLE,
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc)), ax)
    >>> ax.get_ylabel()
    'share still open'
    >>> plt.close(figure)
    """
    curves: dict[str | None, list[SurvivalRow]] = defaultdict(list)
    for row in table.rows:
        curves[row.group].append(row)
    for group, rows in curves.items():
        days = [0.0, *(row.time / _DAY for row in rows)]
        (line,) = ax.step(
            days, [1.0, *(r.survival for r in rows)], where="post", label=group or "all"
        )
        low, high = [1.0, *(r.ci_low for r in rows)], [1.0, *(r.ci_high for r in rows)]
        ax.fill_between(days, low, high, step="post", alpha=0.2, color=line.get_color())
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("days")
    ax.set_ylabel("share still open" if table.status is None else f"share still {table.status}")
    if table.by is not None and curves:
        ax.legend()


def draw_cohorts(table: Cohorts, ax: Axes) -> None:
    """Draw ``table`` on ``ax`` as a heatmap: a row per cohort, a column per age, the share won
    within the age written in each cell (blank for ages not lived through yet).
    ``Cohorts.plot`` calls it.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics.survival import cohorts, draw_cohorts
    >>> figure, ax = plt.subplots()
    >>> draw_cohorts(cohorts([], lm.pipelines.SIMPLE,
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc)), ax)
    >>> [text.get_text() for text in ax.texts]
    ['nothing to plot']
    >>> plt.close(figure)
    """
    if not table.rows:
        ax.text(0.5, 0.5, "nothing to plot", ha="center", va="center")
        return
    shares = [[math.nan if s is None else s for s in row.won_within] for row in table.rows]
    ax.imshow(shares, aspect="auto", cmap="Greens", vmin=0.0, vmax=1.0)
    for y, row in enumerate(shares):
        for x, value in enumerate(row):
            if not math.isnan(value):
                ax.text(x, y, f"{value:.0%}", ha="center", va="center")
    ax.set_xticks(range(len(table.ages)), [f"{a}d" for a in table.ages])
    ax.set_yticks(range(len(table.rows)), [f"{r.cohort} ({r.cards})" for r in table.rows])
    ax.set_xlabel("won within (days of creation)")


def _check_confidence(p: c.Problems, confidence: object) -> None:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not 0 < confidence < 1
    ):
        p.append(Problem("confidence", "a level between 0 and 1 exclusive, e.g. 0.95", confidence))


def _close(fact: LeadFact, at: datetime) -> _Observation | None:
    """How long ``fact``'s card took to close and how, or how long it has been open at ``at``
    (``None``: created after ``at``, or closed without a close time)."""
    if fact.created_at > at:
        return None
    if fact.outcome is Outcome.open:
        return at - fact.created_at, _CENSORED
    if fact.closed_at is None:
        return None
    if fact.closed_at > at:
        return at - fact.created_at, _CENSORED
    cause = _WON if fact.outcome is Outcome.won else _LOST
    return max(fact.closed_at - fact.created_at, timedelta(0)), cause


def _survival(
    groups: dict[str | None, list[_Observation]],
    by: By | None,
    confidence: float,
    *,
    title: str,
    pipeline: str,
    at: datetime,
    status: str | None = None,
) -> Survival:
    """The curves and summaries of ``groups``, each group's rows together, groups in order."""
    z = statistics.NormalDist().inv_cdf((1 + confidence) / 2)
    if by is None and not groups:
        groups = {None: []}
    rows: list[SurvivalRow] = []
    medians: list[SurvivalMedian] = []
    for group in sorted(groups, key=lambda g: (g is None, g or "")):
        curve, median = _estimate(groups[group], z, group)
        rows.extend(curve)
        medians.append(median)
    return Survival(
        rows=tuple(rows),
        title=title,
        pipeline=pipeline,
        status=status,
        at=at,
        confidence=confidence,
        by=by,
        medians=tuple(medians),
    )


def _estimate(
    observed: list[_Observation], z: float, group: str | None
) -> tuple[list[SurvivalRow], SurvivalMedian]:
    """Kaplan–Meier, its band and the Aalen–Johansen incidences of one group (see the module
    docstring), and their summary."""
    tally: dict[timedelta, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for took, cause in observed:
        tally[took][cause] += 1
    at_risk, survival, variance, won, lost = len(observed), 1.0, 0.0, 0.0, 0.0
    median: int | None = None
    rows: list[SurvivalRow] = []
    for took in sorted(tally):
        censored, won_here, lost_here, moved = tally[took]
        events = won_here + lost_here + moved
        if events:
            won += survival * won_here / at_risk
            lost += survival * lost_here / at_risk
            survival *= (at_risk - events) / at_risk
            if events < at_risk:
                variance += events / (at_risk * (at_risk - events))
            if median is None and _half_reached(survival, rows, at_risk, events):
                median = len(rows)
        low, high = _band(survival, variance, z)
        rows.append(
            SurvivalRow(
                time=took,
                at_risk=at_risk,
                events=events,
                won=won_here,
                lost=lost_here,
                censored=censored,
                survival=survival,
                ci_low=low,
                ci_high=high,
                won_incidence=won,
                lost_incidence=lost,
                group=group,
            )
        )
        at_risk -= events + censored
    return rows, _summary(rows, median, group, len(observed))


def _half_reached(survival: float, rows: list[SurvivalRow], at_risk: int, events: int) -> bool:
    """Whether the survival after ``events`` of ``at_risk`` is at most one half: the float
    product when it is clear (its error is below 1e-9 for up to a million steps), else the
    exact product of the steps so far."""
    if abs(survival - 0.5) > 1e-9:  # noqa: PLR2004
        return survival < 0.5  # noqa: PLR2004
    numerator, denominator = at_risk - events, at_risk
    for row in rows:
        numerator, denominator = numerator * (row.at_risk - row.events), denominator * row.at_risk
    return 2 * numerator <= denominator


def _summary(
    rows: list[SurvivalRow], median: int | None, group: str | None, observed: int
) -> SurvivalMedian:
    at_median = rows[median] if median is not None else None
    end = rows[-1] if rows else None
    return SurvivalMedian(
        group=group,
        observed=observed,
        events=sum(row.events for row in rows),
        median=at_median.time if at_median else None,
        median_ci_low=next((row.time for row in rows if row.ci_low <= 0.5), None),  # noqa: PLR2004
        median_ci_high=next((row.time for row in rows if row.ci_high <= 0.5), None),  # noqa: PLR2004
        won_at_median=at_median.won_incidence if at_median else None,
        lost_at_median=at_median.lost_incidence if at_median else None,
        won_at_end=end.won_incidence if end else None,
        lost_at_end=end.lost_incidence if end else None,
    )


def _band(survival: float, variance: float, z: float) -> tuple[float, float]:
    """The exponential Greenwood band around ``survival`` (1 before any event, 0 at 0)."""
    if survival >= 1.0:
        return 1.0, 1.0
    if survival <= 0.0:
        return 0.0, 0.0
    v = math.log(survival)
    spread = z * math.sqrt(variance) / v
    return _double_exp(math.log(-v) - spread), _double_exp(math.log(-v) + spread)


def _double_exp(x: float) -> float:
    """``exp(-exp(x))``, 0 where ``exp(x)`` would overflow."""
    return 0.0 if x > 700 else math.exp(-math.exp(x))  # noqa: PLR2004 - exp(700) ≈ 1e304


def _start(day: date, period: str) -> date:
    """The first day of the ISO week or month ``day`` falls in."""
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def _cohort(
    start: date,
    members: list[_Observation],
    *,
    period: Literal["week", "month"],
    zone: ZoneInfo,
    ages: tuple[int, ...],
    at: datetime,
) -> CohortRow:
    if period == "week":
        end = start + timedelta(days=7)
    else:
        end = (start + timedelta(days=32)).replace(day=1)
    begins = datetime.combine(start, time(0), tzinfo=zone)
    ends = datetime.combine(end, time(0), tzinfo=zone)
    causes = [cause for _, cause in members]
    won_within = tuple(
        share(sum(1 for took, cause in members if cause == _WON and took <= a * _DAY), len(members))
        if ends + a * _DAY <= at
        else None
        for a in ages
    )
    return CohortRow(
        cohort=period_of(begins, period, zone),
        start=begins,
        cards=len(members),
        won=causes.count(_WON),
        lost=causes.count(_LOST),
        open=causes.count(_CENSORED),
        won_within=won_within,
    )
