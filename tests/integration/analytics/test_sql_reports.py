"""The reports of ``leadmodel.analytics.sql``, counted in the database, equal the in-memory ones
on every SQL store — the stdlib SQLite adapter, SqlUnitOfWork on SQLite and on a real
PostgreSQL — for random cards, after saves that move them and after removals; and the
documented DuckDB funnel over ``export_parquet``'s files equals ``analytics.funnel``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import duckdb
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import analytics
from leadmodel.analytics import parquet, sql
from leadmodel.analytics._groups import PERIODS, Period
from leadmodel.analytics.sources import SourceBy
from leadmodel.errors import StorageError, ValidationError
from leadmodel.storage import SQLiteUnitOfWork, UnitOfWork
from leadmodel.storage.sql import SqlUnitOfWork, create_schema, make_engine
from leadmodel.storage.sql._tables import SCHEMA
from tests.integration.services._services import Stores
from tests.unit.analytics._cards import AT, PIPE, SOURCES, card, cards

BACKENDS = ("sqlite", "sqlalchemy-sqlite", "postgres")
SPEND = (
    lm.Spend(
        channel=lm.Channel.event,
        amount=lm.Money.of("600.25", "UAH"),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        source="expo",
        campaign="expo-2026",
    ),
    lm.Spend(
        channel=lm.Channel.form,
        amount=lm.Money.of("10", "USD"),  # left out of a UAH report
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
    ),
)
EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(params=BACKENDS)
def uow(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[SQLiteUnitOfWork | SqlUnitOfWork]:
    """One unit of work object on a fresh store of each SQL backend (the reports' source)."""
    if request.param == "sqlalchemy-sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'crm.sqlite'}")
        unit = SqlUnitOfWork(engine)
        yield unit
        unit.close()
        engine.dispose()
        return
    stores = Stores("sqlite" if request.param == "sqlite" else "postgres", tmp_path)
    made = stores.unit(stores.new())
    assert isinstance(made, SQLiteUnitOfWork | SqlUnitOfWork)
    yield made
    stores.close()


def _store(uow: UnitOfWork, leads: list[lm.Lead]) -> None:
    """Empty the store (every lead removed: the projection must follow) and add ``leads``."""
    with uow:
        for stored in list(uow.leads.iter_all()):
            uow.leads.remove(stored.id)
        uow.leads.add_many(leads)
        uow.commit()


def _assert_reports_equal(source: sql.Source, leads: list[lm.Lead]) -> None:
    for mode in ("reached", "entered"):
        assert sql.funnel(source, PIPE, mode=mode) == analytics.funnel(leads, PIPE, mode=mode)
        for by in ("owner", "campaign"):
            expected = analytics.funnel(leads, PIPE, mode=mode, by=by)
            assert sql.funnel(source, PIPE, mode=mode, by=by) == expected
    assert sql.losses(source, PIPE) == analytics.losses(leads, PIPE)
    assert sql.owner_performance(source, PIPE) == analytics.owner_performance(leads, PIPE)
    assert sql.losses(source, PIPE, by="channel") == analytics.losses(leads, PIPE, by="channel")
    for group in ("channel", "source", "campaign"):
        for spend in ((), SPEND):
            expected_sources = analytics.source_efficiency(
                leads, PIPE, spend=spend, by=group, currency="UAH"
            )
            found = sql.source_efficiency(source, PIPE, spend=spend, by=group, currency="UAH")
            assert found == expected_sources


@EXAMPLES
@given(leads=cards())
def test_the_sql_reports_equal_the_in_memory_ones(
    uow: SQLiteUnitOfWork | SqlUnitOfWork, leads: list[lm.Lead]
) -> None:
    """funnel (reached and entered, grouped or not), losses, source_efficiency and
    owner_performance counted in the database are equal (==) to the in-memory reports of the
    same leads: counts, shares, exact money per currency, quantiles to the microsecond, groups
    and their order, titles."""
    _store(uow, leads)
    _assert_reports_equal(uow, leads)


