"""The optimistic-concurrency part of the storage contract: ``save`` and its versions.

:class:`ConcurrencyContract` is mixed into :class:`~leadmodel.testing.contract.UnitOfWorkContract`,
so it runs on every adapter that runs the contract. ``save`` stores version + 1 of what it was
given; a stale version (another unit saved first, two units racing, the same entity saved twice
in one unit) is a ConcurrencyError naming the entity and both versions, and no update is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from leadmodel.errors import ConcurrencyError, NotFoundError
from leadmodel.storage.protocols import UnitOfWork
from leadmodel.testing._samples import numbered_lead

__all__ = ["ConcurrencyContract"]

MakeUnit = Callable[[], UnitOfWork]

_RACE_WAIT = 60.0  # seconds a racing unit may wait for the other before the test gives up


class ConcurrencyContract:
    """save: the next version, or a ConcurrencyError for a stale one, on every adapter."""

    def test_save_stores_the_next_version(self, make_uow: MakeUnit) -> None:
        """save returns the entity at version + 1, and that is what is stored."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.commit()
        with make_uow() as uow:
            saved = uow.leads.save(attrs.evolve(uow.leads.get("lead-0001"), owner="boris"))
            uow.commit()
        assert saved.version == 1
        with make_uow() as uow:
            assert uow.leads.get("lead-0001") == saved

    def test_saving_a_stale_version_raises_concurrency(self, make_uow: MakeUnit) -> None:
        """Two read-modify-saves of one lead: the second raises and the first one stays."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.commit()
        with make_uow() as uow:
            first = uow.leads.get("lead-0001")
        with make_uow() as uow:
            uow.leads.save(attrs.evolve(first, owner="boris"))
            uow.commit()
        with make_uow() as uow, pytest.raises(ConcurrencyError) as caught:
            uow.leads.save(attrs.evolve(first, owner="carla"))
            uow.commit()
        assert (caught.value.id, caught.value.expected, caught.value.found) == ("lead-0001", 0, 1)
        with make_uow() as uow:
            stored = uow.leads.get("lead-0001")
        assert (stored.owner, stored.version) == ("boris", 1)

    def test_concurrency_error_names_the_entity_and_both_versions(self, make_uow: MakeUnit) -> None:
        """ConcurrencyError carries ``kind``, ``id``, ``expected`` (the version the operation
        expected stored: ``None`` for an add) and ``found`` (the stored version: ``None`` for
        an id twice in one batch)."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.commit()
        with make_uow() as uow:
            first = uow.leads.get("lead-0001")
        with make_uow() as uow:
            uow.leads.save(attrs.evolve(first, owner="boris"))
            uow.commit()
        with make_uow() as uow:
            with pytest.raises(ConcurrencyError) as stale:
                uow.leads.save(attrs.evolve(first, owner="carla"))
            with pytest.raises(ConcurrencyError) as taken:
                uow.leads.add(numbered_lead(1))
            with pytest.raises(ConcurrencyError) as twice:
                uow.leads.add_many([numbered_lead(2), numbered_lead(2)])

        def named(error: ConcurrencyError) -> tuple[object, ...]:
            return (error.kind, error.id, error.expected, error.found)

        assert named(stale.value) == ("leads", "lead-0001", 0, 1)
        assert named(taken.value) == ("leads", "lead-0001", None, 1)
        assert named(twice.value) == ("leads", "lead-0002", None, None)

    def test_two_units_racing_on_one_entity_lose_no_update(self, make_uow: MakeUnit) -> None:
        """Two units read the same version of a lead and both save it: exactly one commit
        succeeds, the other raises ConcurrencyError, and the stored lead is the winner's.

        The second unit runs in a thread (units belong to one thread). An adapter that makes
        the second unit wait until the first one ends passes too: its second unit then reads
        the first one's commit, and both saves go through, one after the other."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.commit()
        read, go = threading.Event(), threading.Event()
        second: dict[str, Any] = {}

        def race() -> None:
            unit = make_uow()
            try:
                with unit:
                    mine = unit.leads.get("lead-0001")
                    second["read"] = mine.version
                    read.set()
                    go.wait(_RACE_WAIT)
                    unit.leads.save(attrs.evolve(mine, owner="boris"))
                    unit.commit()
                second["outcome"] = "saved"
            except ConcurrencyError:
                second["outcome"] = "conflict"
            except BaseException as exc:  # reported by the test below
                second["outcome"] = exc
            finally:
                _close(unit)

        worker = threading.Thread(target=race, daemon=True)
        with make_uow() as uow:
            mine = uow.leads.get("lead-0001")
            worker.start()
            read.wait(1.0)  # an adapter that serialises units makes the second one wait here
            uow.leads.save(attrs.evolve(mine, owner="anna"))
            uow.commit()
        go.set()
        worker.join(_RACE_WAIT)
        assert not worker.is_alive(), "the second unit never finished"
        with make_uow() as uow:
            stored = uow.leads.get("lead-0001")
        if second["read"] == 0:  # both read version 0: one of the two saves must lose
            assert second["outcome"] == "conflict", f"a lost update: {second['outcome']!r}"
            assert (stored.owner, stored.version) == ("anna", 1)
        else:  # serialised: the second unit read the first one's commit
            assert second["outcome"] == "saved", second["outcome"]
            assert (stored.owner, stored.version) == ("boris", 2)

    def test_saving_twice_in_one_unit_needs_the_saved_version(self, make_uow: MakeUnit) -> None:
        """Inside a unit, save again the entity save returned; the one before it is stale."""
        with make_uow() as uow:
            lead = uow.leads.add(numbered_lead(1))
            once = uow.leads.save(attrs.evolve(lead, owner="boris"))
            with pytest.raises(ConcurrencyError):
                uow.leads.save(attrs.evolve(lead, owner="carla"))
            twice = uow.leads.save(attrs.evolve(once, owner="dana"))
            uow.commit()
        with make_uow() as uow:
            assert uow.leads.get("lead-0001") == twice
        assert twice.version == 2

    def test_saving_an_unknown_id_raises_not_found(self, make_uow: MakeUnit) -> None:
        """save of an entity that is not stored raises NotFoundError."""
        with make_uow() as uow, pytest.raises(NotFoundError):
            uow.leads.save(numbered_lead(9))


def _close(unit: object) -> None:
    """Close a unit that has ``close`` (a connection a thread made is closed by that thread)."""
    close = getattr(unit, "close", None)
    if callable(close):
        close()
