"""What the reports share: grouping keys (a period, a source field, the owner), money summed
per currency, and the quantiles of durations."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Context, Decimal, localcontext
from operator import attrgetter
from typing import Final, Literal
from zoneinfo import ZoneInfo

from leadmodel._kernel import checks as c
from leadmodel.analytics.facts import LeadFact
from leadmodel.domain.values import Money
from leadmodel.errors import Problem

Period = Literal["day", "week", "month", "quarter", "year"]
By = Literal["period", "channel", "source", "campaign", "medium", "owner"]

PERIODS: Final = ("day", "week", "month", "quarter", "year")
BY: Final = ("period", "channel", "source", "campaign", "medium", "owner")
NONE: Final = "(none)"
"""The group of cards without the field grouped by (no campaign, no owner)."""


def check_grouping(
    p: c.Problems, by: object, period: object, time_zone: object, *, allowed: tuple[str, ...] = BY
) -> None:
    """The problems with ``by``, ``period`` and ``time_zone``, added to ``p``."""
    if by is not None and by not in allowed:
        p.append(Problem("by", f"group by one of {', '.join(allowed)} (or None)", by))
    if period not in PERIODS:
        p.append(Problem("period", f"one of {', '.join(PERIODS)}", period))
    c.time_zone(p, "time_zone", time_zone)


def period_of(at: datetime, period: Period, zone: ZoneInfo) -> str:
    """The period ``at`` falls in, as local time in ``zone`` names it: ``2026-03-02``,
    ``2026-W10`` (ISO week), ``2026-03``, ``2026-Q1``, ``2026``."""
    local = at.astimezone(zone)
    if period == "day":
        return local.date().isoformat()
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{local.year}-{local.month:02d}"
    if period == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return str(local.year)


def grouper(by: By | None, period: Period, time_zone: str) -> Callable[[LeadFact], str | None]:
    """The group of a card (``None`` when not grouping)."""
    if by is None:
        return lambda fact: None
    if by == "period":
        zone = ZoneInfo(time_zone)
        return lambda fact: period_of(fact.created_at, period, zone)
    read = attrgetter(by)
    return lambda fact: str(read(fact) or NONE)  # a channel is a StrEnum: its text


EXACT: Final = Context(prec=60)
"""Where money is summed: 60 digits keep every sum of amounts exact (an amount has at most 30
significant digits; the default context keeps 28)."""


def money_sum(values: Iterable[Money | None]) -> tuple[Money, ...]:
    """The amounts summed per currency, exactly, sorted by currency (``()`` for none)."""
    totals: dict[str, Decimal] = {}
    with localcontext(EXACT):
        for value in values:
            if value is not None:
                totals[value.currency] = totals.get(value.currency, Decimal(0)) + value.amount
    return tuple(Money(amount=totals[cur], currency=cur) for cur in sorted(totals))


def money_mean(values: Iterable[Money | None]) -> tuple[Money, ...]:
    """The mean amount per currency, sorted by currency (each over its own count)."""
    totals: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    with localcontext(EXACT):
        for value in values:
            if value is not None:
                totals[value.currency] = totals.get(value.currency, Decimal(0)) + value.amount
                counts[value.currency] = counts.get(value.currency, 0) + 1
    return means({cur: (totals[cur], counts[cur]) for cur in totals})


def means(sums: Mapping[str, tuple[Decimal, int]]) -> tuple[Money, ...]:
    """The mean per currency of exact ``(total, count)`` sums, sorted by currency: the total
    divided in the current context and rounded half-even to 0.01 (what :func:`money_mean`
    reports, and the SQL reports make of the database's sums)."""
    return tuple(
        Money(amount=(total / count).quantize(Decimal("0.01")), currency=cur)
        for cur, (total, count) in sorted(sums.items())
    )


def quantile(durations: list[timedelta], q: float) -> timedelta | None:
    """The ``q`` quantile of ``durations`` (linear between order statistics, as pandas and
    numpy's default); ``None`` for none."""
    if not durations:
        return None
    if len(durations) == 1:
        return durations[0]
    seconds = sorted(d.total_seconds() for d in durations)
    if q == 0.5:  # noqa: PLR2004 - the median, exactly
        return timedelta(seconds=statistics.median(seconds))
    position = (len(seconds) - 1) * q
    low = int(position)
    high = min(low + 1, len(seconds) - 1)
    value = seconds[low] + (seconds[high] - seconds[low]) * (position - low)
    return timedelta(seconds=value)


def share(part: int, whole: int) -> float | None:
    """``part / whole``, ``None`` when ``whole`` is 0."""
    return part / whole if whole else None
