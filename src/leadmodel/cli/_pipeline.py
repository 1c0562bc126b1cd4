"""``leadmodel pipeline check|diagram FILE``: check a pipeline spec, or draw it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import leadmodel as lm
from leadmodel.cli._common import UserError

__all__ = ["add", "run"]


def add(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``pipeline`` command and its actions."""
    pipeline = commands.add_parser("pipeline", help="check or draw a pipeline spec")
    actions = pipeline.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="list every problem of a spec (exit 1 if any)")
    diagram = actions.add_parser("diagram", help="print the spec's diagram")
    diagram.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    for sub in (check, diagram):
        sub.add_argument("file", type=Path, help="a pipeline spec: .toml (or .json)")
        sub.add_argument(
            "--guard",
            action="append",
            default=[],
            metavar="NAME",
            help="a guard name your app registers (repeatable)",
        )
    pipeline.set_defaults(run=run)


def _load(path: Path, guard_names: Sequence[str]) -> lm.Pipeline:
    # the command line cannot run the host app's guards: declared names count as registered
    guards = (
        lm.Guards({name: (lambda _lead, _to: True) for name in guard_names})
        if guard_names
        else None
    )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        return lm.Pipeline.from_json(data, guards=guards)
    return lm.Pipeline.from_toml(data, guards=guards)


def run(args: argparse.Namespace) -> int:
    """Check or draw the spec; exit 1 with every problem listed when it has any."""
    path: Path = args.file
    try:
        pipeline = _load(path, args.guard)
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
