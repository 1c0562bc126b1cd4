"""The ``leadmodel`` command line.

``leadmodel demo`` runs the demo; ``leadmodel pipeline check FILE`` checks a pipeline spec
(TOML, or JSON by extension) and lists every problem with its line; ``leadmodel pipeline
diagram FILE`` prints its Mermaid (or ``--format dot``) diagram.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from leadmodel.domain.pipeline.spec import StatusKind

if TYPE_CHECKING:
    from leadmodel.domain.pipeline import Pipeline

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


def _demo() -> int:
    """Promote interests, move the leads through the KeyCRM-style pipeline, print the funnel."""
    import leadmodel as lm

    requests = lm.pipelines.KEYCRM_REQUESTS
    ids = lm.sequential_ids("id")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    leads = []
    for n, (name, email, channel, path) in enumerate(_DEMO_PEOPLE):
        at = start + timedelta(hours=n)
        interest = lm.Interest(
            id=lm.InterestId(ids()),
            occurred_at=at,
            topic="Office furniture",
            source=lm.Source(channel=lm.Channel(channel)),
        )
        lead = lm.promote(
            interest,
            at=at,
            person_name=name,
            contact_points=(lm.ContactPoint.email(email),),
            ids=ids,
        )
        lead = requests.enter(lead, at=at, by="anna")
        for step, status in enumerate(path, start=1):
            reason = "no_budget" if status == "lost" else None
            lead = requests.move(
                lead, status, at=at + timedelta(days=step), by="anna", reason=reason
            )
        leads.append(lm.from_json(lm.Lead, lm.to_json(lead)))  # stored and loaded back
    print(
        f"leadmodel {lm.__version__} demo: {len(leads)} leads in {requests.spec.label!r}, "
        "round-tripped through JSON"
    )
    for column in requests.statuses:
        reached = sum(any(c.to_status == column.key for c in lead.history) for lead in leads)
        print(f"  {column.label:<22} {reached:>3}  {'█' * reached}")
    return 0


def _load_pipeline(path: Path, guard_names: Sequence[str]) -> Pipeline:
    from leadmodel.domain.pipeline import Guards, Pipeline

    # the command line cannot run the host app's guards: declared names count as registered
    guards = (
        Guards({name: (lambda _lead, _to: True) for name in guard_names}) if guard_names else None
    )
    if path.suffix.lower() == ".json":
        return Pipeline.from_json(path.read_bytes(), guards=guards)
    return Pipeline.from_toml(path, guards=guards)


def _pipeline_command(args: argparse.Namespace) -> int:
    from leadmodel.errors import PipelineSpecError

    path = Path(args.file)
    try:
        pipeline = _load_pipeline(path, args.guard)
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except PipelineSpecError as exc:
        print(f"{path}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        if any("guard" in p.message for p in exc.problems):
            print("  (declare the guards your app registers with --guard NAME)", file=sys.stderr)
        return 1
    if args.action == "check":
        kinds = {k.value: sum(s.kind is k for s in pipeline.statuses) for k in StatusKind}
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
    commands.add_parser("demo", help="run the demo on built-in sample data")
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
    return _demo()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
