"""A sealed document is rebuilt without its classes' checks (``documents.trusted``): for every
document a valid entity writes, the rebuilt entity is the one the checked reading builds —
the same classes at every level, every field (derived ones included), the same offsets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import from_json, to_json
from leadmodel._kernel import documents
from leadmodel._kernel.json_text import loads

from ._types import ANY_TIME, ENTITIES


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ: a class, an attrs field (``init=False`` ones too), an
    item, a key, a value, or a datetime's offset or time zone class."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} is not {type(b).__name__}"]
    pairs: list[tuple[Any, Any, str]]
    if attrs.has(type(a)):
        names = [field.name for field in attrs.fields(type(a))]
        pairs = [(getattr(a, n), getattr(b, n), f"{path}.{n}") for n in names]
    elif isinstance(a, tuple | list) and len(a) == len(b):
        pairs = [(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b, strict=True))]
    elif isinstance(a, Mapping) and list(a) == list(b):
        pairs = [(a[key], b[key], f"{path}.{key}") for key in a]
    elif isinstance(a, datetime):
        same = (a, a.utcoffset(), type(a.tzinfo)) == (b, b.utcoffset(), type(b.tzinfo))
        return [] if same else [f"{path}: {a!r} is not {b!r}"]
    else:  # a value, or collections of different lengths or keys
        return [] if a == b else [f"{path}: {a!r} != {b!r}"]
    return [found for x, y, where in pairs for found in differences(x, y, where)]


# the entities, and what they hold (a merge record, with its conflicts and set-aside values,
# is drawn here: a drawn lead holds none)
STORED = [
    *ENTITIES,
    *(lm.ContactPoint, lm.Source, lm.Money, lm.StatusChange, lm.StageChange, lm.Assessment),
    *(lm.Answer, lm.ConversionLinks, lm.LossInfo, lm.MergeRecord, lm.Activity, lm.Touch),
    *(lm.Consent, lm.SpamVerdict),
]


@pytest.mark.parametrize("cls", STORED, ids=lambda cls: cls.__name__)
@settings(max_examples=150)
@given(data=st.data())
def test_a_trusted_rebuild_is_the_checked_reading(cls: type[Any], data: st.DataObject) -> None:
    entity = data.draw(ANY_TIME[cls], label=cls.__name__)
    text = to_json(entity)
    checked = from_json(cls, text)
    rebuilt = documents.trusted(cls, loads(text.encode("utf-8")))
    assert differences(rebuilt, checked) == []
    assert to_json(rebuilt) == to_json(checked)


def test_the_comparison_sees_a_derived_field_and_an_offset() -> None:
    """``differences`` is not blind where ``==`` is: a contact point's match key (eq=False)
    and a datetime's offset (``==`` compares instants)."""
    point = lm.ContactPoint.email("olena@mebli.ua")
    other = attrs.evolve(point)
    object.__setattr__(other, "key", "someone@else.ua")
    assert point == other
    assert differences(point, other) == [".key: 'olena@mebli.ua' != 'someone@else.ua'"]
    utc = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
    kyiv = datetime.fromisoformat("2026-03-02T11:00:00+02:00")
    assert utc == kyiv
    assert differences(utc, kyiv) != []


def test_derived_fields_are_derived_not_read() -> None:
    """A contact point's match key is derived by its ``__derived__`` function, as its
    constructor derives it (a phone is parsed again); a value without a key raises."""
    doc = json.loads(to_json(lm.ContactPoint.phone("+380 50 123 4567")))
    assert "key" not in doc
    assert documents.trusted(lm.ContactPoint, doc).key == "+380501234567"
    doc = json.loads(to_json(lm.ContactPoint.phone("+380 50 123 4567")))
    doc["value"] = "not a phone"
    with pytest.raises(ValueError, match="phone"):
        documents.trusted(lm.ContactPoint, doc)


def test_a_document_of_another_schema_version_is_not_rebuilt() -> None:
    doc = json.loads(to_json(lm.Money.of("10", "UAH")))
    doc["schema_version"] = 2
    with pytest.raises(ValueError, match="schema version"):
        documents.trusted(lm.Money, doc)
