"""services.batch: several service calls, one transaction; all of it or none of it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.storage import UnitOfWork

from ._services import ADAPTERS, AT, LATER, MakeUnit, Stores, events, snapshot

SIMPLE = lm.pipelines.SIMPLE
FORM = lm.Source(channel=lm.Channel.form)


def _capture(unit: UnitOfWork, n: int, ids: Callable[[], str]) -> lm.Interest:
    return lm.services.capture_interest(
        unit,
        source=FORM,
        topic="Office chairs",
        person_name=f"Buyer {n}",
        contact_points=[lm.ContactPoint.email(f"buyer{n}@mebli.ua")],
        at=AT,
        ids=ids,
    )


def test_a_batch_commits_every_step_and_event_together(make_uow: MakeUnit) -> None:
    uow, ids = make_uow(), lm.sequential_ids("id")
    with lm.services.batch(uow) as unit:
        dm = _capture(unit, 1, ids)
        lead = lm.services.promote(
            unit, dm.id, pipeline=SIMPLE, owner="anna", at=AT, ids=ids, by="anna"
        )
        answers = [lm.Answer(criterion=c.key, met=True) for c in lm.BANT.criteria]
        lead = lm.services.assess(unit, lead.id, lm.BANT, answers, at=AT)
        lead = lm.services.move(unit, lead.id, SIMPLE, "in_progress", at=LATER)
        with make_uow() as other:  # another unit sees nothing before the batch ends
            assert other.leads.count() == 0
    with uow:
        stored = uow.leads.get(lead.id)
        assert stored.status == "in_progress"
        assert stored.version == 0  # added in the batch: stored once, as new
        assert uow.interests.get(dm.id).lead_id == lead.id
    assert [e.type for e in events(uow)] == [
        "InterestCaptured",
        "LeadCreated",
        "StatusChanged",
        "LeadQualified",
        "StatusChanged",
    ]


def test_an_entity_a_batch_changes_goes_up_one_version(make_uow: MakeUnit) -> None:
    uow, ids = make_uow(), lm.sequential_ids("id")
    dm = _capture(uow, 1, ids)
    lead = lm.services.promote(uow, dm.id, pipeline=SIMPLE, at=AT, ids=ids)
    with lm.services.batch(uow) as unit:
        moved = lm.services.move(unit, lead.id, SIMPLE, "in_progress", at=LATER)
        assert moved.version == 1
        edited = lm.services.update_lead(unit, lead.id, expected_version=1, owner="anna")
        assert edited.version == 1
        with pytest.raises(lm.errors.ConcurrencyError) as stale:
            lm.services.update_lead(unit, lead.id, expected_version=0, owner="ivan")
        assert (stale.value.expected, stale.value.found) == (0, 1)
        unit.rollback()
    with lm.services.batch(uow) as unit:
        lm.services.move(unit, lead.id, SIMPLE, "in_progress", at=LATER)
        lm.services.update_lead(unit, lead.id, owner="anna")
    with uow:
        stored = uow.leads.get(lead.id)
    assert (stored.version, stored.status, stored.owner) == (1, "in_progress", "anna")


def test_a_failed_step_fails_the_batch_even_when_caught(make_uow: MakeUnit) -> None:
    uow, ids = make_uow(), lm.sequential_ids("id")
    before = snapshot(uow)
    failed = pytest.raises(lm.errors.StorageError, match="nothing of the batch was committed")
    with failed, lm.services.batch(uow) as unit:
        dm = _capture(unit, 1, ids)
        with pytest.raises(lm.errors.NotFoundError):
            lm.services.promote(unit, "nobody", at=AT, ids=ids)
        with pytest.raises(lm.errors.StorageError, match="an earlier step of this batch"):
            lm.services.promote(unit, dm.id, at=AT, ids=ids)
    assert snapshot(uow) == before


def test_a_batch_that_ended_or_was_rolled_back_refuses_more_work(make_uow: MakeUnit) -> None:
    uow, ids = make_uow(), lm.sequential_ids("id")
    with lm.services.batch(uow) as unit:
        _capture(unit, 1, ids)
    with pytest.raises(lm.errors.StorageError, match="has ended"):
        _capture(unit, 2, ids)
    with lm.services.batch(uow) as unit:
        unit.rollback()
        with pytest.raises(lm.errors.StorageError, match="rolled back"):
            _capture(unit, 3, ids)
    with uow:
        assert uow.interests.count() == 1
    with lm.services.batch(uow) as unit, lm.services.batch(unit) as inner:
        assert inner is unit  # a batch in a batch joins it


def test_queries_in_a_batch_see_its_own_writes(make_uow: MakeUnit) -> None:
    uow, ids = make_uow(), lm.sequential_ids("id")
    with lm.services.batch(uow) as unit:
        dm = _capture(unit, 1, ids)
        lead = lm.services.promote(unit, dm.id, pipeline=SIMPLE, owner="anna", at=AT, ids=ids)
        assert [found.id for found in unit.leads.find(owner="anna")] == [lead.id]
        lm.services.update_lead(unit, lead.id, owner="ivan")
        assert unit.leads.find(owner="anna") == []
        assert unit.leads.count() == 1
        assert [i.id for i in unit.interests.iter_all()] == [dm.id]
        with pytest.raises(lm.errors.ConcurrencyError):
            unit.interests.add(unit.interests.get(dm.id))
        unit.interests.remove(dm.id)
        with pytest.raises(lm.errors.NotFoundError):
            unit.interests.get(dm.id)
    with uow:
        assert uow.interests.count() == 0
        assert uow.leads.get(lead.id).owner == "ivan"


def test_the_batch_checks_what_its_repositories_are_given(make_uow: MakeUnit) -> None:
    uow, ids = make_uow(), lm.sequential_ids("id")
    with lm.services.batch(uow) as unit:
        dm = _capture(unit, 1, ids)
        with pytest.raises(lm.errors.ValidationError, match="stores Lead objects"):
            unit.leads.save(dm)  # type: ignore[arg-type]
        unit.rollback()


# -- the property: inject a failure at each step ---------------------------------------------
class _Failing:
    """A unit of work that raises on its ``fail_at``-th event (after the step's writes)."""

    def __init__(self, uow: UnitOfWork, fail_at: int | None) -> None:
        self._uow = uow
        self._fail_at = fail_at
        self._emitted = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def __enter__(self) -> _Failing:
        self._uow.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._uow.__exit__(*exc)

    def emit(self, event: lm.DomainEvent) -> None:
        self._emitted += 1
        if self._emitted == self._fail_at:
            raise RuntimeError("injected failure")
        self._uow.emit(event)


Step = tuple[str, int, str]
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(("move", "edit", "assess", "convert")),
        st.integers(0, 3),
        st.sampled_from(("in_progress", "won", "lost", "anna", "ivan")),
    ),
    max_size=8,
)


