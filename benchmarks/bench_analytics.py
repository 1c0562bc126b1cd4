"""Analytics: funnel + losses + source report over simulated leads, leadmodel against pandas and
polars, in one run (issue 17).

The data: ``lm.simulate.simulate(N, seed=...)`` (default 1,000,000 leads of the KeyCRM-like
preset over 90 days: sources with per-lead costs and campaign-level spend, owners in two time
zones, lost reasons, log-normal deal values). Building it is not timed (it is reported).

Each contender starts from the same tuple of ``Lead`` objects and does its own data
preparation, then the same three reports:

* **funnel** — per status in funnel order, the cards that reached it (entered it or went past
  it) and their deal values summed per currency;
* **losses** — per (status lost from, reason): count and values per currency;
* **sources** — per channel: leads, won, cost (per-lead ``Source.cost`` plus the campaign-level
  ``Spend`` of the channel), revenue (won values), cost per lead, CAC and ROI, in UAH.

* **leadmodel** — ``lm.analytics.lead_facts(leads, pipeline)`` once, then ``funnel``,
  ``losses`` and ``source_efficiency`` on the facts.
* **pandas** — what an analyst writes: one Python loop over the leads that flattens each into
  a dict of the fields the reports need (status, the furthest funnel status entered, lost from
  and reason, value and currency, channel, cost), ``pd.DataFrame`` of those rows, then
  ``groupby`` / boolean masks for the three reports (values as floats, as a frame holds them).
* **polars** — the same flattening into columns, ``pl.DataFrame``, then ``group_by``.

Equal work: the same leads, the same fields, the same three reports; every side's results are
checked equal to leadmodel's (counts exactly, sums to the cent) before timing (exit 1 if not).
Target: leadmodel time / pandas time ≤ 1.0 (issue 17). Contenders are interleaved in a rotating
order inside every repeat, the collector emptied before each; results are min (median).

Run from the repository root: ``python benchmarks/bench_analytics.py`` (``--leads 100000`` for a
quick look).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time as clock
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl

import leadmodel as lm
from leadmodel.simulate import simulate

TARGET = 1.0
CURRENCY = "UAH"

Results = dict[str, Any]


# --------------------------------------------------------------------------- leadmodel
def with_leadmodel(
    leads: Sequence[lm.Lead], pipeline: lm.Pipeline, spend: Sequence[Any]
) -> Results:
    facts = lm.analytics.lead_facts(leads, pipeline)
    funnel = lm.analytics.funnel(facts, pipeline)
    losses = lm.analytics.losses(facts, pipeline)
    sources = lm.analytics.source_efficiency(facts, pipeline, spend=spend, currency=CURRENCY)
    return {
        "funnel": {r.status: (r.count, _sums(r.amount)) for r in funnel},
        "losses": {(r.status, r.reason): (r.count, _sums(r.amount)) for r in losses},
        "sources": {
            r.group: (r.leads, r.customers, float(r.cost.amount), float(r.revenue.amount))
            for r in sources
        },
    }


def _sums(amounts: Sequence[lm.Money]) -> dict[str, float]:
    return {m.currency: float(m.amount) for m in amounts}


# --------------------------------------------------------------------------- by hand: flatten
def flatten(leads: Sequence[lm.Lead], pipeline: lm.Pipeline) -> dict[str, list[Any]]:
    """What an analyst writes: the fields the reports need, one list per column."""
    order = {s.key: i for i, s in enumerate(s for s in pipeline.statuses if s.kind != "lost")}
    columns: dict[str, list[Any]] = {
        k: []
        for k in (
            "status",
            "reached",
            "lost_from",
            "reason",
            "currency",
            "value",
            "channel",
            "cost",
            "won",
        )
    }
    kinds = {s.key: s.kind.value for s in pipeline.statuses}
    for lead in leads:
        if lead.pipeline != pipeline.key:
            continue
        reached = max((order.get(c.to_status, -1) for c in lead.history), default=-1)
        value = lead.expected_value
        cost = lead.source.cost
        lost = lead.lost
        columns["status"].append(lead.status)
        columns["reached"].append(max(reached, order.get(lead.status or "", -1)))
        columns["lost_from"].append(lost.from_status if lost else None)
        columns["reason"].append(lost.reason if lost else None)
        columns["currency"].append(value.currency if value else None)
        columns["value"].append(float(value.amount) if value else None)
        columns["channel"].append(lead.source.channel.value)
        columns["cost"].append(float(cost.amount) if cost and cost.currency == CURRENCY else 0.0)
        columns["won"].append(kinds[lead.status or ""] == "won")
    return columns


def _spend_by_channel(spend: Sequence[Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for record in spend:
        if record.amount.currency == CURRENCY:
            out[record.channel.value] = out.get(record.channel.value, 0.0) + float(
                record.amount.amount
            )
    return out


def with_pandas(leads: Sequence[lm.Lead], pipeline: lm.Pipeline, spend: Sequence[Any]) -> Results:
    frame = pd.DataFrame(flatten(leads, pipeline))
    steps = [s.key for s in pipeline.statuses if s.kind != "lost"]
    funnel = {}
    for i, status in enumerate(steps):
        hit = frame[frame["reached"] >= i]
        funnel[status] = (len(hit), hit.groupby("currency")["value"].sum().to_dict())
    lost = frame[frame["lost_from"].notna()]
    counts = lost.groupby(["lost_from", "reason"]).size()
    sums = lost.groupby(["lost_from", "reason", "currency"])["value"].sum()
    losses = {
        key: (int(n), {cur: v for (f, r, cur), v in sums.items() if (f, r) == key})
        for key, n in counts.items()
    }
    won = frame[frame["won"] & (frame["currency"] == CURRENCY)]
    by = frame.groupby("channel").agg(
        leads=("status", "size"), customers=("won", "sum"), cost=("cost", "sum")
    )
    revenue = won.groupby("channel")["value"].sum()
    extra = _spend_by_channel(spend)
    sources = {}
    for channel in sorted(set(by.index) | set(extra)):
        row = by.loc[channel] if channel in by.index else None
        n = int(row["leads"]) if row is not None else 0
        customers = int(row["customers"]) if row is not None else 0
        cost = (float(row["cost"]) if row is not None else 0.0) + extra.get(channel, 0.0)
        earned = float(revenue.get(channel, 0.0))
        # the derived ratios an analyst adds: CPL, CAC, ROI
        _ = (
            cost / n if n else None,
            cost / customers if customers else None,
            (earned - cost) / cost if cost else None,
        )
        sources[channel] = (n, customers, cost, earned)
    return {"funnel": funnel, "losses": losses, "sources": sources}


def with_polars(leads: Sequence[lm.Lead], pipeline: lm.Pipeline, spend: Sequence[Any]) -> Results:
    frame = pl.DataFrame(flatten(leads, pipeline))
    steps = [s.key for s in pipeline.statuses if s.kind != "lost"]
    funnel = {}
    for i, status in enumerate(steps):
        hit = frame.filter(pl.col("reached") >= i)
        sums = hit.drop_nulls("currency").group_by("currency").agg(pl.col("value").sum())
        funnel[status] = (hit.height, dict(zip(sums["currency"], sums["value"], strict=True)))
    lost = frame.filter(pl.col("lost_from").is_not_null())
    counts = lost.group_by(["lost_from", "reason"]).len()
    sums = (
        lost.drop_nulls("currency")
        .group_by(["lost_from", "reason", "currency"])
        .agg(pl.col("value").sum())
    )
    losses = {}
    for f, r, n in counts.iter_rows():
        mine = sums.filter((pl.col("lost_from") == f) & (pl.col("reason") == r))
        losses[(f, r)] = (n, dict(zip(mine["currency"], mine["value"], strict=True)))
    by = frame.group_by("channel").agg(
        pl.len().alias("leads"),
        pl.col("won").sum().alias("customers"),
        pl.col("cost").sum().alias("cost"),
        pl.when(pl.col("won") & (pl.col("currency") == CURRENCY))
        .then(pl.col("value"))
        .otherwise(0.0)
        .sum()
        .alias("revenue"),
    )
    extra = _spend_by_channel(spend)
    sources = {}
    for channel, n, customers, per_lead, revenue in by.iter_rows():
        cost = per_lead + extra.get(channel, 0.0)
        _ = (
            cost / n if n else None,
            cost / customers if customers else None,
            (revenue - cost) / cost if cost else None,
        )
        sources[channel] = (n, int(customers), cost, float(revenue))
    for channel, cost in extra.items():
        sources.setdefault(channel, (0, 0, cost, 0.0))
    return {"funnel": funnel, "losses": losses, "sources": sources}


# --------------------------------------------------------------------------- checks, timing
def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int | Decimal) and isinstance(b, float | int | Decimal):
        return abs(float(a) - float(b)) <= 0.01 + 1e-9 * abs(float(a))
    return bool(a == b)


def check(results: dict[str, Results]) -> list[str]:
    ours = results["leadmodel"]
    problems = []
    for name, theirs in results.items():
        for report in ("funnel", "losses", "sources"):
            if not _close(ours[report], theirs[report]):
                problems.append(f"{name} {report} differs: {theirs[report]} != {ours[report]}")
    return problems


def timed(run: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = clock.perf_counter(), clock.process_time()
    run()
    return clock.perf_counter() - wall, clock.process_time() - cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print("bench_analytics: funnel + losses + sources, leadmodel against pandas and polars")
    print(
        f"python {platform.python_version()} · leadmodel {lm.__version__} · pandas {pd.__version__}"
        f" · polars {pl.__version__} · {os.cpu_count()} CPUs · load average at start "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    start = clock.perf_counter()
    sim = simulate(args.leads, seed=args.seed)
    print(f"simulated {len(sim.leads):,} leads in {clock.perf_counter() - start:.1f} s (not timed)")
    leads, pipeline, spend = sim.leads, sim.pipeline, sim.spend
    runs: dict[str, Callable[[], Results]] = {
        "leadmodel": lambda: with_leadmodel(leads, pipeline, spend),
        "pandas": lambda: with_pandas(leads, pipeline, spend),
        "polars": lambda: with_polars(leads, pipeline, spend),
    }
    problems = check({name: run() for name, run in runs.items()})
    if problems:
        print("CHECK FAILED:", *problems, sep="\n  ")
        return 1
    print("check: pandas and polars give leadmodel's funnel, losses and sources")
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for r in range(args.repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            wall, cpu = timed(runs[name])
            walls[name].append(wall)
            cpus[name].append(cpu)
        print(f"  repeat {r + 1}/{args.repeats} done, load average {os.getloadavg()[0]:.2f}")
    print(f"\nseconds for all three reports over {len(leads):,} leads, min (median); cpu share")
    for name in names:
        share = sum(cpus[name]) / sum(walls[name])
        best, typical = min(walls[name]), statistics.median(walls[name])
        print(f"  {name:<10}{best:8.2f} ({typical:6.2f}){share:6.0%}")
    ratio = min(walls["leadmodel"]) / min(walls["pandas"])
    polars = min(walls["leadmodel"]) / min(walls["polars"])
    verdict = "met" if ratio <= TARGET else "TARGET MISSED"
    print(f"\nleadmodel / pandas = {ratio:.2f} (target ≤ {TARGET}): {verdict}")
    print(f"leadmodel / polars = {polars:.2f} (reported)")
    print("load average at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
