"""The front door's engine: what a new submission becomes, given who is already known.

Pure: the service (:func:`leadmodel.services.capture`) finds the person's stored records
through the key index and passes them here as :class:`Known`; :func:`decide` returns the
:class:`CaptureResult` — the decision, its reason in words, the interest and the lead to store.

>>> from datetime import datetime, timezone
>>> import leadmodel as lm
>>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> form = lm.Interest(id=lm.InterestId("I-1"), occurred_at=at, topic="Chairs",
...     source=lm.Source(channel=lm.Channel.form), person_name="Olena Koval",
...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")])
>>> door = decide(form, Known(), KnownPersonPolicy(), at=at, ids=lm.sequential_ids("L"))
>>> door.decision.value, door.lead.id, door.reason
('new_lead', 'L-1', 'nobody with these contact points is known: a new lead')
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Final

import attrs

from leadmodel._kernel.frozen_json import thaw
from leadmodel.domain.capture.consent import Consent, LawfulBasis, Purpose
from leadmodel.domain.intake.policy import CapturePolicy, Decision, KnownPersonPolicy
from leadmodel.domain.ladder import attach_interest, log_activity, promote, recycle, repeat_lead
from leadmodel.domain.model import (
    Activity,
    ActivityKind,
    Contact,
    Customer,
    Direction,
    Interest,
    Lead,
)
from leadmodel.domain.values import Channel, IdFactory, uuid7
from leadmodel.errors import NotALeadError

__all__ = [
    "CAPTURE_KEY",
    "QUARANTINE_KEY",
    "CaptureResult",
    "Known",
    "decide",
    "fingerprint",
    "inquiry_consent",
    "request_opt_ins",
    "same_submission",
]

CAPTURE_KEY: Final = "capture"
"""The kind of the lookup key a captured interest is stored under: ``capture:<key>``."""

QUARANTINE_KEY: Final = "quarantine:held"
"""The lookup key of every quarantined interest (the list of them is one index range)."""

_NOT_INBOUND = frozenset({Channel.import_, Channel.manual})
_KIND_OF_CHANNEL: Final = {
    Channel.phone_call: ActivityKind.call,
    Channel.email: ActivityKind.email,
    Channel.event: ActivityKind.meeting,
}


@attrs.frozen(kw_only=True)
class Known:
    """The person's stored records the service found: ``leads`` sharing a contact point (any
    state), ``customers`` linked to those leads or to ``contacts`` sharing one (each with its
    contact, when there is one), and ``alike``, the ids of records like the person but not
    surely the same (a name key, a probabilistic match below the policy's ``merge_at``)."""

    leads: tuple[Lead, ...] = ()
    customers: tuple[tuple[Customer, Contact | None], ...] = ()
    alike: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CaptureResult:
    """What the front door decided: the ``decision``, the ``reason`` in words, the ``interest``
    (``None`` when refused) and the ``lead`` to store (new or changed; ``None`` when none),
    and the ``candidates`` a possible duplicate was flagged with."""

    decision: Decision
    reason: str
    interest: Interest | None
    lead: Lead | None = None
    candidates: tuple[str, ...] = ()


def fingerprint(interest: Interest) -> str:
    """The key of a submission that came without one: a hash of what the person sent (the
    source, topic, message, name, contact points, company and custom fields; not the time).

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> a = lm.Interest(id=lm.InterestId("I-1"), occurred_at=at, topic="Chairs",
    ...     source=lm.Source(channel=lm.Channel.form))
    >>> fingerprint(a) == fingerprint(attrs.evolve(a, id="I-2", occurred_at=at.replace(hour=10)))
    True
    >>> fingerprint(a)[:3]
    'fp-'
    """
    source = interest.source
    payload = {
        "source": [source.channel.value, source.name, source.campaign, source.medium],
        "topic": interest.topic,
        "message": interest.message,
        "person_name": interest.person_name,
        "contact_points": sorted(point.key for point in interest.contact_points),
        "company_name": interest.company_name,
        "custom": thaw(interest.custom),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return "fp-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def same_submission(stored: Interest, at: datetime, policy: CapturePolicy) -> bool:
    """Whether ``stored``, captured under the same key, is this submission (at ``at``) again:
    it was captured within the policy's window of ``at``, either side.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> first = lm.Interest(id=lm.InterestId("I-1"), occurred_at=at, topic="Chairs",
    ...     source=lm.Source(channel=lm.Channel.form))
    >>> same_submission(first, at + timedelta(minutes=3), CapturePolicy())
    True
    >>> same_submission(first, at + timedelta(hours=1), CapturePolicy())
    False
    """
    return abs(stored.occurred_at - at) <= policy.window


def inquiry_consent(interest: Interest) -> Consent | None:
    """The basis a person's own request gives for replying to it: ``service`` under
    ``contract`` (steps at the person's request before a contract), sourced to the interest;
    ``None`` for an interest that did not come in (imported, entered by hand).

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> form = lm.Interest(id=lm.InterestId("I-1"), occurred_at=at, topic="Chairs",
    ...     source=lm.Source(channel=lm.Channel.form))
    >>> basis = inquiry_consent(form)
    >>> basis.purpose.value, basis.basis.value, basis.source
    ('service', 'contract', 'request I-1 by form')
    """
    channel = interest.source.channel
    if channel in _NOT_INBOUND:
        return None
    return Consent(
        person=interest.id,
        purpose=Purpose.service,
        basis=LawfulBasis.contract,
        source=f"request {interest.id} by {channel.value}",
        at=interest.occurred_at,
    )


def request_opt_ins(
    consents: tuple[Consent, ...], policy: CapturePolicy, at: datetime
) -> tuple[Consent, ...]:
    """``consents`` given with a submission, those of the policy's double opt-in purposes (basis
    consent, not withdrawn, not confirmed yet) now awaiting confirmation, asked at ``at``.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> news = lm.Consent(person="I-1", purpose="marketing_email", channel="email",
    ...     basis="consent", source="form:news", at=at,
    ...     evidence=lm.ConsentEvidence(text_version="v3"))
    >>> [c.double_opt_in.value for c in request_opt_ins((news,), CapturePolicy(), at)]
    ['requested']
    """
    out = []
    for consent in consents:
        wants = (
            consent.purpose in policy.double_opt_in
            and consent.basis is LawfulBasis.consent
            and consent.withdrawn_at is None
            and consent.erased_at is None
            and consent.confirmed_at is None
        )
        out.append(consent.request_opt_in(at, ttl=policy.opt_in_ttl) if wants else consent)
    return tuple(out)


def _activity(interest: Interest) -> Activity:
    """The interest as an inbound contact on a lead's timeline (its id: ``interest:<id>``)."""
    channel = interest.source.channel
    return Activity(
        at=interest.occurred_at,
        kind=_KIND_OF_CHANNEL.get(channel, ActivityKind.message),
        direction=Direction.inbound,
        channel=channel,
        id=f"interest:{interest.id}",
    )


def _open(lead: Lead) -> bool:
    return lead.lost is None and lead.converted is None and lead.erased_at is None


def decide(
    interest: Interest,
    known: Known,
    policy: KnownPersonPolicy,
    *,
    at: datetime,
    by: str | None = None,
    ids: IdFactory = uuid7,
) -> CaptureResult:
    """What ``interest`` becomes, given the person's ``known`` records, under ``policy``:
    attached to the open lead, a repeat lead of the customer, a reopened lost lead, a new lead
    (flagged as a possible duplicate when alike records exist) or an interest only. The
    order and the rules are :class:`KnownPersonPolicy`'s. New leads are dated ``at``.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> email = lm.ContactPoint.email("olena@mebli.ua")
    >>> lost = lm.Lead(id=lm.LeadId("L-1"), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=[email], source=lm.Source(channel=lm.Channel.form), created_at=at,
    ...     lost=lm.LossInfo(status="lost", reason="price", at=at))
    >>> later = at + timedelta(days=45)
    >>> again = lm.Interest(id=lm.InterestId("I-2"), occurred_at=later, topic="Desks",
    ...     source=lm.Source(channel=lm.Channel.form), person_name="Olena Koval",
    ...     contact_points=[email])
    >>> door = decide(again, Known(leads=(lost,)), KnownPersonPolicy(), at=later,
    ...     ids=lm.sequential_ids("L", start=2))
    >>> door.decision.value, door.lead.id, door.lead.previous_lead_id
    ('reopened', 'L-2', 'L-1')
    >>> door.reason
    'lead L-1 was lost 45 days ago (reopened after 30 days): a new attempt'
    """
    door = _Door(interest=interest, policy=policy, at=at, by=by, ids=ids)
    if not interest.contact_points:
        return door.interest_only("no contact point: nobody to match")
    leads = [lead for lead in known.leads if lead.erased_at is None]
    open_leads = [lead for lead in leads if _open(lead)]
    if policy.attach_to_open and open_leads:
        return door.attach(max(open_leads, key=lambda lead: (lead.created_at, lead.id)))
    if policy.repeat_for_customers and known.customers:
        return door.repeat(max(known.customers, key=lambda pair: (pair[0].since, pair[0].id)))
    lost = [lead for lead in leads if lead.lost is not None]
    if lost and policy.reopen_lost_after is not None:
        last = max(lost, key=_lost_at)
        return door.come_back(last, _lost_at(last)[0], policy.reopen_lost_after, known.alike)
    alike = tuple(dict.fromkeys((*(lead.id for lead in leads), *known.alike)))
    if alike and policy.flag_possible_duplicates:
        return door.new_lead("records alike are known", flag=alike)
    unknown = "nobody with these contact points is known"
    return door.new_lead(unknown) if policy.promote_new else door.interest_only(unknown)


def _lost_at(lead: Lead) -> tuple[datetime, str]:
    return (lead.lost.at if lead.lost else lead.created_at), lead.id


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


@attrs.frozen(kw_only=True)
class _Door:
    """One submission at the door: the steps :func:`decide` may take with it."""

    interest: Interest
    policy: KnownPersonPolicy
    at: datetime
    by: str | None
    ids: IdFactory

    def interest_only(self, why: str) -> CaptureResult:
        reason = f"{why}: an interest only"
        return CaptureResult(decision=Decision.new_interest, reason=reason, interest=self.interest)

    def attach(self, target: Lead) -> CaptureResult:
        lead, attached = attach_interest(target, self.interest)
        lead = log_activity(lead, _activity(self.interest))
        reason = f"the person has an open lead {target.id}: the request is attached to it"
        return CaptureResult(
            decision=Decision.attached, reason=reason, interest=attached, lead=lead
        )

    def repeat(self, known: tuple[Customer, Contact | None]) -> CaptureResult:
        customer, contact = known
        source = self.interest.source
        exception = self.policy.repeat_exception(source.channel, source.name, self.interest.topic)
        if exception:
            return self.interest_only(f"the person is customer {customer.id}, but {exception}")
        try:
            made = repeat_lead(customer, self.interest, at=self.at, contact=contact, ids=self.ids)
        except NotALeadError as exc:
            return self.interest_only(f"the person is customer {customer.id}; {exc}")
        lead, attached = attach_interest(made, self.interest)
        reason = f"the person is customer {customer.id}: a repeat lead linked to it"
        return CaptureResult(
            decision=Decision.repeat_lead, reason=reason, interest=attached, lead=lead
        )

    def come_back(
        self, last: Lead, lost_at: datetime, wait: timedelta, alike: tuple[str, ...]
    ) -> CaptureResult:
        """The person's latest lost lead: recycled when lost at least ``wait`` ago, else a new
        lead flagged as its possible duplicate."""
        since = self.at - lost_at
        ago = f"lead {last.id} was lost {_days(since.days)} ago"
        if since < wait:
            why = f"{ago} (reopened only after {_days(wait.days)})"
            return self.new_lead(why, flag=tuple(dict.fromkeys((last.id, *alike))))
        back = recycle(last, at=self.at, by=self.by, reason=f"request {self.interest.id}",
                       ids=self.ids)  # fmt: skip
        lead, attached = attach_interest(back, self.interest)
        reason = f"{ago} (reopened after {_days(wait.days)}): a new attempt"
        return CaptureResult(
            decision=Decision.reopened, reason=reason, interest=attached, lead=lead
        )

    def new_lead(self, why: str, *, flag: tuple[str, ...] = ()) -> CaptureResult:
        """A new lead of the interest; flagged with ``flag``, the records it may duplicate."""
        try:
            made = promote(self.interest, at=self.at, by=self.by, ids=self.ids)
        except NotALeadError as exc:
            return self.interest_only(f"{why}; not a lead yet, missing {', '.join(exc.missing)}")
        if flag:
            made = attrs.evolve(made, possible_duplicates=flag)
            why = f"{why}: a new lead, flagged as a possible duplicate"
        else:
            why = f"{why}: a new lead"
        lead, attached = attach_interest(made, self.interest)
        decision = Decision.possible_duplicate if flag else Decision.new_lead
        return CaptureResult(
            decision=decision, reason=why, interest=attached, lead=lead, candidates=flag
        )
