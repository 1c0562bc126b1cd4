"""Property tests of pipeline specs: random specs are accepted exactly when the model says
so, round trip through dict, TOML and JSON, and draw every status and move (``_spec_model``)."""

from __future__ import annotations

import json
import re

from hypothesis import event, given, settings

from leadmodel import Pipeline, PipelineSpecError
from leadmodel.domain.pipeline.checks import all_edges

from ._spec_model import Spec, _compile, _edges, _spec_problems, raw_specs, valid_specs

# -- specs -----------------------------------------------------------------------------


@settings(max_examples=200)
@given(raw_specs(tidy=0.3))
def test_a_spec_is_accepted_exactly_when_every_status_is_reachable_and_can_end(
    spec: Spec,
) -> None:
    problems = _spec_problems(spec)
    event(f"problems at {sorted({p.split('[')[0] for p in problems})}")
    _, compiled = _compile(spec)
    if isinstance(compiled, PipelineSpecError):
        assert problems
        assert {p.path for p in compiled.problems} == problems
        return
    assert not problems
    assert all_edges(compiled.spec) == _edges(spec)
    assert [s.key for s in compiled.statuses] == [s["key"] for s in spec["statuses"]]
    assert [s.label for s in compiled.statuses] == [
        s.get("label", s["key"]) for s in spec["statuses"]
    ]


@settings(max_examples=150)
@given(valid_specs())
def test_a_spec_round_trips_through_dict_toml_and_json(generated: tuple[Spec, Pipeline]) -> None:
    _, pipeline = generated
    as_dict = pipeline.to_dict()
    assert Pipeline.from_dict(as_dict) == pipeline
    assert Pipeline.from_toml(pipeline.to_toml()) == pipeline
    assert Pipeline.from_json(json.dumps(as_dict)) == pipeline
    assert Pipeline.from_dict(as_dict).to_dict() == as_dict


def _mermaid_text(text: str) -> str:
    """Mermaid has no backslash escapes: quotes become ``#quot;``, line breaks spaces."""
    return re.sub(r"\r\n|\r|\n", " ", text.replace('"', "#quot;"))


def _dot_text(text: str) -> str:
    """DOT escapes backslashes and quotes, and writes line breaks as ``\\n``."""
    return re.sub(r"\r\n|\r|\n", r"\\n", text.replace("\\", "\\\\").replace('"', '\\"'))


@settings(max_examples=150)
@given(valid_specs())
def test_diagrams_draw_every_status_once_with_its_label_and_every_allowed_move(
    generated: tuple[Spec, Pipeline],
) -> None:
    spec, pipeline = generated
    index = {s.key: i for i, s in enumerate(pipeline.statuses)}
    moves = {(index[a], index[b]) for a, targets in _edges(spec).items() for b in targets}
    labels = [_mermaid_text(s.label) for s in pipeline.statuses]
    dot_labels = [_dot_text(s.label) for s in pipeline.statuses]

    mermaid = pipeline.to_mermaid().splitlines()
    states = [m for line in mermaid if (m := re.fullmatch(r'    state "(.*)" as s(\d+)', line))]
    assert sorted(int(m[2]) for m in states) == list(range(len(labels)))
    assert all(m[1].startswith(labels[int(m[2])]) for m in states)
    arrows = [re.fullmatch(r"    s(\d+) --> s(\d+)", line) for line in mermaid]
    assert {(int(m[1]), int(m[2])) for m in arrows if m} == moves

    dot = pipeline.to_dot().splitlines()
    node = r'    s(\d+) \[label="(.*)"(, .*)?\];'
    nodes = [m for line in dot if (m := re.fullmatch(node, line))]
    assert sorted(int(m[1]) for m in nodes) == list(range(len(labels)))
    assert all(m[2].startswith(dot_labels[int(m[1])]) for m in nodes)
    arrows = [re.fullmatch(r"    s(\d+) -> s(\d+);", line) for line in dot]
    assert {(int(m[1]), int(m[2])) for m in arrows if m} == moves
