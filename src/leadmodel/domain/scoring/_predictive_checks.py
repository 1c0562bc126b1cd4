"""The checks of a PredictiveScorer: its fields, its counts (of :class:`Tally`) and its columns.

Each check appends :class:`~leadmodel.errors.Problem` s, so that the scorer reports every
problem at once; paths are relative to the scorer (``counts.owner``, ``columns.channel[3]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.scoring import _bayes
from leadmodel.domain.scoring._bayes import Category
from leadmodel.domain.scoring.fields import Binned, Categorical, Field
from leadmodel.errors import Problem

MODEL = "PredictiveScorer"

Counts = Mapping[str, Mapping[Category, "Tally"]]


def count(p: c.Problems, path: str, value: object) -> None:
    """A count of leads: an int ≥ 0."""
    if type(value) is not int or value < 0:
        p.append(Problem(path, "a count is an int ≥ 0", value))


@attrs.frozen(kw_only=True)
class Tally:
    """How many training leads with one value of a field were won and how many lost."""

    won: int
    lost: int

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        count(p, "won", self.won)
        count(p, "lost", self.lost)
        if not p and self.won + self.lost == 0:
            p.append(Problem("won", "a value seen in training has at least one lead"))
        if p:
            c.fail("Tally", p)


def edges_of(field: Field) -> tuple[float, ...] | None:
    """A binned field's edges; ``None`` for a categorical field."""
    return field.edges if isinstance(field, Binned) else None


def fields(p: c.Problems, value: object) -> None:
    """A non-empty tuple of Categorical and Binned fields with distinct names."""
    if type(value) is not tuple or not value:
        msg = "expected a non-empty tuple of Categorical/Binned fields"
        p.append(Problem("fields", msg, value))
        return
    seen: set[str] = set()
    for i, field in enumerate(value):
        if not isinstance(field, Categorical | Binned):
            p.append(Problem(f"fields[{i}]", "expected a Categorical or Binned field", field))
        elif field.name in seen:
            msg = "two fields have this name; rename one"
            p.append(Problem(f"fields[{i}].name", msg, field.name))
        else:
            seen.add(field.name)


def counts(
    p: c.Problems, all_fields: tuple[Field, ...], won: int, lost: int, value: object
) -> Counts:
    """The counts, frozen: per field name a mapping of value to Tally, adding up to the totals.

    An empty mapping on a scorer that counted no lead stands for "no tallies yet".
    """
    if not isinstance(value, Mapping):
        p.append(Problem("counts", "expected a mapping of field name to tallies", value))
        return MappingProxyType({})
    if not value and won == lost == 0:
        value = {field.name: {} for field in all_fields}
    names = [field.name for field in all_fields]
    if set(value) != set(names):
        msg = f"counts has tallies for exactly the fields ({', '.join(names)})"
        p.append(Problem("counts", msg, sorted(map(str, value))))
        return MappingProxyType({})
    frozen = {f.name: _tallies(p, f, won, lost, value[f.name]) for f in all_fields}
    return MappingProxyType(frozen)


def _tallies(
    p: c.Problems, field: Field, won: int, lost: int, value: object
) -> Mapping[Category, Tally]:
    path = f"counts.{field.name}"
    if not isinstance(value, Mapping):
        p.append(Problem(path, "expected a mapping of value to Tally", value))
        return MappingProxyType({})
    edges = edges_of(field)
    won_sum = lost_sum = 0
    for cat, tally in value.items():
        if edges is None:
            bad = _bayes.category_problem(cat)
        elif cat is not None and (type(cat) is not int or not 0 <= cat <= len(edges)):
            bad = f"a bin of this field is None or an int from 0 to {len(edges)}"
        else:
            bad = None
        if bad:
            p.append(Problem(path, bad, cat))
        elif not isinstance(tally, Tally):
            p.append(Problem(f"{path}[{cat!r}]", "expected a Tally", tally))
        else:
            won_sum, lost_sum = won_sum + tally.won, lost_sum + tally.lost
    if (won_sum, lost_sum) != (won, lost):
        msg = f"the tallies add up to {won_sum} won and {lost_sum} lost, not {won} and {lost}"
        p.append(Problem(path, msg))
    return MappingProxyType(dict(value))


def columns(
    all_fields: tuple[Field, ...], value: Mapping[str, Sequence[object]], n: int | None
) -> list[Sequence[object]]:
    """The columns in field order: one per field, none else, all of ``n`` rows (or all equal)."""
    if not isinstance(value, Mapping):
        msg = "expected a mapping of field name to values"
        c.fail(MODEL, [Problem("columns", msg, value)])
    p: c.Problems = []
    names = {field.name for field in all_fields}
    for name in sorted(names - set(value)):
        p.append(Problem(f"columns.{name}", "no column for this field"))
    for name in sorted(set(map(str, value)) - names):
        msg = "no field has this name; leave it out or add the field"
        p.append(Problem(f"columns.{name}", msg))
    for name in sorted(names & set(value)):
        column: Any = value[name]
        if isinstance(column, str | bytes) or not hasattr(column, "__len__"):
            p.append(Problem(f"columns.{name}", "expected a sequence of values", column))
            continue
        n = len(column) if n is None else n
        if len(column) != n:
            msg = f"expected {n} values (one per row)"
            p.append(Problem(f"columns.{name}", msg, len(column)))
    if p:
        c.fail(MODEL, p)
    return [value[field.name] for field in all_fields]


_ROW = re.compile(r"^columns\.(?P<field>.+)\[(?P<row>\d+)\]$")


def on_lead(problem: Problem, ids: Sequence[str]) -> Problem:
    """A problem found in row ``i`` of a column, told as a problem of the field on lead ``i``."""
    found = _ROW.match(problem.path)
    if not found:
        return problem
    message = f"{problem.message} (lead {ids[int(found['row'])]!r})"
    if problem.has_value:
        return Problem(f"fields.{found['field']}", message, problem.value)
    return Problem(f"fields.{found['field']}", message)
