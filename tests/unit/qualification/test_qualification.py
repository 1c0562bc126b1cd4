"""Qualification frameworks, rules and verdicts (DOMAIN §4)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import AllOf, Answer, AtLeast, Criterion, Framework, ValueType, Weighted
from leadmodel.testing import strategies as lst
from tests.factories import AT, lead

PRESETS = {
    lm.BANT: ["budget", "authority", "need", "timeline"],
    lm.GPCT: ["goals", "plans", "challenges", "timeline"],
    lm.GPCT_BA_CI: [
        "goals",
        "plans",
        "challenges",
        "timeline",
        "budget",
        "authority",
        "negative_consequences",
        "positive_implications",
    ],
    lm.CHAMP: ["challenges", "authority", "money", "prioritization"],
    lm.ANUM: ["authority", "need", "urgency", "money"],
    lm.MEDDIC: [
        "metrics",
        "economic_buyer",
        "decision_criteria",
        "decision_process",
        "identify_pain",
        "champion",
    ],
    lm.MEDDPICC: [
        "metrics",
        "economic_buyer",
        "decision_criteria",
        "decision_process",
        "paper_process",
        "identify_pain",
        "champion",
        "competition",
    ],
    lm.FAINT: ["funds", "authority", "interest", "need", "timing"],
}


def _answers(framework: Framework, met: dict[str, bool | None]) -> list[Answer]:
    return [Answer(criterion=key, met=value) for key, value in met.items()]


@pytest.mark.parametrize(
    ("framework", "criteria"), list(PRESETS.items()), ids=lambda v: getattr(v, "key", "")
)
def test_each_preset_has_its_criteria_and_qualifies_when_all_are_met(
    framework: Framework, criteria: list[str]
) -> None:
    assert [c.key for c in framework.criteria] == criteria
    verdict = framework.evaluate(_answers(framework, dict.fromkeys(criteria, True)))
    assert (verdict.qualified, verdict.score, verdict.missing, verdict.failed) == (
        True,
        100.0,
        (),
        (),
    )
    one_short = framework.evaluate(_answers(framework, dict.fromkeys(criteria[1:], True)))
    assert not one_short.qualified
    assert one_short.missing == (criteria[0],)


def test_unknown_and_not_met_answers_are_told_apart() -> None:
    verdict = lm.BANT.evaluate(
        [
            Answer(criterion="budget", met=False, note="немає грошей"),
            Answer(criterion="need", met=None),
        ]
    )
    assert verdict.failed == ("budget",)
    assert verdict.missing == ("authority", "need", "timeline")
    assert "not met: budget" in verdict.explain()
    assert verdict.explain().startswith("BANT: not qualified (score 0 of 100)")


def test_the_latest_answer_per_criterion_counts() -> None:
    verdict = lm.BANT.evaluate(
        [Answer(criterion="budget", met=False), Answer(criterion="budget", met=True)]
    )
    assert verdict.met == ("budget",)


def test_at_least_k_with_a_mandatory_criterion() -> None:
    framework = Framework(
        key="LITE",
        label="Lite",
        criteria=lm.BANT.criteria,
        rule=AtLeast(k=2, mandatory=("budget",)),
    )
    assert framework.evaluate(_answers(framework, {"budget": True, "need": True})).qualified
    assert not framework.evaluate(_answers(framework, {"authority": True, "need": True})).qualified


def test_weighted_threshold_with_a_mandatory_criterion() -> None:
    rule = Weighted(weights={"budget": 3, "need": 1}, threshold=60, mandatory=("need",))
    framework = Framework(key="W", label="W", criteria=lm.BANT.criteria, rule=rule)
    # weights: budget 3, authority 1, need 1, timeline 1 → total 6
    verdict = framework.evaluate(_answers(framework, {"budget": True, "need": True}))
    assert verdict.score == pytest.approx(100 * 4 / 6)
    assert verdict.qualified
    assert not framework.evaluate(_answers(framework, {"budget": True, "timeline": True})).qualified


def test_all_of_ignores_nothing_mandatory_is_implied() -> None:
    framework = Framework(
        key="A", label="A", criteria=lm.BANT.criteria, rule=AllOf(mandatory=("budget",))
    )
    assert not framework.evaluate(_answers(framework, {"budget": True})).qualified


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        (lambda: AtLeast(k=9), "rule.k"),
        (lambda: AllOf(mandatory=("price",)), "rule.mandatory"),
        (lambda: Weighted(weights={"price": 1}, threshold=50), "rule.weights.price"),
        (lambda: Weighted(weights={"budget": -1}, threshold=50), "weights.budget"),
        (lambda: Weighted(weights={}, threshold=150), "threshold"),
        (lambda: AtLeast(k=0), "k"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(rule: Callable[[], object], path: str) -> None:
    """A rule refuses what it can judge alone; the framework, what needs its criteria."""
    with pytest.raises(lm.ValidationError) as info:
        Framework(key="X", label="X", criteria=lm.BANT.criteria, rule=rule())  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == [path]


def test_an_answer_to_another_frameworks_criterion_is_refused() -> None:
    with pytest.raises(lm.ValidationError, match="BANT has no criterion"):
        lm.BANT.evaluate([Answer(criterion="champion", met=True)])


def test_assess_keeps_the_history_of_assessments_and_feeds_the_pipeline() -> None:
    """Re-qualification does not erase the earlier assessment; the pipeline reads the latest."""
    first = lm.assess(lead(), lm.BANT, [Answer(criterion="budget", met=False)], at=AT, by="anna")
    everything = [Answer(criterion=c.key, met=True) for c in lm.BANT.criteria]
    second = lm.assess(first, lm.BANT, everything, at=AT + timedelta(days=1), by="anna")
    assert [a.qualified for a in second.assessments] == [False, True]
    assert second.assessments[0].failed == ("budget",)
    spec = {
        "key": "q",
        "statuses": [
            {"key": "new", "label": "New"},
            {"key": "qualified", "label": "Qualified", "requires": {"framework": "BANT"}},
            {"key": "won", "label": "Won", "kind": "won"},
        ],
    }
    p = lm.Pipeline.from_dict(spec)
    with pytest.raises(lm.TransitionError) as info:
        p.move(p.enter(first, at=AT, by="a"), "qualified", at=AT, by="a")
    assert info.value.why == "requirement_missing"
    assert info.value.missing == ("BANT.authority", "BANT.need", "BANT.timeline", "BANT.budget")
    assert (
        p.move(
            p.enter(second, at=AT + timedelta(days=1), by="a"),
            "qualified",
            at=AT + timedelta(days=1),
            by="a",
        ).status
        == "qualified"
    )


answers_strategy = st.dictionaries(
    st.sampled_from([c.key for c in lm.MEDDPICC.criteria]), st.none() | st.booleans()
)


@given(answers_strategy, st.sampled_from([c.key for c in lm.MEDDPICC.criteria]))
def test_adding_a_met_answer_never_lowers_the_score(
    known: dict[str, bool | None], extra: str
) -> None:
    before = lm.MEDDPICC.evaluate(_answers(lm.MEDDPICC, known))
    after = lm.MEDDPICC.evaluate([*_answers(lm.MEDDPICC, known), Answer(criterion=extra, met=True)])
    assert after.score >= before.score
    assert set(before.met) <= set(after.met)
    assert len(after.met) + len(after.failed) + len(after.missing) == len(lm.MEDDPICC.criteria)


# -- value types ---------------------------------------------------------------------------

VALUES: dict[ValueType, tuple[list[Any], list[Any]]] = {
    ValueType.text: (["бюджет затверджено"], ["  ", 5, True]),
    ValueType.number: ([5, 4.5, -1], ["5", True, [1]]),
    ValueType.money: (
        [{"amount": "45000", "currency": "UAH"}, {"amount": 12, "currency": "EUR"}],
        [45000, {"amount": 1.5, "currency": "EUR"}, {"amount": "1", "currency": "uah"}, {}],
    ),
    ValueType.date: (["2026-06-30"], ["30.06.2026", "2026-02-30", "20260630", 20260630]),
    ValueType.bool: ([True, False], ["yes", 1]),
    ValueType.choice: (["this quarter"], ["someday", 1]),
}


@pytest.mark.parametrize("kind", list(ValueType), ids=str)
def test_a_typed_criterion_takes_only_values_of_its_type(kind: ValueType) -> None:
    choices = ("this month", "this quarter") if kind is ValueType.choice else ()
    criterion = Criterion(key="c", label="C", value_type=kind, choices=choices)
    good, bad = VALUES[kind]
    framework = Framework(key="F", label="F", criteria=(criterion,))
    for value in good:
        assert criterion.value_problem(value) is None, value
        assert framework.evaluate([Answer(criterion="c", met=True, value=value)]).qualified
    for value in bad:
        assert criterion.value_problem(value) is not None, value
        with pytest.raises(lm.ValidationError, match="'c' takes"):
            framework.evaluate([Answer(criterion="c", met=True, value=value)])
    assert criterion.value_problem(None) is None  # evidence without a value is fine


TYPED = Framework(
    key="BANT-typed",
    label="BANT with values",
    criteria=(
        Criterion(key="budget", label="Budget", value_type=ValueType.money),
        Criterion(key="authority", label="Authority", value_type=ValueType.bool),
        Criterion(key="need", label="Need", value_type=ValueType.text),
        Criterion(
            key="timeline",
            label="Timeline",
            value_type=ValueType.choice,
            choices=("this month", "this quarter", "later"),
        ),
    ),
)


def test_every_bad_answer_is_reported_at_once_naming_the_criterion() -> None:
    answers = [
        Answer(criterion="budget", met=True, value=45000),
        Answer(criterion="need", met=True, value="нові столи"),
        Answer(criterion="champion", met=True),
        Answer(criterion="timeline", met=None, value="someday"),
    ]
    with pytest.raises(lm.ValidationError) as info:
        TYPED.evaluate(answers)
    assert [p.path for p in info.value.problems] == ["[0].value", "[2].criterion", "[3].value"]
    text = str(info.value)
    assert "answers[0].value: 'budget' takes money" in text
    assert "answers[3].value: 'timeline' takes one of: 'this month'" in text
    with pytest.raises(lm.ValidationError, match="'budget' takes money"):
        lm.assess(lead(), TYPED, answers[:1], at=AT, by="anna")


def test_evaluate_refuses_what_is_not_an_answer() -> None:
    with pytest.raises(lm.ValidationError, match=r"answers\[0\]: expected an Answer"):
        lm.BANT.evaluate(["budget"])  # type: ignore[list-item]


def test_choices_go_with_the_choice_type() -> None:
    with pytest.raises(lm.ValidationError, match="lists its choices"):
        Criterion(key="t", label="T", value_type=ValueType.choice)
    with pytest.raises(lm.ValidationError, match="only a criterion with value_type choice"):
        Criterion(key="t", label="T", value_type=ValueType.text, choices=("a",))
    with pytest.raises(lm.ValidationError, match="expected a ValueType"):
        Criterion(key="t", label="T", value_type="money")  # type: ignore[arg-type]


# -- frameworks as data --------------------------------------------------------------------

BANT_TOML = """\
key = "BANT-typed"
label = "BANT with values"

