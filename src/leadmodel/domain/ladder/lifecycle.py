"""Lifecycle stages of the Demand Waterfall: inquiry → lead → MQL → SAL → SQL → opportunity →
customer → evangelist, plus disqualified and recycled (DOMAIN §4).

The lifecycle moves forward only; the one way back is :func:`~leadmodel.recycle`. Each move is
recorded on the lead as a :class:`StageChange` in ``Lead.stages`` (the lifecycle history, in
time order, ending at ``Lead.lifecycle``). Events move it too: promotion records
inquiry → lead, a qualified assessment makes SQL, conversion makes customer.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> lead = Lead(id=LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
...             contact_points=(ContactPoint.email("olena@mebli.ua"),),
...             source=Source(channel=Channel.form), created_at=at)
>>> mql = advance(lead, LifecycleStage.mql, at=at, by="marketing-bot")
>>> mql.lifecycle.value, [(s.from_stage.value, s.to_stage.value) for s in mql.stages]
('mql', [('lead', 'mql')])
>>> advance(mql, LifecycleStage.lead, at=at)
Traceback (most recent call last):
...
leadmodel.errors.LifecycleError: lead lead-1 cannot move from mql back to lead: the lifecycle
moves forward only; recycle(lead, at=...) is the only way back
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.records import check_move
from leadmodel.errors import LifecycleError, Problem, ValidationError

if TYPE_CHECKING:  # entities imports this module: the Lead type is for annotations only
    from leadmodel.domain.model.entities import Lead

__all__ = [
    "MOVES",
    "SERVICE_QUALIFIED",
    "WATERFALL",
    "LifecycleStage",
    "StageChange",
    "advance",
    "service_qualify",
]


class LifecycleStage(StrEnum):
    """Where a lead stands in the lifecycle; forward only, back only through recycling.

    ``order`` is the position on the waterfall (0 for inquiry … 7 for evangelist), ``None``
    for ``disqualified`` and ``recycled``, which stand beside it.

    >>> LifecycleStage.mql.order < LifecycleStage.sql.order
    True
    >>> LifecycleStage.recycled.order is None
    True
    """

    inquiry = "inquiry"
    lead = "lead"
    mql = "mql"
    sal = "sal"
    sql = "sql"
    opportunity = "opportunity"
    customer = "customer"
    evangelist = "evangelist"
    disqualified = "disqualified"
    recycled = "recycled"

    @property
    def order(self) -> int | None:
        """The position on the waterfall, or ``None`` off it (disqualified, recycled)."""
        return _ORDER.get(self)


_S = LifecycleStage
WATERFALL: tuple[LifecycleStage, ...] = (
    _S.inquiry, _S.lead, _S.mql, _S.sal, _S.sql, _S.opportunity, _S.customer, _S.evangelist,
)  # fmt: skip
"""The stages in funnel order (``disqualified`` and ``recycled`` stand beside it)."""
_ORDER = {stage: i for i, stage in enumerate(WATERFALL)}
_CUSTOMERS = frozenset({_S.customer, _S.evangelist})
_BEFORE_CUSTOMER = WATERFALL[: WATERFALL.index(_S.customer)]


def _moves() -> dict[LifecycleStage, frozenset[LifecycleStage]]:
    moves = {
        stage: frozenset(WATERFALL[i + 1 :]) | {_S.disqualified, _S.recycled}
        for i, stage in enumerate(_BEFORE_CUSTOMER)
    }
    moves[_S.customer] = frozenset({_S.evangelist})
    moves[_S.evangelist] = frozenset()
    moves[_S.disqualified] = frozenset({_S.recycled})
    # back from recycling: anywhere from "lead" on (it is a known person), or out again
    moves[_S.recycled] = frozenset(WATERFALL[1:]) | {_S.disqualified, _S.recycled}
    return moves


MOVES: Mapping[LifecycleStage, frozenset[LifecycleStage]] = MappingProxyType(_moves())
"""The moves a :class:`StageChange` may record, by the stage it leaves.

