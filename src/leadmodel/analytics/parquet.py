"""The leads' flat projection as Parquet files, for DuckDB, Polars or Spark (extra ``arrow``).

:func:`export_parquet` writes the rows the SQL adapters keep for the reports of
:mod:`leadmodel.analytics.sql` — one per lead (``lead_facts.parquet``) and one per status
change (``status_changes.parquet``), the columns of ``leadmodel_lead_facts`` and
``leadmodel_status_changes`` — from any unit of work, the in-memory one included. Instants are
UTC timestamps (microseconds), amounts strings holding the exact decimal (cast them to a
decimal type, never to a float), every other value as the lead holds it.

:data:`FUNNEL_SQL` is the funnel (``mode="reached"``) as one DuckDB query over the two files.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from leadmodel.analytics._extras import optional
from leadmodel.storage import UnitOfWork
from leadmodel.storage import projection as _rows  # the projection's columns and rows

__all__ = ["FUNNEL_SQL", "export_parquet"]

FUNNEL_SQL: Final = """\
WITH cards AS (
    SELECT id, status, value_amount, value_currency
    FROM read_parquet($facts)
    WHERE pipeline = $pipeline AND list_contains($statuses, status)
),
entered AS (  -- the funnel position of every status a card entered (NULL: not in the funnel)
    SELECT changes.id, list_position($funnel, changes.to_status) AS position
    FROM read_parquet($changes) AS changes JOIN cards ON changes.id = cards.id
    WHERE changes.pipeline = $pipeline
    UNION ALL
    SELECT id, list_position($funnel, status) FROM cards
),
furthest AS (SELECT id, max(position) AS furthest FROM entered GROUP BY id),
steps AS (SELECT unnest($funnel) AS status, generate_subscripts($funnel, 1) AS position)
SELECT steps.position, steps.status, cards.value_currency AS currency,
       sum(count(*)) OVER (PARTITION BY steps.position) AS cards,
       sum(CAST(cards.value_amount AS DECIMAL(38, 12))) AS amount
FROM furthest
JOIN cards ON cards.id = furthest.id
JOIN steps ON steps.position <= furthest.furthest
GROUP BY steps.position, steps.status, cards.value_currency
ORDER BY steps.position, currency NULLS FIRST
"""
"""The funnel (``mode="reached"``) in DuckDB over :func:`export_parquet`'s files: a row per
funnel status (1-based ``position``) and currency of the deal values (``NULL``: cards without
one) with ``cards`` — the cards that reached the status, in every currency — and the exact
``amount`` of their values in that currency. Parameters: ``facts`` and ``changes`` (the paths),
``pipeline`` (its key), ``statuses`` (every status key of the pipeline) and ``funnel``
(:func:`~leadmodel.analytics.funnel_order`). A status no card reached has no row."""

_TIMESTAMP: Final = ("us", "UTC")


def _schema(pa: Any, spec: tuple[tuple[str, _rows.ColumnType], ...]) -> Any:
    types = {str: pa.string(), int: pa.int64(), datetime: pa.timestamp(*_TIMESTAMP)}
    return pa.schema([pa.field(name, types[kind]) for name, kind in spec])


class _Batches:
    """Rows gathered into column lists and written a row group at a time."""

    def __init__(self, pa: Any, pq: Any, path: Path, spec: Any, size: int) -> None:
        self._pa, self._size = pa, size
        self._schema = _schema(pa, spec)
        self._writer = pq.ParquetWriter(path, self._schema)
        self._rows: list[tuple[Any, ...]] = []

    def add(self, rows: tuple[tuple[Any, ...], ...] | list[tuple[Any, ...]]) -> None:
        self._rows.extend(rows)
        if len(self._rows) >= self._size:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        columns = list(zip(*self._rows, strict=True))
        arrays = [
            self._pa.array(values, type=field.type)
            for values, field in zip(columns, self._schema, strict=True)
        ]
        self._writer.write_table(self._pa.Table.from_arrays(arrays, schema=self._schema))
        self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()


def export_parquet(
    uow: UnitOfWork, folder: str | os.PathLike[str], *, batch: int = 50_000
) -> tuple[Path, Path]:
    """Write the projection of every lead in ``uow`` to ``folder`` (made if missing):
    ``lead_facts.parquet`` and ``status_changes.parquet``; return their paths.

    The rows are made from the stored leads (``uow.leads.iter_all()``, in one unit: ``uow``
    must not be inside a ``with`` block) by the same code the SQL adapters keep their
    projection with, so the files hold the columns of ``leadmodel_lead_facts`` and
    ``leadmodel_status_changes`` (docs/analytics.md, "In the database"), ``batch`` rows per
    row group. Raises :class:`~leadmodel.errors.MissingExtraError` without pyarrow.

    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> import pyarrow.parquet as pq
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="Olena",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at,
    ...     expected_value=lm.Money.of("1200.50", "UAH")), at=at)
    >>> uow = lm.MemoryUnitOfWork()
    >>> with uow:
    ...     _ = uow.leads.add(lead)
    ...     uow.commit()
    >>> facts, changes = export_parquet(uow, tempfile.mkdtemp())
    >>> row = pq.read_table(facts).to_pylist()[0]
    >>> row["status"], row["value_amount"], row["created"].isoformat()
    ('new', '1200.50', '2026-03-02T09:00:00+00:00')
    >>> pq.read_table(changes).column("to_status").to_pylist()
    ['new']
    """
    pa = optional("pyarrow", "export_parquet", "arrow")
    pq = optional("pyarrow.parquet", "export_parquet", "arrow")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    paths = (target / "lead_facts.parquet", target / "status_changes.parquet")
    facts = _Batches(pa, pq, paths[0], _rows.LEAD_FACT_COLUMNS, batch)
    changes = _Batches(pa, pq, paths[1], _rows.STATUS_CHANGE_COLUMNS, batch)
    try:
        with uow:
            for lead in uow.leads.iter_all():
                made = _rows.projection(lead)
                facts.add([made.fact])
                changes.add(made.changes)
    finally:
        facts.close()
        changes.close()
    return paths
