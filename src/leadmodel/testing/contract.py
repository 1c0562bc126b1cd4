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

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadmodel.domain.capture.consent import rehome
from leadmodel.domain.events import LeadCreated, StatusChanged
from leadmodel.domain.ladder import reply_owed_since
from leadmodel.domain.matching import match_keys
from leadmodel.domain.model import Customer, CustomerKind, CustomerOrigin
from leadmodel.domain.routing import idle_since
from leadmodel.domain.values import ContactId, ContactPoint, CustomerId, LeadId
from leadmodel.errors import ConcurrencyError, NotFoundError, StorageError, ValidationError
from leadmodel.storage.protocols import KINDS, UnitOfWork
from leadmodel.testing import strategies
from leadmodel.testing._concurrency import ConcurrencyContract
from leadmodel.testing._hostile import HostileInputContract
from leadmodel.testing._paging import PagingContract
from leadmodel.testing._samples import (
    AT,
    SERIAL,
    filter_cases,
    many_leads,
    numbered_lead,
    property_settings,
    samples,
)
from leadmodel.testing._states import StateStoreContract

__all__ = ["HOSTILE_TEXTS", "UnitOfWorkContract"]

MakeUnit = Callable[[], UnitOfWork]

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


class UnitOfWorkContract(
    ConcurrencyContract, PagingContract, HostileInputContract, StateStoreContract
):
    """The contract of :class:`~leadmodel.storage.UnitOfWork` and its repositories, with its
    parts: :class:`~leadmodel.testing._concurrency.ConcurrencyContract` (save and versions),
    :class:`~leadmodel.testing._paging.PagingContract` (find after, page, count),
    :class:`~leadmodel.testing._hostile.HostileInputContract` (bad arguments, answered alike)
    and :class:`~leadmodel.testing._states.StateStoreContract` (``uow.states``)."""

    @pytest.fixture
    def make_uow(self) -> MakeUnit:
        """Override: return a callable making units of work over one fresh, empty store."""
        raise NotImplementedError("subclass UnitOfWorkContract and define the make_uow fixture")

    # -- add / get ---------------------------------------------------------------------------------
    @pytest.mark.parametrize("kind", KINDS)
    def test_added_entity_is_read_back_equal(self, make_uow: MakeUnit, kind: str) -> None:
        """add + commit, then get in another unit, returns an equal entity."""
        entity = samples()[kind]
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
        missing = _with_id(samples()[kind], "nobody")
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
            uow.leads.add(numbered_lead(1))
            uow.commit()
        with make_uow() as uow, pytest.raises(ConcurrencyError) as caught:
            uow.leads.add(numbered_lead(1, person_name="Someone Else"))
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
            uow.leads.add(numbered_lead(3))
            uow.commit()
        with make_uow() as uow:
            with pytest.raises(ConcurrencyError):
                uow.leads.add_many(
                    [numbered_lead(1), numbered_lead(2), numbered_lead(3), numbered_lead(4)]
                )
            uow.commit()
        with make_uow() as uow:
            assert [lead.id for lead in uow.leads.iter_all()] == ["lead-0003"]

    def test_add_many_refuses_an_id_twice_in_one_batch(self, make_uow: MakeUnit) -> None:
        """add_many with the same id twice raises ConcurrencyError and adds nothing."""
        with make_uow() as uow:
            with pytest.raises(ConcurrencyError):
                uow.leads.add_many([numbered_lead(1), numbered_lead(2), numbered_lead(1)])
            assert uow.leads.count() == 0

    def test_add_refuses_an_entity_of_another_kind(self, make_uow: MakeUnit) -> None:
        """A repository stores its own kind only; anything else is a ValidationError."""
        with make_uow() as uow, pytest.raises(ValidationError):
            uow.leads.add(samples()["contacts"])

    # -- remove ------------------------------------------------------------------------------------
    def test_remove_deletes_and_frees_the_keys(self, make_uow: MakeUnit) -> None:
        """remove deletes the entity; its match keys no longer find it."""
        lead = numbered_lead(1)
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
            uow.leads.add(numbered_lead(1))
            uow.emit(_created("lead-0001"))
        with make_uow() as uow:
            assert uow.leads.count() == 0
            assert uow.outbox.pending() == []

    def test_an_exception_rolls_back(self, make_uow: MakeUnit) -> None:
        """An exception inside ``with`` undoes every change of the unit."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.commit()
        with pytest.raises(RuntimeError, match="boom"), make_uow() as uow:
            uow.leads.save(attrs.evolve(uow.leads.get("lead-0001"), owner="boris"))
            uow.leads.add(numbered_lead(2))
            uow.contacts.add(samples()["contacts"])
            raise RuntimeError("boom")
        with make_uow() as uow:
            assert uow.leads.get("lead-0001").owner is None
            assert (uow.leads.count(), uow.contacts.count()) == (1, 0)

    def test_rollback_undoes_the_unit_so_far(self, make_uow: MakeUnit) -> None:
        """rollback() drops what the unit did; later work in the block can still commit."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.rollback()
            uow.leads.add(numbered_lead(2))
            uow.commit()
        with make_uow() as uow:
            assert [lead.id for lead in uow.leads.iter_all()] == ["lead-0002"]

    def test_a_unit_reads_its_own_writes(self, make_uow: MakeUnit) -> None:
        """Inside the unit, get/find/count/iter_all see the unit's uncommitted changes."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1, owner="anna"))
            uow.leads.add(numbered_lead(2, owner="anna"))
            uow.leads.remove("lead-0001")
            assert uow.leads.get("lead-0002").owner == "anna"
            assert [x.id for x in uow.leads.find(owner="anna")] == ["lead-0002"]
            assert uow.leads.count() == 1
            assert [x.id for x in uow.leads.iter_all()] == ["lead-0002"]

    def test_work_after_a_commit_in_the_same_block(self, make_uow: MakeUnit) -> None:
        """After commit() the block may go on: a new transaction, committed or rolled back."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.commit()
            uow.leads.add(numbered_lead(2))
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

    # -- find and iter_all (find after=, page and count: _paging.py) -------------------------------
    def test_find_filters_like_a_list_comprehension(self, make_uow: MakeUnit) -> None:
        """Every filter, alone and combined, returns what filtering in Python returns."""
        leads = many_leads(24)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for filters, keep in filter_cases():
                expected = sorted(x.id for x in leads if keep(x))
                assert expected, filters  # every case selects something
                assert [x.id for x in uow.leads.find(**filters)] == expected, filters
            assert [x.id for x in uow.leads.find(owner="anna", limit=2)] == sorted(
                x.id for x in leads if x.owner == "anna"
            )[:2]
            assert len(uow.leads.find()) == len(leads)

    def test_ids_list_what_find_lists_without_reading_documents(self, make_uow: MakeUnit) -> None:
        """``ids(**filters)`` is the ids of ``find(**filters)``, for every filter, with
        ``after`` and ``limit`` too; a bad filter is refused as find refuses it."""
        leads = many_leads(24)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for filters, _ in filter_cases():
                assert uow.leads.ids(**filters) == [x.id for x in uow.leads.find(**filters)]
            every = [x.id for x in leads]
            assert uow.leads.ids() == sorted(every)
            assert uow.leads.ids(after=sorted(every)[5], limit=3) == sorted(every)[6:9]
            with pytest.raises(ValidationError) as caught:
                uow.contacts.ids(status="new")
            assert [problem.path for problem in caught.value.problems] == ["status"]

    def test_indexed_lists_what_each_entity_indexes(self, make_uow: MakeUnit) -> None:
        """``indexed(**filters)`` lists the rows ``ids(**filters)`` lists, each with what the
        stored entity says of its owner, pipeline, status, creation time and timeline facts
        (an owner too long for an index, or holding NUL, comes back exact)."""
        leads = {lead.id: lead for lead in many_leads(24)}
        odd = attrs.evolve(numbered_lead(99), owner="\x00" + "o" * 300)
        leads[odd.id] = odd
        with make_uow() as uow:
            uow.leads.add_many(leads.values())
            uow.commit()
        with make_uow() as uow:
            for filters, _ in filter_cases():
                rows = uow.leads.indexed(**filters)
                assert [row.id for row in rows] == uow.leads.ids(**filters), filters
            rows = uow.leads.indexed()
            assert [row.id for row in rows] == sorted(leads)
            for row in rows:
                lead = leads[LeadId(row.id)]
                assert row.version == lead.version
                assert (row.owner, row.pipeline, row.status) == (
                    lead.owner,
                    lead.pipeline,
                    lead.status,
                )
                assert row.created_at == lead.created_at
                assert row.reply_owed_since == reply_owed_since(lead)
                assert row.idle_since == idle_since(lead)
            assert [row.id for row in uow.leads.indexed(after=rows[5].id, limit=3)] == [
                row.id for row in rows[6:9]
            ]
            assert uow.contacts.indexed() == []
            with pytest.raises(ValidationError) as caught:
                uow.contacts.indexed(status="new")
            assert [problem.path for problem in caught.value.problems] == ["status"]

    def test_find_by_match_key_follows_saves(self, make_uow: MakeUnit) -> None:
        """find(key=...) uses the keys of the stored version: a changed email moves it."""
        lead = numbered_lead(1)
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
            uow.customers.add_many([samples()["customers"], person])
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
        leads = many_leads(5)
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
        leads = many_leads(11)
        with make_uow() as uow:
            uow.leads.add_many(reversed(leads))
            uow.commit()
        with make_uow() as uow:
            for size in (1, 3, 11, 500):
                assert [x.id for x in uow.leads.iter_all(page_size=size)] == [x.id for x in leads]
            with pytest.raises(ValidationError):
                list(uow.leads.iter_all(page_size=0))
            assert uow.leads.count() == 11

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
            numbered_lead(i, person_name=text, owner=text, custom={"note": text, "big": note})
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
    @property_settings()
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
        entity = _with_id(data.draw(made), f"rt-{next(SERIAL)}")
        with make_uow() as uow:
            getattr(uow, kind).add(entity)
            uow.commit()
        with make_uow() as uow:
            assert getattr(uow, kind).get(entity.id) == entity


def _created(lead_id: str) -> LeadCreated:
    return LeadCreated(lead_id=lead_id, interest_ids=(), at=AT, by="anna")


def _moved(lead_id: str) -> StatusChanged:
    return StatusChanged(
        lead_id=lead_id, pipeline="requests", from_status=None, to_status="new", at=AT, by="anna"
    )


def _with_id(entity: Any, entity_id: str) -> Any:
    """``entity`` under another id; its consent records (about it) follow it."""
    consents = getattr(entity, "consents", None)
    if consents:
        return attrs.evolve(entity, id=entity_id, consents=rehome(consents, entity_id))
    return attrs.evolve(entity, id=entity_id)
