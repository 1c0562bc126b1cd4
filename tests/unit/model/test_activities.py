"""A lead's timeline of activities: what an activity is, the order a lead keeps them in, the
facts read from them (first response, last inbound and outbound, a reply owed), and what
merging and erasure do with them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.domain.model import last_entry
from leadmodel.testing import strategies as lst
from tests import factories as f

AT = f.AT  # the lead's creation
K = lm.ActivityKind
D = lm.Direction


def _at(minutes: float) -> datetime:
    return AT + timedelta(minutes=minutes)


def act(
    minutes: float, kind: lm.ActivityKind, direction: lm.Direction, **more: object
) -> lm.Activity:
    return lm.Activity(at=_at(minutes), kind=kind, direction=direction, **more)  # type: ignore[arg-type]


def inbound(minutes: float, kind: lm.ActivityKind = K.message, **more: object) -> lm.Activity:
    return act(minutes, kind, D.inbound, **more)


def outbound(minutes: float, kind: lm.ActivityKind = K.call, **more: object) -> lm.Activity:
    return act(minutes, kind, D.outbound, **more)


def note(minutes: float, **more: object) -> lm.Activity:
    return act(minutes, K.note, D.internal, **more)


def logged(*activities: lm.Activity, lead: lm.Lead | None = None) -> lm.Lead:
    lead = f.lead() if lead is None else lead
    for activity in activities:
        lead = lm.log_activity(lead, activity)
    return lead


# -- what an activity is ----------------------------------------------------------------------
def test_a_note_is_internal_and_only_a_note_is_internal() -> None:
    with pytest.raises(lm.ValidationError, match="a note is internal"):
        act(0, K.note, D.outbound)
    with pytest.raises(lm.ValidationError, match="only a note is internal; a call is"):
        act(0, K.call, D.internal)
    assert note(0).direction is D.internal


def test_a_note_went_through_no_channel() -> None:
    with pytest.raises(lm.ValidationError, match=r"Activity\.channel: a note went through no"):
        note(0, channel=lm.Channel.telegram)
    assert inbound(0, channel=lm.Channel.telegram).channel is lm.Channel.telegram


def test_inbound_activities_may_name_who_took_them() -> None:
    """``by`` is always our side: who took an inbound call, or nobody (a shared inbox)."""
    assert inbound(0, K.call, by="anna").by == "anna"
    assert inbound(0, K.email).by is None


def test_an_activity_reports_every_problem_at_once() -> None:
    with pytest.raises(lm.ValidationError) as bad:
        lm.Activity(
            at=datetime(2026, 3, 2, 9, 0),  # naive
            kind="call",  # type: ignore[arg-type]
            direction=D.outbound,
            by=" ",
            channel="telegram",  # type: ignore[arg-type]
            note=5,  # type: ignore[arg-type]
            id="",
        )
    assert [p.path for p in bad.value.problems] == ["at", "kind", "by", "channel", "note", "id"]


def test_a_summary_is_free_text_but_unicode() -> None:
    assert inbound(0, note="").note == ""
    with pytest.raises(lm.ValidationError, match=r"Activity\.note: holds a lone surrogate"):
        inbound(0, note="a\ud800")


def test_activity_times_keep_the_instant_with_a_fixed_offset() -> None:
    from zoneinfo import ZoneInfo

    at = datetime(2026, 10, 25, 3, 30, fold=1, tzinfo=ZoneInfo("Europe/Kyiv"))
    activity = lm.Activity(at=at, kind=K.call, direction=D.inbound)
    assert activity.at.isoformat() == "2026-10-25T03:30:00+02:00"  # the second 03:30
    assert activity.at.timestamp() == at.timestamp()
    assert type(activity.at.tzinfo) is timezone


# -- what a lead keeps ------------------------------------------------------------------------
def test_a_lead_takes_its_activities_from_any_iterable_and_keeps_a_tuple() -> None:
    lead = f.lead(activities=[inbound(1), outbound(2)])
    assert lead.activities == (inbound(1), outbound(2))


def test_a_lead_keeps_its_activities_in_time_order() -> None:
    with pytest.raises(lm.ValidationError, match=r"activities\[1\].at: activities must be in"):
        f.lead(activities=(outbound(5), inbound(1)))
    assert len(f.lead(activities=(inbound(1), outbound(1))).activities) == 2  # equal times: fine


def test_no_activity_is_dated_before_the_lead_was_created() -> None:
    with pytest.raises(lm.ValidationError, match=r"activities\[0\].at: an activity cannot be"):
        f.lead(activities=(inbound(-1),))
    assert f.lead(activities=(inbound(0),)).activities[0].at == AT  # at creation: fine


def test_a_lead_lists_each_activity_id_once() -> None:
    with pytest.raises(lm.ValidationError, match=r"activities\[1\].id: an activity id names"):
        f.lead(activities=(inbound(1, id="pbx-1"), outbound(2, id="pbx-1")))


def test_an_erased_lead_keeps_no_summary() -> None:
    with pytest.raises(lm.ValidationError, match=r"activities\[0\].note: an erased record"):
        f.lead(
            person_name="", contact_points=(), erased_at=_at(60), activities=(note(1, note="x"),)
        )


def test_a_lead_holds_at_most_max_activities() -> None:
    """10,000: far above a year of daily calls and emails; the count alone is reported."""
    assert lm.MAX_ACTIVITIES == 10_000
    many = (inbound(1),) * (lm.MAX_ACTIVITIES + 1)
    with pytest.raises(lm.ValidationError) as bad:
        f.lead(activities=many)
    [problem] = bad.value.problems
    assert problem.path == "activities"
    assert "10,001 activities" in problem.message
    assert "MAX_ACTIVITIES" in problem.message
    assert len(f.lead(activities=many[1:]).activities) == lm.MAX_ACTIVITIES


def test_the_converter_refuses_a_longer_timeline_by_its_length() -> None:
    doc = lm.to_dict(f.lead(activities=(inbound(1),)))
    doc["activities"] = doc["activities"] * (lm.MAX_ACTIVITIES + 1)
    with pytest.raises(lm.ValidationError, match="MAX_ACTIVITIES"):
        lm.from_dict(lm.Lead, doc)


def test_a_lead_stored_before_activities_loads_with_none() -> None:
    doc = lm.to_dict(f.lead())
    del doc["activities"]
    assert lm.from_dict(lm.Lead, doc).activities == ()


def test_a_timeline_round_trips_through_json() -> None:
    lead = logged(inbound(1, channel=lm.Channel.email, note="Ціна?"), note(2, by="anna"))
    assert lm.from_json(lm.Lead, lm.to_json(lead)) == lead


def test_an_edit_cannot_change_the_timeline() -> None:
    with pytest.raises(lm.ValidationError, match="activities: log a contact with"):
        lm.edit(f.lead(), activities=(inbound(1),))


# -- log_activity and respond -----------------------------------------------------------------
def test_log_activity_inserts_where_it_happened_after_those_of_the_same_instant() -> None:
    first, late, same = inbound(10), outbound(5), note(10, by="anna")
    lead = logged(first, late, same)
    assert lead.activities == (late, first, same)


def test_an_activity_before_the_lead_was_created_is_a_time_order_error() -> None:
    with pytest.raises(lm.TimeOrderError) as caught:
        lm.log_activity(f.lead(), inbound(-5))
    err = caught.value
    assert (err.operation, err.record, err.entry, err.at, err.last) == (
        "log_activity",
        "lead lead-1",
        "created_at",
        _at(-5),
        AT,
    )


def test_an_activity_may_come_before_later_moves() -> None:
    """Activities are logged after the fact: they are not entries a later operation must
    follow (a call logged an hour late goes where it happened)."""
    lead = lm.pipelines.SIMPLE.enter(f.lead(), at=_at(60), by="anna")
    lead = lm.log_activity(lead, outbound(30))
    assert lead.activities == (outbound(30),)
    assert last_entry(lead) == ("history[0]", _at(60))


def test_nothing_is_logged_on_an_erased_lead() -> None:
    erased = lm.erase(f.lead(), at=_at(60))
    with pytest.raises(lm.RuleViolation, match="erased person"):
        lm.log_activity(erased, inbound(70))


def test_the_same_activity_id_with_the_same_values_is_logged_once() -> None:
    call = inbound(3, K.call, id="pbx-7")
    lead = logged(call)
    assert lm.log_activity(lead, call) is lead
    with pytest.raises(lm.RuleViolation, match="already holds activity 'pbx-7'"):
        lm.log_activity(lead, attrs.evolve(call, at=_at(4)))


def test_log_activity_takes_only_activities() -> None:
    with pytest.raises(lm.ValidationError, match=r"log_activity\.activity: expected an Activity"):
        lm.log_activity(f.lead(), "call")  # type: ignore[arg-type]


def test_a_full_timeline_takes_no_more() -> None:
    full = f.lead(activities=(inbound(1),) * lm.MAX_ACTIVITIES)
    with pytest.raises(lm.ValidationError, match="MAX_ACTIVITIES"):
        lm.log_activity(full, outbound(2))


def test_respond_logs_an_outbound_contact() -> None:
    lead = lm.respond(f.lead(), at=_at(3), by="anna", channel=lm.Channel.viber, activity_id="m-1")
    assert lead.activities == (
        lm.Activity(at=_at(3), kind=K.message, direction=D.outbound, by="anna",
                    channel=lm.Channel.viber, id="m-1"),
    )  # fmt: skip


def test_a_note_is_no_response() -> None:
    with pytest.raises(lm.ValidationError, match=r"respond\.kind: a note reaches nobody"):
        lm.respond(f.lead(), at=_at(3), by="anna", kind=K.note)


# -- the facts, worked by hand ----------------------------------------------------------------
# created 09:30; 09:35 she writes; 09:36 a note; 09:42 we call back; 10:30 she emails;
# 11:00 she calls; 11:30 a note
DAY = (inbound(5), note(6), outbound(12), inbound(60, K.email), inbound(90, K.call), note(120))


def test_the_facts_of_a_worked_timeline() -> None:
    lead = logged(*DAY)
    assert lm.first_response(lead) == outbound(12)  # 12 minutes to the first answer
    assert lm.last_outbound(lead) == outbound(12)
    assert lm.last_inbound(lead) == inbound(90, K.call)
    assert lm.awaiting_reply(lead) == _at(60)  # the email is the oldest unanswered contact
    answered = lm.respond(lead, at=_at(135), by="anna", kind=K.email)
    assert lm.awaiting_reply(answered) is None
    assert lm.first_response(answered) == outbound(12)  # the first response stays the first
    assert lm.last_outbound(answered).at == _at(135)  # type: ignore[union-attr]


def test_the_first_response_counts_from_the_lead_not_from_a_message() -> None:
    """A lead is the person's interest: calling back before she writes again is the response."""
    lead = logged(outbound(4), inbound(30), outbound(40))
    assert lm.first_response(lead) == outbound(4)
    assert lm.awaiting_reply(lead) is None


