"""The frozen table every report returns: rows of small frozen records, and the ways out of
Python an analyst uses (pandas, polars, Arrow, a plot, a notebook's HTML).

A report's rows are attrs records. :meth:`Table.records` flattens them into plain dicts —
a per-currency money column (a tuple of :class:`~leadmodel.Money`) becomes one column per
currency (``amount_UAH``), a duration stays a ``timedelta``, an enum its value — and every
export starts from those records, so pandas, polars and Arrow get the same columns in the same
order.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, overload

import attrs

from leadmodel.analytics._extras import optional
from leadmodel.domain.values import Money

if TYPE_CHECKING:  # pragma: no cover - the extras are optional
    import pandas as pd
    import polars as pl
    import pyarrow as pa  # type: ignore[import-untyped]
    from matplotlib.axes import Axes

__all__ = ["Table", "money_field"]

RowT = TypeVar("RowT")  # a frozen attrs record, or a NamedTuple for the facts (fast to make)

_MAX_SHOWN = 40  # rows printed by __str__ and _repr_html_ before "… n more"


@attrs.frozen(kw_only=True)
class Table(Generic[RowT]):
    """A report: its ``rows`` (frozen records, in the report's order) and a ``title``.

    A table is a sequence of its rows (``len``, iteration, indexing). :meth:`records` gives
    flat dicts; :meth:`to_pandas`, :meth:`to_polars` and :meth:`to_arrow` hand them to those
    libraries (the extras ``pandas``, ``polars``, ``arrow``); ``str(table)`` is a text table and
    ``_repr_html_`` an HTML one for notebooks; :meth:`plot` draws the report's chart (extra
    ``plot``).
    """

    rows: tuple[RowT, ...]
    title: str = ""

    kind: ClassVar[str] = "table"
    """What :meth:`plot` draws; each report names its own."""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[RowT]:
        return iter(self.rows)

    @overload
    def __getitem__(self, index: int) -> RowT: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[RowT, ...]: ...
    def __getitem__(self, index: int | slice) -> RowT | tuple[RowT, ...]:
        return self.rows[index]

    def records(self) -> list[dict[str, Any]]:
        """The rows as flat dicts, every row with the same keys in the same order: money per
        currency as ``<field>_<CUR>`` (``Decimal``; ``None`` where a row has none of that
        currency), enums as their values, everything else as it is."""
        flat = [_flat(row) for row in self.rows]
        columns: dict[str, None] = {}
        for record in flat:
            columns.update(dict.fromkeys(record))
        return [{column: record.get(column) for column in columns} for record in flat]

    def columns(self) -> list[str]:
        """The keys of :meth:`records`, in order (the row fields; money split by currency)."""
        found = self.records()
        if found:
            return list(found[0])
        return list(_names(self._row_type())) if self.rows else []

    def to_pandas(self) -> pd.DataFrame:
        """The rows as a pandas ``DataFrame`` (extra ``pandas``); durations become
        ``Timedelta``, money ``Decimal`` objects (``.astype(float)`` for arithmetic)."""
        pandas = optional("pandas", f"{type(self).__name__}.to_pandas", "pandas")
        frame: pd.DataFrame = pandas.DataFrame.from_records(
            self.records(), columns=self.columns() or None
        )
        return frame

    def to_polars(self) -> pl.DataFrame:
        """The rows as a polars ``DataFrame`` (extra ``polars``)."""
        polars = optional("polars", f"{type(self).__name__}.to_polars", "polars")
        frame: pl.DataFrame = polars.from_dicts(self.records(), infer_schema_length=None)
        return frame

    def to_arrow(self) -> pa.Table:
        """The rows as a pyarrow ``Table`` (extra ``arrow``)."""
        arrow = optional("pyarrow", f"{type(self).__name__}.to_arrow", "arrow")
        table: pa.Table = arrow.Table.from_pylist(self.records())
        return table

    def plot(self, ax: Axes | None = None) -> Axes:
        """Draw the report (extra ``plot``: matplotlib) on ``ax`` (default: a new figure's),
        and return the axes."""
        from leadmodel.analytics import _plots

        drawn = _plots.axes(self, ax)
        self._draw(drawn)
        if self.title:
            drawn.set_title(self.title)
        return drawn

    def _draw(self, ax: Axes) -> None:
        """Draw the rows on ``ax``: bars of the first number column (reports draw their own)."""
        from leadmodel.analytics import _plots

        _plots.bars(self, ax)

    def __str__(self) -> str:
        head = self.columns()
        body = [[_text(record[c]) for c in head] for record in self.records()[:_MAX_SHOWN]]
        widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(head)]
        lines = [self.title] if self.title else []
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        for r in body:
            cells = (
                c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(r, widths, strict=True)
            )
            lines.append("  ".join(cells).rstrip())
        if len(self.rows) > _MAX_SHOWN:
            lines.append(f"… {len(self.rows) - _MAX_SHOWN} more rows")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = self.columns()
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = [
            "<tr>" + "".join(f"<td>{html.escape(_text(record[c]))}</td>" for c in head) + "</tr>"
            for record in self.records()[:_MAX_SHOWN]
        ]
        more = len(self.rows) - _MAX_SHOWN
        tail = f"<p>… {more} more rows</p>" if more > 0 else ""
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        rows = "".join(body)
        return f"<table>{caption}<thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table>{tail}"

    def _row_type(self) -> type[Any]:
        return type(self.rows[0])


def money_field() -> Any:
    """A row field holding money per currency (a tuple of :class:`~leadmodel.Money`, one per
    currency, sorted by currency): :meth:`Table.records` makes it one column per currency."""
    return attrs.field(default=(), metadata={"money": True})


def _names(cls: type[Any]) -> tuple[str, ...]:
    """The field names of a row class: an attrs class's, or a NamedTuple's."""
    if attrs.has(cls):
        return tuple(field.name for field in attrs.fields(cls))
    names: tuple[str, ...] = cls._fields
    return names


def _flat(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cls = type(row)
    money = {f.name for f in attrs.fields(cls) if f.metadata.get("money")} if attrs.has(cls) else ()
    for name in _names(cls):
        value = getattr(row, name)
        if name in money:
            for amount in value:
                out[f"{name}_{amount.currency}"] = amount.amount
        elif isinstance(value, Money):
            out[f"{name}_{value.currency}"] = value.amount
        elif isinstance(value, Enum):
            out[name] = value.value
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def _numeric(text: str) -> bool:
    return text.replace(".", "", 1).replace("-", "", 1).replace(",", "").replace("%", "").isdigit()


def _text(value: object) -> str:
    """A cell as text: floats to 4 significant places, durations rounded to the second."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, timedelta):
        return str(timedelta(seconds=round(value.total_seconds())))
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(_text(v) for v in value)
    return str(value)
