"""Expected versions, on every adapter: every service that changes a stored entity takes
``expected_version``; the stored version passes, any other raises ``ConcurrencyError`` naming
the kind, the id and both versions, and changes nothing (store and outbox as they were)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

import leadmodel as lm
from leadmodel import services
from leadmodel.storage import UnitOfWork

from ._services import (
    AT,
    LATER,
    PHONE,
    PIPELINE,
    MakeUnit,
    add,
    clock,
    contact,
    interest,
    lead,
    snapshot,
)

STORED = 2
"""The version every changed entity is stored at (as if saved twice before)."""


@attrs.frozen
class Case:
    """One service: what to store first, the entity it checks, and the call itself."""

    kind: str
    id: str
    seed: Callable[[UnitOfWork], None]
    call: Callable[[UnitOfWork, int | None], Any]


def _seed_interest(uow: UnitOfWork) -> None:
    add(uow, interest(1, person_name="Olena Koval", contact_points=(PHONE,), version=STORED))


def _seed_lead(uow: UnitOfWork) -> None:
    add(uow, lead(1, version=STORED))


def _seed_lead_in_pipeline(uow: UnitOfWork) -> None:
    add(uow, PIPELINE.enter(lead(1, version=STORED), at=AT, by=None))


def _seed_two_leads(uow: UnitOfWork) -> None:
    add(uow, lead(1, version=STORED), lead(2, contact_points=(PHONE,)))


def _seed_two_contacts(uow: UnitOfWork) -> None:
    add(uow, contact(1, version=STORED), contact(2, contact_points=(PHONE,)))


_ANSWERS = [lm.Answer(criterion="budget", met=True)]

CASES = {
    "promote": Case(
        "interests",
        "int-1",
        _seed_interest,
        lambda uow, v: services.promote(
            uow, "int-1", expected_version=v, clock=clock(), ids=lm.sequential_ids("new")
        ),
    ),
    "move": Case(
        "leads",
        "lead-1",
        _seed_lead_in_pipeline,
        lambda uow, v: services.move(
            uow, "lead-1", PIPELINE, "offer", expected_version=v, clock=clock(LATER)
        ),
    ),
    "assess": Case(
        "leads",
        "lead-1",
        _seed_lead,
        lambda uow, v: services.assess(
            uow, "lead-1", lm.BANT, _ANSWERS, expected_version=v, clock=clock()
        ),
    ),
    "convert": Case(
        "leads",
        "lead-1",
        _seed_lead,
        lambda uow, v: services.convert(
            uow, "lead-1", expected_version=v, clock=clock(), ids=lm.sequential_ids("new")
        ),
    ),
    "merge-leads": Case(
        "leads",
        "lead-1",
        _seed_two_leads,
        lambda uow, v: services.merge(uow, "lead-1", "lead-2", expected_version=v, clock=clock()),
    ),
    "merge-contacts": Case(
        "contacts",
        "contact-1",
        _seed_two_contacts,
        lambda uow, v: services.merge(
            uow, "contact-1", "contact-2", kind="contacts", expected_version=v, clock=clock()
        ),
    ),
}


def _version(uow: UnitOfWork, case: Case) -> int:
    with uow:
        entity = getattr(uow, case.kind).get(case.id)
    version: int = entity.version
    return version


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_service_given_the_stored_version_changes_the_entity(
    make_uow: MakeUnit, name: str
) -> None:
    case = CASES[name]
    case.seed(make_uow())
    case.call(make_uow(), STORED)
    assert _version(make_uow(), case) == STORED + 1


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("expected", [STORED - 1, STORED + 1])
def test_a_service_given_another_version_raises_concurrency_error_and_changes_nothing(
    make_uow: MakeUnit, name: str, expected: int
) -> None:
    case = CASES[name]
    case.seed(make_uow())
    before = snapshot(make_uow())
    with pytest.raises(lm.ConcurrencyError) as raised:
        case.call(make_uow(), expected)
    error = raised.value
    assert (error.kind, error.id, error.expected, error.found) == (
        case.kind,
        case.id,
        expected,
        STORED,
    )
    assert snapshot(make_uow()) == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_service_given_no_expected_version_changes_the_stored_one(
    make_uow: MakeUnit, name: str
) -> None:
    case = CASES[name]
    case.seed(make_uow())
    case.call(make_uow(), None)
    assert _version(make_uow(), case) == STORED + 1


@pytest.mark.parametrize("bad", [-1, True, "2", 2.0])
def test_an_expected_version_that_is_not_a_version_is_a_validation_error(
    make_uow: MakeUnit, bad: Any
) -> None:
    _seed_lead(make_uow())
    before = snapshot(make_uow())
    with pytest.raises(lm.ValidationError) as raised:
        services.assess(make_uow(), "lead-1", lm.BANT, _ANSWERS, expected_version=bad)
    assert [p.path for p in raised.value.problems] == ["expected_version"]
    assert snapshot(make_uow()) == before


def test_an_unknown_id_with_an_expected_version_is_still_not_found(make_uow: MakeUnit) -> None:
    with pytest.raises(lm.NotFoundError) as raised:
        services.move(make_uow(), "lead-9", PIPELINE, "offer", expected_version=0)
    assert (raised.value.kind, raised.value.id) == ("leads", "lead-9")
