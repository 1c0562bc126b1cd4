"""SqlUnitOfWork: the contract suite on SQLite (through SQLAlchemy) and on a real PostgreSQL,
plus what only a real server shows: concurrent read-modify-save from threads and processes,
NUL and very long values in indexed columns, id order under a non-C collation, corrupted rows.

PostgreSQL comes from ``_pg.py`` beside this file: a throwaway cluster or ``LEADMODEL_TEST_PG_URL``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from leadmodel import Channel, ContactPoint, Lead, LeadCreated, Page, Source, pipelines, respond
from leadmodel.errors import (
    ConcurrencyError,
    StorageError,
    UnreadableRowWarning,
    ValidationError,
)
from leadmodel.storage import _rows
from leadmodel.storage.sql import (
    SCHEMA_VERSION,
    SqlUnitOfWork,
    create_schema,
    make_engine,
    metadata,
)
from leadmodel.storage.sql._tables import LEAD_FACTS, SCHEMA, STATES, STATUS_CHANGES, TABLES
from leadmodel.storage.sql._text import PostgresText, VerbatimText
from leadmodel.testing.contract import HOSTILE_TEXTS, MakeUnit, UnitOfWorkContract

from . import _pg

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
_TRUNCATE = "TRUNCATE {} RESTART IDENTITY".format(
    ", ".join(t.name for t in metadata.sorted_tables if t.name != _rows.SCHEMA_TABLE)
)


def _lead(lead_id: str, **overrides: object) -> Lead:
    fields: dict[str, object] = {
        "id": lead_id,
        "person_name": "Olena",
        "contact_points": (ContactPoint.email("olena@example.com"),),
        "topic": "windows",
        "source": Source(channel=Channel.form),
        "created_at": AT,
    }
    fields.update(overrides)
    return Lead(**fields)  # type: ignore[arg-type]


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL test schema for the session (skips without a server; fails on CI)."""
    try:
        with _pg.server() as url:
            yield url
    except _pg.Unavailable as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {missing}")
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(pg_url, pool_size=10)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg(pg_engine: sa.Engine) -> sa.Engine:
    """The session's engine over empty tables (emptied before each test)."""
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        conn.exec_driver_sql(_TRUNCATE)
    return pg_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.sqlite'}")
    yield engine
    engine.dispose()


# -- the contract, once per database --------------------------------------------------------------
class TestSqlUnitOfWorkOnSQLite(UnitOfWorkContract):
    @pytest.fixture
    def make_uow(self, sqlite_engine: sa.Engine) -> MakeUnit:
        return lambda: SqlUnitOfWork(sqlite_engine)


class TestSqlUnitOfWorkOnPostgres(UnitOfWorkContract):
    @pytest.fixture
    def make_uow(self, pg: sa.Engine) -> MakeUnit:
        return lambda: SqlUnitOfWork(pg)


# -- the schema -----------------------------------------------------------------------------------
def test_a_url_makes_and_owns_its_engine(tmp_path: Path) -> None:
    """SqlUnitOfWork(url) creates the tables on first use; close() disposes of its engine."""
    uow = SqlUnitOfWork(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with uow:
        uow.leads.add(_lead("L-1"))
        uow.commit()
    uow.close()
    again = SqlUnitOfWork(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with again:
        assert again.leads.get("L-1") == _lead("L-1")
    again.close()


def test_a_bad_url_is_a_validation_error_without_the_password() -> None:
    """A URL SQLAlchemy cannot use raises ValidationError; the message hides the password."""
    for url in ("not a url", "nosuchdb://anna:s3cret@host/db"):
        with pytest.raises(ValidationError, match="postgresql\\+psycopg") as caught:
            SqlUnitOfWork(url)
        assert "s3cret" not in str(caught.value)


def test_an_unreachable_server_is_a_storage_error() -> None:
    """A server that does not answer raises StorageError at the first read, password hidden."""
    uow = SqlUnitOfWork("postgresql://anna:s3cret@127.0.0.1:1/crm")
    try:
        with pytest.raises(StorageError, match="cannot connect") as caught, uow:
            uow.leads.count()
        assert "s3cret" not in str(caught.value)
    finally:
        uow.close()


def test_migrate_false_refuses_a_database_without_tables(sqlite_engine: sa.Engine) -> None:
    """With migrate=False a unit only checks the schema, and says how to create it."""
    with (
        pytest.raises(StorageError, match="create_schema"),
        SqlUnitOfWork(sqlite_engine, migrate=False) as uow,
    ):
        uow.leads.count()


def test_tables_from_migrations_work_with_migrate_false(sqlite_engine: sa.Engine) -> None:
    """An app that creates `metadata`'s tables and records the version (as an Alembic
    migration would) opens units with migrate=False."""
    with sqlite_engine.begin() as conn:
        metadata.create_all(conn)
        conn.execute(sa.insert(SCHEMA), [{"version": SCHEMA_VERSION}])
    with SqlUnitOfWork(sqlite_engine, migrate=False) as uow:
        assert uow.leads.count() == 0


def test_create_schema_is_idempotent(sqlite_engine: sa.Engine) -> None:
    """create_schema returns the version found: 0 for a new database, then the current one."""
    assert create_schema(sqlite_engine) == 0
    assert create_schema(sqlite_engine) == SCHEMA_VERSION
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SCHEMA)).scalar() == 1


