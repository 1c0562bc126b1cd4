"""Qualification frameworks, rules and verdicts (DOMAIN §4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import AllOf, Answer, AtLeast, Framework, Weighted

from .factories import AT, lead

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
        (AtLeast(k=9), "rule.k"),
        (AllOf(mandatory=("price",)), "rule.mandatory"),
        (Weighted(weights={"budget": -1}, threshold=50), "rule.weights.budget"),
        (Weighted(weights={}, threshold=150), "rule.threshold"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(rule: object, path: str) -> None:
    with pytest.raises(lm.ValidationError) as info:
        Framework(key="X", label="X", criteria=lm.BANT.criteria, rule=rule)  # type: ignore[arg-type]
    assert [p.path for p in info.value.errors] == [path]


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
            p.enter(second, at=AT, by="a"), "qualified", at=AT + timedelta(days=1), by="a"
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