def test_a_new_lead_has_no_response_and_owes_no_rolling_reply() -> None:
    """Before the first response the first-response clock runs (from ``created_at``)."""
    lead = f.lead()
    assert (lm.first_response(lead), lm.last_inbound(lead), lm.last_outbound(lead)) == (
        None,
        None,
        None,
    )
    assert lm.awaiting_reply(lead) is None


def test_notes_answer_nothing_and_owe_nothing() -> None:
    lead = logged(note(1), inbound(2), note(3))
    assert lm.first_response(lead) is None
    assert lm.awaiting_reply(lead) == _at(2)
    assert lm.awaiting_reply(logged(note(1), note(2))) is None


def test_of_one_instant_the_later_logged_decides() -> None:
    """An inbound and an outbound contact at the same minute: the order they were logged in
    is the order they happened in."""
    assert lm.awaiting_reply(logged(inbound(5), outbound(5))) is None
    assert lm.awaiting_reply(logged(outbound(5), inbound(5))) == _at(5)
    assert lm.last_inbound(logged(inbound(5, K.email), inbound(5, K.call))) == inbound(5, K.call)


# -- merging and erasure ----------------------------------------------------------------------
def test_merge_keeps_both_timelines_in_time_order_and_says_where_from() -> None:
    one = logged(inbound(5), outbound(20))
    two = logged(inbound(10, K.email), lead=f.lead(id=lm.LeadId("lead-2")))
    merged = lm.merge(one, two, at=_at(60), by="anna")
    assert merged.survivor.activities == (inbound(5), inbound(10, K.email), outbound(20))
    where = [merged.provenance[f"activities[{i}]"] for i in range(3)]
    assert where == ["lead-1", "lead-2", "lead-1"]
    assert merged.set_aside == ()


