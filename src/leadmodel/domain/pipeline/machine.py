"""The compiled pipeline: moves, transfers, replays and diagrams over a checked spec."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import attrs

from leadmodel._kernel.checks import fixed_offset
from leadmodel._kernel.copy import replace, unchecked
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import LossInfo, StatusChange, check_move
from leadmodel.domain.model.timeline import check_not_before
from leadmodel.domain.pipeline import checks, export, loading, requirements
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.pipeline.requirements import FrameworkCheck, latest_assessment
from leadmodel.domain.pipeline.spec import ActionSpec, PipelineSpec, StatusKind, StatusSpec
from leadmodel.errors import PipelineSpecError, Problem, TransitionError, ValidationError

__all__ = ["FrameworkCheck", "Pipeline", "latest_assessment"]


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


class Pipeline:
    """A funnel compiled from a checked :class:`PipelineSpec` into lookup tables.

    Build it with :meth:`from_dict`, :meth:`from_toml` or :meth:`from_json`; they report every
    problem of the spec at once in :class:`~leadmodel.errors.PipelineSpecError`.
    """

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

        >>> import leadmodel as lm
        >>> repairs = lm.Pipeline.from_dict({"key": "repairs", "label": "Ремонти", "statuses": [
        ...     {"key": "new", "label": "Нова"}, {"key": "done", "kind": "won"}]})
        >>> repairs, repairs.first
        (Pipeline('repairs', 2 statuses), 'new')
        >>> lm.Pipeline.from_dict({"key": "repairs", "statuses": [{"key": "new"}]})
        Traceback (most recent call last):
        ...
        leadmodel.errors.PipelineSpecError: pipeline spec: 2 problems:
          statuses: no won status: add one with kind = "won"
          statuses[0]: dead end: no way from 'new' to won or lost
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

        >>> import leadmodel as lm
        >>> text = '''
        ... key = "repairs"
        ... [[statuses]]
        ... key = "new"
        ... [[statuses]]
        ... key = "done"
        ... kind = "won"
        ... '''
        >>> lm.Pipeline.from_toml(text)
        Pipeline('repairs', 2 statuses)
        >>> lm.Pipeline.from_toml(text.replace('"won"', '"wonn"'))
        Traceback (most recent call last):
        ...
        leadmodel.errors.PipelineSpecError: pipeline spec: 4 problems:
          ...
          line 7: statuses[1].kind: expected one of 'open', 'won', 'lost'; got 'wonn'
          statuses: no won status: add one with kind = "won"
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
        """Read a spec from JSON text (the same shape as the dict and TOML forms).

        >>> import leadmodel as lm
        >>> lm.Pipeline.from_json(lm.to_json(lm.pipelines.SIMPLE.spec)) == lm.pipelines.SIMPLE
        True
        >>> lm.Pipeline.from_json('{"key": "repairs", ')
        Traceback (most recent call last):
        ...
        leadmodel.errors.PipelineSpecError: pipeline spec: 1 problem:
          not valid JSON: ...
        """
        spec = loading.read_json(text, guards=guards, frameworks=frameworks)
        return cls(spec, guards=guards, frameworks=frameworks)

    def to_dict(self) -> dict[str, Any]:
        """The spec as a document, the same as ``lm.to_dict(pipeline.spec)``: ``schema_version``
        first, settings at their default left out.

        >>> import leadmodel as lm
        >>> doc = lm.pipelines.SIMPLE.to_dict()
        >>> list(doc)[:3], doc["statuses"][2]
        (['schema_version', 'key', 'label'], {'key': 'won', 'label': 'Won', 'kind': 'won'})
        >>> doc == lm.to_dict(lm.pipelines.SIMPLE.spec)
        True
        """
        return loading.to_dict(self.spec)

    def to_toml(self) -> str:
        """The spec as TOML text that :meth:`from_toml` reads back to an equal pipeline.

        >>> import leadmodel as lm
        >>> text = lm.pipelines.SIMPLE.to_toml()
        >>> print(*text.splitlines()[:3], sep="\\n")
        schema_version = 1
        key = "simple"
        label = "Simple CRM"
        >>> lm.Pipeline.from_toml(text) == lm.pipelines.SIMPLE
        True
        """
        return loading.to_toml(self.spec)

    def to_mermaid(self) -> str:
        """A Mermaid state diagram of the pipeline (renders in MkDocs Material).

        >>> import leadmodel as lm
        >>> print(*lm.pipelines.SIMPLE.to_mermaid().splitlines()[:4], sep="\\n")
        stateDiagram-v2
            direction LR
            state "New" as s0
            state "In progress" as s1
        """
        return export.to_mermaid(self.spec)

    def to_dot(self) -> str:
        """A Graphviz DOT digraph of the pipeline.

        >>> import leadmodel as lm
        >>> print(*lm.pipelines.SIMPLE.to_dot().splitlines()[:4], sep="\\n")
        digraph "simple" {
            rankdir=LR;
            node [shape=box, style="rounded"];
            s0 [label="New"];
        """
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
        """The spec of status ``key``; raises ``TransitionError(why="unknown_status")``.

        >>> import leadmodel as lm
        >>> lm.pipelines.KEYCRM_REQUESTS.status("lost").lost_reasons
        ('no_budget', 'not_target', 'competitor', 'no_answer')
        >>> lm.pipelines.SIMPLE.status("paid")
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'simple': cannot move from None to 'paid'
        (unknown_status): 'paid' is not a status of this pipeline
        """
        try:
            return self._status[key]
        except KeyError:
            raise self._error(
                None, key, "unknown_status", f"{key!r} is not a status of this pipeline"
            ) from None

    def kind(self, key: str) -> StatusKind:
        """Whether ``key`` is an open, won or lost status.

        >>> import leadmodel as lm
        >>> [lm.pipelines.SIMPLE.kind(key).value for key in ("new", "won", "lost")]
        ['open', 'won', 'lost']
        """
        return self.status(key).kind

    def __repr__(self) -> str:
        return f"Pipeline({self.key!r}, {len(self.statuses)} statuses)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)

    # -- moving ----------------------------------------------------------------------------
    def enter(self, lead: Lead, *, at: datetime, by: str | None, status: str | None = None) -> Lead:
        """Put a lead that is in no pipeline into the first (or given open) status.

        Raises :class:`~leadmodel.errors.TimeOrderError` for an ``at`` before the lead's last
        entry (its creation, a lifecycle move...).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead.pipeline, lead.status, lead.history[-1].from_status
        ('requests', 'new', None)
        >>> requests.enter(lead, at=at, by="anna")
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'new' to 'new'
        (other_pipeline): the lead is already in pipeline 'requests'; transfer() it instead
        """
        to = self.first if status is None else status
        _check_call("Pipeline.enter", lead, to)
        if lead.pipeline is not None:
            detail = f"the lead is already in pipeline {lead.pipeline!r}; transfer() it instead"
            raise self._error(lead.status, to, "other_pipeline", detail)
        self._check_entry(lead, to)
        check_not_before(lead, at, f"pipeline {self.key!r}: enter")
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

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead = requests.move(lead, "in_work", at=at, by="anna")
        >>> lead.status, [change.to_status for change in lead.history]
        ('in_work', ['new', 'in_work'])
        >>> requests.move(lead, "lost", at=at, by="anna")
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'in_work' to 'lost'
        (reason_required): a lost status needs a reason: one of no_budget, not_target, competitor,
        no_answer
        >>> requests.move(lead, "lost", at=at, by="anna", reason="no_budget").lost.reason
        'no_budget'
        """
        _check_call("Pipeline.move", lead, to)
        current = lead.status
        if lead.pipeline != self.key:
            where = f"pipeline {lead.pipeline!r}" if lead.pipeline else "no pipeline"
            raise self._error(
                current, to, "other_pipeline", f"the lead is in {where}, not {self.key!r}"
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
            lost = LossInfo(status=to, reason=reason, at=at, by=by, note=note)  # type: ignore[arg-type]
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

    def allowed(self, lead: Lead) -> tuple[str, ...]:
        """The statuses the lead may move to now, in funnel order (lost ones need a reason).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> requests.allowed(lead)  # in no pipeline yet: enter() it first
        ()
        >>> requests.allowed(requests.enter(lead, at=at, by="anna"))
        ('in_work', 'qualified', 'offer_sent', 'won', 'lost')
        """
        if lead.pipeline != self.key or lead.status not in self._moves:
            return ()
        out = []
        allows, current = self._moves.allows, lead.status or ""
        for status in self.spec.statuses:
            if allows(current, status.key) and (
                not status.requires or not self._missing(lead, status)
            ):
                out.append(status.key)
        return tuple(out)

    def actions(self, change: StatusChange, lead: Lead | None = None) -> tuple[ActionSpec, ...]:
        """The ``on_enter`` actions a recorded move triggers, for the host app to perform.

        Pass the ``lead`` to honour its do-not-contact flag: actions that reach out to the
        person (email, message, call) are then left out.

        >>> from datetime import datetime, timezone
        >>> import attrs
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead = requests.move(lead, "offer_sent", at=at, by="anna")
        >>> requests.actions(lead.history[-1])
        (ActionSpec(action='schedule_call', params=FrozenMap({'in_minutes': 1440})),)
        >>> requests.actions(lead.history[-1], attrs.evolve(lead, do_not_contact=True))
        ()
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
        """Move a lead from here into an open status of ``to_pipeline`` (requests → deals).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> deal = requests.transfer(lead, lm.pipelines.B2B_DEALS, at=at, by="anna")
        >>> deal.pipeline, deal.status, deal.history[-1].from_pipeline
        ('deals', 'qualification', 'requests')
        >>> requests.transfer(deal, lm.pipelines.B2B_DEALS, at=at, by="anna")
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'qualification' to
        'qualification' (other_pipeline): the lead is not in pipeline 'requests'
        """
        if not isinstance(to_pipeline, Pipeline):
            problem = Problem("to_pipeline", "expected a Pipeline", to_pipeline)
            raise ValidationError([problem], model="Pipeline.transfer")
        to = to_pipeline.first if status is None else status
        _check_call("Pipeline.transfer", lead, to, (at, by, note))
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

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead = requests.move(lead, "in_work", at=at, by="anna")
        >>> requests.replay(lead.history), lm.pipelines.SIMPLE.replay(lead.history)
        ('in_work', None)
        >>> back = lm.StatusChange(pipeline="requests", from_status="in_work", to_status="new",
        ...                        at=at)
        >>> requests.replay((*lead.history, back))
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'in_work' to 'new'
        (not_allowed): allowed from here: qualified, offer_sent, won, lost
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
        if not self._moves.allows(status or "", to):
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
            f"pipeline {self.key!r}: cannot move from {current!r} to {to!r} ({why}): {detail}",
            from_status=current,
            to_status=to,
            why=why,
            missing=missing,
        )
