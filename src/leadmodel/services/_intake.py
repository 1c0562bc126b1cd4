"""Intake: store an interest as it arrives, and promote it to a lead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from leadmodel.domain.capture import Consent, SpamVerdict, Touch
from leadmodel.domain.events import LeadCreated, StatusChanged
from leadmodel.domain.intake import CapturePolicy
from leadmodel.domain.ladder import attach_interest
from leadmodel.domain.ladder import promote as _promote
from leadmodel.domain.model import Interest, Lead, edit
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.registry import Registry
from leadmodel.domain.values import ContactPoint, IdFactory, Money, Source, uuid7
from leadmodel.domain.values.custom_json import EMPTY, JSON
from leadmodel.errors import RuleViolation
from leadmodel.services._capture import capture
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._resolve import pipeline_of
from leadmodel.services._versions import load_expected
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
    touch: Touch | None = None,
    consents: Iterable[Consent] = (),
    spam: SpamVerdict | None = None,
    idempotency_key: str | None = None,
    policy: CapturePolicy | None = None,
    occurred_at: datetime | None = None,
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> Interest:
    """Store a new interest (a call, a form, a message, a like) and emit ``InterestCaptured``:
    :func:`capture` without the known-person check, returning the interest.

    ``occurred_at`` is when the person showed interest (default: ``at``, else now from
    ``clock``); the event carries that time. The same submission again (the same
    ``idempotency_key``, or without one the same payload) within ``policy.window`` returns
    the first interest and emits nothing. Returns the stored interest (quarantined when the
    ``spam`` verdict says so). Raises :class:`~leadmodel.errors.ValidationError` for an
    interest that cannot exist (no topic and no message, a naive time...) and
    :class:`~leadmodel.errors.RuleViolation` for a submission the spam policy refuses.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.telegram),
    ...     message="Do you make office chairs?", person_name="Olena Koval",
    ...     clock=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc),
    ...     ids=lm.sequential_ids("int"))
    >>> dm.id, dm.lead_id
    ('int-1', None)
    >>> with uow:
    ...     [stored.event.type for stored in uow.outbox.pending()]
    ['InterestCaptured']
    >>> lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Interest.topic: say what the interest was about: ...
    """
    result = capture(
        uow,
        source=source,
        topic=topic,
        message=message,
        person_name=person_name,
        contact_points=contact_points,
        company_name=company_name,
        owner=owner,
        custom=custom,
        touch=touch,
        consents=consents,
        spam=spam,
        idempotency_key=idempotency_key,
        policy=policy,
        occurred_at=occurred_at,
        by=by,
        at=at,
        clock=clock,
        ids=ids,
    )
    if result.interest is None:
        raise RuleViolation(f"capture_interest: {result.reason}; nothing was stored")
    return result.interest


def promote(
    uow: UnitOfWork,
    interest_id: str,
    *,
    person_name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    topic: str | None = None,
    company_name: str | None = None,
    owner: str | None = None,
    expected_value: Money | None = None,
    time_zone: str | None = None,
    tags: Iterable[str] = (),
    custom: Mapping[str, JSON] | None = None,
    pipeline: Pipeline | str | None = None,
    registry: Registry | None = None,
    by: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> Lead:
    """Make a lead of a stored interest (:func:`leadmodel.promote`) and link the two.

    Values given complete what the interest carries (``custom`` keys are added to the interest's;
    ``tags`` join them), so a pipeline whose first status requires an owner or an expected value
    is satisfied in one call. With ``pipeline`` (a :class:`~leadmodel.Pipeline` or its key in
    ``registry``, default: the presets') the lead enters its first status. Stores the lead and
    the interest (now with ``lead_id``); emits ``LeadCreated`` and, with a pipeline,
    ``StatusChanged`` with the ``on_enter`` actions the host should perform (none that reach out
    to a do-not-contact person). Raises :class:`~leadmodel.errors.NotALeadError` naming what is
    missing, and :class:`~leadmodel.errors.RuleViolation` for an interest promoted before, and
    :class:`~leadmodel.errors.ConcurrencyError` when ``expected_version`` (the interest's
    version as the caller read it) is not the stored one.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], clock=clock, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, pipeline=lm.pipelines.SIMPLE, by="anna",
    ...     clock=clock, ids=ids)
    >>> lead.id, lead.status, lead.interest_ids
    ('id-2', 'new', ('id-1',))
    >>> lm.services.promote(uow, dm.id, clock=clock, ids=ids)
    Traceback (most recent call last):
    ...
    leadmodel.errors.RuleViolation: interest id-1 was already promoted to lead id-2; ...
    """
    at = now(clock, at)
    with uow:
        interest = load_expected(uow.interests, interest_id, expected_version)
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
        extra: dict[str, object] = {}
        if expected_value is not None:
            extra["expected_value"] = expected_value
        if time_zone is not None:
            extra["time_zone"] = time_zone
        if tags:
            extra["tags"] = made.tags | frozenset(tags)
        if custom:
            extra["custom"] = {**made.custom, **custom}
        if extra:
            made = edit(made, **extra)
        lead, interest = attach_interest(made, interest)
        if pipeline is not None:
            pipeline = pipeline_of(pipeline, registry)
            lead = pipeline.enter(lead, at=at, by=by)
        lead = uow.leads.add(lead)
        uow.interests.save(interest)
        uow.emit(LeadCreated.of(lead, by=by))
        if pipeline is not None:
            uow.emit(StatusChanged.of(pipeline, lead, lead.history[-1]))
        uow.commit()
    return lead
