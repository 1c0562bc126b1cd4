"""Edits of the fields a lead checks alone (its owner, its tags) make and check only those, and
give what a full construction gives: the same lead, or the same problems."""

from __future__ import annotations

from typing import Any

import attrs
import hypothesis
import pytest
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.domain.model.entities import LEAD_ALONE
from leadmodel.errors import ValidationError
from leadmodel.testing import strategies as lst
from tests import factories

_TEXT = st.text(max_size=8)
_ANY = st.one_of(st.none(), st.integers(), _TEXT, st.lists(st.integers(), max_size=2))
_OWNERS = st.one_of(st.none(), _TEXT, _ANY)
_TAGS = st.one_of(
    st.frozensets(_TEXT, max_size=3),
    st.lists(st.one_of(_TEXT, st.integers(), st.lists(st.integers(), max_size=1)), max_size=3),
    st.sets(_TEXT, max_size=3),
    _ANY,
)


def _outcome(make: Any) -> tuple[str, Any]:
    try:
        return "made", make()
    except ValidationError as exc:
        return "refused", [(p.path, p.message, repr(p.value)) for p in exc.problems]


@hypothesis.settings(max_examples=300)
@hypothesis.given(
    lead=lst.leads(),
    changes=st.fixed_dictionaries({}, optional={"owner": _OWNERS, "tags": _TAGS}),
)
def test_an_edit_of_fields_checked_alone_equals_a_full_construction(
    lead: lm.Lead, changes: dict[str, Any]
) -> None:
    """Whatever the new owner and tags (valid or not), ``edit`` gives what constructing the
    lead anew with them gives: an equal lead of the same field types, or the same problems."""
    hypothesis.assume(lead.erased_at is None)  # an erased person's record refuses every edit
    fast = _outcome(lambda: lm.edit(lead, **changes))
    full = _outcome(lambda: attrs.evolve(lead, **changes))
    assert fast[0] == full[0]
    if fast[0] == "made":
        assert fast[1] == full[1]
        assert [type(getattr(fast[1], f.name)) for f in attrs.fields(lm.Lead)] == [
            type(getattr(full[1], f.name)) for f in attrs.fields(lm.Lead)
        ]
    else:
        assert fast[1] == full[1]


def test_the_fields_checked_alone_are_editable_fields_of_a_lead() -> None:
    """Every field checked alone is a lead's field an edit may change."""
    assert set(LEAD_ALONE) <= lm.EDITABLE[lm.Lead]


def test_tags_that_cannot_be_a_set_are_a_validation_error() -> None:
    """A tag that cannot be in a set (a list) is reported by name, not a bare TypeError."""
    with pytest.raises(ValidationError, match=r"Lead.tags: expected a frozenset of strings"):
        lm.edit(factories.lead(), tags=[["vip"]])
