"""Domain events: what happened, for the host app to react to (DESIGN "Services, storage, events").

Services collect events in the unit of work's outbox while they change the store; the events
are saved in the same transaction as the change, so a host that publishes the outbox never
announces a change that was rolled back, and never misses one that was committed.

Events are small frozen records that carry ids and facts, not whole entities: read the entity
from the store when you need it. Each has ``at`` (when it happened) and ``by`` (who did it).

>>> from datetime import datetime, timezone
>>> event = LeadCreated(lead_id="L-1", interest_ids=("I-1",), at=datetime(2026, 3, 1,
...     tzinfo=timezone.utc), by="anna")
>>> event.type
'LeadCreated'
>>> event_type("LeadCreated") is LeadCreated
True
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.pipeline import ActionSpec
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "EVENT_TYPES",
    "DomainEvent",
    "InterestCaptured",
    "LeadConverted",
    "LeadCreated",
    "LeadQualified",
    "LeadsMerged",
    "PersonErased",
    "StatusChanged",
    "event_type",
]


def _check_common(event: object, ids: dict[str, object]) -> None:
    p: c.Problems = []
    for path, value in ids.items():
        c.text(p, path, value, f"the {path.replace('_', ' ')}")
    c.aware(p, "at", getattr(event, "at"))  # noqa: B009
    c.opt_text(p, "by", getattr(event, "by"), "who did it")  # noqa: B009
    if p:
        c.fail(type(event).__name__, p)


@attrs.frozen(kw_only=True)
class InterestCaptured:
    """A new interest was stored (a call, a form, a message, a like)."""

    type: ClassVar[str] = "InterestCaptured"
    interest_id: str
    channel: str
    at: datetime
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"interest_id": self.interest_id, "channel": self.channel})


@attrs.frozen(kw_only=True)
class LeadCreated:
    """An interest was promoted to a lead (or a repeat/recycled lead was made)."""

    type: ClassVar[str] = "LeadCreated"
    lead_id: str
    interest_ids: tuple[str, ...]
    at: datetime
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"lead_id": self.lead_id})


@attrs.frozen(kw_only=True)
class StatusChanged:
    """A lead moved in a pipeline; ``actions`` are the follow-ups the host should perform."""

    type: ClassVar[str] = "StatusChanged"
    lead_id: str
    pipeline: str
    from_status: str | None
    to_status: str
    at: datetime
    by: str | None = None
    reason: str | None = None
    actions: tuple[ActionSpec, ...] = ()

    def __attrs_post_init__(self) -> None:
        _check_common(
            self, {"lead_id": self.lead_id, "pipeline": self.pipeline, "to_status": self.to_status}
        )


@attrs.frozen(kw_only=True)
class LeadQualified:
    """A qualification assessment was recorded; ``qualified`` says whether it passed."""

    type: ClassVar[str] = "LeadQualified"
    lead_id: str
    framework: str
    qualified: bool
    score: float
    at: datetime
    by: str | None = None
    missing: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"lead_id": self.lead_id, "framework": self.framework})


@attrs.frozen(kw_only=True)
class LeadConverted:
    """A lead became a customer (new or existing): the ids of what the conversion touched."""

    type: ClassVar[str] = "LeadConverted"
    lead_id: str
    customer_id: str
    at: datetime
    contact_id: str | None = None
    company_id: str | None = None
    deal_ref: str | None = None
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"lead_id": self.lead_id, "customer_id": self.customer_id})


@attrs.frozen(kw_only=True)
class LeadsMerged:
    """Duplicates were merged: ``absorbed_ids`` now point to ``survivor_id``."""

    type: ClassVar[str] = "LeadsMerged"
    entity: str  # "leads" or "contacts": which repository the records live in
    survivor_id: str
    absorbed_ids: tuple[str, ...]
    at: datetime
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"entity": self.entity, "survivor_id": self.survivor_id})


@attrs.frozen(kw_only=True)
class PersonErased:
    """A person's personal data was erased from the listed records (ids and statistics kept)."""

    type: ClassVar[str] = "PersonErased"
    interest_ids: tuple[str, ...] = ()
    lead_ids: tuple[str, ...] = ()
    contact_ids: tuple[str, ...] = ()
    at: datetime
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {})


DomainEvent = (
    InterestCaptured
    | LeadCreated
    | StatusChanged
    | LeadQualified
    | LeadConverted
    | LeadsMerged
    | PersonErased
)
"""Any of the domain events."""

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.type: cls
    for cls in (
        InterestCaptured,
        LeadCreated,
        StatusChanged,
        LeadQualified,
        LeadConverted,
        LeadsMerged,
        PersonErased,
    )
}
"""Event classes by their ``type`` name (how the outbox stores them)."""


def event_type(name: str) -> type[DomainEvent]:
    """The event class called ``name``; :class:`ValidationError` for an unknown name."""
    try:
        return EVENT_TYPES[name]
    except KeyError:
        known = ", ".join(sorted(EVENT_TYPES))
        problem = Problem("type", f"unknown event type; known: {known}", name)
        raise ValidationError([problem], model="event") from None
