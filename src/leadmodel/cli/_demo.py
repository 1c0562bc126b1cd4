"""``leadmodel demo``: the main job on embedded SQLite (``--db PATH`` keeps the database)."""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import leadmodel as lm
from leadmodel.cli._common import UserError

__all__ = ["add", "run"]


_DEMO_PEOPLE = (
    (
        "Олена Коваль",
        "olena@example.com",
        "instagram_dm",
        ("in_work", "qualified", "offer_sent", "won"),
    ),
    ("Ivan Petrenko", "ivan@example.org", "form", ("in_work", "lost")),
    ("Марія Шевченко", "maria@приклад.укр", "telegram", ("in_work", "qualified")),
    ("Jane Roe", "jane@acme.example", "email", ("in_work", "qualified", "offer_sent", "lost")),
    ("Тарас Бондар", "taras@example.com", "phone_call", ()),
)


def add(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``demo`` command."""
    demo = commands.add_parser("demo", help="run the demo on built-in sample data (SQLite)")
    demo.add_argument("--db", type=Path, help="keep the SQLite database at this path")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    return _demo(args.db)


def _demo(db: Path | None) -> int:
    """The main job on embedded SQLite: capture interests, promote them, move the leads
    through the KeyCRM-style pipeline, qualify and convert the won ones, print the funnel."""
    if db is not None and db.exists():
        raise UserError(f"{db}: exists; the demo writes a new database — pass a new path")
    with tempfile.TemporaryDirectory() as scratch:
        path = db if db is not None else Path(scratch) / "demo.sqlite"
        uow = lm.SQLiteUnitOfWork(path)
        try:
            _demo_run(uow)
            return _demo_report(uow, path if db is not None else None)
        finally:
            uow.close()


def _demo_run(uow: lm.SQLiteUnitOfWork) -> None:
    requests = lm.pipelines.KEYCRM_REQUESTS
    ids = lm.sequential_ids("id")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for n, (name, email, channel, path) in enumerate(_DEMO_PEOPLE):
        when = [start + timedelta(hours=n)]

        def clock(when: list[datetime] = when) -> datetime:
            when[0] += timedelta(hours=1)  # each step one hour after the last
            return when[0]

        interest = lm.services.capture_interest(
            uow,
            source=lm.Source(channel=lm.Channel(channel)),
            topic="Office furniture",
            clock=clock,
            ids=ids,
        )
        lead = lm.services.promote(
            uow,
            interest.id,
            person_name=name,
            contact_points=[lm.ContactPoint.email(email)],
            pipeline=requests,
            by="anna",
            clock=clock,
            ids=ids,
        )
        for status in path:
            if status == "qualified":
                answers = [lm.Answer(criterion=c.key, met=True) for c in lm.BANT.criteria]
                lm.services.assess(uow, lead.id, lm.BANT, answers, by="anna", clock=clock)
            reason = "no_budget" if status == "lost" else None
            lm.services.move(uow, lead.id, requests, status, by="anna", reason=reason, clock=clock)
        if path and path[-1] == "won":
            lm.services.convert(
                uow, lead.id, deal_ref=f"order-{n}", by="anna", clock=clock, ids=ids
            )


def _demo_report(uow: lm.SQLiteUnitOfWork, kept: Path | None) -> int:
    requests = lm.pipelines.KEYCRM_REQUESTS
    with uow:
        leads = list(uow.leads.iter_all())
        customers = uow.customers.count()
        events = Counter(stored.event.type for stored in uow.outbox.pending(limit=1000))
    print(
        f"leadmodel {lm.__version__} demo: {len(leads)} leads in {requests.spec.label!r}, "
        f"{customers} customer(s), stored in SQLite"
    )
    for column in requests.statuses:
        reached = sum(any(c.to_status == column.key for c in lead.history) for lead in leads)
        print(f"  {column.label:<22} {reached:>3}  {'█' * reached}")
    print("outbox: " + ", ".join(f"{n} {kind}" for kind, n in sorted(events.items())))
    if kept is not None:
        print(f"database: {kept}")
    return 0