def test_a_contact_logged_on_both_duplicates_is_kept_once_and_reported() -> None:
    call = outbound(20, by="anna", channel=lm.Channel.phone_call)
    one = logged(inbound(5), call)
    two = logged(call, inbound(30), lead=f.lead(id=lm.LeadId("lead-2")))
    merged = lm.merge(one, two, at=_at(60), by="anna")
    assert merged.survivor.activities == (inbound(5), call, inbound(30))
    [aside] = merged.set_aside
    assert (aside.source_id, aside.field, aside.value) == ("lead-2", "activities", (call,))
    stored = lm.from_json(lm.Lead, lm.to_json(merged.survivor))  # the record round-trips
    assert stored.merges[-1].set_aside == merged.set_aside


def test_an_id_held_for_another_contact_is_set_aside_not_lost() -> None:
    mine, theirs = inbound(5, id="pbx-1"), inbound(6, K.call, id="pbx-1")
    one, two = logged(mine), logged(theirs, lead=f.lead(id=lm.LeadId("lead-2")))
    merged = lm.merge(one, two, at=_at(60))
    assert merged.survivor.activities == (mine,)
    assert [(s.field, s.value) for s in merged.set_aside] == [("activities", (theirs,))]


def test_a_merged_timeline_past_the_cap_is_refused_whole() -> None:
    half = lm.MAX_ACTIVITIES // 2 + 1
    one = f.lead(activities=(inbound(1),) * half)
    two = f.lead(id=lm.LeadId("lead-2"), activities=(outbound(2),) * half)
    with pytest.raises(lm.ValidationError, match=r"merge.activities: the merged timeline would"):
        lm.merge(one, two, at=_at(60))


