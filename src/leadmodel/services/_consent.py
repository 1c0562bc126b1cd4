"""Consent as services: give, confirm, withdraw a person's consent on a stored record, and ask
whether a contacting action is allowed (:func:`leadmodel.may_contact` over the record)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.capture import (
    Consent,
    ContactVerdict,
    LawfulBasis,
    OptInState,
    Purpose,
)
from leadmodel.domain.capture import may_contact as _may_contact
from leadmodel.domain.capture.consent import PURPOSE_WORDS, rehome
from leadmodel.domain.events import ConsentChanged
from leadmodel.domain.model import Contact, Interest, Lead
from leadmodel.domain.values import ContactKind
from leadmodel.errors import Problem, RuleViolation
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.storage.protocols import Repository, UnitOfWork

__all__ = ["confirm_opt_in", "give_consent", "may_contact", "withdraw_consent"]

Kind = Literal["interests", "leads", "contacts"]
Person = Interest | Lead | Contact
_KINDS = ("interests", "leads", "contacts")


def _repository(uow: UnitOfWork, kind: object, service: str) -> Repository[Any]:
    if kind not in _KINDS:
        msg = f"the kind of record that holds consents: {c.listed(_KINDS)}"
        c.fail(service, [Problem("kind", msg, kind)])
    found: Repository[Any] = getattr(uow, str(kind))
    return found


def give_consent(
    uow: UnitOfWork,
    record_id: str,
    consent: Consent,
    *,
    kind: Kind = "leads",
    opt_in_ttl: timedelta | None = None,
    by: str | None = None,
) -> Person:
    """Record ``consent`` (or a refusal: a record withdrawn when made) on the stored record
    ``record_id`` of ``kind``; its ``person`` becomes the record's id. With ``opt_in_ttl``,
    a consent is asked to be confirmed (double opt-in) at its ``at``, open that long. Emits
    ``ConsentChanged`` (``given``, ``opt_in_requested`` or ``withdrawn``). Returns the stored
    record; a record already held is not added twice.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, at = lm.MemoryUnitOfWork(), datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> with uow:
    ...     _ = uow.contacts.add(lm.Contact(id="c-1", name="Olena Koval",
    ...         contact_points=[lm.ContactPoint.email("olena@mebli.ua")]))
    ...     uow.commit()
    >>> news = lm.Consent(person="?", purpose="marketing_email", channel="email",
    ...     basis="consent", source="form:newsletter", at=at,
    ...     evidence=lm.ConsentEvidence(text_version="v3"))
    >>> held = lm.services.give_consent(uow, "c-1", news, kind="contacts",
    ...     opt_in_ttl=timedelta(days=2))
    >>> [(c.person, c.double_opt_in.value) for c in held.consents]
    [('c-1', 'requested')]
    """
    service = "services.give_consent"
    repository = _repository(uow, kind, service)
    if not isinstance(consent, Consent):
        c.fail(service, [Problem("consent", "a Consent record", consent)])
    with uow:
        record: Person = repository.get(record_id)
        (made,) = rehome([consent], record.id)
        change = "withdrawn" if made.withdrawn_at is not None else "given"
        if opt_in_ttl is not None and made.withdrawn_at is None:
            made = made.request_opt_in(made.at, ttl=opt_in_ttl)
            change = "opt_in_requested"
        if made in record.consents:
            return record
        stored: Person = repository.save(attrs.evolve(record, consents=(*record.consents, made)))
        uow.emit(ConsentChanged.of(str(kind), made, change, at=made.at, by=by))
        uow.commit()
    return stored


def _matching(
    record: Person, purpose: Purpose, channel: ContactKind | None, network: str | None
) -> list[int]:
    return [
        i
        for i, held in enumerate(record.consents)
        if held.purpose is purpose
        and (channel is None or held.channel in (None, channel))
        and (network is None or held.network in (None, network))
    ]


def confirm_opt_in(
    uow: UnitOfWork,
    record_id: str,
    *,
    purpose: Purpose | str,
    channel: ContactKind | str | None = None,
    kind: Kind = "leads",
    at: datetime | None = None,
    clock: Clock = utc_now,
    by: str | None = None,
) -> Person:
    """The person confirmed (clicked the link): the latest double opt-in request for
    ``purpose`` (and ``channel``) on the record is confirmed at ``at`` (default: now). Emits
    ``ConsentChanged`` (``confirmed``). Confirmed on an interest, the request the lead it went
    to holds is confirmed too (the person's consent follows them). Raises :class:`~leadmodel.errors.RuleViolation` when
    no request is waiting or it has expired (ask again: :func:`give_consent` with
    ``opt_in_ttl``).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, at = lm.MemoryUnitOfWork(), datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> news = lm.Consent(person="?", purpose="marketing_email", channel="email",
    ...     basis="consent", source="form:newsletter", at=at,
    ...     evidence=lm.ConsentEvidence(text_version="v3"))
    >>> form = lm.services.capture(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Newsletter", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     consents=[news], at=at, ids=lm.sequential_ids("I"))
    >>> done = lm.services.confirm_opt_in(uow, "I-1", purpose="marketing_email",
    ...     kind="interests", at=at + timedelta(hours=2))
    >>> bool(lm.services.may_contact(uow, "I-1", purpose="marketing_email", channel="email",
    ...     kind="interests", at=at + timedelta(hours=3)))
    True
    >>> lm.services.confirm_opt_in(uow, "I-1", purpose="sms", kind="interests", at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.RuleViolation: confirm_opt_in: interest I-1 has no double opt-in request for text messages waiting
    """  # noqa: E501 - the doctest's output is one line
    service = "services.confirm_opt_in"
    repository = _repository(uow, kind, service)
    wanted, by_kind = _purpose_and_channel(service, purpose, channel)
    when = now(clock, at)
    with uow:
        record: Person = repository.get(record_id)
        found = _confirmed(record, wanted, by_kind, when)
        if found is None:
            what = f"{type(record).__name__.lower()} {record.id}"
            words = _words(wanted)
            raise RuleViolation(
                f"confirm_opt_in: {what} has no double opt-in request for {words} waiting"
            )
        stored: Person = _store(
            uow, repository, str(kind), found, change="confirmed", when=when, by=by
        )
        lead = _lead_of(uow, record)
        if lead is not None and (also := _confirmed(lead, wanted, by_kind, when)) is not None:
            _store(uow, uow.leads, "leads", also, change="confirmed", when=when, by=by)
        uow.commit()
    return stored


def _confirmed(
    record: Person, wanted: Purpose, by_kind: ContactKind | None, when: datetime
) -> tuple[Person, list[Consent]] | None:
    """``record`` with its latest waiting request for ``wanted`` confirmed (``None``: none
    waits)."""
    waiting = [
        i
        for i in _matching(record, wanted, by_kind, None)
        if record.consents[i].double_opt_in is OptInState.requested
    ]
    if not waiting:
        return None
    i = max(waiting, key=lambda n: record.consents[n].requested_at or record.consents[n].at)
    done = record.consents[i].confirm(when)
    consents = (*record.consents[:i], done, *record.consents[i + 1 :])
    return attrs.evolve(record, consents=consents), [done]


def _store(
    uow: UnitOfWork,
    repository: Repository[Any],
    kind: str,
    found: tuple[Person, list[Consent]],
    *,
    change: str,
    when: datetime,
    by: str | None,
) -> Person:
    """Save the changed record and announce each consent that changed."""
    record, changed = found
    stored: Person = repository.save(record)
    for consent in changed:
        uow.emit(ConsentChanged.of(kind, consent, change, at=when, by=by))
    return stored


def _lead_of(uow: UnitOfWork, record: Person) -> Lead | None:
    """The lead an interest went to: the person's consent follows them there."""
    if isinstance(record, Interest) and record.lead_id is not None:
        lead: Lead = uow.leads.get(record.lead_id)
        return lead
    return None


def withdraw_consent(
    uow: UnitOfWork,
    record_id: str,
    *,
    purpose: Purpose | str,
    channel: ContactKind | str | None = None,
    kind: Kind = "leads",
    at: datetime | None = None,
    clock: Clock = utc_now,
    by: str | None = None,
    source: str = "withdrawn by the person",
) -> Person:
    """The person withdrew consent (or objected) for ``purpose`` (through ``channel``; None:
    every channel) at ``at``: every record of it on the record is withdrawn, and when none is
    held, a refusal is recorded, so the person is not contacted for it from now on; withdrawn
    on an interest, it is withdrawn on the lead the interest went to as well. Emits
    ``ConsentChanged`` (``withdrawn``) for each.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, at = lm.MemoryUnitOfWork(), datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> form = lm.services.capture(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     at=at, ids=lm.sequential_ids("I"))
    >>> _ = lm.services.withdraw_consent(uow, "I-1", purpose="service", kind="interests",
    ...     at=at + timedelta(days=1))
    >>> lm.services.may_contact(uow, "I-1", purpose="service", channel="email",
    ...     kind="interests", at=at + timedelta(days=2)).reason
    'refused: consent to service messages by email was withdrawn on 2026-03-03'
    """
    service = "services.withdraw_consent"
    repository = _repository(uow, kind, service)
    wanted, by_kind = _purpose_and_channel(service, purpose, channel)
    when = now(clock, at)
    with uow:
        record: Person = repository.get(record_id)
        found = _withdrawn(record, wanted, by_kind, when, source)
        stored: Person = _store(
            uow, repository, str(kind), found, change="withdrawn", when=when, by=by
        )
        lead = _lead_of(uow, record)
        if lead is not None:
            also = _withdrawn(lead, wanted, by_kind, when, source)
            _store(uow, uow.leads, "leads", also, change="withdrawn", when=when, by=by)
        uow.commit()
    return stored


def _withdrawn(
    record: Person, wanted: Purpose, by_kind: ContactKind | None, when: datetime, source: str
) -> tuple[Person, list[Consent]]:
    """``record`` with every record of ``wanted`` withdrawn, or a refusal added."""
    consents = list(record.consents)
    changed = []
    for i in _matching(record, wanted, by_kind, None):
        if consents[i].withdrawn_at is None and consents[i].at <= when:
            consents[i] = consents[i].withdraw(when)
            changed.append(consents[i])
    if not changed:
        refusal = Consent(
            person=record.id,
            purpose=wanted,
            channel=by_kind,
            basis=LawfulBasis.consent,
            source=source,
            at=when,
            withdrawn_at=when,
        )
        consents.append(refusal)
        changed.append(refusal)
    return attrs.evolve(record, consents=tuple(consents)), changed


def may_contact(
    uow: UnitOfWork,
    record_id: str,
    *,
    purpose: Purpose | str,
    channel: ContactKind | str | None = None,
    network: str | None = None,
    kind: Kind = "leads",
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> ContactVerdict:
    """Whether the person of the stored record may be contacted for ``purpose`` through
    ``channel`` at ``at`` (default: now): :func:`leadmodel.may_contact` over the record's
    consents and its do-not-contact flag. Ask it before every contacting action the library
    does not see (a campaign, a call list); the pipeline's follow-ups ask it themselves.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, at = lm.MemoryUnitOfWork(), datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> form = lm.services.capture(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     at=at, ids=lm.sequential_ids("I"))
    >>> lm.services.may_contact(uow, "I-1", purpose="service", channel="email",
    ...     kind="interests", at=at).reason
    'allowed: service messages by email under contract, recorded on 2026-03-02'
    >>> lm.services.may_contact(uow, "I-1", purpose="marketing_email", channel="email",
    ...     kind="interests", at=at).allowed
    False
    """
    repository = _repository(uow, kind, "services.may_contact")
    when = now(clock, at)
    with uow:
        record: Person = repository.get(record_id)
    return _may_contact(
        record.consents,
        purpose=purpose,
        channel=channel,
        network=network,
        at=when,
        do_not_contact=record.do_not_contact,
    )


def _purpose_and_channel(
    service: str, purpose: object, channel: object
) -> tuple[Purpose, ContactKind | None]:
    p: c.Problems = []
    wanted = c.as_member(Purpose, purpose)
    c.member(p, "purpose", wanted, Purpose)
    by_kind = c.as_member(ContactKind, channel) if channel is not None else None
    if by_kind is not None:
        c.member(p, "channel", by_kind, ContactKind)
    if p:
        c.fail(service, p)
    return wanted, by_kind


def _words(purpose: Purpose) -> str:
    return PURPOSE_WORDS[purpose]
