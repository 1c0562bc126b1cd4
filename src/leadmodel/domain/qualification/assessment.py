"""Assessing a lead against a framework: the verdict recorded, and SQL when it qualifies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from leadmodel.domain.ladder.lifecycle import stage_change
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import Answer, Assessment
from leadmodel.domain.model.stages import WATERFALL, LifecycleStage
from leadmodel.domain.qualification.framework import Framework

__all__ = ["assess"]


_SQL_ORDER = WATERFALL.index(LifecycleStage.sql)


def _reaches_sql(stage: LifecycleStage) -> bool:
    """A qualified assessment moves a lead at ``stage`` to SQL: before it, or recycled."""
    order = stage.order
    sql = LifecycleStage.sql.order
    return stage is LifecycleStage.recycled or (
        order is not None and sql is not None and order < sql
    )


def assess(
    lead: Lead,
    framework: Framework,
    answers: Iterable[Answer],
    *,
    at: datetime,
    by: str | None = None,
) -> Lead:
    """Evaluate ``answers`` and record the :class:`~leadmodel.Assessment` on the lead.

    Earlier assessments are kept (re-qualification does not erase them); the pipeline's
    framework requirement reads the latest one. A qualified verdict makes the lead an SQL
    ("an accepted assessment makes SQL"): a lead before ``sql`` on the lifecycle, or
    ``recycled``, advances to ``sql`` with the reason ``"qualified: <framework key>"``. A
    lead at or past SQL stays where it is, and so does a disqualified one (recycle it first).

    Raises :class:`ValidationError` for answers :meth:`Framework.evaluate` refuses, and
    :class:`~leadmodel.errors.LifecycleError` when the move to SQL would be dated before the
    lead's last lifecycle move.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
    ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> answers = [lm.Answer(criterion=criterion.key, met=True) for criterion in lm.BANT.criteria]
    >>> lead = lm.assess(lead, lm.BANT, answers, at=at, by="anna")
    >>> lead.assessments[-1].qualified, lead.lifecycle.value, lead.stages[-1].reason
    (True, 'sql', 'qualified: BANT')
    >>> lm.assess(lead, lm.BANT, [lm.Answer(criterion="price", met=True)], at=at, by="anna")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: answers[0].criterion: BANT has no criterion like this
    (it has budget, authority, need, timeline); got 'price'
    """
    given = tuple(answers)
    verdict = framework.evaluate(given)
    assessment = Assessment(
        framework=framework.key,
        answers=given,
        qualified=verdict.qualified,
        score=verdict.score,
        at=at,
        by=by,
        missing=verdict.missing,
        failed=verdict.failed,
    )
    lifecycle, stages = lead.lifecycle, lead.stages
    if verdict.qualified and _reaches_sql(lifecycle):
        reason = f"qualified: {framework.key}"
        stages = (*stages, stage_change(lead, LifecycleStage.sql, at=at, by=by, reason=reason))
        lifecycle = LifecycleStage.sql
    return attrs.evolve(
        lead, assessments=(*lead.assessments, assessment), lifecycle=lifecycle, stages=stages
    )
