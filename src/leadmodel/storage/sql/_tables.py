"""The tables of :mod:`leadmodel.storage.sql` as SQLAlchemy metadata, and the schema version.

The layout is the SQLite adapter's: one table per kind (id, version, JSON document, indexed
owner/pipeline/status/creation time), ``leadmodel_keys`` (one row per match key),
``leadmodel_outbox``, ``leadmodel_states`` (the state store), the leads' analytics projection
(``leadmodel_lead_facts``, ``leadmodel_status_changes``) and ``leadmodel_schema`` (the
version this leadmodel wrote). Ids and state names compare
byte-wise (``COLLATE "C"`` on PostgreSQL) so ``ORDER BY id`` is the order Python's
``sorted`` gives, whatever the database's default collation.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa

from leadmodel.errors import StorageError
from leadmodel.storage import _rows
from leadmodel.storage.protocols import KINDS
from leadmodel.storage.sql._text import PostgresText, VerbatimText

__all__ = ["SCHEMA_VERSION", "check_schema", "create_schema", "metadata"]

SCHEMA_VERSION: Final = 6
"""The schema version this leadmodel writes (the same numbering as the SQLite adapter).

1: the tables. 2: the indexes of owner, status, and pipeline and status end in id, so a page
of ``find(..., after=...)`` is one index range (version 1's lack the id). 3: the state store's
table, ``leadmodel_states``. 4: the leads' timeline facts ``owed`` and ``idle`` (UTC
microseconds) and their indexes, for ``find(owed_to=..., idle_to=...)``. 5: the leads'
analytics projection, ``leadmodel_lead_facts`` (one row per lead) and
``leadmodel_status_changes`` (one per history entry), for :mod:`leadmodel.analytics.sql`. 6:
each document's seal, ``seal`` (docs/storage.md, "Sealed documents"): a read whose seal matches
is not checked again."""

_STEPS: Final = {
    2: "the owner, status and pipeline indexes end in id",
    3: f"the state store's table {_rows.STATES_TABLE}",
    4: "the leads' owed and idle columns",
    5: (f"the analytics projection, {_rows.LEAD_FACTS_TABLE} and {_rows.STATUS_CHANGES_TABLE}"),
    6: "each entity table's seal column",
}
"""What each schema version adds to the one before, for the message of an older schema."""

# The document is text, not jsonb: jsonb refuses the \u0000 escape that a NUL in a name needs.
_ID = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite numbers INTEGER keys only

metadata: Final = sa.MetaData()
"""leadmodel's tables, for ``create_schema`` or the host app's Alembic migrations."""


def _kind_table(kind: str) -> sa.Table:
    spec = _rows.KIND[kind]
    name = _rows.table(kind)
    columns: tuple[sa.Column[Any], ...] = (
        sa.Column("id", _ID, primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text()),
        sa.Column("pipeline", sa.Text()),
        sa.Column("status", sa.Text()),
        sa.Column("created", sa.BigInteger()),  # UTC microseconds since the epoch
        sa.Column("seal", sa.LargeBinary()),  # version 6: _rows.seal_of(doc)
    )
    if spec.timeline:  # version 4: reply_owed_since and idle_since, UTC microseconds
        columns += (sa.Column("owed", sa.BigInteger()), sa.Column("idle", sa.BigInteger()))
    indexes = [sa.Index(f"ix_{name}_{suffix}", *on) for suffix, on in spec.indexes.items()]
    return sa.Table(name, metadata, *columns, *indexes)


TABLES: Final = {kind: _kind_table(kind) for kind in KINDS}

KEYS: Final = sa.Table(
    _rows.KEYS_TABLE,
    metadata,
    sa.Column("kind", sa.Text(), primary_key=True),
    sa.Column("key", sa.Text(), primary_key=True),
    sa.Column("id", _ID, primary_key=True),
    sa.Index("ix_leadmodel_keys_id", "kind", "id"),
)

OUTBOX: Final = sa.Table(
    _rows.OUTBOX_TABLE,
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("type", sa.Text(), nullable=False),
    sa.Column("doc", sa.Text(), nullable=False),
    sa.Column("published", sa.Boolean(create_constraint=False), nullable=False, default=False),
    sqlite_autoincrement=True,  # never reuse a sequence number, as the SQLite adapter
)
_PENDING = OUTBOX.c.published == sa.false()
sa.Index(
    "ix_leadmodel_outbox_pending",
    OUTBOX.c.seq,
    postgresql_where=_PENDING,
    sqlite_where=_PENDING,
)

STATES: Final = sa.Table(
    _rows.STATES_TABLE,
    metadata,
    sa.Column("name", _ID, primary_key=True),  # stored as ids are (escaped on PostgreSQL)
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("doc", sa.Text(), nullable=False),
)
"""The state store (schema version 3): a name, its version and its JSON document."""


def _projection_table(
    name: str, spec: tuple[tuple[str, _rows.ColumnType], ...], key: tuple[str, ...]
) -> sa.Table:
    columns = [
        sa.Column(
            column,
            _ID if column == "id" else sa.Text() if kind is str else sa.BigInteger(),
            primary_key=column in key,
            autoincrement=False,
        )
        for column, kind in spec
    ]
    return sa.Table(name, metadata, *columns)


LEAD_FACTS: Final = _projection_table(_rows.LEAD_FACTS_TABLE, _rows.LEAD_FACT_COLUMNS, ("id",))
"""The analytics projection (schema version 5): one row per lead (:data:`_rows.LEAD_FACT_COLUMNS`).
On PostgreSQL ``pipeline`` and ``status`` hold their indexed form and the other text columns
their escaped form (:mod:`._text`)."""
sa.Index("ix_leadmodel_lead_facts_pipeline", *(LEAD_FACTS.c[c] for c in _rows.FACTS_INDEX))

STATUS_CHANGES: Final = _projection_table(
    _rows.STATUS_CHANGES_TABLE, _rows.STATUS_CHANGE_COLUMNS, ("id", "seq")
)
"""The analytics projection (schema version 5): one row per status change of a lead
(:data:`_rows.STATUS_CHANGE_COLUMNS`); text escaped on PostgreSQL."""

_FACT_NAMES: Final = tuple(name for name, _ in _rows.LEAD_FACT_COLUMNS)
_CHANGE_NAMES: Final = tuple(name for name, _ in _rows.STATUS_CHANGE_COLUMNS)


def projection_rows(
    text: VerbatimText, made: _rows.Projection, stored_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The rows of a lead's projection as this database stores them: the id in its stored
    form, ``pipeline`` and ``status`` of the fact row in their indexed form (compared with
    ``=`` only, like the leads' columns), every other text escaped (reversible, so a report
    gives the text back)."""
    fact = dict(zip(_FACT_NAMES, made.fact, strict=True))
    changes = [dict(zip(_CHANGE_NAMES, change, strict=True)) for change in made.changes]
    if type(text) is not VerbatimText:
        for row in (fact, *changes):
            for column, value in row.items():
                if type(value) is str:
                    row[column] = text.id(value)
        fact["pipeline"] = text.indexed(made.fact[1])
        fact["status"] = text.indexed(made.fact[2])
    fact["id"] = stored_id
    for change in changes:
        change["id"] = stored_id
    return fact, changes


