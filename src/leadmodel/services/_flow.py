"""The ladder and the funnel: capture an interest, promote it, move and assess the lead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from leadmodel.domain.events import InterestCaptured, LeadCreated, LeadQualified
from leadmodel.domain.ladder.promotion import attach_interest
from leadmodel.domain.ladder.promotion import promote as _promote
from leadmodel.domain.model.entities import Interest, Lead
from leadmodel.domain.model.records import Answer
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.qualification.framework import Framework
from leadmodel.domain.qualification.framework import assess as _assess
from leadmodel.domain.values.contact import ContactPoint
from leadmodel.domain.values.custom_json import EMPTY, JSON
from leadmodel.domain.values.ids import IdFactory, InterestId, uuid7
from leadmodel.domain.values.source import Source
from leadmodel.services._common import Clock, now, status_changed, utc_now
from leadmodel.storage.protocols import UnitOfWork


def capture_interest(
    uow: UnitOfWork,
    *,
    source: Source,
    topic: str | None = None,
    message: str | None = None,
    person_name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    company_name: str | None = None,
    owner: str | None = None,
    custom: Mapping[str, JSON] = EMPTY,
    occurred_at: datetime | None = None,
    by: str | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> Interest:
    """Store a new interest (a call, a form, a message, a like) and emit ``InterestCaptured``.

    ``occurred_at`` is when the person showed interest (default: now, from ``clock``); the
    event carries that time. Returns the stored interest. Raises
    :class:`~leadmodel.errors.ValidationError` for an interest that cannot exist (no topic
    and no message, a naive time...).
    """
    at = occurred_at if occurred_at is not None else now(clock)
    interest = Interest(
        id=InterestId(ids()),
        occurred_at=at,
        source=source,
        topic=topic,
        message=message,
        person_name=person_name,
        contact_points=tuple(contact_points),
        company_name=company_name,
        owner=owner,
        custom=custom,
    )
    with uow:
        stored = uow.interests.add(interest)
        uow.emit(InterestCaptured(interest_id=stored.id, channel=str(source.channel), at=at, by=by))
        uow.commit()
    return stored


def promote(
    uow: UnitOfWork,
    interest_id: str,
    *,
    person_name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    topic: str | None = None,
    company_name: str | None = None,
    owner: str | None = None,
    pipeline: Pipeline | None = None,
    by: str | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> Lead:
    """Make a lead of a stored interest (:func:`leadmodel.promote`) and link the two.

    Values given complete what the interest carries. With ``pipeline`` the lead enters its
    first status. Stores the lead and the interest (now with ``lead_id``); emits
    ``LeadCreated`` and, with a pipeline, ``StatusChanged`` with the ``on_enter`` actions the
    host should perform (none that reach out to a do-not-contact person). Raises
    :class:`~leadmodel.errors.NotALeadError` naming what is missing, and
    :class:`~leadmodel.errors.RuleViolation` for an interest promoted before.
    """
    at = now(clock)
    with uow:
        interest = uow.interests.get(interest_id)
        made = _promote(
            interest,
            at=at,
            person_name=person_name,
            contact_points=contact_points,
            topic=topic,
            company_name=company_name,
            owner=owner,
            by=by,
            ids=ids,
        )
        lead, interest = attach_interest(made, interest)
        if pipeline is not None:
            lead = pipeline.enter(lead, at=at, by=by)
        lead = uow.leads.add(lead)
        uow.interests.save(interest)
        uow.emit(LeadCreated(lead_id=lead.id, interest_ids=lead.interest_ids, at=at, by=by))
        if pipeline is not None:
            uow.emit(status_changed(pipeline, lead, lead.history[-1]))
        uow.commit()
    return lead


def move(
    uow: UnitOfWork,
    lead_id: str,
    pipeline: Pipeline,
    to_status: str,
    *,
    by: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    clock: Clock = utc_now,
) -> Lead:
    """Move a stored lead to ``to_status`` (:meth:`Pipeline.move <leadmodel.Pipeline.move>`).

    ``reason`` is the loss reason a lost status requires; ``note`` is kept in the history,
    not in the event. Emits ``StatusChanged`` with the actions the move triggers (without
    those that reach out to a do-not-contact person). Returns the stored lead. Raises
    :class:`~leadmodel.errors.TransitionError` for a move the pipeline refuses.
    """
    at = now(clock)
    with uow:
        moved = pipeline.move(
            uow.leads.get(lead_id), to_status, at=at, by=by, reason=reason, note=note
        )
        lead = uow.leads.save(moved)
        uow.emit(status_changed(pipeline, lead, lead.history[-1]))
        uow.commit()
    return lead


def assess(
    uow: UnitOfWork,
    lead_id: str,
    framework: Framework,
    answers: Iterable[Answer],
    *,
    by: str | None = None,
    clock: Clock = utc_now,
) -> Lead:
    """Record a qualification assessment on a stored lead (:func:`leadmodel.assess`).

    Emits ``LeadQualified`` with the verdict (qualified, score, missing criteria). Returns the
    stored lead.
    """
    at = now(clock)
    with uow:
        lead = uow.leads.save(_assess(uow.leads.get(lead_id), framework, answers, at=at, by=by))
        done = lead.assessments[-1]
        uow.emit(
            LeadQualified(
                lead_id=lead.id,
                framework=done.framework,
                qualified=done.qualified,
                score=done.score,
                at=at,
                by=by,
                missing=done.missing,
            )
        )
        uow.commit()
    return lead
