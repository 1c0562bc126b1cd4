"""Qualification frameworks as data: criteria, a rule that decides, and verdicts (DOMAIN §4).

>>> from leadmodel import Answer
>>> answers = [Answer(criterion="budget", met=True), Answer(criterion="need", met=True)]
>>> verdict = BANT.evaluate(answers)
>>> verdict.qualified, verdict.score, verdict.missing
(False, 50.0, ('authority', 'timeline'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from leadmodel import _checks as c
from leadmodel.domain.entities import Lead
from leadmodel.domain.records import Answer, Assessment
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "ANUM",
    "BANT",
    "CHAMP",
    "FAINT",
    "GPCT",
    "GPCT_BA_CI",
    "MEDDIC",
    "MEDDPICC",
    "AllOf",
    "AtLeast",
    "Criterion",
    "Framework",
    "Verdict",
    "Weighted",
    "assess",
]


@attrs.frozen(kw_only=True)
class Criterion:
    """One question of a framework: ``key`` (stable id), ``label`` and the ``question`` to ask."""

    key: str
    label: str
    question: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the criterion key")
        c.text(p, "label", self.label, "the label")
        c.opt_text(p, "question", self.question, "the question")
        if p:
            c.fail("Criterion", p)


@attrs.frozen(kw_only=True)
class AllOf:
    """Qualified when every criterion is met."""

    mandatory: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class AtLeast:
    """Qualified when at least ``k`` criteria are met, the ``mandatory`` ones among them."""

    k: int
    mandatory: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Weighted:
    """Qualified when the weighted share of met criteria (0–100) reaches ``threshold``.

    ``weights`` maps criterion keys to non-negative weights (missing keys weigh 1).
    """

    weights: Mapping[str, float]
    threshold: float
    mandatory: tuple[str, ...] = ()


Rule = AllOf | AtLeast | Weighted


@attrs.frozen(kw_only=True)
class Verdict:
    """The outcome of evaluating answers: qualified or not, a 0–100 score, what is lacking."""

    framework: str
    qualified: bool
    score: float
    missing: tuple[str, ...]
    failed: tuple[str, ...]
    met: tuple[str, ...]

    def explain(self) -> str:
        """A one-paragraph, human-readable account of the verdict."""
        head = "qualified" if self.qualified else "not qualified"
        parts = [f"{self.framework}: {head} (score {self.score:g} of 100)"]
        for label, keys in (("met", self.met), ("not met", self.failed), ("unknown", self.missing)):
            if keys:
                parts.append(f"{label}: {', '.join(keys)}")
        return "; ".join(parts)


@attrs.frozen(kw_only=True)
class Framework:
    """A qualification framework: its criteria and the rule that decides "qualified"."""

    key: str
    label: str
    criteria: tuple[Criterion, ...]
    rule: Rule = AllOf()

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the framework key")
        c.tuple_of(p, "criteria", self.criteria, Criterion)
        keys = [k.key for k in self.criteria if isinstance(k, Criterion)]
        if not keys:
            p.append(Problem("criteria", "a framework needs at least one criterion"))
        if len(set(keys)) != len(keys):
            p.append(Problem("criteria", "criterion keys must be unique", keys))
        self._check_rule(p, set(keys))
        if p:
            c.fail("Framework", p)

    def _check_rule(self, p: c.Problems, keys: set[str]) -> None:
        rule = self.rule
        if not isinstance(rule, AllOf | AtLeast | Weighted):
            p.append(
                Problem("rule", "use AllOf(), AtLeast(k) or Weighted(weights, threshold)", rule)
            )
            return
        for name in rule.mandatory:
            if name not in keys:
                p.append(Problem("rule.mandatory", f"{name!r} is not a criterion of {self.key}"))
        if isinstance(rule, AtLeast) and not 1 <= rule.k <= len(keys):
            p.append(Problem("rule.k", f"k is between 1 and the {len(keys)} criteria", rule.k))
        if isinstance(rule, Weighted):
            for name, weight in rule.weights.items():
                if name not in keys or weight < 0:
                    p.append(
                        Problem(f"rule.weights.{name}", "a criterion key with a weight ≥ 0", weight)
                    )
            if not 0 <= rule.threshold <= 100:  # noqa: PLR2004 - a percentage
                p.append(Problem("rule.threshold", "a threshold from 0 to 100", rule.threshold))

    def evaluate(self, answers: Iterable[Answer]) -> Verdict:
        """Decide from ``answers`` (the last answer per criterion counts; others are ignored).

        Raises :class:`ValidationError` for an answer to a criterion the framework lacks.
        """
        latest: dict[str, bool | None] = {}
        keys = [k.key for k in self.criteria]
        for answer in answers:
            if answer.criterion not in keys:
                problem = Problem(
                    "criterion", f"{self.key} has no criterion like this", answer.criterion
                )
                raise ValidationError([problem], model="Answer")
            latest[answer.criterion] = answer.met
        met = tuple(k for k in keys if latest.get(k) is True)
        failed = tuple(k for k in keys if latest.get(k) is False)
        missing = tuple(k for k in keys if latest.get(k) is None)
        rule = self.rule
        weights = rule.weights if isinstance(rule, Weighted) else {}
        total = sum(weights.get(k, 1.0) for k in keys)
        score = round(100 * sum(weights.get(k, 1.0) for k in met) / total, 6) if total else 0.0
        mandatory_ok = all(k in met for k in rule.mandatory)
        if isinstance(rule, AllOf):
            qualified = len(met) == len(keys)
        elif isinstance(rule, AtLeast):
            qualified = len(met) >= rule.k and mandatory_ok
        else:
            qualified = score >= rule.threshold and mandatory_ok
        return Verdict(
            framework=self.key,
            qualified=qualified,
            score=score,
            missing=missing,
            failed=failed,
            met=met,
        )


def assess(
    lead: Lead, framework: Framework, answers: Iterable[Answer], *, at: datetime, by: str | None
) -> Lead:
    """Evaluate ``answers`` and record the :class:`~leadmodel.Assessment` on the lead.

    Earlier assessments are kept (re-qualification does not erase them); the pipeline's
    framework requirement reads the latest one.
    """
    given = tuple(answers)
    verdict = framework.evaluate(given)
    assessment = Assessment(
        framework=framework.key,
        answers=given,
        qualified=verdict.qualified,
        score=verdict.score,
        at=at,
        by=by,
        missing=verdict.missing,
        failed=verdict.failed,
    )
    return attrs.evolve(lead, assessments=(*lead.assessments, assessment))


def _framework(key: str, label: str, criteria: str, rule: Rule | None = None) -> Framework:
    items = tuple(
        Criterion(key=k.strip(), label=k.strip().replace("_", " ").capitalize())
        for k in criteria.split(",")
    )
    return Framework(key=key, label=label, criteria=items, rule=rule or AllOf())


BANT = _framework("BANT", "BANT", "budget, authority, need, timeline")
"""Budget, Authority, Need, Timeline (seed 002: the money is there, a purchase is in sight...)."""
GPCT = _framework("GPCT", "GPCT", "goals, plans, challenges, timeline")
"""Goals, Plans, Challenges, Timeline."""
GPCT_BA_CI = _framework(
    "GPCT_BA_CI",
    "GPCT/BA/C&I",
    "goals, plans, challenges, timeline, budget, authority, negative_consequences, "
    "positive_implications",
)
"""GPCT plus Budget, Authority, Negative Consequences and Positive Implications."""
CHAMP = _framework("CHAMP", "CHAMP", "challenges, authority, money, prioritization")
"""Challenges, Authority, Money, Prioritization."""
ANUM = _framework("ANUM", "ANUM", "authority, need, urgency, money")
"""Authority, Need, Urgency, Money."""
MEDDIC = _framework(
    "MEDDIC",
    "MEDDIC",
    "metrics, economic_buyer, decision_criteria, decision_process, identify_pain, champion",
)
"""Metrics, Economic buyer, Decision criteria, Decision process, Identify pain, Champion."""
MEDDPICC = _framework(
    "MEDDPICC",
    "MEDDPICC",
    "metrics, economic_buyer, decision_criteria, decision_process, paper_process, identify_pain, "
    "champion, competition",
)
"""MEDDIC plus Paper process and Competition."""
FAINT = _framework("FAINT", "FAINT", "funds, authority, interest, need, timing")
"""Funds, Authority, Interest, Need, Timing."""
