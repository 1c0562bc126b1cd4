"""The compiled pipeline: moves, transfers, replays and diagrams over a checked spec."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import attrs

from leadmodel._kernel.copy import replace, unchecked
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import LossInfo, StatusChange, check_move
from leadmodel.domain.pipeline import checks, export, loading, requirements
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.pipeline.requirements import FrameworkCheck, latest_assessment
from leadmodel.domain.pipeline.spec import ActionSpec, PipelineSpec, StatusKind, StatusSpec
from leadmodel.errors import PipelineSpecError, Problem, TransitionError, ValidationError

__all__ = ["FrameworkCheck", "Pipeline", "latest_assessment"]


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
        # the spec checked itself when it was built; what only a pipeline knows is the host's
        problems = checks.registry_problems(spec, guards, frameworks)
        if problems:
            raise PipelineSpecError(problems, source=source)
        self.spec = spec
        self._guards = guards if guards is not None else Guards()
        self._frameworks = frameworks
        self._status: dict[str, StatusSpec] = {s.key: s for s in spec.statuses}
        self._index = {s.key: i for i, s in enumerate(spec.statuses)}
        self._targets = checks.all_edges(spec)
        # the lookups a move makes, precomputed: a move is dict lookups plus one copy
        self._lost = frozenset(s.key for s in spec.statuses if s.kind is StatusKind.lost)
        self._requires = {s.key: s for s in spec.statuses if s.requires}

    # -- loading and dumping (see loading.py) -----------------------------------------------
    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
        source: str | None = None,
    ) -> Pipeline:
        """Read, check and compile a spec document (as ``lm.from_dict(PipelineSpec, data)`` does).

        Raises :class:`~leadmodel.errors.PipelineSpecError` listing every problem found.
        """
        spec = loading.read_dict(data, guards=guards, frameworks=frameworks, source=source)
        return cls(spec, guards=guards, frameworks=frameworks, source=source)

    @classmethod
    def from_toml(
        cls,
        source: str | bytes | os.PathLike[str],
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
    ) -> Pipeline:
        """Read a spec from TOML text (``str`` or UTF-8 ``bytes``).

        The domain reads no files: pass ``path.read_bytes()``. A path still works, as it did
        before, but is deprecated (``DeprecationWarning``); a file that cannot be read is a
        :class:`~leadmodel.errors.PipelineSpecError`. Problems name the line they were found
        on: ``line 14: statuses[2].kind: ...``.
        """
        spec = loading.read_toml(source, guards=guards, frameworks=frameworks)
        return cls(spec, guards=guards, frameworks=frameworks)

    @classmethod
    def from_json(
        cls,
        text: str | bytes,
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
    ) -> Pipeline:
        """Read a spec from JSON text (the same shape as the dict and TOML forms)."""
        spec = loading.read_json(text, guards=guards, frameworks=frameworks)
        return cls(spec, guards=guards, frameworks=frameworks)

    def to_dict(self) -> dict[str, Any]:
        """The spec as a document, the same as ``lm.to_dict(pipeline.spec)``: ``schema_version``
        first, settings at their default left out."""
        return loading.to_dict(self.spec)

    def to_toml(self) -> str:
        """The spec as TOML text that :meth:`from_toml` reads back to an equal pipeline."""
        return loading.to_toml(self.spec)

    def to_mermaid(self) -> str:
        """A Mermaid state diagram of the pipeline (renders in MkDocs Material)."""
        return export.to_mermaid(self.spec)

    def to_dot(self) -> str:
        """A Graphviz DOT digraph of the pipeline."""
        return export.to_dot(self.spec)

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
            detail = f"the lead is already in pipeline {lead.pipeline!r}; transfer() it instead"
            raise self._error(lead.status, to, "other_pipeline", detail)
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
            detail = (
                f"dated {at.isoformat()}, before the last change ({history[-1].at.isoformat()})"
            )
            raise self._error(current, to, "time_backwards", detail)
        # a move re-validates only what it changes: the new entry's values (checked above), the
        # edge, the reason and the time order; every other field is as valid as it was
        change = unchecked(StatusChange)(
            pipeline=self.spec.key,
            from_status=current,
            to_status=to,
            at=at,
            by=by,
            reason=reason,
            note=note,
            from_pipeline=None,
        )
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
            detail = (
                f"the history has a move from {change.from_status!r}; the card was in {status!r}"
            )
            raise self._error(status, to, "not_allowed", detail)
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
            why, detail = "reason_required", f"a lost status needs a reason: one of {reasons}"
        elif reason not in target.lost_reasons:
            why, detail = (
                "reason_not_allowed",
                f"{reason!r} is not a reason here; use one of {reasons}",
            )
        else:
            return
        raise self._error(current, target.key, why, detail)

    def _check_requirements(self, lead: Lead, current: str | None, target: StatusSpec) -> None:
        missing = self._missing(lead, target)
        if missing:
            detail = f"{target.key!r} requires: {', '.join(missing)}"
            raise self._error(current, target.key, "requirement_missing", detail, missing=missing)

    def _missing(self, lead: Lead, target: StatusSpec) -> tuple[str, ...]:
        return requirements.missing(lead, target, self._guards, self._frameworks)

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
