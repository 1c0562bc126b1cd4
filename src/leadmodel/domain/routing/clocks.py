"""SLA clocks: the replies a lead is owed under a policy, read at an instant.

:func:`sla_clock` reads the reply owed now (else the last one settled); :func:`sla_clocks`
every reply owed since the lead was created, under the first of several policies that applies.
Pure: the instant is passed in, the facts are the lead's timeline of activities.

The rules:

* **What is owed.** With a first-response target, the lead's creation is owed our first
  outbound contact (:func:`~leadmodel.first_response`); once it is given, each inbound contact
  after it opens a rolling-response clock, answered by our next outbound contact (several
  inbound contacts before an answer are one clock, from the earliest, as
  :func:`~leadmodel.awaiting_reply` says). Without a first-response target every inbound
  contact, from the start, opens a rolling clock; the creation is not an inbound contact.
  Notes (internal) neither owe nor answer.
* **Business time.** ``due_at == calendar.add(started_at, target)``: a lead that arrives on a
  non-working day counts from the first working minute, not from its arrival (the bug class of
  Frappe helpdesk issue 2075); ``elapsed`` is ``calendar.between``.
* **State.** ``met`` when answered by ``due_at`` (at it included); ``breached`` when answered
  after it (``answered_at`` keeps when), or still owed after it; else ``due``.
* **As of** ``at``. Only what happened by ``at`` counts: a later contact or close is not yet.
* **Closed leads.** A lead converted, lost or erased owes nothing once it closes: a clock still
  running then stops there — dropped if it was not late (nothing is owed any more), kept
  ``breached`` and frozen at the close (``closed_at``) if it was; contacts after the close open
  no clock. A pipeline's won status is not known here (a lead holds no pipeline): convert the
  lead, or leave won leads out.
* **Escalation.** The steps whose ``after`` is at most the business time overdue, in order.
* **Several policies.** The first whose conditions the lead meets applies, as with routing
  rules: order is priority (a catch-all policy goes last), and a lead is never escalated twice
  for one late reply.

Cost: one pass over the timeline, then two calendar walks (``add``, ``between``) per clock.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import takewhile
from operator import attrgetter

from leadmodel._kernel import checks as c
from leadmodel.domain.ladder import first_response
from leadmodel.domain.model import Activity, Direction, Lead
from leadmodel.domain.routing.sla import SlaClock, SlaKind, SlaPolicy, SlaState

__all__ = ["sla_clock", "sla_clocks"]

_AT = attrgetter("at")

Owed = tuple[SlaKind, datetime, datetime | None]
"""A reply owed: its kind, what asked for it (when), and our answer (when), if given."""


def sla_clock(lead: Lead, policy: SlaPolicy, *, at: datetime) -> SlaClock | None:
    """The reply ``lead`` is owed under ``policy`` at ``at``: the one running, else the last
    one settled (met or breached); ``None`` when the policy does not apply to the lead or
    nothing was ever owed (see the module docstring for the rules).

    Raises :class:`~leadmodel.errors.ValidationError` for bad arguments, and as
    :meth:`~leadmodel.WorkCalendar.add` does for a calendar without working time.

    >>> from datetime import datetime, timedelta
    >>> from zoneinfo import ZoneInfo
    >>> import leadmodel as lm
    >>> kyiv = ZoneInfo("Europe/Kyiv")
    >>> policy = lm.SlaPolicy(key="standard", first_response=timedelta(hours=1),
    ...     calendar=lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00"))
    >>> saturday = datetime(2026, 3, 7, 12, 0, tzinfo=kyiv)
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=saturday)
    >>> monday = datetime(2026, 3, 9, 9, 40, tzinfo=kyiv)
    >>> clock = lm.sla_clock(lead, policy, at=monday)
    >>> clock.due_at.isoformat(), clock.state.value  # an hour after Monday's first minute
    ('2026-03-09T10:00:00+02:00', 'due')
    >>> clock.elapsed, clock.remaining  # business time: Saturday and Sunday do not count
    (datetime.timedelta(seconds=2400), datetime.timedelta(seconds=1200))
    >>> answered = lm.respond(lead, at=monday + timedelta(minutes=35), by="anna")
    >>> late = lm.sla_clock(answered, policy, at=monday + timedelta(hours=2))
    >>> late.state.value, late.answered_at.isoformat(), late.overdue
    ('breached', '2026-03-09T10:15:00+02:00', datetime.timedelta(seconds=900))
    """
    problems: c.Problems = []
    c.instance(problems, "policy", policy, SlaPolicy)
    at = _checked("sla_clock", lead, at, problems)
    if not policy.applies_to(lead):
        return None
    closed = _closed_at(lead)
    for owed in reversed(_owed(lead, policy, at, closed)):
        found = _clock(policy, owed, closed, at)
        if found is not None:  # only the last can be dropped (the one running at the close)
            return found
    return None


def sla_clocks(lead: Lead, policies: Iterable[SlaPolicy], *, at: datetime) -> tuple[SlaClock, ...]:
    """Every reply ``lead`` was owed by ``at``, in order (the first response, then each
    rolling response; only the last may still be running), under the first of ``policies``
    whose conditions the lead meets; ``()`` when none does.

    ``sla_clock(lead, policy, at=at)`` is the last of ``sla_clocks(lead, [policy], at=at)``.
    Raises as :func:`sla_clock` does.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> policies = [
    ...     lm.SlaPolicy(key="vip", when=[lm.HasTag(tag="vip")],
    ...         first_response=timedelta(minutes=15), rolling_response=timedelta(hours=1)),
    ...     lm.SlaPolicy(key="rest", first_response=timedelta(hours=4))]
    >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], tags=["vip"],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> lead = lm.respond(lead, at=at + timedelta(minutes=10), by="anna")
    >>> lead = lm.log_activity(lead, lm.Activity(at=at + timedelta(hours=1),
    ...     kind=lm.ActivityKind.email, direction=lm.Direction.inbound))
    >>> [(clock.policy, clock.kind.value, clock.state.value)
    ...  for clock in lm.sla_clocks(lead, policies, at=at + timedelta(hours=3))]
    [('vip', 'first_response', 'met'), ('vip', 'rolling_response', 'breached')]
    """
    chosen = c.as_tuple(policies)
    problems: c.Problems = []
    c.tuple_of(problems, "policies", chosen, SlaPolicy)  # a list or any iterable is fine
    at = _checked("sla_clocks", lead, at, problems)
    policy = next((candidate for candidate in chosen if candidate.applies_to(lead)), None)
    if policy is None:
        return ()
    closed = _closed_at(lead)
    clocks = (_clock(policy, owed, closed, at) for owed in _owed(lead, policy, at, closed))
    return tuple(clock for clock in clocks if clock is not None)


def _checked(model: str, lead: object, at: object, found: c.Problems) -> datetime:
    """``at`` as a fixed-offset instant, once the lead and ``at`` are checked too (``found``:
    the problems with the policies); every problem is raised at once."""
    p: c.Problems = []
    c.instance(p, "lead", lead, Lead)
    p += found
    c.aware(p, "at", at)
    if p:
        c.fail(model, p)
    return c.fixed_offset(at)  # type: ignore[arg-type] # checked just above


def _closed_at(lead: Lead) -> datetime | None:
    """When the lead closed: converted, lost or erased (the earliest), or ``None``."""
    ends = [
        end
        for end in (
            lead.converted.at if lead.converted else None,
            lead.lost.at if lead.lost else None,
            lead.erased_at,
        )
        if end is not None
    ]
    return min(ends, default=None)


def _owed(lead: Lead, policy: SlaPolicy, at: datetime, closed: datetime | None) -> list[Owed]:
    """The replies owed by ``at`` (or by the close, if earlier), in order."""
    end = at if closed is None else min(at, closed)
    if lead.created_at > end:
        return []
    timeline = lead.activities[: bisect_right(lead.activities, end, key=_AT)]
    owed: list[Owed] = []
    after: Sequence[Activity] = timeline
    if policy.first_response is not None:
        first = first_response(lead)
        if first is None or first.at > end:
            owed.append((SlaKind.first_response, lead.created_at, None))
            after = ()  # no rolling clock before the first response
        else:
            owed.append((SlaKind.first_response, lead.created_at, first.at))
            after = timeline[timeline.index(first) + 1 :]
    if policy.rolling_response is not None:
        owed += _rolling(after)
    return owed


def _rolling(activities: Sequence[Activity]) -> list[Owed]:
    """One clock per run of inbound contacts, from its first, answered by the next outbound."""
    owed: list[Owed] = []
    opened: datetime | None = None
    for activity in activities:
        if activity.direction is Direction.inbound and opened is None:
            opened = activity.at
        elif activity.direction is Direction.outbound and opened is not None:
            owed.append((SlaKind.rolling_response, opened, activity.at))
            opened = None
    if opened is not None:
        owed.append((SlaKind.rolling_response, opened, None))
    return owed


def _clock(policy: SlaPolicy, owed: Owed, closed: datetime | None, at: datetime) -> SlaClock | None:
    """The clock of one reply owed, read at ``at``; ``None`` when the lead closed in time."""
    kind, started, answered = owed
    calendar = policy.working_time
    target = policy.target(kind)
    if target is None:  # pragma: no cover - _owed lists only the kinds with a target
        return None
    due = calendar.add(started, target)
    stopped: datetime | None = None
    if answered is not None:
        stop, state = answered, SlaState.met if answered <= due else SlaState.breached
    elif closed is not None and closed <= at:
        if closed <= due:
            return None
        stop, state, stopped = closed, SlaState.breached, closed
    else:
        stop, state = at, SlaState.breached if at > due else SlaState.due
    elapsed = calendar.between(started, stop)
    remaining = target - elapsed
    steps = policy.escalation if state is SlaState.breached else ()
    return SlaClock(
        policy=policy.key,
        kind=kind,
        started_at=started,
        due_at=due,
        state=state,
        elapsed=elapsed,
        remaining=remaining,
        answered_at=answered,
        escalations=tuple(takewhile(lambda step: step.after <= -remaining, steps)),
        closed_at=stopped,
    )
