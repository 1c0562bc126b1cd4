"""The services on every adapter: what they store, the events they emit, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import services
from leadmodel.domain.events import (
    InterestCaptured,
    LeadConverted,
    LeadCreated,
    LeadQualified,
    LeadsMerged,
    PersonErased,
    StatusChanged,
)
from leadmodel.storage import MemoryUnitOfWork, SQLiteUnitOfWork, UnitOfWork
from leadmodel.testing import strategies

from ._services import (
    ADAPTERS,
    AT,
    EMAIL,
    LATER,
    PHONE,
    SOURCE,
    Stores,
    add,
    clock,
    contact,
    events,
    interest,
    lead,
    person_customer,
    seed_b2b_known_company,
    seed_b2c_known_person,
    seed_duplicate_contacts,
    seed_duplicate_leads,
    snapshot,
)

PIPELINE = lm.Pipeline.from_dict(
    {
        "key": "requests",
        "label": "Requests",
        "statuses": [
            {
                "key": "new",
                "label": "New",
                "on_enter": [
                    {"action": "send_email", "template": "welcome"},
                    {"action": "create_task", "title": "Call back"},
                ],
            },
            {
                "key": "offer",
                "label": "Offer sent",
                "on_enter": [{"action": "schedule_call", "in_minutes": 60}],
            },
            {"key": "won", "label": "Won", "kind": "won"},
            {"key": "lost", "label": "Lost", "kind": "lost", "lost_reasons": ["no_budget"]},
        ],
    }
)

MakeUnit = Callable[[], UnitOfWork]


@pytest.fixture(params=ADAPTERS)
def make_uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeUnit]:
    """A new unit of work object on one fresh store per test, on each adapter."""
    stores = Stores(request.param, tmp_path)
    store = stores.new()
    yield lambda: stores.unit(store)
    stores.close()


def _actions(event: object) -> list[str]:
    assert isinstance(event, StatusChanged)
    return [action.action for action in event.actions]


# -- capture and promote ---------------------------------------------------------------------
def test_capture_interest_stores_it_and_emits_interest_captured(make_uow: MakeUnit) -> None:
    captured = services.capture_interest(
        make_uow(),
        source=lm.Source(channel=lm.Channel.instagram_dm),
        message="Do you ship to Lviv?",
        contact_points=[lm.ContactPoint.messenger("instagram", "@olena")],
        custom={"utm": "spring"},
        by="bot",
        clock=clock(),
        ids=lm.sequential_ids("int"),
    )
    assert captured.id == "int-1"
    assert captured.occurred_at == AT
    with make_uow() as uow:
        assert uow.interests.get("int-1") == captured
    assert events(make_uow()) == [
        InterestCaptured(interest_id="int-1", channel="instagram_dm", at=AT, by="bot")
    ]


def test_capture_interest_keeps_when_it_happened(make_uow: MakeUnit) -> None:
    """``occurred_at`` is when the person showed interest, not when it was typed in."""
    captured = services.capture_interest(
        make_uow(), source=SOURCE, topic="Chairs", occurred_at=AT, clock=clock(LATER)
    )
    assert captured.occurred_at == AT
    [event] = events(make_uow())
    assert event.at == AT


def test_an_invalid_interest_stores_nothing(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.ValidationError, match="topic"):
        services.capture_interest(make_uow(), source=SOURCE, clock=clock())
    assert snapshot(make_uow()) == snapshot(MemoryUnitOfWork())


def test_a_clock_without_time_zone_is_refused(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.ValidationError, match=r"clock\(\): naive datetime"):
        services.capture_interest(
            make_uow(), source=SOURCE, topic="Chairs", clock=lambda: datetime(2026, 3, 2)
        )


def test_promote_stores_the_lead_links_the_interest_and_enters_the_pipeline(
    make_uow: MakeUnit,
) -> None:
    add(make_uow(), interest(1, person_name="Olena Koval", contact_points=(EMAIL,)))
    made = services.promote(
        make_uow(), "int-1", pipeline=PIPELINE, by="anna", clock=clock(), ids=lm.sequential_ids()
    )
    assert (made.id, made.pipeline, made.status, made.version) == ("id-1", "requests", "new", 0)
    with make_uow() as uow:
        assert uow.leads.get("id-1") == made
        assert uow.interests.get("int-1").lead_id == "id-1"
    created, moved = events(make_uow())
    assert created == LeadCreated(lead_id="id-1", interest_ids=("int-1",), at=AT, by="anna")
    assert isinstance(moved, StatusChanged)
    assert (moved.lead_id, moved.from_status, moved.to_status) == ("id-1", None, "new")
    assert _actions(moved) == ["send_email", "create_task"]


def test_promote_reports_no_messages_for_a_do_not_contact_person(make_uow: MakeUnit) -> None:
    add(
        make_uow(),
        interest(1, person_name="Olena Koval", contact_points=(EMAIL,), do_not_contact=True),
    )
    services.promote(make_uow(), "int-1", pipeline=PIPELINE, clock=clock())
    assert _actions(events(make_uow())[-1]) == ["create_task"]


def test_promote_without_pipeline_emits_only_lead_created(make_uow: MakeUnit) -> None:
    add(make_uow(), interest(1))
    made = services.promote(
        make_uow(), "int-1", person_name="Olena", contact_points=[PHONE], clock=clock()
    )
    assert made.status is None
    assert [type(e) for e in events(make_uow())] == [LeadCreated]


def test_an_anonymous_interest_is_not_promoted_and_nothing_changes(make_uow: MakeUnit) -> None:
    add(make_uow(), interest(1))
    before = snapshot(make_uow())
    with pytest.raises(lm.NotALeadError) as caught:
        services.promote(make_uow(), "int-1", pipeline=PIPELINE, clock=clock())
    assert caught.value.missing == ("person_name", "contact_point")
    assert snapshot(make_uow()) == before


def test_an_unknown_id_raises_not_found_naming_kind_and_id(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.NotFoundError, match=r"interests.*'int-9'"):
        services.promote(make_uow(), "int-9", clock=clock())
    with pytest.raises(lm.NotFoundError, match=r"leads.*'lead-9'"):
        services.move(make_uow(), "lead-9", PIPELINE, "offer", clock=clock())


# -- move and assess -------------------------------------------------------------------------
def _in_pipeline(make_uow: MakeUnit, **overrides: Any) -> None:
    add(make_uow(), PIPELINE.enter(lead(1, **overrides), at=AT, by="anna"))


def test_move_saves_the_lead_and_emits_the_actions_it_triggers(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow)
    moved = services.move(make_uow(), "lead-1", PIPELINE, "offer", by="anna", clock=clock(LATER))
    assert (moved.status, moved.version) == ("offer", 1)
    [event] = events(make_uow())
    assert isinstance(event, StatusChanged)
    assert (event.from_status, event.to_status, event.at) == ("new", "offer", LATER)
    assert _actions(event) == ["schedule_call"]


def test_move_to_lost_carries_the_reason(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow)
    moved = services.move(
        make_uow(), "lead-1", PIPELINE, "lost", reason="no_budget", note="later", clock=clock()
    )
    assert moved.lost is not None
    assert moved.lost.reason == "no_budget"
    [event] = events(make_uow())
    assert isinstance(event, StatusChanged)
    assert event.reason == "no_budget"


def test_move_honours_do_not_contact(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow, do_not_contact=True)
    services.move(make_uow(), "lead-1", PIPELINE, "offer", clock=clock())
    assert _actions(events(make_uow())[-1]) == []


def test_a_refused_move_changes_nothing(make_uow: MakeUnit) -> None:
    _in_pipeline(make_uow)
    before = snapshot(make_uow())
    with pytest.raises(lm.TransitionError):
        services.move(make_uow(), "lead-1", PIPELINE, "lost", clock=clock())  # no reason
    assert snapshot(make_uow()) == before


def test_assess_records_the_verdict_and_emits_lead_qualified(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1))
    answers = [lm.Answer(criterion=k, met=True) for k in ("budget", "authority", "need")]
    assessed = services.assess(make_uow(), "lead-1", lm.BANT, answers, by="anna", clock=clock())
    assert len(assessed.assessments) == 1
    [event] = events(make_uow())
    assert isinstance(event, LeadQualified)
    assert (event.framework, event.qualified, event.missing) == ("BANT", False, ("timeline",))


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
    with pytest.raises(lm.NotFoundError, match=r"customers.*'customer-9'"):
        services.convert(make_uow(), "lead-1", customer_id="customer-9", clock=clock())


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


# -- merge -----------------------------------------------------------------------------------
def test_merge_leads_keeps_everything_and_re_points_the_links(make_uow: MakeUnit) -> None:
    seed_duplicate_leads(make_uow())
    merged = services.merge(make_uow(), "lead-1", "lead-3", "lead-2", by="anna", clock=clock())
    survivor = merged.survivor
    assert merged.absorbed_ids == ("lead-2", "lead-3")
    assert survivor.version == 1
    assert set(survivor.interest_ids) == {"int-1", "int-2", "int-3"}
    assert [p.key for p in survivor.contact_points] == [EMAIL.key, PHONE.key]
    with make_uow() as uow:
        assert [record.id for record in uow.leads.iter_all()] == ["lead-1"]
        assert uow.leads.get("lead-1") == survivor
        assert {i.lead_id for i in uow.interests.iter_all()} == {"lead-1"}
        assert uow.customers.get("customer-1").lead_ids == ("lead-1",)
    assert events(make_uow()) == [
        LeadsMerged(
            entity="leads",
            survivor_id="lead-1",
            absorbed_ids=("lead-2", "lead-3"),
            at=AT,
            by="anna",
        )
    ]


def test_merge_contacts_re_points_their_customers(make_uow: MakeUnit) -> None:
    seed_duplicate_contacts(make_uow())
    merged = services.merge(make_uow(), "contact-1", "contact-2", kind="contacts", clock=clock())
    assert merged.survivor.role == "buyer"
    with make_uow() as uow:
        assert [c.id for c in uow.contacts.iter_all()] == ["contact-1"]
        assert uow.customers.get("customer-1").contact_id == "contact-1"
    [event] = events(make_uow())
    assert isinstance(event, LeadsMerged)
    assert event.entity == "contacts"


def test_merge_refuses_bad_input_and_changes_nothing(make_uow: MakeUnit) -> None:
    seed_duplicate_leads(make_uow())
    before = snapshot(make_uow())
    with pytest.raises(lm.NotFoundError, match="'lead-9'"):
        services.merge(make_uow(), "lead-1", "lead-2", "lead-9", clock=clock())
    with pytest.raises(lm.ValidationError, match="given twice"):
        services.merge(make_uow(), "lead-1", "lead-2", "lead-2", clock=clock())
    with pytest.raises(lm.ValidationError, match="at least one record"):
        services.merge(make_uow(), "lead-1", clock=clock())
    kind: Any = "people"  # not a kind merge takes
    with pytest.raises(lm.ValidationError, match="'leads' or 'contacts'"):
        services.merge(make_uow(), "lead-1", "lead-2", kind=kind, clock=clock())
    assert snapshot(make_uow()) == before


@pytest.mark.parametrize("adapter", ADAPTERS)
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    groups=st.lists(
        st.lists(strategies.contact_points(), min_size=1, max_size=3), min_size=2, max_size=4
    )
)
def test_merge_keeps_every_contact_point_of_the_merged_leads(
    adapter: str, tmp_path: Path, groups: list[list[lm.ContactPoint]]
) -> None:
    """Nothing is lost: the stored survivor has a contact point for every match key (kind and
    normalised value) any merged lead had."""
    stores = Stores(adapter, tmp_path)
    store = stores.new()
    try:
        add(stores.unit(store), *(lead(n, contact_points=tuple(g)) for n, g in enumerate(groups)))
        ids = [f"lead-{n}" for n in range(len(groups))]
        services.merge(stores.unit(store), *ids, clock=clock())
        with stores.unit(store) as uow:
            [survivor] = list(uow.leads.iter_all())
        kept = {point.identity for point in survivor.contact_points}
        assert kept == {point.identity for group in groups for point in group}
    finally:
        stores.close()


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
    with pytest.raises(lm.NotFoundError, match=r"contacts.*'contact-9'"):
        services.erase_person(
            make_uow(), key=f"email:{EMAIL.key}", contact_ids=["contact-9"], clock=clock()
        )
    assert snapshot(make_uow()) == before


# -- determinism -----------------------------------------------------------------------------
def _story(uow: Callable[[], UnitOfWork]) -> None:
    ids = lm.sequential_ids()
    captured = services.capture_interest(
        uow(),
        source=SOURCE,
        topic="Chairs",
        person_name="Olena Koval",
        contact_points=[EMAIL],
        clock=clock(),
        ids=ids,
    )
    made = services.promote(uow(), captured.id, pipeline=PIPELINE, clock=clock(), ids=ids)
    services.move(uow(), made.id, PIPELINE, "offer", clock=clock(LATER))
    services.convert(uow(), made.id, deal_ref="order-1", clock=clock(LATER), ids=ids)


def test_a_fixed_clock_and_sequential_ids_make_the_same_store(tmp_path: Path) -> None:
    """Replays are exact, across adapters too."""
    found = []
    for adapter in ADAPTERS:
        stores = Stores(adapter, tmp_path)
        store = stores.new()
        _story(lambda: stores.unit(store))  # noqa: B023 - called right away
        found.append(snapshot(stores.unit(store)))
        stores.close()
    assert found[0] == found[1]
    assert [c["id"] for c in found[0]["customers"]] == ["id-4"]


def test_the_services_take_any_unit_of_work() -> None:
    """SQLite ``:memory:`` works for one unit object, as the adapter documents."""
    uow = SQLiteUnitOfWork(":memory:")
    try:
        _story(lambda: uow)
        assert len(events(uow)) == 5
    finally:
        uow.close()
