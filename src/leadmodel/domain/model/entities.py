"""The five entities of the ladder: Interest → Lead → Customer, with Contact and Company.

Every entity has an ``id`` and a ``version`` (optimistic concurrency: new entities start at
0 and storage increments it on save). All are frozen: "changing" one returns a new object
(``attrs.evolve``), and construction validates, so an invalid entity cannot exist.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel
>>> lead = Lead(
...     id=LeadId("lead-1"),
...     person_name="Олена Коваль",
...     contact_points=(ContactPoint.email("olena@example.com"),),
...     topic="Офісні меблі",
...     source=Source(channel=Channel.form),
...     created_at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc),
... )
>>> lead.person_name, lead.version
('Олена Коваль', 0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.capture.consent import Consent
from leadmodel.domain.capture.screening import SpamVerdict
from leadmodel.domain.capture.touches import Touch
from leadmodel.domain.model.activities import Activity, check_activities
from leadmodel.domain.model.merges import MergeRecord
from leadmodel.domain.model.records import (
    Assessment,
    ConversionLinks,
    LossInfo,
    StatusChange,
    check_score,
    freeze_custom,
)
from leadmodel.domain.model.stages import LifecycleStage, StageChange, check_stages
from leadmodel.domain.values import normalise
from leadmodel.domain.values.contact import MAX_CONTACT_POINTS, ContactPoint
from leadmodel.domain.values.custom_json import EMPTY, JSON
from leadmodel.domain.values.ids import CompanyId, ContactId, CustomerId, InterestId, LeadId
from leadmodel.domain.values.money import Money
from leadmodel.domain.values.source import Source
from leadmodel.errors import Problem

__all__ = [
    "MAX_CONTACT_POINTS",
    "Company",
    "Contact",
    "Customer",
    "CustomerKind",
    "CustomerOrigin",
    "Interest",
    "Lead",
]

_LEAD_RULE = 'seed rule "lead = interest + contact data"'


class CustomerKind(StrEnum):
    """A customer is a person (B2C) or a company (B2B)."""

    person = "person"
    company = "company"


class CustomerOrigin(StrEnum):
    """How a customer was born: from a lead, from an order without a lead, or by import."""

    from_lead = "from_lead"
    from_order = "from_order"
    from_import = "from_import"


def _points(value: Iterable[ContactPoint]) -> tuple[ContactPoint, ...]:
    points: tuple[ContactPoint, ...] = c.as_tuple(value)
    return points


def _activities(value: Iterable[Activity]) -> tuple[Activity, ...]:
    activities: tuple[Activity, ...] = c.as_tuple(value)
    return activities


def _interest_ids(value: Iterable[InterestId]) -> tuple[InterestId, ...]:
    ids: tuple[InterestId, ...] = c.as_tuple(value)
    return ids


def _lead_ids(value: Iterable[LeadId]) -> tuple[LeadId, ...]:
    ids: tuple[LeadId, ...] = c.as_tuple(value)
    return ids


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    texts: tuple[str, ...] = c.as_tuple(value)
    return texts


def _consents(value: Iterable[Consent]) -> tuple[Consent, ...]:
    consents: tuple[Consent, ...] = c.as_tuple(value)
    return consents


def _touches(value: Iterable[Touch]) -> tuple[Touch, ...]:
    touches: tuple[Touch, ...] = c.as_tuple(value)
    return touches


def _check_consents(p: c.Problems, entity: Any) -> None:
    """A record's consents: at most :data:`~leadmodel.MAX_CONSENTS` Consent, each about this
    record (``person`` is its id), each erased on an erased record."""
    value = entity.consents
    if value == () or not c.max_items(p, "consents", value, Consent.__max_items__):
        return
    found: c.Problems = []
    c.tuple_of(found, "consents", value, Consent)
    if found:
        p.extend(found)
        return
    for i, consent in enumerate(value):
        if consent.person != entity.id:
            msg = f"a record keeps its own consents: person must be {entity.id!r}"
            p.append(Problem(f"consents[{i}].person", msg, consent.person))
        if entity.erased_at is not None and consent.erased_at is None:
            msg = "an erased record keeps its consents erased (Consent.erase)"
            p.append(Problem(f"consents[{i}].erased_at", msg))


def _check_touches(p: c.Problems, value: object) -> None:
    """A lead's touches: at most :data:`~leadmodel.MAX_TOUCHES` Touch, in time order."""
    if value == () or not c.max_items(p, "touches", value, Touch.__max_items__):
        return
    found: c.Problems = []
    c.tuple_of(found, "touches", value, Touch)
    if found:
        p.extend(found)
        return
    touches: tuple[Touch, ...] = value  # type: ignore[assignment]
    for i in range(1, len(touches)):
        if touches[i].at < touches[i - 1].at:
            p.append(Problem(f"touches[{i}].at", "touches are kept in time order", touches[i].at))


