"""Probabilistic record linkage: train a :class:`~leadmodel.MatchModel`, score candidate
pairs, and group records, with an explanation of every pair.

* :func:`fit` — unlabelled (the Fellegi–Sunter model by expectation maximisation: ``u`` from
  random pairs of records, ``m`` from one session per blocking rule — the comparisons that
  rule fixes are left out of its session —, the prior from each session's share of matches), or
  from labelled pairs (``m`` counted among the true matches).
* :func:`score_pairs` — every candidate pair of the blocking rules, with its match probability
  (:class:`PairScores`; :meth:`PairScores.explain` says why, comparison by comparison).
* :func:`cluster` — the pairs at a threshold grouped into people, no group above ``max_group``
  records (the links that would pass it are reported, not followed), each group marked safe to
  merge (every link at ``model.merge_at`` or above) or for review.

Deterministic: the same records in any order, and the same ``seed``, give the same model,
probabilities and groups. Needs the ``match`` extra (rapidfuzz, numpy).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import cast

import attrs
import numpy as np
from numpy.typing import NDArray

from leadmodel._kernel import checks as c
from leadmodel.domain.matching._vectors import (
    NULL,
    Ints,
    Levels,
    Table,
    block_pairs,
    field_problem,
    id_order,
    levels,
    record_id,
)
from leadmodel.domain.matching.model import Comparison, LevelKind, MatchModel, with_weights
from leadmodel.errors import Problem

__all__ = [
    "Clusters",
    "MatchGroup",
    "PairExplanation",
    "PairPart",
    "PairScores",
    "cluster",
    "explain_record",
    "fit",
    "score_pairs",
    "score_record",
]

_FLOOR = 1e-6
_PACK = 16  # values of one packed level: the missing one (-1) and levels 0..14
_PACKED = 15  # comparisons packed into one 64-bit pattern
_CONVERGED = 1e-9  # a change of the share of matches too small to go on
_MAX_PRIOR = 0.5
Floats = NDArray[np.float64]


# -- candidates and levels ---------------------------------------------------------------------


@attrs.frozen
class _Prepared:
    table: Table
    order: Ints
    per_rule: tuple[Ints, ...]  # each rule's candidates as rows of left, right (training only)
    left: Ints  # every candidate (i, j), by i then j
    right: Ints
    gammas: Levels  # their levels, a row per pair


def _prepare(records: Sequence[object], model: MatchModel, *, sessions: bool = True) -> _Prepared:
    """The records' table, candidates and their levels; with ``sessions``, each rule's
    candidates too (what training needs)."""
    p: c.Problems = []
    for n, record in enumerate(records):
        if not (isinstance(record, Mapping) and "id" in record) and not hasattr(record, "id"):
            msg = "a record: an entity (Contact, Lead...) or a mapping with an 'id'"
            p.append(Problem(f"records[{n}]", msg, record))
            break
    for field in model.fields if not p else ():
        why = field_problem(records, field)
        if why:
            p.append(Problem("model.fields", why, field))
    if p:
        c.fail("records", p)
    table = Table(records, model.comparisons)
    if len(set(table.ids)) < table.size:
        seen: set[str] = set()
        twice = next(i for i in table.ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        c.fail("records", [Problem("id", "each record once: an id repeats", twice)])
    order = id_order(table)
    hows = {x.field_path: x.normalise for x in model.comparisons}
    per_rule = tuple(
        block_pairs(
            table,
            rule.parsed,
            order,
            max_block=model.max_block,
            window=model.window,
            hows=hows,
            then_by=model.comparisons[0].field_path,
        )
        for rule in model.blocking
    )
    pairs, rows = _union(per_rule, table.size, rows=sessions)
    left, right = np.divmod(pairs, table.size)
    return _Prepared(table, order, rows, left, right, _gammas(table, model, left, right))


def _union(per_rule: Sequence[Ints], size: int, *, rows: bool) -> tuple[Ints, tuple[Ints, ...]]:
    """Every rule's candidates (``i * size + j``) once, sorted, and with ``rows`` each rule's
    as rows of them (sorted).

    By sorting alone: each rule's pairs sorted, tagged with the rule's number in their low bits
    and merged (sorted runs), so that a pair comes once per rule that gives it, side by side.
    Not ``np.unique`` (a hash table) nor ``np.searchsorted`` of each rule's pairs in the union:
    both reach memory at random once per pair, which at tens of millions of pairs costs more
    than everything else.

    >>> pairs, rows = _union([np.array([7, 3, 5]), np.array([5, 9, 3])], 10, rows=True)
    >>> pairs.tolist(), [r.tolist() for r in rows]
    ([3, 5, 7, 9], [[0, 1, 2], [0, 1, 3]])
    >>> pairs, rows = _union([np.array([7, 3, 5]), np.array([5, 9, 3])], 2**32, rows=True)
    >>> pairs.tolist(), [r.tolist() for r in rows]  # no room for the tag: the same, searched
    ([3, 5, 7, 9], [[0, 1, 2], [0, 1, 3]])
    """
    shift = max(len(per_rule) - 1, 1).bit_length()
    if (size * size) << shift >= 1 << 63:  # no room for the tag: search instead
        ordered = [np.sort(pairs) for pairs in per_rule]
        merged = _distinct(np.concatenate(ordered))
        return merged, tuple(np.searchsorted(merged, pairs) for pairs in ordered if rows)
    tagged = np.concatenate([np.sort(pairs) << shift | r for r, pairs in enumerate(per_rule)])
    tagged.sort(kind="stable")  # a merge of the rules' sorted runs
    rule = tagged & ((1 << shift) - 1)
    tagged >>= shift
    first = _firsts(tagged)
    if not rows:
        return tagged[first], ()
    row = np.cumsum(first) - 1
    return tagged[first], tuple(row[rule == r] for r in range(len(per_rule)))


def _firsts(ordered: Ints) -> NDArray[np.bool_]:
    """Where each value of sorted ``ordered`` first occurs."""
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def _distinct(values: Ints) -> Ints:
    """The distinct ``values``, sorted (by sorting: see :func:`_union`)."""
    values = np.sort(values, kind="stable")
    return values[_firsts(values)]


_CHUNK = 1 << 19  # pairs compared at a time: the working arrays stay in cache-sized pieces


def _gammas(table: Table, model: MatchModel, left: Ints, right: Ints) -> Levels:
    """The level of each pair in each comparison: one column per comparison, computed
    ``_CHUNK`` pairs at a time (the memory a comparison needs stays bounded)."""
    out = np.empty((left.size, len(model.comparisons)), dtype=np.int8)
    for start in range(0, left.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        for k, comparison in enumerate(model.comparisons):
            out[part, k] = levels(table, comparison, left[part], right[part])
    return out


# -- training ----------------------------------------------------------------------------------


def fit(
    records: Iterable[object],
    model: MatchModel,
    *,
    seed: int = 0,
    max_pairs: int = 1_000_000,
    labels: Iterable[tuple[str, str, bool]] | None = None,
    iterations: int = 40,
) -> MatchModel:
    """``model`` with its weights estimated from ``records`` (entities, or mappings with an
    ``"id"``): ``u`` from up to ``max_pairs`` random pairs (drawn with ``seed``), ``m`` by
    expectation maximisation over the candidate pairs of each blocking rule — or, given
    ``labels`` (``(id, id, same)`` triples), counted among the labelled matches —, the prior,
    and each ``tf`` comparison's common values. Raises
    :class:`~leadmodel.errors.ValidationError` for bad arguments.

    >>> import leadmodel as lm
    >>> people = [{"id": f"r{n}", "name": name, "city": city} for n, (name, city) in
    ...     enumerate([("olena koval", "kyiv"), ("olena kowal", "kyiv"), ("ivan bondar", "lviv"),
    ...                ("iwan bondar", "lviv"), ("petro sydor", "odesa"), ("anna moroz", "kyiv")])]
    >>> model = lm.MatchModel(comparisons=[
    ...     lm.Comparison(field_path="name",
    ...         levels=[lm.Level("exact"), lm.Level("jaro_winkler", 0.9)]),
    ...     lm.Comparison(field_path="city", levels=[lm.Level("exact")])],
    ...     blocking=[lm.Blocking(keys=["city"]), lm.Blocking(keys=["prefix(name, 2)"])])
    >>> trained = lm.fit(people, model, seed=1)
    >>> trained.trained, 0 < trained.prior < 1
    (True, True)
    """
    given = list(records)
    p: c.Problems = []
    c.instance(p, "model", model, MatchModel)
    if type(seed) is not int:
        p.append(Problem("seed", "a whole number", seed))
    if type(max_pairs) is not int or max_pairs < 100:  # noqa: PLR2004
        p.append(Problem("max_pairs", "a whole number, 100 or more", max_pairs))
    if type(iterations) is not int or not 1 <= iterations <= 1000:  # noqa: PLR2004
        p.append(Problem("iterations", "a whole number from 1 to 1,000", iterations))
    if len(given) < 2:  # noqa: PLR2004
        p.append(Problem("records", "at least two records to learn from", len(given)))
    if p:
        c.fail("fit", p)
    prepared = _prepare(given, model)
    table = prepared.table
    u = _random_u(prepared, model, seed, max_pairs)
    if labels is not None:
        m = _labelled_m(prepared, model, list(labels))
        priors = _priors(prepared, model, m, u, iterations, fixed=True)
    else:
        m, priors = _em_m(prepared, model, u, iterations)
    total = table.size * (table.size - 1) / 2
    prior = float(np.median(priors)) if priors else 1 / total
    prior = min(max(prior, 1 / (total * 10)), _MAX_PRIOR)
    frequencies = [_frequencies(table, x) if x.tf else {} for x in model.comparisons]
    return with_weights(model, m, u, prior, frequencies, population=table.size)


def _random_u(prepared: _Prepared, model: MatchModel, seed: int, max_pairs: int) -> list[Floats]:
    """Per comparison, how often two records drawn at random reach each level."""
    size = prepared.table.size
    rng = np.random.default_rng(seed)
    by_id = np.argsort(prepared.order)  # rank -> record: the draw does not depend on order
    count = min(max_pairs, size * (size - 1) // 2)
    a = rng.integers(0, size, count)
    b = rng.integers(0, size - 1, count)
    b = b + (b >= a)  # never the same record
    gammas = _gammas(prepared.table, model, by_id[a], by_id[b])
    return [
        _shares(gammas[:, k], len(x.levels) + 1, count) for k, x in enumerate(model.comparisons)
    ]


def _shares(column: Levels, width: int, drawn: int) -> Floats:
    counted = np.bincount(column[column >= 0].astype(np.int64), minlength=width).astype(float)
    counted = np.maximum(counted, 0.5)  # a level never drawn is rare, not impossible
    del drawn
    return cast(Floats, counted / counted.sum())


def _patterns(gammas: Levels) -> tuple[Levels, Floats]:
    """The distinct rows of ``gammas`` and how many pairs have each: each row packed into one
    integer (a level and the missing one fit in 4 bits while a comparison has at most 14
    levels and a model 15 comparisons; past that, the rows are compared as rows)."""
    width = gammas.shape[1]
    if width > _PACKED or int(gammas.max(initial=0)) >= _PACK - 1:
        unique, counts = np.unique(gammas, axis=0, return_counts=True)
        return unique, counts.astype(float)
    packed = np.zeros(gammas.shape[0], dtype=np.int64)
    for k in range(width):  # a column at a time: no matrix of 64-bit levels
        packed |= (gammas[:, k].astype(np.int64) + 1) << (4 * k)
    if packed.size and int(packed.max()) < max(4 * packed.size, 1 << 16):  # counted, not sorted
        tally = np.bincount(packed)
        codes = np.flatnonzero(tally)
        counts = tally[codes]
    else:
        codes, counts = np.unique(packed, return_counts=True)
    shifts = np.arange(width, dtype=np.int64) * 4
    rows = ((codes[:, None] >> shifts) & (_PACK - 1)) - 1
    return rows.astype(np.int8), counts.astype(float)


def _initial_m(width: int) -> Floats:
    m = np.full(width, 0.1 / max(width - 2, 1))
    m[0], m[-1] = 0.85, 0.05
    if width == 2:  # noqa: PLR2004
        m[:] = (0.9, 0.1)
    return cast(Floats, m / m.sum())


def _posterior(
    patterns: Levels, active: Sequence[int], m: list[Floats], u: list[Floats], prior: float
) -> Floats:
    log_bf = np.zeros(len(patterns))
    for k in active:
        column = patterns[:, k].astype(np.int64)
        known = column >= 0
        log_bf[known] += np.log(m[k][column[known]]) - np.log(u[k][column[known]])
    odds = np.log(prior) - np.log1p(-prior) + log_bf
    return cast(Floats, 1 / (1 + np.exp(-np.clip(odds, -700, 700))))


def _em(
    patterns: Levels,
    counts: Floats,
    active: Sequence[int],
    m: list[Floats],
    u: list[Floats],
    *,
    iterations: int,
    fixed: bool,
    start: float,
    comparisons: Sequence[Comparison],
) -> tuple[list[Floats], float]:
    """Expectation maximisation over one session's pairs of ``m`` (of the ``active``
    comparisons; none when ``fixed``) and of the share of matches (from ``start``), ``u`` held
    at what random pairs show (a session whose pairs are all matches stays identifiable)."""
    m = [x.copy() for x in m]
    prior = start
    for _ in range(iterations):
        post = _posterior(patterns, active, m, u, prior)
        weighted = counts * post
        new_prior = float(weighted.sum() / counts.sum())
        if not fixed:
            for k in active:
                m[k] = _pinned(comparisons[k], _reestimated(patterns[:, k], weighted, m[k]))
        converged = abs(new_prior - prior) < _CONVERGED
        prior = min(max(new_prior, 1e-12), 1 - _CONVERGED)
        if converged:
            break
    return m, prior


def _first_share(prepared: _Prepared, counts: Floats) -> float:
    """Where a session's share of matches starts: half a match per record among its pairs
    (a base where a record has a twin or two), so EM starts near the matches, not near the
    many pairs that merely share a common value."""
    return min(max(0.5 * prepared.table.size / max(float(counts.sum()), 1.0), 1e-4), 0.5)


def _pinned(comparison: Comparison, m: Floats) -> Floats:
    """``m`` with the ``fixed`` levels of ``comparison`` at their given ``m``, the others
    scaled to fill the rest."""
    pins = {i: level.m for i, level in enumerate(comparison.levels) if level.fixed}
    if not pins:
        return m
    out = m.copy()
    free = [i for i in range(m.size) if i not in pins]
    rest = 1 - sum(v for v in pins.values() if v is not None)
    out[free] = m[free] / max(m[free].sum(), _FLOOR) * rest
    for i, value in pins.items():
        out[i] = value
    return out


def _reestimated(column: Levels, weights: Floats, old: Floats) -> Floats:
    """A level distribution from the pairs' ``weights`` (the missing ones left out)."""
    levels_of = column.astype(np.int64)
    known = levels_of >= 0
    sums = np.bincount(levels_of[known], weights=weights[known], minlength=old.size)
    if sums.sum() <= 0:
        return old
    new = np.maximum(sums / sums.sum(), _FLOOR)
    return cast(Floats, new / new.sum())


