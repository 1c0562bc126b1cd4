"""Lead scoring: fit rules on attributes, engagement rules on events with half-life decay.

A :class:`ScoreModel` adds the points of the **fit** rules a lead matches (who it is: company
size, role, country, source...) and of the **engagement** rules its events match (what it did;
each event's points halve every ``half_life``), then maps the raw points to 0–100: ``100 × raw /
max_points``, clamped. The host passes the events in; a lead does not store them. The
temperature derived from a score is in :mod:`leadmodel.domain.scoring.temperature`.

>>> from datetime import datetime, timedelta, timezone
>>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source
>>> at = datetime(2026, 3, 10, tzinfo=timezone.utc)
>>> lead = Lead(id=LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
...             contact_points=(ContactPoint.email("olena@gmail.com"),),
...             source=Source(channel=Channel.referral), created_at=at - timedelta(days=9))
>>> model = ScoreModel(
...     fit=(FitRule(name="referral", points=30, when=FieldIs(field="source.channel",
...                                                          values=("referral",))),
...          FitRule(name="free mail", points=-10, when=FreeMail())),
...     engagement=(EngagementRule(kind="site_visit", points=20, half_life=timedelta(days=7)),),
... )
>>> visit = Engagement(kind="site_visit", at=at - timedelta(days=7))
>>> print(model.score(lead, [visit], at=at).explain())
score 30 of 100 (raw 30 points; 100 points make 100)
     +30  fit         referral: source.channel is 'referral'
     -10  fit         free mail: every email address is on a free-mail domain
     +10  engagement  site_visit: 1 × site_visit, newest 7 days old, half-life 7 days

A model is data: ``model.to_dict()`` (the same document as ``lm.to_dict(model)``) and
``ScoreModel.from_dict`` write and read it; a half-life is an ISO 8601 duration. A fit rule
whose condition is a Python callable cannot be written.

>>> model.to_dict()["engagement"]
[{'kind': 'site_visit', 'points': 20, 'half_life': 'P7D'}]
>>> ScoreModel.from_dict(model.to_dict()) == model
True
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.scoring.conditions import (
    FieldBetween,
    FieldIs,
    FitCondition,
    FreeMail,
    HasTag,
    number,
)
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "Contribution",
    "Engagement",
    "EngagementRule",
    "FieldBetween",
    "FieldIs",
    "FitCondition",
    "FitRule",
    "FreeMail",
    "HasTag",
    "Score",
    "ScoreModel",
]


def age(at: datetime, then: datetime) -> timedelta:
    """How long before ``at`` the instant ``then`` was, in real time.

    Python subtracts wall times when both datetimes share a tzinfo, which is an hour off across
    a DST change; comparing in UTC is not.
    """
    return at.astimezone(UTC) - then.astimezone(UTC)


def span(delta: timedelta) -> str:
    """``delta`` in words for explanations: ``7 days``, ``1.5 hours``."""
    seconds = delta.total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size, 1)
            return f"{n:g} {unit}{'' if n == 1 else 's'}"
    return f"{seconds:g} seconds"


# --------------------------------------------------------------------------- events


@attrs.frozen(kw_only=True)
class Engagement:
    """Something a lead did, at an instant: opened an email, visited the site, paid a deposit.

    ``kind`` is the host's own word (``"email_open"``, ``"checkout"``...); ``weight`` (≥ 0,
    default 1) multiplies the points an :class:`EngagementRule` gives the event.
    """

    kind: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    weight: float = 1.0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "kind", self.kind, "the event kind")
        c.aware(p, "at", self.at)
        if number(p, "weight", self.weight, "the weight"):
            c.non_negative(p, "weight", self.weight, "the weight")
        if p:
            c.fail("Engagement", p)


# --------------------------------------------------------------------------- rules and scores


@attrs.frozen(kw_only=True)
class Contribution:
    """What one rule added to a score: ``points`` (may be negative) and the ``reason`` in words."""

    rule: str
    kind: Literal["fit", "engagement"]
    points: float
    reason: str


@attrs.frozen(kw_only=True)
class FitRule(Spec):
    """``points`` (negative allowed) when the lead matches ``when``.

    ``when`` is a condition (:class:`FieldIs`, :class:`FieldBetween`, :class:`HasTag`,
    :class:`FreeMail`) or a plain callable ``Lead -> bool`` (which cannot be written as data:
    ``to_dict`` refuses it with a :class:`~leadmodel.errors.ValidationError`).
    """

    name: str
    points: float
    when: FitCondition | Callable[[Lead], bool]

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "name", self.name, "the rule name")
        number(p, "points", self.points, "points")
        if isinstance(self.when, type):
            msg = f"pass a condition, not its class: {self.when.__name__}(...)"
            p.append(Problem("when", msg, self.when))
        elif not callable(self.when) and not isinstance(self.when, FitCondition):
            msg = "use FieldIs, FieldBetween, HasTag, FreeMail or a callable Lead -> bool"
            p.append(Problem("when", msg, self.when))
        if p:
            c.fail("FitRule", p)

    def matches(self, lead: Lead) -> bool:
        """Whether the rule applies.

        Raises :class:`~leadmodel.errors.ValidationError` if a callable returns a non-bool.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.referral), custom={"employees": 120},
        ...                created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> lm.FitRule(name="referral", points=10,
        ...            when=lm.FieldIs(field="source.channel", values=("referral",))).matches(lead)
        True
        >>> size = lm.FitRule(name="size", points=20, when=lambda lead: lead.custom["employees"])
        >>> size.matches(lead)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: FitRule 'size'.when: a callable condition must return True
        or False; got 120
        """
        if isinstance(self.when, FitCondition):
            return self.when.matches(lead)
        result = self.when(lead)
        if type(result) is not bool:
            problem = Problem("when", "a callable condition must return True or False", result)
            raise ValidationError([problem], model=f"FitRule {self.name!r}")
        return result

    def reason(self) -> str:
        """The condition in words.

        >>> import leadmodel as lm
        >>> lm.FitRule(name="decides", points=15,
        ...            when=lm.FieldIs(field="custom.role", values=("director",))).reason()
        "custom.role is 'director'"
        >>> def is_big(lead):
        ...     return lead.custom.get("employees", 0) > 100
        >>> lm.FitRule(name="big", points=20, when=is_big).reason()
        'is_big holds'
        """
        if isinstance(self.when, FitCondition):
            return self.when.describe()
        return f"{getattr(self.when, '__name__', 'condition')} holds"


@attrs.frozen(kw_only=True)
class EngagementRule(Spec):
    """``points`` for each event of ``kind``, halving every ``half_life`` of the event's age.

    An event ``age`` old at the scoring time contributes ``points × weight × 0.5 ** (age /
    half_life)``. ``cap`` (> 0) bounds the rule's total in magnitude; ``name`` defaults to ``kind``.
    """

    kind: str
    points: float
    half_life: timedelta
    cap: float | None = None
    name: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "kind", self.kind, "the event kind")
        number(p, "points", self.points, "points")
        if not isinstance(self.half_life, timedelta) or self.half_life <= timedelta(0):
            msg = "a half-life is a positive timedelta, e.g. timedelta(days=7)"
            p.append(Problem("half_life", msg, self.half_life))
        if self.cap is not None and number(p, "cap", self.cap, "the cap") and self.cap <= 0:
            p.append(Problem("cap", "a cap is above 0 (or None for no cap)", self.cap))
        c.opt_text(p, "name", self.name, "the rule name")
        if p:
            c.fail("EngagementRule", p)

    @property
    def label(self) -> str:
        """The rule's name in contributions: ``name`` or else ``kind``."""
        return self.name or self.kind

    def contribution(self, events: Iterable[Engagement], at: datetime) -> Contribution | None:
        """The decayed points of the matching ``events`` at ``at``; ``None`` if none match.

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> at, week = datetime(2026, 3, 10, tzinfo=timezone.utc), timedelta(days=7)
        >>> opens = lm.EngagementRule(kind="email_open", points=4, half_life=week, cap=6)
        >>> part = opens.contribution([lm.Engagement(kind="email_open", at=at - week)], at)
        >>> part.points, part.reason
        (2.0, '1 × email_open, newest 7 days old, half-life 7 days')
        >>> opens.contribution([lm.Engagement(kind="email_open", at=at)] * 2, at).points  # capped
        6.0
        >>> print(opens.contribution([lm.Engagement(kind="site_visit", at=at)], at))
        None
        """
        matching = [e for e in events if e.kind == self.kind]
        if not matching:
            return None
        total = math.fsum(
            self.points * e.weight * 0.5 ** (age(at, e.at) / self.half_life) for e in matching
        )
        capped = self.cap is not None and abs(total) > self.cap
        if self.cap is not None and capped:
            total = math.copysign(self.cap, total)
        youngest = min(age(at, e.at) for e in matching)
        reason = (
            f"{len(matching)} × {self.kind}, newest {span(youngest)} old, "
            f"half-life {span(self.half_life)}{f', capped at {self.cap:g}' if capped else ''}"
        )
        return Contribution(rule=self.label, kind="engagement", points=total, reason=reason)


