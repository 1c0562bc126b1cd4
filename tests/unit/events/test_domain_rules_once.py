"""The services ask the domain's rules instead of repeating them, and records are built by
field name: the B2B rule, re-pointing a customer after a merge, recycling, unchecked records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

import leadmodel as lm
from leadmodel import services
from leadmodel._kernel.copy import unchecked
from leadmodel.domain.ladder.conversion import customer_kind_of
from leadmodel.storage import MemoryUnitOfWork
from tests import factories

AT = factories.AT
LATER = AT + timedelta(days=2)
COMPANY = lm.Company(id=lm.CompanyId("co-1"), name="Mebli")


def _stored(*records: Any) -> MemoryUnitOfWork:
    uow = MemoryUnitOfWork()
    kinds = {lm.Lead: "leads", lm.Company: "companies", lm.Customer: "customers"}
    with uow:
        for record in records:
            getattr(uow, kinds[type(record)]).add(record)
        uow.commit()
    return uow


# -- the B2B rule ----------------------------------------------------------------------------
def test_service_and_domain_agree_a_lead_linked_to_a_company_is_b2b() -> None:
    lead = factories.lead(company_id=lm.CompanyId("co-1"))  # a company id, no company name
    assert lead.company_name is None
    uow = _stored(lead, COMPANY)
    stored = services.convert(uow, "lead-1", clock=lambda: LATER, ids=lm.sequential_ids())
    in_memory = lm.convert(lead, at=LATER, company=COMPANY, ids=lm.sequential_ids())
    assert customer_kind_of(lead, "auto", None) is lm.CustomerKind.company
    assert stored.customer.kind is in_memory.customer.kind is lm.CustomerKind.company
    assert stored.company == in_memory.company == COMPANY


def test_service_and_domain_agree_a_lead_given_a_company_is_b2b() -> None:
    lead = factories.lead()  # no company name, no company id
    uow = _stored(lead, COMPANY)
    stored = services.convert(
        uow, "lead-1", company_id="co-1", clock=lambda: LATER, ids=lm.sequential_ids()
    )
    in_memory = lm.convert(lead, at=LATER, company=COMPANY, ids=lm.sequential_ids())
    assert customer_kind_of(lead, "auto", COMPANY) is lm.CustomerKind.company
    assert stored.customer.kind is in_memory.customer.kind is lm.CustomerKind.company
    assert stored.customer.company_id == in_memory.customer.company_id == "co-1"


def test_service_and_domain_agree_a_lead_without_a_company_is_b2c() -> None:
    lead = factories.lead()
    stored = services.convert(_stored(lead, COMPANY), "lead-1", clock=lambda: LATER)
    assert customer_kind_of(lead, "auto", None) is lm.CustomerKind.person
    assert stored.customer.kind is lm.CustomerKind.person
    assert stored.company is None


# -- re-pointing a customer after a merge ----------------------------------------------------
def _customer(**overrides: Any) -> lm.Customer:
    fields: dict[str, Any] = {
        "id": lm.CustomerId("cu-1"),
        "kind": lm.CustomerKind.person,
        "since": AT,
        "origin": lm.CustomerOrigin.from_lead,
        "contact_id": lm.ContactId("c-2"),
    }
    return lm.Customer(**(fields | overrides))


def test_a_customer_of_absorbed_leads_lists_the_survivor_once_in_place() -> None:
    leads = [factories.lead(id=lm.LeadId(f"lead-{n}")) for n in (1, 2, 3)]
    merged = lm.merge(*leads, at=LATER, by=None)
    customer = _customer(lead_ids=("lead-0", "lead-2", "lead-1", "lead-3"))
    assert lm.repoint_customer(customer, merged).lead_ids == ("lead-0", "lead-1")


def test_a_customer_of_an_absorbed_contact_becomes_the_survivors() -> None:
    one, two = (
        lm.Contact(id=lm.ContactId(i), name="Olena", contact_points=factories.lead().contact_points)
        for i in ("c-1", "c-2")
    )
    merged = lm.merge(one, two, at=LATER, by=None)
    assert lm.repoint_customer(_customer(), merged).contact_id == "c-1"


def test_a_customer_linked_to_no_merged_record_is_returned_as_it_is() -> None:
    merged = lm.merge(factories.lead(), factories.lead(id=lm.LeadId("lead-2")), at=LATER, by=None)
    customer = _customer(lead_ids=("lead-1", "lead-9"))
    assert lm.repoint_customer(customer, merged) is customer


def test_the_merge_service_re_points_a_customer_as_the_domain_does() -> None:
    survivor, absorbed = factories.lead(), factories.lead(id=lm.LeadId("lead-2"))
    customer = _customer(lead_ids=("lead-2",))
    absorbed = attrs.evolve(absorbed, customer_id=customer.id)
    uow = _stored(survivor, absorbed, customer)
    merged = services.merge(uow, "lead-1", "lead-2", clock=lambda: LATER)
    with uow:
        assert uow.customers.get("cu-1").lead_ids == lm.repoint_customer(customer, merged).lead_ids
        assert uow.customers.get("cu-1").lead_ids == ("lead-1",)


# -- recycling a lost lead -------------------------------------------------------------------
RESET_ON_RECYCLE = {
    "id": "a new id",
    "created_at": "the time of recycling",
    "pipeline": "not in a pipeline",
    "status": "no status",
    "history": "no moves",
    "lifecycle": "recycled",
    "stages": "the lost lead's, plus the move to recycled",
    "assessments": "none yet",
    "score": "none yet",
    "converted": "not converted",
    "lost": "not lost",
    "previous_lead_id": "the lost lead",
    "erased_at": "not erased",
    "activities": "none yet: the first attempt's contacts stay on the lost lead",
    "version": "a new record",
}


def _lost_lead_with_every_field_set() -> lm.Lead:
    lead = factories.lead(
        company_name="Mebli",
        company_id=lm.CompanyId("co-1"),
        interest_ids=(lm.InterestId("int-1"),),
        owner="anna",
        expected_value=lm.Money.of("1200.00", "UAH"),
        time_zone="Europe/Kyiv",
        tags=frozenset({"vip"}),
        custom={"utm": "spring"},
        previous_lead_id=lm.LeadId("lead-0"),
        customer_id=lm.CustomerId("cu-1"),
        consent=True,
        do_not_contact=True,
        score=0.5,
        assessments=(
            lm.Assessment(framework="bant", answers=(), qualified=False, score=0.5, at=AT),
        ),
        activities=(
            lm.Activity(at=AT, kind=lm.ActivityKind.call, direction=lm.Direction.outbound),
        ),
    )
    entered = lm.pipelines.KEYCRM_REQUESTS.enter(lead, at=AT, by="anna")
    return lm.pipelines.KEYCRM_REQUESTS.move(
        entered, "lost", at=AT + timedelta(hours=1), by="anna", reason="no_budget"
    )


def test_recycle_names_only_real_lead_fields_as_reset() -> None:
    assert set(RESET_ON_RECYCLE) <= set(attrs.fields_dict(lm.Lead))


def test_recycle_carries_every_lead_field_not_reset() -> None:
    lost = _lost_lead_with_every_field_set()
    new = lm.recycle(lost, at=LATER, by="anna", ids=lm.sequential_ids("again"))
    carried = [f.name for f in attrs.fields(lm.Lead) if f.name not in RESET_ON_RECYCLE]
    assert {name: getattr(new, name) for name in carried} == {
        name: getattr(lost, name) for name in carried
    }
    assert (new.id, new.created_at, new.previous_lead_id) == ("again-1", LATER, lost.id)
    assert (new.pipeline, new.status, new.history, new.lost) == (None, None, (), None)
    assert (new.activities, len(lost.activities)) == ((), 1)
    assert new.lifecycle is lm.LifecycleStage.recycled


# -- records built without checks, by field name ---------------------------------------------
CHANGE: dict[str, Any] = {
    "pipeline": "deals",
    "from_status": "new",
    "to_status": "won",
    "at": AT,
    "by": "anna",
    "reason": None,
    "note": "signed",
    "from_pipeline": None,
}


def test_an_unchecked_record_equals_the_checked_one() -> None:
    assert unchecked(lm.StatusChange)(**CHANGE) == lm.StatusChange(**CHANGE)


def test_an_unchecked_record_takes_fields_by_name_only() -> None:
    with pytest.raises(TypeError):
        unchecked(lm.StatusChange)(*CHANGE.values())


def test_an_unchecked_record_needs_every_field_and_no_other() -> None:
    with pytest.raises(TypeError, match="from_pipeline"):
        unchecked(lm.StatusChange)(**{k: v for k, v in CHANGE.items() if k != "from_pipeline"})
    with pytest.raises(TypeError, match="colour"):
        unchecked(lm.StatusChange)(**CHANGE, colour="red")
