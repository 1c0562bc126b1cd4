"""Merging duplicates: nothing is lost, conflicts are reported, the order of others is moot."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Merged, merge
from leadmodel.domain.model import last_entry
from leadmodel.testing import strategies as lst
from tests import factories as f

AT = f.AT


def _distinct(leads: list[lm.Lead]) -> list[lm.Lead]:
    assume(len({lead.id for lead in leads}) == len(leads))
    return leads


def _after(records: list[lm.Lead]) -> datetime:
    """A time at or after every record's last entry: a merge may not go back in time."""
    return max(entry[1] for r in records if (entry := last_entry(r)) is not None)


def _kept(merged: Merged[lm.Lead]) -> dict[str, set[object]]:
    """Everything the merge kept, in the survivor or beside it, as sets."""
    survivor = merged.survivor
    aside = merged.set_aside
    history = set(survivor.history) | {
        e for item in aside if item.field == "history" for e in item.value
    }
    stages = {survivor.stages} | {item.value for item in aside if item.field == "stages"}
    stages.discard(())
    lost = {item.value for item in aside if item.field == "lost"} | {survivor.lost} - {None}
    converted: set[object] = set() if survivor.converted is None else {survivor.converted}
    for conflict in merged.conflicts:
        if conflict.field == "converted":
            converted |= set(conflict.values.values())
    return {
        "contact_keys": {(p.kind, p.key) for p in survivor.contact_points},
        "interest_ids": set(survivor.interest_ids),
        "assessments": set(survivor.assessments),
        "history": history,
        "stages": stages,
        "tags": set(survivor.tags),
        "custom_keys": set(survivor.custom),
        "lost": lost,
        "converted": converted,
        "touches": set(survivor.touches),
        "consents": {attrs.evolve(c, person="-") for c in survivor.consents},
    }


@given(st.lists(lst.leads(), min_size=2, max_size=4))
def test_merge_loses_no_contact_point_interest_history_entry_assessment_touch_or_consent(
    leads: list[lm.Lead],
) -> None:
    primary, *others = _distinct(leads)
    merged = merge(primary, *others, at=_after(leads), by="anna")
    kept = _kept(merged)
    for lead in leads:
        assert {(p.kind, p.key) for p in lead.contact_points} <= kept["contact_keys"]
        assert set(lead.interest_ids) <= kept["interest_ids"]
        assert set(lead.assessments) <= kept["assessments"]
        assert all(entry in kept["history"] for entry in lead.history)
        assert not lead.stages or lead.stages in kept["stages"]  # lifecycle histories, whole
        assert lead.tags <= kept["tags"]
        assert set(lead.custom) <= kept["custom_keys"]
        assert lead.lost is None or lead.lost in kept["lost"]
        assert lead.converted is None or lead.converted in kept["converted"]
        assert set(lead.touches) <= kept["touches"]
        assert {attrs.evolve(c, person="-") for c in lead.consents} <= kept["consents"]
    survivor = merged.survivor
    assert [t.at for t in survivor.touches] == sorted(t.at for t in survivor.touches)
    assert {c.person for c in survivor.consents} <= {survivor.id}  # now about the survivor
    assert merged.absorbed_ids == tuple(sorted(lead.id for lead in others))
    assert merged.survivor.id == primary.id
    assert merged.survivor.version == primary.version  # storage bumps it, not merge


@given(st.lists(lst.leads(), min_size=3, max_size=4), st.randoms())
def test_what_merge_keeps_does_not_depend_on_the_order_of_the_records(
    leads: list[lm.Lead], rnd: random.Random
) -> None:
    leads = _distinct(leads)
    shuffled = list(leads)
    rnd.shuffle(shuffled)
    one = merge(leads[0], *leads[1:], at=_after(leads), by=None)
    other = merge(shuffled[0], *shuffled[1:], at=_after(leads), by=None)
    assert _kept(one) == _kept(other)


