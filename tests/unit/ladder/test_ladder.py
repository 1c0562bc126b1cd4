"""The ladder: Interest → Lead → Customer, with the seed rules (DOMAIN §1, §7)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import attrs
import hypothesis
import pytest
from hypothesis import given

import leadmodel as lm
from leadmodel import AlreadyConvertedError, NotALeadError, RuleViolation, pipelines
from leadmodel.domain.model import last_entry
from leadmodel.testing import strategies as lst
from tests.factories import AT, asked, interest, lead

HOUR = timedelta(hours=1)
EMAIL = lm.ContactPoint.email("olena@example.com")
CORPORATE_PHONE = lm.ContactPoint.phone("+380 44 123 4567", label="офіс")


def _ids(prefix: str = "id") -> lm.IdFactory:
    return lm.sequential_ids(prefix)


# -- promotion ---------------------------------------------------------------------------


def test_company_name_and_corporate_phone_are_not_a_lead() -> None:
    """Seed rule: a company name plus a corporate phone number is not a lead."""
    anonymous = interest(company_name="ТОВ Меблі", contact_points=(CORPORATE_PHONE,))
    with pytest.raises(NotALeadError) as info:
        lm.promote(anonymous, at=AT)
    assert info.value.missing == ("person_name",)
    assert "a company name and a corporate phone are not a lead" in str(info.value)


def test_it_becomes_a_lead_once_a_named_person_is_attached() -> None:
    """Seed rule: ... until a named person who speaks for the company is attached."""
    anonymous = interest(company_name="ТОВ Меблі", contact_points=(CORPORATE_PHONE,))
    made = lm.promote(anonymous, at=AT, person_name="Іван Петренко", ids=_ids("lead"))
    assert (made.person_name, made.company_name) == ("Іван Петренко", "ТОВ Меблі")
    assert made.contact_points == (CORPORATE_PHONE,)


def test_promotion_needs_a_way_back_and_the_area_of_interest() -> None:
    """Seed rule: a lead = interest + contact data (a phone, an email) + the area of interest."""
    bare = interest(topic=None, message="Скільки коштує?")
    with pytest.raises(NotALeadError) as info:
        lm.promote(bare, at=AT, person_name="Олена")
    assert info.value.missing == ("contact_point", "topic")


def test_promote_links_the_interest_and_uses_its_data() -> None:
    source = interest(person_name="Олена", contact_points=(EMAIL,), owner="anna")
    made = lm.promote(source, at=AT + HOUR, ids=_ids("lead"))
    assert made.id == "lead-1"
    assert made.interest_ids == (source.id,)
    assert (made.source, made.topic, made.owner, made.created_at) == (
        source.source,
        source.topic,
        "anna",
        AT + HOUR,
    )
    linked_lead, linked_interest = lm.attach_interest(made, source)
    assert linked_lead == made  # already listed: idempotent
    assert linked_interest.lead_id == made.id


def test_given_contact_points_complete_the_interest_without_duplicates() -> None:
    source = interest(person_name="Олена", contact_points=(EMAIL,))
    phone = lm.ContactPoint.phone("+380501234567")
    made = lm.promote(
        source, at=AT, contact_points=(lm.ContactPoint.email("OLENA@example.com"), phone)
    )
    assert made.contact_points == (EMAIL, phone)


def test_an_interest_is_promoted_once() -> None:
    source = interest(person_name="Олена", contact_points=(EMAIL,), lead_id=lm.LeadId("lead-0"))
    with pytest.raises(RuleViolation, match="already promoted"):
        lm.promote(source, at=AT)


def test_several_interests_feed_one_lead() -> None:
    first = interest(person_name="Олена", contact_points=(EMAIL,))
    made = lm.promote(first, at=AT, ids=_ids("lead"))
    second = interest(id=lm.InterestId("int-2"), source=lm.Source(channel=lm.Channel.telegram))
    made, second = lm.attach_interest(made, second)
    assert made.interest_ids == ("int-1", "int-2")
    assert second.lead_id == made.id
    other = attrs.evolve(made, id=lm.LeadId("lead-9"))
    with pytest.raises(RuleViolation, match="already belongs"):
        lm.attach_interest(other, second)


def test_promotion_keeps_do_not_contact() -> None:
    source = interest(person_name="Олена", contact_points=(EMAIL,), do_not_contact=True)
    assert lm.promote(source, at=AT).do_not_contact


# -- conversion --------------------------------------------------------------------------


def test_b2c_conversion_makes_a_contact_and_a_person_customer() -> None:
    """Seed rule: a lead becomes a customer when the deal is concluded; the lead keeps links."""
    result = lm.convert(lead(time_zone="Europe/Kyiv"), at=AT, deal_ref="order-42", ids=_ids())
    assert result.contact is not None
    assert result.company is None
    assert (result.contact.name, result.contact.contact_points) == ("Олена Коваль", (EMAIL,))
    assert result.customer.kind is lm.CustomerKind.person
    assert result.customer.contact_id == result.contact.id
    assert (result.customer.origin, result.customer.since) == (lm.CustomerOrigin.from_lead, AT)
    assert result.customer.order_refs == ("order-42",)
    assert result.lead is not None
    assert result.lead.converted == lm.ConversionLinks(
        customer_id=result.customer.id, at=AT, contact_id=result.contact.id, deal_ref="order-42"
    )
    assert result.lead.lifecycle is lm.LifecycleStage.customer
    assert result.lead.customer_id == result.customer.id


def test_b2b_conversion_the_customer_is_the_company() -> None:
    """Seed rule: in B2B the lead is a person; after the deal the customer is the company."""
    result = lm.convert(lead(company_name="ТОВ Меблі"), at=AT, ids=_ids())
    assert result.company is not None
    assert result.contact is not None
    assert result.company.name == "ТОВ Меблі"
    assert result.customer.kind is lm.CustomerKind.company
    assert result.customer.company_id == result.company.id
    assert result.contact.company_id == result.company.id
    assert result.lead is not None
    assert result.lead.company_id == result.company.id


def test_conversion_merges_into_existing_records() -> None:
    """No second customer for a known person: the existing records are updated."""
    known = lm.Contact(
        id=lm.ContactId("ct-1"),
        name="Олена",
        contact_points=(lm.ContactPoint.phone("+380501234567"),),
    )
    customer = lm.Customer(
        id=lm.CustomerId("cu-1"),
        kind=lm.CustomerKind.person,
        contact_id=known.id,
        since=AT,
        origin=lm.CustomerOrigin.from_order,
        order_refs=("mp-1",),
        lead_ids=(lm.LeadId("lead-0"),),
    )
    result = lm.convert(lead(), at=AT + HOUR, contact=known, customer=customer, deal_ref="order-2")
    assert result.contact is not None
    assert result.contact.id == "ct-1"
    assert [p.kind.value for p in result.contact.contact_points] == ["phone", "email"]
    assert result.customer.id == "cu-1"
    assert result.customer.lead_ids == ("lead-0", "lead-1")
    assert result.customer.order_refs == ("mp-1", "order-2")
    assert result.customer.since == AT  # a customer since the first deal


def test_conversion_into_a_known_company() -> None:
    company = lm.Company(id=lm.CompanyId("co-1"), name="ТОВ Меблі")
    customer = lm.Customer(
        id=lm.CustomerId("cu-7"),
        kind=lm.CustomerKind.company,
        company_id=company.id,
        since=AT,
        origin=lm.CustomerOrigin.from_import,
    )
    result = lm.convert(lead(), at=AT, company=company, customer=customer, ids=_ids())
    assert (result.customer.id, result.company) == ("cu-7", company)
    wrong = attrs.evolve(customer, company_id=lm.CompanyId("co-2"))
    with pytest.raises(RuleViolation, match="not the customer of company co-1"):
        lm.convert(lead(), at=AT, company=company, customer=wrong)


def test_converting_twice_raises_with_the_links() -> None:
    converted = lm.convert(lead(), at=AT, ids=_ids()).lead
    assert converted is not None
    with pytest.raises(AlreadyConvertedError) as info:
        lm.convert(converted, at=AT)
    assert info.value.links == converted.converted


def test_a_lost_lead_must_be_reopened_before_conversion() -> None:
    p = pipelines.SIMPLE
    lost = p.move(p.enter(lead(), at=AT, by="a"), "lost", at=AT, by="a", reason="declined")
    with pytest.raises(RuleViolation, match="reopen"):
        lm.convert(lost, at=AT)
    reopened = p.move(lost, "in_progress", at=AT + HOUR, by="a")
    assert lm.convert(reopened, at=AT + HOUR).lead is not None


def test_b2b_without_a_company_name_asks_for_the_company() -> None:
    with pytest.raises(lm.ValidationError, match="company="):
        lm.convert(lead(), at=AT, customer_kind="company")
    with pytest.raises(lm.ValidationError, match="customer_kind"):
        lm.convert(lead(), at=AT, customer_kind="alien")  # type: ignore[arg-type]


# -- customers without a lead ----------------------------------------------------------


def test_customer_from_an_order_without_a_lead() -> None:
    """Seed rule: customers are born from an order with no lead (a marketplace purchase)."""
    born = lm.customer_from_order(
        at=AT, order_ref="prom-77", name="Марія", contact_points=(EMAIL,), ids=_ids()
    )
    assert born.lead is None
    assert born.contact is not None
    assert (born.customer.origin, born.customer.order_refs) == (
        lm.CustomerOrigin.from_order,
        ("prom-77",),
    )
    again = lm.customer_from_order(
        at=AT + HOUR, order_ref="prom-78", contact=born.contact, customer=born.customer
    )
    assert again.customer.id == born.customer.id
    assert again.customer.order_refs == ("prom-77", "prom-78")


def test_customer_from_an_import() -> None:
    """Seed rule: customers are born by import from another system's file."""
    company = lm.Company(id=lm.CompanyId("co-1"), name="ТОВ Меблі")
    born = lm.customer_from_import(at=AT, company=company, ids=_ids())
    assert (born.customer.kind, born.customer.origin) == (
        lm.CustomerKind.company,
        lm.CustomerOrigin.from_import,
    )
    with pytest.raises(lm.ValidationError, match="say who the customer is"):
        lm.customer_from_import(at=AT)