SCHEMA: Final = sa.Table(
    _rows.SCHEMA_TABLE, metadata, sa.Column("version", sa.Integer(), nullable=False)
)

_TIMELINE_VERSION: Final = 4  # the version that added the leads' owed and idle columns
_PROJECTION_VERSION: Final = 5  # the version that added the analytics projection
_SEAL_VERSION: Final = 6  # the version that added the documents' seals
_SCHEMA_LOCK: Final = 0x6C6D_5343  # pg_advisory_xact_lock key while creating tables ("lmSC")


def stored_version(conn: sa.Connection) -> int:
    """The schema version recorded in the database (0: leadmodel's tables are not there)."""
    if not sa.inspect(conn).has_table(_rows.SCHEMA_TABLE):
        return 0
    found: Any = conn.execute(sa.select(sa.func.max(SCHEMA.c.version))).scalar()
    return int(found or 0)


def check_schema(conn: sa.Connection) -> None:
    """Raise :class:`StorageError` unless the database holds this leadmodel's schema version."""
    found = stored_version(conn)
    if found > SCHEMA_VERSION:
        raise StorageError(_rows.newer_schema(found, SCHEMA_VERSION))
    if found < SCHEMA_VERSION:
        added = ""
        if found:  # leadmodel's tables are there: say what the versions since add to them
            steps = (f"version {v}: {_STEPS[v]}" for v in range(found + 1, SCHEMA_VERSION + 1))
            added = f" ({'; '.join(steps)})"
        msg = (
            f"leadmodel's tables are at schema version {found}, this leadmodel needs "
            f"{SCHEMA_VERSION}{added}: call leadmodel.storage.sql.create_schema(engine), which "
            "creates or upgrades them, or create the tables and indexes of "
            "leadmodel.storage.sql.metadata in your migrations and insert "
            f"{{'version': {SCHEMA_VERSION}}} into {_rows.SCHEMA_TABLE}"
        )
        raise StorageError(msg)


