"""Property tests of serialisation: any input other than a valid document (arbitrary JSON,
damaged valid documents, arbitrary bytes and text) either loads or raises
:class:`~leadmodel.errors.ValidationError`, never anything else.

The last section pins down bugs these properties found, now fixed.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import ValidationError, from_dict, from_json, to_dict

from ._types import ANY_TIME, ENTITIES, JSON_VALUES, KEYS, by_entity

# --------------------------------------------------------------------------- bad input


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
    assert error.problems, "a ValidationError lists at least one problem"
    assert all(isinstance(problem.path, str) for problem in error.problems)
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
    assert caught.value.problems
    assert all(isinstance(problem.path, str) for problem in caught.value.problems)


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
    assert caught.value.problems


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
    assert caught.value.problems[0].path == "person_name"


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
