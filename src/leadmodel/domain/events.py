"""Domain events: what happened, for the host app to react to (DESIGN "Services, storage, events").

Each event is built from the domain values it reports by its ``of`` classmethod
(``StatusChanged.of(pipeline, lead, change)``, ``LeadConverted.of(conversion)``...).
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

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import ClassVar, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.capture.consent import Consent
from leadmodel.domain.intake.door import CaptureResult
from leadmodel.domain.intake.policy import Decision
from leadmodel.domain.ladder import Conversion
from leadmodel.domain.matching import Merged
from leadmodel.domain.model import (
    Activity,
    ActivityKind,
    Assessment,
    Company,
    Contact,
    Customer,
    Direction,
    Interest,
    Lead,
    StatusChange,
)
from leadmodel.domain.model.activities import pairing_problem
from leadmodel.domain.pipeline import ActionSpec, Pipeline
from leadmodel.domain.routing.sla import EscalationAction, EscalationStep, SlaClock, SlaKind
from leadmodel.domain.routing.stale import StaleCard
from leadmodel.domain.routing.state import Assignment
from leadmodel.domain.values import Channel
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "CONSENT_CHANGES",
    "EVENT_TYPES",
    "ActivityLogged",
    "CardStale",
    "ConsentChanged",
    "DomainEvent",
    "EntityUpdated",
    "Escalated",
    "InterestCaptured",
    "InterestReleased",
    "LeadAssigned",
    "LeadConverted",
    "LeadCreated",
    "LeadQualified",
    "LeadReassigned",
    "LeadsMerged",
    "PersonErased",
    "SlaBreached",
    "StatusChanged",
    "event_type",
]


def _check_common(event: attrs.AttrsInstance, ids: dict[str, object]) -> None:
    p: c.Problems = []
    for path, value in ids.items():
        c.text(p, path, value, f"the {path.replace('_', ' ')}")
    for field in attrs.fields(type(event)):  # every other text an event carries is Unicode
        value = getattr(event, field.name)
        if field.name in ids:
            continue
        if type(value) is str:
            c.unicode(p, field.name, value)
        elif type(value) is tuple:
            for i, item in enumerate(value):
                c.unicode(p, f"{field.name}[{i}]", item)
    c.aware(p, "at", getattr(event, "at"))  # noqa: B009
    c.opt_text(p, "by", getattr(event, "by"), "who did it")  # noqa: B009
    if p:
        c.fail(type(event).__name__, p)


@attrs.frozen(kw_only=True)
class InterestCaptured:
    """A new interest was stored (a call, a form, a message, a like). From the front door
    (:func:`leadmodel.services.capture`): its ``decision`` (a :class:`~leadmodel.Decision`
    value), the ``reason`` in words, and the ``lead_id`` it went to (new, attached, repeat or
    reopened; ``None``: none)."""

    type: ClassVar[str] = "InterestCaptured"
    interest_id: str
    channel: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    decision: str | None = None
    reason: str | None = None
    lead_id: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"interest_id": self.interest_id, "channel": self.channel})
        _check_decision("InterestCaptured", self.decision)

    @classmethod
    def of(
        cls,
        interest: Interest,
        *,
        by: str | None = None,
        decision: str | None = None,
        reason: str | None = None,
        lead_id: str | None = None,
    ) -> InterestCaptured:
        """The event of a stored ``interest``: its channel, at the time it occurred.

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Channel, Interest, InterestId, Source
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> interest = Interest(id=InterestId("I-1"), occurred_at=at,
        ...     source=Source(channel=Channel.telegram), topic="Office chairs")
        >>> InterestCaptured.of(interest, by="anna").channel
        'telegram'
        """
        return cls(
            interest_id=interest.id,
            channel=str(interest.source.channel),
            at=interest.occurred_at,
            by=by,
            decision=decision,
            reason=reason,
            lead_id=lead_id,
        )


def _check_decision(model: str, decision: object) -> None:
    if decision is not None and decision not in _DECISIONS:
        known = ", ".join(sorted(_DECISIONS))
        problem = Problem("decision", f"one of {known}", decision)
        raise ValidationError([problem], model=model)


_DECISIONS = frozenset(d.value for d in Decision)


@attrs.frozen(kw_only=True)
class InterestReleased:
    """A quarantined interest was released (:func:`leadmodel.services.release`) by ``by`` at
    ``at``, and went where the front door's ``decision`` sent it (``lead_id``), for ``reason``.
    """

    type: ClassVar[str] = "InterestReleased"
    interest_id: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    decision: str | None = None
    reason: str | None = None
    lead_id: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"interest_id": self.interest_id})
        _check_decision("InterestReleased", self.decision)

    @classmethod
    def of(cls, result: CaptureResult, *, at: datetime, by: str | None = None) -> InterestReleased:
        """The event of a release that ended in ``result`` (its interest, decision, reason
        and lead), at ``at``.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> form = lm.Interest(id=lm.InterestId("I-1"), occurred_at=at, topic="Chairs",
        ...     source=lm.Source(channel=lm.Channel.form))
        >>> result = lm.CaptureResult(decision=lm.Decision.new_interest, reason="anonymous",
        ...     interest=form)
        >>> InterestReleased.of(result, at=at, by="anna").decision
        'new_interest'
        """
        interest_id = result.interest.id if result.interest is not None else ""
        return cls(
            interest_id=interest_id,
            at=at,
            by=by,
            decision=result.decision.value,
            reason=result.reason,
            lead_id=result.lead.id if result.lead is not None else None,
        )


CONSENT_CHANGES: Final = ("given", "opt_in_requested", "confirmed", "withdrawn")
"""What :class:`ConsentChanged` reports: a record given, a double opt-in asked (the host
sends the confirmation message), confirmed, or withdrawn."""


@attrs.frozen(kw_only=True)
class ConsentChanged:
    """A consent record of the record ``record_id`` (in repository ``kind``) changed:
    ``change`` (:data:`CONSENT_CHANGES`) for ``purpose`` through ``channel`` (and ``network``)
    under ``basis``; ``expires_at``: when a requested double opt-in closes. Never the evidence.

    >>> from datetime import datetime, timezone
    >>> ConsentChanged(kind="leads", record_id="L-1", purpose="marketing_email",
    ...     channel="email", basis="consent", change="opt_in_requested",
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc)).change
    'opt_in_requested'
    """

    type: ClassVar[str] = "ConsentChanged"
    kind: str
    record_id: str
    purpose: str
    change: str
    basis: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    channel: str | None = None
    network: str | None = None
    expires_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(
            self,
            {
                "kind": self.kind,
                "record_id": self.record_id,
                "purpose": self.purpose,
                "change": self.change,
                "basis": self.basis,
            },
        )
        if self.change not in CONSENT_CHANGES:
            problem = Problem("change", f"one of {', '.join(CONSENT_CHANGES)}", self.change)
            raise ValidationError([problem], model="ConsentChanged")

    @classmethod
    def of(
        cls, kind: str, consent: Consent, change: str, *, at: datetime, by: str | None = None
    ) -> ConsentChanged:
        """The event of ``change`` to ``consent``, a record of a record in repository ``kind``.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
        >>> given = lm.Consent(person="L-1", purpose="calls", channel="phone", basis="consent",
        ...     source="call", at=at, evidence=lm.ConsentEvidence(note="said yes"))
        >>> ConsentChanged.of("leads", given, "given", at=at).channel
        'phone'
        """
        return cls(
            kind=kind,
            record_id=consent.person,
            purpose=consent.purpose.value,
            change=change,
            basis=consent.basis.value,
            at=at,
            channel=consent.channel.value if consent.channel else None,
            network=consent.network,
            expires_at=consent.expires_at if change == "opt_in_requested" else None,
            by=by,
        )


@attrs.frozen(kw_only=True)
class LeadCreated:
    """An interest was promoted to a lead (or a repeat/recycled lead was made)."""

    type: ClassVar[str] = "LeadCreated"
    lead_id: str
    interest_ids: tuple[str, ...]
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"lead_id": self.lead_id})

    @classmethod
    def of(cls, lead: Lead, *, by: str | None = None) -> LeadCreated:
        """The event of a new ``lead``: its interests, at the time it was created.

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Channel, ContactPoint, InterestId, Lead, LeadId, Source
        >>> lead = Lead(id=LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
        ...     contact_points=(ContactPoint.email("olena@mebli.ua"),),
        ...     source=Source(channel=Channel.form), interest_ids=(InterestId("I-1"),),
        ...     created_at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        >>> event = LeadCreated.of(lead, by="anna")
        >>> event.lead_id, event.interest_ids, event.at == lead.created_at
        ('L-1', ('I-1',), True)
        """
        return cls(lead_id=lead.id, interest_ids=lead.interest_ids, at=lead.created_at, by=by)


@attrs.frozen(kw_only=True)
class StatusChanged:
    """A lead moved in a pipeline; ``actions`` are the follow-ups the host should perform."""

    type: ClassVar[str] = "StatusChanged"
    lead_id: str
    pipeline: str
    from_status: str | None
    to_status: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    reason: str | None = None
    actions: tuple[ActionSpec, ...] = ()

    def __attrs_post_init__(self) -> None:
        _check_common(
            self, {"lead_id": self.lead_id, "pipeline": self.pipeline, "to_status": self.to_status}
        )

    @classmethod
    def of(cls, pipeline: Pipeline, lead: Lead, change: StatusChange) -> StatusChanged:
        """The event of ``change``, a move recorded in ``lead``'s history, with the actions
        ``pipeline`` says it triggers for this lead (none that reach a do-not-contact person).

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source, pipelines
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = pipelines.SIMPLE.enter(Lead(id=LeadId("L-1"), person_name="Olena Koval",
        ...     topic="Office chairs", contact_points=(ContactPoint.email("olena@mebli.ua"),),
        ...     source=Source(channel=Channel.form), created_at=at), at=at, by="anna")
        >>> event = StatusChanged.of(pipelines.SIMPLE, lead, lead.history[-1])
        >>> event.lead_id, event.pipeline, event.from_status, event.to_status, event.by
        ('L-1', 'simple', None, 'new', 'anna')
        """
        return cls(
            lead_id=lead.id,
            pipeline=change.pipeline,
            from_status=change.from_status,
            to_status=change.to_status,
            at=change.at,
            by=change.by,
            reason=change.reason,
            actions=pipeline.actions(change, lead),
        )


@attrs.frozen(kw_only=True)
class LeadQualified:
    """A qualification assessment was recorded; ``qualified`` says whether it passed."""

    type: ClassVar[str] = "LeadQualified"
    lead_id: str
    framework: str
    qualified: bool
    score: float
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    missing: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"lead_id": self.lead_id, "framework": self.framework})

    @classmethod
    def of(cls, lead: Lead, assessment: Assessment) -> LeadQualified:
        """The event of ``assessment``, recorded on ``lead``: its verdict, when and by whom.

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Assessment, Channel, ContactPoint, Lead, LeadId, Source
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = Lead(id=LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
        ...     contact_points=(ContactPoint.email("olena@mebli.ua"),),
        ...     source=Source(channel=Channel.form), created_at=at)
        >>> done = Assessment(framework="bant", answers=(), qualified=False, score=0.5,
        ...     at=at, by="anna", missing=("budget", "timeline"))
        >>> event = LeadQualified.of(lead, done)
        >>> event.qualified, event.score, event.missing
        (False, 0.5, ('budget', 'timeline'))
        """
        return cls(
            lead_id=lead.id,
            framework=assessment.framework,
            qualified=assessment.qualified,
            score=assessment.score,
            at=assessment.at,
            by=assessment.by,
            missing=assessment.missing,
        )


@attrs.frozen(kw_only=True)
class LeadConverted:
    """A lead became a customer (new or existing): the ids of what the conversion touched."""

    type: ClassVar[str] = "LeadConverted"
    lead_id: str
    customer_id: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    contact_id: str | None = None
    company_id: str | None = None
    deal_ref: str | None = None
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"lead_id": self.lead_id, "customer_id": self.customer_id})

    @classmethod
    def of(cls, conversion: Conversion, *, by: str | None = None) -> LeadConverted:
        """The event of a lead's ``conversion``: the links the converted lead records.

        Raises :class:`ValidationError` for a customer born without a lead (an order or an
        import: no lead was converted).

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source, convert
        >>> from leadmodel import sequential_ids
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = Lead(id=LeadId("L-1"), person_name="Olena Koval", topic="Office chairs",
        ...     contact_points=(ContactPoint.email("olena@mebli.ua"),),
        ...     source=Source(channel=Channel.form), created_at=at)
        >>> done = convert(lead, at=at, deal_ref="order-7", ids=sequential_ids("c"))
        >>> event = LeadConverted.of(done, by="anna")
        >>> event.lead_id, event.customer_id, event.contact_id, event.deal_ref
        ('L-1', 'c-2', 'c-1', 'order-7')
        """
        lead = conversion.lead
        links = lead.converted if lead is not None else None
        if lead is None or links is None:
            msg = "a customer born from an order or an import converted no lead: no event"
            problem = Problem("lead", msg)
            raise ValidationError([problem], model="LeadConverted")
        return cls(
            lead_id=lead.id,
            customer_id=links.customer_id,
            at=links.at,
            contact_id=links.contact_id,
            company_id=links.company_id,
            deal_ref=links.deal_ref,
            by=by,
        )


@attrs.frozen(kw_only=True)
class LeadsMerged:
    """Duplicates were merged: ``absorbed_ids`` now point to ``survivor_id``.

    ``status_from`` is the record whose status the survivor took; ``conflicts`` the fields
    the records disagreed on and ``set_aside`` what the survivor could not hold, each as
    ``<record id>:<field>``. The values themselves (often personal data) are not in the
    event: the survivor keeps them, in its ``merges`` entry number ``merge``.
    """

    type: ClassVar[str] = "LeadsMerged"
    entity: str  # "leads" or "contacts": which repository the records live in
    survivor_id: str
    absorbed_ids: tuple[str, ...]
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    status_from: str | None = None
    conflicts: tuple[str, ...] = ()
    set_aside: tuple[str, ...] = ()
    merge: int = 0

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"entity": self.entity, "survivor_id": self.survivor_id})

    @classmethod
    def of(cls, merged: Merged[Lead] | Merged[Contact]) -> LeadsMerged:
        """The event of a merge: which records (leads or contacts) now point to the survivor.

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source, merge
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> first, second = (Lead(id=LeadId(i), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=(ContactPoint.email("olena@mebli.ua"),),
        ...     source=Source(channel=Channel.form), created_at=at) for i in ("L-1", "L-2"))
        >>> event = LeadsMerged.of(merge(first, second, at=at, by="anna"))
        >>> event.entity, event.survivor_id, event.absorbed_ids, event.by
        ('leads', 'L-1', ('L-2',), 'anna')
        >>> event.status_from, event.conflicts, event.set_aside, event.merge
        ('L-1', (), (), 0)
        """
        entity = "leads" if isinstance(merged.survivor, Lead) else "contacts"
        record = merged.record
        return cls(
            entity=entity,
            survivor_id=merged.survivor.id,
            absorbed_ids=merged.absorbed_ids,
            at=merged.at,
            by=merged.by,
            status_from=record.status_from,
            conflicts=tuple(conflict.field for conflict in record.conflicts),
            set_aside=tuple(f"{kept.source_id}:{kept.field}" for kept in record.set_aside),
            merge=len(merged.survivor.merges) - 1,
        )


@attrs.frozen(kw_only=True)
class PersonErased:
    """A person's personal data was erased from the listed records (ids and statistics kept).

    ``company_ids``: the person's own companies (a sole proprietor's), erased with them;
    ``customer_ids``: the customers that were the person or such a company (custom fields gone).
    """

    type: ClassVar[str] = "PersonErased"
    interest_ids: tuple[str, ...] = ()
    lead_ids: tuple[str, ...] = ()
    contact_ids: tuple[str, ...] = ()
    company_ids: tuple[str, ...] = ()
    customer_ids: tuple[str, ...] = ()
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {})

    @classmethod
    def of(
        cls,
        erased: Iterable[Interest | Lead | Contact | Company | Customer],
        *,
        at: datetime,
        by: str | None = None,
    ) -> PersonErased:
        """The event of an erasure: the ids of the ``erased`` records by kind, each list sorted
        (none when nothing was left to erase: the request was still carried out).

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Contact, ContactId, ContactPoint, erase
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> contact = Contact(id=ContactId("C-1"), name="Olena Koval",
        ...     contact_points=(ContactPoint.email("olena@mebli.ua"),))
        >>> event = PersonErased.of([erase(contact, at=at)], at=at, by="dpo")
        >>> event.contact_ids, event.lead_ids
        (('C-1',), ())
        """
        ids: dict[type, list[str]] = {
            Interest: [],
            Lead: [],
            Contact: [],
            Company: [],
            Customer: [],
        }
        for record in erased:
            ids[type(record)].append(record.id)
        return cls(
            interest_ids=tuple(sorted(ids[Interest])),
            lead_ids=tuple(sorted(ids[Lead])),
            contact_ids=tuple(sorted(ids[Contact])),
            company_ids=tuple(sorted(ids[Company])),
            customer_ids=tuple(sorted(ids[Customer])),
            at=at,
            by=by,
        )


_UPDATED_KINDS = {Lead: "leads", Contact: "contacts", Company: "companies", Customer: "customers"}


@attrs.frozen(kw_only=True)
class EntityUpdated:
    """A lead, contact, company or customer was edited (:func:`leadmodel.edit`).

    ``kind`` is the repository (``leads``, ``contacts``, ``companies``, ``customers``);
    ``fields`` names what changed, not the values: events outlive an erasure, personal data
    must not (read the entity for the values).
    """

    type: ClassVar[str] = "EntityUpdated"
    kind: str
    entity_id: str
    fields: tuple[str, ...]
    version: int
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(self, {"kind": self.kind, "entity_id": self.entity_id})
        if type(self.version) is not int or self.version < 0:
            msg = "the version the edit stored: a whole number, 0 or more"
            raise ValidationError([Problem("version", msg, self.version)], model="EntityUpdated")

    @classmethod
    def of(
        cls,
        entity: Lead | Contact | Company | Customer,
        fields: Iterable[str],
        *,
        at: datetime,
        by: str | None = None,
    ) -> EntityUpdated:
        """The event of a stored edit of ``entity``, changing ``fields`` (sorted).

        >>> from datetime import datetime, timezone
        >>> from leadmodel import Contact, ContactId, ContactPoint
        >>> contact = Contact(id=ContactId("C-1"), name="Olena Koval",
        ...     contact_points=(ContactPoint.email("olena@mebli.ua"),), version=3)
        >>> event = EntityUpdated.of(contact, ["role", "name"],
        ...     at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc), by="anna")
        >>> event.kind, event.entity_id, event.fields, event.version
        ('contacts', 'C-1', ('name', 'role'), 3)
        """
        return cls(
            kind=_UPDATED_KINDS[type(entity)],
            entity_id=entity.id,
            fields=tuple(sorted(fields)),
            version=entity.version,
            at=at,
            by=by,
        )


@attrs.frozen(kw_only=True)
class ActivityLogged:
    """A contact (or a note) was logged on a lead's timeline: its kind, direction and channel,
    when it happened (``at``) and who on our side (``by``); ``activity_id`` is the host's
    handle for it. Never the note: events outlive an erasure, what was said must not."""

    type: ClassVar[str] = "ActivityLogged"
    lead_id: str
    kind: ActivityKind
    direction: Direction
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    channel: Channel | None = None
    activity_id: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []  # the common checks too, so every problem is reported at once
        c.text(p, "lead_id", self.lead_id, "the lead id")
        c.member(p, "kind", self.kind, ActivityKind)
        c.member(p, "direction", self.direction, Direction)
        if (problem := pairing_problem(self.kind, self.direction)) is not None:
            p.append(problem)
        c.aware(p, "at", self.at)
        c.opt_text(p, "by", self.by, "who did it")
        if self.channel is not None:
            c.member(p, "channel", self.channel, Channel)
        c.opt_text(p, "activity_id", self.activity_id, "the activity id")
        if p:
            c.fail("ActivityLogged", p)

    @classmethod
    def of(cls, lead: Lead, activity: Activity) -> ActivityLogged:
        """The event of ``activity``, logged on ``lead``: everything but its note.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> call = lm.Activity(at=at, kind=lm.ActivityKind.call, direction=lm.Direction.outbound,
        ...     by="anna", channel=lm.Channel.phone_call, note="Olena wants 40 chairs")
        >>> event = ActivityLogged.of(lm.log_activity(lead, call), call)
        >>> event.lead_id, event.kind.value, event.direction.value, event.by
        ('L-1', 'call', 'outbound', 'anna')
        """
        return cls(
            lead_id=lead.id,
            kind=activity.kind,
            direction=activity.direction,
            at=activity.at,
            by=activity.by,
            channel=activity.channel,
            activity_id=activity.id,
        )


def _routed(assignment: Assignment) -> tuple[str, str, str, str]:
    """The owner, team, rule and strategy of a decision that chose someone."""
    if assignment.owner is None or assignment.team is None or assignment.rule is None:
        problem = Problem("owner", "a queued lead was assigned to nobody", assignment.why)
        raise ValidationError([problem], model="Assignment")
    return assignment.owner, assignment.team, assignment.rule, str(assignment.strategy)


@attrs.frozen(kw_only=True)
class LeadAssigned:
    """A lead was given an owner by a router (:func:`leadmodel.services.assign`): the
    ``owner`` (a member's key), the ``team``, ``rule`` and ``strategy`` that chose them and
    ``why`` in words. Keys and reasons only, no personal data."""

    type: ClassVar[str] = "LeadAssigned"
    lead_id: str
    owner: str
    team: str
    rule: str
    strategy: str
    why: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(
            self,
            {
                "lead_id": self.lead_id,
                "owner": self.owner,
                "team": self.team,
                "rule": self.rule,
                "strategy": self.strategy,
                "why": self.why,
            },
        )

    @classmethod
    def of(
        cls, lead: Lead, assignment: Assignment, *, at: datetime, by: str | None = None
    ) -> LeadAssigned:
        """The event of ``assignment``, a decision that gave ``lead`` an owner.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> router = lm.Router(teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna")])],
        ...     rules=[lm.RoutingRule(key="all", team="kyiv")])
        >>> event = LeadAssigned.of(lead, lm.route(lead, router, lm.RoutingState(), at=at),
        ...     at=at, by="crm-bot")
        >>> event.lead_id, event.owner, event.team, event.rule, event.strategy
        ('L-1', 'anna', 'kyiv', 'all', 'round_robin')
        """
        owner, team, rule, strategy = _routed(assignment)
        return cls(
            lead_id=lead.id,
            owner=owner,
            team=team,
            rule=rule,
            strategy=strategy,
            why=assignment.why,
            at=at,
            by=by,
        )


@attrs.frozen(kw_only=True)
class LeadReassigned:
    """A lead that had an owner was given another by a router
    (:func:`leadmodel.services.reassign`): ``from_owner`` and ``to_owner`` (members' keys),
    the ``team`` and ``rule`` that chose, the caller's ``reason`` and ``why`` in words."""

    type: ClassVar[str] = "LeadReassigned"
    lead_id: str
    from_owner: str
    to_owner: str
    team: str
    rule: str
    why: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    reason: str | None = None
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_common(
            self,
            {
                "lead_id": self.lead_id,
                "from_owner": self.from_owner,
                "to_owner": self.to_owner,
                "team": self.team,
                "rule": self.rule,
                "why": self.why,
            },
        )

    @classmethod
    def of(
        cls,
        lead: Lead,
        assignment: Assignment,
        *,
        from_owner: str,
        at: datetime,
        reason: str | None = None,
        by: str | None = None,
    ) -> LeadReassigned:
        """The event of ``assignment``, a decision that gave ``lead`` (owned by
        ``from_owner``) another owner.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at, owner="ivan")
        >>> router = lm.Router(teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna")])],
        ...     rules=[lm.RoutingRule(key="all", team="kyiv")])
        >>> event = LeadReassigned.of(lead, lm.route(lead, router, lm.RoutingState(), at=at),
        ...     from_owner="ivan", at=at, reason="on leave")
        >>> event.from_owner, event.to_owner, event.reason
        ('ivan', 'anna', 'on leave')
        """
        owner, team, rule, _ = _routed(assignment)
        return cls(
            lead_id=lead.id,
            from_owner=from_owner,
            to_owner=owner,
            team=team,
            rule=rule,
            why=assignment.why,
            at=at,
            reason=reason,
            by=by,
        )


def _check_clock(event: SlaBreached | Escalated, p: c.Problems) -> None:
    """What the SLA events share: the lead, the policy, the kind of reply and when it began."""
    c.text(p, "lead_id", event.lead_id, "the lead id")
    c.text(p, "policy", event.policy, "the policy's key")
    c.member(p, "kind", event.kind, SlaKind)
    c.aware(p, "started_at", event.started_at)
    c.aware(p, "at", event.at)
    c.opt_text(p, "owner", event.owner, "the lead's owner")
    c.opt_text(p, "by", event.by, "who did it")


@attrs.frozen(kw_only=True)
class SlaBreached:
    """A reply a lead is owed under a policy is late and still not given, found by
    :func:`leadmodel.services.sweep` (once per reply): the ``policy``, the ``kind`` of reply,
    when it was asked for (``started_at``) and due (``due_at``), the lead's ``owner`` then."""

    type: ClassVar[str] = "SlaBreached"
    lead_id: str
    policy: str
    kind: SlaKind = attrs.field(converter=SlaKind)
    started_at: datetime = attrs.field(converter=c.fixed_offset)
    due_at: datetime = attrs.field(converter=c.fixed_offset)
    at: datetime = attrs.field(converter=c.fixed_offset)
    owner: str | None = None
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _check_clock(self, p)
        c.aware(p, "due_at", self.due_at)
        if p:
            c.fail("SlaBreached", p)

    @classmethod
    def of(cls, lead: Lead, clock: SlaClock, *, at: datetime, by: str | None = None) -> SlaBreached:
        """The event of ``clock``, read off ``lead`` breached at ``at``.

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),), owner="anna",
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> policy = lm.SlaPolicy(key="standard", first_response=timedelta(hours=1))
        >>> late = at + timedelta(hours=2)
        >>> event = SlaBreached.of(lead, lm.sla_clock(lead, policy, at=late), at=late)
        >>> event.policy, event.kind.value, event.due_at - at, event.owner
        ('standard', 'first_response', datetime.timedelta(seconds=3600), 'anna')
        """
        return cls(
            lead_id=lead.id,
            policy=clock.policy,
            kind=clock.kind,
            started_at=clock.started_at,
            due_at=clock.due_at,
            at=at,
            owner=lead.owner,
            by=by,
        )


@attrs.frozen(kw_only=True)
class Escalated:
    """An escalation step of a policy was taken for a late reply
    (:func:`leadmodel.services.sweep`, once per step and reply): ``step`` (its index in the
    policy's ``escalation``), its ``action`` and ``to``, the business time ``overdue`` then,
    and the lead's ``owner`` before the step (a ``reassign`` step is followed by
    ``LeadReassigned`` when someone took the lead)."""

    type: ClassVar[str] = "Escalated"
    lead_id: str
    policy: str
    kind: SlaKind = attrs.field(converter=SlaKind)
    started_at: datetime = attrs.field(converter=c.fixed_offset)
    step: int
    action: EscalationAction = attrs.field(converter=EscalationAction)
    overdue: timedelta
    at: datetime = attrs.field(converter=c.fixed_offset)
    to: str | None = None
    owner: str | None = None
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _check_clock(self, p)
        if type(self.step) is not int or self.step < 0:
            p.append(Problem("step", "the step's index in the policy: 0 or more", self.step))
        c.member(p, "action", self.action, EscalationAction)
        if not isinstance(self.overdue, timedelta) or self.overdue < timedelta(0):
            p.append(
                Problem("overdue", "business time overdue: a timedelta, 0 or more", self.overdue)
            )
        c.opt_text(p, "to", self.to, "who the step is aimed at")
        if p:
            c.fail("Escalated", p)

    @classmethod
    def of(
        cls,
        lead: Lead,
        clock: SlaClock,
        step: int,
        *,
        at: datetime,
        by: str | None = None,
    ) -> Escalated:
        """The event of taking ``clock.escalations[step]`` for ``lead`` at ``at``.

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> policy = lm.SlaPolicy(key="standard", first_response=timedelta(hours=1),
        ...     escalation=[lm.EscalationStep(after=timedelta(0), action="notify", to="head")])
        >>> late = at + timedelta(hours=2)
        >>> event = Escalated.of(lead, lm.sla_clock(lead, policy, at=late), 0, at=late)
        >>> event.action.value, event.to, event.overdue
        ('notify', 'head', datetime.timedelta(seconds=3600))
        """
        taken: EscalationStep = clock.escalations[step]
        return cls(
            lead_id=lead.id,
            policy=clock.policy,
            kind=clock.kind,
            started_at=clock.started_at,
            step=step,
            action=taken.action,
            overdue=clock.overdue,
            at=at,
            to=taken.to,
            owner=lead.owner,
            by=by,
        )


@attrs.frozen(kw_only=True)
class CardStale:
    """A card sat in an open status longer than the status's ``rot_after``, found by
    :func:`leadmodel.services.sweep` (once per stay): the ``pipeline`` and ``status``, the
    last thing that reset its clock (``since``), how long it had been ``idle`` then, and the
    lead's ``owner``."""

    type: ClassVar[str] = "CardStale"
    lead_id: str
    pipeline: str
    status: str
    since: datetime = attrs.field(converter=c.fixed_offset)
    idle: timedelta
    rot_after: timedelta
    at: datetime = attrs.field(converter=c.fixed_offset)
    owner: str | None = None
    by: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "lead_id", self.lead_id, "the lead id")
        c.text(p, "pipeline", self.pipeline, "the pipeline's key")
        c.text(p, "status", self.status, "the status's key")
        c.aware(p, "since", self.since)
        c.aware(p, "at", self.at)
        for name in ("idle", "rot_after"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value < timedelta(0):
                p.append(Problem(name, "a timedelta, 0 or more", value))
        c.opt_text(p, "owner", self.owner, "the lead's owner")
        c.opt_text(p, "by", self.by, "who did it")
        if p:
            c.fail("CardStale", p)

    @classmethod
    def of(
        cls, lead: Lead, pipeline: str, card: StaleCard, *, at: datetime, by: str | None = None
    ) -> CardStale:
        """The event of ``card``, found stale at ``at`` in ``pipeline`` (its key).

        >>> from datetime import datetime, timedelta, timezone
        >>> import leadmodel as lm
        >>> pipeline = lm.Pipeline.from_dict({"key": "requests", "statuses": [
        ...     {"key": "new", "rot_after": "P3D"}, {"key": "won", "kind": "won"}]})
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = pipeline.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval",
        ...     topic="Chairs", contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at), at=at)
        >>> later = at + timedelta(days=4)
        >>> [card] = lm.stale([lead], pipeline, at=later)
        >>> event = CardStale.of(lead, pipeline.key, card, at=later)
        >>> event.status, event.idle, event.rot_after
        ('new', datetime.timedelta(days=4), datetime.timedelta(days=3))
        """
        return cls(
            lead_id=lead.id,
            pipeline=pipeline,
            status=card.status,
            since=card.since,
            idle=card.idle,
            rot_after=card.rot_after,
            at=at,
            owner=lead.owner,
            by=by,
        )


DomainEvent = (
    InterestCaptured
    | InterestReleased
    | ConsentChanged
    | LeadCreated
    | StatusChanged
    | LeadQualified
    | LeadConverted
    | LeadsMerged
    | PersonErased
    | EntityUpdated
    | ActivityLogged
    | LeadAssigned
    | LeadReassigned
    | SlaBreached
    | Escalated
    | CardStale
)
"""Any of the domain events."""

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.type: cls
    for cls in (
        InterestCaptured,
        InterestReleased,
        ConsentChanged,
        LeadCreated,
        StatusChanged,
        LeadQualified,
        LeadConverted,
        LeadsMerged,
        PersonErased,
        EntityUpdated,
        ActivityLogged,
        LeadAssigned,
        LeadReassigned,
        SlaBreached,
        Escalated,
        CardStale,
    )
}
"""Event classes by their ``type`` name (how the outbox stores them)."""


def event_type(name: str) -> type[DomainEvent]:
    """The event class called ``name``; :class:`ValidationError` for an unknown name.

    >>> import leadmodel as lm
    >>> lm.event_type("LeadConverted") is lm.LeadConverted
    True
    >>> lm.event_type("LeadDeleted")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: event.type: unknown event type; known: ActivityLogged, ...
    """
    try:
        return EVENT_TYPES[name]
    except KeyError:
        known = ", ".join(sorted(EVENT_TYPES))
        problem = Problem("type", f"unknown event type; known: {known}", name)
        raise ValidationError([problem], model="event") from None
