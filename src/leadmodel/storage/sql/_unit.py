"""The SQL adapter's unit of work, its connection and transaction, and :func:`make_engine`."""

from __future__ import annotations

import sqlite3
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from leadmodel.errors import (
    ConcurrencyError,
    LeadModelError,
    Problem,
    StorageError,
    ValidationError,
)
from leadmodel.storage import _rows
from leadmodel.storage._rows import Resealed
from leadmodel.storage._unit import AdapterUnit, UnitState, reseal
from leadmodel.storage.sql._repository import Duplicate, SqlOutbox, SqlRepository, SqlStates
from leadmodel.storage.sql._tables import OUTBOX, SCHEMA_VERSION, check_schema, create_schema
from leadmodel.storage.sql._text import PostgresText, VerbatimText

__all__ = ["SqlUnitOfWork", "make_engine"]

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
    # deleted and overwritten content is zeroed, not left in free pages (docs/privacy.md)
    dbapi_connection.execute("PRAGMA secure_delete = ON")


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _database_error(error: sa_exc.DBAPIError) -> LeadModelError:
    """The leadmodel error for a failed statement: a conflict, or what the database said."""
    state = getattr(error.orig, "sqlstate", None)
    if state in _CONFLICTS:
        return ConcurrencyError(
            "another unit of work changed the same entries at the same time and the database "
            f"stopped this one ({state}); leave the unit (nothing of it is kept), reload and "
            "try again",
            kind=None,
            id=None,
        )
    return StorageError(f"the database refused the statement: {error.orig}")


