"""What every service shares: the clock, reading a link, the event of a status move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from leadmodel._kernel import checks as c
from leadmodel.domain.events import StatusChanged
from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead
from leadmodel.domain.model.records import StatusChange
from leadmodel.domain.pipeline import Pipeline
from leadmodel.errors import NotFoundError
from leadmodel.storage.protocols import Repository

Clock = Callable[[], datetime]
"""A zero-argument callable returning the current time, timezone-aware."""

E = TypeVar("E", Interest, Lead, Contact, Company, Customer)


def utc_now() -> datetime:
    """The current time in UTC: the default clock of every service."""
    return datetime.now(UTC)


def now(clock: Clock) -> datetime:
    """The time ``clock`` gives, checked to be timezone-aware."""
    at = clock()
    p: c.Problems = []
    c.aware(p, "clock()", at)
    if p:
        c.fail("services", p)
    return at


def linked(repository: Repository[E], entity_id: str | None) -> E | None:
    """The stored entity a link points to, or ``None`` when there is no link or no entity."""
    if entity_id is None:
        return None
    try:
        return repository.get(entity_id)
    except NotFoundError:
        return None


def status_changed(pipeline: Pipeline, lead: Lead, change: StatusChange) -> StatusChanged:
    """The event of a recorded move, with the actions it triggers for this lead."""
    return StatusChanged(
        lead_id=lead.id,
        pipeline=change.pipeline,
        from_status=change.from_status,
        to_status=change.to_status,
        at=change.at,
        by=change.by,
        reason=change.reason,
        actions=pipeline.actions(change, lead),
    )
