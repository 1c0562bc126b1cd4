"""Property tests of serialisation: every public type survives ``to_json``/``from_json`` and
``to_dict``/``from_dict`` unchanged."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import SCHEMA_VERSION, ValidationError, from_dict, from_json, to_dict, to_json
from leadmodel.domain.values import normalise as _normalise
from leadmodel.testing import strategies as lst

from ._types import ANY_TIME, ENTITIES, JSON_VALUES, PUBLIC_MODELS, SAFE, by_type


def test_every_public_type_has_a_strategy() -> None:
    assert set(SAFE) == PUBLIC_MODELS


# --------------------------------------------------------------------------- round trips


@by_type
@given(data=st.data())
def test_every_type_round_trips_through_json(cls: type[Any], data: st.DataObject) -> None:
    obj = data.draw(SAFE[cls], label=cls.__name__)
    text = to_json(obj)
    doc = json.loads(text)
    assert isinstance(doc, dict)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert from_json(cls, text) == obj
    assert from_json(cls, text.encode("utf-8")) == obj


@by_type
@given(data=st.data())
def test_every_type_round_trips_through_dict(cls: type[Any], data: st.DataObject) -> None:
    obj = data.draw(SAFE[cls], label=cls.__name__)
    doc = to_dict(obj)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert json.loads(to_json(obj)) == doc
    assert from_dict(cls, doc) == obj


@by_type
@settings(max_examples=30)
@given(data=st.data())
def test_reloading_any_document_writes_the_same_document(
    cls: type[Any], data: st.DataObject
) -> None:
    # With every datetime, DST overlaps included: the instants and the offsets survive.
    # (Compared as parsed JSON: an int score is written back as a float, 0 as 0.0.)
    text = to_json(data.draw(ANY_TIME[cls], label=cls.__name__))
    assert json.loads(to_json(from_json(cls, text))) == json.loads(text)


def test_datetime_in_a_dst_overlap_keeps_its_instant_and_offset() -> None:
    """Documented: documents store the UTC offset, not the zone (docs/serde.md).

    03:30 on 2025-10-26 happens twice in Kyiv. The loaded datetime has a fixed offset, and
    Python never calls an ambiguous wall time equal to one in another zone, so equality of
    the objects is not promised there; the instant, the offset and the document are.
    """
    at = datetime(2025, 10, 26, 3, 30, tzinfo=ZoneInfo("Europe/Kyiv"))
    change = lm.StatusChange(pipeline="requests", from_status=None, to_status="new", at=at)
    loaded = from_json(lm.StatusChange, to_json(change))
    assert loaded.at.timestamp() == change.at.timestamp()
    assert loaded.at.utcoffset() == change.at.utcoffset()
    assert to_json(loaded) == to_json(change)


@settings(max_examples=50)
@given(cls=st.sampled_from(ENTITIES), data=st.data())
def test_unknown_fields_are_rejected_with_their_path(cls: type[Any], data: st.DataObject) -> None:
    obj = data.draw(SAFE[cls])
    known = {f.name for f in attrs.fields(cls)} | {"schema_version"}
    name = data.draw(st.text(min_size=1, max_size=10).filter(lambda n: n not in known))
    doc = {**to_dict(obj), name: data.draw(JSON_VALUES)}
    with pytest.raises(ValidationError) as caught:
        from_dict(cls, doc)
    assert name in [p.path for p in caught.value.problems]
    assert from_dict(cls, doc, extra="ignore") == obj


@settings(max_examples=50)
@given(cls=st.sampled_from(ENTITIES), data=st.data())
def test_missing_required_fields_are_reported_with_their_path(
    cls: type[Any], data: st.DataObject
) -> None:
    doc = to_dict(data.draw(SAFE[cls]))
    required = [f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING]
    name = data.draw(st.sampled_from(required))
    del doc[name]
    with pytest.raises(ValidationError) as caught:
        from_dict(cls, doc)
    assert name in [p.path for p in caught.value.problems]


def test_phone_contact_points_round_trip_without_phonenumbers() -> None:
    @settings(max_examples=200)
    @given(point=lst.contact_points(kinds=[lm.ContactKind.phone]))
    def check(point: lm.ContactPoint) -> None:
        assert point.key == _normalise.phone_key_fallback(point.value)
        assert from_json(lm.ContactPoint, to_json(point)) == point

    _normalise.phone_key.cache_clear()  # keys computed with phonenumbers must not leak in
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_normalise, "_pn", None)
            patch.setattr(_normalise, "HAVE_PHONENUMBERS", False)
            check()
    finally:
        _normalise.phone_key.cache_clear()  # nor fallback keys out


_FIRST = settings(phases=[Phase.generate], database=None)  # `find` without shrinking


@pytest.mark.parametrize("kind", list(lm.ContactKind), ids=lambda kind: kind.value)
def test_round_trip_inputs_cover_every_contact_kind(kind: lm.ContactKind) -> None:
    found = find(lst.contact_points(), lambda point: point.kind is kind, settings=_FIRST)
    assert from_json(lm.ContactPoint, to_json(found)) == found


def test_round_trip_inputs_cover_internationalised_email_domains() -> None:
    def idn(point: lm.ContactPoint) -> bool:
        return point.kind is lm.ContactKind.email and not point.value.isascii()

    found = find(lst.contact_points(kinds=[lm.ContactKind.email]), idn, settings=_FIRST)
    assert "xn--" in found.key
    assert from_json(lm.ContactPoint, to_json(found)) == found
