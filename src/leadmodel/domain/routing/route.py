"""The routing decision: which rule, which team, which member — and why.

:func:`route` is pure: the same lead, router, state, time and loads always give the same
:class:`~leadmodel.domain.routing.state.Assignment`, whose ``state`` the caller keeps for the
next decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from leadmodel._kernel import checks as c
from leadmodel.domain.model import Lead
from leadmodel.domain.routing.spec import (
    Absence,
    Fallback,
    Member,
    Router,
    RoutingRule,
    Strategy,
    Team,
)
from leadmodel.domain.routing.state import DAY, Assignment, RoutingState, Skip, SkipReason
from leadmodel.domain.worktime import WorkCalendar
from leadmodel.errors import Problem

__all__ = ["route"]


def route(
    lead: Lead,
    router: Router,
    state: RoutingState,
    *,
    at: datetime,
    loads: Mapping[str, int] | None = None,
) -> Assignment:
    """Choose who gets ``lead`` at ``at``: the first rule whose conditions the lead meets
    picks a team; the team's (or the rule's) strategy picks among its eligible members.

    A member is eligible when active, not absent on their local day, has the skills and one
    of the languages the rule asks for, is below their daily capacity (counted in ``state``
    over the last 24 hours) and is on shift (their calendar, else the team's, is open at
    ``at``). ``loads`` (member → open leads, counted by the caller) serves ``least_loaded``;
    a member missing from it counts 0. When a team has nobody eligible, the router's
    fallback decides (next rule, queue, or the member whose shift opens first). The
    :class:`Assignment` says why, in words and data, and carries the next state.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> router = lm.Router(teams=[lm.Team(key="kyiv", members=[
    ...         lm.Member(key="anna"), lm.Member(key="ivan", active=False),
    ...         lm.Member(key="olha")])],
    ...     rules=[lm.RoutingRule(key="all", team="kyiv")])
    >>> first = lm.route(lead, router, lm.RoutingState(), at=at)
    >>> first.owner, first.why
    ('anna', "rule 'all': every lead -> team 'kyiv'; round_robin chose anna of anna, olha")
    >>> [skip.describe() for skip in first.skipped]
    ['ivan (kyiv): inactive']
    >>> lm.route(lead, router, first.state, at=at).owner
    'olha'
    """
    p: c.Problems = []
    c.instance(p, "lead", lead, Lead)
    c.instance(p, "router", router, Router)
    c.instance(p, "state", state, RoutingState)
    c.aware(p, "at", at)
    if loads is not None and not (
        isinstance(loads, Mapping) and all(type(v) is int and v >= 0 for v in loads.values())
    ):
        p.append(Problem("loads", "open leads by member: whole numbers, 0 or more", loads))
    if p:
        c.fail("route", p)
    tried: list[str] = []
    skipped: list[Skip] = []
    for rule in router.rules:
        if not all(condition.matches(lead) for condition in rule.when):
            continue
        tried.append(rule.key)
        team = router.team(rule.team)
        eligible = _eligible(team, rule, state, at, skipped)
        if eligible:
            return _choose(
                team,
                rule,
                rule.strategy or team.strategy,
                eligible,
                state,
                at=at,
                loads=loads or {},
                tried=tried,
                skipped=skipped,
            )
        if router.fallback is Fallback.next_rule:
            continue
        if router.fallback is Fallback.when_open:
            return _when_open(team, rule, state, at=at, tried=tried, skipped=skipped)
        break
    if tried:
        teams = ", ".join(dict.fromkeys(repr(r.team) for r in router.rules if r.key in tried))
        why = f"nobody eligible in team {teams} (rules {', '.join(tried)}): queued"
    else:
        why = "no rule matched the lead: queued"
    return Assignment(
        owner=None,
        team=None,
        rule=None,
        strategy=None,
        why=why,
        state=state,
        tried=tuple(tried),
        skipped=tuple(skipped),
    )


def _eligible(
    team: Team,
    rule: RoutingRule,
    state: RoutingState,
    at: datetime,
    skipped: list[Skip],
    *,
    shift: bool = True,
) -> list[Member]:
    found = []
    for member in team.members:
        why = _unfit(team, rule, member, state, at, shift=shift)
        if why is None:
            found.append(member)
        else:
            skipped.append(Skip(team=team.key, member=member.key, reason=why[0], detail=why[1]))
    return found


def _unfit(
    team: Team,
    rule: RoutingRule,
    member: Member,
    state: RoutingState,
    at: datetime,
    *,
    shift: bool,
) -> tuple[SkipReason, str | None] | None:
    """Why ``member`` cannot take the lead now (the first reason found), or ``None``.

    Cheapest checks first; the calendar is asked only about a member who passed the rest."""
    calendar = team.calendar_of(member)
    found = (
        _unavailable(member, calendar, at) or _unsuited(rule, member) or _full(member, state, at)
    )
    if found is None and shift and not calendar.is_open(at):
        found = SkipReason.off_shift, f"opens {calendar.next_open(at).isoformat()}"
    return found


Unfit = tuple[SkipReason, str | None]


def _unavailable(member: Member, calendar: WorkCalendar, at: datetime) -> Unfit | None:
    if not member.active:
        return SkipReason.inactive, None
    away = member.absent_on(at.astimezone(ZoneInfo(calendar.time_zone)).date())
    return None if away is None else (SkipReason.absent, _away(away))


def _unsuited(rule: RoutingRule, member: Member) -> Unfit | None:
    if rule.skills and not rule.skills <= member.skills:
        return SkipReason.lacks_skill, ", ".join(sorted(rule.skills - member.skills))
    if rule.languages and not rule.languages & member.languages:
        return SkipReason.lacks_language, ", ".join(sorted(rule.languages))
    return None


def _full(member: Member, state: RoutingState, at: datetime) -> Unfit | None:
    quota = member.daily_quota
    if quota is None:
        return None
    given = state.given_since(member.key, at - DAY)
    return (SkipReason.at_quota, f"{given} of {quota} in 24 h") if given >= quota else None


def _away(absence: Absence | None) -> str | None:
    if absence is None:  # pragma: no cover - called only for an absence
        return None
    said = f"{absence.start}..{absence.end}"
    return f"{said} ({absence.reason})" if absence.reason else said


def _choose(
    team: Team,
    rule: RoutingRule,
    strategy: Strategy,
    eligible: Sequence[Member],
    state: RoutingState,
    *,
    at: datetime,
    loads: Mapping[str, int],
    tried: list[str],
    skipped: list[Skip],
) -> Assignment:
    credits: dict[str, int] | None = None
    if strategy is Strategy.round_robin:
        chosen = _next_in_turn(team, eligible, state.cursors.get(team.key))
    elif strategy is Strategy.weighted:
        chosen, credits = _weighted(eligible, state.credits.get(team.key, {}))
    elif strategy is Strategy.least_loaded:
        chosen = min(eligible, key=lambda m: loads.get(m.key, 0))
    elif strategy is Strategy.capacity:
        chosen = max(eligible, key=lambda m: _room(m, state, at))
    else:
        chosen = eligible[0]
    names = ", ".join(m.key for m in eligible)
    return Assignment(
        owner=chosen.key,
        team=team.key,
        rule=rule.key,
        strategy=strategy.value,
        why=f"{rule.describe()}; {strategy.value} chose {chosen.key} of {names}",
        state=state.after(at=at, team=team.key, member=chosen.key, credits=credits),
        tried=tuple(tried),
        skipped=tuple(skipped),
    )


def _next_in_turn(team: Team, eligible: Sequence[Member], last: str | None) -> Member:
    """The first eligible member after ``last`` in the team's order (wrapping around)."""
    order = [m.key for m in team.members]
    start = order.index(last) + 1 if last in order else 0
    keys = {m.key: m for m in eligible}
    for i in range(len(order)):
        key = order[(start + i) % len(order)]
        if key in keys:
            return keys[key]
    return eligible[0]  # pragma: no cover - eligible members are the team's


