"""Import: ``services.import_rows`` against the same CSV read and stored by hand.

The file: 100,000 leads as an old CRM exports them — a name, an email, a national phone
number (read in region UA), the creation time with its offset, a channel, an owner and a
status of the KeyCRM request pipeline. Every contender reads it with ``csv.DictReader`` and
stores it in a fresh SQLite file (WAL, the adapter's settings), one unit per 1,000 rows.

* **by hand** — the baseline: each row made into a lead document by hand, read with
  ``lm.from_dict(lm.Lead, doc)``, stored with ``add_many``; no matching, no per-row error
  report, no import record.
* **import_rows** — ``services.import_rows(uow, rows, kind="leads", mapping=...,
  mode="upsert")``: the column mapping, per-cell errors, matching on (each row's email and
  phone looked up in the key index), the import's record for ``revert_import``. Target: at
  least 0.5× the baseline's speed (rows per second), in the same run.
* **re-import** (diagnostic) — the same file imported again into the store ``import_rows``
  filled: every row matched, read and compared, nothing written (``unchanged``).

Before timing, the script checks that both contenders store the same leads (names, contact
keys, status, owner, creation time; exit 1 if not). A missed target is a result (``TARGET
MISSED``, exit 0).

Run from the repository root: ``python benchmarks/bench_import.py`` (``--rows 10000
--repeats 1`` for a quick look).
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import leadmodel as lm
from leadmodel.storage import SQLiteUnitOfWork

TARGET = 0.5  # import_rows speed / by-hand speed, at least
PER_UNIT = 1_000
HEADER = ("Name", "E-mail", "Phone", "Created", "Channel", "Owner", "Status")
CHANNELS = ("form", "telegram", "instagram_dm", "phone_call", "email")
OWNERS = ("anna", "ivan", "olha", "petro", "sofia", "taras")
STATUSES = ("new", "in_work", "qualified", "offer_sent")
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
KYIV = timezone(timedelta(hours=2))  # the file's offset, as the old CRM wrote it
MAPPING = lm.services.ImportMap(
    columns={
        "Name": "name",
        "E-mail": "email",
        "Phone": "phone",
        "Created": "created_at",
        "Channel": "channel",
        "Owner": "owner",
        "Status": "status",
    },
    defaults={"pipeline": "requests", "topic": "Office furniture"},
    region="UA",
)


def write_file(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            at = (START + timedelta(minutes=7 * n)).astimezone(KYIV)
            writer.writerow(
                (
                    f"Buyer {n} Koval",
                    f"buyer{n}@shop{n % 97}.ua",
                    f"050 {n // 10_000:03d} {n % 10_000:04d}",
                    at.isoformat(),
                    rng.choice(CHANNELS),
                    rng.choice(OWNERS),
                    rng.choice(STATUSES),
                )
            )


def by_hand(path: Path, db: Path) -> int:
    """The baseline: DictReader, a document per row, from_dict, add_many."""
    uow = SQLiteUnitOfWork(db)
    stored = 0
    try:
        with path.open(encoding="utf-8", newline="") as source:
            batch: list[lm.Lead] = []
            for row in csv.DictReader(source):
                doc = {
                    "id": lm.uuid7(),
                    "person_name": row["Name"],
                    "contact_points": [
                        {"kind": "email", "value": row["E-mail"]},
                        {"kind": "phone", "value": row["Phone"], "region": "UA"},
                    ],
                    "topic": "Office furniture",
                    "source": {"channel": row["Channel"]},
                    "created_at": row["Created"],
                    "owner": row["Owner"],
                    "pipeline": "requests",
                    "status": row["Status"],
                }
                batch.append(lm.from_dict(lm.Lead, doc))
                if len(batch) == PER_UNIT:
                    stored += _store(uow, batch)
                    batch = []
            stored += _store(uow, batch)
    finally:
        uow.close()
    return stored


def _store(uow: SQLiteUnitOfWork, batch: list[lm.Lead]) -> int:
    if not batch:
        return 0
    with uow:
        uow.leads.add_many(batch)
        uow.commit()
    return len(batch)


def with_import(path: Path, db: Path) -> lm.services.ImportReport:
    uow = SQLiteUnitOfWork(db)
    try:
        with path.open(encoding="utf-8", newline="") as source:
            return lm.services.import_rows(
                uow,
                csv.DictReader(source),
                kind="leads",
                mapping=MAPPING,
                mode="upsert",
                batch_size=PER_UNIT,
                first_row=2,
            )
    finally:
        uow.close()


def snapshot(db: Path) -> list[tuple[object, ...]]:
    uow = SQLiteUnitOfWork(db)
    try:
        with uow:
            return sorted(
                (
                    lead.person_name,
                    tuple(sorted(point.key for point in lead.contact_points)),
                    lead.status,
                    lead.owner,
                    lead.created_at,
                    lead.source.channel,
                )
                for lead in uow.leads.iter_all()
            )
    finally:
        uow.close()


def timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> int:
    cli = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_argument("--rows", type=int, default=100_000)
    cli.add_argument("--repeats", type=int, default=3)
    cli.add_argument("--seed", type=int, default=21)
    args = cli.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench_import_"))
    try:
        path = scratch / "leads.csv"
        write_file(path, args.rows, args.seed)
        print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB of CSV")

        check_hand, check_import = scratch / "check-hand.sqlite", scratch / "check-import.sqlite"
        by_hand(path, check_hand)
        report = with_import(path, check_import)
        if report.failed or report.created != args.rows:
            print(f"FAILED: the import did not store every row: {report.summary()}")
            return 1
        if snapshot(check_hand) != snapshot(check_import):
            print("FAILED: the contenders stored different leads")
            return 1

        times: dict[str, list[float]] = {"by hand": [], "import_rows": [], "re-import": []}
        for repeat in range(args.repeats):
            order = ["by hand", "import_rows"] if repeat % 2 == 0 else ["import_rows", "by hand"]
            for name in order:
                db = scratch / f"{name.replace(' ', '-')}-{repeat}.sqlite"
                if name == "by hand":
                    times[name].append(timed(lambda db=db: by_hand(path, db)))
                else:
                    times[name].append(timed(lambda db=db: with_import(path, db)))
                    again = timed(lambda db=db: with_import(path, db))
                    times["re-import"].append(again)
                db.unlink()
                for suffix in ("-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)

        print(f"{'contender':<14}{'median s':>10}{'rows/s':>12}")
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, seconds in medians.items():
            print(f"{name:<14}{seconds:>10.2f}{args.rows / seconds:>12,.0f}")
        ratio = medians["by hand"] / medians["import_rows"]
        verdict = "ok" if ratio >= TARGET else "TARGET MISSED"
        print(f"import_rows speed / by-hand speed: {ratio:.2f} (target ≥ {TARGET}): {verdict}")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
