"""Edits (update_lead and friends), promote with a lead's fields, conversion and the won
status agreeing, and ``at=`` for backdated work."""

from __future__ import annotations

from datetime import datetime

import pytest

import leadmodel as lm
from leadmodel.storage import UnitOfWork

from ._services import AT, LATER, MakeUnit, add, contact, events, person_customer

DEALS = lm.pipelines.B2B_DEALS
SIMPLE = lm.pipelines.SIMPLE
FORM = lm.Source(channel=lm.Channel.form)
UAH = lm.Money.of("12000", "UAH")


def _lead(
    uow: UnitOfWork, pipeline: lm.Pipeline | None = SIMPLE, prefix: str = "id", **extra: object
) -> lm.Lead:
    ids = lm.sequential_ids(prefix)
    dm = lm.services.capture_interest(
        uow,
        source=FORM,
        topic="Office chairs",
        person_name="Olena Koval",
        contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
        at=AT,
        idempotency_key=prefix,  # one submission per prefix: the same payload, another lead
        ids=ids,
    )
    return lm.services.promote(uow, dm.id, pipeline=pipeline, at=AT, ids=ids, **extra)  # type: ignore[arg-type]


# -- update_lead ------------------------------------------------------------------------------
def test_update_lead_stores_the_edit_and_names_the_fields_it_changed(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    edited = lm.services.update_lead(
        uow,
        lead.id,
        expected_version=0,
        owner="anna",
        expected_value=UAH,
        tags=frozenset({"vip"}),
        time_zone="Europe/Kyiv",
        custom={"budget": 12000},
        by="anna",
        at=LATER,
    )
    with uow:
        assert uow.leads.get(lead.id) == edited
    assert (edited.owner, edited.expected_value, edited.version) == ("anna", UAH, 1)
    event = events(uow)[-1]
    assert isinstance(event, lm.EntityUpdated)
    assert event.fields == ("custom", "expected_value", "owner", "tags", "time_zone")
    assert (event.kind, event.entity_id, event.version, event.at, event.by) == (
        "leads",
        lead.id,
        1,
        LATER,
        "anna",
    )


def test_an_edit_that_changes_nothing_stores_and_emits_nothing(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow, owner="anna")
    before = events(uow)
    same = lm.services.update_lead(uow, lead.id, owner="anna", topic=lead.topic)
    assert same.version == 0
    assert events(uow) == before


def test_update_lead_refuses_bad_values_with_every_path(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    with pytest.raises(lm.errors.ValidationError) as bad:
        lm.services.update_lead(uow, lead.id, owner="", time_zone="Mars/Base", tags="vip")
    paths = sorted(p.path for p in bad.value.problems)
    assert paths == ["owner", "tags", "time_zone"]
    with pytest.raises(lm.errors.ValidationError, match=r"status: move the card with Pipeline"):
        lm.services.update_lead(uow, lead.id, status="won")
    with pytest.raises(lm.errors.ValidationError, match=r"has no field 'colour'"):
        lm.services.update_lead(uow, lead.id, colour="red")
    with uow:
        assert uow.leads.get(lead.id) == lead


def test_update_lead_answers_404_and_409(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    with pytest.raises(lm.errors.NotFoundError) as missing:
        lm.services.update_lead(uow, "nobody", owner="anna")
    assert (missing.value.kind, missing.value.id) == ("leads", "nobody")
    lm.services.update_lead(uow, lead.id, expected_version=0, owner="anna")
    with pytest.raises(lm.errors.ConcurrencyError) as stale:
        lm.services.update_lead(uow, lead.id, expected_version=0, owner="ivan")
    assert (stale.value.kind, stale.value.expected, stale.value.found) == ("leads", 0, 1)


def test_an_erased_persons_lead_refuses_edits(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    lm.services.erase_person(uow, lead_ids=[lead.id], at=LATER)
    with pytest.raises(lm.errors.RuleViolation, match="erased person"):
        lm.services.update_lead(uow, lead.id, owner="anna")


def test_contacts_companies_and_customers_are_edited_the_same_way(make_uow: MakeUnit) -> None:
    uow = make_uow()
    company = lm.Company(id=lm.CompanyId("company-1"), name="Mebli")
    add(uow, contact(1), company, person_customer(1, "contact-1", "lead-0"))
    assert lm.services.update_contact(uow, "contact-1", role="buyer", at=LATER).role == "buyer"
    assert lm.services.update_company(uow, "company-1", domain="mebli.ua").domain == "mebli.ua"
    customer = lm.services.update_customer(uow, "customer-1", order_refs=("o-1",))
    assert customer.order_refs == ("o-1",)
    assert [(e.kind, e.fields) for e in events(uow) if isinstance(e, lm.EntityUpdated)] == [
        ("contacts", ("role",)),
        ("companies", ("domain",)),
        ("customers", ("order_refs",)),
    ]
    with pytest.raises(lm.errors.ValidationError, match="kind"):
        lm.services.update_customer(uow, "customer-1", kind=lm.CustomerKind.company)


# -- promote with the fields a pipeline requires ------------------------------------------------
def test_promote_sets_what_a_pipeline_requires_in_one_call(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(
        uow,
        pipeline=DEALS,
        owner="anna",
        expected_value=UAH,
        tags=["b2b"],
        time_zone="Europe/Kyiv",
        custom={"seats": 40},
    )
    assert (lead.owner, lead.expected_value, lead.tags) == ("anna", UAH, frozenset({"b2b"}))
    assert (lead.time_zone, dict(lead.custom)) == ("Europe/Kyiv", {"seats": 40})
    for status in ("needs_analysis", "proposal"):  # proposal requires owner and value
        lead = lm.services.move(uow, lead.id, DEALS, status, at=LATER)
    assert lead.status == "proposal"


def test_promote_refuses_bad_extra_fields_naming_them(make_uow: MakeUnit) -> None:
    uow = make_uow()
    with pytest.raises(lm.errors.ValidationError, match="time_zone"):
        _lead(uow, time_zone="Nowhere/Land")
    with uow:
        assert uow.leads.count() == 0


# -- conversion and the won status ------------------------------------------------------------
def test_converting_moves_the_card_to_the_pipelines_won_status(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    done = lm.services.convert(uow, lead.id, pipeline=SIMPLE, at=LATER)
    assert done.lead is not None
    assert (done.lead.status, done.lead.converted is not None) == ("won", True)
    assert [e.type for e in events(uow)][-2:] == ["LeadConverted", "StatusChanged"]
    with uow:
        assert uow.leads.get(lead.id) == done.lead


def test_without_the_pipeline_or_convert_to_the_card_stays(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    done = lm.services.convert(uow, lead.id, at=LATER)
    assert done.lead is not None
    assert done.lead.status == "new"
    keep = lm.Pipeline.from_dict({**SIMPLE.to_dict(), "convert_to": None})
    other = _lead(make_uow(), pipeline=keep, prefix="other")
    assert keep.convert_to is None
    assert other.status == "new"


def test_convert_refuses_another_pipeline_and_a_refused_move(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    with pytest.raises(lm.errors.ValidationError, match="is in pipeline 'simple'"):
        lm.services.convert(uow, lead.id, pipeline=DEALS, at=LATER)
    deals = _lead(make_uow(), pipeline=DEALS, prefix="deal")
    done = lm.services.convert(uow, deals.id, pipeline=DEALS, at=LATER)  # won needs no value
    assert done.lead is not None
    assert done.lead.status == "won"
    lost = lm.services.move(uow, lead.id, SIMPLE, "lost", reason="no_answer", at=LATER)
    with pytest.raises(lm.errors.RuleViolation):
        lm.services.convert(uow, lost.id, pipeline=SIMPLE, at=LATER)


def test_a_won_status_may_require_a_conversion() -> None:
    spec = SIMPLE.to_dict()
    for status in spec["statuses"]:
        if status["key"] == "won":
            status["requires"] = {"converted": True}
    strict = lm.Pipeline.from_dict(spec)
    uow = lm.MemoryUnitOfWork()
    lead = _lead(uow, pipeline=strict)
    with pytest.raises(lm.errors.TransitionError, match="converted"):
        lm.services.move(uow, lead.id, strict, "won", at=LATER)
    done = lm.services.convert(uow, lead.id, pipeline=strict, at=LATER)
    assert done.lead is not None
    assert done.lead.status == "won"


def test_convert_to_must_name_a_won_status() -> None:
    with pytest.raises(lm.errors.ValidationError, match="convert_to: 'lost' is not a won"):
        lm.Pipeline.from_dict({**SIMPLE.to_dict(), "convert_to": "lost"})
    spec = SIMPLE.to_dict()
    spec["statuses"][0]["requires"] = {"converted": True}
    with pytest.raises(lm.errors.ValidationError, match="only a won status may require"):
        lm.Pipeline.from_dict(spec)


# -- at= ------------------------------------------------------------------------------------
def test_at_backdates_every_service_and_refuses_a_clock_beside_it(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    assert lead.created_at == AT
    moved = lm.services.move(uow, lead.id, SIMPLE, "in_progress", at=LATER)
    assert moved.history[-1].at == LATER
    with pytest.raises(lm.errors.ValidationError, match="either at="):
        lm.services.move(uow, lead.id, SIMPLE, "won", at=LATER, clock=lambda: LATER)
    with pytest.raises(lm.errors.ValidationError, match="at"):
        lm.services.move(uow, lead.id, SIMPLE, "won", at=datetime(2026, 3, 9))


# -- keys where a key is natural ----------------------------------------------------------------
def test_services_take_pipeline_and_framework_keys(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow, pipeline="deals", owner="anna", expected_value=UAH)  # type: ignore[arg-type]
    assert (lead.pipeline, lead.status) == ("deals", "qualification")
    lead = lm.services.move(uow, lead.id, None, "needs_analysis", at=LATER)  # its own pipeline
    lead = lm.services.move(uow, lead.id, "deals", "proposal", at=LATER)
    answers = [lm.Answer(criterion="budget", met=True)]
    lead = lm.services.assess(uow, lead.id, "BANT", answers, at=LATER)
    assert (lead.status, lead.assessments[-1].framework) == ("proposal", "BANT")
    done = lm.services.convert(uow, lead.id, registry=lm.Registry.default(), at=LATER)
    assert done.lead is not None
    assert done.lead.status == "won"


def test_an_unknown_key_is_a_lookup_error_naming_what_is_held(make_uow: MakeUnit) -> None:
    uow = make_uow()
    lead = _lead(uow)
    with pytest.raises(lm.errors.NotRegisteredError, match="simple, requests, deals") as err:
        lm.services.move(uow, lead.id, "deal", "won", at=LATER)
    assert isinstance(err.value, KeyError)
    with pytest.raises(lm.errors.NotRegisteredError, match="no framework 'FOO'"):
        lm.services.assess(uow, lead.id, "FOO", [], at=LATER)
    mine = lm.Registry(pipelines=[DEALS])
    with pytest.raises(lm.errors.NotRegisteredError, match="no pipeline 'simple'"):
        lm.services.move(uow, lead.id, None, "won", registry=mine, at=LATER)
    with pytest.raises(lm.errors.ValidationError, match="pipeline"):
        lm.services.move(uow, lead.id, 7, "won", at=LATER)  # type: ignore[arg-type]
