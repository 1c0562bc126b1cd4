"""Time goes forward: an operation on a record is dated at or after the record's last entry.

A record's entries are the times it holds: when it was made (``created_at``, ``occurred_at``),
its status moves, lifecycle moves, loss, conversion, assessments, merges, consent records
(given, asked to confirm, confirmed, withdrawn, erased) and erasure.
:func:`check_not_before` is the one check every operation that records a time runs (convert,
recycle, enter, promote, erase, merge; a pipeline ``move`` checks its own history the same
way); it compares instants, whatever the time zones.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, Interest, InterestId, Source
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> call = Interest(id=InterestId("I-1"), occurred_at=at, topic="Chairs",
...     source=Source(channel=Channel.phone_call))
>>> last_entry(call)
('occurred_at', datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone.utc))
>>> check_not_before(call, datetime(2026, 3, 1, tzinfo=timezone.utc), "promote")
Traceback (most recent call last):
...
leadmodel.errors.TimeOrderError: promote: interest I-1 is dated 2026-03-01T00:00:00+00:00,
before its last entry occurred_at at 2026-03-02T09:00:00+00:00; date it at or after ...
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from leadmodel._kernel import checks as c
from leadmodel.domain.model.entities import Contact, Customer, Interest, Lead
from leadmodel.errors import TimeOrderError

__all__ = ["check_not_before", "last_entry"]

Dated = Interest | Lead | Contact | Customer


def _entries(record: Dated) -> Iterator[tuple[str, datetime | None]]:
    if isinstance(record, Interest):
        yield "occurred_at", record.occurred_at
    elif isinstance(record, Customer):
        yield "since", record.since
        return
    if isinstance(record, Lead):
        yield "created_at", record.created_at
        for field in ("history", "stages", "assessments"):
            items = getattr(record, field)
            if items:  # each in time order, but assessments need not be
                i = max(range(len(items)), key=lambda n: items[n].at)
                yield f"{field}[{i}]", items[i].at
        yield "lost", record.lost.at if record.lost else None
        yield "converted", record.converted.at if record.converted else None
    if isinstance(record, Lead | Contact) and record.merges:
        yield f"merges[{len(record.merges) - 1}]", record.merges[-1].at
    for i, consent in enumerate(record.consents):  # given, asked, confirmed, withdrawn, erased
        for field in ("at", "requested_at", "confirmed_at", "withdrawn_at", "erased_at"):
            yield f"consents[{i}].{field}", getattr(consent, field)
    yield "erased_at", record.erased_at


def last_entry(record: Dated) -> tuple[str, datetime] | None:
    """The latest time ``record`` holds, and where: ``('history[2]', datetime(...))``."""
    found: tuple[str, datetime] | None = None
    for where, at in _entries(record):
        if at is not None and (found is None or at > found[1]):
            found = (where, at)
    return found


def check_not_before(record: Dated, at: object, operation: str) -> None:
    """Raise :class:`~leadmodel.errors.TimeOrderError` when ``at`` is before ``record``'s last
    entry. An ``at`` that is not an aware datetime is left for the operation's own checks."""
    if type(at) is not datetime or at.utcoffset() is None:
        return
    found = last_entry(record)
    if found is not None and c.fixed_offset(at) < found[1]:
        noun = type(record).__name__.lower()
        raise TimeOrderError(
            operation, record=f"{noun} {record.id}", entry=found[0], at=at, last=found[1]
        )
