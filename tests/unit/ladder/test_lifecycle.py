"""The lifecycle: inquiry → lead → MQL → SAL → SQL → opportunity → customer → evangelist, plus
disqualified and recycled; forward only, back only through recycle (DOMAIN §4)."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import StageChange, advance, service_qualify
from leadmodel.domain.model import MOVES, SERVICE_QUALIFIED, WATERFALL
from leadmodel.errors import LifecycleError
from leadmodel.testing import strategies as lst
from tests.factories import AT, interest, lead

S = lm.LifecycleStage
HOUR = timedelta(hours=1)
EMAIL = lm.ContactPoint.email("olena@example.com")


def _moves(made: lm.Lead) -> list[tuple[str, str]]:
    return [(s.from_stage.value, s.to_stage.value) for s in made.stages]


def _lost(made: lm.Lead, at: datetime = AT) -> lm.Lead:
    return attrs.evolve(made, lost=lm.LossInfo(status="lost", reason="no_budget", at=at))


def _customer(at: datetime = AT) -> lm.Lead:
    converted = lm.convert(lead(), at=at, ids=lm.sequential_ids("c")).lead
    assert converted is not None
    return converted


# -- ties to events ------------------------------------------------------------------------


def test_a_promoted_interest_is_a_lead_and_the_move_is_recorded() -> None:
    made = lm.promote(interest(person_name="Олена", contact_points=(EMAIL,)), at=AT, by="anna")
    assert made.lifecycle is S.lead
    assert made.stages == (StageChange(from_stage=S.inquiry, to_stage=S.lead, at=AT, by="anna"),)


def test_conversion_makes_a_customer_and_records_who_converted() -> None:
    result = lm.convert(advance(lead(), S.sal, at=AT), at=AT + HOUR, by="bohdan")
    assert result.lead is not None
    assert result.lead.lifecycle is S.customer
    assert _moves(result.lead) == [("lead", "sal"), ("sal", "customer")]
    assert (result.lead.stages[-1].at, result.lead.stages[-1].by) == (AT + HOUR, "bohdan")


def test_an_accepted_assessment_makes_an_sql() -> None:
    answers = [lm.Answer(criterion=c.key, met=True) for c in lm.BANT.criteria]
    qualified = lm.assess(lead(), lm.BANT, answers, at=AT, by="anna")
    assert qualified.lifecycle is S.sql
    assert qualified.stages[-1] == StageChange(
        from_stage=S.lead, to_stage=S.sql, at=AT, by="anna", reason="qualified: BANT"
    )
    not_yet = lm.assess(lead(), lm.BANT, answers[:2], at=AT, by="anna")
    assert (not_yet.lifecycle, not_yet.stages) == (S.lead, ())


@pytest.mark.parametrize("stage", [S.sql, S.opportunity, S.disqualified])
def test_an_assessment_never_moves_a_lead_back_nor_a_disqualified_one(
    stage: lm.LifecycleStage,
) -> None:
    at_stage = advance(lead(), stage, at=AT)
    answers = [lm.Answer(criterion=c.key, met=True) for c in lm.BANT.criteria]
    assessed = lm.assess(at_stage, lm.BANT, answers, at=AT + HOUR, by="anna")
    assert (assessed.lifecycle, assessed.stages) == (stage, at_stage.stages)
    assert assessed.assessments[-1].qualified


def test_a_recycled_lead_qualified_again_is_an_sql() -> None:
    recycled = lm.recycle(advance(lead(), S.disqualified, at=AT), at=AT + HOUR)
    answers = [lm.Answer(criterion=c.key, met=True) for c in lm.BANT.criteria]
    assessed = lm.assess(recycled, lm.BANT, answers, at=AT + 2 * HOUR, by="anna")
    assert _moves(assessed)[-1] == ("recycled", "sql")


def test_a_customers_repeat_lead_is_service_qualified_straight_to_sql() -> None:
    """Seed 001: the "service qualified lead" of an existing customer."""
    first = lm.convert(lead(), at=AT, ids=lm.sequential_ids("c"))
    again = interest(id=lm.InterestId("int-2"), topic="Ще стільці")
    repeat = lm.repeat_lead(first.customer, again, at=AT + HOUR, contact=first.contact)
    served = service_qualify(repeat, at=AT + 2 * HOUR, by="support")
    assert served.lifecycle is S.sql
    assert served.stages[-1] == StageChange(
        from_stage=S.lead, to_stage=S.sql, at=AT + 2 * HOUR, by="support", reason=SERVICE_QUALIFIED
    )
    assert service_qualify(served, at=AT + 3 * HOUR) is served


def test_only_a_customers_lead_is_service_qualified() -> None:
    with pytest.raises(LifecycleError, match="repeat_lead") as info:
        service_qualify(lead(), at=AT)
    assert info.value.why == "not_a_customer"


# -- advance -----------------------------------------------------------------------------


def test_advance_moves_forward_and_records_when_who_and_why() -> None:
    mql = advance(lead(), S.mql, at=AT, by="bot", reason="downloaded the price list")
    sal = advance(mql, "sal", at=AT + HOUR, by="anna")  # the stage's value works too
    assert sal.lifecycle is S.sal
    assert sal.stages == (
        StageChange(
            from_stage=S.lead, to_stage=S.mql, at=AT, by="bot", reason="downloaded the price list"
        ),
        StageChange(from_stage=S.mql, to_stage=S.sal, at=AT + HOUR, by="anna"),
    )


def test_stages_may_be_skipped_forward() -> None:
    assert _moves(advance(lead(), S.opportunity, at=AT)) == [("lead", "opportunity")]


def test_advancing_to_the_current_stage_returns_the_lead_unchanged() -> None:
    mql = advance(lead(), S.mql, at=AT)
    assert advance(mql, S.mql, at=AT + HOUR) is mql


def test_the_lifecycle_does_not_move_backward() -> None:
    sql = advance(lead(), S.sql, at=AT)
    with pytest.raises(LifecycleError, match=r"from sql back to mql: .* recycle") as info:
        advance(sql, S.mql, at=AT + HOUR)
    assert (info.value.from_stage, info.value.to_stage, info.value.why) == (
        "sql",
        "mql",
        "backward",
    )
    assert isinstance(info.value, lm.RuleViolation)


def test_recycled_is_reached_only_through_recycle() -> None:
    with pytest.raises(LifecycleError, match=r"only recycle\(") as info:
        advance(lead(), S.recycled, at=AT)
    assert info.value.why == "use_recycle"


def test_a_customer_is_made_by_convert_not_by_advance() -> None:
    with pytest.raises(LifecycleError, match=r"convert\(") as info:
        advance(lead(), S.customer, at=AT)
    assert info.value.why == "use_convert"
    assert advance(_customer(), S.evangelist, at=AT + HOUR).lifecycle is S.evangelist


def test_a_customer_is_never_disqualified_nor_recycled() -> None:
    customer = _customer()
    with pytest.raises(LifecycleError, match="repeat lead") as info:
        advance(customer, S.disqualified, at=AT + HOUR)
    assert info.value.why == "customer"
    for made in (customer, _lost(lead(lifecycle=S.evangelist))):  # converted, or imported so
        with pytest.raises(LifecycleError, match="repeat lead") as recycled:
            lm.recycle(made, at=AT + HOUR)
        assert recycled.value.why == "customer"


def test_a_disqualified_lead_moves_on_only_after_a_recycle() -> None:
    out = advance(advance(lead(), S.mql, at=AT), S.disqualified, at=AT + HOUR, reason="student")
    with pytest.raises(LifecycleError, match="recycle") as info:
        advance(out, S.sal, at=AT + 2 * HOUR)
    assert info.value.why == "recycle_first"
    with pytest.raises(LifecycleError) as converting:
        lm.convert(out, at=AT + 2 * HOUR)
    assert converting.value.why == "recycle_first"
    back = lm.recycle(out, at=AT + 2 * HOUR, by="anna", reason="got a job")
    assert back.id == out.id  # a disqualified lead is recycled in place
    assert back.lifecycle is S.recycled
    again = advance(back, S.mql, at=AT + 3 * HOUR)
    assert _moves(again) == [
        ("lead", "mql"),
        ("mql", "disqualified"),
        ("disqualified", "recycled"),
        ("recycled", "mql"),
    ]


def test_a_move_dated_before_the_last_one_is_refused() -> None:
    mql = advance(lead(), S.mql, at=AT)
    with pytest.raises(LifecycleError, match="date it at or after") as info:
        advance(mql, S.sql, at=AT - HOUR)
    assert info.value.why == "time_backwards"


def test_advance_checks_its_arguments() -> None:
    with pytest.raises(lm.ValidationError, match="expected a LifecycleStage"):
        advance(lead(), "hot", at=AT)
    with pytest.raises(lm.ValidationError, match="naive datetime"):
        advance(lead(), S.mql, at=datetime(2026, 3, 1))  # naive on purpose
    with pytest.raises(lm.ValidationError, match="by"):
        advance(lead(), S.mql, at=AT, by=" ")


# -- recycle -----------------------------------------------------------------------------


def test_a_recycled_lost_lead_carries_the_first_attempts_lifecycle() -> None:
    lost = _lost(advance(lead(), S.sql, at=AT), at=AT + HOUR)
    back = lm.recycle(lost, at=AT + 2 * HOUR, by="anna", ids=lm.sequential_ids("lead-r"))
    assert back.id != lost.id
    assert back.previous_lead_id == lost.id
    assert _moves(back) == [("lead", "sql"), ("sql", "recycled")]
    assert _moves(lost) == [("lead", "sql")]  # untouched


def test_only_lost_or_disqualified_leads_are_recycled() -> None:
    with pytest.raises(LifecycleError, match="only lost leads") as info:
        lm.recycle(advance(lead(), S.sal, at=AT), at=AT)
    assert info.value.why == "not_recyclable"


# -- the record and the Lead's check of it ---------------------------------------------------


def test_a_backward_stage_change_cannot_be_recorded() -> None:
    with pytest.raises(lm.ValidationError) as info:
        StageChange(from_stage=S.opportunity, to_stage=S.mql, at=AT)
    assert [p.path for p in info.value.problems] == ["to_stage"]
    with pytest.raises(lm.ValidationError, match="after recycle"):
        StageChange(from_stage=S.disqualified, to_stage=S.mql, at=AT)


def test_a_lead_keeps_its_lifecycle_history_consistent() -> None:
    first = StageChange(from_stage=S.lead, to_stage=S.mql, at=AT + HOUR)
    gap = StageChange(from_stage=S.sal, to_stage=S.sql, at=AT)
    with pytest.raises(lm.ValidationError) as info:
        lead(stages=(first, gap), lifecycle=S.opportunity)
    assert [p.path for p in info.value.problems] == [
        "stages[1].at",
        "stages[1].from_stage",
        "lifecycle",
    ]
    assert lead(stages=(first,), lifecycle=S.mql).stages == (first,)
    with pytest.raises(lm.ValidationError, match="expected StageChange"):
        lead(stages=("mql",))


def test_the_lifecycle_history_round_trips_and_a_backward_document_is_refused() -> None:
    made = advance(advance(lead(), S.mql, at=AT), S.sql, at=AT + HOUR, by="anna", reason="BANT")
    assert lm.from_json(lm.Lead, lm.to_json(made)) == made
    doc = lm.to_dict(made)
    doc["stages"][1]["to_stage"] = "lead"
    doc["lifecycle"] = "lead"
    with pytest.raises(lm.ValidationError, match=r"stages\[1\]\.to_stage: not a move from mql"):
        lm.from_dict(lm.Lead, doc)


def test_documents_without_stages_still_load() -> None:
    doc = lm.to_dict(lead(lifecycle=S.sal))
    del doc["stages"]
    assert lm.from_dict(lm.Lead, doc).lifecycle is S.sal


# -- properties ------------------------------------------------------------------------------


def _order(stage: lm.LifecycleStage) -> int:
    order = stage.order
    assert order is not None
    return order


def _never_backward(stages: tuple[StageChange, ...]) -> None:
    """Between two recycles the waterfall stages reached only rise; disqualified ends a run."""
    for change in stages:
        frm, to = change.from_stage, change.to_stage
        if to is S.recycled:
            assert frm not in (S.customer, S.evangelist)
        elif frm is S.disqualified:
            raise AssertionError(f"{frm} → {to} without a recycle")
        elif to is not S.disqualified and frm is not S.recycled:
            assert _order(to) > _order(frm), f"{frm} → {to} goes backward"


def _position(stage: lm.LifecycleStage | None) -> float | None:
    """Where a stage stands: its waterfall order; a recycled lead is a known person again,
    just before "lead"; disqualified stands nowhere."""
    if stage is S.recycled:
        return _order(S.lead) - 0.5
    return None if stage is None else stage.order


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(("advance", "recycle", "lose", "convert", "assess", "service")),
        st.sampled_from(S),
    ),
    max_size=12,
)


def _convert(made: lm.Lead, at: datetime) -> lm.Lead:
    result = lm.convert(made, at=at, ids=lm.sequential_ids(f"c{at.hour}"))
    assert result.lead is not None
    return result.lead


def _assess(made: lm.Lead, at: datetime) -> lm.Lead:
    answers = [lm.Answer(criterion=c.key, met=True) for c in lm.BANT.criteria]
    return lm.assess(made, lm.BANT, answers, at=at, by="anna")


def _service(made: lm.Lead, at: datetime) -> lm.Lead:
    return service_qualify(attrs.evolve(made, customer_id=lm.CustomerId("cu-1")), at=at)


OTHER_OPERATIONS = {
    "recycle": lambda made, at: lm.recycle(made, at=at),
    "lose": lambda made, at: _lost(made, at) if made.converted is None else made,
    "convert": _convert,
    "assess": _assess,
    "service": _service,
}


def _apply(
    made: lm.Lead, op: str, stage: lm.LifecycleStage, at: datetime
) -> tuple[lm.Lead, lm.RuleViolation | None]:
    """One operation: the lead it gives, or the same lead and the refusal."""
    try:
        if op == "advance":
            return advance(made, stage, at=at), None
        return OTHER_OPERATIONS[op](made, at), None
    except lm.RuleViolation as refusal:
        return made, refusal


@given(OPERATIONS)
def test_the_lifecycle_never_moves_backward_except_via_recycle(
    operations: list[tuple[str, lm.LifecycleStage]],
) -> None:
    """Acceptance rule of issue #5, over any sequence of lifecycle operations."""
    made = lm.promote(interest(person_name="Олена", contact_points=(EMAIL,)), at=AT)
    for i, (op, stage) in enumerate(operations, start=1):
        before = made.lifecycle
        made, refusal = _apply(made, op, stage, AT + i * HOUR)
        target = {"advance": stage, "service": S.sql, "convert": S.customer}.get(op)
        here, there = _position(before), _position(target)
        backward = here is not None and there is not None and there < here
        if op == "advance" and backward:
            assert isinstance(refusal, LifecycleError)
        if isinstance(refusal, LifecycleError) and refusal.why == "backward":
            assert backward
    _never_backward(made.stages)
    assert made.stages[-1].to_stage is made.lifecycle


@given(lst.leads())
def test_generated_leads_carry_a_legal_lifecycle_history(made: lm.Lead) -> None:
    for change in made.stages:
        assert change.to_stage in MOVES[change.from_stage]
    _never_backward(made.stages)


@given(lst.stage_changes(datetimes=lst.aware_datetimes(allow_ambiguous=False)))
def test_a_stage_change_round_trips_through_json(change: StageChange) -> None:
    assert lm.from_json(StageChange, lm.to_json(change)) == change


def test_the_waterfall_is_in_funnel_order() -> None:
    assert [s.value for s in WATERFALL] == [
        "inquiry",
        "lead",
        "mql",
        "sal",
        "sql",
        "opportunity",
        "customer",
        "evangelist",
    ]
    assert [s.order for s in WATERFALL] == list(range(8))
    assert S.disqualified.order is None
    assert MOVES[S.evangelist] == frozenset()
