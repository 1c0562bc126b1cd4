"""The hostile-input part of the storage contract: every adapter answers bad arguments alike.

:class:`HostileInputContract` is mixed into :class:`~leadmodel.testing.contract.UnitOfWorkContract`,
so it runs on every adapter that runs the contract. Its tests match on error *types* (and on
the documented attributes), never on message text: an adapter may word its messages its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadmodel.domain.model import Lead
from leadmodel.domain.values import Channel, ContactPoint, LeadId, Source
from leadmodel.errors import LeadModelError, NotFoundError, ValidationError
from leadmodel.storage.protocols import KINDS, UnitOfWork
from leadmodel.testing._samples import property_settings

__all__ = ["BAD_FILTERS", "BAD_IDS", "HostileInputContract"]

MakeUnit = Callable[[], UnitOfWork]

_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
_SURROGATE = "\ud800"

BAD_IDS: tuple[object, ...] = (
    _SURROGATE,
    f"lead-{_SURROGATE}",
    None,
    5,
    2**63,
    [],
    {},
    b"",
    b"lead-1",
    "",
    object(),
)
"""Ids no adapter can hold: ``get``/``remove`` raise ValidationError for each."""

BAD_FILTERS: tuple[tuple[str, object], ...] = (
    ("status", _SURROGATE),
    ("owner", f"anna{_SURROGATE}"),
    ("pipeline", 5),
    ("key", f"email:{_SURROGATE}"),
    ("key", "no colon"),
    ("key", 5),
    ("limit", 2**63),
    ("limit", 10**400),
    ("limit", -1),
    ("limit", 1.5),
    ("limit", "10"),
    ("created_from", datetime(2026, 3, 2)),  # naive
    ("created_from", date(2026, 3, 2)),
    ("created_to", "2026-03-02T00:00:00+00:00"),
    ("created_to", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))),
    ("after", 5),
    ("after", ""),
    ("after", _SURROGATE),
    ("name", "x"),
    ("status; DROP TABLE leadmodel_leads; --", 1),
)
"""Filters no adapter accepts for leads: ``find`` raises ValidationError for each."""


def _lead() -> Lead:
    return Lead(
        id=LeadId("lead-1"),
        person_name="Olena",
        contact_points=(ContactPoint.email("olena@example.com"),),
        topic="windows",
        source=Source(channel=Channel.form),
        created_at=_AT,
    )


class HostileInputContract:
    """Bad ids, filters, entities and limits: the same ValidationError on every adapter."""

    @pytest.mark.parametrize("bad_id", BAD_IDS, ids=repr)
    def test_an_id_that_is_not_text_is_a_validation_error(
        self, make_uow: MakeUnit, bad_id: Any
    ) -> None:
        """get and remove refuse an id that is not a non-empty string of Unicode text (a lone
        surrogate included) with ValidationError, before the database sees it."""
        with make_uow() as uow:
            for kind in KINDS:
                repository = getattr(uow, kind)
                with pytest.raises(ValidationError):
                    repository.get(bad_id)
                with pytest.raises(ValidationError):
                    repository.remove(bad_id)

    @pytest.mark.parametrize(("name", "value"), BAD_FILTERS, ids=repr)
    def test_a_filter_that_no_adapter_can_apply_is_a_validation_error(
        self, make_uow: MakeUnit, name: str, value: Any
    ) -> None:
        """find refuses a lone surrogate, a limit past 2**63 - 1, a wrong type, an empty
        ``after`` and an unknown filter name with ValidationError (never TypeError or
        OverflowError)."""
        with make_uow() as uow:
            uow.leads.add(_lead())
            with pytest.raises(ValidationError):
                uow.leads.find(**{name: value})

    def test_the_largest_limit_is_accepted_everywhere(self, make_uow: MakeUnit) -> None:
        """limit=2**63 - 1 is a limit every adapter takes; limit=0 finds nothing."""
        with make_uow() as uow:
            uow.leads.add(_lead())
            assert [lead.id for lead in uow.leads.find(limit=2**63 - 1)] == ["lead-1"]
            assert uow.leads.find(limit=0) == []

    @pytest.mark.parametrize("bad", [None, 5, "lead", b"", [], {}, object()], ids=repr)
    def test_add_and_save_take_only_the_kinds_entities(self, make_uow: MakeUnit, bad: Any) -> None:
        """add, add_many and save refuse what is not an entity of the kind: ValidationError."""
        with make_uow() as uow:
            with pytest.raises(ValidationError):
                uow.leads.add(bad)
            with pytest.raises(ValidationError):
                uow.leads.add_many([bad])
            with pytest.raises(ValidationError):
                uow.leads.save(bad)

    @pytest.mark.parametrize("limit", [0, -1, 2**63, 10**400, 1.5, None, "5"], ids=repr)
    def test_outbox_and_paging_limits_are_validation_errors(
        self, make_uow: MakeUnit, limit: Any
    ) -> None:
        """outbox.pending(limit=...), iter_all(page_size=...) and mark_published refuse values
        out of range or of the wrong type with ValidationError."""
        with make_uow() as uow:
            with pytest.raises(ValidationError):
                uow.outbox.pending(limit=limit)
            with pytest.raises(ValidationError):
                list(uow.leads.iter_all(page_size=limit))
            if limit not in (0, -1, None):  # 0 and -1 are sequence numbers, just unknown ones
                with pytest.raises(ValidationError):
                    uow.outbox.mark_published([limit])

    @property_settings(40)
    @given(
        call=st.sampled_from(["get", "remove", "find", "add", "save"]),
        value=st.sampled_from(BAD_IDS) | st.text(max_size=8) | st.integers() | st.none(),
        filter_name=st.sampled_from(
            ["status", "pipeline", "owner", "key", "created_from", "created_to", "limit", "x"]
        ),
    )
    def test_repository_calls_raise_only_leadmodel_errors(
        self, make_uow: MakeUnit, call: str, value: Any, filter_name: str
    ) -> None:
        """Any value to get/remove/find/add/save: a result, or a LeadModelError (not-found
        and validation alike on every adapter), never a driver or Python error."""
        args: dict[str, Any] = {filter_name: value} if call == "find" else {}
        with make_uow() as uow:
            repository = uow.leads
            try:
                if call == "find":
                    repository.find(**args)
                else:
                    getattr(repository, call)(value)
            except NotFoundError as missing:
                if missing.kind != "leads":
                    pytest.fail(f"NotFoundError.kind is {missing.kind!r}, not 'leads'")
            except LeadModelError:
                pass
