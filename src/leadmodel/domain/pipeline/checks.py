"""Checks that need a whole pipeline spec: duplicates, references, reachability, registries.

:class:`~leadmodel.domain.pipeline.spec.PipelineSpec` runs :func:`funnel_problems` when it is
built, so a spec whose statuses cannot be reached or cannot end does not exist; a compiled
:class:`~leadmodel.domain.pipeline.machine.Pipeline` adds :func:`registry_problems` (the guards
and frameworks the host app registers). The checks read a spec through the protocols below, so
they also run on the draft of a spec document that did not load, to report every problem at
once; parts that did not load are ``None`` there, and are skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from leadmodel.domain.pipeline.kinds import Policy, StatusKind
from leadmodel.errors import Problem

__all__ = [
    "Funnel",
    "all_edges",
    "funnel_problems",
    "open_edges",
    "registry_problems",
]


class _Requires(Protocol):
    @property
    def fields(self) -> tuple[str, ...]: ...
    @property
    def framework(self) -> str | None: ...
    @property
    def guards(self) -> tuple[str, ...]: ...


class _Status(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> StatusKind: ...
    @property
    def requires(self) -> _Requires: ...


class _Move(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...


class Funnel(Protocol):
    """What the checks read of a pipeline spec."""

    @property
    def statuses(self) -> Sequence[_Status]: ...
    @property
    def transitions(self) -> Sequence[_Move]: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def allow_reopen(self) -> bool: ...
    @property
    def reopen_won(self) -> bool: ...
    @property
    def close_from_any(self) -> bool: ...


def open_edges(spec: Funnel) -> set[tuple[str, str]]:
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


def all_edges(spec: Funnel) -> dict[str, frozenset[str]]:
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


def funnel_problems(spec: Funnel) -> list[Problem]:
    """Problems of the spec as a whole: duplicate keys, where cards enter and end, the
    transitions' statuses, and statuses no move reaches or no move leaves for an end."""
    found: list[Problem] = []
    seen: dict[str, int] = {}
    for i, status in enumerate(spec.statuses):
        if status is None or type(status.key) is not str:
            continue
        if status.key in seen:
            also = f"also statuses[{seen[status.key]}]"
            found.append(Problem(f"statuses[{i}].key", f"duplicate status {status.key!r} ({also})"))
        seen.setdefault(status.key, i)
    first = spec.statuses[0] if spec.statuses else None
    if first is not None and first.kind is not StatusKind.open:
        found.append(
            Problem("statuses[0].kind", "the first status is where cards enter: it must be open")
        )
    if seen and not any(s is not None and s.kind is StatusKind.won for s in spec.statuses):
        found.append(Problem("statuses", 'no won status: add one with kind = "won"'))
    found += _transition_problems(spec, seen)
    complete = len(seen) == len(spec.statuses) and all(t is not None for t in spec.transitions)
    if seen and complete:  # the graph is sound only without duplicates and gaps
        found += _reachability_problems(spec)
    return found


def _transition_problems(spec: Funnel, seen: Mapping[str, int]) -> list[Problem]:
    found = []
    kinds = {s.key: s.kind for s in spec.statuses if s is not None}
    for i, move in enumerate(spec.transitions):
        if move is None:
            continue
        for end, name in (("source", move.source), ("target", move.target)):
            if type(name) is str and name and name not in seen:
                found.append(Problem(f"transitions[{i}].{end}", f"unknown status {name!r}"))
        kind = kinds.get(move.source) if type(move.source) is str else None
        if kind is StatusKind.won and not spec.reopen_won:
            message = "won is final: set reopen_won = true to allow this"
            found.append(Problem(f"transitions[{i}].source", message))
        if kind is StatusKind.lost and not spec.allow_reopen:
            message = "lost is final here: set allow_reopen = true"
            found.append(Problem(f"transitions[{i}].source", message))
    return found


def registry_problems(
    spec: Funnel, guards: Collection[str] | None, frameworks: Collection[str] | None
) -> list[Problem]:
    """Guards the host has not registered, and frameworks it does not know (when it says which
    it knows: ``frameworks=None`` leaves framework names unchecked)."""
    found = []
    statuses = spec.statuses if type(spec.statuses) is tuple else ()  # a draft may have none
    for i, status in enumerate(statuses):
        requires = getattr(status, "requires", None)
        if requires is None:
            continue
        path = f"statuses[{i}].requires"
        for j, name in enumerate(requires.guards or ()):
            if guards is None:
                message = f"guard {name!r} is not registered: pass guards=Guards(...) with it"
                found.append(Problem(f"{path}.guards[{j}]", message))
            elif name not in guards:
                known = ", ".join(sorted(guards)) or "none"
                message = f"unknown guard {name!r}; registered: {known}"
                found.append(Problem(f"{path}.guards[{j}]", message))
        framework = requires.framework
        if framework is not None and frameworks is not None and framework not in frameworks:
            known = ", ".join(sorted(frameworks)) or "none"
            message = f"unknown framework {framework!r}; known: {known}"
            found.append(Problem(f"{path}.framework", message))
    return found


def _reachability_problems(spec: Funnel) -> list[Problem]:
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
            message = f"unreachable: no allowed moves lead from {first!r} here"
            found.append(Problem(f"statuses[{i}]", message))
        elif status.kind is StatusKind.open and status.key not in ends:
            message = f"dead end: no way from {status.key!r} to won or lost"
            found.append(Problem(f"statuses[{i}]", message))
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
