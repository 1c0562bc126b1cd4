"""Qualification frameworks as data: criteria and the rule that decides "qualified".

>>> from leadmodel import BANT, Answer
>>> answers = [Answer(criterion="budget", met=True), Answer(criterion="need", met=True)]
>>> verdict = BANT.evaluate(answers)
>>> verdict.qualified, verdict.score, verdict.missing
(False, 50.0, ('authority', 'timeline'))

Frameworks are data: :meth:`Framework.from_dict`, :meth:`Framework.from_toml` and
:meth:`Framework.to_dict` read and write them through the one converter, so
``framework.to_dict() == lm.to_dict(framework)``. The document is flat: the rule's settings
(``rule = "at_least"``, ``k = 2``, ``mandatory``...) sit beside ``key``, ``label`` and the
``criteria``.

>>> from leadmodel import Framework
>>> data = {"key": "LITE", "rule": "at_least", "k": 2, "mandatory": ["budget"],
...         "criteria": [{"key": "budget", "value_type": "money"}, {"key": "need"},
...                      {"key": "timeline", "value_type": "date"}]}
>>> lite = Framework.from_dict(data)
>>> lite.rule, lite.criteria[0].value_type.value
(AtLeast(k=2, mandatory=('budget',)), 'money')
>>> Framework.from_dict(lite.to_dict()) == lite
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel import toml
from leadmodel._kernel.documents import Spec, from_document
from leadmodel.domain.model.records import Answer
from leadmodel.domain.qualification.criteria import (
    CRITERIA_TOTALS,
    AllOf,
    AtLeast,
    Criterion,
    Rule,
    Verdict,
    Weighted,
    check_criteria,
    check_rule,
)
from leadmodel.errors import Problem, ValidationError

__all__ = ["Framework"]


_CRITERIA_HINT = "list the criteria (in TOML, one [[criteria]] table each)"


def _key(spec: Any) -> Any:
    return spec.key


@attrs.frozen(kw_only=True)
class Framework(Spec, flatten="rule", hints={"criteria": _CRITERIA_HINT}):
    """A qualification framework: its criteria and the rule that decides "qualified".

    Build one in code, or from data with :meth:`from_dict` / :meth:`from_toml` (and back
    with :meth:`to_dict`); see ``docs/qualification.md`` for the format.
    """

    key: str
    label: str = attrs.field(default=attrs.Factory(_key, takes_self=True))
    criteria: tuple[Criterion, ...] = attrs.field(metadata={c.MAX_TOTALS: CRITERIA_TOTALS})
    rule: Rule = attrs.Factory(AllOf)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the framework key")
        if self.label != self.key:  # a label left to default is the key, checked already
            c.text(p, "label", self.label, "the label")
        keys = check_criteria(p, self.criteria)
        name = self.key if type(self.key) is str and self.key.strip() else "this framework"
        check_rule(p, self.rule, keys, name)
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

        >>> import leadmodel as lm
        >>> data = {"key": "LITE", "label": "Швидка перевірка", "rule": "at_least", "k": 1,
        ...         "criteria": [{"key": "budget", "label": "Бюджет"}, {"key": "need"}]}
        >>> lite = lm.Framework.from_dict(data)
        >>> lite.rule, [criterion.label for criterion in lite.criteria]
        (AtLeast(k=1, mandatory=()), ['Бюджет', 'need'])
        >>> lm.Framework.from_dict({**data, "k": 3})
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: Framework.k: k is a whole number from 1 to the 2
        criteria; got 3
        """
        return from_document(cls, data)

    @classmethod
    def from_toml(cls, text: str | bytes) -> Framework:
        """Read a framework from TOML text (``str`` or UTF-8 ``bytes``; the domain reads no
        files, so read one with ``Path.read_bytes()`` first: a path is refused).

        Problems name the line they were found on: ``line 9: criteria[1].value_type: ...``.

        >>> import leadmodel as lm
        >>> text = '''
        ... key = "LITE"
        ... [[criteria]]
        ... key = "budget"
        ... label = "Бюджет"
        ... value_type = "money"
        ... '''
        >>> lm.Framework.from_toml(text).criteria[0].value_type
        <ValueType.money: 'money'>
        >>> lm.Framework.from_toml(text.replace('"money"', '"cash"'))
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: line 6: criteria[0].value_type: expected one of 'text',
        'number', 'money', 'date', 'bool', 'choice'; got 'cash'
        """
        try:
            data = toml.parse(text)
        except ValidationError as exc:
            raise ValidationError(exc.problems, model="Framework") from None
        try:
            return from_document(cls, data)
        except ValidationError as exc:
            raise ValidationError(toml.with_lines(exc.problems, text)) from None

    def _unknown(self, path: str, key: object) -> Problem:
        known = ", ".join(k.key for k in self.criteria)
        return Problem(path, f"{self.key} has no criterion like this (it has {known})", key)

    def evaluate(self, answers: Iterable[Answer]) -> Verdict:
        """Decide from ``answers`` (the last answer per criterion counts; others are ignored).

        Raises :class:`ValidationError` listing every answer to a criterion the framework
        lacks and every value its criterion's ``value_type`` refuses (paths ``[i].value``).

        >>> import leadmodel as lm
        >>> answers = [lm.Answer(criterion="budget", met=True),
        ...            lm.Answer(criterion="need", met=False)]
        >>> verdict = lm.BANT.evaluate(answers)
        >>> verdict.qualified, verdict.score, verdict.met, verdict.failed, verdict.missing
        (False, 25.0, ('budget',), ('need',), ('authority', 'timeline'))
        >>> lm.BANT.evaluate([lm.Answer(criterion="price", met=True)])
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: answers[0].criterion: BANT has no criterion like this
        (it has budget, authority, need, timeline); got 'price'
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
