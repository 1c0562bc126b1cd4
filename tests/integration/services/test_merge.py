"""The merge services on every adapter: duplicates merged, links re-pointed, nothing lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import LeadsMerged, services
from leadmodel.testing import strategies

from ._services import (
    ADAPTERS,
    AT,
    EMAIL,
    LATER,
    PHONE,
    MakeUnit,
    Stores,
    add,
    clock,
    events,
    lead,
    seed_duplicate_contacts,
    seed_duplicate_leads,
    snapshot,
)


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
            status_from="lead-1",
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


def test_storage_keeps_what_a_merge_set_aside_and_the_conflicting_values(
    make_uow: MakeUnit,
) -> None:
    """F7: after merging b into a, b's later moves, its loss note and its owner are stored."""
    req = lm.pipelines.KEYCRM_REQUESTS
    a = req.enter(lead(1, owner="anna"), at=AT, by="anna")
    b = req.enter(lead(2, owner="boris"), at=AT, by="boris")
    b = req.move(b, "lost", at=AT.replace(hour=11), by="boris", reason="no_budget", note="SECRET")
    add(make_uow(), a, b)
    merged = services.merge(make_uow(), "lead-1", "lead-2", by="anna", clock=clock(LATER))
    uow = make_uow()
    with uow:
        stored = uow.leads.get("lead-1")
    record = stored.merges[-1]
    assert record == merged.record
    assert record.absorbed_ids == ("lead-2",)
    assert {c.field: dict(c.values) for c in record.conflicts}["owner"] == {
        "lead-1": "anna",
        "lead-2": "boris",
    }
    aside = {s.field: s.value for s in record.set_aside}
    assert aside["lost"].note == "SECRET"
    assert aside["history"][-1].note == "SECRET"
    [event] = [e for e in events(make_uow()) if isinstance(e, LeadsMerged)]
    assert event.set_aside == ("lead-2:history", "lead-2:lost")
    assert "owner" in event.conflicts


def test_the_caller_chooses_whose_status_the_survivor_takes(make_uow: MakeUnit) -> None:
    req = lm.pipelines.KEYCRM_REQUESTS
    a = req.enter(lead(1), at=AT, by="anna")
    b = req.enter(lead(2), at=AT, by="boris")
    b = req.move(b, "lost", at=AT.replace(hour=11), by="boris", reason="no_budget")
    add(make_uow(), a, b)
    merged = services.merge(
        make_uow(), "lead-1", "lead-2", status_from="lead-2", clock=clock(LATER)
    )
    uow = make_uow()
    with uow:
        stored = uow.leads.get("lead-1")
    assert (stored.status, stored.lost, stored.merges[-1].status_from) == (
        "lost",
        b.lost,
        "lead-2",
    )
    assert merged.survivor.history[-1] == b.history[-1]