def _tag_set(value: Iterable[str]) -> frozenset[str]:
    tags: frozenset[str] = c.as_frozenset(value)
    return tags


def _common(p: c.Problems, entity: object, what: str) -> None:
    c.text(p, "id", getattr(entity, "id"), f"the {what} id")  # noqa: B009
    c.version(p, getattr(entity, "version"))  # noqa: B009
    freeze_custom(p, entity, getattr(entity, "custom"))  # noqa: B009


def _permissions(p: c.Problems, entity: Any) -> None:
    """Consent (True, False, or None for not asked, where the type has it) and do-not-contact."""
    consent = getattr(entity, "consent", None)
    if consent is not None and type(consent) is not bool:
        p.append(Problem("consent", "consent is True, False or None (not asked)", consent))
    if type(entity.do_not_contact) is not bool:
        p.append(
            Problem("do_not_contact", "do_not_contact is True or False", entity.do_not_contact)
        )


def _contact_points(p: c.Problems, value: object) -> None:
    # past the cap, the count alone: the items are not checked one by one (that cost is what
    # the cap bounds); the document converter refuses the same, with the same words
    if c.max_items(p, "contact_points", value, ContactPoint.__max_items__):
        c.tuple_of(p, "contact_points", value, ContactPoint)


@attrs.frozen(kw_only=True)
class Interest:
    """Any attention a person paid to the business; may be anonymous.

    Needs when (``occurred_at``), through which ``source``, and what it was about
    (``topic`` or ``message``). ``lead_id`` is set once the interest is promoted. What the
    front door records (:func:`leadmodel.services.capture`): ``touch``, the campaign details
    of this touch (UTM, click ids, landing page; the lead keeps it in its ``touches``);
    ``consents`` given with it (about this record: ``person`` is its id); ``spam``, the host's
    verdict; ``quarantine``, why it is held back (kept, not promoted, matched or routed until
    released); ``idempotency_key``, the submission's key (the host's, or the fingerprint of
    its payload) that makes a repeated submission return this interest.
    """

    id: InterestId
    occurred_at: datetime = attrs.field(converter=c.fixed_offset)
    source: Source
    topic: str | None = None
    message: str | None = None
    person_name: str | None = None
    contact_points: tuple[ContactPoint, ...] = attrs.field(default=(), converter=_points)
    company_name: str | None = None
    owner: str | None = None
    lead_id: LeadId | None = None
    custom: Mapping[str, JSON] = EMPTY
    do_not_contact: bool = False
    erased_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    touch: Touch | None = None
    consents: tuple[Consent, ...] = attrs.field(default=(), converter=_consents)
    spam: SpamVerdict | None = None
    quarantine: str | None = None
    idempotency_key: str | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _common(p, self, "interest")
        c.aware(p, "occurred_at", self.occurred_at)
        c.instance(p, "source", self.source, Source)
        c.opt_text(p, "topic", self.topic, "the topic")
        c.opt_free_text(p, "message", self.message, "the message")
        if self.topic is None and not (type(self.message) is str and self.message.strip()):
            p.append(Problem("topic", "say what the interest was about: give a topic or a message"))
        c.opt_text(p, "person_name", self.person_name, "the person's name")
        _contact_points(p, self.contact_points)
        c.opt_text(p, "company_name", self.company_name, "the company name")
        c.opt_text(p, "owner", self.owner, "the owner")
        c.opt_text(p, "lead_id", self.lead_id, "the lead id")
        _permissions(p, self)
        if self.erased_at is not None:
            _check_erased(p, self)
        c.opt_instance(p, "touch", self.touch, Touch)
        _check_consents(p, self)
        c.opt_instance(p, "spam", self.spam, SpamVerdict)
        c.opt_text(p, "quarantine", self.quarantine, "why it is held back")
        c.opt_text(p, "idempotency_key", self.idempotency_key, "the idempotency key")
        if p:
            c.fail("Interest", p)

    def as_touch(self) -> Touch:
        """The touch this interest is: its ``touch``, else one made of its source (channel,
        UTM source, campaign, medium) at ``occurred_at``.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> call = lm.Interest(id=lm.InterestId("I-1"), topic="Chairs",
        ...     occurred_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
        ...     source=lm.Source(channel=lm.Channel.phone_call, name="billboard"))
        >>> call.as_touch().channel.value, call.as_touch().source
        ('phone_call', 'billboard')
        """
        if self.touch is not None:
            return self.touch
        source = self.source
        return Touch(
            channel=source.channel,
            at=self.occurred_at,
            source=source.name,
            campaign=source.campaign,
            medium=source.medium,
        )