def _session(prepared: _Prepared, model: MatchModel, r: int) -> tuple[Levels, Floats, list[int]]:
    """The level patterns of rule ``r``'s pairs, and the comparisons its session learns (those
    whose fields the rule does not fix)."""
    rule_fields = model.blocking[r].fields
    active = [
        k
        for k, x in enumerate(model.comparisons)
        if x.field_path not in rule_fields and (x.swap_with or "") not in rule_fields
    ]
    patterns, counts = _patterns(prepared.gammas[prepared.per_rule[r]])
    return patterns, counts, active


def _em_m(
    prepared: _Prepared, model: MatchModel, u: list[Floats], iterations: int
) -> tuple[list[Floats], list[float]]:
    """``m`` averaged over one session per blocking rule, and each session's prior."""
    width = [len(x.levels) + 1 for x in model.comparisons]
    start = [_pinned(x, _initial_m(w)) for x, w in zip(model.comparisons, width, strict=True)]
    found: list[list[Floats]] = [[] for _ in model.comparisons]
    sessions: list[tuple[int, list[Floats], float]] = []
    for r in range(len(model.blocking)):
        patterns, counts, active = _session(prepared, model, r)
        if not len(patterns) or not active:
            continue
        guess = _first_share(prepared, counts)
        m, share = _em(
            patterns,
            counts,
            active,
            start,
            u,
            iterations=iterations,
            fixed=False,
            start=guess,
            comparisons=model.comparisons,
        )
        for k in active:
            found[k].append(m[k])
        sessions.append((r, m, share))
    untrained = [model.comparisons[k].key for k in range(len(width)) if not found[k]]
    if untrained:
        msg = (
            "every blocking rule fixes these comparisons' fields, so no session can learn "
            "them; add a blocking rule on other fields"
        )
        c.fail("fit", [Problem("model.blocking", msg, untrained)])
    m = [np.mean(runs, axis=0) for runs in found]
    m = [_pinned(x, m_k / m_k.sum()) for x, m_k in zip(model.comparisons, m, strict=True)]
    return m, [_prior_of(prepared, model, r, m, share) for r, _, share in sessions]


