"""The flow services on every adapter: capture an interest, promote it, move and assess
the lead (what they store, the events they emit, all or nothing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import pytest

import leadmodel as lm
from leadmodel import InterestCaptured, LeadCreated, LeadQualified, StatusChanged, services
from leadmodel.storage import MemoryUnitOfWork
from tests.factories import asked

from ._services import (
    AT,
    EMAIL,
    LATER,
    PHONE,
    PIPELINE,
    SOURCE,
    MakeUnit,
    add,
    clock,
    events,
    interest,
    lead,
    snapshot,
)


def _actions(event: object) -> list[str]:
    assert isinstance(event, StatusChanged)
    return [action.action for action in event.actions]


# -- capture and promote ---------------------------------------------------------------------
def test_capture_interest_stores_it_and_emits_interest_captured(make_uow: MakeUnit) -> None:
    captured = services.capture_interest(
        make_uow(),
        source=lm.Source(channel=lm.Channel.instagram_dm),
        message="Do you ship to Lviv?",
        contact_points=[lm.ContactPoint.messenger("instagram", "@olena")],
        custom={"utm": "spring"},
        by="bot",
        clock=clock(),
        ids=lm.sequential_ids("int"),
    )
    assert captured.id == "int-1"
    assert captured.occurred_at == AT
    with make_uow() as uow:
        assert uow.interests.get("int-1") == captured
    why = "no known-person policy was given: stored as an interest"
    assert events(make_uow()) == [
        InterestCaptured(
            interest_id="int-1",
            channel="instagram_dm",
            at=AT,
            by="bot",
            decision="new_interest",
            reason=why,
        )
    ]


def test_capture_interest_keeps_when_it_happened(make_uow: MakeUnit) -> None:
    """``occurred_at`` is when the person showed interest, not when it was typed in."""
    captured = services.capture_interest(
        make_uow(), source=SOURCE, topic="Chairs", occurred_at=AT, clock=clock(LATER)
    )
    assert captured.occurred_at == AT
    [event] = events(make_uow())
    assert event.at == AT


def test_an_invalid_interest_stores_nothing(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.ValidationError, match="topic"):
        services.capture_interest(make_uow(), source=SOURCE, clock=clock())
    assert snapshot(make_uow()) == snapshot(MemoryUnitOfWork())


def test_a_clock_without_time_zone_is_refused(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.ValidationError, match=r"clock\(\): naive datetime"):
        services.capture_interest(
            make_uow(), source=SOURCE, topic="Chairs", clock=lambda: datetime(2026, 3, 2)
        )


def test_promote_stores_the_lead_links_the_interest_and_enters_the_pipeline(
    make_uow: MakeUnit,
) -> None:
    asking = interest(1, person_name="Olena Koval", contact_points=(EMAIL,))
    add(make_uow(), attrs.evolve(asking, consents=[asked("int-1")]))  # as capture records it
    made = services.promote(
        make_uow(), "int-1", pipeline=PIPELINE, by="anna", clock=clock(), ids=lm.sequential_ids()
    )
    assert (made.id, made.pipeline, made.status, made.version) == ("id-1", "requests", "new", 0)
    with make_uow() as uow:
        assert uow.leads.get("id-1") == made
        assert uow.interests.get("int-1").lead_id == "id-1"
    created, moved = events(make_uow())
    assert created == LeadCreated(lead_id="id-1", interest_ids=("int-1",), at=AT, by="anna")
    assert isinstance(moved, StatusChanged)
    assert (moved.lead_id, moved.from_status, moved.to_status) == ("id-1", None, "new")
    assert _actions(moved) == ["send_email", "create_task"]


def test_promote_reports_no_messages_for_a_do_not_contact_person(make_uow: MakeUnit) -> None:
    add(
        make_uow(),
        interest(1, person_name="Olena Koval", contact_points=(EMAIL,), do_not_contact=True),
    )
    services.promote(make_uow(), "int-1", pipeline=PIPELINE, clock=clock())
    assert _actions(events(make_uow())[-1]) == ["create_task"]


def test_promote_without_pipeline_emits_only_lead_created(make_uow: MakeUnit) -> None:
    add(make_uow(), interest(1))
    made = services.promote(
        make_uow(), "int-1", person_name="Olena", contact_points=[PHONE], clock=clock()
    )
    assert made.status is None
    assert [type(e) for e in events(make_uow())] == [LeadCreated]


def test_an_anonymous_interest_is_not_promoted_and_nothing_changes(make_uow: MakeUnit) -> None:
    add(make_uow(), interest(1))
    before = snapshot(make_uow())
    with pytest.raises(lm.NotALeadError) as caught:
        services.promote(make_uow(), "int-1", pipeline=PIPELINE, clock=clock())
    assert caught.value.missing == ("person_name", "contact_point")
    assert snapshot(make_uow()) == before


def test_an_unknown_id_raises_not_found_naming_kind_and_id(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.NotFoundError) as missing:
        services.promote(make_uow(), "int-9", clock=clock())
    assert (missing.value.kind, missing.value.id) == ("interests", "int-9")
    with pytest.raises(lm.NotFoundError) as missing:
        services.move(make_uow(), "lead-9", PIPELINE, "offer", clock=clock())
    assert (missing.value.kind, missing.value.id) == ("leads", "lead-9")


# -- move and assess -------------------------------------------------------------------------
def _in_pipeline(make_uow: MakeUnit, **overrides: Any) -> None:
    card = lead(1, consents=[asked("lead-1")], **overrides)
    add(make_uow(), PIPELINE.enter(card, at=AT, by="anna"))


def test_move_saves_the_lead_and_emits_the_actions_it_triggers(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow)
    moved = services.move(make_uow(), "lead-1", PIPELINE, "offer", by="anna", clock=clock(LATER))
    assert (moved.status, moved.version) == ("offer", 1)
    [event] = events(make_uow())
    assert isinstance(event, StatusChanged)
    assert (event.from_status, event.to_status, event.at) == ("new", "offer", LATER)
    assert _actions(event) == ["schedule_call"]


def test_move_to_lost_carries_the_reason(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow)
    moved = services.move(
        make_uow(), "lead-1", PIPELINE, "lost", reason="no_budget", note="later", clock=clock()
    )
    assert moved.lost is not None
    assert moved.lost.reason == "no_budget"
    [event] = events(make_uow())
    assert isinstance(event, StatusChanged)
    assert event.reason == "no_budget"


def test_move_honours_do_not_contact(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow, do_not_contact=True)
    services.move(make_uow(), "lead-1", PIPELINE, "offer", clock=clock())
    assert _actions(events(make_uow())[-1]) == []


def test_a_refused_move_changes_nothing(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow)
    before = snapshot(make_uow())
    with pytest.raises(lm.TransitionError):
        services.move(make_uow(), "lead-1", PIPELINE, "lost", clock=clock())  # no reason
    assert snapshot(make_uow()) == before


def test_assess_records_the_verdict_and_emits_lead_qualified(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1))
    answers = [lm.Answer(criterion=k, met=True) for k in ("budget", "authority", "need")]
    assessed = services.assess(make_uow(), "lead-1", lm.BANT, answers, by="anna", clock=clock())
    assert len(assessed.assessments) == 1
    [event] = events(make_uow())
    assert isinstance(event, LeadQualified)
    assert (event.framework, event.qualified, event.missing) == ("BANT", False, ("timeline",))
