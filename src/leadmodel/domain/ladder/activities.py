"""A lead's timeline: log its contacts, and read the facts of speed and replies from them.

:func:`log_activity` adds an :class:`~leadmodel.Activity` to a lead in time order (a contact
logged late goes where it happened, after those of the same instant); :func:`respond` logs an
outbound contact. The facts are read from the timeline alone, never guessed from status moves:

* :func:`first_response` — the lead's first outbound contact. A lead is born of the person's
  interest, so its creation is the first thing owed a reply, and every activity is dated at or
  after it: the first response is the first outbound contact on the timeline, whether or not
  the person wrote again before it (speed to lead is ``first_response(lead).at -
  lead.created_at``).
* :func:`last_inbound`, :func:`last_outbound` — the latest contact each way.
* :func:`awaiting_reply` — when the earliest inbound contact not yet answered by an outbound
  one happened: what a rolling-response clock counts from. The lead's creation is not an
  inbound contact here; until the first response, that is :func:`first_response`'s clock.
* :func:`reply_owed_since` — since when an open lead has been owed any reply: its creation
  until the first response, then :func:`awaiting_reply` (what storage indexes for the SLA sweep).

Notes (internal) answer nothing and owe nothing. Each fact is one pass over the timeline.

>>> from datetime import datetime, timedelta, timezone
>>> import leadmodel as lm
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
...     source=lm.Source(channel=lm.Channel.form), created_at=at)
>>> lead = respond(lead, at=at + timedelta(minutes=4), by="anna", kind=lm.ActivityKind.call)
>>> lead = log_activity(lead, lm.Activity(at=at + timedelta(hours=2),
...     kind=lm.ActivityKind.email, direction=lm.Direction.inbound))
>>> first_response(lead).at - lead.created_at, awaiting_reply(lead) == at + timedelta(hours=2)
(datetime.timedelta(seconds=240), True)
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from operator import attrgetter

import attrs

from leadmodel.domain.model.activities import Activity, ActivityKind, Direction
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.values.source import Channel
from leadmodel.errors import Problem, RuleViolation, TimeOrderError, ValidationError

__all__ = [
    "awaiting_reply",
    "first_response",
    "last_inbound",
    "last_outbound",
    "log_activity",
    "reply_owed_since",
    "respond",
]

_AT = attrgetter("at")


def _already_logged(lead: Lead, activity: Activity) -> bool:
    """Whether ``lead`` holds ``activity`` under its ``id``; RuleViolation for another one."""
    if activity.id is None:
        return False
    held = next((a for a in lead.activities if a.id == activity.id), None)
    if held is None:
        return False
    if held == activity:
        return True
    raise RuleViolation(
        f"lead {lead.id} already holds activity {activity.id!r}, with other values: an "
        "activity id names one contact; give this one another id, or none"
    )


def log_activity(lead: Lead, activity: Activity) -> Lead:
    """The lead with ``activity`` on its timeline, in time order (after any of the same time).

    An activity whose ``id`` the lead already holds with the same values is logged once: the
    lead comes back unchanged (the very object), so a retried webhook changes nothing.

    Raises :class:`~leadmodel.errors.ValidationError` for something that is not an
    :class:`~leadmodel.Activity`, and for a timeline past :data:`~leadmodel.MAX_ACTIVITIES`;
    :class:`~leadmodel.errors.TimeOrderError` for an activity dated before the lead was
    created; :class:`~leadmodel.errors.RuleViolation` on an erased lead (erasure is final)
    and for an ``id`` the lead holds for another activity.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> call = lm.Activity(at=at + timedelta(hours=1), kind=lm.ActivityKind.call,
    ...     direction=lm.Direction.inbound, channel=lm.Channel.phone_call, id="pbx-77")
    >>> lead = lm.log_activity(lead, call)
    >>> lm.log_activity(lead, call) is lead  # the same call again: logged once
    True
    >>> note = lm.Activity(at=at + timedelta(minutes=30), kind=lm.ActivityKind.note,
    ...     direction=lm.Direction.internal, by="anna", note="Wants 40 chairs")
    >>> [a.kind.value for a in lm.log_activity(lead, note).activities]  # in time order
    ['note', 'call']
    >>> lm.log_activity(lead, attrs.evolve(note, at=at - timedelta(days=1)))
    Traceback (most recent call last):
    ...
    leadmodel.errors.TimeOrderError: log_activity: lead L-1 is dated 2026-03-01T09:00:00+00:00,
    before its last entry created_at at 2026-03-02T09:00:00+00:00; date it at or after ...
    """
    if not isinstance(activity, Activity):
        problem = Problem("activity", "expected an Activity", activity)
        raise ValidationError([problem], model="log_activity")
    if lead.erased_at is not None:
        raise RuleViolation(
            f"lead {lead.id} belongs to an erased person; no activity can be logged on it"
        )
    if activity.at < lead.created_at:
        raise TimeOrderError(
            "log_activity",
            record=f"lead {lead.id}",
            entry="created_at",
            at=activity.at,
            last=lead.created_at,
        )
    if _already_logged(lead, activity):
        return lead
    held = lead.activities
    i = bisect_right(held, activity.at, key=_AT)
    return attrs.evolve(lead, activities=(*held[:i], activity, *held[i:]))


def respond(
    lead: Lead,
    *,
    at: datetime,
    by: str | None = None,
    kind: ActivityKind = ActivityKind.message,
    channel: Channel | None = None,
    note: str | None = None,
    activity_id: str | None = None,
) -> Lead:
    """The lead with an outbound contact ``by`` someone on our side logged ``at``: a response.

    ``kind`` is a call, an email, a message (the default) or a meeting; a note is not a
    response (it reaches nobody). ``activity_id`` is the host's handle (see
    :class:`~leadmodel.Activity`). Raises as :func:`log_activity` does, and
    :class:`~leadmodel.errors.ValidationError` for a note or bad values.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> lead = lm.respond(lead, at=at + timedelta(minutes=3), by="anna",
    ...     channel=lm.Channel.telegram, note="Привіт! Коли зручно поговорити?")
    >>> reply = lead.activities[-1]
    >>> reply.kind.value, reply.direction.value, reply.by
    ('message', 'outbound', 'anna')
    """
    if kind is ActivityKind.note:
        msg = "a note reaches nobody, so it is no response; log it with log_activity"
        raise ValidationError([Problem("kind", msg, kind)], model="respond")
    activity = Activity(
        at=at,
        kind=kind,
        direction=Direction.outbound,
        by=by,
        channel=channel,
        note=note,
        id=activity_id,
    )
    return log_activity(lead, activity)


def first_response(lead: Lead) -> Activity | None:
    """The lead's first outbound contact (call, email, message or meeting), or ``None``.

    The lead's creation is the first thing owed a reply (see the module docstring), so this is
    the first response whatever came in before it; ``first_response(lead).at -
    lead.created_at`` is the speed to lead.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> print(lm.first_response(lead))
    None
    >>> lead = lm.respond(lead, at=at + timedelta(minutes=12), by="anna")
    >>> lead = lm.respond(lead, at=at + timedelta(hours=5), by="bohdan")
    >>> lm.first_response(lead).by, lm.first_response(lead).at - lead.created_at
    ('anna', datetime.timedelta(seconds=720))
    """
    return next((a for a in lead.activities if a.direction is Direction.outbound), None)


def _last(lead: Lead, direction: Direction) -> Activity | None:
    return next((a for a in reversed(lead.activities) if a.direction is direction), None)


def last_inbound(lead: Lead) -> Activity | None:
    """The latest contact the person made (the last logged, among those of one instant).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> for minutes, kind in ((5, lm.ActivityKind.email), (50, lm.ActivityKind.call)):
    ...     lead = lm.log_activity(lead, lm.Activity(at=at + timedelta(minutes=minutes),
    ...         kind=kind, direction=lm.Direction.inbound))
    >>> lm.last_inbound(lead).kind.value
    'call'
    """
    return _last(lead, Direction.inbound)


def last_outbound(lead: Lead) -> Activity | None:
    """The latest contact we made (the last logged, among those of one instant).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> print(lm.last_outbound(lead))
    None
    >>> lead = lm.respond(lead, at=at + timedelta(minutes=5), by="anna")
    >>> lm.last_outbound(lead).by
    'anna'
    """
    return _last(lead, Direction.outbound)


def awaiting_reply(lead: Lead) -> datetime | None:
    """When the earliest inbound contact not yet answered happened, or ``None``.

    An inbound contact is answered by any outbound contact after it (on the timeline; of one
    instant, the one logged later). The time returned is what a rolling-response clock counts
    from; ``None`` when every inbound contact has an answer. A lead's creation is not counted:
    before the first response, the first-response clock runs (:func:`first_response`).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> def wrote(lead, minutes):
    ...     return lm.log_activity(lead, lm.Activity(at=at + timedelta(minutes=minutes),
    ...         kind=lm.ActivityKind.message, direction=lm.Direction.inbound))
    >>> lead = wrote(wrote(lead, 10), 20)  # two messages, no answer yet
    >>> lm.awaiting_reply(lead) - at
    datetime.timedelta(seconds=600)
    >>> lead = lm.respond(lead, at=at + timedelta(minutes=30), by="anna")
    >>> print(lm.awaiting_reply(lead))
    None
    """
    waiting: datetime | None = None
    for activity in reversed(lead.activities):  # back to the last answer
        if activity.direction is Direction.outbound:
            break
        if activity.direction is Direction.inbound:
            waiting = activity.at
    return waiting


def reply_owed_since(lead: Lead) -> datetime | None:
    """Since when ``lead`` has been owed a reply, by its whole timeline: its creation while we
    never contacted it, else :func:`awaiting_reply` (the earliest inbound contact after our last
    outbound one); ``None`` when nothing is owed, or the lead is closed (converted, lost or
    erased: it owes nothing).

    Every reply an SLA clock counts (:func:`~leadmodel.sla_clock`) starts at or after this
    instant, so the stores index it (``find(owed_to=...)``) and the SLA sweep reads only
    the leads owed a reply long enough to be late. An outbound contact logged ahead of time (a
    scheduled call) counts here as given.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> reply_owed_since(lead) == at  # a new lead is owed its first response
    True
    >>> lead = respond(lead, at=at + timedelta(minutes=5), by="anna")
    >>> print(reply_owed_since(lead))
    None
    >>> lead = log_activity(lead, lm.Activity(at=at + timedelta(hours=1),
    ...     kind=lm.ActivityKind.email, direction=lm.Direction.inbound))
    >>> reply_owed_since(lead) - at
    datetime.timedelta(seconds=3600)
    """
    if lead.converted is not None or lead.lost is not None or lead.erased_at is not None:
        return None
    if first_response(lead) is None:
        return lead.created_at
    return awaiting_reply(lead)
