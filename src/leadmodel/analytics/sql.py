"""The funnel, the losses, the source report and the owners' report as SQL inside the
database: SQLite and PostgreSQL, through SQLAlchemy Core (extra ``sql``).

The SQL adapters keep a flat projection of the leads beside their documents, written in the
same transaction as every add, save and removal (schema version 5): ``leadmodel_lead_facts``,
one row per lead, and ``leadmodel_status_changes``, one row per history entry (the columns are
in ``docs/analytics.md``, "In the database"). The reports here count, group, find how far each
card went and sum the money in the database; only the shares and the final table are made in
Python — and the tables are the very ones the in-memory reports return (``==``), by the rules
of :mod:`~leadmodel.analytics.facts`: the cards of a pipeline are its leads in one of its
statuses; a card *reached* every funnel status up to the furthest one it entered (its moves in
the pipeline and its current status); a lost card was lost from ``lead.lost``'s status and
reason, else those of its last move into its lost status.

**Exact money.** Amounts are stored as text, the exact ``Decimal``. PostgreSQL sums them as
``NUMERIC``. SQLite has no decimal type (its ``sum`` would add binary floats), so on SQLite the
reports sum with ``leadmodel_decimal_sum(text)``, an aggregate written in Python
(``decimal.Decimal``, 60 significant digits: exact for any sum of valid amounts), which they
register on the connection they read through.

Where the data comes from (``source``): a :class:`~leadmodel.storage.sql.SqlUnitOfWork` (its
engine), an :class:`~leadmodel.SQLiteUnitOfWork` (its own connection: in a ``with`` block the
report sees the unit's uncommitted writes, outside it reads a snapshot), an SQLAlchemy
``Engine`` or a database URL. A report reads what is committed (plus, for an
``SQLiteUnitOfWork``, what its open unit wrote) in one snapshot.

**Exact quantiles.** :func:`owner_performance`'s medians and 90th percentiles are those of
the in-memory report to the microsecond. The database computes every duration (integer
microseconds, as the projection stores instants) and returns them per owner, sorted; the
quantile is finished in Python with the in-memory one (``statistics.median``, and linear
interpolation between order statistics, in float seconds rounded to the microsecond). On
PostgreSQL too: ``percentile_cont`` interpolates as ``lo + p * (hi - lo)`` in ``float8``
where ``statistics.median`` takes ``(lo + hi) / 2``, which may differ in the last bit.

Grouping: ``by`` takes the card's fields (``channel``, ``source``, ``campaign``, ``medium``,
``owner``) and, in :func:`funnel` and :func:`losses`, the ``period`` of the card's creation
(``day``, ISO ``week``, ``month``, ``quarter``, ``year``) as local time in ``time_zone`` names
it — the in-memory reports' periods (``2026-03-02``, ``2026-W10``, ``2026-03``, ``2026-Q1``,
``2026``), computed in the database. PostgreSQL turns the stored UTC microseconds into a
``timestamptz`` exactly (whole seconds, then the microseconds as an interval: no float
rounding across a period's boundary), shifts it to the zone (a bound parameter, read by the
server's time zone database) and names it with ``to_char``. SQLite has no time zones: the
reports register ``leadmodel_period(created, period, zone)``, a deterministic function written
in Python with the in-memory reports' own :func:`~leadmodel.analytics._groups.period_of`, on
the connection they read through.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Context, Decimal, localcontext
from typing import Any, Final, Literal, cast
from zoneinfo import ZoneInfo

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics._groups import (
    NONE,
    Period,
    check_grouping,
    means,
    period_of,
    quantile,
    share,
)
from leadmodel.analytics.facts import funnel_order
from leadmodel.analytics.funnel import Funnel, Losses, LossRow, Mode, funnel_table
from leadmodel.analytics.people import OwnerPerformance, OwnerRow
from leadmodel.analytics.sources import (
    SourceBy,
    SourceEfficiency,
    _spend_group,
    _Tally,
    one_currency,
)
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.values import Money, Spend
from leadmodel.errors import MissingExtraError, Problem, StorageError
from leadmodel.storage import MemoryUnitOfWork, SQLiteUnitOfWork

try:
    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from leadmodel.storage.sql import (
        LEAD_FACTS,
        STATUS_CHANGES,
        PostgresText,
        SqlUnitOfWork,
        VerbatimText,
        check_schema,
        create_schema,
        make_engine,
    )
except ModuleNotFoundError as exc:  # say which extra to install, not where the import broke
    if (exc.name or "").partition(".")[0] != "sqlalchemy":
        raise
    raise MissingExtraError("leadmodel.analytics.sql", extra="sql", module="sqlalchemy") from exc

__all__ = [
    "DECIMAL_SUM",
    "PERIOD_OF",
    "Source",
    "funnel",
    "losses",
    "owner_performance",
    "source_efficiency",
]

Source = SqlUnitOfWork | SQLiteUnitOfWork | sa.Engine | sa.URL | str
"""Where a report reads the projection: a unit of work of a SQL adapter, an engine or a URL."""

FieldBy = Literal["channel", "source", "campaign", "medium", "owner"]
_FIELDS: Final = ("channel", "source", "campaign", "medium", "owner")
CardBy = Literal["period", "channel", "source", "campaign", "medium", "owner"]
_CARD_BY: Final = ("period", *_FIELDS)

DECIMAL_SUM: Final = "leadmodel_decimal_sum"
"""The name of the exact sum of decimal text the reports register on SQLite connections."""

PERIOD_OF: Final = "leadmodel_period"
"""The name of the period function (``created`` microseconds, period, zone name) the reports
register on SQLite connections."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_PATTERNS: Final = {  # to_char's names of the periods, as _groups.period_of writes them
    "day": "YYYY-MM-DD",
    "week": 'FMIYYY-"W"IW',
    "month": "FMYYYY-MM",
    "quarter": 'FMYYYY-"Q"Q',
    "year": "FMYYYY",
}

