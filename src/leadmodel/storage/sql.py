"""Any SQLAlchemy database (tested on PostgreSQL and SQLite) through SQLAlchemy Core 2.

Extra ``sql`` (``pip install 'leadmodel[sql]'``: SQLAlchemy and psycopg 3). The tables are the
SQLite adapter's — a JSON document per entity beside indexed columns, one row per match key,
the outbox and the schema version — defined once in :data:`metadata`. A unit of work is one
transaction on one pooled connection; ``save`` is ``UPDATE … WHERE id = … AND version = …``,
so two units that read the same version cannot both save it: the second gets
:class:`~leadmodel.errors.ConcurrencyError`, on any isolation level.

Tables: a new database gets them on the first unit of work (``migrate=True``), or from
:func:`create_schema`. An app that owns its schema with Alembic adds leadmodel's tables to its
migrations instead — ``target_metadata = [app_metadata, leadmodel.storage.sql.metadata]`` in
``env.py``, then in the migration that creates them::

    op.bulk_insert(sa.table("leadmodel_schema", sa.column("version")), [{"version": 1}])

and opens units with ``migrate=False``, which only checks the recorded version
(:data:`SCHEMA_VERSION`) and raises :class:`~leadmodel.errors.StorageError` on a mismatch.

PostgreSQL: use the ``postgresql+psycopg://`` URL (psycopg 3). Text columns there cannot hold
NUL, so ids and indexed values are stored in an escaped form (:mod:`._sqltext`); documents
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

import sqlite3
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead
from leadmodel.errors import (
    ConcurrencyError,
    LeadModelError,
    Problem,
    StorageError,
    ValidationError,
)
from leadmodel.storage import _rows
from leadmodel.storage._sqlrepo import Duplicate, SqlOutbox, SqlRepository
from leadmodel.storage._sqltables import (
    OUTBOX,
    SCHEMA_VERSION,
    check_schema,
    create_schema,
    metadata,
)
from leadmodel.storage._sqltext import PostgresText, VerbatimText
from leadmodel.storage._unit import UnitBase, UnitState

__all__ = ["SCHEMA_VERSION", "SqlUnitOfWork", "create_schema", "make_engine", "metadata"]

_OUTBOX_LOCK: Final = 0x6C6D_4F42  # pg_advisory_xact_lock key held while committing events
_CONFLICTS: Final = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
_PREPARED: Final = "leadmodel_schema_version"  # key in Connection.info once the schema is checked


def make_engine(url: str | sa.URL, **options: Any) -> sa.Engine:
    """``sqlalchemy.create_engine(url, **options)`` ready for :class:`SqlUnitOfWork`.

    A bare ``postgresql://`` URL gets psycopg 3 (the ``sql`` extra), not SQLAlchemy's default
    psycopg2. For SQLite it also turns off the driver's own transaction handling (which would
    let a savepoint commit on its own) and begins each unit with ``BEGIN IMMEDIATE``, so units
    in other threads and processes wait for the writer instead of failing half-way; file
    databases run in WAL mode. A URL SQLAlchemy cannot use raises
    :class:`~leadmodel.errors.ValidationError`.
    """
    try:
        parsed = sa.make_url(url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = sa.create_engine(parsed, **options)
    except (sa_exc.ArgumentError, ImportError, TypeError, ValueError) as exc:
        msg = (
            f"SQLAlchemy cannot open this URL ({exc}); pass a URL such as "
            "'postgresql+psycopg://user@host:5432/crm' or 'sqlite:///crm.sqlite', or an Engine"
        )
        raise ValidationError([Problem("url", msg, _shown(url))], model="SqlUnitOfWork") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _shown(url: object) -> object:
    """A URL as an error message may show it: without its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)  # type: ignore[arg-type]
    except (sa_exc.ArgumentError, TypeError, ValueError):
        return url if isinstance(url, str) and "@" not in url else f"<{type(url).__name__}>"


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA journal_mode = WAL")
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")
    dbapi_connection.execute("PRAGMA busy_timeout = 30000")


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _database_error(error: sa_exc.DBAPIError) -> LeadModelError:
    """The leadmodel error for a failed statement: a conflict, or what the database said."""
    state = getattr(error.orig, "sqlstate", None)
    if state in _CONFLICTS:
        return ConcurrencyError(
            "another unit of work changed the same entries at the same time and the database "
            f"stopped this one ({state}); leave the unit (nothing of it is kept), reload and "
            "try again"
        )
    return StorageError(f"the database refused the statement: {error.orig}")


