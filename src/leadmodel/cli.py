"""The ``leadmodel`` command line.

``leadmodel demo`` runs the main job on embedded SQLite (``--db PATH`` keeps the database);
``leadmodel pipeline check FILE`` checks a pipeline spec (TOML, or JSON by extension) and lists
every problem with its line; ``leadmodel pipeline diagram FILE`` prints its Mermaid (or
``--format dot``) diagram.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import leadmodel as lm

__all__ = ["main"]


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


def _demo(db: Path | None) -> int:
    """The main job on embedded SQLite: capture interests, promote them, move the leads
    through the KeyCRM-style pipeline, qualify and convert the won ones, print the funnel."""
    if db is not None and db.exists():
        print(f"{db}: exists; the demo writes a new database — pass a new path", file=sys.stderr)
        return 2
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


def _load_pipeline(path: Path, guard_names: Sequence[str]) -> lm.Pipeline:
    # the command line cannot run the host app's guards: declared names count as registered
    guards = (
        lm.Guards({name: (lambda _lead, _to: True) for name in guard_names})
        if guard_names
        else None
    )
    if path.suffix.lower() == ".json":
        return lm.Pipeline.from_json(path.read_bytes(), guards=guards)
    return lm.Pipeline.from_toml(path.read_bytes(), guards=guards)


def _pipeline_command(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        pipeline = _load_pipeline(path, args.guard)
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except lm.PipelineSpecError as exc:
        print(f"{path}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        if any("guard" in p.message for p in exc.problems):
            print("  (declare the guards your app registers with --guard NAME)", file=sys.stderr)
        return 1
    if args.action == "check":
        kinds = {k.value: sum(s.kind is k for s in pipeline.statuses) for k in lm.StatusKind}
        counts = ", ".join(f"{n} {k}" for k, n in kinds.items())
        print(
            f"{path}: ok — pipeline {pipeline.key!r}, {len(pipeline.statuses)} statuses ({counts})"
        )
    else:
        print(pipeline.to_dot() if args.format == "dot" else pipeline.to_mermaid(), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="leadmodel", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the demo on built-in sample data (SQLite)")
    demo.add_argument("--db", type=Path, help="keep the SQLite database at this path")
    pipeline = commands.add_parser("pipeline", help="check or draw a pipeline spec")
    actions = pipeline.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="list every problem of a spec (exit 1 if any)")
    diagram = actions.add_parser("diagram", help="print the spec's diagram")
    diagram.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    for sub in (check, diagram):
        sub.add_argument("file", help="a pipeline spec: .toml (or .json)")
        sub.add_argument(
            "--guard",
            action="append",
            default=[],
            metavar="NAME",
            help="a guard name your app registers (repeatable)",
        )
    args = parser.parse_args(argv)
    if args.command == "pipeline":
        return _pipeline_command(args)
    return _demo(args.db)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
