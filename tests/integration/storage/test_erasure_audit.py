"""Erasure audit: after ``erase_person`` no personal value is left in any live row of any table
on any adapter, nor, on SQLite, in the bytes of the database file and its WAL (docs/privacy.md).

One person leaves a trail through the whole ladder (two interests by email and messenger, one
by phone only, a lead with a move note, a B2B conversion into her sole proprietorship with a
customer custom field); the erase starts from her email alone.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

import leadmodel as lm
from leadmodel import pipelines, services
from leadmodel.storage import KINDS, UnitOfWork
from leadmodel.storage.sql import SqlUnitOfWork, create_schema, make_engine, metadata

from . import _pg

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EMAIL = "zoryana.markerchuk@kvitka-mail.ua"
PHONE = "+380671234598"
HANDLE = "zoryana_mrk"
COMPANY = "ФОП Маркерчук Зоряна Петрівна"
# Every personal value of the person, as written and in the forms a row or file may hold.
MARKERS = (
    "Маркерчук",
    "Зоряна",
    "zoryana.markerchuk",
    "kvitka-mail",
    "671234598",
    HANDLE,
    "CUSTOMER-ZM-VIP",
    "Прошу передзвонити",
    "дзвонила двічі",
    "тільки телефон",
)
OTHERS = ("Ivan Petrenko", "ivan@example.com", "ТОВ «Меблі-Сервіс»")


def _clock() -> Callable[[], datetime]:
    ticks = count()
    return lambda: AT + timedelta(minutes=next(ticks))


def _live_scenario(uow: Callable[[], UnitOfWork], clock: Callable[[], datetime]) -> None:
    """Zoryana's records on every rung, and Ivan's (who must be left alone)."""
    ids = lm.sequential_ids("z")
    form = lm.Source(channel=lm.Channel.form)
    email, phone = lm.ContactPoint.email(EMAIL), lm.ContactPoint.phone(PHONE)
    first = services.capture_interest(
        uow(),
        source=form,
        topic="Квіти",
        message="Прошу передзвонити, Зоряна",
        person_name="Зоряна Маркерчук",
        contact_points=[email],
        company_name=COMPANY,
        clock=clock,
        ids=ids,
    )
    services.capture_interest(
        uow(),
        source=form,
        topic="Квіти",
        person_name="Зоряна",
        contact_points=[lm.ContactPoint.messenger("telegram", HANDLE), email],
        clock=clock,
        ids=ids,
    )
    services.capture_interest(
        uow(),
        source=form,
        topic="Квіти",
        message="тільки телефон, Маркерчук",
        person_name="Маркерчук З.",
        contact_points=[phone],
        clock=clock,
        ids=ids,
    )
    ivan = services.capture_interest(
        uow(),
        source=form,
        topic="Меблі",
        person_name=OTHERS[0],
        contact_points=[lm.ContactPoint.email(OTHERS[1])],
        company_name=OTHERS[2],
        clock=clock,
        ids=ids,
    )
    services.promote(uow(), ivan.id, clock=clock, ids=ids)
    lead = services.promote(
        uow(),
        first.id,
        contact_points=[email, phone],
        pipeline=pipelines.KEYCRM_REQUESTS,
        clock=clock,
        ids=ids,
    )
    services.move(
        uow(), lead.id, pipelines.KEYCRM_REQUESTS, "in_work", note="дзвонила двічі", clock=clock
    )
    done = services.convert(uow(), lead.id, customer_kind="company", clock=clock, ids=ids)
    with uow() as unit:
        customer = unit.customers.get(done.customer.id)
        unit.customers.save(attrs.evolve(customer, custom={"tier": "CUSTOMER-ZM-VIP"}))
        unit.commit()


def _found(text: str, markers: tuple[str, ...]) -> list[str]:
    escaped = {m: json.dumps(m)[1:-1] for m in markers}  # JSON may store \\uXXXX escapes
    return [m for m in markers if m in text or escaped[m] in text]


def _in_bytes(data: bytes, markers: tuple[str, ...]) -> list[str]:
    forms = {m: (m.encode(), json.dumps(m)[1:-1].encode()) for m in markers}
    return [m for m, (raw, esc) in forms.items() if raw in data or esc in data]


def _records_text(uow: UnitOfWork) -> str:
    """Every stored record and outbox event of ``uow``, as JSON."""
    with uow:
        parts = [lm.to_json(e) for kind in KINDS for e in getattr(uow, kind).iter_all()]
        parts += [lm.to_json(stored.event) for stored in uow.outbox.pending(limit=10_000)]
    return "\n".join(p.decode() if isinstance(p, bytes) else p for p in parts)


def _rows_text(conn: sa.Connection | sqlite3.Connection, tables: list[str]) -> str:
    found = []
    for name in tables:
        sql = f"SELECT * FROM {name}"  # noqa: S608 - our own table names
        rows = conn.exec_driver_sql(sql) if isinstance(conn, sa.Connection) else conn.execute(sql)
        found += [repr(tuple(row)) for row in rows]
    return "\n".join(found)


def _erase_and_check_records(uow: Callable[[], UnitOfWork]) -> None:
    clock = _clock()
    _live_scenario(uow, clock)
    assert _found(_records_text(uow()), MARKERS)  # the audit can see the values
    event = services.erase_person(uow(), key=f"email:{EMAIL}", by="dpo", clock=clock)
    assert len(event.interest_ids) == 3  # the phone-only interest too: keys are followed
    assert event.company_ids
    assert event.customer_ids
    text = _records_text(uow())
    assert _found(text, MARKERS) == []
    assert _found(text, OTHERS) == list(OTHERS)  # Ivan and his company are untouched


def _file_leftovers(path: Path) -> list[str]:
    data = path.read_bytes()
    wal = Path(f"{path}-wal")
    data += wal.read_bytes() if wal.exists() else b""
    return _in_bytes(data, MARKERS)


def test_erasure_leaves_no_personal_value_in_memory() -> None:
    store = lm.MemoryStore()
    _erase_and_check_records(lambda: lm.MemoryUnitOfWork(store))


def test_erasure_leaves_no_personal_value_in_sqlite_rows_file_or_wal(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    uow = lm.SQLiteUnitOfWork(path)  # one connection, open the whole time: no close-checkpoint
    try:
        _erase_and_check_records(lambda: uow)
        tables = [
            r[0]
            for r in uow.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        assert _found(_rows_text(uow.connection, tables), MARKERS) == []
        assert _file_leftovers(path) == []
    finally:
        uow.close()


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[sa.Engine]:
    try:
        with _pg.server() as url:
            engine = make_engine(url)
            create_schema(engine)
            yield engine
            engine.dispose()
    except _pg.Unavailable as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {missing}")
        pytest.skip(str(missing))


def test_erasure_leaves_no_personal_value_in_sql_adapter_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    try:
        _erase_and_check_records(lambda: SqlUnitOfWork(engine))
        with engine.connect() as conn:
            text = _rows_text(conn, [t.name for t in metadata.sorted_tables])
        assert _found(text, MARKERS) == []
        assert _file_leftovers(path) == []
    finally:
        engine.dispose()


def test_erasure_leaves_no_personal_value_in_postgres_live_rows(pg_engine: sa.Engine) -> None:
    _erase_and_check_records(lambda: SqlUnitOfWork(pg_engine))
    with pg_engine.connect() as conn:
        text = _rows_text(conn, [t.fullname for t in metadata.sorted_tables])
    assert _found(text, MARKERS) == []