class SqlUnitOfWork(UnitBase):
    """A unit of work on a SQLAlchemy engine, or on a URL (an engine this object owns).

    Pass one :class:`~sqlalchemy.Engine` to many units (it pools connections); make one unit
    object per thread, and engines after a fork, not before. A unit takes a connection from
    the pool at its first read or write and gives it back when its ``with`` block ends.
    ``migrate``: create missing tables on first use (``False``: only check the schema
    version, for apps whose migrations create the tables).
    """

    def __init__(self, url_or_engine: str | sa.URL | sa.Engine, *, migrate: bool = True) -> None:
        if isinstance(url_or_engine, sa.Engine):
            self.engine, self._owns_engine = url_or_engine, False
        else:
            self.engine, self._owns_engine = make_engine(url_or_engine), True
        self.migrate = migrate
        postgres = self.engine.dialect.name == "postgresql"
        self._text = PostgresText() if postgres else VerbatimText()
        self.interests: SqlRepository[Interest] = SqlRepository(self, "interests")
        self.leads: SqlRepository[Lead] = SqlRepository(self, "leads")
        self.contacts: SqlRepository[Contact] = SqlRepository(self, "contacts")
        self.companies: SqlRepository[Company] = SqlRepository(self, "companies")
        self.customers: SqlRepository[Customer] = SqlRepository(self, "customers")
        self.outbox = SqlOutbox(self)
        self._state = UnitState("SqlUnitOfWork")
        self._conn: sa.Connection | None = None

    # -- the connection and its transaction ------------------------------------------------------
    def _connect(self) -> sa.Connection:
        try:
            conn = self.engine.connect()
        except sa_exc.DBAPIError as exc:
            url = self.engine.url.render_as_string(hide_password=True)
            raise StorageError(f"cannot connect to {url}: {exc.orig}") from exc
        try:
            self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sa.Connection) -> None:
        """Check (or create) the schema once per pooled connection (``conn.info`` stays with
        the database connection across checkouts)."""
        if conn.info.get(_PREPARED) == SCHEMA_VERSION:
            return
        try:
            with conn.begin():
                if self.migrate:
                    create_schema(conn)
                else:
                    check_schema(conn)
        except sa_exc.DBAPIError as exc:
            raise _database_error(exc) from exc
        conn.info[_PREPARED] = SCHEMA_VERSION

    def _tx(self) -> sa.Connection:
        self._state.require_open()
        if self._conn is None:
            self._conn = self._connect()
        conn = self._conn
        if not conn.in_transaction():
            try:
                conn.begin()
            except sa_exc.DBAPIError as exc:
                raise _database_error(exc) from exc
            self._check_sqlite_transaction(conn)
        return conn

    def _check_sqlite_transaction(self, conn: sa.Connection) -> None:
        if self.engine.dialect.name != "sqlite":
            return
        if not getattr(conn.connection.driver_connection, "in_transaction", True):
            msg = (
                "this SQLite engine lets the driver manage transactions, so a unit of work "
                "would not be all or nothing: make it with leadmodel.storage.sql.make_engine(url)"
            )
            raise StorageError(msg)

    def _run(self, statement: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        conn = self._tx()
        try:
            return conn.execute(statement, params)
        except sa_exc.IntegrityError as exc:
            raise Duplicate(f"an entry is already stored: {exc.orig}") from exc
        except sa_exc.DBAPIError as exc:
            raise _database_error(exc) from exc

    # -- the unit --------------------------------------------------------------------------------
    def _end(self) -> None:
        self._release()

    def commit(self) -> None:
        """Write the unit's events to the outbox and commit the transaction."""
        conn = self._tx()
        events = [{"type": t, "doc": d} for t, d in map(_rows.encode_event, self._state.events)]
        if events:
            if self.engine.dialect.name == "postgresql":
                # Events get their seq in commit order: committers with events take turns.
                self._run(sa.select(sa.func.pg_advisory_xact_lock(_OUTBOX_LOCK)))
            self._run(sa.insert(OUTBOX), events)
        try:
            conn.commit()
        except sa_exc.DBAPIError as exc:
            raise _database_error(exc) from exc
        self._state.clear_events()

    def rollback(self) -> None:
        """Undo the unit's changes and drop its events."""
        self._state.clear_events()
        if self._conn is not None and self._conn.in_transaction():
            try:
                self._conn.rollback()
            except sa_exc.DBAPIError as exc:
                raise _database_error(exc) from exc

    def _release(self) -> None:
        """Roll back what is not committed and give the connection back to the pool."""
        conn, self._conn = self._conn, None
        self._state.clear_events()
        if conn is not None:
            try:
                if conn.in_transaction():
                    conn.rollback()
            except sa_exc.DBAPIError:
                pass  # a broken connection: the server drops its transaction with it
            finally:
                conn.close()

    def close(self) -> None:
        """End an unfinished unit; dispose of the engine if this object made it."""
        self._release()
        if self._owns_engine:
            self.engine.dispose()