def _seed(unit: UnitOfWork) -> list[str]:
    """Three leads in SIMPLE, stored before the batch (so the batch changes stored ones)."""
    ids = lm.sequential_ids("seed")
    leads: list[str] = []
    for n in range(3):
        dm = _capture(unit, n, ids)
        leads.append(lm.services.promote(unit, dm.id, pipeline=SIMPLE, at=AT, ids=ids).id)
    return leads


def _run(unit: UnitOfWork, leads: list[str], plan: list[Step]) -> None:
    ids = lm.sequential_ids("id")
    dm = _capture(unit, 9, ids)  # and a new one, made in the batch
    made = lm.services.promote(unit, dm.id, pipeline=SIMPLE, at=AT, ids=ids)
    leads = [*leads, made.id]
    for op, which, arg in plan:
        lead_id = leads[which]
        if op == "move":
            reason = "no_answer" if arg == "lost" else None
            status = arg if arg in SIMPLE else "in_progress"
            lm.services.move(unit, lead_id, SIMPLE, status, reason=reason, at=LATER)
        elif op == "edit":
            lm.services.update_lead(unit, lead_id, owner=arg, at=LATER)
        elif op == "assess":
            answers = [lm.Answer(criterion="budget", met=True)]
            lm.services.assess(unit, lead_id, lm.BANT, answers, at=LATER)
        else:
            lm.services.convert(unit, lead_id, pipeline=SIMPLE, at=LATER, ids=ids)


def _outcome(found: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """A store's entities without versions, and its events without sequence numbers."""
    out = {
        kind: [{k: v for k, v in doc.items() if k != "version"} for doc in found[kind]]
        for kind in lm.storage.KINDS
    }
    out["outbox"] = [  # an edit's event names the version stored: one per batch
        {k: v for k, v in event.items() if k != "version"} for _, _, event in found["outbox"]
    ]
    return out


@pytest.mark.parametrize("adapter", ADAPTERS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=_STEPS, fail_at=st.one_of(st.none(), st.integers(1, 20)))
def test_a_batch_applies_entirely_or_leaves_store_and_outbox_unchanged(
    adapter: str, plan: list[Step], fail_at: int | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stores = Stores(adapter, Path(folder))
        try:
            _check_all_or_nothing(stores.unit(stores.new()), plan, fail_at)
        finally:
            stores.close()


def _check_all_or_nothing(batched: UnitOfWork, plan: list[Step], fail_at: int | None) -> None:
    # the reference: the same steps, each in its own unit, on a fresh store
    reference, reference_failed = lm.MemoryUnitOfWork(), False
    seeded_leads = _seed(reference)
    seeded = len(snapshot(reference)["outbox"])
    try:
        _run(reference, seeded_leads, plan)
    except lm.errors.LeadModelError:
        reference_failed = True
    expected = snapshot(reference)
    leads = _seed(batched)
    before = snapshot(batched)
    try:
        with lm.services.batch(_Failing(batched, fail_at)) as unit:
            _run(unit, leads, plan)
    except (lm.errors.LeadModelError, RuntimeError):
        steps = len(expected["outbox"]) - seeded
        assert reference_failed or (fail_at is not None and fail_at <= steps)
        assert snapshot(batched) == before  # nothing of it: not an entity, not an event
        return
    assert not reference_failed
    assert fail_at is None or fail_at > len(expected["outbox"]) - seeded
    assert _outcome(snapshot(batched)) == _outcome(expected)
