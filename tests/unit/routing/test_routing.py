"""Routing: the rules choose a team, the strategy a member, the state is a value; why is told."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday: 11:30 in Kyiv
KYIV_DAY = lm.WorkCalendar(
    time_zone="Europe/Kyiv", week={d: [lm.Shift(start=time(9), end=time(18))] for d in range(5)}
)
KYIV_NIGHT = lm.WorkCalendar(
    time_zone="Europe/Kyiv", week={d: [lm.Shift(start=time(22), end=time(6))] for d in range(7)}
)


def lead(n: int = 1, **fields: Any) -> lm.Lead:
    made: dict[str, Any] = {
        "id": lm.LeadId(f"lead-{n}"),
        "person_name": "Olena Koval",
        "topic": "Chairs",
        "contact_points": (lm.ContactPoint.email(f"buyer{n}@mebli.ua"),),
        "source": lm.Source(channel=lm.Channel.form),
        "created_at": AT,
    }
    made.update(fields)
    return lm.Lead(**made)


def router(*members: lm.Member, strategy: str = "round_robin", **options: Any) -> lm.Router:
    team = lm.Team(key="kyiv", members=members, strategy=strategy)
    return lm.Router(teams=[team], rules=[lm.RoutingRule(key="all", team="kyiv")], **options)


def run(made: lm.Router, k: int, *, at: datetime = AT, **options: Any) -> list[str | None]:
    state, owners = lm.RoutingState(), []
    for n in range(k):
        decision = lm.route(lead(n), made, state, at=at + timedelta(seconds=n), **options)
        owners.append(decision.owner)
        state = decision.state
    return owners


# -- rules ------------------------------------------------------------------------------------
def test_the_first_matching_rule_picks_the_team_and_why_names_it() -> None:
    teams = [
        lm.Team(key="b2b", members=[lm.Member(key="boris")]),
        lm.Team(key="retail", members=[lm.Member(key="anna")]),
    ]
    big_value = lm.FieldBetween(field="expected_value.amount", low=100000)
    by_telegram = lm.FieldIs(field="source.channel", values=("telegram",))
    rules = [
        lm.RoutingRule(key="big", team="b2b", when=[big_value]),
        lm.RoutingRule(key="telegram", team="retail", when=[by_telegram]),
        lm.RoutingRule(key="rest", team="retail"),
    ]
    made = lm.Router(teams=teams, rules=rules)
    big = lead(expected_value=lm.Money.of("250000", "UAH"))
    decision = lm.route(big, made, lm.RoutingState(), at=AT)
    assert (decision.owner, decision.team, decision.rule) == ("boris", "b2b", "big")
    assert "rule 'big'" in decision.why
    assert decision.tried == ("big",)
    small = lm.route(lead(), made, lm.RoutingState(), at=AT)
    assert (small.rule, small.owner) == ("rest", "anna")


def test_no_matching_rule_queues_the_lead_with_the_reason() -> None:
    made = lm.Router(
        teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna")])],
        rules=[lm.RoutingRule(key="vip", team="kyiv", when=[lm.HasTag(tag="vip")])],
    )
    decision = lm.route(lead(), made, lm.RoutingState(), at=AT)
    assert decision.queued
    assert decision.why == "no rule matched the lead: queued"
    assert decision.state == lm.RoutingState()


# -- eligibility ------------------------------------------------------------------------------
def test_inactive_absent_off_shift_at_capacity_and_unskilled_members_are_skipped() -> None:
    away = lm.Absence(start=date(2026, 3, 1), end=date(2026, 3, 8), reason="vacation")
    members = [
        lm.Member(key="gone", active=False),
        lm.Member(key="away", absences=[away]),
        lm.Member(key="night", calendar=KYIV_NIGHT),
        lm.Member(key="full", capacity=1),
        lm.Member(key="ok"),
    ]
    made = lm.Router(
        teams=[lm.Team(key="kyiv", members=members)],
        rules=[lm.RoutingRule(key="all", team="kyiv")],
    )
    state = lm.RoutingState(recent={"full": (AT - timedelta(hours=1),)})  # 1 of 1 today
    decision = lm.route(lead(), made, state, at=AT)
    assert decision.owner == "ok"
    reasons = {skip.member: skip.reason for skip in decision.skipped}
    assert reasons == {
        "gone": lm.SkipReason.inactive,
        "away": lm.SkipReason.absent,
        "night": lm.SkipReason.off_shift,
        "full": lm.SkipReason.at_quota,
    }
    detail = {skip.member: skip.detail for skip in decision.skipped}
    assert detail["away"] == "2026-03-01..2026-03-08 (vacation)"
    assert detail["full"] == "1 of 1 in 24 h"
    assert detail["night"] == "opens 2026-03-02T22:00:00+02:00"


def test_a_capacity_counts_the_last_24_hours_only() -> None:
    made = router(lm.Member(key="anna", capacity=2))
    assert run(made, 3) == ["anna", "anna", None]
    state = lm.RoutingState(recent={"anna": (AT - timedelta(hours=25), AT - timedelta(hours=1))})
    assert lm.route(lead(), made, state, at=AT).owner == "anna"


def test_rule_skills_and_languages_select_members() -> None:
    team = lm.Team(
        key="kyiv",
        members=[
            lm.Member(key="anna", languages=["uk"]),
            lm.Member(key="john", languages=["en"], skills=["enterprise"]),
        ],
    )
    rules = [lm.RoutingRule(key="en", team="kyiv", languages=["en", "de"], skills=["enterprise"])]
    decision = lm.route(lead(), lm.Router(teams=[team], rules=rules), lm.RoutingState(), at=AT)
    assert decision.owner == "john"
    assert [s.reason for s in decision.skipped] == [lm.SkipReason.lacks_skill]


# -- fallbacks --------------------------------------------------------------------------------
def test_fallbacks_next_rule_queue_and_when_open() -> None:
    night = lm.Team(key="night", members=[lm.Member(key="nina", calendar=KYIV_NIGHT)])
    day = lm.Team(key="day", members=[lm.Member(key="dan", calendar=KYIV_DAY)])
    rules = [lm.RoutingRule(key="night", team="night"), lm.RoutingRule(key="day", team="day")]

    def decide(fallback: str) -> lm.Assignment:
        made = lm.Router(teams=[night, day], rules=rules, fallback=fallback)
        return lm.route(lead(), made, lm.RoutingState(), at=AT)  # 11:30 Kyiv: night closed

    nxt = decide("next_rule")
    assert (nxt.owner, nxt.rule, nxt.tried) == ("dan", "day", ("night", "day"))
    queued = decide("queue")
    assert queued.queued
    assert "team 'night'" in queued.why
    later = decide("when_open")
    assert later.owner == "nina"
    assert later.starts_at == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 22:00 Kyiv (UTC+2)


# -- strategies -------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(0, 60))
def test_round_robin_gives_each_floor_or_ceil_of_k_over_n(n: int, k: int) -> None:
    owners = run(router(*(lm.Member(key=f"m{i}") for i in range(n))), k)
    counts = Counter(owners)
    assert all(k // n <= counts[f"m{i}"] <= -(-k // n) for i in range(n))


@settings(max_examples=30, deadline=None)
@given(weights=st.lists(st.integers(1, 5), min_size=1, max_size=5), cycles=st.integers(1, 6))
def test_weighted_shares_follow_the_weights(weights: list[int], cycles: int) -> None:
    members = [lm.Member(key=f"m{i}", weight=w) for i, w in enumerate(weights)]
    owners = run(router(*members, strategy="weighted"), cycles * sum(weights))
    assert Counter(owners) == {f"m{i}": cycles * w for i, w in enumerate(weights)}


def test_least_loaded_first_available_and_capacity() -> None:
    members = (lm.Member(key="anna"), lm.Member(key="ivan"), lm.Member(key="olha"))
    loads = {"anna": 7, "ivan": 2, "olha": 2}
    made = router(*members, strategy="least_loaded")
    least = lm.route(lead(), made, lm.RoutingState(), at=AT, loads=loads)
    assert least.owner == "ivan"  # a tie goes to the one listed first
    assert run(router(*members, strategy="first_available"), 3) == ["anna"] * 3
    quota = (lm.Member(key="anna", capacity=1), lm.Member(key="ivan", capacity=3))
    assert run(router(*quota, strategy="capacity"), 5) == ["anna", "ivan", "ivan", "ivan", None]


@st.composite
def routers(draw: st.DrawFn) -> lm.Router:
    absences = st.builds(
        lambda d, n: lm.Absence(start=d, end=d + timedelta(days=n)),
        st.dates(date(2026, 2, 25), date(2026, 3, 5)),
        st.integers(0, 3),
    )
    members = [
        lm.Member(
            key=f"m{i}",
            weight=draw(st.integers(1, 3)),
            capacity=draw(st.none() | st.integers(0, 3)),
            active=draw(st.booleans()),
            calendar=draw(st.sampled_from([None, KYIV_DAY, KYIV_NIGHT])),
            absences=draw(st.lists(absences, max_size=1)),
        )
        for i in range(draw(st.integers(1, 5)))
    ]
    strategy = draw(st.sampled_from(list(lm.Strategy)))
    fallback = draw(st.sampled_from(list(lm.Fallback)))
    return router(*members, strategy=strategy, fallback=fallback)


@settings(max_examples=60, deadline=None)
@given(made=routers(), k=st.integers(1, 20), start=st.integers(0, 7 * 24))
def test_nobody_ineligible_is_chosen_and_the_same_inputs_decide_the_same(
    made: lm.Router, k: int, start: int
) -> None:
    state = lm.RoutingState()
    team = made.teams[0]
    for n in range(k):
        at = AT + timedelta(hours=start, minutes=17 * n)
        decision = lm.route(lead(n), made, state, at=at)
        assert decision == lm.route(lead(n), made, state, at=at)  # pure
        assert decision.queued or "rule 'all'" in decision.why
        if decision.owner is not None:
            member = team.member(decision.owner)
            calendar = team.calendar_of(member)
            assert member.active
            assert member.absent_on(at.astimezone(ZoneInfo(calendar.time_zone)).date()) is None
            quota, given = member.daily_quota, state.given_since(member.key, at - timedelta(1))
            assert quota is None or given < quota
            assert calendar.is_open(at) if decision.starts_at is None else decision.starts_at > at
        state = decision.state


# -- data -------------------------------------------------------------------------------------
def test_routers_and_states_are_data() -> None:
    away = lm.Absence(start=date(2026, 8, 3), end=date(2026, 8, 14))
    anna = lm.Member(key="anna", calendar=KYIV_DAY, absences=[away], skills=["b2b"])
    made = router(anna, strategy="weighted", fallback="when_open")
    assert lm.Router.from_dict(made.to_dict()) == made
    decision = lm.route(lead(), made, lm.RoutingState(), at=AT)
    assert decision.owner == "anna"
    assert lm.RoutingState.from_dict(decision.state.to_dict()) == decision.state


def test_bad_routers_name_every_problem() -> None:
    with pytest.raises(lm.ValidationError, match="twice"):
        lm.Router(
            teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna"), lm.Member(key="anna")])],
            rules=[lm.RoutingRule(key="a", team="kyiv")],
        )
    with pytest.raises(lm.ValidationError) as members:
        lm.Member(key="an na", weight=0, capacity=-1, skills="sales")
    paths = sorted(p.path for p in members.value.problems)
    assert paths == ["capacity", "key", "skills", "weight"]
    naive = datetime(2026, 3, 2)
    with pytest.raises(lm.ValidationError, match=r"route\.at"):
        lm.route(lead(), router(lm.Member(key="anna")), lm.RoutingState(), at=naive)