@attrs.frozen(kw_only=True)
class Lead:
    """A concrete, identifiable person who showed interest and can be reached.

    A lead needs a person's name, at least one contact point and what the interest was
    about (``topic``) — the seed rule "lead = interest + contact data". ``pipeline`` and
    ``status`` are set together; ``history`` records every status move in time order and
    ends in the current status. ``lifecycle`` is the lifecycle stage and ``stages`` its
    history: each :class:`~leadmodel.StageChange` starts where the one before ended, in time
    order, and the last ends at ``lifecycle`` (empty for a lead made at its stage).
    ``converted`` and ``lost`` exclude each other. ``merges`` records each merge of
    duplicates into this lead: what it absorbed and what it could not hold. ``activities`` is
    its timeline of contacts (:class:`~leadmodel.Activity`: calls, emails, messages, meetings,
    notes) in time order, none before ``created_at``, at most
    :data:`~leadmodel.MAX_ACTIVITIES`; add one with :func:`~leadmodel.log_activity`.
    ``touches`` are the touches of its interests in time order (the first touch and the last
    touch: :attr:`first_touch`, :attr:`last_touch`); ``consents`` the person's consent
    records (about this lead: ``person`` is its id); ``possible_duplicates`` the ids of the
    records the front door found alike but not surely the same person.
    """

    id: LeadId
    person_name: str
    contact_points: tuple[ContactPoint, ...] = attrs.field(converter=_points)
    topic: str
    source: Source
    created_at: datetime = attrs.field(converter=c.fixed_offset)
    company_name: str | None = None
    company_id: CompanyId | None = None
    interest_ids: tuple[InterestId, ...] = attrs.field(default=(), converter=_interest_ids)
    pipeline: str | None = None
    status: str | None = None
    history: tuple[StatusChange, ...] = ()
    lifecycle: LifecycleStage = LifecycleStage.lead
    stages: tuple[StageChange, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    score: float | None = None
    owner: str | None = None
    expected_value: Money | None = None
    time_zone: str | None = None
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_tag_set)
    custom: Mapping[str, JSON] = EMPTY
    converted: ConversionLinks | None = None
    lost: LossInfo | None = None
    previous_lead_id: LeadId | None = None
    customer_id: CustomerId | None = None
    consent: bool | None = None
    do_not_contact: bool = False
    erased_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    merges: tuple[MergeRecord, ...] = ()
    activities: tuple[Activity, ...] = attrs.field(default=(), converter=_activities)
    touches: tuple[Touch, ...] = attrs.field(default=(), converter=_touches)
    consents: tuple[Consent, ...] = attrs.field(default=(), converter=_consents)
    possible_duplicates: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _common(p, self, "lead")
        _contact_points(p, self.contact_points)
        if self.erased_at is not None:
            _check_erased(p, self)
        else:
            self._check_identifiable(p)
        if type(self.topic) is not str or not self.topic.strip():
            msg = f"a lead needs the area of interest it came from — {_LEAD_RULE}"
            p.append(Problem("topic", msg, self.topic))
        c.unicode(p, "topic", self.topic)
        c.instance(p, "source", self.source, Source)
        c.aware(p, "created_at", self.created_at)
        c.opt_text(p, "company_name", self.company_name, "the company name")
        c.opt_text(p, "company_id", self.company_id, "the company id")
        c.texts(p, "interest_ids", self.interest_ids, "an interest id")
        self._check_status(p)
        c.member(p, "lifecycle", self.lifecycle, LifecycleStage)
        check_stages(p, self.stages, self.lifecycle)
        c.tuple_of(p, "assessments", self.assessments, Assessment)
        check_score(p, self.score)
        _owner(p, self.owner)
        if c.opt_instance(p, "expected_value", self.expected_value, Money) and self.expected_value:
            c.non_negative(p, "expected_value", self.expected_value.amount, "an expected value")
        c.time_zone(p, "time_zone", self.time_zone)
        _tags(p, self.tags)
        self._check_outcome(p)
        c.opt_text(p, "previous_lead_id", self.previous_lead_id, "the previous lead id")
        c.opt_text(p, "customer_id", self.customer_id, "the customer id")
        _permissions(p, self)
        c.tuple_of(p, "merges", self.merges, MergeRecord)
        check_activities(p, self.activities, self.created_at, erased=self.erased_at is not None)
        _check_touches(p, self.touches)
        _check_consents(p, self)
        c.texts(p, "possible_duplicates", self.possible_duplicates, "a record id")
        if p:
            c.fail("Lead", p)

    @property
    def first_touch(self) -> Touch | None:
        """The touch that brought the person first (``None``: no touch recorded).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
        ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], created_at=at,
        ...     source=lm.Source(channel=lm.Channel.form),
        ...     touches=[lm.Touch(channel=lm.Channel.landing, source="google", at=at),
        ...              lm.Touch(channel=lm.Channel.email, source="newsletter", at=at)])
        >>> lead.first_touch.source, lead.last_touch.source
        ('google', 'newsletter')
        """
        return self.touches[0] if self.touches else None

    @property
    def last_touch(self) -> Touch | None:
        """The latest touch before now (``None``: no touch recorded); see :attr:`first_touch`.

        >>> import leadmodel as lm
        >>> lm.Lead.last_touch.__doc__.split(";")[0]
        'The latest touch before now (``None``: no touch recorded)'
        """
        return self.touches[-1] if self.touches else None

    def _check_identifiable(self, p: c.Problems) -> None:
        if type(self.person_name) is not str or not self.person_name.strip():
            msg = (
                f"a lead needs a person's name (a company name alone is not a lead) — {_LEAD_RULE}"
            )
            p.append(Problem("person_name", msg, self.person_name))
        c.unicode(p, "person_name", self.person_name)
        if self.contact_points == ():
            msg = "a lead needs at least one contact point (phone, email or messenger)"
            msg = f"{msg} — {_LEAD_RULE}"
            p.append(Problem("contact_points", msg))

    def _check_status(self, p: c.Problems) -> None:
        c.opt_text(p, "pipeline", self.pipeline, "the pipeline key")
        c.opt_text(p, "status", self.status, "the status")
        if (self.pipeline is None) != (self.status is None):
            p.append(Problem("status", "pipeline and status are set together (or neither)"))
        history = self.history
        c.tuple_of(p, "history", history, StatusChange)
        if p or not history:
            return
        for i in range(1, len(history)):
            if history[i].at < history[i - 1].at:
                p.append(
                    Problem(f"history[{i}].at", "history must be in time order", history[i].at)
                )
        last = history[-1]
        if (last.pipeline, last.to_status) != (self.pipeline, self.status):
            where = f"{last.pipeline}/{last.to_status}"
            p.append(
                Problem(
                    "status", f"the status must be where the history ends ({where})", self.status
                )
            )

    def _check_outcome(self, p: c.Problems) -> None:
        c.opt_instance(p, "converted", self.converted, ConversionLinks)
        c.opt_instance(p, "lost", self.lost, LossInfo)
        if self.converted is not None and self.lost is not None:
            p.append(Problem("lost", "a converted lead cannot also be lost; reopen or recycle it"))