def _weighted(
    eligible: Sequence[Member], credits: Mapping[str, int]
) -> tuple[Member, dict[str, int]]:
    """Smooth weighted round robin: every eligible member earns its weight; the richest wins
    and pays the total. Shares follow the weights exactly over each cycle."""
    total = sum(m.weight for m in eligible)
    earned = {m.key: credits.get(m.key, 0) + m.weight for m in eligible}
    chosen = max(eligible, key=lambda m: earned[m.key])  # first listed wins a tie
    earned[chosen.key] -= total
    return chosen, {**credits, **earned}


def _room(member: Member, state: RoutingState, at: datetime) -> float:
    quota = member.daily_quota
    if quota is None:
        return float("inf")
    return (quota - state.given_since(member.key, at - DAY)) / max(quota, 1)


def _when_open(
    team: Team,
    rule: RoutingRule,
    state: RoutingState,
    *,
    at: datetime,
    tried: list[str],
    skipped: list[Skip],
) -> Assignment:
    """The member whose shift opens first (skipping only the inactive, absent, at capacity
    or unskilled); queued when nobody is left."""
    candidates = _eligible(team, rule, state, at, [], shift=False)
    if not candidates:
        return Assignment(
            owner=None,
            team=team.key,
            rule=rule.key,
            strategy=None,
            why=f"{rule.describe()}; nobody in team {team.key!r} can take it: queued",
            state=state,
            tried=tuple(tried),
            skipped=tuple(skipped),
        )
    opens = [(team.calendar_of(m).next_open(at), i, m) for i, m in enumerate(candidates)]
    starts_at, _, chosen = min(opens, key=lambda found: (found[0], found[1]))
    return Assignment(
        owner=chosen.key,
        team=team.key,
        rule=rule.key,
        strategy=Fallback.when_open.value,
        why=f"{rule.describe()}; nobody on shift: {chosen.key} opens first, at "
        f"{starts_at.isoformat()}",
        state=state.after(at=at, team=team.key, member=chosen.key),
        tried=tuple(tried),
        skipped=tuple(skipped),
        starts_at=starts_at,
    )