Forward along the waterfall (skipping stages is allowed, as in HubSpot: a qualified
assessment takes a lead straight to SQL); to ``disqualified`` or ``recycled`` from any stage
before ``customer``; from ``disqualified`` only to ``recycled``; from ``recycled`` to any
stage from ``lead`` on. ``recycled`` is entered only through :func:`~leadmodel.recycle`.
"""

SERVICE_QUALIFIED = "service qualified lead"
"""The ``reason`` :func:`service_qualify` records on a customer's repeat lead."""


def _refusal(current: LifecycleStage, target: LifecycleStage) -> tuple[str, str] | None:
    """``(why, message)`` when the lifecycle may not move from ``current`` to ``target``."""
    if target in MOVES[current]:
        return None
    if current is _S.disqualified:
        return "recycle_first", "a disqualified lead moves on only after recycle(lead, at=...)"
    if current in _CUSTOMERS and target in (_S.disqualified, _S.recycled):
        return "customer", (
            "a customer is never disqualified or recycled; "
            "a customer's new interest is a repeat lead (repeat_lead)"
        )
    return "backward", (
        "the lifecycle moves forward only; recycle(lead, at=...) is the only way back"
    )


@attrs.frozen(kw_only=True)
class StageChange:
    """One lifecycle move: from, to, when, who, and why.

    Only moves in :data:`MOVES` can be recorded: a backward move is not a valid change.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> StageChange(from_stage=LifecycleStage.sql, to_stage=LifecycleStage.mql, at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: StageChange.to_stage: not a move from sql: the lifecycle
    moves forward only; recycle(lead, at=...) is the only way back; got <LifecycleStage.mql: 'mql'>
    """

    from_stage: LifecycleStage
    to_stage: LifecycleStage
    at: datetime
    by: str | None = None
    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "from_stage", self.from_stage, LifecycleStage)
        c.member(p, "to_stage", self.to_stage, LifecycleStage)
        check_move(p, self.at, self.by, self.reason, None)
        if not p and (refusal := _refusal(self.from_stage, self.to_stage)):
            msg = f"not a move from {self.from_stage}: {refusal[1]}"
            p.append(Problem("to_stage", msg, self.to_stage))
        if p:
            c.fail("StageChange", p)


def check_stages(p: c.Problems, stages: object, lifecycle: object) -> None:
    """The checks ``Lead`` makes of its ``stages``: StageChanges in time order, each starting
    where the one before ended, the last ending at ``lifecycle`` (an empty tuple is fine)."""
    if stages == ():
        return
    found: c.Problems = []
    c.tuple_of(found, "stages", stages, StageChange)
    if found:
        p.extend(found)
        return
    changes: tuple[StageChange, ...] = stages  # type: ignore[assignment] # checked just above
    before = changes[0]
    for i in range(1, len(changes)):
        change = changes[i]
        if change.at < before.at:
            p.append(Problem(f"stages[{i}].at", "stages must be in time order", change.at))
        if change.from_stage is not before.to_stage:
            msg = f"a change starts where the one before ended ({before.to_stage})"
            p.append(Problem(f"stages[{i}].from_stage", msg, change.from_stage))
        before = change
    if isinstance(lifecycle, LifecycleStage) and lifecycle is not before.to_stage:
        msg = f"the lifecycle must be where the stages end ({before.to_stage})"
        p.append(Problem("lifecycle", msg, lifecycle))


def _stage(value: object, path: str) -> LifecycleStage:
    """A stage, or its value (``"mql"``); anything else is a ValidationError."""
    if isinstance(value, LifecycleStage):
        return value
    if type(value) is str and value in LifecycleStage._value2member_map_:
        return LifecycleStage(value)
    p: c.Problems = []
    c.member(p, path, value, LifecycleStage)
    raise ValidationError(p, model="advance")


