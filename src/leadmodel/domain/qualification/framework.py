"""Qualification frameworks as data: criteria, a rule that decides, and verdicts (DOMAIN §4).

>>> from leadmodel import Answer
>>> answers = [Answer(criterion="budget", met=True), Answer(criterion="need", met=True)]
>>> verdict = BANT.evaluate(answers)
>>> verdict.qualified, verdict.score, verdict.missing
(False, 50.0, ('authority', 'timeline'))

Frameworks are data: :meth:`Framework.from_dict`, :meth:`Framework.from_toml` and
:meth:`Framework.to_dict` read and write them (the reader is in ``_framework_data``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.ladder.lifecycle import WATERFALL, LifecycleStage, stage_change
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import Answer, Assessment
from leadmodel.domain.qualification.answers import ValueType, value_problem
from leadmodel.domain.values.custom_json import JSON
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
    "ValueType",
    "Verdict",
    "Weighted",
    "assess",
]


@attrs.frozen(kw_only=True)
class Criterion:
    """One question of a framework: ``key`` (stable id), ``label`` and the ``question`` to ask.

    ``value_type`` (a :class:`ValueType`, optional) says what an answer's ``value`` holds;
    a ``choice`` criterion lists its ``choices``.

    >>> budget = Criterion(key="budget", label="Budget", value_type=ValueType.money)
    >>> budget.value_problem({"amount": "45000", "currency": "UAH"}) is None
    True
    >>> print(budget.value_problem(45000))
    'budget' takes money, an object such as {"amount": "45000", "currency": "UAH"}: give exactly
    the keys amount and currency
    """

    key: str
    label: str
    question: str | None = None
    value_type: ValueType | None = None
    choices: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the criterion key")
        c.text(p, "label", self.label, "the label")
        c.opt_text(p, "question", self.question, "the question")
        if self.value_type is not None:
            c.member(p, "value_type", self.value_type, ValueType)
        c.texts(p, "choices", self.choices, "a choice")
        if not p:
            choice = self.value_type is ValueType.choice
            if choice and not self.choices:
                p.append(Problem("choices", "a criterion with value_type choice lists its choices"))
            elif self.choices and not choice:
                msg = "only a criterion with value_type choice has choices"
                p.append(Problem("choices", msg, self.choices))
            elif len(set(self.choices)) != len(self.choices):
                p.append(Problem("choices", "list each choice once", self.choices))
        if p:
            c.fail("Criterion", p)

    def value_problem(self, value: JSON) -> str | None:
        """What is wrong with ``value`` as the value of an answer to this criterion, or ``None``.

        ``None`` values and criteria without a ``value_type`` always pass.
        """
        if self.value_type is None or value is None:
            return None
        return value_problem(self.key, self.value_type, self.choices, value)


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


def _is_number(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


def check_criteria(p: c.Problems, criteria: object) -> list[str]:
    """A tuple of Criterion with unique keys, at least one; returns the keys."""
    c.tuple_of(p, "criteria", criteria, Criterion)
    keys = [k.key for k in criteria if isinstance(k, Criterion)] if type(criteria) is tuple else []
    if not keys:
        p.append(Problem("criteria", "a framework needs at least one criterion"))
    if len(set(keys)) != len(keys):
        p.append(Problem("criteria", "criterion keys must be unique", keys))
    return keys


def check_rule(
    p: c.Problems, rule: object, keys: list[str] | None, framework: str, at: str
) -> None:
    """The checks of a framework's rule against its criterion ``keys``.

    ``keys`` is ``None`` when the criteria are not known (they had problems of their own):
    then the rule's references to them are not checked. ``at`` prefixes the paths:
    ``"rule."`` for objects, ``""`` for the flat dict/TOML form.
    """
    if not isinstance(rule, AllOf | AtLeast | Weighted):
        p.append(Problem("rule", "use AllOf(), AtLeast(k) or Weighted(weights, threshold)", rule))
        return
    known = keys if keys is not None else []
    c.texts(p, f"{at}mandatory", rule.mandatory, "a criterion key")
    if keys is not None and type(rule.mandatory) is tuple:
        for name in rule.mandatory:
            if type(name) is str and name not in keys:
                p.append(Problem(f"{at}mandatory", f"{name!r} is not a criterion of {framework}"))
    if isinstance(rule, AtLeast):
        k = rule.k
        if type(k) is not int or not 1 <= k <= (len(known) if keys is not None else k):
            msg = f"k is a whole number from 1 to the {len(known)} criteria"
            p.append(Problem(f"{at}k", msg if keys is not None else "k is a whole number ≥ 1", k))
    if isinstance(rule, Weighted):
        _check_weighted(p, rule, keys, at)


def _check_weighted(p: c.Problems, rule: Weighted, keys: list[str] | None, at: str) -> None:
    if not isinstance(rule.weights, Mapping):
        p.append(Problem(f"{at}weights", "map criterion keys to weights", rule.weights))
    else:
        for name, weight in rule.weights.items():
            unknown = keys is not None and name not in keys
            if unknown or not _is_number(weight) or weight < 0:
                msg = "a criterion key with a weight ≥ 0"
                p.append(Problem(f"{at}weights.{name}", msg, weight))
    threshold = rule.threshold
    if not _is_number(threshold) or not 0 <= threshold <= 100:  # noqa: PLR2004 - a percentage
        p.append(Problem(f"{at}threshold", "a threshold from 0 to 100", threshold))


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
    """A qualification framework: its criteria and the rule that decides "qualified".

    Build one in code, or from data with :meth:`from_dict` / :meth:`from_toml` (and back
    with :meth:`to_dict`); see ``docs/qualification.md`` for the format.
    """

    key: str
    label: str
    criteria: tuple[Criterion, ...]
    rule: Rule = AllOf()

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the framework key")
        c.text(p, "label", self.label, "the label")
        keys = check_criteria(p, self.criteria)
        check_rule(p, self.rule, keys, self.key, "rule.")
        if p:
            c.fail("Framework", p)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Framework:
        """Read a framework from a dict (the shape of its TOML or JSON form).

        Keys: ``key``, ``label`` (defaults to the key), ``criteria`` (a list of tables with
        ``key``, ``label``, ``question``, ``value_type``, ``choices``), ``rule`` (``all``
        — the default —, ``at_least`` with ``k``, or ``weighted`` with ``threshold`` and
        optional ``weights``) and ``mandatory``. Raises :class:`ValidationError` listing
        every problem with its path (``criteria[1].value_type``); unknown keys are problems.
        """
        from leadmodel.domain.qualification._data import read_framework

        return read_framework(data)

    @classmethod
    def from_toml(cls, text: str | bytes) -> Framework:
        """Read a framework from TOML text (read a file with ``Path.read_text()`` first).

        Problems name the line they were found on: ``line 9: criteria[1].value_type: ...``.
        """
        from leadmodel.domain.qualification._data import read_toml

        return read_toml(text)

    def to_dict(self) -> dict[str, Any]:
        """The framework as a plain dict that :meth:`from_dict` reads back to an equal one."""
        from leadmodel.domain.qualification._data import framework_to_dict

        return framework_to_dict(self)

    def _unknown(self, path: str, key: object) -> Problem:
        known = ", ".join(k.key for k in self.criteria)
        return Problem(path, f"{self.key} has no criterion like this (it has {known})", key)

    def evaluate(self, answers: Iterable[Answer]) -> Verdict:
        """Decide from ``answers`` (the last answer per criterion counts; others are ignored).

        Raises :class:`ValidationError` listing every answer to a criterion the framework
        lacks and every value its criterion's ``value_type`` refuses (paths ``[i].value``).
        """
        by_key = {k.key: k for k in self.criteria}
        latest: dict[str, bool | None] = {}
        problems: c.Problems = []
        for i, answer in enumerate(answers):
            if not isinstance(answer, Answer):
                problems.append(Problem(f"[{i}]", "expected an Answer", answer))
                continue
            criterion = by_key.get(answer.criterion)
            if criterion is None:
                problems.append(self._unknown(f"[{i}].criterion", answer.criterion))
                continue
            why = criterion.value_problem(answer.value)
            if why is not None:
                problems.append(Problem(f"[{i}].value", why, answer.value))
            latest[answer.criterion] = answer.met
        if problems:
            raise ValidationError(problems, model="answers")
        return self._verdict(latest)

    def _verdict(self, latest: Mapping[str, bool | None]) -> Verdict:
        keys = [k.key for k in self.criteria]
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


_SQL_ORDER = WATERFALL.index(LifecycleStage.sql)


def _reaches_sql(stage: LifecycleStage) -> bool:
    """A qualified assessment moves a lead at ``stage`` to SQL: before it, or recycled."""
    order = stage.order
    sql = LifecycleStage.sql.order
    return stage is LifecycleStage.recycled or (
        order is not None and sql is not None and order < sql
    )


def assess(
    lead: Lead, framework: Framework, answers: Iterable[Answer], *, at: datetime, by: str | None
) -> Lead:
    """Evaluate ``answers`` and record the :class:`~leadmodel.Assessment` on the lead.

    Earlier assessments are kept (re-qualification does not erase them); the pipeline's
    framework requirement reads the latest one. A qualified verdict makes the lead an SQL
    ("an accepted assessment makes SQL"): a lead before ``sql`` on the lifecycle, or
    ``recycled``, advances to ``sql`` with the reason ``"qualified: <framework key>"``. A
    lead at or past SQL stays where it is, and so does a disqualified one (recycle it first).

    Raises :class:`ValidationError` for answers :meth:`Framework.evaluate` refuses, and
    :class:`~leadmodel.errors.LifecycleError` when the move to SQL would be dated before the
    lead's last lifecycle move.
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
    lifecycle, stages = lead.lifecycle, lead.stages
    if verdict.qualified and _reaches_sql(lifecycle):
        reason = f"qualified: {framework.key}"
        stages = (*stages, stage_change(lead, LifecycleStage.sql, at=at, by=by, reason=reason))
        lifecycle = LifecycleStage.sql
    return attrs.evolve(
        lead, assessments=(*lead.assessments, assessment), lifecycle=lifecycle, stages=stages
    )


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
