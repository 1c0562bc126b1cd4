"""The convert service on every adapter: contacts, companies and customers found or made,
all or nothing."""

from __future__ import annotations

import pytest

import leadmodel as lm
from leadmodel import LeadConverted, services

from ._services import (
    AT,
    EMAIL,
    LATER,
    PHONE,
    MakeUnit,
    add,
    clock,
    contact,
    events,
    lead,
    person_customer,
    seed_b2b_known_company,
    seed_b2c_known_person,
    snapshot,
)


# -- convert ---------------------------------------------------------------------------------
def test_convert_makes_a_contact_and_a_person_customer(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1))
    done = services.convert(
        make_uow(), "lead-1", deal_ref="order-1", by="anna", clock=clock(), ids=lm.sequential_ids()
    )
    assert done.contact is not None
    assert done.company is None
    assert (done.contact.id, done.customer.id) == ("id-1", "id-2")
    assert done.customer.kind is lm.CustomerKind.person
    assert done.lead is not None
    assert done.lead.converted is not None
    assert done.lead.converted.customer_id == "id-2"
    with make_uow() as uow:
        assert uow.customers.get("id-2") == done.customer
        assert uow.leads.get("lead-1") == done.lead
    assert events(make_uow()) == [
        LeadConverted(
            lead_id="lead-1",
            customer_id="id-2",
            at=AT,
            contact_id="id-1",
            deal_ref="order-1",
            by="anna",
        )
    ]


def test_a_known_person_never_gets_a_second_customer(make_uow: MakeUnit) -> None:
    seed_b2c_known_person(make_uow())
    done = services.convert(make_uow(), "lead-1", clock=clock(), ids=lm.sequential_ids("new"))
    assert done.contact is not None
    assert (done.contact.id, done.customer.id) == ("contact-1", "customer-1")
    assert done.customer.lead_ids == ("lead-0", "lead-1")
    assert [p.key for p in done.contact.contact_points] == [EMAIL.key, PHONE.key]
    with make_uow() as uow:
        assert uow.customers.count() == 1
        assert uow.contacts.count() == 1
        assert uow.contacts.get("contact-1").version == 1


def test_two_leads_of_one_person_make_one_customer(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1), lead(2, contact_points=(lm.ContactPoint.email("OLENA@mebli.ua"),)))
    first = services.convert(make_uow(), "lead-1", clock=clock())
    second = services.convert(make_uow(), "lead-2", clock=clock(LATER))
    assert second.customer.id == first.customer.id
    assert second.customer.lead_ids == ("lead-1", "lead-2")


def test_a_shared_phone_with_another_name_is_not_the_same_person(make_uow: MakeUnit) -> None:
    """The matching rules decide: a phone alone links two people only if the names agree."""
    add(make_uow(), contact(1, name="Ivan Petrenko", contact_points=(PHONE,)))
    add(make_uow(), lead(1, contact_points=(PHONE,)))
    done = services.convert(make_uow(), "lead-1", clock=clock(), ids=lm.sequential_ids("new"))
    assert done.contact is not None
    assert done.contact.id == "new-1"


def test_match_existing_false_makes_new_records(make_uow: MakeUnit) -> None:
    seed_b2c_known_person(make_uow())
    done = services.convert(
        make_uow(), "lead-1", match_existing=False, clock=clock(), ids=lm.sequential_ids("new")
    )
    assert done.contact is not None
    assert (done.contact.id, done.customer.id) == ("new-1", "new-2")


def test_b2b_finds_the_company_by_domain_and_its_customer(make_uow: MakeUnit) -> None:
    seed_b2b_known_company(make_uow())
    done = services.convert(make_uow(), "lead-1", clock=clock(), ids=lm.sequential_ids("new"))
    assert done.company is not None
    assert done.contact is not None
    assert (done.company.id, done.contact.id, done.customer.id) == (
        "company-1",
        "contact-1",
        "customer-1",
    )
    assert done.customer.kind is lm.CustomerKind.company
    with make_uow() as uow:
        assert uow.companies.get("company-1").version == 0  # unchanged: not saved again
        assert uow.customers.count() == 1


def test_b2b_finds_the_company_by_name(make_uow: MakeUnit) -> None:
    company = lm.Company(id=lm.CompanyId("company-1"), name="ТОВ «Меблі Плюс»")
    add(make_uow(), company, lead(1, company_name="Меблі Плюс"))
    done = services.convert(make_uow(), "lead-1", clock=clock(), ids=lm.sequential_ids("new"))
    assert done.company == company
    assert done.customer.company_id == "company-1"


def test_b2b_without_a_known_company_makes_one(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1, company_name="Mebli Plus"))
    done = services.convert(make_uow(), "lead-1", clock=clock(), ids=lm.sequential_ids("new"))
    assert done.company is not None
    with make_uow() as uow:
        assert uow.companies.get(done.company.id).name == "Mebli Plus"


def test_records_given_by_id_are_used(make_uow: MakeUnit) -> None:
    add(make_uow(), contact(1, name="Olena K.", contact_points=()), lead(1))
    done = services.convert(make_uow(), "lead-1", contact_id="contact-1", clock=clock())
    assert done.contact is not None
    assert done.contact.id == "contact-1"
    with pytest.raises(lm.NotFoundError) as missing:
        services.convert(make_uow(), "lead-1", customer_id="customer-9", clock=clock())
    assert (missing.value.kind, missing.value.id) == ("customers", "customer-9")


def test_a_repeat_lead_converts_into_its_customer(make_uow: MakeUnit) -> None:
    """A lead linked to a customer (``repeat_lead``) uses that customer and its contact."""
    add(
        make_uow(),
        contact(1, contact_points=(PHONE,)),
        person_customer(1, "contact-1", "lead-0"),
        lead(1, customer_id=lm.CustomerId("customer-1")),
    )
    done = services.convert(make_uow(), "lead-1", match_existing=False, clock=clock())
    assert done.contact is not None
    assert (done.contact.id, done.customer.id) == ("contact-1", "customer-1")


def test_converting_twice_raises_and_changes_nothing(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1))
    services.convert(make_uow(), "lead-1", clock=clock())
    before = snapshot(make_uow())
    with pytest.raises(lm.AlreadyConvertedError):
        services.convert(make_uow(), "lead-1", clock=clock(LATER))
    assert snapshot(make_uow()) == before


def test_a_failure_after_the_first_write_undoes_the_conversion(make_uow: MakeUnit) -> None:
    """All or nothing: the lead is saved, then adding the contact fails on a taken id."""
    add(make_uow(), lead(1), contact(1, name="Somebody else", contact_points=()))
    before = snapshot(make_uow())
    with pytest.raises(lm.ConcurrencyError):
        services.convert(make_uow(), "lead-1", clock=clock(), ids=lambda: "contact-1")
    assert snapshot(make_uow()) == before