def _labelled_m(
    prepared: _Prepared, model: MatchModel, labels: list[tuple[str, str, bool]]
) -> list[Floats]:
    index = {record_id: i for i, record_id in enumerate(prepared.table.ids)}
    p: c.Problems = []
    left, right = [], []
    for n, label in enumerate(labels):
        if (
            not isinstance(label, tuple)
            or len(label) != 3  # noqa: PLR2004
            or label[0] not in index
            or label[1] not in index
            or type(label[2]) is not bool
        ):
            p.append(Problem(f"labels[{n}]", "an (id, id, same) triple of known ids", label))
            break
        if label[2]:
            left.append(index[label[0]])
            right.append(index[label[1]])
    if not p and not left:
        p.append(Problem("labels", "at least one labelled match (same=True)", len(labels)))
    if p:
        c.fail("fit", p)
    gammas = _gammas(prepared.table, model, np.array(left), np.array(right))
    return [
        _shares(gammas[:, k], len(x.levels) + 1, len(left)) for k, x in enumerate(model.comparisons)
    ]


def _priors(
    prepared: _Prepared,
    model: MatchModel,
    m: list[Floats],
    u: list[Floats],
    iterations: int,
    *,
    fixed: bool,
) -> list[float]:
    out = []
    for r in range(len(model.blocking)):
        patterns, counts, active = _session(prepared, model, r)
        if len(patterns) and active:
            guess = _first_share(prepared, counts)
            _, share = _em(
                patterns,
                counts,
                active,
                m,
                u,
                iterations=iterations,
                fixed=fixed,
                start=guess,
                comparisons=model.comparisons,
            )
            out.append(_prior_of(prepared, model, r, m, share))
    return out


