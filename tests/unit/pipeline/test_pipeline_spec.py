"""Pipelines (DOMAIN §5): loading a spec, and every problem a bad spec has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leadmodel import Guards, Pipeline, PipelineSpecError

from ._pipeline import SPEC, _pipe, _problems, _statuses

# -- loading ---------------------------------------------------------------------------


def test_spec_round_trips_through_dict_exactly() -> None:
    assert _pipe().to_dict() == {"schema_version": 1, **SPEC}
    assert Pipeline.from_dict(_pipe().to_dict()) == _pipe()


def test_spec_loads_from_toml_and_json_equally(tmp_path: Path) -> None:
    p = _pipe()
    assert Pipeline.from_toml(p.to_toml()) == p
    path = tmp_path / "requests.toml"
    path.write_text(p.to_toml(), encoding="utf-8")
    assert Pipeline.from_toml(path.read_bytes()) == p
    with pytest.warns(DeprecationWarning, match="reads no files"):  # still works, for now
        assert Pipeline.from_toml(path) == p
    missing = tmp_path / "missing.toml"
    with (
        pytest.warns(DeprecationWarning, match="reads no files"),
        pytest.raises(PipelineSpecError, match="cannot read"),
    ):
        Pipeline.from_toml(missing)
    assert Pipeline.from_json(__import__("json").dumps(SPEC)) == p


def test_labels_in_any_language_and_the_entity_name() -> None:
    p = _pipe()
    assert p.spec.entity == "Заявки"
    assert [s.label for s in p.statuses][:2] == ["Нова", "В роботі"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"policy": "sideways"}, "policy"),
        ({"colour": "red"}, "colour"),
        ({"allow_reopen": "yes"}, "allow_reopen"),
        ({"statuses": []}, "statuses"),
    ],
)
def test_bad_top_level_settings_are_reported(change: dict[str, Any], path: str) -> None:
    with pytest.raises(PipelineSpecError) as info:
        _pipe(**change)
    assert path in _problems(info)


def test_duplicate_status_is_reported() -> None:
    with pytest.raises(PipelineSpecError) as info:
        _pipe(statuses=_statuses({"key": "new", "label": "again"}))
    assert _problems(info) == ["statuses[5].key"]
    assert "duplicate status 'new'" in str(info.value)


def test_unknown_status_in_a_transition_is_reported() -> None:
    with pytest.raises(PipelineSpecError) as info:
        _pipe(transitions=[{"from": "new", "to": "nowhere"}])
    assert _problems(info) == ["transitions[0].to"]


def test_no_won_status_is_reported() -> None:
    with pytest.raises(PipelineSpecError) as info:
        _pipe(statuses=[s for s in SPEC["statuses"] if s["key"] != "won"])
    assert _problems(info) == ["statuses"]
    assert "no won status" in str(info.value)


def test_lost_status_without_reasons_is_reported() -> None:
    with pytest.raises(PipelineSpecError) as info:
        _pipe(statuses=_statuses({"key": "spam", "label": "Спам", "kind": "lost"}))
    assert _problems(info) == ["statuses[5].lost_reasons"]


def test_unreachable_status_is_reported() -> None:
    with pytest.raises(PipelineSpecError) as info:
        _pipe(policy="explicit", close_from_any=False, transitions=[{"from": "new", "to": "won"}])
    assert _problems(info) == ["statuses[1]", "statuses[2]", "statuses[4]"]
    assert "unreachable" in str(info.value)


def test_open_status_without_a_way_to_an_end_is_reported() -> None:
    with pytest.raises(PipelineSpecError) as info:
        _pipe(
            policy="explicit",
            close_from_any=False,
            transitions=[
                {"from": "new", "to": "in_work"},
                {"from": "new", "to": "qualified"},
                {"from": "in_work", "to": "won"},
                {"from": "new", "to": "lost"},
            ],
        )
    assert _problems(info) == ["statuses[2]"]
    assert "dead end" in str(info.value)


def test_unknown_guard_is_reported() -> None:
    statuses = _statuses()
    statuses[1] = {**statuses[1], "requires": {"guards": ["has_manager"]}}
    with pytest.raises(PipelineSpecError, match="not registered"):
        _pipe(statuses=statuses)
    with pytest.raises(PipelineSpecError, match="unknown guard 'has_manager'"):
        Pipeline.from_dict(
            {**SPEC, "statuses": statuses}, guards=Guards({"other": lambda _l, _t: True})
        )
    registered = Guards({"has_manager": lambda lead, _to: lead.owner is not None})
    assert Pipeline.from_dict({**SPEC, "statuses": statuses}, guards=registered).key == "requests"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"action": "send_email"}, "needs the parameter 'template'"),
        ({"action": "send_fax", "number": "1"}, "unknown action"),
        ({"action": "webhook", "url": "https://x.example", "retries": 3}, "takes only"),
        ({"action": "create_task", "title": "Call", "due_in_minutes": float("nan")}, "finite"),
    ],
)
def test_bad_action_parameters_are_reported(action: dict[str, Any], message: str) -> None:
    statuses = _statuses()
    statuses[1] = {**statuses[1], "on_enter": [action]}
    with pytest.raises(PipelineSpecError, match=message):
        _pipe(statuses=statuses)


def test_unknown_required_field_is_reported() -> None:
    statuses = _statuses()
    statuses[1] = {**statuses[1], "requires": {"fields": ["budget", "custom.budget"]}}
    with pytest.raises(PipelineSpecError) as info:
        _pipe(statuses=statuses)
    assert _problems(info) == ["statuses[1].requires.fields[0]"]


SIX_MISTAKES = """\
key = "requests"
policy = "forward"

[[statuses]]
key = "new"
label = "Нова"

[[statuses]]
key = "new"
label = "Дублікат"

[[statuses]]
key = "qualified"
kind = "qualified"

[[statuses]]
key = "won"
kind = "won"

[[statuses]]
key = "lost"
kind = "lost"

[[transitions]]
from = "new"
to = "offer"

[[statuses.on_enter]]
action = "send_email"
"""


def test_a_toml_spec_with_six_mistakes_yields_six_problems_with_lines() -> None:
    with pytest.raises(PipelineSpecError) as info:
        Pipeline.from_toml(SIX_MISTAKES)
    problems = {p.path: p for p in info.value.problems}
    assert set(problems) == {
        "policy",
        "statuses[2].kind",
        "statuses[4].on_enter[0].template",
        "statuses[1].key",
        "statuses[4].lost_reasons",
        "transitions[0].to",
    }
    assert problems["policy"].line == 2
    assert problems["statuses[2].kind"].line == 14
    assert problems["statuses[1].key"].line == 9
    assert problems["transitions[0].to"].line == 26
    assert str(problems["policy"]).startswith("line 2: policy: expected one of")


def test_invalid_toml_is_a_spec_error() -> None:
    with pytest.raises(PipelineSpecError, match="not valid TOML"):
        Pipeline.from_toml("key = ")


def test_invalid_json_is_a_spec_error() -> None:
    with pytest.raises(PipelineSpecError, match="not valid JSON"):
        Pipeline.from_json("{")
