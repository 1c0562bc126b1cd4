"""The charts of :meth:`Table.plot <leadmodel.analytics.Table.plot>` (extra ``plot``:
matplotlib): a funnel as horizontal bars, losses as bars by status and reason, any other table
as bars of its first count column. A report's ``_draw`` picks its drawer; drawers take the
table as ``Any`` (this module imports no report: the reports import it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leadmodel.analytics._extras import optional

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


def axes(table: Any, ax: Axes | None) -> Axes:
    """``ax``, or the axes of a new figure sized for ``table`` (extra ``plot``)."""
    pyplot = optional("matplotlib.pyplot", f"{type(table).__name__}.plot", "plot")
    if ax is None:
        _, ax = pyplot.subplots(figsize=(8, 0.45 * max(len(table), 4) + 1))
    return ax


def _label(row: Any, text: str) -> str:
    group = getattr(row, "group", None)
    return f"{group}: {text}" if group else text


def funnel(table: Any, ax: Axes) -> None:
    rows = list(table.rows)
    labels = [_label(row, row.label) for row in rows]
    counts = [row.count for row in rows]
    positions = range(len(rows))
    ax.barh(positions, counts, color="#4C72B0")
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()  # the first status on top
    for y, row in zip(positions, rows, strict=True):
        shown = "" if row.share_of_first is None else f"  {row.share_of_first:.0%}"
        ax.text(row.count, y, f" {row.count:,}{shown}", va="center")
    ax.set_xlabel("cards")


def losses(table: Any, ax: Axes) -> None:
    rows = list(table.rows)
    labels = [_label(row, f"{row.status or '?'} · {row.reason or '?'}") for row in rows]
    positions = range(len(rows))
    ax.barh(positions, [row.count for row in rows], color="#C44E52")
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.set_xlabel("cards lost")


def bars(table: Any, ax: Axes) -> None:
    records = table.records()
    columns = table.columns()
    numbers = [c for c in columns if records and isinstance(records[0][c], int | float)]
    if not numbers:
        ax.text(0.5, 0.5, "nothing to plot", ha="center", va="center")
        return
    value = numbers[0]
    labels = [str(next(iter(record.values()))) for record in records]
    positions = range(len(records))
    ax.barh(positions, [record[value] or 0 for record in records])
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.set_xlabel(value)
