"""``leadmodel import FILE --db DB --kind ...`` (a CSV file into a store, ``--revert ID`` to
undo it, ``--list`` to see them) and ``leadmodel export DB --kind ... --format csv|jsonl|parquet``.

An import that ran exits 0 even when some rows were left out: it says how many and lists the
first of them with their row number (the header is row 1) and field. Everything else a user
can fix (a file that cannot be read or decoded, a mapping that does not fit the file, a
database that does not exist) exits 1 with one line.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import attrs

import leadmodel as lm
from leadmodel.cli._common import UserError, open_store, progress, table
from leadmodel.cli._sheets import SHEET_SUFFIXES, read_sheet

__all__ = ["add"]

_KINDS = tuple(lm.services.IMPORT_TARGETS)
_DELIMITERS = ",;\t|"
_FORMATS = ("csv", "jsonl", "parquet")
_PARQUET_ROWS = 10_000  # rows per Parquet row group written


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.rpartition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def add(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``import`` and ``export`` commands."""
    imp = commands.add_parser(
        "import", help="import a CSV file of interests, leads, contacts or customers (or undo one)"
    )
    imp.add_argument("file", nargs="?", type=Path, help="a CSV file; its first line names columns")
    imp.add_argument("--db", type=Path, required=True, help="the SQLite database")
    imp.add_argument("--create", action="store_true", help="make the database if it is not there")
    imp.add_argument("--kind", choices=_KINDS, help="what each row is")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        type=_pair,
        metavar="COLUMN=FIELD",
        help="feed a field from a column (repeatable; a column named as a field needs none)",
    )
    imp.add_argument(
        "--default",
        action="append",
        default=[],
        type=_pair,
        metavar="FIELD=VALUE",
        help="a field's value for rows that leave it blank (repeatable)",
    )
    imp.add_argument("--mapping", type=Path, metavar="FILE", help="an ImportMap in TOML")
    imp.add_argument(
        "--mode",
        choices=[mode.value for mode in lm.services.ImportMode],
        default="create",
        help="what a row matching a stored record does: nothing (create, the default), update "
        "it (upsert), or only that (update-only: other rows are skipped)",
    )
    imp.add_argument("--time-zone", metavar="ZONE", help="the zone of times without an offset")
    imp.add_argument("--region", metavar="CC", help="the region of national phone numbers")
    imp.add_argument("--encoding", default="utf-8-sig", help="the file's (default: UTF-8)")
    imp.add_argument("--delimiter", help="the cell separator (default: guessed from the header)")
    imp.add_argument(
        "--model",
        type=Path,
        metavar="FILE",
        help="a trained MatchModel (TOML: MatchModel.to_toml()): rows no key matches are "
        "matched to the record it finds the same person (extra match)",
    )
    imp.add_argument(
        "--merge-at",
        type=float,
        default=0.99,
        metavar="P",
        help="the probability at which --model's match counts (default 0.99)",
    )
    imp.add_argument(
        "--sheet", help="the sheet of an .xlsx or .ods file (default: the first; extra sheets)"
    )
    imp.add_argument("--by", default="leadmodel-cli", help="who imports (recorded)")
    imp.add_argument("--errors", type=int, default=20, metavar="N", help="row errors shown")
    imp.add_argument("--batch-size", type=int, default=1000, metavar="N", help="rows per unit")
    imp.add_argument("--revert", metavar="ID", help="undo the import with this id")
    imp.add_argument("--list", action="store_true", help="list the imports of the database")
    imp.set_defaults(run=_import, usage=imp)

    export = commands.add_parser("export", help="export the records of a kind to a file")
    export.add_argument("db", type=Path, help="the SQLite database")
    export.add_argument("--kind", choices=_KINDS, required=True)
    export.add_argument("--format", choices=_FORMATS, help="default: the --out file's suffix")
    export.add_argument("--out", type=Path, help="the file to write (default: standard output)")
    export.set_defaults(run=_export, usage=export)


# -- import --------------------------------------------------------------------------------------