def test_simple_crm_mode_an_interest_goes_straight_to_a_deal() -> None:
    """Seed rule: some businesses run without leads (Bitrix24 "simple CRM")."""
    source = interest(person_name="Олена", contact_points=(EMAIL,))
    born = lm.customer_from_order(
        at=AT, order_ref="deal-1", name=source.person_name, contact_points=source.contact_points
    )
    assert born.lead is None
    assert born.customer.order_refs == ("deal-1",)


# -- repeat and recycled leads -------------------------------------------------------------


def test_a_known_customers_new_interest_is_a_repeat_lead_not_a_second_customer() -> None:
    """Bitrix24 practice: repeat lead linked to the customer."""
    first = lm.convert(lead(), at=AT, ids=_ids())
    assert first.contact is not None
    again = interest(id=lm.InterestId("int-2"), topic="Ще стільці")
    repeat = lm.repeat_lead(
        first.customer, again, at=AT + HOUR, contact=first.contact, ids=_ids("lead")
    )
    assert repeat.customer_id == first.customer.id
    assert repeat.previous_lead_id == "lead-1"
    assert (repeat.person_name, repeat.contact_points) == ("Олена Коваль", (EMAIL,))
    assert repeat.converted is None


def test_recycled_lead_comes_back_and_the_first_history_survives() -> None:
    """Seed rule: a lost lead is not a verdict; the first attempt's history must survive."""
    p = pipelines.KEYCRM_REQUESTS
    lost = p.move(p.enter(lead(), at=AT, by="a"), "lost", at=AT + HOUR, by="a", reason="no_budget")
    back = lm.recycle(lost, at=AT + 100 * HOUR, ids=_ids("lead"))
    assert back.previous_lead_id == lost.id
    assert back.lifecycle is lm.LifecycleStage.recycled
    assert (back.status, back.history, back.lost) == (None, (), None)
    assert [c.to_status for c in lost.history] == ["new", "lost"]  # untouched
    assert p.enter(back, at=AT + 100 * HOUR, by="a").status == "new"
    with pytest.raises(RuleViolation, match="only lost leads"):
        lm.recycle(back, at=AT)


