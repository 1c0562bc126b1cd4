"""The paging part of the storage contract: keyset pages, ``count`` and their filters.

:class:`PagingContract` is mixed into :class:`~leadmodel.testing.contract.UnitOfWorkContract`,
so it runs on every adapter that runs the contract. It checks ``find(after=...)``, ``page(...)``
and ``count(**filters)``: every match once, in id order (by code point, whatever the database's
collation), under every filter, with the unit's own uncommitted writes, and a bad ``after``
refused with a ValidationError naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadmodel.domain.model import Lead
from leadmodel.errors import ValidationError
from leadmodel.storage.protocols import Page, UnitOfWork
from leadmodel.testing._samples import (
    SERIAL,
    filter_cases,
    in_status,
    many_leads,
    numbered_lead,
    property_settings,
)

__all__ = ["PagingContract"]

MakeUnit = Callable[[], UnitOfWork]


class PagingContract:
    """find(after=...), page and count(**filters): keyset paging, alike on every adapter."""

    @property_settings()
    @given(data=st.data())
    def test_paging_visits_every_match_once_in_id_order(
        self, make_uow: MakeUnit, data: st.DataObject
    ) -> None:
        """Following ``after`` page by page (find, and page's ``next``), any filter, any page
        size: every match exactly once, in id order; count says how many (random ids, ordered
        by code point on every adapter, whatever the database's collation)."""
        serial = next(SERIAL)
        owner = f"pager-{serial}"  # this example's leads only: the store outlives examples
        ids = data.draw(st.lists(_PAGED_IDS, max_size=30, unique=True), label="ids")
        places = data.draw(
            st.lists(st.sampled_from(_PLACES), min_size=len(ids), max_size=len(ids)),
            label="places",
        )
        leads = [
            _placed(numbered_lead(n, id=f"{text}~{serial}", owner=owner), place)
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
        leads = many_leads(6)
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
        leads = many_leads(24)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for filters, _ in filter_cases():
                everything = [x.id for x in uow.leads.find(**filters)]
                for after in (everything[0], everything[len(everything) // 2], "lead-0004"):
                    rest = [i for i in everything if i > after]
                    assert [x.id for x in uow.leads.find(after=after, **filters)] == rest, filters
                    found = uow.leads.find(after=after, limit=2, **filters)
                    assert [x.id for x in found] == rest[:2], filters

    def test_count_takes_the_filters_of_find(self, make_uow: MakeUnit) -> None:
        """count(**filters) == len(find(**filters)) for every filter alone and combined;
        count() with none counts every stored entity."""
        leads = many_leads(24)
        with make_uow() as uow:
            uow.leads.add_many(leads)
            uow.commit()
        with make_uow() as uow:
            for filters, keep in filter_cases():
                expected = sum(1 for x in leads if keep(x))
                assert uow.leads.count(**filters) == len(uow.leads.find(**filters)) == expected
            assert uow.leads.count() == len(leads)
            assert uow.leads.count(owner="nobody") == 0
            assert uow.contacts.count(key="email:shared@example.com") == 0

    def test_page_says_whether_another_page_follows(self, make_uow: MakeUnit) -> None:
        """page(limit=n) holds at most n entities; ``next`` is the last one's id when more
        follow, and None on the last page, even when that page is full."""
        leads = many_leads(6)
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
            uow.leads.add(numbered_lead(1))
            for name, call in refused:
                with pytest.raises(ValidationError) as caught:
                    call()
                assert name in [problem.path for problem in caught.value.problems], name

    def test_paging_sees_the_units_own_writes(self, make_uow: MakeUnit) -> None:
        """Inside a unit, find(after=...), page and count see its uncommitted adds, saves
        (a lead moved out of the column) and removes."""
        column: dict[str, Any] = {"pipeline": "requests", "status": "new"}
        leads = [in_status(numbered_lead(n), "requests", "new") for n in range(1, 9)]
        with make_uow() as uow:
            uow.leads.add_many(leads[::2])  # 1, 3, 5, 7
            uow.commit()
        with make_uow() as uow:
            uow.leads.add_many(leads[1::2])  # 2, 4, 6, 8
            uow.leads.remove("lead-0003")
            uow.leads.save(in_status(uow.leads.get("lead-0005"), "requests", "contacted"))
            expected = [f"lead-{n:04d}" for n in (1, 2, 4, 6, 7, 8)]
            assert _paged_ids(uow, 2, **column) == expected
            assert _followed_ids(uow, 4, **column) == expected
            assert [x.id for x in uow.leads.find(after="lead-0002", limit=2, **column)] == [
                "lead-0004",
                "lead-0006",
            ]
            assert uow.leads.count(**column) == len(expected)
            assert uow.leads.count(status="contacted") == 1


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
    return lead if pipeline is None or status is None else in_status(lead, pipeline, status)


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