@EXAMPLES
@given(leads=cards(max_size=15), data=st.data())
def test_the_projection_follows_saves_and_removals(
    uow: SQLiteUnitOfWork | SqlUnitOfWork, leads: list[lm.Lead], data: st.DataObject
) -> None:
    """Cards moved on (saved) and cards removed after they were stored: the reports follow,
    equal to the in-memory reports of the leads as they are now."""
    _store(uow, leads)
    now: dict[str, lm.Lead] = {lead.id: lead for lead in leads}
    later = AT + timedelta(days=200)
    with uow:
        for lead_id in data.draw(st.lists(st.sampled_from(sorted(now)), unique=True)):
            stored = uow.leads.get(lead_id)
            targets = PIPE.allowed(stored)
            if not targets:
                continue
            to = data.draw(st.sampled_from(targets))
            reason = data.draw(st.sampled_from(("price", "rival"))) if to == "lost" else None
            now[lead_id] = uow.leads.save(PIPE.move(stored, to, at=later, reason=reason))
        for lead_id in data.draw(st.lists(st.sampled_from(sorted(now)), unique=True, max_size=4)):
            uow.leads.remove(lead_id)
            del now[lead_id]
        uow.commit()
    _assert_reports_equal(uow, list(now.values()))


ZONES = ("Europe/Kyiv", "America/New_York")


def _assert_periods_equal(source: sql.Source, leads: list[lm.Lead]) -> None:
    """funnel (both modes) and losses by every period in both zones equal the in-memory ones."""
    periods: tuple[Period, ...] = PERIODS
    for zone in ZONES:
        for period in periods:
            for mode in ("reached", "entered"):
                expected = analytics.funnel(
                    leads, PIPE, mode=mode, by="period", period=period, time_zone=zone
                )
                found = sql.funnel(
                    source, PIPE, mode=mode, by="period", period=period, time_zone=zone
                )
                assert found == expected
            expected_losses = analytics.losses(
                leads, PIPE, by="period", period=period, time_zone=zone
            )
            found_losses = sql.losses(source, PIPE, by="period", period=period, time_zone=zone)
            assert found_losses == expected_losses


@EXAMPLES
@given(leads=cards())
def test_grouping_by_period_in_the_database_equals_the_in_memory_reports(
    uow: SQLiteUnitOfWork | SqlUnitOfWork, leads: list[lm.Lead]
) -> None:
    """funnel (reached and entered) and losses by day, ISO week, month, quarter and year of
    creation, in Kyiv and in New York time, computed in the database (to_char on PostgreSQL,
    the registered leadmodel_period on SQLite) equal (==) the in-memory reports."""
    _store(uow, leads)
    _assert_periods_equal(uow, leads)


def _born(n: int, at: datetime, *, lost: bool = False) -> lm.Lead:
    """Lead ``B-n`` created (and entered) at ``at``, lost a day later when ``lost``."""
    lead = lm.Lead(
        id=lm.LeadId(f"B-{n:03d}"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email(f"b{n}@mebli.ua")],
        source=SOURCES[n % 3],
        created_at=at,
        owner="anna",
        expected_value=lm.Money.of(f"{n}.5", "UAH"),
    )
    lead = PIPE.enter(lead, at=at)
    if lost:
        lead = PIPE.move(lead, "lost", at=at + timedelta(days=1), reason="price")
    return lead


US = timedelta(microseconds=1)
BORN = (
    # Kyiv: UTC+2 until 2026-03-29 01:00 UTC, UTC+3 until 2026-10-25 01:00 UTC
    datetime(2026, 3, 28, 22, tzinfo=UTC) - US,  # Kyiv 2026-03-28 23:59:59.999999
    datetime(2026, 3, 28, 22, tzinfo=UTC),  # Kyiv 2026-03-29 00:00 (DST starts that night)
    datetime(2026, 3, 29, 21, tzinfo=UTC) - US,  # Kyiv 2026-03-29 23:59:59.999999 (+3)
    datetime(2026, 3, 31, 21, tzinfo=UTC) - US,  # Kyiv 2026-03-31 23:59:59.999999: Q1
    datetime(2026, 3, 31, 21, tzinfo=UTC),  # Kyiv 2026-04-01 00:00: Q2
    datetime(2026, 10, 24, 21, tzinfo=UTC),  # Kyiv 2026-10-25 00:00 (+3, DST ends that night)
    datetime(2026, 10, 25, 22, tzinfo=UTC) - US,  # Kyiv 2026-10-25 23:59:59.999999 (+2)
    # New York: UTC-5 until 2026-03-08 07:00 UTC, then UTC-4
    datetime(2026, 3, 8, 5, tzinfo=UTC),  # New York 2026-03-08 00:00 (-5)
    datetime(2026, 3, 9, 4, tzinfo=UTC) - US,  # New York 2026-03-08 23:59:59.999999 (-4)
    # the year boundary: Kyiv 2027-01-01 01:30, ISO week 2026-W53; New York 2026-12-31
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    datetime(2027, 1, 4, 0, 30, tzinfo=UTC),  # Kyiv 2027-01-04 02:30: Monday of 2027-W01
)


