"""Analytics in PostgreSQL: ``leadmodel.analytics.sql`` against hand-written SQL over the same
projection, in one run (issue 17).

The data: ``lm.simulate(N, seed=...)`` (default 1,000,000 leads), its projection rows
(``leadmodel.storage.projection.projection``) copied into ``leadmodel_lead_facts`` and
``leadmodel_status_changes`` of a throwaway PostgreSQL server (``initdb`` in a temporary
directory, as the tests make one; or the server ``LEADMODEL_TEST_PG_URL`` names), then
``ANALYZE``. Loading is not timed (it is reported).

Both sides answer the same three reports from the same tables, each computing its numbers in
the database:

* **funnel** — per status in funnel order, the cards that reached it and their deal values
  summed per currency;
* **losses** — per (status lost from, reason): count and values per currency;
* **sources** — per channel: leads, won, per-lead cost and won revenue in UAH.

* **leadmodel** — ``leadmodel.analytics.sql.funnel``, ``losses`` and ``source_efficiency`` on
  the engine (each builds its query from the pipeline, runs it at REPEATABLE READ, and makes the
  same frozen tables as the in-memory reports, shares and all).
* **hand-written SQL** — what an analyst who knows the projection writes: three queries with the
  pipeline's statuses and funnel order as parameters (the funnel as a window sum over a join of
  each card's furthest status with the steps), results fetched as rows.

Equal work: the same tables, the same three answers; before timing, the hand-written answers
are checked equal to leadmodel's (counts exactly, sums exactly). Target: leadmodel time /
hand-written time ≤ 1.5 (issue 17). Contenders interleaved in a rotating order; min (median).

Run from the repository root: ``python benchmarks/bench_analytics_sql.py`` (``--leads 100000``
for a quick look).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import statistics
import sys
import time as clock
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' PostgreSQL helper

from tests.integration.storage import _pg

import leadmodel as lm
from leadmodel.analytics import sql
from leadmodel.storage.projection import (
    LEAD_FACT_COLUMNS,
    LEAD_FACTS_TABLE,
    STATUS_CHANGE_COLUMNS,
    STATUS_CHANGES_TABLE,
    projection,
)
from leadmodel.storage.sql import create_schema

TARGET = 1.5
CURRENCY = "UAH"

FUNNEL = """
WITH steps AS (
    SELECT * FROM unnest(CAST(:funnel AS text[])) WITH ORDINALITY AS s(status, position)
),
cards AS (
    SELECT id, status, value_amount, value_currency FROM leadmodel_lead_facts
    WHERE pipeline = :pipeline AND status = ANY(CAST(:statuses AS text[]))
),
entered AS (
    SELECT moves.id, steps.position FROM leadmodel_status_changes AS moves
    JOIN steps ON steps.status = moves.to_status WHERE moves.pipeline = :pipeline
    UNION ALL
    SELECT cards.id, steps.position FROM cards JOIN steps ON steps.status = cards.status
),
furthest AS (SELECT id, max(position) AS furthest FROM entered GROUP BY id)
SELECT steps.status, cards.value_currency, count(*), sum(CAST(cards.value_amount AS numeric))
FROM furthest JOIN cards ON cards.id = furthest.id
JOIN steps ON steps.position <= furthest.furthest
GROUP BY steps.position, steps.status, cards.value_currency
ORDER BY steps.position
"""

LOSSES = """
SELECT coalesce(lost_from, into_from), coalesce(lost_reason, into_reason), value_currency,
       count(*), sum(CAST(value_amount AS numeric))
FROM leadmodel_lead_facts
WHERE pipeline = :pipeline AND status = ANY(CAST(:lost AS text[]))
GROUP BY 1, 2, 3
"""

SOURCES = """
SELECT channel, count(*),
       count(*) FILTER (WHERE status = ANY(CAST(:won AS text[]))),
       sum(CAST(cost_amount AS numeric)) FILTER (WHERE cost_currency = :currency),
       sum(CAST(value_amount AS numeric))
           FILTER (WHERE status = ANY(CAST(:won AS text[])) AND value_currency = :currency)
