"""Predictive scoring: properties over random training data (Hypothesis)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Categorical, PredictiveScorer, Tally
from tests.factories import lead

from ._predictive import EDGES, FIELDS, _row_values, lost_lead, scorer, training_rows, won_lead

# --------------------------------------------------------------------------- properties


def _lead(i: int, values: tuple[str, str | None, float | None], won: bool | None) -> lm.Lead:
    channel, owner, size = values
    fields: dict[str, Any] = {
        "source": lm.Source(channel=lm.Channel(channel)),
        "owner": owner,
        "custom": {} if size is None else {"size": size},
    }
    if won is None:
        return lead(id=lm.LeadId(f"lead-{i}"), **fields)
    return won_lead(i, **fields) if won else lost_lead(i, **fields)


leads_strategy = st.lists(
    st.tuples(_row_values(), st.sampled_from([True, False, None])), max_size=15
).map(lambda rows: [_lead(i, values, won) for i, (values, won) in enumerate(rows)])


@given(training_rows(), st.lists(_row_values(), min_size=1, max_size=10))
def test_probabilities_are_between_0_and_1(
    training: tuple[dict[str, list[object]], list[bool]],
    new: list[tuple[str, str | None, float | None]],
) -> None:
    trained = PredictiveScorer(fields=FIELDS).fit_columns(*training)
    unseen = [("email", "zenon", None), ("referral", None, 1e9)]
    rows = new + unseen
    columns: dict[str, Sequence[object]] = {
        "channel": [r[0] for r in rows],
        "owner": [r[1] for r in rows],
        "custom.size": [r[2] for r in rows],
    }
    assert all(0.0 <= p <= 1.0 for p in trained.probabilities(columns))


@given(leads_strategy, leads_strategy)
def test_updating_lead_by_lead_equals_fitting_at_once(
    first: list[lm.Lead], then: list[lm.Lead]
) -> None:
    first = [won_lead(100), lost_lead(101), *first]  # fit needs both outcomes
    base = PredictiveScorer(fields=FIELDS, alpha=0.7)
    updated = base.fit(first)
    for one in then:
        updated = updated.update(one)
    assert updated == base.fit(first + then)


@given(training_rows(), st.permutations(range(len(FIELDS))))
def test_the_order_of_the_fields_does_not_matter(
    training: tuple[dict[str, list[object]], list[bool]], order: list[int]
) -> None:
    shuffled = tuple(FIELDS[i] for i in order)
    a = PredictiveScorer(fields=FIELDS).fit_columns(*training)
    b = PredictiveScorer(fields=shuffled).fit_columns(*training)
    for pa, pb in zip(a.probabilities(training[0]), b.probabilities(training[0]), strict=True):
        assert pa == pytest.approx(pb, abs=1e-12)


@given(training_rows(), st.sampled_from([f.name for f in FIELDS]))
def test_an_unseen_value_counts_as_if_the_field_were_not_there(
    training: tuple[dict[str, list[object]], list[bool]], name: str
) -> None:
    columns, won = training
    unseen: dict[str, object] = {"channel": "viber", "owner": "zenon", "custom.size": 1e12}
    row = {n: [unseen[n] if n == name else columns[n][0]] for n in columns}
    # a bin can be unseen only if no training value fell into it
    assume_unseen = unseen[name] not in columns[name] and not (
        name == "custom.size"
        and any(v is not None and float(v) >= EDGES[-1] for v in columns[name])  # type: ignore[arg-type]
    )
    full = PredictiveScorer(fields=FIELDS).fit_columns(columns, won)
    fewer = tuple(f for f in FIELDS if f.name != name)
    without = PredictiveScorer(fields=fewer).fit_columns(
        {n: v for n, v in columns.items() if n != name}, won
    )
    p = full.probabilities(row)[0]
    assert 0.0 <= p <= 1.0
    if assume_unseen:
        expected = without.probabilities({n: v for n, v in row.items() if n != name})[0]
        assert p == pytest.approx(expected, abs=1e-12)


@given(training_rows())
def test_explanations_multiply_up_to_the_probability(
    training: tuple[dict[str, list[object]], list[bool]],
) -> None:
    """Odds of winning = prior odds × every likelihood ratio; explain agrees with probability."""
    columns, won = training
    trained = PredictiveScorer(fields=FIELDS).fit_columns(columns, won)
    one = _lead(0, (columns["channel"][0], columns["owner"][0], columns["custom.size"][0]), None)  # type: ignore[arg-type]
    why = trained.explain(one)
    odds = why.prior / (1 - why.prior) * math.prod(p.ratio for p in why.contributions)
    assert why.probability == pytest.approx(odds / (1 + odds), rel=1e-9)
    assert why.probability == trained.probability(one)
    assert [p.ratio for p in why.contributions] == sorted(
        (p.ratio for p in why.contributions), reverse=True
    )


def test_a_scorer_is_a_frozen_value() -> None:
    trained = scorer(Categorical.channel()).fit([won_lead(1), lost_lead(2)])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        trained.won = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        trained.counts["channel"]["form"] = Tally(won=1, lost=1)  # type: ignore[index]
    assert hash(trained) == hash(scorer(Categorical.channel()).fit([won_lead(1), lost_lead(2)]))
