"""Consent per person, purpose and channel, and the one check every contacting action asks:
:func:`~leadmodel.domain.capture.contacting.may_contact`.

A :class:`Consent` records one lawful basis (GDPR art. 6) for one :class:`Purpose` through one
channel (a :class:`~leadmodel.ContactKind`; none: every channel the purpose uses): where and
when it was given, its evidence, its double opt-in state, its withdrawal and its erasure.
"Changing" a record (:meth:`~Consent.request_opt_in`, :meth:`~Consent.confirm`,
:meth:`~Consent.expire`, :meth:`~Consent.withdraw`, :meth:`~Consent.erase`) returns a new one.
A refusal is a record withdrawn when it is made (``withdrawn_at=at``).

Which basis covers which purpose (conservative: only consent covers marketing and profiling):

=================== ========= ========= ========== ========= ============ ===========
basis               marketing sms       messenger  calls     profiling    service
                    _email
=================== ========= ========= ========== ========= ============ ===========
consent             yes       yes       yes        yes       yes          yes
contract            no        no        no         no        no           yes
legitimate_interest no        no        no         no        no           yes
legal_obligation    no        no        no         no        no           yes
vital_interest      no        no        no         no        no           yes
public_task         no        no        no         no        no           yes
=================== ========= ========= ========== ========= ============ ===========

The channels a purpose uses (:data:`PURPOSE_CHANNELS`): marketing_email by email; sms and
calls by phone; messenger by messenger or social account; service by any of them; profiling
contacts nobody (no channel).

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> Consent(person="lead-1", purpose="calls", channel="phone", basis="consent", at=at,
...     source="call", evidence=ConsentEvidence(note="said yes on the phone")).state_at(at).value
'not_required'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.values.contact import ContactKind
from leadmodel.domain.values.normalise import handle_key
from leadmodel.errors import Problem, RuleViolation, TimeOrderError

__all__ = [
    "MAX_CONSENTS",
    "MAX_OPT_IN_TTL",
    "PURPOSE_BASES",
    "PURPOSE_CHANNELS",
    "PURPOSE_WORDS",
    "Consent",
    "ConsentEvidence",
    "LawfulBasis",
    "OptInState",
    "Purpose",
    "as_kind",
    "as_purpose",
    "check_channel",
    "check_network",
    "rehome",
]

MAX_OPT_IN_TTL: Final = timedelta(days=90)
"""The longest a double opt-in request may wait for its confirmation."""

MAX_CONSENTS: Final = 1_000
"""The most consent records one person's record keeps (every grant, refusal and re-request is
one; six purposes asked again at every visit for years stay far below it)."""


def _too_many(count: int) -> str:
    return (
        f"{count:,} consent records; a record keeps at most {MAX_CONSENTS:,} (MAX_CONSENTS):"
        " record a new grant only when something changed"
    )


class Purpose(StrEnum):
    """What a person's data is used for (issue #20's list, plus ``sms`` and ``service``).

    * ``marketing_email`` — newsletters and offers by email;
    * ``sms`` — offers and reminders by text message;
    * ``messenger`` — messages in messengers and social accounts' direct messages;
    * ``calls`` — sales and marketing calls;
    * ``profiling`` — scoring and segmenting from personal data (GDPR art. 4(4)); contacts nobody;
    * ``service`` — replies to the person's own request and what a contract needs (a quote, an
      order or appointment notice), by any channel.
    """

    marketing_email = "marketing_email"
    sms = "sms"
    messenger = "messenger"
    calls = "calls"
    profiling = "profiling"
    service = "service"


class LawfulBasis(StrEnum):
    """The lawful basis of processing (GDPR art. 6(1) (a)-(f))."""

    consent = "consent"
    contract = "contract"
    legal_obligation = "legal_obligation"
    vital_interest = "vital_interest"
    public_task = "public_task"
    legitimate_interest = "legitimate_interest"


class OptInState(StrEnum):
    """Double opt-in: ``not_required`` (the consent counts as given), ``requested`` (sent,
    waiting for the person's confirmation until ``expires_at``), ``confirmed``, ``expired``
    (the window closed unconfirmed; ask again with a new request)."""

    not_required = "not_required"
    requested = "requested"
    confirmed = "confirmed"
    expired = "expired"


_EMAIL, _PHONE = frozenset({ContactKind.email}), frozenset({ContactKind.phone})
_DIRECT = frozenset({ContactKind.messenger, ContactKind.social})
PURPOSE_CHANNELS: Final[dict[Purpose, frozenset[ContactKind]]] = {
    Purpose.marketing_email: _EMAIL,
    Purpose.sms: _PHONE,
    Purpose.messenger: _DIRECT,
    Purpose.calls: _PHONE,
    Purpose.profiling: frozenset(),
    Purpose.service: _EMAIL | _PHONE | _DIRECT,
}
"""The channels each purpose uses (profiling: none)."""

PURPOSE_BASES: Final[dict[Purpose, frozenset[LawfulBasis]]] = {
    purpose: frozenset({LawfulBasis.consent}) for purpose in Purpose
} | {Purpose.service: frozenset(LawfulBasis)}
"""The lawful bases that cover each purpose: consent covers all; the others only ``service``."""

PURPOSE_WORDS: Final = {
    Purpose.marketing_email: "marketing email",
    Purpose.sms: "text messages",
    Purpose.messenger: "messenger messages",
    Purpose.calls: "calls",
    Purpose.profiling: "profiling",
    Purpose.service: "service messages",
}


def as_purpose(value: object) -> Any:
    return c.as_member(Purpose, value)


def _basis(value: object) -> Any:
    return c.as_member(LawfulBasis, value)


def _state(value: object) -> Any:
    return c.as_member(OptInState, value)


def as_kind(value: object) -> Any:
    return c.as_member(ContactKind, value)


def check_network(p: c.Problems, path: str, network: object, channel: object) -> None:
    """``None``, or a lower-case network name on a messenger or social channel."""
    if network is None:
        return
    if not isinstance(channel, ContactKind) or channel not in _DIRECT:
        p.append(Problem(path, "only a messenger or social channel has a network", network))
    elif type(network) is not str or not _is_network(network):
        msg = "network must be a lower-case name such as 'telegram' or 'instagram'"
        p.append(Problem(path, msg, network))


def _is_network(name: str) -> bool:
    """Whether ``name`` is a network's name as contact points spell it (``"telegram"``)."""
    try:
        handle_key(name, "x")
    except ValueError:
        return False
    return True


def check_channel(p: c.Problems, path: str, purpose: Purpose, channel: object) -> None:
    """A channel the purpose uses (``None``: all of them; profiling takes none)."""
    if channel is None:
        return
    if not isinstance(channel, ContactKind):
        p.append(Problem(path, f"expected a ContactKind (one of {c.listed(ContactKind)})", channel))
    elif not PURPOSE_CHANNELS[purpose]:
        p.append(Problem(path, f"{purpose.value} contacts nobody; leave the channel out", channel))
    elif channel not in PURPOSE_CHANNELS[purpose]:
        used = c.listed(sorted(PURPOSE_CHANNELS[purpose]))
        p.append(Problem(path, f"{purpose.value} goes by {used}", channel))


@attrs.frozen(kw_only=True)
class ConsentEvidence:
    """What proves a consent (GDPR art. 7(1)): the ``form_url`` it was given on, the
    ``text_version`` of the wording shown, and a free ``note`` (no IP address: that is personal
    data too). At least one is given.

    >>> ConsentEvidence(text_version="newsletter-v3").text_version
    'newsletter-v3'
    """

    form_url: str | None = None
    text_version: str | None = None
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.opt_text(p, "form_url", self.form_url, "the form's URL")
        c.opt_text(p, "text_version", self.text_version, "the text version")
        c.opt_text(p, "note", self.note, "the note")
        if (self.form_url, self.text_version, self.note) == (None, None, None):
            p.append(Problem("form_url", "give the form_url, the text_version or a note"))
        if p:
            c.fail("ConsentEvidence", p)


_OPT_IN_FIELDS = ("requested_at", "confirmed_at", "expires_at")
# for each state: the opt-in instants it holds (the others are None)
_OPT_IN_HOLDS: Final = {
    OptInState.not_required: frozenset[str](),
    OptInState.requested: frozenset({"requested_at", "expires_at"}),
    OptInState.confirmed: frozenset({"requested_at", "confirmed_at", "expires_at"}),
    OptInState.expired: frozenset({"requested_at", "expires_at"}),
}


@attrs.frozen(kw_only=True)
class Consent:
    """One lawful basis for using ``person``'s data for ``purpose`` through ``channel``.

    ``person``: the id of the record it is about (a lead, contact or interest id);
    ``channel``: a :class:`~leadmodel.ContactKind` the purpose uses (:data:`PURPOSE_CHANNELS`;
    ``None``: all of them, and always for profiling); ``network``: for a messenger or social
    channel, the one network it covers (``"telegram"``; ``None``: every network); ``source``:
    where it was given (a form's id or URL, ``"call 2026-03-02"``); ``at``: when;
    ``evidence``: required for basis consent while the record is neither withdrawn nor erased.
    ``double_opt_in`` (basis consent only) with ``requested_at``, ``expires_at`` (the
    confirmation window's end) and ``confirmed_at``. ``withdrawn_at``: the person withdrew or
    objected (for a refusal, ``at``); ``erased_at``: the evidence and source were erased, and
    the record stays, withdrawn, so the person is never contacted again for it.

    >>> from datetime import datetime, timezone
    >>> Consent(person="lead-1", purpose="calls", channel="email", basis="contract",
    ...     source="", at=datetime(2026, 3, 2, 9))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 3 problems:
      Consent.channel: calls goes by 'phone'; got <ContactKind.email: 'email'>
      Consent.at: naive datetime (no time zone); pass a timezone-aware datetime, e.g. datetime(2026, 1, 2, tzinfo=timezone.utc); got datetime.datetime(2026, 3, 2, 9, 0)
      Consent.source: where it was given must not be blank; got ''
    """  # noqa: E501 - the doctest's output is one line

    person: str
    purpose: Purpose = attrs.field(converter=as_purpose)
    channel: ContactKind | None = attrs.field(default=None, converter=as_kind)
    network: str | None = None
    basis: LawfulBasis = attrs.field(converter=_basis)
    source: str | None = None
    at: datetime = attrs.field(converter=c.fixed_offset)
    evidence: ConsentEvidence | None = None
    double_opt_in: OptInState = attrs.field(default=OptInState.not_required, converter=_state)
    requested_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    expires_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    confirmed_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    withdrawn_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)
    erased_at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_CONSENTS, _too_many)
    """A record's consents: at most :data:`MAX_CONSENTS` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "person", self.person, "the person's id")
        c.member(p, "purpose", self.purpose, Purpose)
        if isinstance(self.purpose, Purpose):
            check_channel(p, "channel", self.purpose, self.channel)
        check_network(p, "network", self.network, self.channel)
        c.member(p, "basis", self.basis, LawfulBasis)
        c.aware(p, "at", self.at)
        for name in (*_OPT_IN_FIELDS, "withdrawn_at", "erased_at"):
            c.opt_aware(p, name, getattr(self, name))
        c.opt_instance(p, "evidence", self.evidence, ConsentEvidence)
        if self.erased_at is None:
            c.text(p, "source", self.source, "where it was given")
            open_consent = self.basis is LawfulBasis.consent and self.withdrawn_at is None
            if open_consent and self.evidence is None:
                msg = "a consent needs its evidence: ConsentEvidence(form_url=, text_version=...)"
                p.append(Problem("evidence", msg))
        else:
            p += _erased(self)
        c.member(p, "double_opt_in", self.double_opt_in, OptInState)
        if not p:
            p += _opt_in(self) + _in_order(self)
        if p:
            c.fail("Consent", p)

    def state_at(self, at: datetime) -> OptInState:
        """The double opt-in state at ``at``: a request whose window closed by then reads as
        ``expired``; any other state as stored.

        >>> from datetime import datetime, timedelta, timezone
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> asked = Consent(person="lead-1", purpose="sms", basis="consent", source="form",
        ...     at=at, evidence=ConsentEvidence(note="ticked the box")
        ... ).request_opt_in(at, ttl=timedelta(days=1))
        >>> asked.state_at(at).value, asked.state_at(at + timedelta(days=1)).value
        ('requested', 'expired')
        """
        at = _instant(at, "Consent.state_at")
        closed = self.expires_at is not None and self.expires_at <= at
        if self.double_opt_in is OptInState.requested and closed:
            return OptInState.expired
        return self.double_opt_in

    def request_opt_in(self, at: datetime, *, ttl: timedelta) -> Consent:
        """This consent awaiting its confirmation (double opt-in), requested at ``at`` and
        open for ``ttl`` (at most :data:`MAX_OPT_IN_TTL`); asking again opens a new window.

        Raises :class:`~leadmodel.errors.RuleViolation` for a record that is not a consent,
        already confirmed, withdrawn or erased; ``TimeOrderError`` before the record's time.

        >>> from datetime import datetime, timedelta, timezone
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> Consent(person="lead-1", purpose="sms", basis="consent", source="form", at=at,
        ...     evidence=ConsentEvidence(note="ticked the box")
        ... ).request_opt_in(at, ttl=timedelta(days=1)).expires_at.isoformat()
        '2026-03-03T09:00:00+00:00'
        """
        at = _instant(at, "Consent.request_opt_in")
        self._refuse_when_closed("request_opt_in", at)
        if self.basis is not LawfulBasis.consent:
            raise RuleViolation(f"request_opt_in: double opt-in confirms a consent; {self._is}")
        if self.double_opt_in is OptInState.confirmed:
            msg = "already confirmed; record a new Consent for a new submission"
            raise RuleViolation(f"request_opt_in: {self._is} {msg}")
        self._not_before(at, "request_opt_in", "requested_at", self.requested_at)
        return attrs.evolve(
            self,
            double_opt_in=OptInState.requested,
            requested_at=at,
            expires_at=_window_end(at, ttl),
            confirmed_at=None,
        )

    def confirm(self, at: datetime) -> Consent:
        """This consent confirmed by the person at ``at`` (double opt-in).

        Raises :class:`~leadmodel.errors.RuleViolation` when no confirmation was requested, the
        window has closed, or the record is withdrawn or erased.

        >>> from datetime import datetime, timedelta, timezone
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> asked = Consent(person="lead-1", purpose="sms", basis="consent", source="form",
        ...     at=at, evidence=ConsentEvidence(note="ticked the box")
        ... ).request_opt_in(at, ttl=timedelta(days=1))
        >>> asked.confirm(at + timedelta(hours=3)).double_opt_in.value
        'confirmed'
        >>> asked.confirm(at + timedelta(days=2))
        Traceback (most recent call last):
        ...
        leadmodel.errors.RuleViolation: confirm: the double opt-in expired on 2026-03-03T09:00:00+00:00; request it again
        """  # noqa: E501 - the doctest's output is one line
        at = _instant(at, "Consent.confirm")
        self._refuse_when_closed("confirm", at)
        if self.double_opt_in in (OptInState.not_required, OptInState.confirmed):
            msg = f"the double opt-in is {self.double_opt_in.value}; nothing to confirm"
            raise RuleViolation(f"confirm: {msg}")
        self._not_before(at, "confirm", "requested_at", self.requested_at)
        if self.state_at(at) is OptInState.expired:
            ended = self.expires_at.isoformat() if self.expires_at else "?"
            raise RuleViolation(f"confirm: the double opt-in expired on {ended}; request it again")
        return attrs.evolve(self, double_opt_in=OptInState.confirmed, confirmed_at=at)

    def expire(self, at: datetime) -> Consent:
        """This record with its double opt-in marked ``expired`` when its window has closed by
        ``at`` (what :meth:`state_at` reads); any other record unchanged.

        >>> from datetime import datetime, timedelta, timezone
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> asked = Consent(person="lead-1", purpose="sms", basis="consent", source="form",
        ...     at=at, evidence=ConsentEvidence(note="ticked the box")
        ... ).request_opt_in(at, ttl=timedelta(days=1))
        >>> asked.expire(at).double_opt_in.value, asked.expire(at + timedelta(days=1)).double_opt_in.value
        ('requested', 'expired')
        """  # noqa: E501 - the doctest's output is one line
        state = self.state_at(at)
        return self if state is self.double_opt_in else attrs.evolve(self, double_opt_in=state)

    def withdraw(self, at: datetime) -> Consent:
        """This record withdrawn at ``at`` (the person withdrew consent or objected); a record
        already withdrawn keeps its first withdrawal.

        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> Consent(person="lead-1", purpose="service", basis="contract", source="order 17",
        ...     at=at).withdraw(at).withdrawn_at == at
        True
        """
        at = _instant(at, "Consent.withdraw")
        if self.withdrawn_at is not None:
            return self
        self._not_before(at, "withdraw", "at", self.at)
        return attrs.evolve(self, withdrawn_at=at)

    def erase(self, at: datetime) -> Consent:
        """This record erased at ``at``: the source and evidence (personal data) removed, the
        record kept and withdrawn (by ``at`` at the latest), so the person is never contacted
        again for its purpose and channel. Erasing twice keeps the first erasure.

        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> gone = Consent(person="lead-1", purpose="calls", basis="consent",
        ...     source="form:callback", at=at, evidence=ConsentEvidence(note="asked")
        ... ).erase(at)
        >>> gone.source, gone.evidence, gone.withdrawn_at == gone.erased_at == at
        (None, None, True)
        """
        at = _instant(at, "Consent.erase")
        if self.erased_at is not None:
            return self
        self._not_before(at, "erase", "at", self.at)
        withdrawn = at if self.withdrawn_at is None else min(self.withdrawn_at, at)
        return attrs.evolve(self, source=None, evidence=None, withdrawn_at=withdrawn, erased_at=at)

    @property
    def _is(self) -> str:
        return (
            f"the {self.basis.value} record for {PURPOSE_WORDS[self.purpose]} of {self.person!r} is"
        )

    def _refuse_when_closed(self, operation: str, at: datetime) -> None:
        if self.erased_at is not None:
            raise RuleViolation(f"{operation}: {self._is} erased; it is never asked again")
        if self.withdrawn_at is not None:
            when = self.withdrawn_at.isoformat()
            msg = f"withdrawn ({when}); record a new Consent if the person consents again"
            raise RuleViolation(f"{operation}: {self._is} {msg}")
        self._not_before(at, operation, "at", self.at)

    def _not_before(self, at: datetime, operation: str, entry: str, last: datetime | None) -> None:
        if last is not None and at < last:
            record = f"consent of {self.person} for {self.purpose.value}"
            raise TimeOrderError(operation, record=record, entry=entry, at=at, last=last)


def _instant(at: object, model: str) -> datetime:
    """``at`` as a fixed-offset aware datetime; a :class:`ValidationError` if it is not one."""
    p: c.Problems = []
    c.aware(p, "at", at)
    if p:
        c.fail(model, p)
    found: datetime = c.fixed_offset(at)  # type: ignore[arg-type]
    return found


def _window_end(at: datetime, ttl: object) -> datetime:
    p: c.Problems = []
    if not isinstance(ttl, timedelta):
        p.append(Problem("ttl", "expected a timedelta, such as timedelta(days=2)", ttl))
    elif not timedelta(0) < ttl <= MAX_OPT_IN_TTL:
        p.append(Problem("ttl", "above zero and at most 90 days (MAX_OPT_IN_TTL)", ttl))
    else:
        try:
            return at + ttl
        except OverflowError:
            p.append(Problem("ttl", "the window would end after the year 9999", ttl))
    return c.fail("Consent.request_opt_in", p)


def _erased(consent: Consent) -> c.Problems:
    p: c.Problems = []
    if consent.source is not None:
        p.append(
            Problem("source", "an erased record keeps no source; leave it out", consent.source)
        )
    if consent.evidence is not None:
        p.append(Problem("evidence", "an erased record keeps no evidence; leave it out"))
    if consent.withdrawn_at is None:
        p.append(Problem("withdrawn_at", "an erased record is withdrawn: give withdrawn_at"))
    return p


def _opt_in(consent: Consent) -> c.Problems:
    """The double opt-in fields agree with its state (and only a consent has one)."""
    state = consent.double_opt_in
    p: c.Problems = []
    if state is not OptInState.not_required and consent.basis is not LawfulBasis.consent:
        msg = f"only basis consent has a double opt-in; {consent.basis.value} needs none"
        p.append(Problem("double_opt_in", msg, state))
    for name in _OPT_IN_FIELDS:
        held = getattr(consent, name) is not None
        if held and name not in _OPT_IN_HOLDS[state]:
            p.append(Problem(name, f"a double opt-in {state.value} has no {name}"))
        elif not held and name in _OPT_IN_HOLDS[state]:
            p.append(Problem(name, f"a double opt-in {state.value} needs {name}"))
    return p


def _in_order(consent: Consent) -> c.Problems:
    """Every instant in its order: given, requested, confirmed before the window's end;
    withdrawn and erased after the record was made, erased after withdrawn."""
    order = (
        ("requested_at", "at"),
        ("expires_at", "requested_at"),
        ("confirmed_at", "requested_at"),
        ("withdrawn_at", "at"),
        ("erased_at", "withdrawn_at"),
    )
    p: c.Problems = []
    for name, before in order:
        value, first = getattr(consent, name), getattr(consent, before)
        if value is not None and first is not None and value < first:
            p.append(Problem(name, f"at or after {before} ({first.isoformat()})", value))
    ends, confirmed = consent.expires_at, consent.confirmed_at
    if ends is not None and consent.requested_at == ends:
        p.append(Problem("expires_at", "after requested_at: the window cannot be empty", ends))
    if ends is not None and confirmed is not None and confirmed >= ends:
        p.append(
            Problem("confirmed_at", f"before the window's end ({ends.isoformat()})", confirmed)
        )
    return p


def rehome(consents: Iterable[Consent], person: str) -> tuple[Consent, ...]:
    """``consents`` now about the record ``person`` (an interest's consents on the lead made of
    it, merged records' on the survivor, a lead's on its contact): the same grants, kept where
    the person's data now is.

    >>> from datetime import datetime, timezone
    >>> given = Consent(person="I-1", purpose="service", basis="contract", source="order 17",
    ...     at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    >>> [c.person for c in rehome([given], "lead-1")]
    ['lead-1']
    """
    return tuple(c if c.person == person else attrs.evolve(c, person=person) for c in consents)