def _prior_of(
    prepared: _Prepared, model: MatchModel, r: int, m: list[Floats], share: float
) -> float:
    """The prior over all pairs from a session's share of matches among its pairs:
    ``share * P(agree on rule) / P(agree on rule | match)``."""
    size = prepared.table.size
    agree = prepared.per_rule[r].size / (size * (size - 1) / 2)
    given_match = 1.0
    for field in model.blocking[r].fields:
        exact = [
            k
            for k, x in enumerate(model.comparisons)
            if x.field_path == field and x.levels[0].kind is LevelKind.exact
        ]
        if exact:
            given_match *= float(m[exact[0]][0])
    return share * agree / max(given_match, _FLOOR)


def _frequencies(table: Table, comparison: Comparison, top: int = 5000) -> dict[str, float]:
    """The values of ``comparison`` held by two records or more, as shares of the records
    that have a value (at most ``top``, the most common)."""
    column = table.column(comparison.field_path, comparison.normalise)
    codes = column.codes[column.codes >= 0]
    if codes.size == 0:
        return {}
    counts = np.bincount(codes)
    common = np.flatnonzero(counts >= 2)  # noqa: PLR2004
    common = common[np.argsort(-counts[common], kind="stable")][:top]
    return {column.values[k]: float(counts[k] / codes.size) for k in common.tolist()}


