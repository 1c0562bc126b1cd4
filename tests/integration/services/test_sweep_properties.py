"""Properties of the SLA sweep over random timelines and random sweep times (in memory: the
adapters agree on what they store, test_sweep.py shows)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm

from ._services import AT, lead

MINUTE = timedelta(minutes=1)
POLICY = lm.SlaPolicy(
    key="standard",
    first_response=30 * MINUTE,
    rolling_response=60 * MINUTE,
    calendar=lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00"),
    escalation=[
        lm.EscalationStep(after=timedelta(0), action="notify"),
        lm.EscalationStep(after=30 * MINUTE, action="raise_priority"),
        lm.EscalationStep(after=3 * 60 * MINUTE, action="notify", to="head"),
    ],
)

# a timeline: (minutes after the lead's creation, direction) per contact
_contacts = st.lists(
    st.tuples(st.integers(0, 3 * 24 * 60), st.sampled_from(["inbound", "outbound"])),
    max_size=5,
)


def _lead(n: int, contacts: list[tuple[int, str]]) -> lm.Lead:
    record = lead(n, created_at=AT + n * 37 * MINUTE)
    for minutes, direction in sorted(contacts):
        kind = lm.ActivityKind.email
        at = record.created_at + minutes * MINUTE
        record = lm.log_activity(
            record, lm.Activity(at=at, kind=kind, direction=lm.Direction(direction))
        )
    return record


@settings(max_examples=60, deadline=None)
@given(
    timelines=st.lists(_contacts, min_size=1, max_size=6),
    sweeps=st.lists(st.integers(0, 4 * 24 * 60), min_size=1, max_size=6),
)
def test_each_late_reply_is_announced_once_with_its_steps_in_order(
    timelines: list[list[tuple[int, str]]], sweeps: list[int]
) -> None:
    uow = lm.MemoryUnitOfWork()
    leads = [_lead(n, contacts) for n, contacts in enumerate(timelines, start=1)]
    with uow:
        uow.leads.add_many(leads)
        uow.commit()
    emitted: list[lm.DomainEvent] = []
    for minutes in sorted(sweeps):
        at = AT + minutes * MINUTE
        first = lm.services.sweep(uow, [POLICY], at=at)
        assert lm.services.sweep(uow, [POLICY], at=at).events == ()  # idempotent
        emitted += first.events
        for record in leads:  # every reply late and owed at `at` has been announced by now
            if any(activity.at > at for activity in record.activities):
                continue  # a reply logged ahead of time holds the sweep off (the docs say so)
            clocks = lm.sla_clocks(record, [POLICY], at=at)
            late = clocks[-1] if clocks else None
            if late and late.state is lm.SlaState.breached and late.answered_at is None:
                announced = {
                    (e.lead_id, e.started_at) for e in emitted if isinstance(e, lm.SlaBreached)
                }
                assert (record.id, late.started_at) in announced
                steps = {
                    e.step
                    for e in emitted
                    if isinstance(e, lm.Escalated)
                    and (e.lead_id, e.started_at) == (record.id, late.started_at)
                }
                assert steps == set(range(len(late.escalations)))
    breaches = Counter((e.lead_id, e.started_at) for e in emitted if isinstance(e, lm.SlaBreached))
    assert all(count == 1 for count in breaches.values())
    escalations = [
        (e.lead_id, e.started_at, e.step) for e in emitted if isinstance(e, lm.Escalated)
    ]
    assert len(escalations) == len(set(escalations))
    for key in breaches:  # the steps of one reply were taken in order
        order = [step for lead_id, started, step in escalations if (lead_id, started) == key]
        assert order == sorted(order)


PIPELINE = lm.Pipeline.from_dict(
    {
        "key": "requests",
        "statuses": [
            {"key": "new", "rot_after": "PT4H"},
            {"key": "in_work", "rot_after": "P1D"},
            {"key": "won", "kind": "won"},
        ],
    }
)


@settings(max_examples=60, deadline=None)
@given(
    cards=st.lists(
        st.tuples(
            st.integers(0, 2 * 24 * 60),  # minutes from AT to the lead's creation (and entry)
            st.one_of(st.none(), st.integers(0, 2 * 24 * 60)),  # then a move to in_work
            st.lists(st.integers(0, 3 * 24 * 60), max_size=3),  # notes logged
        ),
        min_size=1,
        max_size=6,
    ),
    sweeps=st.lists(st.integers(0, 5 * 24 * 60), min_size=1, max_size=6),
    page_size=st.integers(1, 3),
)
def test_each_stay_is_announced_once_when_it_goes_stale(
    cards: list[tuple[int, int | None, list[int]]], sweeps: list[int], page_size: int
) -> None:
    leads = []
    for n, (created, moved, notes) in enumerate(cards, start=1):
        start = AT + created * MINUTE
        record = PIPELINE.enter(lead(n, created_at=start), at=start)
        if moved is not None:
            record = PIPELINE.move(record, "in_work", at=start + moved * MINUTE)
        for minutes in sorted(notes):
            note = lm.Activity(
                at=start + minutes * MINUTE,
                kind=lm.ActivityKind.note,
                direction=lm.Direction.internal,
            )
            record = lm.log_activity(record, note)
        leads.append(record)
    uow = lm.MemoryUnitOfWork()
    with uow:
        uow.leads.add_many(leads)
        uow.commit()
    announced: list[tuple[str, str, object]] = []
    for minutes in sorted(sweeps):
        at = AT + minutes * MINUTE
        found = lm.services.sweep(uow, pipelines=[PIPELINE], at=at, page_size=page_size)
        assert lm.services.sweep(uow, pipelines=[PIPELINE], at=at).events == ()
        announced += [(e.lead_id, e.status, e.since) for e in found.stale]
        for card in lm.stale(leads, PIPELINE, at=at):  # every stale card is announced by now
            assert (card.lead_id, card.status, card.since) in announced
    assert len(announced) == len(set(announced))
