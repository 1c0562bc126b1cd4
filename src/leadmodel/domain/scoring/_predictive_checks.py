"""The checks of a PredictiveScorer: its fields, its tallies and its columns.

Each check appends :class:`~leadmodel.errors.Problem` s, so that the scorer reports every
problem at once; paths are relative to the scorer (``tallies[1]``, ``columns.channel[3]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from leadmodel._kernel import checks as c
from leadmodel.domain.scoring._bayes import Category
from leadmodel.domain.scoring.fields import Binned, Categorical, Field
from leadmodel.domain.scoring.tallies import ValueTally
from leadmodel.errors import Problem

MODEL = "PredictiveScorer"


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


def tallies(
    p: c.Problems, all_fields: tuple[Field, ...], won: int, lost: int, value: object
) -> tuple[tuple[ValueTally, ...], ...]:
    """The tallies, one tuple per field in the fields' order, each sorted by value.

    Each field's tallies add up to the totals ``won`` and ``lost``; an empty tuple on a scorer
    that counted no lead stands for "no tallies yet".
    """
    if type(value) is not tuple:
        msg = "expected a tuple holding a tuple of ValueTally per field"
        p.append(Problem("tallies", msg, value))
        return ()
    if not value and won == lost == 0:
        value = ((),) * len(all_fields)
    if len(value) != len(all_fields):
        names = ", ".join(field.name for field in all_fields)
        msg = f"one tuple of tallies per field, in the fields' order ({names})"
        p.append(Problem("tallies", f"{msg}; got {len(value)}"))
        return ()
    return tuple(
        _field_tallies(p, f"tallies[{i}]", field, (won, lost), ts)
        for i, (field, ts) in enumerate(zip(all_fields, value, strict=True))
    )


def _field_tallies(
    p: c.Problems, path: str, field: Field, totals: tuple[int, int], value: object
) -> tuple[ValueTally, ...]:
    if type(value) is not tuple:
        p.append(Problem(path, f"expected a tuple of ValueTally for {field.name!r}", value))
        return ()
    edges = edges_of(field)
    seen: dict[Category, int] = {}
    found = len(p)
    won = lost = 0
    for j, tally in enumerate(value):
        if not isinstance(tally, ValueTally):
            p.append(Problem(f"{path}[{j}]", "expected a ValueTally", tally))
            continue
        cat = tally.value
        if (
            edges is not None
            and cat is not None
            and (type(cat) is not int or not 0 <= cat <= len(edges))
        ):
            msg = f"a bin of {field.name!r} is None or an int from 0 to {len(edges)}"
            p.append(Problem(f"{path}[{j}].value", msg, cat))
        elif cat in seen:
            msg = f"counted twice (also {path}[{seen[cat]}]); 1, 1.0 and True are one category"
            p.append(Problem(f"{path}[{j}].value", msg, cat))
        else:
            seen[cat] = j
        won, lost = won + tally.won, lost + tally.lost
    if len(p) == found and (won, lost) != totals:
        expected = f"{totals[0]} and {totals[1]}"
        msg = f"the tallies of {field.name!r} add up to {won} won and {lost} lost, not {expected}"
        p.append(Problem(path, msg))
    return tuple(sorted(value, key=_order)) if len(p) == found else ()


def _order(tally: ValueTally) -> tuple[int, Any]:
    """Missing first, then numbers (bools among them), then strings: one order for equal scorers."""
    value = tally.value
    if value is None:
        return (0, 0)
    return (2, value) if isinstance(value, str) else (1, value)


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
        if name.startswith("custom:") and name.replace(":", ".", 1) in names:
            msg = f"custom fields are named by their path now: {name.replace(':', '.', 1)!r}"
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
