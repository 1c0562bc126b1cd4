"""The datetime rule: every datetime an entity, record or event holds is kept with a fixed UTC
offset (the same instant and wall time), so times compare as instants even inside DST overlaps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given

import leadmodel as lm
from leadmodel.testing import strategies as lst
from tests import factories

KYIV = ZoneInfo("Europe/Kyiv")
REQUESTS = lm.pipelines.KEYCRM_REQUESTS
START = datetime(2026, 10, 24, tzinfo=UTC)


def _entered() -> lm.Lead:
    return REQUESTS.enter(factories.lead(created_at=START), at=START, by="anna")


def test_a_move_earlier_in_real_time_is_refused_even_at_a_dst_overlap() -> None:
    """03:40 (fold=0, 00:40Z) after 03:35 (fold=1, 01:35Z) is 55 real minutes earlier: refused
    as time_backwards, though the wall clock reads later."""
    lead = REQUESTS.move(
        _entered(), "in_work", at=datetime(2026, 10, 25, 3, 35, fold=1, tzinfo=KYIV), by="a"
    )
    with pytest.raises(lm.TransitionError) as refused:
        REQUESTS.move(
            lead, "qualified", at=datetime(2026, 10, 25, 3, 40, fold=0, tzinfo=KYIV), by="a"
        )
    assert refused.value.why == "time_backwards"


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_move_later_in_real_time_is_accepted_on_every_store(store: str) -> None:
    """With a zone-aware clock, 03:10+02:00 is 20 real minutes after 03:50+03:00: every store
    accepts the move, and the lead reads back equal."""
    uow: lm.UnitOfWork = (
        lm.MemoryUnitOfWork() if store == "memory" else lm.SQLiteUnitOfWork(":memory:")
    )
    with uow:
        uow.leads.add(_entered())
        uow.commit()
    lead_id = _entered().id
    times = iter(
        [
            datetime(2026, 10, 25, 3, 50, fold=0, tzinfo=KYIV),
            datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=KYIV),
        ]
    )
    lm.services.move(uow, lead_id, REQUESTS, "in_work", clock=lambda: next(times))
    moved = lm.services.move(uow, lead_id, REQUESTS, "qualified", clock=lambda: next(times))
    assert moved.history[-1].at - moved.history[-2].at == timedelta(minutes=20)
    with uow:
        assert uow.leads.get(lead_id) == moved
        assert [x.id for x in uow.leads.iter_all()] == [lead_id]


def test_entities_hold_datetimes_with_fixed_offsets() -> None:
    """A zoned datetime becomes the same instant and wall time with a fixed offset."""
    at = datetime(2026, 10, 25, 3, 35, fold=1, tzinfo=KYIV)
    change = lm.StatusChange(pipeline="p", from_status=None, to_status="s", at=at)
    assert change.at.tzinfo == timezone(timedelta(hours=2))
    assert change.at.replace(tzinfo=None) == at.replace(tzinfo=None)
    assert change.at.timestamp() == at.timestamp()


@given(lst.dst_edge_datetimes())
def test_a_dst_edge_time_round_trips_through_json_as_an_equal_instant(at: datetime) -> None:
    """Any wall time in a DST overlap or gap, with either fold, stored in a lead and read back
    from its JSON, is equal to it and to its instant."""
    lead = factories.lead(created_at=at)
    back = lm.from_json(lm.Lead, lm.to_json(lead))
    assert back == lead
    assert back.created_at.timestamp() == at.timestamp()