_EXACT: Final = Context(prec=60)  # amounts have at most 30 digits; 60 keep every sum exact
_SQLITE: Final = sqlite_dialect.dialect()


_Query = sa.Select[Any] | sa.CompoundSelect[Any]


class _DecimalSum:
    """SQLite aggregate ``leadmodel_decimal_sum(text)``: the exact sum of decimal text, as
    text (``NULL`` for no non-null value)."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: object) -> None:
        if value is None:
            return
        amount = Decimal(value if isinstance(value, str | int) else str(value))
        with localcontext(_EXACT):
            self.total = amount if self.total is None else self.total + amount

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


def _period_of(created: int | None, period: str, zone: str) -> str | None:
    """SQLite function ``leadmodel_period(created, period, zone)``: the period of an instant
    stored as UTC microseconds, by :func:`~leadmodel.analytics._groups.period_of`."""
    if created is None:
        return None
    at = _EPOCH + timedelta(microseconds=int(created))
    return period_of(at, cast(Period, period), ZoneInfo(zone))


def _register(conn: object) -> None:
    """Put ``leadmodel_decimal_sum`` and ``leadmodel_period`` on an sqlite3 connection."""
    if not isinstance(conn, sqlite3.Connection):
        msg = "the SQL reports read SQLite through the standard library's sqlite3 driver"
        raise StorageError(f"{msg}; got a {type(conn).__name__} connection")
    conn.create_aggregate(DECIMAL_SUM, 1, cast(Any, _DecimalSum))
    conn.create_function(PERIOD_OF, 3, _period_of, deterministic=True)


@attrs.frozen
class _Reader:
    """One report's way into the database: its dialect, the stored form of text there, and
    how a statement is run (every statement of a report in one snapshot)."""

    dialect: str
    text: VerbatimText
    run: Callable[[_Query], Sequence[Sequence[Any]]]

    def money_sum(self, amount: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        """The exact sum of amount text (see the module docstring)."""
        if self.dialect == "sqlite":
            return getattr(sa.func, DECIMAL_SUM)(amount)  # type: ignore[no-any-return]
        numeric = sa.Numeric() if self.dialect == "postgresql" else sa.Numeric(38, 12)
        return sa.func.sum(sa.cast(amount, numeric))

    def period(
        self, created: sa.ColumnElement[Any], period: Period, zone: str
    ) -> sa.ColumnElement[Any]:
        """The period of ``created`` (UTC microseconds) in ``zone`` (see the module
        docstring); the zone and the period are bound parameters."""
        if self.dialect == "sqlite":
            found = getattr(sa.func, PERIOD_OF)(
                created, sa.literal(period, sa.Text), sa.literal(zone, sa.Text)
            )
            return cast("sa.ColumnElement[Any]", found)
        if self.dialect != "postgresql":
            msg = "grouping by period in the database needs SQLite or PostgreSQL"
            c.fail("analytics.sql", [Problem("by", msg, self.dialect)])
        million = sa.literal_column("1000000", sa.BigInteger)
        seconds = sa.func.to_timestamp(created // million)
        instant = seconds + (created % million) * sa.literal_column(
            "INTERVAL '1 microsecond'", sa.Interval
        )
        local = sa.func.timezone(sa.literal(zone, sa.Text), instant)
        pattern = sa.literal(_PATTERNS[period], sa.Text)
        return sa.func.to_char(local, pattern)

    def back(self, value: Any) -> Any:
        """Stored text as written (PostgreSQL's escaped form undone)."""
        return self.text.id_back(value) if isinstance(value, str) else value


@contextlib.contextmanager
def _reading(model: str, source: object) -> Iterator[_Reader]:
    """A :class:`_Reader` on ``source``; database errors become :class:`StorageError`."""
    try:
        if isinstance(source, SQLiteUnitOfWork):
            with _stdlib(source) as reader:
                yield reader
            return
        with _engine_of(model, source) as engine, engine.connect() as conn:
            if engine.dialect.name == "postgresql":  # one snapshot for the report's statements
                conn.execution_options(isolation_level="REPEATABLE READ")
            check_schema(conn)
            if engine.dialect.name == "sqlite":
                _register(conn.connection.driver_connection)
            text = PostgresText() if engine.dialect.name == "postgresql" else VerbatimText()
            yield _Reader(engine.dialect.name, text, lambda query: conn.execute(query).all())
    except sa.exc.DBAPIError as exc:
        raise StorageError(f"{model}: the database refused the report's query: {exc.orig}") from exc
    except sqlite3.Error as exc:
        raise StorageError(f"{model}: SQLite refused the report's query: {exc}") from exc


@contextlib.contextmanager
def _stdlib(unit: SQLiteUnitOfWork) -> Iterator[_Reader]:
    """A reader on an SQLiteUnitOfWork's own connection (its schema migrated on opening): in
    the unit's transaction when one is open, else in a read transaction of its own."""
    conn = unit.connection
    _register(conn)
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")

    def run(query: _Query) -> list[Any]:
        compiled = query.compile(dialect=_SQLITE, compile_kwargs={"render_postcompile": True})
        params = compiled.params
        values = [params[name] for name in compiled.positiontup or ()]
        return conn.execute(str(compiled), values).fetchall()

    try:
        yield _Reader("sqlite", VerbatimText(), run)
    finally:
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")  # it only read


@contextlib.contextmanager
def _engine_of(model: str, source: object) -> Iterator[sa.Engine]:
    """The engine to read ``source`` through (one made from a URL is disposed of after)."""
    if isinstance(source, SqlUnitOfWork):
        if source.migrate:  # as the unit's first use would: create or upgrade the tables
            create_schema(source.engine)
        yield source.engine
        return
    if isinstance(source, sa.Engine):
        yield source
        return
    if isinstance(source, str | sa.URL):
        engine = _reading_engine(source)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    hint = (
        "; a memory store has no SQL: pass its leads to the in-memory report "
        "(leadmodel.analytics.funnel(uow.leads.iter_all(), pipeline))"
        if isinstance(source, MemoryUnitOfWork)
        else ""
    )
    msg = f"pass a SqlUnitOfWork, an SQLiteUnitOfWork, an SQLAlchemy Engine or a URL{hint}"
    c.fail(model, [Problem("source", msg, type(source).__name__)])


def _reading_engine(url: str | sa.URL) -> sa.Engine:
    """An engine for reports on ``url``: :func:`make_engine`'s, but SQLite reads begin a
    deferred transaction (a snapshot that takes no write lock) instead of ``BEGIN IMMEDIATE``."""
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        engine = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
        sa.event.listen(engine, "connect", _autocommit)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _autocommit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # transactions are ours to begin, not the driver's


# -- the queries ----------------------------------------------------------------------------------
def _cards(
    reader: _Reader,
    pipeline: Pipeline,
    statuses: Iterable[str],
    by: str | None,
    *,
    period: Period = "month",
    time_zone: str = "UTC",
) -> sa.Select[Any]:
    """The cards of ``pipeline`` in ``statuses``, with their group (``grp``: the field
    grouped by, ``(none)`` when it is empty, or the period of their creation in
    ``time_zone``) and the status and reason they were lost with."""
    facts, text = LEAD_FACTS, reader.text
    group: sa.ColumnElement[Any]
    if by == "period":
        group = reader.period(facts.c.created, period, time_zone)
    elif by:
        group = sa.func.coalesce(sa.func.nullif(facts.c[by], ""), NONE)
    else:
        group = sa.null()
    return sa.select(
        facts,
        group.label("grp"),
        sa.func.coalesce(facts.c.lost_from, facts.c.into_from).label("lost_status"),
        sa.func.coalesce(facts.c.lost_reason, facts.c.into_reason).label("lost_why"),
    ).where(
        facts.c.pipeline == text.indexed(pipeline.key),
        facts.c.status.in_([text.indexed(status) for status in statuses]),
    )


def _position(column: sa.ColumnElement[Any], stored: list[str | None]) -> sa.Label[Any]:
    """The funnel position of a status column (``-1``: not a funnel status)."""
    whens = {value: i for i, value in enumerate(stored) if value is not None}
    return sa.case(whens, value=column, else_=-1).label("position")


def _funnel_query(
    reader: _Reader,
    pipeline: Pipeline,
    order: tuple[str, ...],
    mode: Mode,
    by: str | None,
    *,
    period: Period,
    time_zone: str,
) -> sa.Select[Any]:
    """Per group and currency of value: the cards, and for each funnel status the cards that
    reached (or entered) it and the sum of their values.

    Every status a card entered (its moves in the pipeline, and its current status) with its
    funnel position, carrying the card's group and value; then one row per card with a flag per
    funnel status (reached: the furthest position is at or past it; entered: one of them is
    it); then the flags and values summed per group and currency. No step joins back to a
    derived table (SQLite would scan it once per card)."""
    text, facts, moves = reader.text, LEAD_FACTS, STATUS_CHANGES
    cards = _cards(
        reader, pipeline, (s.key for s in pipeline.statuses), by, period=period, time_zone=time_zone
    )
    carried = (cards.selected_columns.grp, facts.c.value_currency, facts.c.value_amount)
    entered = sa.union_all(
        cards.with_only_columns(
            facts.c.id, *carried, _position(moves.c.to_status, [text.id(s) for s in order])
        )
        .join_from(facts, moves, moves.c.id == facts.c.id)
        .where(moves.c.pipeline == text.id(pipeline.key)),
        cards.with_only_columns(
            facts.c.id, *carried, _position(facts.c.status, [text.indexed(s) for s in order])
        ),
    ).subquery("entered")
    place = entered.c.position
    flags = []
    for i in range(len(order)):
        flag: sa.ColumnElement[Any]
        if mode == "reached":  # the furthest status entered is at or past this one
            flag = sa.case((sa.func.max(place) >= i, 1), else_=0)
        else:
            flag = sa.func.max(sa.case((place == i, 1), else_=0))
        flags.append(flag.label(f"at_{i}"))
    card = (entered.c.id, entered.c.grp, entered.c.value_currency, entered.c.value_amount)
    per_card = sa.select(*card, *flags).group_by(*card).subquery("per_card")
    counts, sums = [], []
    for i in range(len(order)):
        at_i = per_card.c[f"at_{i}"]
        counts.append(sa.func.sum(at_i))
        sums.append(reader.money_sum(sa.case((at_i == 1, per_card.c.value_amount))))
    keys = (per_card.c.grp, per_card.c.value_currency)
    return sa.select(*keys, *counts, *sums).group_by(*keys)


def _amount(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _checked(
    model: str, pipeline: object, p: c.Problems, *, by: object, period: object, time_zone: object
) -> None:
    c.instance(p, "pipeline", pipeline, Pipeline)
    check_grouping(p, by, period, time_zone, allowed=_CARD_BY)
    if p:
        c.fail(model, p)


def funnel(
    source: Source,
    pipeline: Pipeline,
    *,
    mode: Mode = "reached",
    by: CardBy | None = None,
    period: Period = "month",
    time_zone: str = "UTC",
) -> Funnel:
    """:func:`leadmodel.analytics.funnel`, counted in the database: how many cards of
    ``pipeline`` reached (``mode="reached"``) or entered (``mode="entered"``) each status, and
    the sum of their deal values per currency — the same :class:`~leadmodel.analytics.Funnel`.
    ``by``: ``"channel"``, ``"source"``, ``"campaign"``, ``"medium"`` or ``"owner"``, each group
    with its own funnel (``(none)``: cards without the field), or ``"period"``: the ``period``
    (``"day"``, ``"week"``, ``"month"``, ``"quarter"``, ``"year"``) the card was created in, in
    ``time_zone`` (an IANA name). Raises
    :class:`~leadmodel.errors.StorageError` if the database refuses the query or its schema is
    not current (:func:`~leadmodel.storage.sql.create_schema` upgrades it).

    >>> import pathlib, tempfile
    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics import sql
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> def card(n, *moves):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P", topic="Chairs",
    ...         contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")], created_at=at,
    ...         source=lm.Source(channel=lm.Channel.form),
    ...         expected_value=lm.Money.of("100.10", "UAH")), at=at)
    ...     for i, status in enumerate(moves, start=1):
    ...         lead = simple.move(lead, status, at=at + timedelta(days=i))
    ...     return lead
    >>> leads = [card(1), card(2, "in_progress"), card(3, "won")]
    >>> uow = lm.SQLiteUnitOfWork(pathlib.Path(tempfile.mkdtemp()) / "crm.sqlite")
    >>> with uow:
    ...     uow.leads.add_many(leads)
    ...     uow.commit()
    >>> report = sql.funnel(uow, simple)
    >>> [(row.status, row.count, str(row.amount[0].amount)) for row in report]
    [('new', 3, '300.30'), ('in_progress', 2, '200.20'), ('won', 1, '100.10')]
    >>> report == lm.analytics.funnel(leads, simple)
    True
    >>> [row.count for row in sql.funnel(uow, simple, mode="entered")]
    [3, 1, 1]
    >>> uow.close()
    """
    p: c.Problems = []
    if mode not in ("reached", "entered"):
        p.append(Problem("mode", "'reached' (or past it) or 'entered' (strictly)", mode))
    _checked("funnel", pipeline, p, by=by, period=period, time_zone=time_zone)
    order = funnel_order(pipeline)
    with _reading("funnel", source) as reader:
        query = _funnel_query(reader, pipeline, order, mode, by, period=period, time_zone=time_zone)
        found = reader.run(query)
    n = len(order)
    groups: dict[str | None, tuple[list[int], list[dict[str, Decimal]]]] = {}
    if by is None:  # one funnel, of zeros when there is no card
        groups[None] = ([0] * n, [{} for _ in order])
    for row in found:
        group, currency = reader.back(row[0]), reader.back(row[1])
        counts, amounts = groups.setdefault(group, ([0] * n, [{} for _ in order]))
        for i in range(n):
            counts[i] += int(row[2 + i] or 0)
            if currency is not None and row[2 + n + i] is not None:
                amounts[i][currency] = _amount(row[2 + n + i])  # one row per group and currency
    return funnel_table(pipeline, groups, mode=mode, by=by)


def losses(
    source: Source,
    pipeline: Pipeline,
    *,
    by: CardBy | None = None,
    period: Period = "month",
    time_zone: str = "UTC",
) -> Losses:
    """:func:`leadmodel.analytics.losses`, counted in the database: where the lost cards of
    ``pipeline`` were lost and why — count, share of the lost cards, deal values per currency,
    the most frequent first — the same :class:`~leadmodel.analytics.Losses`. ``by``,
    ``period`` and ``time_zone`` as in :func:`funnel`.

    >>> import pathlib, tempfile
    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics import sql
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> def lost(n, reason):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P",
    ...         topic="Chairs", contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=at), at=at)
    ...     return simple.move(lead, "lost", at=at + timedelta(days=1), reason=reason)
    >>> leads = [lost(1, "declined"), lost(2, "declined"), lost(3, "no_answer")]
    >>> uow = lm.SQLiteUnitOfWork(pathlib.Path(tempfile.mkdtemp()) / "crm.sqlite")
    >>> with uow:
    ...     uow.leads.add_many(leads)
    ...     uow.commit()
    >>> [(row.status, row.reason, row.count) for row in sql.losses(uow, simple)]
    [('new', 'declined', 2), ('new', 'no_answer', 1)]
    >>> sql.losses(uow, simple) == lm.analytics.losses(leads, simple)
    True
    >>> uow.close()
    """
    p: c.Problems = []
    _checked("losses", pipeline, p, by=by, period=period, time_zone=time_zone)
    lost = [s.key for s in pipeline.statuses if s.kind is StatusKind.lost]
    with _reading("losses", source) as reader:
        cards = _cards(reader, pipeline, lost, by, period=period, time_zone=time_zone).subquery(
            "cards"
        )
        keys = (cards.c.grp, cards.c.lost_status, cards.c.lost_why, cards.c.value_currency)
        query = sa.select(*keys, sa.func.count(), reader.money_sum(cards.c.value_amount))
        found = reader.run(query.group_by(*keys))
    counts: defaultdict[str | None, dict[tuple[str | None, str | None], int]]
    counts = defaultdict(dict)
    amounts: defaultdict[tuple[Any, ...], dict[str, Decimal]] = defaultdict(dict)
    for group, status, reason, currency, count, amount in (map(reader.back, r) for r in found):
        here = counts[group]
        here[status, reason] = here.get((status, reason), 0) + int(count)
        if currency is not None and amount is not None:
            amounts[group, status, reason][currency] = _amount(amount)
    rows: list[LossRow] = []
    for group in sorted(counts, key=lambda g: (g is None, g or "")):
        here = counts[group]
        total = sum(here.values())
        for (status, reason), count in sorted(
            here.items(), key=lambda item: (-item[1], item[0][0] or "", item[0][1] or "")
        ):
            money = amounts[group, status, reason]
            rows.append(
                LossRow(
                    status=status,
                    reason=reason,
                    count=count,
                    share=share(count, total),
                    amount=tuple(Money(amount=money[cur], currency=cur) for cur in sorted(money)),
                    group=group,
                )
            )
    title = f"Losses in {pipeline.key}" + (f" by {by}" if by else "")
    return Losses(rows=tuple(rows), title=title, pipeline=pipeline.key, by=by)


def source_efficiency(
    source: Source,
    pipeline: Pipeline,
    *,
    spend: Iterable[Spend] = (),
    by: SourceBy = "channel",
    currency: str | None = None,
) -> SourceEfficiency:
    """:func:`leadmodel.analytics.source_efficiency`, summed in the database: per channel,
    source name or campaign, the cards of ``pipeline``, the won ones, their per-interest cost
    plus the matching ``spend`` (added in Python: spend is not stored), cost per lead and per
    customer, revenue and ROI in one currency — the same
    :class:`~leadmodel.analytics.SourceEfficiency`.

    >>> import pathlib, tempfile
    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics import sql
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> ads = lm.Source(channel=lm.Channel.form, name="google", cost=lm.Money.of("50", "UAH"))
    >>> def card(n, won):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P", topic="Chairs",
    ...         contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")], source=ads,
    ...         created_at=at, expected_value=lm.Money.of("1000", "UAH")), at=at)
    ...     return simple.move(lead, "won", at=at + timedelta(days=2)) if won else lead
    >>> leads = [card(1, True), card(2, False)]
    >>> uow = lm.SQLiteUnitOfWork(pathlib.Path(tempfile.mkdtemp()) / "crm.sqlite")
    >>> with uow:
    ...     uow.leads.add_many(leads)
    ...     uow.commit()
    >>> [(r.group, r.leads, r.customers, str(r.cost.amount), r.roi)
    ...  for r in sql.source_efficiency(uow, simple, by="source")]
    [('google', 2, 1, '100', 9.0)]
    >>> sql.source_efficiency(uow, simple) == lm.analytics.source_efficiency(leads, simple)
    True
    >>> uow.close()
    """
    spent: tuple[Spend, ...] = c.as_tuple(spend)
    p: c.Problems = []
    c.tuple_of(p, "spend", spent, Spend)
    if by not in ("channel", "source", "campaign"):
        p.append(Problem("by", "channel, source or campaign", by))
    c.opt_text(p, "currency", currency, "the report's currency")
    c.instance(p, "pipeline", pipeline, Pipeline)
    if p:
        c.fail("source_efficiency", p)
    won = [s.key for s in pipeline.statuses if s.kind is StatusKind.won]
    with _reading("source_efficiency", source) as reader:
        all_cards = _cards(reader, pipeline, (s.key for s in pipeline.statuses), by)
        is_won = sa.case((LEAD_FACTS.c.status.in_([reader.text.indexed(s) for s in won]), 1))
        cards = all_cards.add_columns(is_won.label("won")).subquery("cards")
        chosen = currency or _only_currency(reader, cards, spent)
        tally = _Tally(chosen)
        found = reader.run(_sources_query(reader, cards, reader.text.id(chosen)))
    with localcontext(_EXACT):  # the database's sums are exact: so is adding the spend
        for group, leads, customers, cost, revenue, left_out in found:
            name = reader.back(group)
            tally.cards[name] += int(leads)
            tally.won[name] += int(customers or 0)
            tally.left_out += int(left_out or 0)
            if cost is not None:
                tally.cost[name] += _amount(cost)
            if revenue is not None:
                tally.revenue[name] += _amount(revenue)
        for record in spent:
            tally.add(tally.cost, _spend_group(record, by), record.amount)
    return tally.table(pipeline, by)


def _sources_query(reader: _Reader, cards: sa.Subquery, currency: str) -> sa.Select[Any]:
    """Per group: cards, won cards, cost and revenue in ``currency``, and how many amounts in
    other currencies were left out."""
    won = cards.c.won == 1
    other_cost = sa.and_(cards.c.cost_currency.is_not(None), cards.c.cost_currency != currency)
    other_value = sa.and_(
        won, cards.c.value_currency.is_not(None), cards.c.value_currency != currency
    )
    return sa.select(
        cards.c.grp,
        sa.func.count(),
        sa.func.sum(cards.c.won),
        reader.money_sum(sa.case((cards.c.cost_currency == currency, cards.c.cost_amount))),
        reader.money_sum(
            sa.case((sa.and_(won, cards.c.value_currency == currency), cards.c.value_amount))
        ),
        sa.func.sum(sa.case((other_cost, 1), else_=0))
        + sa.func.sum(sa.case((other_value, 1), else_=0)),
    ).group_by(cards.c.grp)


def _only_currency(reader: _Reader, cards: sa.Subquery, spent: tuple[Spend, ...]) -> str:
    """The one currency of the costs, the won cards' values and the spend (``XXX``: none);
    several raise :class:`~leadmodel.errors.ValidationError` asking for ``currency``."""
    costs = sa.select(cards.c.cost_currency).where(cards.c.cost_currency.is_not(None))
    values = sa.select(cards.c.value_currency).where(
        cards.c.won == 1, cards.c.value_currency.is_not(None)
    )
    found = {reader.back(row[0]) for row in reader.run(sa.union(costs, values))}
    return one_currency(found | {s.amount.currency for s in spent})


def owner_performance(source: Source, pipeline: Pipeline) -> OwnerPerformance:
    """:func:`leadmodel.analytics.owner_performance`, counted in the database: per manager
    (``(none)``: cards without an owner), the cards of ``pipeline`` processed, won, lost and
    open, the win rate (won of closed), the won deals' total and average per currency
    (the average rounded to 0.01 as in memory), the unanswered cards, and the medians and
    90th percentiles of the time to the first response and of the time to close (closed
    cards) — the same :class:`~leadmodel.analytics.OwnerPerformance`.

    Calendar time only: the business-time columns are ``None``. Business time needs a
    :class:`~leadmodel.WorkCalendar`, which is not SQL: pass the leads to the in-memory report
    (``leadmodel.analytics.owner_performance(leads, pipeline, calendar=...)``) for it.

    The counts and the money (exact, as in :func:`funnel`) are summed in the database; the
    durations are computed there too (integer microseconds) and come back per owner, sorted —
    one integer per answered card and one per closed card — and the quantiles are finished in
    Python with the in-memory report's own (see the module docstring: "Exact quantiles").

    >>> import pathlib, tempfile
    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> from leadmodel.analytics import sql
    >>> monday = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> def card(n, owner, end=None, value="1000"):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P", topic="Chairs",
    ...         contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")], owner=owner,
    ...         source=lm.Source(channel=lm.Channel.form), created_at=monday,
    ...         expected_value=lm.Money.of(value, "UAH")), at=monday)
    ...     lead = lm.respond(lead, at=monday + timedelta(minutes=10 * n), by=owner)
    ...     if end:
    ...         lead = simple.move(lead, end, at=monday + timedelta(days=n),
    ...             reason="declined" if end == "lost" else None)
    ...     return lead
    >>> leads = [card(1, "anna", "won", "1500"), card(2, "anna", "lost"), card(3, "anna"),
    ...          card(4, "ivan", "won", "900"), card(5, None)]
    >>> uow = lm.SQLiteUnitOfWork(pathlib.Path(tempfile.mkdtemp()) / "crm.sqlite")
    >>> with uow:
    ...     uow.leads.add_many(leads)
    ...     uow.commit()
    >>> report = sql.owner_performance(uow, simple)
    >>> [(r.owner, r.processed, r.won, r.lost, r.open, r.win_rate) for r in report]
    [('(none)', 1, 0, 0, 1, None), ('anna', 3, 1, 1, 1, 0.5), ('ivan', 1, 1, 0, 0, 1.0)]
    >>> anna = report[1]
    >>> str(anna.average_deal[0].amount), anna.first_response_median, anna.close_median
    ('1500.00', datetime.timedelta(seconds=1200), datetime.timedelta(days=1, seconds=43200))
    >>> report == lm.analytics.owner_performance(leads, simple)
    True
    >>> uow.close()
    """
    p: c.Problems = []
    c.instance(p, "pipeline", pipeline, Pipeline)
    if p:
        c.fail("owner_performance", p)
    won = [s.key for s in pipeline.statuses if s.kind is StatusKind.won]
    lost = [s.key for s in pipeline.statuses if s.kind is StatusKind.lost]
    with _reading("owner_performance", source) as reader:
        cards = _owner_cards(reader, pipeline, won, lost)
        counted = reader.run(_owner_counts(reader, cards))
        timed = reader.run(_owner_durations(cards))
    tally: dict[str, _OwnerTally] = {}
    for group, currency, cards_here, won_here, lost_here, answered, valued, amount in counted:
        mine = tally.setdefault(reader.back(group), _OwnerTally())
        mine.processed += int(cards_here)
        mine.won += int(won_here or 0)
        mine.lost += int(lost_here or 0)
        mine.answered += int(answered or 0)
        if currency is not None and amount is not None and valued:
            mine.amounts[reader.back(currency)] = (_amount(amount), int(valued))
    for group, measure, micros in timed:
        mine = tally[reader.back(group)]
        durations = mine.responses if measure == 0 else mine.closes
        durations.append(timedelta(microseconds=int(micros)))
    rows = []
    for owner in sorted(tally):
        mine = tally[owner]
        amounts = sorted(mine.amounts.items())
        rows.append(
            OwnerRow(
                owner=owner,
                processed=mine.processed,
                won=mine.won,
                lost=mine.lost,
                open=mine.processed - mine.won - mine.lost,
                win_rate=share(mine.won, mine.won + mine.lost),
                amount=tuple(Money(amount=total, currency=cur) for cur, (total, _) in amounts),
                average_deal=means(mine.amounts),  # as money_mean does with the exact totals
                unanswered=mine.processed - mine.answered,
                first_response_median=quantile(mine.responses, 0.5),
                first_response_p90=quantile(mine.responses, 0.9),
                close_median=quantile(mine.closes, 0.5),
                close_p90=quantile(mine.closes, 0.9),
            )
        )
    return OwnerPerformance(
        rows=tuple(rows), title=f"Owners in {pipeline.key}", pipeline=pipeline.key
    )


@attrs.define
class _OwnerTally:
    """One owner's counts, won totals per currency (total, how many) and durations."""

    processed: int = 0
    won: int = 0
    lost: int = 0
    answered: int = 0
    amounts: dict[str, tuple[Decimal, int]] = attrs.Factory(dict)
    responses: list[timedelta] = attrs.Factory(list)
    closes: list[timedelta] = attrs.Factory(list)


def _owner_cards(
    reader: _Reader, pipeline: Pipeline, won: list[str], lost: list[str]
) -> sa.Subquery:
    """The cards of ``pipeline`` by owner (``grp``), with ``won`` and ``lost`` flags and
    ``closed``, when the card closed (the shared rules: a won card when it moved into its
    status, else when it was converted; a lost card when the lead recorded the loss, else
    when it moved into its status; an open card never)."""
    facts, text = LEAD_FACTS, reader.text
    is_won = facts.c.status.in_([text.indexed(s) for s in won])
    is_lost = facts.c.status.in_([text.indexed(s) for s in lost])
    closed = sa.case(
        (is_won, sa.func.coalesce(facts.c.into_at, facts.c.converted_at)),
        (is_lost, sa.func.coalesce(facts.c.lost_at, facts.c.into_at)),
    )
    cards = _cards(reader, pipeline, (s.key for s in pipeline.statuses), "owner")
    return cards.add_columns(
        sa.case((is_won, 1), else_=0).label("won"),
        sa.case((is_lost, 1), else_=0).label("lost"),
        closed.label("closed"),
    ).subquery("cards")


def _owner_counts(reader: _Reader, cards: sa.Subquery) -> sa.Select[Any]:
    """Per owner and currency of value: cards, won, lost, answered, and the won cards with a
    value and the exact sum of those values."""
    won = cards.c.won == 1
    keys = (cards.c.grp, cards.c.value_currency)
    return sa.select(
        *keys,
        sa.func.count(),
        sa.func.sum(cards.c.won),
        sa.func.sum(cards.c.lost),
        sa.func.sum(sa.case((cards.c.first_response.is_not(None), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(won, cards.c.value_amount.is_not(None)), 1), else_=0)),
        reader.money_sum(sa.case((won, cards.c.value_amount))),
    ).group_by(*keys)


def _owner_durations(cards: sa.Subquery) -> sa.Select[Any]:
    """Per owner, sorted: the first-response times (measure 0) and the times to close
    (measure 1), in integer microseconds."""
    responses = sa.select(
        cards.c.grp,
        sa.literal_column("0").label("measure"),
        (cards.c.first_response - cards.c.created).label("micros"),
    ).where(cards.c.first_response.is_not(None))
    closes = sa.select(cards.c.grp, sa.literal_column("1"), cards.c.closed - cards.c.created).where(
        cards.c.closed.is_not(None)
    )
    both = sa.union_all(responses, closes).subquery("durations")
    return sa.select(both.c.grp, both.c.measure, both.c.micros).order_by(
        both.c.grp, both.c.measure, both.c.micros
    )
