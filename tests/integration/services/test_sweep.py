"""The SLA sweep on every adapter: late replies announced and escalated once, in order, stale
cards announced once per stay, the reads limited to the leads that can be late, and the clocks
read the same off every store."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

import leadmodel as lm
from leadmodel.storage import UnitOfWork

from ._services import AT, MakeUnit, add, events, lead, snapshot

HOUR = timedelta(hours=1)

POLICY = lm.SlaPolicy(
    key="standard",
    first_response=HOUR,
    rolling_response=2 * HOUR,
    escalation=[
        lm.EscalationStep(after=timedelta(0), action="notify", to="head-of-sales"),
        lm.EscalationStep(after=HOUR, action="raise_priority"),
        lm.EscalationStep(after=2 * HOUR, action="reassign"),
    ],
)
ROUTER = lm.Router(
    key="sales",
    teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna"), lm.Member(key="ivan")])],
    rules=[lm.RoutingRule(key="all", team="kyiv")],
)
PIPELINE = lm.Pipeline.from_dict(
    {
        "key": "requests",
        "statuses": [
            {"key": "new", "rot_after": "P1D"},
            {"key": "in_work", "rot_after": "P3D"},
            {"key": "won", "kind": "won"},
        ],
    }
)


def _types(found: lm.services.Sweep) -> list[tuple[str, str]]:
    return [(event.type, getattr(event, "lead_id", "")) for event in found.events]


def _stored(uow: UnitOfWork, lead_id: str) -> lm.Lead:
    with uow:
        return uow.leads.get(lead_id)


def _marks(uow: UnitOfWork) -> list[str]:
    with uow:
        return uow.states.names("sweep:")


def _inbound(record: lm.Lead, at: datetime) -> lm.Lead:
    wrote = lm.Activity(at=at, kind=lm.ActivityKind.email, direction=lm.Direction.inbound)
    return lm.log_activity(record, wrote)


def test_a_late_first_response_is_announced_once_and_escalated_in_order(
    make_uow: MakeUnit,
) -> None:
    add(make_uow(), lead(1, owner="anna"))
    first = lm.services.sweep(make_uow(), [POLICY], at=AT + 90 * timedelta(minutes=1), by="bot")
    assert _types(first) == [("SlaBreached", "lead-1"), ("Escalated", "lead-1")]
    assert first.breached[0] == lm.SlaBreached(
        lead_id="lead-1",
        policy="standard",
        kind=lm.SlaKind.first_response,
        started_at=AT,
        due_at=AT + HOUR,
        at=AT + 90 * timedelta(minutes=1),
        owner="anna",
        by="bot",
    )
    assert (first.escalated[0].step, first.escalated[0].to) == (0, "head-of-sales")
    before = snapshot(make_uow())
    again = lm.services.sweep(make_uow(), [POLICY], at=AT + 100 * timedelta(minutes=1))
    assert again.events == ()
    assert snapshot(make_uow()) == before  # nothing stored, nothing emitted
    later = lm.services.sweep(make_uow(), [POLICY], router=ROUTER, at=AT + 4 * HOUR)
    assert [(e.step, e.action.value) for e in later.escalated] == [
        (1, "raise_priority"),
        (2, "reassign"),
    ]
    assert [e.type for e in later.events] == [
        "Escalated",
        "Escalated",
        "LeadReassigned",
        "EntityUpdated",
    ]
    stored = _stored(make_uow(), "lead-1")
    assert (stored.owner, "urgent" in stored.tags) == ("ivan", True)
    moved = later.reassigned[0]
    assert (moved.from_owner, moved.to_owner, moved.rule) == ("anna", "ivan", "sla:standard")
    assert moved.reason == "SLA standard: first response 3h00m overdue"
    outbox = [e.type for e in events(make_uow())]
    assert outbox[-6:] == [
        "SlaBreached",
        "Escalated",
        "Escalated",
        "EntityUpdated",
        "Escalated",
        "LeadReassigned",
    ]
    assert lm.services.sweep(make_uow(), [POLICY], router=ROUTER, at=AT + 9 * HOUR).events == ()


def test_a_reassign_step_without_a_router_only_announces(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1, owner="anna"))
    found = lm.services.sweep(make_uow(), [POLICY], at=AT + 4 * HOUR)
    assert [e.action.value for e in found.escalated] == ["notify", "raise_priority", "reassign"]
    assert found.reassigned == ()
    assert _stored(make_uow(), "lead-1").owner == "anna"


def test_rolling_replies_are_owed_after_each_inbound_contact(make_uow: MakeUnit) -> None:
    answered = lm.respond(lead(1), at=AT + 10 * timedelta(minutes=1), by="anna")
    add(make_uow(), _inbound(answered, AT + HOUR))
    assert lm.services.sweep(make_uow(), [POLICY], at=AT + 2 * HOUR).events == ()  # 1h of 2h
    late = lm.services.sweep(make_uow(), [POLICY], at=AT + 4 * HOUR)
    assert [(e.kind.value, e.started_at) for e in late.breached] == [
        ("rolling_response", AT + HOUR)
    ]
    assert _marks(make_uow()) == ["sweep:default:sla:lead-1"]
    lm.services.respond(make_uow(), "lead-1", at=AT + 5 * HOUR, by="anna")
    assert lm.services.sweep(make_uow(), [POLICY], at=AT + 6 * HOUR).events == ()
    assert _marks(make_uow()) == []  # answered: its mark is gone
    with make_uow() as uow:  # a new inbound contact opens a new reply, announced anew
        uow.leads.save(_inbound(uow.leads.get("lead-1"), AT + 7 * HOUR))
        uow.commit()
    again = lm.services.sweep(make_uow(), [POLICY], at=AT + 10 * HOUR)
    assert [e.started_at for e in again.breached] == [AT + 7 * HOUR]


def test_the_sweep_reads_only_the_leads_that_can_be_late(make_uow: MakeUnit) -> None:
    """Of six leads only the two owed a reply for longer than the shortest target are read:
    answered, closed, erased and recent ones are not candidates."""
    quick = lm.respond(lead(1), at=AT + timedelta(minutes=5), by="anna")
    lost = lead(
        2, lost=lm.LossInfo(status="lost", reason="no_budget", at=AT + timedelta(minutes=30))
    )
    recent = lead(3, created_at=AT + 5 * HOUR)
    late = lead(4)
    waiting = _inbound(lm.respond(lead(5), at=AT + timedelta(minutes=5), by="anna"), AT + HOUR)
    erased = lead(6, erased_at=AT + HOUR, person_name="", contact_points=())
    add(make_uow(), quick, lost, recent, late, waiting, erased)
    found = lm.services.sweep(make_uow(), [POLICY], at=AT + 5 * HOUR + 30 * timedelta(minutes=1))
    assert found.read == 2
    assert [e.lead_id for e in found.breached] == ["lead-4", "lead-5"]


def test_stale_cards_are_announced_once_per_stay(make_uow: MakeUnit) -> None:
    new = PIPELINE.enter(lead(1, owner="anna"), at=AT)
    moved = PIPELINE.move(PIPELINE.enter(lead(2), at=AT), "in_work", at=AT + HOUR)
    won = PIPELINE.move(PIPELINE.enter(lead(3), at=AT), "won", at=AT + HOUR)
    add(make_uow(), new, moved, won)
    first = lm.services.sweep(make_uow(), pipelines=[PIPELINE], at=AT + timedelta(days=2))
    assert [(e.lead_id, e.status, e.idle) for e in first.stale] == [
        ("lead-1", "new", timedelta(days=2))
    ]
    assert first.stale[0].owner == "anna"
    again = lm.services.sweep(make_uow(), pipelines=[PIPELINE], at=AT + timedelta(days=3))
    assert (again.events, again.read) == ((), 0)  # the cards stale before are not read again
    both = lm.services.sweep(make_uow(), pipelines=[PIPELINE], at=AT + timedelta(days=4))
    assert [e.lead_id for e in both.stale] == ["lead-2"]  # lead-1 announced already
    lm.services.log_activity(
        make_uow(),
        "lead-1",
        kind=lm.ActivityKind.note,
        direction=lm.Direction.internal,
        at=AT + timedelta(days=4),
        by="anna",
    )
    assert (
        lm.services.sweep(make_uow(), pipelines=[PIPELINE], at=AT + timedelta(days=5)).events == ()
    )
    later = lm.services.sweep(
        make_uow(),
        pipelines=["requests"],
        at=AT + timedelta(days=6),
        registry=lm.Registry(pipelines=[PIPELINE]),
    )
    assert [(e.lead_id, e.since) for e in later.stale] == [("lead-1", AT + timedelta(days=4))]
    with make_uow() as uow:
        mark = uow.states.get("sweep:default:stale:requests")
    assert mark is not None
    assert mark.doc["horizons"] == {
        "new": (AT + timedelta(days=5)).isoformat(),
        "in_work": (AT + timedelta(days=3)).isoformat(),
    }


def test_a_stale_window_stopped_half_way_is_finished_first(
    make_uow: MakeUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of one card: the sweep stops on the second; the next sweep announces the rest of
    that window, then its own, each card once."""
    add(make_uow(), *(PIPELINE.enter(lead(n), at=AT + n * HOUR) for n in range(1, 5)))
    real = lm.StaleCard.of

    def failing(lead_id: str, *args: Any, **kwargs: Any) -> lm.StaleCard | None:
        if lead_id == "lead-2":
            raise RuntimeError("the process was stopped")
        return real(lead_id, *args, **kwargs)

    monkeypatch.setattr(lm.StaleCard, "of", failing)
    with pytest.raises(RuntimeError, match="stopped"):
        lm.services.sweep(
            make_uow(), pipelines=[PIPELINE], at=AT + timedelta(days=1, hours=3), page_size=1
        )
    monkeypatch.setattr(lm.StaleCard, "of", real)
    rest = lm.services.sweep(make_uow(), pipelines=[PIPELINE], at=AT + timedelta(days=2))
    assert [e.lead_id for e in rest.stale] == ["lead-2", "lead-3", "lead-4"]
    announced = [e.lead_id for e in events(make_uow()) if isinstance(e, lm.CardStale)]
    assert announced == ["lead-1", "lead-2", "lead-3", "lead-4"]


