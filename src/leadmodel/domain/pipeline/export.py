"""Pipeline diagrams: Mermaid (renders in MkDocs and GitHub) and Graphviz DOT."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadmodel.domain.pipeline.spec import StatusKind

if TYPE_CHECKING:
    from leadmodel.domain.pipeline.machine import Pipeline

__all__ = ["to_dot", "to_mermaid"]


def _edges(pipeline: Pipeline) -> list[tuple[int, int]]:
    index = {s.key: i for i, s in enumerate(pipeline.statuses)}
    return sorted(
        (index[source], index[target])
        for source, targets in pipeline._targets.items()
        for target in targets
    )


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_mermaid(pipeline: Pipeline) -> str:
    """A Mermaid ``stateDiagram-v2`` of the pipeline: statuses, allowed moves, won and lost ends."""
    lines = ["stateDiagram-v2", "    direction LR"]
    for i, status in enumerate(pipeline.statuses):
        label = _quote(status.label)
        if status.kind is StatusKind.lost and status.lost_reasons:
            label += "\\n(" + ", ".join(_quote(r) for r in status.lost_reasons) + ")"
        lines.append(f'    state "{label}" as s{i}')
    lines.append("    [*] --> s0")
    lines.extend(f"    s{a} --> s{b}" for a, b in _edges(pipeline))
    for i, status in enumerate(pipeline.statuses):
        if status.kind is not StatusKind.open:
            lines.append(f"    s{i} --> [*]")
    for i, status in enumerate(pipeline.statuses):
        if status.kind is StatusKind.won:
            lines.append(f"    class s{i} won")
        elif status.kind is StatusKind.lost:
            lines.append(f"    class s{i} lost")
    lines.append("    classDef won fill:#d4f7d4,stroke:#2e7d32")
    lines.append("    classDef lost fill:#fde0e0,stroke:#c62828")
    return "\n".join(lines) + "\n"


def to_dot(pipeline: Pipeline) -> str:
    """A Graphviz DOT digraph of the pipeline (``dot -Tsvg``)."""
    lines = [
        f'digraph "{_quote(pipeline.key)}" {{',
        "    rankdir=LR;",
        '    node [shape=box, style="rounded"];',
    ]
    colours = {StatusKind.won: "#d4f7d4", StatusKind.lost: "#fde0e0"}
    for i, status in enumerate(pipeline.statuses):
        label = _quote(status.label)
        if status.kind is StatusKind.lost and status.lost_reasons:
            label += "\\n(" + ", ".join(_quote(r) for r in status.lost_reasons) + ")"
        extra = (
            f', style="rounded,filled", fillcolor="{colours[status.kind]}"'
            if status.kind in colours
            else ""
        )
        lines.append(f'    s{i} [label="{label}"{extra}];')
    lines.extend(f"    s{a} -> s{b};" for a, b in _edges(pipeline))
    lines.append("}")
    return "\n".join(lines) + "\n"
