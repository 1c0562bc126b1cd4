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


def _demo() -> int:
    """Build a few leads, round-trip them through JSON and print a small status count."""
    import leadmodel as lm

    ids = lm.sequential_ids("lead")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    people = [
        ("Олена Коваль", "olena@example.com", lm.Channel.form, "new"),
        ("Ivan Petrenko", "ivan@example.org", lm.Channel.instagram_dm, "in_work"),
        ("Марія Шевченко", "maria@приклад.укр", lm.Channel.telegram, "in_work"),
        ("Acme buyer Jane Roe", "jane@acme.example", lm.Channel.email, "won"),
    ]
    leads = []
    for n, (name, email, channel, status) in enumerate(people):
        at = start + timedelta(hours=n)
        change = lm.StatusChange(pipeline="requests", from_status=None, to_status=status, at=at)
        lead = lm.Lead(
            id=lm.LeadId(ids()),
            person_name=name,
            contact_points=(lm.ContactPoint.email(email),),
            topic="Office furniture",
            source=lm.Source(channel=channel),
            created_at=at,
            pipeline="requests",
            status=status,
            history=(change,),
        )
        leads.append(lm.from_json(lm.Lead, lm.to_json(lead)))
    print(f"leadmodel {lm.__version__} demo: {len(leads)} leads, round-tripped through JSON")
    counts: dict[str, int] = {}
    for lead in leads:
        counts[lead.status or "-"] = counts.get(lead.status or "-", 0) + 1
    for status, count in counts.items():
        print(f"  {status:<10} {count:>3}  {'█' * count}")
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
