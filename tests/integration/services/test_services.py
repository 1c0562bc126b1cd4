"""The services together: replays are exact across adapters, any unit of work will do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import leadmodel as lm
from leadmodel import services
from leadmodel.storage import SQLiteUnitOfWork, UnitOfWork

from ._services import ADAPTERS, EMAIL, LATER, PIPELINE, SOURCE, Stores, clock, events, snapshot


# -- determinism -----------------------------------------------------------------------------
def _story(uow: Callable[[], UnitOfWork]) -> None:
    ids = lm.sequential_ids()
    captured = services.capture_interest(
        uow(),
        source=SOURCE,
        topic="Chairs",
        person_name="Olena Koval",
        contact_points=[EMAIL],
        clock=clock(),
        ids=ids,
    )
    made = services.promote(uow(), captured.id, pipeline=PIPELINE, clock=clock(), ids=ids)
    services.move(uow(), made.id, PIPELINE, "offer", clock=clock(LATER))
    services.convert(uow(), made.id, deal_ref="order-1", clock=clock(LATER), ids=ids)


def test_a_fixed_clock_and_sequential_ids_make_the_same_store(tmp_path: Path) -> None:
    """Replays are exact, across adapters too."""
    found = []
    for adapter in ADAPTERS:
        stores = Stores(adapter, tmp_path)
        store = stores.new()
        _story(lambda: stores.unit(store))  # noqa: B023 - called right away
        found.append(snapshot(stores.unit(store)))
        stores.close()
    assert found[0] == found[1]
    assert [c["id"] for c in found[0]["customers"]] == ["id-4"]


def test_the_services_take_any_unit_of_work() -> None:
    """SQLite ``:memory:`` works for one unit object, as the adapter documents."""
    uow = SQLiteUnitOfWork(":memory:")
    try:
        _story(lambda: uow)
        assert len(events(uow)) == 5
    finally:
        uow.close()
