"""Pipeline diagrams: Mermaid (renders in MkDocs and GitHub) and Graphviz DOT."""

from __future__ import annotations

from collections.abc import Iterator

from leadmodel.domain.pipeline.checks import Moves
from leadmodel.domain.pipeline.spec import PipelineSpec, StatusKind

__all__ = ["to_dot", "to_mermaid"]


def _edges(spec: PipelineSpec) -> Iterator[tuple[int, int]]:
    # sorted by source, then target; a diagram draws every move, so its size is theirs
    return Moves(spec).edges()


def _one_line(text: str, newline: str) -> str:
    return text.replace("\r\n", newline).replace("\n", newline).replace("\r", newline)


def _mermaid_text(text: str) -> str:
    # Mermaid has no backslash escapes: quotes become an entity; a line break would split
    # the diagram's line, so it becomes a space
    return _one_line(text.replace('"', "#quot;"), " ")


def _dot_text(text: str) -> str:
    return _one_line(text.replace("\\", "\\\\").replace('"', '\\"'), "\\n")


def to_mermaid(spec: PipelineSpec) -> str:
    """A Mermaid ``stateDiagram-v2`` of the pipeline: statuses, allowed moves, won and lost ends."""
    lines = ["stateDiagram-v2", "    direction LR"]
    for i, status in enumerate(spec.statuses):
        label = _mermaid_text(status.label)
        if status.kind is StatusKind.lost and status.lost_reasons:
            label += " (" + ", ".join(_mermaid_text(r) for r in status.lost_reasons) + ")"
        lines.append(f'    state "{label}" as s{i}')
    lines.append("    [*] --> s0")
    lines.extend(f"    s{a} --> s{b}" for a, b in _edges(spec))
    for i, status in enumerate(spec.statuses):
        if status.kind is not StatusKind.open:
            lines.append(f"    s{i} --> [*]")
    for i, status in enumerate(spec.statuses):
        if status.kind is StatusKind.won:
            lines.append(f"    class s{i} won")
        elif status.kind is StatusKind.lost:
            lines.append(f"    class s{i} lost")
    lines.append("    classDef won fill:#d4f7d4,stroke:#2e7d32")
    lines.append("    classDef lost fill:#fde0e0,stroke:#c62828")
    return "\n".join(lines) + "\n"


def to_dot(spec: PipelineSpec) -> str:
    """A Graphviz DOT digraph of the pipeline (``dot -Tsvg``)."""
    lines = [
        f'digraph "{_dot_text(spec.key)}" {{',
        "    rankdir=LR;",
        '    node [shape=box, style="rounded"];',
    ]
    colours = {StatusKind.won: "#d4f7d4", StatusKind.lost: "#fde0e0"}
    for i, status in enumerate(spec.statuses):
        label = _dot_text(status.label)
        if status.kind is StatusKind.lost and status.lost_reasons:
            label += "\\n(" + ", ".join(_dot_text(r) for r in status.lost_reasons) + ")"
        extra = (
            f', style="rounded,filled", fillcolor="{colours[status.kind]}"'
            if status.kind in colours
            else ""
        )
        lines.append(f'    s{i} [label="{label}"{extra}];')
    lines.extend(f"    s{a} -> s{b};" for a, b in _edges(spec))
    lines.append("}")
    return "\n".join(lines) + "\n"
