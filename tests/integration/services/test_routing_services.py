"""The routing services on every adapter: ``assign`` and ``reassign`` store the owner, the
router's next state and the event together, or nothing."""

from __future__ import annotations

from typing import Any

import pytest

import leadmodel as lm
from leadmodel.storage import UnitOfWork

from ._services import AT, MakeUnit, add, events, lead, snapshot

ROUTER = lm.Router(
    key="sales",
    teams=[
        lm.Team(
            key="kyiv",
            members=[lm.Member(key="anna"), lm.Member(key="ivan"), lm.Member(key="olha")],
        )
    ],
    rules=[lm.RoutingRule(key="all", team="kyiv")],
)
NOBODY = lm.Router(
    key="sales",
    teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna", active=False)])],
    rules=[lm.RoutingRule(key="all", team="kyiv")],
    fallback=lm.Fallback.queue,
)


def _stored(uow: UnitOfWork, lead_id: str = "lead-1") -> lm.Lead:
    with uow:
        return uow.leads.get(lead_id)


def _state(uow: UnitOfWork) -> lm.StoredState | None:
    with uow:
        return uow.states.get("routing:sales")


def test_round_robin_across_assigns_keeps_the_cursor_in_the_store(make_uow: MakeUnit) -> None:
    add(make_uow(), *(lead(n) for n in range(1, 5)))
    owners = [
        lm.services.assign(make_uow(), f"lead-{n}", ROUTER, at=AT, by="bot").owner
        for n in range(1, 5)
    ]
    assert owners == ["anna", "ivan", "olha", "anna"]
    assert [_stored(make_uow(), f"lead-{n}").owner for n in range(1, 5)] == owners
    stored = _state(make_uow())  # a new unit reads the state the last assign left
    assert stored is not None
    assert stored.version == 3
    decision = lm.route(lead(9), ROUTER, stored.load(lm.RoutingState), at=AT)
    assert decision.owner == "ivan"
    assigned = [e for e in events(make_uow()) if isinstance(e, lm.LeadAssigned)]
    assert assigned[0] == lm.LeadAssigned(
        lead_id="lead-1",
        owner="anna",
        team="kyiv",
        rule="all",
        strategy="round_robin",
        why=assigned[0].why,
        at=AT,
        by="bot",
    )
    assert [e.owner for e in assigned] == owners


def test_a_queued_lead_stores_nothing_and_emits_nothing(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1))
    before = snapshot(make_uow())
    decision = lm.services.assign(make_uow(), "lead-1", NOBODY, at=AT)
    assert decision.queued
    assert "queued" in decision.why
    assert snapshot(make_uow()) == before
    assert _state(make_uow()) is None


def test_assign_refuses_a_lead_that_has_an_owner(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1, owner="ivan"))
    before = snapshot(make_uow())
    with pytest.raises(lm.errors.RuleViolation, match="reassign"):
        lm.services.assign(make_uow(), "lead-1", ROUTER, at=AT)
    assert snapshot(make_uow()) == before


def test_reassign_skips_the_current_owner_and_announces_the_change(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1, owner="anna"))
    decision = lm.services.reassign(
        make_uow(), "lead-1", ROUTER, reason="on leave", at=AT, by="boss", expected_version=0
    )
    assert decision.owner == "ivan"
    assert [(s.member, s.detail) for s in decision.skipped] == [("anna", "the current owner")]
    assert _stored(make_uow()).owner == "ivan"
    assert events(make_uow())[-1] == lm.LeadReassigned(
        lead_id="lead-1",
        from_owner="anna",
        to_owner="ivan",
        team="kyiv",
        rule="all",
        why=decision.why,
        at=AT,
        reason="on leave",
        by="boss",
    )


def test_reassign_refuses_a_lead_without_an_owner(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1))
    with pytest.raises(lm.errors.RuleViolation, match="assign"):
        lm.services.reassign(make_uow(), "lead-1", ROUTER, at=AT)


def test_a_stale_state_version_raises_a_conflict_and_changes_nothing(
    make_uow: MakeUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(make_uow(), lead(1), lead(2))
    lm.services.assign(make_uow(), "lead-1", ROUTER, at=AT)
    before = snapshot(make_uow()), _state(make_uow())
    uow = make_uow()
    real = lm.route

    def racing(*args: Any, **kwargs: Any) -> lm.Assignment:
        decided = real(*args, **kwargs)  # another writer stores the state after it was read
        stored = uow.states.get("routing:sales")
        assert stored is not None
        uow.states.put("routing:sales", stored.doc, expected_version=stored.version)
        return decided

    monkeypatch.setattr("leadmodel.services._routing.route", racing)
    with pytest.raises(lm.errors.ConcurrencyError):
        lm.services.assign(uow, "lead-2", ROUTER, at=AT)
    assert (snapshot(make_uow()), _state(make_uow())) == before


def test_assign_works_inside_a_batch(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1), lead(2))
    with lm.services.batch(make_uow()) as unit:
        first = lm.services.assign(unit, "lead-1", ROUTER, at=AT)
        second = lm.services.assign(unit, "lead-2", ROUTER, at=AT)
    assert (first.owner, second.owner) == ("anna", "ivan")
    assert [_stored(make_uow(), f"lead-{n}").owner for n in (1, 2)] == ["anna", "ivan"]
    stored = _state(make_uow())
    assert stored is not None
    assert stored.load(lm.RoutingState) == second.state


def test_an_unknown_lead_is_not_found(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.errors.NotFoundError):
        lm.services.assign(make_uow(), "lead-9", ROUTER, at=AT)
    with pytest.raises(lm.errors.NotFoundError):
        lm.services.reassign(make_uow(), "lead-9", ROUTER, at=AT)
