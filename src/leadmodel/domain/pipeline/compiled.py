"""The working half of :class:`~leadmodel.Pipeline`: its lookup tables and the rules a move,
a transfer and a replay check. ``machine.py`` holds the public methods and their examples."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

import attrs

from leadmodel._kernel.checks import fixed_offset
from leadmodel._kernel.copy import replace, unchecked
from leadmodel.domain.capture.contacting import ContactVerdict, may_contact
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import LossInfo, StatusChange, check_move
from leadmodel.domain.model.timeline import check_not_before
from leadmodel.domain.pipeline import checks, requirements
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.pipeline.requirements import FrameworkCheck
from leadmodel.domain.pipeline.spec import ActionSpec, PipelineSpec, StatusKind, StatusSpec
from leadmodel.errors import (
    PipelineSpecError,
    Problem,
    TransitionError,
    UnknownStatusError,
    ValidationError,
)

__all__ = ["CompiledPipeline"]


def _check_call(
    model: str, lead: object, to: object, recorded: tuple[object, object, object] | None = None
) -> None:
    """The arguments of ``enter``, ``move`` and ``transfer``, checked before any is used:
    a Lead, a status key and, when given, what the move records (``at``, ``by``, ``note``)."""
    p: list[Problem] = []
    if not isinstance(lead, Lead):
        p.append(Problem("lead", "expected a Lead", lead))
    if type(to) is not str:
        p.append(Problem("status", "expected a status key (a string)", to))
    if recorded is not None:
        at, by, note = recorded
        check_move(p, at, by, None, note)
    if p:
        raise ValidationError(p, model=model)


class CompiledPipeline:
    """A checked :class:`PipelineSpec` compiled into lookup tables, with the rules of a move."""

    __slots__ = (
        "_frameworks",
        "_guards",
        "_lost",
        "_moves",
        "_requires",
        "_status",
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
        self._moves = checks.Moves(spec)  # the moves as rules: never every edge listed
        # the lookups a move makes, precomputed: a move is dict lookups plus one copy
        self._lost = frozenset(s.key for s in spec.statuses if s.kind is StatusKind.lost)
        self._requires = {s.key: s for s in spec.statuses if s.requires}

    def _lookup(self, key: str) -> StatusSpec:
        """The spec of status ``key``, or :class:`UnknownStatusError` (a ``KeyError``)."""
        try:
            return self._status[key]
        except (KeyError, TypeError):  # TypeError: an unhashable key is no status either
            known = ", ".join(self._status)
            raise UnknownStatusError(
                f"pipeline {self.spec.key!r} has no status {key!r}; its statuses: {known}",
                pipeline=self.spec.key,
                status=key,
            ) from None

    # -- the bodies of enter, move, allowed, actions, transfer and replay -----------------------
    def _enter(self, lead: Lead, at: datetime, by: str | None, status: str | None) -> Lead:
        key = self.spec.key
        to = self.spec.statuses[0].key if status is None else status
        _check_call("Pipeline.enter", lead, to)
        if lead.pipeline is not None:
            detail = f"the lead is already in pipeline {lead.pipeline!r}; transfer() it instead"
            raise self._error(lead.status, to, "other_pipeline", detail)
        self._check_entry(lead, to)
        check_not_before(lead, at, f"pipeline {key!r}: enter")
        change = StatusChange(pipeline=key, from_status=None, to_status=to, at=at, by=by)
        return attrs.evolve(lead, pipeline=key, status=to, history=(*lead.history, change))

    def _allowed(self, lead: Lead) -> tuple[str, ...]:
        if lead.pipeline != self.spec.key or lead.status not in self._moves:
            return ()
        out = []
        allows, current = self._moves.allows, lead.status or ""
        for status in self.spec.statuses:
            if allows(current, status.key) and (
                not status.requires or not self._missing(lead, status)
            ):
                out.append(status.key)
        return tuple(out)

    def _actions(self, change: StatusChange, lead: Lead | None) -> tuple[ActionSpec, ...]:
        if change.pipeline != self.spec.key or change.to_status not in self._status:
            return ()
        found = self._status[change.to_status].on_enter
        if lead is not None:
            found = tuple(a for a in found if _may(a, lead, change.at))
        return found

    def _withheld(self, change: StatusChange, lead: Lead) -> tuple[tuple[ActionSpec, str], ...]:
        if change.pipeline != self.spec.key or change.to_status not in self._status:
            return ()
        out = []
        for action in self._status[change.to_status].on_enter:
            verdict = _verdict(action, lead, change.at)
            if verdict is not None and not verdict.allowed:
                out.append((action, verdict.reason))
        return tuple(out)

    def _move(
        self,
        lead: Lead,
        to: str,
        *,
        at: datetime,
        by: str | None,
        reason: str | None,
        note: str | None,
    ) -> Lead:
        _check_call("Pipeline.move", lead, to)
        current = lead.status
        if lead.pipeline != self.spec.key:
            where = f"pipeline {lead.pipeline!r}" if lead.pipeline else "no pipeline"
            raise self._error(
                current, to, "other_pipeline", f"the lead is in {where}, not {self.spec.key!r}"
            )
        if current not in self._moves:
            raise self._error(current, to, "unknown_status", f"the status {current!r} is not here")
        if not self._moves.allows(current, to):  # type: ignore[arg-type]
            raise self._refusal(current, to)
        lost = None
        if to in self._lost:
            self._check_reason(current, self._status[to], reason)
            if lead.converted is not None:
                raise self._error(current, to, "not_allowed", "a converted lead cannot be lost")
            lost = LossInfo(
                status=to,
                reason=reason,  # type: ignore[arg-type] # _check_reason: set
                at=at,
                by=by,
                note=note,
                from_status=current,
            )
        if to in self._requires:
            self._check_requirements(lead, current, self._requires[to])
        problems: list[Problem] = []
        check_move(problems, at, by, reason, note)
        if problems:
            raise ValidationError(problems, model="Pipeline.move")
        at = fixed_offset(at)  # the datetime rule: times compare as instants, fold or not
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

    def _transfer(
        self,
        lead: Lead,
        to_pipeline: CompiledPipeline,
        status: str | None,
        *,
        at: datetime,
        by: str | None,
        note: str | None,
    ) -> Lead:
        if not isinstance(to_pipeline, CompiledPipeline):
            problem = Problem("to_pipeline", "expected a Pipeline", to_pipeline)
            raise ValidationError([problem], model="Pipeline.transfer")
        to = to_pipeline.spec.statuses[0].key if status is None else status
        _check_call("Pipeline.transfer", lead, to, (at, by, note))
        if lead.pipeline != self.spec.key:
            raise self._error(
                lead.status, to, "other_pipeline", f"the lead is not in pipeline {self.spec.key!r}"
            )
        to_pipeline._check_entry(lead, to)
        history = lead.history
        if history and at < history[-1].at:
            raise self._error(
                lead.status, to, "time_backwards", "the transfer is dated before the last change"
            )
        change = StatusChange(
            pipeline=to_pipeline.spec.key,
            from_pipeline=self.spec.key,
            from_status=lead.status,
            to_status=to,
            at=at,
            by=by,
            note=note,
        )
        return attrs.evolve(
            lead, pipeline=to_pipeline.spec.key, status=to, history=(*history, change), lost=None
        )

    def _replay(self, history: Collection[StatusChange]) -> str | None:
        pipeline: str | None = None
        status: str | None = None
        last: datetime | None = None
        for change in history:
            if last is not None and change.at < last:
                raise self._error(
                    status, change.to_status, "time_backwards", "the history goes back in time"
                )
            last = change.at
            if change.pipeline == self.spec.key:
                self._replay_step(pipeline, status, change)
            pipeline, status = change.pipeline, change.to_status
        return status if pipeline == self.spec.key else None

    # -- checks ----------------------------------------------------------------------------
    def _replay_step(self, pipeline: str | None, status: str | None, change: StatusChange) -> None:
        to = change.to_status
        if pipeline != self.spec.key:  # entering or transferred in
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
        if not self._moves.allows(status or "", to):
            raise self._refusal(status, to)
        target = self._status[to]
        if target.kind is StatusKind.lost:
            self._check_reason(status, target, change.reason)

    def _check_known(self, current: str | None, to: str) -> None:
        if to not in self._status:
            raise self._error(
                current,
                to,
                "unknown_status",
                f"{to!r} is not a status of pipeline {self.spec.key!r}",
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
        allowed = ", ".join(self._moves.targets(current or "")) or "none"  # in funnel order
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
            f"pipeline {self.spec.key!r}: cannot move from {current!r} to {to!r} ({why}): {detail}",
            from_status=current,
            to_status=to,
            why=why,
            missing=missing,
        )


def _verdict(action: ActionSpec, lead: Lead, at: datetime) -> ContactVerdict | None:
    """Whether ``lead``'s consent records allow ``action`` at ``at`` (``None``: it contacts
    nobody)."""
    reach = action.reach
    if reach is None:
        return None
    purpose, kind, network = reach
    return may_contact(
        lead.consents,
        purpose=purpose,
        channel=kind,
        network=network,
        at=at,
        do_not_contact=lead.do_not_contact,
    )


def _may(action: ActionSpec, lead: Lead, at: datetime) -> bool:
    verdict = _verdict(action, lead, at)
    return verdict is None or verdict.allowed
