"""Lead field paths (``model.paths``): one grammar for pipeline requirements, fit conditions
and predictive fields, and one rule for what a pipeline status may require."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.domain.model.paths import (
    ALWAYS_SET,
    LEAD_FIELDS,
    path_problem,
    requirement_problem,
)
from leadmodel.errors import ValidationError
from tests.factories import AT, lead

KNOWN = sorted(
    LEAD_FIELDS
    | {"source.channel", "source.campaign", "source.medium", "expected_value.amount"}
    | {"custom.budget", "custom.a.b", "custom", "source.nope", "expected_value.currency"}
)
paths = st.one_of(st.sampled_from(KNOWN), st.text(max_size=20), st.none(), st.integers())


def _pipeline(*required: str) -> lm.Pipeline:
    return lm.Pipeline.from_dict(
        {
            "key": "deals",
            "label": "Угоди",
            "statuses": [
                {"key": "new", "label": "Нова"},
                {"key": "ready", "label": "Готова", "requires": {"fields": list(required)}},
                {"key": "won", "label": "Успіх", "kind": "won"},
            ],
        }
    )


def _condition_problem(path: object) -> str | None:
    try:
        lm.FieldIs(field=path, values=("x",))  # type: ignore[arg-type]
    except ValidationError as exc:
        return exc.problems[0].message
    return None


def _requirement_error(path: object) -> str | None:
    try:
        _pipeline(path)  # type: ignore[arg-type]
    except lm.PipelineSpecError as exc:
        found = [p.message for p in exc.problems if ".requires.fields" in p.path]
        return found[0] if found else None
    return None


@given(paths)
def test_fit_conditions_and_requirements_accept_the_same_paths(path: Any) -> None:
    """A requirement is any path a fit condition takes, except the fields every lead has."""
    problem = path_problem(path)
    assert (_condition_problem(path) is None) == (problem is None)
    if isinstance(path, str) and path not in ALWAYS_SET:
        assert (_requirement_error(path) is None) == (problem is None)


def test_a_status_may_require_a_field_of_the_source() -> None:
    """``source.campaign`` was refused by a second, narrower grammar; now it is a path."""
    pipeline = _pipeline("source.campaign", "expected_value.amount", "custom.budget", "owner")
    card = pipeline.enter(lead(), at=AT, by="anna")
    with pytest.raises(lm.TransitionError) as info:
        pipeline.move(card, "ready", at=AT, by="anna")
    assert info.value.missing == (
        "source.campaign",
        "expected_value.amount",
        "custom.budget",
        "owner",
    )
    ready = lead(
        source=lm.Source(channel=lm.Channel.form, campaign="spring"),
        expected_value=lm.Money.of("100", "UAH"),
        custom={"budget": 100},
        owner="anna",
    )
    moved = pipeline.move(pipeline.enter(ready, at=AT, by="anna"), "ready", at=AT, by="anna")
    assert moved.status == "ready"


@pytest.mark.parametrize("field", sorted(ALWAYS_SET))
def test_a_field_every_lead_has_cannot_be_required(field: str) -> None:
    with pytest.raises(lm.PipelineSpecError) as info:
        _pipeline(field)
    message = str(info.value)
    assert f"statuses[1].requires.fields[0]: every lead has {field}" in message
    assert "require a field a lead may lack" in message
    assert path_problem(field) is None  # a valid path all the same: a condition may read it


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("budget", "not a Lead field; use a Lead field such as"),
        ("custom", "name the custom field: 'custom.<key>'"),
        ("source.campain", "source has no field like this (known: source.campaign"),
    ],
)
def test_a_bad_requirement_is_taught_with_the_grammar_of_paths(path: str, says: str) -> None:
    with pytest.raises(lm.PipelineSpecError) as info:
        _pipeline(path)
    assert says in str(info.value)
    assert f"got {path!r}" in str(info.value)
    assert requirement_problem(path) == path_problem(path)
