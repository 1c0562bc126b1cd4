"""The docs show what the code does: preset diagrams are the code's own output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leadmodel import pipelines

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("name", ["KEYCRM_REQUESTS", "B2B_DEALS", "SIMPLE"])
def test_preset_diagrams_in_the_docs_are_current(name: str) -> None:
    text = (DOCS / "pipelines.md").read_text(encoding="utf-8")
    found = re.search(rf"### `pipelines\.{name}`.*?```mermaid\n(.*?)```", text, re.S)
    assert found, f"docs/pipelines.md has no diagram for {name}"
    assert found.group(1) == getattr(pipelines, name).to_mermaid()