def test_create_schema_upgrades_version_1_to_the_paging_indexes(any_engine: sa.Engine) -> None:
    """A database at schema version 1 (indexes without id) is refused with migrate=False,
    naming create_schema; create_schema upgrades it: the owner, status and pipeline indexes
    end in id, the data stays, and the version is recorded."""
    leads = TABLES["leads"]
    create_schema(any_engine)
    version_1 = {"owner": "owner", "status": "status", "pipeline": "pipeline, status"}
    with any_engine.begin() as conn:
        conn.execute(sa.delete(SCHEMA))
        conn.execute(sa.insert(SCHEMA), [{"version": 1}])
        for suffix, columns in version_1.items():
            conn.exec_driver_sql(f"DROP INDEX ix_leadmodel_leads_{suffix}")
            conn.exec_driver_sql(
                f"CREATE INDEX ix_leadmodel_leads_{suffix} ON {leads.name} ({columns})"
            )
    any_engine.dispose()  # pooled connections remember a checked schema: check it again
    with (
        pytest.raises(StorageError, match="create_schema"),
        SqlUnitOfWork(any_engine, migrate=False) as uow,
    ):
        uow.leads.count()
    assert create_schema(any_engine) == 1
    with any_engine.connect() as conn:
        indexed = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes(leads.name)}
    assert indexed == {
        "ix_leadmodel_leads_owner": ["owner", "id"],
        "ix_leadmodel_leads_status": ["status", "id"],
        "ix_leadmodel_leads_pipeline": ["pipeline", "status", "id"],
        "ix_leadmodel_leads_created": ["created"],
        "ix_leadmodel_leads_owed": ["owed"],  # version 4
        "ix_leadmodel_leads_idle": ["pipeline", "status", "idle"],
    }
    with SqlUnitOfWork(any_engine, migrate=False) as uow:
        assert uow.leads.count() == 0


def test_create_schema_upgrades_version_2_with_the_state_table(any_engine: sa.Engine) -> None:
    """A database at schema version 2 (no state store) is refused with migrate=False, naming
    what version 3 adds and create_schema; create_schema upgrades it: leadmodel_states is
    created, the data stays, and the version is recorded."""
    with SqlUnitOfWork(any_engine) as uow:
        uow.leads.add(_lead("L-1"))
        uow.commit()
    with any_engine.begin() as conn:
        conn.execute(sa.delete(SCHEMA))
        conn.execute(sa.insert(SCHEMA), [{"version": 2}])
        STATES.drop(conn)
    any_engine.dispose()  # pooled connections remember a checked schema: check it again
    with (
        pytest.raises(
            StorageError, match="version 3: the state store's table leadmodel_states"
        ) as refused,
        SqlUnitOfWork(any_engine, migrate=False) as uow,
    ):
        uow.leads.count()
    assert "create_schema" in str(refused.value)
    assert f"{{'version': {SCHEMA_VERSION}}}" in str(refused.value)
    assert create_schema(any_engine) == 2
    with any_engine.connect() as conn:
        assert sa.inspect(conn).has_table(STATES.name)
        assert conn.execute(sa.select(sa.func.max(SCHEMA.c.version))).scalar() == SCHEMA_VERSION
    with SqlUnitOfWork(any_engine, migrate=False) as uow:
        assert uow.leads.count() == 1
        uow.states.put("routing:sales", {"cursor": "anna"}, expected_version=None)
        uow.commit()
    with SqlUnitOfWork(any_engine, migrate=False) as uow:
        assert uow.states.names() == ["routing:sales"]