def _import(args: argparse.Namespace) -> int:
    usage: argparse.ArgumentParser = args.usage
    chosen = [name for name, given in (("FILE", args.file), ("--revert", args.revert),
                                       ("--list", args.list)) if given]  # fmt: skip
    if len(chosen) != 1:
        usage.error("give one of FILE (to import), --revert ID or --list")
    if args.file is not None and args.kind is None:
        usage.error("--kind is required to import a file")
    if args.errors < 0 or not 1 <= args.batch_size <= 100_000:  # noqa: PLR2004
        usage.error("--errors is 0 or more; --batch-size from 1 to 100000")
    create = args.create and args.file is not None and not args.db.exists()
    with open_store(args.db, create=create) as uow:
        if args.list:
            return _list(uow)
        if args.revert is not None:
            return _revert(uow, args.revert)
        return _run_import(uow, args)


def _mapping(args: argparse.Namespace) -> lm.services.ImportMap:
    try:
        spec = (
            lm.services.ImportMap.from_toml(args.mapping.read_bytes())
            if args.mapping is not None
            else lm.services.ImportMap()
        )
        changes: dict[str, Any] = {}
        if args.map:
            changes["columns"] = {**spec.columns, **dict(args.map)}
        if args.default:
            changes["defaults"] = {**spec.defaults, **dict(args.default)}
        if args.time_zone is not None:
            changes["time_zone"] = args.time_zone
        if args.region is not None:
            changes["region"] = args.region
        return attrs.evolve(spec, **changes)
    except lm.ValidationError as exc:
        where = f"{args.mapping}: " if args.mapping is not None else ""
        raise UserError(f"{where}the mapping does not fit: {_problems(exc)}") from None


def _problems(exc: lm.ValidationError) -> str:
    return "; ".join(str(problem) for problem in exc.problems)


def _text(path: Path, encoding: str) -> tuple[str, str]:
    """The file's text and its label (name and SHA-256): decoded whole before anything is
    imported, so a wrong encoding stops the import before its first row."""
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except LookupError:
        raise UserError(f"--encoding {encoding}: no such encoding") from None
    except UnicodeDecodeError as exc:
        fix = "pass --encoding (cp1251 for a file saved by Excel in Ukrainian, say)"
        raise UserError(f"{path}: not {encoding} text (byte {exc.start}); {fix}") from None
    if not text.strip():
        raise UserError(f"{path}: empty; its first line names the columns")
    label = f"{path.name} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    return text, label