def test_sweeps_of_other_names_keep_their_own_marks(make_uow: MakeUnit) -> None:
    add(make_uow(), lead(1))
    assert len(lm.services.sweep(make_uow(), [POLICY], at=AT + 2 * HOUR).breached) == 1
    other = lm.services.sweep(make_uow(), [POLICY], at=AT + 2 * HOUR, name="night")
    assert len(other.breached) == 1
    assert _marks(make_uow()) == ["sweep:default:sla:lead-1", "sweep:night:sla:lead-1"]


def test_a_sweep_stopped_half_way_goes_on_without_announcing_twice(
    make_uow: MakeUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of one lead: the sweep fails on the third lead; the two pages before it are
    committed, and the next run announces only the rest, each reply once."""
    add(make_uow(), *(lead(n) for n in range(1, 6)))
    real = lm.SlaBreached.of

    def failing(record: lm.Lead, *args: Any, **kwargs: Any) -> lm.SlaBreached:
        if record.id == "lead-3":
            raise RuntimeError("the process was stopped")
        return real(record, *args, **kwargs)

    monkeypatch.setattr(lm.SlaBreached, "of", failing)
    with pytest.raises(RuntimeError, match="stopped"):
        lm.services.sweep(make_uow(), [POLICY], at=AT + 2 * HOUR, page_size=1)
    monkeypatch.setattr(lm.SlaBreached, "of", real)
    done = [e.lead_id for e in events(make_uow()) if isinstance(e, lm.SlaBreached)]
    assert done == ["lead-1", "lead-2"]
    rest = lm.services.sweep(make_uow(), [POLICY], at=AT + 2 * HOUR, page_size=1)
    assert [e.lead_id for e in rest.breached] == ["lead-3", "lead-4", "lead-5"]
    breached = [e.lead_id for e in events(make_uow()) if isinstance(e, lm.SlaBreached)]
    assert sorted(breached) == [f"lead-{n}" for n in range(1, 6)]


def test_sla_clocks_read_the_same_off_every_store(make_uow: MakeUnit) -> None:
    """Leads with varied timelines, stored and read back: every clock equals the clock of
    the lead as built, and the sweep announces exactly the replies late by those clocks."""
    minute = timedelta(minutes=1)
    built = [
        lead(1),
        lm.respond(lead(2), at=AT + 50 * minute, by="anna"),
        lm.respond(lead(3), at=AT + 70 * minute, by="anna"),
        _inbound(lm.respond(lead(4), at=AT + 5 * minute, by="anna"), AT + HOUR),
        _inbound(_inbound(lead(5), AT + 10 * minute), AT + 20 * minute),
        lead(6, created_at=AT + 7 * HOUR),
        lead(7, tags=["vip"], time_zone="Asia/Tokyo"),
    ]
    kyiv = lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
    policies = [
        lm.SlaPolicy(key="vip", when=[lm.HasTag(tag="vip")], first_response=15 * minute),
        lm.SlaPolicy(key="kyiv", first_response=HOUR, rolling_response=HOUR, calendar=kyiv),
    ]
    add(make_uow(), *built)
    at = AT + 8 * HOUR
    with make_uow() as uow:
        stored = [uow.leads.get(record.id) for record in built]
    for record, back in zip(built, stored, strict=True):
        assert lm.sla_clocks(back, policies, at=at) == lm.sla_clocks(record, policies, at=at)
    late = {
        record.id
        for record in built
        if (clocks := lm.sla_clocks(record, policies, at=at))
        and clocks[-1].state is lm.SlaState.breached
        and clocks[-1].answered_at is None
    }
    found = lm.services.sweep(make_uow(), policies, at=at)
    assert {e.lead_id for e in found.breached} == late
    assert late == {"lead-1", "lead-4", "lead-5", "lead-7"}


def test_bad_arguments_are_named(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.errors.ValidationError) as caught:
        lm.services.sweep(make_uow(), ["standard"], name="a:b", page_size=0, at=AT)  # type: ignore[list-item]
    assert {p.path for p in caught.value.problems} == {"policies[0]", "name", "page_size"}
    with pytest.raises(lm.NotRegisteredError):
        lm.services.sweep(make_uow(), pipelines=["nowhere"], at=AT)