[[criteria]]
key = "budget"
label = "Budget"
value_type = "money"

[[criteria]]
key = "authority"
label = "Authority"
value_type = "bool"

[[criteria]]
key = "need"
label = "Need"
value_type = "text"

[[criteria]]
key = "timeline"
label = "Timeline"
value_type = "choice"
choices = ["this month", "this quarter", "later"]
"""


def test_a_framework_reads_from_toml_and_writes_back_to_a_dict() -> None:
    framework = Framework.from_toml(BANT_TOML)
    assert framework == TYPED
    assert Framework.from_toml(BANT_TOML.encode()) == TYPED
    assert Framework.from_dict(tomllib.loads(BANT_TOML)) == TYPED
    assert framework.to_dict() == {"schema_version": 1, **tomllib.loads(BANT_TOML)}


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        ({}, AllOf()),
        ({"rule": "all", "mandatory": ["budget"]}, AllOf(mandatory=("budget",))),
        ({"rule": "at_least", "k": 3}, AtLeast(k=3)),
        (
            {"rule": "weighted", "weights": {"budget": 3}, "threshold": 70, "mandatory": ["need"]},
            Weighted(weights={"budget": 3}, threshold=70, mandatory=("need",)),
        ),
        ({"rule": "weighted", "threshold": 50.5}, Weighted(weights={}, threshold=50.5)),
    ],
)
def test_rules_in_data(data: dict[str, object], rule: lm.AllOf) -> None:
    criteria = [{"key": c.key, "label": c.label} for c in lm.BANT.criteria]
    framework = Framework.from_dict({"key": "BANT", "criteria": criteria, **data})
    assert framework.rule == rule
    assert framework.label == "BANT"  # the key, when no label is given
    assert Framework.from_dict(framework.to_dict()) == framework


def test_every_problem_of_a_framework_dict_is_reported_with_its_path() -> None:
    data = {
        "key": " ",
        "rule": "at_least",
        "k": 9,
        "threshold": 70,
        "mandatory": ["budget", "money"],
        "colour": "red",
        "criteria": [
            {"key": "budget", "value_type": "cash"},
            {"key": "timeline", "value_type": "choice"},
            {"key": "need", "label": 5, "choices": ["a"], "weight": 2},
        ],
    }
    with pytest.raises(lm.ValidationError) as info:
        Framework.from_dict(data)
    assert [p.path for p in info.value.problems] == [
        "key",
        "criteria[0].value_type",
        "criteria[1].choices",
        "criteria[2].weight",
        "criteria[2].label",
        "criteria[2].choices",
        "threshold",
        "colour",
        "mandatory",
        "k",
    ]  # in field order (the rule's keys last); k = 9 of 3 criteria: each criterion was read


def test_rule_references_are_checked_once_the_criteria_are_known() -> None:
    data = {
        "key": "W",
        "rule": "weighted",
        "weights": {"budget": -1, "price": 2, "need": "high"},
        "threshold": 170,
        "mandatory": ["money"],
        "criteria": [{"key": "budget"}, {"key": "need"}, {"key": "budget"}],
    }
    with pytest.raises(lm.ValidationError) as info:
        Framework.from_dict(data)
    assert [p.path for p in info.value.problems] == [
        "criteria",
        "weights.need",
        "weights.budget",
        "threshold",
        "mandatory",
        "weights.price",
    ]  # what the rule finds by itself, then what needs the criteria


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ("BANT", "", "expected a JSON object"),
        ({"key": "X"}, "criteria", "required field is missing; list the criteria"),
        ({"key": "X", "criteria": []}, "criteria", "at least one criterion"),
        ({"key": "X", "criteria": [{"key": "a"}], "rule": "any"}, "rule", "expected one of"),
        ({"key": "X", "criteria": [{"key": "a"}], "rule": "at_least"}, "k", "required"),
        ({"key": "X", "criteria": [{"key": "a"}], "rule": "at_least", "k": 1.0}, "k", "an integer"),
        ({"key": "X", "criteria": [{"key": "a"}], "rule": "weighted"}, "threshold", "required"),
        ({"key": "X", "criteria": [{"key": "a"}], "k": 1}, "k", "belongs to rule = 'at_least'"),
        ({"key": "X", "criteria": ["a"]}, "criteria[0]", "expected a JSON object"),
    ],
)
def test_framework_dict_problems_say_what_to_fix(data: object, path: str, message: str) -> None:
    with pytest.raises(lm.ValidationError, match=message) as info:
        Framework.from_dict(data)  # type: ignore[arg-type]
    assert path in [p.path for p in info.value.problems]


def test_toml_problems_name_their_line() -> None:
    text = BANT_TOML.replace('value_type = "bool"', 'value_type = "yes/no"') + "rule_ = 1\n"
    with pytest.raises(lm.ValidationError) as info:
        Framework.from_toml(text)
    assert [(p.line, p.path) for p in info.value.problems] == [
        (12, "criteria[1].value_type"),
        (24, "criteria[3].rule_"),
    ]
    assert "line 12: criteria[1].value_type: expected one of 'text', 'number'" in str(info.value)
    with pytest.raises(lm.ValidationError, match="not valid TOML"):
        Framework.from_toml("key = ")
    with pytest.raises(lm.ValidationError, match="read_text"):
        Framework.from_toml(Path("bant.toml"))  # type: ignore[arg-type]


@given(lst.frameworks())
def test_a_framework_round_trips_through_its_dict_and_json(framework: Framework) -> None:
    data = framework.to_dict()
    assert Framework.from_dict(data) == framework
    assert Framework.from_dict(json.loads(json.dumps(data))) == framework


def test_the_presets_round_trip_through_their_dicts() -> None:
    for preset in PRESETS:
        assert Framework.from_dict(preset.to_dict()) == preset