# -- scoring -----------------------------------------------------------------------------------


@attrs.frozen
class PairPart:
    """One comparison's share of a pair's weight: the ``level`` the two values reached
    (``None`` when one is missing), the values, and the ``weight`` (log2 Bayes factor)."""

    comparison: str
    level: str | None
    values: tuple[str | None, str | None]
    weight: float


@attrs.frozen
class PairExplanation:
    """Why two records are (or are not) the same person: the ``prior`` weight, each
    comparison's :class:`PairPart`, their sum ``weight`` and the ``probability``."""

    ids: tuple[str, str]
    prior: float
    parts: tuple[PairPart, ...]
    weight: float
    probability: float

    def __str__(self) -> str:
        lines = [f"{self.ids[0]} ~ {self.ids[1]}: p={self.probability:.4f} (w={self.weight:+.2f})"]
        lines.append(f"  prior {self.prior:+.2f}")
        for part in self.parts:
            a, b = part.values
            lines.append(
                f"  {part.comparison}: {part.level or 'missing'} {a!r}/{b!r} {part.weight:+.2f}"
            )
        return "\n".join(lines)


class PairScores:
    """The candidate pairs of :func:`score_pairs`, column-wise: for pair ``k``, records
    ``ids[left[k]]`` and ``ids[right[k]]``, its ``probability`` and ``weight`` (log2 odds).
    Read-only arrays; :meth:`pairs` lists them, :meth:`explain` says why."""

    def __init__(  # noqa: PLR0917 - made by score_pairs only
        self,
        model: MatchModel,
        table: Table,
        left: Ints,
        right: Ints,
        gammas: Levels,
        weight: Floats,
    ) -> None:
        self.model = model
        self.ids: tuple[str, ...] = tuple(table.ids)
        self.left, self.right, self.gammas, self.weight = left, right, gammas, weight
        self.probability: Floats = _probability(weight)
        self._table = table
        for array in (left, right, gammas, weight, self.probability):
            array.flags.writeable = False

    def __len__(self) -> int:
        return int(self.left.size)

    def pairs(self, at_least: float = 0.0) -> list[tuple[str, str, float]]:
        """``(id, id, probability)`` of the pairs at ``at_least`` or above, most likely first
        (then by id), the smaller id first in each pair.

        >>> import leadmodel as lm
        >>> model = lm.MatchModel(comparisons=[lm.Comparison(field_path="name",
        ...     levels=[lm.Level("exact", m=0.9, u=0.001)], else_m=0.1, else_u=0.999)],
        ...     blocking=[lm.Blocking(keys=["prefix(name, 1)"])], prior=0.01)
        >>> lm.score_pairs([{"id": "b", "name": "Olena"}, {"id": "a", "name": "olena"},
        ...     {"id": "c", "name": "Oleh"}], model).pairs(0.5)
        [('a', 'b', 0.9009...)]
        """
        keep = np.flatnonzero(self.probability >= at_least)
        out = []
        for k in keep.tolist():
            a, b = self.ids[self.left[k]], self.ids[self.right[k]]
            out.append((min(a, b), max(a, b), float(self.probability[k])))
        out.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
        return out

    def explain(self, a: str, b: str) -> PairExplanation:
        """Why records ``a`` and ``b`` scored as they did (they need not be a candidate pair:
        then they are compared now).

        >>> import leadmodel as lm
        >>> model = lm.MatchModel(comparisons=[lm.Comparison(field_path="name",
        ...     levels=[lm.Level("exact", m=0.9, u=0.001)], else_m=0.1, else_u=0.999)],
        ...     blocking=[lm.Blocking(keys=["name"])], prior=0.01)
        >>> scores = lm.score_pairs([{"id": "a", "name": "Olena"}, {"id": "b", "name": "olena"},
        ...     {"id": "c", "name": "Ivan"}], model)
        >>> [(part.level, round(part.weight, 2)) for part in scores.explain("c", "a").parts]
        [('else', -3.32)]
        """
        index = {record_id: i for i, record_id in enumerate(self.ids)}
        for name, value in (("a", a), ("b", b)):
            if value not in index:
                c.fail("PairScores.explain", [Problem(name, "the id of a scored record", value)])
        i, j = sorted((index[a], index[b]))
        return _explain(self._table, self.model, i, j, self._table.size)