@attrs.frozen(kw_only=True)
class Score:
    """A lead's score at ``at``: ``value`` 0–100, the ``raw`` points, and each contribution."""

    value: float
    raw: float
    max_points: float
    at: datetime = attrs.field(converter=c.fixed_offset)
    contributions: tuple[Contribution, ...]

    def explain(self) -> str:
        """One line for the score, then one per contributing rule.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> part = lm.Contribution(rule="referral", kind="fit", points=20,
        ...                        reason="source.channel is 'referral'")
        >>> score = lm.Score(value=50.0, raw=20.0, max_points=40.0, contributions=(part,),
        ...                  at=datetime(2026, 3, 10, tzinfo=timezone.utc))
        >>> print(score.explain())
        score 50 of 100 (raw 20 points; 40 points make 100)
             +20  fit         referral: source.channel is 'referral'
        """
        lines = [
            f"score {self.value:g} of 100 (raw {round(self.raw, 2):g} points; "
            f"{self.max_points:g} points make 100)"
        ]
        for item in self.contributions:
            points = f"{round(item.points, 2):+g}"
            lines.append(f"  {points:>6}  {item.kind:<10}  {item.rule}: {item.reason}")
        return "\n".join(lines)


def checked_events(
    lead: Lead, events: Iterable[Engagement], at: datetime, p: c.Problems
) -> tuple[Engagement, ...]:
    """``events`` as a tuple; appends a problem for a non-lead, a naive ``at``, a future event."""
    c.instance(p, "lead", lead, Lead)
    c.aware(p, "at", at)
    at_ok = not p or p[-1].path != "at"
    try:
        given = tuple(events)
    except TypeError:
        p.append(Problem("events", "expected an iterable of Engagement", events))
        return ()
    for i, event in enumerate(given):
        if (
            c.instance(p, f"events[{i}]", event, Engagement)
            and at_ok
            and age(at, event.at) < timedelta(0)
        ):
            msg = (
                f"the event happened after at={at.isoformat()}; "
                "score at a time after every event, or leave future events out"
            )
            p.append(Problem(f"events[{i}].at", msg, event.at))
    return given