def create_schema(bind: sa.Engine | sa.Connection) -> int:
    """Create leadmodel's tables where missing, or upgrade them, and record the schema version.

    Returns the version found before (0 for a new database). Safe to call from several
    processes at once (PostgreSQL: an advisory lock; SQLite: the write lock). Raises
    :class:`StorageError` for a database made by a newer leadmodel. Upgrading from version 1
    rebuilds the owner, status and pipeline indexes (it blocks writes to those tables while
    it runs); from version 2 (or 1) it creates the state store's table, ``leadmodel_states``;
    from version 4 (or before) it fills the analytics projection from the stored leads (one
    read of every lead document); from version 5 (or before) it adds the documents' ``seal``
    columns, empty.
    """
    if isinstance(bind, sa.Engine):
        with bind.begin() as conn:
            return create_schema(conn)
    if bind.dialect.name == "postgresql":
        bind.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
    found = stored_version(bind)
    if found > SCHEMA_VERSION:
        raise StorageError(_rows.newer_schema(found, SCHEMA_VERSION))
    if found < SCHEMA_VERSION:
        # the whole layout where tables are missing: version 3's leadmodel_states included
        metadata.create_all(bind, checkfirst=True)
        if found == 1:
            _index_pages(bind)
        if 1 <= found < _TIMELINE_VERSION:
            _add_timeline(bind)
        if 1 <= found < _PROJECTION_VERSION:
            _fill_projection(bind)
        if 1 <= found < _SEAL_VERSION:
            _add_seals(bind)
        bind.execute(sa.insert(SCHEMA), [{"version": SCHEMA_VERSION}])
    return found


def _add_timeline(bind: sa.Connection) -> None:
    """Version 4: the leads' ``owed`` and ``idle`` columns and indexes (those missing), filled
    in from the stored documents (one read of every lead; an unreadable one keeps them empty)."""
    leads = TABLES["leads"]
    quoted = bind.dialect.identifier_preparer.quote
    present = {column["name"] for column in sa.inspect(bind).get_columns(leads.name)}
    for column in ("owed", "idle"):  # a host's own migration may have added them
        if column not in present:
            bind.execute(sa.text(f"ALTER TABLE {quoted(leads.name)} ADD COLUMN {column} BIGINT"))
    for index in leads.indexes:
        if {"owed", "idle"} & {column.name for column in index.columns}:
            index.create(bind, checkfirst=True)
    write = (
        sa.update(leads)
        .where(leads.c.id == sa.bindparam("b_id"))
        .values(owed=sa.bindparam("b_owed"), idle=sa.bindparam("b_idle"))
    )
    postgres = bind.dialect.name == "postgresql"
    text = PostgresText() if postgres else VerbatimText()
    doc = leads.c.doc if postgres else sa.cast(leads.c.doc, sa.LargeBinary())  # as read
    after = ""
    while rows := bind.execute(
        sa.select(leads.c.id, doc).where(leads.c.id > after).order_by(leads.c.id).limit(1000)
    ).all():
        filled = []
        for stored_id, document in rows:
            owed, idle = _rows.timeline_columns(text.id_back(stored_id), document)
            filled.append({"b_owed": owed, "b_idle": idle, "b_id": stored_id})
        bind.execute(write, filled)
        after = rows[-1][0]


def _add_seals(bind: sa.Connection) -> None:
    """Version 6: each entity table's ``seal`` column (where missing), empty: the rows stored
    before it are read in full until saved again."""
    quoted = bind.dialect.identifier_preparer.quote
    blob = sa.LargeBinary().compile(dialect=bind.dialect)
    for table in TABLES.values():
        present = {column["name"] for column in sa.inspect(bind).get_columns(table.name)}
        if "seal" not in present:  # a host's own migration may have added it
            bind.execute(sa.text(f"ALTER TABLE {quoted(table.name)} ADD COLUMN seal {blob}"))


def _fill_projection(bind: sa.Connection) -> None:
    """Version 5: the projection of the leads stored before it, from their documents (paging by
    id; an unreadable document gets no rows). Rows a host's migration made are replaced."""
    leads = TABLES["leads"]
    bind.execute(sa.delete(LEAD_FACTS))
    bind.execute(sa.delete(STATUS_CHANGES))
    postgres = bind.dialect.name == "postgresql"
    text = PostgresText() if postgres else VerbatimText()
    doc = leads.c.doc if postgres else sa.cast(leads.c.doc, sa.LargeBinary())  # as read
    after = ""
    while rows := bind.execute(
        sa.select(leads.c.id, doc).where(leads.c.id > after).order_by(leads.c.id).limit(1000)
    ).all():
        facts: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for stored_id, document in rows:
            made = _rows.stored_projection(text.id_back(stored_id), document)
            if made is not None:
                fact, moves = projection_rows(text, made, stored_id)
                facts.append(fact)
                changes.extend(moves)
        if facts:
            bind.execute(sa.insert(LEAD_FACTS), facts)
        if changes:
            bind.execute(sa.insert(STATUS_CHANGES), changes)
        after = rows[-1][0]


def _index_pages(bind: sa.Connection) -> None:
    """Version 2: the indexes that end in id replace version 1's of the same name."""
    for table in TABLES.values():
        for index in table.indexes:
            if list(index.columns)[-1].name == "id":
                index.drop(bind, checkfirst=True)
                index.create(bind)