def test_create_schema_upgrades_version_3_with_the_timeline_columns(
    any_engine: sa.Engine,
) -> None:
    """A database at schema version 3 (leads without owed and idle) is refused with
    migrate=False, naming what version 4 adds; create_schema adds the columns and their
    indexes and fills them in from the stored leads."""
    waiting = _lead("L-1")
    answered = respond(_lead("L-2"), at=waiting.created_at + timedelta(minutes=5))
    with SqlUnitOfWork(any_engine) as uow:
        uow.leads.add_many([waiting, answered])
        uow.commit()
    leads = TABLES["leads"]
    with any_engine.begin() as conn:
        conn.execute(sa.delete(SCHEMA))
        conn.execute(sa.insert(SCHEMA), [{"version": 3}])
        for index in leads.indexes:
            if index.name in ("ix_leadmodel_leads_owed", "ix_leadmodel_leads_idle"):
                index.drop(conn)
        for column in ("owed", "idle"):
            conn.exec_driver_sql(f"ALTER TABLE {leads.name} DROP COLUMN {column}")
    any_engine.dispose()  # pooled connections remember a checked schema: check it again
    with (
        pytest.raises(StorageError, match="version 4: the leads' owed and idle columns"),
        SqlUnitOfWork(any_engine, migrate=False) as uow,
    ):
        uow.leads.count()
    assert create_schema(any_engine) == 3
    later = waiting.created_at + timedelta(days=1)
    with SqlUnitOfWork(any_engine, migrate=False) as uow:
        assert [lead.id for lead in uow.leads.find(owed_to=later)] == ["L-1"]
        assert uow.leads.count(idle_to=later) == 2
    with any_engine.connect() as conn:
        indexed = {i["name"] for i in sa.inspect(conn).get_indexes(leads.name)}
    assert {"ix_leadmodel_leads_owed", "ix_leadmodel_leads_idle"} <= indexed


def test_create_schema_upgrades_version_4_with_the_analytics_projection(
    any_engine: sa.Engine,
) -> None:
    """A database at schema version 4 (no analytics projection) is refused with
    migrate=False, naming what version 5 adds; create_schema creates leadmodel_lead_facts and
    leadmodel_status_changes and fills them from the stored leads (ids and text with NUL come
    back whole on PostgreSQL), and later saves and removals keep them in step."""
    simple = pipelines.SIMPLE
    entered = simple.enter(_lead("L-\x001", owner="an\x00na"), at=AT)
    won = simple.move(simple.enter(_lead("L-2"), at=AT), "won", at=AT + timedelta(days=1))
    with SqlUnitOfWork(any_engine) as uow:
        uow.leads.add_many([entered, won])
        uow.commit()
    with any_engine.begin() as conn:
        conn.execute(sa.delete(SCHEMA))
        conn.execute(sa.insert(SCHEMA), [{"version": 4}])
        STATUS_CHANGES.drop(conn)
        LEAD_FACTS.drop(conn)
    any_engine.dispose()  # pooled connections remember a checked schema: check it again
    with (
        pytest.raises(StorageError, match="version 5: the analytics projection"),
        SqlUnitOfWork(any_engine, migrate=False) as uow,
    ):
        uow.leads.count()
    assert create_schema(any_engine) == 4
    text = PostgresText() if any_engine.dialect.name == "postgresql" else VerbatimText()
    facts = sa.select(LEAD_FACTS.c.id, LEAD_FACTS.c.owner, LEAD_FACTS.c.into_from)
    changes = sa.select(STATUS_CHANGES.c.id, STATUS_CHANGES.c.seq, STATUS_CHANGES.c.to_status)
    with any_engine.connect() as conn:
        filled = [tuple(map(_back(text), row)) for row in conn.execute(facts.order_by("id"))]
        moves = [
            tuple(map(_back(text), row)) for row in conn.execute(changes.order_by("id", "seq"))
        ]
    assert sorted(filled) == [("L-\x001", "an\x00na", None), ("L-2", None, "new")]
    assert sorted(moves) == [("L-\x001", 0, "new"), ("L-2", 0, "new"), ("L-2", 1, "won")]
    with SqlUnitOfWork(any_engine, migrate=False) as uow:
        uow.leads.save(simple.move(uow.leads.get(entered.id), "in_progress", at=AT))
        uow.leads.remove(won.id)
        uow.commit()
    with any_engine.connect() as conn:
        filled = [tuple(map(_back(text), row)) for row in conn.execute(facts)]
        moves = [tuple(map(_back(text), row)) for row in conn.execute(changes.order_by("seq"))]
    assert filled == [("L-\x001", "an\x00na", "new")]
    assert moves == [("L-\x001", 0, "new"), ("L-\x001", 1, "in_progress")]