def test_periods_across_dst_changes_and_a_year_boundary_by_hand(
    uow: SQLiteUnitOfWork | SqlUnitOfWork,
) -> None:
    """Cards created a microsecond either side of local midnights on the days the clocks
    change, at the end of a quarter and across New Year fall in the periods local time names:
    a card created 2026-12-31 23:30 UTC is 2027-01-01 in Kyiv, in ISO week 2026-W53."""
    leads = [_born(n, at, lost=n % 2 == 1) for n, at in enumerate(BORN)]
    _store(uow, leads)
    _assert_periods_equal(uow, leads)

    def groups(period: Period, zone: str) -> list[str | None]:
        found = sql.funnel(uow, PIPE, by="period", period=period, time_zone=zone)
        return [row.group for row in found if row.status == "new" and row.count]

    def counts(period: Period, zone: str) -> dict[str | None, int]:
        found = sql.funnel(uow, PIPE, by="period", period=period, time_zone=zone)
        return {row.group: row.count for row in found if row.status == "new"}

    kyiv_days = counts("day", "Europe/Kyiv")
    assert kyiv_days == {
        "2026-03-08": 1,
        "2026-03-09": 1,
        "2026-03-28": 1,
        "2026-03-29": 2,
        "2026-03-31": 1,
        "2026-04-01": 1,
        "2026-10-25": 2,
        "2027-01-01": 1,
        "2027-01-04": 1,
    }
    assert counts("week", "Europe/Kyiv")["2026-W53"] == 1
    assert groups("week", "Europe/Kyiv")[-2:] == ["2026-W53", "2027-W01"]
    assert counts("quarter", "Europe/Kyiv") == {
        "2026-Q1": 6,
        "2026-Q2": 1,
        "2026-Q4": 2,
        "2027-Q1": 2,
    }
    assert groups("year", "Europe/Kyiv") == ["2026", "2027"]
    assert groups("month", "Europe/Kyiv")[-1] == "2027-01"
    new_york = counts("day", "America/New_York")
    assert new_york["2026-03-08"] == 2
    assert new_york["2026-12-31"] == 1
    assert "2027-01-01" not in new_york
    assert counts("year", "America/New_York") == {"2026": 10, "2027": 1}
    assert counts("year", "UTC") == {"2026": 10, "2027": 1}
    lost = sql.losses(uow, PIPE, by="period", period="week", time_zone="Europe/Kyiv")
    assert lost == analytics.losses(
        leads, PIPE, by="period", period="week", time_zone="Europe/Kyiv"
    )
    assert lost.title == "Losses in deals by period"


def test_a_store_without_cards_reports_as_no_leads(uow: SQLiteUnitOfWork | SqlUnitOfWork) -> None:
    """No card of the pipeline: the reports equal the in-memory reports of no leads."""
    _store(uow, [card(1)])
    _store(uow, [])
    _assert_reports_equal(uow, [])


