"""Source efficiency: what each channel, source or campaign brought and what it cost (DOMAIN §6:
leads, customers, cost, cost per lead, cost per customer, revenue, ROI).

Two kinds of cost, added together: **per interest** — the ``cost`` of a lead's
:class:`~leadmodel.Source` (what acquiring that one cost: a click, a call-centre minute) — and
**per campaign** — :class:`~leadmodel.Spend` records (a campaign's budget, a trade show), given
to the report and matched to the group by channel, source name and campaign. Customers are the
won cards; revenue their deal values. A report is in one currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from operator import attrgetter
from typing import Literal

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics._groups import NONE, share
from leadmodel.analytics._table import Table
from leadmodel.analytics.facts import LeadFact, LeadFacts, Outcome, facts_of
from leadmodel.domain.model import Lead
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.values import Money, Spend
from leadmodel.errors import Problem

__all__ = ["SourceEfficiency", "SourceRow", "source_efficiency"]

SourceBy = Literal["channel", "source", "campaign"]

_CENT = Decimal("0.01")


@attrs.frozen(kw_only=True, slots=True)
class SourceRow:
    """One channel, source or campaign (``group``): the cards it brought (``leads``), the won
    ones (``customers``) and their share (``conversion``), what they cost (per-interest costs
    plus matching spend), the cost per lead and per customer (CAC), the revenue of the won
    cards, and the return on the cost (``roi``: (revenue − cost) / cost)."""

    group: str
    leads: int
    customers: int
    conversion: float | None
    cost: Money
    cost_per_lead: Money | None
    cost_per_customer: Money | None
    revenue: Money
    roi: float | None


@attrs.frozen(kw_only=True)
class SourceEfficiency(Table[SourceRow]):
    """:func:`source_efficiency`: a row per group, by group; ``currency`` of every amount, and
    how many amounts in other currencies were ``left_out``."""

    kind = "sources"
    pipeline: str
    by: SourceBy
    currency: str
    left_out: int = 0


def _spend_group(spend: Spend, by: SourceBy) -> str:
    value = {"channel": spend.channel.value, "source": spend.source, "campaign": spend.campaign}
    return value[by] or NONE


def source_efficiency(
    leads: Iterable[Lead] | LeadFacts,
    pipeline: Pipeline,
    *,
    spend: Iterable[Spend] = (),
    by: SourceBy = "channel",
    currency: str | None = None,
) -> SourceEfficiency:
    """Per ``by`` (``channel``, ``source`` name or ``campaign``): the cards of ``pipeline``
    among ``leads``, the won ones, their cost (per-interest ``Source.cost`` plus the ``spend``
    whose channel, source or campaign is the group), cost per lead, cost per customer, revenue
    (won deal values) and ROI, in ``currency`` — by default the one currency the costs and
    values use; with several, pass ``currency`` (amounts in others are left out and counted in
    ``left_out``).

    >>> from datetime import date, datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> ads = lm.Source(channel=lm.Channel.form, name="google", campaign="spring",
    ...     cost=lm.Money.of("50", "UAH"))
    >>> expo = lm.Source(channel=lm.Channel.event, name="expo", campaign="expo-2026")
    >>> def card(n, source, won):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P", topic="Chairs",
    ...         contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")], source=source,
    ...         created_at=at, expected_value=lm.Money.of("1000", "UAH")), at=at)
    ...     return simple.move(lead, "won", at=at + timedelta(days=2)) if won else lead
    >>> leads = [card(1, ads, True), card(2, ads, False), card(3, expo, True)]
    >>> stand = lm.Spend(channel=lm.Channel.event, amount=lm.Money.of("600", "UAH"),
    ...     start=date(2026, 3, 1), end=date(2026, 3, 3), campaign="expo-2026")
    >>> report = lm.analytics.source_efficiency(leads, simple, spend=[stand])
    >>> [(r.group, r.leads, r.customers, str(r.cost.amount), str(r.cost_per_customer.amount),
    ...   r.roi) for r in report]
    [('event', 1, 1, '600', '600.00', 0.6666666666666666), ('form', 2, 1, '100', '100.00', 9.0)]
    """
    facts = facts_of("source_efficiency", leads, pipeline)
    spent: tuple[Spend, ...] = c.as_tuple(spend)
    p: c.Problems = []
    c.tuple_of(p, "spend", spent, Spend)
    if by not in ("channel", "source", "campaign"):
        p.append(Problem("by", "channel, source or campaign", by))
    c.opt_text(p, "currency", currency, "the report's currency")
    if p:
        c.fail("source_efficiency", p)
    chosen = currency or _only_currency(facts, spent)
    tally = _Tally(chosen)
    group_of = attrgetter(by)  # a LeadFact has channel, source and campaign
    for fact in facts:
        tally.card(fact, str(group_of(fact) or NONE))  # a channel is a StrEnum: its text
    for record in spent:
        tally.add(tally.cost, _spend_group(record, by), record.amount)
    return tally.table(pipeline, by)


@attrs.define
class _Tally:
    """Cards, won cards, cost and revenue per group, in one currency."""

    currency: str
    cost: defaultdict[str, Decimal] = attrs.Factory(lambda: defaultdict(Decimal))
    revenue: defaultdict[str, Decimal] = attrs.Factory(lambda: defaultdict(Decimal))
    cards: defaultdict[str, int] = attrs.Factory(lambda: defaultdict(int))
    won: defaultdict[str, int] = attrs.Factory(lambda: defaultdict(int))
    left_out: int = 0

    def add(self, into: defaultdict[str, Decimal], group: str, amount: Money | None) -> None:
        if amount is None:
            return
        if amount.currency == self.currency:
            into[group] += amount.amount
        else:
            self.left_out += 1

    def table(self, pipeline: Pipeline, by: SourceBy) -> SourceEfficiency:
        """The report of the counts and sums tallied, however they were counted — in memory,
        or by :mod:`leadmodel.analytics.sql` in the database."""
        chosen, rows = self.currency, []
        for group in sorted(set(self.cards) | set(self.cost)):
            spent, earned = self.cost[group], self.revenue[group]
            cards, won = self.cards[group], self.won[group]
            rows.append(
                SourceRow(
                    group=group,
                    leads=cards,
                    customers=won,
                    conversion=share(won, cards),
                    cost=Money(amount=spent, currency=chosen),
                    cost_per_lead=_per(spent, cards, chosen),
                    cost_per_customer=_per(spent, won, chosen),
                    revenue=Money(amount=earned, currency=chosen),
                    roi=float((earned - spent) / spent) if spent else None,
                )
            )
        return SourceEfficiency(
            rows=tuple(rows),
            title=f"Sources of {pipeline.key} by {by} ({chosen})",
            pipeline=pipeline.key,
            by=by,
            currency=chosen,
            left_out=self.left_out,
        )

    def card(self, fact: LeadFact, group: str) -> None:
        self.cards[group] += 1
        self.add(self.cost, group, fact.cost)
        if fact.outcome is Outcome.won:
            self.won[group] += 1
            self.add(self.revenue, group, fact.value)


def _per(amount: Decimal, count: int, currency: str) -> Money | None:
    if not count:
        return None
    return Money(amount=(amount / count).quantize(_CENT), currency=currency)


def _only_currency(facts: tuple[LeadFact, ...], spent: tuple[Spend, ...]) -> str:
    found = {f.cost.currency for f in facts if f.cost is not None}
    found |= {f.value.currency for f in facts if f.value is not None and f.outcome is Outcome.won}
    return one_currency(found | {s.amount.currency for s in spent})


def one_currency(found: set[str]) -> str:
    """The report's currency when it was not given: the one ``found`` among the costs and
    revenue (``XXX``, ISO 4217's "no currency", when none was spent or earned); several are a
    ``ValidationError`` asking for ``currency=``."""
    if len(found) > 1:
        msg = (
            f"costs and revenue come in several currencies ({', '.join(sorted(found))}); pass "
            "currency=... to report one (amounts in the others are counted in left_out)"
        )
        c.fail("source_efficiency", [Problem("currency", msg, None)])
    return next(iter(found), "XXX")