def test_erasure_clears_what_was_said_and_keeps_the_facts() -> None:
    said = inbound(5, K.call, by="anna", channel=lm.Channel.phone_call, note="Olena, +380...")
    lead = logged(said, note(6, by="anna", note="Lives on Khreshchatyk"), outbound(7))
    erased = lm.erase(lead, at=_at(60))
    assert [a.note for a in erased.activities] == [None, None, None]
    keep = attrs.evolve(said, note=None)
    assert erased.activities[0] == keep  # times, kinds, directions, channel and who stay
    assert lm.first_response(erased) == outbound(7)
    assert lm.awaiting_reply(erased) is None


def test_erasure_clears_the_summaries_a_merge_set_aside() -> None:
    call = outbound(20, note="Olena wants 40 chairs")
    one = logged(call)
    two = logged(call, lead=f.lead(id=lm.LeadId("lead-2")))
    survivor = lm.merge(one, two, at=_at(60)).survivor
    erased = lm.erase(survivor, at=_at(90))
    [aside] = erased.merges[-1].set_aside
    assert [a.note for a in aside.value] == [None]
    assert "Olena wants" not in lm.to_json(erased)


def test_a_recycled_lead_starts_with_no_activities() -> None:
    lost = logged(
        inbound(5), lead=f.lead(lost=lm.LossInfo(status="lost", reason="price", at=_at(60)))
    )
    again = lm.recycle(lost, at=_at(90), ids=lm.sequential_ids("again"))
    assert (again.activities, lost.activities) == ((), (inbound(5),))


