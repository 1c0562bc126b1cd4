"""Stale cards: leads left untouched in a status longer than the status allows.

A status may set ``rot_after`` (:class:`~leadmodel.StatusSpec`, open statuses only): how long a
card may sit in it with nothing happening. :func:`stale` reads, at an instant, which cards of
one pipeline have sat longer. Pure: the instant is passed in, the facts are each lead's last
status move and its timeline of activities.

The rules:

* **What resets the clock.** The move into the current status (the last entry of the lead's
  ``history``; the lead's creation when it has none), or any later activity — a contact either
  way, or a note — whichever is later.
* **Scheduled activities.** There is no scheduled activity yet: an activity logged after
  ``at`` counts as scheduled, and keeps the card fresh whatever came before it.
* **Stale** when ``at`` is more than ``rot_after`` after the last reset (exactly ``rot_after``
  is not yet stale).
* **Which cards.** Leads in the pipeline (``lead.pipeline == pipeline.key``), in an open
  status of it with a ``rot_after``; won and lost statuses never go stale, nor do statuses
  without ``rot_after``, nor erased leads (nobody works them).

Cost: one pass over the leads, a constant amount of work each, then sorting the stale ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model import Lead
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.values import LeadId

__all__ = ["StaleCard", "idle_since", "stale"]


@attrs.frozen(kw_only=True)
class StaleCard:
    """A card that sat too long: ``lead_id`` in ``status`` since ``since`` (the last thing that
    reset its clock), ``idle`` for that long, past the status's ``rot_after``.

    >>> from datetime import datetime, timedelta, timezone
    >>> card = StaleCard(lead_id=LeadId("L-1"), status="new",
    ...     since=datetime(2026, 3, 2, tzinfo=timezone.utc), idle=timedelta(days=5),
    ...     rot_after=timedelta(days=3))
    >>> card.overdue
    datetime.timedelta(days=2)
    """

    lead_id: LeadId
    status: str
    since: datetime
    idle: timedelta
    rot_after: timedelta

    @property
    def overdue(self) -> timedelta:
        """How long past ``rot_after`` the card has sat: ``idle - rot_after``."""
        return self.idle - self.rot_after

    @classmethod
    def of(
        cls, lead_id: str, status: str, since: datetime, rot_after: timedelta, *, at: datetime
    ) -> StaleCard | None:
        """The card of ``lead_id`` in ``status``, idle since ``since`` (:func:`idle_since`), if
        it is stale at ``at`` under ``rot_after``; else ``None`` (``since`` after ``at`` is a
        scheduled activity: fresh). The rule :func:`stale` applies to each lead, for callers
        that have the facts without the lead (the SLA sweep reads them from the index).

        >>> from datetime import datetime, timedelta, timezone
        >>> since = datetime(2026, 3, 2, tzinfo=timezone.utc)
        >>> StaleCard.of("L-1", "new", since, timedelta(days=3), at=since + timedelta(days=3))
        >>> StaleCard.of("L-1", "new", since, timedelta(days=3), at=since + timedelta(days=4)).idle
        datetime.timedelta(days=4)
        """
        if since > at:  # a scheduled activity keeps the card fresh
            return None
        idle = at - since
        if idle <= rot_after:
            return None
        return cls(
            lead_id=LeadId(lead_id), status=status, since=since, idle=idle, rot_after=rot_after
        )


def stale(leads: Iterable[Lead], pipeline: Pipeline, *, at: datetime) -> tuple[StaleCard, ...]:
    """The cards of ``pipeline`` among ``leads`` that are stale at ``at``, the longest overdue
    first (then by lead id); see the module docstring for the rules. An activity after ``at``
    counts as scheduled and keeps its card fresh.

    Raises :class:`~leadmodel.errors.ValidationError` for bad arguments (a naive ``at``, a lead
    that is not a :class:`~leadmodel.Lead`, a pipeline that is not a :class:`~leadmodel.Pipeline`).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> pipeline = lm.Pipeline.from_dict({"key": "requests", "statuses": [
    ...     {"key": "new", "rot_after": "P3D"}, {"key": "won", "kind": "won"}]})
    >>> monday = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=monday)
    >>> lead = pipeline.enter(lead, at=monday)
    >>> lm.stale([lead], pipeline, at=monday + timedelta(days=3))   # exactly rot_after: fresh
    ()
    >>> [card] = lm.stale([lead], pipeline, at=monday + timedelta(days=4))
    >>> card.lead_id, card.status, card.idle, card.overdue
    ('L-1', 'new', datetime.timedelta(days=4), datetime.timedelta(days=1))
    >>> lm.stale([lead], pipeline, at=datetime(2026, 3, 9))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: stale.at: naive datetime (no time zone); ...
    """
    given = c.as_tuple(leads)
    p: c.Problems = []
    c.tuple_of(p, "leads", given, Lead)  # a list or any iterable is fine
    c.instance(p, "pipeline", pipeline, Pipeline)
    c.aware(p, "at", at)
    if p:
        c.fail("stale", p)
    now = c.fixed_offset(at)
    cards = [card for lead in given if (card := _card(lead, pipeline, now)) is not None]
    cards.sort(key=lambda card: (-card.overdue, card.lead_id))
    return tuple(cards)


def idle_since(lead: Lead) -> datetime | None:
    """The last thing that reset ``lead``'s stale clock: the move into its current status (its
    creation when it never moved) or its latest activity, whichever is later — an activity
    logged ahead of time (scheduled) included, so the instant may be in the future; ``None``
    for an erased lead (nobody works it). The stores index it (``find(idle_to=...)``).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> idle_since(lead) == at
    True
    >>> lead = lm.respond(lead, at=at + timedelta(days=2), by="anna")
    >>> idle_since(lead) - at
    datetime.timedelta(days=2)
    """
    if lead.erased_at is not None:
        return None
    since = lead.history[-1].at if lead.history else lead.created_at
    if lead.activities:
        since = max(since, lead.activities[-1].at)  # activities are in time order
    return since


def _card(lead: Lead, pipeline: Pipeline, at: datetime) -> StaleCard | None:
    """The lead's card if it is stale at ``at``, else ``None``."""
    status = lead.status
    if lead.pipeline != pipeline.key or status is None or status not in pipeline:
        return None
    spec = pipeline.status(status)
    rot_after = spec.rot_after
    if rot_after is None or spec.kind is not StatusKind.open:
        return None
    since = idle_since(lead)
    return None if since is None else StaleCard.of(lead.id, status, since, rot_after, at=at)
