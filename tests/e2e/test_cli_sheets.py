"""``leadmodel import`` of spreadsheets (the ``sheets`` extra) through the real entry point: an
.xlsx and an .ods file import as their CSV would — a phone typed as a number stays a phone, a
date cell is a naive time the time-zone policy places — and a missing sheet is a user error."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import leadmodel as lm

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "examples" / "import_mapping.toml"
HEADER: list[object] = ["ПІБ", "E-mail", "Телефон", "Створено", "Місто"]
ROWS: list[list[object]] = [
    ["Олена Коваль", "olena@mebli.ua", 380501234567, datetime(2025, 6, 1, 10, 0), "Львів"],
    ["Іван Петренко", "ivan@mebli.ua", None, datetime(2025, 6, 2, 9, 30), "Київ"],
    ["Марія", "maria@", None, datetime(2025, 6, 3), "Одеса"],  # a bad email: a row error
]


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "leadmodel", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False,
                          cwd=cwd)  # fmt: skip


def _xlsx(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    book.save(path)


def _ods(path: Path) -> None:
    odf = pytest.importorskip("odf.opendocument")  # the extra, untyped: modules as values
    tables, texts = pytest.importorskip("odf.table"), pytest.importorskip("odf.text")
    Table, TableCell, TableRow, P = tables.Table, tables.TableCell, tables.TableRow, texts.P  # noqa: N806

    doc = odf.OpenDocumentSpreadsheet()
    table = Table(name="Leads")
    for values in [HEADER, *ROWS]:
        row = TableRow()
        for value in values:
            if value is None:
                cell = TableCell()
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=str(value))
            elif isinstance(value, datetime):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            row.addElement(cell)
        row.addElement(TableCell(numbercolumnsrepeated="16000"))  # what office suites write
        table.addElement(row)
    table.addElement(TableRow(numberrowsrepeated="1048000"))
    doc.spreadsheet.addElement(table)
    doc.save(str(path))


@pytest.mark.parametrize(("suffix", "write"), [(".xlsx", _xlsx), (".ods", _ods)])
def test_a_spreadsheet_imports_as_its_csv_would(suffix: str, write: object, tmp_path: Path) -> None:
    source = tmp_path / f"leads{suffix}"
    write(source)  # type: ignore[operator]
    done = _cli("import", source, "--db", "crm.sqlite", "--create", "--kind", "leads",
                "--mapping", MAPPING, "--sheet", "Leads", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "row 4, email (column 'E-mail'): not an email address" in done.stdout
    uow = lm.SQLiteUnitOfWork(tmp_path / "crm.sqlite")
    with uow:
        leads = {lead.person_name: lead for lead in uow.leads.iter_all()}
    uow.close()
    assert sorted(leads) == ["Іван Петренко", "Олена Коваль"]
    olena = leads["Олена Коваль"]
    assert [p.key for p in olena.contact_points] == ["olena@mebli.ua", "+380501234567"]
    assert olena.created_at.isoformat() == "2025-06-01T10:00:00+03:00"  # Kyiv summer time
    assert olena.custom["city"] == "Львів"
    assert (olena.pipeline, olena.status) == (None, None)  # no status column: no card yet
    missing = _cli("import", source, "--db", "crm.sqlite", "--kind", "leads", "--mapping",
                   MAPPING, "--sheet", "Nope", cwd=tmp_path)  # fmt: skip
    assert missing.returncode == 1
    assert "no sheet 'Nope'; it has Leads" in missing.stderr
