"""The one check every contacting action asks: :func:`may_contact`, over the person's
:class:`~leadmodel.domain.capture.consent.Consent` records.

:func:`may_contact` decides at an instant ``at``, reading only the records made by then:

1. do-not-contact refuses;
2. a record for the purpose and channel that is erased by ``at`` refuses, for good;
3. a record for the purpose and channel withdrawn by ``at`` refuses, unless a *later* record
   with basis consent (given after the withdrawal) is in force — an older record, or one with
   another basis, never outweighs a withdrawal;
4. otherwise a record in force allows: one whose basis covers the purpose (table above) and,
   for basis consent, whose double opt-in is not required or confirmed by ``at`` (a requested
   one is pending until confirmed, and never counts once its window has closed);
5. anything else refuses, with the reason in words a UI can show.

>>> from datetime import datetime, timedelta, timezone
>>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> asked = Consent(person="lead-1", purpose="marketing_email", channel="email",
...     basis="consent", source="form:newsletter", at=at,
...     evidence=ConsentEvidence(form_url="https://mebli.ua/news", text_version="v3"))
>>> asked = asked.request_opt_in(at, ttl=timedelta(days=2))
>>> may_contact([asked], purpose="marketing_email", channel="email", at=at).reason
'refused: double opt-in for marketing email by email was requested on 2026-03-02 and is not confirmed yet'
>>> given = asked.confirm(at + timedelta(hours=1))
>>> bool(may_contact([given], purpose="marketing_email", channel="email", at=at + timedelta(hours=2)))
True
>>> gone = given.withdraw(at + timedelta(days=5)).erase(at + timedelta(days=6))
>>> gone.evidence, gone.source, gone.withdrawn_at is not None
(None, None, True)
"""  # noqa: E501 - the doctest's output is one line

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.capture.consent import (
    PURPOSE_BASES,
    PURPOSE_CHANNELS,
    PURPOSE_WORDS,
    Consent,
    ConsentEvidence,  # noqa: F401 - the doctests' records
    LawfulBasis,
    OptInState,
    Purpose,
    as_kind,
    as_purpose,
    check_channel,
    check_network,
)
from leadmodel.domain.values.contact import ContactKind
from leadmodel.errors import Problem

__all__ = ["ContactVerdict", "latest_consent", "may_contact"]


@attrs.frozen(kw_only=True)
class ContactVerdict:
    """What :func:`may_contact` decided: ``allowed``, the ``reason`` in words a UI can show,
    and the ``consent`` record it rests on (the one that allows, or that refuses: withdrawn,
    erased, pending; ``None`` when no record decided). True exactly when allowed.

    >>> verdict = ContactVerdict(allowed=False, reason="refused: do-not-contact")
    >>> bool(verdict), verdict.consent is None
    (False, True)
    """

    allowed: bool
    reason: str
    consent: Consent | None = None

    def __bool__(self) -> bool:
        return self.allowed


def may_contact(
    consents: Iterable[Consent],
    *,
    purpose: Purpose | str,
    channel: ContactKind | str | None = None,
    network: str | None = None,
    at: datetime,
    do_not_contact: bool = False,
) -> ContactVerdict:
    """Whether the person whose records ``consents`` are may be contacted for ``purpose``
    through ``channel`` (and, for a messenger or social channel, ``network``) at ``at``.

    The rules are the module's (:mod:`leadmodel.domain.capture.consent`): do-not-contact and
    erasure refuse; a withdrawal refuses unless a later consent is in force; otherwise a
    record whose basis covers the purpose, confirmed when it asked for double opt-in, allows.
    ``channel`` is required for every purpose but profiling, which takes none. Raises
    :class:`~leadmodel.errors.ValidationError` for records of several persons or bad input.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> order = Consent(person="lead-1", purpose="service", basis="contract",
    ...     source="order 17", at=at)
    >>> may_contact([order], purpose="service", channel="phone", at=at).reason
    'allowed: service messages by phone under contract, recorded on 2026-03-02'
    >>> calls = Consent(person="lead-1", purpose="calls", channel="phone",
    ...     basis="legitimate_interest", source="existing customer", at=at)
    >>> may_contact([order, calls], purpose="calls", channel="phone", at=at).reason
    'refused: legitimate_interest covers only service messages; calls by phone need consent'
    """
    records, query = _query(
        consents, purpose=purpose, channel=channel, network=network, at=at, dnc=do_not_contact
    )
    if do_not_contact:
        reason = "refused: the person asked not to be contacted (do-not-contact)"
        return ContactVerdict(allowed=False, reason=reason)
    made = [r for r in records if r.at <= query.at and query.overlaps(r)]
    erased = [r for r in made if r.erased_at is not None and r.erased_at <= query.at]
    if erased:
        last = max(erased, key=lambda r: r.erased_at or r.at)
        reason = (
            f"refused: the person's data was erased on {_day(last.erased_at)}; never contact again"
        )
        return ContactVerdict(allowed=False, reason=reason, consent=last)
    ended = [r for r in made if r.withdrawn_at is not None and r.withdrawn_at <= query.at]
    withdrawal = max(ended, key=lambda r: r.withdrawn_at or r.at, default=None)
    live = [r for r in made if query.covers(r) and r not in ended]
    if withdrawal is not None and withdrawal.withdrawn_at is not None:
        since = withdrawal.withdrawn_at
        live = [r for r in live if r.basis is LawfulBasis.consent and r.at > since]
    fit = [r for r in live if r.basis in PURPOSE_BASES[query.purpose]]
    allowing = [r for r in fit if _given_by(r, query.at)]
    if allowing:
        best = _latest(allowing)
        return ContactVerdict(allowed=True, reason=query.allowed(best), consent=best)
    return _refusal(query, withdrawal, fit, live)


