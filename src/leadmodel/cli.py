"""The ``leadmodel`` command line: ``leadmodel demo`` (more commands arrive with later features)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="leadmodel", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the demo on built-in sample data")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo()
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse rejects first
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
