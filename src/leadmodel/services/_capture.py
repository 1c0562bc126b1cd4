"""The front door as a service: capture a submission idempotently, screen it, and decide what
it becomes given who is already known; list and release the quarantined ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.capture import Consent, Screening, SpamVerdict, Touch
from leadmodel.domain.capture.consent import rehome
from leadmodel.domain.events import (
    ActivityLogged,
    ConsentChanged,
    InterestCaptured,
    InterestReleased,
    LeadCreated,
    StatusChanged,
)
from leadmodel.domain.intake import (
    CAPTURE_KEY,
    QUARANTINE_KEY,
    CapturePolicy,
    CaptureResult,
    Decision,
    Known,
    KnownPersonPolicy,
    decide,
    fingerprint,
    inquiry_consent,
    request_opt_ins,
    same_submission,
)
from leadmodel.domain.matching import KeyKind, MatchKey, MatchModel, match_keys
from leadmodel.domain.model import Contact, Customer, Interest, Lead
from leadmodel.domain.registry import Registry
from leadmodel.domain.values import ContactPoint, IdFactory, InterestId, Source, uuid7
from leadmodel.domain.values.custom_json import EMPTY, JSON
from leadmodel.errors import NotFoundError, Problem, RuleViolation
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._matches import find_matches
from leadmodel.services._resolve import pipeline_of
from leadmodel.storage.protocols import UnitOfWork

__all__ = ["capture", "quarantined", "release"]

_ONE_PERSON = frozenset({KeyKind.email, KeyKind.phone, KeyKind.handle})
_PER_KEY = 20  # records read per key: a key shared by more says little about one person
_SERVICE = "services.capture"
_PENDING = InterestId("pending")


def capture(
    uow: UnitOfWork,
    *,
    source: Source,
    topic: str | None = None,
    message: str | None = None,
    person_name: str | None = None,
    contact_points: Iterable[ContactPoint] = (),
    company_name: str | None = None,
    owner: str | None = None,
    custom: Mapping[str, JSON] = EMPTY,
    touch: Touch | None = None,
    consents: Iterable[Consent] = (),
    spam: SpamVerdict | None = None,
    idempotency_key: str | None = None,
    known: KnownPersonPolicy | None = None,
    policy: CapturePolicy | None = None,
    model: MatchModel | None = None,
    registry: Registry | None = None,
    occurred_at: datetime | None = None,
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> CaptureResult:
    """Capture a submission at the front door, in one unit of work, and say what became of it.

    1. **Idempotency.** The submission's key is ``idempotency_key`` (the host's: a form's
       submission id, a webhook's delivery id) or, without one, the :func:`fingerprint
       <leadmodel.domain.intake.fingerprint>` of what the person sent (only when it names
       them: a person's name or a contact point; an anonymous like has only the host's key).
       An interest captured
       under that key within ``policy.window`` of ``occurred_at`` is returned with decision
       ``duplicate_submit``: nothing is stored, nothing emitted (a double click, a retried
       webhook).
    2. **Spam.** ``spam``, the host's verdict, is screened by ``policy.spam``: a refused
       submission is not stored (decision ``refused``, ``interest`` None); a quarantined one is
       stored with its reason (``quarantine``), not matched, promoted or routed, until
       :func:`release`.
    3. **Consent.** ``consents`` given with it become records of the interest (their ``person``
       is replaced by its id); those of ``policy.double_opt_in`` purposes are asked to be
       confirmed (``ConsentChanged`` with ``opt_in_requested``: the host sends the message), on
       every new submission. With ``policy.inquiry_basis``, the person's own request is recorded
       as the basis for replying to it (:func:`~leadmodel.domain.intake.inquiry_consent`).
    4. **Known person.** With ``known`` (a :class:`~leadmodel.KnownPersonPolicy`), the contact
       points are looked up in the store's key index (email, phone and handle keys: leads,
       contacts, and the customers of both; no scan), and, with ``model`` (a trained
       :class:`~leadmodel.MatchModel`), the probabilistic matcher adds the records likely the
       same person (at the policy's ``merge_at``) and those alike (at the model's threshold);
       without a model, the alike ones are namesakes at the same company (leads sharing the
       name key and a company or domain key: a common name alone flags nobody). The policy decides
       (:func:`~leadmodel.domain.intake.decide`): attach to the open lead (with an inbound
       activity), a repeat lead of the customer, a reopened lost lead, a new lead (flagged as a
       possible duplicate), or an interest only. New leads enter ``known.pipeline``.

    Emits ``InterestCaptured`` with the decision, reason and lead, and as the decision needs:
    ``LeadCreated``, ``StatusChanged``, ``ActivityLogged``, ``ConsentChanged``. Returns the
    :class:`~leadmodel.CaptureResult`. Raises :class:`~leadmodel.errors.ValidationError` for
    an interest that cannot exist, as :func:`capture_interest` does.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> form = dict(source=lm.Source(channel=lm.Channel.form), topic="Office chairs",
    ...     person_name="Olena Koval", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     known=lm.KnownPersonPolicy(pipeline="simple"), ids=ids)
    >>> first = lm.services.capture(uow, **form, at=at)
    >>> first.decision.value, first.lead.id, first.lead.status
    ('new_lead', 'id-2', 'new')
    >>> lm.services.capture(uow, **form, at=at + timedelta(seconds=5)).decision.value
    'duplicate_submit'
    >>> again = lm.services.capture(uow, **{**form, "topic": "Desks"}, at=at + timedelta(days=1))
    >>> again.decision.value, again.lead.id, again.lead.interest_ids
    ('attached', 'id-2', ('id-1', 'id-3'))
    >>> again.reason
    'the person has an open lead id-2: the request is attached to it'
    """
    policy = _policy(policy)
    when = occurred_at if occurred_at is not None else now(clock, at)
    interest = Interest(
        id=_PENDING,  # the id is made once the submission is known to be new
        occurred_at=when,
        source=source,
        topic=topic,
        message=message,
        person_name=person_name,
        contact_points=tuple(contact_points),
        company_name=company_name,
        owner=owner,
        custom=custom,
        touch=touch,
        spam=spam,
    )
    interest = attrs.evolve(
        interest,
        idempotency_key=_key(interest, idempotency_key),
        consents=rehome(consents, _PENDING),
    )
    screened = policy.spam.screen(spam)
    if screened.action is Screening.refuse:
        reason = f"refused as spam: {screened.reason}"
        return CaptureResult(decision=Decision.refused, reason=reason, interest=None)
    matched = (
        _probable(interest, uow, model, known) if screened.action is Screening.accept else None
    )
    with uow:
        first = _first(uow, interest, policy)
        if first is not None:
            return _replayed(uow, first)
        made = InterestId(ids())
        interest = attrs.evolve(interest, id=made, consents=rehome(interest.consents, made))
        if screened.action is Screening.quarantine:
            held = attrs.evolve(interest, quarantine=screened.reason)
            result = CaptureResult(
                decision=Decision.quarantined,
                reason=f"quarantined: {screened.reason}",
                interest=held,
            )
        else:
            interest = _with_consents(uow, interest, policy, when, by)
            result = _admit(uow, interest, known, matched, at=when, by=by, ids=ids)
        stored = _store(uow, result, known, registry, by=by)
        uow.commit()
    return stored


def _key(interest: Interest, given: str | None) -> str | None:
    """The submission's idempotency key: the host's, else the payload's fingerprint — but
    only of a submission that says who sent it (a name or a contact point): two anonymous
    likes of one post are two people, and only the host's key tells them apart."""
    if given is not None:
        return given
    if interest.person_name is None and not interest.contact_points:
        return None
    return fingerprint(interest)


def _policy(policy: CapturePolicy | None) -> CapturePolicy:
    if policy is None:
        return CapturePolicy()
    if not isinstance(policy, CapturePolicy):
        c.fail(_SERVICE, [Problem("policy", "a CapturePolicy (None: the defaults)", policy)])
    return policy


def _first(uow: UnitOfWork, interest: Interest, policy: CapturePolicy) -> Interest | None:
    """The interest this submission repeats: captured under its key within the window."""
    if interest.idempotency_key is None:
        return None
    key = f"{CAPTURE_KEY}:{interest.idempotency_key}"
    for stored in uow.interests.find(key=key, limit=100):
        if same_submission(stored, interest.occurred_at, policy):
            return stored
    return None


def _replayed(uow: UnitOfWork, first: Interest) -> CaptureResult:
    lead = uow.leads.get(first.lead_id) if first.lead_id is not None else None
    when = first.occurred_at.isoformat()
    reason = f"the same submission was captured as {first.id} at {when}: nothing new"
    return CaptureResult(
        decision=Decision.duplicate_submit, reason=reason, interest=first, lead=lead
    )


def _with_consents(
    uow: UnitOfWork, interest: Interest, policy: CapturePolicy, at: datetime, by: str | None
) -> Interest:
    """The interest with its double opt-ins asked at ``at`` and its request as a basis; a
    ``ConsentChanged`` for each consent the person gave (the request's basis goes without:
    ``InterestCaptured`` says it)."""
    asked = request_opt_ins(interest.consents, policy, at)
    for consent in asked:
        change = "opt_in_requested" if consent.requested_at is not None else "given"
        uow.emit(ConsentChanged.of("interests", consent, change, at=at, by=by))
    basis = inquiry_consent(interest) if policy.inquiry_basis else None
    return attrs.evolve(interest, consents=(*asked, *([basis] if basis is not None else [])))


def _probable(
    interest: Interest,
    uow: UnitOfWork,
    model: MatchModel | None,
    known: KnownPersonPolicy | None,
) -> list[tuple[str, str, float]] | None:
    """With a model: the (kind, id, probability) of stored leads and contacts likely the
    same person as ``interest`` (read in a unit of its own, before the capture's)."""
    if model is None or known is None or not interest.contact_points:
        return None
    found = find_matches(interest, uow, model=model, kinds=("leads", "contacts"))
    return [(match.kind, match.id, match.probability) for match in found]


def _admit(
    uow: UnitOfWork,
    interest: Interest,
    policy: KnownPersonPolicy | None,
    matched: list[tuple[str, str, float]] | None,
    *,
    at: datetime,
    by: str | None,
    ids: IdFactory,
) -> CaptureResult:
    if policy is None:
        reason = "no known-person policy was given: stored as an interest"
        return CaptureResult(decision=Decision.new_interest, reason=reason, interest=interest)
    return decide(interest, _known(uow, interest, matched, policy), policy, at=at, by=by, ids=ids)


def _known(
    uow: UnitOfWork,
    interest: Interest,
    matched: list[tuple[str, str, float]] | None,
    policy: KnownPersonPolicy,
) -> Known:
    """The person's stored records: by the one-person keys, and the matcher's or name's."""
    keys = match_keys(interest)
    strong = sorted(str(k) for k in keys if k.kind in _ONE_PERSON)
    leads: dict[str, Lead] = {}
    contacts: dict[str, Contact] = {}
    for key in strong:
        for lead in uow.leads.find(key=key, limit=_PER_KEY):
            leads.setdefault(lead.id, lead)
        for contact in uow.contacts.find(key=key, limit=_PER_KEY):
            contacts.setdefault(contact.id, contact)
    alike: list[str] = []
    if matched is not None:
        for kind, record_id, probability in matched:
            sure = probability >= policy.merge_at
            if sure and kind == "leads" and record_id not in leads:
                leads[record_id] = uow.leads.get(record_id)
            elif sure and kind == "contacts" and record_id not in contacts:
                contacts[record_id] = uow.contacts.get(record_id)
            elif not sure and record_id not in leads and record_id not in contacts:
                alike.append(record_id)
    else:  # a namesake at the same company: the name key and a company or domain key
        named = _ids_by(uow, keys, (KeyKind.name,))
        placed = set(_ids_by(uow, keys, (KeyKind.company, KeyKind.domain)))
        alike += [i for i in named if i in placed and i not in leads]
    return Known(
        leads=tuple(leads.values()),
        customers=_customers(uow, leads.values(), contacts.values()),
        alike=tuple(dict.fromkeys(alike)),
    )


def _ids_by(uow: UnitOfWork, keys: Iterable[MatchKey], kinds: tuple[KeyKind, ...]) -> list[str]:
    """The ids of the leads sharing one of ``keys`` of ``kinds`` (by lookup, each once)."""
    found: dict[str, None] = {}
    for key in sorted(str(k) for k in keys if k.kind in kinds):
        found.update(dict.fromkeys(uow.leads.ids(key=key, limit=_PER_KEY)))
    return list(found)


def _customers(
    uow: UnitOfWork, leads: Iterable[Lead], contacts: Iterable[Contact]
) -> tuple[tuple[Customer, Contact | None], ...]:
    """The customers of the person's leads (their conversions) and contacts, each once."""
    found: dict[str, tuple[Customer, Contact | None]] = {}
    for contact in contacts:
        for customer in uow.customers.find(key=f"contact_id:{contact.id}", limit=_PER_KEY):
            found.setdefault(customer.id, (customer, contact))
    for lead in leads:
        links = lead.converted
        if links is None or links.customer_id in found:
            continue
        try:
            customer = uow.customers.get(links.customer_id)
        except NotFoundError:
            continue  # a conversion recorded elsewhere: nothing to link a repeat lead to
        found[customer.id] = (customer, _contact(uow, customer.contact_id))
    return tuple(found.values())


def _contact(uow: UnitOfWork, contact_id: str | None) -> Contact | None:
    if contact_id is None:
        return None
    try:
        return uow.contacts.get(contact_id)
    except NotFoundError:
        return None


def _store(
    uow: UnitOfWork,
    result: CaptureResult,
    policy: KnownPersonPolicy | None,
    registry: Registry | None,
    *,
    by: str | None,
    released: datetime | None = None,
) -> CaptureResult:
    """Store what the door decided and announce it; the result with the stored records."""
    interest, lead = result.interest, result.lead
    if interest is None:
        return result
    new_lead = lead is not None and result.decision is not Decision.attached
    entered = None  # the pipeline a new lead entered (a new lead is in none before)
    if lead is not None and new_lead and policy is not None and policy.pipeline is not None:
        entered = pipeline_of(policy.pipeline, registry)
        lead = entered.enter(lead, at=lead.created_at, by=by)
    stored_lead: Lead | None = None
    if lead is not None:
        stored_lead = uow.leads.add(lead) if new_lead else uow.leads.save(lead)
    if released is not None:
        stored = uow.interests.save(interest)
        done = attrs.evolve(result, interest=stored, lead=stored_lead)
        uow.emit(InterestReleased.of(done, at=released, by=by))
    else:
        stored = uow.interests.add(interest)
        uow.emit(
            InterestCaptured.of(
                stored,
                by=by,
                decision=result.decision.value,
                reason=result.reason,
                lead_id=stored_lead.id if stored_lead else None,
            )
        )
    if stored_lead is not None and lead is not None:
        if new_lead:
            uow.emit(LeadCreated.of(stored_lead, by=by))
            if entered is not None:
                uow.emit(StatusChanged.of(entered, stored_lead, stored_lead.history[-1]))
        else:
            uow.emit(ActivityLogged.of(stored_lead, stored_lead.activities[-1]))
    return attrs.evolve(result, interest=stored, lead=stored_lead)


def quarantined(uow: UnitOfWork, *, after: str | None = None, limit: int = 100) -> list[Interest]:
    """The quarantined interests, in id order: at most ``limit`` after the id ``after`` (keyset
    paging, one range of the key index).

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> bot = lm.services.capture(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Cheap pills", spam=lm.SpamVerdict(captcha_score=0.3),
    ...     at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc), ids=lm.sequential_ids("I"))
    >>> bot.decision.value, [i.id for i in lm.services.quarantined(uow)]
    ('quarantined', ['I-1'])
    """
    with uow:
        return uow.interests.find(key=QUARANTINE_KEY, after=after, limit=limit)


def release(
    uow: UnitOfWork,
    interest_id: str,
    *,
    known: KnownPersonPolicy | None = None,
    policy: CapturePolicy | None = None,
    model: MatchModel | None = None,
    registry: Registry | None = None,
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> CaptureResult:
    """Release a quarantined interest (someone looked: it is a person): it goes through the
    rest of the front door as :func:`capture` would have sent it — consents, the known-person
    check, a lead — at ``at`` (default: now). Emits ``InterestReleased`` with the decision.
    Raises :class:`~leadmodel.errors.RuleViolation` for an interest that is not quarantined,
    :class:`~leadmodel.errors.NotFoundError` for an unknown id.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> held = lm.services.capture(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     spam=lm.SpamVerdict(rate_limited=True), at=at, ids=ids)
    >>> out = lm.services.release(uow, held.interest.id, known=lm.KnownPersonPolicy(),
    ...     by="anna", at=at + timedelta(minutes=30), ids=ids)
    >>> out.decision.value, out.lead.interest_ids, lm.services.quarantined(uow)
    ('new_lead', ('id-1',), [])
    """
    policy = _policy(policy)
    when = now(clock, at)
    with uow:
        current = uow.interests.get(interest_id)
    if current.quarantine is None:
        raise RuleViolation(f"interest {interest_id} is not quarantined; nothing to release")
    free = attrs.evolve(current, quarantine=None)
    matched = _probable(free, uow, model, known)
    with uow:
        current = uow.interests.get(interest_id)
        if current.quarantine is None:
            raise RuleViolation(f"interest {interest_id} was released meanwhile")
        free = _with_consents(uow, attrs.evolve(current, quarantine=None), policy, when, by)
        result = _admit(uow, free, known, matched, at=when, by=by, ids=ids)
        stored = _store(uow, result, known, registry, by=by, released=when)
        uow.commit()
    return stored