def test_cards_without_a_move_or_lost_without_one_count_by_the_shared_rules(
    uow: SQLiteUnitOfWork | SqlUnitOfWork,
) -> None:
    """A card placed in a status without a recorded move counts as having entered it; one
    imported straight into a lost status reached nothing and was lost from nowhere; a loss
    recorded on the lead (lead.lost) wins over the move's reason."""
    placed = lm.Lead(
        id=lm.LeadId("L-placed"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email("placed@mebli.ua")],
        source=SOURCES[1],
        created_at=AT,
        pipeline=PIPE.key,
        status="offer",
        expected_value=lm.Money.of("10.5", "UAH"),
    )
    imported = lm.Lead(
        id=lm.LeadId("L-imported"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email("imported@mebli.ua")],
        source=SOURCES[2],
        created_at=AT,
        pipeline=PIPE.key,
        status="lost",
    )
    recorded = card(3, steps=(1,), end="lost", reason="silence")
    assert recorded.lost is not None
    lost = lm.LossInfo(status="lost", reason="rival", at=recorded.history[-1].at)
    recorded = attrs.evolve(recorded, lost=lost)
    other = lm.Lead(
        id=lm.LeadId("L-other"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email("other@mebli.ua")],
        source=SOURCES[0],
        created_at=AT,
        pipeline="another",
        status="new",
    )
    leads = [placed, imported, recorded, other, card(4, steps=(2,), end="won")]
    _store(uow, leads)
    _assert_reports_equal(uow, leads)
    assert [(r.status, r.reason) for r in sql.losses(uow, PIPE)] == [
        (None, None),
        ("in_work", "rival"),
    ]


HOSTILE = lm.Pipeline.from_dict(
    {
        "key": "deals\x00" + "p" * 300,
        "statuses": [
            {"key": "new"},
            {"key": "in\x00work"},
            {"key": "offer-" + "o" * 300},
            {"key": "won", "kind": "won"},
            {"key": "lost", "kind": "lost", "lost_reasons": ["no\x00budget", "r" * 400]},
        ],
    }
)


def test_text_postgres_cannot_hold_as_it_is_comes_back_whole(
    uow: SQLiteUnitOfWork | SqlUnitOfWork,
) -> None:
    """NUL and very long pipeline keys, statuses, owners, campaigns and reasons (stored in an
    escaped or hashed form on PostgreSQL) give the reports of the in-memory text."""
    source = lm.Source(channel=lm.Channel.form, campaign="c\x01" + "c" * 300, name="\x00")
    leads = []
    for n, (path, reason) in enumerate(
        [
            ((), None),
            (("in\x00work",), "no\x00budget"),
            (("in\x00work", "offer-" + "o" * 300), "r" * 400),
        ]
        * 2
    ):
        lead = lm.Lead(
            id=lm.LeadId(f"H\x00{n}"),
            person_name="P",
            topic="Chairs",
            contact_points=[lm.ContactPoint.email(f"h{n}@mebli.ua")],
            source=source if n % 2 else SOURCES[0],
            owner="an\x00na" if n % 2 else "o" * 300,
            created_at=AT,
            expected_value=lm.Money.of("1.5", "UAH"),
        )
        lead = HOSTILE.enter(lead, at=AT)
        for day, status in enumerate(path, start=1):
            lead = HOSTILE.move(lead, status, at=AT + timedelta(days=day))
        if reason is not None:
            lead = HOSTILE.move(lead, "lost", at=AT + timedelta(days=9), reason=reason)
        leads.append(lead)
    _store(uow, leads)
    for mode in ("reached", "entered"):
        for by in (None, "owner", "campaign", "source"):
            expected = analytics.funnel(leads, HOSTILE, mode=mode, by=by)
            assert sql.funnel(uow, HOSTILE, mode=mode, by=by) == expected
    assert sql.losses(uow, HOSTILE, by="owner") == analytics.losses(leads, HOSTILE, by="owner")
    assert sql.owner_performance(uow, HOSTILE) == analytics.owner_performance(leads, HOSTILE)
    assert {row.owner for row in sql.owner_performance(uow, HOSTILE)} == {"an\x00na", "o" * 300}
    assert {row.reason for row in sql.losses(uow, HOSTILE)} == {"no\x00budget", "r" * 400}
    sources: tuple[SourceBy, ...] = ("channel", "source", "campaign")
    for group in sources:
        expected_sources = analytics.source_efficiency(leads, HOSTILE, by=group)
        assert sql.source_efficiency(uow, HOSTILE, by=group) == expected_sources


