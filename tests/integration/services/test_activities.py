"""The timeline services on every adapter: ``log_activity`` and ``respond`` store the contact
with the lead, announce it without what was said, and refuse what the domain refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

import leadmodel as lm
from leadmodel.storage import UnitOfWork

from ._services import AT, LATER, MakeUnit, add, clock, events, lead, snapshot

K = lm.ActivityKind
D = lm.Direction
SOON = AT + timedelta(minutes=7)


def _stored(uow: UnitOfWork, lead_id: str = "lead-1") -> lm.Lead:
    with uow:
        return uow.leads.get(lead_id)


def test_log_activity_stores_the_contact_and_announces_it_without_the_summary(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    add(uow, lead(1))
    done = lm.services.log_activity(
        uow,
        "lead-1",
        kind=K.call,
        direction=D.inbound,
        by="anna",
        channel=lm.Channel.phone_call,
        note="Олена: 40 крісел до травня",
        activity_id="pbx-77",
        expected_version=0,
        at=SOON,
    )
    call = lm.Activity(
        at=SOON,
        kind=K.call,
        direction=D.inbound,
        by="anna",
        channel=lm.Channel.phone_call,
        note="Олена: 40 крісел до травня",
        id="pbx-77",
    )
    assert (done.activities, done.version) == ((call,), 1)
    assert _stored(make_uow()) == done  # read back by another unit: the same timeline
    assert events(uow)[-1] == lm.ActivityLogged(
        lead_id="lead-1",
        kind=K.call,
        direction=D.inbound,
        at=SOON,
        by="anna",
        channel=lm.Channel.phone_call,
        activity_id="pbx-77",
    )
    assert "40 крісел" not in lm.to_json(events(uow)[-1])


def test_respond_logs_an_outbound_contact_and_makes_the_first_response_a_stored_fact(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    add(uow, lead(1))
    lm.services.log_activity(uow, "lead-1", kind=K.message, direction=D.inbound, at=SOON)
    later = SOON + timedelta(minutes=5)
    lm.services.respond(uow, "lead-1", by="anna", kind=K.email, clock=clock(later))
    stored = _stored(uow)
    first = lm.first_response(stored)
    assert first is not None
    assert (first.at, first.by, first.kind, first.direction) == (later, "anna", K.email, D.outbound)
    assert lm.awaiting_reply(stored) is None
    assert [(e.type, e.direction) for e in events(uow) if isinstance(e, lm.ActivityLogged)] == [
        ("ActivityLogged", D.inbound),
        ("ActivityLogged", D.outbound),
    ]


def test_a_late_logged_contact_is_stored_where_it_happened(make_uow: MakeUnit) -> None:
    uow = make_uow()
    add(uow, lead(1))
    lm.services.respond(uow, "lead-1", by="anna", at=LATER)
    lm.services.log_activity(uow, "lead-1", kind=K.call, direction=D.inbound, at=SOON)
    assert [a.at for a in _stored(uow).activities] == [SOON, LATER]


def test_an_unknown_lead_is_not_found(make_uow: MakeUnit) -> None:
    uow = make_uow()
    with pytest.raises(lm.NotFoundError):
        lm.services.respond(uow, "lead-9", by="anna", at=SOON)
    with pytest.raises(lm.NotFoundError):
        lm.services.log_activity(uow, "lead-9", kind=K.note, direction=D.internal, at=SOON)


def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(make_uow: MakeUnit) -> None:
    uow = make_uow()
    add(uow, lead(1))
    lm.services.respond(uow, "lead-1", by="anna", at=SOON, expected_version=0)
    before = snapshot(uow)
    with pytest.raises(lm.ConcurrencyError) as stale:
        lm.services.respond(uow, "lead-1", by="bohdan", at=LATER, expected_version=0)
    assert (stale.value.expected, stale.value.found) == (0, 1)
    assert snapshot(uow) == before


def test_a_retried_activity_id_is_stored_and_announced_once(make_uow: MakeUnit) -> None:
    uow = make_uow()
    add(uow, lead(1))

    def log() -> lm.Lead:
        return lm.services.log_activity(
            uow, "lead-1", kind=K.call, direction=D.inbound, activity_id="pbx-1", at=SOON
        )

    first = log()
    before = snapshot(uow)
    again = log()
    assert again == first
    assert again.version == 1
    assert snapshot(uow) == before
    with pytest.raises(lm.RuleViolation, match="already holds activity 'pbx-1'"):
        lm.services.respond(uow, "lead-1", activity_id="pbx-1", at=SOON)
    assert snapshot(uow) == before


def test_refused_activities_store_nothing(make_uow: MakeUnit) -> None:
    uow = make_uow()
    add(uow, lead(1))
    before = snapshot(uow)
    with pytest.raises(lm.TimeOrderError):
        lm.services.respond(uow, "lead-1", by="anna", at=AT - timedelta(days=1))
    with pytest.raises(lm.ValidationError, match="a note is internal"):
        lm.services.log_activity(uow, "lead-1", kind=K.note, direction=D.outbound, at=SOON)
    with pytest.raises(lm.ValidationError, match=r"services\.at: give the time of the change once"):
        lm.services.respond(uow, "lead-1", at=SOON, clock=clock(SOON))
    assert snapshot(uow) == before


def test_erasure_clears_stored_summaries_and_refuses_new_activities(make_uow: MakeUnit) -> None:
    uow = make_uow()
    add(uow, lead(1))
    lm.services.respond(uow, "lead-1", by="anna", note="Olena Koval, Kyiv", at=SOON)
    lm.services.erase_person(uow, key="email:olena@mebli.ua", at=LATER)
    erased = _stored(uow)
    [kept] = erased.activities
    assert (kept.note, kept.at, kept.by, kept.direction) == (None, SOON, "anna", D.outbound)
    assert "Olena Koval" not in str(snapshot(uow))
    with pytest.raises(lm.RuleViolation, match="erased person"):
        lm.services.respond(uow, "lead-1", by="anna", at=LATER)


def test_steps_of_a_batch_log_into_one_version(make_uow: MakeUnit) -> None:
    uow = make_uow()
    add(uow, lead(1))
    with lm.services.batch(uow) as unit:
        lm.services.log_activity(unit, "lead-1", kind=K.email, direction=D.inbound, at=SOON)
        lm.services.respond(unit, "lead-1", by="anna", at=LATER)
    stored = _stored(uow)
    assert (len(stored.activities), stored.version) == (2, 1)
    assert sum(isinstance(e, lm.ActivityLogged) for e in events(uow)) == 2
