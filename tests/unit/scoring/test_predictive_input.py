"""Predictive scoring: what ``PredictiveScorer`` refuses (bad settings, fields, rows, counts)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import attrs
import pytest

import leadmodel as lm
from leadmodel import Binned, Categorical, PredictiveScorer, Tally, ValueTally
from leadmodel.errors import RuleViolation, ValidationError
from tests.factories import lead

from ._predictive import EDGES, lost_lead, scorer, won_lead

# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("alpha", [0, 0.0, -1.0, math.nan, math.inf, True, "1"])
def test_alpha_must_be_a_positive_number(alpha: Any) -> None:
    with pytest.raises(ValidationError, match=r"PredictiveScorer\.alpha: alpha is a number > 0"):
        scorer(alpha=alpha)


def test_training_needs_both_outcomes() -> None:
    with pytest.raises(RuleViolation, match=r"needs both won and lost leads; got 2 won and 0 lost"):
        scorer(Categorical.channel()).fit([won_lead(1), won_lead(2)])
    with pytest.raises(RuleViolation, match=r"got 0 won and 0 lost"):
        scorer(Categorical.channel()).fit_columns({"channel": []}, [])


def test_an_untrained_scorer_cannot_score() -> None:
    one_sided = scorer(Categorical.channel()).update(won_lead())
    with pytest.raises(RuleViolation, match=r"not trained on both outcomes \(1 won, 0 lost\)"):
        one_sided.probability(lead())
    with pytest.raises(RuleViolation, match="not trained"):
        scorer().probabilities({"channel": [], "custom.size": []})


def test_a_getter_that_raises_is_reported_with_the_field_and_the_lead() -> None:
    def budget(one: lm.Lead) -> object:
        return one.custom["budget"]

    broken = scorer(Categorical(name="budget", get=budget))
    with pytest.raises(ValidationError, match=r"fields\.budget: the getter raised KeyError") as e:
        broken.fit([won_lead(7), lost_lead(8)])
    assert "lead-7" in str(e.value)
    assert isinstance(e.value.__cause__, KeyError)


def test_duplicate_field_names_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"fields\[1\]\.name: two fields have this name"):
        scorer(Categorical.owner(), Categorical(name="owner", get=lambda one: one.owner))


@pytest.mark.parametrize(
    "fields",
    [(), [Categorical.owner()], (Categorical.owner(), "channel")],
    ids=["empty", "a list", "not a field"],
)
def test_fields_are_a_tuple_of_fields(fields: Any) -> None:
    with pytest.raises(ValidationError, match=r"PredictiveScorer\.fields"):
        PredictiveScorer(fields=fields)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ((), "non-empty tuple"),
        ([1, 2], "non-empty tuple"),
        ((1, math.nan), "finite int or float"),
        ((1, True), "finite int or float"),
        ((5, 5), "strictly increasing"),
    ],
)
def test_bin_edges_are_increasing_finite_numbers(edges: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Binned(name="size", get=lambda one: 1, edges=edges)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2], "a category is a str, int, float, bool or None"),
        (Decimal("1.5"), "bin numbers with Binned"),
        (math.nan, "NaN is not a category"),
    ],
)
def test_a_categorical_value_must_be_a_category(value: object, message: str) -> None:
    field = Categorical(name="odd", get=lambda one: value)
    with pytest.raises(ValidationError, match=rf"fields\.odd: .*{message}.*\(lead 'lead-1'\)"):
        scorer(field).fit([won_lead(1), lost_lead(2)])
    trained = scorer(Categorical.channel()).fit([won_lead(1), lost_lead(2)])
    with pytest.raises(ValidationError, match=rf"fields\.odd: .*{message}"):
        attrs.evolve(trained, fields=(field,)).probability(lead())
    for vectorised in (True, False):
        with pytest.raises(ValidationError, match=rf"columns\.odd\[1\]: .*{message}"):
            scorer(field).fit_columns({"odd": ["a", value]}, [True, False], vectorised=vectorised)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1500", "a binned value is a number"),
        (True, "a binned value is a number"),
        (math.nan, "NaN is not a number to bin"),
        (Decimal("sNaN"), "NaN is not a number to bin"),
        (10**400, "too large to bin"),
    ],
)
def test_a_binned_value_must_be_a_number(value: object, message: str) -> None:
    field = Binned(name="size", get=lambda one: value, edges=EDGES)
    with pytest.raises(ValidationError, match=rf"fields\.size: .*{message}"):
        scorer(field).fit([won_lead(1), lost_lead(2)])
    for vectorised in (True, False):
        with pytest.raises(ValidationError, match=rf"columns\.size\[1\]: .*{message}"):
            scorer(field).fit_columns({"size": [1.0, value]}, [True, False], vectorised=vectorised)


def test_columns_must_match_the_fields() -> None:
    base = scorer()
    with pytest.raises(ValidationError) as e:
        base.fit_columns({"channel": ["form"], "colour": ["red"]}, [True])
    assert {p.path for p in e.value.problems} == {"columns.custom.size", "columns.colour"}
    with pytest.raises(ValidationError, match=r"columns\.channel: expected 2 values"):
        base.fit_columns({"channel": ["form"], "custom.size": [1, 2]}, [True, False])
    with pytest.raises(ValidationError, match=r"won: expected a sequence of labels"):
        base.fit_columns({"channel": ["form"], "custom.size": [1]}, iter([True]))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"columns: expected a mapping"):
        base.fit_columns([["form"], [1]], [True])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"columns\.channel: expected a sequence"):
        base.fit_columns({"channel": "form", "custom.size": [1]}, [True])


def test_many_bad_rows_make_one_short_error() -> None:
    with pytest.raises(ValidationError) as e:
        scorer(Categorical.channel()).fit_columns({"channel": [["x"]] * 100}, [True] * 100)
    assert len(e.value.problems) == 21
    assert e.value.problems[-1].message == "and 80 more rows like these"


def test_tallies_must_add_up() -> None:
    owner = Categorical.owner()
    anna = ValueTally(value="anna", won=1, lost=1)
    with pytest.raises(
        ValidationError, match=r"tallies\[0\]: the tallies of 'owner' add up to 1 won"
    ):
        PredictiveScorer(fields=(owner,), won=2, lost=1, tallies=((anna,),))
    with pytest.raises(ValidationError, match=r"tallies: one tuple of tallies per field"):
        PredictiveScorer(fields=(owner,), won=1, lost=1, tallies=((anna,), ()))
    with pytest.raises(ValidationError, match=r"Tally\.won: a value seen in training"):
        Tally(won=0, lost=0)
    with pytest.raises(ValidationError, match=r"ValueTally\.won: a value seen in training"):
        ValueTally(value="anna", won=0, lost=0)


def test_a_value_is_tallied_once() -> None:
    """1, 1.0 and True are one category, so two tallies for them are one value counted twice."""
    twice = (ValueTally(value=1, won=1, lost=0), ValueTally(value=True, won=0, lost=1))
    with pytest.raises(ValidationError, match=r"tallies\[0\]\[1\]\.value: counted twice"):
        PredictiveScorer(fields=(Categorical.owner(),), won=1, lost=1, tallies=(twice,))


def test_a_bin_tally_names_a_bin_of_the_field() -> None:
    size = Binned.custom("size", EDGES)
    bad = (ValueTally(value=3, won=1, lost=1),)
    with pytest.raises(ValidationError, match=r"tallies\[0\]\[0\]\.value: a bin of 'custom.size'"):
        PredictiveScorer(fields=(size,), won=1, lost=1, tallies=(bad,))
