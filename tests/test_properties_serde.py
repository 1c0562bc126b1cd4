"""Property tests of serialisation.

Every public type survives ``to_json``/``from_json`` and ``to_dict``/``from_dict`` unchanged,
and any other input (arbitrary JSON, damaged valid documents, arbitrary bytes and text)
either loads or raises :class:`~leadmodel.errors.ValidationError`, never anything else.

The last section pins down bugs these properties found, now fixed.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import SCHEMA_VERSION, ValidationError, from_dict, from_json, to_dict, to_json
from leadmodel.domain.values import _normalise
from leadmodel.testing import strategies as lst

# `==` between an aware datetime inside a DST overlap and the same instant at a fixed
# offset is False in Python (see test_datetime_in_a_dst_overlap_round_trips_equal), so the
# equality round trips use wall times whose offset does not depend on `fold`.
SAFE_TIMES = lst.aware_datetimes(allow_ambiguous=False)


def _strategies(
    times: st.SearchStrategy[datetime] | None,
) -> dict[type[Any], st.SearchStrategy[Any]]:
    return {
        lm.Money: lst.money(),
        lm.ContactPoint: lst.contact_points(),
        lm.Source: lst.sources(),
        lm.StatusChange: lst.status_changes(datetimes=times),
        lm.ConversionLinks: lst.conversion_links(datetimes=times),
        lm.LossInfo: lst.loss_infos(datetimes=times),
        lm.Answer: lst.answers(datetimes=times),
        lm.Assessment: lst.assessments(datetimes=times),
        lm.Interest: lst.interests(datetimes=times),
        lm.Lead: lst.leads(datetimes=times),
        lm.Contact: lst.contacts(),
        lm.Company: lst.companies(),
        lm.Customer: lst.customers(datetimes=times),
        lm.StageChange: lst.stage_changes(datetimes=times),
        **{cls: lst.events(cls, datetimes=times) for cls in lm.EVENT_TYPES.values()},
    }


SAFE = _strategies(SAFE_TIMES)
ANY_TIME = _strategies(None)
ENTITIES = [lm.Lead, lm.Interest, lm.Contact, lm.Company, lm.Customer]
# Pipeline specifications have their own reader (leadmodel.domain.pipeline.spec); results of
# operations (a conversion, duplicate groups, a merge, a verdict), matching rules and
# qualification frameworks are not stored documents: none needs a strategy here.
RESULTS = {
    lm.Conversion,
    lm.DuplicateGroup,
    lm.DuplicateReport,
    lm.OversizedBlock,
    lm.MatchKey,
    lm.MatchRule,
    lm.Similar,
    lm.Conflict,
    lm.Merged,
    lm.SetAside,
    lm.Verdict,
    lm.Framework,
    lm.Criterion,
    lm.AllOf,
    lm.AtLeast,
    lm.Weighted,
    lm.StoredEvent,  # holds any event: the outbox stores the event's own document
    # scoring: models hold conditions or callables; scores and explanations are results
    lm.Contribution,
    lm.Engagement,
    lm.Score,
    lm.ScoreModel,
    lm.FitRule,
    lm.EngagementRule,
    lm.FieldIs,
    lm.FieldBetween,
    lm.HasTag,
    lm.FreeMail,
    lm.Thresholds,
    lm.TemperatureReading,
    # predictive scoring: fields hold getters; the rest are results
    lm.PredictiveScorer,
    lm.Categorical,
    lm.Binned,
    lm.Tally,
    lm.LikelihoodRatio,
    lm.Explanation,
}
PUBLIC_MODELS = {
    cls
    for cls in (getattr(lm, name) for name in lm.__all__)
    if isinstance(cls, type)
    and attrs.has(cls)
    and not cls.__module__.startswith("leadmodel.domain.pipeline")
    and cls not in RESULTS
}
FIELD_NAMES = sorted({f.name for cls in PUBLIC_MODELS for f in attrs.fields(cls)})

by_type = pytest.mark.parametrize("cls", list(SAFE), ids=lambda cls: cls.__name__)
by_entity = pytest.mark.parametrize("cls", ENTITIES, ids=lambda cls: cls.__name__)


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
    assert name in [p.path for p in caught.value.errors]
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
    assert name in [p.path for p in caught.value.errors]


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


# --------------------------------------------------------------------------- bad input

_HUGE_BUT_PRINTABLE = [2**63 - 1, 2**63, -(2**63), 2**64, 10**30, -(10**4000)]
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from(_HUGE_BUT_PRINTABLE)  # ints past 4300 digits: tested below
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["", " ", "EUR", "email", "form", "2026-03-01T09:30:00+02:00", "12.50"])
)
KEYS = st.sampled_from(FIELD_NAMES) | st.text(max_size=6)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"custom": value}
    return value


def _documents_for(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Any JSON value, or an object with some of ``cls``'s fields holding any JSON values."""
    names = st.sampled_from([f.name for f in attrs.fields(cls)])
    shaped = st.dictionaries(names, JSON_VALUES, min_size=1, max_size=8)
    return JSON_VALUES | shaped | st.integers(1, 80).map(_nested)


