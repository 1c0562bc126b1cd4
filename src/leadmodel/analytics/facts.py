"""Leads flattened for analysis: one :class:`LeadFact` per card of a pipeline, one
:class:`StatusFact` per move — the facts every report reads, and the flat projection an
analyst takes to pandas, polars or a database.

The rules every report shares:

* **Which cards.** The leads whose ``pipeline`` is the pipeline's key; others are left out.
* **Outcome.** By the kind of the card's status: ``won`` or ``lost`` (closed), else ``open``.
  A pipeline whose ``convert_to`` is its won status counts converted cards as won; a lead
  converted without a move counts as it stands in the funnel.
* **Closed at.** When the card entered its won or lost status (the last move into it; for a
  lost card, the loss's time when the lead records one).
* **Lost from.** The status a lost card was in before it went to its lost status, and the
  reason chosen there.
* **Funnel order.** The pipeline's statuses in order, lost statuses left out. A card
  *reached* a status when it entered it or went past it: ``reached`` is the position of the
  furthest status it entered (``-1``: none, such as a card imported straight into a lost
  status).
* **Value.** ``expected_value`` — the deal amount; for won cards, the revenue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics._table import Table
from leadmodel.domain.model import Direction, Lead, StatusChange
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.values import Money
from leadmodel.errors import Problem

_OUTBOUND = Direction.outbound

__all__ = [
    "LeadFact",
    "LeadFacts",
    "Outcome",
    "StatusFact",
    "StatusFacts",
    "funnel_order",
    "lead_facts",
    "status_facts",
]


class Outcome(StrEnum):
    """Where a card stands: ``open``, or closed ``won`` or ``lost``."""

    open = "open"
    won = "won"
    lost = "lost"


class LeadFact(NamedTuple):
    """One card, flat: who, where from, where it stands, its money and its speed (see the
    module docstring for the rules). A named tuple: immutable, and made fast — a report over a
    million cards makes a million of them."""

    lead_id: str
    created_at: datetime
    owner: str | None
    channel: str
    source: str | None
    campaign: str | None
    medium: str | None
    cost: Money | None
    pipeline: str
    status: str
    outcome: Outcome
    closed_at: datetime | None
    lost_from: str | None
    lost_reason: str | None
    value: Money | None
    first_response_at: datetime | None
    time_zone: str | None
    reached: int
    entered: tuple[str, ...] = ()


class StatusFact(NamedTuple):
    """One move of a card: into ``to_status`` (from ``from_status``; ``None`` when it entered
    the pipeline) at ``at``, and when it left that status (``left_at``: the next move; ``None``
    while it is still there)."""

    lead_id: str
    pipeline: str
    from_status: str | None
    to_status: str
    at: datetime
    left_at: datetime | None


@attrs.frozen(kw_only=True)
class LeadFacts(Table[LeadFact]):
    """:func:`lead_facts`: one row per card of ``pipeline`` (its key). Every report takes one
    in place of the leads: flatten once, report many times."""

    kind = "facts"
    pipeline: str = ""


@attrs.frozen(kw_only=True)
class StatusFacts(Table[StatusFact]):
    """:func:`status_facts`: one row per move."""

    kind = "facts"


def funnel_order(pipeline: Pipeline) -> tuple[str, ...]:
    """The statuses of ``pipeline`` in funnel order: its statuses in order, lost ones left out.

    >>> import leadmodel as lm
    >>> lm.analytics.funnel_order(lm.pipelines.SIMPLE)
    ('new', 'in_progress', 'won')
    """
    return tuple(s.key for s in pipeline.statuses if s.kind is not StatusKind.lost)


def checked_leads(model: str, leads: Iterable[Lead], pipeline: Pipeline) -> tuple[Lead, ...]:
    """``leads`` as a tuple, checked with ``pipeline``; every problem at once."""
    given: tuple[Lead, ...] = c.as_tuple(leads)
    p: c.Problems = []
    c.tuple_of(p, "leads", given, Lead)
    c.instance(p, "pipeline", pipeline, Pipeline)
    if p:
        c.fail(model, p)
    return given


def facts_of(
    model: str, leads: Iterable[Lead] | LeadFacts, pipeline: Pipeline
) -> tuple[LeadFact, ...]:
    """The facts a report reads: ``leads`` flattened, or the :class:`LeadFacts` given (of the
    same pipeline: another is a ``ValidationError``)."""
    if isinstance(leads, LeadFacts):
        p: c.Problems = []
        if c.instance(p, "pipeline", pipeline, Pipeline) and leads.pipeline != pipeline.key:
            msg = f"these facts are of pipeline {leads.pipeline!r}; flatten the leads again"
            p.append(Problem("leads", msg, pipeline.key))
        if p:
            c.fail(model, p)
        return leads.rows
    return lead_facts(checked_leads(model, leads, pipeline), pipeline).rows


def lead_facts(leads: Iterable[Lead], pipeline: Pipeline) -> LeadFacts:
    """One :class:`LeadFact` per card of ``pipeline`` among ``leads``, in the order given.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="Olena",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form, campaign="spring"), created_at=at,
    ...     expected_value=lm.Money.of("1200", "UAH")), at=at)
    >>> lead = lm.pipelines.SIMPLE.move(lead, "won", at=at + timedelta(days=3))
    >>> [fact] = lm.analytics.lead_facts([lead], lm.pipelines.SIMPLE)
    >>> fact.outcome.value, fact.closed_at - at, fact.reached, fact.campaign
    ('won', datetime.timedelta(days=3), 2, 'spring')
    """
    given = checked_leads("lead_facts", leads, pipeline)
    order = {status: i for i, status in enumerate(funnel_order(pipeline))}
    outcomes = {s.key: _OUTCOME[s.kind] for s in pipeline.statuses}
    key = pipeline.key
    fact = _fact
    rows = tuple(
        [
            fact(lead, key, order, outcomes)
            for lead in given
            if lead.pipeline == key and lead.status in outcomes
        ]
    )
    return LeadFacts(rows=rows, title=f"Cards of {key}", pipeline=key)


def status_facts(leads: Iterable[Lead], pipeline: Pipeline) -> StatusFacts:
    """One :class:`StatusFact` per move of the cards of ``pipeline`` among ``leads``, each
    card's moves in time order.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="Olena",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at), at=at)
    >>> lead = lm.pipelines.SIMPLE.move(lead, "in_progress", at=at + timedelta(hours=2))
    >>> [(f.to_status, f.left_at - f.at if f.left_at else None)
    ...  for f in lm.analytics.status_facts([lead], lm.pipelines.SIMPLE)]
    [('new', datetime.timedelta(seconds=7200)), ('in_progress', None)]
    """
    given = checked_leads("status_facts", leads, pipeline)
    rows: list[StatusFact] = []
    for lead in given:
        if lead.pipeline != pipeline.key:
            continue
        moves = [change for change in lead.history if change.pipeline == pipeline.key]
        for i, change in enumerate(moves):
            left = moves[i + 1].at if i + 1 < len(moves) else None
            rows.append(
                StatusFact(
                    lead_id=lead.id,
                    pipeline=pipeline.key,
                    from_status=change.from_status,
                    to_status=change.to_status,
                    at=change.at,
                    left_at=left,
                )
            )
    return StatusFacts(rows=tuple(rows), title=f"Moves in {pipeline.key}")


_OUTCOME = {
    StatusKind.open: Outcome.open,
    StatusKind.won: Outcome.won,
    StatusKind.lost: Outcome.lost,
}
_WON, _LOST = Outcome.won, Outcome.lost


def _fact(
    lead: Lead, pipeline: str, order: dict[str, int], outcomes: dict[str, Outcome]
) -> LeadFact:
    """The fact of one card (one pass over its history and, for the first response, over its
    activities until the first outbound one)."""
    status = lead.status or ""
    outcome = outcomes[status]
    reached = -1
    entered: list[str] = []
    into: StatusChange | None = None
    for change in lead.history:
        if change.pipeline != pipeline:
            continue
        to = change.to_status
        if to == status:
            into = change
        where = order.get(to, -1)
        if where >= 0 and to not in entered:
            entered.append(to)
            reached = max(reached, where)
    if status in order and status not in entered:  # placed there without a recorded move
        entered.append(status)
        reached = max(reached, order[status])
    closed_at: datetime | None = None
    lost_from: str | None = None
    lost_reason: str | None = None
    if outcome is _LOST:
        lost = lead.lost
        if lost is not None:
            closed_at, lost_from, lost_reason = lost.at, lost.from_status, lost.reason
        if into is not None:
            closed_at = closed_at or into.at
            lost_from = lost_from or into.from_status
            lost_reason = lost_reason or into.reason
    elif outcome is _WON:
        converted = lead.converted
        closed_at = into.at if into is not None else converted.at if converted else None
    first_response_at = None
    for activity in lead.activities:
        if activity.direction is _OUTBOUND:
            first_response_at = activity.at
            break
    source = lead.source
    return LeadFact(  # positionally, in field order: a named tuple is made fastest so
        lead.id,
        lead.created_at,
        lead.owner,
        source.channel,  # a StrEnum: equal to its value, and no property to read
        source.name,
        source.campaign,
        source.medium,
        source.cost,
        pipeline,
        status,
        outcome,
        closed_at,
        lost_from,
        lost_reason,
        lead.expected_value,
        first_response_at,
        lead.time_zone,
        reached,
        tuple(entered),
    )
