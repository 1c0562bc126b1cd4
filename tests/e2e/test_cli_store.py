"""``leadmodel dedup``, ``sla`` and ``erase`` through the real entry point (a subprocess), on a
SQLite base the test builds with the services."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import leadmodel as lm

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leadmodel", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """Two leads of one person (the same email, captured without the known-person check),
    and one of another person."""
    db = tmp_path / "base.sqlite"
    uow = lm.SQLiteUnitOfWork(db)
    ids = lm.sequential_ids("id")
    for n, (name, email) in enumerate(
        [("Olena Koval", "olena@mebli.ua"), ("Olena Koval", "olena@mebli.ua"),
         ("Ivan Bondar", "ivan@mebli.ua")]
    ):  # fmt: skip
        made = lm.services.capture_interest(
            uow, source=lm.Source(channel=lm.Channel.form), topic="Chairs", person_name=name,
            contact_points=[lm.ContactPoint.email(email)], idempotency_key=f"row-{n}",
            at=AT + timedelta(hours=n), ids=ids,
        )  # fmt: skip
        lm.services.promote(uow, made.id, pipeline="simple", at=AT + timedelta(hours=n), ids=ids)
    uow.close()
    return db


def test_dedup_reports_and_merges_the_safe_groups(base: Path) -> None:
    found = _cli("dedup", str(base))
    assert found.returncode == 0, found.stderr
    assert "safe to merge       1                2" in found.stdout
    merged = _cli("dedup", str(base), "--merge-safe")
    assert merged.returncode == 0, merged.stderr
    assert "merged 1 records into 1 survivors" in merged.stdout
    uow = lm.SQLiteUnitOfWork(base)
    with uow:
        assert uow.leads.count() == 2
    uow.close()


def test_sla_counts_the_breached_first_replies(base: Path) -> None:
    done = _cli("sla", str(base), "--first-response", "30", "--at", "2026-03-02T11:15+00:00")
    assert done.returncode == 0, done.stderr
    assert "breached      2" in done.stdout  # due at 9:30 and 10:30, nobody answered
    assert "due           1" in done.stdout  # due at 11:30


def test_erase_forgets_the_person_and_says_when_nobody_is_there(base: Path) -> None:
    done = _cli("erase", str(base), "--key", "email:ivan@mebli.ua")
    assert done.returncode == 0, done.stderr
    assert "leads          1" in done.stdout
    nobody = _cli("erase", str(base), "--key", "email:ivan@mebli.ua")
    assert nobody.returncode == 1
    assert nobody.stderr.strip() == "leadmodel erase: nobody is stored under email:ivan@mebli.ua"


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("sla", "/nonexistent/base.sqlite"), 1, "no such database"),
        (("erase", "BASE", "--key", "name:olena koval"), 1, "give a key of one person"),
        (("sla", "BASE", "--first-response", "soon"), 2, "is not a number of minutes"),
        (("dedup", "BASE", "--kind", "companies"), 2, "invalid choice"),
        (("erase", "BASE"), 2, "--key"),
    ],
)
def test_user_errors_exit_1_in_one_line_and_usage_errors_exit_2(
    base: Path, args: tuple[str, ...], code: int, says: str
) -> None:
    done = _cli(*(str(base) if a == "BASE" else a for a in args))
    assert done.returncode == code
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    if code == 1:
        assert len(done.stderr.strip().splitlines()) == 1


def test_pipeline_and_report_through_the_entry_point(base: Path, tmp_path: Path) -> None:
    """``pipeline check`` of a broken spec (exit 1, every problem with its line), a good one,
    ``report`` of a store, ``--version``; an unknown command is a usage error."""
    broken = tmp_path / "broken.toml"
    broken.write_text('key = "x"\npolicy = "nope"\n[[statuses]]\nkey = "a"\n', encoding="utf-8")
    done = _cli("pipeline", "check", str(broken))
    assert done.returncode == 1
    assert "line 2: policy: expected one of" in done.stderr
    assert "Traceback" not in done.stderr
    good = tmp_path / "good.toml"
    good.write_text(lm.pipelines.SIMPLE.to_toml(), encoding="utf-8")
    assert _cli("pipeline", "check", str(good)).returncode == 0
    assert _cli("pipeline", "diagram", str(good)).stdout.startswith("stateDiagram-v2")
    report = _cli("report", str(base), "--at", "2026-03-03T00:00+00:00")
    assert report.returncode == 0, report.stderr
    assert "Funnel" in report.stdout
    assert _cli("--version").stdout.strip() == f"leadmodel {lm.__version__}"
    assert _cli("frobnicate").returncode == 2