def _explain(table: Table, model: MatchModel, i: int, j: int, size: int) -> PairExplanation:
    """Records ``i`` and ``j`` of ``table`` compared, each comparison's share in words."""
    left, right = np.array([i]), np.array([j])
    gammas = _gammas(table, model, left, right)
    weights = _weights(table, model, left, gammas)
    parts = []
    for k, comparison in enumerate(model.comparisons):
        level = int(gammas[0, k])
        column = table.column(comparison.field_path, comparison.normalise)
        values = tuple(
            None if code < 0 else column.values[code] for code in (column.codes[i], column.codes[j])
        )
        parts.append(
            PairPart(
                comparison.key,
                None if level == NULL else comparison.labels[level],
                (values[0], values[1]),
                float(weights[k][0]),
            )
        )
    prior = _prior_weight(model, size)
    total = prior + sum(part.weight for part in parts)
    return PairExplanation(
        (table.ids[i], table.ids[j]),
        prior,
        tuple(parts),
        total,
        float(_probability(np.array([total]))[0]),
    )


def _probability(weight: Floats) -> Floats:
    """The match probability of each log2 odds ``weight`` (clipped: no overflow), computed in
    one array: ``1 / (1 + 2 ** -weight)``."""
    probability: Floats = np.clip(weight, -1000, 1000)
    np.negative(probability, out=probability)
    np.exp2(probability, out=probability)
    probability += 1
    np.divide(1, probability, out=probability)
    return probability


def _prior_weight(model: MatchModel, size: int | None) -> float:
    """log2 of the prior odds among ``size`` records: the model's prior scaled by
    ``model.population / size`` (two records drawn from a larger base are less likely the same
    person: each person's twins are as many, the pairs many more)."""
    prior = model.prior or _FLOOR
    if model.population and size:
        prior = min(prior * model.population / size, _MAX_PRIOR)
    return math.log2(prior / (1 - prior))


def _weights(table: Table, model: MatchModel, left: Ints, gammas: Levels) -> list[Floats]:
    """Each comparison's weight per pair (log2 Bayes factor; 0 when a value is missing), the
    exact level of a ``tf`` comparison weighed by its value's frequency."""
    return list(_each_weight(table, model, left, gammas))


def _total(table: Table, model: MatchModel, left: Ints, gammas: Levels, prior: float) -> Floats:
    """``prior`` plus the pairs' weights summed over the comparisons (in their order), one
    comparison at a time: no matrix of every comparison's weights of every pair."""
    total: Floats | None = None
    for weight in _each_weight(table, model, left, gammas):
        if total is None:
            total = weight
        else:
            total += weight
    if total is None:  # a model has a comparison: not reached
        return np.full(left.size, prior)
    np.add(prior, total, out=total)
    return total


def _each_weight(table: Table, model: MatchModel, left: Ints, gammas: Levels) -> Iterator[Floats]:
    """:func:`_weights`, one comparison at a time (each a new array)."""
    for k, comparison in enumerate(model.comparisons):
        table_of = np.array([0.0, *comparison.weights()])  # index 0: missing
        column = gammas[:, k]
        weight = table_of[column + 1]  # NULL (-1) picks index 0
        first = comparison.levels[0]
        if (
            comparison.tf
            and comparison.frequencies
            and first.kind is LevelKind.exact
            and first.m is not None
        ):
            exact = np.flatnonzero(column == 0)
            codes = table.column(comparison.field_path, comparison.normalise)
            values = codes.values
            share = np.array(
                [comparison.frequencies.get(v, 0.0) for v in values] + [0.0], dtype=np.float64
            )[codes.codes[left[exact]]]
            common = share > 0
            m_exact = comparison.levels[0].m
            adjusted = np.log2(m_exact / np.maximum(share[common], _FLOOR))
            weight[exact[common]] = np.minimum(adjusted, weight[exact[common]])
        yield weight


