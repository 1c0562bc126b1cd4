"""``leadmodel import`` and ``leadmodel export`` through the real entry point
(``python -m leadmodel``): bad rows, an unreadable file, wrong options, a revert, a second
import that changes nothing, and an export that imports back."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

import leadmodel as lm
from tests.factories import typo_model

ROOT = Path(__file__).resolve().parents[2]
HEADER = "ПІБ;E-mail;Телефон;Створено;Етап;Дата етапу;Причина відмови;Місто\n"
GOOD = (
    "Олена Коваль;olena@mebli.ua;050 123 4567;01.06.2025 10:00;won;10.06.2025;;Львів\n"
    "Іван Петренко;ivan@mebli.ua;;02.06.2025;lost;20.06.2025;no_budget;Київ\n"
)
BAD = "Марія;maria@;12;вчора;won;;;Одеса\nТарас;taras@mebli.ua;;03.06.2025;paid;;;\n"


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real entry point: ``python -m leadmodel ...``."""
    return subprocess.run(
        [sys.executable, "-m", "leadmodel", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
    )


def _import(tmp_path: Path, text: str, *extra: str) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "leads.csv"
    source.write_text(text, encoding="utf-8")
    mapping = ROOT / "examples" / "import_mapping.toml"
    return _cli("import", source, "--db", "crm.sqlite", "--create", "--kind", "leads",
                "--mapping", mapping, *extra, cwd=tmp_path)  # fmt: skip


def _leads(db: Path) -> list[lm.Lead]:
    uow = lm.SQLiteUnitOfWork(db)
    try:
        with uow:
            return list(uow.leads.iter_all())
    finally:
        uow.close()


def _one_line_error(done: subprocess.CompletedProcess[str], code: int) -> str:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_bad_rows_are_listed_by_row_and_field_and_the_good_ones_imported(tmp_path: Path) -> None:
    done = _import(tmp_path, HEADER + GOOD + BAD)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"created\s+2", out)
    assert re.search(r"failed\s+2", out)
    assert "row 4, email (column 'E-mail'): not an email address" in out
    assert "row 4, created_at (column 'Створено'): not a date and time" in out
    assert "row 5, status (column 'Етап'): pipeline 'requests' has no status 'paid'" in out
    assert "2 row(s) were left out, the others imported" in out
    leads = sorted(_leads(tmp_path / "crm.sqlite"), key=lambda lead: lead.person_name)
    assert [(lead.person_name, lead.status) for lead in leads] == [
        ("Іван Петренко", "lost"),
        ("Олена Коваль", "won"),
    ]
    assert leads[1].created_at.isoformat() == "2025-06-01T10:00:00+03:00"
    assert dict(leads[1].custom) == {"city": "Львів"}
    assert leads[0].lost is not None
    assert leads[0].lost.reason == "no_budget"


def test_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    assert _import(tmp_path, HEADER + GOOD).returncode == 0
    first = _leads(tmp_path / "crm.sqlite")
    again = _import(tmp_path, HEADER + GOOD, "--mode", "upsert")
    assert again.returncode == 0, again.stderr
    assert re.search(r"unchanged\s+2", again.stdout)
    assert re.search(r"created\s+0", again.stdout)
    assert re.search(r"updated\s+0", again.stdout)
    assert _leads(tmp_path / "crm.sqlite") == first