class UnitTransaction:
    """The connection and transaction of one :class:`SqlUnitOfWork`: what its repositories
    and outbox use (:class:`~leadmodel.storage.sql._repository.Transaction`).

    A connection comes from the pool at the unit's first read or write (the schema checked, or
    created, once per pooled connection) and goes back when the unit's ``with`` block ends.
    """

    def __init__(self, engine: sa.Engine, *, migrate: bool, state: UnitState) -> None:
        self.engine = engine
        self.migrate = migrate
        self.dialect = engine.dialect.name
        self.text = PostgresText() if self.dialect == "postgresql" else VerbatimText()
        self._state = state
        self._conn: sa.Connection | None = None

    def begin(self) -> sa.Connection:
        """The unit's connection in its transaction, begun if needed."""
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

    def run(self, statement: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        """Execute ``statement`` in the unit's transaction."""
        conn = self.begin()
        try:
            return conn.execute(statement, params)
        except sa_exc.IntegrityError as exc:
            raise Duplicate(f"an entry is already stored: {exc.orig}") from exc
        except sa_exc.DBAPIError as exc:
            raise _database_error(exc) from exc

    def commit(self) -> None:
        """Commit the transaction."""
        conn = self.begin()
        try:
            conn.commit()
        except sa_exc.DBAPIError as exc:
            raise _database_error(exc) from exc

    def after_erasure(self) -> None:
        """On SQLite, empty the WAL of the erased values just committed (a checkpoint).

        PostgreSQL keeps dead tuples and WAL until VACUUM and its own checkpoints and WAL
        recycling: that is the host's to run (docs/privacy.md)."""
        if self.dialect != "sqlite" or self._conn is None:
            return
        raw = self._conn.connection.dbapi_connection
        if raw is not None:  # outside SQLAlchemy's transaction: a checkpoint cannot run in one
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def rollback(self) -> None:
        """Roll back the transaction, if one is open."""
        if self._conn is not None and self._conn.in_transaction():
            try:
                self._conn.rollback()
            except sa_exc.DBAPIError as exc:
                raise _database_error(exc) from exc

    def release(self) -> None:
        """Roll back what is not committed and give the connection back to the pool."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                if conn.in_transaction():
                    conn.rollback()
            except sa_exc.DBAPIError:
                pass  # a broken connection: the server drops its transaction with it
            finally:
                conn.close()

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

    def _check_sqlite_transaction(self, conn: sa.Connection) -> None:
        if self.dialect != "sqlite":
            return
        if not getattr(conn.connection.driver_connection, "in_transaction", True):
            msg = (
                "this SQLite engine lets the driver manage transactions, so a unit of work "
                "would not be all or nothing: make it with leadmodel.storage.sql.make_engine(url)"
            )
            raise StorageError(msg)


class SqlUnitOfWork(AdapterUnit):
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
        self._state = UnitState("SqlUnitOfWork")
        self._transaction = UnitTransaction(self.engine, migrate=migrate, state=self._state)
        transaction = self._transaction
        self._wire(
            lambda kind: SqlRepository(transaction, kind),
            SqlOutbox(transaction),
            SqlStates(transaction),
        )

    @property
    def migrate(self) -> bool:
        """Whether the unit creates missing tables on first use (else it only checks them)."""
        return self._transaction.migrate

    def _end(self) -> None:
        self._state.clear_events()
        self._transaction.release()

    def commit(self) -> None:
        """Write the unit's events to the outbox and commit the transaction.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> interest = lm.Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...     source=lm.Source(channel=lm.Channel.form), topic="chairs")
        >>> uow = lm.SqlUnitOfWork("sqlite://")  # in-memory SQLite, through SQLAlchemy
        >>> with uow:
        ...     _ = uow.interests.add(interest)
        ...     uow.emit(lm.InterestCaptured.of(interest))
        ...     uow.commit()
        >>> with uow:
        ...     uow.interests.count(), [stored.event.type for stored in uow.outbox.pending()]
        (1, ['InterestCaptured'])
        >>> uow.close()
        """
        transaction = self._transaction
        transaction.begin()
        events = [{"type": t, "doc": d} for t, d in map(_rows.encode_event, self._state.events)]
        if events:
            if transaction.dialect == "postgresql":
                # Events get their seq in commit order: committers with events take turns.
                transaction.run(sa.select(sa.func.pg_advisory_xact_lock(_OUTBOX_LOCK)))
            transaction.run(sa.insert(OUTBOX), events)
        erasure = _rows.is_erasure(self._state.events)
        transaction.commit()
        self._state.clear_events()
        if erasure:
            transaction.after_erasure()

    def reseal(self, *, page_size: int = 1_000) -> Resealed:
        """Seal the stored documents this leadmodel would otherwise check in full on every
        read (rows stored before schema version 6, or sealed by another leadmodel), as
        :meth:`SQLiteUnitOfWork.reseal <leadmodel.storage.SQLiteUnitOfWork.reseal>` does; one
        unit per ``page_size`` rows, outside a unit. A row saved while it runs keeps the seal
        its save wrote.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> uow = lm.SqlUnitOfWork("sqlite://")
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> with uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", occurred_at=at,
        ...         source=lm.Source(channel=lm.Channel.form), topic="chairs"))
        ...     uow.commit()
        >>> uow.reseal()
        Resealed(sealed=0, kept=1, unreadable=0, outdated=0)
        >>> uow.close()
        """
        return reseal(self, page_size)

    def rollback(self) -> None:
        """Undo the unit's changes and drop its events.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> interest = lm.Interest(id="I-1", occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...     source=lm.Source(channel=lm.Channel.form), topic="chairs")
        >>> uow = lm.SqlUnitOfWork("sqlite://")  # in-memory SQLite, through SQLAlchemy
        >>> with uow:
        ...     _ = uow.interests.add(interest)
        ...     uow.emit(lm.InterestCaptured.of(interest))
        ...     uow.rollback()
        ...     uow.interests.count(), uow.events
        (0, ())
        >>> uow.close()
        """
        self._state.clear_events()
        self._transaction.rollback()

    def close(self) -> None:
        """End an unfinished unit; dispose of the engine if this object made it.

        An engine passed in stays the caller's, open for other units:

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> from leadmodel.storage.sql import make_engine
        >>> engine = make_engine("sqlite://")  # in-memory SQLite, through SQLAlchemy
        >>> with lm.SqlUnitOfWork(engine) as uow:
        ...     _ = uow.interests.add(lm.Interest(id="I-1", topic="chairs",
        ...         source=lm.Source(channel=lm.Channel.form),
        ...         occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
        ...     uow.commit()
        >>> uow.close()
        >>> with lm.SqlUnitOfWork(engine) as again:
        ...     again.interests.count()
        1
        >>> engine.dispose()
        """
        self._end()
        if self._owns_engine:
            self.engine.dispose()
