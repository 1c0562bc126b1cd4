"""Activities: the contacts on a lead's timeline — calls, emails, messages, meetings and notes.

The vocabulary only: :class:`ActivityKind`, :class:`Direction`, :class:`Activity` and the
checks a :class:`~leadmodel.Lead` makes of its ``activities``. The engine that logs them and
the facts read from them (first response, last inbound and outbound, a reply owed) are in
:mod:`leadmodel.domain.ladder.activities`.

The rules: a contact goes ``inbound`` (the person reached us) or ``outbound`` (we reached the
person); a ``note`` is ``internal`` (no contact was made, it went through no channel) and
an internal activity is a note. ``by`` is always someone on our side: who made an outbound
contact, who took an inbound one (``None`` for a shared inbox), who wrote a note.

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> Activity(at=at, kind=ActivityKind.call, direction=Direction.outbound, by="anna").kind.value
'call'
>>> Activity(at=at, kind=ActivityKind.note, direction=Direction.outbound)
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: Activity.direction: a note is internal: it records no
contact with the person; give direction=Direction.internal; got <Direction.outbound: 'outbound'>
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, TypeGuard

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.values.source import Channel
from leadmodel.errors import Problem

__all__ = [
    "MAX_ACTIVITIES",
    "Activity",
    "ActivityKind",
    "Direction",
    "check_activities",
    "pairing_problem",
]

MAX_ACTIVITIES = 10_000
"""The most activities one lead may hold.

A lead is one sales attempt: a long B2B cycle with a call and two emails every working day for
a year logs about 750; ten thousand is far above it (an integration that logs every tracking
pixel hit as a contact is what it stops). It keeps the cost of one lead bounded: the whole
timeline is stored with the lead and written on every save, and checked (in time order, ids
once) whenever the lead is made. More is a :class:`~leadmodel.errors.ValidationError` naming
the count and this cap, from the constructor, or from the document converter before it reads
a single activity (``Activity.__max_items__``). Archive older contacts in your own store, or
start a new attempt (``recycle``).
"""


def _too_many(count: int) -> str:
    return (
        f"{count:,} activities; a lead holds at most {MAX_ACTIVITIES:,} (MAX_ACTIVITIES):"
        " archive older contacts in your own store, or start a new attempt (recycle)"
    )


class ActivityKind(StrEnum):
    """What an :class:`Activity` was: a contact (call, email, message, meeting) or a note."""

    call = "call"
    email = "email"
    message = "message"
    meeting = "meeting"
    note = "note"


class Direction(StrEnum):
    """Who reached whom: ``inbound`` (the person us), ``outbound`` (we the person), or
    ``internal`` (no contact: a note)."""

    inbound = "inbound"
    outbound = "outbound"
    internal = "internal"


def pairing_problem(kind: object, direction: object) -> Problem | None:
    """The problem with an activity of ``kind`` going ``direction``: a note is internal, and
    an internal activity is a note. ``None`` when they agree (or either is not a member).

    >>> pairing_problem(ActivityKind.call, Direction.internal).message
    'only a note is internal; a call is inbound or outbound'
    >>> pairing_problem(ActivityKind.note, Direction.internal) is None
    True
    """
    if not isinstance(kind, ActivityKind) or not isinstance(direction, Direction):
        return None
    if kind is ActivityKind.note and direction is not Direction.internal:
        msg = "a note is internal: it records no contact with the person; give "
        return Problem("direction", msg + "direction=Direction.internal", direction)
    if kind is not ActivityKind.note and direction is Direction.internal:
        return Problem("direction", f"only a note is internal; a {kind} is inbound or outbound")
    return None


@attrs.frozen(kw_only=True)
class Activity:
    """One entry of a lead's timeline: a contact with the person, or a note about them.

    ``at``: when it happened (timezone-aware). ``kind`` and ``direction``: what it was and who
    reached whom (a note is internal, and only a note). ``by``: who on our side made, took or
    wrote it. ``channel``: the :class:`~leadmodel.Channel` it went through (a note has none).
    ``note``: free text (what was said); erasure removes it and keeps the rest for
    statistics. ``id``: the host's own handle for this contact (a call id from the telephony,
    a message id): logging an activity whose ``id`` the lead already holds with the same
    values changes nothing, so a retried webhook is logged once. It outlives erasure: never put
    personal data (an address, a phone number) in it.
    """

    at: datetime = attrs.field(converter=c.fixed_offset)
    kind: ActivityKind
    direction: Direction
    by: str | None = None
    channel: Channel | None = None
    note: str | None = None
    id: str | None = None

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_ACTIVITIES, _too_many)
    """A lead's activities: at most :data:`MAX_ACTIVITIES` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.aware(p, "at", self.at)
        c.member(p, "kind", self.kind, ActivityKind)
        c.member(p, "direction", self.direction, Direction)
        c.opt_text(p, "by", self.by, "who on our side")
        if self.channel is not None:
            c.member(p, "channel", self.channel, Channel)
            if self.kind is ActivityKind.note:
                msg = "a note went through no channel (it is internal); leave channel out"
                p.append(Problem("channel", msg, self.channel))
        c.opt_free_text(p, "note", self.note, "the note")
        c.opt_text(p, "id", self.id, "the activity id")
        if (problem := pairing_problem(self.kind, self.direction)) is not None:
            p.append(problem)
        if p:
            c.fail("Activity", p)


def _comparable(at: object) -> TypeGuard[datetime]:
    """Whether ``at`` is an aware datetime within the calendar (the Lead reports it if not)."""
    return type(at) is datetime and at.utcoffset() is not None and c.in_range(at)


def check_activities(p: c.Problems, value: object, created_at: object, *, erased: bool) -> None:
    """The checks a Lead makes of its ``activities``: a tuple of at most
    :data:`MAX_ACTIVITIES` Activity, in time order (equal times allowed), none dated before
    ``created_at``, each ``id`` once, and no ``note`` on an ``erased`` lead."""
    if value == ():
        return
    # past the cap, the count alone (as for contact points): the items are not checked
    if not c.max_items(p, "activities", value, Activity.__max_items__):
        return
    found: c.Problems = []
    c.tuple_of(found, "activities", value, Activity)
    if found:
        p.extend(found)
        return
    activities: tuple[Activity, ...] = value  # type: ignore[assignment] # checked just above
    before = activities[0].at
    if _comparable(created_at) and before < created_at:
        msg = f"an activity cannot be dated before the lead was created ({created_at.isoformat()})"
        p.append(Problem("activities[0].at", msg, before))
    ids: set[str] = set()
    for i, activity in enumerate(activities):
        if activity.at < before:
            p.append(
                Problem(f"activities[{i}].at", "activities must be in time order", activity.at)
            )
        before = activity.at
        if activity.id is not None:
            if activity.id in ids:
                msg = "an activity id names one contact: list each id once"
                p.append(Problem(f"activities[{i}].id", msg, activity.id))
            ids.add(activity.id)
        if erased and activity.note is not None:
            msg = "an erased record keeps no free text; its notes are gone"
            p.append(Problem(f"activities[{i}].note", msg, activity.note))
