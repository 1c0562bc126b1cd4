"""Spec checks that need the whole spec: duplicates, references, reachability, completeness."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import attrs

from leadmodel.domain.pipeline.spec import PipelineSpec, Policy, StatusKind, StatusSpec


def lead_field_names() -> frozenset[str]:
    """Fields a ``requires.fields`` entry may name (besides ``custom.<name>``)."""
    from leadmodel.domain.model.entities import Lead

    return frozenset(f.name for f in attrs.fields(Lead)) - {"id", "version", "created_at"}


def open_edges(spec: PipelineSpec) -> set[tuple[str, str]]:
    """The moves the policy and explicit transitions allow, before closing and reopening."""
    opened = [s.key for s in spec.statuses if s.kind is StatusKind.open]
    edges: set[tuple[str, str]] = set()
    for i, source in enumerate(opened):
        if spec.policy is Policy.forward_only:
            edges.update((source, target) for target in opened[i + 1 :])
        elif spec.policy is Policy.adjacent:
            edges.update((source, target) for target in opened[max(i - 1, 0) : i + 2])
        elif spec.policy is Policy.any:
            edges.update((source, target) for target in opened)
    edges.update((t.source, t.target) for t in spec.transitions)
    return {(a, b) for a, b in edges if a != b}


def all_edges(spec: PipelineSpec) -> dict[str, frozenset[str]]:
    """Every allowed move, by source status: policy, transitions, closing and reopening."""
    kinds = {s.key: s.kind for s in spec.statuses}
    opened = [k for k, kind in kinds.items() if kind is StatusKind.open]
    closing = [k for k, kind in kinds.items() if kind is not StatusKind.open]
    targets: dict[str, set[str]] = {k: set() for k in kinds}
    for source, target in open_edges(spec):
        if source in targets and target in kinds:
            targets[source].add(target)
    for key, kind in kinds.items():
        if kind is StatusKind.open and spec.close_from_any:
            targets[key].update(closing)
        reopen = spec.allow_reopen if kind is StatusKind.lost else spec.reopen_won
        if kind is not StatusKind.open and reopen:
            targets[key].update(opened)
    return {k: frozenset(v - {k}) for k, v in targets.items()}


def structure_problems(
    spec: PipelineSpec, guards: Collection[str] | None, frameworks: Collection[str] | None
) -> list[tuple[str, str]]:
    """Problems found by looking at the spec as a whole, as ``(path, message)`` pairs."""
    found: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, status in enumerate(spec.statuses):
        if status.key in seen:
            found.append(
                (
                    f"statuses[{i}].key",
                    f"duplicate status {status.key!r} (also statuses[{seen[status.key]}])",
                )
            )
        seen.setdefault(status.key, i)
        found.extend(_status_problems(status, f"statuses[{i}]", guards, frameworks))
    if spec.statuses and spec.statuses[0].kind is not StatusKind.open:
        found.append(("statuses[0].kind", "the first status is where cards enter: it must be open"))
    if spec.statuses and not any(s.kind is StatusKind.won for s in spec.statuses):
        found.append(("statuses", 'no won status: add one with kind = "won"'))
    for i, t in enumerate(spec.transitions):
        for end, name in (("from", t.source), ("to", t.target)):
            if name and name not in seen:
                found.append((f"transitions[{i}].{end}", f"unknown status {name!r}"))
        source_kind = next((s.kind for s in spec.statuses if s.key == t.source), None)
        if source_kind is StatusKind.won and not spec.reopen_won:
            found.append(
                (f"transitions[{i}].from", "won is final: set reopen_won = true to allow this")
            )
        if source_kind is StatusKind.lost and not spec.allow_reopen:
            found.append((f"transitions[{i}].from", "lost is final here: set allow_reopen = true"))
    if spec.statuses and len(seen) == len(spec.statuses):  # the graph is sound without duplicates
        found.extend(_reachability_problems(spec))
    return found


def _status_problems(
    status: StatusSpec,
    path: str,
    guards: Collection[str] | None,
    frameworks: Collection[str] | None,
) -> list[tuple[str, str]]:
    found = []
    if any(ch.isspace() for ch in status.key):
        found.append(
            (f"{path}.key", f"a status key has no spaces (got {status.key!r}); put words in label")
        )
    if status.kind is StatusKind.lost and not status.lost_reasons:
        found.append(
            (f"{path}.lost_reasons", "a lost status lists the reasons a card may be lost for")
        )
    if status.kind is not StatusKind.lost and status.lost_reasons:
        found.append((f"{path}.lost_reasons", "only lost statuses have lost reasons"))
    known_fields = lead_field_names()
    for j, name in enumerate(status.requires.fields):
        if not (
            name in known_fields or (name.startswith("custom.") and len(name) > len("custom."))
        ):
            found.append(
                (
                    f"{path}.requires.fields[{j}]",
                    f"Lead has no field {name!r} (use a Lead field or custom.<name>)",
                )
            )
    for j, name in enumerate(status.requires.guards):
        if guards is None:
            found.append(
                (
                    f"{path}.requires.guards[{j}]",
                    f"guard {name!r} is not registered: pass guards=Guards(...) with it",
                )
            )
        elif name not in guards:
            known = ", ".join(sorted(guards)) or "none"
            found.append(
                (f"{path}.requires.guards[{j}]", f"unknown guard {name!r}; registered: {known}")
            )
    framework = status.requires.framework
    if framework is not None and frameworks is not None and framework not in frameworks:
        known = ", ".join(sorted(frameworks)) or "none"
        found.append(
            (f"{path}.requires.framework", f"unknown framework {framework!r}; known: {known}")
        )
    return found


def _reachability_problems(spec: PipelineSpec) -> list[tuple[str, str]]:
    targets = all_edges(spec)
    sources: dict[str, set[str]] = {key: set() for key in targets}
    for source, reachable in targets.items():
        for target in reachable:
            sources[target].add(source)
    first = spec.statuses[0].key
    reached = _closure([first], targets)
    ends = _closure([s.key for s in spec.statuses if s.kind is not StatusKind.open], sources)
    found = []
    for i, status in enumerate(spec.statuses):
        if status.key not in reached:
            found.append(
                (f"statuses[{i}]", f"unreachable: no allowed moves lead from {first!r} here")
            )
        elif status.kind is StatusKind.open and status.key not in ends:
            found.append((f"statuses[{i}]", f"dead end: no way from {status.key!r} to won or lost"))
    return found


def _closure(start: list[str], edges: Mapping[str, Collection[str]]) -> set[str]:
    """Every status reachable from ``start`` along ``edges`` (one breadth-first walk)."""
    seen = set(start)
    stack = list(start)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