def score_pairs(records: Iterable[object], model: MatchModel) -> PairScores:
    """Every candidate pair of ``model``'s blocking rules among ``records`` (entities, or
    mappings with an ``"id"``), with its match probability under the trained ``model``.

    >>> import leadmodel as lm
    >>> people = [{"id": f"r{n}", "name": name, "city": city} for n, (name, city) in
    ...     enumerate([("olena koval", "kyiv"), ("olena kowal", "kyiv"), ("ivan bondar", "lviv"),
    ...                ("iwan bondar", "lviv"), ("petro sydor", "odesa"), ("anna moroz", "kyiv")])]
    >>> model = lm.MatchModel(comparisons=[
    ...     lm.Comparison(field_path="name",
    ...         levels=[lm.Level("exact"), lm.Level("jaro_winkler", 0.9)]),
    ...     lm.Comparison(field_path="city", levels=[lm.Level("exact")])],
    ...     blocking=[lm.Blocking(keys=["city"])])
    >>> model = attrs.evolve(model, prior=0.05, comparisons=[attrs.evolve(comparison,
    ...     levels=[attrs.evolve(level, m=0.8, u=0.01) for level in comparison.levels],
    ...     else_m=0.1, else_u=0.9) for comparison in model.comparisons])
    >>> scores = lm.score_pairs(people, model)
    >>> [(a, b) for a, b, p in scores.pairs(0.5)]
    [('r0', 'r1'), ('r2', 'r3')]
    >>> print(scores.explain("r0", "r1"))
    r0 ~ r1: p=0.9970 (w=+8.40)
      prior -4.25
      name: jaro_winkler >= 0.9 'olena koval'/'olena kowal' +6.32
      city: exact 'kyiv'/'kyiv' +6.32
    """
    given = list(records)
    if not isinstance(model, MatchModel) or not model.trained:
        c.fail("score_pairs", [Problem("model", "a trained MatchModel (see fit())", model)])
    prepared = _prepare(given, model, sessions=False)
    left, right, gammas = prepared.left, prepared.right, prepared.gammas
    prior = _prior_weight(model, prepared.table.size)
    total = _total(prepared.table, model, left, gammas, prior)
    return PairScores(model, prepared.table, left, right, gammas, total)


def score_record(
    record: object,
    candidates: Iterable[object],
    model: MatchModel,
    *,
    population: int | None = None,
) -> list[tuple[str, float]]:
    """``(id, probability)`` of each of ``candidates`` being the same person as ``record``,
    most likely first (then by id) — no blocking: the caller chose the candidates (the
    store's key lookups do, in :func:`leadmodel.services.find_matches`). A candidate with
    ``record``'s own id is left out. ``population``: how many records the candidates were
    drawn from (the store's size), which scales the prior (see :attr:`MatchModel.population`);
    ``None``: the population the model learnt from.

    >>> import leadmodel as lm
    >>> model = lm.MatchModel(comparisons=[lm.Comparison(field_path="name",
    ...     levels=[lm.Level("exact", m=0.9, u=0.001)], else_m=0.1, else_u=0.999)],
    ...     blocking=[lm.Blocking(keys=["name"])], prior=0.01)
    >>> lm.score_record({"id": "new", "name": "olena koval"},
    ...     [{"id": "c1", "name": "Olena Koval"}, {"id": "c2", "name": "ivan bondar"}], model)
    [('c1', 0.9009...), ('c2', 0.0010...)]
    """
    table, left, right = _one_against(record, candidates, model, "score_record")
    if not right.size:
        return []
    gammas = _gammas(table, model, left, right)
    size = population or model.population
    total = _prior_weight(model, size) + np.sum(_weights(table, model, left, gammas), axis=0)
    pairs = zip(right.tolist(), _probability(total).tolist(), strict=True)
    found = [(table.ids[j], float(p)) for j, p in pairs]
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return found


def explain_record(
    record: object, candidate: object, model: MatchModel, *, population: int | None = None
) -> PairExplanation:
    """Why ``candidate`` is (or is not) the same person as ``record``, comparison by
    comparison, as :func:`score_record` scores it.

    >>> import leadmodel as lm
    >>> model = lm.MatchModel(comparisons=[lm.Comparison(field_path="name",
    ...     levels=[lm.Level("exact", m=0.9, u=0.001)], else_m=0.1, else_u=0.999)],
    ...     blocking=[lm.Blocking(keys=["name"])], prior=0.01)
    >>> print(lm.explain_record({"id": "new", "name": "Olena"}, {"id": "c1", "name": "olena"},
    ...     model))
    new ~ c1: p=0.9009 (w=+3.18)
      prior -6.63
      name: exact 'olena'/'olena' +9.81
    """
    table, _, right = _one_against(record, [candidate], model, "explain_record")
    if not right.size:
        msg = "another record than the one explained (its id is the record's)"
        c.fail("explain_record", [Problem("candidate", msg, record_id(candidate))])
    return _explain(table, model, 0, 1, population or model.population or table.size)