def _refusal(
    query: _Query, withdrawal: Consent | None, fit: list[Consent], live: list[Consent]
) -> ContactVerdict:
    """Why nothing allows: the withdrawal, else a pending or expired double opt-in, else a
    basis that does not cover the purpose, else no record at all."""
    if withdrawal is not None:
        reason = f"refused: {query.words} was withdrawn on {_day(withdrawal.withdrawn_at)}"
        return ContactVerdict(allowed=False, reason=reason, consent=withdrawal)
    if fit:
        pending = _latest(fit)
        return ContactVerdict(allowed=False, reason=query.pending(pending), consent=pending)
    if live:
        other = _latest(live)
        reason = (
            f"refused: {other.basis.value} covers only {PURPOSE_WORDS[Purpose.service]}; "
            f"{query.what} need consent"
        )
        return ContactVerdict(allowed=False, reason=reason, consent=other)
    reason = f"refused: no consent or other lawful basis for {query.what}"
    return ContactVerdict(allowed=False, reason=reason)


def latest_consent(
    consents: Iterable[Consent],
    *,
    purpose: Purpose | str,
    channel: ContactKind | str | None = None,
    network: str | None = None,
) -> Consent | None:
    """The latest record (by ``at``; on a tie, the last given) for exactly ``purpose``,
    ``channel`` and ``network``, or ``None``: what a consent screen shows for one row.

    >>> from datetime import datetime, timedelta, timezone
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> first = Consent(person="lead-1", purpose="calls", channel="phone", basis="consent",
    ...     source="form:callback", at=at, evidence=ConsentEvidence(note="asked"))
    >>> refusal = Consent(person="lead-1", purpose="calls", channel="phone",
    ...     basis="consent", source="call", at=at + timedelta(days=1),
    ...     withdrawn_at=at + timedelta(days=1))
    >>> latest_consent([refusal, first], purpose="calls", channel="phone") is refusal
    True
    """
    wanted = (as_purpose(purpose), as_kind(channel), network)
    found: Consent | None = None
    for record in c.as_tuple(consents):
        if not isinstance(record, Consent):
            c.fail("latest_consent", [Problem("consents", "expected Consent records", record)])
        if (record.purpose, record.channel, record.network) == wanted and (
            found is None or record.at >= found.at
        ):
            found = record
    return found


def _latest(records: list[Consent]) -> Consent:
    return max(reversed(records), key=lambda r: r.at)


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else "?"


def _given_by(record: Consent, at: datetime) -> bool:
    """Whether ``record``'s double opt-in lets it count at ``at``."""
    if record.double_opt_in is OptInState.not_required:
        return True
    confirmed = record.confirmed_at
    return (
        record.double_opt_in is OptInState.confirmed and confirmed is not None and confirmed <= at
    )


@attrs.frozen
class _Query:
    """One question to :func:`may_contact`, checked, with its words."""

    purpose: Purpose
    channel: ContactKind | None
    network: str | None
    at: datetime

    @property
    def what(self) -> str:
        by = f" by {self.channel.value}" if self.channel is not None else ""
        on = f" on {self.network}" if self.network is not None else ""
        return f"{PURPOSE_WORDS[self.purpose]}{by}{on}"

    @property
    def words(self) -> str:
        return f"consent to {self.what}"

    def covers(self, record: Consent) -> bool:
        """Whether ``record`` speaks for all of this question (it may allow it)."""
        return (
            record.purpose is self.purpose
            and record.channel in (None, self.channel)
            and record.network in (None, self.network)
        )

    def overlaps(self, record: Consent) -> bool:
        """Whether ``record`` speaks for some of this question (its withdrawal refuses it):
        an unnamed network may be the record's."""
        return (
            record.purpose is self.purpose
            and record.channel in (None, self.channel)
            and (record.network is None or self.network in (None, record.network))
        )

    def allowed(self, record: Consent) -> str:
        if record.basis is LawfulBasis.consent:
            return f"allowed: {self.words}, given on {_day(record.at)}"
        return f"allowed: {self.what} under {record.basis.value}, recorded on {_day(record.at)}"

    def pending(self, record: Consent) -> str:
        requested = _day(record.requested_at)
        if record.state_at(self.at) is OptInState.requested:
            return (
                f"refused: double opt-in for {self.what} was requested on {requested} "
                "and is not confirmed yet"
            )
        return (
            f"refused: double opt-in for {self.what} requested on {requested} expired "
            f"unconfirmed on {_day(record.expires_at)}; ask again"
        )


def _query(
    consents: object,
    *,
    purpose: object,
    channel: object,
    network: object,
    at: object,
    dnc: object,
) -> tuple[tuple[Consent, ...], _Query]:
    p: c.Problems = []
    records = c.as_tuple(consents)
    c.tuple_of(p, "consents", records, Consent)
    if not p and len(persons := {r.person for r in records}) > 1:
        msg = "the records of one person: call once per person"
        p.append(Problem("consents", msg, sorted(persons)))
    purpose, channel = as_purpose(purpose), as_kind(channel)
    c.member(p, "purpose", purpose, Purpose)
    if isinstance(purpose, Purpose):
        check_channel(p, "channel", purpose, channel)
        if channel is None and PURPOSE_CHANNELS[purpose]:
            used = c.listed(sorted(PURPOSE_CHANNELS[purpose]))
            p.append(Problem("channel", f"say which channel: {purpose.value} goes by {used}"))
    check_network(p, "network", network, channel)
    c.aware(p, "at", at)
    c.flag(p, "do_not_contact", dnc)
    if p:
        c.fail("may_contact", p)
    return records, _Query(purpose, channel, network, c.fixed_offset(at))  # type: ignore[arg-type]
