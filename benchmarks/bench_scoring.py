"""Predictive scoring: ``PredictiveScorer`` fit + score on 1M leads, against scikit-learn.

The data (``_dataset_scoring.py``): 1,000,000 simulated won and lost leads with seven fields —
channel (12 values), owner (20), time zone (4 + missing), a ``vip`` tag (bool), a ``segment``
custom field (4 + missing), has-company (bool) and the expected value (a float in UAH, 20 %
missing, binned at 1000/5000/20000/100000). Deterministic (seeded ``random.Random``).

What is measured, per repeat, interleaved in rotating order:

* **leadmodel, vectorised** (numpy): ``fit_columns(raw columns, labels)`` then
  ``probabilities(raw columns)`` for the same 1M rows. The timed call starts from the raw
  values — strings, booleans, floats and ``None`` in Python lists — and does its own checks,
  its own encoding into category codes (twice: once to fit, once to score) and its own binning.
* **scikit-learn**: ``CategoricalNB(alpha=1.0).fit(X, y)`` then ``predict_proba(X)``, on the
  already-encoded int arrays (encoded once, before timing, as the issue says).
* **leadmodel, pure Python** (``vectorised=False``), on the same 1M rows: no target; reported
  so that the fallback's cost is known.

Wall time and CPU time (``time.process_time``) are both reported: on a busy machine the
latter moves less.

Target: leadmodel vectorised / scikit-learn ≤ 2.0, judged on the minimums. Before timing the
script checks that both give the same probabilities (to 1e-6; same smoothing, no unseen
values) and that the pure path gives the vectorised path's (to 1e-12); a failed check is an
error (exit 1); a missed target is a result (``TARGET MISSED``, exit 0). The garbage collector
stays on and is emptied before every timed call.

Run from the repository root: ``python benchmarks/bench_scoring.py``.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import numpy as np
from _dataset_scoring import Rows, fields, make_rows
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.naive_bayes import CategoricalNB  # type: ignore[import-untyped]

from leadmodel.domain.scoring import Binned, PredictiveScorer

N = 1_000_000
REPEATS = 5
PURE_REPEATS = 3
SEED = 2026
ALPHA = 1.0
TARGET = 2.0  # leadmodel vectorised / scikit-learn, at most


def encode(rows: Rows) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The rows as scikit-learn takes them: an int code per value (first seen = 0), labels."""
    codes = []
    for field in fields():
        column = rows.columns[field.name]
        if isinstance(field, Binned):
            values = np.array(column, dtype=float)
            bins = np.searchsorted(np.array(field.edges), values, side="right")
            bins[np.isnan(values)] = len(field.edges) + 1
            column = bins.tolist()
        numbering: dict[object, int] = {}
        codes.append([numbering.setdefault(value, len(numbering)) for value in column])
    return np.array(codes, dtype=np.intp).T.copy(), np.array(rows.won, dtype=np.intp)


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall time and CPU time of one call, in seconds (CPU time suffers less from a busy box)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def report(times: dict[str, list[tuple[float, float]]], kind: int, label: str) -> float:
    """Print min (median) per contender for wall (0) or CPU (1) time; return the ratio of mins."""
    print(f"\n{label}, seconds: min (median) of {REPEATS} ({PURE_REPEATS} for pure)")
    mins = {}
    for name, values in times.items():
        these = [v[kind] for v in values]
        mins[name] = min(these)
        print(f"  {name:<14} {min(these):7.3f} ({statistics.median(these):.3f})")
    median = {n: statistics.median(v[kind] for v in values) for n, values in times.items()}
    ratio = mins["leadmodel"] / mins["scikit-learn"]
    print(
        f"  leadmodel / scikit-learn {ratio:.2f} on the min "
        f"({median['leadmodel'] / median['scikit-learn']:.2f} on the median); "
        f"pure Python / scikit-learn {mins['pure Python'] / mins['scikit-learn']:.2f}"
    )
    return ratio


def main() -> int:
    load = os.getloadavg()
    print("bench_scoring: PredictiveScorer fit + score against scikit-learn's CategoricalNB")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
        f"{version('scikit-learn')}, {os.cpu_count()} CPUs, load average {load[0]:.2f}"
    )
    start = time.perf_counter()
    rows = make_rows(N, seed=SEED)
    x, y = encode(rows)
    print(
        f"{N:,} rows, {sum(rows.won) / N:.1%} won; simulated in {time.perf_counter() - start:.1f} s"
    )
    scorer = PredictiveScorer(fields=fields(), alpha=ALPHA)

    def ours() -> list[float]:
        return scorer.fit_columns(rows.columns, rows.won, vectorised=True).probabilities(
            rows.columns, vectorised=True
        )

    def pure() -> list[float]:
        return scorer.fit_columns(rows.columns, rows.won, vectorised=False).probabilities(
            rows.columns, vectorised=False
        )

    def theirs() -> np.ndarray[Any, Any]:
        return CategoricalNB(alpha=ALPHA).fit(x, y).predict_proba(x)  # type: ignore[no-any-return]

    # -- checks, before timing
    p_ours = np.array(ours())
    p_theirs = theirs()[:, 1]
    p_pure = np.array(pure())
    gap_sklearn = float(np.abs(p_ours - p_theirs).max())
    gap_pure = float(np.abs(p_ours - p_pure).max())
    print(f"max |leadmodel − scikit-learn| = {gap_sklearn:.2e}")
    print(f"max |pure − vectorised| = {gap_pure:.2e}")
    auc_ours, auc_theirs = roc_auc_score(y, p_ours), roc_auc_score(y, p_theirs)
    print(f"ROC AUC (in sample): leadmodel {auc_ours:.4f}, scikit-learn {auc_theirs:.4f}")
    if gap_sklearn > 1e-6 or gap_pure > 1e-12:
        print("CHECK FAILED: the probabilities differ", file=sys.stderr)
        return 1
    del p_ours, p_theirs, p_pure

    # -- timing: the two contenders interleaved, rotating who goes first
    contenders: dict[str, Callable[[], object]] = {"leadmodel": ours, "scikit-learn": theirs}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(REPEATS):
        for name in names[r % 2 :] + names[: r % 2]:
            times[name].append(timed(contenders[name]))
    times["pure Python"] = [timed(pure) for _ in range(PURE_REPEATS)]

    ratio = report(times, 0, f"fit + score of {N:,} rows, wall time")
    report(times, 1, f"fit + score of {N:,} rows, CPU time")
    verdict = "met" if ratio <= TARGET else "TARGET MISSED"
    print(
        f"\ntarget: leadmodel / scikit-learn ≤ {TARGET} (wall time, mins): {ratio:.2f}, {verdict}"
    )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
