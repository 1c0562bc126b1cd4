"""Spreadsheets for ``leadmodel import``: the rows of an XLSX (openpyxl) or ODS (odfpy) sheet as
text cells, as a CSV file would give them (the ``sheets`` extra).

A cell becomes the text a person reads in it: a whole number without ``.0`` (a phone number
typed as a number stays a phone number), a date or time in ISO 8601 (naive, as the sheet holds
it: the import's time-zone policy applies), ``TRUE``/``FALSE`` as ``true``/``false``. Empty rows
are skipped; a sheet's trailing repeated empty cells and rows (ODS writes a million of them)
cost nothing, and a repeated row is read once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from importlib import import_module
from pathlib import Path
from typing import Any

from leadmodel.cli._common import UserError

__all__ = ["SHEET_SUFFIXES", "read_sheet"]

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
_MAX_COLUMNS = 1_000  # a header wider than this is not a table of leads
_EXTRA = "pip install 'leadmodel[sheets]'"


def _module(name: str) -> Any:
    try:
        return import_module(name)
    except ImportError:
        raise UserError(f"reading spreadsheets needs the sheets extra: {_EXTRA}") from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def read_sheet(path: Path, sheet: str | None) -> tuple[list[str], Iterator[dict[str, str]], int]:
    """The header, the rows (each a dict by header) and an estimate of their count, of the
    sheet named ``sheet`` (default: the first) of ``path``."""
    rows = _xlsx(path, sheet) if path.suffix.lower() != ".ods" else _ods(path, sheet)
    try:
        header_cells = next(rows)
    except StopIteration:
        raise UserError(f"{path}: the sheet is empty") from None
    header = [_text(cell) for cell in header_cells[:_MAX_COLUMNS]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise UserError(f"{path}: the first row holds no column names")

    def records() -> Iterator[dict[str, str]]:
        for cells in rows:
            texts = [_text(cell) for cell in cells[: len(header)]]
            if any(texts):
                texts += [""] * (len(header) - len(texts))
                yield dict(zip(header, texts, strict=True))

    return header, records(), 0


def _xlsx(path: Path, sheet: str | None) -> Iterator[tuple[Any, ...]]:
    openpyxl = _module("openpyxl")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise UserError(f"{path}: not an XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UserError(f"{path}: no sheet {sheet!r}; it has {', '.join(book.sheetnames)}")
        table = book[sheet] if sheet is not None else book.worksheets[0]
        yield from table.iter_rows(values_only=True)
    finally:
        book.close()


def _ods(path: Path, sheet: str | None) -> Iterator[tuple[Any, ...]]:
    document = _module("odf.opendocument")
    table_ns = _module("odf.table")
    text_ns = _module("odf.text")
    names = _module("odf.namespaces")
    try:
        doc = document.load(str(path))
    except Exception as exc:
        raise UserError(f"{path}: not an ODS spreadsheet ({type(exc).__name__}: {exc})") from None
    tables = doc.spreadsheet.getElementsByType(table_ns.Table)
    found = [t for t in tables if sheet is None or t.getAttribute("name") == sheet]
    if not found:
        known = ", ".join(str(t.getAttribute("name")) for t in tables)
        raise UserError(f"{path}: no sheet {sheet!r}; it has {known}")
    for row in found[0].getElementsByType(table_ns.TableRow):
        cells: list[Any] = []
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            value = _ods_value(cell, names, text_ns)
            repeat = int(cell.getAttrNS(names.TABLENS, "number-columns-repeated") or 1)
            # an empty cell repeated to the sheet's edge: as many as the header can use
            cells += [value] * (repeat if value is not None else min(repeat, _MAX_COLUMNS))
        if any(value is not None for value in cells):
            # a row repeated (number-rows-repeated) is read once: its copies say nothing new
            # (the import would match them to the first), and a few bytes cannot ask for
            # millions of rows
            yield tuple(cells)


def _ods_value(cell: Any, names: Any, text_ns: Any) -> object:
    kind = cell.getAttrNS(names.OFFICENS, "value-type")
    if kind in ("float", "percentage", "currency"):
        return float(cell.getAttrNS(names.OFFICENS, "value"))
    if kind == "date":
        return cell.getAttrNS(names.OFFICENS, "date-value")
    if kind == "boolean":
        return cell.getAttrNS(names.OFFICENS, "boolean-value") == "true"
    paragraphs = cell.getElementsByType(text_ns.P)
    text = "\n".join(str(p) for p in paragraphs)
    return text or None
