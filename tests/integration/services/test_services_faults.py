"""Fault injection: a failure at any step of a service leaves the store exactly as before.

The unit of work is wrapped in a proxy that counts every step a service takes through it:
each repository and outbox call (before it runs, and after it ran), each entity an
``iter_all`` yields, each ``emit``, and ``commit`` (before it runs: once a commit is done,
it is done). A clean run counts the steps; then, for every step N, the service runs on a
fresh copy of the same store with an exception injected at step N, and the whole store
(every repository and the outbox) must compare equal to its state before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import pytest

from leadmodel import DomainEvent, services
from leadmodel.storage import KINDS, UnitOfWork

from ._services import (
    ADAPTERS,
    Stores,
    clock,
    seed_b2b_known_company,
    seed_b2c_known_person,
    seed_duplicate_contacts,
    seed_duplicate_leads,
    snapshot,
)


class Fault(Exception):
    """The injected failure (no service catches it)."""


class _Steps:
    """Counts steps; raises :class:`Fault` at step ``fail_at`` (never when ``None``)."""

    def __init__(self, fail_at: int | None) -> None:
        self.fail_at = fail_at
        self.taken: list[str] = []

    def step(self, what: str) -> None:
        self.taken.append(what)
        if len(self.taken) == self.fail_at:
            raise Fault(f"injected at step {self.fail_at}: {what}")


class _Counted:
    """A repository or outbox whose every method call is two steps (before and after)."""

    def __init__(self, target: Any, steps: _Steps, name: str) -> None:
        self._target = target
        self._steps = steps
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        method = getattr(self._target, attr)
        what = f"{self._name}.{attr}"

        def call(*args: Any, **kwargs: Any) -> Any:
            self._steps.step(f"{what} (before)")
            result = method(*args, **kwargs)
            self._steps.step(f"{what} (after)")
            if isinstance(result, Iterator):
                return self._each(result, what)
            return result

        return call

    def _each(self, items: Iterator[Any], what: str) -> Iterator[Any]:
        for n, item in enumerate(items):
            self._steps.step(f"{what} item {n}")
            yield item


class FaultyUnit:
    """A unit of work that counts the steps taken through it and fails at one of them."""

    def __init__(self, uow: UnitOfWork, fail_at: int | None = None) -> None:
        self._uow = uow
        self.steps = _Steps(fail_at)
        for kind in KINDS:
            setattr(self, kind, _Counted(getattr(uow, kind), self.steps, kind))
        self.outbox = _Counted(uow.outbox, self.steps, "outbox")

    @property
    def events(self) -> tuple[DomainEvent, ...]:
        return self._uow.events

    def emit(self, event: DomainEvent) -> None:
        self.steps.step(f"emit {event.type} (before)")
        self._uow.emit(event)
        self.steps.step(f"emit {event.type} (after)")

    def commit(self) -> None:
        self.steps.step("commit")
        self._uow.commit()

    def rollback(self) -> None:
        self._uow.rollback()

    def __enter__(self) -> FaultyUnit:
        self._uow.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._uow.__exit__(exc_type, exc, tb)


Seed = Callable[[UnitOfWork], None]
Service = Callable[[UnitOfWork], object]


def _convert(uow: UnitOfWork) -> object:
    return services.convert(uow, "lead-1", by="anna", deal_ref="order-7", clock=clock())


def _merge_leads(uow: UnitOfWork) -> object:
    return services.merge(uow, "lead-1", "lead-2", "lead-3", by="anna", clock=clock())


def _merge_contacts(uow: UnitOfWork) -> object:
    return services.merge(uow, "contact-1", "contact-2", kind="contacts", by="anna", clock=clock())


SCENARIOS: dict[str, tuple[Seed, Service]] = {
    "convert B2C, known contact and customer": (seed_b2c_known_person, _convert),
    "convert B2B, known company, contact and customer": (seed_b2b_known_company, _convert),
    "merge leads, interests and a customer re-pointed": (seed_duplicate_leads, _merge_leads),
    "merge contacts, a customer re-pointed": (seed_duplicate_contacts, _merge_contacts),
}


@pytest.fixture(params=ADAPTERS)
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    made = Stores(request.param, tmp_path)
    yield made
    made.close()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_failure_at_any_step_leaves_the_store_as_before(stores: Stores, scenario: str) -> None:
    seed, service = SCENARIOS[scenario]

    def fresh() -> tuple[Any, dict[str, list[Any]]]:
        store = stores.new()
        seed(stores.unit(store))
        return store, snapshot(stores.unit(store))

    store, before = fresh()
    clean = FaultyUnit(stores.unit(store))
    service(cast(UnitOfWork, clean))
    count = len(clean.steps.taken)
    assert snapshot(stores.unit(store)) != before  # the clean run changes the store
    assert count > 10  # loads, writes, events and the commit are all steps

    for fail_at in range(1, count + 1):
        store, before = fresh()
        faulty = FaultyUnit(stores.unit(store), fail_at)
        with pytest.raises(Fault):
            service(cast(UnitOfWork, faulty))
        assert faulty.steps.taken == clean.steps.taken[:fail_at], "the run took another path"
        assert snapshot(stores.unit(store)) == before, f"failed at {clean.steps.taken[fail_at - 1]}"
        stores.close()


def test_the_proxy_sees_every_kind_of_step(tmp_path: Path) -> None:
    """The fault tests are only as good as the steps they count: reads, lookups, writes,
    events and the commit must all be among them."""
    stores = Stores("memory", tmp_path)
    store = stores.new()
    seed_duplicate_contacts(stores.unit(store))
    clean = FaultyUnit(stores.unit(store))
    _merge_contacts(cast(UnitOfWork, clean))
    taken = " | ".join(clean.steps.taken)
    for step in ("contacts.get", "contacts.save", "contacts.remove", "customers.find"):
        assert step in taken
    assert "emit LeadsMerged" in taken
    assert clean.steps.taken[-1] == "commit"