@given(lst.leads())
def test_a_recycled_lead_keeps_the_persons_consents_about_the_new_card(card: lm.Lead) -> None:
    hypothesis.assume(
        card.lifecycle not in (lm.LifecycleStage.customer, lm.LifecycleStage.evangelist)
    )
    lost = attrs.evolve(card, converted=None, lost=lm.LossInfo(status="x", reason="r", at=AT))
    last = last_entry(lost)
    back = lm.recycle(lost, at=AT if last is None else max(AT, last[1]), ids=_ids("new"))
    assert [attrs.evolve(c, person="-") for c in back.consents] == [
        attrs.evolve(c, person="-") for c in lost.consents
    ]
    assert {c.person for c in back.consents} <= {back.id}


# -- erasure ----------------------------------------------------------------------------------


def test_erasure_keeps_the_funnel_numbers() -> None:
    p = pipelines.KEYCRM_REQUESTS
    card = p.move(
        p.enter(lead(expected_value=lm.Money.of(100, "UAH")), at=AT, by="a"),
        "lost",
        at=AT + HOUR,
        by="a",
        reason="no_budget",
        note="дзвонила Олена",
    )
    erased = lm.erase(card, at=AT + 2 * HOUR)
    assert (erased.person_name, erased.contact_points) == ("", ())
    assert [(c.from_status, c.to_status, c.at, c.reason) for c in erased.history] == [
        (c.from_status, c.to_status, c.at, c.reason) for c in card.history
    ]
    assert (erased.status, erased.expected_value, erased.source) == (
        card.status,
        card.expected_value,
        card.source,
    )
    assert erased.lost is not None
    assert erased.lost.reason == "no_budget"
    assert erased.do_not_contact
    assert lm.from_json(lm.Lead, lm.to_json(erased)) == erased