def test_empty_fields_are_filled_from_the_others_and_say_where_from() -> None:
    primary = f.lead()
    other = f.lead(id=lm.LeadId("lead-2"), owner="bohdan", time_zone="Europe/Kyiv")
    merged = merge(primary, other, at=AT, by="anna")
    assert merged.survivor.owner == "bohdan"
    assert merged.survivor.time_zone == "Europe/Kyiv"
    assert merged.provenance["owner"] == "lead-2"
    assert merged.provenance["person_name"] == "lead-1"
    assert merged.conflicts == ()


def test_conflicting_values_are_reported_with_every_value_by_source() -> None:
    primary = f.lead(owner="anna", custom={"budget": "10k"})
    other = f.lead(id=lm.LeadId("lead-2"), owner="bohdan", custom={"budget": "50k", "utm": "ig"})
    merged = merge(primary, other, at=AT, by="anna")
    conflicts = {c.field: dict(c.values) for c in merged.conflicts}
    assert conflicts == {
        "owner": {"lead-1": "anna", "lead-2": "bohdan"},
        "custom.budget": {"lead-1": "10k", "lead-2": "50k"},
    }
    assert merged.survivor.owner == "anna"
    assert merged.survivor.custom == {"budget": "10k", "utm": "ig"}
    assert merged.provenance["custom.utm"] == "lead-2"


def test_two_conversions_to_different_customers_are_a_conflict() -> None:
    one = lm.ConversionLinks(customer_id=lm.CustomerId("cust-1"), at=AT)
    two = lm.ConversionLinks(customer_id=lm.CustomerId("cust-2"), at=AT)
    merged = merge(
        f.lead(converted=one), f.lead(id=lm.LeadId("lead-2"), converted=two), at=AT, by=None
    )
    assert merged.survivor.converted == one
    [conflict] = merged.conflicts
    assert conflict.field == "converted"
    assert dict(conflict.values) == {"lead-1": one, "lead-2": two}


def test_a_conversion_is_taken_from_the_others_and_a_loss_set_aside() -> None:
    links = lm.ConversionLinks(customer_id=lm.CustomerId("cust-1"), at=AT)
    loss = lm.LossInfo(status="lost", reason="no_budget", at=AT)
    history = (f.change("new"), f.change("lost", AT, frm="new"))
    lost = f.lead(pipeline="requests", status="lost", history=history, lost=loss)
    merged = merge(lost, f.lead(id=lm.LeadId("lead-2"), converted=links), at=AT, by=None)
    assert merged.survivor.converted == links
    assert merged.survivor.lost is None
    assert [(s.source_id, s.field) for s in merged.set_aside] == [("lead-1", "lost")]


def test_contact_points_are_kept_once_per_match_key() -> None:
    primary = f.lead(contact_points=(lm.ContactPoint.email("olena@example.com"),))
    other = f.lead(
        id=lm.LeadId("lead-2"),
        contact_points=(
            lm.ContactPoint.email("OLENA@example.com", label="work"),
            lm.ContactPoint.phone("+380 50 123 4567"),
        ),
    )
    merged = merge(primary, other, at=AT, by=None)
    assert [p.value for p in merged.survivor.contact_points] == [
        "olena@example.com",
        "+380 50 123 4567",
    ]
    assert merged.provenance["contact_points[1]"] == "lead-2"


def test_histories_merge_in_time_order_when_they_end_before_the_survivors_last_move() -> None:
    h = timedelta(hours=1)
    survivor_history = (f.change("new", AT), f.change("won", AT + 3 * h, frm="new"))
    earlier = (f.change("new", AT + h, pipeline="deals"),)
    primary = f.lead(pipeline="requests", status="won", history=survivor_history)
    other = f.lead(id=lm.LeadId("lead-2"), pipeline="deals", status="new", history=earlier)
    merged = merge(primary, other, at=AT + 3 * h, by=None)
    assert merged.survivor.history == (survivor_history[0], earlier[0], survivor_history[1])
    assert merged.provenance["history[1]"] == "lead-2"
    assert merged.set_aside == ()


def test_a_history_that_goes_on_after_the_survivors_last_move_is_set_aside_whole() -> None:
    h = timedelta(hours=1)
    survivor_history = (f.change("new", AT),)
    later = (f.change("new", AT + h), f.change("in_work", AT + 2 * h, frm="new"))
    primary = f.lead(pipeline="requests", status="new", history=survivor_history)
    other = f.lead(id=lm.LeadId("lead-2"), pipeline="requests", status="in_work", history=later)
    merged = merge(primary, other, at=AT + 2 * h, by=None)
    assert merged.survivor.history == survivor_history
    assert merged.survivor.status == "new"
    [aside] = merged.set_aside
    assert (aside.source_id, aside.field, aside.value) == ("lead-2", "history", later)


