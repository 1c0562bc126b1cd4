"""The storage contract suite: reusable pytest tests every unit-of-work adapter must pass.

leadmodel runs it against each adapter it ships; a downstream CRM runs it against its own.
Subclass :class:`UnitOfWorkContract` in a test module and provide the fixture ``make_uow``:
a zero-argument callable that returns a new unit of work object over **one fresh, empty
store per test** (each call another object on the same store)::

    import pytest
    from leadmodel.testing.contract import UnitOfWorkContract
    from myapp.storage import DjangoUnitOfWork

    class TestDjangoUnitOfWork(UnitOfWorkContract):
        @pytest.fixture
        def make_uow(self, db):          # your fixture that gives an empty database
            return lambda: DjangoUnitOfWork()

Every test names the rule of :mod:`leadmodel.storage.protocols` it checks. The suite needs
pytest and Hypothesis (both in ``leadmodel[dev]``).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadmodel.domain.events import LeadCreated, StatusChanged
from leadmodel.domain.matching import match_keys
from leadmodel.domain.model import (
    Company,
    Contact,
    Customer,
    CustomerKind,
    CustomerOrigin,
    Interest,
    Lead,
    StatusChange,
)
from leadmodel.domain.values import (
    Channel,
    CompanyId,
    ContactId,
    ContactPoint,
    CustomerId,
    InterestId,
    LeadId,
    Source,
)
from leadmodel.errors import ConcurrencyError, NotFoundError, StorageError, ValidationError
from leadmodel.storage.protocols import KINDS, Page, UnitOfWork
from leadmodel.testing import strategies
from leadmodel.testing._hostile import HostileInputContract

__all__ = ["HOSTILE_TEXTS", "UnitOfWorkContract"]

MakeUnit = Callable[[], UnitOfWork]

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

HOSTILE_TEXTS = (
    "Robert'); DROP TABLE leadmodel_leads;--",
    "' OR '1'='1",
    'quote " and backslash \\ and percent %s %(x)s ?',
    "NUL \x00 inside",
    "emoji 👩\u200d💻🇺🇦 and combining é",
    "RTL: שלום עולם مرحبا\u202e reversed",
    "line\nbreaks\r\nand\ttabs",
)
"""Texts that break naive storage code; every adapter must store them verbatim."""


def _lead(n: int, **overrides: Any) -> Lead:
    fields: dict[str, Any] = {
        "id": LeadId(f"lead-{n:04d}"),
        "person_name": f"Person {n}",
        "contact_points": (ContactPoint.email(f"person{n}@example.com"),),
        "topic": "windows",
        "source": Source(channel=Channel.form),
        "created_at": AT + timedelta(hours=n),
    }
    fields.update(overrides)
    return Lead(**fields)


def _in_status(lead: Lead, pipeline: str, status: str) -> Lead:
    change = StatusChange(
        pipeline=pipeline, from_status=None, to_status=status, at=lead.created_at, by="anna"
    )
    return attrs.evolve(lead, pipeline=pipeline, status=status, history=(change,))


def _samples() -> dict[str, Any]:
    """One valid entity of each kind, ids distinct."""
    contact = Contact(
        id=ContactId("contact-1"),
        name="Олена Коваль",
        contact_points=(ContactPoint.phone("+380 44 123 4567"),),
    )
    company = Company(id=CompanyId("company-1"), name="Acme", domain="acme.example")
    return {
        "interests": Interest(
            id=InterestId("interest-1"),
            occurred_at=AT,
            source=Source(channel=Channel.instagram_comment),
            topic="summer sale",
            owner="anna",
        ),
        "leads": _lead(1, owner="anna"),
        "contacts": contact,
        "companies": company,
        "customers": Customer(
            id=CustomerId("customer-1"),
            kind=CustomerKind.company,
            since=AT,
            origin=CustomerOrigin.from_lead,
            company_id=company.id,
        ),
    }


class UnitOfWorkContract(HostileInputContract):
    """The contract of :class:`~leadmodel.storage.UnitOfWork` and its repositories (with
    :class:`~leadmodel.testing._hostile.HostileInputContract`: bad arguments, answered alike)."""

    @pytest.fixture
    def make_uow(self) -> MakeUnit:
        """Override: return a callable making units of work over one fresh, empty store."""
        raise NotImplementedError("subclass UnitOfWorkContract and define the make_uow fixture")

    # -- add / get ---------------------------------------------------------------------------------
    @pytest.mark.parametrize("kind", KINDS)
    def test_added_entity_is_read_back_equal(self, make_uow: MakeUnit, kind: str) -> None:
        """add + commit, then get in another unit, returns an equal entity."""
        entity = _samples()[kind]
        with make_uow() as uow:
            getattr(uow, kind).add(entity)
            uow.commit()
        with make_uow() as uow:
            assert getattr(uow, kind).get(entity.id) == entity

    def test_get_of_unknown_id_raises_not_found(self, make_uow: MakeUnit) -> None:
        """get(id) raises NotFoundError when nothing has the id."""
        with make_uow() as uow, pytest.raises(NotFoundError) as caught:
            uow.leads.get("nobody")
        assert (caught.value.kind, caught.value.id) == ("leads", "nobody")

    @pytest.mark.parametrize("kind", KINDS)
    def test_not_found_names_the_kind_and_the_id(self, make_uow: MakeUnit, kind: str) -> None:
        """NotFoundError of get, save and remove carries ``kind`` (the repository) and ``id``."""
        missing = attrs.evolve(_samples()[kind], id="nobody")
        with make_uow() as uow:
            repository = getattr(uow, kind)
            calls: list[Callable[[], object]] = [
                lambda: repository.get("nobody"),
                lambda: repository.save(missing),
                lambda: repository.remove("nobody"),
            ]
            for call in calls:
                with pytest.raises(NotFoundError) as caught:
                    call()
                assert (caught.value.kind, caught.value.id) == (kind, "nobody")

    def test_adding_a_stored_id_raises_concurrency(self, make_uow: MakeUnit) -> None:
        """add of an id that exists raises ConcurrencyError (someone stored it first)."""
        with make_uow() as uow:
            uow.leads.add(_lead(1))
            uow.commit()
        with make_uow() as uow, pytest.raises(ConcurrencyError) as caught:
            uow.leads.add(_lead(1, person_name="Someone Else"))
        error = caught.value
        assert (error.kind, error.id, error.expected, error.found) == (
            "leads",
            "lead-0001",
            None,
            0,
        )

    def test_add_many_is_all_or_nothing(self, make_uow: MakeUnit) -> None:
        """add_many with one id already stored adds none of the batch."""
        with make_uow() as uow:
            uow.leads.add(_lead(3))
            uow.commit()
        with make_uow() as uow:
            with pytest.raises(ConcurrencyError):
                uow.leads.add_many([_lead(1), _lead(2), _lead(3), _lead(4)])
            uow.commit()
        with make_uow() as uow:
            assert [lead.id for lead in uow.leads.iter_all()] == ["lead-0003"]

    def test_add_many_refuses_an_id_twice_in_one_batch(self, make_uow: MakeUnit) -> None:
        """add_many with the same id twice raises ConcurrencyError and adds nothing."""
        with make_uow() as uow:
            with pytest.raises(ConcurrencyError):
                uow.leads.add_many([_lead(1), _lead(2), _lead(1)])
            assert uow.leads.count() == 0

    def test_add_refuses_an_entity_of_another_kind(self, make_uow: MakeUnit) -> None:
        """A repository stores its own kind only; anything else is a ValidationError."""
        with make_uow() as uow, pytest.raises(ValidationError):
            uow.leads.add(_samples()["contacts"])

    # -- save: optimistic concurrency --------------------------------------------------------------
    def test_save_stores_the_next_version(self, make_uow: MakeUnit) -> None:
        """save returns the entity at version + 1, and that is what is stored."""
        with make_uow() as uow:
            uow.leads.add(_lead(1))
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
            uow.leads.add(_lead(1))
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
            uow.leads.add(_lead(1))
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
                uow.leads.add(_lead(1))
            with pytest.raises(ConcurrencyError) as twice:
                uow.leads.add_many([_lead(2), _lead(2)])

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
            uow.leads.add(_lead(1))
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
            lead = uow.leads.add(_lead(1))
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
            uow.leads.save(_lead(9))

    # -- remove ------------------------------------------------------------------------------------
    def test_remove_deletes_and_frees_the_keys(self, make_uow: MakeUnit) -> None:
        """remove deletes the entity; its match keys no longer find it."""
        lead = _lead(1)
        with make_uow() as uow:
            uow.leads.add(lead)
            uow.commit()
        with make_uow() as uow:
            uow.leads.remove("lead-0001")
            uow.commit()
        with make_uow() as uow:
            with pytest.raises(NotFoundError):
                uow.leads.get("lead-0001")
            with pytest.raises(NotFoundError):
                uow.leads.remove("lead-0001")
            assert uow.leads.find(key="email:person1@example.com") == []

    # -- units of work: all or nothing -------------------------------------------------------------
    def test_leaving_without_commit_rolls_back(self, make_uow: MakeUnit) -> None:
        """Changes and events of a unit that is not committed are gone."""
        with make_uow() as uow:
            uow.leads.add(_lead(1))
            uow.emit(_created("lead-0001"))
        with make_uow() as uow:
            assert uow.leads.count() == 0
            assert uow.outbox.pending() == []

    def test_an_exception_rolls_back(self, make_uow: MakeUnit) -> None:
        """An exception inside ``with`` undoes every change of the unit."""
        with make_uow() as uow:
            uow.leads.add(_lead(1))
            uow.commit()
        with pytest.raises(RuntimeError, match="boom"), make_uow() as uow:
            uow.leads.save(attrs.evolve(uow.leads.get("lead-0001"), owner="boris"))
            uow.leads.add(_lead(2))
            uow.contacts.add(_samples()["contacts"])
            raise RuntimeError("boom")
        with make_uow() as uow:
            assert uow.leads.get("lead-0001").owner is None
            assert (uow.leads.count(), uow.contacts.count()) == (1, 0)

    def test_rollback_undoes_the_unit_so_far(self, make_uow: MakeUnit) -> None:
        """rollback() drops what the unit did; later work in the block can still commit."""
        with make_uow() as uow:
            uow.leads.add(_lead(1))
            uow.rollback()
            uow.leads.add(_lead(2))
            uow.commit()
        with make_uow() as uow:
            assert [lead.id for lead in uow.leads.iter_all()] == ["lead-0002"]

    def test_a_unit_reads_its_own_writes(self, make_uow: MakeUnit) -> None:
        """Inside the unit, get/find/count/iter_all see the unit's uncommitted changes."""
        with make_uow() as uow:
            uow.leads.add(_lead(1, owner="anna"))
            uow.leads.add(_lead(2, owner="anna"))
            uow.leads.remove("lead-0001")
            assert uow.leads.get("lead-0002").owner == "anna"
            assert [x.id for x in uow.leads.find(owner="anna")] == ["lead-0002"]
            assert uow.leads.count() == 1
            assert [x.id for x in uow.leads.iter_all()] == ["lead-0002"]

    def test_work_after_a_commit_in_the_same_block(self, make_uow: MakeUnit) -> None:
        """After commit() the block may go on: a new transaction, committed or rolled back."""
        with make_uow() as uow:
            uow.leads.add(_lead(1))
            uow.commit()
            uow.leads.add(_lead(2))
        with make_uow() as uow:
            assert [lead.id for lead in uow.leads.iter_all()] == ["lead-0001"]

    def test_outside_with_is_an_error(self, make_uow: MakeUnit) -> None:
        """Repositories are used inside ``with uow:``; outside, StorageError says so."""
        uow = make_uow()
        with pytest.raises(StorageError):
            uow.leads.get("lead-0001")

    def test_units_do_not_nest(self, make_uow: MakeUnit) -> None:
        """Entering a unit that is already entered raises StorageError."""
        uow = make_uow()
        with uow, pytest.raises(StorageError), uow:
            pass  # pragma: no cover - the inner ``with`` raises

    # -- find and paging ---------------------------------------------------------------------------
    def test_find_filters_like_a_list_comprehension(self, make_uow: MakeUnit) -> None:
        """Every filter, alone and combined, returns what filtering in Python returns."""
        leads = _many_leads(24)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for filters, keep in _filter_cases():
                expected = sorted(x.id for x in leads if keep(x))
                assert expected, filters  # every case selects something
                assert [x.id for x in uow.leads.find(**filters)] == expected, filters
            assert [x.id for x in uow.leads.find(owner="anna", limit=2)] == sorted(
                x.id for x in leads if x.owner == "anna"
            )[:2]
            assert len(uow.leads.find()) == len(leads)

    def test_find_by_match_key_follows_saves(self, make_uow: MakeUnit) -> None:
        """find(key=...) uses the keys of the stored version: a changed email moves it."""
        lead = _lead(1)
        with make_uow() as uow:
            uow.leads.add(lead)
            uow.commit()
        key = next(k for k in match_keys(lead) if k.kind == "email")
        with make_uow() as uow:
            assert [x.id for x in uow.leads.find(key=key)] == ["lead-0001"]
            moved = attrs.evolve(lead, contact_points=(ContactPoint.email("new@example.com"),))
            uow.leads.save(moved)
            uow.commit()
        with make_uow() as uow:
            assert uow.leads.find(key=key) == []
            assert [x.id for x in uow.leads.find(key="email:new@example.com")] == ["lead-0001"]

    def test_customers_are_found_by_the_records_they_link_to(self, make_uow: MakeUnit) -> None:
        """Customers have keys ``contact_id:…``, ``company_id:…`` and ``lead_id:…``."""
        person = Customer(
            id=CustomerId("customer-2"),
            kind=CustomerKind.person,
            since=AT,
            origin=CustomerOrigin.from_lead,
            contact_id=ContactId("contact-1"),
            lead_ids=(LeadId("lead-0001"), LeadId("lead-0002")),
        )
        with make_uow() as uow:
            uow.customers.add_many([_samples()["customers"], person])
            uow.commit()
        with make_uow() as uow:
            assert [c.id for c in uow.customers.find(key="contact_id:contact-1")] == ["customer-2"]
            assert [c.id for c in uow.customers.find(key="company_id:company-1")] == ["customer-1"]
            assert [c.id for c in uow.customers.find(key="lead_id:lead-0002")] == ["customer-2"]
            uow.customers.save(attrs.evolve(person, contact_id=ContactId("contact-9")))
            uow.commit()
        with make_uow() as uow:
            assert uow.customers.find(key="contact_id:contact-1") == []
            assert [c.id for c in uow.customers.find(key="contact_id:contact-9")] == ["customer-2"]

    def test_find_refuses_filters_the_kind_lacks(self, make_uow: MakeUnit) -> None:
        """A filter the kind does not have, or a bad filter value, is a ValidationError with
        a problem whose ``path`` is the filter's name."""
        refused: list[tuple[str, Callable[[], object]]] = [
            ("status", lambda: uow.contacts.find(status="new")),
            ("created_from", lambda: uow.leads.find(created_from=datetime(2026, 1, 1))),  # naive
            ("key", lambda: uow.leads.find(key="no-kind")),
            ("limit", lambda: uow.leads.find(limit=-1)),
        ]
        with make_uow() as uow:
            for name, call in refused:
                with pytest.raises(ValidationError) as caught:
                    call()
                assert name in [problem.path for problem in caught.value.problems], name

    def test_find_with_limit_zero_returns_nothing(self, make_uow: MakeUnit) -> None:
        """find(limit=n) returns the first n matches in id order; limit=0 returns none."""
        leads = _many_leads(5)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            assert uow.leads.find(limit=0) == []
            assert uow.leads.find(owner="anna", limit=0) == []
            assert [x.id for x in uow.leads.find(limit=1)] == ["lead-0000"]
            assert [x.id for x in uow.leads.find(limit=3)] == [x.id for x in leads[:3]]

    def test_iter_all_walks_every_entity_in_id_order(self, make_uow: MakeUnit) -> None:
        """iter_all returns each stored entity once, in id order, whatever the page size."""
        leads = _many_leads(11)
        with make_uow() as uow:
            uow.leads.add_many(reversed(leads))
            uow.commit()
        with make_uow() as uow:
            for size in (1, 3, 11, 500):
                assert [x.id for x in uow.leads.iter_all(page_size=size)] == [x.id for x in leads]
            with pytest.raises(ValidationError):
                list(uow.leads.iter_all(page_size=0))
            assert uow.leads.count() == 11

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )
    @given(data=st.data())
    def test_paging_visits_every_match_once_in_id_order(
        self, make_uow: MakeUnit, data: st.DataObject
    ) -> None:
        """Following ``after`` page by page (find, and page's ``next``), any filter, any page
        size: every match exactly once, in id order; count says how many (random ids, ordered
        by code point on every adapter, whatever the database's collation)."""
        serial = next(_SERIAL)
        owner = f"pager-{serial}"  # this example's leads only: the store outlives examples
        ids = data.draw(st.lists(_PAGED_IDS, max_size=30, unique=True), label="ids")
        places = data.draw(
            st.lists(st.sampled_from(_PLACES), min_size=len(ids), max_size=len(ids)),
            label="places",
        )
        leads = [
            _placed(_lead(n, id=f"{text}~{serial}", owner=owner), place)
            for n, (text, place) in enumerate(zip(ids, places, strict=True))
        ]
        wanted: dict[str, Any] = {"owner": owner, **data.draw(_COLUMNS, label="filters")}
        size = data.draw(st.integers(min_value=1, max_value=8), label="page size")
        expected = sorted(x.id for x in leads if all(getattr(x, f) == v for f, v in wanted.items()))
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            assert _paged_ids(uow, size, **wanted) == expected
            assert _followed_ids(uow, size, **wanted) == expected
            assert uow.leads.count(**wanted) == len(expected)

    def test_after_the_last_id_finds_nothing(self, make_uow: MakeUnit) -> None:
        """``after`` at or beyond the last id: find returns [], page an empty last page."""
        leads = _many_leads(6)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for after in (leads[-1].id, "lead-9999", "\U0010ffff"):
                assert uow.leads.find(after=after) == []
                assert uow.leads.find(after=after, limit=3, owner="anna") == []
                assert uow.leads.page(after=after) == Page[Lead](items=(), next=None)
            assert [x.id for x in uow.leads.find(after=leads[-2].id)] == [leads[-1].id]
            assert [x.id for x in uow.leads.find(after="a")] == [x.id for x in leads]

    def test_after_combines_with_every_filter(self, make_uow: MakeUnit) -> None:
        """find(after=id, **filters) is find(**filters) without the ids up to ``after``, for
        every filter alone and combined, with and without a limit."""
        leads = _many_leads(24)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for filters, _ in _filter_cases():
                everything = [x.id for x in uow.leads.find(**filters)]
                for after in (everything[0], everything[len(everything) // 2], "lead-0004"):
                    rest = [i for i in everything if i > after]
                    assert [x.id for x in uow.leads.find(after=after, **filters)] == rest, filters
                    found = uow.leads.find(after=after, limit=2, **filters)
                    assert [x.id for x in found] == rest[:2], filters

    def test_count_takes_the_filters_of_find(self, make_uow: MakeUnit) -> None:
        """count(**filters) == len(find(**filters)) for every filter alone and combined;
        count() with none counts every stored entity."""
        leads = _many_leads(24)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for filters, keep in _filter_cases():
                expected = sum(1 for x in leads if keep(x))
                assert uow.leads.count(**filters) == len(uow.leads.find(**filters)) == expected
            assert uow.leads.count() == len(leads)
            assert uow.leads.count(owner="nobody") == 0
            assert uow.contacts.count(key="email:shared@example.com") == 0

    def test_page_says_whether_another_page_follows(self, make_uow: MakeUnit) -> None:
        """page(limit=n) holds at most n entities; ``next`` is the last one's id when more
        follow, and None on the last page, even when that page is full."""
        leads = _many_leads(6)
        ids = [x.id for x in leads]
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            first = uow.leads.page(limit=3)
            assert ([x.id for x in first.items], first.next) == (ids[:3], ids[2])
            last = uow.leads.page(after=first.next, limit=3)
            assert ([x.id for x in last.items], last.next) == (ids[3:], None)
            whole = uow.leads.page()
            assert (len(whole.items), whole.next) == (6, None)
            assert isinstance(whole.items, tuple)
            column = uow.leads.page(pipeline="requests", status="new", limit=1)
            expected = [x.id for x in leads if (x.pipeline, x.status) == ("requests", "new")]
            assert [x.id for x in column.items] == expected[:1]
            assert column.next == expected[0]

    @pytest.mark.parametrize("bad", [5, b"lead-0001", "", "lead-\ud800", ["lead-0001"], 1.5])
    def test_a_bad_after_is_a_validation_error(self, make_uow: MakeUnit, bad: Any) -> None:
        """``after`` that is not a non-empty string of Unicode text is a ValidationError whose
        problem's path is ``after`` (never a TypeError or a driver error), in find and page;
        count takes no ``after`` or ``limit``, and page no limit below 1."""
        refused: list[tuple[str, Callable[[], object]]] = [
            ("after", lambda: uow.leads.find(after=bad)),
            ("after", lambda: uow.leads.find(after=bad, owner="anna", limit=2)),
            ("after", lambda: uow.leads.page(after=bad)),
            ("after", lambda: uow.leads.count(after="lead-0001")),  # type: ignore[call-arg]
            ("limit", lambda: uow.leads.count(limit=5)),  # type: ignore[call-arg]
            ("limit", lambda: uow.leads.page(limit=0)),
            ("limit", lambda: uow.leads.page(limit=None)),  # type: ignore[arg-type]
        ]
        with make_uow() as uow:
            uow.leads.add(_lead(1))
            for name, call in refused:
                with pytest.raises(ValidationError) as caught:
                    call()
                assert name in [problem.path for problem in caught.value.problems], name

    def test_paging_sees_the_units_own_writes(self, make_uow: MakeUnit) -> None:
        """Inside a unit, find(after=...), page and count see its uncommitted adds, saves
        (a lead moved out of the column) and removes."""
        column: dict[str, Any] = {"pipeline": "requests", "status": "new"}
        leads = [_in_status(_lead(n), "requests", "new") for n in range(1, 9)]
        with make_uow() as uow:
            uow.leads.add_many(leads[::2])  # 1, 3, 5, 7
            uow.commit()
        with make_uow() as uow:
            uow.leads.add_many(leads[1::2])  # 2, 4, 6, 8
            uow.leads.remove("lead-0003")
            uow.leads.save(_in_status(uow.leads.get("lead-0005"), "requests", "contacted"))
            expected = [f"lead-{n:04d}" for n in (1, 2, 4, 6, 7, 8)]
            assert _paged_ids(uow, 2, **column) == expected
            assert _followed_ids(uow, 4, **column) == expected
            assert [x.id for x in uow.leads.find(after="lead-0002", limit=2, **column)] == [
                "lead-0004",
                "lead-0006",
            ]
            assert uow.leads.count(**column) == len(expected)
            assert uow.leads.count(status="contacted") == 1

    # -- the outbox --------------------------------------------------------------------------------
    def test_events_reach_the_outbox_on_commit(self, make_uow: MakeUnit) -> None:
        """Emitted events are pending after commit, in order; published ones are not."""
        with make_uow() as uow:
            uow.emit(_created("lead-0001"))
            uow.emit(_moved("lead-0001"))
            assert [type(e) for e in uow.events] == [LeadCreated, StatusChanged]
            uow.commit()
            assert uow.events == ()
        with make_uow() as uow:
            pending = uow.outbox.pending()
            assert [type(e.event) for e in pending] == [LeadCreated, StatusChanged]
            assert pending[0].event == _created("lead-0001")
            assert pending[0].seq < pending[1].seq
            uow.outbox.mark_published([pending[0].seq])
            uow.commit()
        with make_uow() as uow:
            assert [e.event for e in uow.outbox.pending()] == [_moved("lead-0001")]
            assert uow.outbox.pending(limit=1)[0].seq == pending[1].seq

    def test_emit_takes_domain_events_only(self, make_uow: MakeUnit) -> None:
        """emit of anything but a domain event is a ValidationError."""
        with make_uow() as uow, pytest.raises(ValidationError):
            uow.emit("LeadCreated")  # type: ignore[arg-type]

    # -- hostile input -----------------------------------------------------------------------------
    def test_hostile_text_is_stored_verbatim(self, make_uow: MakeUnit) -> None:
        """Injection strings, NUL, emoji, RTL and a 1 MB note come back exactly."""
        note = ("Примітка 📝 " * 90_000)[:1_000_000]
        leads = [
            _lead(i, person_name=text, owner=text, custom={"note": text, "big": note})
            for i, text in enumerate(HOSTILE_TEXTS)
        ]
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            assert list(uow.leads.iter_all()) == leads
            for lead in leads:
                assert [x.id for x in uow.leads.find(owner=lead.owner)] == [lead.id]

    # -- every valid entity round-trips ------------------------------------------------------------
    @settings(
        max_examples=25,
        deadline=None,
        # one fresh store per test (function-scoped), and one subclass per adapter (executors)
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )
    @given(data=st.data())
    def test_any_entity_round_trips(self, make_uow: MakeUnit, data: st.DataObject) -> None:
        """Whatever valid entity the strategies make is read back equal (fresh id per example)."""
        kind = data.draw(st.sampled_from(KINDS))
        made: st.SearchStrategy[Any] = {
            "interests": strategies.interests(),
            "leads": strategies.leads(),
            "contacts": strategies.contacts(),
            "companies": strategies.companies(),
            "customers": strategies.customers(),
        }[kind]
        entity = attrs.evolve(data.draw(made), id=f"rt-{next(_SERIAL)}")
        with make_uow() as uow:
            getattr(uow, kind).add(entity)
            uow.commit()
        with make_uow() as uow:
            assert getattr(uow, kind).get(entity.id) == entity


_SERIAL = itertools.count()
_RACE_WAIT = 60.0  # seconds a racing unit may wait for the other before the test gives up


def _close(unit: object) -> None:
    """Close a unit that has ``close`` (a connection a thread made is closed by that thread)."""
    close = getattr(unit, "close", None)
    if callable(close):
        close()


def _filter_cases() -> list[tuple[dict[str, Any], Callable[[Lead], bool]]]:
    """find's filters alone and combined, with what each keeps, for :func:`_many_leads`."""
    start, end = AT + timedelta(hours=5), AT + timedelta(hours=15)
    return [
        ({"status": "new"}, lambda x: x.status == "new"),
        ({"pipeline": "deals"}, lambda x: x.pipeline == "deals"),
        ({"owner": "anna"}, lambda x: x.owner == "anna"),
        ({"created_from": start}, lambda x: x.created_at >= start),
        ({"created_to": end}, lambda x: x.created_at < end),
        (
            {"owner": "boris", "pipeline": "requests", "created_from": start},
            lambda x: x.owner == "boris" and x.pipeline == "requests" and x.created_at >= start,
        ),
        (
            {"pipeline": "requests", "status": "new"},
            lambda x: (x.pipeline, x.status) == ("requests", "new"),
        ),
        ({"key": "email:shared@example.com"}, lambda x: "shared" in x.contact_points[0].value),
        (
            {"key": "email:shared@example.com", "created_to": end},
            lambda x: "shared" in x.contact_points[0].value and x.created_at < end,
        ),
    ]


# Ids of the paging property: code points whose order differs from most collations (case,
# NUL and PostgreSQL's escape byte, beyond the BMP), and a blank-free first character.
_PAGED_IDS = st.text(st.sampled_from("aAbB-0 \x00\x01Ωω🦊"), min_size=1, max_size=6).filter(
    str.strip
)
_PLACES = (("requests", "new"), ("requests", "contacted"), ("deals", "new"), (None, None))
_COLUMNS = st.sampled_from(
    [{}, {"pipeline": "requests", "status": "new"}, {"status": "new"}, {"pipeline": "deals"}]
)


def _placed(lead: Lead, place: tuple[str | None, str | None]) -> Lead:
    pipeline, status = place
    return lead if pipeline is None or status is None else _in_status(lead, pipeline, status)


def _paged_ids(uow: UnitOfWork, size: int, **filters: Any) -> list[str]:
    """The ids of every lead passing ``filters``, read with find(after=..., limit=size)."""
    seen: list[str] = []
    after: str | None = None
    while True:
        page = uow.leads.find(after=after, limit=size, **filters)
        assert len(page) <= size
        _assert_beyond(after, [x.id for x in page])
        seen += [x.id for x in page]
        if len(page) < size:
            return seen
        after = page[-1].id


def _followed_ids(uow: UnitOfWork, size: int, **filters: Any) -> list[str]:
    """The ids of every lead passing ``filters``, read with page() following ``next``."""
    seen: list[str] = []
    after: str | None = None
    while True:
        page = uow.leads.page(after=after, limit=size, **filters)
        _assert_beyond(after, [x.id for x in page.items])
        seen += [x.id for x in page.items]
        if page.next is None:
            return seen
        assert len(page.items) == size
        assert page.next == page.items[-1].id
        after = page.next


def _assert_beyond(after: str | None, ids: list[str]) -> None:
    """A page's ids rise and lie above ``after`` (so a broken adapter fails, never loops)."""
    assert ids == sorted(set(ids)), ids
    assert after is None or not ids or ids[0] > after, (after, ids)


def _many_leads(n: int) -> list[Lead]:
    owners = ("anna", "boris", None)
    places = (("requests", "new"), ("requests", "contacted"), ("deals", "new"), (None, None))
    leads = []
    for i in range(n):
        email = "shared@example.com" if i % 5 == 0 else f"person{i}@example.com"
        lead = _lead(i, owner=owners[i % 3], contact_points=(ContactPoint.email(email),))
        pipeline, status = places[i % 4]
        leads.append(lead if pipeline is None else _in_status(lead, pipeline, status or ""))
    return leads


def _created(lead_id: str) -> LeadCreated:
    return LeadCreated(lead_id=lead_id, interest_ids=(), at=AT, by="anna")


def _moved(lead_id: str) -> StatusChanged:
    return StatusChanged(
        lead_id=lead_id, pipeline="requests", from_status=None, to_status="new", at=AT, by="anna"
    )
