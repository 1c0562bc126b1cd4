"""Stale cards: a card left in a status longer than its ``rot_after`` is reported, at an instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PIPELINE = lm.Pipeline.from_dict(
    {
        "key": "requests",
        "statuses": [
            {"key": "new", "rot_after": "P3D"},
            {"key": "contacted", "rot_after": "PT12H"},
            {"key": "waiting"},  # no rot_after: never stale
            {"key": "won", "kind": "won"},
            {"key": "lost", "kind": "lost", "lost_reasons": ["no_budget"]},
        ],
    }
)
OTHER = lm.Pipeline.from_dict(
    {
        "key": "deals",
        "statuses": [{"key": "new", "rot_after": "P1D"}, {"key": "won", "kind": "won"}],
    }
)


def lead(lead_id: str = "L-1", **fields: Any) -> lm.Lead:
    return lm.Lead(
        id=lm.LeadId(lead_id),
        person_name="Olena Koval",
        topic="Chairs",
        contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        source=lm.Source(channel=lm.Channel.form),
        created_at=MONDAY,
        **fields,
    )


def entered(
    lead_id: str = "L-1", at: datetime = MONDAY, pipeline: lm.Pipeline = PIPELINE
) -> lm.Lead:
    return pipeline.enter(lead(lead_id), at=at)


def moved(made: lm.Lead, to: str, at: datetime, **kwargs: Any) -> lm.Lead:
    return PIPELINE.move(made, to, at=at, **kwargs)


def note(made: lm.Lead, at: datetime) -> lm.Lead:
    activity = lm.Activity(at=at, kind=lm.ActivityKind.note, direction=lm.Direction.internal)
    return lm.log_activity(made, activity)


# -- the spec ---------------------------------------------------------------------------------
def test_rot_after_round_trips_as_an_iso_duration() -> None:
    spec = lm.StatusSpec(key="new", rot_after=3 * DAY)
    assert spec.to_dict()["rot_after"] == "P3D"
    assert lm.StatusSpec.from_dict(spec.to_dict()) == spec
    assert "rot_after" not in lm.StatusSpec(key="new").to_dict()
    assert lm.Pipeline.from_toml(PIPELINE.to_toml()) == PIPELINE
    assert PIPELINE.status("contacted").rot_after == 12 * HOUR


@pytest.mark.parametrize("kind", [lm.StatusKind.won, lm.StatusKind.lost], ids=["won", "lost"])
def test_only_open_statuses_have_rot_after(kind: lm.StatusKind) -> None:
    reasons = ("r",) if kind is lm.StatusKind.lost else ()
    with pytest.raises(lm.ValidationError) as caught:
        lm.StatusSpec(key="closed", kind=kind, lost_reasons=reasons, rot_after=DAY)
    assert [problem.path for problem in caught.value.problems] == ["rot_after"]


@pytest.mark.parametrize("value", [timedelta(0), -DAY, 366 * DAY, 3, "P3D"])
def test_rot_after_is_a_positive_timedelta_of_at_most_a_year(value: object) -> None:
    with pytest.raises(lm.ValidationError) as caught:
        lm.StatusSpec(key="new", rot_after=value)  # type: ignore[arg-type]
    assert [problem.path for problem in caught.value.problems] == ["rot_after"]


def test_a_year_is_allowed() -> None:
    assert lm.StatusSpec(key="new", rot_after=365 * DAY).rot_after == 365 * DAY


def test_a_closed_status_with_rot_after_is_refused_in_a_document() -> None:
    with pytest.raises(lm.ValidationError, match="rot_after"):
        lm.Pipeline.from_dict(
            {
                "key": "p",
                "statuses": [{"key": "new"}, {"key": "won", "kind": "won", "rot_after": "P1D"}],
            }
        )


# -- hand cases ---------------------------------------------------------------------------------
def test_a_fresh_card_is_not_stale() -> None:
    assert lm.stale([entered()], PIPELINE, at=MONDAY + 2 * DAY) == ()
    assert lm.stale([entered()], PIPELINE, at=MONDAY + 3 * DAY) == ()  # exactly rot_after


def test_a_card_goes_stale_from_its_move_into_the_status() -> None:
    card = moved(entered(), "contacted", MONDAY + 2 * DAY)
    [found] = lm.stale([card], PIPELINE, at=MONDAY + 3 * DAY)
    assert found == lm.StaleCard(
        lead_id=lm.LeadId("L-1"),
        status="contacted",
        since=MONDAY + 2 * DAY,
        idle=DAY,
        rot_after=12 * HOUR,
    )
    assert found.overdue == 12 * HOUR


def test_an_activity_resets_the_clock() -> None:
    card = note(entered(), MONDAY + 2 * DAY)
    assert lm.stale([card], PIPELINE, at=MONDAY + 4 * DAY) == ()
    [found] = lm.stale([card], PIPELINE, at=MONDAY + 5 * DAY + HOUR)
    assert (found.since, found.idle) == (MONDAY + 2 * DAY, 3 * DAY + HOUR)


def test_an_activity_before_the_move_does_not_reset_the_clock() -> None:
    card = moved(note(entered(), MONDAY + HOUR), "contacted", MONDAY + 2 * HOUR)
    [found] = lm.stale([card], PIPELINE, at=MONDAY + DAY)
    assert found.since == MONDAY + 2 * HOUR


def test_a_future_activity_counts_as_scheduled_and_keeps_the_card_fresh() -> None:
    card = note(entered(), MONDAY + 30 * DAY)
    assert lm.stale([card], PIPELINE, at=MONDAY + 10 * DAY) == ()
    [found] = lm.stale([card], PIPELINE, at=MONDAY + 40 * DAY)  # once it is past, it counts
    assert found.since == MONDAY + 30 * DAY


def test_won_and_lost_cards_are_never_stale() -> None:
    won = moved(entered("L-1"), "won", MONDAY + HOUR)
    lost = moved(entered("L-2"), "lost", MONDAY + HOUR, reason="no_budget")
    assert lm.stale([won, lost], PIPELINE, at=MONDAY + 300 * DAY) == ()


def test_cards_of_another_pipeline_and_leads_in_none_are_ignored() -> None:
    elsewhere = entered(pipeline=OTHER)
    assert lm.stale([elsewhere, lead("L-2")], PIPELINE, at=MONDAY + 300 * DAY) == ()
    assert [c.lead_id for c in lm.stale([elsewhere], OTHER, at=MONDAY + 2 * DAY)] == ["L-1"]


def test_statuses_without_rot_after_are_ignored() -> None:
    card = moved(entered(), "waiting", MONDAY + HOUR)
    assert lm.stale([card], PIPELINE, at=MONDAY + 300 * DAY) == ()


def test_the_longest_overdue_comes_first_then_by_id() -> None:
    cards = [
        entered("L-3", MONDAY + DAY),
        entered("L-1", MONDAY + DAY),
        entered("L-2"),
        moved(entered("L-4", MONDAY + 6 * DAY), "contacted", MONDAY + 6 * DAY),
    ]
    found = lm.stale(iter(cards), PIPELINE, at=MONDAY + 7 * DAY)
    assert [(c.lead_id, c.overdue) for c in found] == [
        ("L-2", 4 * DAY),
        ("L-1", 3 * DAY),
        ("L-3", 3 * DAY),
        ("L-4", 12 * HOUR),
    ]


def test_an_erased_lead_is_not_stale() -> None:
    card = lm.erase(entered(), at=MONDAY + HOUR)
    assert lm.stale([card], PIPELINE, at=MONDAY + 300 * DAY) == ()


# -- the property ---------------------------------------------------------------------------------
@given(
    moved_after=st.integers(0, 10 * 24 * 60),
    notes=st.lists(st.integers(0, 20 * 24 * 60), max_size=4),
    read_after=st.integers(0, 20 * 24 * 60),
    offset=st.integers(-12, 14),
)
def test_a_card_is_stale_iff_it_sat_longer_than_rot_after(
    moved_after: int, notes: list[int], read_after: int, offset: int
) -> None:
    card = moved(entered(), "contacted", MONDAY + timedelta(minutes=moved_after))
    for minutes in sorted(notes):
        card = note(card, MONDAY + timedelta(minutes=minutes))
    at = (MONDAY + timedelta(minutes=read_after)).astimezone(timezone(timedelta(hours=offset)))
    scheduled = any(activity.at > at for activity in card.activities)
    last_reset = max([card.history[-1].at, *(activity.at for activity in card.activities)])
    expected = not scheduled and at - last_reset > 12 * HOUR
    found = lm.stale([card], PIPELINE, at=at)
    assert bool(found) is expected
    if found:
        assert found[0].since == last_reset
        assert found[0].idle == at - last_reset


# -- bad input ---------------------------------------------------------------------------------
def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(lm.ValidationError) as caught:
        lm.stale([entered()], PIPELINE, at=datetime(2026, 3, 9))
    assert [problem.path for problem in caught.value.problems] == ["at"]


def test_bad_leads_and_pipeline_are_refused_together() -> None:
    with pytest.raises(lm.ValidationError) as caught:
        lm.stale(["L-1"], PIPELINE.spec, at="today")  # type: ignore[list-item, arg-type]
    paths = [problem.path for problem in caught.value.problems]
    assert paths[0].startswith("leads")
    assert paths[1:] == ["pipeline", "at"]
