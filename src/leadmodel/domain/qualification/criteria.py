"""The vocabulary of qualification: criteria, the rules that decide, and verdicts (DOMAIN §4).

Criteria and rules are specs: they check themselves when built, and the one converter writes
them (a rule names itself with ``rule = "at_least"``; in a framework's document its settings
sit at the top, beside the framework's own keys).

>>> AtLeast(k=2, mandatory=("budget",)).to_dict()
{'schema_version': 1, 'rule': 'at_least', 'k': 2, 'mandatory': ['budget']}
>>> AtLeast(k=0)
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: AtLeast.k: k is a whole number ≥ 1; got 0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec, Tag
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel.domain.qualification.answers import ValueType, value_problem
from leadmodel.domain.values.custom_json import JSON
from leadmodel.errors import Problem

__all__ = [
    "CRITERIA_TOTALS",
    "MAX_CHOICES",
    "MAX_CRITERIA",
    "MAX_FRAMEWORK_CHOICES",
    "AllOf",
    "AtLeast",
    "Criterion",
    "Rule",
    "Verdict",
    "Weighted",
    "check_criteria",
    "check_rule",
]


def _key(spec: Any) -> Any:
    return spec.key


# The caps keep the cost of reading a framework bounded: a longer list is refused by its length
# (by the document converter before an item is read, and by the constructor with the same words).

MAX_CRITERIA = 1_000
"""The most criteria one framework holds (BANT has 4, MEDDPICC 8); its rule's ``mandatory``
list and ``weights`` name at most as many."""

MAX_CHOICES = 1_000
"""The most choices one ``choice`` criterion lists."""

MAX_FRAMEWORK_CHOICES = 5_000
"""The most choices all the criteria of one framework list together (a framework at the caps
and this budget loads in about 8 ms)."""


def _criteria(count: int) -> str:
    return (
        f"{count:,} criteria; a framework holds at most {MAX_CRITERIA:,} (MAX_CRITERIA): keep"
        " the questions that decide qualification, and split the rest into another framework"
    )


def _named(what: str, fix: str) -> c.MaxItems:
    def message(count: int) -> str:
        return (
            f"{count:,} {what}; a framework holds at most {MAX_CRITERIA:,} criteria"
            f" (MAX_CRITERIA): {fix}"
        )

    return c.MaxItems(MAX_CRITERIA, message)


def _choices(count: int) -> str:
    return (
        f"{count:,} choices; a criterion lists at most {MAX_CHOICES:,} (MAX_CHOICES): group"
        " them, or make it a text criterion"
    )


def _all_choices(count: int) -> str:
    return (
        f"{count:,} choices over all criteria; a framework's criteria hold at most"
        f" {MAX_FRAMEWORK_CHOICES:,} together (MAX_FRAMEWORK_CHOICES): group them, or make some"
        " text criteria"
    )


_CHOICES = c.MaxItems(MAX_CHOICES, _choices)
CRITERIA_TOTALS = (c.MaxTotal(MAX_FRAMEWORK_CHOICES, ("choices",), _all_choices),)
"""What a framework's criteria hold together (:data:`MAX_FRAMEWORK_CHOICES`)."""
_MANDATORY = _named("mandatory criteria", "name each mandatory criterion once")
_WEIGHTS = _named("weights", "give each criterion one weight at most")


@attrs.frozen(kw_only=True)
class Criterion(Spec):
    """One question of a framework: ``key`` (stable id), ``label`` (defaults to the key) and
    the ``question`` to ask.

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
    label: str = attrs.field(default=attrs.Factory(_key, takes_self=True))
    question: str | None = None
    value_type: ValueType | None = None
    choices: tuple[str, ...] = attrs.field(default=(), metadata={c.MAX_ITEMS: _CHOICES})

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_CRITERIA, _criteria)
    """A framework's criteria: at most :data:`MAX_CRITERIA` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the criterion key")
        if self.label != self.key:  # a label left to default is the key, checked already
            c.text(p, "label", self.label, "the label")
        c.opt_text(p, "question", self.question, "the question")
        typed: c.Problems = []  # the choices are checked against the type once both are sound
        if self.value_type is not None:
            c.member(typed, "value_type", self.value_type, ValueType)
        if c.max_items(typed, "choices", self.choices, _CHOICES):
            c.texts(typed, "choices", self.choices, "a choice")
        p += typed
        if not typed:
            choice = self.value_type is ValueType.choice
            if choice and not self.choices:
                p.append(Problem("choices", "a criterion with value_type choice lists its choices"))
            elif self.choices and not choice:
                msg = "only a criterion with value_type choice has choices"
                p.append(Problem("choices", msg, self.choices))
            else:
                c.distinct(p, "choices", self.choices, "choice")
        if p:
            c.fail("Criterion", p)

    def value_problem(self, value: JSON) -> str | None:
        """What is wrong with ``value`` as the value of an answer to this criterion, or ``None``.

        ``None`` values and criteria without a ``value_type`` always pass.

        >>> import leadmodel as lm
        >>> timeline = lm.Criterion(key="timeline", label="Терміни", value_type=lm.ValueType.choice,
        ...                         choices=("this month", "later"))
        >>> timeline.value_problem("later") is None, timeline.value_problem(None) is None
        (True, True)
        >>> timeline.value_problem("never")
        "'timeline' takes one of: 'this month', 'later'"
        """
        if self.value_type is None or value is None:
            return None
        return value_problem(self.key, self.value_type, self.choices, value)


_K_HINT = "give k: how many criteria must be met"
_THRESHOLD_HINT = "give threshold: the score (0-100) to reach"