def _check_erased(p: c.Problems, entity: Any) -> None:
    """An erased record keeps no name and no contact point (its personal data is gone)."""
    c.aware(p, "erased_at", entity.erased_at)
    name_field = "person_name" if hasattr(entity, "person_name") else "name"
    if getattr(entity, name_field) not in ("", None):
        p.append(Problem(name_field, "an erased record keeps no name", getattr(entity, name_field)))
    if entity.contact_points != ():
        p.append(Problem("contact_points", "an erased record keeps no contact points"))


def _tags(p: c.Problems, value: object) -> None:
    if type(value) is not frozenset:
        p.append(Problem("tags", "expected a frozenset of strings", value))
        return
    for tag in value:
        c.text(p, "tags", tag, "a tag")


def _owner(p: c.Problems, value: object) -> None:
    c.opt_text(p, "owner", value, "the owner")


def _same(value: object) -> object:
    return value


Alone = tuple[Callable[[Any], Any], Callable[[c.Problems, Any], None]]
"""How a field checked alone is made and checked: the class's converter, and its check."""

LEAD_ALONE: Final[Mapping[str, Alone]] = {"owner": (_same, _owner), "tags": (_tag_set, _tags)}
"""The fields of a :class:`Lead` no rule of another field involves, in the order its checks
run, with the converter and the check the class applies to each: an edit that changes only
these runs them, not every check of the lead (:func:`~leadmodel.edit`)."""


