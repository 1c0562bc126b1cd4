"""The flat projection of leads the SQL adapters keep beside the documents (schema version 5):
one row per lead in ``leadmodel_lead_facts``, one per status change in
``leadmodel_status_changes`` — what SQL reports group without decoding JSON
(:mod:`leadmodel.analytics.sql`) and what :func:`~leadmodel.analytics.parquet.export_parquet`
writes for DuckDB, Polars or Spark.

:data:`LEAD_FACT_COLUMNS` and :data:`STATUS_CHANGE_COLUMNS` name the columns and their Python
types (instants as UTC microseconds in the tables); :func:`projection` makes a lead's rows.

>>> from datetime import datetime, timezone
>>> import leadmodel as lm
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="Olena",
...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
...     source=lm.Source(channel=lm.Channel.form), created_at=at), at=at)
>>> rows = projection(lead)
>>> dict(zip([name for name, _ in LEAD_FACT_COLUMNS], rows.fact))["status"], len(rows.changes)
('new', 1)
"""

from leadmodel.storage._rows import (
    LEAD_FACT_COLUMNS,
    LEAD_FACTS_TABLE,
    STATUS_CHANGE_COLUMNS,
    STATUS_CHANGES_TABLE,
    ColumnType,
    Projection,
    projection,
)

__all__ = [
    "LEAD_FACTS_TABLE",
    "LEAD_FACT_COLUMNS",
    "STATUS_CHANGES_TABLE",
    "STATUS_CHANGE_COLUMNS",
    "ColumnType",
    "Projection",
    "projection",
]