def _timed(
    n: int,
    owner: str | None,
    answered: timedelta | None,
    closed: timedelta | None = None,
    *,
    end: str = "won",
    value: lm.Money | None = None,
) -> lm.Lead:
    """Lead ``n`` of ``owner`` created at AT, answered ``answered`` after, moved to ``end``
    ``closed`` after (still open without it)."""
    lead = lm.Lead(
        id=lm.LeadId(f"T-{n:03d}"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email(f"t{n}@mebli.ua")],
        source=SOURCES[1],
        created_at=AT,
        owner=owner,
        expected_value=value,
    )
    lead = PIPE.enter(lead, at=AT)
    if answered is not None:
        lead = lm.respond(lead, at=AT + answered, by=owner)
    if closed is not None:
        reason = "price" if end == "lost" else None
        lead = PIPE.move(lead, end, at=AT + closed, reason=reason)
    return lead


def test_owner_performance_medians_and_averages_by_hand(
    uow: SQLiteUnitOfWork | SqlUnitOfWork,
) -> None:
    """Known medians (odd and even counts: the mean of the two middle ones), 90th
    percentiles interpolated to the microsecond, averages rounded half-even to 0.01 per
    currency, the cards without an owner as (none), no calendar: no business time."""
    us = timedelta(microseconds=1)
    money = lm.Money.of
    leads = [
        # anna: first responses 1 s, 2 s + 1 us, 10 s, 40 s (even: median (2 s + 1 us + 10 s)/2)
        _timed(1, "anna", timedelta(seconds=1), timedelta(hours=1), value=money("0.005", "UAH")),
        _timed(
            2, "anna", timedelta(seconds=2) + us, timedelta(hours=3), value=money("0.005", "UAH")
        ),
        _timed(3, "anna", timedelta(seconds=10), timedelta(hours=2), end="lost"),
        _timed(4, "anna", timedelta(seconds=40), value=money("7", "USD")),
        _timed(5, "anna", None, timedelta(days=1), value=money("1", "USD")),
        # ivan: one answered, one closed
        _timed(6, "ivan", timedelta(minutes=5) + 7 * us, timedelta(days=2) + 3 * us),
        _timed(7, None, None),
    ]
    _store(uow, leads)
    report = sql.owner_performance(uow, PIPE)
    assert report == analytics.owner_performance(leads, PIPE)
    assert [row.owner for row in report] == ["(none)", "anna", "ivan"]
    none, anna, ivan = report
    assert (none.processed, none.open, none.win_rate, none.unanswered) == (1, 1, None, 1)
    assert none.first_response_median is None
    assert none.close_median is None
    assert (anna.processed, anna.won, anna.lost, anna.open, anna.unanswered) == (5, 3, 1, 1, 1)
    assert anna.win_rate == 0.75
    assert anna.amount == (money("0.010", "UAH"), money("1", "USD"))
    # 0.005 exactly: half-even to 0.00 (half-up would say 0.01); 1 USD over its one won card
    assert anna.average_deal == (money("0.00", "UAH"), money("1.00", "USD"))
    assert anna.first_response_median == timedelta(seconds=6, microseconds=1)  # 12.000001 / 2
    # p90 of 1, 2.000001, 10, 40 s: position 2.7, 10 + 0.7 * 30 = 31 s
    assert anna.first_response_p90 == timedelta(seconds=31)
    # closes 1 h, 2 h, 3 h, 1 day: median 2.5 h; p90 at 2.7: 3 h + 0.7 * 21 h = 17.7 h
    assert anna.close_median == timedelta(hours=2, minutes=30)
    assert anna.close_p90 == timedelta(hours=17, minutes=42)
    assert (
        ivan.first_response_median
        == ivan.first_response_p90
        == timedelta(minutes=5, microseconds=7)
    )
    assert ivan.close_median == timedelta(days=2, microseconds=3)
    assert ivan.average_deal == ()
    assert ivan.amount == ()
    for row in report:
        assert row.first_response_business_median is None
        assert row.close_business_p90 is None
    assert report.title == "Owners in deals"
    assert report.pipeline == PIPE.key
    _store(uow, [])
    assert sql.owner_performance(uow, PIPE) == analytics.owner_performance([], PIPE)
    assert len(sql.owner_performance(uow, PIPE)) == 0