# -- properties -------------------------------------------------------------------------------
def _dated_from(lead: lm.Lead, activity: lm.Activity) -> lm.Activity:
    """``activity`` at or after the lead's creation, without an id (ids are tested above)."""
    return attrs.evolve(activity, at=max(activity.at, lead.created_at), id=None)


@given(lst.leads(), st.lists(lst.activities(), max_size=6))
def test_log_activity_keeps_time_order_and_loses_nothing(
    lead: lm.Lead, drawn: list[lm.Activity]
) -> None:
    news = [_dated_from(lead, a) for a in drawn]
    after = logged(*news, lead=lead)
    times = [a.at for a in after.activities]
    assert times == sorted(times)
    assert Counter(after.activities) == Counter(lead.activities) + Counter(news)
    assert attrs.evolve(after, activities=lead.activities) == lead  # nothing else changed


def _positions(lead: lm.Lead, direction: lm.Direction) -> list[int]:
    return [i for i, a in enumerate(lead.activities) if a.direction is direction]


@given(lst.leads())
def test_the_first_response_is_the_earliest_outbound_contact(lead: lm.Lead) -> None:
    outs = _positions(lead, D.outbound)
    found = lm.first_response(lead)
    if not outs:
        assert found is None
        return
    assert found is lead.activities[outs[0]]
    assert all(found.at <= lead.activities[i].at for i in outs)
    assert found.at >= lead.created_at


@given(lst.leads())
def test_last_inbound_and_outbound_are_the_latest_each_way(lead: lm.Lead) -> None:
    for direction, fact in ((D.inbound, lm.last_inbound), (D.outbound, lm.last_outbound)):
        found = _positions(lead, direction)
        assert fact(lead) is (lead.activities[found[-1]] if found else None)


@given(lst.leads())
def test_a_reply_is_owed_since_the_first_inbound_contact_no_outbound_one_followed(
    lead: lm.Lead,
) -> None:
    timeline = lead.activities
    unanswered = [
        a.at
        for i, a in enumerate(timeline)
        if a.direction is D.inbound and all(b.direction is not D.outbound for b in timeline[i:])
    ]
    assert lm.awaiting_reply(lead) == (unanswered[0] if unanswered else None)


@given(st.lists(lst.leads(), min_size=2, max_size=3))
def test_merge_loses_no_activity(leads: list[lm.Lead]) -> None:
    assume(len({lead.id for lead in leads}) == len(leads))
    at = max(entry[1] for r in leads if (entry := last_entry(r)) is not None)
    merged = lm.merge(leads[0], *leads[1:], at=at)
    aside = [a for s in merged.set_aside if s.field == "activities" for a in s.value]
    kept = Counter(merged.survivor.activities) + Counter(aside)
    assert kept == sum((Counter(lead.activities) for lead in leads), Counter())
    times = [a.at for a in merged.survivor.activities]
    assert times == sorted(times)


@given(lst.leads())
def test_erasure_keeps_every_fact_of_the_timeline(lead: lm.Lead) -> None:
    erased = lm.erase(lead, at=datetime(2300, 1, 1, tzinfo=UTC))  # after all the strategy draws
    assert [attrs.evolve(a, note=None) for a in lead.activities] == list(erased.activities)
    assert lm.first_response(erased) == (
        None if (first := lm.first_response(lead)) is None else attrs.evolve(first, note=None)
    )
