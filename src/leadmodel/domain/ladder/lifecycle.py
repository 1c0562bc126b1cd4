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

from datetime import datetime

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import check_move
from leadmodel.domain.model.stages import (
    CUSTOMER_STAGES,
    SERVICE_QUALIFIED,
    LifecycleStage,
    StageChange,
    refusal,
)
from leadmodel.errors import LifecycleError, ValidationError

__all__ = ["advance", "service_qualify", "stage_change"]


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
    refused = refusal(current, to)
    if refused is not None:
        why, fix = refused
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

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> sql = lm.advance(lead, "sql", at=at, by="Андрій")
    >>> sql.lifecycle.value, [(s.from_stage.value, s.to_stage.value, s.by) for s in sql.stages]
    ('sql', [('lead', 'sql', 'Андрій')])
    >>> lm.advance(sql, "customer", at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.LifecycleError: lead lead-1 is not converted: convert(lead, at=...) makes
    a customer and records what the deal produced
    """
    target = _stage(stage, "stage")
    current = lead.lifecycle
    if target is current:
        return lead
    if target is LifecycleStage.recycled:
        raise LifecycleError(
            f"lead {lead.id}: only recycle(lead, at=...) moves a lead to recycled; "
            "it keeps the history and checks the lead is lost or disqualified",
            from_stage=current,
            to_stage=target,
            why="use_recycle",
        )
    change = stage_change(lead, target, at=at, by=by, reason=reason)
    if target in CUSTOMER_STAGES and lead.converted is None:
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

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> repeat = lm.Lead(id=lm.LeadId("lead-2"), person_name="Олена Коваль",
    ...     topic="Стелажі для складу", contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.phone_call), created_at=at,
    ...     customer_id=lm.CustomerId("customer-1"))
    >>> sql = lm.service_qualify(repeat, at=at, by="Андрій")
    >>> sql.lifecycle.value, sql.stages[-1].reason
    ('sql', 'service qualified lead')
    """
    if lead.customer_id is None:
        raise LifecycleError(
            f"lead {lead.id} has no customer_id: only an existing customer's repeat lead "
            "(repeat_lead) is service qualified; qualify other leads with assess or advance",
            from_stage=lead.lifecycle,
            to_stage=LifecycleStage.sql,
            why="not_a_customer",
        )
    return advance(lead, LifecycleStage.sql, at=at, by=by, reason=SERVICE_QUALIFIED)
