"""A lead's progress: move it through a pipeline, assess it against a framework."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from leadmodel.domain.events import LeadQualified, StatusChanged
from leadmodel.domain.model import Answer, Lead
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.qualification import Framework
from leadmodel.domain.qualification import assess as _assess
from leadmodel.domain.registry import Registry
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._resolve import framework_of, lead_pipeline
from leadmodel.services._versions import load_expected
from leadmodel.storage.protocols import UnitOfWork


def move(
    uow: UnitOfWork,
    lead_id: str,
    pipeline: Pipeline | str | None,
    to_status: str,
    *,
    registry: Registry | None = None,
    by: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> Lead:
    """Move a stored lead to ``to_status`` (:meth:`Pipeline.move <leadmodel.Pipeline.move>`).

    ``pipeline`` is the lead's pipeline, or its key in ``registry`` (default: the presets'),
    or ``None`` for the lead's own pipeline from the registry. ``reason`` is the loss reason a
    lost status requires; ``note`` is kept in the history,
    not in the event. Emits ``StatusChanged`` with the actions the move triggers (without
    those that reach out to a do-not-contact person). Returns the stored lead. Raises
    :class:`~leadmodel.errors.TransitionError` for a move the pipeline refuses, and
    :class:`~leadmodel.errors.ConcurrencyError` when ``expected_version`` (the lead's version
    as the caller read it) is not the stored one.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], clock=clock, ids=ids)
    >>> simple = lm.pipelines.SIMPLE
    >>> lead = lm.services.promote(uow, dm.id, pipeline=simple, clock=clock, ids=ids)
    >>> lm.services.move(uow, lead.id, simple, "lost", by="anna", clock=clock)
    Traceback (most recent call last):
    ...
    leadmodel.errors.TransitionError: pipeline 'simple': cannot move from 'new' to 'lost' ...
    >>> lead = lm.services.move(uow, lead.id, simple, "lost", reason="no_answer", clock=clock)
    >>> lead.status, lead.lost.reason, [(c.from_status, c.to_status) for c in lead.history]
    ('lost', 'no_answer', [(None, 'new'), ('new', 'lost')])
    """
    at = now(clock, at)
    with uow:
        current = load_expected(uow.leads, lead_id, expected_version)
        pipeline = lead_pipeline(current, pipeline, registry)
        moved = pipeline.move(current, to_status, at=at, by=by, reason=reason, note=note)
        lead = uow.leads.save(moved)
        uow.emit(StatusChanged.of(pipeline, lead, lead.history[-1]))
        uow.commit()
    return lead


def assess(
    uow: UnitOfWork,
    lead_id: str,
    framework: Framework | str,
    answers: Iterable[Answer],
    *,
    registry: Registry | None = None,
    by: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> Lead:
    """Record a qualification assessment on a stored lead (:func:`leadmodel.assess`).

    ``framework`` is a :class:`~leadmodel.Framework` or its key in ``registry`` (default: the
    presets: ``"BANT"``, ``"MEDDIC"``...). Emits ``LeadQualified`` with the verdict (qualified,
    score, missing criteria). Returns the stored lead. Raises
    :class:`~leadmodel.errors.ConcurrencyError` when ``expected_version`` (the lead's version as
    the caller read it) is not the stored one.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], clock=clock, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, clock=clock, ids=ids)
    >>> answers = [lm.Answer(criterion="budget", met=True), lm.Answer(criterion="need", met=True)]
    >>> lead = lm.services.assess(uow, lead.id, lm.BANT, answers, by="anna", clock=clock)
    >>> verdict = lead.assessments[-1]
    >>> verdict.qualified, verdict.score, verdict.missing
    (False, 50.0, ('authority', 'timeline'))
    >>> lm.services.assess(uow, lead.id, lm.BANT, [lm.Answer(criterion="color", met=True)])
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: answers[0].criterion: BANT has no criterion like this ...
    """
    at = now(clock, at)
    with uow:
        current = load_expected(uow.leads, lead_id, expected_version)
        framework = framework_of(framework, registry)
        lead = uow.leads.save(_assess(current, framework, answers, at=at, by=by))
        uow.emit(LeadQualified.of(lead, lead.assessments[-1]))
        uow.commit()
    return lead
