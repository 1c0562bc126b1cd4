"""The compiled pipeline: moves, transfers, replays and diagrams over a checked spec."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from leadmodel._kernel import toml as _toml
from leadmodel._kernel.copy import build, replace
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import LossInfo, StatusChange, check_move
from leadmodel.domain.pipeline import checks, export
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.pipeline.spec import (
    ActionSpec,
    PipelineSpec,
    SpecReader,
    StatusKind,
    StatusSpec,
    read_spec,
    spec_to_dict,
)
from leadmodel.domain.scoring.conditions import lead_value
from leadmodel.errors import PipelineSpecError, Problem, TransitionError, ValidationError

__all__ = ["FrameworkCheck", "Pipeline", "latest_assessment"]

FrameworkCheck = Callable[[Lead, str], "tuple[str, ...] | None"]
"""``check(lead, framework)``: ``None`` if the lead satisfies it, else the missing criteria."""


def latest_assessment(lead: Lead, framework: str) -> tuple[str, ...] | None:
    """The default framework check: the lead's latest assessment against ``framework`` qualified.

    Returns ``None`` when it did, else the criteria it lacked (or the framework's name when the
    lead was never assessed against it).
    """
    for assessment in reversed(lead.assessments):
        if assessment.framework == framework:
            if assessment.qualified:
                return None
            return (*assessment.missing, *assessment.failed) or (framework,)
    return (framework,)


def _is_set(value: object) -> bool:
    return value is not None and value not in ("", (), frozenset())


class Pipeline:
    """A funnel compiled from a checked :class:`PipelineSpec` into lookup tables.

    Build it with :meth:`from_dict`, :meth:`from_toml` or :meth:`from_json`; they report every
    problem of the spec at once in :class:`~leadmodel.errors.PipelineSpecError`.
    """

    __slots__ = (
        "_frameworks",
        "_guards",
        "_index",
        "_lost",
        "_requires",
        "_status",
        "_targets",
        "spec",
    )

    def __init__(
        self,
        spec: PipelineSpec,
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
        source: str | None = None,
    ) -> None:
        problems = checks.structure_problems(spec, guards, frameworks)
        if problems:
            raise PipelineSpecError([Problem(path, msg) for path, msg in problems], source=source)
        self.spec = spec
        self._guards = guards if guards is not None else Guards()
        self._frameworks = frameworks
        self._status: dict[str, StatusSpec] = {s.key: s for s in spec.statuses}
        self._index = {s.key: i for i, s in enumerate(spec.statuses)}
        self._targets = checks.all_edges(spec)
        # the lookups a move makes, precomputed: a move is dict lookups plus one copy
        self._lost = frozenset(s.key for s in spec.statuses if s.kind is StatusKind.lost)
        self._requires = {s.key: s for s in spec.statuses if s.requires}

    # -- loading and dumping -------------------------------------------------------------
    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
        source: str | None = None,
    ) -> Pipeline:
        """Read, check and compile a spec dict.

        Raises :class:`~leadmodel.errors.PipelineSpecError` listing every problem found.
        """
        reader = SpecReader()
        spec = read_spec(data, reader)
        if reader.problems:
            semantic = checks.structure_problems(spec, guards, frameworks) if spec.statuses else []
            problems = [*reader.problems, *(Problem(p, m) for p, m in semantic)]
            raise PipelineSpecError(_dedupe(problems), source=source)
        return cls(spec, guards=guards, frameworks=frameworks, source=source)

    @classmethod
    def from_toml(
        cls,
        source: str | bytes | os.PathLike[str],
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
    ) -> Pipeline:
        """Read a spec from TOML text, or from a file when given a path (``pathlib.Path``).

        Problems name the line they were found on: ``line 14: statuses[2].kind: ...``.
        """
        name = None
        if isinstance(source, os.PathLike):
            name = os.fspath(source)
            text = Path(source).read_text(encoding="utf-8")
        else:
            text = source.decode("utf-8") if isinstance(source, bytes) else source
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PipelineSpecError([Problem("", f"not valid TOML: {exc}")], source=name) from None
        try:
            return cls.from_dict(data, guards=guards, frameworks=frameworks, source=name)
        except PipelineSpecError as exc:
            lines = _toml.line_map(text)
            located = [_with_line(p, _toml.locate(lines, p.path)) for p in exc.problems]
            raise PipelineSpecError(located, source=name) from None

    @classmethod
    def from_json(
        cls,
        text: str | bytes,
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
    ) -> Pipeline:
        """Read a spec from JSON text (the same shape as the dict and TOML forms)."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise PipelineSpecError([Problem("", f"not valid JSON: {exc}")]) from None
        return cls.from_dict(data, guards=guards, frameworks=frameworks)

    def to_toml(self) -> str:
        """The spec as TOML text that :meth:`from_toml` reads back to an equal pipeline."""
        return _toml.dump(self.to_dict())

    def to_mermaid(self) -> str:
        """A Mermaid state diagram of the pipeline (renders in MkDocs Material)."""
        return export.to_mermaid(self)

    def to_dot(self) -> str:
        """A Graphviz DOT digraph of the pipeline."""
        return export.to_dot(self)

    def to_dict(self) -> dict[str, Any]:
        """The spec as a dict in the load format (settings at their default are left out)."""
        return spec_to_dict(self.spec)

    # -- facts ---------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """The pipeline's id, recorded on every lead in it."""
        return self.spec.key

    @property
    def statuses(self) -> tuple[StatusSpec, ...]:
        """The statuses in funnel order."""
        return self.spec.statuses

    @property
    def first(self) -> str:
        """The status new cards enter."""
        return self.spec.statuses[0].key

    def status(self, key: str) -> StatusSpec:
        """The spec of status ``key``; raises ``TransitionError(why="unknown_status")``."""
        try:
            return self._status[key]
        except KeyError:
            raise self._error(
                None, key, "unknown_status", f"{key!r} is not a status of this pipeline"
            ) from None

    def kind(self, key: str) -> StatusKind:
        """Whether ``key`` is an open, won or lost status."""
        return self.status(key).kind

    def __repr__(self) -> str:
        return f"Pipeline({self.key!r}, {len(self.statuses)} statuses)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)

    # -- moving ----------------------------------------------------------------------------
    def enter(self, lead: Lead, *, at: datetime, by: str | None, status: str | None = None) -> Lead:
        """Put a lead that is in no pipeline into the first (or given open) status."""
        to = self.first if status is None else status
        if lead.pipeline is not None:
            raise self._error(
                lead.status,
                to,
                "other_pipeline",
                f"the lead is already in pipeline {lead.pipeline!r}; transfer() it instead",
            )
        self._check_entry(lead, to)
        change = StatusChange(pipeline=self.key, from_status=None, to_status=to, at=at, by=by)
        return attrs.evolve(lead, pipeline=self.key, status=to, history=(*lead.history, change))

    def move(
        self,
        lead: Lead,
        to: str,
        *,
        at: datetime,
        by: str | None,
        reason: str | None = None,
        note: str | None = None,
    ) -> Lead:
        """Move a lead to status ``to``: a new Lead with the status set and the move recorded.

        A move to a lost status needs a ``reason`` from that status's ``lost_reasons`` and
        records :class:`~leadmodel.LossInfo`; reopening a lost lead clears it. Raises
        :class:`~leadmodel.errors.TransitionError` with ``why`` set when the move is refused.
        """
        current = lead.status
        if lead.pipeline != self.key:
            where = f"pipeline {lead.pipeline!r}" if lead.pipeline else "no pipeline"
            raise self._error(
                current, to, "other_pipeline", f"the lead is in {where}, not {self.key!r}"
            )
        targets = self._targets.get(current)  # type: ignore[arg-type]
        if targets is None:
            raise self._error(current, to, "unknown_status", f"the status {current!r} is not here")
        if to not in targets:
            raise self._refusal(current, to)
        lost = None
        if to in self._lost:
            self._check_reason(current, self._status[to], reason)
            if lead.converted is not None:
                raise self._error(current, to, "not_allowed", "a converted lead cannot be lost")
            lost = LossInfo(status=to, reason=reason, at=at, by=by, note=note)  # type: ignore[arg-type]
        if to in self._requires:
            self._check_requirements(lead, current, self._requires[to])
        problems: list[Problem] = []
        check_move(problems, at, by, reason, note)
        if problems:
            raise ValidationError(problems, model="Pipeline.move")
        history = lead.history
        if history and at < history[-1].at:
            last = history[-1].at.isoformat()
            raise self._error(
                current,
                to,
                "time_backwards",
                f"dated {at.isoformat()}, before the last change ({last})",
            )
        # a move re-validates only what it changes: the new entry's values (checked above), the
        # edge, the reason and the time order; every other field is as valid as it was
        change = build(StatusChange, self.spec.key, current, to, at, by, reason, note, None)
        return replace(lead, status=to, history=(*history, change), lost=lost)

    def allowed(self, lead: Lead) -> tuple[str, ...]:
        """The statuses the lead may move to now, in funnel order (lost ones need a reason)."""
        if lead.pipeline != self.key or lead.status not in self._targets:
            return ()
        out = []
        for status in self.spec.statuses:
            if status.key in self._targets[lead.status] and (
                not status.requires or not self._missing(lead, status)
            ):
                out.append(status.key)
        return tuple(out)

    def actions(self, change: StatusChange, lead: Lead | None = None) -> tuple[ActionSpec, ...]:
        """The ``on_enter`` actions a recorded move triggers, for the host app to perform.

        Pass the ``lead`` to honour its do-not-contact flag: actions that reach out to the
        person (email, message, call) are then left out.
        """
        if change.pipeline != self.key or change.to_status not in self._status:
            return ()
        found = self._status[change.to_status].on_enter
        if lead is not None and lead.do_not_contact:
            found = tuple(a for a in found if not a.contacts_person)
        return found

    def transfer(
        self,
        lead: Lead,
        to_pipeline: Pipeline,
        status: str | None = None,
        *,
        at: datetime,
        by: str | None,
        note: str | None = None,
    ) -> Lead:
        """Move a lead from here into an open status of ``to_pipeline`` (requests → deals)."""
        to = to_pipeline.first if status is None else status
        if lead.pipeline != self.key:
            raise self._error(
                lead.status, to, "other_pipeline", f"the lead is not in pipeline {self.key!r}"
            )
        to_pipeline._check_entry(lead, to)
        history = lead.history
        if history and at < history[-1].at:
            raise self._error(
                lead.status, to, "time_backwards", "the transfer is dated before the last change"
            )
        change = StatusChange(
            pipeline=to_pipeline.key,
            from_pipeline=self.key,
            from_status=lead.status,
            to_status=to,
            at=at,
            by=by,
            note=note,
        )
        return attrs.evolve(
            lead, pipeline=to_pipeline.key, status=to, history=(*history, change), lost=None
        )

    def replay(self, history: Collection[StatusChange]) -> str | None:
        """Rebuild the status from a history, checking every move of this pipeline in it.

        Returns the status the history ends in here (``None`` if it never entered this
        pipeline); raises :class:`TransitionError` at the first move the spec does not allow.
        """
        pipeline: str | None = None
        status: str | None = None
        last: datetime | None = None
        for change in history:
            if last is not None and change.at < last:
                raise self._error(
                    status, change.to_status, "time_backwards", "the history goes back in time"
                )
            last = change.at
            if change.pipeline == self.key:
                self._replay_step(pipeline, status, change)
            pipeline, status = change.pipeline, change.to_status
        return status if pipeline == self.key else None

    # -- checks ----------------------------------------------------------------------------
    def _replay_step(self, pipeline: str | None, status: str | None, change: StatusChange) -> None:
        to = change.to_status
        if pipeline != self.key:  # entering or transferred in
            self._check_known(status, to)
            if self._status[to].kind is not StatusKind.open:
                raise self._error(
                    status, to, "not_allowed", "cards enter a pipeline in an open status"
                )
            return
        if change.from_status != status:
            raise self._error(
                status,
                to,
                "not_allowed",
                f"the history has a move from {change.from_status!r}; the card was in {status!r}",
            )
        if to not in self._targets.get(status or "", frozenset()):
            raise self._refusal(status, to)
        target = self._status[to]
        if target.kind is StatusKind.lost:
            self._check_reason(status, target, change.reason)

    def _check_known(self, current: str | None, to: str) -> None:
        if to not in self._status:
            raise self._error(
                current, to, "unknown_status", f"{to!r} is not a status of pipeline {self.key!r}"
            )

    def _check_entry(self, lead: Lead, to: str) -> None:
        self._check_known(lead.status, to)
        target = self._status[to]
        if target.kind is not StatusKind.open:
            raise self._error(
                lead.status, to, "not_allowed", "cards enter a pipeline in an open status"
            )
        if target.requires:
            self._check_requirements(lead, lead.status, target)

    def _refusal(self, current: str | None, to: str) -> TransitionError:
        self._check_known(current, to)
        kind = self._status[current].kind if current in self._status else None
        if kind is StatusKind.won and not self.spec.reopen_won:
            return self._error(
                current, to, "terminal", "won is final (the spec does not set reopen_won)"
            )
        if kind is StatusKind.lost and not self.spec.allow_reopen:
            return self._error(
                current, to, "terminal", "lost is final (the spec does not allow reopening)"
            )
        allowed = (
            ", ".join(sorted(self._targets.get(current or "", ()), key=self._index.__getitem__))
            or "none"
        )
        return self._error(current, to, "not_allowed", f"allowed from here: {allowed}")

    def _check_reason(self, current: str | None, target: StatusSpec, reason: str | None) -> None:
        reasons = ", ".join(target.lost_reasons)
        if reason is None:
            raise self._error(
                current,
                target.key,
                "reason_required",
                f"a lost status needs a reason: one of {reasons}",
            )
        if reason not in target.lost_reasons:
            raise self._error(
                current,
                target.key,
                "reason_not_allowed",
                f"{reason!r} is not a reason here; use one of {reasons}",
            )

    def _check_requirements(self, lead: Lead, current: str | None, target: StatusSpec) -> None:
        missing = self._missing(lead, target)
        if missing:
            raise self._error(
                current,
                target.key,
                "requirement_missing",
                f"{target.key!r} requires: {', '.join(missing)}",
                missing=missing,
            )

    def _missing(self, lead: Lead, target: StatusSpec) -> tuple[str, ...]:
        req = target.requires
        missing: list[str] = []
        for name in req.fields:
            if not _is_set(lead_value(lead, name)):
                missing.append(name)
        if req.framework is not None:
            check = (self._frameworks or {}).get(req.framework, latest_assessment)
            lacking = check(lead, req.framework)
            if lacking is not None:
                missing.extend(f"{req.framework}.{c}" if c != req.framework else c for c in lacking)
        for name in req.guards:
            why = self._guards.refusal(name, lead, target.key)
            if why is not None:
                missing.append(f"{name} ({why})")
        return tuple(missing)

    def _error(
        self, current: str | None, to: str, why: str, detail: str, *, missing: tuple[str, ...] = ()
    ) -> TransitionError:
        return TransitionError(
            f"pipeline {self.key!r}: cannot move from {current!r} to {to!r} ({why}): {detail}",
            from_status=current,
            to_status=to,
            why=why,
            missing=missing,
        )


def _with_line(problem: Problem, line: int | None) -> Problem:
    if line is None:
        return problem
    return Problem(problem.path, problem.message, problem.value, line=line)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
