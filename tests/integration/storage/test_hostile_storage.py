"""Hostile conditions only some adapters meet: a full SQLite database, on both SQLite adapters.

The hostile *arguments* (bad ids, filters, limits, entities) are in the contract suite
(:mod:`leadmodel.testing._hostile`), which runs on every adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadmodel import Channel, ContactPoint, Lead, LeadId, Source
from leadmodel.errors import StorageError
from leadmodel.storage import SQLiteUnitOfWork
from leadmodel.storage.protocols import UnitOfWork
from leadmodel.storage.sql import SqlUnitOfWork, make_engine

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
MAX_PAGES = 40  # PRAGMA max_page_count: a database that is full after a few dozen leads


def _lead(n: int) -> Lead:
    return Lead(
        id=LeadId(f"lead-{n:05d}"),
        person_name="Олена Коваль " * 20,
        contact_points=(ContactPoint.email(f"olena{n}@example.com"),),
        topic="windows " * 50,
        source=Source(channel=Channel.form),
        created_at=AT,
    )


def _fill(make: Callable[[], UnitOfWork]) -> None:
    """Add leads in one unit until the database refuses; the refusal is a StorageError."""
    with pytest.raises(StorageError), make() as uow:  # noqa: PT012 - the unit, its adds and commit
        for n in range(10_000):
            uow.leads.add(_lead(n))
        uow.commit()


def test_a_full_sqlite_database_is_a_storage_error(tmp_path: Path) -> None:
    """SQLiteUnitOfWork: a full disk or database (simulated with PRAGMA max_page_count)
    raises StorageError, not sqlite3.OperationalError, and nothing of the unit is kept."""
    uow = SQLiteUnitOfWork(tmp_path / "full.sqlite")
    try:
        uow.connection.execute(f"PRAGMA max_page_count = {MAX_PAGES}")
        _fill(lambda: uow)
        with uow:
            assert uow.leads.count() == 0
            assert uow.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        uow.close()


def test_a_full_database_is_a_storage_error_through_sqlalchemy(tmp_path: Path) -> None:
    """SqlUnitOfWork on SQLite: the same full database raises StorageError too."""
    engine = make_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")

    def small(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {MAX_PAGES}")  # type: ignore[attr-defined]

    sa.event.listen(engine, "connect", small)
    try:
        _fill(lambda: SqlUnitOfWork(engine))
        with SqlUnitOfWork(engine) as uow:
            assert uow.leads.count() == 0
    finally:
        engine.dispose()