def _rows(args: argparse.Namespace) -> tuple[Sequence[str], Iterator[Any], int, str, Any]:
    """The header, the rows, their count (an estimate), the file's label, and the CSV reader
    (``None`` for a spreadsheet)."""
    path: Path = args.file
    if path.suffix.lower() in SHEET_SUFFIXES:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
        label = f"{path.name} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
        header, records, count = read_sheet(path, args.sheet)
        return header, records, count, label, None
    text, label = _text(path, args.encoding)
    first = text.split("\n", 1)[0]
    delimiter = args.delimiter or max(_DELIMITERS, key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return reader.fieldnames or (), iter(reader), text.count("\n"), label, reader


def _model(path: Path | None) -> lm.MatchModel | None:
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    model = lm.MatchModel.from_toml(data)
    if not model.trained:
        raise UserError(f"{path}: the model has no weights: train it first (lm.fit)")
    return model


def _run_import(uow: lm.SQLiteUnitOfWork, args: argparse.Namespace) -> int:
    spec = _mapping(args)
    path: Path = args.file
    header, rows, count, label, reader = _rows(args)
    import_id = lm.uuid7()
    missing = [column for column, _ in args.map if column not in header]
    if missing:
        raise UserError(f"{path}: no column {', '.join(map(repr, missing))} (--map); it has "
                        f"{', '.join(map(repr, header))}")  # fmt: skip
    try:
        report = lm.services.import_rows(
            uow,
            progress(rows, total=count or None, label=f"importing {path.name}"),
            kind=args.kind,
            mapping=spec,
            header=header,
            mode=args.mode,
            import_id=import_id,
            source=label,
            batch_size=args.batch_size,
            first_row=2,
            model=_model(args.model),
            merge_at=args.merge_at,
            by=args.by,
        )
    except csv.Error as exc:
        done = f"the rows before it were imported as {import_id}: undo with --revert {import_id}"
        line = reader.line_num if reader is not None else "?"
        raise UserError(f"{path}, line {line}: {exc}; {done}") from None
    except lm.ValidationError as exc:
        raise UserError(f"{path}: the mapping does not fit the file: {_problems(exc)}") from None
    _print_report(report, args)
    return 0


def _print_report(report: lm.services.ImportReport, args: argparse.Namespace) -> None:
    rows = [
        ("rows read", report.rows),
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("skipped", report.skipped),
        ("failed", report.failed),
    ]
    title = f"import {report.import_id}: {report.kind} from {args.file} ({report.mode.value})"
    table(title, ("outcome", "rows"), rows)
    if report.skipped:
        why = (
            "their records exist (--mode upsert updates them)"
            if report.mode is lm.services.ImportMode.create
            else "they match no stored record"
        )
        print(f"{report.skipped} row(s) skipped: {why}")
    if report.errors:
        shown = report.errors[: args.errors]
        more = len(report.errors) > len(shown)
        print(
            f"row errors (the first {len(shown)} of {len(report.errors)}):"
            if more
            else "row errors:"
        )
        for error in shown:
            print(f"  {error}")
        print(
            f"{report.failed} row(s) were left out, the others imported: fix them and run the "
            "same command again (rows imported already stay as they are)"
        )
    print(f"undo with: leadmodel import --revert {report.import_id} --db {args.db}")


def _revert(uow: lm.SQLiteUnitOfWork, import_id: str) -> int:
    report = lm.services.revert_import(uow, import_id)
    print(
        f"import {import_id} reverted: {report.removed} record(s) removed, "
        f"{report.restored} restored"
    )
    if report.errors:
        print(f"{len(report.errors)} record(s) changed since the import were left as they are:")
        for error in report.errors:
            print(f"  {error}")
    return 0


def _list(uow: lm.SQLiteUnitOfWork) -> int:
    found = lm.services.imports(uow)
    table(
        f"{len(found)} import(s)",
        ("id", "kind", "mode", "at", "rows", "created", "updated", "failed", "reverted"),
        [
            (
                report.import_id,
                report.kind,
                report.mode.value,
                report.at.strftime("%Y-%m-%d %H:%M") if report.at else None,
                report.rows,
                report.created,
                report.updated,
                report.failed,
                "yes" if report.reverted_at else "",
            )
            for report in found
        ],
    )
    return 0


# -- export --------------------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    usage: argparse.ArgumentParser = args.usage
    out: Path | None = args.out
    form = args.format or (out.suffix.lower().lstrip(".") if out is not None else "csv")
    if form not in _FORMATS:
        usage.error(f"--format: say which of {', '.join(_FORMATS)} (the suffix {form!r} does not)")
    if form == "parquet" and out is None:
        usage.error("--out FILE is required for parquet")
    with open_store(args.db) as uow:
        if form == "parquet":
            count = _parquet(uow, args.kind, out)  # type: ignore[arg-type]
        else:
            with _output(out) as stream:
                count = _csv(uow, args.kind, stream) if form == "csv" else _jsonl(uow, args, stream)
    where = out if out is not None else "standard output"
    print(f"exported {count} {args.kind} to {where} ({form})", file=sys.stderr)
    return 0


@contextmanager
def _output(out: Path | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
        return
    with out.open("w", encoding="utf-8", newline="") as stream:
        yield stream


def _csv(uow: lm.SQLiteUnitOfWork, kind: str, stream: IO[str]) -> int:
    writer = csv.DictWriter(stream, fieldnames=lm.services.EXPORT_COLUMNS[kind])
    writer.writeheader()
    count = 0
    for row in lm.services.export_rows(uow, kind):
        writer.writerow(row)
        count += 1
    return count


def _jsonl(uow: lm.SQLiteUnitOfWork, args: argparse.Namespace, stream: IO[str]) -> int:
    count = 0
    with uow:
        for record in getattr(uow, args.kind).iter_all():
            stream.write(lm.to_json(record) + "\n")
            count += 1
    return count


def _parquet(uow: lm.SQLiteUnitOfWork, kind: str, out: Path) -> int:
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:
        raise UserError("parquet needs pyarrow: pip install 'leadmodel[arrow]'") from None
    columns = lm.services.EXPORT_COLUMNS[kind]
    schema = pa.schema([(name, pa.string()) for name in columns])
    count = 0
    with pq.ParquetWriter(str(out), schema) as writer:
        chunk: list[dict[str, str | None]] = []
        for row in lm.services.export_rows(uow, kind):
            chunk.append({name: value or None for name, value in row.items()})
            if len(chunk) == _PARQUET_ROWS:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                count, chunk = count + len(chunk), []
        if chunk or not count:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count