def test_a_lead_in_no_pipeline_takes_the_status_of_the_first_that_has_one() -> None:
    history = (f.change("new"),)
    other = f.lead(id=lm.LeadId("lead-2"), pipeline="requests", status="new", history=history)
    merged = merge(f.lead(), other, at=AT, by=None)
    assert (merged.survivor.pipeline, merged.survivor.status) == ("requests", "new")
    assert merged.survivor.history == history


def test_the_careful_privacy_answer_wins() -> None:
    primary = f.lead(consent=True)
    other = f.lead(id=lm.LeadId("lead-2"), consent=False, do_not_contact=True)
    merged = merge(primary, other, at=AT, by=None)
    assert merged.survivor.do_not_contact is True
    assert merged.survivor.consent is False
    assert merged.provenance["consent"] == "lead-2"


def test_tags_interests_and_the_earliest_creation_are_kept() -> None:
    primary = f.lead(tags=frozenset({"b2b"}), interest_ids=(lm.InterestId("int-1"),))
    other = f.lead(
        id=lm.LeadId("lead-2"),
        tags=frozenset({"vip"}),
        interest_ids=(lm.InterestId("int-2"), lm.InterestId("int-1")),
        created_at=AT - timedelta(days=1),
    )
    merged = merge(primary, other, at=AT, by=None)
    assert merged.survivor.tags == {"b2b", "vip"}
    assert merged.survivor.interest_ids == ("int-1", "int-2")
    assert merged.survivor.created_at == AT - timedelta(days=1)
    assert merged.provenance["tags[vip]"] == "lead-2"


def test_a_previous_lead_that_is_merged_in_is_set_aside() -> None:
    other = f.lead(id=lm.LeadId("lead-2"))
    merged = merge(f.lead(previous_lead_id=lm.LeadId("lead-2")), other, at=AT, by=None)
    assert merged.survivor.previous_lead_id is None
    assert [(s.field, s.value) for s in merged.set_aside] == [("previous_lead_id", "lead-2")]


def test_contacts_merge_too() -> None:
    a = lm.Contact(id=lm.ContactId("c-1"), name="Олена Коваль", role="buyer")
    b = lm.Contact(
        id=lm.ContactId("c-2"),
        name="Olena Koval",
        contact_points=(lm.ContactPoint.phone("+380501234567"),),
        company_id=lm.CompanyId("co-1"),
    )
    merged = merge(a, b, at=AT, by="anna")
    assert merged.survivor.company_id == "co-1"
    assert merged.survivor.role == "buyer"
    assert len(merged.survivor.contact_points) == 1
    assert [c.field for c in merged.conflicts] == ["name"]


def test_merging_a_lead_with_a_contact_is_refused() -> None:
    contact = lm.Contact(id=lm.ContactId("c-1"), name="Olena Koval")
    with pytest.raises(
        lm.ValidationError, match=r"others\[0\]: cannot merge a Contact into a Lead"
    ):
        merge(f.lead(), contact, at=AT, by=None)  # type: ignore[type-var]


def test_merging_a_lead_with_itself_is_refused() -> None:
    with pytest.raises(lm.ValidationError, match="cannot be merged with itself"):
        merge(f.lead(), f.lead(), at=AT, by=None)


def test_merge_reports_every_problem_at_once() -> None:
    naive = AT.replace(tzinfo=None)
    with pytest.raises(lm.ValidationError) as caught:
        merge(f.lead(), at=naive, by=" ")
    assert [p.path for p in caught.value.problems] == ["others", "at", "by"]


def test_interests_cannot_be_merged() -> None:
    with pytest.raises(lm.ValidationError, match="merge takes Leads or Contacts"):
        merge(f.interest(), f.interest(id=lm.InterestId("int-2")), at=AT, by=None)  # type: ignore[type-var]
