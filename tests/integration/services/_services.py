"""Shared by the service tests: stores on every adapter, snapshots, seeded scenarios."""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import leadmodel as lm
from leadmodel import DomainEvent, serde
from leadmodel.storage import (
    KINDS,
    MemoryStore,
    MemoryUnitOfWork,
    SQLiteUnitOfWork,
    UnitOfWork,
)
from leadmodel.storage.sql import SqlUnitOfWork, make_engine
from tests.integration.storage import _pg

ADAPTERS = ("memory", "sqlite", "postgres")

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = AT + timedelta(days=3)


def clock(at: datetime = AT) -> Callable[[], datetime]:
    """A clock that always says ``at``."""
    return lambda: at


Snapshot = dict[str, list[Any]]

_STORE_NUMBERS = itertools.count(1)  # every SQLite file another name, across Stores objects


_SERVER = contextlib.ExitStack()
atexit.register(_SERVER.close)
_POSTGRES: list[str] = []


def postgres_url() -> str:
    """The URL of the session's PostgreSQL server, started on first use (as the storage tests
    start theirs; skips without server binaries, fails on CI)."""
    if not _POSTGRES:
        try:
            _POSTGRES.append(_SERVER.enter_context(_pg.server()))
        except _pg.Unavailable as missing:
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI must run the PostgreSQL tests: {missing}")
            pytest.skip(str(missing))
    return _POSTGRES[0]


Store = MemoryStore | Path | sa.Engine


class Stores:
    """Makes fresh stores on one adapter; each ``unit(store)`` is a new unit object on it.

    ``postgres``: each store is a schema of its own on the session's server."""

    def __init__(self, adapter: str, tmp_path: Path) -> None:
        self.adapter = adapter
        self._tmp = tmp_path
        self._open: list[SQLiteUnitOfWork | SqlUnitOfWork] = []
        self._engines: list[sa.Engine] = []

    def new(self) -> Store:
        """A new, empty store."""
        number = next(_STORE_NUMBERS)
        if self.adapter == "memory":
            return MemoryStore()
        if self.adapter == "postgres":
            url = sa.make_url(postgres_url())
            schema = f"services_{os.getpid()}_{number}"
            engine = sa.create_engine(url.set(query={}))
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            engine.dispose()
            store = make_engine(url.update_query_dict({"options": f"-csearch_path={schema}"}))
            self._engines.append(store)
            return store
        return self._tmp / f"store-{number}.sqlite"

    def unit(self, store: Store) -> UnitOfWork:
        """A new unit of work object on ``store``."""
        if isinstance(store, MemoryStore):
            return MemoryUnitOfWork(store)
        unit: SQLiteUnitOfWork | SqlUnitOfWork
        unit = SqlUnitOfWork(store) if isinstance(store, sa.Engine) else SQLiteUnitOfWork(store)
        self._open.append(unit)
        return unit

    def close(self) -> None:
        for unit in self._open:
            unit.close()
        self._open.clear()
        for engine in self._engines:
            engine.dispose()
        self._engines.clear()


def snapshot(uow: UnitOfWork) -> Snapshot:
    """Every stored entity and outbox entry, as serde documents (the store, compared whole)."""
    with uow:
        found: Snapshot = {
            kind: [serde.to_dict(entity) for entity in getattr(uow, kind).iter_all()]
            for kind in KINDS
        }
        found["outbox"] = [
            (stored.seq, stored.published, serde.to_dict(stored.event))
            for stored in uow.outbox.pending(limit=10_000)
        ]
    return found


def events(uow: UnitOfWork) -> list[DomainEvent]:
    """The unpublished events in the outbox, oldest first."""
    with uow:
        return [stored.event for stored in uow.outbox.pending(limit=10_000)]


def add(uow: UnitOfWork, *records: Any) -> None:
    """Store ``records`` in one unit (each in the repository of its type)."""
    kinds = {lm.Interest: "interests", lm.Lead: "leads", lm.Contact: "contacts"}
    kinds |= {lm.Company: "companies", lm.Customer: "customers"}
    with uow:
        for record in records:
            getattr(uow, kinds[type(record)]).add(record)
        uow.commit()


EMAIL = lm.ContactPoint.email("olena@mebli.ua")
PHONE = lm.ContactPoint.phone("+380501234567")
SOURCE = lm.Source(channel=lm.Channel.form)