FROM leadmodel_lead_facts
WHERE pipeline = :pipeline AND status = ANY(CAST(:statuses AS text[]))
GROUP BY channel
"""


def load(engine: sa.Engine, leads: Sequence[lm.Lead]) -> None:
    """The projection rows of ``leads``, copied into the tables (COPY, tab-separated)."""
    create_schema(engine)
    facts, changes = io.StringIO(), io.StringIO()
    for lead in leads:
        made = projection(lead)
        facts.write(_line(made.fact))
        for change in made.changes:
            changes.write(_line(change))
    raw = engine.raw_connection()
    try:
        cursor: Any = raw.cursor()
        for table, columns, data in (
            (LEAD_FACTS_TABLE, LEAD_FACT_COLUMNS, facts),
            (STATUS_CHANGES_TABLE, STATUS_CHANGE_COLUMNS, changes),
        ):
            names = ", ".join(name for name, _ in columns)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(data.getvalue())
        raw.commit()
        cursor.execute(f"ANALYZE {LEAD_FACTS_TABLE}")
        cursor.execute(f"ANALYZE {STATUS_CHANGES_TABLE}")
        raw.commit()
    finally:
        raw.close()


def _line(values: Sequence[Any]) -> str:
    cells = (
        "\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", "\\t") for v in values
    )
    return "\t".join(cells) + "\n"


def with_leadmodel(engine: sa.Engine, pipeline: lm.Pipeline) -> dict[str, Any]:
    funnel = sql.funnel(engine, pipeline)
    losses = sql.losses(engine, pipeline)
    sources = sql.source_efficiency(engine, pipeline, currency=CURRENCY)
    return {
        "funnel": {(r.status, m.currency): (r.count, m.amount) for r in funnel for m in r.amount},
        "counts": {r.status: r.count for r in funnel},
        "losses": {(r.status, r.reason): r.count for r in losses},
        "sources": {
            r.group: (r.leads, r.customers, r.cost.amount, r.revenue.amount) for r in sources
        },
    }


def by_hand(engine: sa.Engine, pipeline: lm.Pipeline) -> dict[str, Any]:
    statuses = [s.key for s in pipeline.statuses]
    won = [s.key for s in pipeline.statuses if s.kind == "won"]
    lost = [s.key for s in pipeline.statuses if s.kind == "lost"]
    order = list(lm.analytics.funnel_order(pipeline))
    common = {"pipeline": pipeline.key, "statuses": statuses}
    with engine.connect() as conn:
        funnel_rows = conn.execute(sa.text(FUNNEL), {**common, "funnel": order}).all()
        loss_rows = conn.execute(sa.text(LOSSES), {"pipeline": pipeline.key, "lost": lost}).all()
        source_rows = conn.execute(
            sa.text(SOURCES), {**common, "won": won, "currency": CURRENCY}
        ).all()
    funnel: dict[tuple[str, str], tuple[int, Decimal]] = {}
    counts: dict[str, int] = dict.fromkeys(order, 0)
    for status, currency, n, total in funnel_rows:
        counts[status] += n
        if currency is not None:
            funnel[(status, currency)] = (n, total)
    losses: dict[tuple[str, str], int] = {}
    for status, reason, _currency, n, _total in loss_rows:
        losses[(status, reason)] = losses.get((status, reason), 0) + n
    sources = {
        channel: (n, customers, cost or Decimal(0), revenue or Decimal(0))
        for channel, n, customers, cost, revenue in source_rows
    }
    return {"funnel": funnel, "counts": counts, "losses": losses, "sources": sources}


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
    print("bench_analytics_sql: leadmodel.analytics.sql against hand-written SQL, PostgreSQL")
    print(
        f"python {platform.python_version()} · leadmodel {lm.__version__} · {os.cpu_count()} CPUs"
        " · load average at start " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    start = clock.perf_counter()
    sim = lm.simulate(args.leads, seed=args.seed)
    print(f"simulated {len(sim.leads):,} leads in {clock.perf_counter() - start:.1f} s")
    with _pg.server() as url:
        engine = sa.create_engine(url)
        start = clock.perf_counter()
        load(engine, sim.leads)
        print(f"loaded the projection in {clock.perf_counter() - start:.1f} s (not timed)")
        pipeline = sim.pipeline
        del sim
        ours, theirs = with_leadmodel(engine, pipeline), by_hand(engine, pipeline)
        if ours != theirs:
            for key in ours:
                if ours[key] != theirs[key]:
                    print(f"CHECK FAILED: {key}: {theirs[key]} != {ours[key]}")
            return 1
        print("check: the hand-written SQL gives leadmodel's funnel, losses and sources")
        runs: dict[str, Callable[[], object]] = {
            "leadmodel": lambda: with_leadmodel(engine, pipeline),
            "hand-written": lambda: by_hand(engine, pipeline),
        }
        walls: dict[str, list[float]] = {name: [] for name in runs}
        names = list(runs)
        for r in range(args.repeats):
            for name in names[r % 2 :] + names[: r % 2]:
                walls[name].append(timed(runs[name])[0])
            print(f"  repeat {r + 1}/{args.repeats} done, load average {os.getloadavg()[0]:.2f}")
        engine.dispose()
    print(f"\nseconds for the three reports over {args.leads:,} leads, min (median)")
    for name in names:
        print(f"  {name:<14}{min(walls[name]):8.2f} ({statistics.median(walls[name]):6.2f})")
    ratio = min(walls["leadmodel"]) / min(walls["hand-written"])
    verdict = "met" if ratio <= TARGET else "TARGET MISSED"
    print(f"\nleadmodel / hand-written = {ratio:.2f} (target ≤ {TARGET}): {verdict}")
    print("load average at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
