"""Any SQLAlchemy database (tested on PostgreSQL and SQLite) through SQLAlchemy Core 2.

Extra ``sql`` (``pip install 'leadmodel[sql]'``: SQLAlchemy and psycopg 3). The tables are the
SQLite adapter's — a JSON document per entity beside indexed columns, one row per match key,
the outbox, the state store and the schema version — defined once in :data:`metadata`. A
unit of work is one transaction on one pooled connection; ``save`` is
``UPDATE … WHERE id = … AND version = …``, so two units that read the same version cannot
both save it: the second gets :class:`~leadmodel.errors.ConcurrencyError`, on any isolation
level.

Tables: a new database gets them on the first unit of work (``migrate=True``), or from
:func:`create_schema`. An app that owns its schema with Alembic adds leadmodel's tables to its
migrations instead — ``target_metadata = [app_metadata, leadmodel.storage.sql.metadata]`` in
``env.py``, then in the migration that creates them::

    op.bulk_insert(sa.table("leadmodel_schema", sa.column("version")), [{"version": 3}])

and opens units with ``migrate=False``, which only checks the recorded version
(:data:`SCHEMA_VERSION`) and raises :class:`~leadmodel.errors.StorageError` on a mismatch.

PostgreSQL: use the ``postgresql+psycopg://`` URL (psycopg 3). Text columns there cannot hold
NUL, so ids and indexed values are stored in an escaped form (:mod:`._text`); documents
keep every value exactly. SQLite: make the engine with :func:`make_engine` (done for you when
you pass a URL), which gives units real transactions (``BEGIN IMMEDIATE``) and WAL.

>>> import tempfile, pathlib
>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, Interest, Source
>>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'crm.sqlite'}"
>>> interest = Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
...     source=Source(channel=Channel.phone_call), topic="windows")
>>> uow = SqlUnitOfWork(url)
>>> with uow:
...     _ = uow.interests.add(interest)
...     uow.commit()
>>> with uow:
...     uow.interests.get("I-1") == interest
True
>>> uow.close()
"""

from __future__ import annotations

from leadmodel.errors import MissingExtraError

try:
    from leadmodel.storage.sql._tables import (
        LEAD_FACTS,
        SCHEMA_VERSION,
        STATUS_CHANGES,
        check_schema,
        create_schema,
        metadata,
    )
    from leadmodel.storage.sql._text import PostgresText, VerbatimText
    from leadmodel.storage.sql._unit import SqlUnitOfWork, make_engine
except ModuleNotFoundError as exc:  # say which extra to install, not where the import broke
    if (exc.name or "").partition(".")[0] != "sqlalchemy":
        raise
    raise MissingExtraError("leadmodel.storage.sql", extra="sql", module="sqlalchemy") from exc

__all__ = [
    "LEAD_FACTS",
    "SCHEMA_VERSION",
    "STATUS_CHANGES",
    "PostgresText",
    "SqlUnitOfWork",
    "VerbatimText",
    "check_schema",
    "create_schema",
    "make_engine",
    "metadata",
]