def test_revert_undoes_an_import(tmp_path: Path) -> None:
    first = _import(tmp_path, HEADER + GOOD)
    changed = GOOD.replace("Олена Коваль", "Олена Коваль-Шевченко")
    second = _import(tmp_path, HEADER + changed, "--mode", "upsert")
    assert re.search(r"updated\s+1", second.stdout)
    ids = [re.search(r"--revert (\S+)", done.stdout) for done in (first, second)]
    assert all(ids)
    for found in reversed(ids):
        assert found is not None
        done = _cli("import", "--revert", found.group(1), "--db", "crm.sqlite", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert "2 record(s) removed, 0 restored" in done.stdout
    assert _leads(tmp_path / "crm.sqlite") == []
    listed = _cli("import", "--list", "--db", "crm.sqlite", cwd=tmp_path)
    assert listed.returncode == 0
    assert listed.stdout.count("yes") == 2
    again = _cli("import", "--revert", ids[0].group(1), "--db", "crm.sqlite", cwd=tmp_path)  # type: ignore[union-attr]
    assert "was reverted at" in _one_line_error(again, 1)


def test_an_unreadable_file_is_a_one_line_error(tmp_path: Path) -> None:
    missing = _cli("import", "nope.csv", "--db", "crm.sqlite", "--create", "--kind", "leads",
                   cwd=tmp_path)  # fmt: skip
    assert "nope.csv: No such file or directory" in _one_line_error(missing, 1)
    cp1251 = tmp_path / "cp1251.csv"
    cp1251.write_bytes((HEADER + GOOD).encode("cp1251"))
    wrong = _cli("import", cp1251, "--db", "crm.sqlite", "--create", "--kind", "leads",
                 cwd=tmp_path)  # fmt: skip
    assert "not utf-8-sig text" in _one_line_error(wrong, 1)
    assert not (tmp_path / "crm.sqlite").exists() or _leads(tmp_path / "crm.sqlite") == []
    no_db = _cli("import", cp1251, "--db", "other.sqlite", "--kind", "leads", cwd=tmp_path)
    assert "no such database" in _one_line_error(no_db, 1)


def test_a_mapping_that_does_not_fit_is_a_one_line_error(tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(HEADER + GOOD, encoding="utf-8")
    done = _cli("import", source, "--db", "crm.sqlite", "--create", "--kind", "leads",
                "--map", "Пошта=email", "--time-zone", "Kyiv", cwd=tmp_path)  # fmt: skip
    err = _one_line_error(done, 1)
    assert err.count("\n") == 1
    assert "time_zone: not a time zone name" in err
    typo = _cli("import", source, "--db", "crm.sqlite", "--create", "--kind", "leads",
                "--map", "Пошта=email", cwd=tmp_path)  # fmt: skip
    assert "no column 'Пошта' (--map); it has 'ПІБ', 'E-mail'" in _one_line_error(typo, 1)


@pytest.mark.parametrize(
    "args",
    [
        ("import", "leads.csv", "--db", "crm.sqlite", "--kind", "leads", "--mode", "merge"),
        ("import", "leads.csv", "--db", "crm.sqlite", "--kind", "deals"),
        ("import", "leads.csv", "--db", "crm.sqlite", "--kind", "leads", "--map", "E-mail"),
        ("import", "leads.csv", "--db", "crm.sqlite"),
        ("import", "--db", "crm.sqlite"),
        ("import", "leads.csv", "--db", "crm.sqlite", "--kind", "leads", "--revert", "x"),
        ("export", "crm.sqlite", "--kind", "leads", "--out", "leads.xlsx"),
    ],
)
def test_a_wrong_option_is_a_usage_error(args: tuple[str, ...], tmp_path: Path) -> None:
    done = _cli(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "usage:" in done.stderr


def test_an_export_imports_back_into_another_database(tmp_path: Path) -> None:
    assert _import(tmp_path, HEADER + GOOD).returncode == 0
    done = _cli("export", "crm.sqlite", "--kind", "leads", "--out", "leads.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "exported 2 leads to leads.csv (csv)" in done.stderr
    with (tmp_path / "leads.csv").open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [row["status"] for row in sorted(rows, key=lambda row: row["name"])] == ["lost", "won"]
    copy = _cli("import", "leads.csv", "--db", "copy.sqlite", "--create", "--kind", "leads",
                cwd=tmp_path)  # fmt: skip
    assert re.search(r"created\s+2", copy.stdout), copy.stderr
    again = _cli("export", "copy.sqlite", "--kind", "leads", "--out", "copy.csv", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "copy.csv").read_text("utf-8") == (tmp_path / "leads.csv").read_text("utf-8")
    lines = _cli("export", "copy.sqlite", "--kind", "leads", "--format", "jsonl", cwd=tmp_path)
    documents = [json.loads(line) for line in lines.stdout.splitlines()]
    assert sorted(doc["person_name"] for doc in documents) == ["Іван Петренко", "Олена Коваль"]


@pytest.mark.skipif(find_spec("pyarrow") is None, reason="needs the arrow extra")
def test_parquet_export(tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    assert _import(tmp_path, HEADER + GOOD).returncode == 0
    done = _cli("export", "crm.sqlite", "--kind", "leads", "--out", "leads.parquet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    table = pq.read_table(tmp_path / "leads.parquet")
    assert table.num_rows == 2
    assert table.column_names == list(lm.services.EXPORT_COLUMNS["leads"])


def test_a_trained_model_matches_what_no_key_does(tmp_path: Path) -> None:
    """``--model FILE``: a mistyped mailbox of a stored person updates them, no twin."""
    model = typo_model()
    (tmp_path / "model.toml").write_text(model.to_toml(), encoding="utf-8")
    first = _import(tmp_path, HEADER + GOOD)
    assert first.returncode == 0, first.stderr
    typo = HEADER + "Олена Коваль;olena@mebIi.ua;;01.06.2025 10:00;won;10.06.2025;;Львів\n"
    source = tmp_path / "typo.csv"
    source.write_text(typo, encoding="utf-8")
    done = _cli("import", source, "--db", "crm.sqlite", "--kind", "leads", "--mapping",
                ROOT / "examples" / "import_mapping.toml", "--mode", "upsert", "--model",
                "model.toml", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.search(r"created\s+0", done.stdout)
    assert re.search(r"updated\s+1", done.stdout)
    assert len(_leads(tmp_path / "crm.sqlite")) == 2
