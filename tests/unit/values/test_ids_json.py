"""Ids and frozen JSON values."""

from __future__ import annotations

import re

import pytest

from leadmodel import FrozenMap, ValidationError, sequential_ids, uuid7
from leadmodel.domain.values import MAX_JSON_DEPTH, freeze, thaw

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_uuid7_has_version_and_variant_bits() -> None:
    assert all(UUID7.match(uuid7()) for _ in range(100))
    assert len({uuid7() for _ in range(1000)}) == 1000


def test_uuid7_ids_are_time_ordered_across_milliseconds() -> None:
    import time

    first = uuid7()
    time.sleep(0.002)
    assert uuid7() > first


def test_sequential_ids_are_deterministic() -> None:
    ids = sequential_ids("lead", start=7)
    assert [ids(), ids()] == ["lead-7", "lead-8"]


def test_freeze_and_thaw_round_trip() -> None:
    data = {"a": [1, 2.5, {"b": None}], "c": True, "d": "текст"}
    frozen = freeze(data)
    assert thaw(frozen) == data
    assert frozen == {"a": (1, 2.5, {"b": None}), "c": True, "d": "текст"}
    assert freeze(frozen) is frozen  # already checked: not walked again


def test_freeze_reports_every_non_json_value_with_its_path() -> None:
    with pytest.raises(ValidationError) as info:
        freeze({"a": {1: "x"}, "b": [float("inf")], "c": 2**64, "d": {1, 2}})
    assert [p.path for p in info.value.problems] == ["a", "b[0]", "c", "d"]


def test_freeze_refuses_deep_nesting() -> None:
    value: object = "leaf"
    for _ in range(MAX_JSON_DEPTH + 5):
        value = [value]
    with pytest.raises(ValidationError, match="nested deeper"):
        freeze({"deep": value})


def test_frozen_map_is_immutable() -> None:
    frozen = FrozenMap({"a": 1})
    with pytest.raises(TypeError):
        frozen["a"] = 2  # type: ignore[index]
    assert repr(frozen) == "FrozenMap({'a': 1})"
    assert frozen != FrozenMap({"a": 2})
    assert frozen.__eq__(1) is NotImplemented
