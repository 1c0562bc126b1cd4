"""What every command shares: the one-line error, the store, tables and progress on a console.

A command raises :class:`UserError` (or lets a :class:`~leadmodel.LeadModelError` or an
``OSError`` on a file it was given escape): :func:`leadmodel.cli.main` prints one line to
stderr and exits 1, never a traceback. ``rich`` (the ``cli`` extra) draws the tables and the
progress bars; without it they are plain text, so every command runs on a core install.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import leadmodel as lm

__all__ = ["UserError", "open_store", "progress", "table"]

T = TypeVar("T")


class UserError(Exception):
    """Something the user can fix (a file that does not exist, a bad option value): the
    message is the one line printed, without a traceback."""


@contextmanager
def open_store(db: Path, *, create: bool = False) -> Iterator[lm.SQLiteUnitOfWork]:
    """The SQLite store at ``db`` (refused unless it exists, or ``create`` and it does not)."""
    if create and db.exists():
        raise UserError(f"{db}: exists; pass a new path (the command writes a new database)")
    if not create and not db.is_file():
        raise UserError(f"{db}: no such database; make one with `leadmodel demo --db {db}`")
    uow = lm.SQLiteUnitOfWork(db)
    try:
        yield uow
    finally:
        uow.close()


def _rich() -> Any:
    try:
        import rich.console

        return rich.console
    except ImportError:
        return None


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print a table: ``rich`` when installed, plain aligned text otherwise."""
    cells = [[_cell(value) for value in row] for row in rows]
    console = _rich()
    if console is not None and sys.stdout.isatty():
        from rich.table import Table

        shown = Table(title=title)
        for name in columns:
            shown.add_column(name, justify="left" if name == columns[0] else "right")
        for row in cells:
            shown.add_row(*row)
        console.Console().print(shown)
        return
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(columns)]
    print(title)
    print("  ".join(name.ljust(w) if i == 0 else name.rjust(w)
                    for i, (name, w) in enumerate(zip(columns, widths, strict=True))))  # fmt: skip
    for row in cells:
        print("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                        for i, (v, w) in enumerate(zip(row, widths, strict=True))))  # fmt: skip
    print()


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def progress(items: Iterable[T], *, total: int | None, label: str) -> Iterator[T]:
    """``items``, with a progress bar on stderr while they are walked (``rich`` and a
    terminal; otherwise nothing is drawn)."""
    console = _rich()
    if console is None or not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import track

    yield from track(items, total=total, description=label, console=console.Console(stderr=True))
