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