@attrs.frozen(kw_only=True)
class ScoreModel(Spec):
    """Fit and engagement rules, and ``max_points``: the raw points that make a score of 100.

    The score is ``100 × raw / max_points`` clamped to 0–100 and rounded to 2 decimals,
    where ``raw`` is the sum of the contributions. Rule names must be unique. ``key`` names
    the model where several are kept (a :class:`~leadmodel.Registry` needs it); a model used
    on its own may leave it ``None``.
    """

    key: str | None = None
    fit: tuple[FitRule, ...] = ()
    engagement: tuple[EngagementRule, ...] = ()
    max_points: float = 100.0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.opt_text(p, "key", self.key, "the score model key")
        c.tuple_of(p, "fit", self.fit, FitRule)
        c.tuple_of(p, "engagement", self.engagement, EngagementRule)
        if number(p, "max_points", self.max_points, "max_points") and self.max_points <= 0:
            p.append(Problem("max_points", "max_points must be above 0", self.max_points))
        if not p:
            names = [r.name for r in self.fit] + [r.label for r in self.engagement]
            twice = sorted(n for n, k in Counter(names).items() if k > 1)  # linear, not n**2
            if twice:
                p.append(Problem("fit", "rule names must be unique; rename one", twice))
        if p:
            c.fail("ScoreModel", p)

    def score(self, lead: Lead, events: Iterable[Engagement] = (), *, at: datetime) -> Score:
        """Score ``lead`` at ``at`` from its attributes and ``events``.

        Raises :class:`ValidationError` for a naive ``at`` or an event after ``at``.

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> at, week = datetime(2026, 3, 10, tzinfo=timezone.utc), timedelta(days=7)
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at - week)
        >>> model = lm.ScoreModel(
        ...     engagement=(lm.EngagementRule(kind="site_visit", points=20, half_life=week),))
        >>> visit = lm.Engagement(kind="site_visit", at=at - week)
        >>> model.score(lead, [visit], at=at).value  # a week old: half the points
        10.0
        >>> model.score(lead, [visit], at=at - 2 * week)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: ScoreModel.score.events[0].at: the event happened after
        at=2026-02-24T00:00:00+00:00; score at a time after every event, or leave future events
        out; got ...
        """
        p: c.Problems = []
        given = checked_events(lead, events, at, p)
        if p:
            c.fail("ScoreModel.score", p)
        parts = [
            Contribution(rule=r.name, kind="fit", points=r.points, reason=r.reason())
            for r in self.fit
            if r.matches(lead)
        ]
        for rule in self.engagement:
            part = rule.contribution(given, at)
            if part is not None:
                parts.append(part)
        raw = math.fsum(part.points for part in parts)
        value = round(min(max(100.0 * raw / self.max_points, 0.0), 100.0), 2)
        return Score(
            value=value, raw=raw, max_points=self.max_points, at=at, contributions=tuple(parts)
        )

    def apply(self, lead: Lead, events: Iterable[Engagement] = (), *, at: datetime) -> Lead:
        """Return ``lead`` with ``score`` set to its score at ``at``.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 10, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.referral), created_at=at)
        >>> referral = lm.FieldIs(field="source.channel", values=("referral",))
        >>> model = lm.ScoreModel(fit=(lm.FitRule(name="referral", points=30, when=referral),))
        >>> lead.score, model.apply(lead, at=at).score
        (None, 30.0)
        """
        return attrs.evolve(lead, score=self.score(lead, events, at=at).value)
