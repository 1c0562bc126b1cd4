"""Property tests of moves: random move sequences on random specs follow the model of the
rules (``_spec_model``), and a refused move changes nothing.

``--hypothesis-show-statistics`` shows how often each refusal and each kind of accepted move
came up.
"""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Pipeline, TransitionError
from tests.factories import AT, lead

from ._spec_model import (
    BOGUS_REASON,
    UNKNOWN,
    WHYS,
    Move,
    Spec,
    _edges,
    _history_refusals,
    _lacks_requirements,
    _refusals,
    valid_specs,
)

# -- moves -----------------------------------------------------------------------------

CONVERTED = lm.ConversionLinks(customer_id=lm.CustomerId("customer-1"), at=AT)

_minutes = st.integers(0, 9).flatmap(  # one move in ten is dated before the last change
    lambda r: st.integers(-180, -1) if r == 0 else st.integers(0, 600)
)
_zones = st.sampled_from((UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5.5))))


def _draw_move(data: st.DataObject, pipeline: Pipeline, card: lm.Lead) -> Move:
    """A move to any status (or none), half the time to one ``allowed`` lists (may succeed)."""
    allowed = pipeline.allowed(card)
    keys = [*(s.key for s in pipeline.statuses), UNKNOWN]
    towards_allowed = data.draw(st.booleans())
    to = data.draw(st.sampled_from(allowed if allowed and towards_allowed else keys), label="to")
    lost_reasons = pipeline.status(to).lost_reasons if to != UNKNOWN else ()
    reasons = (None, BOGUS_REASON, *lost_reasons)
    reason = data.draw(st.sampled_from(reasons), label="reason")
    at = card.history[-1].at + timedelta(minutes=data.draw(_minutes, label="minutes later"))
    at = at.astimezone(data.draw(_zones, label="zone"))
    return Move(to, reason, at, data.draw(st.sampled_from(("a", "b", None)), label="by"))


def _attempt(pipeline: Pipeline, card: lm.Lead, move: Move) -> lm.Lead | TransitionError:
    try:
        return pipeline.move(card, move.to, at=move.at, by=move.by, reason=move.reason)
    except TransitionError as exc:
        return exc


def _replay(pipeline: Pipeline, history: tuple[lm.StatusChange, ...]) -> str | Exception | None:
    try:
        return pipeline.replay(history)
    except TransitionError as exc:
        return exc


def _check_replay_of_refused(spec: Spec, pipeline: Pipeline, card: lm.Lead, move: Move) -> None:
    """A history with the refused move in it replays only if the lead alone was in the way."""
    forged = lm.StatusChange(
        pipeline=pipeline.key,
        from_status=card.status,
        to_status=move.to,
        at=move.at,
        by=move.by,
        reason=move.reason,
    )
    expected = _history_refusals(spec, pipeline, card, move)
    replayed = _replay(pipeline, (*card.history, forged))
    if expected:
        assert isinstance(replayed, TransitionError)
        assert (replayed.from_status, replayed.to_status) == (card.status, move.to)
        assert replayed.why in expected, (replayed.why, expected)
    else:  # requirements and conversion are facts about the lead a history does not record
        assert replayed == move.to


def _check_accepted(
    spec: Spec, pipeline: Pipeline, card: lm.Lead, move: Move, moved: lm.Lead
) -> None:
    assert card.status is not None
    assert pipeline._moves.allows(card.status, move.to)
    assert move.to in _edges(spec)[card.status]
    assert move.to in pipeline.allowed(card)
    change = lm.StatusChange(
        pipeline=pipeline.key,
        from_status=card.status,
        to_status=move.to,
        at=move.at,
        by=move.by,
        reason=move.reason,
    )
    assert moved.history == (*card.history, change)
    assert (moved.pipeline, moved.status) == (pipeline.key, move.to)
    if pipeline.kind(move.to) is lm.StatusKind.lost:
        assert move.reason is not None
        assert moved.lost == lm.LossInfo(
            status=move.to, reason=move.reason, at=move.at, by=move.by, from_status=card.status
        )
    else:
        assert moved.lost is None
    assert attrs.evolve(moved, status=card.status, history=card.history, lost=card.lost) == card
    assert attrs.evolve(moved) == moved  # rebuilding it runs every Lead check


@settings(max_examples=120)
@given(valid_specs(), st.data())
def test_random_moves_follow_the_spec_and_refusals_change_nothing(
    generated: tuple[Spec, Pipeline], data: st.DataObject
) -> None:
    spec, pipeline = generated
    keys = [s.key for s in pipeline.statuses]
    start = lead(
        owner=data.draw(st.sampled_from((None, "anna")), label="owner"),
        custom=data.draw(st.sampled_from(({}, {"budget": 100})), label="custom"),
        converted=data.draw(st.sampled_from((None, None, None, CONVERTED)), label="converted"),
    )
    card = pipeline.enter(start, at=AT, by="a")
    for _ in range(data.draw(st.integers(0, 30), label="moves")):
        assert card.status is not None
        can_enter = {
            k for k in _edges(spec)[card.status] if not _lacks_requirements(pipeline, card, k)
        }
        assert pipeline.allowed(card) == tuple(k for k in keys if k in can_enter)
        move = _draw_move(data, pipeline, card)
        expected = _refusals(spec, pipeline, card, move)
        before = lm.to_json(card)
        outcome = _attempt(pipeline, card, move)
        if isinstance(outcome, TransitionError):
            event(f"refused: {outcome.why}")
            assert lm.to_json(card) == before
            assert (outcome.from_status, outcome.to_status) == (card.status, move.to)
            assert outcome.why in WHYS
            assert outcome.why in expected, (outcome.why, expected)
            _check_replay_of_refused(spec, pipeline, card, move)
        else:
            event(f"accepted: to {pipeline.kind(move.to)}")
            assert not expected, f"accepted a move refusable for {expected}"
            _check_accepted(spec, pipeline, card, move, outcome)
            card = outcome

    assert pipeline.replay(card.history) == card.status
    for i, change in enumerate(card.history):
        assert pipeline.replay(card.history[: i + 1]) == change.to_status
    times = [change.at for change in card.history]
    assert times == sorted(times)
    last = card.history[-1]
    if pipeline.kind(last.to_status) is lm.StatusKind.lost:
        assert card.lost is not None
        assert (card.lost.status, card.lost.reason) == (last.to_status, last.reason)
    else:
        assert card.lost is None
