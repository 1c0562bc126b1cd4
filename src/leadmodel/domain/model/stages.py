"""Lifecycle stages of the Demand Waterfall as values: inquiry → lead → MQL → SAL → SQL →
opportunity → customer → evangelist, plus disqualified and recycled (DOMAIN §4).

The vocabulary only: :class:`LifecycleStage`, the moves it allows (:data:`MOVES`) and the record
of one move (:class:`StageChange`). The engine that moves a lead is
:mod:`leadmodel.domain.ladder.lifecycle` (``advance``, ``service_qualify``).

>>> LifecycleStage.mql in MOVES[LifecycleStage.lead]
True
>>> LifecycleStage.lead in MOVES[LifecycleStage.mql]
False
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.records import check_move
from leadmodel.errors import Problem

__all__ = [
    "MOVES",
    "SERVICE_QUALIFIED",
    "WATERFALL",
    "LifecycleStage",
    "StageChange",
    "check_stages",
    "refusal",
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
CUSTOMER_STAGES = frozenset({_S.customer, _S.evangelist})
"""The stages a customer stands at; a customer is never disqualified or recycled."""
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


def refusal(current: LifecycleStage, target: LifecycleStage) -> tuple[str, str] | None:
    """``(why, message)`` when the lifecycle may not move from ``current`` to ``target``."""
    if target in MOVES[current]:
        return None
    if current is _S.disqualified:
        return "recycle_first", "a disqualified lead moves on only after recycle(lead, at=...)"
    if current in CUSTOMER_STAGES and target in (_S.disqualified, _S.recycled):
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
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "from_stage", self.from_stage, LifecycleStage)
        c.member(p, "to_stage", self.to_stage, LifecycleStage)
        check_move(p, self.at, self.by, self.reason, None)
        if not p and (refused := refusal(self.from_stage, self.to_stage)):
            msg = f"not a move from {self.from_stage}: {refused[1]}"
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
