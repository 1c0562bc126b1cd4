"""The vectorised path of :mod:`._bayes`: the same counts and scores via numpy.

Imported only when numpy is installed (the ``numpy`` extra) and the caller did not ask for
the pure path. Categories get integer codes in one pass over the raw values (a dict that
numbers each new key as it meets it); counting is a ``bincount`` and scoring a gather. Every
value is checked as the pure path checks it; a bad one is reported by the pure path's code,
so both raise the same error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import countOf
from typing import Any

import numpy as np
import numpy.typing as npt

from leadmodel.domain.scoring import _bayes
from leadmodel.domain.scoring._bayes import Category, Tallies

Codes = npt.NDArray[np.intp]

_PLAIN_NUMBERS = frozenset({int, float, type(None)})


class _Numbering(dict[Any, int]):
    """A dict that gives each new key the next code when it is first looked up."""

    def __missing__(self, key: Any) -> int:
        code = self[key] = len(self)
        return code


def _categorical(
    column: Sequence[object], path: str, known: Mapping[Category, int]
) -> tuple[Codes, list[Category]]:
    numbering = _Numbering(known)
    try:
        codes = np.fromiter(map(numbering.__getitem__, column), dtype=np.intp, count=len(column))
    except TypeError:  # an unhashable value: let the pure check name it
        _bayes.check_categories(column, path)
        raise
    new = list(numbering)[len(known) :]
    if any(_bayes.category_problem(key) for key in new):
        _bayes.check_categories(column, path)
    return codes, list(numbering)


def _binned(edges: tuple[float, ...], column: Sequence[object], path: str) -> Codes:
    """Bin index per value (``bisect_right`` of the float), ``len(edges) + 1`` for a missing one."""
    if isinstance(column, np.ndarray) and column.dtype.kind in "fiu":
        values = column.astype(float, copy=False)
        n_missing = 0
    else:
        types = set(map(type, column))
        if not types <= _PLAIN_NUMBERS:
            _bayes.categories(edges, column, path)  # raises on a bad value, else all are numbers
        try:
            values = np.array(column, dtype=float)  # None becomes NaN
        except OverflowError:
            _bayes.categories(edges, column, path)
            raise
        n_missing = countOf(column, None) if type(None) in types else 0
    missing = np.isnan(values)
    if int(missing.sum()) != n_missing:  # a NaN among the values, not only None
        _bayes.categories(edges, list(column), path)
    codes = np.searchsorted(np.array(edges, dtype=float), values, side="right")
    codes[missing] = len(edges) + 1
    return codes.astype(np.intp, copy=False)


def labels(won: Sequence[object], path: str) -> npt.NDArray[np.intp]:
    """The labels as 1 (won) and 0 (lost); anything but bools is an error (as in the pure path)."""
    if isinstance(won, np.ndarray):
        if won.dtype != np.bool_:
            _bayes.labels(won.tolist(), path)  # raises
        return won.astype(np.intp)
    if not set(map(type, won)) <= {bool}:
        _bayes.labels(won, path)  # raises
    return np.fromiter(won, dtype=np.intp, count=len(won))


def count(
    edges: tuple[float, ...] | None, column: Sequence[object], won: npt.NDArray[np.intp], path: str
) -> Tallies:
    """Per category: (won, lost), as :func:`leadmodel.domain.scoring._bayes.count` gives them."""
    if edges is None:
        codes, keys = _categorical(column, path, {})
    else:
        codes = _binned(edges, column, path)
        keys = [*range(len(edges) + 1), None]
    pairs = np.bincount(codes * 2 + won, minlength=2 * len(keys)).reshape(len(keys), 2)
    return {
        keys[code]: (w, lost)
        for code, (lost, w) in enumerate(pairs.tolist())
        if w or lost  # a bin no row fell into is not a category seen
    }


def score(
    prior: float,
    *,
    tables: Sequence[Mapping[Category, float]],
    edges: Sequence[tuple[float, ...] | None],
    columns: Sequence[Sequence[object]],
    paths: Sequence[str],
    n: int,
) -> list[float]:
    """P(won) per row, as :func:`leadmodel.domain.scoring._bayes.score` gives it."""
    z = np.full(n, prior, dtype=float)
    for table, field_edges, column, path in zip(tables, edges, columns, paths, strict=True):
        if field_edges is None:
            codes, keys = _categorical(column, path, {key: i for i, key in enumerate(table)})
            ratios = np.zeros(len(keys))
            ratios[: len(table)] = list(table.values())
        else:
            codes = _binned(field_edges, column, path)
            ratios = np.zeros(len(field_edges) + 2)
            for cat, ratio in table.items():
                ratios[len(field_edges) + 1 if cat is None else int(cat)] = ratio
        z += ratios[codes]
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).tolist()  # type: ignore[no-any-return]