def test_create_schema_upgrades_version_5_with_the_seals(any_engine: sa.Engine) -> None:
    """A database at schema version 5 (no seals) is refused with migrate=False, naming what
    version 6 adds; create_schema adds every entity table's seal column, empty: the rows
    stored before are read in full (a document changed in SQL since is named), and a save
    seals its document — what a seal then vouches for is not checked again."""
    kept, changed = _lead("L-\x001"), _lead("L-2")
    with SqlUnitOfWork(any_engine) as uow:
        uow.leads.add_many([kept, changed])
        uow.commit()
    leads = TABLES["leads"]
    with any_engine.begin() as conn:
        conn.execute(sa.delete(SCHEMA))
        conn.execute(sa.insert(SCHEMA), [{"version": 5}])
        for table in TABLES.values():
            conn.exec_driver_sql(f"ALTER TABLE {table.name} DROP COLUMN seal")
        conn.execute(sa.update(leads).where(leads.c.id == "L-2").values(doc='{"id": 1'))
    any_engine.dispose()  # pooled connections remember a checked schema: check it again
    with (
        pytest.raises(StorageError, match="version 6: each entity table's seal column"),
        SqlUnitOfWork(any_engine, migrate=False) as uow,
    ):
        uow.leads.count()
    assert create_schema(any_engine) == 5
    with any_engine.connect() as conn:
        before = sorted(conn.execute(sa.select(leads.c.seal)).scalars(), key=repr)
        present = {
            table.name: {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
            for table in TABLES.values()
        }
    assert before == [None, None]
    assert all("seal" in columns for columns in present.values())
    with SqlUnitOfWork(any_engine, migrate=False) as uow:
        with pytest.raises(ValidationError, match="leads row 'L-2'"):
            uow.leads.get("L-2")
        read = uow.leads.get(kept.id)
        uow.leads.save(attrs.evolve(read, owner="ivan"))
        uow.commit()
    assert read == kept
    with any_engine.connect() as conn:
        doc, seal = conn.execute(
            sa.select(leads.c.doc, leads.c.seal).where(leads.c.seal.is_not(None))
        ).one()
    assert seal == _rows.seal_of(doc)
    forged = doc.replace('"owner":"ivan"', '"owner":""')
    with any_engine.begin() as conn:
        conn.execute(
            sa.update(leads)
            .where(leads.c.seal.is_not(None))
            .values(doc=forged, seal=_rows.seal_of(forged))
        )
    with SqlUnitOfWork(any_engine, migrate=False) as uow:
        assert uow.leads.get(kept.id).owner == ""  # the seal vouched for it: not checked


def test_reseal_seals_rows_without_a_seal_page_after_page(any_engine: sa.Engine) -> None:
    """SqlUnitOfWork.reseal(): the rows without a seal (ids with NUL too) are sealed when they
    decode into exactly their stored document; an unreadable one is left; a second run keeps
    them all."""
    with SqlUnitOfWork(any_engine) as uow:
        uow.leads.add_many([_lead("L-\x001"), _lead("L-2"), _lead("L-3"), _lead("L-4")])
        uow.commit()
    leads = TABLES["leads"]
    with any_engine.begin() as conn:
        conn.execute(sa.update(leads).values(seal=None))
        conn.execute(sa.update(leads).where(leads.c.id == "L-4").values(doc='{"id": 1'))
    uow = SqlUnitOfWork(any_engine)
    assert uow.reseal(page_size=2) == _rows.Resealed(sealed=3, unreadable=1)
    assert uow.reseal() == _rows.Resealed(kept=3, unreadable=1)
    with any_engine.connect() as conn:
        rows = conn.execute(sa.select(leads.c.doc, leads.c.seal)).all()
    assert sorted(seal == _rows.seal_of(doc) for doc, seal in rows) == [False, True, True, True]
    uow.close()


def _back(text: VerbatimText) -> Callable[[object], object]:
    """A stored projection value as written: text unescaped, the rest as it is."""
    return lambda value: text.id_back(value) if isinstance(value, str) else value


def test_a_newer_schema_is_refused_not_damaged(sqlite_engine: sa.Engine) -> None:
    """A database made by a newer leadmodel raises StorageError and is left as it is."""
    create_schema(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(sa.insert(SCHEMA), [{"version": SCHEMA_VERSION + 1}])
    for migrate in (True, False):
        with (
            pytest.raises(StorageError, match="newer"),
            SqlUnitOfWork(sqlite_engine, migrate=migrate) as uow,
        ):
            uow.leads.count()


def test_a_plain_sqlite_engine_is_refused(tmp_path: Path) -> None:
    """An SQLite engine whose driver manages transactions (savepoints would commit on their
    own) is refused with the fix: make_engine."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    try:
        with pytest.raises(StorageError, match="make_engine"), SqlUnitOfWork(engine) as uow:
            uow.leads.count()
    finally:
        engine.dispose()


def test_the_sqlite_adapters_share_one_file(tmp_path: Path) -> None:
    """SQLiteUnitOfWork reads what SqlUnitOfWork wrote in the same file: one layout."""
    from leadmodel.storage import SQLiteUnitOfWork

    path = tmp_path / "shared.sqlite"
    sql = SqlUnitOfWork(f"sqlite:///{path}")
    with sql:
        sql.leads.add(_lead("L-1", owner="anna"))
        sql.emit(LeadCreated(lead_id="L-1", interest_ids=(), at=AT, by="anna"))
        sql.commit()
    sql.close()
    stdlib = SQLiteUnitOfWork(path)
    with stdlib:
        assert [x.id for x in stdlib.leads.find(owner="anna", key="email:olena@example.com")] == [
            "L-1"
        ]
        assert len(stdlib.outbox.pending()) == 1
    stdlib.close()


# -- PostgreSQL: values its text columns cannot hold as they are ----------------------------------
def test_ids_with_nul_sort_and_load_as_python_sorts(pg: sa.Engine) -> None:
    """Ids with NUL, the escape byte and mixed case come back whole, in sorted() order, even
    though the database's own collation (ICU en-US) would order "B" after "a"."""
    ids = ["a", "B", "b", "a\x00", "a\x00\x01", "a\x01", "a\x01\x01", "\x01", "Ω", "🦊"]
    with SqlUnitOfWork(pg) as uow:
        uow.leads.add_many(_lead(i) for i in ids)
        uow.commit()
    with SqlUnitOfWork(pg) as uow:
        assert [x.id for x in uow.leads.find()] == sorted(ids)
        assert [x.id for x in uow.leads.iter_all(page_size=3)] == sorted(ids)
        assert uow.leads.get("a\x00").id == "a\x00"
        uow.leads.remove("a\x00\x01")
        uow.leads.save(uow.leads.get("a\x01"))
        assert uow.leads.get("a\x01").version == 1
        with pytest.raises(ConcurrencyError, match=r"'a\\x00'"):
            uow.leads.add(_lead("a\x00"))


def test_nul_and_long_values_filter_exactly(pg: sa.Engine) -> None:
    """owner/pipeline/status with NUL, and values too long for a B-tree entry, match only
    themselves: never the value without the NUL, never another long value."""
    long_a, long_b = "x" * 300_000, "x" * 299_999 + "y"
    owners = ["an\x00na", "anna", "an\x01na", long_a, long_b, "\x01\x03" + "0" * 64]
    with SqlUnitOfWork(pg) as uow:
        uow.leads.add_many(_lead(f"L-{i}", owner=o) for i, o in enumerate(owners))
        uow.commit()
    with SqlUnitOfWork(pg) as uow:
        for i, owner in enumerate(owners):
            assert [x.id for x in uow.leads.find(owner=owner)] == [f"L-{i}"]
            assert uow.leads.get(f"L-{i}").owner == owner
        assert uow.leads.find(owner="an") == []


def test_status_and_keys_with_nul_filter_exactly(pg: sa.Engine) -> None:
    """A pipeline/status with NUL and a messenger handle with NUL are found by themselves."""
    change_to = "new\x00"
    lead = _lead(
        "L-1",
        pipeline="p\x00",
        status=change_to,
        contact_points=(ContactPoint.messenger("telegram", "olena\x00x"),),
    )
    with SqlUnitOfWork(pg) as uow:
        uow.leads.add(lead)
        other = (ContactPoint.email("boris@example.com"),)
        uow.leads.add(
            _lead("L-2", person_name="Boris", contact_points=other, pipeline="p", status="new")
        )
        uow.commit()
    with SqlUnitOfWork(pg) as uow:
        assert [x.id for x in uow.leads.find(pipeline="p\x00", status=change_to)] == ["L-1"]
        assert [x.id for x in uow.leads.find(pipeline="p", status="new")] == ["L-2"]
        for key in _rows.row_of(_rows.KIND["leads"], lead).keys:
            assert [x.id for x in uow.leads.find(key=key)] == ["L-1"]


def test_an_id_too_long_for_the_index_is_a_validation_error(pg: sa.Engine) -> None:
    """An id PostgreSQL could not index is refused before the database sees it."""
    with SqlUnitOfWork(pg) as uow, pytest.raises(ValidationError, match="shorter id"):
        uow.leads.add(_lead("Ж" * 600))


def test_hostile_names_and_notes_round_trip(pg: sa.Engine) -> None:
    """Injection strings, NUL, emoji and RTL text in names, tags and notes (1 MB) come back
    verbatim, and the tables are all still there."""
    note = "🇺🇦 שלום\x00 '); DROP TABLE leadmodel_leads;-- " * 25_000
    assert len(note.encode()) > 1_000_000
    leads = [
        _lead(f"L-{i}", person_name=text, tags=frozenset({text}), custom={"note": note + text})
        for i, text in enumerate(HOSTILE_TEXTS)
    ]
    with SqlUnitOfWork(pg) as uow:
        uow.leads.add_many(leads)
        uow.commit()
    with SqlUnitOfWork(pg) as uow:
        assert list(uow.leads.iter_all(page_size=2)) == leads
    with pg.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= names


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest) -> sa.Engine:
    """The SQLite engine, then the PostgreSQL one (over empty tables)."""
    engine: sa.Engine = request.getfixturevalue(
        "pg" if request.param == "postgresql" else "sqlite_engine"
    )
    return engine


def test_get_of_an_unreadable_row_raises_and_listings_skip_it_with_a_warning(
    any_engine: sa.Engine,
) -> None:
    """A document changed behind leadmodel's back: get of its id raises a ValidationError
    naming the row (the real id, NUL and all); find and iter_all return the other rows and
    warn, naming the row."""
    good = [_lead("L-0"), _lead("L-2")]
    with SqlUnitOfWork(any_engine) as uow:
        uow.leads.add_many([good[0], _lead("bad\x00one"), good[1]])
        uow.commit()
    leads = TABLES["leads"]
    with any_engine.begin() as conn:
        conn.execute(
            sa.update(leads).where(leads.c.id.not_in(["L-0", "L-2"])).values(doc='{"id": 1')
        )
    with SqlUnitOfWork(any_engine) as uow:
        listings: dict[str, Callable[[], list[Lead]]] = {
            "find": uow.leads.find,
            "find by key": lambda: uow.leads.find(key="email:olena@example.com"),
            "iter_all": lambda: list(uow.leads.iter_all(page_size=1)),
        }
        with pytest.raises(ValidationError, match=r"leads row 'bad\\x00one'") as caught:
            uow.leads.get("bad\x00one")
        for name, listing in listings.items():
            with pytest.warns(UnreadableRowWarning, match=r"leads row 'bad\\x00one'") as warned:
                assert listing() == good, name
            assert len(warned) == 1, name
            warning = warned[0].message
            assert isinstance(warning, UnreadableRowWarning)
            assert (warning.kind, warning.id) == ("leads", "bad\x00one"), name
            assert warning.problems == caught.value.problems, name
            assert warned[0].filename == __file__, name  # the line that listed
        assert uow.leads.count() == 3  # still stored, to be repaired


def test_unreadable_rows_do_not_shorten_a_limited_find(any_engine: sa.Engine) -> None:
    """find(limit=n) and page(limit=n) skip unreadable rows and read on: n readable leads
    while n are stored, even past a run of bad rows longer than n (a regression: the rows
    skipped used to count toward n)."""
    leads = [_lead(f"L-{n}", owner="anna") for n in range(1, 10)]
    with SqlUnitOfWork(any_engine) as uow:
        uow.leads.add_many(leads)
        uow.commit()
    table = TABLES["leads"]
    with any_engine.begin() as conn:
        bad = [f"L-{n}" for n in range(2, 7)]
        conn.execute(sa.update(table).where(table.c.id.in_(bad)).values(doc="{}"))
    good = [leads[0], *leads[6:8]]
    with SqlUnitOfWork(any_engine) as uow:
        calls: dict[str, Callable[[], object]] = {
            "find": lambda: uow.leads.find(limit=3),
            "find after": lambda: uow.leads.find(owner="anna", after="L-1", limit=1),
            "page": lambda: uow.leads.page(owner="anna", limit=3),
            "last page": lambda: uow.leads.page(owner="anna", after="L-8", limit=3),
        }
        with pytest.warns(UnreadableRowWarning) as warned:
            got = {name: call() for name, call in calls.items()}
        assert uow.leads.count(owner="anna") == 9  # the bad rows are stored, to be repaired
    assert got == {
        "find": good,
        "find after": [leads[6]],
        "page": Page(items=tuple(good), next="L-8"),
        "last page": Page(items=(leads[8],), next=None),
    }
    unreadable = {w.message.id for w in warned if isinstance(w.message, UnreadableRowWarning)}
    assert unreadable == set(bad)


def test_a_document_that_is_not_utf8_names_its_row_on_sqlite(sqlite_engine: sa.Engine) -> None:
    """SQLite stores any bytes in a text column; a document that is not UTF-8 is reported as
    unreadable, naming the row, like any other corrupted document."""
    with SqlUnitOfWork(sqlite_engine) as uow:
        uow.leads.add(_lead("L-1"))
        uow.commit()
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE leadmodel_leads SET doc = CAST(X'7B22FF22' AS TEXT)")
    with SqlUnitOfWork(sqlite_engine) as uow:
        with pytest.raises(ValidationError, match="'L-1'"):
            uow.leads.get("L-1")
        with pytest.warns(UnreadableRowWarning, match="'L-1'"):
            assert uow.leads.find() == []


def test_a_unit_waits_for_another_adding_the_same_id(pg: sa.Engine) -> None:
    """Two units adding one id at once: the second waits for the first, then raises
    ConcurrencyError once the first commits."""
    first = SqlUnitOfWork(pg)
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with SqlUnitOfWork(pg) as uow:
                uow.leads.add(_lead("L-1", person_name="Second"))
                uow.commit()
            outcome.append(None)
        except ConcurrencyError as exc:
            outcome.append(exc)

    with first:
        first.leads.add(_lead("L-1"))
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(0.3)
        assert racer.is_alive()  # blocked on the uncommitted row
        first.commit()
    racer.join(30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConcurrencyError)
    with SqlUnitOfWork(pg) as uow:
        assert uow.leads.get("L-1").person_name == "Olena"


# -- PostgreSQL: concurrent read-modify-save ------------------------------------------------------
LEADS = 100


def _seed(engine: sa.Engine) -> list[str]:
    ids = [f"lead-{n:03d}" for n in range(LEADS)]
    with SqlUnitOfWork(engine) as uow:
        uow.leads.add_many(
            _lead(i, created_at=AT + timedelta(minutes=n)) for n, i in enumerate(ids)
        )
        uow.commit()
    return ids


def _check_no_update_lost(engine: sa.Engine, saved: Counter[str]) -> None:
    with SqlUnitOfWork(engine) as uow:
        for lead in uow.leads.iter_all():
            assert lead.custom.get("count", 0) == saved[lead.id], lead.id
            assert lead.version == saved[lead.id], lead.id


def test_threads_and_processes_lose_no_update(pg: sa.Engine, pg_url: str) -> None:
    """8 threads and 4 processes read-modify-save the same 100 leads, each save in its own
    unit: a save that lost the race raises ConcurrencyError (nothing else), and every lead's
    counter equals the number of saves that succeeded on it."""
    ids = _seed(pg)
    saved: Counter[str] = Counter()
    conflicts = 0
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        nonlocal conflicts
        try:
            done, lost = _pg.bump_with(lambda: SqlUnitOfWork(pg), ids, rounds=1)
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            failures.append(exc)
            return
        with lock:
            saved.update(done)
            conflicts += lost

    # Not fork: this process holds connections. The fork server imports the workload once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.integration.storage._pg"])
    ready, results = context.Barrier(5), context.Queue()
    workers = [
        context.Process(target=_pg.bump_in_process, args=(pg_url, ids, 1, ready, results))
        for _ in range(4)
    ]
    for process in workers:
        process.start()
    ready.wait(120)  # the processes are connected: now everyone races
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in workers:
        result = results.get(timeout=120)
        assert not isinstance(result, str), result  # a worker's traceback
        done, lost = result
        saved.update(done)
        conflicts += lost
    for process in workers:
        process.join(30)
    assert failures == []
    assert sum(saved.values()) + conflicts == 12 * LEADS
    assert conflicts > 0  # the units really raced
    _check_no_update_lost(pg, saved)


def test_threads_lose_no_update_on_sqlite(sqlite_engine: sa.Engine) -> None:
    """On SQLite units take turns (BEGIN IMMEDIATE): 4 threads, every save succeeds."""
    ids = _seed(sqlite_engine)[:20]
    results: list[tuple[dict[str, int], int]] = []

    def worker() -> None:
        results.append(_pg.bump_with(lambda: SqlUnitOfWork(sqlite_engine), ids, rounds=3))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved: Counter[str] = Counter()
    for done, lost in results:
        saved.update(done)
        assert lost == 0
    assert sum(saved.values()) == 4 * 3 * len(ids)
    _check_no_update_lost(sqlite_engine, saved)


# -- PostgreSQL: paging a kanban column -----------------------------------------------------------
PG_LEADS = 20_000


@pytest.mark.parametrize("every", [2, 200], ids=["a dense column", "a sparse column"])
def test_a_deep_page_of_a_column_reads_from_after_on_postgres(pg: sa.Engine, every: int) -> None:
    """On PostgreSQL (with statistics) a deep page of a kanban column (one lead in 2, or in
    200) is an index scan in id order from ``after`` stopped by the limit — no sort of the
    column, no scan of the table — and a sparse column's page reads the (pipeline, status, id)
    index, not every lead after ``after``."""

    def card(n: int) -> Lead:
        pipeline, status = ("requests", "new") if n % every == 0 else ("requests", "contacted")
        return _lead(f"L-{n:06d}", pipeline=pipeline, status=status)

    with SqlUnitOfWork(pg) as uow:
        uow.leads.add_many(card(n) for n in range(PG_LEADS))
        uow.commit()
    with pg.begin() as conn:
        conn.exec_driver_sql("ANALYZE leadmodel_leads")
    ran: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if isinstance(statement, str) and statement.startswith("SELECT"):
            ran.append((statement, parameters))

    sa.event.listen(pg, "before_cursor_execute", record)
    try:
        with SqlUnitOfWork(pg) as uow:
            page = uow.leads.page(pipeline="requests", status="new", after="L-010000", limit=20)
    finally:
        sa.event.remove(pg, "before_cursor_execute", record)
    expected = [f"L-{n:06d}" for n in range(10_000 + every, PG_LEADS, every)][:20]
    assert [lead.id for lead in page.items] == expected
    statement, parameters = ran[-1]
    with pg.connect() as conn:
        plan = [row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)]
    assert plan[0].startswith("Limit"), plan
    assert "Index Scan using" in plan[1], plan
    assert not any(word in "".join(plan) for word in ("Sort", "Seq Scan", "Bitmap")), plan
    if every > 2:
        assert "Index Scan using ix_leadmodel_leads_pipeline" in plan[1], plan