def _mandatory(p: c.Problems, mandatory: object) -> None:
    if c.max_items(p, "mandatory", mandatory, _MANDATORY):
        c.texts(p, "mandatory", mandatory, "a criterion key")
        c.distinct(p, "mandatory", mandatory, "criterion")


def _mandatory_field() -> Any:
    return attrs.field(default=(), metadata={c.MAX_ITEMS: _MANDATORY})


@attrs.frozen(kw_only=True)
class AllOf(Spec, tag=Tag(key="rule", value="all", default=True)):
    """Qualified when every criterion is met."""

    mandatory: tuple[str, ...] = _mandatory_field()

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _mandatory(p, self.mandatory)
        if p:
            c.fail("AllOf", p)


@attrs.frozen(kw_only=True)
class AtLeast(Spec, tag=Tag(key="rule", value="at_least"), hints={"k": _K_HINT}):
    """Qualified when at least ``k`` criteria are met, the ``mandatory`` ones among them."""

    k: int
    mandatory: tuple[str, ...] = _mandatory_field()

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        if type(self.k) is not int or self.k < 1:
            p.append(Problem("k", "k is a whole number ≥ 1", self.k))
        _mandatory(p, self.mandatory)
        if p:
            c.fail("AtLeast", p)


@attrs.frozen(kw_only=True)
class Weighted(Spec, tag=Tag(key="rule", value="weighted"), hints={"threshold": _THRESHOLD_HINT}):
    """Qualified when the weighted share of met criteria (0–100) reaches ``threshold``.

    ``weights`` maps criterion keys to non-negative weights (missing keys weigh 1).
    """

    weights: Mapping[str, float] = attrs.field(factory=FrozenMap, metadata={c.MAX_ITEMS: _WEIGHTS})
    threshold: float
    mandatory: tuple[str, ...] = _mandatory_field()

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        if not isinstance(self.weights, Mapping):
            p.append(Problem("weights", "map criterion keys to weights", self.weights))
        elif c.max_items(p, "weights", self.weights, _WEIGHTS):  # past it, the count alone
            object.__setattr__(self, "weights", FrozenMap(self.weights))  # hashable
            for name, weight in self.weights.items():
                if not _is_number(weight) or weight < 0:
                    p.append(Problem(f"weights.{name}", "a weight is a number ≥ 0", weight))
        threshold = self.threshold
        if not _is_number(threshold) or not 0 <= threshold <= 100:  # noqa: PLR2004 - a percentage
            p.append(Problem("threshold", "a threshold from 0 to 100", threshold))
        _mandatory(p, self.mandatory)
        if p:
            c.fail("Weighted", p)


Rule = AllOf | AtLeast | Weighted
"""A framework's qualifying rule: :class:`AllOf`, :class:`AtLeast` or :class:`Weighted`."""


def _is_number(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


def check_criteria(p: c.Problems, criteria: object) -> list[str] | None:
    """A tuple of Criterion with unique keys, at least one; returns the keys, or ``None`` when
    they are not all known (a criterion that is not one has reported itself) or the criteria
    are past a cap (then they are not read one by one)."""
    if not c.max_items(p, "criteria", criteria, Criterion.__max_items__):
        return None  # past the cap, the count alone: the criteria are not read one by one
    c.tuple_of(p, "criteria", criteria, Criterion)
    if type(criteria) is not tuple or not c.max_totals(p, "criteria", criteria, CRITERIA_TOTALS):
        return None
    if not criteria:
        p.append(Problem("criteria", "a framework needs at least one criterion"))
    keys = [k.key for k in criteria if isinstance(k, Criterion) and type(k.key) is str]
    if len(set(keys)) != len(keys):
        p.append(Problem("criteria", "criterion keys must be unique", keys))
    return keys if len(keys) == len(criteria) else None


def check_rule(p: c.Problems, rule: object, keys: list[str] | None, framework: str) -> None:
    """The checks of a framework's rule against its criterion ``keys`` (paths ``rule.*``).

    The rule checked itself when it was built; what only the framework knows is which
    criteria there are (``None``: not known, nothing to check against).
    """
    if not isinstance(rule, AllOf | AtLeast | Weighted):
        p.append(Problem("rule", "use AllOf(), AtLeast(k) or Weighted(weights, threshold)", rule))
        return
    if keys is None:
        return
    known = set(keys)  # a set: one look-up per name, not a scan of the criteria (quadratic)
    for name in rule.mandatory if type(rule.mandatory) is tuple else ():
        if type(name) is str and name not in known:
            message = f"{name!r} is not a criterion of {framework}"
            p.append(Problem("rule.mandatory", message, name))
    if isinstance(rule, AtLeast) and type(rule.k) is int and rule.k > len(keys) >= 1:
        message = f"k is a whole number from 1 to the {len(keys)} criteria"
        p.append(Problem("rule.k", message, rule.k))
    if isinstance(rule, Weighted) and isinstance(rule.weights, Mapping):
        for name in rule.weights:
            if name not in known:
                message = f"{name!r} is not a criterion of {framework}"
                p.append(Problem(f"rule.weights.{name}", message))


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
        """A one-paragraph, human-readable account of the verdict.

        >>> import leadmodel as lm
        >>> answers = [lm.Answer(criterion="budget", met=True),
        ...            lm.Answer(criterion="need", met=False)]
        >>> print(lm.BANT.evaluate(answers).explain())
        BANT: not qualified (score 25 of 100); met: budget; not met: need;
        unknown: authority, timeline
        """
        head = "qualified" if self.qualified else "not qualified"
        parts = [f"{self.framework}: {head} (score {self.score:g} of 100)"]
        for label, keys in (("met", self.met), ("not met", self.failed), ("unknown", self.missing)):
            if keys:
                parts.append(f"{label}: {', '.join(keys)}")
        return "; ".join(parts)