DOCUMENTS = {cls: _documents_for(cls) for cls in ENTITIES}


def _loads_or_raises_validation_error(cls: type[Any], load: Callable[[], Any]) -> None:
    """``load()`` returns a valid ``cls`` or raises a well-formed ValidationError."""
    try:
        result = load()
    except ValidationError as exc:
        error = exc
    else:
        assert type(result) is cls
        assert from_dict(cls, to_dict(result)) == result
        return
    assert error.errors, "a ValidationError lists at least one problem"
    assert all(isinstance(problem.path, str) for problem in error.errors)
    assert error.model == cls.__name__
    assert str(error)


@settings(max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
@given(cls=st.sampled_from(ENTITIES), data=st.data())
def test_arbitrary_json_raises_only_validation_error(cls: type[Any], data: st.DataObject) -> None:
    doc = data.draw(DOCUMENTS[cls], label="document")
    _loads_or_raises_validation_error(cls, lambda: from_dict(cls, doc))
    text = json.dumps(doc, ensure_ascii=data.draw(st.booleans(), label="ensure_ascii"))
    _loads_or_raises_validation_error(cls, lambda: from_json(cls, text))


def _containers(doc: Any) -> Iterator[Any]:
    """``doc`` and every list and dict inside it."""
    yield doc
    items = doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else []
    for value in items:
        if isinstance(value, dict | list):
            yield from _containers(value)


@st.composite
def _mutated(draw: st.DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with one value replaced, one deleted, or one added, anywhere inside it."""
    doc = copy.deepcopy(doc)
    container = draw(st.sampled_from(list(_containers(doc))))
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    how = draw(st.sampled_from(["replace", "delete", "add"] if keys else ["add"]))
    if how == "add" and isinstance(container, dict):
        container[draw(KEYS)] = draw(JSON_VALUES)
    elif how == "add":
        container.insert(draw(st.integers(0, len(container))), draw(JSON_VALUES))
    elif how == "delete":
        del container[draw(st.sampled_from(keys))]
    else:
        container[draw(st.sampled_from(keys))] = draw(JSON_VALUES)
    return doc


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(cls=st.sampled_from(ENTITIES), data=st.data())
def test_mutated_documents_raise_only_validation_error(cls: type[Any], data: st.DataObject) -> None:
    doc = data.draw(_mutated(to_dict(data.draw(ANY_TIME[cls]))), label="mutated")
    _loads_or_raises_validation_error(cls, lambda: from_dict(cls, doc))
    text = json.dumps(doc, ensure_ascii=data.draw(st.booleans(), label="ensure_ascii"))
    _loads_or_raises_validation_error(cls, lambda: from_json(cls, text))


_JSON_TOKENS = st.sampled_from(
    ["{", "}", "[", "]", ",", ":", '"', '"a"', "1", "-", "1e999", "NaN", "-Infinity", "null",
     "true", '"\\ud800"', '"\\ud83d\\ude00"', '"person_name"', '"custom"', " ", "\\", "\x00"]
)  # fmt: skip
_lone_surrogates = st.integers(0xD800, 0xDFFF).map(chr)


@settings(max_examples=500)
@given(
    cls=st.sampled_from(ENTITIES),
    raw=st.binary()
    | st.text()
    | st.text(st.characters() | _lone_surrogates)
    | st.lists(_JSON_TOKENS, max_size=30).map("".join),
)
def test_arbitrary_bytes_and_text_raise_only_validation_error(
    cls: type[Any], raw: str | bytes
) -> None:
    _loads_or_raises_validation_error(cls, lambda: from_json(cls, raw))


AT = "2026-03-01T09:30:00+02:00"
# A small valid document per entity, and a required text field of it to plant bad values in.
MINIMAL: dict[type[Any], tuple[dict[str, Any], str]] = {
    lm.Lead: (
        {
            "id": "lead-1",
            "person_name": "Олена Коваль",
            "contact_points": [{"kind": "email", "value": "олена@приклад.укр"}],
            "topic": "Офісні меблі",
            "source": {"channel": "instagram_dm"},
            "created_at": AT,
        },
        "person_name",
    ),
    lm.Interest: (
        {"id": "i-1", "occurred_at": AT, "source": {"channel": "form"}, "topic": "Стільці"},
        "topic",
    ),
    lm.Contact: ({"id": "contact-1", "name": "Мар'яна"}, "name"),
    lm.Company: ({"id": "company-1", "name": "ТОВ «Меблі»", "domain": "меблі.укр"}, "name"),
    lm.Customer: (
        {
            "id": "customer-1",
            "kind": "person",
            "since": AT,
            "origin": "from_lead",
            "contact_id": "c-1",
        },
        "id",
    ),
}


def _planted(cls: type[Any], json_text: str) -> str:
    """The minimal document of ``cls`` with its text field holding the raw JSON ``json_text``."""
    doc, field = MINIMAL[cls]
    return json.dumps({**doc, field: "PLANT"}).replace('"PLANT"', json_text)


@by_entity
def test_minimal_documents_load_and_keep_their_text_field(cls: type[Any]) -> None:
    doc, field = MINIMAL[cls]
    loaded = from_json(cls, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    assert getattr(loaded, field) == doc[field]
    assert from_json(cls, _planted(cls, json.dumps(doc[field]))) == loaded


MALFORMED: list[str | bytes] = [
    b"\xc3\x28",  # invalid UTF-8
    b'{"id": "\xff"}',
    '{"id": "x"}'.encode("utf-16"),
    "[" * 100_000,
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 100_000,
    "1" * 5000,
    "-" + "9" * 5000,
    "NaN",
    "Infinity",
    "-Infinity",
    '{"version": NaN}',
    '{"score": Infinity}',
    '"\\ud800"',
    '{"custom": {"x": "\\udc00"}}',
    "",
    "   ",
    "{",
    "null",
    "[]",
    "true",
    "0",
    "\ufeff{}",
]


@by_entity
@pytest.mark.parametrize("raw", MALFORMED, ids=lambda raw: repr(raw[:12]))
def test_malformed_documents_raise_validation_error(cls: type[Any], raw: str | bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(cls, raw)
    assert caught.value.errors
    assert all(isinstance(problem.path, str) for problem in caught.value.errors)


PLANTED = [
    '"\\ud800"',
    '"\\udfff"',
    '"\\ud83d x"',
    "NaN",
    "Infinity",
    "1e999",
    "1" * 5000,
    "[" * 5000,
]


@by_entity
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
@pytest.mark.parametrize("planted", PLANTED, ids=lambda planted: planted[:10])
def test_bad_values_inside_valid_documents_raise_validation_error(
    cls: type[Any], planted: str, as_bytes: bool
) -> None:
    text = _planted(cls, planted)
    with pytest.raises(ValidationError) as caught:
        from_json(cls, text.encode("utf-8") if as_bytes else text)
    assert caught.value.errors


@by_entity
def test_surrogates_encoded_in_utf8_bytes_raise_validation_error(cls: type[Any]) -> None:
    raw = _planted(cls, '"PLANT"').encode("utf-8").replace(b"PLANT", b"\xed\xa0\x80")  # CESU-8
    with pytest.raises(ValidationError):
        from_json(cls, raw)


# ------------------------------------------------------- bugs these properties found (fixed)


@by_entity
def test_integers_past_4300_digits_raise_validation_error(cls: type[Any]) -> None:
    # ValidationError renders the offending value with repr(), which refuses ints of more
    # than sys.get_int_max_str_digits() digits: a plain ValueError escapes from_dict.
    doc, field = MINIMAL[cls]
    with pytest.raises(ValidationError):
        from_dict(cls, {**doc, field: 10**5000})


def test_values_nested_just_below_the_parser_limit_raise_validation_error() -> None:
    # json.loads accepts nesting up to the recursion limit, but repr() of the offending value
    # runs deeper in the stack: for the deepest documents the parser accepts, a RecursionError
    # escapes from_json instead of a ValidationError.
    for depth in range(sys.getrecursionlimit(), 0, -1):
        with pytest.raises(ValidationError) as caught:
            from_json(lm.Lead, _planted(lm.Lead, "[" * depth + "]" * depth))
        if "nested too deeply" not in str(caught.value):
            break  # the deepest document the parser accepts was rejected properly
    assert caught.value.errors[0].path == "person_name"


@by_entity
def test_raw_lone_surrogates_in_text_raise_validation_error(cls: type[Any]) -> None:
    # Only \\uD800-style escapes are checked; a str holding the surrogate itself loads, and
    # the loaded object cannot be written as UTF-8.
    with pytest.raises(ValidationError):
        from_json(cls, _planted(cls, '"\ud800"'))


def test_dicts_built_by_hand_with_non_string_keys_raise_validation_error() -> None:
    doc: dict[Any, Any] = {**MINIMAL[lm.Lead][0], 1: "x", "zz": "y"}
    with pytest.raises(ValidationError):
        from_dict(lm.Lead, doc)
