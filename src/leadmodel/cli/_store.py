"""The commands over a stored base: ``dedup DB`` (duplicates, ``--merge-safe``), ``sla DB``
(replies due and breached), ``erase DB --key ...`` (forget a person)."""

from __future__ import annotations

import argparse
import tomllib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import leadmodel as lm
from leadmodel.cli._common import UserError, open_store, progress, table

__all__ = ["add"]

_SHOWN = 10  # rows of a listing printed (the counts say how many there are)
_IDS = 4  # ids of a group printed


def add(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``dedup``, ``sla`` and ``erase`` commands."""
    dedup = commands.add_parser("dedup", help="find duplicate leads or contacts, merge the safe")
    dedup.add_argument("db", type=Path, help="the SQLite database")
    dedup.add_argument("--kind", choices=("leads", "contacts"), default="leads")
    dedup.add_argument(
        "--merge-safe",
        action="store_true",
        help="merge every group only safe rules linked (the same mailbox, phone or handle)",
    )
    dedup.add_argument("--by", default="leadmodel-cli", help="who merges (recorded)")
    dedup.set_defaults(run=_dedup)
    sla = commands.add_parser("sla", help="replies due and breached under SLA policies")
    sla.add_argument("db", type=Path, help="the SQLite database")
    sla.add_argument(
        "--policies",
        type=Path,
        help="a TOML file of [[policies]] (SlaPolicy documents); default: --first-response",
    )
    sla.add_argument(
        "--first-response",
        type=_minutes,
        default=timedelta(hours=1),
        metavar="MINUTES",
        help="one policy for every lead: the first reply within MINUTES (default 60)",
    )
    sla.add_argument("--at", type=_instant, help="when (ISO 8601; default: now)")
    sla.add_argument(
        "--sweep", action="store_true", help="also run the sweep: emit SlaBreached/Escalated once"
    )
    sla.set_defaults(run=_sla)
    erase = commands.add_parser("erase", help="forget a person: personal data goes, stats stay")
    erase.add_argument("db", type=Path, help="the SQLite database")
    erase.add_argument("--key", required=True, help="the person's key: email:…, phone:…, handle:…")
    erase.add_argument("--by", default="leadmodel-cli", help="who asked (recorded)")
    erase.set_defaults(run=_erase)


def _minutes(text: str) -> timedelta:
    try:
        minutes = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not 0 < minutes <= 366 * 24 * 60:
        raise argparse.ArgumentTypeError(f"{text!r}: minutes above 0, at most a year")
    return timedelta(minutes=minutes)


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _walk(uow: lm.SQLiteUnitOfWork, kind: str) -> Iterator[Any]:
    with uow:
        total = getattr(uow, kind).count()
        yield from progress(getattr(uow, kind).iter_all(), total=total, label=f"reading {kind}")


def _dedup(args: argparse.Namespace) -> int:
    with open_store(args.db) as uow:
        records = list(_walk(uow, args.kind))
        report = lm.duplicate_report(records)
        table(
            f"Duplicate {args.kind}",
            ("", "groups", "records in them"),
            [
                ("safe to merge", len(report.safe), sum(len(g.members) for g in report.safe)),
                ("to review", len(report.review), sum(len(g.members) for g in report.review)),
            ],
        )
        rows = [
            (", ".join(group.ids[:_IDS]) + (" …" if len(group.ids) > _IDS else ""),
             " + ".join(group.rules), "safe" if group.safe else "review")
            for group in report.groups[:_SHOWN]
        ]  # fmt: skip
        if rows:
            table(f"The first {len(rows)} groups", ("records", "linked by", ""), rows)
        if args.merge_safe:
            merged = 0
            for group in progress(report.safe, total=len(report.safe), label="merging"):
                survivor, *others = sorted(group.ids)
                lm.services.merge(uow, survivor, *others, kind=args.kind, by=args.by)
                merged += len(others)
            print(f"merged {merged:,} records into {len(report.safe):,} survivors")
    return 0


def _policies(path: Path | None, first: timedelta) -> list[lm.SlaPolicy]:
    if path is None:
        return [lm.SlaPolicy(key="cli", first_response=first)]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not TOML: {exc}") from None
    found = data.get("policies")
    if not isinstance(found, list) or not found:
        raise UserError(f"{path}: expected [[policies]] tables, each an SlaPolicy document")
    return [lm.SlaPolicy.from_dict(item) for item in found]


def _sla(args: argparse.Namespace) -> int:
    policies = _policies(args.policies, args.first_response)
    at = args.at or datetime.now(UTC)
    states: Counter[str] = Counter()
    late: list[tuple[str, str, str, str]] = []
    with open_store(args.db) as uow:
        for lead in _walk(uow, "leads"):
            clocks = lm.sla_clocks(lead, policies, at=at)
            if not clocks:
                continue
            clock = clocks[-1]
            states[clock.state.value] += 1
            if clock.state is lm.SlaState.breached and len(late) < _SHOWN:
                late.append((lead.id, lead.owner or "—", f"{clock.due_at:%Y-%m-%d %H:%M %Z}",
                             clock.kind.value))  # fmt: skip
        table(f"Replies at {at:%Y-%m-%d %H:%M %Z}", ("state", "leads"), sorted(states.items()))
        if late:
            table("Breached (the first)", ("lead", "owner", "was due", "reply"), late)
        if args.sweep:
            done = lm.services.sweep(uow, policies, at=at, by="leadmodel-cli")
            print(f"sweep: {len(done.breached):,} breached, {len(done.escalated):,} escalated")
    return 0


def _erase(args: argparse.Namespace) -> int:
    with open_store(args.db) as uow:
        event = lm.services.erase_person(uow, key=args.key, by=args.by)
    erased = {
        "interests": len(event.interest_ids),
        "leads": len(event.lead_ids),
        "contacts": len(event.contact_ids),
    }
    if not any(erased.values()):
        raise UserError(f"nobody is stored under {args.key}")
    table("Erased", ("records", "count"), list(erased.items()))
    return 0
