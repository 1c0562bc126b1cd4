"""SLA policies and clocks: what a lead is owed, counted in business time, and what is late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.testing import strategies as lst

KYIV = ZoneInfo("Europe/Kyiv")
TOKYO = ZoneInfo("Asia/Tokyo")
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
WEEKDAYS = lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
KYIV_ALWAYS = lm.WorkCalendar(
    time_zone="Europe/Kyiv", week={d: [lm.Shift(start="00:00", end="00:00")] for d in range(7)}
)
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=KYIV)  # the first working minute of the week
FIRST = lm.SlaPolicy(key="standard", first_response=HOUR, calendar=WEEKDAYS)
BOTH = lm.SlaPolicy(key="both", first_response=HOUR, rolling_response=2 * HOUR, calendar=WEEKDAYS)
ROLLING = lm.SlaPolicy(key="rolling", rolling_response=2 * HOUR, calendar=WEEKDAYS)


def lead(created_at: datetime = MONDAY, **fields: Any) -> lm.Lead:
    made: dict[str, Any] = {
        "id": lm.LeadId("lead-1"),
        "person_name": "Olena Koval",
        "topic": "Chairs",
        "contact_points": (lm.ContactPoint.email("olena@mebli.ua"),),
        "source": lm.Source(channel=lm.Channel.form),
        "created_at": created_at,
    }
    made.update(fields)
    return lm.Lead(**made)


def inbound(made: lm.Lead, at: datetime, kind: lm.ActivityKind = lm.ActivityKind.email) -> lm.Lead:
    return lm.log_activity(made, lm.Activity(at=at, kind=kind, direction=lm.Direction.inbound))


def note(made: lm.Lead, at: datetime) -> lm.Lead:
    activity = lm.Activity(at=at, kind=lm.ActivityKind.note, direction=lm.Direction.internal)
    return lm.log_activity(made, activity)


def clock(made: lm.Lead, policy: lm.SlaPolicy, at: datetime) -> lm.SlaClock:
    found = lm.sla_clock(made, policy, at=at)
    assert found is not None
    return found


# -- first response: hand-worked cases --------------------------------------------------------
def test_a_saturday_lead_counts_from_mondays_first_working_minute() -> None:
    """The peer bug (Frappe helpdesk #2075): a lead that arrives on a non-working day is due an
    hour after Monday 09:00, not an hour after its arrival."""
    saturday = lead(datetime(2026, 3, 7, 12, 0, tzinfo=KYIV))
    on_sunday = clock(saturday, FIRST, datetime(2026, 3, 8, 20, 0, tzinfo=KYIV))
    assert on_sunday.due_at.isoformat() == "2026-03-09T10:00:00+02:00"
    assert (on_sunday.state, on_sunday.elapsed, on_sunday.remaining) == (
        lm.SlaState.due,
        0 * HOUR,
        HOUR,
    )
    assert on_sunday.started_at == saturday.created_at
    assert (on_sunday.kind, on_sunday.policy) == (lm.SlaKind.first_response, "standard")
    on_monday = clock(saturday, FIRST, datetime(2026, 3, 9, 9, 40, tzinfo=KYIV))
    assert (on_monday.elapsed, on_monday.remaining) == (40 * MINUTE, 20 * MINUTE)


def test_a_friday_evening_lead_is_due_on_monday_morning() -> None:
    friday = lead(datetime(2026, 3, 6, 17, 30, tzinfo=KYIV))
    found = clock(friday, FIRST, datetime(2026, 3, 7, 12, 0, tzinfo=KYIV))
    assert found.due_at.isoformat() == "2026-03-09T09:30:00+02:00"
    assert (found.state, found.elapsed, found.remaining) == (
        lm.SlaState.due,
        30 * MINUTE,
        30 * MINUTE,
    )


def test_a_lead_in_tokyo_counts_in_the_kyiv_teams_working_time() -> None:
    """03:00 on Saturday in Tokyo is 20:00 on Friday in Kyiv: closed until Monday 09:00."""
    from_tokyo = lead(datetime(2026, 3, 7, 3, 0, tzinfo=TOKYO))
    found = clock(from_tokyo, FIRST, datetime(2026, 3, 9, 17, 0, tzinfo=TOKYO))  # 10:00 Kyiv
    assert found.due_at.isoformat() == "2026-03-09T10:00:00+02:00"
    assert (found.state, found.elapsed, found.remaining) == (lm.SlaState.due, HOUR, 0 * HOUR)
    late = clock(from_tokyo, FIRST, datetime(2026, 3, 9, 17, 1, tzinfo=TOKYO))
    assert (late.state, late.remaining) == (lm.SlaState.breached, -MINUTE)


def test_the_dst_week_in_kyiv_keeps_working_hours_by_the_wall_clock() -> None:
    """Kyiv moves to summer time on Sunday 29 March 2026: Friday 17:30 (+02:00) is due on
    Monday 09:30 (+03:00), half an hour of business time each side of the weekend."""
    friday = lead(datetime(2026, 3, 27, 17, 30, tzinfo=KYIV))
    found = clock(friday, FIRST, datetime(2026, 3, 30, 9, 0, tzinfo=KYIV))
    assert found.due_at.isoformat() == "2026-03-30T09:30:00+03:00"
    assert (found.elapsed, found.remaining) == (30 * MINUTE, 30 * MINUTE)


@pytest.mark.parametrize(
    ("created", "due"),
    [
        # spring: 03:00 does not happen; five hours from 23:00 end at 05:00 summer time
        (datetime(2026, 3, 28, 23, 0, tzinfo=KYIV), "2026-03-29T05:00:00+03:00"),
        # autumn: 03:00-04:00 happens twice; five hours from 23:00 end at the second 03:00
        (datetime(2026, 10, 24, 23, 0, tzinfo=KYIV), "2026-10-25T03:00:00+02:00"),
    ],
)
def test_an_always_open_kyiv_calendar_counts_real_hours_across_the_dst_night(
    created: datetime, due: str
) -> None:
    policy = lm.SlaPolicy(key="night", first_response=5 * HOUR, calendar=KYIV_ALWAYS)
    found = clock(lead(created), policy, created + 4 * HOUR)
    assert found.due_at.isoformat() == due
    assert found.due_at - created == 5 * HOUR  # real time: the calendar is always open
    assert (found.elapsed, found.remaining) == (4 * HOUR, HOUR)


def test_a_reply_by_the_due_time_meets_the_target() -> None:
    answered = lm.respond(lead(), at=MONDAY + 50 * MINUTE, by="anna")
    found = clock(answered, FIRST, MONDAY + 5 * HOUR)
    assert found.state is lm.SlaState.met
    assert found.answered_at == MONDAY + 50 * MINUTE
    assert (found.elapsed, found.remaining, found.escalations) == (50 * MINUTE, 10 * MINUTE, ())


def test_a_reply_exactly_at_the_due_time_is_on_time_and_an_unanswered_one_is_still_due() -> None:
    assert clock(lead(), FIRST, MONDAY + HOUR).state is lm.SlaState.due
    answered = lm.respond(lead(), at=MONDAY + HOUR, by="anna")
    assert clock(answered, FIRST, MONDAY + 2 * HOUR).state is lm.SlaState.met


def test_a_late_reply_is_breached_and_keeps_when_it_came() -> None:
    """Met late is breached: the state says late, ``answered_at`` says it was answered."""
    answered = lm.respond(lead(), at=MONDAY + 90 * MINUTE, by="anna")
    found = clock(answered, FIRST, MONDAY + timedelta(days=7))
    assert found.state is lm.SlaState.breached
    assert found.answered_at == MONDAY + 90 * MINUTE
    assert (found.elapsed, found.remaining, found.overdue) == (
        90 * MINUTE,
        -30 * MINUTE,
        30 * MINUTE,
    )


def test_an_unanswered_lead_past_its_due_time_is_breached_by_business_time_overdue() -> None:
    found = clock(lead(), FIRST, datetime(2026, 3, 10, 9, 30, tzinfo=KYIV))  # Tuesday
    assert found.state is lm.SlaState.breached
    assert found.answered_at is None
    assert found.overdue == 8 * HOUR + 30 * MINUTE  # the night does not count


def test_breached_out_of_hours_is_late_with_nothing_more_overdue() -> None:
    """Due at 18:00, still unanswered at 18:30: breached, though no business time passed."""
    afternoon = lead(datetime(2026, 3, 9, 17, 0, tzinfo=KYIV))
    found = clock(afternoon, FIRST, datetime(2026, 3, 9, 18, 30, tzinfo=KYIV))
    assert (found.state, found.remaining, found.overdue) == (
        lm.SlaState.breached,
        0 * HOUR,
        0 * HOUR,
    )


def test_the_clock_is_read_as_of_at_a_later_reply_is_not_yet() -> None:
    answered = lm.respond(lead(), at=MONDAY + 30 * MINUTE, by="anna")
    found = clock(answered, FIRST, MONDAY + 10 * MINUTE)
    assert (found.state, found.answered_at, found.elapsed) == (lm.SlaState.due, None, 10 * MINUTE)


def test_before_the_lead_exists_nothing_is_owed() -> None:
    assert lm.sla_clock(lead(), FIRST, at=MONDAY - MINUTE) is None
    assert lm.sla_clocks(lead(), [FIRST], at=MONDAY - MINUTE) == ()


# -- rolling response -------------------------------------------------------------------------
def test_a_later_inbound_contact_opens_a_rolling_clock_once_the_first_response_is_given() -> None:
    made = lm.respond(lead(), at=MONDAY + 20 * MINUTE, by="anna")
    made = inbound(made, MONDAY + 2 * HOUR)  # 11:00: a reply owed by 13:00
    running = clock(made, BOTH, MONDAY + 3 * HOUR)
    assert running.kind is lm.SlaKind.rolling_response
    assert running.started_at == MONDAY + 2 * HOUR
    assert running.due_at == MONDAY + 4 * HOUR
    assert (running.state, running.elapsed, running.remaining) == (lm.SlaState.due, HOUR, HOUR)
    assert clock(made, BOTH, MONDAY + 5 * HOUR).state is lm.SlaState.breached
    made = lm.respond(made, at=MONDAY + 3 * HOUR + 30 * MINUTE, by="anna")
    met = clock(made, BOTH, MONDAY + 8 * HOUR)
    assert (met.state, met.answered_at) == (lm.SlaState.met, MONDAY + 3 * HOUR + 30 * MINUTE)
    history = lm.sla_clocks(made, [BOTH], at=MONDAY + 8 * HOUR)
    assert [(c.kind, c.state) for c in history] == [
        (lm.SlaKind.first_response, lm.SlaState.met),
        (lm.SlaKind.rolling_response, lm.SlaState.met),
    ]


def test_before_the_first_response_only_the_first_response_clock_runs() -> None:
    made = inbound(lead(), MONDAY + 10 * MINUTE)  # the person writes again before any answer
    found = clock(made, BOTH, MONDAY + 30 * MINUTE)
    assert found.kind is lm.SlaKind.first_response
    assert len(lm.sla_clocks(made, [BOTH], at=MONDAY + 30 * MINUTE)) == 1


def test_several_inbound_contacts_before_an_answer_are_one_clock_from_the_earliest() -> None:
    made = lm.respond(lead(), at=MONDAY + 5 * MINUTE, by="anna")
    made = inbound(inbound(made, MONDAY + HOUR), MONDAY + 2 * HOUR)
    found = clock(made, BOTH, MONDAY + 150 * MINUTE)
    assert found.started_at == MONDAY + HOUR == lm.awaiting_reply(made)
    assert len(lm.sla_clocks(made, [BOTH], at=MONDAY + 150 * MINUTE)) == 2


def test_without_a_first_response_target_every_inbound_contact_is_owed_a_reply() -> None:
    assert lm.sla_clock(lead(), ROLLING, at=MONDAY + HOUR) is None  # creation is not inbound
    made = inbound(lead(), MONDAY + 10 * MINUTE)
    found = clock(made, ROLLING, MONDAY + HOUR)
    assert (found.kind, found.started_at) == (lm.SlaKind.rolling_response, MONDAY + 10 * MINUTE)


def test_a_note_neither_owes_nor_answers_a_reply() -> None:
    made = note(lm.respond(lead(), at=MONDAY + 5 * MINUTE, by="anna"), MONDAY + HOUR)
    assert clock(made, BOTH, MONDAY + 4 * HOUR).kind is lm.SlaKind.first_response
    made = note(inbound(made, MONDAY + 2 * HOUR), MONDAY + 150 * MINUTE)
    found = clock(made, BOTH, MONDAY + 3 * HOUR)
    assert (found.kind, found.answered_at) == (lm.SlaKind.rolling_response, None)


# -- closed leads -----------------------------------------------------------------------------
def lost(made: lm.Lead, at: datetime) -> lm.Lead:
    return attrs.evolve(made, lost=lm.LossInfo(status="lost", reason="no budget", at=at))


def test_a_lead_lost_before_its_reply_was_late_owes_nothing() -> None:
    gone = lost(lead(), MONDAY + 30 * MINUTE)
    assert lm.sla_clock(gone, FIRST, at=MONDAY + 5 * HOUR) is None


def test_a_lead_closed_while_late_stays_breached_frozen_at_the_close() -> None:
    gone = lost(lead(), MONDAY + 3 * HOUR)
    found = clock(gone, FIRST, MONDAY + timedelta(days=30))
    assert (found.state, found.closed_at, found.answered_at) == (
        lm.SlaState.breached,
        MONDAY + 3 * HOUR,
        None,
    )
    assert (found.elapsed, found.overdue) == (3 * HOUR, 2 * HOUR)
    converted = attrs.evolve(
        lead(), converted=lm.ConversionLinks(customer_id=lm.CustomerId("c-1"), at=MONDAY + 2 * HOUR)
    )
    assert clock(converted, FIRST, MONDAY + 9 * HOUR).closed_at == MONDAY + 2 * HOUR


def test_contacts_after_the_close_open_no_clock_and_a_close_after_at_is_not_yet() -> None:
    made = lm.respond(lead(), at=MONDAY + 5 * MINUTE, by="anna")
    made = inbound(made, MONDAY + 3 * HOUR)
    gone = lost(made, MONDAY + 2 * HOUR)
    found = clock(gone, BOTH, MONDAY + 8 * HOUR)
    assert (found.kind, found.state) == (lm.SlaKind.first_response, lm.SlaState.met)
    not_yet = clock(lost(lead(), MONDAY + 5 * HOUR), FIRST, MONDAY + 2 * HOUR)
    assert (not_yet.state, not_yet.closed_at, not_yet.elapsed) == (
        lm.SlaState.breached,
        None,
        2 * HOUR,
    )


# -- escalation -------------------------------------------------------------------------------
ESCALATING = lm.SlaPolicy(
    key="escalating",
    first_response=HOUR,
    calendar=WEEKDAYS,
    escalation=[
        lm.EscalationStep(after=timedelta(0), action="notify", to="head-of-sales"),
        lm.EscalationStep(after=30 * MINUTE, action="reassign", to="night"),
        lm.EscalationStep(after=4 * HOUR, action="raise_priority"),
    ],
)


@pytest.mark.parametrize(
    ("at", "actions"),
    [
        (MONDAY + 59 * MINUTE, []),
        (MONDAY + HOUR, []),  # due, not late
        (MONDAY + HOUR + MINUTE, ["notify"]),
        (MONDAY + 90 * MINUTE, ["notify", "reassign"]),
        (MONDAY + 5 * HOUR - MINUTE, ["notify", "reassign"]),
        (MONDAY + 5 * HOUR, ["notify", "reassign", "raise_priority"]),
        # 18:00 Monday to 09:00 Tuesday is closed: still 8 hours overdue, not 23
        (datetime(2026, 3, 10, 9, 0, tzinfo=KYIV), ["notify", "reassign", "raise_priority"]),
    ],
)
def test_escalation_steps_fall_due_in_order_by_business_time_overdue(
    at: datetime, actions: list[str]
) -> None:
    found = clock(lead(), ESCALATING, at)
    assert [step.action.value for step in found.escalations] == actions


def test_steps_of_a_late_reply_stay_as_they_were_when_it_came() -> None:
    answered = lm.respond(lead(), at=MONDAY + 2 * HOUR, by="anna")
    found = clock(answered, ESCALATING, MONDAY + timedelta(days=3))
    assert [step.to for step in found.escalations] == ["head-of-sales", "night"]
    on_time = lm.respond(lead(), at=MONDAY + HOUR, by="anna")
    assert clock(on_time, ESCALATING, MONDAY + timedelta(days=3)).escalations == ()


# -- which policy -----------------------------------------------------------------------------
VIP = lm.SlaPolicy(key="vip", when=[lm.HasTag(tag="vip")], first_response=15 * MINUTE)
CATCH_ALL = lm.SlaPolicy(key="rest", first_response=4 * HOUR)


def test_a_policy_covers_only_the_leads_meeting_its_conditions() -> None:
    assert lm.sla_clock(lead(), VIP, at=MONDAY + HOUR) is None
    vip = lead(tags=["vip"])
    assert clock(vip, VIP, MONDAY + HOUR).state is lm.SlaState.breached
    by_telegram = lm.SlaPolicy(
        key="telegram",
        when=[lm.FieldIs(field="source.channel", values=("telegram",))],
        first_response=HOUR,
    )
    assert lm.sla_clock(lead(), by_telegram, at=MONDAY) is None
    telegram = lead(source=lm.Source(channel=lm.Channel.telegram))
    assert clock(telegram, by_telegram, MONDAY).policy == "telegram"


def test_of_several_policies_the_first_that_applies_is_the_leads() -> None:
    vip = lead(tags=["vip"])
    assert {c.policy for c in lm.sla_clocks(vip, [VIP, CATCH_ALL], at=MONDAY + HOUR)} == {"vip"}
    assert {c.policy for c in lm.sla_clocks(vip, [CATCH_ALL, VIP], at=MONDAY + HOUR)} == {"rest"}
    assert {c.policy for c in lm.sla_clocks(lead(), [VIP, CATCH_ALL], at=MONDAY)} == {"rest"}
    assert lm.sla_clocks(lead(), [VIP], at=MONDAY) == ()
    assert lm.sla_clocks(lead(), iter([VIP, CATCH_ALL]), at=MONDAY)[0].policy == "rest"


def test_without_a_calendar_business_time_is_all_time() -> None:
    saturday = lead(datetime(2026, 3, 7, 12, 0, tzinfo=KYIV), tags=["vip"])
    found = clock(saturday, VIP, saturday.created_at + 10 * MINUTE)
    assert found.due_at == saturday.created_at + 15 * MINUTE
    assert found.remaining == 5 * MINUTE


# -- bad input --------------------------------------------------------------------------------
def test_a_bad_call_is_refused_with_every_problem() -> None:
    with pytest.raises(lm.ValidationError) as caught:
        lm.sla_clock("lead-1", "standard", at=datetime(2026, 3, 9, 9, 0))  # type: ignore[arg-type]
    assert {p.path for p in caught.value.problems} == {"lead", "policy", "at"}
    with pytest.raises(lm.ValidationError) as caught:
        lm.sla_clocks(lead(), [FIRST, "vip"], at=MONDAY)  # type: ignore[list-item]
    assert [p.path for p in caught.value.problems] == ["policies[1]"]


def test_a_policy_needs_a_target_and_steps_in_order_and_says_all_that_is_wrong() -> None:
    with pytest.raises(lm.ValidationError) as caught:
        lm.SlaPolicy(
            key="bad key",
            rolling_response=timedelta(0),
            escalation=[
                lm.EscalationStep(after=HOUR, action="notify"),
                lm.EscalationStep(after=HOUR, action="reassign"),
            ],
        )
    found = {p.path: p.message for p in caught.value.problems}
    assert set(found) == {"key", "rolling_response", "escalation[1].after"}
    assert "in order" in found["escalation[1].after"]
    with pytest.raises(lm.ValidationError, match="needs a target"):
        lm.SlaPolicy(key="none")


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"first_response": lm.MAX_SLA_TARGET + MINUTE}, "first_response"),
        ({"first_response": -HOUR}, "first_response"),
        ({"first_response": 60}, "first_response"),
        ({"first_response": HOUR, "calendar": "Europe/Kyiv"}, "calendar"),
        ({"first_response": HOUR, "when": "vip"}, "when"),
    ],
)
def test_a_policy_refuses_bad_fields(fields: dict[str, Any], path: str) -> None:
    with pytest.raises(lm.ValidationError) as caught:
        lm.SlaPolicy(key="p", **fields)
    assert [p.path for p in caught.value.problems] == [path]


def test_a_step_raising_the_priority_is_aimed_at_nobody() -> None:
    with pytest.raises(lm.ValidationError, match="aimed at nobody"):
        lm.EscalationStep(after=HOUR, action="raise_priority", to="anna")
    with pytest.raises(lm.ValidationError) as caught:
        lm.EscalationStep(after=-HOUR, action="shout")
    assert [p.path for p in caught.value.problems] == ["after", "action"]


def test_too_many_steps_are_refused_by_their_count_the_same_way_from_a_document() -> None:
    steps = [{"after": f"PT{n}M", "action": "notify"} for n in range(lm.MAX_ESCALATION_STEPS + 1)]
    with pytest.raises(lm.ValidationError) as from_document:
        lm.SlaPolicy.from_dict({"key": "p", "first_response": "PT1H", "escalation": steps})
    built = [lm.EscalationStep(after=n * MINUTE, action="notify") for n in range(len(steps))]
    with pytest.raises(lm.ValidationError) as from_constructor:
        lm.SlaPolicy(key="p", first_response=HOUR, escalation=built)
    message = f"{lm.MAX_ESCALATION_STEPS + 1:,} escalation steps"
    assert message in str(from_document.value)
    assert message in str(from_constructor.value)


# -- properties -------------------------------------------------------------------------------
CALENDARS = st.sampled_from([WEEKDAYS, KYIV_ALWAYS, lm.WorkCalendar.always()]) | lst.work_calendars(
    dates=st.dates(datetime(2020, 1, 1).date(), datetime(2031, 1, 1).date())
).filter(lambda calendar: bool(calendar.week))
# instants with the offset their zone has then, fixed: `+` on a zoned datetime adds wall time,
# and Python never finds a time in a DST gap or overlap equal to one in another zone
TIMES = st.datetimes(
    datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.sampled_from([UTC, KYIV, TOKYO])
).map(lambda t: t.astimezone(timezone(t.utcoffset() or timedelta(0))))
TARGETS = st.integers(1, 8 * 60).map(lambda n: timedelta(minutes=n))
OFFSETS = st.integers(0, 14 * 24 * 60).map(lambda n: timedelta(minutes=n))


@given(calendar=CALENDARS, created=TIMES, target=TARGETS, after=OFFSETS)
def test_an_unanswered_first_response_is_due_target_business_time_after_creation(
    calendar: lm.WorkCalendar, created: datetime, target: timedelta, after: timedelta
) -> None:
    policy = lm.SlaPolicy(key="p", first_response=target, calendar=calendar)
    at = created + after
    found = clock(lead(created), policy, at)
    assert found.due_at == calendar.add(created, target)
    assert found.elapsed == calendar.between(created, at)
    assert found.remaining == target - found.elapsed
    assert (found.state is lm.SlaState.breached) == (at > found.due_at)
    if found.state is lm.SlaState.due:
        assert found.remaining >= timedelta(0)


@given(
    calendar=CALENDARS,
    created=TIMES,
    target=TARGETS,
    answer=OFFSETS,
    after=OFFSETS,
    delays=st.sets(st.integers(0, 10 * 60), max_size=3),
)
def test_the_state_is_breached_iff_the_reply_was_not_given_by_the_due_time(
    *,
    calendar: lm.WorkCalendar,
    created: datetime,
    target: timedelta,
    answer: timedelta,
    after: timedelta,
    delays: set[int],
) -> None:
    steps = [lm.EscalationStep(after=n * MINUTE, action="notify") for n in sorted(delays)]
    policy = lm.SlaPolicy(key="p", first_response=target, calendar=calendar, escalation=steps)
    at, answered_at = created + after, created + answer
    found = clock(lm.respond(lead(created), at=answered_at, by="anna"), policy, at)
    given_by_at = answered_at <= at
    assert found.answered_at == (answered_at if given_by_at else None)
    stop = answered_at if given_by_at else at
    assert found.elapsed == calendar.between(created, stop)
    assert found.remaining == target - found.elapsed
    on_time = given_by_at and answered_at <= found.due_at
    late = answered_at > found.due_at if given_by_at else at > found.due_at
    assert (found.state is lm.SlaState.met) == on_time
    assert (found.state is lm.SlaState.breached) == late
    assert (found.state is lm.SlaState.due) == (not given_by_at and not late)
    overdue = -found.remaining if late else None
    expected = [s for s in steps if overdue is not None and s.after <= overdue]
    assert list(found.escalations) == expected


@st.composite
def timelines(draw: st.DrawFn) -> lm.Lead:
    """A lead created on a Monday with contacts each way over the next two weeks."""
    made = lead()
    offsets = sorted(draw(st.lists(st.integers(0, 14 * 24 * 60), max_size=8)))
    for minutes in offsets:
        direction = draw(st.sampled_from([lm.Direction.inbound, lm.Direction.outbound]))
        made = lm.log_activity(
            made,
            lm.Activity(
                at=MONDAY + minutes * MINUTE, kind=lm.ActivityKind.call, direction=direction
            ),
        )
    return made


@given(made=timelines(), policy=st.sampled_from([FIRST, BOTH, ROLLING]), after=OFFSETS)
def test_the_clock_is_the_last_of_the_leads_clocks_and_a_rolling_one_runs_from_awaiting_reply(
    made: lm.Lead, policy: lm.SlaPolicy, after: timedelta
) -> None:
    at = MONDAY + after
    history = lm.sla_clocks(made, [policy], at=at)
    assert lm.sla_clock(made, policy, at=at) == (history[-1] if history else None)
    assert all(c.answered_at is not None for c in history[:-1])  # only the last may run
    starts = [c.started_at for c in history]
    assert starts == sorted(starts)
    if (
        history
        and history[-1].answered_at is None
        and made.activities[-1:]
        and made.activities[-1].at <= at
    ):
        last = history[-1]
        waiting = lm.awaiting_reply(made)
        if last.kind is lm.SlaKind.rolling_response:
            assert last.started_at == waiting
        else:
            assert lm.first_response(made) is None


@given(policy=lst.sla_policies())
def test_a_policy_reads_back_equal_from_its_document_and_its_json(policy: lm.SlaPolicy) -> None:
    assert lm.SlaPolicy.from_dict(policy.to_dict()) == policy
    assert lm.to_dict(policy) == policy.to_dict()
    assert lm.from_json(lm.SlaPolicy, lm.to_json(policy)) == policy


@given(made=timelines(), after=OFFSETS)
def test_a_closed_lead_keeps_only_the_replies_that_were_late_at_its_close(
    made: lm.Lead, after: timedelta
) -> None:
    close = max([MONDAY + after, *(a.at for a in made.activities)])
    for found in lm.sla_clocks(lost(made, close), [BOTH], at=close + timedelta(days=60)):
        assert found.started_at <= close
        if found.answered_at is None:
            assert (found.state, found.closed_at) == (lm.SlaState.breached, close)
            assert found.due_at < close
