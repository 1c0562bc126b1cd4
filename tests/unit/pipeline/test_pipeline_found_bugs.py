"""Pipeline bugs the property tests found, now fixed: each pinned by an example."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from leadmodel import Pipeline, TransitionError
from tests.factories import AT, lead

# -- known bugs ------------------------------------------------------------------------

_TWO_ENDS: Mapping[str, Any] = {
    "key": "deals",
    "statuses": [
        {"key": "new", "label": "Нова"},
        {"key": "won", "label": "Успіх", "kind": "won"},
        {"key": "lost", "label": "Відмова", "kind": "lost", "lost_reasons": ["no_budget"]},
    ],
}


@pytest.mark.parametrize("to", ["lost", "won"])
def test_a_refusal_to_leave_a_reopenable_won_status_does_not_deny_reopen_won(to: str) -> None:
    pipeline = Pipeline.from_dict({**_TWO_ENDS, "reopen_won": True})
    won = pipeline.move(pipeline.enter(lead(), at=AT, by="a"), "won", at=AT, by="a")
    with pytest.raises(TransitionError) as info:
        pipeline.move(won, to, at=AT, by="a", reason="no_budget")
    assert "does not set reopen_won" not in str(info.value)


@pytest.mark.parametrize("to", ["won", "lost"])
def test_leaving_a_final_lost_status_is_terminal_whatever_the_target(to: str) -> None:
    pipeline = Pipeline.from_dict({**_TWO_ENDS, "allow_reopen": False})
    lost = pipeline.enter(lead(), at=AT, by="a")
    lost = pipeline.move(lost, "lost", at=AT, by="a", reason="no_budget")
    with pytest.raises(TransitionError) as info:
        pipeline.move(lost, to, at=AT, by="a", reason="no_budget")
    assert info.value.why == "terminal"  # docs/pipelines.md: "leaving won (or lost, when ...)"


@pytest.mark.parametrize("label", ["Нова\nзаявка", "Нова\r\nзаявка"])
def test_a_label_with_a_line_break_stays_on_its_line(label: str) -> None:
    statuses = [{"key": "new", "label": label}, *_TWO_ENDS["statuses"][1:]]
    pipeline = Pipeline.from_dict({**_TWO_ENDS, "statuses": statuses})
    mermaid, dot = pipeline.to_mermaid().splitlines(), pipeline.to_dot().splitlines()
    assert any(re.fullmatch(r'    state ".*" as s0', line) for line in mermaid)
    assert any(re.fullmatch(r'    s0 \[label=".*"\];', line) for line in dot)
