"""The ``leadmodel`` command line (``python -m leadmodel`` runs the same).

* ``leadmodel demo`` simulates a quarter of a business (``--leads N``, ``--seed``) into embedded
  SQLite, runs it through the services (capture, routing, moves, qualification, conversion,
  duplicates, the SLA sweep) and prints its analytics tables; ``--out DIR`` gets the charts and
  ``report.html``, ``--db PATH`` keeps the database;
* ``leadmodel report DB`` prints the analytics tables of a store (``--out DIR``: the files too);
* ``leadmodel pipeline check FILE`` checks a pipeline spec (TOML, or JSON by extension) and
  lists every problem with its line; ``leadmodel pipeline diagram FILE`` prints its Mermaid (or
  ``--format dot``) diagram;
* ``leadmodel dedup DB`` reports duplicate leads (``--kind contacts``) and merges the safe
  groups with ``--merge-safe``; ``leadmodel sla DB`` counts the replies due, met and breached
  (``--policies FILE`` or ``--first-response MINUTES``, ``--at``, ``--sweep``);
  ``leadmodel erase DB --key email:…`` forgets a person;
* ``leadmodel import FILE --db DB --kind leads`` imports a CSV file (``--map COLUMN=FIELD``,
  ``--mapping FILE.toml``, ``--mode create|upsert|update-only``, ``--time-zone``,
  ``--region``); ``--revert ID`` undoes an import, ``--list`` lists them; ``leadmodel export
  DB --kind leads --format csv|jsonl|parquet --out FILE`` writes a kind's records.

Exit codes: 0 done; 1 a user error, with a one-line message on stderr and no traceback (a file
that cannot be read, a database that does not exist, input the library refuses); 2 a usage
error (an unknown command or option, a missing argument).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import leadmodel as lm
from leadmodel.cli import _demo, _io, _pipeline, _report, _store
from leadmodel.cli._common import UserError

__all__ = ["main"]


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    made = argparse.ArgumentParser(prog="leadmodel", description=__doc__.split("\n\n")[0])
    made.add_argument("--version", action="version", version=f"leadmodel {lm.__version__}")
    commands = made.add_subparsers(dest="command", required=True)
    for command in (_demo, _report, _pipeline, _store, _io):
        command.add(commands)
    return made


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (a usage error exits 2 through argparse)."""
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except UserError as exc:
        print(f"leadmodel {args.command}: {exc}", file=sys.stderr)
        return 1
    except lm.LeadModelError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        said = " ".join(lines[:1]) + (" " + "; ".join(lines[1:]) if len(lines) > 1 else "")
        print(f"leadmodel {args.command}: {type(exc).__name__}: {said}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"leadmodel {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
