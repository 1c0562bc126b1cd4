"""Routing as data: teams and their members, the rules that choose a team, the router.

A :class:`Router` holds :class:`Team` s of :class:`Member` s and :class:`RoutingRule` s, in
order. A rule states, with the conditions scoring uses (``FieldIs``, ``FieldBetween``,
``HasTag``, ``FreeMail`` over the one field-path grammar), which leads go to which team, and
may require skills or a language of the member. A team hands its leads out by a
:class:`Strategy`; a member can be inactive, absent, off shift (their calendar is closed) or
at their daily capacity, and is then skipped. When nobody is eligible the router's
:class:`Fallback` decides: try the next rule that matches, queue the lead, or give it to the
member whose shift opens first.

>>> import leadmodel as lm
>>> router = lm.Router(
...     teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna"), lm.Member(key="ivan")])],
...     rules=[lm.RoutingRule(key="all", team="kyiv")])
>>> router.team("kyiv").strategy.value, [m.key for m in router.team("kyiv").members]
('round_robin', ['anna', 'ivan'])
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.domain.scoring.conditions import FitCondition
from leadmodel.domain.worktime import WorkCalendar
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "MAX_MEMBERS",
    "MAX_RULES",
    "Absence",
    "Fallback",
    "Member",
    "Router",
    "RoutingRule",
    "Strategy",
    "Team",
]

MAX_MEMBERS: Final = 1_000
"""The most members one team may have (a sales floor of a thousand is far above any team)."""

MAX_RULES: Final = 1_000
"""The most routing rules one router may hold; rules are tried in order for every lead."""

MAX_WEIGHT: Final = 1_000
MAX_CAPACITY: Final = 100_000


class Strategy(StrEnum):
    """How a team hands out its leads among the eligible members.

    * ``round_robin`` — in turn, by a cursor kept in the routing state;
    * ``weighted`` — in turn by weight (smooth weighted round robin: a member of weight 3 gets
      three leads for every one of a member of weight 1, spread out, never in bursts);
    * ``least_loaded`` — the member with the fewest open leads (the caller counts them);
    * ``capacity`` — the member furthest below their daily capacity, counting what they were
      given in the last 24 hours (Odoo's rule; a monthly capacity of 90 is a daily 3);
    * ``first_available`` — the first eligible member in the team's order.

    Ties go to the member listed first.
    """

    round_robin = "round_robin"
    weighted = "weighted"
    least_loaded = "least_loaded"
    capacity = "capacity"
    first_available = "first_available"


class Fallback(StrEnum):
    """What the router does when a rule's team has nobody eligible.

    * ``next_rule`` — try the next rule that matches the lead (then the queue);
    * ``queue`` — leave the lead unassigned, with the reason;
    * ``when_open`` — give it to the member whose shift opens first (``starts_at`` says when),
      skipping only the inactive, the absent, those at capacity and those without the skills.
    """

    next_rule = "next_rule"
    queue = "queue"
    when_open = "when_open"


def _texts(value: Iterable[str]) -> frozenset[str]:
    found: frozenset[str] = c.as_frozenset(value)
    return found


def _members(value: Iterable[Member]) -> tuple[Member, ...]:
    found: tuple[Member, ...] = c.as_tuple(value)
    return found


def _absences(value: Iterable[Absence]) -> tuple[Absence, ...]:
    found: tuple[Absence, ...] = c.as_tuple(value)
    return found


def _conditions(value: Iterable[FitCondition]) -> tuple[FitCondition, ...]:
    found: tuple[FitCondition, ...] = c.as_tuple(value)
    return found


def _teams(value: Iterable[Team]) -> tuple[Team, ...]:
    found: tuple[Team, ...] = c.as_tuple(value)
    return found


def _rules(value: Iterable[RoutingRule]) -> tuple[RoutingRule, ...]:
    found: tuple[RoutingRule, ...] = c.as_tuple(value)
    return found


def _key(p: c.Problems, value: object, what: str) -> None:
    c.text(p, "key", value, what)
    if type(value) is str and any(ch.isspace() for ch in value):
        p.append(Problem("key", f"{what} has no spaces (it is an id)", value))


def _names(p: c.Problems, path: str, value: object, what: str) -> None:
    if type(value) is not frozenset:
        p.append(Problem(path, f"a set of {what}s (a list is fine)", value))
        return
    for item in sorted(value, key=repr):
        c.text(p, path, item, what)


def _unique(p: c.Problems, path: str, keys: list[str], what: str) -> None:
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            msg = f"{what} {key!r} is listed twice (also {path}[{seen[key]}])"
            p.append(Problem(f"{path}[{i}].key", msg))
        seen.setdefault(key, i)


@attrs.frozen(kw_only=True)
class Absence(Spec):
    """A member away from ``start`` to ``end``, both days included (vacation, sick leave).

    Days are the member's local days (their calendar's zone, else their team's).

    >>> from datetime import date
    >>> import leadmodel as lm
    >>> lm.Absence(start=date(2026, 8, 3), end=date(2026, 8, 14), reason="vacation").days
    12
    """

    start: date
    end: date
    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        for name in ("start", "end"):
            value = getattr(self, name)
            if type(value) is not date:
                p.append(Problem(name, "a date (YYYY-MM-DD)", value))
        c.opt_text(p, "reason", self.reason, "the reason")
        if not p and self.end < self.start:
            p.append(Problem("end", f"the absence ends before it starts ({self.start})", self.end))
        if p:
            c.fail("Absence", p)

    @property
    def days(self) -> int:
        """How many days the absence covers.

        >>> from datetime import date
        >>> import leadmodel as lm
        >>> lm.Absence(start=date(2026, 1, 1), end=date(2026, 1, 1)).days
        1
        """
        return (self.end - self.start).days + 1

    def covers(self, day: date) -> bool:
        """Whether ``day`` is one of the absence's days.

        >>> from datetime import date
        >>> import leadmodel as lm
        >>> away = lm.Absence(start=date(2026, 8, 3), end=date(2026, 8, 14))
        >>> away.covers(date(2026, 8, 14)), away.covers(date(2026, 8, 15))
        (True, False)
        """
        return self.start <= day <= self.end


@attrs.frozen(kw_only=True)
class Member(Spec):
    """One person who takes leads.

    ``weight`` counts for the ``weighted`` strategy; ``capacity`` is how many leads a day they
    take, counted over the last 24 hours (``None``: no limit; Odoo's monthly capacity of 90
    is a daily 3, its rule ``ceil(month / 30)``); ``skills`` and ``languages`` are what rules
    may require; ``calendar`` is their working time (else their team's, else always open);
    ``active`` is ``False`` for someone who left or is paused; ``absences`` lists their days
    away.

    >>> import leadmodel as lm
    >>> lm.Member(key="anna", capacity=3, languages=["uk", "en"]).daily_quota
    3
    """

    key: str
    weight: int = 1
    capacity: int | None = None
    skills: frozenset[str] = attrs.field(default=frozenset(), converter=_texts)
    languages: frozenset[str] = attrs.field(default=frozenset(), converter=_texts)
    calendar: WorkCalendar | None = None
    active: bool = True
    absences: tuple[Absence, ...] = attrs.field(default=(), converter=_absences)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _key(p, self.key, "the member's key")
        if type(self.weight) is not int or not 1 <= self.weight <= MAX_WEIGHT:
            p.append(Problem("weight", "a whole number from 1 to 1000", self.weight))
        if self.capacity is not None and (
            type(self.capacity) is not int or not 0 <= self.capacity <= MAX_CAPACITY
        ):
            p.append(Problem("capacity", "leads a day: a whole number, 0 or more", self.capacity))
        _names(p, "skills", self.skills, "skill")
        _names(p, "languages", self.languages, "language")
        c.opt_instance(p, "calendar", self.calendar, WorkCalendar)
        c.flag(p, "active", self.active)
        c.tuple_of(p, "absences", self.absences, Absence)
        if p:
            c.fail("Member", p)

    @property
    def daily_quota(self) -> int | None:
        """How many leads a day they take (``None``: no limit; 0 takes none).

        >>> import leadmodel as lm
        >>> lm.Member(key="ivan", capacity=1).daily_quota, lm.Member(key="olha").daily_quota
        (1, None)
        """
        return self.capacity

    def absent_on(self, day: date) -> Absence | None:
        """The absence covering ``day``, if any.

        >>> from datetime import date
        >>> import leadmodel as lm
        >>> away = lm.Absence(start=date(2026, 8, 3), end=date(2026, 8, 14), reason="vacation")
        >>> lm.Member(key="anna", absences=[away]).absent_on(date(2026, 8, 5)).reason
        'vacation'
        """
        return next((a for a in self.absences if a.covers(day)), None)


@attrs.frozen(kw_only=True)
class Team(Spec):
    """Members who share leads, in order, and how they share them.

    ``calendar`` is the team's working time, used for members without their own.

    >>> import leadmodel as lm
    >>> team = lm.Team(key="kyiv", members=[lm.Member(key="anna")], strategy="weighted")
    >>> team.strategy is lm.Strategy.weighted, team.member("anna").key
    (True, 'anna')
    """

    key: str
    members: tuple[Member, ...] = attrs.field(converter=_members)
    strategy: Strategy = attrs.field(default=Strategy.round_robin, converter=Strategy)
    calendar: WorkCalendar | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _key(p, self.key, "the team's key")
        c.tuple_of(p, "members", self.members, Member)
        c.opt_instance(p, "calendar", self.calendar, WorkCalendar)
        if not p:
            if not self.members:
                p.append(Problem("members", "a team needs at least one member"))
            elif len(self.members) > MAX_MEMBERS:
                msg = f"{len(self.members):,} members; a team has at most {MAX_MEMBERS:,}"
                p.append(Problem("members", msg))
            _unique(p, "members", [m.key for m in self.members], "member")
        if p:
            c.fail("Team", p)

    def member(self, key: str) -> Member:
        """The member with this key (a :class:`~leadmodel.errors.ValidationError` if none).

        >>> import leadmodel as lm
        >>> lm.Team(key="kyiv", members=[lm.Member(key="anna")]).member("ivan")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: Team.member: team 'kyiv' has no member 'ivan'; ...
        """
        for found in self.members:
            if found.key == key:
                return found
        keys = ", ".join(m.key for m in self.members)
        msg = f"team {self.key!r} has no member {key!r}; its members: {keys}"
        raise ValidationError([Problem("member", msg)], model="Team")

    def calendar_of(self, member: Member) -> WorkCalendar:
        """The working time that counts for ``member``: theirs, else the team's, else always.

        >>> import leadmodel as lm
        >>> team = lm.Team(key="kyiv", members=[lm.Member(key="anna")])
        >>> team.calendar_of(team.member("anna")) == lm.WorkCalendar.always()
        True
        """
        return member.calendar or self.calendar or WorkCalendar.always()


@attrs.frozen(kw_only=True)
class RoutingRule(Spec):
    """Which leads go to ``team``: those matching every condition of ``when`` (none: all).

    ``strategy`` overrides the team's for these leads; ``skills`` must all be the member's;
    ``languages``: the member must speak one of them.

    >>> import leadmodel as lm
    >>> rule = lm.RoutingRule(key="big-b2b", team="b2b",
    ...     when=[lm.FieldBetween(field="expected_value.amount", low=100000)],
    ...     skills=["enterprise"])
    >>> rule.describe()
    "rule 'big-b2b': expected_value.amount at least 100000 -> team 'b2b'"
    """

    key: str
    team: str
    when: tuple[FitCondition, ...] = attrs.field(default=(), converter=_conditions)
    strategy: Strategy | None = None
    skills: frozenset[str] = attrs.field(default=frozenset(), converter=_texts)
    languages: frozenset[str] = attrs.field(default=frozenset(), converter=_texts)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _key(p, self.key, "the rule's key")
        c.text(p, "team", self.team, "the team's key")
        if type(self.when) is not tuple:
            p.append(Problem("when", "a list of conditions", self.when))
        if self.strategy is not None:
            c.member(p, "strategy", self.strategy, Strategy)
        _names(p, "skills", self.skills, "skill")
        _names(p, "languages", self.languages, "language")
        if p:
            c.fail("RoutingRule", p)

    def describe(self) -> str:
        """The rule in words.

        >>> import leadmodel as lm
        >>> lm.RoutingRule(key="rest", team="kyiv").describe()
        "rule 'rest': every lead -> team 'kyiv'"
        """
        conditions = " and ".join(cond.describe() for cond in self.when) or "every lead"
        return f"rule {self.key!r}: {conditions} -> team {self.team!r}"


@attrs.frozen(kw_only=True)
class Router(Spec):
    """Teams, the rules that choose among them (tried in order), and the fallback.

    ``key`` names the router's state where services store it (``"default"``).

    >>> import leadmodel as lm
    >>> lm.Router(teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna")])],
    ...     rules=[lm.RoutingRule(key="all", team="lviv")])
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Router.rules[0].team: no team 'lviv'; teams: kyiv
    """

    teams: tuple[Team, ...] = attrs.field(converter=_teams)
    rules: tuple[RoutingRule, ...] = attrs.field(converter=_rules)
    fallback: Fallback = attrs.field(default=Fallback.queue, converter=Fallback)
    key: str = "default"

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _key(p, self.key, "the router's key")
        c.tuple_of(p, "teams", self.teams, Team)
        c.tuple_of(p, "rules", self.rules, RoutingRule)
        if not p:
            if len(self.rules) > MAX_RULES:
                msg = f"{len(self.rules):,} rules; a router holds at most {MAX_RULES:,}"
                p.append(Problem("rules", msg))
            _unique(p, "teams", [t.key for t in self.teams], "team")
            _unique(p, "rules", [r.key for r in self.rules], "rule")
            known = {t.key for t in self.teams}
            names = ", ".join(t.key for t in self.teams) or "none"
            for i, rule in enumerate(self.rules):
                if rule.team not in known:
                    msg = f"no team {rule.team!r}; teams: {names}"
                    p.append(Problem(f"rules[{i}].team", msg))
        if p:
            c.fail("Router", p)

    def team(self, key: str) -> Team:
        """The team with this key (a :class:`~leadmodel.errors.ValidationError` if none).

        >>> import leadmodel as lm
        >>> router = lm.Router(teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna")])],
        ...     rules=[])
        >>> router.team("kyiv").key
        'kyiv'
        """
        for found in self.teams:
            if found.key == key:
                return found
        names = ", ".join(t.key for t in self.teams) or "none"
        raise ValidationError([Problem("team", f"no team {key!r}; teams: {names}")], model="Router")
