"""Lead temperature (DOMAIN §3): cold, warm or hot from the score, the stage and hot signals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import (
    DEFAULT_THRESHOLDS,
    Engagement,
    EngagementRule,
    ScoreModel,
    Temperature,
    Thresholds,
    explain_temperature,
    temperature,
)
from tests.factories import lead

from ._scoring import AT, DAY, WEEK, S, _events, _leads, _models, _paths, _visit

# --------------------------------------------------------------------------- temperature

PAID = "deposit_paid"


@pytest.mark.parametrize("kind", ["asked_bank_details", "deposit_paid", "checkout"])
def test_each_default_hot_signal_makes_a_lead_hot(kind: str) -> None:
    reading = explain_temperature(lead(), [_visit(DAY, kind)], at=AT)
    assert reading.temperature is Temperature.hot
    assert reading.reason == f"hot: {kind} 1 day ago (a hot signal)"


@settings(max_examples=100)
@given(
    subject=_leads,
    model=st.none() | _models(),
    ago=st.integers(0, 30 * 24 * 3600).map(lambda s: timedelta(seconds=s)),
    events=_events,
)
def test_a_hot_signal_within_the_window_forces_hot(
    subject: lm.Lead,
    model: ScoreModel | None,
    ago: timedelta,
    events: list[Engagement],
) -> None:
    """Whatever the score and the stage: a deposit paid within 30 days makes the lead hot."""
    with_signal = [*events, _visit(ago, PAID)]
    assert temperature(subject, with_signal, at=AT, model=model) is Temperature.hot


def test_an_old_hot_signal_no_longer_counts_unless_the_window_is_open() -> None:
    old = [_visit(31 * DAY, PAID)]
    assert temperature(lead(), old, at=AT) is Temperature.cold
    forever = Thresholds(signal_window=None)
    assert temperature(lead(), old, at=AT, thresholds=forever) is Temperature.hot
    week = Thresholds(signal_window=WEEK)
    assert temperature(lead(), [_visit(WEEK, PAID)], at=AT, thresholds=week) is Temperature.hot
    late = [_visit(WEEK + timedelta(seconds=1), PAID)]
    assert temperature(lead(), late, at=AT, thresholds=week) is Temperature.cold


def test_hot_signals_are_configurable() -> None:
    booked = [_visit(DAY, "booked_demo")]
    assert temperature(lead(), booked, at=AT) is Temperature.cold
    custom = Thresholds(hot_signals=frozenset({"booked_demo"}))
    assert temperature(lead(), booked, at=AT, thresholds=custom) is Temperature.hot
    assert temperature(lead(), [_visit(DAY, PAID)], at=AT, thresholds=custom) is Temperature.cold


@pytest.mark.parametrize(
    ("score", "stage", "expected"),
    [
        (None, S.inquiry, Temperature.cold),
        (None, S.lead, Temperature.cold),
        (None, S.mql, Temperature.warm),
        (None, S.sal, Temperature.warm),
        (None, S.sql, Temperature.hot),
        (None, S.opportunity, Temperature.hot),
        (None, S.customer, Temperature.warm),
        (None, S.evangelist, Temperature.warm),
        (None, S.disqualified, Temperature.cold),
        (None, S.recycled, Temperature.cold),
        (39.99, S.lead, Temperature.cold),
        (40.0, S.lead, Temperature.warm),
        (69.99, S.lead, Temperature.warm),
        (70.0, S.lead, Temperature.hot),
        (10.0, S.mql, Temperature.warm),
        (90.0, S.disqualified, Temperature.hot),
    ],
)
def test_default_thresholds_and_stages(
    score: float | None, stage: lm.LifecycleStage, expected: Temperature
) -> None:
    assert temperature(lead(score=score, lifecycle=stage), at=AT) is expected


def test_reasons_say_what_decided() -> None:
    def reason(**fields: Any) -> str:
        return explain_temperature(lead(**fields), at=AT).reason

    assert reason(lifecycle=S.sql) == "hot: lifecycle stage sql is a hot stage"
    assert reason(score=82.5) == "hot: score 82.5 ≥ hot threshold 70"
    assert reason(score=12.0, lifecycle=S.mql) == "warm: lifecycle stage mql is a warm stage"
    assert (
        reason(score=12.0)
        == "cold: score 12 < warm threshold 40; stage lead; no hot signal within 30 days"
    )
    assert reason() == "cold: no score; stage lead; no hot signal within 30 days"


def test_score_thresholds_are_configurable() -> None:
    strict = Thresholds(warm=60, hot=90)
    assert temperature(lead(score=75.0), at=AT, thresholds=strict) is Temperature.warm
    assert temperature(lead(score=75.0), at=AT) is Temperature.hot
    assert temperature(lead(score=50.0), at=AT, thresholds=strict) is Temperature.cold
    no_stages = Thresholds(hot_stages=frozenset(), warm_stages=frozenset())
    assert temperature(lead(lifecycle=S.sql), at=AT, thresholds=no_stages) is Temperature.cold
    assert Thresholds() == DEFAULT_THRESHOLDS


def test_a_given_model_scores_the_lead_afresh() -> None:
    """The stored score is ignored when a model is given: the model's score at `at` counts."""
    model = ScoreModel(engagement=(EngagementRule(kind="site_visit", points=80, half_life=WEEK),))
    stale = lead(score=95.0)
    reading = explain_temperature(stale, [_visit(WEEK)], at=AT, model=model)
    assert (reading.temperature, reading.score) == (Temperature.warm, 40.0)
    later = explain_temperature(stale, [_visit(WEEK)], at=AT + 3 * WEEK, model=model)
    assert (later.temperature, later.score) == (Temperature.cold, 5.0)
    assert temperature(stale, at=AT) is Temperature.hot


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        ({"warm": 80, "hot": 60}, "warm", "must not be above the hot one"),
        ({"warm": -1}, "warm", "from 0 to 100"),
        ({"hot": 101}, "hot", "from 0 to 100"),
        ({"hot": float("nan")}, "hot", "finite number"),
        ({"hot_signals": ("checkout",)}, "hot_signals", "frozenset of event kinds"),
        ({"hot_signals": frozenset({""})}, "hot_signals", "must not be blank"),
        ({"signal_window": timedelta(0)}, "signal_window", "positive timedelta"),
        ({"signal_window": 30}, "signal_window", "positive timedelta"),
        ({"hot_stages": frozenset({"sql"})}, "hot_stages", "frozenset of LifecycleStage"),
        ({"warm_stages": [S.mql]}, "warm_stages", "frozenset of LifecycleStage"),
    ],
)
def test_bad_thresholds_are_refused(fields: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(lm.ValidationError, match=message) as err:
        Thresholds(**fields)
    assert _paths(err) == [path]


def test_equal_warm_and_hot_thresholds_are_allowed() -> None:
    same = Thresholds(warm=50, hot=50)
    assert temperature(lead(score=50.0), at=AT, thresholds=same) is Temperature.hot


def test_temperature_refuses_future_events_naive_times_and_wrong_types() -> None:
    with pytest.raises(lm.ValidationError, match="after at="):
        temperature(lead(), [_visit(-DAY, PAID)], at=AT)
    with pytest.raises(lm.ValidationError, match="naive datetime"):
        temperature(lead(), at=datetime(2026, 3, 10))
    with pytest.raises(lm.ValidationError) as err:
        temperature(lead(), at=AT, model="m", thresholds={"warm": 1})  # type: ignore[arg-type]
    assert _paths(err) == ["model", "thresholds"]


def test_events_in_other_zones_compare_as_instants() -> None:
    kyiv_evening = AT.astimezone(timezone(timedelta(hours=2))) - timedelta(minutes=1)
    event = Engagement(kind=PAID, at=kyiv_evening)
    assert temperature(lead(), [event], at=AT) is Temperature.hot
