"""Each domain event is built by the domain from the values it reports (``Event.of``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import leadmodel as lm
from leadmodel import serde
from leadmodel.domain.events import (
    EVENT_TYPES,
    InterestCaptured,
    LeadConverted,
    LeadCreated,
    LeadQualified,
    LeadsMerged,
    PersonErased,
    StatusChanged,
)
from tests import factories

AT = factories.AT
LATER = AT + timedelta(hours=1)

CALLS = lm.Pipeline.from_dict(
    {
        "key": "calls",
        "label": "Calls",
        "statuses": [
            {"key": "new", "label": "New"},
            {
                "key": "offer_sent",
                "label": "Offer sent",
                "on_enter": [
                    {"action": "schedule_call", "in_minutes": 60},
                    {"action": "create_task", "title": "Check the offer"},
                ],
            },
            {"key": "won", "label": "Won", "kind": "won"},
            {"key": "lost", "label": "Lost", "kind": "lost", "lost_reasons": ["no_budget"]},
        ],
    }
)


def _sent(lead: lm.Lead) -> lm.Lead:
    entered = CALLS.enter(lead, at=AT, by="anna")
    return CALLS.move(entered, "offer_sent", at=LATER, by="anna")


def test_every_event_type_is_built_by_its_of_classmethod() -> None:
    for cls in EVENT_TYPES.values():
        assert callable(cls.__dict__["of"].__func__), cls.__name__


def test_interest_captured_is_dated_when_the_interest_occurred() -> None:
    interest = factories.interest(occurred_at=AT - timedelta(days=1))
    event = InterestCaptured.of(interest, by="bot")
    assert event == InterestCaptured(
        interest_id="int-1", channel="instagram_comment", at=AT - timedelta(days=1), by="bot"
    )


def test_lead_created_is_dated_when_the_lead_was_created() -> None:
    lead = factories.lead(interest_ids=(lm.InterestId("int-1"), lm.InterestId("int-2")))
    event = LeadCreated.of(lead, by="anna")
    assert event == LeadCreated(lead_id="lead-1", interest_ids=("int-1", "int-2"), at=AT, by="anna")


def test_status_changed_reports_the_move_and_the_actions_it_triggers() -> None:
    lead = _sent(factories.lead(consents=[factories.asked("lead-1")]))
    event = StatusChanged.of(CALLS, lead, lead.history[-1])
    assert (event.pipeline, event.from_status, event.to_status) == ("calls", "new", "offer_sent")
    assert (event.at, event.by, event.reason) == (LATER, "anna", None)
    assert [action.action for action in event.actions] == ["schedule_call", "create_task"]


def test_status_changed_leaves_out_actions_that_reach_a_do_not_contact_person() -> None:
    lead = _sent(factories.lead(do_not_contact=True, consents=[factories.asked("lead-1")]))
    event = StatusChanged.of(CALLS, lead, lead.history[-1])
    assert [action.action for action in event.actions] == ["create_task"]


def test_status_changed_leaves_out_actions_no_consent_or_basis_allows() -> None:
    lead = _sent(factories.lead())  # no record of any basis: nobody is called
    event = StatusChanged.of(CALLS, lead, lead.history[-1])
    assert [action.action for action in event.actions] == ["create_task"]
    assert [(a.action, why) for a, why in CALLS.withheld(lead.history[-1], lead)] == [
        ("schedule_call", "refused: no consent or other lawful basis for service messages by phone")
    ]


def test_status_changed_carries_the_loss_reason() -> None:
    lost = CALLS.move(_sent(factories.lead()), "lost", at=LATER, by="anna", reason="no_budget")
    event = StatusChanged.of(CALLS, lost, lost.history[-1])
    assert (event.to_status, event.reason) == ("lost", "no_budget")


def test_lead_qualified_reports_the_assessment_given() -> None:
    done = lm.Assessment(
        framework="bant", answers=(), qualified=True, score=0.75, at=LATER, by="olga"
    )
    lead = factories.lead(assessments=(done,))
    assert LeadQualified.of(lead, done) == LeadQualified(
        lead_id="lead-1", framework="bant", qualified=True, score=0.75, at=LATER, by="olga"
    )


def test_lead_converted_reports_the_links_the_converted_lead_records() -> None:
    company = lm.Company(id=lm.CompanyId("co-1"), name="Mebli")
    done = lm.convert(
        factories.lead(), at=LATER, company=company, deal_ref="d-1", ids=lm.sequential_ids()
    )
    assert LeadConverted.of(done, by="anna") == LeadConverted(
        lead_id="lead-1",
        customer_id=done.customer.id,
        at=LATER,
        contact_id=done.contact.id if done.contact else None,
        company_id="co-1",
        deal_ref="d-1",
        by="anna",
    )


def test_a_customer_born_from_an_order_converted_no_lead() -> None:
    born = lm.customer_from_order(at=AT, order_ref="o-1", name="Olena Koval")
    with pytest.raises(lm.ValidationError) as caught:
        LeadConverted.of(born)
    assert [problem.path for problem in caught.value.problems] == ["lead"]


def test_leads_merged_names_the_repository_the_records_live_in() -> None:
    first, second = factories.lead(), factories.lead(id=lm.LeadId("lead-2"))
    leads = LeadsMerged.of(lm.merge(first, second, at=LATER, by="anna"))
    assert leads == LeadsMerged(
        entity="leads",
        survivor_id="lead-1",
        absorbed_ids=("lead-2",),
        at=LATER,
        by="anna",
        status_from="lead-1",
    )
    one, two = (
        lm.Contact(id=lm.ContactId(i), name="Olena", contact_points=factories.lead().contact_points)
        for i in ("c-1", "c-2")
    )
    contacts = LeadsMerged.of(lm.merge(one, two, at=LATER, by=None))
    assert (contacts.entity, contacts.survivor_id, contacts.absorbed_ids) == (
        "contacts",
        "c-1",
        ("c-2",),
    )


def test_person_erased_lists_the_erased_records_by_kind_each_sorted() -> None:
    erased: list[lm.Interest | lm.Lead | lm.Contact] = [
        lm.erase(factories.lead(id=lm.LeadId("lead-2")), at=LATER),
        lm.erase(factories.interest(), at=LATER),
        lm.erase(factories.lead(), at=LATER),
    ]
    assert PersonErased.of(erased, at=LATER, by="dpo") == PersonErased(
        interest_ids=("int-1",), lead_ids=("lead-1", "lead-2"), at=LATER, by="dpo"
    )
    assert PersonErased.of([], at=LATER) == PersonErased(at=LATER)


def test_events_built_by_the_domain_round_trip() -> None:
    lead = _sent(factories.lead())
    done = lm.convert(lead, at=LATER, ids=lm.sequential_ids())
    built = [
        InterestCaptured.of(factories.interest()),
        LeadCreated.of(lead, by="anna"),
        StatusChanged.of(CALLS, lead, lead.history[-1]),
        LeadConverted.of(done),
        LeadsMerged.of(lm.merge(lead, factories.lead(id=lm.LeadId("lead-2")), at=LATER, by=None)),
        PersonErased.of([lm.erase(lead, at=LATER)], at=LATER),
    ]
    for event in built:
        assert serde.from_json(type(event), serde.to_json(event)) == event