def stage_change(
    lead: Lead,
    to: LifecycleStage,
    *,
    at: datetime,
    by: str | None = None,
    reason: str | None = None,
) -> StageChange:
    """The :class:`StageChange` that moves ``lead`` to ``to``, once the move is checked.

    For the operations that move the lifecycle (:func:`advance`, ``recycle``, ``convert``,
    ``assess``). Raises :class:`ValidationError` for a naive ``at`` or a blank ``by`` or
    ``reason``, and :class:`~leadmodel.errors.LifecycleError` for a move :data:`MOVES` lacks
    or one dated before the lead's last lifecycle move.
    """
    current = lead.lifecycle
    p: c.Problems = []
    check_move(p, at, by, reason, None)
    if p:
        raise ValidationError(p, model="StageChange")
    refusal = _refusal(current, to)
    if refusal is not None:
        why, fix = refusal
        where = "back to" if why == "backward" else "to"
        raise LifecycleError(
            f"lead {lead.id} cannot move from {current} {where} {to}: {fix}",
            from_stage=current,
            to_stage=to,
            why=why,
        )
    if lead.stages and at < lead.stages[-1].at:
        last = lead.stages[-1].at.isoformat()
        raise LifecycleError(
            f"lead {lead.id}: a move to {to} dated {at.isoformat()} comes before its last "
            f"lifecycle move ({last}); date it at or after that",
            from_stage=current,
            to_stage=to,
            why="time_backwards",
        )
    return StageChange(from_stage=current, to_stage=to, at=at, by=by, reason=reason)


def advance(
    lead: Lead,
    stage: LifecycleStage | str,
    *,
    at: datetime,
    by: str | None = None,
    reason: str | None = None,
) -> Lead:
    """Move ``lead`` forward to ``stage`` and record the move in ``lead.stages``.

    ``stage`` is a :class:`LifecycleStage` or its value (``"mql"``). Stages may be skipped
    (lead → SQL); any stage before ``customer`` may go to ``disqualified``. Advancing to the
    stage the lead is at returns the same lead unchanged (retries are harmless).

    Raises :class:`~leadmodel.errors.LifecycleError` with ``why``: ``backward`` for a move
    back (use ``recycle``), ``use_recycle`` for ``recycled``, ``recycle_first`` from
    ``disqualified``, ``customer`` for disqualifying a customer, ``use_convert`` for
    ``customer`` or ``evangelist`` before the lead was converted, ``time_backwards`` for an
    ``at`` before the last move; :class:`ValidationError` for an unknown stage, a naive
    ``at`` or a blank ``by``/``reason``.
    """
    target = _stage(stage, "stage")
    current = lead.lifecycle
    if target is current:
        return lead
    if target is _S.recycled:
        raise LifecycleError(
            f"lead {lead.id}: only recycle(lead, at=...) moves a lead to recycled; "
            "it keeps the history and checks the lead is lost or disqualified",
            from_stage=current,
            to_stage=target,
            why="use_recycle",
        )
    change = stage_change(lead, target, at=at, by=by, reason=reason)
    if target in _CUSTOMERS and lead.converted is None:
        raise LifecycleError(
            f"lead {lead.id} is not converted: convert(lead, at=...) makes a customer "
            "and records what the deal produced",
            from_stage=current,
            to_stage=target,
            why="use_convert",
        )
    return attrs.evolve(lead, lifecycle=target, stages=(*lead.stages, change))


def service_qualify(lead: Lead, *, at: datetime, by: str | None = None) -> Lead:
    """A known customer's repeat lead goes straight to SQL: the "service qualified lead".

    Records the move with the reason :data:`SERVICE_QUALIFIED`. A lead already at ``sql``
    is returned unchanged. Raises :class:`~leadmodel.errors.LifecycleError`
    (``why="not_a_customer"``) for a lead without ``customer_id`` (make repeat leads with
    ``repeat_lead``), and as :func:`advance` does for a lead past SQL or disqualified.
    """
    if lead.customer_id is None:
        raise LifecycleError(
            f"lead {lead.id} has no customer_id: only an existing customer's repeat lead "
            "(repeat_lead) is service qualified; qualify other leads with assess or advance",
            from_stage=lead.lifecycle,
            to_stage=_S.sql,
            why="not_a_customer",
        )
    return advance(lead, _S.sql, at=at, by=by, reason=SERVICE_QUALIFIED)
