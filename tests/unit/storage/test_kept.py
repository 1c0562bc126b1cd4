"""What a save may leave as stored: the key rows and the projection rows are made from the
fields :data:`~leadmodel.storage._rows.KEYED` and :data:`~leadmodel.storage._rows.PROJECTED`
name, and from nothing else (a SQLite save over an entity read in the same transaction skips
them when those fields hold the very objects read)."""

from __future__ import annotations

from typing import Any

import attrs
import hypothesis
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel._kernel.copy import replace
from leadmodel.storage import _rows
from leadmodel.testing import strategies as lst

ENTITIES: dict[type[Any], st.SearchStrategy[Any]] = {
    lm.Interest: lst.interests(),
    lm.Lead: lst.leads(),
    lm.Contact: lst.contacts(),
    lm.Company: lst.companies(),
    lm.Customer: lst.customers(),
}


def _hybrid(fields: tuple[str, ...], source: Any, rest: Any) -> Any:
    """``rest`` with ``source``'s values in ``fields`` (unchecked: only what the rows are made
    from is under test, not whether the mixture is a valid entity)."""
    return replace(rest, **{name: getattr(source, name) for name in fields})


@hypothesis.settings(max_examples=200)
@hypothesis.given(data=st.data(), cls=st.sampled_from(list(ENTITIES)))
def test_the_keys_are_made_from_the_keyed_fields_only(data: st.DataObject, cls: type[Any]) -> None:
    """Two entities alike in the keyed fields and different in every other have the same keys."""
    one, other = data.draw(ENTITIES[cls]), data.draw(ENTITIES[cls])
    mixed = _hybrid(_rows.KEYED[cls], one, other)
    assert _rows.keys_of(mixed) == _rows.keys_of(one)


@hypothesis.settings(max_examples=200)
@hypothesis.given(one=lst.leads(), other=lst.leads())
def test_the_projection_is_made_from_the_projected_fields_only(
    one: lm.Lead, other: lm.Lead
) -> None:
    """Two leads alike in the projected fields and different in every other have the same
    projection rows."""
    mixed = _hybrid(_rows.PROJECTED, one, other)
    assert _rows.projection(mixed) == _rows.projection(one)


def test_the_declared_fields_are_fields() -> None:
    """Every declared field is a field of its class (a renamed field fails here, not in a save)."""
    for cls, fields in (*_rows.KEYED.items(), (lm.Lead, _rows.PROJECTED)):
        names = {field.name for field in attrs.fields(cls)}
        assert set(fields) <= names, (cls, set(fields) - names)


@hypothesis.given(lead=lst.leads(), tags=st.frozensets(st.sampled_from(["vip", "urgent"])))
def test_kept_tells_a_copy_from_a_change(lead: lm.Lead, tags: frozenset[str]) -> None:
    """An edit of the tags keeps both; a new contact point keeps neither the keys nor, for a
    change of owner, the projection."""
    kind = _rows.KIND["leads"]
    assert _rows.kept(kind, lead, lm.edit(lead, tags=tags)) == (True, True)
    more = (*lead.contact_points, lm.ContactPoint.email("new.person@example.org"))
    assert _rows.kept(kind, lead, lm.edit(lead, contact_points=more)) == (False, True)
    assert _rows.kept(kind, lead, lm.edit(lead, owner="somebody-else")) == (True, False)