def test_erased_records_cannot_hold_personal_data() -> None:
    with pytest.raises(lm.ValidationError, match="keeps no name"):
        lead(erased_at=AT)


def _personal_values(entity: Any) -> set[str]:
    values = {p.value for p in entity.contact_points} | {p.key for p in entity.contact_points}
    for name in ("person_name", "name", "message"):
        if getattr(entity, name, None):
            values.add(getattr(entity, name))
    for change in getattr(entity, "history", ()):
        if change.note:
            values.add(change.note)
    for consent in entity.consents:  # where and how consent was given: the person's data
        evidence = consent.evidence
        values.update(v for v in (consent.source, *attrs.astuple(evidence or _NO_EVIDENCE)) if v)
    touches = getattr(entity, "touches", ()) or [t for t in [getattr(entity, "touch", None)] if t]
    for touch in touches:  # an ad network's handle on the person, the page they came from
        values.update(touch.click_ids.values())
        values.update([touch.referrer] if touch.referrer else [])
    return {v for v in values if len(v.strip()) >= 4}


_NO_EVIDENCE = lm.ConsentEvidence(note="-")


def _strings(data: object) -> set[str]:
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*(_strings(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_strings(v) for v in data)) if data else set()
    return set()


def _kept_values(entity: Any) -> set[str]:
    """Strings of the fields erasure keeps (a personal value may equal one by chance)."""
    doc = json.loads(lm.to_json(entity))
    for name in (
        "person_name", "name", "message", "contact_points", "custom", "assessments", "consents",
        "spam", "idempotency_key",
    ):  # fmt: skip
        doc.pop(name, None)
    for touch in [*(doc.get("touches") or []), *[doc.get("touch") or {}]]:
        touch.pop("referrer", None)  # a touch keeps its channel, source, campaign and landing
        touch.pop("click_ids", None)
    for change in doc.get("history", []):
        change.pop("note")
    if doc.get("lost"):
        doc["lost"].pop("note")
    return _strings(doc)


@given(lst.leads() | lst.interests() | lst.contacts())
def test_erasure_leaves_no_personal_value_in_the_document(entity: Any) -> None:
    last = last_entry(entity)
    erased = lm.erase(entity, at=AT if last is None else max(AT, last[1]))
    left = _strings(json.loads(lm.to_json(erased)))
    assert not ((_personal_values(entity) - _kept_values(entity)) & left)
    assert erased.do_not_contact
    assert type(lm.from_json(type(entity), lm.to_json(erased))) is type(entity)
    assert len(erased.consents) == len(entity.consents)  # the facts stay: never contacted again
    assert all(c.erased_at is not None and c.withdrawn_at is not None for c in erased.consents)


def test_do_not_contact_silences_messaging_actions() -> None:
    p = pipelines.KEYCRM_REQUESTS
    card = p.move(
        p.enter(lead(consents=[asked("lead-1")]), at=AT, by="a"), "offer_sent", at=AT, by="a"
    )
    assert [a.action for a in p.actions(card.history[-1], card)] == ["schedule_call"]
    silent = lm.erase(card, at=AT)
    assert p.actions(silent.history[-1], silent) == ()