def test_several_currencies_need_a_currency_as_in_memory(tmp_path: Path) -> None:
    """Costs in UAH and won values in USD: without currency= both reports raise the same
    ValidationError; with one currency, amounts in the other are counted in left_out."""
    leads = [
        card(1, source=SOURCES[0], end="won", value=lm.Money.of("100", "USD")),
        card(2, source=SOURCES[1], end="won", value=lm.Money.of("7", "UAH")),
    ]
    uow = SQLiteUnitOfWork(tmp_path / "crm.sqlite")
    _store(uow, leads)
    with pytest.raises(ValidationError) as in_memory:
        analytics.source_efficiency(leads, PIPE)
    with pytest.raises(ValidationError) as in_sql:
        sql.source_efficiency(uow, PIPE)
    assert str(in_sql.value) == str(in_memory.value)
    report = sql.source_efficiency(uow, PIPE, currency="USD", spend=SPEND)
    assert report == analytics.source_efficiency(leads, PIPE, currency="USD", spend=SPEND)
    assert report.left_out == 3
    single = [card(1, source=SOURCES[1], end="won", value=lm.Money.of("5", "EUR"))]
    _store(uow, single)
    assert sql.source_efficiency(uow, PIPE) == analytics.source_efficiency(single, PIPE)
    assert sql.source_efficiency(uow, PIPE).currency == "EUR"
    uow.close()


def test_engines_urls_and_units_read_the_same_store(tmp_path: Path) -> None:
    """A report reads an SQLiteUnitOfWork (its connection, uncommitted writes of its open unit
    included), an engine or a URL on the same file alike."""
    path = tmp_path / "crm.sqlite"
    leads = [card(n, steps=(1,), value=lm.Money.of("0.10", "UAH")) for n in range(3)]
    uow = SQLiteUnitOfWork(path)
    _store(uow, leads)
    expected = analytics.funnel(leads, PIPE)
    engine = make_engine(f"sqlite:///{path}")
    assert sql.funnel(engine, PIPE) == expected
    assert sql.funnel(f"sqlite:///{path}", PIPE) == expected
    assert sql.funnel(sa.make_url(f"sqlite:///{path}"), PIPE) == expected
    assert sql.funnel(SqlUnitOfWork(engine), PIPE) == expected
    with uow:
        uow.leads.add(card(9))
        inside = sql.funnel(uow, PIPE)
        uow.rollback()
    assert inside == analytics.funnel([*leads, card(9)], PIPE)
    assert sql.funnel(uow, PIPE) == expected
    engine.dispose()
    uow.close()


def test_a_store_the_reports_cannot_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    """A memory unit is a ValidationError pointing to the in-memory reports; a database at an
    older schema a StorageError naming create_schema; bad arguments ValidationErrors."""
    with pytest.raises(ValidationError, match="in-memory report"):
        sql.funnel(lm.MemoryUnitOfWork(), PIPE)  # type: ignore[arg-type]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(sa.delete(SCHEMA))
        conn.execute(sa.insert(SCHEMA), [{"version": 4}])
    with pytest.raises(StorageError, match="create_schema"):
        sql.losses(engine, PIPE)
    with pytest.raises(ValidationError, match="mode"):
        sql.funnel(engine, PIPE, mode="strict")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="period"):
        sql.funnel(engine, PIPE, by="period", period="decade")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="time_zone"):
        sql.losses(engine, PIPE, by="period", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError, match="by"):
        sql.losses(engine, PIPE, by="stage")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="by"):
        sql.source_efficiency(engine, PIPE, by="owner")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="pipeline"):
        sql.owner_performance(engine, "deals")  # type: ignore[arg-type]
    engine.dispose()


