"""The funnel and the losses: how many cards reached each status, and where and why the
others were lost (DOMAIN §6, the first two reports of KeyCRM and Bitrix24).

The cards, their outcome and the funnel order are :mod:`~leadmodel.analytics.facts`'s.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Literal

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics import _plots
from leadmodel.analytics._groups import EXACT, By, Period, check_grouping, grouper, money_sum, share
from leadmodel.analytics._table import Table, money_field
from leadmodel.analytics.facts import LeadFact, LeadFacts, Outcome, facts_of, funnel_order
from leadmodel.domain.model import Lead
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.values import Money
from leadmodel.errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

_LOST = Outcome.lost

__all__ = ["Funnel", "FunnelRow", "LossRow", "Losses", "funnel", "losses"]

Mode = Literal["reached", "entered"]


@attrs.frozen(kw_only=True, slots=True)
class FunnelRow:
    """One status of the funnel (in one group): the cards that reached it (``count``), that
    count as a share of the funnel's first status and of the status before, and the sum of
    their deal values per currency (``amount``)."""

    status: str
    label: str
    count: int
    share_of_first: float | None
    share_of_previous: float | None
    amount: tuple[Money, ...] = money_field()
    group: str | None = None


@attrs.frozen(kw_only=True)
class Funnel(Table[FunnelRow]):
    """:func:`funnel`: a row per status in funnel order (per group, groups in order)."""

    kind = "funnel"
    pipeline: str
    mode: Mode
    by: By | None = None

    def _draw(self, ax: Axes) -> None:
        _plots.funnel(self, ax)


@attrs.frozen(kw_only=True, slots=True)
class LossRow:
    """Cards lost from ``status`` for ``reason`` (in one group): how many, their share of all
    the lost cards (of the group), and their deal values per currency."""

    status: str | None
    reason: str | None
    count: int
    share: float | None
    amount: tuple[Money, ...] = money_field()
    group: str | None = None


@attrs.frozen(kw_only=True)
class Losses(Table[LossRow]):
    """:func:`losses`: a row per (status lost from, reason), the most frequent first."""

    kind = "losses"
    pipeline: str
    by: By | None = None

    def _draw(self, ax: Axes) -> None:
        _plots.losses(self, ax)


def funnel(
    leads: Iterable[Lead] | LeadFacts,
    pipeline: Pipeline,
    *,
    mode: Mode = "reached",
    by: By | None = None,
    period: Period = "month",
    time_zone: str = "UTC",
) -> Funnel:
    """How many cards of ``pipeline`` reached each status, in funnel order.

    ``mode="reached"`` (the default) counts a card at every status up to the furthest it
    entered — a card moved from ``new`` straight to ``offer`` passed through ``in_work`` — so
    counts never grow along the funnel; ``mode="entered"`` counts only the statuses a card
    entered. Lost statuses are not funnel steps (:func:`losses` reports them). ``by`` groups the
    cards: ``"period"`` (of creation; ``period`` ``day``, ``week``, ``month``, ``quarter`` or
    ``year`` in ``time_zone``), ``"channel"``, ``"source"``, ``"campaign"``, ``"medium"`` or
    ``"owner"``; each group has its own funnel (``(none)``: cards without the field).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> def card(n, *moves, value="100"):
    ...     lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P",
    ...         topic="Chairs", contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=at,
    ...         expected_value=lm.Money.of(value, "UAH")), at=at)
    ...     for i, status in enumerate(moves, start=1):
    ...         lead = lm.pipelines.SIMPLE.move(lead, status, at=at + timedelta(days=i),
    ...             reason="declined" if status == "lost" else None)
    ...     return lead
    >>> leads = [card(1), card(2, "in_progress"), card(3, "won", value="900"),
    ...          card(4, "in_progress", "lost")]
    >>> report = lm.analytics.funnel(leads, lm.pipelines.SIMPLE)
    >>> [(row.status, row.count, row.share_of_first) for row in report]
    [('new', 4, 1.0), ('in_progress', 3, 0.75), ('won', 1, 0.25)]
    >>> report[2].amount
    (Money(amount=Decimal('900'), currency='UAH'),)
    >>> [row.count for row in lm.analytics.funnel(leads, lm.pipelines.SIMPLE, mode="entered")]
    [4, 2, 1]
    """
    facts = facts_of("funnel", leads, pipeline)
    p: c.Problems = []
    if mode not in ("reached", "entered"):
        p.append(Problem("mode", "'reached' (or past it) or 'entered' (strictly)", mode))
    check_grouping(p, by, period, time_zone)
    if p:
        c.fail("funnel", p)
    group_of = grouper(by, period, time_zone)
    order = funnel_order(pipeline)
    groups: dict[str | None, list[LeadFact]] = defaultdict(list)
    if by is None:
        groups[None] = list(facts)
    else:
        for fact in facts:
            groups[group_of(fact)].append(fact)
    tallies: dict[str | None, Tally] = {}
    for group, members in groups.items():
        counts, amounts = _tally(members, order, entered=mode == "entered")
        if mode == "reached":  # a card counts at every status up to its furthest
            for i in range(len(order) - 2, -1, -1):
                counts[i] += counts[i + 1]
                with localcontext(EXACT):  # exact sums of money
                    for currency, amount in amounts[i + 1].items():
                        amounts[i][currency] = amounts[i].get(currency, Decimal(0)) + amount
        tallies[group] = counts, amounts
    return funnel_table(pipeline, tallies, mode=mode, by=by)


Tally = tuple[list[int], list[dict[str, Decimal]]]
"""Per status in funnel order: the cards counted there, and their values summed per currency."""


def funnel_table(
    pipeline: Pipeline, tallies: dict[str | None, Tally], *, mode: Mode, by: By | None
) -> Funnel:
    """The :class:`Funnel` of the counts and sums per group (``None``: not grouped), however
    they were counted — in memory, or by :mod:`leadmodel.analytics.sql` in the database."""
    order = funnel_order(pipeline)
    rows: list[FunnelRow] = []
    for group in sorted(tallies, key=lambda g: (g is None, g or "")):
        counts, amounts = tallies[group]
        for i, status in enumerate(order):
            previous = counts[i - 1] if i else counts[i]
            rows.append(
                FunnelRow(
                    status=status,
                    label=pipeline.status(status).label,
                    count=counts[i],
                    share_of_first=share(counts[i], counts[0]),
                    share_of_previous=share(counts[i], previous),
                    amount=tuple(
                        Money(amount=amounts[i][cur], currency=cur) for cur in sorted(amounts[i])
                    ),
                    group=group,
                )
            )
    title = f"Funnel of {pipeline.key} ({mode})" + (f" by {by}" if by else "")
    return Funnel(rows=tuple(rows), title=title, pipeline=pipeline.key, mode=mode, by=by)


def _tally(
    members: list[LeadFact], order: tuple[str, ...], *, entered: bool
) -> tuple[list[int], list[dict[str, Decimal]]]:
    """Per status of ``order``: the cards whose furthest status it is, or (``entered``) that
    entered it, and their values summed per currency."""
    counts = [0] * len(order)
    sums: list[dict[str, list[Decimal]]] = [{} for _ in order]  # summed once, at the end
    position = {status: i for i, status in enumerate(order)}
    for fact in members:
        value = fact.value
        if entered:
            for status in fact.entered:
                i = position[status]
                counts[i] += 1
                if value is not None:
                    sums[i].setdefault(value.currency, []).append(value.amount)
        elif (i := fact.reached) >= 0:
            counts[i] += 1
            if value is not None:
                sums[i].setdefault(value.currency, []).append(value.amount)
    with localcontext(EXACT):  # exact sums of money
        amounts = [
            {cur: sum(values, Decimal(0)) for cur, values in by_currency.items()}
            for by_currency in sums
        ]
    return counts, amounts


def losses(
    leads: Iterable[Lead] | LeadFacts,
    pipeline: Pipeline,
    *,
    by: By | None = None,
    period: Period = "month",
    time_zone: str = "UTC",
) -> Losses:
    """Where the lost cards of ``pipeline`` were lost (the status they were in before their
    lost status) and why (the reason chosen): count, share of the lost cards, deal values per
    currency — the most frequent first (then by status and reason). ``by`` groups as
    :func:`funnel` does.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> def lost(n, before, reason):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P",
    ...         topic="Chairs", contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=at), at=at)
    ...     if before != "new":
    ...         lead = simple.move(lead, before, at=at + timedelta(days=1))
    ...     return simple.move(lead, "lost", at=at + timedelta(days=2), reason=reason)
    >>> report = lm.analytics.losses([lost(1, "new", "declined"),
    ...     lost(2, "in_progress", "declined"), lost(3, "in_progress", "declined")], simple)
    >>> [(row.status, row.reason, row.count, round(row.share, 2)) for row in report]
    [('in_progress', 'declined', 2, 0.67), ('new', 'declined', 1, 0.33)]
    """
    facts = facts_of("losses", leads, pipeline)
    p: c.Problems = []
    check_grouping(p, by, period, time_zone)
    if p:
        c.fail("losses", p)
    group_of = grouper(by, period, time_zone)
    lost: dict[str | None, list[LeadFact]] = defaultdict(list)
    lost_ones = [fact for fact in facts if fact.outcome is _LOST]
    if by is None:
        lost[None] = lost_ones
    else:
        for fact in lost_ones:
            lost[group_of(fact)].append(fact)
    rows: list[LossRow] = []
    for group in sorted(lost, key=lambda g: (g is None, g or "")):
        members = lost[group]
        counts: Counter[tuple[str | None, str | None]] = Counter()
        values: dict[tuple[str | None, str | None], list[Money | None]] = defaultdict(list)
        for f in members:
            key = (f.lost_from, f.lost_reason)
            counts[key] += 1
            values[key].append(f.value)
        for (status, reason), count in sorted(
            counts.items(), key=lambda item: (-item[1], item[0][0] or "", item[0][1] or "")
        ):
            rows.append(
                LossRow(
                    status=status,
                    reason=reason,
                    count=count,
                    share=share(count, len(members)),
                    amount=money_sum(values[(status, reason)]),
                    group=group,
                )
            )
    title = f"Losses in {pipeline.key}" + (f" by {by}" if by else "")
    return Losses(rows=tuple(rows), title=title, pipeline=pipeline.key, by=by)