@attrs.frozen(kw_only=True)
class Contact:
    """A person record; not every contact is a lead. In B2B a company has several.

    ``merges`` records each merge of duplicates into this contact; ``consents`` the person's
    consent records (about this contact: ``person`` is its id).
    """

    id: ContactId
    name: str
    contact_points: tuple[ContactPoint, ...] = attrs.field(default=(), converter=_points)
    company_id: CompanyId | None = None
    role: str | None = None
    time_zone: str | None = None
    custom: Mapping[str, JSON] = EMPTY
    consent: bool | None = None
    do_not_contact: bool = False
    erased_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    merges: tuple[MergeRecord, ...] = ()
    consents: tuple[Consent, ...] = attrs.field(default=(), converter=_consents)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _common(p, self, "contact")
        _check_consents(p, self)
        if self.erased_at is None:
            c.text(p, "name", self.name, "the contact's name")
        else:
            _check_erased(p, self)
        _contact_points(p, self.contact_points)
        c.opt_text(p, "company_id", self.company_id, "the company id")
        c.opt_text(p, "role", self.role, "the role")
        c.time_zone(p, "time_zone", self.time_zone)
        _permissions(p, self)
        c.tuple_of(p, "merges", self.merges, MergeRecord)
        if p:
            c.fail("Contact", p)


@attrs.frozen(kw_only=True)
class Company:
    """A legal entity (counterparty). In B2B the customer is the company."""

    id: CompanyId
    name: str
    legal_name: str | None = None
    tax_id: str | None = None
    domain: str | None = None
    contact_points: tuple[ContactPoint, ...] = attrs.field(default=(), converter=_points)
    custom: Mapping[str, JSON] = EMPTY
    version: int = 0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _common(p, self, "company")
        c.text(p, "name", self.name, "the company name")
        c.opt_text(p, "legal_name", self.legal_name, "the legal name")
        c.opt_text(p, "tax_id", self.tax_id, "the tax id")
        if self.domain is not None:
            try:
                normalise.ascii_domain(self.domain)
            except (ValueError, AttributeError) as exc:
                p.append(
                    Problem(
                        "domain",
                        str(exc) if isinstance(exc, ValueError) else "expected a string",
                        self.domain,
                    )
                )
        _contact_points(p, self.contact_points)
        if p:
            c.fail("Company", p)


@attrs.frozen(kw_only=True)
class Customer:
    """A party that concluded a deal: a person (``contact_id``) or a company (``company_id``)."""

    id: CustomerId
    kind: CustomerKind
    since: datetime = attrs.field(converter=c.fixed_offset)
    origin: CustomerOrigin
    contact_id: ContactId | None = None
    company_id: CompanyId | None = None
    lead_ids: tuple[LeadId, ...] = attrs.field(default=(), converter=_lead_ids)
    order_refs: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    custom: Mapping[str, JSON] = EMPTY
    version: int = 0

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _common(p, self, "customer")
        c.member(p, "kind", self.kind, CustomerKind)
        c.aware(p, "since", self.since)
        c.member(p, "origin", self.origin, CustomerOrigin)
        c.opt_text(p, "contact_id", self.contact_id, "the contact id")
        c.opt_text(p, "company_id", self.company_id, "the company id")
        if self.kind is CustomerKind.person and self.contact_id is None:
            p.append(Problem("contact_id", "a person customer needs the contact_id of that person"))
        if self.kind is CustomerKind.company and self.company_id is None:
            p.append(Problem("company_id", "a company customer (B2B) needs its company_id"))
        c.texts(p, "lead_ids", self.lead_ids, "a lead id")
        c.texts(p, "order_refs", self.order_refs, "an order reference")
        if p:
            c.fail("Customer", p)
