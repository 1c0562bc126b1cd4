"""Checks that need a whole pipeline spec: duplicates, references, reachability, registries.

:class:`~leadmodel.domain.pipeline.spec.PipelineSpec` runs :func:`funnel_problems` when it is
built, so a spec whose statuses cannot be reached or cannot end does not exist; a compiled
:class:`~leadmodel.domain.pipeline.machine.Pipeline` adds :func:`registry_problems` (the guards
and frameworks the host app registers). The checks read a spec through the protocols below, so
they also run on the draft of a spec document that did not load, to report every problem at
once; parts that did not load are ``None`` there, and are skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from leadmodel.domain.pipeline.kinds import Policy, StatusKind
from leadmodel.errors import Problem

__all__ = [
    "Funnel",
    "Moves",
    "all_edges",
    "funnel_problems",
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
    @property
    def convert_to(self) -> str | None: ...


class Moves:
    """Every move a spec allows, held as its rules rather than as a list of edges.

    ``forward_only`` and ``any`` allow a number of moves quadratic in the statuses (10,000
    statuses: 50 million moves), so the edges are never listed: :meth:`allows` answers from
    the statuses' kinds and places in O(1), :meth:`targets` lists one status's targets in
    O(statuses), and :meth:`reached` / :meth:`reaching` walk the graph in O(statuses +
    transitions), taking each group of moves (the opens after a status, every open, every
    closing status) once. The moves are those of the policy between open statuses, the
    explicit transitions, closing from any open status (``close_from_any``) and reopening
    (``allow_reopen`` for lost, ``reopen_won`` for won); never a move to the same status.
    """

    __slots__ = (
        "_close_from_any",
        "_closing",
        "_extra",
        "_extra_in",
        "_index",
        "_kind",
        "_opened",
        "_place",
        "_policy",
        "_reopen",
    )

    def __init__(self, spec: Funnel) -> None:
        self._kind = {s.key: s.kind for s in spec.statuses}
        self._index = {key: i for i, key in enumerate(self._kind)}
        self._opened = [k for k, kind in self._kind.items() if kind is StatusKind.open]
        self._closing = [k for k, kind in self._kind.items() if kind is not StatusKind.open]
        self._place = {key: i for i, key in enumerate(self._opened)}
        self._policy = spec.policy
        self._close_from_any = spec.close_from_any
        self._reopen = {StatusKind.lost: spec.allow_reopen, StatusKind.won: spec.reopen_won}
        self._extra: dict[str, set[str]] = {}
        self._extra_in: dict[str, set[str]] = {}
        for move in spec.transitions:
            a, b = move.source, move.target
            if a != b and a in self._kind and b in self._kind:
                self._extra.setdefault(a, set()).add(b)
                self._extra_in.setdefault(b, set()).add(a)

    def __contains__(self, key: object) -> bool:
        return key in self._kind

    def allows(self, source: str, target: str) -> bool:
        """Whether the spec allows a move from ``source`` to ``target`` (O(1))."""
        kind, to = self._kind.get(source), self._kind.get(target)
        if kind is None or to is None or source == target:
            return False
        if target in self._extra.get(source, ()):
            return True
        if kind is not StatusKind.open:
            return to is StatusKind.open and self._reopen[kind]
        if to is not StatusKind.open:
            return self._close_from_any
        policy, i, j = self._policy, self._place[source], self._place[target]
        return (
            policy is Policy.any
            or (policy is Policy.forward_only and j > i)
            or (policy is Policy.adjacent and abs(i - j) == 1)
        )

    def targets(self, source: str) -> tuple[str, ...]:
        """The statuses ``source`` may move to, in funnel order (O(statuses))."""
        return tuple(key for key in self._kind if self.allows(source, key))

    def edges(self) -> Iterator[tuple[int, int]]:
        """Every move as (source, target) places in the funnel, sorted; as many as there are."""
        for source, i in self._index.items():
            found = set(self._extra.get(source, ()))
            kind = self._kind[source]
            if kind is not StatusKind.open:
                found.update(self._opened if self._reopen[kind] else ())
            else:
                place = self._place[source]
                if self._policy is Policy.forward_only:
                    found.update(self._opened[place + 1 :])
                elif self._policy is Policy.adjacent:
                    found.update(self._opened[max(place - 1, 0) : place + 2])
                elif self._policy is Policy.any:
                    found.update(self._opened)
                found.update(self._closing if self._close_from_any else ())
            found.discard(source)
            yield from ((i, j) for j in sorted(map(self._index.__getitem__, found)))

    def reached(self, start: Iterable[str]) -> set[str]:
        """Every status some moves lead to from ``start`` (``start`` included)."""
        return self._walk(start, forward=True)

    def reaching(self, ends: Iterable[str]) -> set[str]:
        """Every status from which some moves lead to one of ``ends`` (``ends`` included)."""
        return self._walk(ends, forward=False)

    def _walk(self, start: Iterable[str], *, forward: bool) -> set[str]:
        seen = {key for key in start if key in self._kind}
        stack = list(seen)
        opened, closing, place = self._opened, self._closing, self._place
        extra = self._extra if forward else self._extra_in
        policy = self._policy
        # each group of moves is taken once: a bound of the opens already taken (after a
        # status going forward, before it going back), and flags for "every open" and
        # "every closing status"
        bound = len(opened) if forward else 0
        every_open = every_closing = False
        reopenable = [k for k in closing if self._reopen[self._kind[k]]]

        def take(keys: Iterable[str]) -> None:
            for key in keys:
                if key not in seen:
                    seen.add(key)
                    stack.append(key)

        while stack:
            key = stack.pop()
            take(extra.get(key, ()))
            if self._kind[key] is StatusKind.open:
                i = place[key]
                if policy is Policy.adjacent:
                    take(opened[max(i - 1, 0) : i + 2])
                elif policy is Policy.forward_only and forward and i + 1 < bound:
                    take(opened[i + 1 : bound])
                    bound = i + 1
                elif policy is Policy.forward_only and not forward and i > bound:
                    take(opened[bound:i])
                    bound = i
                elif policy is Policy.any and not every_open:
                    every_open = True
                    take(opened)
                if forward and self._close_from_any and not every_closing:
                    every_closing = True
                    take(closing)
                elif not forward and not every_closing:  # reopening leads back here
                    every_closing = True
                    take(reopenable)
            elif not every_open and (
                self._reopen[self._kind[key]] if forward else self._close_from_any
            ):  # reopening leads to every open status; closing from any comes from them
                every_open = True
                take(opened)
        return seen


def all_edges(spec: Funnel) -> dict[str, frozenset[str]]:
    """Every allowed move, listed by source status.

    As many entries as moves: quadratic in the statuses for ``forward_only`` and ``any``.
    The library itself asks :class:`Moves`; this listing is for tools and tests.
    """
    moves = Moves(spec)
    return {key: frozenset(moves.targets(key)) for key in moves._kind}


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
    found += _convert_to_problems(spec)
    complete = len(seen) == len(spec.statuses) and all(t is not None for t in spec.transitions)
    if seen and complete:  # the graph is sound only without duplicates and gaps
        found += _reachability_problems(spec)
    return found


def _convert_to_problems(spec: Funnel) -> list[Problem]:
    target = spec.convert_to
    if type(target) is not str:
        return []
    kinds = {s.key: s.kind for s in spec.statuses if s is not None}
    if kinds.get(target) is StatusKind.won:
        return []
    won = ", ".join(key for key, kind in kinds.items() if kind is StatusKind.won) or "none"
    why = "is not a status here" if target not in kinds else "is not a won status"
    msg = f"{target!r} {why}: a conversion moves the card to a won status ({won})"
    return [Problem("convert_to", msg, target)]


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
    moves = Moves(spec)
    first = spec.statuses[0].key
    reached = moves.reached([first])
    ends = moves.reaching([s.key for s in spec.statuses if s.kind is not StatusKind.open])
    found = []
    for i, status in enumerate(spec.statuses):
        if status.key not in reached:
            message = f"unreachable: no allowed moves lead from {first!r} here"
            found.append(Problem(f"statuses[{i}]", message))
        elif status.kind is StatusKind.open and status.key not in ends:
            message = f"dead end: no way from {status.key!r} to won or lost"
            found.append(Problem(f"statuses[{i}]", message))
    return found