def _one_against(
    record: object, candidates: Iterable[object], model: MatchModel, where: str
) -> tuple[Table, Ints, Ints]:
    if not isinstance(model, MatchModel) or not model.trained:
        c.fail(where, [Problem("model", "a trained MatchModel (see fit())", model)])
    own = record_id(record)
    others = [x for x in candidates if record_id(x) != own]
    table = Table([record, *others], model.comparisons)
    left = np.zeros(len(others), dtype=np.int64)
    return table, left, np.arange(1, len(others) + 1, dtype=np.int64)


# -- grouping ----------------------------------------------------------------------------------


@attrs.frozen
class MatchGroup:
    """Records :func:`cluster` found to be one person: ``ids`` (sorted), ``probability`` (that
    of the weakest link holding the group together), whether the group is ``safe`` to merge
    (every link at the model's ``merge_at``), and ``capped``: links to other records it did
    not follow because the group would have passed ``max_group``."""

    ids: tuple[str, ...]
    probability: float
    safe: bool
    capped: int = 0


@attrs.frozen
class Clusters:
    """What :func:`cluster` found: ``groups`` of two records or more (largest first, then by first
    id), and the :class:`PairScores` they came from."""

    groups: tuple[MatchGroup, ...]
    scores: PairScores = attrs.field(eq=False, repr=False)

    @property
    def safe(self) -> tuple[MatchGroup, ...]:
        """The groups safe to merge."""
        return tuple(g for g in self.groups if g.safe)

    @property
    def review(self) -> tuple[MatchGroup, ...]:
        """The groups for a person to look at."""
        return tuple(g for g in self.groups if not g.safe)

    @property
    def oversized(self) -> tuple[MatchGroup, ...]:
        """The groups that stopped at ``max_group`` (links not followed)."""
        return tuple(g for g in self.groups if g.capped)


def cluster(
    records: Iterable[object],
    model: MatchModel,
    *,
    threshold: float | None = None,
    max_group: int = 100,
) -> Clusters:
    """Group ``records`` into people: the candidate pairs at ``threshold`` (default: the
    model's ``threshold``) or above joined, the most likely first, no group above ``max_group``
    records. See :class:`MatchGroup` for what each group says.

    >>> import leadmodel as lm
    >>> people = [{"id": f"r{n}", "name": name} for n, name in
    ...     enumerate(["olena koval", "olena kowal", "olena koval", "ivan bondar"])]
    >>> model = lm.MatchModel(comparisons=[lm.Comparison(field_path="name",
    ...     levels=[lm.Level("exact", m=0.9, u=0.001), lm.Level("jaro_winkler", 0.9, m=0.08,
    ...     u=0.01)], else_m=0.02, else_u=0.989)], blocking=[lm.Blocking(keys=["prefix(name, 3)"])],
    ...     prior=0.01)
    >>> found = lm.cluster(people, model)
    >>> [(g.ids, g.safe) for g in found.groups]
    [(('r0', 'r2'), False)]
    """
    scores = score_pairs(records, model)
    p: c.Problems = []
    at = model.threshold if threshold is None else threshold
    if type(at) is not float or not 0 < at < 1:
        p.append(Problem("threshold", "a probability strictly between 0 and 1", at))
    if type(max_group) is not int or max_group < 2:  # noqa: PLR2004
        p.append(Problem("max_group", "a whole number, 2 or more", max_group))
    if p:
        c.fail("cluster", p)
    return Clusters(_groups(scores, model, at, max_group), scores)


def _groups(
    scores: PairScores, model: MatchModel, at: float, max_group: int
) -> tuple[MatchGroup, ...]:
    ids = scores.ids
    parent = list(range(len(ids)))
    size = [1] * len(ids)
    weakest = [1.0] * len(ids)
    capped = [0] * len(ids)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keep = np.flatnonzero(scores.probability >= at)
    order = sorted(
        keep.tolist(),
        key=lambda k: (
            -scores.probability[k],
            min(ids[scores.left[k]], ids[scores.right[k]]),
            max(ids[scores.left[k]], ids[scores.right[k]]),
        ),
    )
    for k in order:
        a, b = root(int(scores.left[k])), root(int(scores.right[k]))
        if a == b:
            continue
        if size[a] + size[b] > max_group:
            capped[a] += 1
            capped[b] += 1
            continue
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
        weakest[a] = min(weakest[a], weakest[b], float(scores.probability[k]))
        capped[a] += capped[b]
    members: dict[int, list[str]] = {}
    for i, member in enumerate(ids):
        members.setdefault(root(i), []).append(member)
    groups = [
        MatchGroup(
            tuple(sorted(names)),
            weakest[r],
            weakest[r] >= model.merge_at and not capped[r],
            capped[r],
        )
        for r, names in members.items()
        if len(names) > 1
    ]
    groups.sort(key=lambda g: (-len(g.ids), g.ids[0]))
    return tuple(groups)
