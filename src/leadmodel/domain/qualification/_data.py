"""Qualification frameworks as data: read from a dict or TOML, written back to a dict.

The format is flat: ``key``, ``label``, ``rule`` (``all`` | ``at_least`` | ``weighted``) with
its settings (``k``; ``weights``, ``threshold``) and ``mandatory`` at the top, and the
``criteria`` as a list of tables. Every problem is reported at once, with its path (and its
line, from TOML), through the same reader and line finder as pipeline specs.

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

import tomllib
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from leadmodel._kernel import checks as c
from leadmodel._kernel import toml as _toml
from leadmodel.domain.pipeline.spec import SpecReader
from leadmodel.domain.qualification.answers import ValueType
from leadmodel.domain.qualification.framework import (
    AllOf,
    AtLeast,
    Criterion,
    Framework,
    Rule,
    Weighted,
    check_criteria,
    check_rule,
)
from leadmodel.domain.values.custom_json import FrozenMap
from leadmodel.errors import Problem, ValidationError

__all__ = ["framework_to_dict", "read_framework", "read_toml"]


class _RuleName(StrEnum):
    all = "all"
    at_least = "at_least"
    weighted = "weighted"


_TOP_KEYS = frozenset(
    {"key", "label", "criteria", "rule", "k", "weights", "threshold", "mandatory"}
)
_CRITERION_KEYS = frozenset({"key", "label", "question", "value_type", "choices"})
_SETTINGS = {
    "k": _RuleName.at_least,
    "weights": _RuleName.weighted,
    "threshold": _RuleName.weighted,
}


def read_framework(data: object) -> Framework:
    """Read a framework dict; raises :class:`ValidationError` listing every problem."""
    reader = SpecReader()
    top = reader.table(data, "", _TOP_KEYS)
    key = reader.text(top, "", "key")
    label = reader.text(top, "", "label", default=key or "?")
    read = [_criterion(item, path, reader) for path, item in reader.items(top, "", "criteria")]
    if "criteria" not in top:
        msg = "required: list the criteria (in TOML, one [[criteria]] table each)"
        reader.problem("criteria", msg, show=False)
    criteria = tuple(item for item in read if item is not None)
    rule = _rule(top, reader)
    checked: c.Problems = []
    keys = None
    if len(criteria) == len(read):  # every criterion was read: the keys are known
        keys = check_criteria(checked, criteria)
    check_rule(checked, rule, keys, key or "this framework", "")
    problems = list(dict.fromkeys([*reader.problems, *checked]))  # in order, each once
    if problems:
        raise ValidationError(problems, model="Framework")
    return Framework(key=key, label=label, criteria=criteria, rule=rule)


def read_toml(text: object) -> Framework:
    """Read a framework from TOML text; each problem names the line it was found on."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                [Problem("", f"not UTF-8 text: {exc}")], model="Framework"
            ) from None
    if not isinstance(text, str):
        msg = "pass the TOML text (read a file with Path(...).read_text(encoding='utf-8'))"
        raise ValidationError([Problem("", msg, text)], model="Framework")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError([Problem("", f"not valid TOML: {exc}")], model="Framework") from None
    try:
        return read_framework(data)
    except ValidationError as exc:
        lines = _toml.line_map(text)
        located = [
            Problem(p.path, p.message, p.value, line=_toml.locate(lines, p.path))
            for p in exc.errors
        ]
        raise ValidationError(located) from None


def _criterion(data: object, path: str, reader: SpecReader) -> Criterion | None:
    table = reader.table(data, path, _CRITERION_KEYS)
    key = reader.text(table, path, "key")
    label = reader.text(table, path, "label", default=key or "?")
    question = reader.opt_text(table, path, "question")
    value_type = None
    choices = reader.texts(table, path, "choices")
    if table.get("value_type") is not None:
        try:
            value_type = ValueType(table["value_type"])
        except ValueError:
            allowed = ", ".join(t.value for t in ValueType)
            msg = f"expected one of: {allowed}"
            reader.problem(f"{path}.value_type", msg, table["value_type"])
            choices = ()  # not checked against a type that is not there
    if not key:
        return None
    try:
        return Criterion(
            key=key, label=label or key, question=question, value_type=value_type, choices=choices
        )
    except ValidationError as exc:
        reader.problems.extend(p.within(path) for p in exc.errors)
        return None


def _rule(top: Mapping[str, Any], reader: SpecReader) -> Rule:
    name = reader.choice(top, "", "rule", _RuleName, _RuleName.all)
    for setting, owner in _SETTINGS.items():
        if setting in top and owner is not name:
            msg = f"{setting} belongs to rule = {owner.value!r}; this framework's rule is "
            msg += repr(name.value)
            reader.problem(setting, msg, show=False)
    mandatory = reader.texts(top, "", "mandatory")
    if name is _RuleName.at_least:
        return AtLeast(k=_number(top, "k", reader, whole=True), mandatory=mandatory)
    if name is _RuleName.weighted:
        threshold = _number(top, "threshold", reader, whole=False)
        return Weighted(weights=_weights(top, reader), threshold=threshold, mandatory=mandatory)
    return AllOf(mandatory=mandatory)


def _number(top: Mapping[str, Any], key: str, reader: SpecReader, *, whole: bool) -> Any:
    """The number at ``key`` (an int when ``whole``); problems are left to ``check_rule``."""
    if key not in top:
        what = "k: how many criteria must be met" if whole else "threshold: the score to reach"
        reader.problem(key, f"required by this rule: give {what}", show=False)
        return 1 if whole else 0
    return top[key]


def _weights(top: Mapping[str, Any], reader: SpecReader) -> Mapping[str, Any]:
    value = top.get("weights", {})
    if not isinstance(value, Mapping):
        reader.problem("weights", "expected a table of criterion keys and weights", value)
        return FrozenMap()
    return FrozenMap(value)


def framework_to_dict(framework: Framework) -> dict[str, Any]:
    """The framework in the flat dict form (the default rule ``all`` is left out)."""
    out: dict[str, Any] = {"key": framework.key, "label": framework.label}
    rule = framework.rule
    if isinstance(rule, AtLeast):
        out |= {"rule": _RuleName.at_least.value, "k": rule.k}
    elif isinstance(rule, Weighted):
        out["rule"] = _RuleName.weighted.value
        if rule.weights:
            out["weights"] = dict(rule.weights)
        out["threshold"] = rule.threshold
    if rule.mandatory:
        out["mandatory"] = list(rule.mandatory)
    out["criteria"] = [_criterion_to_dict(item) for item in framework.criteria]
    return out


def _criterion_to_dict(criterion: Criterion) -> dict[str, Any]:
    out: dict[str, Any] = {"key": criterion.key, "label": criterion.label}
    if criterion.question is not None:
        out["question"] = criterion.question
    if criterion.value_type is not None:
        out["value_type"] = criterion.value_type.value
    if criterion.choices:
        out["choices"] = list(criterion.choices)
    return out
