"""Response SLAs as data: which leads owe a reply how fast, in whose working time, and what
is done when a reply is late — and the clock read off a lead.

An :class:`SlaPolicy` states, with the conditions scoring uses, which leads it covers; a
``first_response`` target (from the lead's creation to our first outbound contact) and a
``rolling_response`` target (from each inbound contact to our next outbound one), both in its
calendar's business time; and the :class:`EscalationStep` s taken as a reply grows overdue.
An :class:`SlaClock` is what :func:`~leadmodel.sla_clock` reads off a lead at an instant: when
the reply is due, whether it is still due, met or breached, the business time elapsed and
remaining, and the steps due by then. The engine is :mod:`~leadmodel.domain.routing.clocks`.

>>> from datetime import timedelta
>>> import leadmodel as lm
>>> policy = lm.SlaPolicy(key="standard", first_response=timedelta(hours=1),
...     calendar=lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00"),
...     escalation=[lm.EscalationStep(after=timedelta(0), action="notify", to="head-of-sales")])
>>> policy.target(lm.SlaKind.first_response), policy.escalation[0].action.value
(datetime.timedelta(seconds=3600), 'notify')
>>> lm.SlaPolicy(key="standard",
...     escalation=[lm.EscalationStep(after=timedelta(hours=2), action="raise_priority"),
...                 lm.EscalationStep(after=timedelta(hours=1), action="notify")])
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: 2 problems:
  SlaPolicy.first_response: a policy needs a target: first_response, rolling_response or both
  SlaPolicy.escalation[1].after: steps are listed in order, each later than the one before
  (1:00:00 after 2:00:00); got datetime.timedelta(seconds=3600)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any, ClassVar, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.domain.model import Lead
from leadmodel.domain.routing.spec import _conditions, _key
from leadmodel.domain.scoring.conditions import FitCondition
from leadmodel.domain.worktime import WorkCalendar
from leadmodel.errors import Problem

__all__ = [
    "MAX_ESCALATION_STEPS",
    "MAX_SLA_TARGET",
    "EscalationAction",
    "EscalationStep",
    "SlaClock",
    "SlaKind",
    "SlaPolicy",
    "SlaState",
]

MAX_SLA_TARGET: Final = timedelta(days=365)
"""The longest target or escalation delay, in business time: a year of working time (with a
45-hour week, almost four years of calendar) is far above any reply anyone waits for."""

MAX_ESCALATION_STEPS: Final = 20
"""The most escalation steps one policy may hold."""

_ALWAYS: Final = WorkCalendar.always()


def _too_many(count: int) -> str:
    return (
        f"{count:,} escalation steps; a policy holds at most {MAX_ESCALATION_STEPS:,} "
        "(MAX_ESCALATION_STEPS)"
    )


class EscalationAction(StrEnum):
    """What to do when a reply is overdue.

    * ``notify`` — tell someone (``to``: who; none: the lead's owner);
    * ``reassign`` — give the lead to the next eligible member (``to``: a team's key; none:
      the lead's own team);
    * ``raise_priority`` — mark the lead urgent (no ``to``).
    """

    notify = "notify"
    reassign = "reassign"
    raise_priority = "raise_priority"


class SlaKind(StrEnum):
    """Which reply a clock counts: the ``first_response`` to a new lead, or a
    ``rolling_response`` to a later inbound contact."""

    first_response = "first_response"
    rolling_response = "rolling_response"


class SlaState(StrEnum):
    """Where a clock stands: the reply is ``due`` (not given, not late yet), ``met`` (given by
    the due time) or ``breached`` (given late, or still owed past the due time)."""

    due = "due"
    met = "met"
    breached = "breached"


def _action(value: object) -> Any:
    """An attrs converter: an action's value (``"notify"``) as the member; anything else
    unchanged, for the class's own check to name."""
    if isinstance(value, str) and value in _ACTIONS:
        return EscalationAction(value)
    return value


_ACTIONS: Final = frozenset(action.value for action in EscalationAction)


def _duration(p: c.Problems, path: str, value: object, what: str, *, zero: bool) -> None:
    """A business-time duration: a timedelta above zero (or zero, when allowed), at most
    :data:`MAX_SLA_TARGET`."""
    if not isinstance(value, timedelta):
        p.append(Problem(path, "expected a timedelta, such as timedelta(hours=1)", value))
    elif value < timedelta(0) or (not zero and not value):
        p.append(Problem(path, f"{what} is {'zero or more' if zero else 'above zero'}", value))
    elif value > MAX_SLA_TARGET:
        p.append(
            Problem(path, f"{what} is at most a year of business time (MAX_SLA_TARGET)", value)
        )


@attrs.frozen(kw_only=True)
class EscalationStep(Spec):
    """What to do once a reply is ``after`` business time overdue (zero: as soon as it is
    breached): ``action``, aimed at ``to`` (who to notify; for ``reassign``, the team).

    >>> from datetime import timedelta
    >>> import leadmodel as lm
    >>> lm.EscalationStep(after=timedelta(minutes=30), action="reassign", to="night").action
    <EscalationAction.reassign: 'reassign'>
    """

    after: timedelta
    action: EscalationAction = attrs.field(converter=_action)
    to: str | None = None

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_ESCALATION_STEPS, _too_many)
    """A policy's steps: at most :data:`MAX_ESCALATION_STEPS` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _duration(p, "after", self.after, "the time overdue", zero=True)
        c.member(p, "action", self.action, EscalationAction)
        c.opt_text(p, "to", self.to, "who the step is aimed at")
        if self.action is EscalationAction.raise_priority and self.to is not None:
            msg = "raising the priority is aimed at nobody; leave to out"
            p.append(Problem("to", msg, self.to))
        if p:
            c.fail("EscalationStep", p)


def _steps(value: Iterable[EscalationStep]) -> tuple[EscalationStep, ...]:
    found: tuple[EscalationStep, ...] = c.as_tuple(value)
    return found


@attrs.frozen(kw_only=True)
class SlaPolicy(Spec):
    """How fast the leads matching every condition of ``when`` (none: all) are answered.

    ``first_response``: from the lead's creation to our first outbound contact;
    ``rolling_response``: from each inbound contact (after the first response, when there is a
    first-response target) to our next outbound one. Both are business time in ``calendar``
    (``None``: always open); a policy has one or both. ``escalation``: the steps taken as a
    reply grows overdue, in order of ``after``, each later than the one before.

    >>> from datetime import timedelta
    >>> import leadmodel as lm
    >>> vip = lm.SlaPolicy(key="vip", when=[lm.HasTag(tag="vip")],
    ...     first_response=timedelta(minutes=15), rolling_response=timedelta(hours=2))
    >>> vip.working_time == lm.WorkCalendar.always()
    True
    """

    key: str
    when: tuple[FitCondition, ...] = attrs.field(default=(), converter=_conditions)
    first_response: timedelta | None = None
    rolling_response: timedelta | None = None
    calendar: WorkCalendar | None = None
    escalation: tuple[EscalationStep, ...] = attrs.field(default=(), converter=_steps)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _key(p, self.key, "the policy's key")
        if type(self.when) is not tuple:
            p.append(Problem("when", "a list of conditions", self.when))
        if self.first_response is None and self.rolling_response is None:
            msg = "a policy needs a target: first_response, rolling_response or both"
            p.append(Problem("first_response", msg))
        for kind in SlaKind:
            if (target := getattr(self, kind.value)) is not None:
                _duration(p, kind.value, target, "a target", zero=False)
        c.opt_instance(p, "calendar", self.calendar, WorkCalendar)
        if c.max_items(p, "escalation", self.escalation, EscalationStep.__max_items__):
            found: c.Problems = []
            c.tuple_of(found, "escalation", self.escalation, EscalationStep)
            p += found or _in_order(self.escalation)
        if p:
            c.fail("SlaPolicy", p)

    @property
    def working_time(self) -> WorkCalendar:
        """The calendar business time is counted in: ``calendar``, else always open.

        >>> from datetime import timedelta
        >>> import leadmodel as lm
        >>> kyiv = lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
        >>> lm.SlaPolicy(key="kyiv", first_response=timedelta(hours=1),
        ...     calendar=kyiv).working_time.time_zone
        'Europe/Kyiv'
        """
        return self.calendar or _ALWAYS

    def applies_to(self, lead: Lead) -> bool:
        """Whether ``lead`` meets every condition of ``when``.

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], tags=["vip"],
        ...     source=lm.Source(channel=lm.Channel.form),
        ...     created_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
        >>> lm.SlaPolicy(key="vip", when=[lm.HasTag(tag="vip")],
        ...     first_response=timedelta(minutes=15)).applies_to(lead)
        True
        """
        return all(condition.matches(lead) for condition in self.when)

    def target(self, kind: SlaKind) -> timedelta | None:
        """The target for ``kind`` of reply (``None``: this policy sets none).

        >>> from datetime import timedelta
        >>> import leadmodel as lm
        >>> policy = lm.SlaPolicy(key="rolling", rolling_response=timedelta(hours=4))
        >>> policy.target(lm.SlaKind.first_response) is None
        True
        """
        found: timedelta | None = getattr(self, SlaKind(kind).value)
        return found


def _in_order(steps: tuple[EscalationStep, ...]) -> c.Problems:
    p: c.Problems = []
    for i, (before, step) in enumerate(pairwise(steps), start=1):
        if step.after <= before.after:
            msg = (
                "steps are listed in order, each later than the one before "
                f"({step.after} after {before.after})"
            )
            p.append(Problem(f"escalation[{i}].after", msg, step.after))
    return p


@attrs.frozen(kw_only=True)
class SlaClock:
    """One reply owed under a policy, read at an instant (:func:`~leadmodel.sla_clock`).

    ``policy``: the policy's key; ``kind``: which reply; ``started_at``: what asked for it (the
    lead's creation, an inbound contact) — business time counts from the calendar's first
    working minute at or after it; ``due_at``: ``started_at`` plus the target in business
    time; ``state``; ``elapsed``: business time from ``started_at`` to the answer, the close or
    the instant read; ``remaining``: the target minus ``elapsed`` (negative when overdue;
    zero while breached out of hours); ``answered_at``: our reply, if given; ``escalations``:
    the policy's steps due by then, in order; ``closed_at``: when the lead closed (converted,
    lost or erased) with the reply still owed and already late — the clock stopped there.
    """

    policy: str
    kind: SlaKind
    started_at: datetime
    due_at: datetime
    state: SlaState
    elapsed: timedelta
    remaining: timedelta
    answered_at: datetime | None = None
    escalations: tuple[EscalationStep, ...] = attrs.field(default=(), converter=_steps)
    closed_at: datetime | None = None

    @property
    def overdue(self) -> timedelta:
        """Business time past the due time (zero while the reply is not late).

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> lm.SlaClock(policy="standard", kind=lm.SlaKind.first_response, started_at=at,
        ...     due_at=at + timedelta(hours=1), state=lm.SlaState.breached,
        ...     elapsed=timedelta(hours=3), remaining=timedelta(hours=-2)).overdue
        datetime.timedelta(seconds=7200)
        """
        return max(-self.remaining, timedelta(0))
