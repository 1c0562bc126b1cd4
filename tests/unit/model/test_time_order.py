"""Time goes forward: no operation is dated before the last entry of its record (F13)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.domain.model import last_entry
from tests import factories as f

AT = f.AT
H = timedelta(hours=1)
REQ = lm.pipelines.KEYCRM_REQUESTS


def _moved() -> lm.Lead:
    return REQ.move(REQ.enter(f.lead(), at=AT, by="a"), "in_work", at=AT + 5 * H, by="a")


def _lost() -> lm.Lead:
    return REQ.move(_moved(), "lost", at=AT + 6 * H, by="a", reason="no_budget")


def _early() -> lm.Lead:
    return f.lead(id=lm.LeadId("lead-2"), created_at=AT - timedelta(days=1000))


def _interest() -> lm.Interest:
    return lm.Interest(
        id=lm.InterestId("I-1"), occurred_at=AT + 2 * H, topic="Chairs",
        source=lm.Source(channel=lm.Channel.form), person_name="Olena",
        contact_points=(lm.ContactPoint.email("olena@example.com"),),
    )  # fmt: skip


_OPERATIONS: dict[str, tuple[Callable[[], Any], Callable[[Any, datetime], object]]] = {
    "convert": (_moved, lambda r, at: lm.convert(r, at=at, ids=lm.sequential_ids("c"))),
    "recycle": (_lost, lambda r, at: lm.recycle(r, at=at, ids=lm.sequential_ids("r"))),
    "enter": (
        lambda: f.lead(created_at=AT + 3 * H),
        lambda r, at: REQ.enter(r, at=at, by="a"),
    ),
    "promote": (_interest, lambda r, at: lm.promote(r, at=at, ids=lm.sequential_ids("l"))),
    "erase": (_moved, lambda r, at: lm.erase(r, at=at)),
    "merge": (
        _moved,
        lambda r, at: lm.merge(_early(), r, at=at, by=None),
    ),
}


@pytest.mark.parametrize("operation", sorted(_OPERATIONS))
@given(before=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=900)))
def test_an_operation_dated_before_the_records_last_entry_is_refused_and_the_record_unchanged(
    operation: str, before: timedelta
) -> None:
    make, run = _OPERATIONS[operation]
    record = make()
    document = lm.to_dict(record)
    found = last_entry(record)
    assert found is not None
    with pytest.raises(lm.TimeOrderError) as refused:
        run(record, found[1] - before)
    assert lm.to_dict(record) == document
    message = str(refused.value)
    assert operation in message
    assert str(record.id) in message
    assert found[1].isoformat() in message
    assert "date it at or after" in message
    run(record, found[1])  # at the last entry's own time: accepted