def interest(n: int, **overrides: Any) -> lm.Interest:
    fields: dict[str, Any] = {
        "id": lm.InterestId(f"int-{n}"),
        "occurred_at": AT,
        "source": SOURCE,
        "topic": "Office chairs",
    }
    fields.update(overrides)
    return lm.Interest(**fields)


def lead(n: int, **overrides: Any) -> lm.Lead:
    fields: dict[str, Any] = {
        "id": lm.LeadId(f"lead-{n}"),
        "person_name": "Olena Koval",
        "contact_points": (EMAIL,),
        "topic": "Office chairs",
        "source": SOURCE,
        "created_at": AT,
    }
    fields.update(overrides)
    return lm.Lead(**fields)


def contact(n: int, **overrides: Any) -> lm.Contact:
    fields: dict[str, Any] = {
        "id": lm.ContactId(f"contact-{n}"),
        "name": "Olena Koval",
        "contact_points": (EMAIL,),
    }
    fields.update(overrides)
    return lm.Contact(**fields)


def person_customer(n: int, contact_id: str, *lead_ids: str) -> lm.Customer:
    return lm.Customer(
        id=lm.CustomerId(f"customer-{n}"),
        kind=lm.CustomerKind.person,
        since=AT,
        origin=lm.CustomerOrigin.from_lead,
        contact_id=lm.ContactId(contact_id),
        lead_ids=tuple(lm.LeadId(i) for i in lead_ids),
    )


# -- the scenarios the fault tests run on every adapter --------------------------------------
def seed_b2c_known_person(uow: UnitOfWork) -> None:
    """A person customer with a contact, and a new lead of that person with one more phone."""
    add(
        uow,
        contact(1),
        person_customer(1, "contact-1", "lead-0"),
        lead(1, contact_points=(EMAIL, PHONE)),
    )


def seed_b2b_known_company(uow: UnitOfWork) -> None:
    """A company with a domain, its contact and company customer; a lead from that company."""
    company = lm.Company(id=lm.CompanyId("company-1"), name="Mebli Plus", domain="mebli.ua")
    customer = lm.Customer(
        id=lm.CustomerId("customer-1"),
        kind=lm.CustomerKind.company,
        since=AT,
        origin=lm.CustomerOrigin.from_import,
        company_id=company.id,
    )
    add(
        uow,
        company,
        contact(1, company_id=company.id),
        customer,
        lead(1, company_name="Mebli Plus", contact_points=(EMAIL, PHONE)),
    )


def seed_duplicate_leads(uow: UnitOfWork) -> None:
    """Three leads of one person, each with its interest; the third converted to a customer."""
    links = lm.ConversionLinks(customer_id=lm.CustomerId("customer-1"), at=AT)
    add(
        uow,
        interest(1, lead_id=lm.LeadId("lead-1")),
        interest(2, lead_id=lm.LeadId("lead-2")),
        interest(3, lead_id=lm.LeadId("lead-3")),
        lead(1, interest_ids=(lm.InterestId("int-1"),)),
        lead(2, interest_ids=(lm.InterestId("int-2"),), contact_points=(PHONE,), owner="anna"),
        lead(
            3,
            interest_ids=(lm.InterestId("int-3"),),
            converted=links,
            customer_id=links.customer_id,
        ),
        contact(1),
        person_customer(1, "contact-1", "lead-3"),
    )


def seed_duplicate_contacts(uow: UnitOfWork) -> None:
    """Two contacts of one person; the second is a customer's contact."""
    add(
        uow,
        contact(1),
        contact(2, contact_points=(PHONE,), role="buyer"),
        person_customer(1, "contact-2"),
    )


# -- what every service test takes: a unit of work factory, a pipeline -------------------
MakeUnit = Callable[[], UnitOfWork]
"""Makes a new unit of work object on one store (the ``make_uow`` fixture in conftest.py)."""

PIPELINE = lm.Pipeline.from_dict(
    {
        "key": "requests",
        "label": "Requests",
        "statuses": [
            {
                "key": "new",
                "label": "New",
                "on_enter": [
                    {"action": "send_email", "template": "welcome"},
                    {"action": "create_task", "title": "Call back"},
                ],
            },
            {
                "key": "offer",
                "label": "Offer sent",
                "on_enter": [{"action": "schedule_call", "in_minutes": 60}],
            },
            {"key": "won", "label": "Won", "kind": "won"},
            {"key": "lost", "label": "Lost", "kind": "lost", "lost_reasons": ["no_budget"]},
        ],
    }
)
