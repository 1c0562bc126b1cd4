"""Shared by the pipeline tests: a small spec in Ukrainian, and pipelines and leads made from it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import leadmodel as lm
from leadmodel import Pipeline, PipelineSpecError
from tests.factories import AT, lead

HOUR = timedelta(hours=1)

SPEC: dict[str, Any] = {
    "key": "requests",
    "label": "Заявки",
    "entity": "Заявки",
    "statuses": [
        {"key": "new", "label": "Нова"},
        {"key": "in_work", "label": "В роботі"},
        {
            "key": "qualified",
            "label": "Кваліфікована",
            "requires": {"fields": ["expected_value"], "framework": "BANT"},
            "on_enter": [{"action": "send_email", "template": "qualified"}],
        },
        {"key": "won", "label": "Успіх", "kind": "won"},
        {
            "key": "lost",
            "label": "Відмова",
            "kind": "lost",
            "lost_reasons": ["no_budget", "no_answer"],
        },
    ],
}


def _pipe(**changes: Any) -> Pipeline:
    return Pipeline.from_dict({**SPEC, **changes})


def _entered(p: Pipeline | None = None, **fields: Any) -> lm.Lead:
    return (p or _pipe()).enter(lead(**fields), at=AT, by="anna")


def _problems(info: pytest.ExceptionInfo[PipelineSpecError]) -> list[str]:
    return [p.path for p in info.value.problems]


def _statuses(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [*SPEC["statuses"], *extra]
