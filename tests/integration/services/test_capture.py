"""The front door on every adapter: idempotent capture, spam quarantine, each decision of the
known-person policy with its event and reason, consent end to end (double opt-in, its expiry,
withdrawal, erasure), and replaying submissions (twice is once)."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import services
from tests.factories import asked, typo_model

from ._services import (
    ADAPTERS,
    AT,
    EMAIL,
    PHONE,
    MakeUnit,
    Stores,
    add,
    contact,
    events,
    lead,
    person_customer,
    snapshot,
)

KNOWN = lm.KnownPersonPolicy(pipeline="simple")
FORM = lm.Source(channel=lm.Channel.form)
NEWS = lm.Consent(
    person="-",
    purpose="marketing_email",
    channel="email",
    basis="consent",
    source="form:newsletter",
    at=AT,
    evidence=lm.ConsentEvidence(form_url="https://mebli.ua/news", text_version="v3"),
)


def _submit(uow: lm.storage.UnitOfWork, **overrides: Any) -> lm.CaptureResult:
    fields: dict[str, Any] = {
        "source": FORM,
        "topic": "Office chairs",
        "person_name": "Olena Koval",
        "contact_points": [EMAIL],
        "known": KNOWN,
        "at": AT,
        "ids": lm.sequential_ids(str(overrides.pop("prefix", "id"))),
    }
    fields.update(overrides)
    return services.capture(uow, **fields)


def _captured(uow: lm.storage.UnitOfWork) -> list[lm.InterestCaptured]:
    return [e for e in events(uow) if isinstance(e, lm.InterestCaptured)]


# -- idempotency ------------------------------------------------------------------------------
def test_a_double_submission_within_the_window_returns_the_first_interest(
    make_uow: MakeUnit,
) -> None:
    first = _submit(make_uow())
    before = snapshot(make_uow())
    again = _submit(make_uow(), at=AT + timedelta(minutes=9), prefix="again")
    assert again.decision is lm.Decision.duplicate_submit
    assert again.interest == first.interest
    assert again.lead == first.lead
    assert "the same submission was captured as id-1" in again.reason
    assert snapshot(make_uow()) == before  # nothing stored, nothing emitted


def test_the_hosts_key_decides_and_the_window_ends(make_uow: MakeUnit) -> None:
    first = _submit(make_uow(), idempotency_key="hook-7", known=None)
    other = _submit(make_uow(), idempotency_key="hook-8", known=None, prefix="b")
    assert other.decision is lm.Decision.new_interest  # same payload, another key: a new one
    late = _submit(make_uow(), idempotency_key="hook-7", known=None, prefix="c",
                   at=AT + timedelta(minutes=11))  # fmt: skip
    assert late.decision is lm.Decision.new_interest  # past the 10-minute window
    retried = _submit(make_uow(), idempotency_key="hook-7", known=None, prefix="d",
                      at=AT + timedelta(minutes=1))  # fmt: skip
    assert retried.decision is lm.Decision.duplicate_submit
    assert retried.interest is not None
    assert first.interest is not None
    assert retried.interest.id in (first.interest.id, "c-1")


def test_anonymous_submissions_are_told_apart_only_by_the_hosts_key(make_uow: MakeUnit) -> None:
    like = {"source": lm.Source(channel=lm.Channel.instagram_like), "topic": "post 17"}
    one = _submit(make_uow(), person_name=None, contact_points=[], **like)
    two = _submit(make_uow(), person_name=None, contact_points=[], prefix="b", **like)
    assert (one.decision, two.decision) == (lm.Decision.new_interest,) * 2
    with make_uow() as uow:
        assert uow.interests.count() == 2  # two people liked the post


# -- spam -------------------------------------------------------------------------------------
def test_refused_spam_is_not_stored_and_quarantined_spam_is_held_back(make_uow: MakeUnit) -> None:
    bot = _submit(make_uow(), spam=lm.SpamVerdict(honeypot=True))
    assert (bot.decision, bot.interest) == (lm.Decision.refused, None)
    assert bot.reason == "refused as spam: the honeypot field was filled in"
    held = _submit(make_uow(), spam=lm.SpamVerdict(captcha_score=0.3), prefix="q")
    assert held.decision is lm.Decision.quarantined
    assert held.interest is not None
    assert held.lead is None
    assert held.interest.quarantine == "captcha score 0.3 is below 0.5"
    assert held.interest.spam == lm.SpamVerdict(captcha_score=0.3)
    assert [i.id for i in services.quarantined(make_uow())] == ["q-1"]
    with make_uow() as uow:
        assert uow.leads.count() == 0  # not promoted, not matched, not routed
    [event] = _captured(make_uow())
    assert (event.decision, event.lead_id) == ("quarantined", None)


def test_release_sends_a_quarantined_interest_through_the_door(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1, consents=[]))  # Olena's open lead
    held = _submit(make_uow(), spam=lm.SpamVerdict(rate_limited=True), prefix="q",
                   at=AT + timedelta(hours=1))  # fmt: skip
    assert held.interest is not None
    out = services.release(make_uow(), held.interest.id, known=KNOWN, by="anna",
                           at=AT + timedelta(hours=2))  # fmt: skip
    assert out.decision is lm.Decision.attached
    assert out.lead is not None
    assert out.lead.interest_ids == ("q-1",)
    assert services.quarantined(make_uow()) == []
    released = [e for e in events(make_uow()) if isinstance(e, lm.InterestReleased)]
    assert [(e.interest_id, e.decision, e.lead_id, e.by) for e in released] == [
        ("q-1", "attached", "lead-1", "anna")
    ]
    with pytest.raises(lm.errors.RuleViolation, match="is not quarantined"):
        services.release(make_uow(), "q-1", known=KNOWN)


# -- the known-person policy: each decision, with its event and reason -------------------------
def test_a_person_nobody_knows_becomes_a_new_lead_in_the_policys_pipeline(
    make_uow: MakeUnit,
) -> None:
    made = _submit(make_uow())
    assert made.decision is lm.Decision.new_lead
    assert made.lead is not None
    assert (made.lead.status, made.lead.interest_ids) == (
        "new",
        ("id-1",),
    )
    assert made.reason == "nobody with these contact points is known: a new lead"
    types = [e.type for e in events(make_uow())]
    assert types == ["InterestCaptured", "LeadCreated", "StatusChanged"]
    [event] = _captured(make_uow())
    assert (event.decision, event.reason, event.lead_id) == ("new_lead", made.reason, "id-2")
    with make_uow() as uow:
        assert uow.leads.get("id-2") == made.lead
        assert uow.interests.get("id-1").lead_id == "id-2"


def test_an_open_leads_person_gets_the_request_attached_with_an_inbound_activity(
    make_uow: MakeUnit,
) -> None:
    answered = lm.Activity(at=AT + timedelta(hours=1), kind=lm.ActivityKind.call,
                           direction=lm.Direction.outbound, by="anna")  # fmt: skip
    add(make_uow(), lead(1, contact_points=(PHONE,), activities=[answered]))
    made = _submit(make_uow(), contact_points=[PHONE], topic="Desks", at=AT + timedelta(days=1))
    assert made.decision is lm.Decision.attached
    assert made.lead is not None
    assert (made.lead.id, made.lead.interest_ids, made.lead.version) == ("lead-1", ("id-1",), 1)
    assert made.lead.activities[-1].direction is lm.Direction.inbound
    assert lm.reply_owed_since(made.lead) == AT + timedelta(days=1)  # a reply is owed now
    assert made.reason == "the person has an open lead lead-1: the request is attached to it"
    assert [e.type for e in events(make_uow())] == ["InterestCaptured", "ActivityLogged"]
    [event] = _captured(make_uow())
    assert (event.decision, event.lead_id) == ("attached", "lead-1")


def test_a_customer_gets_a_repeat_lead_unless_the_source_is_an_exception(
    make_uow: MakeUnit,
) -> None:
    add(make_uow(), contact(1), person_customer(1, "contact-1", "lead-0"))
    support = lm.KnownPersonPolicy(no_repeat_channels=["live_chat"])
    chat = _submit(make_uow(), known=support, prefix="chat", topic="Where is my order?",
                   source=lm.Source(channel=lm.Channel.live_chat))  # fmt: skip
    assert (chat.decision, chat.lead) == (lm.Decision.new_interest, None)
    assert chat.reason == (
        "the person is customer customer-1, but the channel 'live_chat' never makes a repeat"
        " lead: an interest only"
    )
    made = _submit(make_uow())
    assert made.decision is lm.Decision.repeat_lead
    assert made.lead is not None
    assert (made.lead.customer_id, made.lead.previous_lead_id) == ("customer-1", "lead-0")
    assert made.reason == "the person is customer customer-1: a repeat lead linked to it"
    assert [e.decision for e in _captured(make_uow())] == ["new_interest", "repeat_lead"]
    again = _submit(make_uow(), prefix="b", topic="Desks", at=AT + timedelta(days=1))
    assert (again.decision, again.lead and again.lead.id) == (lm.Decision.attached, "id-2")


_LOSS = lm.LossInfo(status="lost", reason="price", at=AT)


def test_a_recently_lost_leads_person_gets_a_new_lead_flagged_with_it(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1, lost=_LOSS))
    recent = _submit(make_uow(), at=AT + timedelta(days=3))
    assert recent.decision is lm.Decision.possible_duplicate
    assert recent.lead is not None
    assert recent.lead.possible_duplicates == ("lead-1",)
    assert recent.reason == (
        "lead lead-1 was lost 3 days ago (reopened only after 30 days): a new lead, flagged as"
        " a possible duplicate"
    )
    [event] = _captured(make_uow())
    assert (event.decision, event.reason) == ("possible_duplicate", recent.reason)


def test_a_lead_lost_long_ago_is_reopened_as_a_new_attempt(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1, lost=_LOSS, consents=[asked("lead-1")]))  # as capture made it
    later = _submit(make_uow(), at=AT + timedelta(days=40), topic="Desks")
    assert later.decision is lm.Decision.reopened
    assert later.lead is not None
    assert later.lead.previous_lead_id == "lead-1"
    assert later.lead.lifecycle is lm.LifecycleStage.recycled
    assert later.lead.interest_ids == ("id-1",)
    assert {c.person for c in later.lead.consents} == {later.lead.id}
    assert (
        later.reason == "lead lead-1 was lost 40 days ago (reopened after 30 days): a new attempt"
    )
    with make_uow() as uow:
        assert uow.leads.get("lead-1").lost == _LOSS  # the first attempt is kept as it was
    [event] = _captured(make_uow())
    assert (event.decision, event.lead_id) == ("reopened", later.lead.id)


def test_a_namesake_at_the_same_company_is_a_possible_duplicate_not_a_merge(
    make_uow: MakeUnit,
) -> None:
    add(make_uow(), lead(1, contact_points=(PHONE,), company_name="Mebli Plus"))
    other = lm.ContactPoint.email("koval@dim.ua")
    elsewhere = _submit(make_uow(), prefix="e", company_name="Dim Mebliv", contact_points=[other])
    assert elsewhere.decision is lm.Decision.new_lead  # a common name alone flags nobody
    made = _submit(make_uow(), company_name="Mebli Plus", topic="Desks")
    assert made.decision is lm.Decision.possible_duplicate
    assert made.candidates == ("lead-1",)
    assert made.lead is not None
    assert made.lead.possible_duplicates == ("lead-1",)
    with make_uow() as uow:
        assert uow.leads.get("lead-1").interest_ids == ()  # the namesake's card is untouched


# -- consent end to end -----------------------------------------------------------------------
def test_double_opt_in_is_asked_on_every_submission_and_expires(make_uow: MakeUnit) -> None:
    first = _submit(make_uow(), consents=[NEWS], known=None)
    assert first.interest is not None
    [asked] = [c for c in first.interest.consents if c.purpose is lm.Purpose.marketing_email]
    assert (asked.person, asked.double_opt_in) == ("id-1", lm.OptInState.requested)
    changes = [e for e in events(make_uow()) if isinstance(e, lm.ConsentChanged)]
    assert [(e.record_id, e.change, e.expires_at) for e in changes] == [
        ("id-1", "opt_in_requested", AT + timedelta(days=7))
    ]
    may: dict[str, Any] = {"purpose": "marketing_email", "channel": "email", "kind": "interests"}
    assert not services.may_contact(make_uow(), "id-1", at=AT + timedelta(days=1), **may)
    late = AT + timedelta(days=8)
    with pytest.raises(lm.errors.RuleViolation, match="expired"):
        services.confirm_opt_in(make_uow(), "id-1", at=late, **may)
    again = _submit(make_uow(), consents=[NEWS], known=None, prefix="b", at=late)
    assert again.decision is lm.Decision.new_interest  # a new submission: asked again
    services.confirm_opt_in(make_uow(), "b-1", at=late + timedelta(hours=1), **may)
    assert services.may_contact(make_uow(), "b-1", at=late + timedelta(hours=2), **may)


def test_consent_follows_the_person_to_the_lead_and_withdrawal_stops_the_follow_ups(
    make_uow: MakeUnit,
) -> None:
    made = _submit(make_uow(), consents=[NEWS], known=lm.KnownPersonPolicy())  # no pipeline
    assert made.lead is not None
    purposes = sorted(c.purpose.value for c in made.lead.consents)
    assert purposes == ["marketing_email", "service"]
    assert {c.person for c in made.lead.consents} == {made.lead.id}
    assert made.interest is not None
    assert made.lead.touches == (made.interest.as_touch(),)
    pipeline = lm.Pipeline.from_dict(
        {
            "key": "mail",
            "statuses": [
                {"key": "new", "on_enter": [{"action": "send_email", "template": "hello"}]},
                {"key": "won", "kind": "won"},
                {"key": "lost", "kind": "lost", "lost_reasons": ["no"]},
            ],
        }
    )
    card = pipeline.enter(made.lead, at=AT + timedelta(minutes=1))
    assert [a.action for a in pipeline.actions(card.history[-1], card)] == ["send_email"]
    withdrawn = services.withdraw_consent(make_uow(), made.lead.id, purpose="service",
                                          at=AT + timedelta(minutes=2))  # fmt: skip
    assert isinstance(withdrawn, lm.Lead)
    later = pipeline.enter(_out_of_pipeline(withdrawn), at=AT + timedelta(minutes=3))
    assert pipeline.actions(later.history[-1], later) == ()
    [(_, why)] = pipeline.withheld(later.history[-1], later)
    assert why == "refused: consent to service messages by email was withdrawn on 2026-03-02"


def _out_of_pipeline(lead: lm.Lead) -> lm.Lead:
    """The lead out of any pipeline (to enter one again in a test)."""
    return attrs.evolve(lead, pipeline=None, status=None, history=())


def test_erasure_removes_consent_evidence_but_keeps_the_withdrawal(make_uow: MakeUnit) -> None:
    made = _submit(make_uow(), consents=[NEWS], known=None)
    assert made.interest is not None
    services.confirm_opt_in(make_uow(), "id-1", purpose="marketing_email", kind="interests",
                            at=AT + timedelta(hours=1))  # fmt: skip
    services.erase_person(make_uow(), key="email:olena@mebli.ua", at=AT + timedelta(days=1))
    with make_uow() as uow:
        erased = uow.interests.get("id-1")
    assert all(c.erased_at is not None and c.withdrawn_at is not None for c in erased.consents)
    assert all(c.evidence is None and c.source is None for c in erased.consents)
    assert not services.may_contact(make_uow(), "id-1", purpose="marketing_email",
                                    channel="email", kind="interests",
                                    at=AT + timedelta(days=2))  # fmt: skip
    assert "https://mebli.ua/news" not in lm.to_json(erased)


# -- replaying submissions: twice is once -----------------------------------------------------
_SUBMISSIONS = st.lists(
    st.tuples(
        st.sampled_from(["olena@mebli.ua", "ivan@mebli.ua", "petro@example.com"]),
        st.sampled_from(["Chairs", "Desks"]),
        st.integers(0, 60 * 24 * 40),  # minutes after AT: some within a window, some later
        st.sampled_from([None, "k-1", "k-2"]),
    ),
    max_size=6,
)


def _replay(
    uow_of: MakeUnit, submissions: list[tuple[str, str, int, str | None]], ids: Any
) -> None:
    for email, topic, minutes, key in sorted(submissions, key=lambda s: s[2]):
        _submit(
            uow_of(),
            contact_points=[lm.ContactPoint.email(email)],
            person_name=email.split("@")[0].title(),
            topic=topic,
            idempotency_key=key,
            at=AT + timedelta(minutes=minutes),
            ids=ids,
        )


@pytest.mark.parametrize("adapter", ADAPTERS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions=_SUBMISSIONS)
def test_replaying_any_submissions_twice_leaves_the_store_as_replaying_them_once(
    adapter: str, submissions: list[tuple[str, str, int, str | None]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stores = Stores(adapter, Path(folder))
        try:
            once, twice = stores.new(), stores.new()
            ids_once, ids_twice = lm.sequential_ids("x"), lm.sequential_ids("x")
            _replay(lambda: stores.unit(once), submissions, ids_once)
            _replay(lambda: stores.unit(twice), submissions, ids_twice)
            _replay(lambda: stores.unit(twice), submissions, ids_twice)
            assert snapshot(stores.unit(twice)) == snapshot(stores.unit(once))
        finally:
            stores.close()


# -- the probabilistic matcher at the door ----------------------------------------------------
MODEL = typo_model()


def test_with_a_model_a_mistyped_email_finds_the_open_lead(make_uow: MakeUnit) -> None:
    stored = lm.ContactPoint.email("olena.koval@gmail.com")
    add(make_uow(), lead(1, contact_points=(stored,)))
    typo = lm.ContactPoint.email("olena.kova1@gmail.com")
    sure = _submit(make_uow(), contact_points=[typo], model=MODEL)
    assert sure.decision is lm.Decision.attached  # name and a near email: the same person
    assert sure.lead is not None
    assert sure.lead.id == "lead-1"
    unsure = lm.KnownPersonPolicy(merge_at=0.9999)
    other = lm.ContactPoint.email("o.k@ukr.net")
    loose = attrs.evolve(MODEL, threshold=0.2)  # the name alone scores 0.31: alike, not sure
    flagged = _submit(make_uow(), contact_points=[other], model=loose, known=unsure, prefix="b")
    assert flagged.decision is lm.Decision.possible_duplicate
    assert flagged.candidates == ("lead-1",)


def test_confirming_or_withdrawing_on_the_interest_reaches_the_lead_it_went_to(
    make_uow: MakeUnit,
) -> None:
    made = _submit(make_uow(), consents=[NEWS])  # the host's link names the interest
    assert made.lead is not None
    may: dict[str, Any] = {"purpose": "marketing_email", "channel": "email"}
    services.confirm_opt_in(make_uow(), "id-1", kind="interests", at=AT + timedelta(hours=1),
                            **may)  # fmt: skip
    assert services.may_contact(make_uow(), made.lead.id, at=AT + timedelta(hours=2), **may)
    services.withdraw_consent(make_uow(), "id-1", kind="interests", at=AT + timedelta(days=1),
                              **may)  # fmt: skip
    verdict = services.may_contact(make_uow(), made.lead.id, at=AT + timedelta(days=2), **may)
    assert verdict.reason.startswith("refused: consent to marketing email by email was withdrawn")
    changes = [(e.kind, e.change) for e in events(make_uow()) if isinstance(e, lm.ConsentChanged)]
    assert changes == [
        ("interests", "opt_in_requested"),
        ("interests", "confirmed"),
        ("leads", "confirmed"),
        ("interests", "withdrawn"),
        ("leads", "withdrawn"),
    ]
