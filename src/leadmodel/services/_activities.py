"""A lead's timeline as services: log a contact, or a response, on a stored lead."""

from __future__ import annotations

from datetime import datetime

from leadmodel.domain.events import ActivityLogged
from leadmodel.domain.ladder import log_activity as _log_activity
from leadmodel.domain.ladder import respond as _respond
from leadmodel.domain.model import Activity, ActivityKind, Direction, Lead
from leadmodel.domain.values import Channel
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._versions import load_expected
from leadmodel.storage.protocols import UnitOfWork


def _store(uow: UnitOfWork, current: Lead, logged: Lead) -> Lead:
    """Save ``logged`` and announce its new activity; nothing when nothing was new."""
    if logged is current:  # an activity id the lead already holds: logged once
        return current
    held = current.activities  # one activity was inserted: the first that is not the same
    new = next(
        (a for a, b in zip(logged.activities, held, strict=False) if a is not b),
        logged.activities[-1],
    )
    lead = uow.leads.save(logged)
    uow.emit(ActivityLogged.of(lead, new))
    return lead


def log_activity(
    uow: UnitOfWork,
    lead_id: str,
    *,
    kind: ActivityKind,
    direction: Direction,
    at: datetime | None = None,
    clock: Clock = utc_now,
    by: str | None = None,
    channel: Channel | None = None,
    note: str | None = None,
    activity_id: str | None = None,
    expected_version: int | None = None,
) -> Lead:
    """Log a contact (or a note) on a stored lead's timeline (:func:`leadmodel.log_activity`).

    ``at`` is when it happened (default: now, from ``clock``); ``by`` who on our side made,
    took or wrote it; ``activity_id`` the host's handle for it: logging an id the lead already
    holds, with the same values, stores nothing and emits nothing (a retried webhook). Emits
    ``ActivityLogged`` (without the note). Returns the stored lead. Raises
    :class:`~leadmodel.errors.ValidationError` for bad values (a note that is not internal...),
    :class:`~leadmodel.errors.TimeOrderError` for a time before the lead was created,
    :class:`~leadmodel.errors.RuleViolation` on an erased lead or for an id held by another
    activity, :class:`~leadmodel.errors.NotFoundError` for an unknown id (404) and
    :class:`~leadmodel.errors.ConcurrencyError` when ``expected_version`` is not the stored
    version (409).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], at=at, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, at=at, ids=ids)
    >>> lead = lm.services.log_activity(uow, lead.id, kind=lm.ActivityKind.call,
    ...     direction=lm.Direction.inbound, channel=lm.Channel.phone_call, by="anna",
    ...     at=at + timedelta(minutes=20), activity_id="pbx-77", expected_version=0)
    >>> lead.activities[-1].kind.value, lead.version
    ('call', 1)
    >>> with uow:
    ...     event = uow.outbox.pending()[-1].event
    >>> event.type, event.direction.value, event.activity_id
    ('ActivityLogged', 'inbound', 'pbx-77')
    """
    when = now(clock, at)
    activity = Activity(
        at=when,
        kind=kind,
        direction=direction,
        by=by,
        channel=channel,
        note=note,
        id=activity_id,
    )
    with uow:
        current = load_expected(uow.leads, lead_id, expected_version)
        lead = _store(uow, current, _log_activity(current, activity))
        uow.commit()
    return lead


def respond(
    uow: UnitOfWork,
    lead_id: str,
    *,
    by: str | None = None,
    kind: ActivityKind = ActivityKind.message,
    channel: Channel | None = None,
    note: str | None = None,
    activity_id: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    expected_version: int | None = None,
) -> Lead:
    """Log a response on a stored lead: an outbound contact ``by`` someone on our side
    (:func:`leadmodel.respond`), as :func:`log_activity` logs any contact.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], at=at, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, at=at, ids=ids)
    >>> lead = lm.services.respond(uow, lead.id, by="anna", kind=lm.ActivityKind.email,
    ...     at=at + timedelta(minutes=7))
    >>> lm.first_response(lead).at - lead.created_at
    datetime.timedelta(seconds=420)
    >>> lm.services.respond(uow, "id-9", by="anna")
    Traceback (most recent call last):
    ...
    leadmodel.errors.NotFoundError: ...
    """
    when = now(clock, at)
    with uow:
        current = load_expected(uow.leads, lead_id, expected_version)
        responded = _respond(
            current,
            at=when,
            by=by,
            kind=kind,
            channel=channel,
            note=note,
            activity_id=activity_id,
        )
        lead = _store(uow, current, responded)
        uow.commit()
    return lead
