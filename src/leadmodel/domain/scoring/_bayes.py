"""Naive Bayes over categories, in pure Python: the counting and scoring behind PredictiveScorer.

A *column* holds one field's raw values (what its getter returns), one per lead. A categorical
column's categories are its values; a binned column's are bin indexes (``bisect_right`` of the
value, as a float, in the edges) and ``None`` for a missing value. The numpy path
(:mod:`leadmodel.domain.scoring._bayes_numpy`) gives the same counts and the same scores.

>>> cats = categories((10.0,), [5, 10, None], "x")
>>> cats
[0, 1, None]
>>> count(cats, [True, False, True])
{0: (1, 0), 1: (0, 1), None: (1, 0)}
"""

from __future__ import annotations

import math
import numbers
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import add
from typing import NoReturn

from leadmodel._kernel import checks as c
from leadmodel.domain.values.custom_json import MAX_JSON_INT
from leadmodel.errors import Problem

Category = str | int | float | bool | None
"""One value of a field as the model counts it (a bin index, or ``None``, for a binned field)."""
Tallies = dict[Category, tuple[int, int]]
"""Per category: (won, lost)."""

MAX_PROBLEMS = 20  # a million bad rows make one readable error, not a million lines

_CATEGORY_HINT = "a category is a str, int, float, bool or None (bin numbers with Binned)"
_NUMBER_HINT = "a binned value is a number (int, float or Decimal) or None for a missing one"


def category_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a category, or ``None`` if it is fine.

    A category is also a JSON value, so that a trained scorer can be dumped: no infinity, no
    integer beyond ±(2**63 − 1).
    """
    if value is None or isinstance(value, str | bool):
        return None
    if isinstance(value, numbers.Integral):
        return None if abs(int(value)) <= MAX_JSON_INT else "an integer category is within ±2**63"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN is not a category; use None for a missing value"
        return None if math.isfinite(value) else "an infinite number is not a category"
    return _CATEGORY_HINT


def number_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a number to bin, or ``None`` if it is fine."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return _NUMBER_HINT
    nan = "NaN is not a number to bin; use None for a missing value"
    if isinstance(value, Decimal) and value.is_nan():  # float() of a signalling NaN raises
        return nan
    try:
        as_float = float(value)
    except OverflowError:
        return "the number is too large to bin"
    return nan if math.isnan(as_float) else None


def fail_at(
    check: Callable[[object], str | None], path: str, column: Sequence[object], bad: Iterable[int]
) -> None:
    """Raise one ValidationError naming the first bad rows of ``column`` (``path[i]``), if any."""
    problems: c.Problems = []
    rest = 0
    for i in bad:
        if len(problems) < MAX_PROBLEMS:
            value = column[i]
            problems.append(Problem(f"{path}[{i}]", check(value) or "", value))
        else:
            rest += 1
    if rest:
        problems.append(Problem(path, f"and {rest} more rows like these"))
    if problems:
        c.fail("PredictiveScorer", problems)


def check_categories(column: Sequence[object], path: str) -> None:
    """Raise if a value of ``column`` is not a category (the distinct values are checked)."""
    try:
        distinct = dict.fromkeys(column)
    except TypeError:  # an unhashable value (a list, a dict)
        distinct = {}
    else:
        if all(category_problem(value) is None for value in distinct):
            return
    bad = (i for i, v in enumerate(column) if category_problem(v))
    fail_at(category_problem, path, column, bad)


def categories(
    edges: tuple[float, ...] | None, column: Sequence[object], path: str
) -> list[Category]:
    """The categories of a column: its values (``edges`` is ``None``), else bin indexes."""
    if edges is None:
        check_categories(column, path)
        return list(column)  # type: ignore[arg-type] # checked just above
    out: list[Category] = []
    bad: list[int] = []
    for i, value in enumerate(column):
        if value is None:
            out.append(None)
        elif number_problem(value) is None:
            out.append(bisect_right(edges, float(value)))  # type: ignore[arg-type] # checked
        else:
            bad.append(i)
    fail_at(number_problem, path, column, bad)
    return out


def labels(won: Sequence[object], path: str) -> list[bool]:
    """The labels as bools; anything but True (won) and False (lost) is an error."""
    values = won.tolist() if hasattr(won, "tolist") else list(won)  # a numpy array: its bools
    if not set(map(type, values)) <= {bool}:
        _fail_labels(values, path)
    return values  # type: ignore[return-value] # every item is a bool


def _fail_labels(values: list[object], path: str) -> NoReturn:
    problems: c.Problems = []
    bad = [i for i, v in enumerate(values) if type(v) is not bool]
    for i in bad[:MAX_PROBLEMS]:
        value = values[i]
        if value is None:
            msg = "an open lead is not training data; leave it out (labels are True or False)"
        else:
            msg = "a label is True (won) or False (lost)"
        problems.append(Problem(f"{path}[{i}]", msg, value))
    if len(bad) > MAX_PROBLEMS:
        problems.append(Problem(path, f"and {len(bad) - MAX_PROBLEMS} more rows like these"))
    c.fail("PredictiveScorer", problems)


def count(cats: Sequence[Category], won: Sequence[bool]) -> Tallies:
    """Per category: how many of its rows were won and how many lost."""
    out: Tallies = {}
    for (cat, is_won), n in Counter(zip(cats, won, strict=True)).items():
        w, lost = out.get(cat, (0, 0))
        out[cat] = (w + n, lost) if is_won else (w, lost + n)
    return out


def log_ratios(
    tallies: Mapping[Category, tuple[int, int]], won: int, lost: int, alpha: float
) -> dict[Category, float]:
    """Per category: log P(category | won) − log P(category | lost), Laplace-smoothed by ``alpha``.

    P(category | class) = (count + alpha) / (class total + alpha · categories seen), as
    scikit-learn's ``CategoricalNB`` computes it.
    """
    k = len(tallies)
    if not k:
        return {}
    won_total = math.log(won + alpha * k)
    lost_total = math.log(lost + alpha * k)
    return {
        cat: (math.log(w + alpha) - won_total) - (math.log(n + alpha) - lost_total)
        for cat, (w, n) in tallies.items()
    }


def sigmoid(z: float) -> float:
    """1 / (1 + e^−z), without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def score(
    prior: float,
    tables: Sequence[Mapping[Category, float]],
    columns: Sequence[Sequence[Category]],
    n: int,
) -> list[float]:
    """P(won) per row: the prior log odds plus each field's log ratio (0 for an unseen category)."""
    z = [prior] * n
    for table, cats in zip(tables, columns, strict=True):
        z = list(map(add, z, map(table.get, cats, repeat(0.0))))
    return list(map(sigmoid, z))


def category_of(edges: tuple[float, ...] | None, value: object, path: str) -> Category:
    """The category of one value (a bin index for ``edges``); raises naming ``path``."""
    if edges is None:
        problem = category_problem(value)
    else:
        problem = None if value is None else number_problem(value)
    if problem:
        c.fail("PredictiveScorer", [Problem(path, problem, value)])
    if edges is None or value is None:
        return value  # type: ignore[return-value] # checked: a category
    return bisect_right(edges, float(value))  # type: ignore[arg-type] # checked: a number
