"""The erase service on every adapter: every record of one person, and only of that person."""

from __future__ import annotations

from typing import Any

import pytest

import leadmodel as lm
from leadmodel import PersonErased, services

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
    interest,
    lead,
    snapshot,
)


# -- erase -----------------------------------------------------------------------------------
def _olena_and_ivan(make_uow: MakeUnit) -> None:
    links = lm.ConversionLinks(
        customer_id=lm.CustomerId("customer-1"), at=AT, contact_id=lm.ContactId("contact-2")
    )
    ivan = lm.ContactPoint.email("ivan@example.com")
    add(
        make_uow(),
        interest(1, person_name="Olena", contact_points=(EMAIL,), lead_id=lm.LeadId("lead-1")),
        interest(2, message="call me, Olena here", topic=None, lead_id=lm.LeadId("lead-1")),
        lead(1, interest_ids=(lm.InterestId("int-1"), lm.InterestId("int-2"))),
        lead(2, person_name="Olena K.", contact_points=(PHONE,), converted=links),
        contact(1),
        contact(2, contact_points=(PHONE,)),
        lead(3, person_name="Ivan", contact_points=(ivan,)),
        contact(3, name="Ivan", contact_points=(ivan,)),
    )


def test_erase_person_erases_every_record_with_the_key_and_their_links(make_uow: MakeUnit) -> None:
    _olena_and_ivan(make_uow)
    event = services.erase_person(
        make_uow(), key=f"email:{EMAIL.key}", lead_ids=["lead-2"], by="dpo", clock=clock(LATER)
    )
    assert event == PersonErased(
        interest_ids=("int-1", "int-2"),
        lead_ids=("lead-1", "lead-2"),
        contact_ids=("contact-1", "contact-2"),
        at=LATER,
        by="dpo",
    )
    with make_uow() as uow:
        for repository in (uow.interests, uow.leads, uow.contacts):
            for record in repository.iter_all():
                erased = record.id in {*event.interest_ids, *event.lead_ids, *event.contact_ids}
                assert (record.erased_at is not None) is erased, record.id
                if erased:
                    assert record.contact_points == ()
        assert uow.leads.get("lead-3").person_name == "Ivan"
        assert uow.interests.get("int-2").message is None
    assert events(make_uow()) == [event]


def test_erase_person_takes_a_match_key_and_skips_records_erased_before(
    make_uow: MakeUnit,
) -> None:
    _olena_and_ivan(make_uow)
    [key] = [k for k in lm.match_keys(contact(1)) if k.kind is lm.KeyKind.email]
    first = services.erase_person(make_uow(), key=key, clock=clock())
    again = services.erase_person(make_uow(), key=key, lead_ids=["lead-1"], clock=clock(LATER))
    assert first.lead_ids == ("lead-1",)
    assert (again.interest_ids, again.lead_ids, again.contact_ids) == ((), (), ())
    with make_uow() as uow:
        assert uow.leads.get("lead-1").erased_at == AT


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"key": "name:koval olena"}, "key of one person"),
        ({"key": "domain:mebli.ua"}, "key of one person"),
        ({"key": "olena@mebli.ua"}, "key of one person"),
        ({}, "give a key or record ids"),
        ({"lead_ids": "lead-1"}, r"lead_ids=\['lead-1'\]"),
    ],
)
def test_erase_person_refuses_what_is_not_one_person(
    make_uow: MakeUnit, arguments: dict[str, Any], message: str
) -> None:
    _olena_and_ivan(make_uow)
    before = snapshot(make_uow())
    with pytest.raises(lm.ValidationError, match=message):
        services.erase_person(make_uow(), clock=clock(), **arguments)
    assert snapshot(make_uow()) == before


def test_erase_person_with_an_unknown_id_changes_nothing(make_uow: MakeUnit) -> None:
    _olena_and_ivan(make_uow)
    before = snapshot(make_uow())
    with pytest.raises(lm.NotFoundError) as missing:
        services.erase_person(
            make_uow(), key=f"email:{EMAIL.key}", contact_ids=["contact-9"], clock=clock()
        )
    assert (missing.value.kind, missing.value.id) == ("contacts", "contact-9")
    assert snapshot(make_uow()) == before
