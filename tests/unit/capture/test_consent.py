"""Consent: the rules every contacting action is checked against (issue #20, DOMAIN §7)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadmodel.domain.capture.consent import (
    MAX_OPT_IN_TTL,
    PURPOSE_BASES,
    PURPOSE_CHANNELS,
    Consent,
    ConsentEvidence,
    LawfulBasis,
    OptInState,
    Purpose,
)
from leadmodel.domain.capture.contacting import ContactVerdict, latest_consent, may_contact
from leadmodel.domain.values.contact import ContactKind
from leadmodel.errors import RuleViolation, TimeOrderError, ValidationError
from leadmodel.serde import from_dict, to_dict
from leadmodel.testing import strategies as lst

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
EVIDENCE = ConsentEvidence(form_url="https://mebli.ua/news", text_version="v3")
DIRECT = (ContactKind.messenger, ContactKind.social)
CONTACTING = [p for p in Purpose if PURPOSE_CHANNELS[p]]
PAIRS = [(p, ch) for p in CONTACTING for ch in sorted(PURPOSE_CHANNELS[p])]
NOT_CONSENT: list[LawfulBasis] = [b for b in LawfulBasis if b is not LawfulBasis.consent]


def consent(**fields: Any) -> Consent:
    made: dict[str, Any] = {
        "person": "lead-1",
        "purpose": Purpose.marketing_email,
        "channel": ContactKind.email,
        "basis": LawfulBasis.consent,
        "source": "form:newsletter",
        "at": T0,
        "evidence": EVIDENCE,
    }
    made.update(fields)
    return Consent(**made)


def ask(records: list[Consent], at: datetime = T0, **query: Any) -> ContactVerdict:
    query.setdefault("purpose", Purpose.marketing_email)
    query.setdefault("channel", ContactKind.email)
    return may_contact(records, at=at, **query)


# --- the basis table -------------------------------------------------------------------------


@pytest.mark.parametrize(("purpose", "channel"), PAIRS)
def test_every_contacting_purpose_is_refused_without_a_record(
    purpose: Purpose, channel: ContactKind
) -> None:
    verdict = ask([], purpose=purpose, channel=channel)
    assert not verdict.allowed
    assert verdict.consent is None
    assert verdict.reason.startswith("refused: no consent or other lawful basis")


def test_profiling_is_refused_without_a_record() -> None:
    assert not ask([], purpose=Purpose.profiling, channel=None)


@pytest.mark.parametrize("basis", NOT_CONSENT)
@pytest.mark.parametrize(("purpose", "channel"), PAIRS)
def test_only_consent_covers_marketing_calls_and_messages(
    basis: LawfulBasis, purpose: Purpose, channel: ContactKind
) -> None:
    record = consent(purpose=purpose, channel=channel, basis=basis, evidence=None)
    verdict = ask([record], purpose=purpose, channel=channel)
    assert verdict.allowed is (purpose is Purpose.service)
    if purpose is not Purpose.service:
        assert f"{basis.value} covers only service messages" in verdict.reason
        assert verdict.consent is record


@pytest.mark.parametrize("basis", NOT_CONSENT)
def test_only_consent_covers_profiling(basis: LawfulBasis) -> None:
    record = consent(purpose=Purpose.profiling, channel=None, basis=basis, evidence=None)
    assert not ask([record], purpose=Purpose.profiling, channel=None)


@pytest.mark.parametrize(("purpose", "channel"), PAIRS)
def test_a_consent_allows_its_own_purpose_and_channel(
    purpose: Purpose, channel: ContactKind
) -> None:
    record = consent(purpose=purpose, channel=channel)
    verdict = ask([record], purpose=purpose, channel=channel)
    assert verdict.allowed
    assert verdict.consent is record
    assert verdict.reason.startswith("allowed: consent to")


def test_the_table_constants_agree_with_the_rules() -> None:
    assert all(LawfulBasis.consent in bases for bases in PURPOSE_BASES.values())
    assert PURPOSE_BASES[Purpose.service] == frozenset(LawfulBasis)
    assert PURPOSE_CHANNELS[Purpose.profiling] == frozenset()


def test_a_consent_for_one_purpose_does_not_allow_another() -> None:
    record = consent(purpose=Purpose.marketing_email)
    assert not ask([record], purpose=Purpose.service, channel=ContactKind.email)


def test_a_consent_for_one_channel_does_not_allow_another() -> None:
    record = consent(purpose=Purpose.service, channel=ContactKind.email)
    assert not ask([record], purpose=Purpose.service, channel=ContactKind.phone)


def test_a_record_without_a_channel_covers_every_channel_of_its_purpose() -> None:
    record = consent(purpose=Purpose.service, channel=None, basis="contract", evidence=None)
    for channel in PURPOSE_CHANNELS[Purpose.service]:
        assert ask([record], purpose=Purpose.service, channel=channel)


def test_a_record_for_one_network_allows_only_that_network() -> None:
    record = consent(purpose=Purpose.messenger, channel="messenger", network="telegram")
    query: dict[str, Any] = {"purpose": Purpose.messenger, "channel": ContactKind.messenger}
    assert ask([record], **query, network="telegram")
    assert not ask([record], **query, network="viber")
    assert not ask([record], **query)  # an unnamed network may be another one


def test_a_withdrawal_on_one_network_refuses_an_unnamed_network() -> None:
    given_ = consent(purpose=Purpose.messenger, channel="messenger")
    stop = consent(purpose=Purpose.messenger, channel="messenger", network="telegram")
    stop = stop.withdraw(T0 + HOUR)
    query: dict[str, Any] = {"purpose": Purpose.messenger, "channel": "messenger", "at": T0 + DAY}
    assert not ask([given_, stop], **query)
    assert not ask([given_, stop], **query, network="telegram")
    assert ask([given_, stop], **query, network="viber")


def test_do_not_contact_refuses_even_with_consent() -> None:
    verdict = ask([consent()], do_not_contact=True)
    assert not verdict.allowed
    assert "do-not-contact" in verdict.reason


def test_records_made_after_the_instant_asked_are_not_read() -> None:
    assert not ask([consent(at=T0 + HOUR)], at=T0)


# --- withdrawal ----------------------------------------------------------------------------


def test_a_withdrawal_refuses_even_when_an_older_record_allows() -> None:
    older = consent(at=T0)
    withdrawn = consent(at=T0 + HOUR).withdraw(T0 + 2 * HOUR)
    verdict = ask([older, withdrawn], at=T0 + DAY)
    assert not verdict.allowed
    assert verdict.consent == withdrawn
    assert verdict.reason == (
        "refused: consent to marketing email by email was withdrawn on 2026-03-02"
    )


def test_a_withdrawal_takes_effect_from_its_instant() -> None:
    record = consent().withdraw(T0 + DAY)
    assert ask([record], at=T0 + HOUR)
    assert not ask([record], at=T0 + DAY)


def test_a_refusal_is_a_record_withdrawn_when_made() -> None:
    refusal = consent(evidence=None, withdrawn_at=T0)
    assert not ask([consent(at=T0 - DAY), refusal], at=T0)


def test_a_later_consent_after_a_withdrawal_allows_again() -> None:
    withdrawn = consent().withdraw(T0 + HOUR)
    again = consent(at=T0 + DAY)
    assert ask([withdrawn, again], at=T0 + DAY).consent is again


def test_a_later_record_of_another_basis_does_not_outweigh_a_withdrawal() -> None:
    withdrawn = consent(purpose=Purpose.service).withdraw(T0 + HOUR)
    contract = consent(purpose=Purpose.service, basis="contract", evidence=None, at=T0 + DAY)
    assert not ask([withdrawn, contract], at=T0 + DAY, purpose=Purpose.service)


def test_withdrawing_twice_keeps_the_first_withdrawal() -> None:
    once = consent().withdraw(T0 + HOUR)
    assert once.withdraw(T0 + DAY) is once


def test_a_withdrawal_before_the_record_is_refused() -> None:
    with pytest.raises(TimeOrderError):
        consent().withdraw(T0 - HOUR)


# --- double opt-in -------------------------------------------------------------------------


def test_a_requested_double_opt_in_does_not_allow_until_confirmed() -> None:
    asked = consent().request_opt_in(T0, ttl=DAY)
    verdict = ask([asked], at=T0 + HOUR)
    assert not verdict.allowed
    assert "not confirmed yet" in verdict.reason
    confirmed = asked.confirm(T0 + 2 * HOUR)
    assert not ask([confirmed], at=T0 + HOUR)  # not yet confirmed then
    assert ask([confirmed], at=T0 + 2 * HOUR)


def test_a_double_opt_in_expires_unconfirmed() -> None:
    asked = consent().request_opt_in(T0, ttl=DAY)
    assert asked.state_at(T0 + DAY - HOUR) is OptInState.requested
    assert asked.state_at(T0 + DAY) is OptInState.expired
    verdict = ask([asked], at=T0 + DAY)
    assert not verdict.allowed
    assert "expired unconfirmed on 2026-03-03; ask again" in verdict.reason
    with pytest.raises(RuleViolation, match="expired"):
        asked.confirm(T0 + DAY)


def test_expire_marks_a_closed_window_only() -> None:
    asked = consent().request_opt_in(T0, ttl=DAY)
    assert asked.expire(T0 + HOUR) is asked
    expired = asked.expire(T0 + DAY)
    assert expired.double_opt_in is OptInState.expired
    assert not ask([expired], at=T0 + DAY)
    with pytest.raises(RuleViolation):
        expired.confirm(T0 + DAY)


def test_an_expired_opt_in_can_be_requested_again() -> None:
    expired = consent().request_opt_in(T0, ttl=DAY).expire(T0 + DAY)
    again = expired.request_opt_in(T0 + 2 * DAY, ttl=DAY)
    assert again.state_at(T0 + 2 * DAY) is OptInState.requested
    assert ask([again.confirm(T0 + 2 * DAY + HOUR)], at=T0 + 3 * DAY)


def test_a_confirmation_is_refused_once_withdrawn() -> None:
    asked = consent().request_opt_in(T0, ttl=DAY).withdraw(T0 + HOUR)
    with pytest.raises(RuleViolation, match="withdrawn"):
        asked.confirm(T0 + 2 * HOUR)


def test_a_confirmation_needs_a_request() -> None:
    with pytest.raises(RuleViolation, match="nothing to confirm"):
        consent().confirm(T0)


def test_only_a_consent_has_a_double_opt_in() -> None:
    contract = consent(purpose=Purpose.service, basis="contract", evidence=None)
    with pytest.raises(RuleViolation, match="double opt-in confirms a consent"):
        contract.request_opt_in(T0, ttl=DAY)
    with pytest.raises(ValidationError, match="only basis consent has a double opt-in"):
        attrs.evolve(contract, double_opt_in="requested", requested_at=T0, expires_at=T0 + DAY)


def test_a_confirmed_opt_in_is_not_requested_again() -> None:
    confirmed = consent().request_opt_in(T0, ttl=DAY).confirm(T0 + HOUR)
    with pytest.raises(RuleViolation, match="new Consent"):
        confirmed.request_opt_in(T0 + DAY, ttl=DAY)


@pytest.mark.parametrize("ttl", [timedelta(0), -HOUR, MAX_OPT_IN_TTL + HOUR, 3600])
def test_an_opt_in_window_is_above_zero_and_bounded(ttl: object) -> None:
    with pytest.raises(ValidationError, match=r"Consent\.request_opt_in\.ttl"):
        consent().request_opt_in(T0, ttl=ttl)  # type: ignore[arg-type]


def test_an_opt_in_window_past_year_9999_is_refused() -> None:
    late = datetime(9999, 12, 31, tzinfo=UTC)
    with pytest.raises(ValidationError, match="9999"):
        consent(at=late).request_opt_in(late, ttl=DAY)


# --- erasure -------------------------------------------------------------------------------


def test_erasure_drops_the_evidence_and_keeps_the_withdrawal() -> None:
    record = consent()
    gone = record.erase(T0 + DAY)
    assert (gone.source, gone.evidence) == (None, None)
    assert gone.withdrawn_at == gone.erased_at == T0 + DAY
    assert (gone.person, gone.purpose, gone.channel) == ("lead-1", record.purpose, "email")
    assert ask([gone], at=T0 + HOUR)  # before the erasure the consent stood
    verdict = ask([gone], at=T0 + DAY)
    assert not verdict.allowed
    assert "erased" in verdict.reason


def test_erasure_keeps_an_earlier_withdrawal() -> None:
    gone = consent().withdraw(T0 + HOUR).erase(T0 + DAY)
    assert gone.withdrawn_at == T0 + HOUR


def test_erasure_refuses_for_good_even_after_a_later_consent() -> None:
    gone = consent().erase(T0 + HOUR)
    again = consent(at=T0 + DAY)
    assert not ask([gone, again], at=T0 + 2 * DAY)


def test_erasing_twice_keeps_the_first_erasure() -> None:
    gone = consent().erase(T0 + HOUR)
    assert gone.erase(T0 + DAY) is gone


def test_an_erased_record_is_never_asked_again() -> None:
    with pytest.raises(RuleViolation, match="erased"):
        consent().erase(T0).request_opt_in(T0, ttl=DAY)


def test_an_erased_record_keeps_no_personal_data() -> None:
    with pytest.raises(ValidationError) as caught:
        consent(erased_at=T0)
    assert {p.path for p in caught.value.problems} == {"source", "evidence", "withdrawn_at"}


# --- validation ----------------------------------------------------------------------------


def test_a_consent_needs_its_evidence() -> None:
    with pytest.raises(ValidationError, match=r"Consent\.evidence: a consent needs"):
        consent(evidence=None)


def test_evidence_needs_one_of_its_fields() -> None:
    with pytest.raises(ValidationError, match="form_url, the text_version or a note"):
        ConsentEvidence()


def test_a_channel_must_be_one_the_purpose_uses() -> None:
    with pytest.raises(ValidationError, match="calls goes by 'phone'"):
        consent(purpose=Purpose.calls, channel=ContactKind.email)
    with pytest.raises(ValidationError, match="profiling contacts nobody"):
        consent(purpose=Purpose.profiling, channel=ContactKind.email)
    with pytest.raises(ValidationError, match="marketing_email goes by 'email'"):
        consent(channel=ContactKind.website)


def test_only_a_messenger_or_social_channel_has_a_network() -> None:
    with pytest.raises(ValidationError, match="only a messenger or social channel"):
        consent(network="telegram")
    with pytest.raises(ValidationError, match="lower-case name"):
        consent(purpose=Purpose.messenger, channel="messenger", network="Tele gram")


def test_the_opt_in_instants_agree_with_the_state() -> None:
    with pytest.raises(ValidationError) as caught:
        consent(double_opt_in="confirmed", requested_at=T0)
    assert {p.path for p in caught.value.problems} == {"confirmed_at", "expires_at"}
    with pytest.raises(ValidationError, match="has no confirmed_at"):
        consent(double_opt_in="requested", requested_at=T0, expires_at=T0 + DAY, confirmed_at=T0)


def test_the_instants_are_in_order() -> None:
    with pytest.raises(ValidationError) as caught:
        consent(
            double_opt_in="confirmed",
            requested_at=T0 - HOUR,
            confirmed_at=T0 + DAY,
            expires_at=T0 + DAY,
            withdrawn_at=T0 - DAY,
        )
    paths = {p.path for p in caught.value.problems}
    assert paths == {"requested_at", "confirmed_at", "withdrawn_at"}


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        Consent(person=" ", purpose="mail", basis="agreement", source=5, at="today")  # type: ignore[arg-type]
    assert {p.path for p in caught.value.problems} == {"person", "purpose", "basis", "source", "at"}


def test_values_are_read_as_members_and_fixed_offsets() -> None:
    kyiv = timezone(timedelta(hours=2))
    record = consent(purpose="calls", channel="phone", basis="consent", at=T0.astimezone(kyiv))
    assert record.purpose is Purpose.calls
    assert record.channel is ContactKind.phone
    assert record.at == T0
    assert record.at.utcoffset() == timedelta(hours=2)


def test_may_contact_reads_the_records_of_one_person() -> None:
    with pytest.raises(ValidationError, match="the records of one person"):
        ask([consent(), consent(person="lead-2")])


def test_may_contact_needs_a_channel_except_for_profiling() -> None:
    with pytest.raises(ValidationError, match="say which channel"):
        ask([], channel=None)
    with pytest.raises(ValidationError, match="profiling contacts nobody"):
        ask([], purpose=Purpose.profiling, channel=ContactKind.email)


def test_may_contact_refuses_bad_input_with_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        may_contact(["x"], purpose="spam", channel="fax", at=datetime(2026, 1, 1), do_not_contact=1)  # type: ignore[list-item,arg-type]
    paths = {p.path for p in caught.value.problems}
    assert paths == {"consents[0]", "purpose", "at", "do_not_contact"}


def test_a_verdict_is_true_exactly_when_allowed() -> None:
    assert bool(ask([consent()])) is True
    assert bool(ask([])) is False


def test_latest_consent_is_the_latest_record_for_the_row() -> None:
    first = consent()
    later = consent(at=T0 + DAY).withdraw(T0 + DAY)
    other = consent(purpose=Purpose.sms, channel="phone", at=T0 + 2 * DAY)
    assert (
        latest_consent([later, first, other], purpose="marketing_email", channel="email") == later
    )
    assert latest_consent([first], purpose=Purpose.sms, channel=ContactKind.phone) is None


# --- properties ----------------------------------------------------------------------------

HOURS = st.integers(0, 120).map(lambda h: T0 + h * HOUR)


@st.composite
def records(draw: st.DrawFn, *, bases: list[LawfulBasis] | None = None) -> Consent:
    """Valid records of one person, over a few days, in every state."""
    purpose = draw(st.sampled_from(list(Purpose)))
    channels = sorted(PURPOSE_CHANNELS[purpose])
    channel = draw(st.none() | st.sampled_from(channels)) if channels else None
    network = None
    if channel in DIRECT:
        network = draw(st.sampled_from([None, "telegram", "viber"]))
    basis = draw(st.sampled_from(bases or list(LawfulBasis)))
    at = draw(HOURS)
    record = consent(
        purpose=purpose,
        channel=channel,
        network=network,
        basis=basis,
        at=at,
        evidence=EVIDENCE if basis is LawfulBasis.consent else None,
    )
    if basis is LawfulBasis.consent and draw(st.booleans()):
        ttl = draw(st.integers(1, 48)) * HOUR
        record = record.request_opt_in(at + draw(st.integers(0, 5)) * HOUR, ttl=ttl)
        asked_at, ends = record.requested_at, record.expires_at
        assert asked_at is not None
        assert ends is not None
        step = draw(st.sampled_from(["wait", "confirm", "expire"]))
        if step == "confirm":
            record = record.confirm(asked_at + ttl * draw(st.sampled_from([0, 0.5])))
        elif step == "expire":
            record = record.expire(ends)
    if draw(st.booleans()):
        record = record.withdraw(at + draw(st.integers(0, 48)) * HOUR)
    return record


@st.composite
def queries(draw: st.DrawFn) -> dict[str, Any]:
    purpose = draw(st.sampled_from(list(Purpose)))
    channels = sorted(PURPOSE_CHANNELS[purpose])
    channel = draw(st.sampled_from(channels)) if channels else None
    network = draw(st.sampled_from([None, "telegram", "viber"])) if channel in DIRECT else None
    return {"purpose": purpose, "channel": channel, "network": network, "at": draw(HOURS)}


@given(
    st.lists(records(), max_size=6),
    queries(),
    st.integers(0, 48),
    st.lists(records(bases=NOT_CONSENT), max_size=4),
    st.integers(0, 72),
)
def test_after_a_withdrawal_nothing_but_a_new_consent_allows(
    before: list[Consent],
    query: dict[str, Any],
    delay: int,
    later: list[Consent],
    after: int,
) -> None:
    """Whatever was recorded before, and whatever records of another basis follow, a
    withdrawal for the purpose and channel refuses every contact from its instant on."""
    withdrawn_at = T0 + delay * HOUR
    stop = consent(
        purpose=query["purpose"],
        channel=query["channel"],
        network=query["network"],
        basis=LawfulBasis.consent,
        at=T0,
        evidence=None,
        withdrawn_at=withdrawn_at,
    )
    moved = [
        attrs.evolve(r, at=max(r.at, withdrawn_at)) if r.withdrawn_at is None else r for r in later
    ]
    at = withdrawn_at + after * HOUR
    verdict = may_contact([*before, stop, *moved], **{**query, "at": at})
    if verdict.allowed:  # only a consent given after the withdrawal may allow again
        assert verdict.consent is not None
        assert verdict.consent.basis is LawfulBasis.consent
        assert verdict.consent.at > withdrawn_at
        assert verdict.consent in before


@given(st.lists(records(), min_size=1, max_size=8), st.data(), queries())
def test_erasure_never_turns_a_refusal_into_an_allowance(
    found: list[Consent], data: st.DataObject, query: dict[str, Any]
) -> None:
    i = data.draw(st.integers(0, len(found) - 1))
    erased_at = data.draw(HOURS.filter(lambda t: t >= found[i].at))
    erased = [*found[:i], found[i].erase(erased_at), *found[i + 1 :]]
    if not may_contact(found, **query):
        assert not may_contact(erased, **query)


@given(st.lists(records(), max_size=8), queries())
def test_an_allowance_rests_on_a_record_in_force_that_covers_the_question(
    found: list[Consent], query: dict[str, Any]
) -> None:
    verdict = may_contact(found, **query)
    if verdict.allowed:
        record = verdict.consent
        assert record is not None
        assert record.purpose is query["purpose"]
        assert record.channel in (None, query["channel"])
        assert record.network in (None, query["network"])
        assert record.basis in PURPOSE_BASES[query["purpose"]]
        assert record.at <= query["at"]
        assert record.withdrawn_at is None or record.withdrawn_at > query["at"]
        assert record.state_at(query["at"]) in (OptInState.not_required, OptInState.confirmed)
        assert verdict.reason.startswith("allowed: ")
    else:
        assert verdict.reason.startswith("refused: ")


ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from([*Purpose, *LawfulBasis, *OptInState, *ContactKind]).map(str),
    st.datetimes(),
    lst.aware_datetimes(),
    st.timedeltas(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(EVIDENCE),
)
REQUIRED = {"person", "purpose", "basis", "at"}
FIELDS = [f.name for f in attrs.fields(Consent)]


@given(
    st.fixed_dictionaries(
        {name: ANYTHING for name in FIELDS if name in REQUIRED},
        optional={name: ANYTHING for name in FIELDS if name not in REQUIRED},
    )
)
def test_a_consent_from_anything_is_valid_or_a_validation_error(fields: dict[str, Any]) -> None:
    with contextlib.suppress(ValidationError):
        assert isinstance(Consent(**fields), Consent)


QUERY = st.fixed_dictionaries(
    dict.fromkeys(("consents", "purpose", "channel", "network", "at", "do_not_contact"), ANYTHING)
)


@given(QUERY)
def test_may_contact_on_anything_answers_or_raises_a_validation_error(
    query: dict[str, Any],
) -> None:
    with contextlib.suppress(ValidationError):
        assert isinstance(may_contact(**query), ContactVerdict)


@given(records(), ANYTHING, ANYTHING)
def test_the_record_methods_take_anything_or_raise_our_errors(
    record: Consent, at: Any, ttl: Any
) -> None:
    changes: list[Callable[[], Consent]] = [
        lambda: record.request_opt_in(at, ttl=ttl),
        lambda: record.confirm(at),
        lambda: record.expire(at),
        lambda: record.withdraw(at),
        lambda: record.erase(at),
    ]
    for change in changes:
        with contextlib.suppress(ValidationError, RuleViolation):
            assert isinstance(change(), Consent)


@given(records())
def test_a_consent_round_trips_through_its_document(record: Consent) -> None:
    """The one converter reads back every record it writes (an erased one too)."""
    for found in (record, record.erase(record.at + DAY)):
        assert from_dict(Consent, to_dict(found)) == found