def test_sqlite_sums_money_exactly(tmp_path: Path) -> None:
    """SQLite's own sum adds binary floats (the cents of 10**17 are lost); the reports'
    aggregate adds the stored decimal text exactly, to the 30 digits an amount may have."""
    amounts = ("100000000000000000.01", "0.02", "123456789012345678.123456789012", "1E-12")
    leads = [card(n, value=lm.Money.of(a, "UAH")) for n, a in enumerate(amounts)]
    uow = SQLiteUnitOfWork(tmp_path / "crm.sqlite")
    _store(uow, leads[:2])
    assert sql.funnel(uow, PIPE)[0].amount == (lm.Money.of("100000000000000000.03", "UAH"),)
    with uow:
        floats = uow.connection.execute("SELECT sum(value_amount) FROM leadmodel_lead_facts")
        assert floats.fetchone()[0] == 1e17  # what SQL's own sum says
    _store(uow, leads[2:])
    exact = Decimal("123456789012345678.123456789013")
    assert sql.funnel(uow, PIPE)[0].amount[0].amount == exact
    groups: tuple[SourceBy, ...] = ("channel", "source")
    for group in groups:
        assert sql.source_efficiency(uow, PIPE, by=group).rows[0].cost.amount == 80
    uow.close()


# -- Parquet and DuckDB ---------------------------------------------------------------------------
def _duckdb_funnel(facts: Path, changes: Path) -> dict[str, tuple[int, dict[str, Decimal]]]:
    """The documented DuckDB query (parquet.FUNNEL_SQL) over the export: per status, the
    cards that reached it and their values per currency."""
    found = duckdb.execute(
        parquet.FUNNEL_SQL,
        {
            "facts": str(facts),
            "changes": str(changes),
            "pipeline": PIPE.key,
            "statuses": [status.key for status in PIPE.statuses],
            "funnel": list(analytics.funnel_order(PIPE)),
        },
    ).fetchall()
    out: dict[str, tuple[int, dict[str, Decimal]]] = {}
    for _position, status, currency, count, amount in found:
        money = out.setdefault(status, (int(count), {}))[1]
        if currency is not None:
            money[currency] = amount
    return out


@settings(max_examples=10, deadline=None)
@given(leads=cards())
def test_the_documented_duckdb_funnel_over_the_parquet_export_equals_the_funnel(
    leads: list[lm.Lead],
) -> None:
    """export_parquet of a memory store, then parquet.FUNNEL_SQL in DuckDB: every status with
    a card has its count and exact values per currency of analytics.funnel; none other."""
    store = lm.MemoryUnitOfWork()
    with store:
        store.leads.add_many(leads)
        store.commit()
    with tempfile.TemporaryDirectory() as folder:
        facts, changes = parquet.export_parquet(store, folder)
        found = _duckdb_funnel(facts, changes)
    expected = {
        row.status: (row.count, {m.currency: m.amount for m in row.amount})
        for row in analytics.funnel(leads, PIPE)
        if row.count
    }
    assert found == expected


def test_the_export_of_an_sql_store_holds_its_projection(tmp_path: Path) -> None:
    """export_parquet of an SQLite store writes what the store's projection tables hold:
    the same rows, instants as UTC timestamps, amounts as exact text."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    leads = [card(n, steps=(1, 2), end="lost", value=lm.Money.of("12.30", "UAH")) for n in range(3)]
    uow = SQLiteUnitOfWork(tmp_path / "crm.sqlite")
    _store(uow, leads)
    facts, changes = parquet.export_parquet(uow, tmp_path / "export")
    with uow:
        stored = uow.connection.execute("SELECT * FROM leadmodel_lead_facts ORDER BY id").fetchall()
        moves = uow.connection.execute("SELECT count(*) FROM leadmodel_status_changes").fetchone()
    uow.close()
    table = pq.read_table(facts)
    assert str(table.schema.field("created").type) == "timestamp[us, tz=UTC]"
    exported = sorted(table.to_pylist(), key=lambda row: row["id"])
    assert [row["value_amount"] for row in exported] == ["12.30"] * 3
    assert [(row["id"], row["status"], row["lost_from"]) for row in exported] == [
        (r[0], r[2], r[-3]) for r in stored
    ]
    assert [lm.storage._rows.micros(row["created"]) for row in exported] == [r[3] for r in stored]
    assert pq.read_table(changes).num_rows == moves[0] == 3 * 4
    assert analytics.funnel(leads, PIPE) == sql.funnel(f"sqlite:///{tmp_path / 'crm.sqlite'}", PIPE)
