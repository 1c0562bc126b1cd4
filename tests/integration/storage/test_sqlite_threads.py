"""An SQLite unit of work may pass between threads (one at a time), as web frameworks do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import leadmodel as lm

_ALIVE: list[threading.Event] = []


def _in_thread(run: Callable[[], object]) -> None:
    """Run ``run`` in a new thread that stays alive until the test ends (a finished thread's
    id is given to the next one, and SQLite's thread check compares ids)."""
    errors: list[BaseException] = []
    ran, keep = threading.Event(), threading.Event()
    _ALIVE.append(keep)

    def target() -> None:
        try:
            run()
        except BaseException as exc:
            errors.append(exc)
        ran.set()
        keep.wait(timeout=30)

    threading.Thread(target=target, daemon=True).start()
    assert ran.wait(timeout=30)
    assert errors == []


def test_a_unit_made_in_one_thread_is_used_and_closed_in_others(tmp_path: Path) -> None:
    made: list[lm.SQLiteUnitOfWork] = []
    interest = lm.Interest(
        id=lm.InterestId("I-1"),
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
        source=lm.Source(channel=lm.Channel.form),
        topic="chairs",
    )

    def write() -> None:
        with made[0] as uow:
            uow.interests.add(interest)
            uow.commit()

    def read() -> None:
        with made[0] as uow:
            assert uow.interests.get("I-1") == interest

    _in_thread(lambda: made.append(lm.SQLiteUnitOfWork(tmp_path / "crm.sqlite")))
    _in_thread(write)  # connects here
    _in_thread(read)  # is used again here
    _in_thread(made[0].close)  # and closes here: FastAPI's dependency teardown does this
    with lm.SQLiteUnitOfWork(tmp_path / "crm.sqlite") as uow:
        assert uow.interests.get("I-1") == interest
    for keep in _ALIVE:
        keep.set()
